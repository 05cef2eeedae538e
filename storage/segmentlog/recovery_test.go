// Crash and damage: torn tails cut back to the last whole record, damaged
// or missing indexes rebuilt, and flipped bytes in old records reported as
// storage.ErrCorrupt rather than returned as data.

package segmentlog

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"junction/storage"
)

// fixture is a closed log on disk and the model of what it holds.
type fixture struct {
	dir   string
	opts  storage.LogOptions
	m     *model
	bases []int64
}

// newFixture writes random batches until the log has at least segs
// segments, then closes it.
func newFixture(t *testing.T, rng *rand.Rand, opts storage.LogOptions, segs int) *fixture {
	t.Helper()
	f := &fixture{dir: t.TempDir(), opts: opts, m: &model{base: opts.InitialOffset, start: opts.InitialOffset, ts: 5000}}
	l, err := open(f.dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	for len(l.segs) < segs || l.active.size < opts.SegmentBytes/2 {
		recs := f.m.randomBatch(rng, 1+rng.IntN(10))
		if err := l.Append(recs); err != nil {
			t.Fatal(err)
		}
		f.m.recs = append(f.m.recs, recs...)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	f.bases, _ = segmentFiles(t, f.dir)
	return f
}

// copyTo copies the fixture's files into a fresh directory.
func (f *fixture) copyTo(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	ents, err := os.ReadDir(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(f.dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// frames returns the file positions of the frames of segment i: starts[k]
// is where record bases[i]+k begins; the last element is the file size.
func (f *fixture) frames(i int) []int64 {
	end := f.m.end()
	if i+1 < len(f.bases) {
		end = f.bases[i+1]
	}
	starts := []int64{0}
	for off := f.bases[i]; off < end; off++ {
		starts = append(starts, starts[len(starts)-1]+int64(len(appendRecord(nil, f.m.rec(off)))))
	}
	return starts
}

func (f *fixture) path(dir string, i int, suffix string) string {
	return filepath.Join(dir, segmentName(f.bases[i], suffix))
}

// checkLog checks that l holds exactly the model's records [start, end).
func checkLog(t *testing.T, l *Log, m *model, start, end int64) {
	t.Helper()
	if s, e := l.Start(), l.End(); s != start || e != end {
		t.Fatalf("Start, End = %d, %d; want %d, %d", s, e, start, end)
	}
	got, err := l.Read(nil, 0, 0, 0)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if int64(len(got)) != end-start {
		t.Fatalf("read %d records, want %d", len(got), end-start)
	}
	for i := range got {
		if !sameRecord(&got[i], m.rec(start+int64(i))) {
			t.Fatalf("record %d differs", start+int64(i))
		}
	}
	if end > start {
		if id := l.LastID(); id != m.rec(end-1).ID {
			t.Fatalf("LastID = %v, want %v", id, m.rec(end-1).ID)
		}
		mid := start + (end-start)/2
		if off, err := l.SeekID(m.rec(mid).ID); err != nil || off != mid {
			t.Fatalf("SeekID = %d, %v; want %d", off, err, mid)
		}
	}
}

// garbage returns bytes to leave after a cut: random, zeros, or a valid
// frame for the wrong offset.
func garbage(rng *rand.Rand, m *model) []byte {
	switch rng.IntN(4) {
	case 0:
		return nil
	case 1:
		return make([]byte, rng.IntN(5000))
	case 2:
		return appendRecord(nil, m.rec(m.base+rng.Int64N(int64(len(m.recs)))))
	}
	b := make([]byte, rng.IntN(300))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// damageIndex leaves the index at path intact, missing, cut short, or
// with garbage appended or written over its middle.
func damageIndex(t *testing.T, rng *rand.Rand, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	switch rng.IntN(5) {
	case 0:
		return "intact"
	case 1:
		os.Remove(path)
		return "missing"
	case 2:
		b = b[:rng.IntN(len(b)+1)]
	case 3:
		b = append(b, make([]byte, 1+rng.IntN(100))...)
		for i := len(b) - 1; i >= 0 && rng.IntN(4) > 0; i-- {
			b[i] = byte(rng.Uint32())
		}
	case 4:
		for i := rng.IntN(len(b) + 1); i < len(b) && rng.IntN(40) > 0; i++ {
			b[i] = byte(rng.Uint32())
		}
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("damaged to %d bytes", len(b))
}

func TestTornTail(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 1))
	f := newFixture(t, rng, storage.LogOptions{SegmentBytes: 32 << 10, InitialOffset: 100}, 3)
	last := len(f.bases) - 1
	starts := f.frames(last)
	size := starts[len(starts)-1]
	for iter := range 40 {
		dir := f.copyTo(t)
		cut := rng.Int64N(size + 1)
		if iter%5 == 0 { // a cut exactly at a record boundary
			cut = starts[rng.IntN(len(starts))]
		}
		whole := 0 // records wholly before the cut
		for whole+1 < len(starts) && starts[whole+1] <= cut {
			whole++
		}
		logPath := f.path(dir, last, logSuffix)
		b, err := os.ReadFile(logPath)
		if err != nil {
			t.Fatal(err)
		}
		b = append(b[:cut], garbage(rng, f.m)...)
		if err := os.WriteFile(logPath, b, 0o644); err != nil {
			t.Fatal(err)
		}
		how := damageIndex(t, rng, f.path(dir, last, idxSuffix))
		t.Logf("iteration %d: cut at %d of %d (%d whole records), index %s", iter, cut, size, whole, how)

		end := f.bases[last] + int64(whole)
		l, err := open(dir, f.opts)
		if err != nil {
			t.Fatalf("iteration %d: open: %v", iter, err)
		}
		checkLog(t, l, f.m, f.opts.InitialOffset, end)
		if st, _ := os.Stat(logPath); st.Size() != starts[whole] {
			t.Fatalf("iteration %d: last segment is %d bytes after recovery, want %d", iter, st.Size(), starts[whole])
		}
		// The log carries on from the recovered End, across a reopen.
		m := &model{base: f.m.base, start: f.m.start, recs: f.m.recs[: end-f.m.base : end-f.m.base], ts: f.m.ts}
		m.last = m.recs[len(m.recs)-1].ID
		recs := m.randomBatch(rng, 5)
		if err := l.Append(recs); err != nil {
			t.Fatal(err)
		}
		m.recs = append(m.recs, recs...)
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if l, err = open(dir, f.opts); err != nil {
			t.Fatal(err)
		}
		checkLog(t, l, m, m.start, m.end())
		l.Close()
	}
}

// TestIndexDamage damages the index of every segment and checks that
// reads, seeks and appends still see exactly the records.
func TestIndexDamage(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 3))
	f := newFixture(t, rng, storage.LogOptions{SegmentBytes: 24 << 10}, 4)
	for iter := range 10 {
		dir := f.copyTo(t)
		for i := range f.bases {
			damageIndex(t, rng, f.path(dir, i, idxSuffix))
		}
		l, err := open(dir, f.opts)
		if err != nil {
			t.Fatalf("iteration %d: open: %v", iter, err)
		}
		checkLog(t, l, f.m, f.m.start, f.m.end())
		for range 50 {
			x := f.m.base + rng.Int64N(int64(len(f.m.recs)))
			ts := f.m.rec(x).Timestamp
			off, err := l.SeekTime(ts)
			if want := f.m.seek(func(r *storage.Record) bool { return r.Timestamp >= ts }); err != nil || off != want {
				t.Fatalf("iteration %d: SeekTime(%d) = %d, %v; want %d", iter, ts, off, err, want)
			}
			got, err := l.Read(nil, x, 3, 0)
			if err != nil || len(got) == 0 || !sameRecord(&got[0], f.m.rec(x)) {
				t.Fatalf("iteration %d: Read(%d): %d records, %v", iter, x, len(got), err)
			}
		}
		l.Close()
	}
}

// TestCorruptMiddle flips a byte of a record in a sealed segment: reads
// that cover it fail with ErrCorrupt and return the records before it;
// nothing ever returns wrong data or panics.
func TestCorruptMiddle(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	f := newFixture(t, rng, storage.LogOptions{SegmentBytes: 16 << 10}, 4)
	for iter := range 30 {
		dir := f.copyTo(t)
		seg := rng.IntN(len(f.bases) - 1) // a sealed segment
		starts := f.frames(seg)
		k := rng.IntN(len(starts) - 1)
		bad := f.bases[seg] + int64(k) // the damaged record
		at := starts[k] + rng.Int64N(starts[k+1]-starts[k])
		reopen := iter%2 == 0
		var l *Log
		var err error
		if !reopen { // damage the file under an open log
			if l, err = open(dir, f.opts); err != nil {
				t.Fatal(err)
			}
		}
		flipByte(t, f.path(dir, seg, logSuffix), at, byte(1+rng.IntN(255)))
		if reopen {
			if l, err = open(dir, f.opts); err != nil {
				t.Fatalf("iteration %d: open with a damaged sealed segment: %v", iter, err)
			}
		}
		t.Logf("iteration %d: record %d, byte %d of segment %d, reopen %v", iter, bad, at, f.bases[seg], reopen)

		got, err := l.Read(nil, f.m.start, 0, 0)
		if !errors.Is(err, storage.ErrCorrupt) {
			t.Fatalf("iteration %d: Read over the damage: %d records, %v; want ErrCorrupt", iter, len(got), err)
		}
		if int64(len(got)) != bad-f.m.start {
			t.Fatalf("iteration %d: Read returned %d records before the damage at %d", iter, len(got), bad)
		}
		checkSame(t, got, f.m)
		// Reads from anywhere either fail with ErrCorrupt or return the
		// right records; reads wholly before the damage always succeed.
		for range 40 {
			from := f.m.base + rng.Int64N(int64(len(f.m.recs)))
			count := 1 + rng.IntN(20)
			got, err := l.Read(nil, from, count, rng.IntN(2)*3000)
			switch {
			case err != nil && !errors.Is(err, storage.ErrCorrupt):
				t.Fatalf("iteration %d: Read(%d): %v", iter, from, err)
			case err != nil && from+int64(count) <= bad:
				t.Fatalf("iteration %d: Read(%d, %d) failed before reaching the damage at %d: %v", iter, from, count, bad, err)
			}
			checkSame(t, got, f.m)
			ts := f.m.rec(from).Timestamp
			off, err := l.SeekTime(ts)
			if want := f.m.seek(func(r *storage.Record) bool { return r.Timestamp >= ts }); err == nil && off != want {
				t.Fatalf("iteration %d: SeekTime(%d) = %d, want %d", iter, ts, off, want)
			} else if err != nil && !errors.Is(err, storage.ErrCorrupt) {
				t.Fatalf("iteration %d: SeekTime: %v", iter, err)
			}
		}
		if got, err := l.Read(nil, f.m.start, int(bad-f.m.start), 0); err != nil || int64(len(got)) != bad-f.m.start {
			t.Fatalf("iteration %d: Read before the damage: %d records, %v", iter, len(got), err)
		}
		l.Close()
	}
}

// checkSame checks records against the model by their own offsets.
func checkSame(t *testing.T, got []storage.Record, m *model) {
	t.Helper()
	for i := range got {
		if !sameRecord(&got[i], m.rec(got[i].Offset)) {
			t.Fatalf("record %d differs from what was appended", got[i].Offset)
		}
	}
}

func flipByte(t *testing.T, path string, at int64, x byte) {
	t.Helper()
	fh, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	b := []byte{0}
	if _, err := fh.ReadAt(b, at); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	b[0] ^= x
	if _, err := fh.WriteAt(b, at); err != nil {
		t.Fatal(err)
	}
}

// TestTornTailAfterTrim: a crash loses unsynced records that TruncateFront
// had already passed; the log must not hand their offsets out again.
func TestTornTailAfterTrim(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	f := newFixture(t, rng, storage.LogOptions{SegmentBytes: 8 << 10}, 3)
	l, err := open(f.dir, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	end, last := l.End(), l.LastID()
	if err := l.TruncateFront(end); err != nil {
		t.Fatal(err)
	}
	l.Close()
	// The crash: the active segment loses its second half.
	bases, _ := segmentFiles(t, f.dir)
	path := filepath.Join(f.dir, segmentName(bases[len(bases)-1], logSuffix))
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, st.Size()/2); err != nil {
		t.Fatal(err)
	}
	if l, err = open(f.dir, f.opts); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.Start() != end || l.End() != end || l.LastID() != last {
		t.Fatalf("after the crash Start %d, End %d, LastID %v; want %d, %d, %v", l.Start(), l.End(), l.LastID(), end, end, last)
	}
	m := &model{base: end, start: end, last: last, ts: f.m.ts}
	recs := m.randomBatch(rng, 3)
	if err := l.Append(recs); err != nil {
		t.Fatal(err)
	}
	m.recs = recs
	checkLog(t, l, m, end, end+3)
}
