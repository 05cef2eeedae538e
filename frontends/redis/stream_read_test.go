// Tests of XREAD and XREADGROUP: reply shapes in RESP2 and RESP3, blocking
// woken by XADD (no sleeps: readers are seen blocked first), timeouts, FIFO
// among blocked group readers, NOGROUP on DESTROY and DEL, history reads,
// MULTI and CLIENT UNBLOCK.
package redis

import (
	"context"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

func TestStreamXReadShapes(t *testing.T) {
	e := newStreamEnv(t)
	c2, c3 := e.raw(2), e.raw(3)
	c2.Do("XADD", "s", "1-0", "f", "a")
	c2.Do("XADD", "t", "2-0", "g", "b")
	c2.Do("XREAD", "STREAMS", "s", "t", "0", "0").WantRaw("*2\r\n" +
		"*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\na\r\n" +
		"*2\r\n$1\r\nt\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\ng\r\n$1\r\nb\r\n")
	c3.Do("XREAD", "STREAMS", "s", "t", "0", "0").WantRaw("%2\r\n" +
		"$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\na\r\n" +
		"$1\r\nt\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\ng\r\n$1\r\nb\r\n")
	c2.Do("XREAD", "STREAMS", "s", "$").WantRaw("*-1\r\n")
	c3.Do("XREAD", "STREAMS", "s", "$").WantRaw("_\r\n")
	c2.Do("XREAD", "BLOCK", "1", "STREAMS", "s", "$").WantRaw("*-1\r\n")
	c3.Do("XREAD", "BLOCK", "1", "STREAMS", "s", "$").WantRaw("_\r\n")
	c2.Do("XREAD", "STREAMS", "s", "+").Want("[[s [[1-0 [f a]]]]]")
	c2.Do("XREAD", "STREAMS", "nope", "+").Want("nil")
}

func TestStreamXReadBlockWokenByXAdd(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run(string(rune('0'+proto)), func(t *testing.T) {
			e := newStreamEnv(t)
			reader, writer := e.client(proto), e.client(proto)
			ctx := context.Background()
			writer.XAdd(ctx, &goredis.XAddArgs{Stream: "s", ID: "1-0", Values: []string{"f", "old"}})
			got := make(chan []goredis.XStream, 1)
			go func() {
				res, err := reader.XRead(ctx, &goredis.XReadArgs{Streams: []string{"missing", "s", "$", "$"}, Block: 0}).Result()
				if err != nil {
					t.Error(err)
				}
				got <- res
			}()
			e.waitBlocked("s", "", 1)
			if err := writer.XAdd(ctx, &goredis.XAddArgs{Stream: "s", ID: "2-0", Values: []string{"f", "new"}}).Err(); err != nil {
				t.Fatal(err)
			}
			res := <-got
			if len(res) != 1 || res[0].Stream != "s" || len(res[0].Messages) != 1 || res[0].Messages[0].ID != "2-0" ||
				res[0].Messages[0].Values["f"] != "new" {
				t.Fatalf("XREAD = %+v", res)
			}
		})
	}
}

func TestStreamXReadBlockOnMissingKeyWokenByCreation(t *testing.T) {
	e := newStreamEnv(t)
	c := e.raw(2)
	c.send("XREAD", "BLOCK", "0", "STREAMS", "later", "$")
	e.waitBlocked("later", "", 1)
	e.raw(2).Do("XADD", "later", "5-0", "f", "v")
	if got := sxRender(c.reply()); got != "[[later [[5-0 [f v]]]]]" {
		t.Fatalf("got %s", got)
	}
}

func TestStreamXReadBlockTimeout(t *testing.T) {
	e := newStreamEnv(t)
	for _, proto := range []int{2, 3} {
		cl := e.client(proto)
		start := time.Now()
		_, err := cl.XRead(context.Background(), &goredis.XReadArgs{Streams: []string{"s", "$"}, Block: 30 * time.Millisecond}).Result()
		if err != goredis.Nil {
			t.Fatalf("proto %d: err = %v, want redis.Nil", proto, err)
		}
		if d := time.Since(start); d < 30*time.Millisecond {
			t.Fatalf("returned after %v", d)
		}
	}
	// XREADGROUP with ">" times out the same way; an explicit ID never blocks.
	c := e.raw(3)
	c.Do("XGROUP", "CREATE", "g", "grp", "$", "MKSTREAM").Want("OK")
	c.Do("XREADGROUP", "GROUP", "grp", "c", "BLOCK", "20", "STREAMS", "g", ">").WantRaw("_\r\n")
	c.Do("XREADGROUP", "GROUP", "grp", "c", "BLOCK", "0", "STREAMS", "g", "0").Want("{g:[]}")
}

