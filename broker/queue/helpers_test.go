// Test helpers: queue construction, message builders, a dead-letter
// recorder and a manual clock.

package queue

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// newQueue builds a queue with no TTL (override with mod) and closes it at
// the end of the test.
func newQueue(t testing.TB, mod func(*Config)) *Queue {
	t.Helper()
	cfg := Config{Name: t.Name(), MessageTTL: NoTTL}
	if mod != nil {
		mod(&cfg)
	}
	q, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}

func msg(body string) *Message {
	return &Message{Exchange: "ex", RoutingKey: "rk", Body: []byte(body), Expiration: NoTTL}
}

func publish(t testing.TB, q *Queue, bodies ...string) {
	t.Helper()
	for _, b := range bodies {
		if err := q.Publish(msg(b)); err != nil {
			t.Fatalf("Publish(%q): %v", b, err)
		}
	}
}

func consume(t testing.TB, q *Queue, o ConsumerOptions) *Consumer {
	t.Helper()
	c, err := q.Consume(o)
	if err != nil {
		t.Fatalf("Consume(%+v): %v", o, err)
	}
	return c
}

func bodies(ds []Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = string(d.Msg.Body)
	}
	return out
}

func tags(ds []Delivery) []uint64 {
	out := make([]uint64, len(ds))
	for i, d := range ds {
		out[i] = d.Tag
	}
	return out
}

func redelivered(ds []Delivery) []bool {
	out := make([]bool, len(ds))
	for i, d := range ds {
		out[i] = d.Redelivered
	}
	return out
}

// want fails the test unless got equals want.
func want[T comparable](t testing.TB, what string, got, want []T) {
	t.Helper()
	if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

// takeWant takes up to max deliveries and checks their bodies.
func takeWant(t testing.TB, c *Consumer, max int, wantBodies ...string) []Delivery {
	t.Helper()
	ds := c.Take(nil, max)
	want(t, "Take "+c.Tag(), bodies(ds), wantBodies)
	return ds
}

// woken reports (and consumes) a pending kick.
func woken(c *Consumer) bool {
	select {
	case <-c.Wake():
		return true
	default:
		return false
	}
}

// drainWakes discards pending kicks of cs.
func drainWakes(cs ...*Consumer) {
	for _, c := range cs {
		woken(c)
	}
}

// wokenSet returns the tags of the consumers with a pending kick.
func wokenSet(cs ...*Consumer) []string {
	var out []string
	for _, c := range cs {
		if woken(c) {
			out = append(out, c.Tag())
		}
	}
	return out
}

// deadLetters records Config.DeadLetter calls.
type deadLetters struct {
	mu  sync.Mutex
	got []string // "body:reason"
	ch  chan string
}

func newDeadLetters() *deadLetters { return &deadLetters{ch: make(chan string, 1024)} }

func (d *deadLetters) fn(m *Message, reason string) {
	s := string(m.Body) + ":" + reason
	d.mu.Lock()
	d.got = append(d.got, s)
	d.mu.Unlock()
	d.ch <- s
}

func (d *deadLetters) list() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.got)
}

// clock is a manual clock for Config.Now.
type clock struct{ ms atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ms.Store(1_000_000)
	return c
}

func (c *clock) now() time.Time   { return time.UnixMilli(c.ms.Load()) }
func (c *clock) advance(ms int64) { c.ms.Add(ms) }
