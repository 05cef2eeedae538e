package redis

import (
	"strconv"
	"testing"
	"time"
)

// TEST.BLOCK ms: a test-only blocking command that waits on BlockContext
// alone: "+WOKEN" never, null on timeout or CLIENT UNBLOCK TIMEOUT,
// -UNBLOCKED on CLIENT UNBLOCK ERROR.
func init() {
	register(&Command{Name: "test.block", Arity: 2, Flags: []string{"blocking"},
		Handler: func(c *Conn, args [][]byte) {
			ms, _ := strconv.Atoi(string(args[1]))
			ctx, done := c.BlockContext(time.Duration(ms) * time.Millisecond)
			defer done()
			<-ctx.Done()
			if !c.Unblocked(ctx) {
				c.W.NullArray()
			}
		}})
}

// waitBlocked waits, without polling, until at least n clients are blocked.
func waitBlocked(t testing.TB, s *Server, n int64) {
	t.Helper()
	waitBlockedFunc(t, s, n, func(have int64) bool { return have >= n })
}

// waitBlockedFunc waits until ok accepts the number of blocked clients.
func waitBlockedFunc(t testing.TB, s *Server, n int64, ok func(int64) bool) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		ch := s.blockedChange()
		if ok(s.stats.blocked.Load()) {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("timed out waiting for %d blocked clients (have %d)", n, s.stats.blocked.Load())
		}
	}
}

func TestBlockedClientDisconnectIsNoticed(t *testing.T) {
	ts := newTestServer(t)
	c := ts.Dial(t)
	c.Send(t, "TEST.BLOCK", "0")
	waitBlocked(t, ts.Server, 1)
	c.nc.Close()
	waitBlockedFunc(t, ts.Server, 0, func(n int64) bool { return n == 0 })
}

func TestBlockedClientPipelineIsKept(t *testing.T) {
	ts := newTestServer(t)
	c := ts.Dial(t)
	id := c.Do(t, "CLIENT", "ID").Int()
	c.Send(t, "TEST.BLOCK", "0")
	waitBlocked(t, ts.Server, 1)
	c.Send(t, "ECHO", "after")
	c.Send(t, "PING")
	// The commands sent while blocked are read ahead but run only after.
	ts.Dial(t).Do(t, "CLIENT", "UNBLOCK", id).Want(1)
	c.Read(t).WantRaw("*-1\r\n")
	c.Read(t).Want("after")
	c.Read(t).WantRaw("+PONG\r\n")
	// Half-close after a blocking command: the server stops waiting.
	c.Send(t, "TEST.BLOCK", "0")
	waitBlocked(t, ts.Server, 1)
	c.nc.(interface{ CloseWrite() error }).CloseWrite()
	waitBlockedFunc(t, ts.Server, 0, func(n int64) bool { return n == 0 })
	if _, err := c.ReadErr(); err == nil {
		t.Fatal("connection still open")
	}
}
