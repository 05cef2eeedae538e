// Unit tests for the in-memory log: round trips, limits, seeks, trimming,
// reopening, errors and concurrent readers.

package memlog

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"sync"
	"testing"

	"junction/storage"
)

func open(t *testing.T, b *Backend, name string, opts storage.LogOptions) *Log {
	t.Helper()
	l, err := b.OpenLog(name, opts)
	if err != nil {
		t.Fatalf("OpenLog(%q): %v", name, err)
	}
	return l.(*Log)
}

// recs builds n records starting at offset from, with timestamp and ID
// derived from the offset.
func recs(from int64, n int) []storage.Record {
	out := make([]storage.Record, n)
	for i := range out {
		o := from + int64(i)
		out[i] = storage.Record{
			Offset:    o,
			Timestamp: 1000 + o,
			ID:        storage.StreamID{Ms: uint64(1000 + o), Seq: uint64(o % 3)},
			Value:     fmt.Appendf(nil, "value-%d", o),
		}
	}
	return out
}

func appendN(t *testing.T, l *Log, n int) {
	t.Helper()
	if err := l.Append(recs(l.End(), n)); err != nil {
		t.Fatalf("Append: %v", err)
	}
}

func readAll(t *testing.T, l *Log, from int64) []storage.Record {
	t.Helper()
	got, err := l.Read(nil, from, 0, 0)
	if err != nil {
		t.Fatalf("Read(%d): %v", from, err)
	}
	return got
}

func TestRoundTripCopiesAndKeepsNil(t *testing.T) {
	l := open(t, New(), "t/0", storage.LogOptions{})
	buf := []byte("keyvaluenativehkhv")
	in := []storage.Record{
		{Offset: 0, Key: buf[0:3], Value: buf[3:8], Native: buf[8:14],
			Headers: []storage.Header{{Key: buf[14:16], Value: buf[16:18]}, {Key: []byte{}, Value: nil}},
			Origin:  storage.OriginKafka, Timestamp: 5, ID: storage.StreamID{Ms: 5}},
		{Offset: 1, Key: nil, Value: []byte{}, Headers: []storage.Header{}, ID: storage.StreamID{Ms: 6}},
		{Offset: 2, ID: storage.StreamID{Ms: 7}},
	}
	want := []storage.Record{
		{Offset: 0, Key: []byte("key"), Value: []byte("value"), Native: []byte("native"),
			Headers: []storage.Header{{Key: []byte("hk"), Value: []byte("hv")}, {Key: []byte{}, Value: nil}},
			Origin:  storage.OriginKafka, Timestamp: 5, ID: storage.StreamID{Ms: 5}},
		{Offset: 1, Key: nil, Value: []byte{}, Headers: []storage.Header{}, ID: storage.StreamID{Ms: 6}},
		{Offset: 2, ID: storage.StreamID{Ms: 7}},
	}
	if err := l.Append(in); err != nil {
		t.Fatal(err)
	}
	for i := range buf {
		buf[i] = 'X' // the caller reuses its buffer
	}
	got := readAll(t, l, 0)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Read = %+v\nwant %+v", got, want)
	}
	if got[0].Key == nil || got[1].Key != nil || got[1].Value == nil || got[2].Value != nil {
		t.Fatal("nil/empty distinction lost")
	}
	if cap(got[0].Key) != len(got[0].Key) {
		t.Fatal("stored slice capacity not clipped; a reader's append would clobber the arena")
	}
	if l.LastID() != (storage.StreamID{Ms: 7}) {
		t.Fatalf("LastID = %v", l.LastID())
	}
}

