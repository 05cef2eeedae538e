// Partition names across protocols (docs/cross-protocol.md, "Partitions"):
// partition i >= 1 of a multi-partition Kafka topic t is the Redis stream
// key and AMQP stream queue t#<i>, partition 0 is t. Each test drives the
// real binary with kadm/kgo, go-redis and amqp091-go.
package integration

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// cpPartsTopic creates topic with n partitions through Kafka.
func cpPartsTopic(t *testing.T, p *proc, topic string, n int32) {
	t.Helper()
	adm := kadm.NewClient(cpKafka(t, p))
	if r, err := adm.CreateTopic(ctxFor(t, cpWait), n, 1, nil, topic); err != nil || r.Err != nil {
		t.Fatalf("create topic %s: %v %v", topic, err, r.Err)
	}
}

// cpProduceTo produces values to one partition of topic.
func cpProduceTo(t *testing.T, p *proc, topic string, part int32, values ...string) {
	t.Helper()
	prod := cpKafka(t, p, kgo.DefaultProduceTopic(topic), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	recs := make([]*kgo.Record, len(values))
	for i, v := range values {
		recs[i] = &kgo.Record{Partition: part, Value: []byte(v)}
	}
	if err := prod.ProduceSync(ctxFor(t, cpWait), recs...).FirstErr(); err != nil {
		t.Fatalf("produce to %s/%d: %v", topic, part, err)
	}
}

// cpFetchPartition reads n records of one partition from offset 0.
func cpFetchPartition(t *testing.T, p *proc, topic string, part int32, n int) []*kgo.Record {
	t.Helper()
	cl := cpKafka(t, p, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {part: kgo.NewOffset().At(0)}}))
	ctx, cancel := context.WithTimeout(context.Background(), cpWait)
	defer cancel()
	var out []*kgo.Record
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("kafka: got %d of %d records of %s/%d", len(out), n, topic, part)
		}
		fs.EachError(func(_ string, _ int32, err error) { t.Logf("fetch error: %v", err) })
		out = append(out, fs.Records()...)
	}
	for _, r := range out {
		if r.Partition != part {
			t.Fatalf("record from partition %d, want %d", r.Partition, part)
		}
	}
	return out
}

// idMs is the ms part of a Redis entry ID.
func idMs(t *testing.T, id string) int64 {
	t.Helper()
	ms, _, _ := strings.Cut(id, "-")
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		t.Fatalf("entry id %q", id)
	}
	return n
}

