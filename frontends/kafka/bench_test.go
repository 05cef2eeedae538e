package kafka

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"junction/broker"
	"junction/storage/boltmeta"
	"junction/storage/segmentlog"
)

// The Kafka benchmarks run the same kgo load against this package and
// against franz-go's kfake, both in this process: target=junction is the
// server on the file backend (segmentlog + boltmeta) with fsync every
// second, as the binary runs by default; target=kfake keeps everything in
// memory. Besides MB/s they report cpu-µs/rec: the process's CPU time
// (client and server) per record, which is steadier than wall time on a
// shared machine; with the same client on both sides, its difference
// between targets is the servers' difference. Compare with benchstat over
// -count >= 5, e.g.
//
//	go test -run '^$' -bench 'Produce|Consume|EndToEnd' -count 5 ./frontends/kafka/
//
// For server-only CPU, run the binary and kfake as separate processes.

// benchTarget starts a server with topic "bench" of the given partitions.
func benchTarget(b *testing.B, target string, partitions int) string {
	b.Helper()
	switch target {
	case "junction":
		return fileServer(b, partitions)
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

// fileServer starts a server on segmentlog and boltmeta in a temporary
// directory with FsyncInterval, with topic "bench", stopped at cleanup.
func fileServer(b *testing.B, partitions int) string {
	dir := b.TempDir()
	meta, err := boltmeta.Open(filepath.Join(dir, "meta.db"), boltmeta.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	logs := segmentlog.New(filepath.Join(dir, "logs"))
	br, err := broker.New(broker.Config{Logs: logs, Meta: meta, Fsync: broker.FsyncInterval, Logger: testLogger()})
	if err != nil {
		b.Fatal(err)
	}
	s := New(Config{Broker: br, Logger: testLogger()})
	if _, err := s.createTopic("bench", broker.TopicConfig{Partitions: partitions}); err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Shutdown(ctx)
		<-done
		br.Close()
		logs.Close()
		meta.Close()
	})
	return ln.Addr().String()
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

// cpuTime is the process's user and system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time since start per record.
func reportCPU(b *testing.B, start time.Duration, records int) {
	b.ReportMetric(float64((cpuTime(b)-start).Microseconds())/float64(records), "cpu-µs/rec")
}

var benchGrid = []struct {
	size, partitions int
}{{100, 1}, {100, 8}, {1024, 1}, {1024, 8}}

func BenchmarkProduce(b *testing.B) {
	for _, g := range benchGrid {
		for _, target := range []string{"junction", "kfake"} {
			b.Run(fmt.Sprintf("msg=%dB/partitions=%d/target=%s", g.size, g.partitions, target), func(b *testing.B) {
				cl := benchClient(b, benchTarget(b, target, g.partitions))
				value := payloads(g.size)
				produceAll(b, cl, 1000, value) // warm up: connections, producer id
				b.SetBytes(int64(g.size))
				b.ReportAllocs()
				b.ResetTimer()
				cpu := cpuTime(b)
				lat := produceAll(b, cl, b.N, value)
				b.StopTimer()
				reportCPU(b, cpu, b.N)
				slices.Sort(lat)
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			})
		}
	}
}

func BenchmarkConsume(b *testing.B) {
	for _, g := range benchGrid {
		for _, target := range []string{"junction", "kfake"} {
			b.Run(fmt.Sprintf("msg=%dB/partitions=%d/target=%s", g.size, g.partitions, target), func(b *testing.B) {
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
				cpu := cpuTime(b)
				for n := 0; n < b.N; {
					fs := cl.PollFetches(ctx)
					if err := fs.Err(); err != nil {
						b.Fatal(err)
					}
					n += fs.NumRecords()
				}
				b.StopTimer()
				reportCPU(b, cpu, b.N)
			})
		}
	}
}

// BenchmarkEndToEnd produces 1 KiB records one by one at a steady 1000/s
// (no linger) to a consumer long-polling with FetchMaxWait 500 ms, and
// reports the produce→consume latency percentiles.
func BenchmarkEndToEnd(b *testing.B) {
	const rate = 1000
	for _, target := range []string{"junction", "kfake"} {
		b.Run("target="+target, func(b *testing.B) {
			addr := benchTarget(b, target, 1)
			cons := benchClient(b, addr, kgo.ConsumeTopics("bench"),
				kgo.ConsumeResetOffset(kgo.NewOffset().AtEnd()), kgo.FetchMaxWait(500*time.Millisecond))
			prod := benchClient(b, addr, kgo.ProducerLinger(0))
			value := payloads(1024)
			epoch := time.Now()
			stamp := func(i int) []byte {
				v := slices.Clone(value(i))
				binary.BigEndian.PutUint64(v, uint64(time.Since(epoch)))
				return v
			}
			// Warm up until the consumer sees records, which also makes
			// sure it is polling before the measured records.
			ctx := context.Background()
			seen := make(chan struct{})
			var lats []time.Duration
			var want atomic.Int64
			want.Store(-1)
			done := make(chan struct{})
			go func() {
				defer close(done)
				var once sync.Once
				for {
					fs := cons.PollFetches(ctx)
					if fs.IsClientClosed() {
						return
					}
					now := time.Since(epoch)
					fs.EachRecord(func(r *kgo.Record) {
						once.Do(func() { close(seen) })
						if w := want.Load(); w >= 0 {
							lats = append(lats, now-time.Duration(binary.BigEndian.Uint64(r.Value)))
						}
					})
					if w := want.Load(); w >= 0 && int64(len(lats)) >= w {
						return
					}
				}
			}()
			for i := 0; ; i++ {
				prod.Produce(ctx, &kgo.Record{Value: stamp(i)}, nil)
				select {
				case <-seen:
				case <-time.After(100 * time.Millisecond):
					continue
				}
				break
			}
			if err := prod.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond) // let the warm-up records drain
			want.Store(int64(b.N))
			b.SetBytes(1024)
			b.ResetTimer()
			cpu := cpuTime(b)
			tick := time.NewTicker(time.Second / rate)
			for i := range b.N {
				<-tick.C
				prod.Produce(ctx, &kgo.Record{Value: stamp(i)}, nil)
			}
			tick.Stop()
			<-done
			b.StopTimer()
			reportCPU(b, cpu, b.N)
			lats = lats[len(lats)-b.N:]
			slices.Sort(lats)
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
			b.ReportMetric(ms(lats[len(lats)/2]), "p50-ms")
			b.ReportMetric(ms(lats[len(lats)*99/100]), "p99-ms")
		})
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
				p, err := decodeProduce(data, 0, false)
				if err != nil {
					b.Fatal(err)
				}
				putRecords(p.recs)
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
