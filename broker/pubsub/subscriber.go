// Subscriber: one client's subscriptions (SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE
// and their UNSUBSCRIBE forms) with the per-call counts Redis replies with.
// Its message queue is in queue.go.

package pubsub

import (
	"maps"
	"math"
	"slices"
	"sync"
)

// Defaults for NewSubscriber's limits.
const (
	// DefaultBufferLimit is the default bound on queued messages.
	DefaultBufferLimit = 65536
	// DefaultBufferBytes is the default bound on queued bytes: Redis's hard
	// client-output-buffer-limit for pubsub clients (32mb).
	DefaultBufferBytes = 32 << 20
)

// Subscriber is one client's set of subscriptions and its queue of
// undelivered messages. Its methods are safe for concurrent use, though a
// connection normally subscribes from its reader and drains from its writer.
type Subscriber struct {
	h *Hub

	// Guarded by h.mu.
	subs   [numKinds]map[string]int // by Kind: name → index in topic.subs
	closed bool

	// The queue (queue.go). limit and byteLimit are fixed at creation.
	limit, byteLimit int
	ready            chan struct{} // one slot: kicked when the queue becomes non-empty
	overflow         chan struct{} // closed once, when a limit is exceeded

	mu     sync.Mutex // guards the fields below; taken after h.mu
	queue  []Message  // undelivered, in delivery order
	queued int        // sum of size() over queue
	over   bool       // overflowed: queue dropped, further messages dropped
	slack  int        // drains in a row that used under a quarter of a big array
	done   bool       // closed: further messages dropped
}

// NewSubscriber returns a Subscriber with no subscriptions whose queue holds
// at most bufferLimit messages and bufferBytes bytes (counted as channel +
// pattern + payload lengths). Exceeding either closes Overflowed. Zero means
// the default (DefaultBufferLimit, DefaultBufferBytes); a negative value
// means no limit.
func (h *Hub) NewSubscriber(bufferLimit, bufferBytes int) *Subscriber {
	return &Subscriber{
		h:         h,
		limit:     limitOr(bufferLimit, DefaultBufferLimit),
		byteLimit: limitOr(bufferBytes, DefaultBufferBytes),
		ready:     make(chan struct{}, 1),
		overflow:  make(chan struct{}),
	}
}

func limitOr(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return math.MaxInt
	}
	return v
}

// Subscribe subscribes to each name: channels for Plain and Shard, globs
// (see Match) for Pattern. It returns, for each name in order, the count
// Redis replies with after that subscription: channels plus patterns for
// Plain and Pattern, shard channels for Shard. Subscribing to a name twice is
// a no-op that still reports the count. After Close it does nothing and
// reports zeros.
func (s *Subscriber) Subscribe(kind Kind, names ...string) []int {
	kind.check()
	counts := make([]int, len(names))
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	for i, name := range names {
		if !s.closed {
			s.h.add(s, kind, name)
		}
		counts[i] = s.countLocked(kind)
	}
	return counts
}

// Unsubscribe removes the named subscriptions of kind, or all of that kind
// when names is empty. It returns the names to reply for and, for each, the
// count after removing it (as in Subscribe). Given names are echoed whether
// or not they were subscribed, as Redis does. For "all", the removed names
// are returned sorted; if there were none both results are empty and the
// frontend replies once with a nil name, as Redis does.
func (s *Subscriber) Unsubscribe(kind Kind, names ...string) (replied []string, counts []int) {
	kind.check()
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	if len(names) == 0 {
		names = slices.Sorted(maps.Keys(s.subs[kind]))
	}
	counts = make([]int, len(names))
	for i, name := range names {
		s.h.remove(s, kind, name)
		counts[i] = s.countLocked(kind)
	}
	return names, counts
}

// Count returns the number of channel and pattern subscriptions, the count
// Redis reports for Plain and Pattern (shard channels are not included).
func (s *Subscriber) Count() int {
	s.h.mu.RLock()
	defer s.h.mu.RUnlock()
	return s.countLocked(Plain)
}

// ShardCount returns the number of shard-channel subscriptions, the count
// Redis reports for SSUBSCRIBE and SUNSUBSCRIBE. A RESP2 client stays in
// subscribed mode while Count()+ShardCount() > 0.
func (s *Subscriber) ShardCount() int {
	s.h.mu.RLock()
	defer s.h.mu.RUnlock()
	return s.countLocked(Shard)
}

// countLocked is the reply count for kind. h.mu must be held.
func (s *Subscriber) countLocked(kind Kind) int {
	if kind == Shard {
		return len(s.subs[Shard])
	}
	return len(s.subs[Plain]) + len(s.subs[Pattern])
}

// Close removes every subscription and discards the queue. Later Subscribe
// calls do nothing and no message is queued again. It does not close Ready
// or Overflowed. Close is idempotent.
func (s *Subscriber) Close() {
	s.h.mu.Lock()
	if !s.closed {
		s.closed = true
		for k := range s.subs {
			for name := range s.subs[k] {
				s.h.remove(s, Kind(k), name)
			}
			s.subs[k] = nil
		}
	}
	s.h.mu.Unlock()

	s.mu.Lock()
	s.done = true
	clear(s.queue)
	s.queue, s.queued = nil, 0
	s.mu.Unlock()
}
