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

	mu       sync.RWMutex // guards every field below
	chunks   []*chunk     // oldest first; offsets contiguous; chunks[0].base <= start
	start    int64        // first readable offset
	end      int64        // next offset to append
	bytes    int64        // sum of chunks[i].bytes
	lastID   storage.StreamID
	segBytes int64 // a chunk holding at least this many bytes is full
	closed   bool  // set by Close, cleared by a reopen
	removed  bool  // set by RemoveLog or Backend.Close; permanent

	// cur is the shared block records are encoded into (len is its used
	// part); curIn is cur's index in the last chunk's blocks, or -1 when
	// that chunk does not list it yet. A block may hold the records of two
	// neighbouring chunks; it is freed when neither is held any more.
	cur   []byte
	curIn int
}

var _ storage.Log = (*Log)(nil)

func newLog(b *Backend, name string, opts storage.LogOptions) *Log {
	return &Log{
		b:        b,
		name:     name,
		start:    opts.InitialOffset,
		end:      opts.InitialOffset,
		segBytes: segBytes(opts),
		curIn:    -1,
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
	l.cur, l.curIn = nil, -1
}

// Append encodes recs into the log's chunks and blocks and publishes them
// together. Each recs[i].Offset must be End()+i; otherwise Append stores
// nothing and returns an error wrapping storage.ErrOutOfRange. IDs are
// stored as given: the caller keeps them strictly increasing, which SeekID
// relies on.
//
// Once the log is warm Append allocates only a new block every maxBlock
// bytes and a new chunk every chunkRecords records.
func (l *Log) Append(recs []storage.Record) error {
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
	if len(recs) == 0 {
		return nil
	}
	// Readers are locked out, so records are encoded straight into place:
	// nothing below can fail, and a reader sees them all or none.
	for i := range recs {
		r := &recs[i]
		c := l.active(r.Timestamp, len(recs)-i)
		n := dataLen(r)
		blk, at := l.place(c, n)
		if d := appendData(c.blocks[blk][at:at], r); len(d) != n || n > 0 && &d[0] != &c.blocks[blk][at] {
			panic("memlog: record bytes not stored in place") // a bug, not bad input
		}
		c.pos = append(c.pos, uint64(len(c.meta))<<32|uint64(blk)<<refShift|uint64(at))
		c.meta = appendMeta(c.meta, r, c.ts0)
		size := r.Size()
		c.bytes += int64(size)
		c.maxTS = max(c.maxTS, r.Timestamp)
		c.runMax = max(c.runMax, r.Timestamp)
		c.lastID = r.ID
		l.bytes += int64(size)
	}
	l.end += int64(len(recs))
	l.lastID = recs[len(recs)-1].ID
	return nil
}

// maxMeta is the metadata size at which a chunk is full, keeping offsets
// into it within the 32 bits a position holds.
const maxMeta = 1 << 31

// active returns the chunk the next record (with timestamp ts) goes into,
// starting a new one when the last is full, and makes room in its pos for
// the record; need is how many records remain in the batch.
func (l *Log) active(ts int64, need int) *chunk {
	n := len(l.chunks)
	if n == 0 {
		return l.push(newChunk(l.end, math.MinInt64, ts, need, 0))
	}
	c := l.chunks[n-1]
	if c.n() >= chunkRecords || c.bytes >= l.segBytes || len(c.meta) >= maxMeta {
		// Size the next chunk like this full one.
		c.seal()
		return l.push(newChunk(c.end(), c.runMax, ts, max(c.n(), need), len(c.meta)+len(c.meta)/8))
	}
	if len(c.pos) == cap(c.pos) {
		// Only a log's first chunk (or one after a chunk of few large
		// records) starts small: grow it geometrically so a log of a few
		// records does not pin a full chunk's positions.
		pos := make([]uint64, len(c.pos), min(max(2*cap(c.pos), len(c.pos)+need), chunkRecords))
		copy(pos, c.pos)
		c.pos = pos
	}
	return c
}

func (l *Log) push(c *chunk) *chunk {
	l.chunks = append(l.chunks, c)
	l.curIn = -1
	return c
}

// place finds n free bytes in a block for a record of chunk c (the last
// chunk) and returns the index of their block in c.blocks and their offset
// in it. A record without bytes gets a place too, so every record names a
// block.
func (l *Log) place(c *chunk, n int) (blk, at int) {
	if n > ownBlock {
		c.blocks = append(c.blocks, make([]byte, n))
		return len(c.blocks) - 1, 0
	}
	if cap(l.cur)-len(l.cur) < n {
		// Abandon the rest of cur; blocks double up to maxBlock so small
		// logs stay small.
		size := min(max(2*cap(l.cur), 2*n, minBlock), maxBlock)
		l.cur, l.curIn = make([]byte, 0, size), -1
	}
	if l.curIn < 0 {
		c.blocks = append(c.blocks, l.cur[:cap(l.cur)])
		l.curIn = len(c.blocks) - 1
	}
	at = len(l.cur)
	l.cur = l.cur[:at+n]
	return l.curIn, at
}

// Read appends to dst the records from offset from on, at most maxCount
// (<= 0: no count limit) and about maxBytes of Record.Size (<= 0: no byte
// limit; the first record is always included). from < Start reads from
// Start; from >= End returns dst unchanged. The records' byte slices alias
// stored blocks, which are never modified, and stay valid after trims; their
// Headers share slabs the Read allocates (one per up to 1024 pairs).
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
	left := l.end - from // records that may still be read
	if maxCount > 0 {
		left = min(left, int64(maxCount))
	}
	n0 := len(dst)
	var hs []storage.Header
	size := 0
	for ci := l.chunkAt(from); ci < len(l.chunks); ci++ {
		c := l.chunks[ci]
		for i := int(from - c.base); i < c.n(); i++ {
			// decode sets every field, so a spare slot of dst need not be
			// zeroed first.
			if len(dst) < cap(dst) {
				dst = dst[:len(dst)+1]
			} else {
				dst = append(dst, storage.Record{})
			}
			r := &dst[len(dst)-1]
			hs = c.decode(i, r, hs, slabSize{left, maxBytes, size})
			r.Offset = c.base + int64(i)
			if maxBytes > 0 {
				if size += r.Size(); size > maxBytes && len(dst)-1 > n0 {
					*r = storage.Record{} // do not pin its block from dst's spare capacity
					return dst[:len(dst)-1], nil
				}
			}
			if left--; left == 0 {
				return dst, nil
			}
		}
		from = c.end()
	}
	return dst, nil
}

// slabSize sizes a new header slab for the rest of a Read: the records still
// wanted, capped by a byte limit if there is one.
type slabSize struct {
	left           int64 // records still wanted
	maxBytes, size int   // the Read's byte limit (<= 0: none) and bytes so far
}

// records is how many more records the slab should have room for.
func (s slabSize) records() int {
	n := int(min(s.left, slabPairs))
	if s.maxBytes > 0 {
		// A record with a header has a Record.Size of at least 48.
		n = min(n, (s.maxBytes-s.size)/48+1)
	}
	return max(n, 1)
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