// TestCrossProtoPartitionNames: Kafka writes partition 2, Redis (XRANGE
// orders#2) and an AMQP stream consumer on orders#2 read it at the same
// positions; Redis writes orders#1 and Kafka reads partition 1 with the
// entry IDs' positions as offsets; an AMQP publish through an exchange
// bound to orders#2 appends to partition 2.
func TestCrossProtoPartitionNames(t *testing.T) {
	p := startJunction(t)
	ctx := ctxFor(t, 60*time.Second)
	cpPartsTopic(t, p, "orders", 3)
	cpProduceTo(t, p, "orders", 2, "k0", "k1", "k2")
	cpProduceTo(t, p, "orders", 0, "zero")
	rc := cpRedis(t, p)

	// Kafka partition 2 → Redis orders#2.
	xs, err := rc.XRange(ctx, "orders#2", "-", "+").Result()
	if err != nil || len(xs) != 3 {
		t.Fatalf("XRANGE orders#2 = %v %v", xs, err)
	}
	for i, x := range xs {
		if x.Values["value"] != "k"+strconv.Itoa(i) || len(x.Values) != 1 {
			t.Fatalf("orders#2 entry %d: %s", i, fields(x))
		}
	}
	if n, err := rc.XLen(ctx, "orders#2").Result(); err != nil || n != 3 {
		t.Fatalf("XLEN orders#2 = %d %v", n, err)
	}
	if xs0, err := rc.XRange(ctx, "orders", "-", "+").Result(); err != nil || len(xs0) != 1 || xs0[0].Values["value"] != "zero" {
		t.Fatalf("XRANGE orders (partition 0) = %v %v", xs0, err)
	}
	if n, err := rc.XLen(ctx, "orders#1").Result(); err != nil || n != 0 {
		t.Fatalf("XLEN orders#1 = %d %v", n, err)
	}
	rev, err := rc.XRevRangeN(ctx, "orders#2", "+", "-", 1).Result()
	if err != nil || len(rev) != 1 || rev[0].ID != xs[2].ID {
		t.Fatalf("XREVRANGE orders#2 = %v %v", rev, err)
	}
	info, err := rc.XInfoStream(ctx, "orders#2").Result()
	if err != nil || info.Length != 3 || info.LastGeneratedID != xs[2].ID {
		t.Fatalf("XINFO STREAM orders#2 = %+v %v", info, err)
	}

	// Kafka partition 2 → AMQP stream queue orders#2, same positions.
	ch := cpAMQP(t, p)
	q, err := ch.QueueDeclarePassive("orders#2", true, false, false, false, nil)
	if err != nil || q.Messages != 3 {
		t.Fatalf("passive declare orders#2: %+v %v", q, err)
	}
	ds := cpStream(t, ch, "orders#2", 3)
	for i, d := range ds {
		if string(d.Body) != "k"+strconv.Itoa(i) || d.Headers["x-stream-offset"] != int64(i) {
			t.Fatalf("orders#2 delivery %d: %q %v", i, d.Body, d.Headers)
		}
	}

	// Redis orders#1 → Kafka partition 1, same positions.
	var ids []string
	for _, v := range []string{"r0", "r1"} {
		id, err := rc.XAdd(ctx, &redis.XAddArgs{Stream: "orders#1", Values: []string{"value", v}}).Result()
		if err != nil {
			t.Fatalf("XADD orders#1: %v", err)
		}
		ids = append(ids, id)
	}
	ks := cpFetchPartition(t, p, "orders", 1, 2)
	for i, r := range ks {
		// A single field named "value" is the record value, with no header.
		if r.Offset != int64(i) || string(r.Value) != "r"+strconv.Itoa(i) || len(r.Headers) != 0 || r.Timestamp.UnixMilli() != idMs(t, ids[i]) {
			t.Fatalf("partition 1 record %d: offset %d value %q ts %d (entry %s)", i, r.Offset, r.Value, r.Timestamp.UnixMilli(), ids[i])
		}
	}
	if xs1, err := rc.XRange(ctx, "orders#1", "-", "+").Result(); err != nil || len(xs1) != 2 || xs1[0].ID != ids[0] || xs1[1].ID != ids[1] {
		t.Fatalf("XRANGE orders#1 = %v %v", xs1, err)
	}
	// Nothing leaked into the other partitions.
	if n, _ := rc.XLen(ctx, "orders").Result(); n != 1 {
		t.Fatalf("XLEN orders = %d after writes to orders#1", n)
	}

	// AMQP publish through an exchange bound to orders#2 → partition 2.
	if err := ch.ExchangeDeclare("to-p2", "direct", true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if err := ch.QueueBind("orders#2", "rk", "to-p2", false, nil); err != nil {
		t.Fatal(err)
	}
	if err := ch.Confirm(false); err != nil {
		t.Fatal(err)
	}
	dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, "to-p2", "rk", false, false, amqp.Publishing{Body: []byte("a3")})
	if err != nil || !dc.Wait() {
		t.Fatalf("publish: %v", err)
	}
	ks = cpFetchPartition(t, p, "orders", 2, 4)
	if r := ks[3]; r.Offset != 3 || string(r.Value) != "a3" || string(r.Key) != "rk" {
		t.Fatalf("partition 2 offset 3: %+v", r)
	}
	if xs, err = rc.XRange(ctx, "orders#2", "-", "+").Result(); err != nil || len(xs) != 4 || xs[3].Values["value"] != "a3" {
		t.Fatalf("XRANGE orders#2 after the AMQP publish = %v %v", xs, err)
	}
	if n, _ := rc.XLen(ctx, "orders").Result(); n != 1 {
		t.Fatalf("XLEN orders = %d after the AMQP publish to orders#2", n)
	}
}

