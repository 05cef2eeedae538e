// TruncateFront and Retain.

package storagetest

import (
	"errors"
	"math"

	"junction/storage"
)

// checkTail checks Start and End and that every record between them reads back.
func (h *harness) checkTail(l storage.Log, start, end int64) {
	h.Helper()
	if s, e := l.Start(), l.End(); s != start || e != end {
		h.Fatalf("Start, End = %d, %d; want %d, %d", s, e, start, end)
	}
	got := h.read(l, 0, math.MaxInt32, 0)
	if int64(len(got)) != end-start {
		h.Fatalf("read %d records, want %d", len(got), end-start)
	}
	h.checkRun(got, start)
}

func testTruncateFront(h *harness) {
	l := h.open("topic/truncate/0", smallSegments)
	h.fill(l, 500, 20)
	b0 := l.Bytes()
	for _, c := range []struct{ before, start int64 }{
		{0, 0}, {1, 1}, {123, 123}, {50, 123}, {123, 123}, {400, 400},
	} {
		if err := l.TruncateFront(c.before); err != nil {
			h.Fatalf("TruncateFront(%d): %v", c.before, err)
		}
		h.checkTail(l, c.start, 500)
		if got := h.read(l, c.start-1, 1, 0); len(got) != 1 || got[0].Offset != c.start {
			h.Fatalf("Read(Start-1, 1) after TruncateFront(%d) = %v", c.before, got)
		}
	}
	if b := l.Bytes(); b > b0 {
		h.Fatalf("Bytes grew from %d to %d on TruncateFront", b0, b)
	}
	if h.opts.Persistent {
		l.Close()
		l = h.open("topic/truncate/0", smallSegments)
		h.checkTail(l, 400, 500)
	}
	if err := l.TruncateFront(500); err != nil {
		h.Fatal(err)
	}
	h.checkTail(l, 500, 500)
	if off, err := l.SeekTime(0); err != nil || off != 500 {
		h.Fatalf("SeekTime on a truncated log = %d, %v; want 500", off, err)
	}
	h.fill(l, 510, 3)
	h.checkTail(l, 500, 510)
	switch err := l.TruncateFront(515); {
	case err == nil:
		h.checkTail(l, 510, 510) // clamped to End
	case errors.Is(err, storage.ErrOutOfRange):
		h.checkTail(l, 500, 510)
	default:
		h.Fatalf("TruncateFront past End: %v; want nil or ErrOutOfRange", err)
	}
}

func testRetain(h *harness) {
	l := h.open("topic/retain/0", smallSegments)
	const end = 1000
	h.fill(l, end, 10)
	ts := func(off int64) int64 { return record(off).Timestamp }
	start, bytes := int64(0), l.Bytes()
	retain := func(maxBytes, minTs, limit int64) {
		h.Helper()
		got, err := l.Retain(maxBytes, minTs)
		if err != nil {
			h.Fatalf("Retain(%d, %d): %v", maxBytes, minTs, err)
		}
		if got != l.Start() || got < start || got > limit {
			h.Fatalf("Retain(%d, %d) = %d, Start %d; want Start in [%d, %d]", maxBytes, minTs, got, l.Start(), start, limit)
		}
		if b := l.Bytes(); b > bytes {
			h.Fatalf("Bytes grew from %d to %d on Retain", bytes, b)
		}
		start, bytes = got, l.Bytes()
		h.checkTail(l, start, end)
	}
	retain(0, 0, 0)
	retain(bytes*10, 0, 0)
	retain(0, ts(0), 0)
	retain(0, ts(500), 500)   // records at or after minTimestamp stay
	retain(bytes/3, 0, end-1) // the last record always stays
	retain(0, ts(900), 900)
	retain(1, math.MaxInt64, end-1)
	if h.opts.Persistent {
		l.Close()
		l = h.open("topic/retain/0", smallSegments)
		h.checkTail(l, start, end)
	}
}
