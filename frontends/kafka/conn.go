// One client connection: a reader goroutine that reads size-prefixed frames,
// validates the header's API key and version against the registry before
// decoding, and dispatches; a writer goroutine that writes responses in
// request order (Kafka requires it per connection) from a bounded queue of
// slots, flushing once whenever it runs out of ready responses.
//
// Handlers that may block (Fetch long polls, JoinGroup/SyncGroup barriers)
// fill their slot from their own goroutine; everything else runs on the
// reader, so requests that depend on each other's order (one producer's
// batches) are applied in order.

package kafka

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const apiKeyApiVersions = 18

// saslState is a connection's place in the SASL exchange.
type saslState uint8

const (
	saslNone    saslState = iota // authentication required, no handshake yet
	saslRaw                      // SaslHandshake v0 done: the next frame is a bare PLAIN token
	saslStarted                  // SaslHandshake v1 done: expect SaslAuthenticate
	saslDone                     // authenticated, or no authentication configured
)

// slot is one request's place in the response order.
type slot struct {
	ready chan struct{} // closed when the fields below are set; nil if set before queueing
	frame []byte        // the whole response frame; nil: nothing to write
	close bool          // close the connection after writing the response

	// Instead of frame: the frame in pieces, and the pooled buffers under
	// them, returned after writing (see request.pieces).
	pieces, release [][]byte
}

// conn is one client connection.
type conn struct {
	s      *Server
	nc     net.Conn
	ctx    context.Context // canceled when the reader stops or the server shuts down
	cancel context.CancelFunc
	queue  chan *slot // responses in request order; closed by the reader
	wdone  chan struct{}
	remote string

	// advertised host and port for this connection (see Config.AdvertisedAddr)
	host string
	port int32

	ahead readAhead // record sets read ahead for this connection's fetches

	// Reader-goroutine state.
	br   *bufio.Reader
	sasl saslState
	user string
}

func newConn(s *Server, nc net.Conn) *conn {
	c := &conn{
		s:      s,
		nc:     nc,
		queue:  make(chan *slot, s.cfg.MaxInflight),
		wdone:  make(chan struct{}),
		remote: nc.RemoteAddr().String(),
		br:     bufio.NewReaderSize(nc, 32<<10),
	}
	c.ctx, c.cancel = context.WithCancel(s.ctx)
	addr := s.cfg.AdvertisedAddr
	if addr == "" {
		addr = nc.LocalAddr().String()
	}
	c.host, c.port = splitHostPort(addr)
	if len(s.cfg.Users) == 0 {
		c.sasl = saslDone
	}
	return c
}

// splitHostPort splits addr, defaulting the port to 9092.
func splitHostPort(addr string) (string, int32) {
	host, ps, err := net.SplitHostPort(addr)
	if err != nil {
		return addr, 9092
	}
	p, err := strconv.ParseUint(ps, 10, 16)
	if err != nil {
		return host, 9092
	}
	return host, int32(p)
}

// serve runs the connection until the reader stops and the writer drains.
func (c *conn) serve() {
	go c.writeLoop()
	err := c.readLoop()
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && c.s.ctx.Err() == nil {
		c.s.log.Debug("closing connection", "remote", c.remote, "err", err)
	}
	c.cancel()
	close(c.queue)
	<-c.wdone
	c.ahead.close()
}

// stopReading makes the reader stop at its next read (Shutdown).
func (c *conn) stopReading() {
	c.nc.SetReadDeadline(time.Unix(1, 0))
}

// readLoop reads and dispatches frames until an error.
func (c *conn) readLoop() error {
	var size [4]byte
	for {
		if _, err := io.ReadFull(c.br, size[:]); err != nil {
			return err
		}
		n := int32(binary.BigEndian.Uint32(size[:]))
		if n < 0 || int64(n) > int64(c.s.cfg.MaxFrameBytes) {
			return fmt.Errorf("frame size %d out of range", n)
		}
		body, err := readBody(c.br, int(n))
		if err != nil {
			return err
		}
		retained, err := c.dispatch(body)
		if !retained {
			putBuf(body)
		}
		if err != nil {
			return err
		}
	}
}

