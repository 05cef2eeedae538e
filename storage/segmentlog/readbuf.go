// Read buffers: the memory that Read's records alias, recycled only once
// the garbage collector has proved that nothing refers to it.
//
// The rule. Records returned by Read alias the buffer their frames were
// read into, and a caller may keep them, or any byte slice in them, for as
// long as it likes (storage.Log promises they stay valid). Callers do keep
// them: the broker's queue recovery keeps message bodies for the queue's
// life, Partition.ReadRangeRev copies records out of a slice it then
// passes to the next read, and any reused dst slice holds old records until
// they are overwritten. So no later call — a Read, or passing the same dst
// again — may recycle a buffer. Only the collector knows when the last
// reference is gone.
//
// A buffer of minPooled to maxPooled bytes is therefore a byte array of a
// size class carrying a finalizer. When the collector finds the array
// unreachable, the finalizer puts it in its class's sync.Pool (which lets go
// of arrays that stay unused for two collections), and a later read of that
// class reads into it instead of allocating and zeroing a new one: zeroing
// and the collections that fresh buffers cause were about 40% of a
// sequential read's CPU time. The bytes past what a read fills are never handed out
// (slices are capped), so stale contents never show.
//
// The cost: a record that is kept pins its buffer's whole class size, at
// most one class step more than the window read (about 19%; up to 25%
// below 128 KiB, where sizes round to 4 KiB). Buffers below minPooled
// (small reads, where a kept record would pin a large array) and above
// maxPooled are plain allocations, freed by the collector as usual.

package segmentlog

import (
	"math"
	"reflect"
	"runtime"
	"slices"
	"sync"
)

const (
	minPooled = 32 << 10
	maxPooled = 4 << 20
	// classSteps size classes per doubling: each about 19% above the last.
	classSteps = 4
)

// bufClass is one size class of pooled read buffers.
type bufClass struct {
	size    int
	typ     reflect.Type // [size]byte
	free    sync.Pool    // *[size]byte, finalized and unreferenced
	recycle func(any)    // the finalizer: puts the array in free
}

// bufClasses are the size classes, ascending: minPooled to maxPooled in
// classSteps per doubling, rounded up to 4 KiB.
var bufClasses = func() []*bufClass {
	var cs []*bufClass
	for i := 0; ; i++ {
		size := minPooled * math.Pow(2, float64(i)/classSteps)
		n := (int(math.Ceil(size)) + 4095) &^ 4095
		if n > maxPooled {
			return cs
		}
		c := &bufClass{size: n, typ: reflect.ArrayOf(n, reflect.TypeFor[byte]())}
		c.recycle = func(a any) { c.free.Put(a) }
		cs = append(cs, c)
	}
}()

// readBuf returns a buffer of n bytes for a read whose records may be
// kept (see the file comment). Its contents are unspecified.
func readBuf(n int) []byte {
	if n < minPooled || n > maxPooled {
		return make([]byte, n)
	}
	i, _ := slices.BinarySearchFunc(bufClasses, n, func(c *bufClass, n int) int { return c.size - n })
	c := bufClasses[i]
	a := c.free.Get()
	if a == nil {
		a = reflect.New(c.typ).Interface()
	}
	runtime.SetFinalizer(a, c.recycle)
	return reflect.ValueOf(a).Elem().Bytes()[:n:n]
}
