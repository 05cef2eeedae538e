// Append and Read: empty logs, InitialOffset, field round trips, copying,
// dense offsets and the count and byte bounds of Read.

package storagetest

import (
	"bytes"
	"math"

	"junction/storage"
)

func testEmpty(h *harness) {
	l := h.open("topic/empty/0", smallSegments)
	if s, e := l.Start(), l.End(); s != 0 || e != 0 {
		h.Fatalf("Start, End = %d, %d; want 0, 0", s, e)
	}
	dst := []storage.Record{{Offset: 42}}
	got, err := l.Read(dst, 0, 10, 0)
	if err != nil || len(got) != 1 || got[0].Offset != 42 {
		h.Fatalf("Read on empty log = %v, %v; want dst unchanged", got, err)
	}
	if off, err := l.SeekTime(0); err != nil || off != 0 {
		h.Fatalf("SeekTime = %d, %v; want 0", off, err)
	}
	if off, err := l.SeekID(storage.StreamID{}); err != nil || off != 0 {
		h.Fatalf("SeekID = %d, %v; want 0", off, err)
	}
	if id := l.LastID(); !id.IsZero() {
		h.Fatalf("LastID = %v; want 0-0", id)
	}
	if err := l.Append(nil); err != nil || l.End() != 0 {
		h.Fatalf("Append(nil) = %v, End %d", err, l.End())
	}
}

func testInitialOffset(h *harness) {
	opts := smallSegments
	opts.InitialOffset = 1000
	l := h.open("topic/initial/0", opts)
	if s, e := l.Start(), l.End(); s != 1000 || e != 1000 {
		h.Fatalf("Start, End = %d, %d; want 1000, 1000", s, e)
	}
	h.fill(l, 1100, 7)
	got := h.read(l, 0, 1000, 0)
	if len(got) != 100 {
		h.Fatalf("read %d records, want 100", len(got))
	}
	h.checkRun(got, 1000)
	if h.opts.Persistent {
		l.Close()
		opts.InitialOffset = 5 // ignored: the log exists
		l = h.open("topic/initial/0", opts)
		if s, e := l.Start(), l.End(); s != 1000 || e != 1100 {
			h.Fatalf("after reopen Start, End = %d, %d; want 1000, 1100", s, e)
		}
	}
}

// special returns records that stress each field, offsets from 0.
func special() []storage.Record {
	big := bytes.Repeat([]byte("0123456789abcdef"), 8<<10) // 128 KiB, larger than a segment
	recs := []storage.Record{
		{Key: nil, Value: nil},
		{Key: []byte{}, Value: []byte{}, Native: []byte{}},
		{Key: []byte("k"), Value: []byte("v"), Headers: []storage.Header{
			{Key: []byte("a"), Value: []byte("1")},
			{Key: []byte("b"), Value: []byte("2")},
			{Key: []byte("a"), Value: []byte("3")},
			{Key: []byte{}, Value: []byte{}},
			{Key: []byte("a"), Value: []byte("1")},
		}},
		{Key: []byte{0, 0xff, '\n'}, Value: big, Origin: storage.OriginKafka},
		{Origin: storage.OriginRedis, Headers: []storage.Header{{Key: []byte("field"), Value: []byte("value")}}},
		{Origin: storage.OriginAMQP, Value: []byte("body"), Native: []byte{1, 2, 3, 0}},
		{Timestamp: -1, Value: []byte("negative time")},
		{Timestamp: math.MaxInt64, Value: []byte("max time")},
		{Timestamp: math.MinInt64, Origin: 200, Value: []byte("unknown origin")},
	}
	for i := range recs {
		recs[i].Offset = int64(i)
		recs[i].ID = storage.StreamID{Ms: uint64(i) * 1_000_000_007, Seq: uint64(i)}
		if recs[i].Timestamp == 0 {
			recs[i].Timestamp = 1_700_000_000_000 + int64(i)
		}
	}
	last := &recs[len(recs)-1]
	last.ID = storage.StreamID{Ms: math.MaxUint64, Seq: math.MaxUint64}
	return recs
}

func testRoundTrip(h *harness) {
	l := h.open("topic/roundtrip/0", smallSegments)
	want := special()
	if err := l.Append(want[:3]); err != nil {
		h.Fatal(err)
	}
	for i := 3; i < len(want); i++ {
		if err := l.Append(want[i : i+1]); err != nil {
			h.Fatal(err)
		}
	}
	check := func(got []storage.Record, from int) {
		h.Helper()
		for i := range got {
			if err := diff(&got[i], &want[from+i]); err != nil {
				h.Fatal(err)
			}
		}
	}
	all := h.read(l, 0, 100, 0)
	if len(all) != len(want) {
		h.Fatalf("read %d records, want %d", len(all), len(want))
	}
	check(all, 0)
	for i := range want {
		got := h.read(l, int64(i), 1, 0)
		if len(got) != 1 {
			h.Fatalf("Read(%d, 1) returned %d records", i, len(got))
		}
		check(got, i)
	}
	if got := l.LastID(); got != want[len(want)-1].ID {
		h.Fatalf("LastID = %v, want %v", got, want[len(want)-1].ID)
	}
}

