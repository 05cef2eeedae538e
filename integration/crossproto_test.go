// Cross-protocol tests (docs/cross-protocol.md): one topic written through
// one protocol and read through the others, with the message mapping and
// positions checked; concurrent writers from all three; a restart; and
// the Redis Pub/Sub ↔ amq.topic bridge.
package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

const cpWait = 10 * time.Second

func cpRedis(t *testing.T, p *proc) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: p.RedisAddr, Protocol: 2, DialTimeout: cpWait,
		ReadTimeout: cpWait, WriteTimeout: cpWait, MaxRetries: -1, DisableIdentity: true})
	t.Cleanup(func() { c.Close() })
	return c
}

func cpAMQP(t *testing.T, p *proc) *amqp.Channel {
	t.Helper()
	conn, err := amqp.DialConfig("amqp://guest:guest@"+p.AMQPAddr+"/", amqp.Config{Dial: amqp.DefaultDial(cpWait)})
	if err != nil {
		t.Fatalf("dial amqp: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func cpKafka(t *testing.T, p *proc, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(p.KafkaAddr), kgo.RetryTimeout(cpWait)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// cpFetch reads n records of topic from offset 0 through Kafka.
func cpFetch(t *testing.T, p *proc, topic string, n int) []*kgo.Record {
	t.Helper()
	cl := cpKafka(t, p, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	ctx, cancel := context.WithTimeout(context.Background(), cpWait)
	defer cancel()
	var out []*kgo.Record
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("kafka: got %d of %d records of %s", len(out), n, topic)
		}
		fs.EachError(func(_ string, _ int32, err error) { t.Logf("fetch error: %v", err) })
		out = append(out, fs.Records()...)
	}
	return out
}

// cpStream reads n deliveries of stream queue q from the first offset.
func cpStream(t *testing.T, ch *amqp.Channel, q string, n int) []amqp.Delivery {
	t.Helper()
	if err := ch.Qos(n+1, 0, false); err != nil {
		t.Fatal(err)
	}
	ds, err := ch.Consume(q, "", false, false, false, false, amqp.Table{"x-stream-offset": "first"})
	if err != nil {
		t.Fatal(err)
	}
	var out []amqp.Delivery
	timeout := time.After(cpWait)
	for len(out) < n {
		select {
		case d, ok := <-ds:
			if !ok {
				t.Fatalf("amqp: consumer closed after %d of %d", len(out), n)
			}
			out = append(out, d)
		case <-timeout:
			t.Fatalf("amqp: got %d of %d deliveries of %s", len(out), n, q)
		}
	}
	return out
}

func hdr(r *kgo.Record) map[string]string {
	m := map[string]string{}
	for _, h := range r.Headers {
		m[h.Key] = string(h.Value)
	}
	return m
}

func fields(m redis.XMessage) string {
	b, _ := json.Marshal(m.Values)
	return string(b)
}

func TestCrossProtoRedisToKafkaAndAMQP(t *testing.T) {
	p := startJunction(t)
	ctx := ctxFor(t, 30*time.Second)
	rc := cpRedis(t, p)
	id1, err := rc.XAdd(ctx, &redis.XAddArgs{Stream: "orders", Values: []string{"item", "apple"}}).Result()
	if err != nil {
		t.Fatal(err)
	}
	id2, err := rc.XAdd(ctx, &redis.XAddArgs{Stream: "orders", Values: []string{"item", "pear", "qty", "3"}}).Result()
	if err != nil {
		t.Fatal(err)
	}
	// Redis → Kafka.
	ks := cpFetch(t, p, "orders", 2)
	if ks[0].Offset != 0 || ks[0].Key != nil || string(ks[0].Value) != "apple" || hdr(ks[0])["redis-field"] != "item" {
		t.Fatalf("single-field entry as kafka: %+v", ks[0])
	}
	var obj map[string]string
	if ks[1].Offset != 1 || json.Unmarshal(ks[1].Value, &obj) != nil || obj["item"] != "pear" || obj["qty"] != "3" ||
		hdr(ks[1])["content-type"] != "application/json" {
		t.Fatalf("multi-field entry as kafka: %+v (%s)", ks[1], ks[1].Value)
	}
	// The entry ID's ms part is the record timestamp.
	if ms, _ := strconv.ParseInt(id1[:len(id1)-2], 10, 64); ks[0].Timestamp.UnixMilli() != ms {
		t.Errorf("timestamp %d, entry id %s", ks[0].Timestamp.UnixMilli(), id1)
	}
	// Redis → AMQP.
	ch := cpAMQP(t, p)
	if _, err := ch.QueueDeclarePassive("orders", true, false, false, false, nil); err != nil {
		t.Fatalf("passive declare of a Redis stream: %v", err)
	}
	ds := cpStream(t, ch, "orders", 2)
	if string(ds[0].Body) != "apple" || ds[0].Headers["redis-field"] != "item" || ds[0].Headers["x-stream-offset"] != int64(0) {
		t.Fatalf("single-field entry as amqp: %+v", ds[0])
	}
	if ds[1].ContentType != "application/json" || string(ds[1].Body) != string(ks[1].Value) || ds[1].Headers["x-stream-offset"] != int64(1) {
		t.Fatalf("multi-field entry as amqp: %+v", ds[1])
	}
	// Same positions: offset i is the i-th entry ID.
	xs, err := rc.XRange(ctx, "orders", "-", "+").Result()
	if err != nil || len(xs) != 2 || xs[0].ID != id1 || xs[1].ID != id2 {
		t.Fatalf("XRANGE %v %v", xs, err)
	}
}

func TestCrossProtoKafkaToRedisAndAMQP(t *testing.T) {
	p := startJunction(t)
	ctx := ctxFor(t, 30*time.Second)
	adm := kadm.NewClient(cpKafka(t, p))
	if r, err := adm.CreateTopic(ctx, 1, 1, nil, "clicks"); err != nil || r.Err != nil {
		t.Fatalf("create topic: %v %v", err, r.Err)
	}
	rc := cpRedis(t, p)
	if typ, err := rc.Type(ctx, "clicks").Result(); err != nil || typ != "stream" {
		t.Fatalf("TYPE clicks = %q %v", typ, err)
	}
	if info, err := rc.XInfoStream(ctx, "clicks").Result(); err != nil || info.Length != 0 {
		t.Fatalf("XINFO STREAM %+v %v", info, err)
	}
	ch := cpAMQP(t, p)
	if _, err := ch.QueueDeclarePassive("clicks", true, false, false, false, nil); err != nil {
		t.Fatalf("passive declare of a Kafka topic: %v", err)
	}
	prod := cpKafka(t, p, kgo.DefaultProduceTopic("clicks"))
	recs := []*kgo.Record{
		{Key: []byte("user-1"), Value: []byte("home"), Headers: []kgo.RecordHeader{{Key: "trace", Value: []byte("t1")}}},
		{Value: []byte("cart")},
	}
	if err := prod.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	// Kafka → Redis.
	xs, err := rc.XRange(ctx, "clicks", "-", "+").Result()
	if err != nil || len(xs) != 2 {
		t.Fatalf("XRANGE %v %v", xs, err)
	}
	if xs[0].Values["key"] != "user-1" || xs[0].Values["value"] != "home" || xs[0].Values["trace"] != "t1" || len(xs[0].Values) != 3 {
		t.Fatalf("kafka record as redis: %s", fields(xs[0]))
	}
	if xs[1].Values["value"] != "cart" || len(xs[1].Values) != 1 {
		t.Fatalf("kafka record without key as redis: %s", fields(xs[1]))
	}
	// Kafka → AMQP.
	ds := cpStream(t, ch, "clicks", 2)
	if string(ds[0].Body) != "home" || ds[0].RoutingKey != "user-1" || ds[0].Headers["trace"] != "t1" || ds[0].Headers["x-stream-offset"] != int64(0) {
		t.Fatalf("kafka record as amqp: %+v", ds[0])
	}
	if string(ds[1].Body) != "cart" || ds[1].Headers["x-stream-offset"] != int64(1) {
		t.Fatalf("kafka record as amqp: %+v", ds[1])
	}
	// The entry IDs read by XREAD after a position line up with offsets.
	after, err := rc.XRangeN(ctx, "clicks", "("+xs[0].ID, "+", 1).Result()
	if err != nil || len(after) != 1 || after[0].Values["value"] != "cart" {
		t.Fatalf("XRANGE after first: %v %v", after, err)
	}
}

func TestCrossProtoAMQPToRedisAndKafka(t *testing.T) {
	p := startJunction(t)
	ctx := ctxFor(t, 30*time.Second)
	ch := cpAMQP(t, p)
	if _, err := ch.QueueDeclare("events", true, false, false, false, amqp.Table{"x-queue-type": "stream"}); err != nil {
		t.Fatal(err)
	}
	if err := ch.Confirm(false); err != nil {
		t.Fatal(err)
	}
	ts := time.Unix(1700000000, 0)
	msg := amqp.Publishing{ContentType: "text/plain", CorrelationId: "c-1", MessageId: "m-1", Timestamp: ts,
		DeliveryMode: 2, Headers: amqp.Table{"tenant": "acme", "n": int32(7)}, Body: []byte("created")}
	dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, "", "events", false, false, msg)
	if err != nil || !dc.Wait() {
		t.Fatalf("publish: %v", err)
	}
	// AMQP → Redis.
	rc := cpRedis(t, p)
	xs, err := rc.XRange(ctx, "events", "-", "+").Result()
	if err != nil || len(xs) != 1 {
		t.Fatalf("XRANGE %v %v", xs, err)
	}
	v := xs[0].Values
	if v["key"] != "events" || v["value"] != "created" || v["amqp-content-type"] != "text/plain" || v["amqp-correlation-id"] != "c-1" ||
		v["amqp-message-id"] != "m-1" || v["amqp-timestamp"] != "1700000000000" || v["amqp-delivery-mode"] != "2" ||
		v["tenant"] != "acme" || v["n"] != "7" {
		t.Fatalf("amqp message as redis: %s", fields(xs[0]))
	}
	// AMQP → Kafka.
	ks := cpFetch(t, p, "events", 1)
	h := hdr(ks[0])
	if ks[0].Offset != 0 || string(ks[0].Key) != "events" || string(ks[0].Value) != "created" || h["amqp-content-type"] != "text/plain" ||
		h["amqp-timestamp"] != "1700000000000" || h["tenant"] != "acme" {
		t.Fatalf("amqp message as kafka: %+v", ks[0])
	}
	// Kafka re-produces it: an AMQP reader gets the properties back.
	prod := cpKafka(t, p, kgo.DefaultProduceTopic("events"))
	back := &kgo.Record{Key: ks[0].Key, Value: ks[0].Value, Headers: ks[0].Headers}
	if err := prod.ProduceSync(ctx, back).FirstErr(); err != nil {
		t.Fatal(err)
	}
	ds := cpStream(t, ch, "events", 2)
	for i, d := range ds {
		if string(d.Body) != "created" || d.ContentType != "text/plain" || d.CorrelationId != "c-1" || d.MessageId != "m-1" ||
			!d.Timestamp.Equal(ts) || d.DeliveryMode != 2 || d.Headers["tenant"] != "acme" || d.Headers["x-stream-offset"] != int64(i) {
			t.Fatalf("delivery %d: %+v", i, d)
		}
	}
	if ds[0].Headers["n"] != int32(7) {
		t.Errorf("own message lost its typed header: %#v", ds[0].Headers["n"])
	}
}

// cpTokens reads topic "mixed" through all three protocols and returns
// each reader's sequence of values.
func cpTokens(t *testing.T, p *proc, n int) (fromRedis, fromKafka, fromAMQP []string) {
	t.Helper()
	ctx := ctxFor(t, 30*time.Second)
	xs, err := cpRedis(t, p).XRangeN(ctx, "mixed", "-", "+", int64(n+1)).Result()
	if err != nil || len(xs) != n {
		t.Fatalf("XRANGE: %d entries, %v", len(xs), err)
	}
	for _, x := range xs {
		if v, ok := x.Values["r"]; ok {
			fromRedis = append(fromRedis, v.(string))
		} else {
			fromRedis = append(fromRedis, x.Values["value"].(string))
		}
	}
	for i, r := range cpFetch(t, p, "mixed", n) {
		if r.Offset != int64(i) {
			t.Fatalf("kafka offset %d at %d", r.Offset, i)
		}
		fromKafka = append(fromKafka, string(r.Value))
	}
	for i, d := range cpStream(t, cpAMQP(t, p), "mixed", n) {
		if d.Headers["x-stream-offset"] != int64(i) {
			t.Fatalf("x-stream-offset %v at %d", d.Headers["x-stream-offset"], i)
		}
		fromAMQP = append(fromAMQP, string(d.Body))
	}
	return
}

func TestCrossProtoConcurrentWritersAndRestart(t *testing.T) {
	p := startJunction(t)
	ctx := ctxFor(t, 60*time.Second)
	const each = 40
	ch := cpAMQP(t, p)
	if _, err := ch.QueueDeclare("mixed", true, false, false, false, amqp.Table{"x-queue-type": "stream"}); err != nil {
		t.Fatal(err)
	}
	if err := ch.Confirm(false); err != nil {
		t.Fatal(err)
	}
	rc := cpRedis(t, p)
	prod := cpKafka(t, p, kgo.DefaultProduceTopic("mixed"), kgo.MaxBufferedRecords(1))
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	wg.Add(3)
	go func() {
		defer wg.Done()
		for i := range each {
			if err := rc.XAdd(ctx, &redis.XAddArgs{Stream: "mixed", Values: []string{"r", fmt.Sprintf("redis-%d", i)}}).Err(); err != nil {
				errs <- err
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		for i := range each {
			if err := prod.ProduceSync(ctx, &kgo.Record{Value: fmt.Appendf(nil, "kafka-%d", i)}).FirstErr(); err != nil {
				errs <- err
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		for i := range each {
			dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, "", "mixed", false, false, amqp.Publishing{Body: fmt.Appendf(nil, "amqp-%d", i)})
			if err != nil || !dc.Wait() {
				errs <- fmt.Errorf("amqp publish %d: %v", i, err)
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	r1, k1, a1 := cpTokens(t, p, 3*each)
	check := func(label string, got []string) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(r1) {
			t.Fatalf("%s order differs from Redis's:\n%v\n%v", label, got, r1)
		}
	}
	check("kafka", k1)
	check("amqp", a1)
	// Each writer's own messages are in its order.
	next := map[byte]int{}
	for _, s := range r1 {
		c := s[0]
		if want := fmt.Sprintf("%s-%d", map[byte]string{'r': "redis", 'k': "kafka", 'a': "amqp"}[c], next[c]); s != want {
			t.Fatalf("got %s, want %s next", s, want)
		}
		next[c]++
	}
	p.Restart(t)
	r2, k2, a2 := cpTokens(t, p, 3*each)
	check("redis after restart", r2)
	check("kafka after restart", k2)
	check("amqp after restart", a2)
}

func TestBridgeRedisToAMQP(t *testing.T) {
	p := startJunction(t)
	ctx := ctxFor(t, 30*time.Second)
	ch := cpAMQP(t, p)
	bind := func(key string) string {
		q, err := ch.QueueDeclare("", false, true, true, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := ch.QueueBind(q.Name, key, "amq.topic", false, nil); err != nil {
			t.Fatal(err)
		}
		return q.Name
	}
	star, hash, other := bind("news.*"), bind("news.#"), bind("weather.*")
	rc := cpRedis(t, p)
	if err := rc.Publish(ctx, "news.sports", "goal").Err(); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{star, hash} {
		d, ok, err := ch.Get(q, true)
		if err != nil || !ok || string(d.Body) != "goal" || d.RoutingKey != "news.sports" || d.Exchange != "amq.topic" {
			t.Fatalf("queue %s: %+v %v %v", q, d, ok, err)
		}
		if _, ok, _ := ch.Get(q, true); ok {
			t.Fatalf("queue %s got the message twice", q)
		}
	}
	if _, ok, _ := ch.Get(other, true); ok {
		t.Fatal("weather.* got news.sports")
	}
	// "news.sports.live" matches news.# only (news.* is exactly two words).
	rc.Publish(ctx, "news.sports.live", "x")
	if _, ok, _ := ch.Get(star, true); ok {
		t.Fatal("news.* matched three words")
	}
	if _, ok, _ := ch.Get(hash, true); !ok {
		t.Fatal("news.# missed news.sports.live")
	}
}

func TestBridgeAMQPToRedis(t *testing.T) {
	p := startJunction(t)
	ctx := ctxFor(t, 30*time.Second)
	rc := cpRedis(t, p)
	sub := rc.Subscribe(ctx, "news.sports")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	psub := rc.PSubscribe(ctx, "news.*")
	defer psub.Close()
	if _, err := psub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	ch := cpAMQP(t, p)
	q, err := ch.QueueDeclare("", false, true, true, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.QueueBind(q.Name, "news.#", "amq.topic", false, nil); err != nil {
		t.Fatal(err)
	}
	if err := ch.Confirm(false); err != nil {
		t.Fatal(err)
	}
	dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, "amq.topic", "news.sports", false, false, amqp.Publishing{Body: []byte("match")})
	if err != nil || !dc.Wait() {
		t.Fatal(err)
	}
	for _, s := range []*redis.PubSub{sub, psub} {
		m, err := s.ReceiveMessage(ctx)
		if err != nil || m.Channel != "news.sports" || m.Payload != "match" {
			t.Fatalf("redis got %+v %v", m, err)
		}
	}
	// No bounce: the AMQP queue has exactly one copy, and each Redis
	// subscriber exactly one (the next message is the marker).
	if _, ok, _ := ch.Get(q.Name, true); !ok {
		t.Fatal("amqp queue missed its own publish")
	}
	if _, ok, _ := ch.Get(q.Name, true); ok {
		t.Fatal("message bounced back to amq.topic")
	}
	rc.Publish(ctx, "news.sports", "marker")
	for _, s := range []*redis.PubSub{sub, psub} {
		if m, err := s.ReceiveMessage(ctx); err != nil || m.Payload != "marker" {
			t.Fatalf("redis got %+v %v, want the marker", m, err)
		}
	}
}

// TestCrossProtoMultiPartition: Redis and AMQP see partition 0 of a
// multi-partition Kafka topic under the topic's name (partitions >= 1 as
// t#<i>: crossproto_partitions_test.go).
func TestCrossProtoMultiPartition(t *testing.T) {
	p := startJunction(t)
	ctx := ctxFor(t, 30*time.Second)
	adm := kadm.NewClient(cpKafka(t, p))
	if r, err := adm.CreateTopic(ctx, 3, 1, nil, "multi"); err != nil || r.Err != nil {
		t.Fatalf("create topic: %v %v", err, r.Err)
	}
	prod := cpKafka(t, p, kgo.DefaultProduceTopic("multi"), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err := prod.ProduceSync(ctx, &kgo.Record{Partition: 1, Value: []byte("p1")}, &kgo.Record{Partition: 0, Value: []byte("p0")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	xs, err := cpRedis(t, p).XRange(ctx, "multi", "-", "+").Result()
	if err != nil || len(xs) != 1 || xs[0].Values["value"] != "p0" {
		t.Fatalf("XRANGE multi = %v %v, want partition 0 only", xs, err)
	}
	ch := cpAMQP(t, p)
	if q, err := ch.QueueDeclarePassive("multi", true, false, false, false, nil); err != nil || q.Messages != 1 {
		t.Fatalf("passive declare of a multi-partition topic: %+v %v, want partition 0", q, err)
	}
}
