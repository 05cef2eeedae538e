package amqp

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"junction/broker"
	"junction/storage"
)

// clock is a settable broker clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func declareStream(t *testing.T, ch *amqp.Channel, name string, args amqp.Table) {
	t.Helper()
	if args == nil {
		args = amqp.Table{}
	}
	args["x-queue-type"] = "stream"
	if _, err := ch.QueueDeclare(name, true, false, false, false, args); err != nil {
		t.Fatal(err)
	}
}

func streamConsume(t *testing.T, ch *amqp.Channel, q string, offset any) <-chan amqp.Delivery {
	t.Helper()
	args := amqp.Table{}
	if offset != nil {
		args["x-stream-offset"] = offset
	}
	ds, err := ch.Consume(q, "", false, false, false, false, args)
	if err != nil {
		t.Fatalf("consume with offset %v: %v", offset, err)
	}
	return ds
}

func TestStreamOffsets(t *testing.T) {
	clk := &clock{t: time.Unix(1700000000, 0)}
	e := newEnv(t, withBroker(func(c *broker.Config) { c.Now = clk.now }))
	c := e.dial(t)
	ch := openChannel(t, c)
	declareStream(t, ch, "events", amqp.Table{"x-max-age": "7D"})
	if cfg := e.b.Topic("events").Config(); cfg.RetentionMs != 7*24*3600*1000 {
		t.Fatalf("retention %d", cfg.RetentionMs)
	}
	for i := range 3 {
		publish(t, ch, "", "events", fmt.Sprint(i))
	}
	ping(t, ch)
	clk.set(clk.now().Add(90 * time.Minute))
	for i := 3; i < 6; i++ {
		publish(t, ch, "", "events", fmt.Sprint(i))
	}
	ping(t, ch)
	clk.set(clk.now().Add(30 * time.Minute))

	cases := []struct {
		offset any
		first  int
	}{
		{"first", 0},
		{"last", 5},
		{int64(2), 2},
		{int32(4), 4},
		{time.Unix(1700000000+3600, 0), 3}, // a timestamp between the batches
		{"1h", 3},
		{"3h", 0},
	}
	for _, tc := range cases {
		sch := openChannel(t, c)
		if err := sch.Qos(10, 0, false); err != nil {
			t.Fatal(err)
		}
		ds := streamConsume(t, sch, "events", tc.offset)
		got := recvBodies(t, ds, 6-tc.first)
		if !slices.Equal(got, fmtBodies(6, "")[tc.first:]) {
			t.Errorf("offset %v: got %v", tc.offset, got)
		}
		sch.Close()
	}

	// "next" (and the default) waits for new messages; each delivery
	// carries its offset; acks give credit back.
	sch, dch := openChannel(t, c), openChannel(t, c)
	sch.Qos(2, 0, false)
	dch.Qos(2, 0, false)
	next := streamConsume(t, sch, "events", "next")
	def := streamConsume(t, dch, "events", nil)
	noDelivery(t, sch, next)
	for i := 6; i < 10; i++ {
		publishMsg(t, ch, "", "events", amqp.Publishing{Body: []byte(fmt.Sprint(i)), Headers: amqp.Table{"mine": "x"}})
	}
	for i, ds := range []<-chan amqp.Delivery{next, def} {
		sch := []*amqp.Channel{sch, dch}[i]
		var last amqp.Delivery
		for i := 6; i < 8; i++ {
			d := recv(t, ds)
			if string(d.Body) != fmt.Sprint(i) || d.Headers["x-stream-offset"] != int64(i) || d.Headers["mine"] != "x" || d.Redelivered {
				t.Fatalf("delivery %q headers %v", d.Body, d.Headers)
			}
			last = d
		}
		// Prefetch 2: nothing more until an ack.
		noDelivery(t, sch, ds)
		last.Ack(true)
		if got := recvBodies(t, ds, 2); !slices.Equal(got, []string{"8", "9"}) {
			t.Fatalf("after ack got %v", got)
		}
	}
}

