package kafka

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"junction/storage"
)

// fetchPartReq is one partition of a hand-built fetch request.
type fetchPartReq struct {
	topic   string
	part    int32
	off     int64
	max     int32
	epoch   int32
	wantErr int16
}

func fetchReq(maxBytes int32, iso int8, ps ...fetchPartReq) *kmsg.FetchRequest {
	req := kmsg.NewPtrFetchRequest()
	req.MaxWaitMillis, req.MinBytes, req.MaxBytes, req.IsolationLevel = 0, 1, maxBytes, iso
	for _, p := range ps {
		if len(req.Topics) == 0 || req.Topics[len(req.Topics)-1].Topic != p.topic {
			ft := kmsg.NewFetchRequestTopic()
			ft.Topic = p.topic
			req.Topics = append(req.Topics, ft)
		}
		fp := kmsg.NewFetchRequestTopicPartition()
		fp.Partition, fp.FetchOffset, fp.PartitionMaxBytes, fp.CurrentLeaderEpoch = p.part, p.off, p.max, p.epoch
		ft := &req.Topics[len(req.Topics)-1]
		ft.Partitions = append(ft.Partitions, fp)
	}
	return req
}

// fetchedRecord is a record from a fetched batch with its offset.
type fetchedRecord struct {
	kmsg.Record
	Offset int64
}

// batchRecords decodes the record batches of a fetched partition, checking
// each batch's CRC.
func batchRecords(t *testing.T, b []byte) []fetchedRecord {
	t.Helper()
	var out []fetchedRecord
	for len(b) > 0 {
		var rb kmsg.RecordBatch
		if err := rb.ReadFrom(b); err != nil {
			t.Fatal(err)
		}
		if crc := int32(crc32cSum(b[21 : 12+rb.Length])); crc != rb.CRC {
			t.Fatalf("batch at %d: bad CRC", rb.FirstOffset)
		}
		recs := rb.Records
		for range rb.NumRecords {
			var r kmsg.Record
			n := recordLen(recs)
			if n == 0 {
				t.Fatalf("batch at %d: bad record length", rb.FirstOffset)
			}
			if err := r.ReadFrom(recs[:n]); err != nil {
				t.Fatal(err)
			}
			out = append(out, fetchedRecord{r, rb.FirstOffset + int64(r.OffsetDelta)})
			recs = recs[n:]
		}
		if len(recs) != 0 {
			t.Fatalf("batch at %d: %d trailing bytes", rb.FirstOffset, len(recs))
		}
		b = b[12+rb.Length:]
	}
	return out
}

