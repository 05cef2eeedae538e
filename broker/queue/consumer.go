// Consumers and dispatch: Consume/Cancel, credit (per-consumer prefetch and
// a shared Limit), Take, and who gets kicked when — round-robin among the
// highest-priority consumers that have credit, or only the single active
// consumer.
//
// Dispatch is pull-based: the queue never pushes messages; it kicks one
// consumer's one-slot Wake channel and that consumer moves messages with
// Take. Kicks keep this invariant: while ready messages exist and some
// consumer may take them, at least one such consumer has a pending kick or
// is inside its Take loop. Publish kicks the next consumer in rotation; a
// Take that leaves messages behind kicks the next other one; an Ack that
// gives credit back kicks its owner; a Limit that gets credit back kicks all
// its consumers. Fairness between consumers is therefore per Take batch.
// PublishFor and AckFor hand the kicks they would make to their caller,
// which takes over the invariant: it Takes for those consumers or Kicks
// them.
//
// Known gap: when a shared Limit is exhausted by deliveries on another
// queue, lower-priority consumers here that could now receive are not
// kicked until the next publish, ack or cancel on this queue.

package queue

import (
	"math"
	"slices"
)

// ConsumerOptions configure a consumer (AMQP basic.consume + basic.qos).
type ConsumerOptions struct {
	// Tag names the consumer (AMQP consumer tag); informational.
	Tag string
	// Prefetch caps this consumer's unacknowledged deliveries (0 = unlimited).
	Prefetch int
	// Shared, if set, also caps the unacknowledged deliveries of all
	// consumers sharing it, on any queues (AMQP qos global=true).
	Shared *Limit
	// NoAck deliveries are settled when taken; prefetch limits do not apply.
	NoAck bool
	// Exclusive: no other consumer may exist on the queue at the same time.
	Exclusive bool
	// Priority (AMQP x-priority): higher-priority consumers with credit
	// receive first; equal priorities share round-robin.
	Priority int
	// Owner is the frontend's own value for the consumer, returned by
	// Consumer.Owner (for PublishFor and AckFor callers); the queue never
	// looks at it.
	Owner any
}

// Consumer is a registration on a queue. Its owner waits on Wake, then
// calls Take until Take returns fewer deliveries than asked for.
type Consumer struct {
	q         *Queue
	tag       string
	noAck     bool
	exclusive bool
	priority  int
	limit     *Limit
	owner     any
	wake      chan struct{} // one slot: kicked when there may be work
	cancelled chan struct{} // closed when the consumer stops

	// guarded by q.mu
	prefetch int
	unacked  int   // deliveries taken and not yet settled (not counted for NoAck)
	done     bool  // cancelled
	err      error // why it was cancelled: nil (Cancel), ErrDeleted, ErrClosed
}

// Consume registers a consumer. It fails with ErrExclusiveConsumer when the
// queue has an exclusive consumer, or o.Exclusive is set and the queue has
// consumers; with ErrDeleted/ErrClosed on a finished queue. The new
// consumer is kicked if it can receive at once.
func (q *Queue) Consume(o ConsumerOptions) (*Consumer, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.gone != nil {
		return nil, q.gone
	}
	if len(q.consumers) > 0 && (o.Exclusive || q.consumers[0].exclusive) {
		return nil, ErrExclusiveConsumer
	}
	c := &Consumer{
		q:         q,
		tag:       o.Tag,
		noAck:     o.NoAck,
		exclusive: o.Exclusive,
		priority:  o.Priority,
		limit:     o.Shared,
		owner:     o.Owner,
		prefetch:  max(o.Prefetch, 0),
		wake:      make(chan struct{}, 1),
		cancelled: make(chan struct{}),
	}
	// After every consumer of higher or equal priority: registration order
	// within a priority.
	i := len(q.consumers)
	for i > 0 && q.consumers[i-1].priority < c.priority {
		i--
	}
	q.consumers = slices.Insert(q.consumers, i, c)
	if q.cfg.SingleActiveConsumer && q.active == nil {
		q.active = c
	}
	if c.limit != nil {
		c.limit.add(c)
	}
	q.lastUsed = q.nowMs()
	if q.ready.n > 0 && c.credit() > 0 && q.eligible(c) {
		c.kick()
	}
	return c, nil
}

