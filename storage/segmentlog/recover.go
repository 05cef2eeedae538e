// Recovery of the last (active) segment on open: validate the records from
// the last usable index entry to the end of the file, cut a torn or corrupt
// tail back to the last whole record, and bring the index file in line
// (rebuilding it by a scan when it is missing or short). Nothing before the
// last index entry is read, so opening stays fast whatever the log's size.

package segmentlog

import (
	"bytes"
	"errors"
	"io/fs"
	"math"
	"os"
	"slices"
)

// recover fills the summary and the in-memory index of the active segment
// s, whose log file is open read-write, and opens its index file.
func (s *segment) recover() error {
	st, err := s.f.Stat()
	if err != nil {
		return err
	}
	size := st.Size()
	raw, err := os.ReadFile(s.idxPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	disk := parseIndex(raw, s.base, size, math.MaxInt64)
	// Resume at the last entry whose record checks out: an entry may point
	// past what reached the disk (the index is written after the log).
	var idx []indexEntry
	var sum summary
	for n := len(disk); ; n-- {
		var serr error
		idx, sum, serr = scanSegment(s.f, s.base, size, math.MaxInt64, slices.Clone(disk[:n]))
		if serr != nil && !isCorrupt(serr) {
			return serr
		}
		if serr == nil || n <= 1 || sum.end > disk[n-1].off {
			break
		}
	}
	if sum.size < size {
		if err := s.f.Truncate(sum.size); err != nil {
			return err
		}
	}
	// Keep the index file's entries that still match; rewrite the rest.
	keep := 0
	var e []byte
	for keep < len(idx) && (keep+1)*entrySize <= len(raw) {
		e = appendEntry(e[:0], s.base, idx[keep])
		if !bytes.Equal(e, raw[keep*entrySize:(keep+1)*entrySize]) {
			break
		}
		keep++
	}
	if s.idxf, err = os.OpenFile(s.idxPath, os.O_RDWR|os.O_CREATE, 0o644); err != nil {
		return err
	}
	s.index, s.loaded, s.flushed = idx, true, keep
	if len(raw) != keep*entrySize {
		if err := s.idxf.Truncate(int64(keep) * entrySize); err != nil {
			return err
		}
	}
	var b []byte
	for _, e := range idx[keep:] {
		b = appendEntry(b, s.base, e)
	}
	if _, err := s.idxf.WriteAt(b, int64(keep)*entrySize); err != nil {
		return err
	}
	s.flushed = len(idx)
	if sum.size < size {
		if err := s.f.Sync(); err != nil {
			return err
		}
	}
	s.size, s.end = sum.size, sum.end
	s.firstID, s.lastID, s.maxTs = sum.firstID, sum.lastID, sum.maxTs
	return nil
}
