// Chunks of records and the batch arena that Append copies into.

package memlog

import (
	"math"

	"junction/storage"
)

// chunkRecords is the most records one chunk holds.
const chunkRecords = 4096

// defaultSegBytes is the byte size at which a chunk is closed when
// LogOptions.SegmentBytes is zero.
const defaultSegBytes = 64 << 20

// chunk is a run of consecutive records. Only the log's last chunk grows;
// records already in recs are never modified, so readers may copy them out
// and keep aliasing their byte slices.
type chunk struct {
	base   int64            // offset of recs[0]
	recs   []storage.Record // len grows up to chunkRecords
	bytes  int64            // sum of Record.Size over recs
	maxTS  int64            // largest timestamp in recs
	runMax int64            // largest timestamp in this and every earlier chunk still held
}

func newChunk(base, runMax int64, capHint int) *chunk {
	capHint = min(max(capHint, 16), chunkRecords)
	return &chunk{
		base:   base,
		recs:   make([]storage.Record, 0, capHint),
		maxTS:  math.MinInt64,
		runMax: runMax,
	}
}

// end is the offset after the chunk's last record.
func (c *chunk) end() int64 { return c.base + int64(len(c.recs)) }

// push appends r, growing recs geometrically (wanting room for need records)
// so a chunk of a few records does not pin a full chunk's memory.
func (c *chunk) push(r *storage.Record, size int, need int) {
	if len(c.recs) == cap(c.recs) {
		n := min(max(2*cap(c.recs), len(c.recs)+need), chunkRecords)
		recs := make([]storage.Record, len(c.recs), n)
		copy(recs, c.recs)
		c.recs = recs
	}
	c.recs = append(c.recs, *r)
	c.bytes += int64(size)
	c.maxTS = max(c.maxTS, r.Timestamp)
	c.runMax = max(c.runMax, r.Timestamp)
}

// empty is the non-nil zero-length slice that stands for an empty (not nil)
// field, so copies keep the nil/empty distinction (a nil Key is a null key).
var empty = []byte{}

// arena hands out pieces of one allocation holding a batch's bytes.
type arena struct {
	buf []byte
	hdr []storage.Header
}

// newArena allocates room for every byte slice and header of recs: one
// []byte allocation, plus one []Header allocation if any record has headers.
func newArena(recs []storage.Record) arena {
	n, nh := 0, 0
	for i := range recs {
		r := &recs[i]
		n += len(r.Key) + len(r.Value) + len(r.Native)
		nh += len(r.Headers)
		for _, h := range r.Headers {
			n += len(h.Key) + len(h.Value)
		}
	}
	var a arena
	if n > 0 {
		a.buf = make([]byte, n)
	}
	if nh > 0 {
		a.hdr = make([]storage.Header, nh)
	}
	return a
}

// bytes copies p into the arena. The result has its capacity clipped so an
// append by a reader cannot overwrite the next slice.
func (a *arena) bytes(p []byte) []byte {
	if p == nil {
		return nil
	}
	if len(p) == 0 {
		return empty
	}
	n := copy(a.buf, p)
	q := a.buf[:n:n]
	a.buf = a.buf[n:]
	return q
}

// record returns a copy of r whose byte slices and headers live in the arena.
func (a *arena) record(r *storage.Record) storage.Record {
	c := *r
	c.Key = a.bytes(r.Key)
	c.Value = a.bytes(r.Value)
	c.Native = a.bytes(r.Native)
	if len(r.Headers) > 0 {
		hs := a.hdr[:len(r.Headers):len(r.Headers)]
		a.hdr = a.hdr[len(r.Headers):]
		for i, h := range r.Headers {
			hs[i] = storage.Header{Key: a.bytes(h.Key), Value: a.bytes(h.Value)}
		}
		c.Headers = hs
	} else if r.Headers != nil {
		c.Headers = []storage.Header{}
	}
	return c
}
