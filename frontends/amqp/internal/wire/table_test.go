package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// allTypes is a table with every field type, nested tables and arrays,
// an empty byte array and a duplicate name.
func allTypes() Table {
	return Table{
		{"true", true},
		{"false", false},
		{"int8", int8(-5)},
		{"uint8", uint8(250)},
		{"int16", int16(-30000)},
		{"uint16", uint16(60000)},
		{"int32", int32(-2_000_000_000)},
		{"uint32", uint32(4_000_000_000)},
		{"int64", int64(-1 << 62)},
		{"float32", float32(3.25)},
		{"float64", 2.5e300},
		{"decimal", Decimal{Scale: 2, Value: -12345}},
		{"string", "héllo\x00world"},
		{"bytes", []byte{0, 1, 0xff}},
		{"empty bytes", []byte{}},
		{"array", Array{int32(1), "two", Array{true, nil}, Table{{"k", "v"}}, Array(nil)}},
		{"timestamp", Timestamp(1700000000)},
		{"table", Table{{"nested", Table{{"deep", int64(1)}}}, {"empty", Table(nil)}}},
		{"void", nil},
		{"", "empty name"},
		{"dup", "first"},
		{"dup", "second"},
	}
}

func TestTableRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    Table
	}{
		{"nil", nil},
		{"all types", allTypes()},
		{"nested in array", Table{{"a", Array{allTypes(), Array{allTypes()}}}}},
		{"NaN and infinities", Table{{"nan", math.NaN()}, {"inf", float32(math.Inf(-1))}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := AppendTable(nil, tc.t)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeTable(b)
			if err != nil {
				t.Fatal(err)
			}
			again, err := AppendTable(nil, got)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, b) {
				t.Fatalf("re-encoding differs:\n got %x\nwant %x", again, b)
			}
			if tc.name != "NaN and infinities" && !reflect.DeepEqual(got, tc.t) {
				t.Fatalf("decoded\n%#v\nwant\n%#v", got, tc.t)
			}
		})
	}
}

// TestTableGolden pins RabbitMQ's type tags and the big-endian layout.
func TestTableGolden(t *testing.T) {
	tbl := Table{
		{"a", int16(-2)},
		{"b", []byte{1}},
		{"c", uint32(7)},
		{"d", Decimal{Scale: 3, Value: 1}},
		{"e", Array{uint8(9)}},
	}
	want := []byte{
		0, 0, 0, 0x29,
		1, 'a', 's', 0xff, 0xfe,
		1, 'b', 'x', 0, 0, 0, 1, 1,
		1, 'c', 'i', 0, 0, 0, 7,
		1, 'd', 'D', 3, 0, 0, 0, 1,
		1, 'e', 'A', 0, 0, 0, 2, 'B', 9,
	}
	want[3] = byte(len(want) - 4)
	got, err := AppendTable(nil, tbl)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got  %x\nwant %x", got, want)
	}
}

func TestTableGet(t *testing.T) {
	tbl := allTypes()
	if v, ok := tbl.Get("dup"); !ok || v != "first" {
		t.Fatalf("Get(dup) = %v, %v; want first match", v, ok)
	}
	if _, ok := tbl.Get("missing"); ok {
		t.Fatal("Get(missing) found something")
	}
}

// nested returns a table nested depth deep: depth 1 is an empty table.
func nested(depth int) Table {
	var t Table
	for i := 1; i < depth; i++ {
		t = Table{{"n", t}}
	}
	return t
}