func TestAppendRejectsWrongOffset(t *testing.T) {
	l := open(t, New(), "t/0", storage.LogOptions{InitialOffset: 10})
	for _, bad := range [][]storage.Record{recs(9, 1), recs(11, 1), {{Offset: 10}, {Offset: 12}}} {
		if err := l.Append(bad); !errors.Is(err, storage.ErrOutOfRange) {
			t.Fatalf("Append(%d…) = %v, want ErrOutOfRange", bad[0].Offset, err)
		}
	}
	if l.End() != 10 || l.Bytes() != 0 {
		t.Fatalf("failed append stored something: End %d Bytes %d", l.End(), l.Bytes())
	}
	appendN(t, l, 3)
	if l.Start() != 10 || l.End() != 13 {
		t.Fatalf("Start,End = %d,%d want 10,13", l.Start(), l.End())
	}
}

func TestReadLimits(t *testing.T) {
	l := open(t, New(), "t/0", storage.LogOptions{})
	appendN(t, l, 10000) // spans three chunks
	size := (&storage.Record{Value: []byte("value-1000")}).Size()
	for _, tc := range []struct {
		from              int64
		maxCount, maxByte int
		first, n          int64
	}{
		{0, 0, 0, 0, 10000},
		{-5, 3, 0, 0, 3},
		{4090, 10, 0, 4090, 10},      // across a chunk boundary
		{5000, 0, 1, 5000, 1},        // at least one record
		{5000, 0, 3 * size, 5000, 3}, // byte limit
		{9999, 10, 0, 9999, 1},
		{10000, 10, 0, 0, 0},
		{20000, 10, 0, 0, 0},
	} {
		dst := []storage.Record{{Offset: -1}}
		got, err := l.Read(dst, tc.from, tc.maxCount, tc.maxByte)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(got)-1) != tc.n || got[0].Offset != -1 {
			t.Fatalf("Read(%d,%d,%d) returned %d records, want %d appended to dst", tc.from, tc.maxCount, tc.maxByte, len(got)-1, tc.n)
		}
		for i, r := range got[1:] {
			if want := tc.first + int64(i); r.Offset != want || string(r.Value) != fmt.Sprintf("value-%d", want) {
				t.Fatalf("record %d = offset %d %q, want offset %d", i, r.Offset, r.Value, want)
			}
		}
	}
}

func TestTruncateFrontFreesChunks(t *testing.T) {
	l := open(t, New(), "t/0", storage.LogOptions{})
	appendN(t, l, 3*chunkRecords)
	full := l.Bytes()
	kept := readAll(t, l, 100)[:1]
	if err := l.TruncateFront(100); err != nil {
		t.Fatal(err)
	}
	if l.Start() != 100 || l.Bytes() != full || len(l.chunks) != 3 {
		t.Fatalf("after TruncateFront(100): Start %d Bytes %d/%d chunks %d", l.Start(), l.Bytes(), full, len(l.chunks))
	}
	if got := readAll(t, l, 0); got[0].Offset != 100 {
		t.Fatalf("Read(0) starts at %d, want 100", got[0].Offset)
	}
	if err := l.TruncateFront(50); err != nil || l.Start() != 100 {
		t.Fatalf("TruncateFront backwards: %v, Start %d", err, l.Start())
	}
	if err := l.TruncateFront(chunkRecords + 1); err != nil {
		t.Fatal(err)
	}
	if len(l.chunks) != 2 || l.Bytes() >= full {
		t.Fatalf("first chunk not freed: chunks %d Bytes %d of %d", len(l.chunks), l.Bytes(), full)
	}
	if err := l.TruncateFront(l.End() + 1); !errors.Is(err, storage.ErrOutOfRange) {
		t.Fatalf("TruncateFront beyond End = %v, want ErrOutOfRange", err)
	}
	if err := l.TruncateFront(l.End()); err != nil {
		t.Fatal(err)
	}
	if l.Bytes() != 0 || len(l.chunks) != 0 || l.Start() != l.End() {
		t.Fatalf("truncate all: Bytes %d chunks %d Start %d End %d", l.Bytes(), len(l.chunks), l.Start(), l.End())
	}
	if got := readAll(t, l, 0); len(got) != 0 {
		t.Fatalf("empty log read %d records", len(got))
	}
	if string(kept[0].Value) != "value-100" {
		t.Fatalf("record read before trimming changed: %q", kept[0].Value)
	}
	appendN(t, l, 5)
	if got := readAll(t, l, 0); len(got) != 5 || got[0].Offset != 3*chunkRecords {
		t.Fatalf("append after emptying: %d records from %d", len(got), got[0].Offset)
	}
	if want := (storage.StreamID{Ms: uint64(1000 + l.End() - 1), Seq: uint64((l.End() - 1) % 3)}); l.LastID() != want {
		t.Fatalf("LastID = %v, want %v", l.LastID(), want)
	}
}

