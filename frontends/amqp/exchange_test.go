package amqp

import (
	"slices"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"
)

func TestExchangeDeclareErrors(t *testing.T) {
	e := newEnv(t)
	c := e.dial(t)
	cases := []struct {
		name   string
		do     func(ch *amqp.Channel) error
		code   int
		reason string
	}{
		{"passive missing", func(ch *amqp.Channel) error {
			return ch.ExchangeDeclarePassive("nope", "direct", false, false, false, false, nil)
		}, 404, "NOT_FOUND - no exchange 'nope' in vhost '/'"},
		{"declare default", func(ch *amqp.Channel) error {
			return ch.ExchangeDeclare("", "direct", true, false, false, false, nil)
		}, 403, "ACCESS_REFUSED - operation not permitted on the default exchange"},
		{"passive default", func(ch *amqp.Channel) error {
			return ch.ExchangeDeclarePassive("", "direct", true, false, false, false, nil)
		}, 403, "ACCESS_REFUSED - operation not permitted on the default exchange"},
		{"reserved prefix", func(ch *amqp.Channel) error {
			return ch.ExchangeDeclare("amq.x", "direct", true, false, false, false, nil)
		}, 403, "ACCESS_REFUSED - exchange name 'amq.x' contains reserved prefix 'amq.*'"},
		{"amq type mismatch", func(ch *amqp.Channel) error {
			return ch.ExchangeDeclare("amq.direct", "fanout", true, false, false, false, nil)
		}, 406, "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'amq.direct' in vhost '/': received 'fanout' but current is 'direct'"},
		{"type mismatch", func(ch *amqp.Channel) error {
			if err := ch.ExchangeDeclare("x", "direct", false, false, false, false, nil); err != nil {
				return err
			}
			return ch.ExchangeDeclare("x", "fanout", false, false, false, false, nil)
		}, 406, "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'x' in vhost '/': received 'fanout' but current is 'direct'"},
		{"durable mismatch", func(ch *amqp.Channel) error {
			return ch.ExchangeDeclare("x", "direct", true, false, false, false, nil)
		}, 406, "PRECONDITION_FAILED - inequivalent arg 'durable' for exchange 'x' in vhost '/': received 'true' but current is 'false'"},
		{"alternate mismatch", func(ch *amqp.Channel) error {
			return ch.ExchangeDeclare("x", "direct", false, false, false, false, amqp.Table{"alternate-exchange": "ae"})
		}, 406, "PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange 'x' in vhost '/': received the value 'ae' of type 'longstr' but current is none"},
		{"delete default", func(ch *amqp.Channel) error {
			return ch.ExchangeDelete("", false, false)
		}, 403, "ACCESS_REFUSED - operation not permitted on the default exchange"},
		{"delete system", func(ch *amqp.Channel) error {
			return ch.ExchangeDelete("amq.fanout", false, false)
		}, 403, "ACCESS_REFUSED - deletion of system exchange 'amq.fanout' in vhost '/' not allowed"},
		{"delete in use", func(ch *amqp.Channel) error {
			declare(t, ch, "bound", nil)
			if err := ch.QueueBind("bound", "k", "x", false, nil); err != nil {
				return err
			}
			return ch.ExchangeDelete("x", true, false)
		}, 406, "PRECONDITION_FAILED - exchange 'x' in vhost '/' in use"},
		{"bind to default", func(ch *amqp.Channel) error {
			return ch.QueueBind("bound", "k", "", false, nil)
		}, 403, "ACCESS_REFUSED - operation not permitted on the default exchange"},
		{"bind missing exchange", func(ch *amqp.Channel) error {
			return ch.QueueBind("bound", "k", "nope", false, nil)
		}, 404, "NOT_FOUND - no exchange 'nope' in vhost '/'"},
		{"bind missing queue", func(ch *amqp.Channel) error {
			return ch.QueueBind("nope", "k", "amq.direct", false, nil)
		}, 404, "NOT_FOUND - no queue 'nope' in vhost '/'"},
		{"e2e bind missing destination", func(ch *amqp.Channel) error {
			return ch.ExchangeBind("nope", "k", "amq.direct", false, nil)
		}, 404, "NOT_FOUND - no exchange 'nope' in vhost '/'"},
		{"headers bad x-match", func(ch *amqp.Channel) error {
			return ch.QueueBind("bound", "", "amq.headers", false, amqp.Table{"x-match": "some"})
		}, 406, ""},
	}
	for _, tc := range cases {
		ch := openChannel(t, c)
		wantErr(t, tc.do(ch), tc.code, tc.reason)
	}

	// An unknown type is a connection error (503), as in RabbitMQ.
	ch := openChannel(t, c)
	notify := c.NotifyClose(make(chan *amqp.Error, 1))
	err := ch.ExchangeDeclare("y", "x-delayed-message", false, false, false, false, nil)
	wantErr(t, err, 503, "COMMAND_INVALID - unknown exchange type 'x-delayed-message'")
	closedWith(t, notify, 503, "")
}

