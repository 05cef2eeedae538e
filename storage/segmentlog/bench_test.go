// Benchmarks: append throughput, group-commit Sync against the disk's raw
// fsync rate, sequential reads of a cached segment, and opening a 1 GiB log.
// Append, Read and Decode also report the process's CPU time per operation
// (cpu-ns/op), which other work on a shared machine disturbs far less than
// throughput.
//
//	go test -run '^$' -bench . -benchmem ./storage/segmentlog/

package segmentlog

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"junction/storage"
)

func openBench(b *testing.B, opts storage.LogOptions) *Log {
	b.Helper()
	l, err := open(b.TempDir(), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	return l
}

// benchBatch returns n records with size-byte values and a short key.
func benchBatch(size, n int) []storage.Record {
	recs := make([]storage.Record, n)
	val := make([]byte, size)
	for i := range val {
		val[i] = byte(i)
	}
	for i := range recs {
		recs[i] = storage.Record{Timestamp: 1_700_000_000_000, Key: []byte("key"), Value: val, Origin: storage.OriginKafka}
	}
	return recs
}

// appendAt sets recs' offsets and IDs to follow l's End and appends them.
func appendAt(l *Log, recs []storage.Record) error {
	end := l.End()
	for i := range recs {
		recs[i].Offset = end + int64(i)
		recs[i].ID = storage.StreamID{Ms: uint64(end) + uint64(i)}
	}
	return l.Append(recs)
}

// reportCPU reports the process's CPU time per operation since cpu (a
// processCPU reading taken before the loop), background GC included.
func reportCPU(b *testing.B, cpu int64) {
	if cpu > 0 {
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkAppend appends batches to a log with the default 64 MiB
// segments, whose rolls wait for the sealed segment's fsync (so the figure
// is bounded by the disk's write bandwidth), and with 1 GiB segments, which
// do not roll within a run (the encode-and-pwrite path alone).
func BenchmarkAppend(b *testing.B) {
	for _, c := range []struct {
		size, batch int
		seg         int64
	}{{1024, 100, 64 << 20}, {100, 100, 64 << 20}, {1024, 100, 1 << 30}, {100, 100, 1 << 30}} {
		b.Run(fmt.Sprintf("rec=%dB/batch=%d/seg=%dMiB", c.size, c.batch, c.seg>>20), func(b *testing.B) {
			l := openBench(b, storage.LogOptions{SegmentBytes: c.seg})
			recs := benchBatch(c.size, c.batch)
			b.SetBytes(int64(c.size * c.batch))
			b.ReportAllocs()
			n := 0
			cpu := processCPU()
			for b.Loop() {
				if err := appendAt(l, recs); err != nil {
					b.Fatal(err)
				}
				n += len(recs)
				if l.Bytes() > 2<<30 { // bound the disk space used
					if _, err := l.Retain(1<<30, 0); err != nil {
						b.Fatal(err)
					}
				}
			}
			reportCPU(b, cpu)
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkSync compares group commit with the disk's own rate of
// write+fsync. In appenders=N, N goroutines each append one record under a
// shared lock (as the broker's partition lock serialises appends) and then
// call Sync, as the broker does with fsync=always.
//
// The disk's rate is measured in the same run on the same kind of file: the
// run alternates phases of appends with raw phases in which one goroutine
// appends frames of the same size to a file in the log's directory and
// fsyncs after each. A shared disk's rate drifts several-fold within
// seconds, so only rates taken side by side compare, and every phase lasts
// the same fixed time (a phase that ran until a count was reached would be
// long exactly when the disk was slow, and the raw phase after it would
// sample the recovery: that biases the ratio by up to 2x). "x-raw" is
// appends/s over those raw fsyncs/s; with one appender it should be about
// 1. raw-fsync alone is the disk's rate for reference.
func BenchmarkSync(b *testing.B) {
	b.Run("raw-fsync", func(b *testing.B) {
		f, err := os.Create(filepath.Join(b.TempDir(), "raw"))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		buf := make([]byte, syncFrameSize())
		for b.Loop() {
			if _, err := f.Write(buf); err != nil {
				b.Fatal(err)
			}
			if err := f.Sync(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fsyncs/s")
	})
	for _, appenders := range []int{1, 16} {
		b.Run(fmt.Sprintf("appenders=%d", appenders), func(b *testing.B) {
			benchSync(b, appenders)
		})
	}
}

// syncFrameSize is the size of the frames BenchmarkSync appends.
func syncFrameSize() int {
	rec := benchBatch(100, 1)
	rec[0].Offset, rec[0].ID = 1_000, storage.StreamID{Ms: 1_000}
	return len(appendRecord(nil, &rec[0]))
}

// syncPhase is how long each phase of BenchmarkSync lasts: long enough that
// the ramp at a phase's ends costs little, short enough to track the disk.
const syncPhase = 50 * time.Millisecond

func benchSync(b *testing.B, appenders int) {
	l := openBench(b, storage.LogOptions{})
	raw, err := os.Create(filepath.Join(l.dir, "raw")) // open ignores it
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	frame := make([]byte, syncFrameSize())
	var mu sync.Mutex // the partition lock serialising appends
	var left atomic.Int64
	left.Store(int64(b.N))
	appendSync := func(deadline time.Time) {
		rec := benchBatch(100, 1)
		for time.Now().Before(deadline) && left.Add(-1) >= 0 {
			mu.Lock()
			err := appendAt(l, rec)
			mu.Unlock()
			if err == nil {
				err = l.Sync()
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	}
	var logTime, rawTime time.Duration
	rawFsyncs := 0
	fsyncs0 := l.fsyncs.Load()
	b.ResetTimer()
	for left.Load() > 0 && !b.Failed() {
		b.StartTimer()
		start := time.Now()
		var wg sync.WaitGroup
		for range appenders {
			wg.Go(func() { appendSync(start.Add(syncPhase)) })
		}
		wg.Wait()
		logTime += time.Since(start)
		b.StopTimer()

		start = time.Now()
		for time.Since(start) < syncPhase {
			if _, err := raw.Write(frame); err != nil {
				b.Fatal(err)
			}
			if err := raw.Sync(); err != nil {
				b.Fatal(err)
			}
			rawFsyncs++
		}
		rawTime += time.Since(start)
	}
	fsyncs := l.fsyncs.Load() - fsyncs0
	appends := float64(b.N) / logTime.Seconds()
	rawRate := float64(rawFsyncs) / rawTime.Seconds()
	b.ReportMetric(appends/rawRate, "x-raw")
	b.ReportMetric(appends, "appends/s")
	b.ReportMetric(rawRate, "raw-fsyncs/s")
	b.ReportMetric(float64(fsyncs)/logTime.Seconds(), "fsyncs/s")
	b.ReportMetric(float64(b.N)/float64(max(fsyncs, 1)), "appends/fsync")
}

// BenchmarkRead reads a cached log front to back, 1000 records per call.
func BenchmarkRead(b *testing.B) {
	for _, size := range []int{100, 1024} {
		b.Run(fmt.Sprintf("rec=%dB/count=1000", size), func(b *testing.B) {
			l := openBench(b, storage.LogOptions{})
			recs := benchBatch(size, 1000)
			for l.Bytes() < 48<<20 {
				if err := appendAt(l, recs); err != nil {
					b.Fatal(err)
				}
			}
			end := l.End()
			var dst []storage.Record
			var err error
			for from := int64(0); from < end; from += int64(len(dst)) { // into the page cache
				if dst, err = l.Read(dst[:0], from, 1000, 0); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(size * 1000))
			b.ReportAllocs()
			from := int64(0)
			cpu := processCPU()
			for b.Loop() {
				if dst, err = l.Read(dst[:0], from, 1000, 0); err != nil || len(dst) != 1000 {
					b.Fatal(len(dst), err)
				}
				if from += 1000; from+1000 > end {
					from = 0
				}
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkOpen opens (and closes) a 1 GiB log of 4 KiB records in 64 MiB
// segments: opening must not read the data.
func BenchmarkOpen(b *testing.B) {
	b.Run("size=1GiB", func(b *testing.B) {
		dir := b.TempDir()
		l, err := open(dir, storage.LogOptions{})
		if err != nil {
			b.Fatal(err)
		}
		recs := benchBatch(4<<10, 256)
		for l.Bytes() < 1<<30 {
			if err := appendAt(l, recs); err != nil {
				b.Fatal(err)
			}
		}
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			l, err := open(dir, storage.LogOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if l.Bytes() < 1<<30 {
				b.Fatalf("opened %d bytes", l.Bytes())
			}
			b.StopTimer()
			l.Close()
			b.StartTimer()
		}
	})
}

// BenchmarkDecode decodes records from memory: the CPU cost of a read.
func BenchmarkDecode(b *testing.B) {
	for _, size := range []int{100, 1024} {
		b.Run(fmt.Sprintf("rec=%dB", size), func(b *testing.B) {
			recs := benchBatch(size, 1000)
			var buf []byte
			for i := range recs {
				recs[i].Offset = 1_000_000 + int64(i)
				recs[i].ID = storage.StreamID{Ms: 1_700_000_000_000 + uint64(i)}
				buf = appendRecord(buf, &recs[i])
			}
			b.SetBytes(int64(size * len(recs)))
			var r storage.Record
			var hdrs []storage.Header
			cpu := processCPU()
			for b.Loop() {
				for p := buf; len(p) > 0; {
					n, err := decodeRecord(p, &r, &hdrs)
					if err != nil {
						b.Fatal(err)
					}
					p = p[n:]
				}
			}
			reportCPU(b, cpu)
		})
	}
}
