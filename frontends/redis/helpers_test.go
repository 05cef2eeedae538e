// Test helpers shared by the Redis frontend's tests: an in-process server
// on 127.0.0.1:0 over an in-memory broker, go-redis clients, and a raw RESP
// client whose replies read like the protocol:
//
//	ts := newTestServer(t)
//	c := ts.Dial(t)
//	c.Do(t, "XADD", "s", "1-1", "f", "v").Want("1-1")
//	c.Do(t, "GET").WantErr("ERR wrong number of arguments")
//	c.Do(t, "PING").WantRaw("+PONG\r\n")
package redis

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"junction/broker"
	"junction/storage/memlog"
	"junction/storage/memmeta"
)

// testServer is a Server serving on a loopback port, shut down at cleanup.
type testServer struct {
	*Server
	B    *broker.Broker
	Addr string
}

// newTestServer starts a server on a fresh in-memory broker; opts adjust
// its Config (e.g. to set a password).
func newTestServer(t testing.TB, opts ...func(*Config)) *testServer {
	t.Helper()
	return newTestServerOn(t, newTestBroker(t, nil), opts...)
}

// newTestBroker returns an in-memory broker closed at cleanup; now, if not
// nil, is its clock.
func newTestBroker(t testing.TB, now func() time.Time) *broker.Broker {
	t.Helper()
	b, err := broker.New(broker.Config{Logs: memlog.New(), Meta: memmeta.New(), Now: now, Fsync: broker.FsyncNever})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// newTestServerOn starts a server on b.
func newTestServerOn(t testing.TB, b *broker.Broker, opts ...func(*Config)) *testServer {
	t.Helper()
	cfg := Config{Broker: b, Logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(&cfg)
	}
	s := New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return &testServer{Server: s, B: b, Addr: ln.Addr().String()}
}

// withPassword sets Config.Password.
func withPassword(p string) func(*Config) { return func(c *Config) { c.Password = p } }

// Client returns a go-redis client speaking protocol proto (2 or 3),
// closed at cleanup.
func (ts *testServer) Client(t testing.TB, proto int, opts ...func(*goredis.Options)) *goredis.Client {
	o := &goredis.Options{Addr: ts.Addr, Protocol: proto, MaxRetries: -1, ReadTimeout: 5 * time.Second}
	for _, f := range opts {
		f(o)
	}
	c := goredis.NewClient(o)
	t.Cleanup(func() { c.Close() })
	return c
}

// Dial opens a raw RESP connection, closed at cleanup.
func (ts *testServer) Dial(t testing.TB) *respConn {
	t.Helper()
	nc, err := net.Dial("tcp", ts.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &respConn{nc: nc, br: bufio.NewReader(nc)}
}

// respConn is a RESP client that keeps replies as bytes.
type respConn struct {
	nc net.Conn
	br *bufio.Reader
}

// encodeCommand encodes args (string, []byte, int, int64) as a multibulk.
func encodeCommand(args ...any) []byte {
	b := []byte("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		var s string
		switch v := a.(type) {
		case string:
			s = v
		case []byte:
			s = string(v)
		default:
			s = fmt.Sprint(v)
		}
		b = append(b, "$"+strconv.Itoa(len(s))+"\r\n"+s+"\r\n"...)
	}
	return b
}

// Do sends one command and reads its reply.
func (c *respConn) Do(t testing.TB, args ...any) *Reply {
	t.Helper()
	c.Send(t, args...)
	return c.Read(t)
}

// Send writes one command without reading (for pipelines and pushes).
func (c *respConn) Send(t testing.TB, args ...any) {
	t.Helper()
	c.Write(t, string(encodeCommand(args...)))
}

// Write sends raw bytes.
func (c *respConn) Write(t testing.TB, raw string) {
	t.Helper()
	c.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.nc.Write([]byte(raw)); err != nil {
		t.Fatalf("write: %v", err)
	}
}

// Read reads the next reply or push frame.
func (c *respConn) Read(t testing.TB) *Reply {
	t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	var raw strings.Builder
	v, err := readValue(c.br, &raw)
	if err != nil {
		t.Fatalf("reading reply: %v (so far %q)", err, raw.String())
	}
	return &Reply{t: t, Raw: raw.String(), Val: v}
}

// ReadErr reads the next reply and returns the read error, for tests that
// expect the server to close the connection. The Reply is for inspection
// (Raw, Val) only: it has no testing.TB for the Want methods.
func (c *respConn) ReadErr() (*Reply, error) {
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	var raw strings.Builder
	v, err := readValue(c.br, &raw)
	if err != nil {
		return nil, err
	}
	return &Reply{Raw: raw.String(), Val: v}, nil
}

// Reply is one decoded reply. Val holds: string for simple, bulk and
// verbatim strings; int64; float64; bool; nil for any null; RespError for
// errors; []any for arrays, sets and pushes; and for maps a []any of
// alternating keys and values (the RESP2 shape). Push is true for a ">"
// frame, Map for a "%" one.
type Reply struct {
	t   testing.TB
	Raw string
	Val any
}

// RespError is an error reply's text (without the '-').
type RespError string

func (e RespError) Error() string { return string(e) }

// Want checks the decoded value: want may use int for int64, []string or
// []any for arrays, nil for null, and a RespError for an error.
func (r *Reply) Want(want any) *Reply {
	r.t.Helper()
	if w := normalize(want); !reflect.DeepEqual(r.Val, w) {
		r.t.Fatalf("reply %q:\n got  %#v\n want %#v", r.Raw, r.Val, w)
	}
	return r
}

// WantRaw checks the reply's bytes exactly.
func (r *Reply) WantRaw(raw string) *Reply {
	r.t.Helper()
	if r.Raw != raw {
		r.t.Fatalf("reply:\n got  %q\n want %q", r.Raw, raw)
	}
	return r
}

// WantErr checks for an error reply starting with prefix.
func (r *Reply) WantErr(prefix string) *Reply {
	r.t.Helper()
	e, ok := r.Val.(RespError)
	if !ok || !strings.HasPrefix(string(e), prefix) {
		r.t.Fatalf("reply %q: want error starting with %q", r.Raw, prefix)
	}
	return r
}

// WantOK checks for +OK.
func (r *Reply) WantOK() *Reply {
	r.t.Helper()
	return r.WantRaw("+OK\r\n")
}

// Int returns an integer reply.
func (r *Reply) Int() int64 {
	r.t.Helper()
	n, ok := r.Val.(int64)
	if !ok {
		r.t.Fatalf("reply %q is not an integer", r.Raw)
	}
	return n
}

// Str returns a string reply.
func (r *Reply) Str() string {
	r.t.Helper()
	s, ok := r.Val.(string)
	if !ok {
		r.t.Fatalf("reply %q is not a string", r.Raw)
	}
	return s
}

// Array returns an array reply.
func (r *Reply) Array() []any {
	r.t.Helper()
	a, ok := r.Val.([]any)
	if !ok {
		r.t.Fatalf("reply %q is not an array", r.Raw)
	}
	return a
}

func normalize(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	}
	return v
}

// readValue decodes one RESP2/RESP3 value, copying its bytes to raw.
func readValue(br *bufio.Reader, raw *strings.Builder) (any, error) {
	line, err := br.ReadString('\n')
	raw.WriteString(line)
	if err != nil {
		return nil, err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return nil, fmt.Errorf("bad line %q", line)
	}
	body := line[1 : len(line)-2]
	readN := func(n int) (string, error) {
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(br, buf); err != nil {
			return "", err
		}
		raw.Write(buf)
		return string(buf[:n]), nil
	}
	switch line[0] {
	case '+':
		return body, nil
	case '-':
		return RespError(body), nil
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '_':
		return nil, nil
	case '#':
		return body == "t", nil
	case ',':
		switch body {
		case "inf":
			return math.Inf(1), nil
		case "-inf":
			return math.Inf(-1), nil
		}
		return strconv.ParseFloat(body, 64)
	case '$', '=', '!':
		n, err := strconv.Atoi(body)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, nil
		}
		s, err := readN(n)
		if err != nil {
			return nil, err
		}
		switch line[0] {
		case '=':
			if len(s) < 4 {
				return nil, errors.New("short verbatim string")
			}
			return s[4:], nil
		case '!':
			return RespError(s), nil
		}
		return s, nil
	case '*', '~', '>', '%':
		n, err := strconv.Atoi(body)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, nil
		}
		if line[0] == '%' {
			n *= 2
		}
		out := make([]any, n)
		for i := range out {
			if out[i], err = readValue(br, raw); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown reply type %q", line)
}

// newTestConn returns a Conn without a socket on a fresh in-memory broker,
// for driving dispatch directly (its replies stay in c.W.Buf).
func newTestConn(t testing.TB) *Conn {
	s := New(Config{Broker: newTestBroker(t, nil)})
	c := newConn(s, nil)
	s.conns[c.id] = c
	return c
}