// readBody reads an n-byte frame body into a pooled buffer. A frame above
// 1 MiB goes straight into a free pooled buffer of its size class when there
// is one (memory already held); otherwise it is read in doubling pooled
// steps, so a size prefix alone cannot make us allocate it all.
func readBody(r io.Reader, n int) ([]byte, error) {
	const step = 1 << 20
	if n <= step {
		b := getBuf(n)[:n]
		_, err := io.ReadFull(r, b)
		return b, err
	}
	if b, ok := pooledBuf(n); ok {
		b = b[:n]
		_, err := io.ReadFull(r, b)
		return b, err
	}
	b := getBuf(step)
	for len(b) < n {
		if len(b) == cap(b) {
			nb := append(getBuf(min(2*cap(b), n)), b...)
			putBuf(b)
			b = nb
		}
		k, err := io.ReadFull(r, b[len(b):min(cap(b), n)])
		b = b[:len(b)+k]
		if err != nil {
			return nil, err
		}
	}
	return b, nil
}

var errStop = errors.New("connection closed after response")

// dispatch validates, decodes and runs one request frame. An error closes
// the connection. retained reports whether something may still use body
// (a blocking handler decoding into it): otherwise the caller reuses it.
func (c *conn) dispatch(body []byte) (retained bool, err error) {
	if c.sasl == saslRaw {
		return false, c.rawSASL(body)
	}
	if len(body) < 10 {
		return false, fmt.Errorf("short request header (%d bytes)", len(body))
	}
	key := int16(binary.BigEndian.Uint16(body[0:]))
	version := int16(binary.BigEndian.Uint16(body[2:]))
	corr := int32(binary.BigEndian.Uint32(body[4:]))
	a := lookupAPI(key)
	if a == nil {
		return false, fmt.Errorf("unknown API key %d", key)
	}
	if version < a.min || version > a.max {
		if key == apiKeyApiVersions {
			// KIP-511: answer with a v0-shaped body so the client
			// can pick a version it shares with us.
			resp := kmsg.NewPtrApiVersionsResponse()
			resp.Version = 0
			resp.ErrorCode = kerr.UnsupportedVersion.Code
			resp.ApiKeys = apiVersionKeys()
			if !c.push(&slot{frame: encodeResponse(corr, resp)}) {
				return false, errStop
			}
			return false, nil
		}
		return false, fmt.Errorf("unsupported version %d of API key %d", version, key)
	}
	if c.sasl != saslDone && !a.preAuth {
		return false, fmt.Errorf("API key %d before SASL authentication", key)
	}
	clientID, rest, err := parseClientID(body[8:])
	if err != nil {
		return false, err
	}
	kreq := kmsg.RequestForKey(key)
	kreq.SetVersion(version)
	if kreq.IsFlexible() {
		if rest, err = skipTags(rest); err != nil {
			return false, err
		}
	}
	if err := kreq.ReadFrom(rest); err != nil {
		return false, fmt.Errorf("decoding %s v%d: %w", kmsg.NameForKey(key), version, err)
	}
	r := &request{s: c.s, c: c, ctx: c.ctx, key: key, version: version, corr: corr, clientID: clientID, kreq: kreq}
	if a.blocking {
		sl := &slot{ready: make(chan struct{})}
		if !c.push(sl) {
			return false, errStop
		}
		go func() {
			c.run(a, r, sl)
			close(sl.ready)
		}()
		return true, nil
	}
	// Handlers on the reader copy what they keep (the storage copies
	// appended records), so body is free again once run returns.
	sl := &slot{}
	c.run(a, r, sl)
	if !c.push(sl) || sl.close {
		return false, errStop
	}
	return false, nil
}

// run calls the handler and encodes its response into sl.
func (c *conn) run(a *api, r *request, sl *slot) {
	defer func() {
		if p := recover(); p != nil {
			c.s.panics.Add(1)
			c.s.log.Error("handler panic", "api", kmsg.NameForKey(a.key), "version", r.version, "panic", p, "stack", string(debug.Stack()))
			sl.frame, sl.close = nil, true
		}
	}()
	resp, err := a.handle(r)
	if err != nil {
		c.s.log.Debug("closing connection", "remote", c.remote, "api", kmsg.NameForKey(a.key), "err", err)
		sl.close = true
		return
	}
	sl.close = r.closeAfter
	if r.pieces != nil {
		// The handler encoded the frame itself (see frameStart).
		size := -4
		for _, p := range r.pieces {
			size += len(p)
		}
		binary.BigEndian.PutUint32(r.pieces[0][0:], uint32(size))
		binary.BigEndian.PutUint32(r.pieces[0][4:], uint32(r.corr))
		sl.pieces, sl.release = r.pieces, r.release
		r.pieces, r.release = nil, nil
		return
	}
	if resp == nil {
		return
	}
	resp.SetVersion(r.version)
	sl.frame = appendResponse(nil, r.corr, resp)
}

