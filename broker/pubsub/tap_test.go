package pubsub

import "testing"

func TestTap(t *testing.T) {
	h := NewHub()
	type got struct{ ch, payload, origin string }
	var seen []got
	remove := h.AddTap(func(ch string, p []byte, origin string) {
		seen = append(seen, got{ch, string(p), origin})
	})
	s := h.NewSubscriber(0, 0)
	defer s.Close()
	s.Subscribe(Plain, "a")
	if n := h.Publish(Plain, "a", []byte("1")); n != 1 {
		t.Fatalf("Publish counted %d, want 1 (taps are not counted)", n)
	}
	h.PublishFrom(Plain, "b", []byte("2"), "amqp")
	h.Publish(Shard, "a", []byte("3")) // shard channels are not tapped
	if h.NumPat() != 0 || len(h.Channels(Plain, "")) != 1 {
		t.Fatal("a tap shows as a subscription")
	}
	remove()
	remove()
	h.Publish(Plain, "a", []byte("4"))
	want := []got{{"a", "1", ""}, {"b", "2", "amqp"}}
	if len(seen) != len(want) || seen[0] != want[0] || seen[1] != want[1] {
		t.Fatalf("taps saw %v, want %v", seen, want)
	}
	if ms := s.Drain(nil); len(ms) != 2 {
		t.Fatalf("subscriber got %d messages, want 2", len(ms))
	}
}
