// basic.qos (60.10), basic.consume (60.20) and basic.cancel (60.30), and
// the push of deliveries. qos global=false sets the prefetch of the
// channel's next consumers (RabbitMQ's per-consumer reading), global=true a
// queue.Limit shared by all its consumers; prefetch_size is 540 as in
// RabbitMQ. consume takes x-priority and (for streams) x-stream-offset;
// an empty tag gets "amq.ctag-…"; a tag in use is 530 NOT_ALLOWED; an
// exclusive conflict is 403 "in exclusive use". When a queue is deleted its
// consumers get a server basic.cancel if the client advertised
// consumer_cancel_notify.
//
// Push: each consumer has a goroutine that waits on its queue.Consumer's
// Wake, waits for outbox space, then under the channel mutex takes as many
// messages as credit allows (at most a batch sized to the outbox), assigns
// channel delivery tags, records them unacknowledged and encodes them with
// wire.AppendDeliver straight into the outbox, and flushes once per batch.
// Holding the channel mutex across Take and encode keeps tags in wire order
// and lets cancel-ok be the last frame for a cancelled consumer.
//
// Most deliveries skip that goroutine: a reader publishes with
// queue.PublishFor and acks with queue.AckFor, which hand it the consumers
// the queue would wake, and at the end of its batch it delivers one batch to
// each itself (deliverNow) — the thread that already runs writes the
// deliveries, with no wake-up of another goroutine in between. It kicks the
// consumer's goroutine instead when the channel's flow is paused or the
// outbox is full (the goroutine waits for those), and after a full batch
// (there may be more).

package amqp

import (
	"sync"

	"junction/broker/queue"
	"junction/frontends/amqp/internal/wire"
)

// consumer is one basic.consume registration.
type consumer struct {
	ch       *channel
	tag      string
	qe       *qentry
	noAck    bool
	qc       *queue.Consumer // classic queue
	sc       *streamConsumer // stream queue
	stop     chan struct{}
	stopOnce sync.Once
	dead     bool // guarded by ch.mu: no more deliveries
	n        int  // guarded by ch.mu: the next batch size (classic queues)
}

func (ch *channel) basicQos(m *wire.BasicQos) (wire.Method, error) {
	if m.PrefetchSize != 0 {
		return nil, newErr(wire.NotImplemented, "prefetch_size!=0 (%d)", m.PrefetchSize)
	}
	if m.Global {
		ch.limit.Set(int(m.PrefetchCount))
	} else {
		ch.prefetch = int(m.PrefetchCount)
	}
	return &wire.BasicQosOk{}, nil
}

func (ch *channel) basicConsume(m *wire.BasicConsume) (wire.Method, error) {
	c := ch.c
	vh := c.vh
	name, err := ch.expandQueue(m.Queue)
	if err != nil {
		return nil, err
	}
	tag := m.ConsumerTag
	if tag == "" {
		tag = genName("amq.ctag-")
	}
	ch.mu.Lock()
	_, dup := ch.consumers[tag]
	dup = dup || (ch.reply != nil && ch.reply.tag == tag)
	ch.mu.Unlock()
	if dup {
		return nil, newErr(wire.NotAllowed, "attempt to reuse consumer tag '%s'", tag)
	}
	if name == replyToQueue {
		return ch.consumeReplyTo(tag, m)
	}
	qe := vh.queue(name)
	if qe == nil {
		return nil, errNoQueue(name, vh.name)
	}
	if err := qe.checkAccess(c); err != nil {
		return nil, err
	}
	prio := 0
	if v, ok := m.Arguments.Get("x-priority"); ok {
		n, isInt := intArg(v)
		if !isInt {
			return nil, newErr(wire.PreconditionFailed, "invalid arg 'x-priority' for %s: {unacceptable_type,%s}",
				rs("queue", name, vh.name), typeName(v))
		}
		prio = int(n)
	}
	cs := &consumer{ch: ch, tag: tag, qe: qe, noAck: m.NoAck, stop: make(chan struct{}), n: firstBatch}
	if qe.st != nil {
		if err := ch.streamConsume(cs, m); err != nil {
			return nil, err
		}
	} else {
		qc, err := qe.q.Consume(queue.ConsumerOptions{
			Tag: tag, Prefetch: ch.prefetch, Shared: ch.limit, NoAck: m.NoAck, Exclusive: m.Exclusive, Priority: prio,
			Owner: cs,
		})
		if err != nil {
			return nil, errFromCore(err, name, vh.name)
		}
		cs.qc = qc
	}
	qe.consumerAdded()
	ch.mu.Lock()
	ch.consumers[tag] = cs
	ch.mu.Unlock()
	ch.pendingStart = append(ch.pendingStart, cs)
	return ok(m.NoWait, &wire.BasicConsumeOk{ConsumerTag: tag})
}

func (ch *channel) basicCancel(m *wire.BasicCancel) (wire.Method, error) {
	tag := m.ConsumerTag
	ch.mu.Lock()
	cs := ch.consumers[tag]
	if cs != nil {
		cs.dead = true
		delete(ch.consumers, tag)
	}
	rc := ch.reply
	if rc != nil && rc.tag == tag {
		ch.reply = nil
	} else {
		rc = nil
	}
	ch.mu.Unlock()
	if cs != nil {
		cs.stopConsuming()
		cs.qe.consumerGone()
	}
	if rc != nil {
		ch.c.s.replyTo.remove(rc)
	}
	return ok(m.NoWait, &wire.BasicCancelOk{ConsumerTag: tag})
}

