// Record framing: round trips, rejection of damaged frames, and the fuzz
// target for the decoder.

package segmentlog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"junction/storage"
)

// sampleRecords covers each field's corner cases.
func sampleRecords() []storage.Record {
	return []storage.Record{
		{},
		{Offset: 1, Timestamp: 1_700_000_000_000, ID: storage.StreamID{Ms: 1_700_000_000_000, Seq: 3},
			Key: []byte("key"), Value: []byte("value"), Origin: storage.OriginKafka,
			Headers: []storage.Header{{Key: []byte("a"), Value: []byte("1")}, {Key: []byte("a"), Value: []byte{}}, {}}},
		{Offset: math.MaxInt64, Timestamp: math.MinInt64, ID: storage.StreamID{Ms: math.MaxUint64, Seq: math.MaxUint64},
			Key: []byte{}, Value: []byte{}, Native: []byte{}, Origin: 255},
		{Offset: -5, Timestamp: -1, Value: bytes.Repeat([]byte{0xab}, 200), Native: []byte{9, 8, 7}, Origin: storage.OriginAMQP},
		{Offset: 300, Origin: storage.OriginRedis, Headers: []storage.Header{{Key: []byte("field"), Value: []byte("value")}}},
	}
}

func sameRecord(a, b *storage.Record) bool {
	if a.Offset != b.Offset || a.Timestamp != b.Timestamp || a.ID != b.ID || a.Origin != b.Origin ||
		(a.Key == nil) != (b.Key == nil) || (a.Value == nil) != (b.Value == nil) || (a.Native == nil) != (b.Native == nil) ||
		!bytes.Equal(a.Key, b.Key) || !bytes.Equal(a.Value, b.Value) || !bytes.Equal(a.Native, b.Native) ||
		len(a.Headers) != len(b.Headers) {
		return false
	}
	for i := range a.Headers {
		if !bytes.Equal(a.Headers[i].Key, b.Headers[i].Key) || !bytes.Equal(a.Headers[i].Value, b.Headers[i].Value) {
			return false
		}
	}
	return true
}

func TestRecordRoundTrip(t *testing.T) {
	var buf []byte
	recs := sampleRecords()
	for i := range recs {
		buf = appendRecord(buf, &recs[i])
	}
	var hdrs []storage.Header
	for i, p := 0, buf; len(p) > 0; i++ {
		var r storage.Record
		n, err := decodeRecord(p, &r, &hdrs)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if !sameRecord(&r, &recs[i]) {
			t.Fatalf("record %d: got %+v, want %+v", i, r, recs[i])
		}
		p = p[n:]
	}
}

func TestDecodeRejectsDamage(t *testing.T) {
	for i, rec := range sampleRecords() {
		frame := appendRecord(nil, &rec)
		var r storage.Record
		var hdrs []storage.Header
		for n := range len(frame) { // every truncation
			if _, err := decodeRecord(frame[:n], &r, &hdrs); !errors.Is(err, storage.ErrCorrupt) {
				t.Fatalf("record %d cut to %d bytes: %v; want ErrCorrupt", i, n, err)
			}
		}
		for at := range len(frame) { // every single-bit flip
			for bit := range 8 {
				bad := bytes.Clone(frame)
				bad[at] ^= 1 << bit
				if _, err := decodeRecord(bad, &r, &hdrs); !errors.Is(err, storage.ErrCorrupt) {
					t.Fatalf("record %d with bit %d of byte %d flipped: %v; want ErrCorrupt", i, bit, at, err)
				}
			}
		}
	}
}

// TestDecodeRejectsNonCanonical checks payloads whose checksum is right but
// whose encoding is not the one appendRecord produces.
func TestDecodeRejectsNonCanonical(t *testing.T) {
	for name, payload := range map[string][]byte{
		"long varint":    {0, 0, 0x80, 0x00, 0, 0, 0, 0},
		"unknown flag":   {0x08, 0, 0, 0, 0, 0, 0},
		"trailing bytes": {0, 0, 0, 0, 0, 0, 0, 1},
		"header count":   {0, 0, 0, 0, 0, 0, 5, 1, 1},
		"key too long":   {flagKey, 0, 0, 0, 0, 0, 9, 0},
		"varint 11 byte": {0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0},
	} {
		frame := framePayload(payload)
		var r storage.Record
		var hdrs []storage.Header
		if _, err := decodeRecord(frame, &r, &hdrs); !errors.Is(err, storage.ErrCorrupt) {
			t.Errorf("%s: %v; want ErrCorrupt", name, err)
		}
	}
}

