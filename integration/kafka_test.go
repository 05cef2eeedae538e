// Kafka clients (franz-go) against the real binary: every compression codec,
// idempotent producing, consumer groups across a restart, long-poll wake-up,
// ListOffsets by timestamp, admin calls, retention, fsync=always durability
// across SIGKILL and topic auto-creation.
package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

func TestKafkaCodecsRoundTrip(t *testing.T) {
	t.Parallel()
	p := startJunction(t)
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
			prod := newKgo(t, p, kgo.ProducerBatchCompression(c.codec), kgo.DefaultProduceTopic(topic), kgo.AllowAutoTopicCreation())
			var want []*kgo.Record
			for i := range 50 {
				r := &kgo.Record{Value: bytes.Repeat([]byte(fmt.Sprintf("%s-%03d ", c.name, i)), 20)}
				switch i % 3 {
				case 0:
					r.Key = []byte(fmt.Sprintf("key-%d", i))
				case 1: // null key
				case 2:
					r.Key = []byte(fmt.Sprintf("k%d", i))
					r.Headers = []kgo.RecordHeader{{Key: "h1", Value: []byte("v1")}, {Key: "h2", Value: []byte(fmt.Sprint(i))}, {Key: "empty"}}
				}
				want = append(want, r)
			}
			produceSync(t, prod, want...)
			cons := newKgo(t, p, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
			got := consumeN(t, cons, len(want), 20*time.Second)
			if len(got) != len(want) {
				t.Fatalf("consumed %d records, want %d", len(got), len(want))
			}
			for i, g := range got {
				w := want[i]
				if g.Offset != int64(i) || !bytes.Equal(g.Value, w.Value) || !bytes.Equal(g.Key, w.Key) || (w.Key == nil) != (g.Key == nil) {
					t.Fatalf("record %d: offset %d key %q value %.20q, want key %q value %.20q", i, g.Offset, g.Key, g.Value, w.Key, w.Value)
				}
				if len(g.Headers) != len(w.Headers) {
					t.Fatalf("record %d: headers %v, want %v", i, g.Headers, w.Headers)
				}
				for j := range w.Headers {
					if g.Headers[j].Key != w.Headers[j].Key || !bytes.Equal(g.Headers[j].Value, w.Headers[j].Value) {
						t.Fatalf("record %d header %d: %+v, want %+v", i, j, g.Headers[j], w.Headers[j])
					}
				}
			}
		})
	}
}

