// Behaviour tests: subscription counts as Redis replies them, receiver
// counts, duplicate delivery through patterns, shard isolation, order,
// introspection, Close, wake-ups and allocation-free steady state.

package pubsub

import (
	"fmt"
	"slices"
	"testing"
)

// want fails the test unless got equals want.
func want[T comparable](t *testing.T, what string, got, want []T) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

// drained is a test view of one Message.
type drained struct {
	kind             Kind
	pattern, channel string
	payload          string
}

func (d drained) String() string {
	return fmt.Sprintf("%v(%s|%s|%s)", d.kind, d.pattern, d.channel, d.payload)
}

// drain takes everything queued on s.
func drain(s *Subscriber) []drained {
	var out []drained
	for _, m := range s.Drain(nil) {
		out = append(out, drained{m.Kind, m.Pattern, m.Channel, string(m.Payload)})
	}
	return out
}

func TestSubscribeCounts(t *testing.T) {
	h := NewHub()
	s := h.NewSubscriber(0, 0)
	want(t, "SUBSCRIBE a b a", s.Subscribe(Plain, "a", "b", "a"), []int{1, 2, 2})
	want(t, "PSUBSCRIBE x* x*", s.Subscribe(Pattern, "x*", "x*"), []int{3, 3})
	// Shard channels are counted on their own (clientShardSubscriptionsCount).
	want(t, "SSUBSCRIBE s1 s2", s.Subscribe(Shard, "s1", "s2"), []int{1, 2})
	want(t, "SSUBSCRIBE a", s.Subscribe(Shard, "a"), []int{3}) // a separate namespace
	if s.Count() != 3 || s.ShardCount() != 3 {
		t.Fatalf("Count, ShardCount = %d, %d; want 3, 3", s.Count(), s.ShardCount())
	}

	names, counts := s.Unsubscribe(Plain, "a", "nope")
	want(t, "UNSUBSCRIBE a nope: names", names, []string{"a", "nope"})
	want(t, "UNSUBSCRIBE a nope: counts", counts, []int{2, 2})

	names, counts = s.Unsubscribe(Pattern)
	want(t, "PUNSUBSCRIBE: names", names, []string{"x*"})
	want(t, "PUNSUBSCRIBE: counts", counts, []int{1})

	names, counts = s.Unsubscribe(Shard)
	want(t, "SUNSUBSCRIBE: names", names, []string{"a", "s1", "s2"})
	want(t, "SUNSUBSCRIBE: counts", counts, []int{2, 1, 0})

	names, counts = s.Unsubscribe(Plain)
	want(t, "UNSUBSCRIBE: names", names, []string{"b"})
	want(t, "UNSUBSCRIBE: counts", counts, []int{0})

	// Nothing left: empty results, the frontend replies with a nil name.
	names, counts = s.Unsubscribe(Plain)
	if len(names) != 0 || len(counts) != 0 {
		t.Fatalf("UNSUBSCRIBE with nothing subscribed = %v, %v; want empty", names, counts)
	}
	if got := h.Channels(Plain, ""); len(got) != 0 {
		t.Fatalf("channels left behind: %v", got)
	}
}

func TestPublishThroughChannelAndPattern(t *testing.T) {
	h := NewHub()
	both, other, none := h.NewSubscriber(0, 0), h.NewSubscriber(0, 0), h.NewSubscriber(0, 0)
	both.Subscribe(Plain, "news.tech")
	both.Subscribe(Pattern, "news.*", "*.tech", "sport.*")
	other.Subscribe(Plain, "news.tech")
	none.Subscribe(Plain, "news")

	// both: message + 2 pmessages; other: message.
	if n := h.Publish(Plain, "news.tech", []byte("hi")); n != 4 {
		t.Fatalf("PUBLISH news.tech = %d receivers, want 4", n)
	}
	got := drain(both)
	if len(got) != 3 || got[0] != (drained{Plain, "", "news.tech", "hi"}) {
		t.Fatalf("both got %v; want the plain message first, then two pmessages", got)
	}
	pats := []string{got[1].pattern, got[2].pattern}
	slices.Sort(pats)
	want(t, "patterns delivered", pats, []string{"*.tech", "news.*"})
	for _, m := range got[1:] {
		if m.kind != Pattern || m.channel != "news.tech" || m.payload != "hi" {
			t.Fatalf("pmessage = %v", m)
		}
	}
	want(t, "other got", drain(other), []drained{{Plain, "", "news.tech", "hi"}})
	if got := drain(none); len(got) != 0 {
		t.Fatalf("subscriber of news got %v", got)
	}
	if n := h.Publish(Plain, "nobody", []byte("x")); n != 0 {
		t.Fatalf("PUBLISH nobody = %d, want 0", n)
	}
}

