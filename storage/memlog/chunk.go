// Chunks of records: their metadata stream, the blocks their bytes live in,
// and the record encoding.

package memlog

import (
	"encoding/binary"
	"math"

	"junction/storage"
)

// chunkRecords is the most records one chunk holds.
const chunkRecords = 4096

// defaultSegBytes is the byte size at which a chunk is closed when
// LogOptions.SegmentBytes is zero.
const defaultSegBytes = 64 << 20

// Blocks: a record's bytes (key, value, native and header pairs, back to
// back) go into byte blocks shared by a log's consecutive records; blocks
// grow per log from minBlock to maxBlock bytes. A record with more than
// ownBlock bytes gets a block of its own, so the tail a block is abandoned
// with stays small next to what it holds.
const (
	refShift = 18 // bits of a block reference that hold the byte offset
	maxBlock = 1 << refShift
	ownBlock = maxBlock / 4
	minBlock = 256
	refMask  = 1<<refShift - 1
)

// A chunk's records add at most one block each to its blocks, whose index
// must fit in the 32-refShift bits a position has for it.
const _ uint = 1<<(32-refShift) - chunkRecords - 1

// chunk is a run of consecutive records. Only the log's last chunk grows.
//
// A record is stored as metadata (its offset in meta, see the encoding
// below) and bytes (in blocks). The metadata of neighbouring records is
// contiguous, so Read and the seeks decode it without touching the bytes,
// which Read only aliases. Bytes in a block are never written again once a
// record is in it; meta may be reallocated as it grows (nothing aliases it).
//
// Everything a chunk holds per record is pointer-free, so the garbage
// collector does not scan stored records. A record costs its bytes, about
// ten bytes of metadata and eight of position.
type chunk struct {
	base   int64    // offset of the first record
	ts0    int64    // timestamp the records' timestamps are encoded against
	meta   []byte   // the records' metadata, back to back
	pos    []uint64 // per record: offset in meta<<32 | block index<<refShift | byte offset in the block
	blocks [][]byte // the blocks this chunk's records' bytes are in (full-capacity views)
	bytes  int64    // sum of Record.Size over the records
	maxTS  int64    // largest timestamp in the chunk
	runMax int64    // largest timestamp in this and every earlier chunk still held
	lastID storage.StreamID
}

// newChunk returns a chunk with room for about n records with metaBytes of
// metadata.
func newChunk(base, runMax, ts0 int64, n, metaBytes int) *chunk {
	n = min(max(n, 16), chunkRecords)
	return &chunk{
		base:   base,
		ts0:    ts0,
		meta:   make([]byte, 0, max(metaBytes, 16*n)),
		pos:    make([]uint64, 0, n),
		maxTS:  math.MinInt64,
		runMax: runMax,
	}
}

// n is the number of records in the chunk.
func (c *chunk) n() int { return len(c.pos) }

// end is the offset after the chunk's last record.
func (c *chunk) end() int64 { return c.base + int64(len(c.pos)) }

// seal drops the spare capacity of a chunk that will not grow again.
func (c *chunk) seal() {
	if cap(c.meta)-len(c.meta) > len(c.meta)/16 {
		c.meta = append([]byte(nil), c.meta...)
	}
	if cap(c.pos)-len(c.pos) > len(c.pos)/16 {
		c.pos = append([]uint64(nil), c.pos...)
	}
}

// Metadata of one record, every integer a uvarint:
//
//	origin byte
//	zigzag(Timestamp - chunk.ts0)
//	zigzag(ID.Ms - Timestamp)     (0 for Redis entries, whose ID is their time)
//	ID.Seq
//	Key, Value, Native            each 0 for nil, else its length+1
//	0 for nil Headers, else count+1, then each header's Key and Value as above
//
// Differences are taken modulo 2^64, so every value round-trips. The offset
// is not stored: it is the chunk's base plus the record's index. The bytes
// of the fields follow one another in the record's block in the same order.

