package amqp

import (
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"

	"junction/broker/brokertest"
)

func TestRestartKeepsDurableTopology(t *testing.T) {
	for _, files := range []bool{false, true} {
		name := "memory"
		if files {
			name = "files"
		}
		t.Run(name, func(t *testing.T) {
			stores := brokertest.Memory(t)
			if files {
				stores = brokertest.Files(t)
			}
			e := newEnv(t, withStores(stores))
			ch := e.channel(t)
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(ch.ExchangeDeclare("dx", "topic", true, false, false, false, nil))
			must(ch.ExchangeDeclare("dx2", "fanout", true, false, false, false, amqp.Table{"alternate-exchange": "dx"}))
			must(ch.ExchangeDeclare("tx", "direct", false, false, false, false, nil))
			_, err := ch.QueueDeclare("dq", true, false, false, false, amqp.Table{"x-max-length": int32(100)})
			must(err)
			declare(t, ch, "tq", nil)
			_, err = ch.QueueDeclare("sq", true, false, false, false, amqp.Table{"x-queue-type": "stream"})
			must(err)
			must(ch.QueueBind("dq", "a.*", "dx", false, nil))
			must(ch.QueueBind("tq", "a.*", "dx", false, nil))
			must(ch.QueueBind("sq", "s.#", "dx", false, nil))
			must(ch.ExchangeBind("dx", "", "dx2", false, nil))
			publishMsg(t, ch, "", "dq", amqp.Publishing{DeliveryMode: amqp.Persistent, Body: []byte("p1"), Headers: amqp.Table{"h": "v"}})
			publishMsg(t, ch, "", "dq", amqp.Publishing{DeliveryMode: amqp.Transient, Body: []byte("t1")})
			publishMsg(t, ch, "dx", "s.x", amqp.Publishing{Body: []byte("streamed")})
			ping(t, ch)

			e.restart()
			ch = e.channel(t)
			c := e.dial(t)
			must(ch.ExchangeDeclarePassive("dx", "topic", true, false, false, false, nil))
			must(ch.ExchangeDeclare("dx2", "fanout", true, false, false, false, amqp.Table{"alternate-exchange": "dx"}))
			_, err = openChannel(t, c).QueueDeclarePassive("tq", false, false, false, false, nil)
			wantErr(t, err, 404, "NOT_FOUND - no queue 'tq' in vhost '/'")
			err = openChannel(t, c).ExchangeDeclarePassive("tx", "direct", false, false, false, false, nil)
			wantErr(t, err, 404, "NOT_FOUND - no exchange 'tx' in vhost '/'")
			// The queue keeps its arguments for equivalence checks.
			_, err = openChannel(t, c).QueueDeclare("dq", true, false, false, false, nil)
			wantErr(t, err, 406, "PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue 'dq' in vhost '/': received none but current is the value '100' of type 'signedint'")
			q, err := ch.QueueDeclare("dq", true, false, false, false, amqp.Table{"x-max-length": int32(100)})
			must(err)
			if q.Messages != 1 {
				t.Fatalf("dq has %d messages, want the persistent one", q.Messages)
			}
			d, ok := get(t, ch, "dq")
			if !ok || string(d.Body) != "p1" || d.Headers["h"] != "v" || !d.Redelivered {
				t.Fatalf("after restart got %q %v redelivered=%v", d.Body, d.Headers, d.Redelivered)
			}
			// Bindings: direct, and through the exchange-to-exchange one.
			publish(t, ch, "dx", "a.b", "routed")
			if got := getBody(t, ch, "dq"); got != "routed" {
				t.Fatalf("binding lost: got %q", got)
			}
			publish(t, ch, "dx2", "a.c", "via e2e")
			if got := getBody(t, ch, "dq"); got != "via e2e" {
				t.Fatalf("e2e binding lost: got %q", got)
			}
			must(ch.Qos(10, 0, false))
			ds, err := ch.Consume("sq", "", false, false, false, false, amqp.Table{"x-stream-offset": "first"})
			must(err)
			if d := recv(t, ds); string(d.Body) != "streamed" {
				t.Fatalf("stream got %q", d.Body)
			}
		})
	}
}
