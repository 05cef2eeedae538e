// Log: one partition's segment directory — opening (with recovery of the
// last segment), the accessors, Close and Remove. Append, Read, seeks,
// retention and Sync live in their own files.

package segmentlog

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"junction/storage"
)

const (
	defaultSegmentBytes = 64 << 20
	// maxSegmentBytes bounds SegmentBytes so positions fit the index's
	// uint32 with room for one batch past it (see maxBatchBytes).
	maxSegmentBytes = 1 << 30
	maxBatchBytes   = 1 << 31
)

// Log is a file-backed storage.Log: a directory of segments named by base
// offset. It is safe for concurrent use as storage.Log requires: Append
// calls are serialised by the caller; reads, seeks, Sync, TruncateFront and
// Retain may run alongside them.
type Log struct {
	dir      string
	segBytes int64
	onClose  func(*Log) // the backend forgets the log

	trimMu sync.Mutex // serialises TruncateFront, Retain and Close; guards the start file
	wmu    sync.Mutex // serialises Append (and its rolls) with Close; guards wrote, wbuf, marks, ibuf

	mu     sync.RWMutex // guards the fields below and the summaries of segments; closed is also written under wmu
	segs   []*segment   // ascending base; the last is active; nil once closed
	active *segment     // segs[len(segs)-1], written by the appender under mu
	start  int64
	lastID storage.StreamID
	bytes  int64
	closed bool

	gc       groupCommit
	synced   atomic.Int64 // records below this offset are known durable
	dirDirty atomic.Bool  // a segment was created since the directory was last synced
	fsyncs   atomic.Int64 // fsyncs issued by Sync (benchmarks report it)

	wrote bool   // Append wrote since open: Close syncs
	wbuf  []byte // encoded batch
	marks []mark // per record of the batch: position, timestamp, ID
	ibuf  []byte // encoded index entries
}

// open opens or creates the log in dir.
func open(dir string, opts storage.LogOptions) (*Log, error) {
	if opts.InitialOffset < 0 {
		return nil, fmt.Errorf("segmentlog: negative initial offset %d", opts.InitialOffset)
	}
	segBytes := opts.SegmentBytes
	if segBytes <= 0 {
		segBytes = defaultSegmentBytes
	}
	l := &Log{dir: dir, segBytes: min(segBytes, maxSegmentBytes)}
	l.gc.init()
	l.synced.Store(math.MinInt64)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var bases []int64
	for _, e := range ents {
		if base, ok := parseSegmentName(e.Name()); ok && e.Type().IsRegular() {
			bases = append(bases, base)
		} else if strings.HasSuffix(e.Name(), ".tmp") {
			os.Remove(filepath.Join(dir, e.Name())) // an interrupted atomic replace
		}
	}
	slices.Sort(bases)
	st, hasStart := readStart(dir)
	if len(bases) == 0 {
		base := opts.InitialOffset
		if hasStart {
			base = max(base, st.start)
		}
		s, err := createSegment(dir, base)
		if err != nil {
			return nil, err
		}
		if err := syncDir(dir); err != nil {
			s.release()
			return nil, err
		}
		l.segs, l.active, l.start, l.lastID = []*segment{s}, s, base, st.lastID
		return l, nil
	}
	for i, base := range bases {
		s := newSegment(dir, base)
		last := i == len(bases)-1
		flag := os.O_RDONLY
		if last {
			flag = os.O_RDWR
		}
		if s.f, err = os.OpenFile(s.logPath, flag, 0); err == nil {
			if last {
				err = s.recover()
			} else {
				err = s.summarize(bases[i+1])
			}
			if err != nil {
				s.release()
			}
		}
		if err != nil {
			for _, s := range l.segs {
				s.release()
			}
			return nil, fmt.Errorf("segmentlog: open %s: %w", s.logPath, err)
		}
		l.segs = append(l.segs, s)
		l.bytes += s.size
	}
	l.active = l.segs[len(l.segs)-1]
	l.lastID = st.lastID
	for _, s := range slices.Backward(l.segs) {
		if s.end > s.base {
			l.lastID = s.lastID
			break
		}
	}
	if hasStart && st.start > l.active.end {
		// A crash lost unsynced records that a trim had already passed:
		// start afresh at Start rather than hand out those offsets again.
		s, err := createSegment(dir, st.start)
		if err == nil {
			err = syncDir(dir)
		}
		if err != nil {
			for _, s := range l.segs {
				s.release()
			}
			return nil, fmt.Errorf("segmentlog: open %s: %w", dir, err)
		}
		l.active.idxf.Close()
		l.active.idxf = nil
		l.segs, l.active = append(l.segs, s), s
		if l.lastID.Less(st.lastID) {
			l.lastID = st.lastID
		}
	}
	l.start = max(bases[0], min(st.start, l.active.end))
	// Finish deletions a crash interrupted: segments wholly below Start.
	k := 0
	for k < len(l.segs)-1 && l.segs[k+1].base <= l.start {
		k++
	}
	retire(l.dropLocked(k))
	return l, nil
}

