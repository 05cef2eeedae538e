package redis

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingConn counts Write calls on the server side of a connection.
type countingConn struct {
	net.Conn
	writes atomic.Int64
}

func (c *countingConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}

func TestServerPipelineOneFlush(t *testing.T) {
	ts := newTestServer(t)
	srvSide, cliSide := net.Pipe()
	cc := &countingConn{Conn: srvSide}
	ts.start(cc)
	var pipe strings.Builder
	for range 16 {
		pipe.Write(encodeCommand("PING"))
	}
	pipe.Write(encodeCommand("ECHO", "last"))
	go cliSide.Write([]byte(pipe.String()))
	c := &respConn{nc: cliSide, br: bufio.NewReader(cliSide)}
	for range 16 {
		c.Read(t).WantRaw("+PONG\r\n")
	}
	c.Read(t).Want("last")
	if n := cc.writes.Load(); n != 1 {
		t.Fatalf("17 pipelined replies took %d writes, want 1", n)
	}
	cliSide.Close()
}

func TestServerInlineCommands(t *testing.T) {
	ts := newTestServer(t)
	c := ts.Dial(t)
	c.Write(t, "PING\r\n")
	c.Read(t).WantRaw("+PONG\r\n")
	c.Write(t, "echo \"a\\x41\\n\" 'it\\'s'\n\r\n   \r\nECHO x\n")
	c.Read(t).WantErr("ERR wrong number of arguments for 'echo' command")
	c.Read(t).Want("x")
	c.Write(t, "ECHO \"unbalanced\r\n")
	c.Read(t).WantRaw("-ERR Protocol error: unbalanced quotes in request\r\n")
	if _, err := c.ReadErr(); err == nil {
		t.Fatal("connection open after a protocol error")
	}
}

func TestServerHostileInput(t *testing.T) {
	ts := newTestServer(t)
	cases := []struct{ name, in, want string }{
		{"multibulk too long", "*1048577\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"multibulk not a number", "*x\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"multibulk leading zero", "*01\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"bulk over 512MB", "*1\r\n$4294967296\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"bulk overflow", "*1\r\n$99999999999999999999\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"bulk negative", "*1\r\n$-1\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"not a bulk", "*2\r\n$4\r\nECHO\r\n:1\r\n", "-ERR Protocol error: expected '$', got ':'\r\n"},
		{"huge inline", strings.Repeat("A", 70<<10), "-ERR Protocol error: too big inline request\r\n"},
		{"huge header", "*" + strings.Repeat("1", 70<<10), "-ERR Protocol error: too big mbulk count string\r\n"},
		{"binary junk", "\x00\xff\x01\x80\r\n*1\r\n$4\r\nPING\r\n", "+PONG\r\n"},
		{"empty multibulk", "*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n", "+PONG\r\n"},
		{"bulk end unchecked", "*2\r\n$4\r\nECHO\r\n$3\r\nabcXY*1\r\n$4\r\nPING\r\n", "$3\r\nabc\r\n+PONG\r\n"},
		{"high byte inline", "\xff\r\nPING\r\n", "-ERR unknown command '\xff', with args beginning with: \r\n+PONG\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := ts.Dial(t)
			c.Write(t, tc.in)
			got := ""
			for len(got) < len(tc.want) {
				got += c.Read(t).Raw
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			if strings.HasPrefix(tc.want, "-ERR Protocol") {
				if _, err := c.ReadErr(); err == nil {
					t.Fatal("connection open after a protocol error")
				}
			}
			ts.Dial(t).Do(t, "PING").WantRaw("+PONG\r\n")
		})
	}
}

func TestServerHugeDeclaredBulkIsNotAllocated(t *testing.T) {
	ts := newTestServer(t)
	c := ts.Dial(t)
	// A 500 MB bulk announced, a few bytes sent: the server must wait for
	// more without reserving the 500 MB; another connection carries on.
	c.Write(t, "*2\r\n$4\r\nECHO\r\n$500000000\r\nabc")
	ts.Dial(t).Do(t, "PING").WantRaw("+PONG\r\n")
	// The declared arg is read into a buffer that starts at 1 MB.
	b := make([]byte, 40<<10)
	for i := range b {
		b[i] = 'x'
	}
	c.Write(t, string(b))
	ts.Dial(t).Do(t, "PING").WantRaw("+PONG\r\n")
}

func TestServerShutdownReleasesBlockedAndReturns(t *testing.T) {
	b := newTestBroker(t, nil)
	s := New(Config{Broker: b})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	ts := &testServer{Server: s, B: b, Addr: ln.Addr().String()}
	blocked := ts.Dial(t)
	blocked.Send(t, "TEST.BLOCK", "0")
	waitBlocked(t, s, 1)
	idle := ts.Dial(t)
	idle.Do(t, "PING").WantRaw("+PONG\r\n")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve after Shutdown: %v", err)
	}
	if _, err := blocked.ReadErr(); err == nil {
		t.Fatal("blocked connection still open")
	}
	if _, err := idle.ReadErr(); err == nil {
		t.Fatal("idle connection still open")
	}
	if _, err := net.Dial("tcp", ts.Addr); err == nil {
		t.Fatal("still accepting")
	}
	// Serve after Shutdown returns at once.
	ln2, _ := net.Listen("tcp", "127.0.0.1:0")
	if err := s.Serve(ln2); err != nil {
		t.Fatal(err)
	}
}

func TestServerManyConnections(t *testing.T) {
	ts := newTestServer(t)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nc, err := net.Dial("tcp", ts.Addr)
			if err != nil {
				errs <- err
				return
			}
			defer nc.Close()
			for range 50 {
				if _, err := nc.Write(encodeCommand("ECHO", "hello")); err != nil {
					errs <- err
					return
				}
				buf := make([]byte, 11)
				if _, err := io.ReadFull(nc, buf); err != nil {
					errs <- err
					return
				}
				if string(buf) != "$5\r\nhello\r\n" {
					errs <- errors.New("bad reply " + string(buf))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
