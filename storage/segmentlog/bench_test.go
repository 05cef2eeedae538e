// Benchmarks: append throughput, group-commit Sync against the disk's raw
// fsync rate, sequential reads of a cached segment, and opening a 1 GiB log.
//
//	go test -run '^$' -bench . -benchmem ./storage/segmentlog/

package segmentlog

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
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
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// rawFsyncRate measures write+fsync of 100 bytes in dir for about d.
func rawFsyncRate(b *testing.B, dir string, d time.Duration) float64 {
	f, err := os.CreateTemp(dir, "raw")
	if err != nil {
		b.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := make([]byte, 100)
	start := time.Now()
	n := 0
	for ; time.Since(start) < d; n++ {
		if _, err := f.Write(buf); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
	}
	return float64(n) / time.Since(start).Seconds()
}

// BenchmarkSync compares group commit — appenders each appending one
// record under a shared lock (as the broker's partition lock does) and then
// calling Sync — with the disk's raw rate of write+fsync, measured by
// raw-fsync and, because a shared disk's rate drifts, also just before and
// after each group-commit run ("x-raw" is appends/s over that raw rate).
func BenchmarkSync(b *testing.B) {
	b.Run("raw-fsync", func(b *testing.B) {
		f, err := os.Create(filepath.Join(b.TempDir(), "raw"))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		buf := make([]byte, 100)
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
			l := openBench(b, storage.LogOptions{})
			raw := rawFsyncRate(b, b.TempDir(), 250*time.Millisecond)
			b.ResetTimer()
			var mu sync.Mutex // the partition lock serialising appends
			var wg sync.WaitGroup
			fsyncs0 := l.fsyncs.Load()
			start := time.Now()
			for g := range appenders {
				n := b.N / appenders
				if g < b.N%appenders {
					n++
				}
				wg.Go(func() {
					rec := benchBatch(100, 1)
					for range n {
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
				})
			}
			wg.Wait()
			secs := time.Since(start).Seconds()
			fsyncs := l.fsyncs.Load() - fsyncs0
			b.StopTimer()
			raw = (raw + rawFsyncRate(b, b.TempDir(), 250*time.Millisecond)) / 2
			b.ReportMetric(float64(b.N)/secs/raw, "x-raw")
			b.ReportMetric(float64(b.N)/secs, "appends/s")
			b.ReportMetric(float64(fsyncs)/secs, "fsyncs/s")
			b.ReportMetric(float64(b.N)/float64(max(fsyncs, 1)), "appends/fsync")
		})
	}
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
			for b.Loop() {
				if dst, err = l.Read(dst[:0], from, 1000, 0); err != nil || len(dst) != 1000 {
					b.Fatal(len(dst), err)
				}
				if from += 1000; from+1000 > end {
					from = 0
				}
			}
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
			for b.Loop() {
				for p := buf; len(p) > 0; {
					n, err := decodeRecord(p, &r, &hdrs)
					if err != nil {
						b.Fatal(err)
					}
					p = p[n:]
				}
			}
		})
	}
}
