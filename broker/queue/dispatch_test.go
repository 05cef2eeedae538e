// Tests of delivery order, requeue, prefetch and shared limits, dispatch
// rotation, consumer priorities, single active consumer, exclusivity, Get
// and no-ack consumers.

package queue

import (
	"errors"
	"testing"
)

func TestFIFOAndRequeueOrder(t *testing.T) {
	q := newQueue(t, nil)
	publish(t, q, "1", "2", "3", "4", "5")
	c := consume(t, q, ConsumerOptions{Tag: "c"})
	ds := takeWant(t, c, 3, "1", "2", "3")
	want(t, "redelivered", redelivered(ds), []bool{false, false, false})

	// Requeue 3 then 1: both go back in front of 4, in publish order.
	q.Nack(true, ds[2].Tag)
	q.Release(ds[0].Tag)
	q.Ack(ds[1].Tag)
	if n, u := q.Len(), q.Unacked(); n != 4 || u != 0 {
		t.Fatalf("Len, Unacked = %d, %d; want 4, 0", n, u)
	}
	ds = takeWant(t, c, 10, "1", "3", "4", "5")
	want(t, "redelivered", redelivered(ds), []bool{true, true, false, false})
	want(t, "delivery counts", []int{ds[0].Msg.DeliveryCount, ds[1].Msg.DeliveryCount, ds[2].Msg.DeliveryCount}, []int{1, 1, 0})

	// Requeue everything, in reverse tag order: order is still by publish.
	q.Nack(true, ds[3].Tag, ds[2].Tag, ds[1].Tag, ds[0].Tag)
	ds = takeWant(t, c, 10, "1", "3", "4", "5")
	want(t, "redelivered", redelivered(ds), []bool{true, true, true, true})
	if got := ds[0].Msg.DeliveryCount; got != 2 {
		t.Fatalf("DeliveryCount of 1 = %d, want 2", got)
	}
	// New tags on every delivery; old tags are dead.
	q.Ack(ds[0].Tag, ds[0].Tag, 999)
	if u := q.Unacked(); u != 3 {
		t.Fatalf("Unacked = %d, want 3", u)
	}
}

func TestNackWithoutRequeueDeadLetters(t *testing.T) {
	dl := newDeadLetters()
	q := newQueue(t, func(c *Config) { c.DeadLetter = dl.fn })
	publish(t, q, "a", "b")
	c := consume(t, q, ConsumerOptions{})
	ds := takeWant(t, c, 2, "a", "b")
	q.Nack(false, ds[1].Tag, ds[0].Tag)
	want(t, "dead letters", dl.list(), []string{"b:rejected", "a:rejected"})
	if q.Len() != 0 || q.Unacked() != 0 {
		t.Fatalf("Len, Unacked = %d, %d", q.Len(), q.Unacked())
	}
}

func TestPrefetch(t *testing.T) {
	q := newQueue(t, nil)
	c := consume(t, q, ConsumerOptions{Tag: "c", Prefetch: 3})
	publish(t, q, "1", "2", "3", "4", "5", "6")
	ds := takeWant(t, c, 100, "1", "2", "3")
	takeWant(t, c, 100)
	drainWakes(c)

	q.Ack(ds[0].Tag)
	if !woken(c) {
		t.Fatal("ack that restored credit did not wake the consumer")
	}
	ds = append(ds[1:], takeWant(t, c, 100, "4")...)

	c.SetPrefetch(5)
	if !woken(c) {
		t.Fatal("raising prefetch did not wake the consumer")
	}
	ds = append(ds, takeWant(t, c, 100, "5", "6")...)
	if q.Unacked() != 5 {
		t.Fatalf("Unacked = %d, want 5", q.Unacked())
	}
	c.SetPrefetch(0)
	publish(t, q, "7", "8", "9")
	takeWant(t, c, 100, "7", "8", "9")
}

