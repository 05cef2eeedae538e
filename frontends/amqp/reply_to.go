// Direct reply-to (the direct_reply_to capability): a channel consumes the
// pseudo-queue "amq.rabbitmq.reply-to" with no-ack; a message it publishes
// with reply_to "amq.rabbitmq.reply-to" has the property rewritten to
// "amq.rabbitmq.reply-to.<suffix>"; a message published to the default
// exchange with that routing key is delivered straight to the consumer,
// bypassing queues (unroutable, and so returned if mandatory, once the
// consumer is gone). Texts as RabbitMQ: "reply consumer cannot
// acknowledge", "reply consumer already set", "fast reply consumer does not
// exist". A passive queue.declare of a reply-to name reports whether the
// consumer exists (1 consumer) or 404. The suffix is random, not RabbitMQ's
// encoded pid.

package amqp

import (
	"strings"
	"sync"

	"junction/frontends/amqp/internal/wire"
)

const (
	replyToQueue  = "amq.rabbitmq.reply-to"
	replyToPrefix = replyToQueue + "."
)

type replyConsumer struct {
	ch     *channel
	tag    string
	suffix string
}

type replyRegistry struct {
	mu sync.Mutex
	m  map[string]*replyConsumer
}

func (r *replyRegistry) init() { r.m = make(map[string]*replyConsumer) }

func (r *replyRegistry) add(rc *replyConsumer) {
	r.mu.Lock()
	r.m[rc.suffix] = rc
	r.mu.Unlock()
}

func (r *replyRegistry) remove(rc *replyConsumer) {
	r.mu.Lock()
	if r.m[rc.suffix] == rc {
		delete(r.m, rc.suffix)
	}
	r.mu.Unlock()
}

func (r *replyRegistry) lookup(suffix string) *replyConsumer {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m[suffix]
}

func isReplyTo(name string) bool {
	return name == replyToQueue || strings.HasPrefix(name, replyToPrefix)
}

func (ch *channel) consumeReplyTo(tag string, m *wire.BasicConsume) (wire.Method, error) {
	if !m.NoAck {
		return nil, newErr(wire.PreconditionFailed, "reply consumer cannot acknowledge")
	}
	ch.mu.Lock()
	if ch.reply != nil {
		ch.mu.Unlock()
		return nil, newErr(wire.PreconditionFailed, "reply consumer already set")
	}
	rc := &replyConsumer{ch: ch, tag: tag, suffix: genName("")}
	ch.reply = rc
	ch.mu.Unlock()
	ch.c.s.replyTo.add(rc)
	return ok(m.NoWait, &wire.BasicConsumeOk{ConsumerTag: tag})
}

func (ch *channel) declareReplyTo(name string, nowait bool) (wire.Method, error) {
	if name != replyToQueue && ch.c.s.replyTo.lookup(strings.TrimPrefix(name, replyToPrefix)) == nil {
		return nil, errNoQueue(name, ch.c.vh.name)
	}
	return ok(nowait, &wire.QueueDeclareOk{Queue: name, ConsumerCount: 1})
}

// rewriteReplyTo sets reply_to to this channel's reply address.
func (ch *channel) rewriteReplyTo(props []byte) ([]byte, error) {
	ch.mu.Lock()
	rc := ch.reply
	ch.mu.Unlock()
	if rc == nil {
		return nil, newErr(wire.PreconditionFailed, "fast reply consumer does not exist")
	}
	p, err := wire.DecodeProperties(props)
	if err != nil {
		return nil, newErr(wire.SyntaxError, "malformed content properties")
	}
	p.ReplyTo = replyToPrefix + rc.suffix
	return wire.AppendProperties(nil, &p)
}

// deliver sends a message addressed to a reply consumer; false if there
// is none.
func (r *replyRegistry) deliver(msg *message) bool {
	rc := r.lookup(strings.TrimPrefix(msg.key, replyToPrefix))
	if rc == nil {
		return false
	}
	ch := rc.ch
	c := ch.c
	ch.mu.Lock()
	if ch.reply != rc {
		ch.mu.Unlock()
		return false
	}
	ch.nextTag++
	b, okb := c.out.begin()
	if okb {
		b = wire.AppendDeliver(b, ch.id, rc.tag, ch.nextTag, false, msg.exchange, msg.key, msg.props, msg.body, c.frameMax)
	}
	c.out.end(b, okb)
	ch.mu.Unlock()
	c.out.flush()
	return true
}
