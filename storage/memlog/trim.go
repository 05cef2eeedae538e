// Log: SeekTime, SeekID, TruncateFront and Retain.

package memlog

import (
	"fmt"
	"sort"

	"junction/storage"
)

// SeekTime returns the first offset at or after Start whose timestamp is >=
// ts, or End() if there is none. The answer is exact even when timestamps are
// not monotonic: chunks are found by binary search on the running maximum
// timestamp, then scanned, so it costs O(log chunks + chunkRecords) when
// timestamps are (nearly) in order.
func (l *Log) SeekTime(ts int64) (int64, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if err := l.usable(); err != nil {
		return 0, err
	}
	// Every chunk before i holds only timestamps < ts.
	i := sort.Search(len(l.chunks), func(i int) bool { return l.chunks[i].runMax >= ts })
	for ; i < len(l.chunks); i++ {
		c := l.chunks[i]
		if c.maxTS < ts {
			continue
		}
		for j := max(0, int(l.start-c.base)); j < c.n(); j++ {
			if c.timestamp(j) >= ts {
				return c.base + int64(j), nil
			}
		}
	}
	return l.end, nil
}

// SeekID returns the first offset at or after Start whose ID is >= id, or
// End() if there is none, by binary search (IDs are strictly increasing).
func (l *Log) SeekID(id storage.StreamID) (int64, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if err := l.usable(); err != nil {
		return 0, err
	}
	i := sort.Search(len(l.chunks), func(i int) bool {
		return !l.chunks[i].lastID.Less(id)
	})
	if i == len(l.chunks) {
		return l.end, nil
	}
	c := l.chunks[i]
	lo := max(0, int(l.start-c.base))
	j := lo + sort.Search(c.n()-lo, func(j int) bool { return !c.id(lo + j).Less(id) })
	return c.base + int64(j), nil
}

// TruncateFront makes offsets below before unreadable and frees every chunk
// that lies entirely below it. before <= Start is a no-op; before > End fails
// with storage.ErrOutOfRange.
func (l *Log) TruncateFront(before int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.usable(); err != nil {
		return err
	}
	if before > l.end {
		return fmt.Errorf("memlog: %s: truncate to %d beyond end %d: %w",
			l.name, before, l.end, storage.ErrOutOfRange)
	}
	if before <= l.start {
		return nil
	}
	l.start = before
	k := 0
	for k < len(l.chunks) && l.chunks[k].end() <= before {
		k++
	}
	l.dropChunks(k)
	return nil
}

// Retain drops the oldest chunks, never the last one, while the log holds
// more than maxBytes (<= 0: no limit) or the chunk's newest timestamp is
// below minTimestamp (<= 0: no limit). It returns the new Start.
func (l *Log) Retain(maxBytes int64, minTimestamp int64) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.usable(); err != nil {
		return 0, err
	}
	k, held := 0, l.bytes
	for ; k < len(l.chunks)-1; k++ {
		c := l.chunks[k]
		overBytes := maxBytes > 0 && held > maxBytes
		tooOld := minTimestamp > 0 && c.maxTS < minTimestamp
		if !overBytes && !tooOld {
			break
		}
		held -= c.bytes
	}
	l.dropChunks(k)
	if len(l.chunks) > 0 {
		l.start = max(l.start, l.chunks[0].base)
	}
	return l.start, nil
}

// dropChunks frees chunks[:k], moving the rest down so the slice's backing
// array does not keep freed chunks reachable. Callers hold mu.
func (l *Log) dropChunks(k int) {
	if k == 0 {
		return
	}
	for _, c := range l.chunks[:k] {
		l.bytes -= c.bytes
	}
	n := copy(l.chunks, l.chunks[k:])
	clear(l.chunks[n:])
	l.chunks = l.chunks[:n]
}