func TestSharedLimitAcrossQueues(t *testing.T) {
	qa, qb := newQueue(t, nil), newQueue(t, nil)
	lim := NewLimit(4)
	ca := consume(t, qa, ConsumerOptions{Tag: "a", Prefetch: 3, Shared: lim})
	cb := consume(t, qb, ConsumerOptions{Tag: "b", Prefetch: 3, Shared: lim})
	publish(t, qa, "a1", "a2", "a3", "a4")
	publish(t, qb, "b1", "b2", "b3", "b4")

	da := takeWant(t, ca, 10, "a1", "a2", "a3") // consumer prefetch
	takeWant(t, cb, 10, "b1")                   // channel limit
	takeWant(t, cb, 10)
	if lim.Used() != 4 {
		t.Fatalf("Used = %d, want 4", lim.Used())
	}
	drainWakes(ca, cb)

	qa.Ack(da[0].Tag) // frees channel credit: b (another queue) is woken too
	if got := wokenSet(ca, cb); len(got) != 2 {
		t.Fatalf("woken after ack = %v, want both", got)
	}
	takeWant(t, cb, 10, "b2")
	takeWant(t, ca, 10)

	lim.Set(0) // unlimited: both may go up to their prefetch
	if got := wokenSet(ca, cb); len(got) != 2 {
		t.Fatalf("woken after Set(0) = %v, want both", got)
	}
	takeWant(t, ca, 10, "a4")
	takeWant(t, cb, 10, "b3")
	lim.Set(2)
	publish(t, qb, "b5")
	takeWant(t, cb, 10) // 6 outstanding > 2

	// Deleting a queue gives back the channel credit its deliveries held.
	if _, err := qa.Delete(false, false); err != nil {
		t.Fatal(err)
	}
	if lim.Used() != 3 {
		t.Fatalf("Used after deleting qa = %d, want 3 (b's)", lim.Used())
	}
}

func TestDispatchRotation(t *testing.T) {
	q := newQueue(t, nil)
	c1 := consume(t, q, ConsumerOptions{Tag: "c1"})
	c2 := consume(t, q, ConsumerOptions{Tag: "c2"})
	c3 := consume(t, q, ConsumerOptions{Tag: "c3"})
	var order []string
	for i := range 7 {
		publish(t, q, string(rune('a'+i)))
		w := wokenSet(c1, c2, c3)
		if len(w) != 1 {
			t.Fatalf("publish %d woke %v, want exactly one consumer", i, w)
		}
		order = append(order, w[0])
		for _, c := range []*Consumer{c1, c2, c3} {
			if c.Tag() == w[0] {
				takeWant(t, c, 10, string(rune('a'+i)))
			}
		}
	}
	want(t, "kick order", order, []string{"c1", "c2", "c3", "c1", "c2", "c3", "c1"})
}

func TestDispatchFairnessWithPrefetch(t *testing.T) {
	q := newQueue(t, nil)
	var cs []*Consumer
	for _, tag := range []string{"c1", "c2", "c3"} {
		cs = append(cs, consume(t, q, ConsumerOptions{Tag: tag, Prefetch: 2}))
	}
	for i := range 60 {
		publish(t, q, string(rune('A'+i)))
	}
	// Whoever is woken takes what its credit allows and acks it on its
	// next turn; every consumer must get the same share.
	got := map[string]int{}
	pending := map[*Consumer][]uint64{}
	for q.Len() > 0 {
		progress := false
		for _, c := range cs {
			q.Ack(pending[c]...)
			pending[c] = nil
			if !woken(c) {
				continue
			}
			ds := c.Take(nil, 100)
			got[c.Tag()] += len(ds)
			pending[c] = tags(ds)
			progress = progress || len(ds) > 0
		}
		if !progress && q.Len() > 0 {
			t.Fatalf("stalled with %d ready, nobody woken", q.Len())
		}
	}
	for _, c := range cs {
		if got[c.Tag()] != 20 {
			t.Fatalf("deliveries per consumer = %v, want 20 each", got)
		}
	}
}

