// One client connection: the reader goroutine (this file) reads frames,
// validates them against the connection's and channels' state and runs the
// method handlers; the writer (outbox.go) sends what they append; consumer
// goroutines (basic_consume.go, stream.go) push deliveries; a heartbeat
// timer (heartbeat.go) keeps the link alive.
//
// Frame-level rules, with RabbitMQ's codes and texts: a frame that cannot
// be read is 501 FRAME_ERROR, undecodable arguments 502 SYNTAX_ERROR, an
// unknown method 540 NOT_IMPLEMENTED; a method other than channel.open on a
// channel that is not open is 504 "expected 'channel.open'", a second
// channel.open 504 "second 'channel.open' seen", a channel number above
// channel-max 504; content frames without a pending publish, or a method in
// the middle of one, are 505 UNEXPECTED_FRAME; a method only the server
// sends (basic.deliver …) is 503 "unimplemented method". Each closes the
// connection with connection.close, then the reader waits (bounded) for
// close-ok before the socket is closed. A method that fails with a channel
// error closes just that channel.
//
// The reader handles frames in batches: after the last frame already
// buffered it delivers to the consumers its publishes and acks woke
// (basic_consume.go), confirms the batch's publishes (confirm.go), which
// lets one queue Sync cover many publishes, and flushes the outbox once. A
// batch whose last buffered frame is incomplete goes on reading; its
// consumers are served before that read.

package amqp

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"junction/frontends/amqp/internal/wire"
)

// closeTimeout bounds the wait for connection.close-ok.
const closeTimeout = 3 * time.Second

// errClientClosed ends the reader after the client's connection.close.
var errClientClosed = errors.New("amqp: connection closed by client")

// conn is one client connection.
type conn struct {
	s      *Server
	nc     net.Conn
	remote string
	br     *bufio.Reader
	out    *outbox
	wdone  chan struct{} // closed when the writer stops
	done   chan struct{} // closed when the connection is torn down

	// Set by the handshake, read-only afterwards.
	frameMax        int
	channelMax      int
	heartbeat       time.Duration
	vh              *vhost
	user            string
	capCancelNotify bool
	capBlocked      bool
	opened          atomic.Bool // handshake complete

	// Reader-goroutine state.
	frame    wire.Frame
	dec      wire.Decoder
	hdr      wire.ContentHeader
	channels map[uint16]*channel
	router   router
	batch    batchState

	reads     atomic.Uint64 // frames read (silence detection)
	paused    atomic.Int32  // > 0 while the reader deliberately does not read
	closeSent atomic.Bool   // connection.close sent by the server

	mu        sync.Mutex // guards exclusive
	exclusive []*qentry  // exclusive queues owned by this connection

	consumerWG sync.WaitGroup // consumer goroutines
}

func newConn(s *Server, nc net.Conn) *conn {
	c := &conn{
		s:          s,
		nc:         nc,
		remote:     nc.RemoteAddr().String(),
		out:        newOutbox(nc),
		wdone:      make(chan struct{}),
		done:       make(chan struct{}),
		channels:   make(map[uint16]*channel),
		frameMax:   wire.FrameMinSize,
		channelMax: s.cfg.ChannelMax,
	}
	c.br = bufio.NewReaderSize(countingReader{nc, &c.reads}, 64<<10)
	return c
}

// countingReader counts socket reads so the heartbeat timer can tell a
// silent peer.
type countingReader struct {
	r io.Reader
	n *atomic.Uint64
}

func (r countingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.n.Add(1)
	}
	return n, err
}

// serve runs the connection to its end.
func (c *conn) serve() {
	go c.writeLoop()
	defer c.teardown()
	defer func() {
		if p := recover(); p != nil {
			c.s.panics.Add(1)
			c.s.log.Error("connection panic", "remote", c.remote, "panic", p, "stack", string(debug.Stack()))
		}
	}()
	if err := c.handshake(); err != nil {
		if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
			c.s.log.Debug("handshake failed", "remote", c.remote, "err", err)
		}
		return
	}
	if c.heartbeat > 0 {
		go c.heartbeatLoop()
	}
	if c.s.isShut() {
		c.forceClose("broker forced connection closure with reason 'shutdown'")
	}
	err := c.readLoop()
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !c.s.isShut() {
		c.s.log.Debug("closing connection", "remote", c.remote, "err", err)
	}
}