// TestFetchEncodingMatchesKmsg checks that the hand-encoded fetch response
// is, at every version, exactly what kmsg encodes for the same values (and
// that kmsg can decode it): partition errors, watermarks, aborted
// transactions null or empty by isolation level, record sets never null,
// and compact record set lengths whose width differs from the reserved one.
func TestFetchEncodingMatchesKmsg(t *testing.T) {
	e := newEnv(t)
	e.createTopic("enc", 2)
	prod := e.client(kgo.DefaultProduceTopic("enc"), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	for i := range 20 {
		r := &kgo.Record{Partition: 0, Value: bytes.Repeat([]byte{byte('a' + i)}, 10+i*50)}
		if i%3 == 0 {
			r.Key = []byte("k" + strconv.Itoa(i))
		}
		if i%4 == 0 {
			r.Headers = []kgo.RecordHeader{{Key: "h", Value: []byte("v")}, {Key: "empty"}}
		}
		if err := prod.ProduceSync(ctxT(t), r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	// A gap (deleted record) and a Redis entry in the log.
	p := e.b.Topic("enc").Partition(0)
	recs, err := p.Read(nil, 5, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DeleteIDs([]storage.StreamID{recs[0].ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Append([]storage.Record{{Origin: storage.OriginRedis, Headers: []storage.Header{{Key: []byte("f"), Value: []byte("v")}}}}); err != nil {
		t.Fatal(err)
	}

	rc := e.raw()
	cases := []struct {
		name     string
		maxBytes int32
		parts    []fetchPartReq
	}{
		{"mixed", 1 << 20, []fetchPartReq{
			{topic: "enc", part: 0, off: 0, max: 1 << 20},
			{topic: "enc", part: 1, off: 0, max: 1 << 20},                                                  // empty partition
			{topic: "nope", part: 0, off: 0, max: 1 << 20, wantErr: kerr.UnknownTopicOrPartition.Code},     // unknown topic
			{topic: "enc", part: 7, off: 0, max: 1 << 20, wantErr: kerr.UnknownTopicOrPartition.Code},      // unknown partition
			{topic: "enc", part: 0, off: 99, max: 1 << 20, wantErr: kerr.OffsetOutOfRange.Code},            // past the end
			{topic: "enc", part: 0, off: 0, max: 1 << 20, epoch: 3, wantErr: kerr.UnknownLeaderEpoch.Code}, // future epoch (v9+)
		}},
		// The first record exceeds the limit (KIP-74): its length needs a
		// wider compact varint than the limit did.
		{"oversized first", 1, []fetchPartReq{{topic: "enc", part: 0, off: 19, max: 1}}},
		// A huge limit and a small answer: a narrower varint than reserved.
		{"huge limit", 1 << 30, []fetchPartReq{{topic: "enc", part: 0, off: 20, max: 1 << 30}}},
		// The response limit cuts the first partition; the second gets none.
		{"response limit", 600, []fetchPartReq{
			{topic: "enc", part: 0, off: 0, max: 1 << 20},
			{topic: "enc", part: 0, off: 3, max: 1 << 20},
		}},
	}
	for _, c := range cases {
		for v := int16(4); v <= 12; v++ {
			for _, iso := range []int8{0, 1} {
				t.Run(fmt.Sprintf("%s/v%d/iso=%d", c.name, v, iso), func(t *testing.T) {
					corr := rc.send(fetchReq(c.maxBytes, iso, c.parts...), v)
					body := rc.frame()
					resp := kmsg.NewPtrFetchResponse()
					resp.Version = v
					if got := rc.recvFrame(body, resp); got != corr {
						t.Fatalf("correlation id %d, want %d", got, corr)
					}
					hdr := 4
					if v >= 12 {
						hdr++
					}
					if want := resp.AppendTo(nil); !bytes.Equal(body[hdr:], want) {
						t.Fatalf("encoding differs from kmsg's:\n got %x\nwant %x", body[hdr:], want)
					}
					i := 0
					for _, rt := range resp.Topics {
						for _, rp := range rt.Partitions {
							want := c.parts[i]
							i++
							if want.epoch > 0 && v < 9 {
								want.wantErr = 0 // no CurrentLeaderEpoch before v9
							}
							if rt.Topic != want.topic || rp.Partition != want.part || rp.ErrorCode != want.wantErr {
								t.Fatalf("partition %d: %s/%d code %d, want %+v", i, rt.Topic, rp.Partition, rp.ErrorCode, want)
							}
							if rp.RecordBatches == nil {
								t.Fatalf("partition %d: null record set", i)
							}
							if (iso == 1) != (rp.AbortedTransactions != nil) {
								t.Fatalf("partition %d: aborted transactions %v at isolation %d", i, rp.AbortedTransactions, iso)
							}
							if rp.ErrorCode == 0 && rt.Topic == "enc" && rp.Partition == 0 && rp.HighWatermark != 21 {
								t.Fatalf("high watermark %d, want 21", rp.HighWatermark)
							}
						}
					}
					if i != len(c.parts) {
						t.Fatalf("%d partitions in the response, want %d", i, len(c.parts))
					}
				})
			}
		}
	}

	// Content of the mixed case: every live record once, in order, with
	// key, value and headers as produced.
	resp := do[*kmsg.FetchResponse](rc, fetchReq(1<<20, 0, fetchPartReq{topic: "enc", part: 0, off: 0, max: 1 << 20}), 12)
	got := batchRecords(t, resp.Topics[0].Partitions[0].RecordBatches)
	if len(got) != 20 {
		t.Fatalf("%d records, want 19 produced + 1 Redis entry", len(got))
	}
	for j, r := range got {
		i := j
		if j >= 5 {
			i++ // offset 5 was deleted
		}
		if r.Offset != int64(i) {
			t.Fatalf("record %d at offset %d, want %d", j, r.Offset, i)
		}
		if i == 20 {
			if string(r.Value) != "v" {
				t.Fatalf("Redis entry value %q", r.Value)
			}
			continue
		}
		if !bytes.Equal(r.Value, bytes.Repeat([]byte{byte('a' + i)}, 10+i*50)) {
			t.Fatalf("offset %d: value %q", i, r.Value)
		}
		if (i%3 == 0) != (r.Key != nil) || i%3 == 0 && string(r.Key) != "k"+strconv.Itoa(i) {
			t.Fatalf("offset %d: key %q", i, r.Key)
		}
		if i%4 == 0 && (len(r.Headers) != 2 || r.Headers[0].Key != "h" || string(r.Headers[0].Value) != "v" || r.Headers[1].Key != "empty") {
			t.Fatalf("offset %d: headers %+v", i, r.Headers)
		}
	}
}

// TestFetchFillsPartitionLimit checks that a partition's answer comes
// close to its byte limit although stored sizes overestimate encoded ones,
// without exceeding it, and that consecutive fetches continue where the
// previous one stopped.
func TestFetchFillsPartitionLimit(t *testing.T) {
	e := newEnv(t)
	e.createTopic("fill", 1)
	prod := e.client(kgo.DefaultProduceTopic("fill"))
	const n = 3000
	for range n {
		prod.Produce(ctxT(t), &kgo.Record{Value: bytes.Repeat([]byte{'v'}, 100)}, func(_ *kgo.Record, err error) {
			if err != nil {
				t.Error(err)
			}
		})
	}
	if err := prod.Flush(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	rc := e.raw()
	for _, v := range []int16{4, 11, 12} {
		for _, limit := range []int32{2000, 20_000, 100_000} {
			off := int64(0)
			for off < n {
				resp := do[*kmsg.FetchResponse](rc, fetchReq(1<<20, 0, fetchPartReq{topic: "fill", off: off, max: limit}), v)
				rb := resp.Topics[0].Partitions[0].RecordBatches
				recs := batchRecords(t, rb)
				if len(rb) > int(limit) {
					t.Fatalf("v%d limit %d: %d bytes", v, limit, len(rb))
				}
				if recs[0].Offset != off {
					t.Fatalf("v%d: first offset %d, want %d", v, recs[0].Offset, off)
				}
				last := recs[len(recs)-1].Offset
				// Room for at most one more record (and its batch header).
				if last+1 < n && len(rb) < int(limit)-2*batchHeaderLen-120 {
					t.Fatalf("v%d limit %d: only %d bytes (%d records)", v, limit, len(rb), len(recs))
				}
				off = last + 1
			}
		}
	}
}

// TestReadBodyLargeFrames checks frame bodies around and above the size
// read in one step, and a short read.
func TestReadBodyLargeFrames(t *testing.T) {
	src := make([]byte, 5<<20+3)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range src {
		src[i] = byte(r.Uint32())
	}
	for _, n := range []int{0, 1, 4096, 1 << 20, 1<<20 + 1, 3 << 20, len(src)} {
		for range 2 { // the second time from the pool
			b, err := readBody(bytes.NewReader(src[:n]), n)
			if err != nil || !bytes.Equal(b, src[:n]) {
				t.Fatalf("n=%d: %d bytes, err %v", n, len(b), err)
			}
			putBuf(b)
		}
		if n > 0 {
			if _, err := readBody(bytes.NewReader(src[:n-1]), n); err != io.ErrUnexpectedEOF && err != io.EOF {
				t.Fatalf("n=%d short: err %v", n, err)
			}
		}
	}
}

// TestProduceLargeFrame sends one produce request of several MiB (batches
// for many partitions) and reads every record back.
func TestProduceLargeFrame(t *testing.T) {
	e := newEnv(t)
	e.createTopic("big", 4)
	val := string(bytes.Repeat([]byte{'z'}, 1000))
	vals := make([]string, 900)
	for i := range vals {
		vals[i] = val
	}
	req := kmsg.NewPtrProduceRequest()
	req.Acks, req.TimeoutMillis = -1, 5000
	rt := kmsg.NewProduceRequestTopic()
	rt.Topic = "big"
	for p := range int32(4) {
		rp := kmsg.NewProduceRequestTopicPartition()
		rp.Partition, rp.Records = p, batch(-1, -1, -1, 1, vals...)
		rt.Partitions = append(rt.Partitions, rp)
	}
	req.Topics = append(req.Topics, rt)
	rc := e.raw()
	for round := range 3 {
		resp := do[*kmsg.ProduceResponse](rc, req, 9)
		for _, p := range resp.Topics[0].Partitions {
			if p.ErrorCode != 0 || p.BaseOffset != int64(round*900) {
				t.Fatalf("round %d partition %d: code %d base %d", round, p.Partition, p.ErrorCode, p.BaseOffset)
			}
		}
	}
	for p := range 4 {
		if end := e.b.Topic("big").Partition(p).End(); end != 2700 {
			t.Fatalf("partition %d ends at %d", p, end)
		}
	}
}

func crc32cSum(b []byte) uint32 { return crc32.Checksum(b, crc32c) }

// recordLen is the size of the record at the start of b with its length
// prefix (0: malformed).
func recordLen(b []byte) int {
	n, k := binary.Varint(b)
	if k <= 0 || n < 0 || int(n) > len(b)-k {
		return 0
	}
	return k + int(n)
}

// recvFrame decodes a response frame read with frame into resp (whose
// version must be set) and returns its correlation id.
func (rc *rawConn) recvFrame(body []byte, resp kmsg.Response) int32 {
	rc.t.Helper()
	corr := int32(binary.BigEndian.Uint32(body))
	body = body[4:]
	if resp.IsFlexible() {
		body = body[1:] // empty header tags
	}
	if err := resp.ReadFrom(body); err != nil {
		rc.t.Fatalf("decoding %T: %v", resp, err)
	}
	return corr
}
