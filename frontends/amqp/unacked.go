// A channel's unacknowledged deliveries, in delivery-tag order: a slice
// with settled holes, searched by binary search, compacted from the front
// as acks arrive (usually in order) and rebuilt when holes dominate. This
// gives basic.ack with multiple=true RabbitMQ's meaning — every
// outstanding tag up to N, and N itself must be outstanding — in O(log n)
// plus the tags settled.

package amqp

import (
	"slices"

	"junction/broker/queue"
)

// unackedEntry maps a channel delivery tag to what must be settled.
type unackedEntry struct {
	tag  uint64          // channel delivery tag; 0 once settled
	qtag uint64          // the queue's delivery tag (classic queues)
	q    *queue.Queue    // classic queue, or nil
	sc   *streamConsumer // stream consumer whose credit an ack restores, or nil
}

type unackedList struct {
	es   []unackedEntry // tags ascending; settled entries have tag 0 but keep key
	keys []uint64       // keys[i] is es[i]'s original tag (for the search)
	head int            // es[:head] are all settled
	live int
}

// push appends an entry; tags must increase.
func (l *unackedList) push(e unackedEntry) {
	l.es = append(l.es, e)
	l.keys = append(l.keys, e.tag)
	l.live++
}

// len returns the number of outstanding deliveries.
func (l *unackedList) len() int { return l.live }

// find returns the index of tag among the outstanding entries, or -1.
func (l *unackedList) find(tag uint64) int {
	i, found := slices.BinarySearch(l.keys[l.head:], tag)
	if !found || l.es[l.head+i].tag == 0 {
		return -1
	}
	return l.head + i
}

// take removes and appends to dst the entry with tag, or with multiple
// every entry up to and including tag (tag 0 with multiple: all). ok is
// false, and nothing is removed, if tag is not outstanding.
func (l *unackedList) take(tag uint64, multiple bool, dst []unackedEntry) ([]unackedEntry, bool) {
	if multiple && tag == 0 {
		return l.drain(dst), true
	}
	i := l.find(tag)
	if i < 0 {
		return dst, false
	}
	from := i
	if multiple {
		from = l.head
	}
	for j := from; j <= i; j++ {
		if l.es[j].tag != 0 {
			dst = append(dst, l.es[j])
			l.es[j].tag = 0
			l.live--
		}
	}
	l.compact()
	return dst, true
}

// drain removes and appends every outstanding entry to dst.
func (l *unackedList) drain(dst []unackedEntry) []unackedEntry {
	for j := l.head; j < len(l.es); j++ {
		if l.es[j].tag != 0 {
			dst = append(dst, l.es[j])
		}
	}
	l.es, l.keys = l.es[:0], l.keys[:0]
	l.head, l.live = 0, 0
	return dst
}

// restore puts entries back (tx.rollback), keeping tag order.
func (l *unackedList) restore(entries []unackedEntry) {
	for _, e := range entries {
		l.es = append(l.es, e)
		l.keys = append(l.keys, e.tag)
		l.live++
	}
	type pair struct {
		e unackedEntry
		k uint64
	}
	ps := make([]pair, 0, len(l.es)-l.head)
	for j := l.head; j < len(l.es); j++ {
		if l.es[j].tag != 0 {
			ps = append(ps, pair{l.es[j], l.keys[j]})
		}
	}
	slices.SortFunc(ps, func(a, b pair) int {
		switch {
		case a.k < b.k:
			return -1
		case a.k > b.k:
			return 1
		}
		return 0
	})
	l.es, l.keys, l.head = l.es[:0], l.keys[:0], 0
	for _, p := range ps {
		l.es = append(l.es, p.e)
		l.keys = append(l.keys, p.k)
	}
}

// compact drops the settled prefix, and rebuilds when most entries are
// settled holes.
func (l *unackedList) compact() {
	for l.head < len(l.es) && l.es[l.head].tag == 0 {
		l.head++
	}
	n := len(l.es) - l.head
	switch {
	case n == 0:
		l.es, l.keys, l.head = l.es[:0], l.keys[:0], 0
	case l.head >= 1024 && l.head >= n:
		copy(l.es, l.es[l.head:])
		copy(l.keys, l.keys[l.head:])
		l.es, l.keys, l.head = l.es[:n], l.keys[:n], 0
	case n >= 1024 && l.live < n/4:
		w := 0
		for j := l.head; j < len(l.es); j++ {
			if l.es[j].tag != 0 {
				l.es[w], l.keys[w] = l.es[j], l.keys[j]
				w++
			}
		}
		l.es, l.keys, l.head = l.es[:w], l.keys[:w], 0
	}
}
