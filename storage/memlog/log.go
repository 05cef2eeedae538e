// Log: the in-memory storage.Log — Append, Read and the position accessors.

package memlog

import (
	"fmt"
	"math"
	"sort"
	"sync"

	"junction/storage"
)

// Log is one in-memory partition log. Append calls must be serialised by the
// caller (as storage.Log requires); everything else may run concurrently
// with an Append and with each other.
type Log struct {
	b    *Backend
	name string

	// scratch holds an Append's copied records before they are published.
	// Owned by the (single) appender; not guarded by mu.
	scratch []storage.Record

	mu       sync.RWMutex // guards every field below
	chunks   []*chunk     // oldest first; offsets contiguous; chunks[0].base <= start
	start    int64        // first readable offset
	end      int64        // next offset to append
	bytes    int64        // sum of chunks[i].bytes
	lastID   storage.StreamID
	segBytes int64 // a chunk holding at least this many bytes is full
	closed   bool  // set by Close, cleared by a reopen
	removed  bool  // set by RemoveLog or Backend.Close; permanent
}

var _ storage.Log = (*Log)(nil)

func newLog(b *Backend, name string, opts storage.LogOptions) *Log {
	return &Log{
		b:        b,
		name:     name,
		start:    opts.InitialOffset,
		end:      opts.InitialOffset,
		segBytes: segBytes(opts),
	}
}

func segBytes(opts storage.LogOptions) int64 {
	if opts.SegmentBytes > 0 {
		return opts.SegmentBytes
	}
	return defaultSegBytes
}

// usable reports why l cannot be used, if it cannot. Callers hold mu.
func (l *Log) usable() error {
	if l.closed || l.removed {
		return storage.ErrClosed
	}
	return nil
}

// drop discards the log's data for good (RemoveLog, Backend.Close).
func (l *Log) drop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.removed = true
	clear(l.chunks)
	l.chunks = nil
	l.bytes = 0
}

// Append copies recs into one new arena and publishes them together. Each
// recs[i].Offset must be End()+i; otherwise Append stores nothing and returns
// an error wrapping storage.ErrOutOfRange. IDs are stored as given: the
// caller keeps them strictly increasing, which SeekID relies on.
func (l *Log) Append(recs []storage.Record) error {
	if len(recs) == 0 {
		l.mu.RLock()
		defer l.mu.RUnlock()
		return l.usable()
	}
	a := newArena(recs)
	for i := range recs {
		l.scratch = append(l.scratch, a.record(&recs[i]))
	}
	defer func() {
		clear(l.scratch) // do not pin the arena until the next Append
		l.scratch = l.scratch[:0]
	}()

	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.usable(); err != nil {
		return err
	}
	for i := range recs {
		if want := l.end + int64(i); recs[i].Offset != want {
			return fmt.Errorf("memlog: %s: append of offset %d, want %d: %w",
				l.name, recs[i].Offset, want, storage.ErrOutOfRange)
		}
	}
	for i := range l.scratch {
		r := &l.scratch[i]
		c := l.active(len(l.scratch) - i)
		size := r.Size()
		c.push(r, size, len(l.scratch)-i)
		l.bytes += int64(size)
	}
	l.end += int64(len(recs))
	l.lastID = recs[len(recs)-1].ID
	return nil
}

// active returns the chunk the next record goes into, starting a new one when
// the last is full; need is how many records remain in the batch.
func (l *Log) active(need int) *chunk {
	if n := len(l.chunks); n > 0 {
		c := l.chunks[n-1]
		if len(c.recs) < chunkRecords && c.bytes < l.segBytes {
			return c
		}
		// The log has filled a chunk: size the next one in full at once.
		return l.push(newChunk(c.end(), c.runMax, chunkRecords))
	}
	return l.push(newChunk(l.end, math.MinInt64, need))
}

func (l *Log) push(c *chunk) *chunk {
	l.chunks = append(l.chunks, c)
	return c
}

// Read appends to dst the records from offset from on, at most maxCount
// (<= 0: no count limit) and about maxBytes of Record.Size (<= 0: no byte
// limit; the first record is always included). from < Start reads from
// Start; from >= End returns dst unchanged. The records alias stored bytes,
// which are never modified, and stay valid after trims.
func (l *Log) Read(dst []storage.Record, from int64, maxCount, maxBytes int) ([]storage.Record, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if err := l.usable(); err != nil {
		return dst, err
	}
	from = max(from, l.start)
	if from >= l.end {
		return dst, nil
	}
	n, size := 0, 0
	for ci := l.chunkAt(from); ci < len(l.chunks); ci++ {
		c := l.chunks[ci]
		for i := int(from - c.base); i < len(c.recs); i++ {
			r := &c.recs[i]
			if maxBytes > 0 {
				size += r.Size()
				if n > 0 && size > maxBytes {
					return dst, nil
				}
			}
			dst = append(dst, *r)
			n++
			if maxCount > 0 && n >= maxCount {
				return dst, nil
			}
		}
		from = c.end()
	}
	return dst, nil
}

// chunkAt returns the index of the chunk holding offset off (len(chunks) if
// none). Callers hold mu.
func (l *Log) chunkAt(off int64) int {
	return sort.Search(len(l.chunks), func(i int) bool { return l.chunks[i].end() > off })
}

// Start returns the first readable offset.
func (l *Log) Start() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.start
}

// End returns the offset the next appended record takes.
func (l *Log) End() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.end
}

// LastID returns the ID of the last record appended, zero if none ever was.
// Trimming does not reset it, so IDs stay increasing after the log empties.
func (l *Log) LastID() storage.StreamID {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.lastID
}

// Bytes returns the Record.Size total of the chunks held in memory, which
// includes records below Start that share a chunk with readable ones.
func (l *Log) Bytes() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.bytes
}

// Sync is a no-op: nothing in memory is durable. It fails only after Close.
func (l *Log) Sync() error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.usable()
}

// Close makes the handle unusable; the records stay in the Backend and
// OpenLog with the same name returns them. Closing twice is not an error.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	return nil
}

// Remove deletes the log from its Backend, as RemoveLog does.
func (l *Log) Remove() error {
	l.b.mu.Lock()
	defer l.b.mu.Unlock()
	if cur, ok := l.b.logs[l.name]; ok && cur == l {
		delete(l.b.logs, l.name)
	}
	l.drop()
	return nil
}
