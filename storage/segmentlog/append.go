// Append: encode a batch into a reused buffer, roll when the active segment
// would outgrow SegmentBytes, write the batch with one pwrite, then publish
// the new End and index entries under the lock so readers see whole records
// only. Index entries are written to the index file in groups (see
// idxFlushEntries), on roll and on Close.

package segmentlog

import (
	"fmt"

	"junction/storage"
)

// mark records where a record of the batch being appended starts.
type mark struct {
	pos int // in the batch buffer
	ts  int64
	id  storage.StreamID
}

// Append stores recs; recs[i].Offset must be End()+i. All of recs become
// visible together. A batch is never split across segments.
func (l *Log) Append(recs []storage.Record) error {
	if len(recs) == 0 {
		return nil
	}
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if l.closed { // written under wmu too
		return storage.ErrClosed
	}
	s := l.active
	first := s.end
	buf, marks := l.wbuf[:0], l.marks[:0]
	for i := range recs {
		r := &recs[i]
		if want := first + int64(i); r.Offset != want {
			return fmt.Errorf("segmentlog: append offset %d, want %d", r.Offset, want)
		}
		at := len(buf)
		buf = appendRecord(buf, r)
		if len(buf)-at-frameHeader > maxPayload {
			return fmt.Errorf("segmentlog: record at offset %d too large (%d bytes)", r.Offset, len(buf)-at)
		}
		marks = append(marks, mark{pos: at, ts: r.Timestamp, id: r.ID})
	}
	if len(buf) > maxBatchBytes {
		return fmt.Errorf("segmentlog: batch too large (%d bytes)", len(buf))
	}
	if cap(buf) <= 4<<20 { // keep ordinary buffers, drop huge ones
		l.wbuf, l.marks = buf, marks
	} else {
		l.wbuf, l.marks = nil, nil
	}
	if s.size > 0 && s.size+int64(len(buf)) > l.segBytes {
		var err error
		if s, err = l.roll(); err != nil {
			return err
		}
	}
	pos := s.size
	l.wrote = true
	if _, err := s.f.WriteAt(buf, pos); err != nil {
		s.f.Truncate(pos) // best effort: drop a partial write
		return fmt.Errorf("segmentlog: append to %s: %w", s.logPath, err)
	}

	l.mu.Lock()
	for i, m := range marks {
		p := pos + int64(m.pos)
		if n := len(s.index); n == 0 || p-s.index[n-1].pos >= indexInterval {
			s.index = append(s.index, indexEntry{off: first + int64(i), pos: p, maxTs: s.maxTs, id: m.id})
		}
		s.maxTs = max(s.maxTs, m.ts)
	}
	if s.end == s.base {
		s.firstID = marks[0].id
	}
	s.lastID = marks[len(marks)-1].id
	s.end += int64(len(recs))
	s.size += int64(len(buf))
	l.lastID = s.lastID
	l.bytes += int64(len(buf))
	l.mu.Unlock()

	if len(s.index)-s.flushed >= idxFlushEntries {
		if err := l.flushIndex(s); err != nil {
			return fmt.Errorf("segmentlog: index %s: %w", s.idxPath, err)
		}
	}
	return nil
}

// flushIndex writes the active segment's pending index entries (wmu held).
func (l *Log) flushIndex(s *segment) error {
	if s.flushed == len(s.index) {
		return nil
	}
	b := l.ibuf[:0]
	for _, e := range s.index[s.flushed:] {
		b = appendEntry(b, s.base, e)
	}
	l.ibuf = b
	if _, err := s.idxf.WriteAt(b, int64(s.flushed)*entrySize); err != nil {
		return err
	}
	s.flushed = len(s.index)
	return nil
}

// roll seals the active segment and starts a new one at End (wmu held).
// The sealed segment's records are synced first unless Sync already did,
// so a crash can lose a suffix of the log but never leave a hole. Its index
// is written but not synced (a damaged index is rebuilt by a scan), and the
// new file's directory entry is synced by the next Sync or Close.
func (l *Log) roll() (*segment, error) {
	old := l.active
	err := l.flushIndex(old)
	if err == nil && l.synced.Load() < old.end {
		if err = old.f.Sync(); err == nil {
			storeMax(&l.synced, old.end)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("segmentlog: seal %s: %w", old.logPath, err)
	}
	s, err := createSegment(l.dir, old.end)
	if err != nil {
		return nil, fmt.Errorf("segmentlog: roll: %w", err)
	}
	l.dirDirty.Store(true)
	old.idxf.Close()
	old.idxf = nil
	l.mu.Lock()
	l.segs = append(l.segs, s)
	l.active = s
	var dropped []*segment
	if l.segs[0] == old && old.end <= l.start { // trimmed whole while active
		dropped = l.dropLocked(1)
	}
	l.mu.Unlock()
	retire(dropped)
	return s, nil
}
