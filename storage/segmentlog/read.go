// Read: find the index entry at or before the wanted offset, pread a
// window sized from the index and the limits into a buffer of this call's
// own (readBuf: recycled only once nothing refers to it), and decode
// records in place (returned records alias the buffer). A read spanning
// segments does this once per segment.

package segmentlog

import (
	"fmt"
	"io"
	"math"

	"junction/storage"
)

// Read appends to dst the records with offset >= from, at most maxCount
// (<= 0: no limit) and, when maxBytes > 0, only as many as keep the sum of
// their Record.Size within maxBytes — but always at least one when any
// exist. from < Start reads from Start; from >= End returns dst unchanged.
// Damaged bytes give an error wrapping storage.ErrCorrupt, never wrong
// records; dst then holds the whole records before the damage.
func (l *Log) Read(dst []storage.Record, from int64, maxCount, maxBytes int) ([]storage.Record, error) {
	want := maxCount
	if want <= 0 {
		want = math.MaxInt
	}
	budget := maxBytes
	if budget <= 0 {
		budget = math.MaxInt
	}
	rd := reader{want: want, budget: budget, used: 0}
	n0 := len(dst)
	for rd.want > 0 {
		v, _, ok, err := l.acquire(from)
		if err != nil || !ok {
			return dst, err
		}
		if v.from != from && len(dst) > n0 {
			v.seg.release() // trimmed past us mid-read: stop at a clean edge
			return dst, nil
		}
		var more bool
		dst, more, err = rd.segment(l, &v, dst)
		v.seg.release()
		if err != nil || !more {
			return dst, err
		}
		from = v.end
	}
	return dst, nil
}

// reader is the state of one Read call.
type reader struct {
	want   int // records still wanted
	budget int // byte budget (math.MaxInt: none)
	used   int // Record.Size sum so far
	hdrs   []storage.Header
}

// segment reads from v.from to the end of v's segment or the limits; more
// reports whether the next segment should be read.
func (rd *reader) segment(l *Log, v *view, dst []storage.Record) (_ []storage.Record, more bool, err error) {
	s := v.seg
	idx, err := l.entries(s)
	if err != nil {
		return dst, false, err
	}
	pos, off := int64(0), s.base
	hi := v.size
	if len(idx) > 0 {
		k := atOrBefore(idx, v.from)
		pos, off = idx[k].pos, idx[k].off
		// Enough bytes for the wanted count: up to the entry at or after it.
		if rd.want < math.MaxInt && v.from+int64(rd.want) > v.from {
			if j := firstAtOrAfter(idx, v.from+int64(rd.want)); j < len(idx) {
				hi = min(hi, idx[j].pos)
			}
		}
		if rd.budget < math.MaxInt {
			skip := int64(0)
			if v.from > off {
				skip = v.size - pos
				if k+1 < len(idx) {
					skip = idx[k+1].pos - pos
				}
			}
			left := int64(rd.budget - rd.used)
			hi = min(hi, pos+skip+left+left/4+4096)
		}
	}
	sc := scanner{f: s.f, pos: pos, limit: v.size, fresh: true, window: int(max(hi-pos, frameHeader)), refill: 64 << 10}
	for off < v.end && rd.want > 0 {
		at := sc.pos
		fr, err := sc.next()
		if err == io.EOF {
			return dst, false, fmt.Errorf("segmentlog: %s ends at offset %d, want %d: %w", s.logPath, off, v.end, storage.ErrCorrupt)
		}
		if err != nil {
			return dst, false, fmt.Errorf("segmentlog: %s position %d: %w", s.logPath, at, err)
		}
		if off < v.from { // before the wanted offset: skip the frame unchecked
			off++
			continue
		}
		dst = append(dst, storage.Record{})
		r := &dst[len(dst)-1]
		if _, err := decodeRecord(fr, r, &rd.hdrs); err != nil {
			return dst[:len(dst)-1], false, fmt.Errorf("segmentlog: %s position %d: %w", s.logPath, at, err)
		}
		if r.Offset != off {
			return dst[:len(dst)-1], false, fmt.Errorf("segmentlog: %s position %d: %w",
				s.logPath, at, corruptf("offset %d, want %d", r.Offset, off))
		}
		if rd.budget < math.MaxInt {
			n := r.Size()
			if rd.used > 0 && n > rd.budget-rd.used {
				return dst[:len(dst)-1], false, nil
			}
			rd.used += n
		}
		off++
		rd.want--
	}
	return dst, rd.want > 0 && (rd.budget == math.MaxInt || rd.used < rd.budget), nil
}