func TestExchangeDeleteAndAutoDelete(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(t)
	// Deleting what does not exist succeeds.
	if err := ch.ExchangeDelete("ghost", false, false); err != nil {
		t.Fatal(err)
	}
	// Auto-delete: gone when its last binding goes.
	if err := ch.ExchangeDeclare("ad", "fanout", false, true, false, false, nil); err != nil {
		t.Fatal(err)
	}
	declare(t, ch, "q1", nil)
	declare(t, ch, "q2", nil)
	for _, q := range []string{"q1", "q2"} {
		if err := ch.QueueBind(q, "", "ad", false, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := ch.QueueUnbind("q1", "", "ad", nil); err != nil {
		t.Fatal(err)
	}
	if err := ch.ExchangeDeclarePassive("ad", "fanout", false, true, false, false, nil); err != nil {
		t.Fatalf("deleted too early: %v", err)
	}
	if _, err := ch.QueueDelete("q2", false, false, false); err != nil {
		t.Fatal(err)
	}
	err := ch.ExchangeDeclarePassive("ad", "fanout", false, true, false, false, nil)
	wantErr(t, err, 404, "NOT_FOUND - no exchange 'ad' in vhost '/'")
}

func TestRouting(t *testing.T) {
	e := newEnv(t)
	ch := e.channel(t)
	mustX := func(name, kind string, args amqp.Table) {
		t.Helper()
		if err := ch.ExchangeDeclare(name, kind, false, false, false, false, args); err != nil {
			t.Fatal(err)
		}
	}
	bind := func(q, key, x string, args amqp.Table) {
		t.Helper()
		declare(t, ch, q, nil)
		if err := ch.QueueBind(q, key, x, false, args); err != nil {
			t.Fatal(err)
		}
	}
	// got publishes and returns, sorted, the queues the message reached.
	queues := []string{}
	got := func(x, key string, headers amqp.Table) []string {
		t.Helper()
		publishMsg(t, ch, x, key, amqp.Publishing{Headers: headers, Body: []byte("m")})
		var out []string
		for _, q := range queues {
			for getBody(t, ch, q) != "" {
				out = append(out, q)
			}
		}
		slices.Sort(out)
		return out
	}
	want := func(x, key string, headers amqp.Table, wantQs ...string) {
		t.Helper()
		if g := got(x, key, headers); !slices.Equal(g, wantQs) {
			t.Errorf("%s %q %v: reached %v, want %v", x, key, headers, g, wantQs)
		}
	}

	// default exchange
	declare(t, ch, "plain", nil)
	queues = append(queues, "plain")
	want("", "plain", nil, "plain")
	want("", "other", nil)

	// direct
	mustX("d", "direct", nil)
	bind("d1", "k1", "d", nil)
	bind("d2", "k1", "d", nil)
	bind("d3", "k2", "d", nil)
	queues = append(queues, "d1", "d2", "d3")
	want("d", "k1", nil, "d1", "d2")
	want("d", "k2", nil, "d3")
	want("d", "k3", nil)

	// fanout
	mustX("f", "fanout", nil)
	bind("f1", "ignored", "f", nil)
	bind("f2", "", "f", nil)
	queues = append(queues, "f1", "f2")
	want("f", "anything", nil, "f1", "f2")

	// topic
	mustX("t", "topic", nil)
	bind("t-star", "a.*.c", "t", nil)
	bind("t-hash", "a.#", "t", nil)
	bind("t-all", "#", "t", nil)
	bind("t-mid", "*.b.#", "t", nil)
	bind("t-empty", "", "t", nil)
	bind("t-exact", "a.b", "t", nil)
	queues = append(queues, "t-star", "t-hash", "t-all", "t-mid", "t-empty", "t-exact")
	want("t", "a.b.c", nil, "t-all", "t-hash", "t-mid", "t-star")
	want("t", "a", nil, "t-all", "t-hash")
	want("t", "a.b", nil, "t-all", "t-exact", "t-hash", "t-mid")
	want("t", "x.b", nil, "t-all", "t-mid")
	want("t", "", nil, "t-all", "t-empty")
	want("t", "a..c", nil, "t-all", "t-hash", "t-star")
	want("t", "b", nil, "t-all")

	// headers
	mustX("h", "headers", nil)
	bind("h-all", "", "h", amqp.Table{"x-match": "all", "a": "1", "b": int32(2)})
	bind("h-any", "", "h", amqp.Table{"x-match": "any", "a": "1", "b": int32(2)})
	bind("h-default", "", "h", amqp.Table{"c": "3"})
	bind("h-empty-any", "", "h", amqp.Table{"x-match": "any"})
	bind("h-with-x", "", "h", amqp.Table{"x-match": "all-with-x", "x-tag": "t"})
	bind("h-without-x", "", "h", amqp.Table{"x-match": "all", "x-tag": "t"})
	queues = append(queues, "h-all", "h-any", "h-default", "h-empty-any", "h-with-x", "h-without-x")
	want("h", "", amqp.Table{"a": "1", "b": int32(2)}, "h-all", "h-any", "h-without-x")
	want("h", "", amqp.Table{"a": "1"}, "h-any", "h-without-x")
	want("h", "", amqp.Table{"b": int64(2)}, "h-without-x") // type differs from the binding's
	want("h", "", amqp.Table{"c": "3", "x-tag": "t"}, "h-default", "h-with-x", "h-without-x")
	want("h", "", nil, "h-without-x")

	// exchange-to-exchange
	mustX("src", "topic", nil)
	mustX("mid", "fanout", nil)
	if err := ch.ExchangeBind("mid", "orders.*", "src", false, nil); err != nil {
		t.Fatal(err)
	}
	if err := ch.ExchangeBind("src", "", "mid", false, nil); err != nil { // a cycle
		t.Fatal(err)
	}
	bind("e2e", "", "mid", nil)
	bind("direct-on-src", "orders.new", "src", nil)
	queues = append(queues, "e2e", "direct-on-src")
	want("src", "orders.new", nil, "direct-on-src", "e2e")
	want("src", "orders.x.y", nil)
	if err := ch.ExchangeUnbind("mid", "orders.*", "src", false, nil); err != nil {
		t.Fatal(err)
	}
	want("src", "orders.new", nil, "direct-on-src")

	// alternate exchange
	mustX("ae", "fanout", nil)
	bind("unrouted", "", "ae", nil)
	mustX("withae", "direct", amqp.Table{"alternate-exchange": "ae"})
	bind("routed", "k", "withae", nil)
	queues = append(queues, "unrouted", "routed")
	want("withae", "k", nil, "routed")
	want("withae", "other", nil, "unrouted")
}

func TestInternalExchangeAndMissingExchange(t *testing.T) {
	e := newEnv(t)
	c := e.dial(t)
	ch := openChannel(t, c)
	if err := ch.ExchangeDeclare("internal", "fanout", false, false, true, false, nil); err != nil {
		t.Fatal(err)
	}
	notify := ch.NotifyClose(make(chan *amqp.Error, 1))
	publish(t, ch, "internal", "", "x")
	closedWith(t, notify, 403, "ACCESS_REFUSED - cannot publish to internal exchange 'internal' in vhost '/'")

	ch = openChannel(t, c)
	notify = ch.NotifyClose(make(chan *amqp.Error, 1))
	publish(t, ch, "missing", "", "x")
	closedWith(t, notify, 404, "NOT_FOUND - no exchange 'missing' in vhost '/'")
}