func TestRetain(t *testing.T) {
	l := open(t, New(), "t/0", storage.LogOptions{})
	appendN(t, l, 3*chunkRecords+10) // four chunks, the last holding 10
	start, err := l.Retain(0, 0)
	if err != nil || start != 0 {
		t.Fatalf("Retain(0,0) = %d, %v", start, err)
	}
	// Timestamps are 1000+offset; chunk 0's newest is 1000+4095.
	if start, _ = l.Retain(0, 1000+chunkRecords); start != chunkRecords {
		t.Fatalf("Retain by time: Start %d, want %d", start, chunkRecords)
	}
	if start, _ = l.Retain(l.Bytes()-1, 0); start != 2*chunkRecords {
		t.Fatalf("Retain by bytes: Start %d, want %d", start, 2*chunkRecords)
	}
	if start, _ = l.Retain(1, 1<<62); start != 3*chunkRecords || len(l.chunks) != 1 {
		t.Fatalf("Retain dropped the newest chunk: Start %d chunks %d", start, len(l.chunks))
	}
	if start != l.Start() || int64(len(readAll(t, l, 0))) != l.End()-start {
		t.Fatal("Retain's Start disagrees with Read")
	}
}

func TestSegmentBytesRollsChunks(t *testing.T) {
	l := open(t, New(), "t/0", storage.LogOptions{SegmentBytes: 200})
	appendN(t, l, 20)
	if len(l.chunks) < 4 {
		t.Fatalf("SegmentBytes 200 gave %d chunks for 20 records", len(l.chunks))
	}
	if start, _ := l.Retain(200, 0); start == 0 || l.Bytes() > 200+100 {
		t.Fatalf("Retain(200): Start %d Bytes %d", start, l.Bytes())
	}
}

func TestSeekID(t *testing.T) {
	l := open(t, New(), "t/0", storage.LogOptions{})
	appendN(t, l, 2*chunkRecords+7)
	if err := l.TruncateFront(10); err != nil {
		t.Fatal(err)
	}
	all := readAll(t, l, 0)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100 {
		id := storage.StreamID{Ms: uint64(990 + rng.IntN(2*chunkRecords+30)), Seq: uint64(rng.IntN(4))}
		want := l.End()
		for _, r := range all {
			if !r.ID.Less(id) {
				want = r.Offset
				break
			}
		}
		if got, err := l.SeekID(id); err != nil || got != want {
			t.Fatalf("SeekID(%v) = %d, %v; want %d", id, got, err, want)
		}
	}
}

