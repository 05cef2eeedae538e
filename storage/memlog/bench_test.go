// Benchmarks for the in-memory log: batched appends and reads.

package memlog

import (
	"fmt"
	"testing"

	"junction/storage"
)

func BenchmarkAppend(b *testing.B) {
	for _, sz := range []int{100, 1000} {
		for _, n := range []int{1, 100} {
			b.Run(fmt.Sprintf("rec=%dB/batch=%d", sz, n), func(b *testing.B) {
				lg, _ := New().OpenLog("t/0", storage.LogOptions{})
				l := lg.(*Log)
				batch := make([]storage.Record, n)
				val := make([]byte, sz)
				for i := range batch {
					batch[i] = storage.Record{Value: val, Timestamp: int64(i)}
				}
				b.SetBytes(int64(n * sz))
				b.ReportAllocs()
				var total int
				for b.Loop() {
					end := l.End()
					for i := range batch {
						batch[i].Offset = end + int64(i)
						batch[i].ID = storage.StreamID{Ms: uint64(end) + uint64(i)}
					}
					if err := l.Append(batch); err != nil {
						b.Fatal(err)
					}
					if total += n; total%(1<<16) < n {
						_ = l.TruncateFront(l.End()) // bound memory
					}
				}
				b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "records/s")
			})
		}
	}
}

func BenchmarkRead(b *testing.B) {
	lg, _ := New().OpenLog("t/0", storage.LogOptions{})
	l := lg.(*Log)
	const n = 100000
	batch := make([]storage.Record, 100)
	val := make([]byte, 100)
	for off := int64(0); off < n; off += 100 {
		for i := range batch {
			batch[i] = storage.Record{Offset: off + int64(i), Value: val}
		}
		_ = l.Append(batch)
	}
	dst := make([]storage.Record, 0, 500)
	var total int
	b.ReportAllocs()
	for b.Loop() {
		dst, _ = l.Read(dst[:0], int64(total%n), 500, 0)
		total += len(dst)
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkAppendEntry appends Redis entries one per call, as XADD does.
func BenchmarkAppendEntry(b *testing.B) {
	lg, _ := New().OpenLog("t/0", storage.LogOptions{})
	l := lg.(*Log)
	batch := []storage.Record{redisEntry(make([]byte, 100))}
	b.ReportAllocs()
	var total int
	for b.Loop() {
		end := l.End()
		batch[0].Offset = end
		batch[0].Timestamp = 1_700_000_000_000 + end/64
		batch[0].ID = storage.StreamID{Ms: uint64(batch[0].Timestamp), Seq: uint64(end % 64)}
		if err := l.Append(batch); err != nil {
			b.Fatal(err)
		}
		if total++; total%(1<<16) == 0 {
			_ = l.TruncateFront(l.End()) // bound memory
		}
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkReadEntry reads Redis entries 100 at a time (XRANGE … COUNT 100).
func BenchmarkReadEntry(b *testing.B) {
	lg, _ := New().OpenLog("t/0", storage.LogOptions{})
	l := lg.(*Log)
	const n = 100000
	val := make([]byte, 100)
	batch := make([]storage.Record, 100)
	for off := int64(0); off < n; off += 100 {
		for i := range batch {
			batch[i] = redisEntry(val)
			batch[i].Offset = off + int64(i)
			batch[i].Timestamp = 1_700_000_000_000 + (off+int64(i))/64
			batch[i].ID = storage.StreamID{Ms: uint64(batch[i].Timestamp), Seq: uint64(off+int64(i)) % 64}
		}
		_ = l.Append(batch)
	}
	dst := make([]storage.Record, 0, 100)
	var total int
	b.ReportAllocs()
	for b.Loop() {
		dst, _ = l.Read(dst[:0], int64(total%n), 100, 0)
		total += len(dst)
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "records/s")
}
