// basic.get (60.70): one message from a classic queue, answered with
// get-ok (delivery tag from the channel's counter, redelivered flag, the
// ready message count left) and the content, or get-empty. Without no-ack
// the delivery joins the channel's unacknowledged set; basic.get ignores
// prefetch, as in RabbitMQ. Stream queues do not support basic.get (540,
// a connection error, as RabbitMQ's not_implemented).

package amqp

import (
	"junction/frontends/amqp/internal/wire"
)

func (ch *channel) basicGet(m *wire.BasicGet) (wire.Method, error) {
	c := ch.c
	vh := c.vh
	name, err := ch.expandQueue(m.Queue)
	if err != nil {
		return nil, err
	}
	qe := vh.queue(name)
	if qe == nil {
		return nil, errNoQueue(name, vh.name)
	}
	if err := qe.checkAccess(c); err != nil {
		return nil, err
	}
	if qe.st != nil {
		return nil, newErr(wire.NotImplemented, "basic.get not supported by stream queues %s", rs("queue", name, vh.name))
	}
	d, got := qe.q.Get(m.NoAck)
	if !got {
		return &wire.BasicGetEmpty{}, nil
	}
	count := uint32(qe.q.Len())
	ch.mu.Lock()
	ch.nextTag++
	tag := ch.nextTag
	if !m.NoAck {
		ch.unacked.push(unackedEntry{tag: tag, qtag: d.Tag, q: qe.q})
	}
	b, okb := c.out.begin()
	if okb {
		b, err = wire.AppendMethodFrame(b, ch.id, &wire.BasicGetOk{DeliveryTag: tag, Redelivered: d.Redelivered,
			Exchange: d.Msg.Exchange, RoutingKey: d.Msg.RoutingKey, MessageCount: count})
		if err == nil {
			b = wire.AppendContent(b, ch.id, wire.ClassBasic, d.Msg.Props, d.Msg.Body, c.frameMax)
		}
	}
	c.out.end(b, okb)
	ch.mu.Unlock()
	if c.s.mem.on.Load() {
		c.s.mem.kick()
	}
	return nil, nil
}