func TestSeekTimeNotMonotonic(t *testing.T) {
	l := open(t, New(), "t/0", storage.LogOptions{})
	rng := rand.New(rand.NewPCG(3, 4))
	var all []storage.Record
	for range 3 {
		batch := recs(l.End(), chunkRecords)
		for i := range batch {
			batch[i].Timestamp = int64(rng.IntN(100000))
		}
		if err := l.Append(batch); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.TruncateFront(chunkRecords + 3); err != nil {
		t.Fatal(err)
	}
	all = readAll(t, l, 0)
	for _, ts := range []int64{-1, 0, 50000, 99990, 99999, 100000, 1 << 40} {
		want := l.End()
		for _, r := range all {
			if r.Timestamp >= ts {
				want = r.Offset
				break
			}
		}
		if got, err := l.SeekTime(ts); err != nil || got != want {
			t.Fatalf("SeekTime(%d) = %d, %v; want %d", ts, got, err, want)
		}
	}
}

func TestEmptyLogSeeks(t *testing.T) {
	l := open(t, New(), "t/0", storage.LogOptions{InitialOffset: 42})
	if o, err := l.SeekTime(0); err != nil || o != 42 {
		t.Fatalf("SeekTime = %d, %v", o, err)
	}
	if o, err := l.SeekID(storage.StreamID{}); err != nil || o != 42 {
		t.Fatalf("SeekID = %d, %v", o, err)
	}
	if !l.LastID().IsZero() {
		t.Fatal("LastID of empty log not zero")
	}
}

func TestReopenRemoveClose(t *testing.T) {
	b := New()
	l := open(t, b, "q/jobs", storage.LogOptions{})
	appendN(t, l, 3)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Read(nil, 0, 0, 0); !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("Read after Close = %v", err)
	}
	if err := l.Append(recs(3, 1)); !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("Append after Close = %v", err)
	}
	l = open(t, b, "q/jobs", storage.LogOptions{InitialOffset: 99})
	if l.Start() != 0 || l.End() != 3 || len(readAll(t, l, 0)) != 3 {
		t.Fatalf("reopen lost data: Start %d End %d", l.Start(), l.End())
	}
	if got := open(t, New(), "q/jobs", storage.LogOptions{}).End(); got != 0 {
		t.Fatalf("new Backend not empty: End %d", got)
	}

	if err := b.RemoveLog("q/jobs"); err != nil {
		t.Fatal(err)
	}
	if err := l.Sync(); !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("Sync on removed log = %v", err)
	}
	if err := b.RemoveLog("missing"); err != nil {
		t.Fatalf("RemoveLog(missing) = %v", err)
	}
	l = open(t, b, "q/jobs", storage.LogOptions{})
	if l.End() != 0 {
		t.Fatalf("removed log came back with End %d", l.End())
	}
	appendN(t, l, 2)
	if err := l.Remove(); err != nil {
		t.Fatal(err)
	}
	if l = open(t, b, "q/jobs", storage.LogOptions{}); l.End() != 0 {
		t.Fatalf("Log.Remove left End %d", l.End())
	}

	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.SeekID(storage.StreamID{}); !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("SeekID after Backend.Close = %v", err)
	}
	if _, err := b.OpenLog("x", storage.LogOptions{}); !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("OpenLog after Close = %v", err)
	}
}

// TestConcurrentReaders runs readers, seekers and a trimmer against one
// appender; readers check every batch is seen whole and in order.
func TestConcurrentReaders(t *testing.T) {
	l := open(t, New(), "t/0", storage.LogOptions{})
	const batches, batch = 200, 50
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			var dst []storage.Record
			for {
				select {
				case <-done:
					return
				default:
				}
				start, end := l.Start(), l.End()
				if end%batch != 0 {
					t.Errorf("End %d not on a batch boundary", end)
					return
				}
				dst, _ = l.Read(dst[:0], max(start, end-4*batch), 0, 0)
				for i := 1; i < len(dst); i++ {
					if dst[i].Offset != dst[i-1].Offset+1 || !bytes.Equal(dst[i].Value, fmt.Appendf(nil, "value-%d", dst[i].Offset)) {
						t.Errorf("bad record %d after %d", dst[i].Offset, dst[i-1].Offset)
						return
					}
				}
				if n := int64(len(dst)); n > 0 && (dst[n-1].Offset+1)%batch != 0 {
					t.Errorf("read a partial batch ending at %d", dst[n-1].Offset)
					return
				}
				if _, err := l.SeekTime(1000 + end/2); err != nil {
					t.Error(err)
				}
				if _, err := l.SeekID(storage.StreamID{Ms: uint64(1000 + end/2)}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			if err := l.TruncateFront(max(l.Start(), l.End()-2*chunkRecords)); err != nil {
				t.Error(err)
			}
			if _, err := l.Retain(64<<10, 0); err != nil {
				t.Error(err)
			}
		}
	})
	for range batches {
		appendN(t, l, batch)
	}
	close(done)
	wg.Wait()
}

