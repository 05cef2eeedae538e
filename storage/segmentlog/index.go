// Sparse segment index: one fixed-width entry per ~indexInterval bytes of
// log, the first at position 0. An entry (entrySize bytes, little endian) is
//
//	relOffset uint32  record offset - segment base
//	pos       uint32  file position of the record's frame
//	maxTs     int64   max timestamp of the segment's records before this one (MinInt64 for the first)
//	id.ms     uint64  the record's StreamID
//	id.seq    uint64
//
// Offsets and IDs grow along the index and maxTs never falls, so offset,
// ID and time lookups are binary searches followed by a scan of at most one
// interval (see seek.go for the one exception).

package segmentlog

import (
	"encoding/binary"
	"math"
	"os"

	"junction/storage"
)

const (
	entrySize     = 32
	indexInterval = 4096 // log bytes between index entries
	// idxFlushEntries: the appender writes pending entries to the index
	// file once this many have accumulated (and on roll and Close), so most
	// appends make a single write and recovery rescans at most about
	// idxFlushEntries*indexInterval bytes.
	idxFlushEntries = 256
)

// indexEntry is an index entry with absolute offset and position.
type indexEntry struct {
	off   int64
	pos   int64
	maxTs int64
	id    storage.StreamID
}

// appendEntry appends the encoding of e (in a segment based at base) to b.
func appendEntry(b []byte, base int64, e indexEntry) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(e.off-base))
	b = binary.LittleEndian.AppendUint32(b, uint32(e.pos))
	b = binary.LittleEndian.AppendUint64(b, uint64(e.maxTs))
	b = binary.LittleEndian.AppendUint64(b, e.id.Ms)
	return binary.LittleEndian.AppendUint64(b, e.id.Seq)
}

func decodeEntry(b []byte, base int64) indexEntry {
	return indexEntry{
		off:   base + int64(binary.LittleEndian.Uint32(b)),
		pos:   int64(binary.LittleEndian.Uint32(b[4:])),
		maxTs: int64(binary.LittleEndian.Uint64(b[8:])),
		id: storage.StreamID{
			Ms:  binary.LittleEndian.Uint64(b[16:]),
			Seq: binary.LittleEndian.Uint64(b[24:]),
		},
	}
}

// parseIndex decodes raw and returns its longest plausible prefix: the first
// entry at (base, 0), offsets and positions strictly increasing, maxTs
// non-decreasing, positions below size and offsets below end. (IDs are not
// checked: they only guide SeekID, which verifies what it scans.)
func parseIndex(raw []byte, base, size, end int64) []indexEntry {
	n := len(raw) / entrySize
	idx := make([]indexEntry, 0, n)
	for i := range n {
		e := decodeEntry(raw[i*entrySize:], base)
		if e.pos >= size || e.off >= end {
			break
		}
		if i == 0 {
			if e.off != base || e.pos != 0 || e.maxTs != math.MinInt64 {
				break
			}
		} else if p := idx[i-1]; e.off <= p.off || e.pos <= p.pos || e.maxTs < p.maxTs {
			break
		}
		idx = append(idx, e)
	}
	return idx
}

// readIndexEnds returns the first and last entries of an index file without
// reading the rest.
func readIndexEnds(path string, base int64) (first, last indexEntry, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return first, last, false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() < entrySize {
		return first, last, false
	}
	var b [entrySize]byte
	if _, err := f.ReadAt(b[:], 0); err != nil {
		return first, last, false
	}
	first = decodeEntry(b[:], base)
	if _, err := f.ReadAt(b[:], st.Size()/entrySize*entrySize-entrySize); err != nil {
		return first, last, false
	}
	last = decodeEntry(b[:], base)
	return first, last, true
}

// atOrBefore returns the index of the last entry with offset <= off
// (0 when off precedes them all; idx must not be empty).
func atOrBefore(idx []indexEntry, off int64) int {
	lo, hi := 0, len(idx) // invariant: idx[:lo].off <= off < idx[hi:].off
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if idx[m].off <= off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return max(lo-1, 0)
}

// firstAtOrAfter returns the index of the first entry with offset >= off,
// or len(idx).
func firstAtOrAfter(idx []indexEntry, off int64) int {
	lo, hi := 0, len(idx)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if idx[m].off < off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// lastMaxTsBelow returns the index of the last entry whose maxTs < ts: every
// record before it is older than ts (0 when there is none).
func lastMaxTsBelow(idx []indexEntry, ts int64) int {
	lo, hi := 0, len(idx)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if idx[m].maxTs < ts {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return max(lo-1, 0)
}

// lastIDBelow returns the index of the last entry whose ID < id (0 when
// there is none).
func lastIDBelow(idx []indexEntry, id storage.StreamID) int {
	lo, hi := 0, len(idx)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if idx[m].id.Less(id) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return max(lo-1, 0)
}
