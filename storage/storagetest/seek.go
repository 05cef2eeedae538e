// SeekTime (monotonic and not), SeekID and LastID, checked exhaustively
// against a brute-force scan of the expected records.

package storagetest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"junction/storage"
)

// appendAll appends recs (offsets from End) in batches of up to per.
func (h *harness) appendAll(l storage.Log, recs []storage.Record, per int) {
	h.Helper()
	for len(recs) > 0 {
		n := min(per, len(recs))
		if err := l.Append(recs[:n]); err != nil {
			h.Fatalf("Append at %d: %v", recs[0].Offset, err)
		}
		recs = recs[n:]
	}
}

// wantSeek is the first offset >= start in recs (which start at offset 0)
// satisfying ok, or len(recs).
func wantSeek(recs []storage.Record, start int64, ok func(*storage.Record) bool) int64 {
	for i := start; i < int64(len(recs)); i++ {
		if ok(&recs[i]) {
			return i
		}
	}
	return int64(len(recs))
}

// checkSeekTimes compares SeekTime with the brute-force answer for each ts.
func (h *harness) checkSeekTimes(l storage.Log, recs []storage.Record, tss []int64) {
	h.Helper()
	start := l.Start()
	for _, ts := range tss {
		want := wantSeek(recs, start, func(r *storage.Record) bool { return r.Timestamp >= ts })
		got, err := l.SeekTime(ts)
		if err != nil || got != want {
			h.Fatalf("Start %d: SeekTime(%d) = %d, %v; want %d", start, ts, got, err, want)
		}
	}
}

// seekOptions: tiny segments, and segments large enough that a segmented
// backend's sparse index has many entries per segment.
var seekOptions = []storage.LogOptions{smallSegments, {SegmentBytes: 1 << 20}}

func testSeekTime(h *harness) {
	for i, opts := range seekOptions {
		h.seekTime(fmt.Sprint("topic/seektime/", i), opts)
	}
}

func (h *harness) seekTime(name string, opts storage.LogOptions) {
	l := h.open(name, opts)
	recs := batch(0, 300)
	var tss []int64
	for i := range recs {
		recs[i].Timestamp = 1000 + int64(i/3)*10 // runs of equal timestamps
		tss = append(tss, recs[i].Timestamp-1, recs[i].Timestamp, recs[i].Timestamp+1)
	}
	tss = append(tss, math.MinInt64, 0, 5000, math.MaxInt64)
	h.appendAll(l, recs, 17)
	h.checkSeekTimes(l, recs, tss)
	for _, start := range []int64{1, 100, 200, 299, 300} {
		if err := l.TruncateFront(start); err != nil {
			h.Fatal(err)
		}
		h.checkSeekTimes(l, recs, tss)
	}
}

func testSeekTimeNonMonotonic(h *harness) {
	for i, opts := range seekOptions {
		h.seekTimeNonMonotonic(fmt.Sprint("topic/seektime-nm/", i), opts)
	}
}

func (h *harness) seekTimeNonMonotonic(name string, opts storage.LogOptions) {
	l := h.open(name, opts)
	rng := rand.New(rand.NewPCG(1, 2))
	recs := batch(0, 400)
	for i := range recs {
		recs[i].Timestamp = rng.Int64N(2000)
		if i%50 == 0 {
			recs[i].Timestamp = 1900 + rng.Int64N(100) // early spikes
		}
	}
	var tss []int64
	for ts := int64(-1); ts <= 2001; ts += 13 {
		tss = append(tss, ts)
	}
	tss = append(tss, 1998, 1999, 2000)
	h.appendAll(l, recs, 9)
	h.checkSeekTimes(l, recs, tss)
	for _, start := range []int64{1, 37, 151, 333, 399} {
		if err := l.TruncateFront(start); err != nil {
			h.Fatal(err)
		}
		h.checkSeekTimes(l, recs, tss)
	}
}

func testSeekID(h *harness) {
	for i, opts := range seekOptions {
		h.seekID(fmt.Sprint("topic/seekid/", i), opts)
	}
}

func (h *harness) seekID(name string, opts storage.LogOptions) {
	l := h.open(name, opts)
	recs := batch(0, 300)
	h.appendAll(l, recs, 23)
	ids := []storage.StreamID{{}, {Ms: math.MaxUint64, Seq: math.MaxUint64}, recs[0].ID.Prev(), recs[299].ID.Next()}
	for _, r := range recs {
		ids = append(ids, r.ID, r.ID.Prev(), r.ID.Next())
	}
	check := func() {
		h.Helper()
		start := l.Start()
		for _, id := range ids {
			want := wantSeek(recs, start, func(r *storage.Record) bool { return !r.ID.Less(id) })
			got, err := l.SeekID(id)
			if err != nil || got != want {
				h.Fatalf("Start %d: SeekID(%v) = %d, %v; want %d", start, id, got, err, want)
			}
		}
	}
	check()
	for _, start := range []int64{1, 150, 299, 300} {
		if err := l.TruncateFront(start); err != nil {
			h.Fatal(err)
		}
		check()
	}
}

func testLastID(h *harness) {
	l := h.open("topic/lastid/0", smallSegments)
	if id := l.LastID(); !id.IsZero() {
		h.Fatalf("LastID of empty log = %v", id)
	}
	h.fill(l, 120, 11)
	want := record(119).ID
	check := func(when string) {
		h.Helper()
		if id := l.LastID(); id != want {
			h.Fatalf("%s: LastID = %v, want %v", when, id, want)
		}
	}
	check("after appends")
	if _, err := l.Retain(1, math.MaxInt64); err != nil {
		h.Fatal(err)
	}
	check("after Retain")
	if err := l.TruncateFront(l.End()); err != nil {
		h.Fatal(err)
	}
	check("after TruncateFront(End)")
	if h.opts.Persistent {
		l.Close()
		l = h.open("topic/lastid/0", smallSegments)
		check("after reopen")
	}
}
