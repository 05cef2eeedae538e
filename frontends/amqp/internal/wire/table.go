// Field tables and field values (RabbitMQ's field types, which differ from
// the 0-9-1 spec's grammar: 's' is int16, 'x' a byte array, 'u'/'i'
// unsigned). Decoding keeps each value's AMQP type as a distinct Go type and
// keeps field order, so encode(decode(x)) reproduces x except for the
// non-canonical truth octets of 't' (any non-zero octet decodes as true).
package wire

import (
	"encoding/binary"
	"fmt"
	"math"
)

// MaxDepth bounds how deeply tables and arrays may nest, when decoding
// (a deeper input is ErrSyntax) and when encoding (ErrTooDeep). The
// outermost table is depth 1.
const MaxDepth = 32

// Table is an AMQP field table: fields in wire order, names not
// necessarily unique (the first match wins in Get, as in RabbitMQ).
//
// Field values decode to, and encode from, these Go types:
//
//	't' bool       'b' int8     'B' uint8    's' int16     'u' uint16
//	'I' int32      'i' uint32   'l' int64    'f' float32   'd' float64
//	'D' Decimal    'S' string   'x' []byte   'A' Array     'T' Timestamp
//	'F' Table      'V' nil
//
// Encoding also accepts []any for 'A'. Decoded strings and byte slices are
// copies: they do not alias the frame payload.
type Table []Field

// Field is one name/value pair of a Table.
type Field struct {
	Name  string
	Value any
}

// Array is an AMQP field array ('A'): values of the types listed on Table.
type Array []any

// Decimal is an AMQP decimal ('D'): Value × 10^-Scale.
type Decimal struct {
	Scale uint8
	Value int32
}

// Timestamp is an AMQP timestamp ('T' and the timestamp property): seconds
// since the Unix epoch, kept as the raw 64-bit wire value so it round-trips
// exactly.
type Timestamp uint64

// Get returns the value of the first field called name.
func (t Table) Get(name string) (any, bool) {
	for _, f := range t {
		if f.Name == name {
			return f.Value, true
		}
	}
	return nil, false
}

// AppendTable appends t as a field table (a 32-bit length and the fields)
// and returns the extended slice. On error the returned slice is dst.
func AppendTable(dst []byte, t Table) ([]byte, error) {
	b, err := appendTable(dst, t, 0)
	if err != nil {
		return dst, err
	}
	return b, nil
}

// DecodeTable decodes b, which must hold exactly one field table including
// its 32-bit length prefix. An empty table decodes as nil.
func DecodeTable(b []byte) (Table, error) {
	r := reader{b: b}
	t := r.table(0)
	if err := r.end(); err != nil {
		return nil, err
	}
	return t, nil
}

// table reads a field table at nesting depth+1.
func (r *reader) table(depth int) Table {
	body := r.longBytes()
	if r.err != nil {
		return nil
	}
	if depth >= MaxDepth {
		r.fail(errDepth)
		return nil
	}
	sub := reader{b: body}
	var t Table
	for len(sub.b) > 0 {
		name := sub.shortBytes()
		v := sub.value(depth + 1)
		if sub.err != nil {
			r.fail(sub.err)
			return nil
		}
		t = append(t, Field{Name: string(name), Value: v})
	}
	return t
}

// array reads a field array at nesting depth+1.
func (r *reader) array(depth int) Array {
	body := r.longBytes()
	if r.err != nil {
		return nil
	}
	if depth >= MaxDepth {
		r.fail(errDepth)
		return nil
	}
	sub := reader{b: body}
	var a Array
	for len(sub.b) > 0 {
		v := sub.value(depth + 1)
		if sub.err != nil {
			r.fail(sub.err)
			return nil
		}
		a = append(a, v)
	}
	return a
}

// value reads a type tag and the value it introduces; depth is that of
// the enclosing table or array.
func (r *reader) value(depth int) any {
	switch tag := r.u8(); tag {
	case 't':
		return r.u8() != 0
	case 'b':
		return int8(r.u8())
	case 'B':
		return r.u8()
	case 's':
		return int16(r.u16())
	case 'u':
		return r.u16()
	case 'I':
		return int32(r.u32())
	case 'i':
		return r.u32()
	case 'l':
		return int64(r.u64())
	case 'f':
		return math.Float32frombits(r.u32())
	case 'd':
		return math.Float64frombits(r.u64())
	case 'D':
		scale := r.u8()
		return Decimal{Scale: scale, Value: int32(r.u32())}
	case 'S':
		return string(r.longBytes())
	case 'x':
		b := r.longBytes()
		if r.err != nil {
			return nil
		}
		return append([]byte{}, b...)
	case 'A':
		return r.array(depth)
	case 'T':
		return Timestamp(r.u64())
	case 'F':
		return r.table(depth)
	case 'V':
		return nil
	default:
		if r.err == nil {
			r.fail(errTag)
		}
		return nil
	}
}

