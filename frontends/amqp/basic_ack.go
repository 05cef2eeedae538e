// basic.ack (60.80), basic.nack (60.120), basic.reject (60.90) and
// basic.recover / recover-async (60.110 / 60.100). Tags are the channel's:
// an unknown or already settled tag closes the channel with 406
// "PRECONDITION_FAILED - unknown delivery tag N"; multiple=true settles
// every outstanding tag up to N (N itself must be outstanding), and tag 0
// with multiple=true settles all. Settlements are grouped per queue and
// passed to the queue engine with its own tags: requeued messages return
// to their original position, marked redelivered; rejected ones without
// requeue are dead-lettered. On stream deliveries an ack, nack or reject
// only gives credit back. Inside a transaction settlements wait for
// tx.commit (tx.go). recover with requeue=false is 540, as in RabbitMQ.

package amqp

import "junction/frontends/amqp/internal/wire"

func (ch *channel) basicAck(tag uint64, multiple bool) error {
	return ch.settleTags(tag, multiple, settleAck)
}

func (ch *channel) basicNack(tag uint64, multiple, requeue bool) error {
	kind := settleDrop
	if requeue {
		kind = settleRequeue
	}
	return ch.settleTags(tag, multiple, kind)
}

func (ch *channel) settleTags(tag uint64, multiple bool, kind settleKind) error {
	ch.mu.Lock()
	entries, found := ch.unacked.take(tag, multiple, ch.scratch[:0])
	ch.mu.Unlock()
	if !found {
		return errUnknownTag(tag)
	}
	if ch.tx != nil {
		ch.tx.acks = append(ch.tx.acks, txAck{kind: kind, entries: append([]unackedEntry(nil), entries...)})
		ch.scratch = entries[:0]
		return nil
	}
	ch.tags = settle(entries, kind, ch.tags, &ch.c.batch)
	clear(entries)
	ch.scratch = entries[:0]
	if kind == settleRequeue {
		ch.c.batch.published = true // ready bytes grew
	}
	return nil
}

// recover requeues every unacknowledged delivery of the channel.
func (ch *channel) recover(requeue bool) error {
	if !requeue {
		return newErr(wire.NotImplemented, "requeue=false")
	}
	ch.mu.Lock()
	entries := ch.unacked.drain(nil)
	ch.mu.Unlock()
	settle(entries, settleRequeue, nil, nil)
	ch.c.batch.published = true
	return nil
}
