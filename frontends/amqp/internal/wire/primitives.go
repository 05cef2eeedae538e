// Primitive AMQP domains shared by methods, tables and properties: octet,
// short, long, longlong (big-endian), shortstr, longstr and packed bits.
// reader and encoder carry a sticky error so decoders read like the spec's
// field lists and check once at the end.
package wire

import (
	"encoding/binary"
	"math"
)

// reader consumes a byte slice. After the first failure every read
// returns a zero value and err stays set.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.b = nil
}

// end reports the first error, or errTrailing if octets are left over.
func (r *reader) end() error {
	if r.err == nil && len(r.b) != 0 {
		r.fail(errTrailing)
	}
	return r.err
}

func (r *reader) u8() uint8 {
	if len(r.b) < 1 {
		r.fail(errTruncated)
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) u16() uint16 {
	if len(r.b) < 2 {
		r.fail(errTruncated)
		return 0
	}
	v := binary.BigEndian.Uint16(r.b)
	r.b = r.b[2:]
	return v
}

func (r *reader) u32() uint32 {
	if len(r.b) < 4 {
		r.fail(errTruncated)
		return 0
	}
	v := binary.BigEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

func (r *reader) u64() uint64 {
	if len(r.b) < 8 {
		r.fail(errTruncated)
		return 0
	}
	v := binary.BigEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

// bytes consumes n octets and returns them without copying. The length is
// checked against what is left before anything else happens, so a hostile
// length prefix never causes an allocation.
func (r *reader) bytes(n uint64) []byte {
	if n > uint64(len(r.b)) {
		r.fail(errTruncated)
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

// shortBytes reads a shortstr without copying.
func (r *reader) shortBytes() []byte { return r.bytes(uint64(r.u8())) }

// longBytes reads a longstr without copying.
func (r *reader) longBytes() []byte { return r.bytes(uint64(r.u32())) }

// shortStr reads a shortstr into *dst, keeping the existing string when it
// is equal so that a reused method struct decodes repeated names without
// allocating.
func (r *reader) shortStr(dst *string) { setString(dst, r.shortBytes()) }

// longStr reads a longstr into *dst like shortStr.
func (r *reader) longStr(dst *string) { setString(dst, r.longBytes()) }

func setString(dst *string, b []byte) {
	if *dst != string(b) { // the comparison does not allocate
		*dst = string(b)
	}
}

// encoder appends to b. After the first failure further appends are
// dropped and err stays set.
type encoder struct {
	b   []byte
	err error
}

func (e *encoder) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

func (e *encoder) u8(v uint8)   { e.b = append(e.b, v) }
func (e *encoder) u16(v uint16) { e.b = binary.BigEndian.AppendUint16(e.b, v) }
func (e *encoder) u32(v uint32) { e.b = binary.BigEndian.AppendUint32(e.b, v) }
func (e *encoder) u64(v uint64) { e.b = binary.BigEndian.AppendUint64(e.b, v) }

func (e *encoder) shortStr(s string) {
	if len(s) > math.MaxUint8 {
		e.fail(ErrShortString)
		return
	}
	e.b = append(append(e.b, uint8(len(s))), s...)
}

func (e *encoder) longStr(s string) {
	if uint64(len(s)) > math.MaxUint32 {
		e.fail(ErrLongString)
		return
	}
	e.b = append(binary.BigEndian.AppendUint32(e.b, uint32(len(s))), s...)
}

func (e *encoder) table(t Table) {
	if e.err != nil {
		return
	}
	b, err := appendTable(e.b, t, 0)
	if err != nil {
		e.fail(err)
		return
	}
	e.b = b
}

// result returns the appended slice and the first error.
func (e *encoder) result() ([]byte, error) { return e.b, e.err }

// bits packs consecutive bit fields into one octet, the first in the least
// significant bit, as the spec requires.
func bits(vs ...bool) uint8 {
	var o uint8
	for i, v := range vs {
		if v {
			o |= 1 << i
		}
	}
	return o
}

// bit reports bit i of an octet read from the wire.
func bit(o uint8, i uint) bool { return o&(1<<i) != 0 }

// appendShortStr appends a shortstr for callers whose strings came off the
// wire as shortstrs and so always fit; a longer one is a programming error
// and panics.
func appendShortStr(dst []byte, s string) []byte {
	if len(s) > math.MaxUint8 {
		panic("wire: " + ErrShortString.Error())
	}
	return append(append(dst, uint8(len(s))), s...)
}