// TestUvarintAt decodes varints of every length at every distance from the
// end of the buffer (eight bytes or more at hand take the unrolled path,
// fewer take binary.Uvarint), and rejects non-minimal and overlong ones.
func TestUvarintAt(t *testing.T) {
	var values []uint64
	for k := range 65 {
		v := uint64(1)<<k - 1
		values = append(values, v, v+1, v^0x5555555555555555>>(64-k))
	}
	values = append(values, math.MaxUint64)
	for _, v := range values {
		enc := binary.AppendUvarint(nil, v)
		for tail := range 10 {
			for _, pad := range []byte{0x00, 0xff} {
				p := append([]byte{0xaa}, enc...)
				p = append(p, bytes.Repeat([]byte{pad}, tail)...)
				got, end := uvarintAt(p, 1)
				if got != v || end != 1+len(enc) {
					t.Fatalf("%d (%x) with %d bytes after: got %d, end %d", v, enc, tail, got, end)
				}
				if len(enc) < binary.MaxVarintLen64 { // a redundant continuation byte
					long := append(bytes.Clone(enc[:len(enc)-1]), enc[len(enc)-1]|0x80, 0x00)
					q := append(append([]byte{0xaa}, long...), bytes.Repeat([]byte{pad}, tail)...)
					if _, end := uvarintAt(q, 1); end >= 0 {
						t.Fatalf("non-minimal %x accepted", long)
					}
				}
			}
		}
	}
	for _, bad := range [][]byte{
		{},
		{0x80},
		bytes.Repeat([]byte{0x80}, 8),
		bytes.Repeat([]byte{0xff}, 12),
		append(bytes.Repeat([]byte{0xff}, 9), 0x02), // more than 64 bits
	} {
		if _, end := uvarintAt(bad, 0); end >= 0 {
			t.Errorf("%x: end %d, want a fault", bad, end)
		}
	}
	if _, end := uvarintAt([]byte{1, 2, 3}, -1); end != -1 {
		t.Errorf("a fault does not stick: end %d", end)
	}
}

// framePayload wraps p in a frame with a correct length and checksum.
func framePayload(p []byte) []byte {
	var r storage.Record
	f := appendRecord(nil, &r)
	f = append(f[:frameHeader], p...)
	putFrameHeader(f)
	return f
}

func putFrameHeader(f []byte) {
	p := f[frameHeader:]
	le.PutUint32(f, uint32(len(p)))
	le.PutUint32(f[4:], crc(p))
}

// FuzzDecodeRecord: the decoder never panics, and whatever it accepts
// re-encodes to exactly the bytes it consumed.
func FuzzDecodeRecord(f *testing.F) {
	for _, r := range sampleRecords() {
		f.Add(appendRecord(nil, &r))
	}
	f.Add(framePayload([]byte{flagKey | flagValue | flagNative, 1, 2, 4, 6, 8, 0, 0, 2, 1, 1, 'a', 1, 'b', 0}))
	f.Fuzz(func(t *testing.T, b []byte) {
		// Let mutated payloads through the checksum too, so the fuzzer
		// reaches the payload decoder.
		fixed := bytes.Clone(b)
		if len(fixed) >= frameHeader {
			if n := int(le.Uint32(fixed)); n <= len(fixed)-frameHeader {
				le.PutUint32(fixed[4:], crc(fixed[frameHeader:frameHeader+n]))
			}
		}
		for _, in := range [][]byte{b, fixed} {
			var r storage.Record
			var hdrs []storage.Header
			n, err := decodeRecord(in, &r, &hdrs)
			if err != nil {
				if !errors.Is(err, storage.ErrCorrupt) {
					t.Fatalf("error %v does not wrap ErrCorrupt", err)
				}
				continue
			}
			if again := appendRecord(nil, &r); !bytes.Equal(again, in[:n]) {
				t.Fatalf("decoded %+v re-encodes to\n%x\nnot\n%x", r, again, in[:n])
			}
		}
	})
}