func TestConsumerPriority(t *testing.T) {
	q := newQueue(t, nil)
	lo := consume(t, q, ConsumerOptions{Tag: "lo", Priority: 0})
	hi := consume(t, q, ConsumerOptions{Tag: "hi", Priority: 10, Prefetch: 2})
	publish(t, q, "1", "2", "3", "4", "5")
	if w := wokenSet(lo, hi); len(w) != 1 || w[0] != "hi" {
		t.Fatalf("woken = %v, want [hi]", w)
	}
	takeWant(t, lo, 10) // hi has credit: lo gets nothing
	dh := takeWant(t, hi, 10, "1", "2")
	if !woken(lo) {
		t.Fatal("lo not woken when hi ran out of credit")
	}
	dl := takeWant(t, lo, 1, "3")

	q.Ack(dh[0].Tag) // hi has credit again: it comes first
	if !woken(hi) {
		t.Fatal("hi not woken by ack")
	}
	takeWant(t, lo, 10)
	takeWant(t, hi, 10, "4")
	takeWant(t, lo, 10, "5")

	// Equal priorities round-robin; lower ones wait.
	q.Ack(dl[0].Tag)
	hi2 := consume(t, q, ConsumerOptions{Tag: "hi2", Priority: 10})
	drainWakes(lo, hi, hi2)
	publish(t, q, "6")
	if w := wokenSet(lo, hi, hi2); len(w) != 1 || w[0] != "hi2" {
		t.Fatalf("woken = %v, want [hi2] (hi is out of credit)", w)
	}
	takeWant(t, hi2, 10, "6")
}

func TestSingleActiveConsumer(t *testing.T) {
	q := newQueue(t, func(c *Config) { c.SingleActiveConsumer = true })
	c1 := consume(t, q, ConsumerOptions{Tag: "c1", Prefetch: 2})
	c2 := consume(t, q, ConsumerOptions{Tag: "c2", Priority: 5})
	c3 := consume(t, q, ConsumerOptions{Tag: "c3"})
	publish(t, q, "1", "2", "3")
	if w := wokenSet(c1, c2, c3); len(w) != 1 || w[0] != "c1" {
		t.Fatalf("woken = %v, want [c1]", w)
	}
	takeWant(t, c2, 10)
	ds := takeWant(t, c1, 10, "1", "2")
	takeWant(t, c3, 10) // even out of credit, c1 stays the only active one

	c1.Cancel()
	if !woken(c2) {
		t.Fatal("next consumer not woken on handover")
	}
	q.Release(tags(ds)...) // channel closes: its deliveries go to the new active one
	ds = takeWant(t, c2, 10, "1", "2", "3")
	want(t, "redelivered", redelivered(ds), []bool{true, true, false})
	takeWant(t, c3, 10)
	c2.Cancel()
	if !woken(c3) {
		t.Fatal("c3 not activated")
	}
	publish(t, q, "4")
	takeWant(t, c3, 10, "4")
}

func TestExclusiveConsumer(t *testing.T) {
	q := newQueue(t, nil)
	c := consume(t, q, ConsumerOptions{Exclusive: true})
	if _, err := q.Consume(ConsumerOptions{}); !errors.Is(err, ErrExclusiveConsumer) {
		t.Fatalf("second consumer: err = %v, want ErrExclusiveConsumer", err)
	}
	c.Cancel()
	consume(t, q, ConsumerOptions{})
	if _, err := q.Consume(ConsumerOptions{Exclusive: true}); !errors.Is(err, ErrExclusiveConsumer) {
		t.Fatalf("exclusive with others: err = %v, want ErrExclusiveConsumer", err)
	}
}

func TestCancelKeepsUnacked(t *testing.T) {
	q := newQueue(t, nil)
	c := consume(t, q, ConsumerOptions{Prefetch: 10})
	publish(t, q, "1", "2", "3")
	ds := takeWant(t, c, 2, "1", "2")
	c.Cancel()
	select {
	case <-c.Cancelled():
	default:
		t.Fatal("Cancelled not closed by Cancel")
	}
	if c.Err() != nil {
		t.Fatalf("Err after Cancel = %v, want nil", c.Err())
	}
	takeWant(t, c, 10)
	if q.Unacked() != 2 || q.ConsumerCount() != 0 {
		t.Fatalf("Unacked, ConsumerCount = %d, %d; want 2, 0", q.Unacked(), q.ConsumerCount())
	}
	q.Ack(ds[0].Tag)
	q.Release(ds[1].Tag)
	d, ok := q.Get(true)
	if !ok || string(d.Msg.Body) != "2" || !d.Redelivered {
		t.Fatalf("Get = %q redelivered=%v ok=%v, want 2 redelivered", d.Msg.Body, d.Redelivered, ok)
	}
	c.Cancel() // twice: no-op
}

