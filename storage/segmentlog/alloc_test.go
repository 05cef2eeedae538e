// Allocation budgets: none per Append once warm, a few per Read call and
// never one per record.

package segmentlog

import (
	"math/rand/v2"
	"testing"

	"junction/storage"
)

func TestAppendDoesNotAllocate(t *testing.T) {
	l, err := open(t.TempDir(), storage.LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	m := &model{}
	recs := m.randomBatch(rand.New(rand.NewPCG(1, 1)), 100)
	appendBatch := func() {
		end := l.End()
		for i := range recs {
			recs[i].Offset = end + int64(i)
		}
		if err := l.Append(recs); err != nil {
			t.Fatal(err)
		}
	}
	for range 10 {
		appendBatch() // warm the buffers
	}
	if n := testing.AllocsPerRun(100, appendBatch); n > 0 {
		t.Fatalf("%v allocations per Append of 100 records", n)
	}
}

func TestReadAllocations(t *testing.T) {
	l, err := open(t.TempDir(), storage.LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	m := &model{}
	rng := rand.New(rand.NewPCG(2, 2))
	for range 20 {
		recs := m.randomBatch(rng, 100)
		if err := l.Append(recs); err != nil {
			t.Fatal(err)
		}
		m.recs = append(m.recs, recs...)
	}
	dst := make([]storage.Record, 0, 500)
	for _, c := range []struct{ count, bytes int }{{500, 0}, {500, 32 << 10}, {1, 0}} {
		n := testing.AllocsPerRun(50, func() {
			var err error
			if dst, err = l.Read(dst[:0], 700, c.count, c.bytes); err != nil || len(dst) == 0 {
				t.Fatal(len(dst), err)
			}
		})
		// One buffer (two when a byte-bounded window falls short; none when
		// readBuf recycles one) plus the header slabs, which grow fourfold.
		if n > 6 {
			t.Errorf("Read(%d records, %d bytes): %v allocations", c.count, c.bytes, n)
		}
		t.Logf("Read(%d records, %d bytes): %d records, %v allocations", c.count, c.bytes, len(dst), n)
	}
}
