package redis

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// BenchmarkPublish publishes to a channel with 10 go-redis subscribers and
// reports delivered messages per second; each op is one pipeline of
// PUBLISH commands.
func BenchmarkPublish(b *testing.B) {
	for _, proto := range []int{2, 3} {
		for _, size := range []int{16, 1024} {
			for _, pipe := range []int{1, 16} {
				b.Run(fmt.Sprintf("resp=%d/msg=%dB/subs=10/pipeline=%d", proto, size, pipe), func(b *testing.B) {
					benchPublish(b, proto, size, 10, pipe)
				})
			}
		}
	}
}

func benchPublish(b *testing.B, proto, size, subs, pipe int) {
	ts := newTestServer(b)
	ctx := context.Background()
	pub := ts.Client(b, proto)
	var ready sync.WaitGroup
	got := make(chan int, subs)
	for range subs {
		ps := ts.Client(b, proto).Subscribe(ctx, "bench")
		if _, err := ps.Receive(ctx); err != nil {
			b.Fatal(err)
		}
		ready.Add(1)
		go func() {
			defer ps.Close()
			ch := ps.Channel(goredis.WithChannelSize(4096))
			ready.Done()
			n := 0
			for m := range ch {
				if m.Payload == "END" {
					break
				}
				n++
			}
			got <- n
		}()
	}
	ready.Wait()
	payload := strings.Repeat("x", size)
	b.SetBytes(int64(size * pipe))
	start := time.Now()
	for b.Loop() {
		if pipe == 1 {
			if err := pub.Publish(ctx, "bench", payload).Err(); err != nil {
				b.Fatal(err)
			}
			continue
		}
		_, err := pub.Pipelined(ctx, func(p goredis.Pipeliner) error {
			for range pipe {
				p.Publish(ctx, "bench", payload)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	// One publisher's messages arrive in order: END marks the last.
	if err := pub.Publish(ctx, "bench", "END").Err(); err != nil {
		b.Fatal(err)
	}
	for range subs {
		select {
		case n := <-got:
			if n != b.N*pipe {
				b.Fatalf("a subscriber got %d of %d messages", n, b.N*pipe)
			}
		case <-time.After(30 * time.Second):
			b.Fatal("subscribers did not receive everything")
		}
	}
	el := time.Since(start)
	b.ReportMetric(float64(b.N*pipe*subs)/el.Seconds(), "delivered-msgs/s")
}

// BenchmarkPingPipeline sends pipelines of 16 PINGs with go-redis.
func BenchmarkPingPipeline(b *testing.B) {
	for _, proto := range []int{2, 3} {
		b.Run(fmt.Sprintf("resp=%d/pipeline=16", proto), func(b *testing.B) {
			ts := newTestServer(b)
			ctx := context.Background()
			c := ts.Client(b, proto)
			var lat []time.Duration
			start := time.Now()
			for b.Loop() {
				t0 := time.Now()
				cmds, err := c.Pipelined(ctx, func(p goredis.Pipeliner) error {
					for range 16 {
						p.Ping(ctx)
					}
					return nil
				})
				if err != nil || len(cmds) != 16 {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			el := time.Since(start)
			slices.Sort(lat)
			b.ReportMetric(float64(b.N*16)/el.Seconds(), "pings/s")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
