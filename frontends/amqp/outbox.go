// The outbox: every frame a connection sends is appended to one buffer
// under a mutex (by the reader for replies, by consumer goroutines for
// deliveries, by the heartbeat timer), and one writer goroutine swaps the
// buffer out and writes it with a single Write: one flush per batch, never
// per frame. The buffer is bounded: producers of deliveries wait for space
// before taking messages from a queue, and the reader waits before reading
// more frames, so a slow client is backpressured and never costs more than
// about twice the limit. A socket that accepts nothing for WriteTimeout is
// cut.

package amqp

import (
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
)

type outbox struct {
	mu     sync.Mutex
	buf    []byte        // frames waiting for the writer
	spare  []byte        // the writer's last buffer, reused
	space  chan struct{} // closed when the writer drains buf; nil if nobody waits
	closed bool          // no more frames: the writer writes what is left and stops
	failed bool          // the socket failed: frames are dropped

	kick chan struct{} // one slot: wakes the writer
	data atomic.Bool   // frames other than heartbeats appended since the last heartbeat tick
	size atomic.Int64  // len(buf), readable without the lock
}

func newOutbox() *outbox {
	return &outbox{kick: make(chan struct{}, 1)}
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

// flush wakes the writer.
func (o *outbox) flush() {
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

// heartbeat appends a heartbeat frame and wakes the writer.
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
	if o.space != nil {
		close(o.space)
		o.space = nil
	}
	o.mu.Unlock()
	o.flush()
}

// writeLoop is the connection's writer goroutine.
func (c *conn) writeLoop() {
	o := c.out
	defer close(c.wdone)
	defer c.nc.Close()
	for range o.kick {
		o.mu.Lock()
		b := o.buf
		o.buf, o.spare = o.spare[:0], nil
		o.size.Store(0)
		closed := o.closed
		if o.space != nil {
			close(o.space)
			o.space = nil
		}
		o.mu.Unlock()
		if len(b) > 0 {
			c.nc.SetWriteDeadline(time.Now().Add(c.s.cfg.WriteTimeout))
			if _, err := c.nc.Write(b); err != nil {
				o.mu.Lock()
				o.failed = true
				o.buf = nil
				o.size.Store(0)
				if o.space != nil {
					close(o.space)
					o.space = nil
				}
				o.mu.Unlock()
				c.nc.Close() // wakes the reader
				if !closed {
					c.s.log.Debug("write failed; closing connection", "remote", c.remote, "err", err)
				}
				return
			}
		}
		if cap(b) <= outboxRetain {
			o.mu.Lock()
			o.spare = b[:0]
			o.mu.Unlock()
		}
		if closed {
			o.mu.Lock()
			rest := len(o.buf)
			o.mu.Unlock()
			if rest == 0 {
				return
			}
			o.flush()
		}
	}
}