func TestGet(t *testing.T) {
	q := newQueue(t, nil)
	if _, ok := q.Get(false); ok {
		t.Fatal("Get on empty queue returned a message")
	}
	publish(t, q, "1", "2", "3")
	d, ok := q.Get(false)
	if !ok || string(d.Msg.Body) != "1" || d.Redelivered {
		t.Fatalf("Get = %+v, %v", d, ok)
	}
	if q.Unacked() != 1 || q.Len() != 2 {
		t.Fatalf("Unacked, Len = %d, %d; want 1, 2", q.Unacked(), q.Len())
	}
	q.Nack(true, d.Tag)
	d, _ = q.Get(false)
	if string(d.Msg.Body) != "1" || !d.Redelivered {
		t.Fatalf("after requeue Get = %q redelivered=%v", d.Msg.Body, d.Redelivered)
	}
	q.Ack(d.Tag)
	d, _ = q.Get(true)
	if string(d.Msg.Body) != "2" || q.Unacked() != 0 {
		t.Fatalf("Get(noAck) = %q, Unacked = %d", d.Msg.Body, q.Unacked())
	}
	// Get ignores prefetch: a consumer with no credit does not block it.
	c := consume(t, q, ConsumerOptions{Prefetch: 1})
	publish(t, q, "4")
	takeWant(t, c, 10, "3")
	if d, ok := q.Get(true); !ok || string(d.Msg.Body) != "4" {
		t.Fatalf("Get = %+v, %v", d, ok)
	}
}

func TestNoAckConsumer(t *testing.T) {
	q := newQueue(t, nil)
	c := consume(t, q, ConsumerOptions{NoAck: true, Prefetch: 1, Shared: NewLimit(1)})
	publish(t, q, "1", "2", "3")
	takeWant(t, c, 10, "1", "2", "3")
	if q.Unacked() != 0 {
		t.Fatalf("Unacked = %d, want 0", q.Unacked())
	}
}

// TestPublishForAndAckForHandBackWakeUps: the collecting variants wake
// nobody and return the consumers the plain calls would have woken, in the
// same rotation, each once; the caller's Take then finds the messages.
func TestPublishForAndAckForHandBackWakeUps(t *testing.T) {
	q := newQueue(t, nil)
	owner := new(int)
	c1 := consume(t, q, ConsumerOptions{Tag: "c1", Prefetch: 1, Owner: owner})
	c2 := consume(t, q, ConsumerOptions{Tag: "c2", Prefetch: 1})
	if c1.Owner() != owner || c2.Owner() != nil {
		t.Fatalf("Owner() = %v, %v; want the options' values", c1.Owner(), c2.Owner())
	}
	var got []*Consumer
	var err error
	for _, b := range []string{"a", "b", "c"} {
		if got, err = q.PublishFor(msg(b), got); err != nil {
			t.Fatal(err)
		}
	}
	if w := wokenSet(c1, c2); len(w) != 0 {
		t.Fatalf("PublishFor woke %v", w)
	}
	// "a" goes to c1 in rotation, "b" to c2; "c" finds no credit left
	// once those are taken, but nobody has taken yet, so c1 is listed again
	// (once).
	if len(got) != 2 || got[0] != c1 || got[1] != c2 {
		t.Fatalf("PublishFor returned %d consumers %v, want [c1 c2]", len(got), got)
	}
	d1 := takeWant(t, c1, 10, "a")
	d2 := takeWant(t, c2, 10, "b")
	drainWakes(c1, c2) // Take's own kick of the other consumer
	got = q.AckFor(got[:0], tags(d1)...)
	if w := wokenSet(c1, c2); len(w) != 0 {
		t.Fatalf("AckFor woke %v", w)
	}
	if len(got) != 1 || got[0] != c1 {
		t.Fatalf("AckFor returned %v, want [c1] (credit back, a message ready)", got)
	}
	takeWant(t, c1, 10, "c")
	// The plain calls still wake.
	publish(t, q, "d")
	if w := wokenSet(c1, c2); len(w) != 0 {
		t.Fatalf("publish with no credit anywhere woke %v", w)
	}
	q.Ack(tags(d2)...)
	if w := wokenSet(c1, c2); len(w) != 1 || w[0] != "c2" {
		t.Fatalf("Ack woke %v, want [c2]", w)
	}
	c2.Kick()
	if !woken(c2) {
		t.Fatal("Kick did not wake c2")
	}
}
