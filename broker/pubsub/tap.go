// Taps: bridges from the hub to other protocols (the AMQP frontend feeds
// plain-channel publishes into amq.topic). A tap is not a subscription: it
// does not show in PUBSUB CHANNELS, NUMSUB or NUMPAT and is not counted in
// PUBLISH replies, and it sees every plain-channel publish (never shard
// channels) with the publisher's origin.

package pubsub

import "slices"

// TapFunc receives one plain-channel publish. It runs on the publisher's
// goroutine, must not block for long and must not modify payload. It may
// call PublishFrom (with its own origin, to avoid a loop).
type TapFunc func(channel string, payload []byte, origin string)

type tap struct{ fn TapFunc }

// AddTap registers fn for every later plain-channel Publish/PublishFrom
// and returns a function that removes it.
func (h *Hub) AddTap(fn TapFunc) (remove func()) {
	t := &tap{fn: fn}
	h.mu.Lock()
	var cur []*tap
	if p := h.taps.Load(); p != nil {
		cur = *p
	}
	next := append(slices.Clip(cur), t)
	h.taps.Store(&next)
	h.mu.Unlock()
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		p := h.taps.Load()
		if p == nil {
			return
		}
		i := slices.Index(*p, t)
		if i < 0 {
			return
		}
		next := slices.Delete(slices.Clone(*p), i, i+1)
		if len(next) == 0 {
			h.taps.Store(nil)
			return
		}
		h.taps.Store(&next)
	}
}

func (h *Hub) runTaps(channel string, payload []byte, origin string) {
	p := h.taps.Load()
	if p == nil {
		return
	}
	for _, t := range *p {
		t.fn(channel, payload, origin)
	}
}
