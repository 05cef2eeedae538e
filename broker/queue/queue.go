// Package queue is Junction's protocol-neutral message queue engine with
// RabbitMQ classic-queue semantics: FIFO delivery with requeue to the
// original position, per-consumer and shared prefetch credit, round-robin
// dispatch with consumer priorities, single active consumer, message
// priorities, message TTL and queue expiry, max-length/max-bytes overflow
// policies, dead-lettering, and durable persistent messages recorded in a
// storage.Log with settlements in a second log.
//
// The package knows no wire protocol: message properties are opaque bytes.
// Frontends pull work: a Consumer's Wake channel is kicked when it may have
// something to Take; they settle with Ack / Nack / Release. A frontend that
// handles requests in batches can publish with PublishFor and ack with
// AckFor instead: they return the consumers to wake rather than waking
// them, so it can Take for them on its own goroutine, and leave the log
// writes for one Flush per batch.
//
// This file implements Config, New, Publish, PublishFor, Get, Purge and the
// counters.
//
// Locking: each Queue has one mutex (Queue.mu) guarding all of its state,
// including its consumers' credit counters. Lock order: Queue.mu before
// Limit.mu; no code holds two Queue.mu at once. DeadLetter and OnExpire are
// called with no lock held; the only I/O under Queue.mu is Log/AckLog
// Append and TruncateFront, and the Log Sync of a relocation (relocate.go,
// rare: at most once per compactEvery records appended).
package queue

import (
	"fmt"
	"sync"
	"time"

	"junction/storage"
)

// Overflow is what a queue does when a publish would exceed MaxLength or
// MaxBytes (AMQP x-overflow).
type Overflow uint8

const (
	// DropHead drops (dead-letters with "maxlen") the oldest ready messages
	// until the queue is within its limits. The default.
	DropHead Overflow = iota
	// RejectPublish refuses the new message: Publish returns ErrRejected.
	RejectPublish
	// RejectPublishDLX refuses the new message like RejectPublish and also
	// dead-letters it with "maxlen".
	RejectPublishDLX
)

// String returns the x-overflow name of o.
func (o Overflow) String() string {
	switch o {
	case DropHead:
		return "drop-head"
	case RejectPublish:
		return "reject-publish"
	case RejectPublishDLX:
		return "reject-publish-dlx"
	}
	return fmt.Sprintf("Overflow(%d)", uint8(o))
}

// Dead-letter reasons passed to Config.DeadLetter (as in RabbitMQ's x-death).
const (
	ReasonExpired  = "expired"  // message TTL passed
	ReasonMaxLen   = "maxlen"   // dropped or refused by the length/bytes limit
	ReasonRejected = "rejected" // nacked or rejected without requeue
)

// Config configures a queue. Zero values are the defaults unless noted.
type Config struct {
	// Name identifies the queue in errors.
	Name string
	// Durable queues store Persistent messages in Log and settlements in
	// AckLog, and New recovers them. Both logs are required.
	Durable bool
	// MaxLength caps the number of ready messages (0 = unlimited).
	MaxLength int64
	// MaxBytes caps the sum of body sizes of ready messages (0 = unlimited).
	MaxBytes int64
	// Overflow is the policy when MaxLength or MaxBytes would be exceeded.
	Overflow Overflow
	// MessageTTL is the queue's message TTL in milliseconds; NoTTL (-1)
	// means none. NOTE: 0 is a valid TTL ("expire unless delivered at
	// once"), so a literal Config{} expires every message that no consumer
	// can take immediately: set NoTTL for no TTL.
	MessageTTL int64
	// Expires deletes the queue after it has been unused (no consumers, no
	// Get, no Touch) for this many milliseconds, then calls OnExpire.
	// 0 = never.
	Expires int64
	// MaxPriority enables message priorities 0..MaxPriority (0 = none).
	MaxPriority uint8
	// SingleActiveConsumer delivers only to one consumer: the first
	// registered; when it cancels, the remaining consumer with the highest
	// priority (then the earliest) becomes active and is kicked. (RabbitMQ
	// 3.12+ also hands over to a newly registered higher-priority consumer
	// once the active one has no unacked messages; this does not.)
	SingleActiveConsumer bool
	// DeadLetter receives every message the queue removes without
	// delivering it: reason is ReasonExpired, ReasonMaxLen or
	// ReasonRejected. It takes ownership of m. It is called with no queue
	// lock held, possibly concurrently and from a timer goroutine, and may
	// publish to any queue (this one included). nil drops such messages.
	DeadLetter func(m *Message, reason string)
	// OnExpire is called (from a timer goroutine, no lock held) once the
	// queue has deleted itself because of Expires.
	OnExpire func()
	// Log is the durable message log (Durable only). The queue appends to
	// it and truncates its front; the broker opens, closes and removes it.
	Log storage.Log
	// AckLog is the durable settlement log (Durable only); see durable.go
	// for its records.
	AckLog storage.Log
	// Now is the clock (default time.Now); TTLs and expiry are measured by
	// it, while the timers that fire them use the runtime's timers.
	Now func() time.Time
}

