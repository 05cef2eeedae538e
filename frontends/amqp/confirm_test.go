package amqp

import (
	"fmt"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"

	"junction/broker"
	"junction/broker/brokertest"
)

// confirmAll publishes n messages on a confirm channel and checks every
// confirmation arrives, in order, as an ack.
func confirmAll(t *testing.T, ch *amqp.Channel, exchange, key string, n int, persistent bool) {
	t.Helper()
	confirms := ch.NotifyPublish(make(chan amqp.Confirmation, n))
	if err := ch.Confirm(false); err != nil {
		t.Fatal(err)
	}
	mode := amqp.Transient
	if persistent {
		mode = amqp.Persistent
	}
	body := make([]byte, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		ctx := t.Context()
		for range n {
			if err := ch.PublishWithContext(ctx, exchange, key, false, false, amqp.Publishing{DeliveryMode: mode, Body: body}); err != nil {
				t.Errorf("publish: %v", err)
				return
			}
		}
	}()
	for i := 1; i <= n; i++ {
		select {
		case c := <-confirms:
			if !c.Ack || c.DeliveryTag != uint64(i) {
				t.Fatalf("confirmation %d: %+v", i, c)
			}
		case <-timeAfter():
			t.Fatalf("only %d of %d confirms", i-1, n)
		}
	}
	<-done
}

func TestConfirmsUnderLoad(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(t)
	declare(t, ch, "load", nil)
	confirmAll(t, ch, "", "load", 10000, false)
	q, err := ch.QueueDeclarePassive("load", false, false, false, false, nil)
	if err != nil || q.Messages != 10000 {
		t.Fatalf("queue has %d messages (%v)", q.Messages, err)
	}
	// Unroutable messages are acked too.
	ch2 := e.channel(t)
	confirmAll(t, ch2, "amq.direct", "nowhere", 100, false)
}

func TestConfirmsDurableAlwaysFsync(t *testing.T) {
	e := newEnv(t, withStores(brokertest.Files(t)), withBroker(func(c *broker.Config) { c.Fsync = broker.FsyncAlways }))
	ch := e.channel(t)
	if _, err := ch.QueueDeclare("dur", true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	confirmAll(t, ch, "", "dur", 500, true)
}

func TestMandatoryReturnBeforeAck(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(t)
	if err := ch.Confirm(false); err != nil {
		t.Fatal(err)
	}
	// amqp091-go's reader feeds NotifyReturn and NotifyPublish in frame
	// order; with unbuffered channels only the first frame's is ready.
	returns := ch.NotifyReturn(make(chan amqp.Return))
	confirms := ch.NotifyPublish(make(chan amqp.Confirmation))
	if err := ch.PublishWithContext(t.Context(), "amq.direct", "nobody", true, false, amqp.Publishing{Body: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-returns:
	case c := <-confirms:
		t.Fatalf("confirm %+v before the return", c)
	case <-timeAfter():
		t.Fatal("nothing came back")
	}
	if c := <-confirms; !c.Ack || c.DeliveryTag != 1 {
		t.Fatalf("confirm %+v", c)
	}
}

func TestNackOnRejectPublish(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(t)
	declare(t, ch, "full", amqp.Table{"x-max-length": int32(2), "x-overflow": "reject-publish"})
	confirms := ch.NotifyPublish(make(chan amqp.Confirmation, 4))
	if err := ch.Confirm(false); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		publish(t, ch, "", "full", fmt.Sprint(i))
	}
	for i, want := range []bool{true, true, false, false} {
		c := <-confirms
		if c.DeliveryTag != uint64(i+1) || c.Ack != want {
			t.Fatalf("confirm %d = %+v, want ack=%v", i+1, c, want)
		}
	}
	// tx on a confirm channel is refused.
	wantErr(t, ch.Tx(), 406, "PRECONDITION_FAILED - cannot switch from confirm to tx mode")
}

func TestTransactions(t *testing.T) {
	e := newEnv(t)
	c := e.dial(t)
	ch := openChannel(t, c)
	declare(t, ch, "tx", nil)
	obs := openChannel(t, c)
	if err := ch.Tx(); err != nil {
		t.Fatal(err)
	}
	publish(t, ch, "", "tx", "a")
	publish(t, ch, "", "tx", "b")
	ping(t, ch)
	if q, _ := obs.QueueDeclarePassive("tx", false, false, false, false, nil); q.Messages != 0 {
		t.Fatalf("uncommitted publishes visible: %d", q.Messages)
	}
	if err := ch.TxRollback(); err != nil {
		t.Fatal(err)
	}
	publish(t, ch, "", "tx", "c")
	if err := ch.TxCommit(); err != nil {
		t.Fatal(err)
	}
	if got := getBody(t, obs, "tx"); got != "c" {
		t.Fatalf("after commit got %q", got)
	}

	// Acks wait for the commit; rollback makes them unacked again.
	publish(t, ch, "", "tx", "d")
	if err := ch.TxCommit(); err != nil {
		t.Fatal(err)
	}
	d, ok, err := ch.Get("tx", false)
	if err != nil || !ok {
		t.Fatal("get", err)
	}
	d.Ack(false)
	if err := ch.TxRollback(); err != nil {
		t.Fatal(err)
	}
	d.Ack(false) // still outstanding after the rollback
	if err := ch.TxCommit(); err != nil {
		t.Fatal(err)
	}
	if q, _ := obs.QueueDeclarePassive("tx", false, false, false, false, nil); q.Messages != 0 {
		t.Fatalf("queue has %d", q.Messages)
	}

	// Errors.
	wantErr(t, openChannel(t, c).TxCommit(), 406, "PRECONDITION_FAILED - channel is not transactional")
	wantErr(t, openChannel(t, c).TxRollback(), 406, "PRECONDITION_FAILED - channel is not transactional")
	tch := openChannel(t, c)
	tch.Tx()
	wantErr(t, tch.Confirm(false), 406, "PRECONDITION_FAILED - cannot switch from tx to confirm mode")
}
