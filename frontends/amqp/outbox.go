// The outbox: every frame a connection sends is appended to one buffer
// under a mutex (by the reader for replies, by consumer goroutines for
// deliveries, by the heartbeat timer), and written with a single write per
// batch, never per frame. Whoever flushes writes the buffer itself when no
// write is in progress, with one non-blocking write (outbox_unix.go): the
// usual case costs no hand-off to another goroutine. What the socket does
// not take at once, and everything on sockets without non-blocking writes,
// goes to the connection's writer goroutine, which blocks in Write. The
// buffer is bounded: producers of deliveries wait for space before taking
// messages from a queue, and the reader waits before reading more frames,
// so a slow client is backpressured and never costs more than about twice
// the limit. A socket that accepts nothing for WriteTimeout is cut.

package amqp

import (
	"net"
	"sync"
	"sync/atomic"
	"time"

	"junction/frontends/amqp/internal/wire"
)

const (
	// outboxLimit is the buffered bytes above which producers wait.
	outboxLimit = 512 << 10
	// outboxRetain is the largest buffer capacity kept for reuse.
	outboxRetain = 4 << 20
	// inlineRounds bounds the writes a flushing goroutine makes in a row
	// while other goroutines keep appending; then the writer takes over.
	inlineRounds = 4
)

type outbox struct {
	mu      sync.Mutex
	buf     []byte        // frames waiting to be written
	spare   []byte        // the last written buffer, reused
	space   chan struct{} // closed when a writer takes buf; nil if nobody waits
	closed  bool          // no more frames: the writer writes what is left and stops
	failed  bool          // the socket failed: frames are dropped
	writing bool          // a goroutine is writing to the socket

	nc   net.Conn      // for closing on a failed inline write
	nb   *nbWriter     // non-blocking inline writes; nil: the writer goroutine writes
	kick chan struct{} // one slot: wakes the writer goroutine
	data atomic.Bool   // frames other than heartbeats appended since the last heartbeat tick
	size atomic.Int64  // len(buf), readable without the lock
}

// newOutbox returns the outbox of nc; nc may be nil in tests of the
// buffer alone.
func newOutbox(nc net.Conn) *outbox {
	return &outbox{nc: nc, nb: newNBWriter(nc), kick: make(chan struct{}, 1)}
}

// begin locks the outbox and returns the buffer to append to; end stores
// it back and unlocks. Appends between them are atomic with respect to
// other producers. ok is false when the outbox no longer accepts frames
// (end must still be called).
func (o *outbox) begin() (b []byte, ok bool) {
	o.mu.Lock()
	return o.buf, !o.closed && !o.failed
}

func (o *outbox) end(b []byte, ok bool) {
	if ok {
		o.buf = b
		o.data.Store(true)
		o.size.Store(int64(len(b)))
	}
	o.mu.Unlock()
}

// flush sends what is buffered: on the calling goroutine if no write is
// in progress and the socket takes it at once, else through the writer
// goroutine. A flush with nothing buffered does nothing.
func (o *outbox) flush() {
	if o.nb != nil {
		if o.writeInline() {
			return
		}
	} else if o.size.Load() == 0 {
		return
	}
	o.wakeWriter()
}