// teardown releases everything the connection holds: channels (their
// consumers are cancelled and unacknowledged messages requeued), exclusive
// queues, goroutines; then it lets the writer send what is left and closes
// the socket.
func (c *conn) teardown() {
	defer func() {
		if p := recover(); p != nil {
			c.s.panics.Add(1)
			c.s.log.Error("teardown panic", "remote", c.remote, "panic", p, "stack", string(debug.Stack()))
			c.out.close()
			c.nc.Close()
		}
	}()
	close(c.done)
	c.wakeLeft() // a batch cut short by an error
	c.writeLogs(c.batch.logQs)
	for id, ch := range c.channels {
		ch.release()
		delete(c.channels, id)
	}
	c.s.mem.forget(c)
	c.mu.Lock()
	excl := c.exclusive
	c.exclusive = nil
	c.mu.Unlock()
	for _, qe := range excl {
		qe.vh.deleteQueue(qe)
	}
	c.consumerWG.Wait()
	c.out.close()
	<-c.wdone
	c.nc.Close()
}

// forceClose sends connection.close 320 CONNECTION_FORCED (server
// shutdown) from any goroutine; the reader then waits for close-ok.
func (c *conn) forceClose(text string) {
	if !c.opened.Load() {
		c.nc.Close()
		return
	}
	if c.closeSent.CompareAndSwap(false, true) {
		c.out.method(0, &wire.ConnectionClose{ReplyCode: wire.ConnectionForced, ReplyText: "CONNECTION_FORCED - " + text})
		c.out.flush()
	}
	c.nc.SetReadDeadline(time.Now().Add(closeTimeout))
}

// readLoop reads and handles frames until the connection ends.
func (c *conn) readLoop() error {
	for {
		if err := wire.ReadFrame(c.br, &c.frame, c.frameMax); err != nil {
			if code := wire.ReplyCode(err); code != 0 && !c.closeSent.Load() {
				// The stream may be out of step now; still give the client
				// the close and a bounded chance to answer it.
				c.sendClose(&amqpError{code: code, text: wire.ReplyText(code) + " - " + err.Error()})
				c.nc.SetReadDeadline(time.Now().Add(closeTimeout))
				continue
			}
			return err
		}
		if c.closeSent.Load() {
			if c.whileClosing(&c.frame) {
				return nil
			}
			continue
		}
		err := c.handleFrame(&c.frame)
		if err != nil {
			if err == errClientClosed {
				return nil
			}
			var ae *amqpError
			if !errors.As(err, &ae) {
				return err
			}
			c.sendClose(ae)
			c.nc.SetReadDeadline(time.Now().Add(closeTimeout))
			continue
		}
		switch {
		case c.br.Buffered() == 0 || c.batch.full() || c.out.full():
			if err := c.endBatch(); err != nil {
				return err
			}
		case len(c.batch.woken) > 0 && !c.frameBuffered():
			// The batch goes on with the rest of a frame, which normally
			// is on its way already; the consumers need not wait for it.
			c.serveWoken()
		}
	}
}

// frameBuffered reports whether the read buffer holds a whole frame, so
// that reading it needs no read from the socket.
func (c *conn) frameBuffered() bool {
	n := c.br.Buffered()
	if n < wire.FrameHeaderSize {
		return false
	}
	hdr, _ := c.br.Peek(wire.FrameHeaderSize)
	return uint64(n) >= uint64(binary.BigEndian.Uint32(hdr[3:7]))+wire.FrameOverhead
}

