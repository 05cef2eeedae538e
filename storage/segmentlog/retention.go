// TruncateFront and Retain, and the start file that persists the logical
// start offset. The start file is written (temp file, fsync, rename, fsync
// of the directory) before any segment is deleted, and segments are deleted
// oldest first, so a crash at any point leaves a log whose Start is right
// and whose remaining segments are contiguous. The active segment is never
// deleted; readers holding a deleted segment keep reading its open file.

package segmentlog

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"

	"junction/storage"
)

const startFile = "start"

// startState is the content of the start file.
type startState struct {
	start  int64
	lastID storage.StreamID // LastID when written, for a log whose records are all gone
}

// TruncateFront makes offsets below before unreadable and deletes the
// segments that lie entirely below it. before <= Start is a no-op; before >
// End is an error wrapping storage.ErrOutOfRange.
func (l *Log) TruncateFront(before int64) error {
	l.trimMu.Lock()
	defer l.trimMu.Unlock()
	l.mu.RLock()
	closed, start, end, last := l.closed, l.start, l.active.end, l.lastID
	l.mu.RUnlock()
	switch {
	case closed:
		return storage.ErrClosed
	case before > end:
		return fmt.Errorf("segmentlog: truncate to %d past end %d: %w", before, end, storage.ErrOutOfRange)
	case before <= start:
		return nil
	}
	if err := writeStart(l.dir, startState{before, last}); err != nil {
		return fmt.Errorf("segmentlog: truncate: %w", err)
	}
	l.mu.Lock()
	l.start = before
	k := 0
	for k < len(l.segs)-1 && l.segs[k].end <= before {
		k++
	}
	dropped := l.dropLocked(k)
	l.mu.Unlock()
	retire(dropped)
	return nil
}

// Retain drops the oldest segments while the log's files hold more than
// maxBytes (<= 0: no limit) or the segment's newest (largest) timestamp is
// below minTimestamp (<= 0: no limit), never the active segment, and
// returns the new Start.
func (l *Log) Retain(maxBytes, minTimestamp int64) (int64, error) {
	l.trimMu.Lock()
	defer l.trimMu.Unlock()
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		return 0, storage.ErrClosed
	}
	start, last, total := l.start, l.lastID, l.bytes
	k := 0
	for k < len(l.segs)-1 {
		s := l.segs[k]
		if !(maxBytes > 0 && total > maxBytes) && !(minTimestamp > 0 && s.maxTs < minTimestamp) {
			break
		}
		total -= s.size
		k++
	}
	newStart := start
	if k > 0 {
		newStart = max(start, l.segs[k].base)
	}
	l.mu.RUnlock()
	if k == 0 {
		return start, nil
	}
	if newStart > start {
		if err := writeStart(l.dir, startState{newStart, last}); err != nil {
			return start, fmt.Errorf("segmentlog: retain: %w", err)
		}
	}
	l.mu.Lock()
	l.start = newStart
	dropped := l.dropLocked(k) // trimMu held: nobody else removed segments
	l.mu.Unlock()
	retire(dropped)
	return newStart, nil
}

// dropLocked removes the k oldest segments from the list (mu held).
func (l *Log) dropLocked(k int) []*segment {
	if k == 0 {
		return nil
	}
	dropped := slices.Clone(l.segs[:k])
	l.segs = slices.Clone(l.segs[k:])
	for _, s := range dropped {
		l.bytes -= s.size
	}
	return dropped
}

// retire deletes dropped segments oldest first and drops the list's
// reference; readers still holding one finish on the open file.
func retire(dropped []*segment) {
	for _, s := range dropped {
		s.unlink()
		s.release()
	}
}

// writeStart replaces the start file atomically.
func writeStart(dir string, st startState) error {
	b := make([]byte, 0, 28)
	b = binary.LittleEndian.AppendUint64(b, uint64(st.start))
	b = binary.LittleEndian.AppendUint64(b, st.lastID.Ms)
	b = binary.LittleEndian.AppendUint64(b, st.lastID.Seq)
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	tmp := filepath.Join(dir, startFile+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if e := f.Close(); err == nil {
		err = e
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, startFile))
	}
	if err == nil {
		err = syncDir(dir)
	}
	return err
}

// readStart reads the start file; a missing or damaged one reads as absent
// (Start then falls back to the first segment's base).
func readStart(dir string) (startState, bool) {
	b, err := os.ReadFile(filepath.Join(dir, startFile))
	if err != nil || len(b) != 28 || crc32.Checksum(b[:24], castagnoli) != binary.LittleEndian.Uint32(b[24:]) {
		return startState{}, false
	}
	return startState{
		start:  int64(binary.LittleEndian.Uint64(b)),
		lastID: storage.StreamID{Ms: binary.LittleEndian.Uint64(b[8:]), Seq: binary.LittleEndian.Uint64(b[16:])},
	}, true
}