// wakeWriter kicks the writer goroutine.
func (o *outbox) wakeWriter() {
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

// method appends one method frame (no flush).
func (o *outbox) method(channel uint16, m wire.Method) {
	b, ok := o.begin()
	if ok {
		var err error
		if b, err = wire.AppendMethodFrame(b, channel, m); err != nil {
			ok = false
		}
	}
	o.end(b, ok)
}

// heartbeat appends a heartbeat frame and flushes.
func (o *outbox) heartbeat() {
	o.mu.Lock()
	if !o.closed && !o.failed {
		o.buf = wire.AppendHeartbeat(o.buf)
		o.size.Store(int64(len(o.buf)))
	}
	o.mu.Unlock()
	o.flush()
}

// full reports whether producers should wait.
func (o *outbox) full() bool { return o.size.Load() >= outboxLimit }

// waitSpace blocks while the outbox is over its limit. It returns false if
// the outbox stops accepting frames or stop is closed first.
func (o *outbox) waitSpace(stop <-chan struct{}) bool {
	for {
		o.mu.Lock()
		if o.closed || o.failed {
			o.mu.Unlock()
			return false
		}
		if len(o.buf) < outboxLimit {
			o.mu.Unlock()
			return true
		}
		if o.space == nil {
			o.space = make(chan struct{})
		}
		sp := o.space
		o.mu.Unlock()
		o.flush()
		select {
		case <-sp:
		case <-stop:
			return false
		}
	}
}

// close makes the writer write what is buffered, close the socket and
// stop.
func (o *outbox) close() {
	o.mu.Lock()
	o.closed = true
	o.releaseSpace()
	o.mu.Unlock()
	o.wakeWriter()
}

// releaseSpace wakes the producers waiting for space. o.mu is held.
func (o *outbox) releaseSpace() {
	if o.space != nil {
		close(o.space)
		o.space = nil
	}
}

// take claims the buffer for writing: it swaps in the spare buffer and
// marks a write in progress. o.mu is held.
func (o *outbox) take() []byte {
	b := o.buf
	o.buf, o.spare = o.spare[:0], nil
	o.size.Store(0)
	o.writing = true
	o.releaseSpace()
	return b
}

// written ends a write of b, of which n bytes went out: the rest goes back
// in front of what was appended meanwhile, and the spent buffer becomes the
// spare. o.mu is held.
func (o *outbox) written(b []byte, n int) {
	o.writing = false
	if n < len(b) {
		rest := b[n:]
		if len(o.buf) > 0 {
			rest = append(rest, o.buf...)
		}
		if cap(o.buf) <= outboxRetain {
			o.spare = o.buf[:0]
		}
		o.buf = rest
		o.size.Store(int64(len(rest)))
		return
	}
	if cap(b) <= outboxRetain {
		o.spare = b[:0]
	}
}

// fail drops everything after a write error. o.mu is held.
func (o *outbox) fail() {
	o.failed = true
	o.writing = false
	o.buf = nil
	o.size.Store(0)
	o.releaseSpace()
}

// writeInline writes the buffer on the calling goroutine without
// blocking. It reports false when the writer goroutine has to go on: the
// socket did not take everything, the outbox is closing, or other
// goroutines kept appending for inlineRounds writes.
func (o *outbox) writeInline() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for range inlineRounds {
		switch {
		case o.writing || o.failed:
			return true // the writing goroutine looks at buf when it is done
		case o.closed:
			return false
		case len(o.buf) == 0:
			return true
		}
		b := o.take()
		o.mu.Unlock()
		n, err := o.nb.Write(b)
		o.mu.Lock()
		if err != nil {
			o.fail()
			o.nc.Close() // wakes the reader
			return true
		}
		o.written(b, n)
		if n < len(b) {
			return false
		}
	}
	return len(o.buf) == 0
}

// writeLoop is the connection's writer goroutine: it writes, blocking,
// what inline flushes left, and on close what is left, then closes the
// socket.
func (c *conn) writeLoop() {
	o := c.out
	defer close(c.wdone)
	defer c.nc.Close()
	for range o.kick {
		for {
			o.mu.Lock()
			if o.writing {
				// An inline write is in progress; it kicks again if it
				// leaves anything behind.
				o.mu.Unlock()
				break
			}
			closed := o.closed
			if len(o.buf) == 0 || o.failed {
				o.mu.Unlock()
				if closed {
					return
				}
				break
			}
			b := o.take()
			o.mu.Unlock()
			c.nc.SetWriteDeadline(time.Now().Add(c.s.cfg.WriteTimeout))
			n, err := c.nc.Write(b)
			if err == nil && o.nb != nil {
				c.nc.SetWriteDeadline(time.Time{}) // inline writes have none
			}
			o.mu.Lock()
			if err != nil {
				o.fail()
				o.mu.Unlock()
				c.nc.Close() // wakes the reader
				if !closed {
					c.s.log.Debug("write failed; closing connection", "remote", c.remote, "err", err)
				}
				return
			}
			o.written(b, n)
			o.mu.Unlock()
		}
	}
}