// TestCrossProtoPartitionKeyspace: TYPE, EXISTS, KEYS, SCAN, DBSIZE agree;
// a topic literally named t#<i> wins; DEL, RENAME, EXPIRE and AMQP
// queue.delete refuse to remove part of a multi-partition topic.
func TestCrossProtoPartitionKeyspace(t *testing.T) {
	p := startJunction(t)
	ctx := ctxFor(t, 60*time.Second)
	cpPartsTopic(t, p, "ks", 3)
	rc := cpRedis(t, p)
	// A Redis stream named like a partition that ks does not have is a
	// stream of its own, and so is one whose base topic has one partition.
	if err := rc.XAdd(ctx, &redis.XAddArgs{Stream: "ks#3", Values: []string{"f", "v"}}).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rc.XAdd(ctx, &redis.XAddArgs{Stream: "solo", Values: []string{"f", "v"}}).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rc.XAdd(ctx, &redis.XAddArgs{Stream: "solo#1", Values: []string{"f", "v"}}).Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"ks", "ks#1", "ks#2", "ks#3", "solo", "solo#1"}
	keys, err := rc.Keys(ctx, "*").Result()
	slices.Sort(keys)
	if err != nil || !slices.Equal(keys, want) {
		t.Fatalf("KEYS * = %q %v, want %q", keys, err, want)
	}
	var scanned []string
	for cursor := uint64(0); ; {
		ks, next, err := rc.Scan(ctx, cursor, "ks*", 2).Result()
		if err != nil {
			t.Fatal(err)
		}
		scanned = append(scanned, ks...)
		if cursor = next; cursor == 0 {
			break
		}
	}
	slices.Sort(scanned)
	if !slices.Equal(scanned, want[:4]) {
		t.Fatalf("SCAN MATCH ks* = %q", scanned)
	}
	if n, err := rc.DBSize(ctx).Result(); err != nil || n != int64(len(want)) {
		t.Fatalf("DBSIZE = %d %v", n, err)
	}
	for _, k := range want {
		if typ, err := rc.Type(ctx, k).Result(); err != nil || typ != "stream" {
			t.Fatalf("TYPE %s = %q %v", k, typ, err)
		}
	}
	if n, err := rc.Exists(ctx, want...).Result(); err != nil || n != int64(len(want)) {
		t.Fatalf("EXISTS %q = %d %v", want, n, err)
	}
	for _, k := range []string{"ks#4", "ks#0", "ks#01", "solo#2"} {
		if typ, _ := rc.Type(ctx, k).Result(); typ != "none" {
			t.Fatalf("TYPE %s = %q, want none", k, typ)
		}
		if n, _ := rc.Exists(ctx, k).Result(); n != 0 {
			t.Fatalf("EXISTS %s = %d", k, n)
		}
	}
	if ttl, err := rc.TTL(ctx, "ks#2").Result(); err != nil || ttl != -1 {
		t.Fatalf("TTL ks#2 = %v %v, want -1 (no expiry)", ttl, err)
	}
	if info, err := rc.Info(ctx, "keyspace").Result(); err != nil || !strings.Contains(info, "db0:keys=6,") {
		t.Fatalf("INFO keyspace = %q %v", info, err)
	}

	// Writes to the literal ks#3 stay there; Kafka's ks has no partition 3.
	if n, _ := rc.XLen(ctx, "ks#3").Result(); n != 1 {
		t.Fatalf("XLEN ks#3 = %d", n)
	}

	// Removing part of a multi-partition topic is refused, and changes nothing.
	for _, c := range [][]any{
		{"DEL", "ks#2"}, {"DEL", "solo", "ks"}, {"UNLINK", "ks#1"}, {"RENAME", "ks#1", "x"}, {"RENAME", "solo", "ks#1"},
		{"RENAMENX", "ks", "fresh"}, {"EXPIRE", "ks#2", "100"}, {"PEXPIRE", "ks", "100"}, {"PERSIST", "ks#1"},
	} {
		err := rc.Do(ctx, c...).Err()
		if err == nil || !strings.Contains(err.Error(), "-partition topic 'ks'") {
			t.Fatalf("%v = %v, want a partition error", c, err)
		}
	}
	if n, _ := rc.Exists(ctx, want...).Result(); n != int64(len(want)) {
		t.Fatalf("EXISTS after refused commands = %d, want %d", n, len(want))
	}
	// Keys of single-partition topics behave as before.
	if n, err := rc.Del(ctx, "solo#1").Result(); err != nil || n != 1 {
		t.Fatalf("DEL solo#1 = %d %v", n, err)
	}

	ch := cpAMQP(t, p)
	if _, err := ch.QueueDeclarePassive("ks#1", true, false, false, false, nil); err != nil {
		t.Fatalf("passive declare ks#1: %v", err)
	}
	if _, err := ch.QueueDeclarePassive("ks#5", true, false, false, false, nil); err == nil {
		t.Fatal("passive declare of ks#5 (ks has 3 partitions) succeeded")
	}
	ch = cpAMQP(t, p)
	_, err = ch.QueueDelete("ks#1", false, false, false)
	var aerr *amqp.Error
	if !errors.As(err, &aerr) || aerr.Code != amqp.PreconditionFailed || !strings.Contains(aerr.Reason, "3-partition topic 'ks'") {
		t.Fatalf("queue.delete ks#1 = %v, want 406", err)
	}
	if typ, _ := rc.Type(ctx, "ks#1").Result(); typ != "stream" {
		t.Fatalf("TYPE ks#1 after refused queue.delete = %q", typ)
	}
	// Kafka still has all three partitions.
	meta, err := kadm.NewClient(cpKafka(t, p)).ListTopics(ctx, "ks")
	if err != nil || len(meta["ks"].Partitions) != 3 {
		t.Fatalf("kafka metadata of ks: %+v %v", meta["ks"], err)
	}
	// FLUSHDB still deletes everything.
	if err := rc.FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if n, _ := rc.DBSize(ctx).Result(); n != 0 {
		t.Fatalf("DBSIZE after FLUSHDB = %d", n)
	}
}

