// Retention and trimming on disk: whole segments are deleted, Start is
// persisted, and a reader holding a deleted segment still reads it whole.

package segmentlog

import (
	"errors"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"junction/storage"
)

func TestReaderKeepsDeletedSegment(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	f := newFixture(t, rng, storage.LogOptions{SegmentBytes: 8 << 10}, 4)
	l, err := open(f.dir, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// A reader has found the first segment and holds it ...
	v, _, ok, err := l.acquire(f.m.base + 1)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	// ... when a trim deletes it.
	if err := l.TruncateFront(f.bases[2]); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(f.path(f.dir, 0, logSuffix)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("first segment still on disk: %v", err)
	}
	rd := reader{want: math.MaxInt, budget: math.MaxInt}
	got, _, err := rd.segment(l, &v, nil)
	v.seg.release()
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(got)) != f.bases[1]-f.m.base-1 {
		t.Fatalf("read %d records from the deleted segment", len(got))
	}
	checkSame(t, got, f.m)
	// A new read starts cleanly at the new Start.
	got, err = l.Read(nil, f.m.base, 5, 0)
	if err != nil || len(got) != 5 || got[0].Offset != f.bases[2] {
		t.Fatalf("Read after trim: %d records, %v", len(got), err)
	}
}

func TestTruncateFrontDeletesAndPersists(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	f := newFixture(t, rng, storage.LogOptions{SegmentBytes: 8 << 10}, 5)
	l, err := open(f.dir, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	mid := f.bases[2] + 1 // inside the third segment
	if err := l.TruncateFront(mid); err != nil {
		t.Fatal(err)
	}
	if bases, _ := segmentFiles(t, f.dir); bases[0] != f.bases[2] {
		t.Fatalf("segments %v after TruncateFront(%d)", bases, mid)
	}
	l.Close()
	if l, err = open(f.dir, f.opts); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	checkLog(t, l, f.m, mid, f.m.end())
}

func TestRetainDropsWholeSegments(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	f := newFixture(t, rng, storage.LogOptions{SegmentBytes: 8 << 10}, 8)
	l, err := open(f.dir, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// By time: segments whose newest record is older than the fourth
	// segment's first record's timestamp... computed from the model.
	segMax := func(i int) int64 {
		mx := int64(math.MinInt64)
		for off := f.bases[i]; off < f.bases[i+1]; off++ {
			mx = max(mx, f.m.rec(off).Timestamp)
		}
		return mx
	}
	minTs := segMax(2) + 1 // the first three segments are older
	want := 0
	for want < len(f.bases)-1 && segMax(want) < minTs {
		want++
	}
	start, err := l.Retain(0, minTs)
	if err != nil || start != f.bases[want] {
		t.Fatalf("Retain(0, %d) = %d, %v; want %d", minTs, start, err, f.bases[want])
	}
	// By size: the log shrinks to maxBytes or to its active segment.
	maxBytes := l.Bytes() / 2
	if _, err := l.Retain(maxBytes, 0); err != nil {
		t.Fatal(err)
	}
	bases, total := segmentFiles(t, f.dir)
	if total > maxBytes && len(bases) > 1 {
		t.Fatalf("Retain(%d) left %d bytes in %d segments", maxBytes, total, len(bases))
	}
	if total != l.Bytes() {
		t.Fatalf("Bytes() = %d, files hold %d", l.Bytes(), total)
	}
	if _, err := l.Retain(1, math.MaxInt64); err != nil {
		t.Fatal(err)
	}
	if bases, _ := segmentFiles(t, f.dir); len(bases) != 1 {
		t.Fatalf("Retain(1, max) left segments %v; want only the active one", bases)
	}
	checkLog(t, l, f.m, f.bases[len(f.bases)-1], f.m.end())
}
