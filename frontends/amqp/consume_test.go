package amqp

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

func TestPropertiesRoundTrip(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(t)
	declare(t, ch, "props", nil)
	ts := time.Unix(1700000000, 0)
	headers := amqp.Table{
		"str": "s", "bool": true, "i8": int8(-8), "u8": uint8(8), "i16": int16(-16), "u16": uint16(16),
		"i32": int32(-32), "u32": uint32(32), "i64": int64(-64), "f32": float32(1.5), "f64": 2.25,
		"dec": amqp.Decimal{Scale: 2, Value: 1234}, "bytes": []byte{0, 1, 2}, "ts": ts,
		"arr": []interface{}{"a", int32(1), true}, "table": amqp.Table{"nested": "yes"}, "void": nil,
	}
	sent := amqp.Publishing{
		Headers: headers, ContentType: "text/plain", ContentEncoding: "gzip", DeliveryMode: 2, Priority: 5,
		CorrelationId: "corr", ReplyTo: "reply", Expiration: "60000", MessageId: "mid", Timestamp: ts,
		Type: "type", UserId: "guest", AppId: "app", Body: []byte("payload"),
	}
	publishMsg(t, ch, "", "props", sent)
	for _, viaConsume := range []bool{false, true} {
		var d amqp.Delivery
		if viaConsume {
			publishMsg(t, ch, "", "props", sent)
			d = recv(t, consume(t, ch, "props", true))
		} else {
			var ok bool
			if d, ok = get(t, ch, "props"); !ok {
				t.Fatal("empty")
			}
		}
		if d.ContentType != "text/plain" || d.ContentEncoding != "gzip" || d.DeliveryMode != 2 || d.Priority != 5 ||
			d.CorrelationId != "corr" || d.ReplyTo != "reply" || d.Expiration != "60000" || d.MessageId != "mid" ||
			!d.Timestamp.Equal(ts) || d.Type != "type" || d.UserId != "guest" || d.AppId != "app" || string(d.Body) != "payload" {
			t.Fatalf("properties changed: %+v", d)
		}
		for k, v := range headers {
			got := d.Headers[k]
			if fmt.Sprint(got) != fmt.Sprint(v) || fmt.Sprintf("%T", got) != fmt.Sprintf("%T", v) {
				t.Errorf("header %s: got %T %v, want %T %v", k, got, got, v, v)
			}
		}
	}
}

func TestUserIDAndExpirationChecks(t *testing.T) {
	e := newEnv(t)
	c := e.dial(t)
	ch := openChannel(t, c)
	notify := ch.NotifyClose(make(chan *amqp.Error, 1))
	publishMsg(t, ch, "", "q", amqp.Publishing{UserId: "mallory"})
	closedWith(t, notify, 406, "PRECONDITION_FAILED - user_id property set to 'mallory' but authenticated user was 'guest'")
	ch = openChannel(t, c)
	notify = ch.NotifyClose(make(chan *amqp.Error, 1))
	publishMsg(t, ch, "", "q", amqp.Publishing{Expiration: "soon"})
	closedWith(t, notify, 406, "PRECONDITION_FAILED - invalid expiration 'soon': no_integer")
}

func TestConsumeAckAndTags(t *testing.T) {
	e := newEnv(t)
	c := e.dial(t)
	ch1, ch2 := openChannel(t, c), openChannel(t, c)
	declare(t, ch1, "a", nil)
	declare(t, ch1, "b", nil)
	for i := range 3 {
		publish(t, ch1, "", "a", fmt.Sprint("a", i))
		publish(t, ch1, "", "b", fmt.Sprint("b", i))
	}
	// Each channel numbers its own deliveries from 1.
	da := consume(t, ch1, "a", false)
	db := consume(t, ch2, "b", false)
	for i := range 3 {
		x, y := recv(t, da), recv(t, db)
		if x.DeliveryTag != uint64(i+1) || y.DeliveryTag != uint64(i+1) {
			t.Fatalf("tags %d %d, want %d", x.DeliveryTag, y.DeliveryTag, i+1)
		}
		if string(x.Body) != fmt.Sprint("a", i) || x.Redelivered {
			t.Fatalf("got %q redelivered=%v", x.Body, x.Redelivered)
		}
	}
	// ack multiple on ch1, single on ch2; then unknown tags.
	if err := ch1.Ack(3, true); err != nil {
		t.Fatal(err)
	}
	if err := ch2.Ack(2, false); err != nil {
		t.Fatal(err)
	}
	notify := ch2.NotifyClose(make(chan *amqp.Error, 1))
	if err := ch2.Ack(2, false); err != nil {
		t.Fatal(err)
	}
	closedWith(t, notify, 406, "PRECONDITION_FAILED - unknown delivery tag 2")
	// ch2's unacked b0 and b2 went back to the queue, redelivered in order.
	d0, _ := get(t, ch1, "b")
	d2, _ := get(t, ch1, "b")
	if string(d0.Body) != "b0" || string(d2.Body) != "b2" || !d0.Redelivered || !d2.Redelivered {
		t.Fatalf("got %q %q", d0.Body, d2.Body)
	}
	q, _ := ch1.QueueDeclarePassive("a", false, false, false, false, nil)
	if q.Messages != 0 {
		t.Fatalf("a has %d messages after ack", q.Messages)
	}
}

