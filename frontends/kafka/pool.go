// Pooled buffers: request frames and fetch responses by power-of-two size
// class, so steady traffic does not allocate and clear a megabyte per
// request, and the record slices produced batches decode into and fetches
// read into.

package kafka

import (
	"math/bits"
	"sync"

	"junction/storage"
)

const (
	minPoolShift = 12 // 4 KiB
	maxPoolShift = 24 // 16 MiB
)

var bufPools [maxPoolShift + 1]sync.Pool // *[]byte with cap 1<<class

// getBuf returns an empty buffer with room for n bytes.
func getBuf(n int) []byte {
	if b, ok := pooledBuf(n); ok {
		return b
	}
	if class := sizeClass(n); class <= maxPoolShift {
		return make([]byte, 0, 1<<class)
	}
	return make([]byte, 0, n)
}

// pooledBuf returns an empty pooled buffer with room for n bytes if one is
// free, without allocating.
func pooledBuf(n int) ([]byte, bool) {
	class := sizeClass(n)
	if class > maxPoolShift {
		return nil, false
	}
	if p, ok := bufPools[class].Get().(*[]byte); ok {
		return (*p)[:0], true
	}
	return nil, false
}

// sizeClass is the pool class of an n-byte buffer.
func sizeClass(n int) int {
	return max(bits.Len(uint(max(n, 1)-1)), minPoolShift)
}

// putBuf returns a buffer from getBuf for reuse; b must not be used after.
func putBuf(b []byte) {
	c := cap(b)
	if c == 0 || c&(c-1) != 0 {
		return // not from getBuf (or grown by append)
	}
	class := bits.Len(uint(c)) - 1
	if class < minPoolShift || class > maxPoolShift {
		return
	}
	b = b[:0]
	bufPools[class].Put(&b)
}

var recordSlices sync.Pool // *[]storage.Record

// getRecords returns an empty record slice, with room for up to n records
// (at most 1024: it grows as records parse).
func getRecords(n int) []storage.Record {
	if p, ok := recordSlices.Get().(*[]storage.Record); ok {
		return (*p)[:0]
	}
	return make([]storage.Record, 0, min(n, 1024))
}

// putRecords returns a record slice once nothing uses it: for a produced
// batch after Partition.Append (the storage copies), for a fetch once the
// records are encoded. Very large slices are left to the GC.
func putRecords(recs []storage.Record) {
	if cap(recs) == 0 || cap(recs) > 1<<16 {
		return
	}
	// Pooled slices are kept zeroed beyond their length: every user
	// appends from length 0, so clearing what it used restores that, and
	// no stale record pins request or storage memory.
	clear(recs)
	recs = recs[:0]
	recordSlices.Put(&recs)
}