func TestAppendAllocsPerBatch(t *testing.T) {
	l := open(t, New(), "t/0", storage.LogOptions{})
	batch := recs(0, 100)
	for i := range batch {
		batch[i].Key = []byte("k")
		batch[i].Headers = []storage.Header{{Key: []byte("h"), Value: []byte("v")}}
	}
	appendN(t, l, 1) // warm up
	allocs := testing.AllocsPerRun(200, func() {
		for i := range batch {
			batch[i].Offset = l.End() + int64(i)
		}
		if err := l.Append(batch); err != nil {
			t.Fatal(err)
		}
	})
	// Only a new block (every 256 KiB) or chunk (every 4096 records).
	if allocs >= 1 {
		t.Fatalf("Append of 100 records made %.1f allocations, want < 1 (amortised)", allocs)
	}
	one := []storage.Record{redisEntry(make([]byte, 100))}
	allocs = testing.AllocsPerRun(2000, func() {
		one[0].Offset = l.End()
		if err := l.Append(one); err != nil {
			t.Fatal(err)
		}
	})
	if allocs >= 1 {
		t.Fatalf("Append of one entry made %.1f allocations, want < 1 (amortised)", allocs)
	}
}

// TestReadAllocs: a Read allocates only the Headers it returns, one slab
// for the whole read, and nothing for records without headers.
func TestReadAllocs(t *testing.T) {
	l := open(t, New(), "t/0", storage.LogOptions{})
	appendN(t, l, 1000)
	entries := make([]storage.Record, 1000)
	for i := range entries {
		entries[i] = redisEntry([]byte("value"))
		entries[i].Offset = l.End() + int64(i)
	}
	if err := l.Append(entries); err != nil {
		t.Fatal(err)
	}
	dst := make([]storage.Record, 0, 500)
	if a := testing.AllocsPerRun(100, func() { dst, _ = l.Read(dst[:0], 0, 500, 0) }); a != 0 {
		t.Fatalf("Read of 500 records without headers made %.1f allocations, want 0", a)
	}
	if a := testing.AllocsPerRun(100, func() { dst, _ = l.Read(dst[:0], 1000, 500, 0) }); a > 1 {
		t.Fatalf("Read of 500 entries made %.1f allocations, want <= 1", a)
	}
	if len(dst) != 500 || string(dst[499].Headers[0].Value) != "value" || dst[499].Offset != 1499 {
		t.Fatalf("Read returned %d records, last %+v", len(dst), dst[len(dst)-1])
	}
}

// redisEntry is a Redis stream entry as XADD stores it: one field/value pair.
func redisEntry(val []byte) storage.Record {
	return storage.Record{Origin: storage.OriginRedis,
		Headers: []storage.Header{{Key: []byte("f"), Value: val}}}
}

// TestEntryMemory is issue #3: a stream of 100-byte entries must cost little
// more than its payload in memory (it cost about 300 bytes an entry when
// every entry kept a Record and a Header slice).
func TestEntryMemory(t *testing.T) {
	const n = 200_000
	val := bytes.Repeat([]byte("v"), 100)
	batch := make([]storage.Record, 16)
	heap := func() uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	l := open(t, New(), "s/0", storage.LogOptions{})
	for l.End() < n {
		for i := range batch {
			off := l.End() + int64(i)
			batch[i] = redisEntry(val)
			batch[i].Offset = off
			batch[i].Timestamp = 1_700_000_000_000 + off/100
			batch[i].ID = storage.StreamID{Ms: uint64(batch[i].Timestamp), Seq: uint64(off % 100)}
		}
		if err := l.Append(batch); err != nil {
			t.Fatal(err)
		}
	}
	per := float64(heap()-before) / n
	t.Logf("%.1f heap bytes per 100-byte entry", per)
	if per > 125 {
		t.Fatalf("%.1f heap bytes per 100-byte entry, want <= 125", per)
	}
	got, err := l.Read(nil, n-1, 1, 0)
	if err != nil || len(got) != 1 || !bytes.Equal(got[0].Headers[0].Value, val) ||
		got[0].ID != (storage.StreamID{Ms: 1_700_000_000_000 + (n-1)/100, Seq: (n - 1) % 100}) {
		t.Fatalf("last entry = %+v, %v", got, err)
	}
	runtime.KeepAlive(l)
}