// start runs the consumer's delivery goroutine.
func (cs *consumer) start() {
	c := cs.ch.c
	c.consumerWG.Add(1)
	go func() {
		defer c.consumerWG.Done()
		if cs.sc != nil {
			cs.sc.run(cs)
			return
		}
		cs.run()
	}()
}

// stopConsuming cancels the queue registration and stops the goroutine.
func (cs *consumer) stopConsuming() {
	cs.stopOnce.Do(func() {
		if cs.qc != nil {
			cs.qc.Cancel()
		}
		close(cs.stop)
	})
}

// serverCancel ends a consumer whose queue went away, telling the client
// if it understands basic.cancel from the server.
func (cs *consumer) serverCancel() {
	ch := cs.ch
	c := ch.c
	ch.mu.Lock()
	if cs.dead {
		ch.mu.Unlock()
		return
	}
	cs.dead = true
	delete(ch.consumers, cs.tag)
	if c.capCancelNotify {
		c.out.method(ch.id, &wire.BasicCancel{ConsumerTag: cs.tag, NoWait: true})
	}
	ch.mu.Unlock()
	c.out.flush()
	cs.stopConsuming()
	cs.qe.consumerGone()
}

// run pushes a classic queue's messages to the client.
func (cs *consumer) run() {
	c := cs.ch.c
	var ds []queue.Delivery
	for {
		select {
		case <-cs.qc.Wake():
		case <-cs.qc.Cancelled():
			if cs.qc.Err() != nil {
				cs.serverCancel()
			}
			return
		case <-cs.stop:
			return
		}
		for {
			if !cs.ch.flow.wait(cs.stop) || !c.out.waitSpace(cs.stop) {
				return
			}
			var more bool
			if ds, more = cs.deliverBatch(ds[:0]); !more {
				break
			}
		}
	}
}

// serveWoken delivers to the consumers the reader's batch woke (see
// deliverNow) and kicks those it cannot serve.
func (c *conn) serveWoken() {
	for i, qc := range c.batch.woken {
		c.batch.woken[i] = nil
		if cs, ok := qc.Owner().(*consumer); ok {
			c.batch.ds = cs.deliverNow(c.batch.ds)
		} else {
			qc.Kick()
		}
	}
	c.batch.woken = c.batch.woken[:0]
}

// wakeLeft kicks the consumers a batch that ended in an error woke.
func (c *conn) wakeLeft() {
	for i, qc := range c.batch.woken {
		qc.Kick()
		c.batch.woken[i] = nil
	}
	c.batch.woken = c.batch.woken[:0]
}

// deliverNow delivers one batch on the calling goroutine (a reader of any
// connection) for a consumer its queue would have woken. It leaves the work
// to the consumer's goroutine — kicks it — when the channel's flow is
// paused, the outbox is full, or the batch was full (there may be more).
func (cs *consumer) deliverNow(ds []queue.Delivery) []queue.Delivery {
	if !cs.ch.flow.active() || cs.ch.c.out.full() {
		cs.qc.Kick()
		return ds
	}
	ds, more := cs.deliverBatch(ds[:0])
	if more {
		cs.qc.Kick()
	}
	return ds
}

// deliverBatch takes up to a batch of messages and writes them to the
// outbox. It reports whether it took a full batch (so there may be more),
// and sizes the next batch to the outbox.
func (cs *consumer) deliverBatch(ds []queue.Delivery) ([]queue.Delivery, bool) {
	ch := cs.ch
	c := ch.c
	ch.mu.Lock()
	if cs.dead {
		ch.mu.Unlock()
		return ds, false
	}
	n := cs.n
	ds = cs.qc.Take(ds, n)
	if len(ds) == 0 {
		ch.mu.Unlock()
		return ds, false
	}
	size := 0
	b, okb := c.out.begin()
	for i := range ds {
		d := &ds[i]
		ch.nextTag++
		tag := ch.nextTag
		if !cs.noAck {
			ch.unacked.push(unackedEntry{tag: tag, qtag: d.Tag, q: cs.qe.q})
		}
		if okb {
			b = wire.AppendDeliver(b, ch.id, cs.tag, tag, d.Redelivered, d.Msg.Exchange, d.Msg.RoutingKey,
				d.Msg.Props, d.Msg.Body, c.frameMax)
		}
		size += len(d.Msg.Body) + len(d.Msg.Props)
	}
	c.out.end(b, okb)
	cs.n = batchSize(size, len(ds))
	ch.mu.Unlock()
	c.out.flush()
	if c.s.mem.on.Load() {
		c.s.mem.kick()
	}
	more := len(ds) == n
	clear(ds)
	return ds, more
}

// firstBatch is a consumer's first batch size, before batchSize has seen
// its messages.
const firstBatch = 64

// batchSize fits the next batch to half the outbox given the last one.
func batchSize(bytes, msgs int) int {
	avg := bytes/max(msgs, 1) + 64
	return min(max(outboxLimit/2/avg, 1), 256)
}