// TestCrossProtoPartitionGroupsAndBlocking: consumer groups and blocking
// reads on t#<i> see that partition only; XDEL/XTRIM/XSETID act on it;
// XGROUP DESTROY on t#<i> destroys that partition's group only.
func TestCrossProtoPartitionGroupsAndBlocking(t *testing.T) {
	p := startJunction(t)
	ctx := ctxFor(t, 60*time.Second)
	cpPartsTopic(t, p, "gp", 2)
	rc := cpRedis(t, p)
	for _, k := range []string{"gp", "gp#1"} {
		if err := rc.XGroupCreate(ctx, k, "g", "0").Err(); err != nil {
			t.Fatalf("XGROUP CREATE %s: %v", k, err)
		}
	}
	// A blocked XREAD and XREADGROUP on gp#1 wake on a Kafka produce to partition 1.
	type res struct {
		xs  []redis.XStream
		err error
	}
	blocked := make(chan res, 2)
	go func() {
		xs, err := rc.XRead(ctx, &redis.XReadArgs{Streams: []string{"gp", "gp#1", "0", "0"}, Block: cpWait, Count: 10}).Result()
		blocked <- res{xs, err}
	}()
	go func() {
		xs, err := rc.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "c1", Streams: []string{"gp#1", ">"}, Block: cpWait}).Result()
		blocked <- res{xs, err}
	}()
	// Test synchronisation only (the reads above return the entry in either
	// order): wait until both are parked, so the wake-up path runs.
	for began := time.Now(); ; {
		if v, err := raBlockedClients(ctx, rc); err != nil || v == "2" {
			break
		}
		if time.Since(began) > cpWait {
			t.Fatal("readers never reported blocked")
		}
	}
	cpProduceTo(t, p, "gp", 1, "p1-0")
	for range 2 {
		r := <-blocked
		if r.err != nil || len(r.xs) != 1 || r.xs[0].Stream != "gp#1" || len(r.xs[0].Messages) != 1 || r.xs[0].Messages[0].Values["value"] != "p1-0" {
			t.Fatalf("blocked read woke with %+v %v", r.xs, r.err)
		}
	}
	cpProduceTo(t, p, "gp", 1, "p1-1", "p1-2")
	cpProduceTo(t, p, "gp", 0, "p0-0")

	// XREADGROUP reads the partition's entries, XPENDING/XACK/XCLAIM on it.
	xs, err := rc.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "c2", Streams: []string{"gp#1", ">"}, Count: 10}).Result()
	if err != nil || len(xs) != 1 || len(xs[0].Messages) != 2 || xs[0].Messages[0].Values["value"] != "p1-1" {
		t.Fatalf("XREADGROUP gp#1 = %+v %v", xs, err)
	}
	pend, err := rc.XPending(ctx, "gp#1", "g").Result()
	if err != nil || pend.Count != 3 {
		t.Fatalf("XPENDING gp#1 = %+v %v", pend, err)
	}
	if pend0, err := rc.XPending(ctx, "gp", "g").Result(); err != nil || pend0.Count != 0 {
		t.Fatalf("XPENDING gp = %+v %v, want nothing pending on partition 0", pend0, err)
	}
	first := xs[0].Messages[0].ID
	if n, err := rc.XAck(ctx, "gp#1", "g", first).Result(); err != nil || n != 1 {
		t.Fatalf("XACK gp#1 = %d %v", n, err)
	}
	cl, err := rc.XClaim(ctx, &redis.XClaimArgs{Stream: "gp#1", Group: "g", Consumer: "c3", Messages: []string{xs[0].Messages[1].ID}}).Result()
	if err != nil || len(cl) != 1 || cl[0].Values["value"] != "p1-2" {
		t.Fatalf("XCLAIM gp#1 = %v %v", cl, err)
	}
	ac, _, err := rc.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: "gp#1", Group: "g", Consumer: "c4", Start: "0"}).Result()
	if err != nil || len(ac) != 2 {
		t.Fatalf("XAUTOCLAIM gp#1 = %v %v", ac, err)
	}
	groups, err := rc.XInfoGroups(ctx, "gp#1").Result()
	if err != nil || len(groups) != 1 || groups[0].Name != "g" || groups[0].Pending != 2 {
		t.Fatalf("XINFO GROUPS gp#1 = %+v %v", groups, err)
	}
	if cs, err := rc.XInfoConsumers(ctx, "gp#1", "g").Result(); err != nil || len(cs) != 4 {
		t.Fatalf("XINFO CONSUMERS gp#1 = %+v %v", cs, err)
	}

	// XDEL removes one entry of partition 1: Kafka sees an offset gap there.
	all, err := rc.XRange(ctx, "gp#1", "-", "+").Result()
	if err != nil || len(all) != 3 {
		t.Fatalf("XRANGE gp#1 = %v %v", all, err)
	}
	if n, err := rc.XDel(ctx, "gp#1", all[1].ID).Result(); err != nil || n != 1 {
		t.Fatalf("XDEL gp#1 = %d %v", n, err)
	}
	ks := cpFetchPartition(t, p, "gp", 1, 2)
	if ks[0].Offset != 0 || ks[1].Offset != 2 || string(ks[1].Value) != "p1-2" {
		t.Fatalf("partition 1 after XDEL: offsets %d %d", ks[0].Offset, ks[1].Offset)
	}
	if n, err := rc.XTrimMaxLen(ctx, "gp#1", 1).Result(); err != nil || n != 1 {
		t.Fatalf("XTRIM gp#1 = %d %v", n, err)
	}
	if n, _ := rc.XLen(ctx, "gp").Result(); n != 1 {
		t.Fatalf("XLEN gp = %d after trimming gp#1", n)
	}
	if err := rc.Do(ctx, "XSETID", "gp#1", "99999999999999-0").Err(); err != nil {
		t.Fatalf("XSETID gp#1: %v", err)
	}
	if info, err := rc.XInfoStream(ctx, "gp#1").Result(); err != nil || info.LastGeneratedID != "99999999999999-0" {
		t.Fatalf("XINFO STREAM gp#1 after XSETID: %+v %v", info, err)
	}
	if info, err := rc.XInfoStream(ctx, "gp").Result(); err != nil || info.LastGeneratedID == "99999999999999-0" {
		t.Fatalf("XSETID gp#1 changed gp: %+v %v", info, err)
	}

	// XGROUP DESTROY on gp#1 leaves partition 0's group and the topic alone.
	if n, err := rc.XGroupDestroy(ctx, "gp#1", "g").Result(); err != nil || n != 1 {
		t.Fatalf("XGROUP DESTROY gp#1 g = %d %v", n, err)
	}
	if groups, err := rc.XInfoGroups(ctx, "gp").Result(); err != nil || len(groups) != 1 {
		t.Fatalf("XINFO GROUPS gp after destroying gp#1's group = %+v %v", groups, err)
	}
	if groups, err := rc.XInfoGroups(ctx, "gp#1").Result(); err != nil || len(groups) != 0 {
		t.Fatalf("XINFO GROUPS gp#1 = %+v %v", groups, err)
	}
	if n, _ := rc.Exists(ctx, "gp", "gp#1").Result(); n != 2 {
		t.Fatalf("EXISTS gp gp#1 = %d", n)
	}
}

