package redis

import (
	"context"
	"strings"
	"testing"

	goredis "github.com/redis/go-redis/v9"
)

func TestMultiExec(t *testing.T) {
	ts := newTestServer(t)
	mkKeys(t, ts.B, 0, "a", "b")
	c := ts.Dial(t)
	c.Do(t, "EXEC").WantRaw("-ERR EXEC without MULTI\r\n")
	c.Do(t, "DISCARD").WantRaw("-ERR DISCARD without MULTI\r\n")
	c.Do(t, "MULTI").WantOK()
	c.Do(t, "MULTI").WantRaw("-ERR MULTI calls can not be nested\r\n")
	c.Do(t, "EXISTS", "a").WantRaw("+QUEUED\r\n")
	c.Do(t, "DEL", "a").WantRaw("+QUEUED\r\n")
	c.Do(t, "EXISTS", "a", "b").WantRaw("+QUEUED\r\n")
	c.Do(t, "ECHO", "x").WantRaw("+QUEUED\r\n")
	c.Do(t, "TEST.BLOCK", "0").WantRaw("+QUEUED\r\n") // does not block inside EXEC
	c.Do(t, "WATCH", "a").WantRaw("-ERR WATCH inside MULTI is not allowed\r\n")
	if l := ts.Dial(t).Do(t, "CLIENT", "LIST").Str(); !strings.Contains(l, " flags=x ") || !strings.Contains(l, " multi=5 ") {
		t.Fatalf("CLIENT LIST does not show the transaction: %q", l)
	}
	c.Do(t, "EXEC").Want([]any{1, 1, 1, "x", nil})

	// An error while queueing aborts at EXEC.
	c.Do(t, "MULTI").WantOK()
	c.Do(t, "ECHO").WantErr("ERR wrong number of arguments")
	c.Do(t, "NOPE").WantErr("ERR unknown command")
	c.Do(t, "ECHO", "x").WantRaw("+QUEUED\r\n")
	c.Do(t, "EXEC").WantRaw("-EXECABORT Transaction discarded because of previous errors.\r\n")

	c.Do(t, "MULTI").WantOK()
	c.Do(t, "ECHO", "x").WantRaw("+QUEUED\r\n")
	c.Do(t, "DISCARD").WantOK()
	c.Do(t, "ECHO", "y").Want("y")

	// Runtime errors inside EXEC are replies in the array.
	c.Do(t, "MULTI").WantOK()
	c.Do(t, "RENAME", "nope", "x").WantRaw("+QUEUED\r\n")
	c.Do(t, "EXISTS", "b").WantRaw("+QUEUED\r\n")
	c.Do(t, "EXEC").WantRaw("*2\r\n-ERR no such key\r\n:1\r\n")
}

func TestMultiWatch(t *testing.T) {
	ts := newTestServer(t)
	mkKeys(t, ts.B, 0, "w")
	c, other := ts.Dial(t), ts.Dial(t)
	c.Do(t, "WATCH", "w", "missing").WantOK()
	c.Do(t, "MULTI").WantOK()
	c.Do(t, "ECHO", "x").WantRaw("+QUEUED\r\n")
	c.Do(t, "EXEC").Want([]any{"x"})

	c.Do(t, "WATCH", "w").WantOK()
	other.Do(t, "PEXPIRE", "w", 100000).Want(1)
	c.Do(t, "MULTI").WantOK()
	c.Do(t, "ECHO", "x").WantRaw("+QUEUED\r\n")
	c.Do(t, "EXEC").WantRaw("*-1\r\n")

	c.Do(t, "WATCH", "missing").WantOK()
	mkKeys(t, ts.B, 0, "missing")
	c.Do(t, "MULTI").WantOK()
	c.Do(t, "EXEC").WantRaw("*-1\r\n")

	c.Do(t, "WATCH", "w").WantOK()
	other.Do(t, "PERSIST", "w").Want(1)
	c.Do(t, "UNWATCH").WantOK()
	c.Do(t, "MULTI").WantOK()
	c.Do(t, "EXEC").WantRaw("*0\r\n")
}

func TestMultiGoRedis(t *testing.T) {
	ts := newTestServer(t)
	mkKeys(t, ts.B, 0, "k")
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		c := ts.Client(t, proto)
		cmds, err := c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
			p.Exists(ctx, "k")
			p.Echo(ctx, "hi")
			p.Ping(ctx)
			return nil
		})
		if err != nil || len(cmds) != 3 || cmds[0].(*goredis.IntCmd).Val() != 1 ||
			cmds[1].(*goredis.StringCmd).Val() != "hi" {
			t.Fatalf("proto %d: %v %v", proto, cmds, err)
		}
	}
}
