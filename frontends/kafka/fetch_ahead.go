// Fetch read-ahead. A consumer catching up fetches, decodes what it got,
// and only then asks for the next offsets: the server's read and encoding
// of each response sit on that loop's critical path. So when a response
// stops short of a partition's end, the connection encodes the partition's
// next record set in the background while the client is busy with this one,
// and the fetch that asks for it (same partition, offset and byte limit)
// takes it instead of reading.
//
// A set read ahead is what a read at that moment would have returned; it is
// used only if nothing it holds has gone since: the partition is the same
// (not a deleted and recreated topic), its Start is still at or below the
// offset (trimming and retention move Start) and Partition.Deletions is
// unchanged (XDEL). Records appended since are left for the next fetch, as
// a read a moment earlier would have. A set that is not taken by the next
// fetch of its partition, or that the connection no longer needs, goes
// back to the pool. Each connection keeps at most one set per partition,
// and one response leads to at most aheadMaxBytes of partition limits read
// ahead.
package kafka

import (
	"sync"

	"junction/broker"
)

// aheadMaxBytes bounds the partition limits one response reads ahead, in
// sum; the partitions beyond it are read when asked.
const aheadMaxBytes = 16 << 20

// aheadSet is one partition's next record set, being or done encoded.
type aheadSet struct {
	p         *broker.Partition
	off       int64 // the fetch offset it answers
	limit     int   // the partition byte limit it was read with
	logAppend bool
	dels      uint64        // p.Deletions() before the read
	done      chan struct{} // closed when set, next and err are final
	set       []byte        // pooled; nil: nothing read
	next      int64         // the offset after set's last record
	err       error
}

// readAhead is a connection's sets read ahead, at most one per partition.
type readAhead struct {
	mu   sync.Mutex
	sets map[*broker.Partition]*aheadSet
	wg   sync.WaitGroup // running reads
}

// aheadNext is a partition a response left data behind in: where the next
// fetch of it will most likely start, and with what limit.
type aheadNext struct {
	p         *broker.Partition
	off       int64
	limit     int
	logAppend bool
}

// start reads the next set of each partition in next in the background,
// replacing any set kept for it.
func (ra *readAhead) start(next []aheadNext) {
	if ra == nil || len(next) == 0 {
		return
	}
	ra.mu.Lock()
	defer ra.mu.Unlock()
	if ra.sets == nil {
		ra.sets = make(map[*broker.Partition]*aheadSet)
	}
	room := aheadMaxBytes
	for _, n := range next {
		if n.limit <= 0 || n.limit > room {
			continue
		}
		room -= n.limit
		if old := ra.sets[n.p]; old != nil {
			delete(ra.sets, n.p)
			old.discard()
		}
		a := &aheadSet{p: n.p, off: n.off, limit: n.limit, logAppend: n.logAppend, dels: n.p.Deletions(), done: make(chan struct{})}
		ra.sets[n.p] = a
		ra.wg.Add(1)
		go func() {
			defer ra.wg.Done()
			defer close(a.done)
			st := fetchState{buf: getRecords(1024)}
			a.set, a.next, a.err = fetchRecords(&st, a.p, a.off, a.p.End(), a.limit, false, a.logAppend)
			putRecords(st.buf)
		}()
	}
}

// take returns the set read ahead for p at off with limit and logAppend,
// once it is done and still valid, and the offset after it; it forgets p's
// set either way. nil: read as usual.
func (ra *readAhead) take(p *broker.Partition, off int64, limit int, logAppend bool) ([]byte, int64) {
	if ra == nil {
		return nil, 0
	}
	ra.mu.Lock()
	a := ra.sets[p]
	if a != nil {
		delete(ra.sets, p)
	}
	ra.mu.Unlock()
	if a == nil {
		return nil, 0
	}
	if a.off != off || a.limit != limit || a.logAppend != logAppend {
		a.discard()
		return nil, 0
	}
	<-a.done
	if a.err != nil || len(a.set) == 0 || p.Start() > off || p.Deletions() != a.dels {
		a.discard()
		return nil, 0
	}
	return a.set, a.next
}

// discard returns a's set to the pool once its read is done.
func (a *aheadSet) discard() {
	select {
	case <-a.done:
		a.release()
	default:
		go func() {
			<-a.done
			a.release()
		}()
	}
}

func (a *aheadSet) release() {
	if a.set != nil {
		putBuf(a.set)
		a.set = nil
	}
}

// close drops every set (the connection is done) and waits for the reads.
func (ra *readAhead) close() {
	ra.mu.Lock()
	for p, a := range ra.sets {
		delete(ra.sets, p)
		a.discard()
	}
	ra.mu.Unlock()
	ra.wg.Wait()
}
