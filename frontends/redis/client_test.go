package redis

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

func TestClientCommands(t *testing.T) {
	ts := newTestServer(t)
	a, b := ts.Dial(t), ts.Dial(t)
	idA := a.Do(t, "CLIENT", "ID").Int()
	idB := b.Do(t, "client", "id").Int()
	if idA <= 0 || idB == idA {
		t.Fatalf("ids %d %d", idA, idB)
	}
	a.Do(t, "CLIENT", "GETNAME").Want(nil)
	a.Do(t, "CLIENT", "SETNAME", "worker-1").WantOK()
	a.Do(t, "CLIENT", "SETNAME", "bad name").WantRaw(
		"-ERR Client names cannot contain spaces, newlines or special characters.\r\n")
	a.Do(t, "CLIENT", "SETINFO", "LIB-NAME", "mylib").WantOK()
	a.Do(t, "CLIENT", "SETINFO", "lib-ver", "1.2").WantOK()
	a.Do(t, "CLIENT", "SETINFO", "lib-foo", "1").WantRaw("-ERR Unrecognized option 'lib-foo'\r\n")
	a.Do(t, "CLIENT", "SETINFO", "LIB-NAME", "a b").WantRaw(
		"-ERR LIB-NAME cannot contain spaces, newlines or special characters.\r\n")
	a.Do(t, "CLIENT", "NO-EVICT", "on").WantOK()
	a.Do(t, "CLIENT", "NO-TOUCH", "maybe").WantErr("ERR syntax error")
	info := a.Do(t, "CLIENT", "INFO").Str()
	for _, f := range []string{"id=" + strconv.FormatInt(idA, 10) + " ", " name=worker-1 ", " lib-name=mylib ",
		" lib-ver=1.2", " db=0 ", " resp=2 ", " cmd=client|info ", " flags=N "} {
		if !strings.Contains(info, f) {
			t.Errorf("CLIENT INFO %q lacks %q", info, f)
		}
	}
	list := a.Do(t, "CLIENT", "LIST").Str()
	if strings.Count(list, "\n") != 2 || !strings.HasSuffix(list, "\n") {
		t.Fatalf("CLIENT LIST = %q", list)
	}
	only := a.Do(t, "CLIENT", "LIST", "ID", idB).Str()
	if !strings.HasPrefix(only, "id="+strconv.FormatInt(idB, 10)+" ") {
		t.Fatalf("CLIENT LIST ID = %q", only)
	}
	a.Do(t, "CLIENT", "LIST", "TYPE", "pubsub").Want("")
	a.Do(t, "CLIENT", "LIST", "TYPE", "bogus").WantErr("ERR Unknown client type 'bogus'")

	// KILL: new form counts, old form by address, skipme.
	a.Do(t, "CLIENT", "KILL", "ID", idA).Want(0) // skipme yes by default
	a.Do(t, "CLIENT", "KILL", "ID", "0").WantRaw("-ERR client-id should be greater than 0\r\n")
	a.Do(t, "CLIENT", "KILL", "1.2.3.4:5").WantRaw("-ERR No such client\r\n")
	a.Do(t, "CLIENT", "KILL", "ID", idB).Want(1)
	if _, err := b.ReadErr(); err == nil {
		t.Fatal("killed client still open")
	}
	c := ts.Dial(t)
	c.Do(t, "PING").WantRaw("+PONG\r\n") // accepted and registered
	addr := c.nc.LocalAddr().String()
	a.Do(t, "CLIENT", "KILL", addr).WantOK()
	if _, err := c.ReadErr(); err == nil {
		t.Fatal("killed client still open")
	}
	a.Do(t, "CLIENT", "KILL", "SKIPME", "no", "ID", idA).Want(1)
	if _, err := a.ReadErr(); err == nil {
		t.Fatal("self-killed client still open")
	}
}

func TestClientReply(t *testing.T) {
	ts := newTestServer(t)
	c := ts.Dial(t)
	c.Send(t, "CLIENT", "REPLY", "OFF")
	c.Send(t, "ECHO", "hidden")
	c.Send(t, "CLIENT", "REPLY", "ON")
	c.Read(t).WantOK()
	c.Send(t, "CLIENT", "REPLY", "SKIP")
	c.Send(t, "ECHO", "hidden")
	c.Send(t, "ECHO", "shown")
	c.Read(t).Want("shown")
}

func TestClientUnblock(t *testing.T) {
	ts := newTestServer(t)
	ctl := ts.Dial(t)
	ctl.Do(t, "CLIENT", "UNBLOCK", "999").Want(0)
	ctl.Do(t, "CLIENT", "UNBLOCK", "x").WantErr("ERR value is not an integer")
	ctl.Do(t, "CLIENT", "UNBLOCK", "1", "MAYBE").WantRaw("-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n")

	for _, proto := range []int{2, 3} {
		blk := ts.Dial(t)
		if proto == 3 {
			blk.Do(t, "HELLO", "3")
		}
		id := blk.Do(t, "CLIENT", "ID").Int()
		// A pipelined PING before the blocking command is answered at once.
		blk.Send(t, "PING")
		blk.Send(t, "TEST.BLOCK", "0")
		blk.Read(t).WantRaw("+PONG\r\n")
		waitBlocked(t, ts.Server, 1)
		if !strings.Contains(ctl.Do(t, "CLIENT", "LIST", "ID", id).Str(), " flags=b ") {
			t.Fatal("blocked client lacks flag b")
		}
		if !strings.Contains(ctl.Do(t, "INFO", "clients").Str(), "blocked_clients:1\r\n") {
			t.Fatal("INFO blocked_clients != 1")
		}
		ctl.Do(t, "CLIENT", "UNBLOCK", id).Want(1)
		if proto == 2 {
			blk.Read(t).WantRaw("*-1\r\n")
		} else {
			blk.Read(t).WantRaw("_\r\n")
		}
		blk.Send(t, "TEST.BLOCK", "0")
		waitBlocked(t, ts.Server, 1)
		ctl.Do(t, "CLIENT", "UNBLOCK", id, "ERROR").Want(1)
		blk.Read(t).WantRaw("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n")
		ctl.Do(t, "CLIENT", "UNBLOCK", id).Want(0)
		blk.Do(t, "TEST.BLOCK", "10").WantRaw(map[int]string{2: "*-1\r\n", 3: "_\r\n"}[proto])
	}

	// go-redis: the blocked command returns redis.Nil / the UNBLOCKED error.
	ctx := context.Background()
	g := ts.Client(t, 3, func(o *goredis.Options) { o.PoolSize = 1 })
	id, err := g.ClientID(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- g.Do(ctx, "TEST.BLOCK", "0").Err() }()
	waitBlocked(t, ts.Server, 1)
	ctl.Do(t, "CLIENT", "UNBLOCK", id, "ERROR").Want(1)
	select {
	case err := <-errc:
		if err == nil || !strings.HasPrefix(err.Error(), "UNBLOCKED") {
			t.Fatalf("go-redis got %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("go-redis still blocked")
	}
}