func TestPrefetch(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(t)
	declare(t, ch, "pf", nil)
	const n, prefetch = 50, 5
	for i := range n {
		publish(t, ch, "", "pf", fmt.Sprint(i))
	}
	if err := ch.Qos(prefetch, 0, false); err != nil {
		t.Fatal(err)
	}
	ds := consume(t, ch, "pf", false)
	unacked := 0
	for i := range n {
		d := recv(t, ds)
		if string(d.Body) != fmt.Sprint(i) {
			t.Fatalf("got %q, want %d", d.Body, i)
		}
		unacked++
		// The server must not have sent more than the window.
		ping(t, ch)
		if extra := len(ds); unacked+extra > prefetch {
			t.Fatalf("%d unacked + %d buffered > prefetch %d", unacked, extra, prefetch)
		}
		if unacked == prefetch || i == n-1 {
			if err := d.Ack(true); err != nil {
				t.Fatal(err)
			}
			unacked = 0
		}
	}

	// Global qos is shared by the channel's consumers.
	declare(t, ch, "g1", nil)
	declare(t, ch, "g2", nil)
	for i := range 10 {
		publish(t, ch, "", "g1", fmt.Sprint(i))
		publish(t, ch, "", "g2", fmt.Sprint(i))
	}
	if err := ch.Qos(0, 0, false); err != nil {
		t.Fatal(err)
	}
	if err := ch.Qos(3, 0, true); err != nil {
		t.Fatal(err)
	}
	d1 := consume(t, ch, "g1", false)
	d2 := consume(t, ch, "g2", false)
	got := 0
	deadline := time.After(wait)
	for got < 3 {
		select {
		case <-d1:
		case <-d2:
		case <-deadline:
			t.Fatal("no deliveries")
		}
		got++
	}
	ping(t, ch)
	if extra := len(d1) + len(d2); extra != 0 {
		t.Fatalf("%d deliveries beyond the global prefetch", extra)
	}

	// prefetch_size is not implemented (a connection error).
	c2 := e.dial(t)
	ch2 := openChannel(t, c2)
	wantErr(t, ch2.Qos(1, 10, false), 540, "NOT_IMPLEMENTED - prefetch_size!=0 (10)")
}

func TestNackRequeueKeepsOrder(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(t)
	declare(t, ch, "nq", nil)
	for i := range 5 {
		publish(t, ch, "", "nq", fmt.Sprint(i))
	}
	ds := consume(t, ch, "nq", false)
	var last amqp.Delivery
	for range 5 {
		last = recv(t, ds)
	}
	if err := ch.Nack(last.DeliveryTag, true, true); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		d := recv(t, ds)
		if string(d.Body) != fmt.Sprint(i) || !d.Redelivered {
			t.Fatalf("redelivery %d: %q redelivered=%v", i, d.Body, d.Redelivered)
		}
		if i == 4 {
			d.Ack(true)
		}
	}
	// reject without requeue drops it.
	publish(t, ch, "", "nq", "drop")
	d := recv(t, ds)
	if err := d.Reject(false); err != nil {
		t.Fatal(err)
	}
	noDelivery(t, ch, ds)
	// recover redelivers everything unacknowledged.
	publish(t, ch, "", "nq", "again")
	d = recv(t, ds)
	if err := ch.Recover(true); err != nil {
		t.Fatal(err)
	}
	if d = recv(t, ds); string(d.Body) != "again" || !d.Redelivered {
		t.Fatalf("after recover: %q redelivered=%v", d.Body, d.Redelivered)
	}
}

func TestDroppedConnectionReturnsUnacked(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(t)
	declare(t, ch, "work", nil)
	for i := range 10 {
		publish(t, ch, "", "work", fmt.Sprint(i))
	}
	c1 := e.dial(t)
	ch1 := openChannel(t, c1)
	ch1.Qos(4, 0, false)
	ds1 := consume(t, ch1, "work", false)
	first := recvBodies(t, ds1, 4)
	recv := consume(t, ch, "work", false)
	// The second consumer gets the other 6.
	rest := recvBodies(t, recv, 6)
	c1.Close()
	back := recvBodies(t, recv, 4)
	if !slices.Equal(back, first) {
		t.Fatalf("returned %v, want %v", back, first)
	}
	all := append(rest, back...)
	slices.Sort(all)
	want := fmtBodies(10, "")
	slices.Sort(want)
	if !slices.Equal(all, want) {
		t.Fatalf("got %v", all)
	}
}