func testReadStaysValid(h *harness) {
	l := h.open("topic/valid/0", smallSegments)
	h.fill(l, 200, 50)
	all := h.read(l, 0, 1000, 0)
	one := h.read(l, 5, 1, 0)
	h.fill(l, 400, 50)
	if err := l.TruncateFront(300); err != nil {
		h.Fatal(err)
	}
	if _, err := l.Retain(1, 0); err != nil {
		h.Fatal(err)
	}
	h.fill(l, 500, 50)
	h.checkRun(all, 0)
	h.checkRun(one, 5)
}

func testAppendCopies(h *harness) {
	l := h.open("topic/copies/0", smallSegments)
	recs := batch(0, 20)
	if err := l.Append(recs); err != nil {
		h.Fatal(err)
	}
	for i := range recs { // the caller reuses its buffers
		for _, b := range [][]byte{recs[i].Key, recs[i].Value, recs[i].Native} {
			for j := range b {
				b[j] ^= 0xff
			}
		}
		for j := range recs[i].Headers {
			recs[i].Headers[j].Key = []byte("changed")
		}
	}
	h.checkRun(h.read(l, 0, 100, 0), 0)
}

func testDenseOffsets(h *harness) {
	l := h.open("topic/dense/0", smallSegments)
	for i, n := range []int{1, 2, 3, 50, 1, 100, 7, 300, 1} {
		end := l.End()
		if err := l.Append(batch(end, n)); err != nil {
			h.Fatalf("batch %d: %v", i, err)
		}
		if got := l.End(); got != end+int64(n) {
			h.Fatalf("after appending %d at %d End = %d", n, end, got)
		}
	}
	all := h.read(l, 0, math.MaxInt32, 0)
	if int64(len(all)) != l.End() {
		h.Fatalf("read %d records, End %d", len(all), l.End())
	}
	h.checkRun(all, 0)
	if l.Bytes() <= 0 {
		h.Fatalf("Bytes = %d after appends", l.Bytes())
	}
}

func testReadBounds(h *harness) {
	l := h.open("topic/bounds/0", smallSegments)
	h.fill(l, 500, 33)
	if err := l.TruncateFront(100); err != nil {
		h.Fatal(err)
	}
	for _, c := range []struct {
		from      int64
		max, want int
		wantFrom  int64
	}{
		{0, 10, 10, 100}, // before Start reads from Start
		{99, 1, 1, 100},  // just before Start
		{100, 400, 400, 100},
		{100, 1000, 400, 100},
		{250, 1, 1, 250},
		{250, 137, 137, 250},
		{499, 5, 1, 499},
		{500, 5, 0, 0}, // End
		{501, 5, 0, 0}, // past End
		{1 << 40, 5, 0, 0},
	} {
		got := h.read(l, c.from, c.max, 0)
		if len(got) != c.want {
			h.Fatalf("Read(%d, %d) returned %d records, want %d", c.from, c.max, len(got), c.want)
		}
		h.checkRun(got, c.wantFrom)
	}
	// Read appends to dst.
	dst := []storage.Record{{Offset: -7}}
	got, err := l.Read(dst, 200, 3, 0)
	if err != nil || len(got) != 4 || got[0].Offset != -7 {
		h.Fatalf("Read into dst = %d records, %v", len(got), err)
	}
	h.checkRun(got[1:], 200)
}

func testReadMaxBytes(h *harness) {
	l := h.open("topic/maxbytes/0", smallSegments)
	h.fill(l, 400, 40)
	all := h.read(l, 0, 1000, 0)
	for _, from := range []int64{0, 3, 77, 200, 398, 399} {
		for _, maxBytes := range []int{1, 100, 500, 1000, 4000, 20000} {
			got := h.read(l, from, 1000, maxBytes)
			if len(got) == 0 {
				h.Fatalf("Read(%d, maxBytes %d) returned nothing", from, maxBytes)
			}
			h.checkRun(got, from)
			sum := 0
			for i := range got[:len(got)-1] {
				sum += got[i].Size()
			}
			if len(got) > 1 && sum >= maxBytes {
				h.Fatalf("Read(%d, maxBytes %d): %d records; the first %d already hold %d bytes",
					from, maxBytes, len(got), len(got)-1, sum)
			}
			sum += got[len(got)-1].Size()
			if next := from + int64(len(got)); next < l.End() && sum+all[next].Size() <= maxBytes {
				h.Fatalf("Read(%d, maxBytes %d) stopped after %d records (%d bytes) though the next fits",
					from, maxBytes, len(got), sum)
			}
		}
	}
	// maxCount still applies.
	if got := h.read(l, 10, 3, 1<<20); len(got) != 3 {
		h.Fatalf("Read(10, 3, 1MiB) returned %d records", len(got))
	}
}