// TestCrossProtoPartitionBindingRestart: a binding to a partition's stream
// queue survives a restart, and publishing through it still appends to
// that partition.
func TestCrossProtoPartitionBindingRestart(t *testing.T) {
	p := startJunction(t)
	ctx := ctxFor(t, 60*time.Second)
	cpPartsTopic(t, p, "rb", 3)
	ch := cpAMQP(t, p)
	if err := ch.ExchangeDeclare("rbx", "fanout", true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if err := ch.QueueBind("rb#2", "", "rbx", false, nil); err != nil {
		t.Fatalf("bind rb#2: %v", err)
	}
	p.Restart(t)
	ch = cpAMQP(t, p)
	if err := ch.Confirm(false); err != nil {
		t.Fatal(err)
	}
	dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, "rbx", "", true, false, amqp.Publishing{Body: []byte("after")})
	if err != nil || !dc.Wait() {
		t.Fatalf("publish: %v", err)
	}
	ks := cpFetchPartition(t, p, "rb", 2, 1)
	if string(ks[0].Value) != "after" || ks[0].Offset != 0 {
		t.Fatalf("partition 2: %+v", ks[0])
	}
	if n, _ := cpRedis(t, p).XLen(ctx, "rb#2").Result(); n != 1 {
		t.Fatalf("XLEN rb#2 = %d", n)
	}
}