// Tag returns ConsumerOptions.Tag.
func (c *Consumer) Tag() string { return c.tag }

// Wake returns the consumer's one-slot wake channel. A value arrives when
// the consumer may have work: a message arrived, credit came back, it
// became the active consumer. Wake-ups are coalesced and may be spurious.
func (c *Consumer) Wake() <-chan struct{} { return c.wake }

// Cancelled returns a channel closed when the consumer stops, whether by
// Cancel or because the queue was deleted, expired or closed; Err tells
// which. A frontend sends a server-initiated cancel (AMQP basic.cancel)
// when Err is non-nil.
func (c *Consumer) Cancelled() <-chan struct{} { return c.cancelled }

// Err returns nil while the consumer is live or after Cancel, and ErrDeleted
// or ErrClosed once the queue cancelled it.
func (c *Consumer) Err() error {
	c.q.mu.Lock()
	defer c.q.mu.Unlock()
	return c.err
}

// Owner returns ConsumerOptions.Owner.
func (c *Consumer) Owner() any { return c.owner }

// Kick wakes the consumer (its Wake channel) without blocking: what a
// PublishFor or AckFor caller does for a consumer it does not serve.
func (c *Consumer) Kick() { c.kick() }

// kick wakes the consumer without blocking.
func (c *Consumer) kick() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// credit returns how many more deliveries c may take now. q.mu is held.
func (c *Consumer) credit() int {
	if c.noAck {
		return math.MaxInt
	}
	cr := math.MaxInt
	if c.prefetch > 0 {
		cr = max(c.prefetch-c.unacked, 0)
	}
	if c.limit != nil {
		cr = min(cr, c.limit.credit())
	}
	return cr
}

// eligible reports whether c may receive now: it is live, it is the
// active consumer under single-active-consumer, and no consumer of higher
// priority has credit. q.mu is held.
func (q *Queue) eligible(c *Consumer) bool {
	if c.done {
		return false
	}
	if q.cfg.SingleActiveConsumer {
		return q.active == c
	}
	for _, o := range q.consumers {
		if o.priority <= c.priority {
			break
		}
		if o.credit() > 0 {
			return false
		}
	}
	return true
}

// canDeliverNow reports whether some consumer could take a message at
// once (for TTL-0 messages). q.mu is held.
func (q *Queue) canDeliverNow() bool {
	if q.cfg.SingleActiveConsumer {
		return q.active != nil && q.active.credit() > 0
	}
	for _, c := range q.consumers {
		if c.credit() > 0 {
			return true
		}
	}
	return false
}

// kick wakes the next consumer in rotation among the highest-priority
// group that has credit, skipping exclude (which is already taking). It
// does nothing when no message is ready. q.mu is held.
func (q *Queue) kick(exclude *Consumer) {
	if q.ready.n == 0 || len(q.consumers) == 0 {
		return
	}
	if q.cfg.SingleActiveConsumer {
		if a := q.active; a != nil && a != exclude && a.credit() > 0 {
			a.kick()
		}
		return
	}
	cs := q.consumers
	for i := 0; i < len(cs); {
		j := i + 1
		for j < len(cs) && cs[j].priority == cs[i].priority {
			j++
		}
		n := j - i
		start := q.rr % n
		withCredit := false
		for k := range n {
			c := cs[i+(start+k)%n]
			if c.credit() == 0 {
				continue
			}
			withCredit = true
			if c != exclude {
				q.wake(c)
				q.rr = start + k + 1
				return
			}
		}
		if withCredit {
			return // only exclude can take at this priority, and it is taking
		}
		i = j
	}
}