func TestGet(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(t)
	declare(t, ch, "g", nil)
	if _, ok := get(t, ch, "g"); ok {
		t.Fatal("get on empty queue")
	}
	publish(t, ch, "amq.direct", "none", "lost")
	publish(t, ch, "", "g", "1")
	publish(t, ch, "", "g", "2")
	d, ok, err := ch.Get("g", false)
	if err != nil || !ok || string(d.Body) != "1" || d.MessageCount != 1 || d.DeliveryTag != 1 {
		t.Fatalf("get = %+v %v %v", d, ok, err)
	}
	if err := d.Nack(false, true); err != nil {
		t.Fatal(err)
	}
	d, _, _ = ch.Get("g", true)
	if string(d.Body) != "1" || !d.Redelivered || d.DeliveryTag != 2 {
		t.Fatalf("after nack: %q %v %d", d.Body, d.Redelivered, d.DeliveryTag)
	}
}

func TestConsumeErrors(t *testing.T) {
	e := newEnv(t)
	c := e.dial(t)
	ch := openChannel(t, c)
	declare(t, ch, "q", nil)
	_, err := ch.Consume("missing", "", false, false, false, false, nil)
	wantErr(t, err, 404, "NOT_FOUND - no queue 'missing' in vhost '/'")

	ch = openChannel(t, c)
	if _, err := ch.Consume("q", "ex", false, true, false, false, nil); err != nil {
		t.Fatal(err)
	}
	_, err = openChannel(t, c).Consume("q", "", false, false, false, false, nil)
	wantErr(t, err, 403, "ACCESS_REFUSED - queue 'q' in vhost '/' in exclusive use")

	// A cancelled consumer leaves the queue to others; cancel of an unknown
	// tag is fine.
	if err := ch.Cancel("ex", false); err != nil {
		t.Fatal(err)
	}
	if err := ch.Cancel("never", false); err != nil {
		t.Fatal(err)
	}
	// Reusing a tag is a connection error.
	if _, err := ch.Consume("q", "dup", false, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	_, err = ch.Consume("q", "dup", false, false, false, false, nil)
	wantErr(t, err, 530, "NOT_ALLOWED - attempt to reuse consumer tag 'dup'")
}

func TestConsumerPriority(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(t)
	declare(t, ch, "cp", nil)
	low, err := ch.Consume("cp", "low", true, false, false, false, amqp.Table{"x-priority": int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	high, err := ch.Consume("cp", "high", true, false, false, false, amqp.Table{"x-priority": int32(10)})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		publish(t, ch, "", "cp", fmt.Sprint(i))
	}
	if got := recvBodies(t, high, 5); !slices.Equal(got, fmtBodies(5, "")) {
		t.Fatalf("high got %v", got)
	}
	noDelivery(t, ch, low)
}

func TestMandatoryAndImmediate(t *testing.T) {
	e := newEnv(t)
	c := e.dial(t)
	ch := openChannel(t, c)
	returns := ch.NotifyReturn(make(chan amqp.Return, 1))
	ctx := t.Context()
	if err := ch.PublishWithContext(ctx, "amq.direct", "nobody", true, false, amqp.Publishing{Body: []byte("back")}); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-returns:
		if r.ReplyCode != 312 || r.ReplyText != "NO_ROUTE" || r.Exchange != "amq.direct" || r.RoutingKey != "nobody" || string(r.Body) != "back" {
			t.Fatalf("return %+v", r)
		}
	case <-timeAfter():
		t.Fatal("no basic.return")
	}
	notify := c.NotifyClose(make(chan *amqp.Error, 1))
	if err := ch.PublishWithContext(ctx, "", "x", false, true, amqp.Publishing{}); err != nil {
		t.Fatal(err)
	}
	closedWith(t, notify, 540, "NOT_IMPLEMENTED - immediate=true")
}

func TestChannelFlow(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(t)
	declare(t, ch, "fl", nil)
	ds := consume(t, ch, "fl", true)
	if err := ch.Flow(false); err != nil {
		t.Fatal(err)
	}
	publish(t, ch, "", "fl", "held")
	noDelivery(t, ch, ds)
	if err := ch.Flow(true); err != nil {
		t.Fatal(err)
	}
	if got := string(recv(t, ds).Body); got != "held" {
		t.Fatalf("got %q", got)
	}
}

func TestDirectReplyTo(t *testing.T) {
	e := newEnv(t)
	client := e.channel(t)
	server := e.channel(t)
	declare(t, server, "rpc", nil)
	requests := consume(t, server, "rpc", true)
	replies, err := client.Consume("amq.rabbitmq.reply-to", "", true, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	publishMsg(t, client, "", "rpc", amqp.Publishing{ReplyTo: "amq.rabbitmq.reply-to", Body: []byte("ping")})
	req := recv(t, requests)
	if !strings.HasPrefix(req.ReplyTo, "amq.rabbitmq.reply-to.") {
		t.Fatalf("reply-to %q", req.ReplyTo)
	}
	publish(t, server, "", req.ReplyTo, "pong")
	if got := string(recv(t, replies).Body); got != "pong" {
		t.Fatalf("got %q", got)
	}
	// Acknowledging reply consumers are refused.
	_, err = e.channel(t).Consume("amq.rabbitmq.reply-to", "", false, false, false, false, nil)
	wantErr(t, err, 406, "PRECONDITION_FAILED - reply consumer cannot acknowledge")
}