func TestShardIsolation(t *testing.T) {
	h := NewHub()
	plain, shard := h.NewSubscriber(0, 0), h.NewSubscriber(0, 0)
	plain.Subscribe(Plain, "orders")
	plain.Subscribe(Pattern, "*")
	shard.Subscribe(Shard, "orders")

	if n := h.Publish(Shard, "orders", []byte("s")); n != 1 {
		t.Fatalf("SPUBLISH orders = %d, want 1 (patterns ignore shard channels)", n)
	}
	if n := h.Publish(Plain, "orders", []byte("p")); n != 2 {
		t.Fatalf("PUBLISH orders = %d, want 2", n)
	}
	want(t, "shard got", drain(shard), []drained{{Shard, "", "orders", "s"}})
	want(t, "plain got", drain(plain), []drained{{Plain, "", "orders", "p"}, {Pattern, "*", "orders", "p"}})
	want(t, "PUBSUB SHARDCHANNELS", h.Channels(Shard, ""), []string{"orders"})
	want(t, "PUBSUB SHARDNUMSUB", h.NumSub(Shard, "orders", "x"), []int{1, 0})
}

func TestPublishOrder(t *testing.T) {
	h := NewHub()
	s := h.NewSubscriber(0, 0)
	s.Subscribe(Plain, "a", "b")
	s.Subscribe(Pattern, "?")
	var wantSeq []string
	for i := range 1000 {
		ch := []string{"a", "b", "c"}[i%3]
		h.Publish(Plain, ch, fmt.Appendf(nil, "%d", i))
		if ch != "c" {
			wantSeq = append(wantSeq, ch+fmt.Sprint(i))
		}
		wantSeq = append(wantSeq, "?"+fmt.Sprint(i))
	}
	var got []string
	for _, m := range drain(s) {
		if m.kind == Pattern {
			got = append(got, "?"+m.payload)
		} else {
			got = append(got, m.channel+m.payload)
		}
	}
	want(t, "delivery order", got, wantSeq)
}

func TestIntrospection(t *testing.T) {
	h := NewHub()
	s1, s2 := h.NewSubscriber(0, 0), h.NewSubscriber(0, 0)
	s1.Subscribe(Plain, "news.tech", "news.art", "sport")
	s2.Subscribe(Plain, "news.tech")
	s1.Subscribe(Pattern, "n*", "s*")
	s2.Subscribe(Pattern, "n*")

	want(t, "PUBSUB CHANNELS", h.Channels(Plain, ""), []string{"news.art", "news.tech", "sport"})
	want(t, "PUBSUB CHANNELS news.*", h.Channels(Plain, "news.*"), []string{"news.art", "news.tech"})
	want(t, "PUBSUB CHANNELS [st]*", h.Channels(Plain, "[st]*"), []string{"sport"})
	want(t, "PUBSUB NUMSUB", h.NumSub(Plain, "news.tech", "sport", "n*", "zzz"), []int{2, 1, 0, 0})
	if n := h.NumPat(); n != 2 {
		t.Fatalf("PUBSUB NUMPAT = %d, want 2 distinct patterns", n)
	}

	s2.Close()
	want(t, "NUMSUB after close", h.NumSub(Plain, "news.tech"), []int{1})
	want(t, "pattern subscribers", h.NumSub(Pattern, "n*", "s*"), []int{1, 1})
	s1.Unsubscribe(Pattern, "n*")
	if n := h.NumPat(); n != 1 {
		t.Fatalf("PUBSUB NUMPAT = %d, want 1", n)
	}
	want(t, "patterns", h.Channels(Pattern, ""), []string{"s*"})
	s1.Unsubscribe(Plain, "sport")
	want(t, "PUBSUB CHANNELS", h.Channels(Plain, ""), []string{"news.art", "news.tech"})
}

func TestClose(t *testing.T) {
	h := NewHub()
	s, keep := h.NewSubscriber(0, 0), h.NewSubscriber(0, 0)
	s.Subscribe(Plain, "a")
	s.Subscribe(Pattern, "*")
	s.Subscribe(Shard, "a")
	keep.Subscribe(Plain, "a")
	h.Publish(Plain, "a", []byte("queued"))
	s.Close()
	s.Close()

	if s.Count() != 0 || s.ShardCount() != 0 {
		t.Fatalf("counts after Close = %d, %d", s.Count(), s.ShardCount())
	}
	if got := drain(s); len(got) != 0 {
		t.Fatalf("Drain after Close = %v", got)
	}
	if n := h.Publish(Plain, "a", []byte("x")); n != 1 {
		t.Fatalf("PUBLISH after Close = %d receivers, want 1", n)
	}
	want(t, "SUBSCRIBE after Close", s.Subscribe(Plain, "b"), []int{0})
	if h.NumPat() != 0 || len(h.Channels(Shard, "")) != 0 {
		t.Fatalf("Close left patterns or shard channels")
	}
	if len(drain(keep)) != 2 {
		t.Fatal("the other subscriber lost messages")
	}
}

