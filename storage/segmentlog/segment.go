// Segments: one append-only log file named by its base offset
// (%020d.log) and its sparse index (%020d.idx); the in-memory summary of a
// sealed segment; reference counting; lazy index loading.

package segmentlog

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"junction/storage"
)

const (
	logSuffix = ".log"
	idxSuffix = ".idx"
)

// segment is one segment file pair. The log's segment list holds one
// reference; every reader, seek and Sync holds another while it uses f, and
// f is closed when the last reference goes. A segment dropped by retention is
// unlinked at once: readers that still hold it keep reading the open file.
type segment struct {
	base    int64
	logPath string
	idxPath string
	f       *os.File
	refs    atomic.Int32

	// Guarded by Log.mu (written only by the appender for the active
	// segment, so the appender may read them without the lock).
	end     int64            // offset after the last whole record
	size    int64            // bytes of whole records
	firstID storage.StreamID // of the first record (zero when empty)
	lastID  storage.StreamID // of the last record (zero when empty)
	maxTs   int64            // max timestamp (MinInt64 when empty)
	index   []indexEntry     // valid once loaded
	loaded  bool             // index holds every entry
	damaged bool             // summary found bad bytes; reads will report them

	loadMu sync.Mutex // serialises lazy index loads

	// Owned by the appender (Log.wmu), active segment only.
	idxf    *os.File // index file open for appending
	flushed int      // index entries written to idxf
}

func segmentName(base int64, suffix string) string {
	return fmt.Sprintf("%020d%s", base, suffix)
}