func zigzag(v int64) uint64   { return uint64(v<<1) ^ uint64(v>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// lenCode is a field's length as the metadata stores it.
func lenCode(p []byte) uint64 {
	if p == nil {
		return 0
	}
	return uint64(len(p)) + 1
}

// appendMeta appends r's metadata against ts0 to b.
func appendMeta(b []byte, r *storage.Record, ts0 int64) []byte {
	b = append(b, byte(r.Origin))
	b = binary.AppendUvarint(b, zigzag(r.Timestamp-ts0))
	b = binary.AppendUvarint(b, zigzag(int64(r.ID.Ms-uint64(r.Timestamp))))
	b = binary.AppendUvarint(b, r.ID.Seq)
	b = binary.AppendUvarint(b, lenCode(r.Key))
	b = binary.AppendUvarint(b, lenCode(r.Value))
	b = binary.AppendUvarint(b, lenCode(r.Native))
	if r.Headers == nil {
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(r.Headers))+1)
	for i := range r.Headers {
		b = binary.AppendUvarint(b, lenCode(r.Headers[i].Key))
		b = binary.AppendUvarint(b, lenCode(r.Headers[i].Value))
	}
	return b
}

// dataLen is the number of bytes r's fields take in a block.
func dataLen(r *storage.Record) int {
	n := len(r.Key) + len(r.Value) + len(r.Native)
	for i := range r.Headers {
		n += len(r.Headers[i].Key) + len(r.Headers[i].Value)
	}
	return n
}

// appendData appends r's field bytes to b.
func appendData(b []byte, r *storage.Record) []byte {
	b = append(b, r.Key...)
	b = append(b, r.Value...)
	b = append(b, r.Native...)
	for i := range r.Headers {
		b = append(b, r.Headers[i].Key...)
		b = append(b, r.Headers[i].Value...)
	}
	return b
}

// Decoding. Read decodes every record it returns, so the one-byte cases
// are written out inline (the compiler would not inline them as helpers)
// and longer uvarints go to uvarintAt.

// uvarintAt decodes the uvarint at b[p:] and returns it and the position
// after it.
//
//go:noinline
func uvarintAt(b []byte, p int) (uint64, int) {
	c0 := b[p]
	if c0 < 0x80 {
		return uint64(c0), p + 1
	}
	if c1 := b[p+1]; c1 < 0x80 { // two bytes: lengths under 16 KiB, close timestamps
		return uint64(c0&0x7f) | uint64(c1)<<7, p + 2
	}
	var v uint64
	for s := 0; ; s += 7 {
		c := b[p]
		p++
		if c < 0x80 {
			return v | uint64(c)<<s, p
		}
		v |= uint64(c&0x7f) << s
	}
}

// empty is the non-nil empty field: a nil field is a null (e.g. a null key).
var empty = []byte{}

// fields decodes len(dst) field lengths from meta[p:] and sets dst to the
// fields, cut from data[q:] with their capacity clipped so a reader's
// append cannot overwrite the next field. It returns the positions after
// them in meta and data.
func fields(dst [][]byte, meta []byte, p int, data []byte, q int) (int, int) {
	for k := range dst {
		n := uint64(meta[p])
		if n < 0x80 {
			p++
		} else {
			n, p = uvarintAt(meta, p)
		}
		switch n {
		case 0:
			dst[k] = nil
		case 1:
			dst[k] = empty
		default:
			e := q + int(n) - 1
			dst[k] = data[q:e:e]
			q = e
		}
	}
	return p, q
}

// timestamp returns record i's timestamp.
func (c *chunk) timestamp(i int) int64 {
	u, _ := uvarintAt(c.meta, int(c.pos[i]>>32)+1)
	return c.ts0 + unzigzag(u)
}

// id returns record i's ID.
func (c *chunk) id(i int) storage.StreamID {
	u, p := uvarintAt(c.meta, int(c.pos[i]>>32)+1)
	ts := c.ts0 + unzigzag(u)
	u, p = uvarintAt(c.meta, p)
	seq, _ := uvarintAt(c.meta, p)
	return storage.StreamID{Ms: uint64(ts) + uint64(unzigzag(u)), Seq: seq}
}

// slabPairs caps the header pairs decode allocates for in one slab.
const slabPairs = 1024

// noHeaders is the non-nil empty Headers a record appended with one reads back as.
var noHeaders = []storage.Header{}

// decode sets every field of r but Offset from record i. Header pairs go
// into hs; when it is full, decode allocates a new slab with room for
// slab.records() more records like this one (capped at slabPairs pairs,
// unless this one needs more). Records decoded earlier keep the old slab,
// which is never written again. r.Headers is a capacity-clipped window of hs. It returns hs.
func (c *chunk) decode(i int, r *storage.Record, hs []storage.Header, slab slabSize) []storage.Header {
	pos := c.pos[i]
	meta := c.meta
	data := c.blocks[uint32(pos)>>refShift]
	q := int(pos & refMask)
	p := int(pos >> 32)
	r.Origin = storage.Origin(meta[p])
	p++
	u := uint64(meta[p])
	if u < 0x80 {
		p++
	} else {
		u, p = uvarintAt(meta, p)
	}
	r.Timestamp = c.ts0 + unzigzag(u)
	if u = uint64(meta[p]); u < 0x80 {
		p++
	} else {
		u, p = uvarintAt(meta, p)
	}
	r.ID.Ms = uint64(r.Timestamp) + uint64(unzigzag(u))
	if u = uint64(meta[p]); u < 0x80 {
		p++
	} else {
		u, p = uvarintAt(meta, p)
	}
	r.ID.Seq = u
	var f [3][]byte
	p, q = fields(f[:], meta, p, data, q)
	r.Key, r.Value, r.Native = f[0], f[1], f[2]
	if u = uint64(meta[p]); u < 0x80 {
		p++
	} else {
		u, p = uvarintAt(meta, p)
	}
	switch u {
	case 0:
		r.Headers = nil
		return hs
	case 1:
		r.Headers = noHeaders
		return hs
	}
	nh := int(u - 1)
	if cap(hs)-len(hs) < nh {
		hs = make([]storage.Header, 0, max(nh, min(nh*slab.records(), slabPairs)))
	}
	h0, h1 := len(hs), len(hs)+nh
	hs = hs[:h1]
	for j := h0; j < h1; j++ {
		p, q = fields(f[:2], meta, p, data, q)
		hs[j] = storage.Header{Key: f[0], Value: f[1]}
	}
	r.Headers = hs[h0:h1:h1]
	return hs
}
