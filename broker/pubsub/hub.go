// Hub: the registry of channels, patterns and shard channels, Publish
// (PUBLISH, SPUBLISH) and introspection (PUBSUB CHANNELS, SHARDCHANNELS,
// NUMSUB, SHARDNUMSUB, NUMPAT).

package pubsub

import (
	"slices"
	"sync"
	"sync/atomic"
)

// Hub routes published messages to subscribers. Its zero value is not
// usable; create one with NewHub. All methods are safe for concurrent use.
type Hub struct {
	// mu guards topics, patterns, every topic's subs, and every Subscriber's
	// subs and closed. Publish and introspection read-lock it; subscribe,
	// unsubscribe and Close write-lock it. Taken before Subscriber.mu.
	mu       sync.RWMutex
	topics   [numKinds]map[string]*topic // by Kind, then channel or pattern
	patterns []*topic                    // topics[Pattern] as a slice, for Publish to scan
	taps     atomic.Pointer[[]*tap]      // bridges to other protocols (tap.go); nil if none
}

// topic is one channel, pattern or shard channel with at least one subscriber.
type topic struct {
	name string
	subs []*Subscriber // each Subscriber's subs[kind][name] is its index here
	pos  int           // index in Hub.patterns (Pattern topics only)
}

// NewHub returns an empty Hub.
func NewHub() *Hub {
	h := &Hub{}
	for k := range h.topics {
		h.topics[k] = make(map[string]*topic)
	}
	return h
}

// Publish delivers payload to every subscription matching channel and
// returns how many there were (the PUBLISH and SPUBLISH reply). For Plain it
// counts channel subscribers plus one per matching pattern subscription; for
// Shard only shard-channel subscribers. Subscribers that overflowed but are
// not yet closed still count, as in Redis.
//
// Publish never blocks on a subscriber. payload is shared by all receivers,
// not copied: the caller must not modify it afterwards. kind must be Plain or
// Shard; Pattern panics.
func (h *Hub) Publish(kind Kind, channel string, payload []byte) int {
	return h.PublishFrom(kind, channel, payload, "")
}

// PublishFrom is Publish for a message that came from origin (a frontend's
// name, "" for Redis PUBLISH): taps (tap.go) see the origin, so a bridge
// can skip what it published itself. Taps run first, outside the hub's
// lock, and are not counted in the result.
func (h *Hub) PublishFrom(kind Kind, channel string, payload []byte, origin string) int {
	if kind != Plain && kind != Shard {
		panic("pubsub: Publish to " + kind.String())
	}
	if kind == Plain {
		h.runTaps(channel, payload, origin)
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	if t := h.topics[kind][channel]; t != nil {
		m := Message{Channel: t.name, Payload: payload, Kind: kind}
		for _, s := range t.subs {
			s.deliver(&m)
		}
		n += len(t.subs)
	}
	if kind == Shard {
		return n
	}
	for _, t := range h.patterns {
		if !Match(t.name, channel) {
			continue
		}
		m := Message{Channel: channel, Pattern: t.name, Payload: payload, Kind: Pattern}
		for _, s := range t.subs {
			s.deliver(&m)
		}
		n += len(t.subs)
	}
	return n
}

// Channels returns, sorted, the names of kind (Plain for PUBSUB CHANNELS,
// Shard for SHARDCHANNELS, Pattern for the subscribed patterns) that have at
// least one subscriber and match the glob pattern; pattern "" means no
// filter. (Redis with an explicit empty pattern lists only the channel "" if
// it is active: use NumSub(kind, "") for that.)
func (h *Hub) Channels(kind Kind, pattern string) []string {
	kind.check()
	h.mu.RLock()
	names := make([]string, 0, len(h.topics[kind]))
	for name := range h.topics[kind] {
		if pattern == "" || Match(pattern, name) {
			names = append(names, name)
		}
	}
	h.mu.RUnlock()
	slices.Sort(names)
	return names
}

// NumSub returns the number of subscribers of each named channel of kind
// (PUBSUB NUMSUB for Plain, SHARDNUMSUB for Shard; for Pattern, of each
// pattern). Pattern subscriptions are not counted for channels.
func (h *Hub) NumSub(kind Kind, channels ...string) []int {
	kind.check()
	counts := make([]int, len(channels))
	h.mu.RLock()
	defer h.mu.RUnlock()
	for i, name := range channels {
		if t := h.topics[kind][name]; t != nil {
			counts[i] = len(t.subs)
		}
	}
	return counts
}

// NumPat returns the number of distinct subscribed patterns (PUBSUB NUMPAT,
// Redis 7 and later: two clients on the same pattern count once).
func (h *Hub) NumPat() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.patterns)
}

// add subscribes s to name of kind; false if it already was. h.mu must be
// write-locked.
func (h *Hub) add(s *Subscriber, kind Kind, name string) bool {
	mine := s.subs[kind]
	if mine == nil {
		mine = make(map[string]int)
		s.subs[kind] = mine
	}
	if _, ok := mine[name]; ok {
		return false
	}
	t := h.topics[kind][name]
	if t == nil {
		t = &topic{name: name}
		h.topics[kind][name] = t
		if kind == Pattern {
			t.pos = len(h.patterns)
			h.patterns = append(h.patterns, t)
		}
	}
	mine[name] = len(t.subs)
	t.subs = append(t.subs, s)
	return true
}

// remove unsubscribes s from name of kind and drops the topic when it was
// the last subscriber; false if s was not subscribed. h.mu must be
// write-locked.
func (h *Hub) remove(s *Subscriber, kind Kind, name string) bool {
	i, ok := s.subs[kind][name]
	if !ok {
		return false
	}
	delete(s.subs[kind], name)
	t := h.topics[kind][name]
	last := len(t.subs) - 1
	if i != last {
		moved := t.subs[last]
		t.subs[i] = moved
		moved.subs[kind][name] = i
	}
	t.subs[last] = nil
	t.subs = t.subs[:last]
	if last > 0 {
		return true
	}
	delete(h.topics[kind], name)
	if kind == Pattern {
		end := len(h.patterns) - 1
		if t.pos != end {
			moved := h.patterns[end]
			h.patterns[t.pos] = moved
			moved.pos = t.pos
		}
		h.patterns[end] = nil
		h.patterns = h.patterns[:end]
	}
	return true
}
