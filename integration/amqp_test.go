// Black-box AMQP 0-9-1 tests: amqp091-go against the real binary —
// confirms, ordered manual-ack consumption, prefetch, nack/requeue,
// redelivery after a consumer connection drops, mandatory returns, login
// refusal, restart durability and stream queues.
package integration

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// raTopology declares a durable direct exchange, a durable queue and a
// binding with key "k".
func raTopology(t testing.TB, ch *amqp.Channel, exchange, queue string) {
	t.Helper()
	if err := ch.ExchangeDeclare(exchange, "direct", true, false, false, false, nil); err != nil {
		t.Fatalf("exchange.declare: %v", err)
	}
	if _, err := ch.QueueDeclare(queue, true, false, false, false, nil); err != nil {
		t.Fatalf("queue.declare: %v", err)
	}
	if err := ch.QueueBind(queue, "k", exchange, false, nil); err != nil {
		t.Fatalf("queue.bind: %v", err)
	}
}

// raPublishConfirmed publishes bodies in confirm mode and requires an ack
// for each, in order.
func raPublishConfirmed(t testing.TB, ch *amqp.Channel, exchange, key string, mode uint8, bodies ...string) {
	t.Helper()
	ctx := ctxFor(t, raWait)
	for _, b := range bodies {
		dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, exchange, key, false, false,
			amqp.Publishing{Body: []byte(b), DeliveryMode: mode})
		if err != nil {
			t.Fatalf("publish %q: %v", b, err)
		}
		if dc == nil {
			t.Fatal("channel not in confirm mode")
		}
		ok, err := dc.WaitContext(ctx)
		if err != nil || !ok {
			t.Fatalf("confirm of %q: ack=%v err=%v", b, ok, err)
		}
	}
}

func raConfirmMode(t testing.TB, ch *amqp.Channel) {
	t.Helper()
	if err := ch.Confirm(false); err != nil {
		t.Fatalf("confirm.select: %v", err)
	}
}

