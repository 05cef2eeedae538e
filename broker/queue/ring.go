// ring: a growable circular deque of messages kept in publish-sequence
// order — O(1) push at the tail and pop at the head, plus the sorted insert
// that puts a requeued message back where it was (normally near the head).

package queue

// ring is a deque of *Message ordered by Message.seq. The zero value is an
// empty ring. len(buf) is zero or a power of two.
type ring struct {
	buf  []*Message
	head int // index in buf of element 0
	n    int // number of elements
}

const (
	ringMin    = 16   // smallest non-empty buffer
	ringShrink = 4096 // buffers at least this big shrink when mostly empty
)

func (r *ring) len() int { return r.n }

func (r *ring) slot(i int) int { return (r.head + i) & (len(r.buf) - 1) }

// at returns element i (0 = head).
func (r *ring) at(i int) *Message { return r.buf[r.slot(i)] }

func (r *ring) set(i int, m *Message) { r.buf[r.slot(i)] = m }

// resize moves the elements into a new buffer of size n (a power of two >= r.n).
func (r *ring) resize(n int) {
	nb := make([]*Message, n)
	if r.n > 0 {
		if end := r.head + r.n; end <= len(r.buf) {
			copy(nb, r.buf[r.head:end])
		} else {
			k := copy(nb, r.buf[r.head:])
			copy(nb[k:], r.buf[:r.n-k])
		}
	}
	r.buf, r.head = nb, 0
}

func (r *ring) growIfFull() {
	if r.n == len(r.buf) {
		r.resize(max(ringMin, 2*len(r.buf)))
	}
}

// front returns the head element, nil when empty.
func (r *ring) front() *Message {
	if r.n == 0 {
		return nil
	}
	return r.buf[r.head]
}

// pushBack appends m at the tail.
func (r *ring) pushBack(m *Message) {
	r.growIfFull()
	r.buf[r.slot(r.n)] = m
	r.n++
}

// popFront removes and returns the head element; the ring must not be empty.
func (r *ring) popFront() *Message {
	m := r.buf[r.head]
	r.buf[r.head] = nil
	r.head = (r.head + 1) & (len(r.buf) - 1)
	r.n--
	if len(r.buf) >= ringShrink && r.n < len(r.buf)/8 {
		r.resize(len(r.buf) / 4)
	}
	return m
}

// insert puts m at its place by seq: after every element with a smaller
// seq. Requeued messages usually belong near the head, so the shorter side
// of the ring is shifted.
func (r *ring) insert(m *Message) {
	lo, hi := 0, r.n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if r.at(mid).seq < m.seq {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == r.n {
		r.pushBack(m)
		return
	}
	r.growIfFull()
	if lo < r.n/2 {
		r.head = (r.head - 1) & (len(r.buf) - 1)
		r.n++
		for j := 0; j < lo; j++ {
			r.set(j, r.at(j+1))
		}
	} else {
		for j := r.n; j > lo; j-- {
			r.set(j, r.at(j-1))
		}
		r.n++
	}
	r.set(lo, m)
}

// reset empties the ring and releases its buffer.
func (r *ring) reset() { *r = ring{} }
