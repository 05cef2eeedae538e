package kafka

import (
	"bytes"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/plain"

	"junction/storage"
)

// consumeN polls cl until it has n records.
func consumeN(t *testing.T, cl *kgo.Client, n int) []*kgo.Record {
	t.Helper()
	ctx := ctxT(t)
	var out []*kgo.Record
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("got %d of %d records: %v", len(out), n, err)
		}
		fs.EachError(func(topic string, p int32, err error) {
			t.Fatalf("fetch %s/%d: %v", topic, p, err)
		})
		out = append(out, fs.Records()...)
	}
	if len(out) != n {
		t.Fatalf("got %d records, want %d", len(out), n)
	}
	return out
}

func TestProduceConsumeCodecs(t *testing.T) {
	e := newEnv(t)
	codecs := []struct {
		name  string
		codec kgo.CompressionCodec
	}{
		{"none", kgo.NoCompression()},
		{"gzip", kgo.GzipCompression()},
		{"snappy", kgo.SnappyCompression()},
		{"lz4", kgo.Lz4Compression()},
		{"zstd", kgo.ZstdCompression()},
	}
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) {
			topic := "codec-" + c.name
			e.createTopic(topic, 3)
			prod := e.client(kgo.ProducerBatchCompression(c.codec), kgo.ProducerLinger(5*time.Millisecond))
			const n = 600
			var recs []*kgo.Record
			for i := range n {
				r := &kgo.Record{
					Topic:   topic,
					Key:     []byte("k" + strconv.Itoa(i%7)),
					Value:   bytes.Repeat([]byte{byte('a' + i%26)}, 1+i%300),
					Headers: []kgo.RecordHeader{{Key: "i", Value: []byte(strconv.Itoa(i))}},
				}
				if i%50 == 0 {
					r.Key = nil // null key
				}
				if i%61 == 0 {
					r.Value = nil // tombstone
				}
				recs = append(recs, r)
			}
			if err := prod.ProduceSync(ctxT(t), recs...).FirstErr(); err != nil {
				t.Fatal(err)
			}
			cons := e.client(kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
			got := consumeN(t, cons, n)
			last := map[int32]int64{}
			byIndex := map[int]*kgo.Record{}
			for _, r := range got {
				if o, ok := last[r.Partition]; ok && r.Offset != o+1 {
					t.Fatalf("partition %d: offset %d after %d", r.Partition, r.Offset, o)
				}
				last[r.Partition] = r.Offset
				i, _ := strconv.Atoi(string(r.Headers[0].Value))
				byIndex[i] = r
			}
			for i, want := range recs {
				r := byIndex[i]
				if r == nil {
					t.Fatalf("record %d missing", i)
				}
				if (r.Key == nil) != (want.Key == nil) || !bytes.Equal(r.Key, want.Key) {
					t.Fatalf("record %d key %q, want %q", i, r.Key, want.Key)
				}
				if (r.Value == nil) != (want.Value == nil) || !bytes.Equal(r.Value, want.Value) {
					t.Fatalf("record %d value differs (nil %v, want nil %v)", i, r.Value == nil, want.Value == nil)
				}
				if r.Offset != want.Offset || r.Partition != want.Partition {
					t.Fatalf("record %d at %d/%d, produced to %d/%d", i, r.Partition, r.Offset, want.Partition, want.Offset)
				}
				if !r.Timestamp.Equal(want.Timestamp.Truncate(time.Millisecond)) {
					t.Fatalf("record %d timestamp %v, want %v", i, r.Timestamp, want.Timestamp)
				}
			}
		})
	}
}