func TestAMQPConfirmsAndOrderedManualAck(t *testing.T) {
	p := startJunction(t)
	_, ch := raDialAMQP(t, p)
	raTopology(t, ch, "it.direct", "it.q")
	raConfirmMode(t, ch)
	const n = 1000
	confirms := ch.NotifyPublish(make(chan amqp.Confirmation, n))
	ctx := ctxFor(t, 3*raWait)
	for i := 0; i < n; i++ {
		err := ch.PublishWithContext(ctx, "it.direct", "k", false, false, amqp.Publishing{
			Body: []byte(fmt.Sprintf("m-%d", i)), DeliveryMode: amqp.Persistent,
			Headers: amqp.Table{"i": int32(i)},
		})
		if err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	for i := 1; i <= n; i++ {
		select {
		case c := <-confirms:
			if !c.Ack || c.DeliveryTag != uint64(i) {
				t.Fatalf("confirm %d = %+v", i, c)
			}
		case <-time.After(raWait):
			t.Fatalf("only %d of %d confirms", i-1, n)
		}
	}
	if q, err := ch.QueueDeclarePassive("it.q", true, false, false, false, nil); err != nil || q.Messages != n {
		t.Fatalf("queue after publish: %+v, %v", q, err)
	}

	_, cch := raDialAMQP(t, p)
	if err := cch.Qos(100, 0, false); err != nil {
		t.Fatal(err)
	}
	dc, err := cch.Consume("it.q", "c1", false, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		d := raRecv(t, dc)
		if string(d.Body) != fmt.Sprintf("m-%d", i) || d.Headers["i"] != int32(i) || d.Redelivered ||
			d.DeliveryMode != amqp.Persistent || d.Exchange != "it.direct" || d.RoutingKey != "k" {
			t.Fatalf("delivery %d: body %q headers %v redelivered %v mode %d ex %q key %q",
				i, d.Body, d.Headers, d.Redelivered, d.DeliveryMode, d.Exchange, d.RoutingKey)
		}
		if err := d.Ack(false); err != nil {
			t.Fatal(err)
		}
	}
	if err := cch.Cancel("c1", false); err != nil {
		t.Fatal(err)
	}
	if q, err := ch.QueueDeclarePassive("it.q", true, false, false, false, nil); err != nil || q.Messages != 0 {
		t.Fatalf("queue after acking all: %+v, %v", q, err)
	}
}

func TestAMQPPrefetchHonoured(t *testing.T) {
	p := startJunction(t)
	_, ch := raDialAMQP(t, p)
	raTopology(t, ch, "pf.x", "pf.q")
	raConfirmMode(t, ch)
	const total, prefetch = 30, 5
	var bodies []string
	for i := 0; i < total; i++ {
		bodies = append(bodies, fmt.Sprint(i))
	}
	raPublishConfirmed(t, ch, "pf.x", "k", amqp.Transient, bodies...)

	_, cch := raDialAMQP(t, p)
	if err := cch.Qos(prefetch, 0, false); err != nil {
		t.Fatal(err)
	}
	dc, err := cch.Consume("pf.q", "", false, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	var held []amqp.Delivery
	for got := 0; got < total; got++ {
		d := raRecv(t, dc)
		if string(d.Body) != fmt.Sprint(got) {
			t.Fatalf("delivery %d body %q", got, d.Body)
		}
		// The server only sends the next delivery after an ack we sent,
		// so what we hold unacked can never exceed the prefetch.
		held = append(held, d)
		if len(held) > prefetch {
			t.Fatalf("%d unacked deliveries with prefetch %d", len(held), prefetch)
		}
		if len(held) == prefetch {
			if got == prefetch-1 {
				// With the window full, the rest must still be ready in the queue.
				q, err := ch.QueueDeclarePassive("pf.q", true, false, false, false, nil)
				if err != nil || q.Messages != total-prefetch {
					t.Fatalf("ready with window full = %+v, %v; want %d", q, err, total-prefetch)
				}
			}
			if err := held[0].Ack(false); err != nil {
				t.Fatal(err)
			}
			held = held[1:]
		}
	}
	// Ack the remainder with one multiple ack.
	if err := held[len(held)-1].Ack(true); err != nil {
		t.Fatal(err)
	}
	if q, err := ch.QueueDeclarePassive("pf.q", true, false, false, false, nil); err != nil || q.Messages != 0 {
		t.Fatalf("queue at end: %+v, %v", q, err)
	}
}

func TestAMQPNackRequeueAndConnectionDropRedeliver(t *testing.T) {
	p := startJunction(t)
	_, ch := raDialAMQP(t, p)
	raTopology(t, ch, "rq.x", "rq.q")
	raConfirmMode(t, ch)
	raPublishConfirmed(t, ch, "rq.x", "k", amqp.Persistent, "a")

	dc, err := ch.Consume("rq.q", "first", false, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := raRecv(t, dc)
	if string(d.Body) != "a" || d.Redelivered {
		t.Fatalf("first delivery %q redelivered=%v", d.Body, d.Redelivered)
	}
	if err := d.Nack(false, true); err != nil {
		t.Fatal(err)
	}
	d2 := raRecv(t, dc)
	if string(d2.Body) != "a" || !d2.Redelivered || d2.DeliveryTag == d.DeliveryTag {
		t.Fatalf("after nack/requeue: %q redelivered=%v tag %d (was %d)", d2.Body, d2.Redelivered, d2.DeliveryTag, d.DeliveryTag)
	}
	// Nack without requeue drops it.
	if err := d2.Nack(false, false); err != nil {
		t.Fatal(err)
	}
	if q, err := ch.QueueDeclarePassive("rq.q", true, false, false, false, nil); err != nil || q.Messages != 0 {
		t.Fatalf("after nack without requeue: %+v, %v", q, err)
	}

	if err := ch.Cancel("first", false); err != nil {
		t.Fatal(err)
	}

	// A consumer whose connection drops gives its unacked messages back.
	raPublishConfirmed(t, ch, "rq.x", "k", amqp.Persistent, "x", "y", "z")
	connA, chA := raDialAMQP(t, p)
	if err := chA.Qos(10, 0, false); err != nil {
		t.Fatal(err)
	}
	dA, err := chA.Consume("rq.q", "", false, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"x", "y", "z"} {
		if d := raRecv(t, dA); string(d.Body) != want || d.Redelivered {
			t.Fatalf("consumer A got %q redelivered=%v, want fresh %q", d.Body, d.Redelivered, want)
		}
	}
	connA.Close()

	_, chB := raDialAMQP(t, p)
	dB, err := chB.Consume("rq.q", "", false, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"x", "y", "z"} {
		d := raRecv(t, dB)
		if string(d.Body) != want || !d.Redelivered {
			t.Fatalf("consumer B got %q redelivered=%v, want redelivered %q", d.Body, d.Redelivered, want)
		}
		d.Ack(false)
	}
}

func TestAMQPMandatoryReturnBeforeConfirm(t *testing.T) {
	p := startJunction(t)
	_, ch := raDialAMQP(t, p)
	raTopology(t, ch, "mand.x", "mand.q")
	raConfirmMode(t, ch)
	returns := ch.NotifyReturn(make(chan amqp.Return, 1))
	confirms := ch.NotifyPublish(make(chan amqp.Confirmation, 2))
	ctx := ctxFor(t, raWait)
	if err := ch.PublishWithContext(ctx, "mand.x", "nowhere", true, false, amqp.Publishing{Body: []byte("lost")}); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-confirms:
		if !c.Ack || c.DeliveryTag != 1 {
			t.Fatalf("confirm = %+v", c)
		}
	case <-time.After(raWait):
		t.Fatal("no confirm for the unroutable publish")
	}
	// The client library hands frames over in wire order, so a return sent
	// before the confirm is already buffered now.
	select {
	case r := <-returns:
		if r.ReplyCode != 312 || r.ReplyText != "NO_ROUTE" || r.Exchange != "mand.x" || r.RoutingKey != "nowhere" || string(r.Body) != "lost" {
			t.Fatalf("return = code %d %q ex %q key %q body %q", r.ReplyCode, r.ReplyText, r.Exchange, r.RoutingKey, r.Body)
		}
	default:
		t.Fatal("basic.return did not precede the confirm")
	}
	// A routable mandatory publish is confirmed without a return.
	if err := ch.PublishWithContext(ctx, "mand.x", "k", true, false, amqp.Publishing{Body: []byte("kept")}); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-confirms:
		if !c.Ack || c.DeliveryTag != 2 {
			t.Fatalf("confirm = %+v", c)
		}
	case <-time.After(raWait):
		t.Fatal("no confirm for the routable publish")
	}
	select {
	case r := <-returns:
		t.Fatalf("routable publish returned: %+v", r)
	default:
	}
}

func TestAMQPWrongPasswordRefused(t *testing.T) {
	p := startJunction(t)
	conn, err := amqp.DialConfig("amqp://guest:wrong@"+p.AMQPAddr+"/", amqp.Config{Dial: amqp.DefaultDial(raWait)})
	if err == nil {
		conn.Close()
		t.Fatal("login with a wrong password succeeded")
	}
	var aerr *amqp.Error
	if !errors.As(err, &aerr) || aerr.Code != amqp.AccessRefused || !aerr.Server ||
		!strings.HasPrefix(aerr.Reason, "ACCESS_REFUSED") {
		t.Fatalf("wrong password err = %#v, want connection.close 403 ACCESS_REFUSED from the broker", err)
	}
	t.Logf("refused: %v", err)
	// The right password still works.
	raDialAMQP(t, p)
}

func TestAMQPRestartKeepsDurableDropsTransient(t *testing.T) {
	p := startJunction(t)
	conn, ch := raDialAMQP(t, p)
	raTopology(t, ch, "dur.x", "dur.q")
	if _, err := ch.QueueDeclare("tmp.q", false, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if err := ch.QueueBind("tmp.q", "k", "dur.x", false, nil); err != nil {
		t.Fatal(err)
	}
	if err := ch.ExchangeDeclare("tmp.x", "fanout", false, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	raConfirmMode(t, ch)
	raPublishConfirmed(t, ch, "dur.x", "k", amqp.Persistent, "p1", "p2")
	raPublishConfirmed(t, ch, "dur.x", "k", amqp.Transient, "t1")
	raPublishConfirmed(t, ch, "dur.x", "k", amqp.Persistent, "p3")
	conn.Close()

	p.Restart(t)

	conn, ch = raDialAMQP(t, p)
	if err := ch.ExchangeDeclarePassive("dur.x", "direct", true, false, false, false, nil); err != nil {
		t.Fatalf("durable exchange gone after restart: %v", err)
	}
	q, err := ch.QueueDeclarePassive("dur.q", true, false, false, false, nil)
	if err != nil || q.Messages != 3 {
		t.Fatalf("durable queue after restart: %+v, %v; want 3 persistent messages", q, err)
	}
	var aerr *amqp.Error
	if _, err := ch.QueueDeclarePassive("tmp.q", false, false, false, false, nil); !errors.As(err, &aerr) || aerr.Code != amqp.NotFound {
		t.Fatalf("transient queue after restart: err %v, want 404", err)
	}
	ch, err = conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.ExchangeDeclarePassive("tmp.x", "fanout", false, false, false, false, nil); !errors.As(err, &aerr) || aerr.Code != amqp.NotFound {
		t.Fatalf("transient exchange after restart: err %v, want 404", err)
	}
	ch, err = conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	// The binding survived: a mandatory publish via dur.x is routed, not returned.
	raConfirmMode(t, ch)
	returns := ch.NotifyReturn(make(chan amqp.Return, 1))
	ctx := ctxFor(t, raWait)
	dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, "dur.x", "k", true, false, amqp.Publishing{Body: []byte("p4"), DeliveryMode: amqp.Persistent})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := dc.WaitContext(ctx); !ok || err != nil {
		t.Fatalf("confirm after restart: %v %v", ok, err)
	}
	select {
	case r := <-returns:
		t.Fatalf("binding lost after restart: publish returned %d %s", r.ReplyCode, r.ReplyText)
	default:
	}
	deliveries, err := ch.Consume("dur.q", "", false, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"p1", "p2", "p3", "p4"} {
		d := raRecv(t, deliveries)
		if string(d.Body) != want || d.DeliveryMode != amqp.Persistent {
			t.Fatalf("got %q mode %d, want persistent %q", d.Body, d.DeliveryMode, want)
		}
		d.Ack(false)
	}
}

func TestAMQPStreamQueue(t *testing.T) {
	p := startJunction(t)
	_, ch := raDialAMQP(t, p)
	if _, err := ch.QueueDeclare("it.stream", true, false, false, false, amqp.Table{"x-queue-type": "stream"}); err != nil {
		t.Fatalf("declare stream queue: %v", err)
	}
	raConfirmMode(t, ch)
	var bodies []string
	for i := 0; i < 10; i++ {
		bodies = append(bodies, fmt.Sprintf("s-%d", i))
	}
	raPublishConfirmed(t, ch, "", "it.stream", amqp.Persistent, bodies...)

	consume := func(offset any, from int) {
		t.Helper()
		_, cch := raDialAMQP(t, p)
		if err := cch.Qos(3, 0, false); err != nil {
			t.Fatal(err)
		}
		dc, err := cch.Consume("it.stream", "", false, false, false, false, amqp.Table{"x-stream-offset": offset})
		if err != nil {
			t.Fatalf("consume offset %v: %v", offset, err)
		}
		for i := from; i < len(bodies); i++ {
			d := raRecv(t, dc)
			if string(d.Body) != bodies[i] || d.Headers["x-stream-offset"] != int64(i) {
				t.Fatalf("offset %v: delivery %q header %#v, want %q at %d", offset, d.Body, d.Headers["x-stream-offset"], bodies[i], i)
			}
			if err := d.Ack(false); err != nil {
				t.Fatal(err)
			}
		}
	}
	consume("first", 0)
	consume(int64(7), 7)
	// Reading a stream does not consume it.
	consume("first", 0)
}
