package broker_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"junction/broker"
	"junction/broker/brokertest"
	"junction/storage"
)

func stores(t testing.TB, kind string) *brokertest.Stores {
	if kind == "memory" {
		return brokertest.Memory(t)
	}
	return brokertest.Files(t)
}

// BenchmarkAppend appends batches of 100 records through the core
// (fsync=interval), reporting MB/s and records/s.
func BenchmarkAppend(b *testing.B) {
	for _, kind := range []string{"files", "memory"} {
		for _, size := range []int{100, 1024} {
			b.Run(fmt.Sprintf("store=%s/rec=%dB/batch=100", kind, size), func(b *testing.B) {
				br := stores(b, kind).New(b, broker.Config{})
				p := mustTopic(b, br, "t", 1).Partition(0)
				val := make([]byte, size)
				batch := make([]storage.Record, 100)
				b.SetBytes(int64(size * len(batch)))
				b.ReportAllocs()
				for b.Loop() {
					for i := range batch {
						batch[i] = storage.Record{Value: val}
					}
					if _, err := p.Append(batch); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "records/s")
			})
		}
	}
}

// BenchmarkAppendFsyncAlways: 16 producers append single records with
// fsync=always; group commit lets them share fsyncs.
func BenchmarkAppendFsyncAlways(b *testing.B) {
	br := brokertest.Files(b).New(b, broker.Config{Fsync: broker.FsyncAlways})
	p := mustTopic(b, br, "t", 1).Partition(0)
	val := make([]byte, 100)
	b.SetParallelism(8) // 16 goroutines on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		batch := make([]storage.Record, 1)
		for pb.Next() {
			batch[0] = storage.Record{Value: val}
			if _, err := p.Append(batch); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
}

// BenchmarkReadSequential reads a cached partition from start to end.
func BenchmarkReadSequential(b *testing.B) {
	for _, kind := range []string{"files", "memory"} {
		b.Run("store="+kind, func(b *testing.B) {
			br := stores(b, kind).New(b, broker.Config{})
			p := mustTopic(b, br, "t", 1).Partition(0)
			val := make([]byte, 1024)
			batch := make([]storage.Record, 100)
			for j := 0; j < 200; j++ { // 20,000 records, 20 MB
				for i := range batch {
					batch[i] = storage.Record{Value: val}
				}
				p.Append(batch)
			}
			b.SetBytes(int64(p.End()) * 1024)
			var buf []storage.Record
			for b.Loop() {
				for off := int64(0); off < p.End(); {
					var err error
					buf, err = p.Read(buf[:0], off, 1000, 1<<20)
					if err != nil || len(buf) == 0 {
						b.Fatal(err)
					}
					off = buf[len(buf)-1].Offset + 1
				}
			}
		})
	}
}

// BenchmarkWakeLatency measures the time from an append to a blocked
// reader's wake-up, reporting the median and p99.
func BenchmarkWakeLatency(b *testing.B) {
	br := brokertest.New(b)
	p := mustTopic(b, br, "t", 1).Partition(0)
	lat := make([]time.Duration, 0, 1024)
	blocked := make(chan struct{})
	woke := make(chan time.Time)
	batch := make([]storage.Record, 1)
	for b.Loop() {
		go func() {
			ch := p.Changed() // registered before the append below
			blocked <- struct{}{}
			<-ch
			woke <- time.Now()
		}()
		<-blocked
		sent := time.Now()
		batch[0] = rec("x")
		p.Append(batch)
		lat = append(lat, (<-woke).Sub(sent))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1000, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1000, "p99-µs")
}
