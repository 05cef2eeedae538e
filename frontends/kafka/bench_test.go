package kafka

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// benchTarget starts a server with topic "bench" of the given partitions:
// this package on memlog+memmeta, or franz-go's kfake for comparison.
func benchTarget(b *testing.B, target string, partitions int) string {
	b.Helper()
	switch target {
	case "junction":
		e := newEnv(b)
		e.createTopic("bench", partitions)
		return e.addr
	case "kfake":
		c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(int32(partitions), "bench"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(c.Close)
		return c.ListenAddrs()[0]
	}
	panic(target)
}

// payloads returns a function giving distinct incompressible values.
func payloads(size int) func(i int) []byte {
	pool := make([]byte, 4<<20)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range pool {
		pool[i] = byte(r.Uint32())
	}
	return func(i int) []byte {
		off := (i * 7919) % (len(pool) - size)
		return pool[off : off+size : off+size]
	}
}

func benchClient(b *testing.B, addr string, opts ...kgo.Opt) *kgo.Client {
	b.Helper()
	opts = append([]kgo.Opt{
		kgo.SeedBrokers(addr),
		kgo.DefaultProduceTopic("bench"),
		kgo.ProducerBatchCompression(kgo.NoCompression()), // values are random anyway
	}, opts...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(cl.Close)
	return cl
}

// produceAll produces n records (acks=all, idempotent, default batching
// and buffering) and returns each record's latency from Produce to its
// acknowledgement, which under this full load includes waiting in kgo's
// buffer.
func produceAll(b *testing.B, cl *kgo.Client, n int, value func(int) []byte) []time.Duration {
	lat := make([]time.Duration, n)
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	ctx := context.Background()
	wg.Add(n)
	for i := range n {
		start := time.Now()
		cl.Produce(ctx, &kgo.Record{Value: value(i)}, func(_ *kgo.Record, err error) {
			lat[i] = time.Since(start)
			if err != nil {
				failed.Store(&err)
			}
			wg.Done()
		})
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
	return lat
}

var benchGrid = []struct {
	size, partitions int
}{{100, 1}, {100, 8}, {1024, 1}, {1024, 8}}

func BenchmarkProduce(b *testing.B) {
	for _, target := range []string{"junction", "kfake"} {
		for _, g := range benchGrid {
			b.Run(fmt.Sprintf("target=%s/msg=%dB/partitions=%d", target, g.size, g.partitions), func(b *testing.B) {
				cl := benchClient(b, benchTarget(b, target, g.partitions))
				value := payloads(g.size)
				produceAll(b, cl, 1000, value) // warm up: connections, producer id
				b.SetBytes(int64(g.size))
				b.ReportAllocs()
				b.ResetTimer()
				lat := produceAll(b, cl, b.N, value)
				b.StopTimer()
				slices.Sort(lat)
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			})
		}
	}
}

func BenchmarkConsume(b *testing.B) {
	for _, target := range []string{"junction", "kfake"} {
		for _, g := range benchGrid {
			b.Run(fmt.Sprintf("target=%s/msg=%dB/partitions=%d", target, g.size, g.partitions), func(b *testing.B) {
				addr := benchTarget(b, target, g.partitions)
				produceAll(b, benchClient(b, addr), b.N, payloads(g.size))
				cl := benchClient(b, addr,
					kgo.ConsumeTopics("bench"),
					kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
					kgo.FetchMaxWait(time.Second))
				ctx := context.Background()
				b.SetBytes(int64(g.size))
				b.ReportAllocs()
				b.ResetTimer()
				for n := 0; n < b.N; {
					fs := cl.PollFetches(ctx)
					if err := fs.Err(); err != nil {
						b.Fatal(err)
					}
					n += fs.NumRecords()
				}
			})
		}
	}
}

// BenchmarkRecordBatch measures the per-record codec cost on the server:
// decoding a produced batch of 1000 records and encoding them for a fetch.
func BenchmarkRecordBatch(b *testing.B) {
	for _, size := range []int{100, 1024} {
		value := payloads(size)
		vals := make([]string, 1000)
		for i := range vals {
			vals[i] = string(value(i))
		}
		data := batch(1, 0, 0, 1000, vals...)
		b.Run(fmt.Sprintf("op=decode/msg=%dB", size), func(b *testing.B) {
			b.SetBytes(int64(size * len(vals)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := decodeProduce(data, 0, false); err != nil {
					b.Fatal(err)
				}
			}
		})
		p, _ := decodeProduce(data, 0, false)
		for i := range p.recs {
			p.recs[i].Offset = int64(i)
		}
		b.Run(fmt.Sprintf("op=encode/msg=%dB", size), func(b *testing.B) {
			b.SetBytes(int64(size * len(vals)))
			b.ReportAllocs()
			buf := make([]byte, 0, 2*len(data))
			for b.Loop() {
				buf, _ = encodeFetch(buf[:0], p.recs, 1<<30, true, false)
			}
		})
	}
}