// push queues sl in response order; false if the connection is going away.
func (c *conn) push(sl *slot) bool {
	select {
	case c.queue <- sl:
		return true
	default:
	}
	select {
	case c.queue <- sl:
		return true
	case <-c.ctx.Done():
		return false
	}
}

// writeLoop writes queued responses in order, flushing when it would wait.
func (c *conn) writeLoop() {
	defer close(c.wdone)
	defer c.nc.Close()
	bw := bufio.NewWriterSize(c.nc, 64<<10)
	failed := false
	fail := func() {
		failed = true
		c.cancel()
		c.nc.Close()
	}
	for sl := range c.queue {
		if sl.ready != nil {
			select {
			case <-sl.ready:
			default:
				if !failed && bw.Flush() != nil {
					fail()
				}
				<-sl.ready
			}
		}
		if failed {
			for _, b := range sl.release {
				putBuf(b)
			}
			continue // drain so blocked handlers are waited for
		}
		if sl.frame != nil {
			if _, err := bw.Write(sl.frame); err != nil { // bufio copies what it keeps
				fail()
				continue
			}
		}
		if sl.pieces != nil {
			err := writePieces(bw, c.nc, sl.pieces)
			for _, b := range sl.release {
				putBuf(b)
			}
			if err != nil {
				fail()
				continue
			}
		}
		if sl.close {
			bw.Flush()
			fail()
			continue
		}
		if len(c.queue) == 0 && bw.Flush() != nil {
			fail()
		}
	}
	if !failed {
		bw.Flush()
	}
}

// writePieces writes a frame given in pieces: through bw when it fits, else
// after what bw holds, with one vectored write.
func writePieces(bw *bufio.Writer, w io.Writer, pieces [][]byte) error {
	n := 0
	for _, p := range pieces {
		n += len(p)
	}
	if n <= bw.Available() {
		for _, p := range pieces {
			bw.Write(p) // an error sticks: Flush reports it
		}
		return nil
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	bufs := net.Buffers(pieces)
	_, err := bufs.WriteTo(w)
	return err
}

// encodeResponse frames resp: size, correlation id, header tags, body.
func encodeResponse(corr int32, resp kmsg.Response) []byte {
	return appendResponse(make([]byte, 0, 64), corr, resp)
}

// appendResponse appends the framed resp to buf[:0].
func appendResponse(buf []byte, corr int32, resp kmsg.Response) []byte {
	// ApiVersions responses always use header v0 (no tags), so a client
	// can parse one whatever version it asked for.
	buf = frameStart(buf[:0], resp.IsFlexible() && resp.Key() != apiKeyApiVersions)
	buf = resp.AppendTo(buf)
	binary.BigEndian.PutUint32(buf[0:], uint32(len(buf)-4))
	binary.BigEndian.PutUint32(buf[4:], uint32(corr))
	return buf
}

// frameStart appends the start of a response frame: room for its size and
// correlation id, set once the body is complete, and the empty tag section
// of a flexible response header.
func frameStart(buf []byte, flexible bool) []byte {
	buf = append(buf, 0, 0, 0, 0, 0, 0, 0, 0)
	if flexible {
		buf = append(buf, 0)
	}
	return buf
}

// parseClientID reads the header's nullable client id string.
func parseClientID(b []byte) (string, []byte, error) {
	if len(b) < 2 {
		return "", nil, errors.New("short request header")
	}
	n := int(int16(binary.BigEndian.Uint16(b)))
	b = b[2:]
	switch {
	case n == -1:
		return "", b, nil
	case n < -1 || n > len(b):
		return "", nil, fmt.Errorf("bad client id length %d", n)
	}
	return string(b[:n]), b[n:], nil
}

// skipTags skips a tagged-field section.
func skipTags(b []byte) ([]byte, error) {
	num, n := binary.Uvarint(b)
	if n <= 0 || num > uint64(len(b)) {
		return nil, errors.New("bad tagged fields")
	}
	b = b[n:]
	for ; num > 0; num-- {
		_, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, errors.New("bad tag")
		}
		b = b[n:]
		size, n := binary.Uvarint(b)
		if n <= 0 || size > uint64(len(b)-n) {
			return nil, errors.New("bad tag size")
		}
		b = b[n+int(size):]
	}
	return b, nil
}
