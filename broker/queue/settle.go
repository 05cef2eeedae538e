// Settlement of deliveries: Ack (basic.ack), Nack (basic.nack /
// basic.reject, with or without requeue) and Release (requeue on channel
// or connection close). Settling gives the credit back to the consumer
// and Limit that took the delivery.

package queue

import "slices"

// Ack settles the deliveries with the given tags. Unknown tags (already
// settled, or from before a Delete) are ignored; the frontend validates
// tags against its channel's own records.
func (q *Queue) Ack(tags ...uint64) {
	q.settleTags(false, false, tags, nil, false)
}

// AckFor is Ack for a caller that serves consumers itself (see
// PublishFor): the consumers the acks would wake are appended to woken
// instead, and the caller must Take for them, or Kick them, promptly. The
// settlements' log record is left for Flush (or any later operation).
func (q *Queue) AckFor(woken []*Consumer, tags ...uint64) []*Consumer {
	return q.settleTags(false, false, tags, woken, true)
}

// Nack settles the deliveries with the given tags negatively. With
// requeue each message goes back to its original position among the ready
// messages (by publish order), marked redelivered with DeliveryCount
// incremented; without requeue it is dead-lettered with "rejected" (or
// dropped when there is no DeadLetter). Unknown tags are ignored.
func (q *Queue) Nack(requeue bool, tags ...uint64) {
	q.settleTags(true, requeue, tags, nil, false)
}

// Release requeues the deliveries with the given tags, as Nack(true, …);
// frontends call it for a closing channel's unacknowledged deliveries.
func (q *Queue) Release(tags ...uint64) {
	q.settleTags(true, true, tags, nil, false)
}

// settleTags settles tags; with collect the consumers to wake are appended
// to woken, which it returns.
func (q *Queue) settleTags(nack, requeue bool, tags []uint64, woken []*Consumer, collect bool) []*Consumer {
	var dlBuf [4]deadLetter
	dl := dlBuf[:0]
	var ownBuf [4]*Consumer
	owners := ownBuf[:0] // distinct consumers that got credit back
	q.mu.Lock()
	if q.gone != nil {
		q.mu.Unlock()
		return woken
	}
	requeued := false
	for _, tag := range tags {
		m, ok := q.unacked[tag]
		if !ok {
			continue
		}
		delete(q.unacked, tag)
		if c := m.owner; c != nil {
			m.owner = nil
			c.unacked--
			if c.limit != nil {
				c.limit.release(1)
			}
			if !c.done && !slices.Contains(owners, c) {
				owners = append(owners, c)
			}
		}
		switch {
		case !nack:
			q.settle(m)
		case requeue:
			m.redelivered = true
			m.DeliveryCount++
			q.ready.requeue(m)
			requeued = true
		default:
			dl = q.drop(dl, m, ReasonRejected)
		}
	}
	var now int64
	if requeued || q.log != nil {
		now = q.nowMs()
	}
	if requeued && q.cfg.Overflow == DropHead {
		for q.overLimit() {
			dl = q.drop(dl, q.ready.pop(), ReasonMaxLen)
		}
	}
	if !collect {
		q.flushSettled(now)
	}
	if requeued {
		q.armTTL(now)
	}
	if q.ready.n > 0 {
		q.collecting, q.collected = collect, woken
		kicked := false
		for _, c := range owners {
			if c.credit() > 0 && q.eligible(c) {
				q.wake(c)
				kicked = true
			}
		}
		if requeued && !kicked {
			q.kick(nil)
		}
		woken = q.collected
		q.collecting, q.collected = false, nil
	}
	q.mu.Unlock()
	q.deadLetterAll(dl)
	return woken
}