func TestStreamXReadGroupBlockedFIFO(t *testing.T) {
	e := newStreamEnv(t)
	w := e.raw(2)
	w.Do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM").Want("OK")
	first, second := e.raw(2), e.raw(3)
	first.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
	e.waitBlocked("s", "g", 1)
	second.send("XREADGROUP", "GROUP", "g", "bob", "COUNT", "5", "BLOCK", "0", "STREAMS", "s", ">")
	e.waitBlocked("s", "g", 2)
	w.Do("XADD", "s", "1-0", "f", "one")
	if got := sxRender(first.reply()); got != "[[s [[1-0 [f one]]]]]" {
		t.Fatalf("first blocked reader got %s", got)
	}
	e.waitBlocked("s", "g", 1) // bob still waits
	w.Do("XADD", "s", "2-0", "f", "two")
	if got := sxRender(second.reply()); got != "{s:[[2-0 [f two]]]}" {
		t.Fatalf("second blocked reader got %s", got)
	}
	w.Do("XPENDING", "s", "g").Want("[:2 1-0 2-0 [[alice 1] [bob 1]]]")
}

func TestStreamXReadGroupBlockedNoGroup(t *testing.T) {
	e := newStreamEnv(t)
	w := e.raw(2)
	w.Do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM").Want("OK")
	w.Do("XGROUP", "CREATE", "t", "g", "$", "MKSTREAM").Want("OK")
	a, b := e.raw(2), e.raw(2)
	a.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
	b.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "t", ">")
	e.waitBlocked("s", "g", 1)
	e.waitBlocked("t", "g", 1)
	w.Do("XGROUP", "DESTROY", "s", "g").Want(":1")
	if got := sxRender(a.reply()); got != "-NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option" {
		t.Fatalf("after DESTROY: %s", got)
	}
	w.Do("DEL", "t").Want(":1")
	if got := sxRender(b.reply()); got != "-NOGROUP No such key 't' or consumer group 'g' in XREADGROUP with GROUP option" {
		t.Fatalf("after DEL: %s", got)
	}
}

func TestStreamXReadGroupHistoryAndNoAck(t *testing.T) {
	e := newStreamEnv(t)
	cl := e.client(3)
	ctx := context.Background()
	for _, id := range []string{"1-0", "2-0", "3-0"} {
		cl.XAdd(ctx, &goredis.XAddArgs{Stream: "s", ID: id, Values: []string{"f", id}})
	}
	cl.XGroupCreate(ctx, "s", "g", "0")
	res, err := cl.XReadGroup(ctx, &goredis.XReadGroupArgs{Group: "g", Consumer: "alice", Streams: []string{"s", ">"}, Count: 2}).Result()
	if err != nil || len(res[0].Messages) != 2 {
		t.Fatalf("XREADGROUP > = %v, %v", res, err)
	}
	res, _ = cl.XReadGroup(ctx, &goredis.XReadGroupArgs{Group: "g", Consumer: "bob", Streams: []string{"s", ">"}, NoAck: true}).Result()
	if len(res[0].Messages) != 1 || res[0].Messages[0].ID != "3-0" {
		t.Fatalf("NOACK read = %v", res)
	}
	cl.XDel(ctx, "s", "1-0")
	// alice's history: 1-0 was deleted (nil fields), 2-0 is still there.
	c := e.raw(2)
	c.Do("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0").Want("[[s [[1-0 nil] [2-0 [f 2-0]]]]]")
	c.Do("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", "1-0").Want("[[s [[2-0 [f 2-0]]]]]")
	c.Do("XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", "s", "0").Want("[[s []]]")
	e.clock.Add(7 * time.Millisecond)
	pend, err := cl.XPendingExt(ctx, &goredis.XPendingExtArgs{Stream: "s", Group: "g", Start: "-", End: "+", Count: 10}).Result()
	if err != nil || len(pend) != 2 || pend[0].RetryCount != 1 || pend[1].RetryCount != 3 || pend[1].Idle != 7*time.Millisecond {
		t.Fatalf("XPENDING = %+v, %v", pend, err)
	}
}

func TestStreamBlockedXReadInMultiDoesNotBlock(t *testing.T) {
	e := newStreamEnv(t)
	c := e.raw(2)
	c.Do("MULTI").Want("OK")
	c.Do("XREAD", "BLOCK", "0", "STREAMS", "s", "$").Want("QUEUED")
	c.Do("EXEC").Want("[nil]")
}

func TestStreamClientUnblock(t *testing.T) {
	e := newStreamEnv(t)
	a := e.raw(2)
	id := a.Do("CLIENT", "ID").String()
	a.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
	e.waitBlocked("s", "", 1)
	e.raw(2).Do("CLIENT", "UNBLOCK", id[1:], "ERROR").Want(":1")
	if got := sxRender(a.reply()); got != "-UNBLOCKED client unblocked via CLIENT UNBLOCK" {
		t.Fatalf("got %s", got)
	}
	a.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
	e.waitBlocked("s", "", 1)
	e.raw(2).Do("CLIENT", "UNBLOCK", id[1:]).Want(":1")
	if got := sxRender(a.reply()); got != "nil" {
		t.Fatalf("got %s", got)
	}
}
