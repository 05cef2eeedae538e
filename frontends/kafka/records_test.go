package kafka

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"testing"

	"github.com/klauspost/compress/snappy"
	"github.com/twmb/franz-go/pkg/kgo"

	"junction/storage"
)

// compressedBatch builds a batch of vals whose records section is
// compressed by compress under codec.
func compressedBatch(t testing.TB, codec int, compress func([]byte) []byte, vals ...string) []byte {
	raw := batch(7, 1, 0, 1000, vals...)
	body := compress(raw[batchHeaderLen:])
	out := append(raw[:batchHeaderLen:batchHeaderLen], body...)
	attrs := binary.BigEndian.Uint16(out[21:])
	binary.BigEndian.PutUint16(out[21:], attrs|uint16(codec))
	binary.BigEndian.PutUint32(out[8:], uint32(len(out)-12))
	binary.BigEndian.PutUint32(out[17:], crc32.Checksum(out[21:], crc32c))
	return out
}

func TestDecodeCompressedBatches(t *testing.T) {
	vals := []string{"alpha", "beta", "gamma", string(bytes.Repeat([]byte("z"), 5000))}
	kgoCodec := map[int]kgo.CompressionCodec{
		codecGzip: kgo.GzipCompression(), codecSnappy: kgo.SnappyCompression(),
		codecLZ4: kgo.Lz4Compression(), codecZstd: kgo.ZstdCompression(),
	}
	for codec, kc := range kgoCodec {
		t.Run(fmt.Sprint(codec), func(t *testing.T) {
			c, err := kgo.DefaultCompressor(kc)
			if err != nil {
				t.Fatal(err)
			}
			data := compressedBatch(t, codec, func(b []byte) []byte {
				out, _ := c.Compress(new(bytes.Buffer), b)
				return bytes.Clone(out)
			}, vals...)
			checkDecoded(t, data, vals)
		})
	}
	t.Run("xerial", func(t *testing.T) {
		data := compressedBatch(t, codecSnappy, func(b []byte) []byte {
			out := append([]byte(nil), xerialHeader...)
			out = binary.BigEndian.AppendUint32(out, 1)
			out = binary.BigEndian.AppendUint32(out, 1)
			for len(b) > 0 { // two blocks
				n := min(len(b), 100)
				blk := snappy.Encode(nil, b[:n])
				out = binary.BigEndian.AppendUint32(out, uint32(len(blk)))
				out = append(out, blk...)
				b = b[n:]
			}
			return out
		}, vals...)
		checkDecoded(t, data, vals)
	})
}

func checkDecoded(t *testing.T, data []byte, vals []string) {
	t.Helper()
	p, rerr := decodeProduce(data, 0, false)
	if rerr != nil {
		t.Fatal(rerr)
	}
	if len(p.recs) != len(vals) || p.producerID != 7 || p.producerEpoch != 1 {
		t.Fatalf("decoded %d records, pid %d epoch %d", len(p.recs), p.producerID, p.producerEpoch)
	}
	for i, v := range vals {
		if string(p.recs[i].Value) != v || p.recs[i].Timestamp != 1000 || p.recs[i].Origin != storage.OriginKafka {
			t.Fatalf("record %d: %+v", i, p.recs[i])
		}
	}
}

func TestBatchRoundTrip(t *testing.T) {
	recs := []storage.Record{
		{Offset: 10, Timestamp: 5000, Key: []byte("k"), Value: []byte("v"), Headers: []storage.Header{{Key: []byte("h"), Value: nil}}},
		{Offset: 11, Timestamp: 4000, Key: nil, Value: []byte{}},
		{Offset: 13, Timestamp: 7000, Value: nil, Headers: []storage.Header{{Key: nil, Value: []byte("x")}}},
	}
	enc := appendBatches(nil, recs, false)
	// Two batches: 10-11 and 13.
	var got []storage.Record
	for len(enc) > 0 {
		n := 12 + int(binary.BigEndian.Uint32(enc[8:]))
		b := enc[:n]
		base := int64(binary.BigEndian.Uint64(b))
		binary.BigEndian.PutUint64(b, 0)
		p, rerr := decodeProduce(b, 0, false)
		if rerr != nil {
			t.Fatal(rerr)
		}
		for i := range p.recs {
			p.recs[i].Offset = base + int64(i)
		}
		got = append(got, p.recs...)
		enc = enc[n:]
	}
	if len(got) != 3 || got[2].Offset != 13 {
		t.Fatalf("got %+v", got)
	}
	for i := range recs {
		w, g := recs[i], got[i]
		if !bytes.Equal(w.Key, g.Key) || (w.Key == nil) != (g.Key == nil) ||
			!bytes.Equal(w.Value, g.Value) || (w.Value == nil) != (g.Value == nil) || w.Timestamp != g.Timestamp {
			t.Fatalf("record %d: got %+v want %+v", i, g, w)
		}
	}
	if g := got[0].Headers[0]; string(g.Key) != "h" || g.Value != nil {
		t.Fatalf("header %+v", g)
	}
	if g := got[2].Headers[0]; g.Key == nil || len(g.Key) != 0 || string(g.Value) != "x" {
		t.Fatalf("null header key must become empty: %+v", g)
	}
}