// parseSegmentName returns the base offset of a file named %020d.log.
func parseSegmentName(name string) (int64, bool) {
	digits, ok := strings.CutSuffix(name, logSuffix)
	if !ok || len(digits) != 20 {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	base, err := strconv.ParseInt(digits, 10, 64)
	return base, err == nil
}

func newSegment(dir string, base int64) *segment {
	s := &segment{
		base:    base,
		logPath: filepath.Join(dir, segmentName(base, logSuffix)),
		idxPath: filepath.Join(dir, segmentName(base, idxSuffix)),
		end:     base,
		maxTs:   math.MinInt64,
	}
	s.refs.Store(1)
	return s
}

// createSegment creates an empty active segment.
func createSegment(dir string, base int64) (*segment, error) {
	s := newSegment(dir, base)
	var err error
	if s.f, err = os.OpenFile(s.logPath, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644); err != nil {
		return nil, err
	}
	if s.idxf, err = os.OpenFile(s.idxPath, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644); err != nil {
		s.f.Close()
		os.Remove(s.logPath)
		return nil, err
	}
	s.loaded = true
	return s, nil
}

// acquire takes a reference; the caller holds Log.mu (read or write) and s
// is still in the segment list.
func (s *segment) acquire() { s.refs.Add(1) }

// release drops a reference, closing the files with the last one.
func (s *segment) release() {
	if s.refs.Add(-1) == 0 {
		s.f.Close()
		if s.idxf != nil {
			s.idxf.Close()
		}
	}
}

// unlink deletes the segment's files (its open handle stays readable).
func (s *segment) unlink() {
	os.Remove(s.logPath)
	os.Remove(s.idxPath)
}

// summarize fills the summary of a sealed segment opened from disk whose
// records run up to end (the next segment's base). It reads the first and
// last index entries and scans the log from the last entry to the end of the
// file; the rest of the index is loaded on first use. A segment whose index
// is missing or implausible is scanned whole and its index rebuilt.
func (s *segment) summarize(end int64) error {
	st, err := s.f.Stat()
	if err != nil {
		return err
	}
	s.size, s.end = st.Size(), end
	if first, last, ok := readIndexEnds(s.idxPath, s.base); ok &&
		first.off == s.base && first.pos == 0 && first.maxTs == math.MinInt64 &&
		last.off >= s.base && last.off < end && last.pos < s.size && (last.pos > 0 || last.maxTs == math.MinInt64) {
		sc := scanner{f: s.f, pos: last.pos, limit: s.size, window: 64 << 10, refill: 64 << 10}
		maxTs, lastID, off := last.maxTs, last.id, last.off
		var r storage.Record
		var hdrs []storage.Header
		var err error
		for off < end {
			var fr []byte
			if fr, err = sc.next(); err != nil {
				break
			}
			hdrs = hdrs[:0]
			if _, err = decodeRecord(fr, &r, &hdrs); err != nil {
				break
			}
			if r.Offset != off {
				err = corruptf("offset %d at position %d, want %d", r.Offset, sc.pos-int64(len(fr)), off)
				break
			}
			maxTs, lastID, off = max(maxTs, r.Timestamp), r.ID, off+1
		}
		if err == nil {
			s.firstID, s.lastID, s.maxTs = first.id, lastID, maxTs
			return nil
		}
		if !isCorrupt(err) && err != io.EOF {
			return err
		}
	}
	idx, sum, err := scanSegment(s.f, s.base, s.size, end, nil)
	if err != nil && !isCorrupt(err) {
		return err
	}
	s.damaged = err != nil || sum.end != end
	s.firstID, s.lastID, s.maxTs = sum.firstID, sum.lastID, sum.maxTs
	s.index, s.loaded = idx, true
	if !s.damaged {
		writeIndexFile(s.idxPath, s.base, idx) // best effort: the next open reuses it
	}
	return nil
}

// summary is what a scan learns about a run of records.
type summary struct {
	end             int64 // offset after the last whole record
	size            int64 // position after the last whole record
	firstID, lastID storage.StreamID
	maxTs           int64
}

// scanSegment reads the records of the segment file f (based at base) from
// the index entries idx (whose last entry it starts at, or position 0) up to
// limit bytes and offset end, and returns idx extended with the entries for
// the records it read and a summary of the whole-record prefix. It stops at
// the first bad frame and returns that error (wrapping storage.ErrCorrupt)
// along with everything before it.
func scanSegment(f *os.File, base, limit, end int64, idx []indexEntry) ([]indexEntry, summary, error) {
	sum := summary{end: base, maxTs: math.MinInt64}
	pos, off := int64(0), base
	if len(idx) > 0 {
		e := idx[len(idx)-1]
		idx = idx[:len(idx)-1] // re-added below once its record checks out
		pos, off, sum.maxTs = e.pos, e.off, e.maxTs
		sum.end, sum.size = off, pos
		if len(idx) > 0 {
			sum.firstID = idx[0].id
		}
	}
	sc := scanner{f: f, pos: pos, limit: limit, window: 256 << 10, refill: 256 << 10}
	var r storage.Record
	var hdrs []storage.Header
	lastEntry := int64(math.MinInt64 / 2)
	if len(idx) > 0 {
		lastEntry = idx[len(idx)-1].pos
	}
	for off < end {
		at := sc.pos
		fr, err := sc.next()
		if err == io.EOF {
			return idx, sum, nil
		}
		if err != nil {
			return idx, sum, err
		}
		hdrs = hdrs[:0]
		if _, err := decodeRecord(fr, &r, &hdrs); err != nil {
			return idx, sum, fmt.Errorf("position %d: %w", at, err)
		}
		if r.Offset != off {
			return idx, sum, corruptf("offset %d at position %d, want %d", r.Offset, at, off)
		}
		if at-lastEntry >= indexInterval {
			idx = append(idx, indexEntry{off: off, pos: at, maxTs: sum.maxTs, id: r.ID})
			lastEntry = at
		}
		if off == base {
			sum.firstID = r.ID
		}
		sum.lastID, sum.maxTs = r.ID, max(sum.maxTs, r.Timestamp)
		off++
		sum.end, sum.size = off, sc.pos
	}
	return idx, sum, nil
}

// writeIndexFile replaces the index file of a sealed segment atomically.
func writeIndexFile(path string, base int64, idx []indexEntry) error {
	b := make([]byte, 0, len(idx)*entrySize)
	for _, e := range idx {
		b = appendEntry(b, base, e)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// entries returns the index of s, loading it on first use: from the index
// file if that is plausible, else by scanning the segment (a scan stops at
// a damaged record, and reads past it report the damage).
func (l *Log) entries(s *segment) ([]indexEntry, error) {
	l.mu.RLock()
	idx, ok := s.index, s.loaded
	l.mu.RUnlock()
	if ok {
		return idx, nil
	}
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	l.mu.RLock()
	idx, ok = s.index, s.loaded
	size, end := s.size, s.end
	l.mu.RUnlock()
	if ok {
		return idx, nil
	}
	raw, err := os.ReadFile(s.idxPath) // a concurrently retired segment has none: rebuild
	if err == nil {
		idx = parseIndex(raw, s.base, size, end)
	}
	if err != nil || len(idx) == 0 || len(idx) < len(raw)/entrySize {
		var serr error
		idx, _, serr = scanSegment(s.f, s.base, size, end, nil)
		if serr != nil && !isCorrupt(serr) {
			return nil, serr
		}
	}
	l.mu.Lock()
	s.index, s.loaded = idx, true
	l.mu.Unlock()
	return idx, nil
}
