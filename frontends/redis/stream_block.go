// Waiting for blocked XREAD/XREADGROUP: a per-broker hub that wakes readers
// waiting for a stream key to be created (by XADD or XGROUP CREATE
// MKSTREAM) and keeps a FIFO of blocked XREADGROUP readers per stream and
// group, so that, as in Redis, the reader that blocked first is served
// first when an entry arrives. Readers are woken by the append itself
// (Partition.Changed) and never poll. Differences from Redis: a stream key
// created by another protocol or by RENAME does not wake XREAD readers
// blocked on the missing key until the next XADD to it.
package redis

import (
	"sync"

	"junction/broker"
)

// streamHub is the blocking state shared by a broker's connections.
type streamHub struct {
	mu      sync.Mutex
	created map[string]*createWait    // readers waiting for a stream to be created
	queues  map[groupKey]*readerQueue // blocked XREADGROUP readers
	blocked map[groupKey]int          // readers registered, for tests
	onBlock chan struct{}             // closed and replaced when a reader registers
}

// createWait is a channel closed when a stream is created, and how many
// waiters hold it.
type createWait struct {
	name string
	ch   chan struct{}
	refs int // guarded by streamHub.mu
}

// groupKey names the queue of readers blocked on one stream (p is nil
// while the key does not exist) and group ("" for XREAD).
type groupKey struct {
	topic string
	p     *broker.Partition
	group string
}

// readerQueue lists blocked readers of one group in blocking order.
type readerQueue struct {
	readers []*blockedReader
	changed chan struct{} // closed and replaced when a reader leaves
}

// blockedReader is one blocked command. It is not zero-sized: pointers to
// distinct zero-sized values may compare equal.
type blockedReader struct{ _ byte }

var streamHubs sync.Map // *broker.Broker → *streamHub

// hubFor returns b's hub, creating it; it is dropped when b closes.
func hubFor(b *broker.Broker) *streamHub {
	if h, ok := streamHubs.Load(b); ok {
		return h.(*streamHub)
	}
	h := &streamHub{
		created: make(map[string]*createWait),
		queues:  make(map[groupKey]*readerQueue),
		blocked: make(map[groupKey]int),
		onBlock: make(chan struct{}),
	}
	if v, loaded := streamHubs.LoadOrStore(b, h); loaded {
		return v.(*streamHub)
	}
	go func() {
		<-b.Done()
		streamHubs.Delete(b)
	}()
	return h
}

// streamCreated wakes readers waiting for the named stream to exist.
func streamCreated(b *broker.Broker, name string) {
	h := hubFor(b)
	h.mu.Lock()
	if w, ok := h.created[name]; ok {
		close(w.ch)
		delete(h.created, name)
	}
	h.mu.Unlock()
}

// acquireCreated returns a wait whose channel is closed when the named
// stream is created; take it before checking that the stream is missing,
// and give it back with releaseCreated.
func (h *streamHub) acquireCreated(name string) *createWait {
	h.mu.Lock()
	defer h.mu.Unlock()
	w := h.created[name]
	if w == nil {
		w = &createWait{name: name, ch: make(chan struct{})}
		h.created[name] = w
	}
	w.refs++
	return w
}

// releaseCreated gives back waits taken with acquireCreated.
func (h *streamHub) releaseCreated(ws []*createWait) {
	if len(ws) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, w := range ws {
		if w.refs--; w.refs <= 0 && h.created[w.name] == w {
			delete(h.created, w.name)
		}
	}
}

// enqueue appends r to the queue of k (XREADGROUP readers are served in
// queue order; XREAD readers are queued only to be counted).
func (h *streamHub) enqueue(k groupKey, r *blockedReader) {
	h.mu.Lock()
	q := h.queues[k]
	if q == nil {
		q = &readerQueue{changed: make(chan struct{})}
		h.queues[k] = q
	}
	q.readers = append(q.readers, r)
	h.blocked[k]++
	close(h.onBlock)
	h.onBlock = make(chan struct{})
	h.mu.Unlock()
}

// dequeue removes r from the queue of k and wakes the readers behind it.
func (h *streamHub) dequeue(k groupKey, r *blockedReader) {
	h.mu.Lock()
	defer h.mu.Unlock()
	q := h.queues[k]
	if q == nil {
		return
	}
	for i, x := range q.readers {
		if x == r {
			q.readers = append(q.readers[:i], q.readers[i+1:]...)
			break
		}
	}
	if h.blocked[k]--; h.blocked[k] <= 0 {
		delete(h.blocked, k)
	}
	close(q.changed)
	q.changed = make(chan struct{})
	if len(q.readers) == 0 {
		delete(h.queues, k)
	}
}

// turn reports whether r is first in the queue of k, and otherwise returns
// a channel closed when the queue changes.
func (h *streamHub) turn(k groupKey, r *blockedReader) (bool, <-chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	q := h.queues[k]
	if q == nil || len(q.readers) == 0 || q.readers[0] == r {
		return true, nil
	}
	return false, q.changed
}

// blockedCount returns how many readers are blocked on the named topic
// and group ("" for XREAD), and a channel closed when another one blocks.
func (h *streamHub) blockedCount(topic, group string) (int, <-chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for k, c := range h.blocked {
		if k.group == group && k.topic == topic {
			n += c
		}
	}
	return n, h.onBlock
}
