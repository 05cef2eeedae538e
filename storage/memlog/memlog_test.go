// Unit tests for the in-memory log: round trips, limits, seeks, trimming,
// reopening, errors and concurrent readers.

package memlog

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
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
	appendN(t, l, 1) // warm the scratch buffer
	allocs := testing.AllocsPerRun(200, func() {
		for i := range batch {
			batch[i].Offset = l.End() + int64(i)
		}
		if err := l.Append(batch); err != nil {
			t.Fatal(err)
		}
	})
	// One byte arena, one header arena, plus amortised chunk growth.
	if allocs > 3 {
		t.Fatalf("Append of 100 records made %.1f allocations, want <= 3", allocs)
	}
}