// Queue is one message queue. All methods are safe for concurrent use.
type Queue struct {
	cfg    Config
	log    storage.Log // nil unless durable
	ackLog storage.Log // nil unless durable

	mu sync.Mutex // guards every field below and the guarded fields of its Consumers

	ready     ready
	seq       uint64              // next publish sequence
	nextTag   uint64              // next delivery tag
	unacked   map[uint64]*Message // delivered, waiting for Ack/Nack/Release
	consumers []*Consumer         // live consumers by priority (high first), then registration
	active    *Consumer           // the single active consumer (SingleActiveConsumer)
	rr        int                 // round-robin cursor for kick
	gone      error               // ErrDeleted or ErrClosed once the queue is finished
	lastUsed  int64               // ms; last Get, Touch, Consume or consumer cancel
	expTimer  *time.Timer         // unused-expiry timer (Expires > 0)

	hasTTL   bool        // some message (or the queue) has a TTL: keep the TTL timer armed
	ttlTimer *time.Timer // fires at the earliest head expiry
	ttlAt    int64       // deadline ttlTimer is armed for, 0 = not armed

	dur durableState // logs' bookkeeping (durable.go)

	// While collecting, the consumers that kick and settle would wake are
	// appended to collected instead, for PublishFor and AckFor callers
	// that serve them.
	collecting bool
	collected  []*Consumer
}

