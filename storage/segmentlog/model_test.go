// Model-based test: seeded random sequences of appends, reads, seeks,
// trims, retention, syncs and reopens against the file log with tiny
// segments, compared step by step with an in-memory slice.

package segmentlog

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"junction/storage"
)

// model is the reference: every record ever appended, and Start.
type model struct {
	base  int64 // InitialOffset
	recs  []storage.Record
	start int64
	last  storage.StreamID
	ts    int64 // timestamp generator state
}

func (m *model) end() int64 { return m.base + int64(len(m.recs)) }

func (m *model) rec(off int64) *storage.Record { return &m.recs[off-m.base] }

// read is what Log.Read must return.
func (m *model) read(from int64, maxCount, maxBytes int) []storage.Record {
	from = max(from, m.start)
	var out []storage.Record
	used := 0
	for off := from; off < m.end() && (maxCount <= 0 || len(out) < maxCount); off++ {
		r := m.rec(off)
		if maxBytes > 0 && len(out) > 0 && used+r.Size() > maxBytes {
			break
		}
		used += r.Size()
		out = append(out, *r)
	}
	return out
}

func (m *model) seek(ok func(*storage.Record) bool) int64 {
	for off := m.start; off < m.end(); off++ {
		if ok(m.rec(off)) {
			return off
		}
	}
	return m.end()
}

// randomBatch makes n records at the model's End with random contents:
// null/empty/set keys and values, 0–4 headers with repeats, every Origin,
// mostly rising timestamps with occasional jumps back, rising IDs.
func (m *model) randomBatch(rng *rand.Rand, n int) []storage.Record {
	bytesOf := func(max int) []byte {
		switch rng.IntN(8) {
		case 0:
			return nil
		case 1:
			return []byte{}
		}
		b := make([]byte, rng.IntN(max))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	recs := make([]storage.Record, n)
	for i := range recs {
		m.ts += rng.Int64N(20)
		ts := m.ts
		if rng.IntN(10) == 0 {
			ts -= rng.Int64N(500) // out of order
		}
		m.last = storage.StreamID{Ms: m.last.Ms + rng.Uint64N(2), Seq: m.last.Seq + 1 + rng.Uint64N(3)}
		r := storage.Record{
			Offset: m.end() + int64(i), Timestamp: ts, ID: m.last,
			Key: bytesOf(20), Value: bytesOf(400), Native: bytesOf(10),
			Origin: storage.Origin(rng.IntN(5)),
		}
		if rng.IntN(30) == 0 {
			r.Value = make([]byte, 3000+rng.IntN(3000)) // larger than a segment
		}
		for range rng.IntN(5) {
			k := []byte{'h', byte('0' + rng.IntN(3))}
			r.Headers = append(r.Headers, storage.Header{Key: k, Value: bytesOf(30)})
		}
		recs[i] = r
	}
	return recs
}

func TestModel(t *testing.T) {
	// Tiny segments exercise rolling and retention; larger ones give each
	// segment many index entries (one per indexInterval bytes).
	for seed, segBytes := range []int64{1024, 3000, 16 << 10, 64 << 10} {
		t.Run(fmt.Sprintf("seed=%d/segment=%d", seed, segBytes), func(t *testing.T) {
			t.Parallel() // mostly waiting for fsyncs
			runModel(t, uint64(seed), segBytes, 1200)
		})
	}
}

func runModel(t *testing.T, seed uint64, segBytes int64, steps int) {
	rng := rand.New(rand.NewPCG(seed, 0x5e9))
	dir := t.TempDir()
	opts := storage.LogOptions{SegmentBytes: segBytes, InitialOffset: rng.Int64N(3) * 1000}
	m := &model{base: opts.InitialOffset, start: opts.InitialOffset, ts: 1_000_000}
	l, err := open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { l.Close() }()
	fail := func(step int, format string, args ...any) {
		t.Helper()
		t.Fatalf("seed %d step %d (Start %d End %d): %s", seed, step, m.start, m.end(), fmt.Sprintf(format, args...))
	}
	for step := range steps {
		switch op := rng.IntN(100); {
		case op < 35: // append
			n := 1 + rng.IntN(8)
			if rng.IntN(10) == 0 {
				n = 1 + rng.IntN(100)
			}
			recs := m.randomBatch(rng, n)
			if err := l.Append(recs); err != nil {
				fail(step, "Append: %v", err)
			}
			m.recs = append(m.recs, recs...)
		case op < 65: // read
			from := m.start - 3 + rng.Int64N(m.end()-m.start+6)
			maxCount := []int{0, 1, 2, 10, 1 + rng.IntN(300)}[rng.IntN(5)]
			maxBytes := []int{0, 0, 1, 1 + rng.IntN(5000), 1 + rng.IntN(50000)}[rng.IntN(5)]
			got, err := l.Read(nil, from, maxCount, maxBytes)
			if err != nil {
				fail(step, "Read(%d, %d, %d): %v", from, maxCount, maxBytes, err)
			}
			want := m.read(from, maxCount, maxBytes)
			if len(got) != len(want) {
				fail(step, "Read(%d, %d, %d) returned %d records, want %d", from, maxCount, maxBytes, len(got), len(want))
			}
			for i := range got {
				if !sameRecord(&got[i], &want[i]) {
					fail(step, "Read(%d, %d, %d): record %d is %+v, want %+v", from, maxCount, maxBytes, i, got[i], want[i])
				}
			}
		case op < 72: // SeekTime
			ts := m.ts - 600 + rng.Int64N(700)
			got, err := l.SeekTime(ts)
			if want := m.seek(func(r *storage.Record) bool { return r.Timestamp >= ts }); err != nil || got != want {
				fail(step, "SeekTime(%d) = %d, %v; want %d", ts, got, err, want)
			}
		case op < 79: // SeekID
			id := m.last
			if len(m.recs) > 0 {
				id = m.recs[rng.IntN(len(m.recs))].ID
				if rng.IntN(2) == 0 {
					id = id.Next()
				}
			}
			got, err := l.SeekID(id)
			if want := m.seek(func(r *storage.Record) bool { return !r.ID.Less(id) }); err != nil || got != want {
				fail(step, "SeekID(%v) = %d, %v; want %d", id, got, err, want)
			}
		case op < 85: // TruncateFront
			before := m.start - 5 + rng.Int64N(m.end()-m.start+8)
			err := l.TruncateFront(before)
			switch {
			case before > m.end():
				if !errors.Is(err, storage.ErrOutOfRange) {
					fail(step, "TruncateFront(%d) past End: %v", before, err)
				}
			case err != nil:
				fail(step, "TruncateFront(%d): %v", before, err)
			default:
				m.start = max(m.start, before)
			}
		case op < 91: // Retain
			maxBytes := []int64{0, 1, rng.Int64N(l.Bytes() + 1), l.Bytes() * 2}[rng.IntN(4)]
			minTs := []int64{0, m.ts - rng.Int64N(2000), math.MaxInt64}[rng.IntN(3)]
			start, err := l.Retain(maxBytes, minTs)
			if err != nil || start < m.start || start > max(m.start, m.end()-1) {
				fail(step, "Retain(%d, %d) = %d, %v", maxBytes, minTs, start, err)
			}
			m.start = start
			checkRetained(t, l, m, dir, maxBytes, minTs)
		case op < 94:
			if err := l.Sync(); err != nil {
				fail(step, "Sync: %v", err)
			}
		default: // close and reopen
			bytes := l.Bytes()
			if err := l.Close(); err != nil {
				fail(step, "Close: %v", err)
			}
			if l, err = open(dir, opts); err != nil {
				fail(step, "reopen: %v", err)
			}
			if l.Bytes() != bytes {
				fail(step, "after reopen Bytes = %d, want %d", l.Bytes(), bytes)
			}
		}
		if s, e := l.Start(), l.End(); s != m.start || e != m.end() {
			fail(step, "Start, End = %d, %d", s, e)
		}
		if len(m.recs) > 0 && l.LastID() != m.last {
			fail(step, "LastID = %v, want %v", l.LastID(), m.last)
		}
		if step%100 == 99 {
			checkFiles(t, l, m, dir)
		}
	}
	checkFiles(t, l, m, dir)
}

// segmentFiles lists the log's segment bases and total size.
func segmentFiles(t *testing.T, dir string) (bases []int64, total int64) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if base, ok := parseSegmentName(e.Name()); ok {
			st, err := os.Stat(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			bases, total = append(bases, base), total+st.Size()
		}
	}
	slices.Sort(bases)
	return bases, total
}