func TestKafkaIdempotentProduceExactlyOnce(t *testing.T) {
	t.Parallel()
	p := startJunction(t)
	const n = 5000
	prod := newKgo(t, p, kgo.DefaultProduceTopic("idem"), kgo.AllowAutoTopicCreation()) // idempotent, acks=all by default
	var failed atomic.Int64
	var firstErr atomic.Value
	for i := range n {
		prod.Produce(context.Background(), &kgo.Record{Value: []byte(fmt.Sprint(i))}, func(_ *kgo.Record, err error) {
			if err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err)
			}
		})
	}
	if err := prod.Flush(ctxFor(t, 60*time.Second)); err != nil {
		t.Fatal(err)
	}
	if failed.Load() > 0 {
		t.Fatalf("%d records failed, first: %v", failed.Load(), firstErr.Load())
	}
	cons := newKgo(t, p, kgo.ConsumeTopics("idem"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	got := consumeN(t, cons, n, 60*time.Second)
	if len(got) != n {
		t.Fatalf("consumed %d records, want %d", len(got), n)
	}
	for i, r := range got {
		if string(r.Value) != fmt.Sprint(i) || r.Offset != int64(i) {
			t.Fatalf("record %d: offset %d value %q", i, r.Offset, r.Value)
		}
	}
	ends, err := newKadm(t, p).ListEndOffsets(ctxFor(t, 10*time.Second), "idem")
	if err != nil {
		t.Fatal(err)
	}
	if o, _ := ends.Lookup("idem", 0); o.Err != nil || o.Offset != n {
		t.Fatalf("end offset %d (%v), want %d: duplicates were stored", o.Offset, o.Err, n)
	}
}

// groupMember is a kgo group consumer whose records go to a channel.
func groupMember(t *testing.T, p *proc, group, topic string, a *assignments, name string, extra ...kgo.Opt) *kgo.Client {
	opts := append([]kgo.Opt{
		kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.DisableAutoCommit(),
		kgo.HeartbeatInterval(200 * time.Millisecond),
		kgo.SessionTimeout(10 * time.Second),
		kgo.RebalanceTimeout(10 * time.Second),
		kgo.FetchMaxWait(500 * time.Millisecond),
	}, a.opts(name)...)
	return newKgo(t, p, append(opts, extra...)...)
}

func TestKafkaConsumerGroupRebalanceCommitRestart(t *testing.T) {
	t.Parallel()
	p := startJunction(t)
	adm := newKadm(t, p)
	const topic, group, parts, perPart = "grp6", "g6", 6, 10
	createTopic(t, adm, topic, parts, nil)
	prod := newKgo(t, p, kgo.DefaultProduceTopic(topic), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	var batch1 []*kgo.Record
	for part := range int32(parts) {
		for i := range perPart {
			batch1 = append(batch1, &kgo.Record{Partition: part, Value: []byte(fmt.Sprintf("b1-%d-%d", part, i))})
		}
	}
	produceSync(t, prod, batch1...)

	a := newAssignments()
	members := map[string]*kgo.Client{}
	for _, name := range []string{"A", "B", "C"} {
		members[name] = groupMember(t, p, group, topic, a, name)
	}
	waitFor(t, a.changed, 30*time.Second, "three members holding all 6 partitions", func() bool {
		return a.covers(parts, "A", "B", "C")
	})
	t.Logf("initial assignment: %v", a)

	// A and B consume; C never polls and leaves without committing.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	recs := make(chan *kgo.Record, 1000)
	var wg sync.WaitGroup
	for _, name := range []string{"A", "B"} {
		cl := members[name]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				fs := cl.PollFetches(ctx)
				fs.EachRecord(func(r *kgo.Record) { recs <- r })
			}
		}()
	}
	members["C"].Close()
	waitFor(t, a.changed, 30*time.Second, "A and B holding all 6 partitions after C left", func() bool {
		return a.covers(parts, "A", "B")
	})
	t.Logf("after C left: %v", a)

	seen := map[string]bool{}
	deadline := time.After(30 * time.Second)
	for len(seen) < len(batch1) {
		select {
		case r := <-recs:
			seen[string(r.Value)] = true
		case <-deadline:
			t.Fatalf("A and B consumed %d of %d distinct records", len(seen), len(batch1))
		}
	}
	cancel()
	wg.Wait()
	for _, name := range []string{"A", "B"} {
		if err := members[name].CommitUncommittedOffsets(ctxFor(t, 10*time.Second)); err != nil {
			t.Fatalf("commit %s: %v", name, err)
		}
	}
	committed, err := adm.FetchOffsets(ctxFor(t, 10*time.Second), group)
	if err != nil {
		t.Fatal(err)
	}
	for part := range int32(parts) {
		if o, ok := committed.Lookup(topic, part); !ok || o.Err != nil || o.At != perPart {
			t.Fatalf("committed offset of partition %d = %+v (found %v), want %d", part, o, ok, perPart)
		}
	}
	members["A"].Close()
	members["B"].Close()

	var batch2 []*kgo.Record
	for part := range int32(parts) {
		for i := range 5 {
			batch2 = append(batch2, &kgo.Record{Partition: part, Value: []byte(fmt.Sprintf("b2-%d-%d", part, i))})
		}
	}
	produceSync(t, prod, batch2...)
	prod.Close()

	p.Restart(t)
	d := groupMember(t, p, group, topic, a, "D")
	got := consumeN(t, d, len(batch2), 30*time.Second)
	next := map[int32]int64{}
	for part := range int32(parts) {
		next[part] = perPart
	}
	for _, r := range got {
		if r.Offset != next[r.Partition] {
			t.Fatalf("after restart partition %d gave offset %d (%q), want %d: committed offsets not resumed", r.Partition, r.Offset, r.Value, next[r.Partition])
		}
		if want := fmt.Sprintf("b2-%d-%d", r.Partition, r.Offset-perPart); string(r.Value) != want {
			t.Fatalf("partition %d offset %d = %q, want %q", r.Partition, r.Offset, r.Value, want)
		}
		next[r.Partition]++
	}
	if len(got) != len(batch2) {
		t.Fatalf("consumed %d records after restart, want %d", len(got), len(batch2))
	}
}

