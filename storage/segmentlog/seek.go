// SeekTime and SeekID: pick the segment from the in-memory summaries,
// binary-search its index, then scan at most one index interval.
//
// SeekTime is exact for any timestamps, monotonic or not: it returns the
// first offset i >= Start whose timestamp is >= ts. Index entries carry the
// running maximum of the timestamps before them, so the last entry whose
// running max is below ts bounds the scan to one interval. The one costly
// case: when Start falls inside a segment and a record of that segment below
// Start has a timestamp >= ts, the running maxima say nothing about the
// records after Start, and that segment is scanned from Start.

package segmentlog

import (
	"fmt"
	"io"

	"junction/storage"
)

// SeekTime returns the first offset >= Start whose timestamp is >= ts, or End.
func (l *Log) SeekTime(ts int64) (int64, error) {
	return l.seek(func(v *view, idx []indexEntry) (int64, bool) {
		if v.maxTs < ts && !v.damaged {
			return 0, false // nothing in this segment qualifies
		}
		// Every record before entry i is older than ts. (When Start lies
		// past entry i, this scans from Start, possibly to the segment end.)
		return max(v.from, idx[lastMaxTsBelow(idx, ts)].off), true
	}, func(r *storage.Record) bool { return r.Timestamp >= ts })
}

// SeekID returns the first offset >= Start whose ID is >= id, or End. IDs
// increase along the log, so this is also the first such offset overall
// clamped to Start.
func (l *Log) SeekID(id storage.StreamID) (int64, error) {
	return l.seek(func(v *view, idx []indexEntry) (int64, bool) {
		if v.last.Less(id) && !v.damaged {
			return 0, false
		}
		return max(v.from, idx[lastIDBelow(idx, id)].off), true
	}, func(r *storage.Record) bool { return !r.ID.Less(id) })
}

// seek walks the segments from Start. For each, plan says whether it may
// hold the answer and from which offset to scan; the scan returns the first
// record there (to the segment's end) that satisfies match.
func (l *Log) seek(plan func(*view, []indexEntry) (int64, bool), match func(*storage.Record) bool) (int64, error) {
	from := int64(-1 << 63)
	for {
		v, end, ok, err := l.acquire(from)
		if err != nil || !ok {
			return end, err
		}
		off, found, err := l.seekIn(&v, plan, match)
		v.seg.release()
		if err != nil || found {
			return off, err
		}
		from = v.end
	}
}

func (l *Log) seekIn(v *view, plan func(*view, []indexEntry) (int64, bool), match func(*storage.Record) bool) (int64, bool, error) {
	if v.end <= v.from {
		return 0, false, nil
	}
	s := v.seg
	idx, err := l.entries(s)
	if err != nil {
		return 0, false, err
	}
	if len(idx) == 0 {
		return 0, false, fmt.Errorf("segmentlog: %s has no readable records: %w", s.logPath, storage.ErrCorrupt)
	}
	from, ok := plan(v, idx)
	if !ok {
		return 0, false, nil
	}
	e := idx[atOrBefore(idx, from)]
	sc := scanner{f: s.f, pos: e.pos, limit: v.size, window: 16 << 10, refill: 64 << 10}
	var r storage.Record
	var hdrs []storage.Header
	for off := e.off; off < v.end; off++ {
		at := sc.pos
		fr, err := sc.next()
		if err == io.EOF {
			return 0, false, fmt.Errorf("segmentlog: %s ends at offset %d, want %d: %w", s.logPath, off, v.end, storage.ErrCorrupt)
		}
		if err != nil {
			return 0, false, fmt.Errorf("segmentlog: %s position %d: %w", s.logPath, at, err)
		}
		if off < from {
			continue
		}
		hdrs = hdrs[:0]
		if _, err := decodeRecord(fr, &r, &hdrs); err != nil {
			return 0, false, fmt.Errorf("segmentlog: %s position %d: %w", s.logPath, at, err)
		}
		if r.Offset != off {
			return 0, false, fmt.Errorf("segmentlog: %s position %d: %w", s.logPath, at, corruptf("offset %d, want %d", r.Offset, off))
		}
		if match(&r) {
			return off, true, nil
		}
	}
	return 0, false, nil
}