// skipTable checks a field table like table does, without allocating.
func (r *reader) skipTable(depth int) {
	body := r.longBytes()
	if r.err != nil {
		return
	}
	if depth >= MaxDepth {
		r.fail(errDepth)
		return
	}
	sub := reader{b: body}
	for len(sub.b) > 0 && sub.err == nil {
		sub.shortBytes()
		sub.skipValue(depth + 1)
	}
	if sub.err != nil {
		r.fail(sub.err)
	}
}

// skipValue checks a field value like value does, without allocating.
func (r *reader) skipValue(depth int) {
	var n uint64
	switch tag := r.u8(); tag {
	case 'V':
		return
	case 't', 'b', 'B':
		n = 1
	case 's', 'u':
		n = 2
	case 'I', 'i', 'f':
		n = 4
	case 'D':
		n = 5
	case 'l', 'd', 'T':
		n = 8
	case 'S', 'x':
		r.longBytes()
		return
	case 'F':
		r.skipTable(depth)
		return
	case 'A':
		body := r.longBytes()
		if r.err != nil {
			return
		}
		if depth >= MaxDepth {
			r.fail(errDepth)
			return
		}
		sub := reader{b: body}
		for len(sub.b) > 0 && sub.err == nil {
			sub.skipValue(depth + 1)
		}
		if sub.err != nil {
			r.fail(sub.err)
		}
		return
	default:
		if r.err == nil {
			r.fail(errTag)
		}
		return
	}
	r.bytes(n)
}

// appendTable appends a table at nesting depth+1.
func appendTable(dst []byte, t Table, depth int) ([]byte, error) {
	if depth >= MaxDepth {
		return dst, ErrTooDeep
	}
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	var err error
	for _, f := range t {
		if len(f.Name) > math.MaxUint8 {
			return dst, fmt.Errorf("%w: table field name %.32q…", ErrShortString, f.Name)
		}
		dst = append(append(dst, uint8(len(f.Name))), f.Name...)
		if dst, err = appendValue(dst, f.Value, depth+1); err != nil {
			return dst, err
		}
	}
	return patchLength(dst, start)
}

// appendArray appends an array at nesting depth+1.
func appendArray(dst []byte, a []any, depth int) ([]byte, error) {
	if depth >= MaxDepth {
		return dst, ErrTooDeep
	}
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	var err error
	for _, v := range a {
		if dst, err = appendValue(dst, v, depth+1); err != nil {
			return dst, err
		}
	}
	return patchLength(dst, start)
}

// patchLength writes the length of what follows the 4-octet placeholder at
// start into the placeholder.
func patchLength(dst []byte, start int) ([]byte, error) {
	n := uint64(len(dst) - start - 4)
	if n > math.MaxUint32 {
		return dst, ErrLongString
	}
	binary.BigEndian.PutUint32(dst[start:], uint32(n))
	return dst, nil
}

// appendValue appends a type tag and value; depth is that of the enclosing
// table or array.
func appendValue(dst []byte, v any, depth int) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(dst, 'V'), nil
	case bool:
		if v {
			return append(dst, 't', 1), nil
		}
		return append(dst, 't', 0), nil
	case int8:
		return append(dst, 'b', uint8(v)), nil
	case uint8:
		return append(dst, 'B', v), nil
	case int16:
		return binary.BigEndian.AppendUint16(append(dst, 's'), uint16(v)), nil
	case uint16:
		return binary.BigEndian.AppendUint16(append(dst, 'u'), v), nil
	case int32:
		return binary.BigEndian.AppendUint32(append(dst, 'I'), uint32(v)), nil
	case uint32:
		return binary.BigEndian.AppendUint32(append(dst, 'i'), v), nil
	case int64:
		return binary.BigEndian.AppendUint64(append(dst, 'l'), uint64(v)), nil
	case float32:
		return binary.BigEndian.AppendUint32(append(dst, 'f'), math.Float32bits(v)), nil
	case float64:
		return binary.BigEndian.AppendUint64(append(dst, 'd'), math.Float64bits(v)), nil
	case Decimal:
		return binary.BigEndian.AppendUint32(append(dst, 'D', v.Scale), uint32(v.Value)), nil
	case string:
		if uint64(len(v)) > math.MaxUint32 {
			return dst, ErrLongString
		}
		return append(binary.BigEndian.AppendUint32(append(dst, 'S'), uint32(len(v))), v...), nil
	case []byte:
		if uint64(len(v)) > math.MaxUint32 {
			return dst, ErrLongString
		}
		return append(binary.BigEndian.AppendUint32(append(dst, 'x'), uint32(len(v))), v...), nil
	case Array:
		return appendArray(append(dst, 'A'), v, depth)
	case []any:
		return appendArray(append(dst, 'A'), v, depth)
	case Timestamp:
		return binary.BigEndian.AppendUint64(append(dst, 'T'), uint64(v)), nil
	case Table:
		return appendTable(append(dst, 'F'), v, depth)
	}
	return dst, fmt.Errorf("%w: %T", ErrFieldType, v)
}