func TestTableDecodeErrors(t *testing.T) {
	atDepth, err := AppendTable(nil, nested(MaxDepth))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeTable(atDepth); err != nil {
		t.Fatalf("depth %d: %v", MaxDepth, err)
	}
	// One more level, built by hand since the encoder refuses it.
	tooDeep := append([]byte{0, 0, 0, 0, 1, 'n', 'F'}, atDepth...)
	tooDeep[3] = byte(len(tooDeep) - 4)
	// A table holding arrays nested n deep: the innermost is at depth n+1.
	arrays := func(n int) []byte {
		var v []byte
		for range n {
			v = append(binary.BigEndian.AppendUint32([]byte{'A'}, uint32(len(v))), v...)
		}
		return append(append(binary.BigEndian.AppendUint32(nil, uint32(len(v)+2)), 1, 'a'), v...)
	}
	if _, err := DecodeTable(arrays(MaxDepth - 1)); err != nil {
		t.Fatalf("arrays at depth %d: %v", MaxDepth, err)
	}

	for name, b := range map[string][]byte{
		"empty":                  {},
		"short length":           {0, 0, 0},
		"4 GiB table":            {0xff, 0xff, 0xff, 0xff},
		"4 GiB string":           {0, 0, 0, 7, 1, 's', 'S', 0xff, 0xff, 0xff, 0xff},
		"4 GiB byte array":       {0, 0, 0, 7, 1, 's', 'x', 0xff, 0xff, 0xff, 0xfe},
		"4 GiB nested array":     {0, 0, 0, 7, 1, 's', 'A', 0xff, 0xff, 0xff, 0xfe},
		"name past end":          {0, 0, 0, 1, 5},
		"missing value":          {0, 0, 0, 2, 1, 'a'},
		"truncated int":          {0, 0, 0, 4, 1, 'a', 'I', 0},
		"unknown tag":            {0, 0, 0, 3, 1, 'a', 'z'},
		"spec-only tag U":        {0, 0, 0, 4, 1, 'a', 'U', 0},
		"trailing octet":         {0, 0, 0, 0, 0},
		"too deep":               tooDeep,
		"deep arrays":            arrays(MaxDepth),
		"bad value in array":     {0, 0, 0, 8, 1, 'a', 'A', 0, 0, 0, 1, 'z'},
		"4 GiB array":            {0, 0, 0, 7, 1, 'a', 'A', 0xff, 0xff, 0xff, 0xff},
		"length beyond payload":  {0, 0, 0, 9, 1, 'a', 'V'},
		"inner length too large": {0, 0, 0, 8, 1, 'a', 'F', 0, 0, 0, 9, 0},
	} {
		t.Run(name, func(t *testing.T) {
			allocs := testing.AllocsPerRun(10, func() {
				_, err = DecodeTable(b)
			})
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("err = %v, want ErrSyntax", err)
			}
			if ReplyCode(err) != SyntaxError {
				t.Fatalf("ReplyCode = %d", ReplyCode(err))
			}
			if name != "unknown tag" && allocs > 0 {
				t.Fatalf("%v allocations on a hostile table", allocs)
			}
			r := reader{b: b}
			r.skipTable(0)
			if r.end() == nil {
				t.Fatal("skipTable accepted what DecodeTable rejects")
			}
		})
	}
}

func TestTableEncodeErrors(t *testing.T) {
	cyclic := Array{nil}
	cyclic[0] = cyclic
	for name, tc := range map[string]struct {
		t    Table
		want error
	}{
		"int":         {Table{{"a", 1}}, ErrFieldType},
		"map":         {Table{{"a", map[string]any{}}}, ErrFieldType},
		"nested type": {Table{{"a", Array{uint64(1)}}}, ErrFieldType},
		"long name":   {Table{{strings.Repeat("n", 256), nil}}, ErrShortString},
		"too deep":    {nested(MaxDepth + 1), ErrTooDeep},
		"cycle":       {Table{{"a", cyclic}}, ErrTooDeep},
	} {
		t.Run(name, func(t *testing.T) {
			dst := []byte("keep")
			got, err := AppendTable(dst, tc.t)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if string(got) != "keep" {
				t.Fatalf("dst changed to %q", got)
			}
		})
	}
	if _, err := AppendTable(nil, Table{{strings.Repeat("n", 255), []any{int8(1)}}}); err != nil {
		t.Fatalf("255-octet name and []any: %v", err)
	}
}
