// Read buffers: a dropped buffer is reused, and records a caller keeps stay
// intact however many reads, appends, trims and collections follow.

package segmentlog

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"

	"junction/storage"
)

func TestReadBufClasses(t *testing.T) {
	for _, n := range []int{minPooled, minPooled + 1, 100 << 10, 1<<20 + 1, maxPooled - 1, maxPooled} {
		b := readBuf(n)
		if len(b) != n || cap(b) != n {
			t.Errorf("readBuf(%d): len %d, cap %d", n, len(b), cap(b))
		}
	}
	for i := 1; i < len(bufClasses); i++ {
		lo, hi := bufClasses[i-1].size, bufClasses[i].size
		if hi <= lo || float64(hi) > 1.25*float64(lo) {
			t.Errorf("class %d: %d after %d", i, hi, lo)
		}
	}
}

// TestReadBufRecycles: a buffer dropped by everyone comes back (with its old
// contents, which is how the test recognises it) once the collector has
// run its finalizer.
func TestReadBufRecycles(t *testing.T) {
	const n = 100 << 10
	for i := range 100 {
		marker := fmt.Appendf(nil, "buffer %d", i)
		copy(readBuf(n), marker)
		runtime.GC() // finds it unreachable and queues the finalizer
		runtime.GC()
		if bytes.HasPrefix(readBuf(n), marker) {
			return
		}
	}
	t.Fatal("a dropped read buffer was never reused")
}

// TestKeptRecordsSurvive keeps the records of one read while reading the
// rest of the log many times over (with collections in between, so that
// dropped buffers are recycled), appending, and trimming the kept records
// away: the kept bytes never change.
func TestKeptRecordsSurvive(t *testing.T) {
	l, err := open(t.TempDir(), storage.LogOptions{SegmentBytes: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	value := func(off int64) []byte { return bytes.Repeat(fmt.Appendf(nil, "<%d>", off), 30) }
	appendN := func(n int) {
		recs := make([]storage.Record, n)
		for i := range recs {
			off := l.End() + int64(i)
			recs[i] = storage.Record{Offset: off, ID: storage.StreamID{Ms: uint64(off) + 1}, Key: []byte("k"), Value: value(off)}
		}
		if err := l.Append(recs); err != nil {
			t.Fatal(err)
		}
	}
	check := func(recs []storage.Record, what string) {
		t.Helper()
		for _, r := range recs {
			if !bytes.Equal(r.Value, value(r.Offset)) || string(r.Key) != "k" {
				t.Fatalf("%s: record %d changed: %q", what, r.Offset, r.Value)
			}
		}
	}
	for range 10 {
		appendN(200)
	}
	kept, err := l.Read(nil, 0, 400, 0) // windows well above minPooled
	if err != nil || len(kept) != 400 {
		t.Fatal(len(kept), err)
	}
	var dst []storage.Record
	for round := range 40 {
		for from := int64(0); from < l.End(); from += int64(len(dst)) {
			if dst, err = l.Read(dst[:0], from, 300, 0); err != nil || len(dst) == 0 {
				t.Fatal(len(dst), err)
			}
			check(dst, "fresh read")
		}
		clear(dst)
		appendN(20)
		if round == 20 {
			if err := l.TruncateFront(l.End() - 500); err != nil {
				t.Fatal(err)
			}
		}
		runtime.GC()
		check(kept, fmt.Sprintf("kept, round %d", round))
	}
}
