// A Subscriber's bounded message queue: deliver (the publisher's side),
// Ready and Drain (the connection writer's side), and Overflowed, closed
// when the subscriber falls too far behind (Redis's pubsub
// client-output-buffer-limit, after which Redis disconnects the client).

package pubsub

// Queue arrays are recycled between Drain and the queue, so steady state
// allocates nothing. An array over keepCap messages is let go once
// shrinkAfter drains in a row used under a quarter of it: the memory of a
// burst goes back to the garbage collector when batches are small again,
// while batch sizes that merely fluctuate do not cause regrowth.
const (
	keepCap     = 4096
	shrinkAfter = 256
)

// deliver queues a copy of *m (payload shared) and wakes the writer. It never
// blocks beyond s.mu, which is held only for an append. Past a limit it marks
// the subscriber overflowed, drops the queue, closes Overflowed, and drops
// every later message.
func (s *Subscriber) deliver(m *Message) {
	size := m.size()
	s.mu.Lock()
	if s.over || s.done {
		s.mu.Unlock()
		return
	}
	if len(s.queue) >= s.limit || s.queued+size > s.byteLimit {
		s.over = true
		clear(s.queue)
		s.queue, s.queued = nil, 0
		s.mu.Unlock()
		close(s.overflow)
		return
	}
	s.queue = append(s.queue, *m)
	s.queued += size
	first := len(s.queue) == 1
	s.mu.Unlock()
	if first {
		// Only the empty → non-empty transition needs a kick: a writer
		// that saw the kick drains everything queued after it too.
		select {
		case s.ready <- struct{}{}:
		default:
		}
	}
}

// Ready returns a one-slot channel that receives a value when messages were
// queued since the last Drain. Wake-ups coalesce, and one can be spurious
// (Drain then returns nothing).
func (s *Subscriber) Ready() <-chan struct{} { return s.ready }

// Overflowed returns a channel closed when the queue exceeded its message
// or byte limit. From then on the subscriber receives nothing (its queue is
// dropped), though it still counts as a receiver until Close; the frontend
// is expected to disconnect the client.
func (s *Subscriber) Overflowed() <-chan struct{} { return s.overflow }

// Drain takes every queued message, in delivery order (for one publisher,
// publish order). prev must be nil or the slice the previous Drain returned,
// once the caller is done with it: Drain takes ownership, clears it so its
// payloads can be collected, and reuses its storage for the queue. A writer
// looping on batch = s.Drain(batch) thus allocates nothing in steady state.
// With nothing queued it returns prev[:0] (nil once a big array is let go).
func (s *Subscriber) Drain(prev []Message) []Message {
	used := len(prev)
	clear(prev)
	prev = prev[:0]
	s.mu.Lock()
	defer s.mu.Unlock()
	if cap(prev) > keepCap {
		if used >= cap(prev)/4 {
			s.slack = 0
		} else if s.slack++; s.slack >= shrinkAfter {
			s.slack = 0
			prev = nil
		}
	}
	if len(s.queue) == 0 {
		return prev
	}
	out := s.queue
	s.queue, s.queued = prev, 0
	return out
}