// fetchWrites signals each Fetch request a client writes.
type fetchWrites chan struct{}

func (f fetchWrites) OnBrokerWrite(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, err error) {
	if key == 1 && err == nil {
		notify(f)
	}
}

func TestKafkaLongPollWakeup(t *testing.T) {
	t.Parallel()
	p := startJunction(t)
	createTopic(t, newKadm(t, p), "lp", 1, nil)
	fetched := make(fetchWrites, 1)
	cons := newKgo(t, p, kgo.ConsumeTopics("lp"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(10*time.Second), kgo.WithHooks(fetched))
	got := make(chan time.Time, 1)
	ctx := ctxFor(t, 30*time.Second)
	go func() {
		for ctx.Err() == nil {
			fs := cons.PollFetches(ctx)
			if fs.IsClientClosed() {
				return
			}
			if len(fs.Records()) > 0 {
				got <- time.Now()
				return
			}
		}
	}()
	select {
	case <-fetched: // the consumer is now parked in a fetch on the empty topic
	case <-time.After(20 * time.Second):
		t.Fatal("consumer sent no fetch")
	}
	prod := newKgo(t, p, kgo.DefaultProduceTopic("lp"))
	began := time.Now()
	produceSync(t, prod, &kgo.Record{Value: []byte("wake")})
	select {
	case at := <-got:
		lat := at.Sub(began)
		t.Logf("long-poll wake-up latency (produce to consume): %v", lat)
		if lat > 2*time.Second {
			t.Fatalf("record arrived after %v, want < 2s (FetchMaxWait is 10s)", lat)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("record never consumed")
	}
}

func TestKafkaListOffsetsByTimestamp(t *testing.T) {
	t.Parallel()
	p := startJunction(t)
	adm := newKadm(t, p)
	createTopic(t, adm, "ts", 1, nil)
	base := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	prod := newKgo(t, p, kgo.DefaultProduceTopic("ts"))
	var recs []*kgo.Record
	for i := range 10 {
		recs = append(recs, &kgo.Record{Value: []byte(fmt.Sprint(i)), Timestamp: base.Add(time.Duration(i) * time.Second)})
	}
	produceSync(t, prod, recs...)
	for _, c := range []struct {
		at         time.Time
		off, tsOff int64 // tsOff: which record's timestamp is returned, -1 none
	}{
		{base.Add(-time.Minute), 0, 0},
		{base, 0, 0},
		{base.Add(3 * time.Second), 3, 3},
		{base.Add(3500 * time.Millisecond), 4, 4},
		{base.Add(9 * time.Second), 9, 9},
		{base.Add(time.Minute), 10, -1}, // after every record: kadm reports the end offset
	} {
		lo, err := adm.ListOffsetsAfterMilli(ctxFor(t, 10*time.Second), c.at.UnixMilli(), "ts")
		if err != nil {
			t.Fatal(err)
		}
		o, ok := lo.Lookup("ts", 0)
		if !ok || o.Err != nil || o.Offset != c.off {
			t.Fatalf("offset after %v = %+v, want %d", c.at.Sub(base), o, c.off)
		}
		if c.tsOff >= 0 && o.Timestamp != recs[c.tsOff].Timestamp.UnixMilli() {
			t.Fatalf("timestamp after %v = %d, want %d", c.at.Sub(base), o.Timestamp, recs[c.tsOff].Timestamp.UnixMilli())
		}
	}
}

// topicConfig returns a topic's config value as DescribeTopicConfigs
// reports it.
func topicConfig(t *testing.T, adm *kadm.Client, topic, name string) string {
	t.Helper()
	rcs, err := adm.DescribeTopicConfigs(ctxFor(t, 10*time.Second), topic)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := rcs.On(topic, nil)
	if err != nil || rc.Err != nil {
		t.Fatalf("describe %s: %v %v", topic, err, rc.Err)
	}
	for _, c := range rc.Configs {
		if c.Key == name {
			return c.MaybeValue()
		}
	}
	t.Fatalf("%s lacks config %s", topic, name)
	return ""
}

func TestKafkaAdmin(t *testing.T) {
	t.Parallel()
	p := startJunction(t)
	adm := newKadm(t, p)
	ctx := ctxFor(t, 60*time.Second)

	createTopic(t, adm, "adm", 2, map[string]*string{"retention.ms": kadm.StringPtr("3600000")})
	if v := topicConfig(t, adm, "adm", "retention.ms"); v != "3600000" {
		t.Fatalf("retention.ms after create = %q", v)
	}
	// Creating it again fails with TOPIC_ALREADY_EXISTS.
	resp, err := adm.CreateTopics(ctx, 1, 1, nil, "adm")
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := resp.On("adm", nil); !errors.Is(r.Err, kerr.TopicAlreadyExists) {
		t.Fatalf("second create: %v", r.Err)
	}

	ar, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "retention.ms", Value: kadm.StringPtr("7200000")}}, "adm")
	if err != nil {
		t.Fatal(err)
	}
	if r, err := ar.On("adm", nil); err != nil || r.Err != nil {
		t.Fatalf("alter: %v %v", err, r.Err)
	}
	if v := topicConfig(t, adm, "adm", "retention.ms"); v != "7200000" {
		t.Fatalf("retention.ms after alter = %q", v)
	}

	cp, err := adm.CreatePartitions(ctx, 2, "adm")
	if err != nil {
		t.Fatal(err)
	}
	if r, err := cp.On("adm", nil); err != nil || r.Err != nil {
		t.Fatalf("create partitions: %v %v", err, r.Err)
	}
	tds, err := adm.ListTopics(ctx, "adm")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tds["adm"].Partitions); n != 4 {
		t.Fatalf("adm has %d partitions after adding 2 to 2", n)
	}
	// The new partitions take records.
	prod := newKgo(t, p, kgo.DefaultProduceTopic("adm"), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	produceSync(t, prod, &kgo.Record{Partition: 3, Value: []byte("p3")})

	// Groups: a live member, then deleted once empty.
	a := newAssignments()
	member := groupMember(t, p, "ag", "adm", a, "M")
	waitFor(t, a.changed, 30*time.Second, "member holding all 4 partitions", func() bool { return a.covers(4, "M") })
	recs := consumeN(t, member, 1, 10*time.Second)
	if string(recs[0].Value) != "p3" {
		t.Fatalf("group member got %q", recs[0].Value)
	}
	if err := member.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatal(err)
	}
	lg, err := adm.ListGroups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if g, ok := lg["ag"]; !ok || g.ProtocolType != "consumer" {
		t.Fatalf("ListGroups: %+v", lg)
	}
	dg, err := adm.DescribeGroups(ctx, "ag")
	if err != nil {
		t.Fatal(err)
	}
	g := dg["ag"]
	if g.Err != nil || g.State != "Stable" || len(g.Members) != 1 || g.ProtocolType != "consumer" || g.Protocol != "cooperative-sticky" {
		t.Fatalf("DescribeGroups: err %v state %q members %d protocol %q/%q", g.Err, g.State, len(g.Members), g.ProtocolType, g.Protocol)
	}
	if ma, ok := g.Members[0].Assigned.AsConsumer(); !ok || len(ma.Topics) != 1 || len(ma.Topics[0].Partitions) != 4 {
		t.Fatalf("described assignment: %+v", g.Members[0].Assigned)
	}
	if r, err := adm.DeleteGroup(ctx, "ag"); !errors.Is(r.Err, kerr.NonEmptyGroup) {
		t.Fatalf("deleting a group with a member: %v %v", err, r.Err)
	}
	member.Close()
	if r, err := adm.DeleteGroup(ctx, "ag"); err != nil || r.Err != nil {
		t.Fatalf("deleting the empty group: %v %v", err, r.Err)
	}
	if lg, err := adm.ListGroups(ctx); err != nil || len(lg["ag"].Group) != 0 {
		t.Fatalf("group still listed after delete: %v %+v", err, lg)
	}
	if fo, err := adm.FetchOffsets(ctx, "ag"); err != nil || len(fo) != 0 {
		t.Fatalf("offsets after group delete: %v %+v", err, fo)
	}

	dr, err := adm.DeleteTopics(ctx, "adm")
	if err != nil {
		t.Fatal(err)
	}
	if r, err := dr.On("adm", nil); err != nil || r.Err != nil {
		t.Fatalf("delete topic: %v %v", err, r.Err)
	}
	tds, err = adm.ListTopics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tds.Has("adm") {
		t.Fatalf("adm still listed after delete: %v", tds.Names())
	}
}