// sendClose sends connection.close for a connection-level error.
func (c *conn) sendClose(e *amqpError) {
	if !c.closeSent.CompareAndSwap(false, true) {
		return
	}
	c.flushConfirms()
	c.s.log.Debug("connection error", "remote", c.remote, "code", e.code, "text", e.text)
	c.out.method(0, &wire.ConnectionClose{ReplyCode: e.code, ReplyText: e.text, FailClassID: e.classID, FailMethodID: e.methodID})
	c.out.flush()
}

// whileClosing handles a frame after the server sent connection.close:
// everything but connection.close and close-ok is discarded. It reports
// whether the connection is finished.
func (c *conn) whileClosing(f *wire.Frame) bool {
	if f.Type != wire.FrameMethod || f.Channel != 0 {
		return false
	}
	m, err := c.dec.ReadMethod(f.Payload)
	if err != nil {
		return false
	}
	switch m.(type) {
	case *wire.ConnectionCloseOk:
		return true
	case *wire.ConnectionClose:
		c.out.method(0, &wire.ConnectionCloseOk{})
		return true
	}
	return false
}

// handleFrame validates one frame against the connection state and runs
// it. A returned *amqpError is a connection-level error; any other error
// ends the connection at once.
func (c *conn) handleFrame(f *wire.Frame) error {
	switch f.Type {
	case wire.FrameHeartbeat:
		if f.Channel != 0 {
			return newErr(wire.FrameError, "heartbeat frame on channel %d", f.Channel)
		}
		return nil
	case wire.FrameMethod:
		if f.Channel == 0 {
			return c.connectionMethod(f.Payload)
		}
		return c.channelMethod(f.Channel, f.Payload)
	case wire.FrameHeader:
		ch := c.channels[f.Channel]
		if ch != nil && ch.closing {
			return nil
		}
		if ch == nil || ch.pub.state != pubHeader {
			return c.unexpectedContent(ch)
		}
		return ch.contentHeader(f.Payload)
	case wire.FrameBody:
		ch := c.channels[f.Channel]
		if ch != nil && ch.closing {
			return nil
		}
		if ch == nil || ch.pub.state != pubBody {
			return c.unexpectedContent(ch)
		}
		return ch.contentBody(f.Payload)
	}
	return newErr(wire.FrameError, "unknown frame type %d", f.Type)
}

// unexpectedContent is the 505 for a content frame that does not fit.
func (c *conn) unexpectedContent(ch *channel) error {
	switch {
	case ch != nil && ch.pub.state == pubHeader:
		return &amqpError{code: wire.UnexpectedFrame, classID: wire.ClassBasic, methodID: 40,
			text: "UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead"}
	case ch != nil && ch.pub.state == pubBody:
		return &amqpError{code: wire.UnexpectedFrame, classID: wire.ClassBasic, methodID: 40,
			text: "UNEXPECTED_FRAME - expected content body, got non content body frame instead"}
	}
	return newErr(wire.UnexpectedFrame, "expected method frame, got non method frame instead")
}

// decodeError maps a method decoding failure to the connection error.
func decodeError(err error) error {
	code := wire.ReplyCode(err)
	if code == 0 {
		code = wire.SyntaxError
	}
	e := &amqpError{code: code, text: wire.ReplyText(code) + " - " + err.Error()}
	var me *wire.MethodError
	if errors.As(err, &me) {
		e.classID, e.methodID = me.ClassID, me.MethodID
	}
	return e
}

// connectionMethod handles a method on channel 0.
func (c *conn) connectionMethod(payload []byte) error {
	m, err := c.dec.ReadMethod(payload)
	if err != nil {
		return decodeError(err)
	}
	switch m := m.(type) {
	case *wire.ConnectionClose:
		c.flushConfirms()
		c.out.method(0, &wire.ConnectionCloseOk{})
		return errClientClosed
	case *wire.ConnectionUpdateSecret:
		c.out.method(0, &wire.ConnectionUpdateSecretOk{})
		return nil
	default:
		e := newErr(wire.ChannelError, "unexpected method in connection state running")
		e.classID, e.methodID = m.ClassID(), m.MethodID()
		return e
	}
}