// wake kicks c, or appends it to the collecting caller's list. q.mu is
// held and c is one of q's consumers.
func (q *Queue) wake(c *Consumer) {
	if !q.collecting {
		c.kick()
		return
	}
	if !slices.Contains(q.collected, c) {
		q.collected = append(q.collected, c)
	}
}

// Take moves up to n ready messages — fewer if the consumer's credit
// (prefetch, shared Limit) is smaller — to the consumer and appends them to
// dst. NoAck consumers ignore credit and their deliveries are settled at
// once; other deliveries wait for Ack/Nack/Release. Expired messages met at
// the head are dead-lettered instead. Take returns dst unchanged when the
// consumer is cancelled, is not the active one, or a higher-priority
// consumer has credit. Call it again while it returns n deliveries; after a
// shorter batch wait for Wake.
func (c *Consumer) Take(dst []Delivery, n int) []Delivery {
	if n <= 0 {
		return dst
	}
	q := c.q
	var dlBuf [4]deadLetter
	dl := dlBuf[:0]
	q.mu.Lock()
	if q.gone != nil || !q.eligible(c) {
		q.mu.Unlock()
		return dst
	}
	n = min(n, q.ready.n)
	reserved := 0
	if !c.noAck {
		if c.prefetch > 0 {
			n = min(n, c.prefetch-c.unacked)
		}
		if n > 0 && c.limit != nil {
			n = c.limit.reserve(n)
			reserved = n
		}
	}
	if n <= 0 {
		q.mu.Unlock()
		return dst
	}
	now := q.nowMs()
	taken := 0
	for taken < n {
		m := q.ready.pop()
		if m == nil {
			break
		}
		if m.expired(now) {
			dl = q.drop(dl, m, ReasonExpired)
			continue
		}
		dst = append(dst, q.deliver(m, c, c.noAck))
		taken++
	}
	if reserved > taken {
		c.limit.release(reserved - taken)
	}
	q.flushSettled(now)
	q.armTTL(now)
	q.kick(c)
	q.mu.Unlock()
	q.deadLetterAll(dl)
	return dst
}

// SetPrefetch changes the consumer's prefetch (0 = unlimited) at once
// (AMQP basic.qos global=false on a channel with consumers).
func (c *Consumer) SetPrefetch(n int) {
	q := c.q
	q.mu.Lock()
	defer q.mu.Unlock()
	if c.done {
		return
	}
	c.prefetch = max(n, 0)
	if q.ready.n == 0 {
		return
	}
	if c.credit() > 0 && q.eligible(c) {
		c.kick()
	} else {
		q.kick(nil) // lower-priority consumers may have become eligible
	}
}

// Cancel stops the consumer (AMQP basic.cancel from the client). Its
// unacknowledged deliveries stay unacknowledged until the owner settles or
// releases them. Cancelled is closed and Err stays nil. Cancelling twice is
// a no-op.
func (c *Consumer) Cancel() {
	q := c.q
	q.mu.Lock()
	defer q.mu.Unlock()
	if c.done {
		return
	}
	q.removeConsumer(c, nil)
	if q.active == c {
		q.active = nil
		if len(q.consumers) > 0 {
			// The highest-priority, earliest registered consumer takes over.
			q.active = q.consumers[0]
			q.active.kick()
		}
	}
	q.kick(nil)
	if len(q.consumers) == 0 {
		q.lastUsed = q.nowMs()
		if q.expTimer != nil {
			q.expTimer.Reset(msDuration(q.cfg.Expires))
		}
	}
}

// removeConsumer unregisters c and closes its Cancelled channel with err
// as its Err. q.mu is held.
func (q *Queue) removeConsumer(c *Consumer, err error) {
	c.done, c.err = true, err
	close(c.cancelled)
	if i := slices.Index(q.consumers, c); i >= 0 {
		q.consumers = slices.Delete(q.consumers, i, i+1)
	}
	if c.limit != nil {
		c.limit.remove(c)
	}
}