// TestBlocks mixes records small and large (past ownBlock, which get a block
// of their own) across many blocks and chunks, trims, and checks every
// record read back, including ones read before the trim.
func TestBlocks(t *testing.T) {
	l := open(t, New(), "t/0", storage.LogOptions{SegmentBytes: 1 << 20})
	rng := rand.New(rand.NewPCG(5, 6))
	var want []storage.Record
	for len(want) < 3*chunkRecords {
		batch := make([]storage.Record, 1+rng.IntN(40))
		for i := range batch {
			off := int64(len(want) + i)
			size := rng.IntN(200)
			if rng.IntN(100) == 0 {
				size = ownBlock - 20 + rng.IntN(40) // either side of the own-block limit
			}
			r := storage.Record{Offset: off, Timestamp: int64(rng.Uint64()), Origin: storage.Origin(rng.IntN(256)),
				ID: storage.StreamID{Ms: uint64(off), Seq: rng.Uint64()}, Value: make([]byte, size)}
			for j := range r.Value {
				r.Value[j] = byte(off + int64(j))
			}
			if off%3 == 0 {
				r.Headers = []storage.Header{{Key: fmt.Appendf(nil, "k%d", off), Value: r.Value[:size/2]}, {Key: []byte{}}}
			}
			batch[i] = r
		}
		if err := l.Append(batch); err != nil {
			t.Fatal(err)
		}
		want = append(want, batch...)
	}
	check := func(got []storage.Record, from int) {
		t.Helper()
		for i := range got {
			w := want[from+i]
			if w.Value == nil {
				w.Value = []byte{} // make([]byte, 0) is not nil, and reads back so
			}
			if !reflect.DeepEqual(got[i], w) {
				t.Fatalf("record %d differs:\ngot  %+v\nwant %+v", from+i, got[i], w)
			}
		}
	}
	early := readAll(t, l, 0)
	check(early, 0)
	if len(l.chunks) < 4 {
		t.Fatalf("%d chunks, want several", len(l.chunks))
	}
	cut := l.chunks[2].base + 1
	if err := l.TruncateFront(cut); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	check(readAll(t, l, 0), int(cut))
	check(early, 0)
	for _, from := range []int64{cut, cut + 1, l.End() - 1} {
		got, err := l.Read(nil, from, 7, 0)
		if err != nil {
			t.Fatal(err)
		}
		check(got, int(from))
	}
}

// TestReadResultsIndependent: appending to one returned record's slices
// cannot change another's (capacities are clipped), even within one Read.
func TestReadResultsIndependent(t *testing.T) {
	l := open(t, New(), "t/0", storage.LogOptions{})
	in := []storage.Record{
		{Offset: 0, Key: []byte("k0"), Value: []byte("v0"), Headers: []storage.Header{{Key: []byte("a"), Value: []byte("1")}}},
		{Offset: 1, Key: []byte("k1"), Value: []byte("v1"), Headers: []storage.Header{{Key: []byte("b"), Value: []byte("2")}}},
	}
	if err := l.Append(in); err != nil {
		t.Fatal(err)
	}
	got := readAll(t, l, 0)
	_ = append(got[0].Headers, storage.Header{Key: []byte("X"), Value: []byte("X")})
	_ = append(got[0].Headers[0].Value, 'X')
	_ = append(got[0].Value, 'X', 'X', 'X', 'X')
	_ = append(got[0].Key, 'X', 'X', 'X', 'X')
	again := readAll(t, l, 0)
	for _, rs := range [][]storage.Record{got, again} {
		if string(rs[1].Headers[0].Key) != "b" || string(rs[1].Headers[0].Value) != "2" ||
			string(rs[1].Key) != "k1" || string(rs[1].Value) != "v1" || string(rs[0].Value) != "v0" {
			t.Fatalf("a reader's append changed stored records: %+v", rs)
		}
	}
}