func TestKafkaRetentionDeletesOldSegments(t *testing.T) {
	t.Parallel()
	p := startJunction(t)
	adm := newKadm(t, p)
	createTopic(t, adm, "ret", 1, map[string]*string{
		"segment.bytes": kadm.StringPtr("16384"), "retention.bytes": kadm.StringPtr("65536"),
	})
	prod := newKgo(t, p, kgo.DefaultProduceTopic("ret"), kgo.ProducerBatchMaxBytes(8192))
	const n = 1000 // ~1 MB
	var recs []*kgo.Record
	for i := range n {
		recs = append(recs, &kgo.Record{Value: append([]byte(fmt.Sprintf("%04d", i)), bytes.Repeat([]byte{'x'}, 1020)...)})
	}
	produceSync(t, prod, recs...)
	// Retention runs in the produce path once a partition holds a whole
	// segment more than retention.bytes, so it is done by the time the
	// produce is acknowledged.
	ctx := ctxFor(t, 10*time.Second)
	starts, err := adm.ListStartOffsets(ctx, "ret")
	if err != nil {
		t.Fatal(err)
	}
	ends, err := adm.ListEndOffsets(ctx, "ret")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := starts.Lookup("ret", 0)
	e, _ := ends.Lookup("ret", 0)
	t.Logf("after ~1 MB: log start %d, end %d", s.Offset, e.Offset)
	if s.Err != nil || e.Err != nil || e.Offset != n {
		t.Fatalf("start %+v end %+v", s, e)
	}
	// 64 KiB retained plus at most two 16 KiB segments is under 120 records.
	if s.Offset <= 0 || e.Offset-s.Offset > 120 {
		t.Fatalf("log start offset %d of %d: old segments not deleted", s.Offset, n)
	}
	// Consuming from the start begins at the log start offset.
	cons := newKgo(t, p, kgo.ConsumeTopics("ret"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	first := consumeN(t, cons, 1, 10*time.Second)[0]
	if first.Offset != s.Offset || string(first.Value[:4]) != fmt.Sprintf("%04d", s.Offset) {
		t.Fatalf("first record from start: offset %d value %.4q, want offset %d", first.Offset, first.Value, s.Offset)
	}
}

func TestKafkaFsyncAlwaysSurvivesKill9(t *testing.T) {
	t.Parallel()
	p := startJunction(t, "--fsync", "always")
	createTopic(t, newKadm(t, p), "dur", 2, nil)
	prod, err := kgo.NewClient(kgo.SeedBrokers(p.KafkaAddr), kgo.DefaultProduceTopic("dur"),
		kgo.RequiredAcks(kgo.AllISRAcks()), kgo.RecordDeliveryTimeout(5*time.Second), kgo.RetryTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(prod.Close)
	var mu sync.Mutex
	acked := map[string]*kgo.Record{} // value → acknowledged record
	enough := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ctx.Err() == nil; i++ {
			prod.Produce(ctx, &kgo.Record{Value: []byte(fmt.Sprint(i))}, func(r *kgo.Record, err error) {
				if err != nil {
					return
				}
				mu.Lock()
				acked[string(r.Value)] = r
				if len(acked) == 300 {
					close(enough)
				}
				mu.Unlock()
			})
		}
	}()
	select {
	case <-enough:
	case <-time.After(30 * time.Second):
		t.Fatal("300 records not acknowledged")
	}
	p.Kill9(t) // while records are still in flight
	cancel()
	<-done
	prod.Close() // fails what is left
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d records acknowledged before SIGKILL", len(acked))

	p.start(t)
	ends, err := newKadm(t, p).ListEndOffsets(ctxFor(t, 10*time.Second), "dur")
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	ends.Each(func(o kadm.ListedOffset) { total += int(o.Offset) })
	if total < len(acked) {
		t.Fatalf("%d records after restart, %d were acknowledged", total, len(acked))
	}
	cons := newKgo(t, p, kgo.ConsumeTopics("dur"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	got := consumeN(t, cons, total, 30*time.Second)
	byPos := map[[2]int64]string{}
	for _, r := range got {
		byPos[[2]int64{int64(r.Partition), r.Offset}] = string(r.Value)
	}
	for v, r := range acked {
		if byPos[[2]int64{int64(r.Partition), r.Offset}] != v {
			t.Fatalf("acknowledged %q at %d/%d, after restart found %q", v, r.Partition, r.Offset, byPos[[2]int64{int64(r.Partition), r.Offset}])
		}
	}
}

func TestKafkaAutoCreate(t *testing.T) {
	t.Parallel()
	t.Run("on", func(t *testing.T) {
		t.Parallel()
		p := startJunction(t)
		prod := newKgo(t, p, kgo.DefaultProduceTopic("fresh"), kgo.AllowAutoTopicCreation())
		produceSync(t, prod, &kgo.Record{Value: []byte("v")})
		tds, err := newKadm(t, p).ListTopics(ctxFor(t, 10*time.Second), "fresh")
		if err != nil || tds["fresh"].Err != nil || len(tds["fresh"].Partitions) != 1 {
			t.Fatalf("auto-created topic: %v %+v", err, tds)
		}
	})
	t.Run("off", func(t *testing.T) {
		t.Parallel()
		p := startJunction(t, "--kafka-auto-create=false")
		prod := newKgo(t, p, kgo.DefaultProduceTopic("fresh"), kgo.AllowAutoTopicCreation(), kgo.UnknownTopicRetries(0))
		err := prod.ProduceSync(ctxFor(t, 20*time.Second), &kgo.Record{Value: []byte("v")}).FirstErr()
		if !errors.Is(err, kerr.UnknownTopicOrPartition) {
			t.Fatalf("produce without auto-create: %v, want UNKNOWN_TOPIC_OR_PARTITION", err)
		}
		tds, err := newKadm(t, p).ListTopics(ctxFor(t, 10*time.Second))
		if err != nil || tds.Has("fresh") {
			t.Fatalf("topic created anyway: %v %v", err, tds.Names())
		}
	})
}
