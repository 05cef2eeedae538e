package broker_test

import (
	"errors"
	"testing"

	"junction/broker"
	"junction/broker/brokertest"
	"junction/broker/queue"
)

func TestDurableQueueSurvivesRestart(t *testing.T) {
	st := brokertest.Files(t)
	b := st.New(t, broker.Config{})
	def := broker.QueueDef{Durable: true, MessageTTL: queue.NoTTL, Args: []byte("x")}
	q, _, created, err := b.DeclareQueue("jobs", def)
	if err != nil || !created {
		t.Fatalf("declare: %v %v", created, err)
	}
	for _, body := range []string{"a", "b", "c"} {
		if err := q.Publish(&queue.Message{Body: []byte(body), Persistent: true, Expiration: queue.NoTTL}); err != nil {
			t.Fatal(err)
		}
	}
	q.Publish(&queue.Message{Body: []byte("transient"), Expiration: queue.NoTTL})
	d, ok := q.Get(false)
	if !ok || string(d.Msg.Body) != "a" {
		t.Fatalf("get: %v %q", ok, d.Msg.Body)
	}
	q.Ack(d.Tag)
	if _, _, _, err := b.DeclareQueue("scratch", broker.QueueDef{MessageTTL: queue.NoTTL}); err != nil {
		t.Fatal(err)
	}
	b.Close()
	st.Reopen(t)

	b = st.New(t, broker.Config{})
	if b.Queue("scratch") != nil {
		t.Fatal("transient queue survived a restart")
	}
	q, cur, created, err := b.DeclareQueue("jobs", broker.QueueDef{})
	if err != nil || created || string(cur.Args) != "x" || !cur.Durable {
		t.Fatalf("redeclare after restart: created=%v def=%+v err=%v", created, cur, err)
	}
	var got []string
	for {
		d, ok := q.Get(true)
		if !ok {
			break
		}
		got = append(got, string(d.Msg.Body))
		if !d.Redelivered {
			t.Errorf("recovered message %q not marked redelivered", d.Msg.Body)
		}
	}
	if len(got) != 2 || got[0] != "b" || got[1] != "c" {
		t.Fatalf("after restart got %q, want [b c]", got)
	}
	if _, err := b.DeleteQueue("jobs", false, false); err != nil {
		t.Fatal(err)
	}
	if _, err := b.DeleteQueue("jobs", false, false); !errors.Is(err, broker.ErrUnknownQueue) {
		t.Fatalf("second delete: %v", err)
	}
}
