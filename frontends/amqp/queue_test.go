package amqp

import (
	"strings"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"
)

func TestQueueDeclare(t *testing.T) {
	e := newEnv(t)
	c := e.dial(t)
	ch := openChannel(t, c)

	q, err := ch.QueueDeclare("", false, false, true, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(q.Name, "amq.gen-") || len(q.Name) != len("amq.gen-")+22 {
		t.Fatalf("server-named queue %q", q.Name)
	}
	declare(t, ch, "counts", nil)
	for range 3 {
		publish(t, ch, "", "counts", "m")
	}
	consume(t, openChannel(t, c), "counts", false)
	got, err := ch.QueueDeclarePassive("counts", false, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	// One message may already be with the consumer.
	if got.Consumers != 1 || got.Messages > 3 {
		t.Fatalf("declare-ok %+v", got)
	}
	// Equivalent redeclaration is fine.
	declare(t, ch, "counts", nil)

	cases := []struct {
		name   string
		do     func(ch *amqp.Channel) error
		code   int
		reason string
	}{
		{"passive missing", func(ch *amqp.Channel) error {
			_, err := ch.QueueDeclarePassive("nope", false, false, false, false, nil)
			return err
		}, 404, "NOT_FOUND - no queue 'nope' in vhost '/'"},
		{"reserved", func(ch *amqp.Channel) error {
			_, err := ch.QueueDeclare("amq.q", false, false, false, false, nil)
			return err
		}, 403, "ACCESS_REFUSED - queue name 'amq.q' contains reserved prefix 'amq.*'"},
		{"durable differs", func(ch *amqp.Channel) error {
			_, err := ch.QueueDeclare("counts", true, false, false, false, nil)
			return err
		}, 406, "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'counts' in vhost '/': received 'true' but current is 'false'"},
		{"arg added", func(ch *amqp.Channel) error {
			_, err := ch.QueueDeclare("counts", false, false, false, false, amqp.Table{"x-max-length": int32(10)})
			return err
		}, 406, "PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue 'counts' in vhost '/': received the value '10' of type 'signedint' but current is none"},
		{"arg changed", func(ch *amqp.Channel) error {
			declare(t, ch, "limited", amqp.Table{"x-max-length": int32(10)})
			_, err := ch.QueueDeclare("limited", false, false, false, false, amqp.Table{"x-max-length": int64(20)})
			return err
		}, 406, "PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue 'limited' in vhost '/': received '20' but current is '10'"},
		{"arg removed", func(ch *amqp.Channel) error {
			_, err := ch.QueueDeclare("limited", false, false, false, false, nil)
			return err
		}, 406, "PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue 'limited' in vhost '/': received none but current is the value '10' of type 'signedint'"},
		{"invalid arg", func(ch *amqp.Channel) error {
			_, err := ch.QueueDeclare("bad", false, false, false, false, amqp.Table{"x-message-ttl": int32(-1)})
			return err
		}, 406, "PRECONDITION_FAILED - invalid arg 'x-message-ttl' for queue 'bad' in vhost '/': {value_negative,-1}"},
		{"invalid overflow", func(ch *amqp.Channel) error {
			_, err := ch.QueueDeclare("bad", false, false, false, false, amqp.Table{"x-overflow": "nope"})
			return err
		}, 406, "PRECONDITION_FAILED - invalid arg 'x-overflow' for queue 'bad' in vhost '/': invalid_overflow"},
		{"dlrk without dlx", func(ch *amqp.Channel) error {
			_, err := ch.QueueDeclare("bad", false, false, false, false, amqp.Table{"x-dead-letter-routing-key": "k"})
			return err
		}, 406, "PRECONDITION_FAILED - invalid arg 'x-dead-letter-routing-key' for queue 'bad' in vhost '/': routing_key_but_no_dlx_defined"},
		{"stream not durable", func(ch *amqp.Channel) error {
			_, err := ch.QueueDeclare("s", false, false, false, false, amqp.Table{"x-queue-type": "stream"})
			return err
		}, 406, "PRECONDITION_FAILED - invalid property 'non-durable' for queue 's' in vhost '/'"},
		{"delete not empty", func(ch *amqp.Channel) error {
			declare(t, ch, "full", nil)
			publish(t, ch, "", "full", "m")
			_, err := ch.QueueDelete("full", false, true, false)
			return err
		}, 406, "PRECONDITION_FAILED - queue 'full' in vhost '/' not empty"},
		{"delete in use", func(ch *amqp.Channel) error {
			_, err := ch.QueueDelete("counts", true, false, false)
			return err
		}, 406, "PRECONDITION_FAILED - queue 'counts' in vhost '/' in use"},
		{"purge missing", func(ch *amqp.Channel) error {
			_, err := ch.QueuePurge("nope", false)
			return err
		}, 404, "NOT_FOUND - no queue 'nope' in vhost '/'"},
		{"no previous queue", func(ch *amqp.Channel) error {
			_, err := ch.QueuePurge("", false)
			return err
		}, 404, "NOT_FOUND - no previously declared queue"},
	}
	for _, tc := range cases {
		wantErr(t, tc.do(openChannel(t, c)), tc.code, tc.reason)
	}
}

func TestQueueQuorumIsClassic(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(t)
	if _, err := ch.QueueDeclare("qq", true, false, false, false, amqp.Table{"x-queue-type": "quorum"}); err != nil {
		t.Fatal(err)
	}
	publish(t, ch, "", "qq", "x")
	if got := getBody(t, ch, "qq"); got != "x" {
		t.Fatalf("got %q", got)
	}
	// classic and "no type" are equivalent; quorum is not.
	declare(t, ch, "cl", amqp.Table{"x-queue-type": "classic"})
	declare(t, ch, "cl", nil)
	_, err := ch.QueueDeclare("qq", true, false, false, false, nil)
	wantErr(t, err, 406, "PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue 'qq' in vhost '/': received none but current is the value 'quorum' of type 'longstr'")
}

func TestExclusiveQueue(t *testing.T) {
	e := newEnv(t)
	owner := e.dial(t)
	och := openChannel(t, owner)
	if _, err := och.QueueDeclare("mine", false, false, true, false, nil); err != nil {
		t.Fatal(err)
	}
	other := e.dial(t)
	locked := "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'mine' in vhost '/'. " +
		"It could be originally declared on another connection or the exclusive property value does not match that of the original declaration."
	for _, do := range []func(ch *amqp.Channel) error{
		func(ch *amqp.Channel) error {
			_, err := ch.QueueDeclare("mine", false, false, true, false, nil)
			return err
		},
		func(ch *amqp.Channel) error {
			_, err := ch.QueueDeclarePassive("mine", false, false, true, false, nil)
			return err
		},
		func(ch *amqp.Channel) error {
			_, err := ch.Consume("mine", "", false, false, false, false, nil)
			return err
		},
		func(ch *amqp.Channel) error { _, _, err := ch.Get("mine", false); return err },
		func(ch *amqp.Channel) error { _, err := ch.QueuePurge("mine", false); return err },
		func(ch *amqp.Channel) error { _, err := ch.QueueDelete("mine", false, false, false); return err },
		func(ch *amqp.Channel) error { return ch.QueueBind("mine", "k", "amq.direct", false, nil) },
	} {
		wantErr(t, do(openChannel(t, other)), 405, locked)
	}
	// The owner redeclaring it non-exclusive is refused too.
	_, err := openChannel(t, owner).QueueDeclare("mine", false, false, false, false, nil)
	wantErr(t, err, 405, locked)

	// Others may publish to it; it goes with its connection.
	pub := openChannel(t, other)
	publish(t, pub, "", "mine", "hi")
	ping(t, pub)
	if got := getBody(t, och, "mine"); got != "hi" {
		t.Fatalf("got %q", got)
	}
	owner.Close()
	och2 := openChannel(t, other)
	eventually(t, och2, "exclusive queue deletion", func() bool { return e.s.vhosts["/"].exchange("") != nil && e.b.Queue("mine") == nil })
	_, err = och2.QueueDeclarePassive("mine", false, false, false, false, nil)
	wantErr(t, err, 404, "NOT_FOUND - no queue 'mine' in vhost '/'")
}

func TestAutoDeleteQueue(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(t)
	if _, err := ch.QueueDeclare("ad", false, true, false, false, nil); err != nil {
		t.Fatal(err)
	}
	// Never consumed: stays.
	ping(t, ch)
	if _, err := ch.QueueDeclarePassive("ad", false, true, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.Consume("ad", "c1", true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.Consume("ad", "c2", true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if err := ch.Cancel("c1", false); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.QueueDeclarePassive("ad", false, true, false, false, nil); err != nil {
		t.Fatalf("deleted with a consumer left: %v", err)
	}
	if err := ch.Cancel("c2", false); err != nil {
		t.Fatal(err)
	}
	_, err := ch.QueueDeclarePassive("ad", false, true, false, false, nil)
	wantErr(t, err, 404, "NOT_FOUND - no queue 'ad' in vhost '/'")
}

func TestPurgeDeleteAndShortcuts(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(t)
	declare(t, ch, "p", nil)
	// Empty queue name and key: the last declared queue, bound by its name.
	if err := ch.QueueBind("", "", "amq.direct", false, nil); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		publish(t, ch, "amq.direct", "p", "m")
	}
	n, err := ch.QueuePurge("", false)
	if err != nil || n != 3 {
		t.Fatalf("purge = %d, %v", n, err)
	}
	publish(t, ch, "", "p", "m")
	n, err = ch.QueueDelete("p", false, false, false)
	if err != nil || n != 1 {
		t.Fatalf("delete = %d, %v", n, err)
	}
	// Deleting again succeeds; the binding went with the queue.
	if n, err = ch.QueueDelete("p", false, false, false); err != nil || n != 0 {
		t.Fatalf("second delete = %d, %v", n, err)
	}
	if err := ch.QueueUnbind("p2", "k", "amq.direct", nil); err == nil {
		t.Fatal("unbind of a missing queue succeeded")
	}
}

func TestConsumerCancelledWhenQueueDeleted(t *testing.T) {
	e := newEnv(t)
	c := e.dial(t)
	ch := openChannel(t, c)
	declare(t, ch, "doomed", nil)
	cancels := ch.NotifyCancel(make(chan string, 1))
	ds := consume(t, ch, "doomed", false)
	if _, err := openChannel(t, c).QueueDelete("doomed", false, false, false); err != nil {
		t.Fatal(err)
	}
	select {
	case tag := <-cancels:
		if !strings.HasPrefix(tag, "ctag-") {
			t.Fatalf("cancel for %q", tag)
		}
	case <-timeAfter():
		t.Fatal("no basic.cancel")
	}
	for range ds {
	}
}