func TestIdempotentProducerDefault(t *testing.T) {
	e := newEnv(t)
	e.createTopic("idem", 4)
	cl := e.client(kgo.DefaultProduceTopic("idem"), kgo.MaxBufferedRecords(10000))
	const n = 5000
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for i := range n {
		wg.Add(1)
		cl.Produce(ctxT(t), kgo.StringRecord(strconv.Itoa(i)), func(_ *kgo.Record, err error) {
			defer wg.Done()
			if err != nil {
				mu.Lock()
				firstErr = err
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	total := int64(0)
	for _, p := range e.b.Topic("idem").Partitions() {
		total += p.End()
	}
	if total != n {
		t.Fatalf("%d records stored, want %d", total, n)
	}
}

func TestIdempotentSequences(t *testing.T) {
	e := newEnv(t)
	e.createTopic("seq", 1)
	rc := e.raw()
	ip := do[*kmsg.InitProducerIDResponse](rc, kmsg.NewPtrInitProducerIDRequest(), 4)
	if ip.ErrorCode != 0 || ip.ProducerID < 0 {
		t.Fatalf("InitProducerId: %+v", ip)
	}
	pid := ip.ProducerID
	produce := func(epoch int16, seq int32, vals ...string) kmsg.ProduceResponseTopicPartition {
		t.Helper()
		resp := do[*kmsg.ProduceResponse](rc, produceReq("seq", 0, -1, batch(pid, epoch, seq, time.Now().UnixMilli(), vals...)), 9)
		return resp.Topics[0].Partitions[0]
	}
	want := func(p kmsg.ProduceResponseTopicPartition, code int16, off int64) {
		t.Helper()
		if p.ErrorCode != code || code == 0 && p.BaseOffset != off {
			t.Fatalf("got code %d offset %d, want code %d offset %d", p.ErrorCode, p.BaseOffset, code, off)
		}
	}
	want(produce(0, 0, "a", "b"), 0, 0)
	want(produce(0, 2, "c"), 0, 2)
	want(produce(0, 0, "a", "b"), 0, 0) // duplicate: success, original offset
	want(produce(0, 2, "c"), 0, 2)      // duplicate of the last batch
	want(produce(0, 5, "x"), kerr.OutOfOrderSequenceNumber.Code, 0)
	want(produce(0, 3, "d", "e", "f"), 0, 3)
	want(produce(1, 3, "g"), kerr.OutOfOrderSequenceNumber.Code, 0) // a new epoch restarts at 0
	want(produce(1, 0, "g"), 0, 6)
	want(produce(0, 6, "h"), kerr.InvalidProducerEpoch.Code, 0)
	if end := e.b.Topic("seq").Partition(0).End(); end != 7 {
		t.Fatalf("end %d, want 7: duplicates must not be appended", end)
	}
	// An unknown producer on the partition is accepted at any sequence
	// (Kafka 2.5+, KIP-360).
	ip2 := do[*kmsg.InitProducerIDResponse](rc, kmsg.NewPtrInitProducerIDRequest(), 4)
	pid = ip2.ProducerID
	want(produce(0, 42, "late"), 0, 7)

	// Sequence wrap-around.
	st := &seqState{}
	st.record(0, 2147483646, 2, 0, 0)
	if _, _, code := st.check(0, 0, 1); code != 0 {
		t.Fatalf("wrapped sequence rejected: %d", code)
	}
}

func TestProduceErrors(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.AutoCreate = false; c.MaxMessageBytes = 1000 })
	e.createTopic("errs", 1)
	rc := e.raw()
	part := func(resp *kmsg.ProduceResponse) kmsg.ProduceResponseTopicPartition {
		return resp.Topics[0].Partitions[0]
	}
	good := batch(-1, -1, -1, 1, "v")
	bad := append([]byte(nil), good...)
	bad[len(bad)-1] ^= 0xff
	cases := []struct {
		name  string
		req   *kmsg.ProduceRequest
		code  int16
		acks0 bool
	}{
		{"crc", produceReq("errs", 0, 1, bad), kerr.CorruptMessage.Code, false},
		{"too large", produceReq("errs", 0, 1, batch(-1, -1, -1, 1, string(make([]byte, 2000)))), kerr.MessageTooLarge.Code, false},
		{"unknown topic", produceReq("nope", 0, 1, good), kerr.UnknownTopicOrPartition.Code, false},
		{"unknown partition", produceReq("errs", 3, 1, good), kerr.UnknownTopicOrPartition.Code, false},
		{"bad acks", produceReq("errs", 0, 2, good), kerr.InvalidRequiredAcks.Code, false},
		{"two batches", produceReq("errs", 0, 1, append(append([]byte(nil), good...), good...)), kerr.InvalidRecord.Code, false},
		{"truncated", produceReq("errs", 0, 1, good[:30]), kerr.CorruptMessage.Code, false},
	}
	for _, c := range cases {
		got := part(do[*kmsg.ProduceResponse](rc, c.req, 9))
		if got.ErrorCode != c.code {
			t.Errorf("%s: code %d, want %d", c.name, got.ErrorCode, c.code)
		}
	}
	// acks=0: no response; the next request's answer comes next.
	rc.send(produceReq("errs", 0, 0, good), 9)
	md := do[*kmsg.MetadataResponse](rc, kmsg.NewPtrMetadataRequest(), 12)
	if len(md.Brokers) != 1 {
		t.Fatalf("metadata after acks=0: %+v", md)
	}
	if end := e.b.Topic("errs").Partition(0).End(); end != 1 {
		t.Fatalf("end %d after acks=0 produce, want 1", end)
	}
}

func TestMessageSetV1(t *testing.T) {
	e := newEnv(t)
	e.createTopic("legacy", 1)
	rc := e.raw()
	// Two magic-1 messages, the second inside a gzip wrapper.
	msg := func(magic byte, attrs byte, ts int64, key, value []byte) []byte {
		var b []byte
		b = append(b, magic, attrs)
		if magic == 1 {
			b = binaryAppend64(b, uint64(ts))
		}
		b = appendBytes32(b, key)
		b = appendBytes32(b, value)
		crc := crc32IEEE(b)
		out := binaryAppend64(nil, 0)
		out = binaryAppend32(out, uint32(4+len(b)))
		out = binaryAppend32(out, crc)
		return append(out, b...)
	}
	inner := msg(1, 0, 2000, []byte("k2"), []byte("v2"))
	set := msg(1, 0, 1000, nil, []byte("v1"))
	set = append(set, msg(1, 1, 2000, nil, gzipBytes(t, inner))...)
	resp := do[*kmsg.ProduceResponse](rc, produceReq("legacy", 0, 1, set), 2)
	if c := resp.Topics[0].Partitions[0].ErrorCode; c != 0 {
		t.Fatalf("produce v2 message set: code %d", c)
	}
	cons := e.client(kgo.ConsumeTopics("legacy"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	got := consumeN(t, cons, 2)
	if string(got[0].Value) != "v1" || got[0].Key != nil || got[0].Timestamp.UnixMilli() != 1000 {
		t.Fatalf("first record %+v", got[0])
	}
	if string(got[1].Value) != "v2" || string(got[1].Key) != "k2" || got[1].Timestamp.UnixMilli() != 2000 {
		t.Fatalf("second record %+v", got[1])
	}
}

func TestFetchLongPollWakeup(t *testing.T) {
	e := newEnv(t)
	waiting := make(chan struct{}, 16)
	e.s.fetchWaitHook = func() {
		select {
		case waiting <- struct{}{}:
		default:
		}
	}
	// One partition: with more, kgo may park a fetch for the partitions
	// whose start offsets it knows while it still lists the others.
	e.createTopic("poll", 1)
	cons := e.client(kgo.ConsumeTopics("poll"), kgo.FetchMaxWait(10*time.Second), kgo.ConsumeResetOffset(kgo.NewOffset().AtEnd()))
	prod := e.client()
	got := make(chan time.Time, 1)
	go func() {
		fs := cons.PollFetches(ctxT(t))
		if len(fs.Records()) > 0 {
			got <- time.Now()
		}
		close(got)
	}()
	<-waiting // the consumer's fetch is parked in the server
	start := time.Now()
	if err := prod.ProduceSync(ctxT(t), &kgo.Record{Topic: "poll", Value: []byte("wake")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	at, ok := <-got
	if !ok {
		t.Fatal("poll returned no records")
	}
	if d := at.Sub(start); d > time.Second {
		t.Fatalf("woke after %v, want < 1s", d)
	} else {
		t.Logf("produce→consume latency with a parked fetch: %v", d)
	}
}

// A fetch parked on several partitions wakes when any one of them grows.
func TestFetchWakesOnAnyPartition(t *testing.T) {
	e := newEnv(t)
	waiting := make(chan struct{}, 1)
	e.s.fetchWaitHook = func() {
		select {
		case waiting <- struct{}{}:
		default:
		}
	}
	e.createTopic("multi", 3)
	rc := e.raw()
	req := kmsg.NewPtrFetchRequest()
	req.MaxWaitMillis, req.MinBytes, req.MaxBytes = 10_000, 1, 1<<20
	ft := kmsg.NewFetchRequestTopic()
	ft.Topic = "multi"
	for p := range int32(3) {
		fp := kmsg.NewFetchRequestTopicPartition()
		fp.Partition, fp.PartitionMaxBytes = p, 1<<20
		ft.Partitions = append(ft.Partitions, fp)
	}
	req.Topics = append(req.Topics, ft)
	rc.send(req, 12)
	<-waiting
	start := time.Now()
	if _, err := e.b.Topic("multi").Partition(2).Append([]storage.Record{{Value: []byte("x")}}); err != nil {
		t.Fatal(err)
	}
	resp := &kmsg.FetchResponse{Version: 12}
	rc.recv(resp)
	if d := time.Since(start); d > time.Second {
		t.Fatalf("woke after %v", d)
	}
	if ps := resp.Topics[0].Partitions; len(ps[2].RecordBatches) == 0 || len(ps[0].RecordBatches) != 0 {
		t.Fatalf("partitions %+v", ps)
	}
}

func TestFetchLimitsAndOutOfRange(t *testing.T) {
	e := newEnv(t)
	e.createTopic("lim", 1)
	prod := e.client(kgo.DefaultProduceTopic("lim"))
	for i := range 100 {
		if err := prod.ProduceSync(ctxT(t), &kgo.Record{Value: bytes.Repeat([]byte{'x'}, 1000), Key: []byte(strconv.Itoa(i))}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	rc := e.raw()
	fetch := func(off int64, maxBytes, partMax int32) kmsg.FetchResponseTopicPartition {
		req := kmsg.NewPtrFetchRequest()
		req.MaxWaitMillis, req.MinBytes, req.MaxBytes = 0, 1, maxBytes
		ft := kmsg.NewFetchRequestTopic()
		ft.Topic = "lim"
		fp := kmsg.NewFetchRequestTopicPartition()
		fp.FetchOffset, fp.PartitionMaxBytes = off, partMax
		ft.Partitions = append(ft.Partitions, fp)
		req.Topics = append(req.Topics, ft)
		return do[*kmsg.FetchResponse](rc, req, 12).Topics[0].Partitions[0]
	}
	count := func(p kmsg.FetchResponseTopicPartition) (n int, first int64) {
		first = -1
		b := p.RecordBatches
		for len(b) > 0 {
			var rb kmsg.RecordBatch
			if err := rb.ReadFrom(b); err != nil {
				t.Fatal(err)
			}
			if first < 0 {
				first = rb.FirstOffset
			}
			n += int(rb.NumRecords)
			b = b[12+rb.Length:]
		}
		return n, first
	}
	p := fetch(10, 10_000, 1<<20)
	if n, first := count(p); n < 5 || n > 10 || first != 10 || len(p.RecordBatches) > 10_000 {
		t.Fatalf("MaxBytes 10000: %d records from %d in %d bytes", n, first, len(p.RecordBatches))
	}
	if p.HighWatermark != 100 || p.LastStableOffset != 100 || p.LogStartOffset != 0 {
		t.Fatalf("watermarks %d %d %d", p.HighWatermark, p.LastStableOffset, p.LogStartOffset)
	}
	if n, _ := count(fetch(0, 1, 1)); n != 1 {
		t.Fatalf("tiny limits return %d records, want 1 (KIP-74)", n)
	}
	if p := fetch(101, 1<<20, 1<<20); p.ErrorCode != kerr.OffsetOutOfRange.Code {
		t.Fatalf("offset past end: code %d", p.ErrorCode)
	}
	if p := fetch(100, 1<<20, 1<<20); p.ErrorCode != 0 || p.RecordBatches == nil || len(p.RecordBatches) != 0 {
		// An empty record set must be encoded empty, not null: librdkafka
		// fails on a -1 size.
		t.Fatalf("offset at end: code %d, %d bytes", p.ErrorCode, len(p.RecordBatches))
	}
}

func TestListOffsetsByTimestamp(t *testing.T) {
	e := newEnv(t)
	e.createTopic("times", 1)
	prod := e.client(kgo.DefaultProduceTopic("times"))
	base := time.UnixMilli(1_700_000_000_000)
	for i := range 5 {
		r := &kgo.Record{Value: []byte{byte(i)}, Timestamp: base.Add(time.Duration(i) * time.Second)}
		if err := prod.ProduceSync(ctxT(t), r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	adm := e.admin()
	check := func(name string, l kadm.ListedOffsets, err error, off int64) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		o, ok := l.Lookup("times", 0)
		if !ok || o.Err != nil || o.Offset != off {
			t.Fatalf("%s: %+v, want offset %d", name, o, off)
		}
	}
	l, err := adm.ListOffsetsAfterMilli(ctxT(t), base.Add(2500*time.Millisecond).UnixMilli(), "times")
	check("after 2.5s", l, err, 3)
	l, err = adm.ListOffsetsAfterMilli(ctxT(t), base.Add(2*time.Second).UnixMilli(), "times")
	check("at 2s", l, err, 2)
	l, err = adm.ListStartOffsets(ctxT(t), "times")
	check("start", l, err, 0)
	l, err = adm.ListEndOffsets(ctxT(t), "times")
	check("end", l, err, 5)
	l, err = adm.ListOffsetsAfterMilli(ctxT(t), base.Add(time.Hour).UnixMilli(), "times")
	check("after the last", l, err, 5) // kadm maps "none" (-1) to the end

	rc := e.raw()
	req := kmsg.NewPtrListOffsetsRequest()
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = "times"
	rp := kmsg.NewListOffsetsRequestTopicPartition()
	rp.Timestamp = -3
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	p := do[*kmsg.ListOffsetsResponse](rc, req, 7).Topics[0].Partitions[0]
	if p.Offset != 4 || p.Timestamp != base.Add(4*time.Second).UnixMilli() {
		t.Fatalf("max timestamp: %+v", p)
	}
}

func TestMetadataAutoCreateAndTopicIDs(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.DefaultPartitions = 3 })
	rc := e.raw()
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr("auto")
	req.Topics = append(req.Topics, rt)
	req.AllowAutoTopicCreation = false
	resp := do[*kmsg.MetadataResponse](rc, req, 12)
	if resp.Topics[0].ErrorCode != kerr.UnknownTopicOrPartition.Code {
		t.Fatalf("without auto-create: %d", resp.Topics[0].ErrorCode)
	}
	req.AllowAutoTopicCreation = true
	resp = do[*kmsg.MetadataResponse](rc, req, 12)
	mt := resp.Topics[0]
	if mt.ErrorCode != 0 || len(mt.Partitions) != 3 || mt.TopicID == ([16]byte{}) {
		t.Fatalf("auto-created: %+v", mt)
	}
	if b := resp.Brokers[0]; fmt.Sprintf("%s:%d", b.Host, b.Port) != e.addr {
		t.Fatalf("broker %s:%d, want the dialled %s", b.Host, b.Port, e.addr)
	}
	id := mt.TopicID
	e.restart()
	rc = e.raw()
	byID := kmsg.NewPtrMetadataRequest()
	rt2 := kmsg.NewMetadataRequestTopic()
	rt2.TopicID = id
	byID.Topics = append(byID.Topics, rt2)
	resp = do[*kmsg.MetadataResponse](rc, byID, 12)
	if got := resp.Topics[0]; got.ErrorCode != 0 || got.Topic == nil || *got.Topic != "auto" || got.TopicID != id {
		t.Fatalf("topic id after restart: %+v", got)
	}
}

func TestSASLPlain(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Users = map[string]string{"alice": "secret"} })
	e.createTopic("sasl", 1)

	// Requests before authentication close the connection.
	rc := e.raw()
	rc.send(kmsg.NewPtrMetadataRequest(), 1)
	if !rc.closed() {
		t.Fatal("metadata before SASL was answered")
	}

	// Wrong password: SASL_AUTHENTICATION_FAILED, then closed.
	rc = e.raw()
	hs := kmsg.NewPtrSASLHandshakeRequest()
	hs.Mechanism = "PLAIN"
	if r := do[*kmsg.SASLHandshakeResponse](rc, hs, 1); r.ErrorCode != 0 {
		t.Fatal(r.ErrorCode)
	}
	au := kmsg.NewPtrSASLAuthenticateRequest()
	au.SASLAuthBytes = []byte("\x00alice\x00wrong")
	if r := do[*kmsg.SASLAuthenticateResponse](rc, au, 2); r.ErrorCode != kerr.SaslAuthenticationFailed.Code {
		t.Fatalf("bad password: code %d", r.ErrorCode)
	}
	if !rc.closed() {
		t.Fatal("connection open after failed authentication")
	}

	// Legacy v0 handshake followed by a bare token.
	rc = e.raw()
	if r := do[*kmsg.SASLHandshakeResponse](rc, hs, 0); r.ErrorCode != 0 {
		t.Fatal(r.ErrorCode)
	}
	tok := []byte("\x00alice\x00secret")
	if _, err := rc.c.Write(append(binaryAppend32(nil, uint32(len(tok))), tok...)); err != nil {
		t.Fatal(err)
	}
	if f := rc.frame(); len(f) != 0 {
		t.Fatalf("v0 SASL answer of %d bytes", len(f))
	}
	if r := do[*kmsg.MetadataResponse](rc, kmsg.NewPtrMetadataRequest(), 1); len(r.Topics) != 1 {
		t.Fatalf("metadata after v0 SASL: %+v", r)
	}

	// A real client.
	cl := e.client(kgo.SASL(plain.Auth{User: "alice", Pass: "secret"}.AsMechanism()), kgo.DefaultProduceTopic("sasl"))
	if err := cl.ProduceSync(ctxT(t), kgo.StringRecord("hi")).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// Records deleted by another protocol leave offset gaps that consumers
// skip; records written by other protocols are served as Kafka records.
func TestFetchGapsAndForeignRecords(t *testing.T) {
	e := newEnv(t)
	e.createTopic("gaps", 1)
	prod := e.client(kgo.DefaultProduceTopic("gaps"))
	for i := range 5 {
		if err := prod.ProduceSync(ctxT(t), kgo.StringRecord(strconv.Itoa(i))).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	p := e.b.Topic("gaps").Partition(0)
	recs, err := p.Read(nil, 2, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := p.DeleteIDs([]storage.StreamID{recs[0].ID}); err != nil || n != 1 {
		t.Fatalf("DeleteIDs: %d %v", n, err)
	}
	if _, err := p.Append([]storage.Record{{Origin: storage.OriginRedis, Headers: []storage.Header{{Key: []byte("field"), Value: []byte("value")}}}}); err != nil {
		t.Fatal(err)
	}
	cons := e.client(kgo.ConsumeTopics("gaps"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	got := consumeN(t, cons, 5)
	var offs []int64
	for _, r := range got {
		offs = append(offs, r.Offset)
	}
	if fmt.Sprint(offs) != "[0 1 3 4 5]" {
		t.Fatalf("offsets %v, want the deleted offset 2 skipped", offs)
	}
	// One field: the value, with the field name in a redis-field header
	// (frontends/internal/interop).
	if r := got[4]; string(r.Value) != "value" || len(r.Headers) != 1 || r.Headers[0].Key != "redis-field" || string(r.Headers[0].Value) != "field" {
		t.Fatalf("redis record as kafka: %+v", r)
	}
}