// New creates a queue. For a durable queue it first rebuilds the ready
// messages from Log minus those settled in AckLog; they come back marked
// redelivered.
func New(cfg Config) (*Queue, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	switch {
	case cfg.MaxLength < 0, cfg.MaxBytes < 0, cfg.Expires < 0, cfg.MessageTTL < NoTTL,
		cfg.Overflow > RejectPublishDLX:
		return nil, fmt.Errorf("queue %q: %w", cfg.Name, ErrInvalidConfig)
	case cfg.Durable && (cfg.Log == nil || cfg.AckLog == nil):
		return nil, fmt.Errorf("queue %q: durable queue needs Log and AckLog: %w", cfg.Name, ErrInvalidConfig)
	}
	q := &Queue{
		cfg:     cfg,
		ready:   newReady(cfg.MaxPriority),
		nextTag: 1,
		unacked: make(map[uint64]*Message),
		hasTTL:  cfg.MessageTTL >= 0,
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.nowMs()
	if cfg.Durable {
		q.log, q.ackLog = cfg.Log, cfg.AckLog
		if err := q.recover(now); err != nil {
			return nil, fmt.Errorf("queue %q: recover: %w", cfg.Name, err)
		}
	}
	q.lastUsed = now
	if cfg.Expires > 0 {
		q.expTimer = time.AfterFunc(msDuration(cfg.Expires), q.onUnused)
	}
	q.armTTL(now)
	return q, nil
}

// Name returns Config.Name.
func (q *Queue) Name() string { return q.cfg.Name }

func (q *Queue) nowMs() int64 { return q.cfg.Now().UnixMilli() }

func msDuration(ms int64) time.Duration {
	if ms > int64(1<<63-1)/int64(time.Millisecond) {
		return 1<<63 - 1
	}
	return time.Duration(ms) * time.Millisecond
}

// deadLetter is a message removed under the lock, to be handed to
// Config.DeadLetter once the lock is released.
type deadLetter struct {
	m      *Message
	reason string
}

// drop removes m from the queue's books (it is already out of ready and
// unacked): settles it in the log and appends it to dl for dead-lettering.
// q.mu is held.
func (q *Queue) drop(dl []deadLetter, m *Message, reason string) []deadLetter {
	q.settle(m)
	m.owner = nil
	if q.cfg.DeadLetter != nil {
		dl = append(dl, deadLetter{m, reason})
	}
	return dl
}

// deadLetterAll hands dl to Config.DeadLetter. q.mu is not held.
func (q *Queue) deadLetterAll(dl []deadLetter) {
	for _, d := range dl {
		q.cfg.DeadLetter(d.m, d.reason)
	}
}

// ttl returns the TTL that applies to m (NoTTL if none).
func (q *Queue) ttl(m *Message) int64 {
	t := q.cfg.MessageTTL
	if e := m.Expiration; e >= 0 && (t < 0 || e < t) {
		t = e
	}
	return t
}

// level returns the priority level m is queued at.
func (q *Queue) level(p uint8) uint8 { return min(p, q.cfg.MaxPriority) }

// overLimit reports whether the ready messages exceed MaxLength/MaxBytes.
func (q *Queue) overLimit() bool {
	return (q.cfg.MaxLength > 0 && int64(q.ready.n) > q.cfg.MaxLength) ||
		(q.cfg.MaxBytes > 0 && q.ready.bytes > q.cfg.MaxBytes)
}

// wouldOverflow reports whether enqueuing m would exceed the limits.
func (q *Queue) wouldOverflow(m *Message) bool {
	return (q.cfg.MaxLength > 0 && int64(q.ready.n)+1 > q.cfg.MaxLength) ||
		(q.cfg.MaxBytes > 0 && q.ready.bytes+int64(len(m.Body)) > q.cfg.MaxBytes)
}

// Publish enqueues m, taking ownership of it and its slices. A persistent
// message in a durable queue is appended to Log first (not synced: see
// Sync). With a full queue, DropHead dead-letters the oldest ready messages
// ("maxlen"), RejectPublish returns ErrRejected, and RejectPublishDLX
// returns ErrRejected and dead-letters m. A message whose TTL is 0 that no
// consumer can take at once is dead-lettered as "expired" (and Publish
// returns nil). It fails with ErrDeleted or ErrClosed after Delete/Close,
// or with the log's error.
func (q *Queue) Publish(m *Message) error {
	_, err := q.publish(m, nil, false)
	return err
}

// PublishFor is Publish for a caller that serves consumers itself and
// batches log writes, such as a connection's reader: the consumer Publish
// would wake is appended to woken (unless already there) instead of being
// woken, and the caller must Take for it, or Kick it, promptly; and a
// persistent message's log record is left for the caller's Flush (or any
// later operation on the queue), written with those of its other
// PublishFor and AckFor calls. Until then a failed log write is not seen:
// Flush reports it.
func (q *Queue) PublishFor(m *Message, woken []*Consumer) ([]*Consumer, error) {
	return q.publish(m, woken, true)
}

func (q *Queue) publish(m *Message, woken []*Consumer, collect bool) ([]*Consumer, error) {
	var dlBuf [4]deadLetter
	dl := dlBuf[:0]
	q.mu.Lock()
	if q.gone != nil {
		err := q.gone
		q.mu.Unlock()
		return woken, err
	}
	now := q.nowMs()
	m.EnqueuedAt = now
	m.DeliveryCount = 0
	m.redelivered, m.logged, m.owner = false, false, nil
	m.level = q.level(m.Priority)
	m.expireAt = noExpiry
	ttl := q.ttl(m)
	if ttl >= 0 {
		q.hasTTL = true
		m.expireAt = now + min(ttl, noExpiry-now)
	}

	switch {
	case q.cfg.Overflow != DropHead && q.wouldOverflow(m):
		q.mu.Unlock()
		if q.cfg.Overflow == RejectPublishDLX && q.cfg.DeadLetter != nil {
			q.cfg.DeadLetter(m, ReasonMaxLen)
		}
		return woken, ErrRejected
	case ttl == 0 && !q.canDeliverNow():
		q.mu.Unlock()
		if q.cfg.DeadLetter != nil {
			q.cfg.DeadLetter(m, ReasonExpired)
		}
		return woken, nil
	}

	m.seq = q.seq
	if q.log != nil && m.Persistent {
		if err := q.appendMessage(m, collect); err != nil {
			q.mu.Unlock()
			return woken, err
		}
	}
	q.seq++
	q.ready.push(m)
	if q.cfg.Overflow == DropHead {
		for q.overLimit() {
			dl = q.drop(dl, q.ready.pop(), ReasonMaxLen)
		}
	}
	if !collect {
		q.flushSettled(now)
	}
	q.armTTL(now)
	q.collecting, q.collected = collect, woken
	q.kick(nil)
	woken = q.collected
	q.collecting, q.collected = false, nil
	q.mu.Unlock()
	q.deadLetterAll(dl)
	return woken, nil
}

// Get removes the next ready message for basic.get, ignoring prefetch
// limits. With noAck it is settled at once; otherwise it waits for
// Ack/Nack/Release under the returned tag. ok is false when the queue has
// no deliverable message. Get counts as use for Expires.
func (q *Queue) Get(noAck bool) (d Delivery, ok bool) {
	var dlBuf [4]deadLetter
	dl := dlBuf[:0]
	q.mu.Lock()
	if q.gone != nil {
		q.mu.Unlock()
		return Delivery{}, false
	}
	now := q.nowMs()
	q.lastUsed = now
	for {
		m := q.ready.pop()
		if m == nil {
			break
		}
		if m.expired(now) {
			dl = q.drop(dl, m, ReasonExpired)
			continue
		}
		d, ok = q.deliver(m, nil, noAck), true
		break
	}
	q.flushSettled(now)
	q.armTTL(now)
	q.mu.Unlock()
	q.deadLetterAll(dl)
	return d, ok
}

// deliver turns m (just removed from ready) into a delivery for c (nil for
// Get). q.mu is held.
func (q *Queue) deliver(m *Message, c *Consumer, noAck bool) Delivery {
	d := Delivery{Tag: q.nextTag, Msg: m, Redelivered: m.redelivered}
	q.nextTag++
	if noAck {
		q.settle(m)
		return d
	}
	m.owner = c
	q.unacked[d.Tag] = m
	if c != nil {
		c.unacked++
	}
	return d
}

// Purge removes every ready message (unacknowledged ones stay) without
// dead-lettering them and returns how many it removed.
func (q *Queue) Purge() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.gone != nil {
		return 0
	}
	n := q.ready.n
	q.ready.clear(q.settle)
	q.flushSettled(q.nowMs())
	return n
}

// Len returns the number of ready messages (AMQP message-count). Expired
// messages not yet at the head are still counted, as in RabbitMQ.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.ready.n
}

// Bytes returns the sum of the body sizes of the ready messages.
func (q *Queue) Bytes() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.ready.bytes
}

// ConsumerCount returns the number of live consumers.
func (q *Queue) ConsumerCount() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.consumers)
}

// Unacked returns the number of deliveries waiting for Ack/Nack/Release.
func (q *Queue) Unacked() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.unacked)
}
