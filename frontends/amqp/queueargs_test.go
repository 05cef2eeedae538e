package amqp

import (
	"fmt"
	"slices"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// dlxSetup declares a fanout dead-letter exchange "dlx" bound to queue
// "dead" and returns a consumer of "dead".
func dlxSetup(t *testing.T, ch *amqp.Channel) <-chan amqp.Delivery {
	t.Helper()
	if err := ch.ExchangeDeclare("dlx", "fanout", false, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	declare(t, ch, "dead", nil)
	if err := ch.QueueBind("dead", "", "dlx", false, nil); err != nil {
		t.Fatal(err)
	}
	return consume(t, ch, "dead", true)
}

func death(t *testing.T, d amqp.Delivery) amqp.Table {
	t.Helper()
	deaths, ok := d.Headers["x-death"].([]interface{})
	if !ok || len(deaths) == 0 {
		t.Fatalf("no x-death in %v", d.Headers)
	}
	return deaths[0].(amqp.Table)
}

func TestMessageTTLAndDeadLetter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ch := e.channel(t)
	dead := dlxSetup(t, ch)
	declare(t, ch, "ttl", amqp.Table{"x-message-ttl": int32(50), "x-dead-letter-exchange": "dlx"})
	start := time.Now()
	publishMsg(t, ch, "amq.direct", "x", amqp.Publishing{}) // unroutable, ignored
	publishMsg(t, ch, "", "ttl", amqp.Publishing{Body: []byte("old"), Headers: amqp.Table{"keep": "me"}})
	d := recv(t, dead)
	if time.Since(start) < 50*time.Millisecond {
		t.Fatalf("expired after %v", time.Since(start))
	}
	x := death(t, d)
	if x["reason"] != "expired" || x["queue"] != "ttl" || x["count"] != int64(1) || x["exchange"] != "" ||
		fmt.Sprint(x["routing-keys"]) != "[ttl]" {
		t.Fatalf("x-death %v", x)
	}
	if _, ok := x["time"].(time.Time); !ok {
		t.Fatalf("x-death time %T", x["time"])
	}
	if d.Headers["x-first-death-reason"] != "expired" || d.Headers["x-first-death-queue"] != "ttl" ||
		d.Headers["x-first-death-exchange"] != "" || d.Headers["keep"] != "me" || string(d.Body) != "old" {
		t.Fatalf("headers %v", d.Headers)
	}

	// Per-message expiration: original-expiration is kept, the property
	// removed; a dead-letter routing key replaces the key.
	declare(t, ch, "plain", amqp.Table{"x-dead-letter-exchange": "dlx", "x-dead-letter-routing-key": "rk"})
	publishMsg(t, ch, "", "plain", amqp.Publishing{Expiration: "50", Body: []byte("msg-ttl")})
	d = recv(t, dead)
	x = death(t, d)
	if x["original-expiration"] != "50" || d.Expiration != "" || d.RoutingKey != "rk" || x["queue"] != "plain" {
		t.Fatalf("x-death %v expiration %q key %q", x, d.Expiration, d.RoutingKey)
	}

	// A message that is consumed in time is not dead-lettered.
	declare(t, ch, "quick", amqp.Table{"x-message-ttl": int32(60000), "x-dead-letter-exchange": "dlx"})
	publish(t, ch, "", "quick", "fresh")
	if getBody(t, ch, "quick") != "fresh" {
		t.Fatal("lost fresh message")
	}
}

func TestRejectDeadLetterCounts(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(t)
	if err := ch.ExchangeDeclare("retry", "direct", false, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	// work dead-letters rejected messages back to itself through "retry";
	// rejection breaks RabbitMQ's cycle detection.
	declare(t, ch, "work", amqp.Table{"x-dead-letter-exchange": "retry"})
	if err := ch.QueueBind("work", "work", "retry", false, nil); err != nil {
		t.Fatal(err)
	}
	ds := consume(t, ch, "work", false)
	publish(t, ch, "", "work", "job")
	for i := 1; i <= 3; i++ {
		d := recv(t, ds)
		if i > 1 {
			x := death(t, d)
			if x["count"] != int64(i-1) || x["reason"] != "rejected" || d.Headers["x-last-death-reason"] != "rejected" {
				t.Fatalf("round %d: x-death %v", i, x)
			}
			if n := len(d.Headers["x-death"].([]interface{})); n != 1 {
				t.Fatalf("%d x-death entries", n)
			}
		}
		d.Reject(false)
	}
}

func TestMaxLengthOverflow(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(t)
	dead := dlxSetup(t, ch)

	// drop-head: the oldest go (dead-lettered with maxlen).
	declare(t, ch, "dh", amqp.Table{"x-max-length": int32(2), "x-dead-letter-exchange": "dlx"})
	for i := range 4 {
		publish(t, ch, "", "dh", fmt.Sprint(i))
	}
	if got := recvBodies(t, dead, 2); !slices.Equal(got, []string{"0", "1"}) {
		t.Fatalf("dropped %v", got)
	}
	if got := []string{getBody(t, ch, "dh"), getBody(t, ch, "dh")}; !slices.Equal(got, []string{"2", "3"}) {
		t.Fatalf("kept %v", got)
	}

	// max bytes.
	declare(t, ch, "mb", amqp.Table{"x-max-length-bytes": int32(10)})
	publish(t, ch, "", "mb", "12345")
	publish(t, ch, "", "mb", "67890")
	publish(t, ch, "", "mb", "abc")
	if got := getBody(t, ch, "mb"); got != "67890" {
		t.Fatalf("max bytes kept %q first", got)
	}

	// reject-publish-dlx: the new message is refused and dead-lettered.
	declare(t, ch, "rd", amqp.Table{"x-max-length": int32(1), "x-overflow": "reject-publish-dlx", "x-dead-letter-exchange": "dlx"})
	publish(t, ch, "", "rd", "kept")
	publish(t, ch, "", "rd", "refused")
	d := recv(t, dead)
	if string(d.Body) != "refused" || death(t, d)["reason"] != "maxlen" {
		t.Fatalf("dead-lettered %q %v", d.Body, d.Headers)
	}
	if got := getBody(t, ch, "rd"); got != "kept" {
		t.Fatalf("kept %q", got)
	}

	// x-max-length 0 holds nothing.
	declare(t, ch, "zero", amqp.Table{"x-max-length": int32(0), "x-dead-letter-exchange": "dlx"})
	publish(t, ch, "", "zero", "gone")
	if d := recv(t, dead); string(d.Body) != "gone" {
		t.Fatalf("got %q", d.Body)
	}
}

func TestPriorities(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(t)
	declare(t, ch, "prio", amqp.Table{"x-max-priority": int32(5)})
	for i, p := range []uint8{0, 3, 9, 1, 3} {
		publishMsg(t, ch, "", "prio", amqp.Publishing{Priority: p, Body: []byte(fmt.Sprint(i))})
	}
	var got []string
	for range 5 {
		got = append(got, getBody(t, ch, "prio"))
	}
	// 9 counts as 5; equal priorities keep publish order.
	if want := []string{"2", "1", "4", "3", "0"}; !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

func TestSingleActiveConsumer(t *testing.T) {
	e := newEnv(t)
	c := e.dial(t)
	ch1, ch2 := openChannel(t, c), openChannel(t, c)
	declare(t, ch1, "sac", amqp.Table{"x-single-active-consumer": true})
	d1 := consume(t, ch1, "sac", false)
	d2 := consume(t, ch2, "sac", false)
	for i := range 3 {
		publish(t, ch1, "", "sac", fmt.Sprint(i))
	}
	recvBodies(t, d1, 3)
	noDelivery(t, ch2, d2)
	// The active consumer goes: its unacked messages and the rest go to
	// the next.
	publish(t, ch1, "", "sac", "3")
	recv(t, d1)
	ch1.Close()
	if got := recvBodies(t, d2, 4); !slices.Equal(got, []string{"0", "1", "2", "3"}) {
		t.Fatalf("second consumer got %v", got)
	}
}

func TestQueueExpires(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ch := e.channel(t)
	// Long enough that the bind and the hook below come first even on a
	// loaded machine (a queue that expired early made this test flaky).
	declare(t, ch, "exp", amqp.Table{"x-expires": int32(400)})
	if err := ch.QueueBind("exp", "k", "amq.direct", false, nil); err != nil {
		t.Fatal(err)
	}
	gone := make(chan struct{})
	if !e.b.OnQueueDeleted("exp", func() { close(gone) }) {
		t.Fatal("queue missing")
	}
	select {
	case <-gone:
	case <-timeAfter():
		t.Fatal("queue did not expire")
	}
	_, err := e.channel(t).QueueDeclarePassive("exp", false, false, false, false, nil)
	wantErr(t, err, 404, "NOT_FOUND - no queue 'exp' in vhost '/'")
	// Its binding went with it.
	vh := e.s.vhosts["/"]
	vh.mu.RLock()
	n := len(vh.exchanges["amq.direct"].bindings)
	vh.mu.RUnlock()
	if n != 0 {
		t.Fatalf("%d bindings left", n)
	}
}