// Start returns the first readable offset.
func (l *Log) Start() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.start
}

// End returns the offset the next append takes.
func (l *Log) End() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.active.end
}

// LastID returns the ID of the last record appended, which survives
// TruncateFront and Retain (as a Redis stream's last ID survives XTRIM); it
// is zero only for a log that never held a record.
func (l *Log) LastID() storage.StreamID {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.lastID
}

// Bytes returns the size of the log's segment files (indexes excluded).
func (l *Log) Bytes() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.bytes
}

// Close writes the active segment's pending index entries, syncs it and
// releases the files (readers still running finish first). Closing twice
// is a no-op.
func (l *Log) Close() error {
	err := l.close(true)
	if errors.Is(err, storage.ErrClosed) {
		return nil
	}
	return err
}

func (l *Log) close(flush bool) error {
	l.trimMu.Lock()
	defer l.trimMu.Unlock()
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.mu.RLock()
	closed := l.closed
	l.mu.RUnlock()
	if closed {
		return storage.ErrClosed
	}
	var err error
	if flush {
		a := l.active
		err = l.flushIndex(a) // written, not synced: recovery rebuilds a short index
		if l.wrote && l.synced.Load() < a.end {
			if e := a.f.Sync(); err == nil {
				err = e
			}
		}
		if l.dirDirty.Swap(false) {
			if e := syncDir(l.dir); err == nil {
				err = e
			}
		}
	}
	l.mu.Lock()
	l.closed = true
	segs := l.segs
	l.segs = nil
	l.mu.Unlock()
	for _, s := range segs {
		s.release()
	}
	if l.onClose != nil {
		l.onClose(l)
	}
	if err != nil {
		return fmt.Errorf("segmentlog: close %s: %w", l.dir, err)
	}
	return nil
}

// Remove closes the log and deletes its files and directory.
func (l *Log) Remove() error {
	if err := l.close(false); err != nil && !errors.Is(err, storage.ErrClosed) {
		return err
	}
	return removeDir(l.dir)
}

// removeDir deletes the files a log keeps in dir, then dir itself if that
// leaves it empty (a log named "a" never deletes the log "a/b" below it).
func removeDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range ents {
		n := e.Name()
		_, seg := parseSegmentName(n)
		if !e.Type().IsRegular() {
			continue
		}
		if seg || n == startFile || strings.HasSuffix(n, idxSuffix) || strings.HasSuffix(n, ".tmp") {
			if err := os.Remove(filepath.Join(dir, n)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		if rest, _ := os.ReadDir(dir); len(rest) > 0 {
			return nil // other logs live below
		}
		return err
	}
	return nil
}

// syncDir makes the directory's entries (created, renamed files) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if e := d.Close(); err == nil {
		err = e
	}
	return err
}

// view is a reader's snapshot of one segment, holding a reference to it.
type view struct {
	seg   *segment
	from  int64 // first offset wanted, >= max(Start, seg.base)
	end   int64 // offset after the segment's last visible record
	size  int64 // bytes of the segment's visible records
	maxTs int64
	last  storage.StreamID // ID of the segment's last visible record
	// damaged: the summary stops at bad bytes, so maxTs and last say
	// nothing about the records after them; seeks must scan.
	damaged bool
}

// acquire snapshots the segment holding offset from (raised to Start) and
// takes a reference; ok is false when from >= End. logEnd is End() at the
// snapshot.
func (l *Log) acquire(from int64) (v view, logEnd int64, ok bool, err error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return v, 0, false, storage.ErrClosed
	}
	logEnd = l.active.end
	from = max(from, l.start)
	if from >= logEnd {
		return v, logEnd, false, nil
	}
	// The last segment whose base <= from; it holds from because segment
	// ends are the next bases.
	i, _ := slices.BinarySearchFunc(l.segs, from, func(s *segment, off int64) int {
		if s.base <= off {
			return -1
		}
		return 1
	})
	s := l.segs[max(i-1, 0)]
	s.acquire()
	return view{seg: s, from: max(from, s.base), end: s.end, size: s.size, maxTs: s.maxTs, last: s.lastID, damaged: s.damaged}, logEnd, true, nil
}
