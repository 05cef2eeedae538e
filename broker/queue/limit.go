// Limit: a prefetch budget shared by consumers on any number of queues —
// AMQP basic.qos with global=true (RabbitMQ: per channel). Lock-free
// reservation with atomics; the consumer list is only touched on
// Consume/Cancel and when credit comes back.

package queue

import (
	"math"
	"slices"
	"sync"
	"sync/atomic"
)

// Limit caps the total unacknowledged deliveries of the consumers sharing
// it (ConsumerOptions.Shared). The zero value is not usable; use NewLimit.
// It is safe for concurrent use.
type Limit struct {
	max  atomic.Int64 // 0 = unlimited
	used atomic.Int64 // unacked deliveries counted against the limit

	mu        sync.Mutex  // guards consumers; taken after any Queue.mu
	consumers []*Consumer // live consumers sharing the limit, woken when credit returns
}

// NewLimit returns a limit of n unacknowledged deliveries (0 = unlimited).
func NewLimit(n int) *Limit {
	l := &Limit{}
	l.max.Store(int64(max(n, 0)))
	return l
}

// Set changes the limit to n (0 = unlimited) at once. Deliveries already
// outstanding stay; consumers that gained credit are woken.
func (l *Limit) Set(n int) {
	l.max.Store(int64(max(n, 0)))
	l.wakeAll()
}

// Max returns the limit (0 = unlimited).
func (l *Limit) Max() int { return int(l.max.Load()) }

// Used returns how many unacknowledged deliveries count against the limit.
func (l *Limit) Used() int { return int(l.used.Load()) }

// credit returns how many more deliveries the limit allows now.
func (l *Limit) credit() int {
	m := l.max.Load()
	if m == 0 {
		return math.MaxInt
	}
	return int(max(m-l.used.Load(), 0))
}

// reserve takes up to n units of credit and returns how many it took.
func (l *Limit) reserve(n int) int {
	for {
		u := l.used.Load()
		take := int64(n)
		if m := l.max.Load(); m > 0 {
			take = min(take, m-u)
		}
		if take <= 0 {
			return 0
		}
		if l.used.CompareAndSwap(u, u+take) {
			return int(take)
		}
	}
}

// release returns n units; when that lifts the limit from exhausted, every
// consumer sharing it is woken (they may be on other queues).
func (l *Limit) release(n int) {
	u := l.used.Add(-int64(n))
	if m := l.max.Load(); m > 0 && u < m && u+int64(n) >= m {
		l.wakeAll()
	}
}

func (l *Limit) add(c *Consumer) {
	l.mu.Lock()
	l.consumers = append(l.consumers, c)
	l.mu.Unlock()
}

func (l *Limit) remove(c *Consumer) {
	l.mu.Lock()
	if i := slices.Index(l.consumers, c); i >= 0 {
		l.consumers = slices.Delete(l.consumers, i, i+1)
	}
	l.mu.Unlock()
}

func (l *Limit) wakeAll() {
	l.mu.Lock()
	for _, c := range l.consumers {
		c.kick()
	}
	l.mu.Unlock()
}
