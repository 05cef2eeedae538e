// Messages, deliveries and the ready set: one FIFO ring per message
// priority (a single ring without priorities) with a bitmap of the
// non-empty levels, so the next message to deliver is found in O(1).

package queue

import (
	"math"
	"math/bits"
)

// NoTTL is the Expiration / MessageTTL value meaning "never expires".
const NoTTL int64 = -1

// noExpiry is Message.expireAt for a message without a TTL.
const noExpiry = math.MaxInt64

// Message is one message in a queue. Publish takes ownership of it: the
// queue sets the fields marked below and never copies or modifies Props or
// Body, so several queues may share those slices — but each queue must be
// given its own *Message. Holders of a Delivery must treat the message as
// read-only.
type Message struct {
	Exchange   string // exchange it was published to (kept for dead-lettering and the log)
	RoutingKey string // routing key it was published with
	Props      []byte // opaque encoded content properties, returned verbatim
	Body       []byte // payload; its length counts towards MaxBytes
	Priority   uint8  // 0..255; above Config.MaxPriority counts as MaxPriority
	// Expiration is the per-message TTL in milliseconds; NoTTL (-1) means
	// none, 0 means "expire unless it can be delivered at once". The lower
	// of it and Config.MessageTTL applies.
	Expiration int64
	Persistent bool // stored in the queue's Log when the queue is Durable

	// DeliveryCount is how many times the message was requeued (delivered
	// and then nacked/released with requeue); set by the queue. Messages
	// recovered from the log start again at 0 but are marked redelivered.
	DeliveryCount int
	// EnqueuedAt is when the queue accepted the message (ms since the Unix
	// epoch, from Config.Now); set by Publish, restored on recovery.
	EnqueuedAt int64

	// Queue-private state, guarded by the owning Queue's mu.
	seq         uint64    // publish order within the queue
	expireAt    int64     // ms; expired once now > expireAt; noExpiry if none
	off         int64     // offset in Config.Log when logged
	logged      bool      // stored in the log and not yet settled
	redelivered bool      // requeued or recovered
	level       uint8     // effective priority
	owner       *Consumer // consumer holding it unacked (nil for Get or no-ack)
}

// expired reports whether m's TTL has passed at now (ms).
func (m *Message) expired(now int64) bool { return now > m.expireAt }

// Delivery is a message handed to a consumer (Take) or to basic.get (Get).
type Delivery struct {
	// Tag identifies the delivery within its queue for Ack, Nack and
	// Release; tags are unique for the queue's lifetime in this process.
	Tag         uint64
	Msg         *Message
	Redelivered bool // requeued before, or recovered after a restart
}

// ready holds the messages waiting for delivery: levels[p] is a FIFO of
// priority-p messages ordered by seq; bit p of nonEmpty is set when
// levels[p] has messages.
type ready struct {
	levels   []ring
	nonEmpty [4]uint64
	n        int   // messages
	bytes    int64 // sum of len(Body)
}

func newReady(maxPriority uint8) ready {
	return ready{levels: make([]ring, int(maxPriority)+1)}
}

// top returns the highest non-empty level, -1 when empty.
func (r *ready) top() int {
	for w := len(r.nonEmpty) - 1; w >= 0; w-- {
		if x := r.nonEmpty[w]; x != 0 {
			return w*64 + bits.Len64(x) - 1
		}
	}
	return -1
}

func (r *ready) added(m *Message) {
	r.nonEmpty[m.level>>6] |= 1 << (m.level & 63)
	r.n++
	r.bytes += int64(len(m.Body))
}

// push appends m at the tail of its level.
func (r *ready) push(m *Message) {
	r.levels[m.level].pushBack(m)
	r.added(m)
}

// requeue puts m back at its place by publish order within its level.
func (r *ready) requeue(m *Message) {
	r.levels[m.level].insert(m)
	r.added(m)
}

// popLevel removes the head of level p, which must not be empty.
func (r *ready) popLevel(p int) *Message {
	l := &r.levels[p]
	m := l.popFront()
	if l.len() == 0 {
		r.nonEmpty[p>>6] &^= 1 << (p & 63)
	}
	r.n--
	r.bytes -= int64(len(m.Body))
	return m
}

// pop removes and returns the next message, nil when empty.
func (r *ready) pop() *Message {
	t := r.top()
	if t < 0 {
		return nil
	}
	return r.popLevel(t)
}

// nextExpiry returns the earliest expireAt among the level heads (only
// heads expire: RabbitMQ semantics), noExpiry if none.
func (r *ready) nextExpiry() int64 {
	next := int64(noExpiry)
	for w, x := range r.nonEmpty {
		for x != 0 {
			p := w*64 + bits.TrailingZeros64(x)
			x &= x - 1
			next = min(next, r.levels[p].front().expireAt)
		}
	}
	return next
}

// popExpired removes every level head that has expired at now, calling
// fn for each.
func (r *ready) popExpired(now int64, fn func(*Message)) {
	for w := range r.nonEmpty {
		x := r.nonEmpty[w]
		for x != 0 {
			p := w*64 + bits.TrailingZeros64(x)
			x &= x - 1
			for r.levels[p].len() > 0 && r.levels[p].front().expired(now) {
				fn(r.popLevel(p))
			}
		}
	}
}

// clear empties the ready set, calling fn for each message removed.
func (r *ready) clear(fn func(*Message)) {
	for p := range r.levels {
		l := &r.levels[p]
		for l.len() > 0 {
			fn(l.popFront())
		}
		l.reset()
	}
	r.nonEmpty = [4]uint64{}
	r.n, r.bytes = 0, 0
}
