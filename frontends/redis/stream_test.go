// Test helpers for the stream command tests: an in-process server on
// 127.0.0.1:0 over a broker on memory storage with a settable clock, and a
// raw RESP client whose replies render compactly (bulk strings bare,
// arrays as [a b], maps as {k:v}, nulls as nil, errors as -TEXT, integers
// as :n), so tests read like the protocol.
package redis

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"junction/broker"
	"junction/broker/brokertest"
)

// streamTestClock is a settable clock for broker.Config.Now.
type streamTestClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *streamTestClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *streamTestClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// streamEnv is a running server with its broker and clock.
type streamEnv struct {
	t     testing.TB
	b     *broker.Broker
	srv   *Server
	clock *streamTestClock
	addr  string
}

// newStreamEnv starts a server whose clock starts at 1000000 ms.
func newStreamEnv(t testing.TB) *streamEnv {
	t.Helper()
	clk := &streamTestClock{t: time.UnixMilli(1_000_000)}
	b := brokertest.Memory(t).New(t, broker.Config{Now: clk.Now, Fsync: broker.FsyncNever})
	return startStreamServer(t, b, clk)
}

func startStreamServer(t testing.TB, b *broker.Broker, clk *streamTestClock) *streamEnv {
	t.Helper()
	srv := New(Config{Broker: b})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return &streamEnv{t: t, b: b, srv: srv, clock: clk, addr: ln.Addr().String()}
}

// client returns a go-redis client speaking protocol proto (2 or 3).
func (e *streamEnv) client(proto int) *goredis.Client {
	c := goredis.NewClient(&goredis.Options{Addr: e.addr, Protocol: proto, DisableIdentity: true,
		ReadTimeout: 10 * time.Second, MaxRetries: -1})
	e.t.Cleanup(func() { c.Close() })
	return c
}

// sxConn is a RESP client that keeps replies as bytes.
type sxConn struct {
	t  testing.TB
	nc net.Conn
	rd *bufio.Reader
}

// raw dials the server; proto 3 sends HELLO 3 first.
func (e *streamEnv) raw(proto int) *sxConn {
	return sxDial(e.t, e.addr, proto)
}

func sxDial(t testing.TB, addr string, proto int) *sxConn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	c := &sxConn{t: t, nc: nc, rd: bufio.NewReader(nc)}
	if proto == 3 {
		c.Do("HELLO", "3")
	}
	return c
}

// send writes one command without reading its reply.
func (c *sxConn) send(args ...string) {
	c.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.nc.Write([]byte(b.String())); err != nil {
		c.t.Fatal(err)
	}
}

// reply reads one reply and returns its raw bytes.
func (c *sxConn) reply() []byte {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	var out []byte
	if err := sxReadRESP(c.rd, &out); err != nil {
		c.t.Fatalf("reading reply: %v", err)
	}
	return out
}

// Do sends a command and returns its reply.
func (c *sxConn) Do(args ...string) sxReply {
	c.t.Helper()
	c.send(args...)
	return sxReply{t: c.t, raw: c.reply(), cmd: args}
}

// sxReply is one reply as read.
type sxReply struct {
	t   testing.TB
	raw []byte
	cmd []string
}

// Want fails the test unless the reply renders as want.
func (r sxReply) Want(want string) sxReply {
	r.t.Helper()
	if got := sxRender(r.raw); got != want {
		r.t.Fatalf("%q:\n got %s\nwant %s", r.cmd, got, want)
	}
	return r
}

// WantRaw fails the test unless the reply's bytes are want.
func (r sxReply) WantRaw(want string) sxReply {
	r.t.Helper()
	if string(r.raw) != want {
		r.t.Fatalf("%q:\n got %q\nwant %q", r.cmd, r.raw, want)
	}
	return r
}

// String renders the reply.
func (r sxReply) String() string { return sxRender(r.raw) }

// sxReadRESP appends one complete RESP2/RESP3 value read from rd to out.
func sxReadRESP(rd *bufio.Reader, out *[]byte) error {
	line, err := rd.ReadBytes('\n')
	if err != nil {
		return err
	}
	*out = append(*out, line...)
	if len(line) < 3 {
		return fmt.Errorf("short line %q", line)
	}
	n, _ := strconv.Atoi(string(line[1 : len(line)-2]))
	switch line[0] {
	case '$', '=', '!':
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := sxReadFull(rd, buf); err != nil {
			return err
		}
		*out = append(*out, buf...)
	case '*', '~', '>':
		for i := 0; i < n; i++ {
			if err := sxReadRESP(rd, out); err != nil {
				return err
			}
		}
	case '%', '|':
		for i := 0; i < 2*n; i++ {
			if err := sxReadRESP(rd, out); err != nil {
				return err
			}
		}
	}
	return nil
}

func sxReadFull(rd *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := rd.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// sxRender renders raw RESP compactly.
func sxRender(raw []byte) string {
	var b strings.Builder
	rest := sxRenderOne(raw, &b)
	if len(rest) > 0 {
		b.WriteString(" …" + strconv.Quote(string(rest)))
	}
	return b.String()
}

func sxRenderOne(raw []byte, b *strings.Builder) []byte {
	i := strings.Index(string(raw), "\r\n")
	if i < 0 {
		b.WriteString(strconv.Quote(string(raw)))
		return nil
	}
	head, rest := string(raw[1:i]), raw[i+2:]
	n, _ := strconv.Atoi(head)
	switch raw[0] {
	case '+':
		b.WriteString(head)
	case '-':
		b.WriteString("-" + head)
	case ':':
		b.WriteString(":" + head)
	case '_':
		b.WriteString("nil")
	case ',':
		b.WriteString("," + head)
	case '#':
		b.WriteString("#" + head)
	case '$', '=':
		if n < 0 {
			b.WriteString("nil")
			return rest
		}
		b.WriteString(string(rest[:n]))
		return rest[n+2:]
	case '*', '~', '>':
		if n < 0 {
			b.WriteString("nil")
			return rest
		}
		b.WriteByte('[')
		for k := 0; k < n; k++ {
			if k > 0 {
				b.WriteByte(' ')
			}
			rest = sxRenderOne(rest, b)
		}
		b.WriteByte(']')
	case '%':
		b.WriteByte('{')
		for k := 0; k < n; k++ {
			if k > 0 {
				b.WriteByte(' ')
			}
			rest = sxRenderOne(rest, b)
			b.WriteByte(':')
			rest = sxRenderOne(rest, b)
		}
		b.WriteByte('}')
	default:
		b.WriteString(strconv.Quote(string(raw)))
		return nil
	}
	return rest
}

// waitBlocked waits until n readers are blocked on topic and group ("" for
// XREAD), woken by each reader that blocks (no polling).
func (e *streamEnv) waitBlocked(topic, group string, n int) {
	e.t.Helper()
	h := hubFor(e.b)
	deadline := time.After(10 * time.Second)
	for {
		got, ch := h.blockedCount(topic, group)
		if got >= n {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			e.t.Fatalf("%d readers blocked on %s/%s, want %d", got, topic, group, n)
		}
	}
}

func TestStreamRenderRESP(t *testing.T) {
	for raw, want := range map[string]string{
		"*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n": "[1-1 [f v]]",
		"%1\r\n$1\r\ns\r\n*0\r\n":                         "{s:[]}",
		"*-1\r\n":                                         "nil",
		"_\r\n":                                           "nil",
		"-ERR x y\r\n":                                    "-ERR x y",
		":5\r\n":                                          ":5",
	} {
		if got := sxRender([]byte(raw)); got != want {
			t.Errorf("%q renders %s, want %s", raw, got, want)
		}
	}
}
