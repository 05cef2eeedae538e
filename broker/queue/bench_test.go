// Benchmarks: publish + take + ack of 1 KiB messages, transient and durable
// (memlog), single goroutine with settlement batches of 1 and 64, and a
// concurrent grid (publishers × consumers). Reports msgs/s; run with
// -benchmem for allocs/op (the Message itself is 1 alloc/op).

package queue

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

func benchQueue(b *testing.B, durable bool) *Queue {
	if durable {
		return newDurableLogs(b).open(b, nil)
	}
	return newQueue(b, nil)
}

func BenchmarkPublishTakeAck(b *testing.B) {
	body := make([]byte, 1024)
	for _, durable := range []bool{false, true} {
		for _, batch := range []int{1, 64} {
			b.Run(fmt.Sprintf("msg=1KiB/durable=%v/batch=%d", durable, batch), func(b *testing.B) {
				q := benchQueue(b, durable)
				c := consume(b, q, ConsumerOptions{Prefetch: 2 * batch})
				ds := make([]Delivery, 0, batch)
				ts := make([]uint64, 0, batch)
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				n := 0
				for b.Loop() {
					if err := q.Publish(&Message{Body: body, Expiration: NoTTL, Persistent: durable}); err != nil {
						b.Fatal(err)
					}
					if n++; n < batch {
						continue
					}
					n = 0
					if err := q.Sync(); err != nil { // publisher confirms
						b.Fatal(err)
					}
					ds = c.Take(ds[:0], batch)
					ts = ts[:0]
					for _, d := range ds {
						ts = append(ts, d.Tag)
					}
					q.Ack(ts...)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			})
		}
	}
}

func BenchmarkConcurrent(b *testing.B) {
	body := make([]byte, 1024)
	for _, durable := range []bool{false, true} {
		for _, consumers := range []int{1, 4} {
			b.Run(fmt.Sprintf("msg=1KiB/durable=%v/consumers=%d", durable, consumers), func(b *testing.B) {
				q := benchQueue(b, durable)
				var consumed atomic.Int64
				target := int64(b.N)
				all := make(chan struct{}) // closed once every message is acked
				stop := make(chan struct{})
				var wg sync.WaitGroup
				for range consumers {
					c := consume(b, q, ConsumerOptions{Prefetch: 256})
					wg.Add(1)
					go func() {
						defer wg.Done()
						ds := make([]Delivery, 0, 64)
						ts := make([]uint64, 0, 64)
						for {
							select {
							case <-c.Wake():
							case <-stop:
								return
							}
							for {
								ds = c.Take(ds[:0], 64)
								if len(ds) == 0 {
									break
								}
								ts = ts[:0]
								for _, d := range ds {
									ts = append(ts, d.Tag)
								}
								q.Ack(ts...)
								n := int64(len(ds))
								if after := consumed.Add(n); after >= target && after-n < target {
									close(all)
								}
							}
						}
					}()
				}
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := q.Publish(&Message{Body: body, Expiration: NoTTL, Persistent: durable}); err != nil {
							b.Error(err)
							return
						}
					}
				})
				if err := q.Sync(); err != nil {
					b.Fatal(err)
				}
				<-all
				close(stop)
				wg.Wait()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			})
		}
	}
}