func TestStreamConsumerChecks(t *testing.T) {
	e := newEnv(t)
	c := e.dial(t)
	ch := openChannel(t, c)
	declareStream(t, ch, "s", nil)
	_, err := openChannel(t, c).Consume("s", "", false, false, false, false, nil)
	wantErr(t, err, 406, "PRECONDITION_FAILED - consumer prefetch count is not set for stream queue 's' in vhost '/'")
	ach := openChannel(t, c)
	ach.Qos(5, 0, false)
	_, err = ach.Consume("s", "", true, false, false, false, nil)
	wantErr(t, err, 406, "PRECONDITION_FAILED - consumer prefetch count is not set for stream queue 's' in vhost '/'")
	bch := openChannel(t, c)
	bch.Qos(5, 0, false)
	_, err = bch.Consume("s", "", false, false, false, false, amqp.Table{"x-stream-offset": "yesterday"})
	wantErr(t, err, 406, "")
	_, err = openChannel(t, c).QueuePurge("s", false)
	wantErr(t, err, 406, "PRECONDITION_FAILED - queue 's' in vhost '/' does not support purging")

	// Deleting the stream cancels its consumers and deletes the topic.
	sch := openChannel(t, c)
	sch.Qos(5, 0, false)
	cancels := sch.NotifyCancel(make(chan string, 1))
	streamConsume(t, sch, "s", "first")
	if _, err := ch.QueueDelete("s", false, false, false); err != nil {
		t.Fatal(err)
	}
	select {
	case <-cancels:
	case <-timeAfter():
		t.Fatal("no cancel")
	}
	if e.b.Topic("s") != nil {
		t.Fatal("topic left")
	}
}

func TestStreamInterop(t *testing.T) {
	e := newEnv(t)
	// A topic written by "Kafka" and "Redis" (records with their origins).
	top, err := e.b.CreateTopic("shared", broker.TopicConfig{Partitions: 1})
	if err != nil {
		t.Fatal(err)
	}
	p := top.Partition(0)
	if _, err := p.Append([]storage.Record{
		{Origin: storage.OriginKafka, Key: []byte("k1"), Value: []byte("from kafka"), Headers: []storage.Header{{Key: []byte("trace"), Value: []byte("abc")}}},
		{Origin: storage.OriginRedis, Headers: []storage.Header{{Key: []byte("field"), Value: []byte("value")}}},
	}); err != nil {
		t.Fatal(err)
	}
	ch := e.channel(t)
	// Adopted as a stream queue by name.
	q, err := ch.QueueDeclarePassive("shared", true, false, false, false, nil)
	if err != nil || q.Messages != 2 {
		t.Fatalf("passive declare: %+v %v", q, err)
	}
	if err := ch.QueueBind("shared", "#", "amq.topic", false, nil); err != nil {
		t.Fatal(err)
	}
	publishMsg(t, ch, "amq.topic", "from.amqp", amqp.Publishing{ContentType: "text/plain", Body: []byte("from amqp"),
		Headers: amqp.Table{"n": int32(7), "s": "str"}})
	ping(t, ch)
	ch.Qos(10, 0, false)
	ds := streamConsume(t, ch, "shared", "first")
	k := recv(t, ds)
	if string(k.Body) != "from kafka" || k.RoutingKey != "k1" || k.Headers["trace"] != "abc" || k.Headers["x-stream-offset"] != int64(0) {
		t.Fatalf("kafka record: %q key %q headers %v", k.Body, k.RoutingKey, k.Headers)
	}
	r := recv(t, ds)
	if string(r.Body) != "value" || r.Headers["redis-field"] != "field" {
		t.Fatalf("redis record: %q %v", r.Body, r.Headers)
	}
	a := recv(t, ds)
	if string(a.Body) != "from amqp" || a.ContentType != "text/plain" || a.RoutingKey != "from.amqp" || a.Exchange != "amq.topic" ||
		a.Headers["n"] != int32(7) || a.Headers["x-stream-offset"] != int64(2) {
		t.Fatalf("amqp record: %+v", a)
	}
	// Other protocols see the body as the value and headers as strings.
	recs, err := p.Read(nil, 2, 1, 0)
	if err != nil || len(recs) != 1 {
		t.Fatal(err)
	}
	rec := recs[0]
	if rec.Origin != storage.OriginAMQP || string(rec.Value) != "from amqp" || string(rec.Key) != "from.amqp" {
		t.Fatalf("record %+v", rec)
	}
	hs := map[string]string{}
	for _, h := range rec.Headers {
		hs[string(h.Key)] = string(h.Value)
	}
	if hs["n"] != "7" || hs["s"] != "str" || hs["x-exchange"] != "amq.topic" {
		t.Fatalf("record headers %v", hs)
	}
}
