// Benchmarks: publish fan-out to subscribers draining concurrently (the
// grid subs × message size), pattern scanning cost, and Match.

package pubsub

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkPublish publishes to subs subscribers, each drained by its own
// goroutine like a connection writer. ns/op is the publisher's cost per
// message; msgs/s counts deliveries until every subscriber has drained
// everything.
func BenchmarkPublish(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		for _, sz := range []int{16, 1024} {
			b.Run(fmt.Sprintf("subs=%d/msg=%dB", n, sz), func(b *testing.B) {
				benchFanout(b, n, sz, 0)
			})
		}
	}
}

// BenchmarkPublishPatterns adds pats pattern subscriptions that do not
// match: the per-publish cost of scanning them.
func BenchmarkPublishPatterns(b *testing.B) {
	for _, pats := range []int{10, 100} {
		b.Run(fmt.Sprintf("subs=10/msg=16B/patterns=%d", pats), func(b *testing.B) {
			benchFanout(b, 10, 16, pats)
		})
	}
}

func benchFanout(b *testing.B, n, size, patterns int) {
	h := NewHub()
	if patterns > 0 {
		idle := h.NewSubscriber(0, 0)
		for i := range patterns {
			idle.Subscribe(Pattern, fmt.Sprintf("other.%d.*", i))
		}
		defer idle.Close()
	}
	var delivered atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	subs := make([]*Subscriber, n)
	for i := range subs {
		s := h.NewSubscriber(-1, -1) // the writers keep up; never cut them here
		s.Subscribe(Plain, "bench")
		subs[i] = s
		wg.Add(1)
		go func() {
			defer wg.Done()
			var batch []Message
			for {
				select {
				case <-s.Ready():
					batch = s.Drain(batch)
					delivered.Add(int64(len(batch)))
				case <-stop:
					batch = s.Drain(batch)
					delivered.Add(int64(len(batch)))
					return
				}
			}
		}()
	}
	payload := make([]byte, size)
	b.SetBytes(int64(size * n))
	b.ReportAllocs()
	start := time.Now()
	published := 0
	for b.Loop() {
		h.Publish(Plain, "bench", payload)
		published++
	}
	close(stop)
	wg.Wait()
	elapsed := time.Since(start)
	if got, want := delivered.Load(), int64(published*n); got != want {
		b.Fatalf("delivered %d, want %d", got, want)
	}
	b.ReportMetric(float64(published*n)/elapsed.Seconds(), "msgs/s")
	for _, s := range subs {
		s.Close()
	}
}

func BenchmarkMatch(b *testing.B) {
	for _, c := range []struct{ name, pattern, s string }{
		{"literal", "news.tech.europe", "news.tech.europe"},
		{"prefix", "news.*", "news.tech.europe"},
		{"class", "news.[a-z]ech.*", "news.tech.europe"},
		{"stars", strings.Repeat("*a", 20) + "b", strings.Repeat("a", 100)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Match(c.pattern, c.s)
			}
		})
	}
}