func TestReadyCoalesces(t *testing.T) {
	h := NewHub()
	s := h.NewSubscriber(0, 0)
	s.Subscribe(Plain, "a")
	ready := func() bool {
		select {
		case <-s.Ready():
			return true
		default:
			return false
		}
	}
	if ready() {
		t.Fatal("Ready before any publish")
	}
	for range 3 {
		h.Publish(Plain, "a", nil)
	}
	if !ready() || ready() {
		t.Fatal("three publishes should leave exactly one wake-up")
	}
	if len(drain(s)) != 3 {
		t.Fatal("want 3 messages")
	}
	h.Publish(Plain, "a", nil)
	if !ready() {
		t.Fatal("no wake-up after a drain and a publish")
	}
}

func TestPayloadShared(t *testing.T) {
	h := NewHub()
	a, b := h.NewSubscriber(0, 0), h.NewSubscriber(0, 0)
	a.Subscribe(Plain, "c")
	b.Subscribe(Pattern, "c")
	payload := []byte("shared")
	h.Publish(Plain, "c", payload)
	ma, mb := a.Drain(nil), b.Drain(nil)
	if &ma[0].Payload[0] != &payload[0] || &mb[0].Payload[0] != &payload[0] {
		t.Fatal("payload was copied")
	}
}

func TestDrainRecycles(t *testing.T) {
	h := NewHub()
	s := h.NewSubscriber(0, 0)
	s.Subscribe(Plain, "a")
	h.Publish(Plain, "a", []byte("1"))
	first := s.Drain(nil)
	h.Publish(Plain, "a", []byte("2"))
	second := s.Drain(first)
	if first[0].Payload != nil {
		t.Fatal("Drain did not clear the recycled batch")
	}
	if len(second) != 1 || string(second[0].Payload) != "2" {
		t.Fatalf("second batch = %v", second)
	}
	if got := s.Drain(second); len(got) != 0 || cap(got) == 0 {
		t.Fatalf("empty Drain = len %d cap %d; want prev[:0]", len(got), cap(got))
	}
}

// TestDrainShrinksAfterBurst: the arrays a burst grew are let go once
// batches stay small, and are not while batches stay large.
func TestDrainShrinksAfterBurst(t *testing.T) {
	h := NewHub()
	s := h.NewSubscriber(0, 0)
	s.Subscribe(Plain, "a")
	var batch []Message
	burst := func() {
		for range keepCap + 1 {
			h.Publish(Plain, "a", nil)
		}
		batch = s.Drain(batch)
	}
	burst()
	burst()
	big := cap(batch)
	if big <= keepCap {
		t.Fatalf("burst left cap %d, want over %d", big, keepCap)
	}
	for range shrinkAfter + 2 {
		burst()
	}
	if cap(batch) < big {
		t.Fatalf("sustained large batches lost their arrays: cap %d < %d", cap(batch), big)
	}
	for range 2*shrinkAfter + 2 {
		h.Publish(Plain, "a", nil)
		batch = s.Drain(batch)
	}
	if cap(batch) > keepCap {
		t.Fatalf("cap %d after %d small drains, want the burst's arrays released", cap(batch), 2*shrinkAfter+2)
	}
}

// TestPublishAllocs: once queues have grown, publishing to many
// subscribers (through channel and pattern) and draining allocate nothing.
func TestPublishAllocs(t *testing.T) {
	h := NewHub()
	subs := make([]*Subscriber, 10)
	batches := make([][]Message, len(subs))
	for i := range subs {
		subs[i] = h.NewSubscriber(0, 0)
		subs[i].Subscribe(Plain, "chan")
		subs[i].Subscribe(Pattern, "ch*")
	}
	payload := []byte("payload")
	round := func() {
		if n := h.Publish(Plain, "chan", payload); n != 20 {
			t.Fatalf("receivers = %d", n)
		}
		for i, s := range subs {
			batches[i] = s.Drain(batches[i])
		}
	}
	for range 3 {
		round()
	}
	if a := testing.AllocsPerRun(1000, round); a != 0 {
		t.Fatalf("%v allocations per publish to 20 subscriptions, want 0", a)
	}
}