// checkFiles checks the directory against the model: Bytes is the size of
// the segment files, no sealed segment lies wholly below Start, and every
// retained record reads back.
func checkFiles(t *testing.T, l *Log, m *model, dir string) {
	t.Helper()
	bases, total := segmentFiles(t, dir)
	if total != l.Bytes() {
		t.Fatalf("segment files hold %d bytes, Bytes() = %d", total, l.Bytes())
	}
	if len(bases) == 0 || bases[0] > m.start {
		t.Fatalf("segments %v, Start %d", bases, m.start)
	}
	for i := 1; i < len(bases); i++ {
		if bases[i] <= m.start { // segment i-1 ends at or below Start: it should be gone
			t.Fatalf("segment %d lies below Start %d (segments %v)", bases[i-1], m.start, bases)
		}
	}
	got, err := l.Read(nil, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := m.read(0, 0, 0)
	if len(got) != len(want) {
		t.Fatalf("read %d records, want %d", len(got), len(want))
	}
	for i := range got {
		if !sameRecord(&got[i], &want[i]) {
			t.Fatalf("record %d is %+v, want %+v", i, got[i], want[i])
		}
	}
}

// checkRetained checks that Retain stopped where it should: the oldest
// remaining segment is the active one or is kept by both limits.
func checkRetained(t *testing.T, l *Log, m *model, dir string, maxBytes, minTs int64) {
	t.Helper()
	bases, total := segmentFiles(t, dir)
	if len(bases) < 2 {
		return
	}
	maxTs := int64(math.MinInt64)
	for off := bases[0]; off < bases[1]; off++ {
		maxTs = max(maxTs, m.rec(off).Timestamp)
	}
	if maxBytes > 0 && total > maxBytes || minTs > 0 && maxTs < minTs {
		t.Fatalf("Retain(%d, %d) kept segment %d (max ts %d) with %d bytes in %d segments",
			maxBytes, minTs, bases[0], maxTs, total, len(bases))
	}
}