// channelMethod handles a method on channel id > 0.
func (c *conn) channelMethod(id uint16, payload []byte) error {
	if int(id) > c.channelMax {
		return newErr(wire.ChannelError, "channel id %d exceeds the negotiated channel_max (%d)", id, c.channelMax)
	}
	ch := c.channels[id]
	if ch != nil && !ch.closing && ch.pub.state != pubNone {
		text := "UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead"
		if ch.pub.state == pubBody {
			text = "UNEXPECTED_FRAME - expected content body, got non content body frame instead"
		}
		return &amqpError{code: wire.UnexpectedFrame, classID: wire.ClassBasic, methodID: 40, text: text}
	}
	m, err := c.dec.ReadMethod(payload)
	if err != nil {
		return decodeError(err)
	}
	if ch == nil {
		if _, ok := m.(*wire.ChannelOpen); !ok {
			e := newErr(wire.ChannelError, "expected 'channel.open'")
			e.classID, e.methodID = m.ClassID(), m.MethodID()
			return e
		}
		c.channels[id] = newChannel(c, id)
		c.out.method(id, &wire.ChannelOpenOk{})
		return nil
	}
	if ch.closing {
		switch m.(type) {
		case *wire.ChannelCloseOk:
			delete(c.channels, id)
		case *wire.ChannelClose:
			c.out.method(id, &wire.ChannelCloseOk{})
		}
		return nil
	}
	reply, err := ch.dispatch(m)
	if err != nil {
		var ae *amqpError
		if !errors.As(err, &ae) {
			return err
		}
		if ae.classID == 0 {
			ae.classID, ae.methodID = m.ClassID(), m.MethodID()
		}
		if ae.connLevel() {
			return ae
		}
		ch.fail(ae)
		return nil
	}
	if reply != nil {
		c.out.method(id, reply)
	}
	ch.startPending()
	return nil
}

// addExclusive records a queue this connection owns.
func (c *conn) addExclusive(qe *qentry) {
	c.mu.Lock()
	c.exclusive = append(c.exclusive, qe)
	c.mu.Unlock()
}

// dropExclusive forgets an owned queue that was deleted.
func (c *conn) dropExclusive(qe *qentry) {
	c.mu.Lock()
	for i, e := range c.exclusive {
		if e == qe {
			c.exclusive = append(c.exclusive[:i], c.exclusive[i+1:]...)
			break
		}
	}
	c.mu.Unlock()
}

// settle applies a settlement to entries, grouping the tags by queue.
// Stream entries only give credit back. With b (a reader's batch), acks
// use queue.AckFor: the consumers they wake go to b.woken and the queue's
// log record waits for the batch's Flush.
func settle(entries []unackedEntry, kind settleKind, scratch []uint64, b *batchState) []uint64 {
	for i := range entries {
		e := &entries[i]
		if e.tag == 0 {
			continue
		}
		if e.sc != nil {
			e.sc.credit(1)
			e.tag = 0
			continue
		}
		if e.q == nil {
			e.tag = 0
			continue
		}
		q := e.q
		tags := scratch[:0]
		for j := i; j < len(entries); j++ {
			if f := &entries[j]; f.tag != 0 && f.q == q {
				tags = append(tags, f.qtag)
				f.tag = 0
			}
		}
		switch {
		case kind == settleAck && b != nil:
			b.woken = q.AckFor(b.woken, tags...)
			b.addLog(q, false, false)
		case kind == settleAck:
			q.Ack(tags...)
		case kind == settleRequeue:
			q.Nack(true, tags...)
		case kind == settleDrop:
			q.Nack(false, tags...)
		}
		scratch = tags
	}
	return scratch
}

type settleKind uint8

const (
	settleAck     settleKind = iota // basic.ack
	settleRequeue                   // nack/reject with requeue, recover, channel close
	settleDrop                      // nack/reject without requeue: dead-letter
)
