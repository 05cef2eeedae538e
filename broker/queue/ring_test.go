// Unit tests of the ring deque and the live-offset set, against simple
// reference models driven by random operations.

package queue

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestRingAgainstSortedSlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var r ring
	var ref []uint64   // expected contents, ascending
	var out []*Message // popped, may be reinserted
	next := uint64(0)
	for i := range 30_000 {
		switch op := rng.IntN(10); {
		case op < 4 || (i > 20_000 && op < 5): // push new
			r.pushBack(&Message{seq: next})
			ref = append(ref, next)
			next++
		case op < 8: // pop
			if r.len() == 0 {
				continue
			}
			m := r.popFront()
			if m.seq != ref[0] {
				t.Fatalf("op %d: popped %d, want %d", i, m.seq, ref[0])
			}
			ref = ref[1:]
			out = append(out, m)
		default: // requeue a popped message
			if len(out) == 0 {
				continue
			}
			k := rng.IntN(len(out))
			m := out[k]
			out = slices.Delete(out, k, k+1)
			r.insert(m)
			p, _ := slices.BinarySearch(ref, m.seq)
			ref = slices.Insert(ref, p, m.seq)
		}
		if r.len() != len(ref) {
			t.Fatalf("op %d: len %d, want %d", i, r.len(), len(ref))
		}
	}
	for j := range ref {
		if r.at(j).seq != ref[j] {
			t.Fatalf("element %d = %d, want %d", j, r.at(j).seq, ref[j])
		}
	}
	// Draining a big ring shrinks it.
	for i := range 100_000 {
		r.pushBack(&Message{seq: next + uint64(i)})
	}
	for r.len() > 10 {
		r.popFront()
	}
	if len(r.buf) >= ringShrink {
		t.Fatalf("drained ring keeps a %d-slot buffer", len(r.buf))
	}
}

func TestLiveSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var s liveSet
	s.reset(100)
	ref := map[int64]bool{}
	off := int64(100)
	for range 50_000 {
		if rng.IntN(2) == 0 {
			off += int64(rng.IntN(3)) // gaps are transient messages / settled ones
			s.add(off)
			ref[off] = true
			off++
		} else if len(ref) > 0 {
			// settle mostly old offsets, sometimes random ones
			var k int64
			for k = range ref {
				break
			}
			s.settle(k)
			delete(ref, k)
			s.settle(k) // twice: no-op
		}
		if s.n != len(ref) {
			t.Fatalf("n = %d, want %d", s.n, len(ref))
		}
	}
	var got []int64
	s.each(func(o int64) { got = append(got, o) })
	var wantOffs []int64
	for k := range ref {
		wantOffs = append(wantOffs, k)
	}
	slices.Sort(wantOffs)
	want(t, "live offsets", got, wantOffs)
	low := s.end
	if len(wantOffs) > 0 {
		low = wantOffs[0]
	}
	if s.low() != low {
		t.Fatalf("low = %d, want %d", s.low(), low)
	}
}