// FuzzEncoding round-trips records through Append and Read: every field,
// nil against empty, any timestamps and IDs (the first record's timestamp is
// the one the chunk encodes the second's against).
func FuzzEncoding(f *testing.F) {
	f.Add(int64(0), int64(0), uint64(0), uint64(0), uint8(0), []byte(nil), []byte("v"), []byte{}, uint8(0), []byte("f=v"))
	f.Add(int64(math.MinInt64), int64(math.MaxInt64), uint64(math.MaxUint64), uint64(math.MaxUint64), uint8(255),
		[]byte{}, bytes.Repeat([]byte("x"), 300), []byte(nil), uint8(0xff), []byte{})
	f.Add(int64(1_700_000_000_000), int64(1_700_000_000_123), uint64(1_700_000_000_123), uint64(7), uint8(1),
		[]byte(nil), []byte(nil), []byte(nil), uint8(0b101), []byte("field\x00value=="))
	f.Fuzz(func(t *testing.T, ts0, ts int64, ms, seq uint64, origin uint8, key, value, native []byte, shape uint8, hdr []byte) {
		nilIf := func(b []byte, bit uint8) []byte {
			if shape&bit != 0 {
				return nil
			}
			return b
		}
		r := storage.Record{Offset: 1, Timestamp: ts, ID: storage.StreamID{Ms: ms, Seq: seq}, Origin: storage.Origin(origin),
			Key: nilIf(key, 1), Value: nilIf(value, 2), Native: nilIf(native, 4)}
		if shape&8 == 0 { // headers cut from hdr, a nil key or value for some
			r.Headers = []storage.Header{}
			for i, part := range bytes.Split(hdr, []byte("=")) {
				h := storage.Header{Key: part, Value: part[:len(part)/2]}
				switch i % 3 {
				case 1:
					h.Key = nil
				case 2:
					h.Value = nil
				}
				r.Headers = append(r.Headers, h)
			}
		}
		first := storage.Record{Timestamp: ts0, Value: []byte("first")}
		l := open(t, New(), "t/0", storage.LogOptions{})
		if err := l.Append([]storage.Record{first, r}); err != nil {
			t.Fatal(err)
		}
		norm := func(p []byte) []byte { // DeepEqual tells nil from empty, as Read must
			if p != nil && len(p) == 0 {
				return []byte{}
			}
			return p
		}
		want := r
		want.Key, want.Value, want.Native = norm(r.Key), norm(r.Value), norm(r.Native)
		if r.Headers != nil {
			want.Headers = make([]storage.Header, len(r.Headers))
			for i, h := range r.Headers {
				want.Headers[i] = storage.Header{Key: norm(h.Key), Value: norm(h.Value)}
			}
		}
		got := readAll(t, l, 0)
		if len(got) != 2 || !reflect.DeepEqual(got[1], want) || got[0].Timestamp != ts0 || string(got[0].Value) != "first" {
			t.Fatalf("read %+v\nwant %+v after %+v", got, want, first)
		}
		if c := l.chunks[0]; c.timestamp(1) != ts || c.id(1) != r.ID {
			t.Fatalf("timestamp, id = %d, %v; want %d, %v", c.timestamp(1), c.id(1), ts, r.ID)
		}
	})
}
