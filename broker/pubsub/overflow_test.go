// Slow subscribers: exceeding the message or byte limit closes Overflowed
// and drops that subscriber's messages, while everyone else keeps receiving
// everything and the publisher never waits.

package pubsub

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
)

func overflowed(s *Subscriber) bool {
	select {
	case <-s.Overflowed():
		return true
	default:
		return false
	}
}

func TestOverflowMessageLimit(t *testing.T) {
	h := NewHub()
	s := h.NewSubscriber(3, 0)
	s.Subscribe(Plain, "a")
	for range 3 {
		h.Publish(Plain, "a", []byte("x"))
	}
	if overflowed(s) {
		t.Fatal("overflowed at the limit; only exceeding it should")
	}
	if n := h.Publish(Plain, "a", []byte("x")); n != 1 {
		t.Fatalf("receivers = %d; an overflowed subscriber still counts until Close", n)
	}
	if !overflowed(s) {
		t.Fatal("not overflowed after limit+1 messages")
	}
	if got := s.Drain(nil); len(got) != 0 {
		t.Fatalf("Drain after overflow = %d messages, want the queue dropped", len(got))
	}
	h.Publish(Plain, "a", []byte("x"))
	if got := s.Drain(nil); len(got) != 0 {
		t.Fatal("messages queued after overflow")
	}
}

func TestOverflowByteLimit(t *testing.T) {
	h := NewHub()
	s := h.NewSubscriber(0, 10) // counts channel + payload: 1 + 4 per message
	s.Subscribe(Plain, "a")
	h.Publish(Plain, "a", []byte("1234"))
	h.Publish(Plain, "a", []byte("1234"))
	if overflowed(s) {
		t.Fatal("overflowed at 10 bytes")
	}
	h.Publish(Plain, "a", []byte("1"))
	if !overflowed(s) {
		t.Fatal("not overflowed at 12 bytes")
	}

	big := h.NewSubscriber(0, 0)
	big.Subscribe(Plain, "a")
	h.Publish(Plain, "a", make([]byte, DefaultBufferBytes)) // 32 MiB + channel name
	if !overflowed(big) {
		t.Fatal("a single message over the 32mb default did not overflow")
	}

	unlimited := h.NewSubscriber(-1, -1)
	unlimited.Subscribe(Plain, "a")
	for range DefaultBufferLimit + 1 {
		h.Publish(Plain, "a", nil)
	}
	if overflowed(unlimited) {
		t.Fatal("a subscriber without limits overflowed")
	}
}

// TestSlowSubscriberIsCut: one subscriber never drains; the fast ones, each
// drained by its own goroutine, receive all N messages in order, and the
// publisher is never held up (it would deadlock otherwise).
func TestSlowSubscriberIsCut(t *testing.T) {
	const n, fastN = 20000, 4
	h := NewHub()
	slow := h.NewSubscriber(100, 0)
	slow.Subscribe(Plain, "feed")

	var wg sync.WaitGroup
	errs := make(chan error, fastN)
	for i := range fastN {
		s := h.NewSubscriber(0, 0)
		if i%2 == 0 {
			s.Subscribe(Plain, "feed")
		} else {
			s.Subscribe(Pattern, "f*")
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var batch []Message
			next := 0
			for next < n {
				select {
				case <-s.Ready():
				case <-s.Overflowed():
					errs <- fmt.Errorf("fast subscriber %d overflowed at %d", i, next)
					return
				}
				batch = s.Drain(batch)
				for _, m := range batch {
					if want := fmt.Appendf(nil, "%d", next); !bytes.Equal(m.Payload, want) {
						errs <- fmt.Errorf("fast subscriber %d: got %q, want %q", i, m.Payload, want)
						return
					}
					next++
				}
			}
		}()
	}

	for i := range n {
		if got := h.Publish(Plain, "feed", fmt.Appendf(nil, "%d", i)); got != fastN+1 {
			t.Fatalf("receivers = %d, want %d", got, fastN+1)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if !overflowed(slow) {
		t.Fatal("the slow subscriber was not cut")
	}
}
