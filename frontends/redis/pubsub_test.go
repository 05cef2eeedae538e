package redis

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"junction/broker/pubsub"
)

func TestPubSubRESP2(t *testing.T) {
	ts := newTestServer(t)
	sub, pub := ts.Dial(t), ts.Dial(t)
	sub.Send(t, "SUBSCRIBE", "news", "sport")
	sub.Read(t).WantRaw("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n")
	sub.Read(t).Want([]any{"subscribe", "sport", 2})
	sub.Do(t, "PSUBSCRIBE", "n*").Want([]any{"psubscribe", "n*", 3})
	sub.Do(t, "SUBSCRIBE", "news").Want([]any{"subscribe", "news", 3})

	pub.Do(t, "PUBLISH", "news", "hello").Want(2)
	pub.Do(t, "PUBLISH", "nothing-here", "x").Want(1)
	pub.Do(t, "PUBLISH", "zzz", "x").Want(0)
	sub.Read(t).WantRaw("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n")
	sub.Read(t).WantRaw("*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$5\r\nhello\r\n")
	sub.Read(t).Want([]any{"pmessage", "n*", "nothing-here", "x"})

	// Subscribed mode allows only the Pub/Sub family, PING, QUIT, RESET.
	sub.Do(t, "ECHO", "x").WantRaw("-ERR Can't execute 'echo': only (P|S)SUBSCRIBE / " +
		"(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n")
	sub.Do(t, "CLIENT", "ID").WantErr("ERR Can't execute 'client|id': only")
	sub.Do(t, "PING").WantRaw("*2\r\n$4\r\npong\r\n$0\r\n\r\n")
	sub.Do(t, "PING", "hi").Want([]any{"pong", "hi"})
	sub.Do(t, "NOPE").WantErr("ERR unknown command 'NOPE'")

	pub.Do(t, "PUBSUB", "CHANNELS").Want([]string{"news", "sport"})
	pub.Do(t, "PUBSUB", "CHANNELS", "s*").Want([]string{"sport"})
	pub.Do(t, "PUBSUB", "NUMSUB", "news", "none").Want([]any{"news", 1, "none", 0})
	pub.Do(t, "PUBSUB", "NUMPAT").Want(1)
	pub.Do(t, "PUBSUB", "FOO").WantRaw("-ERR unknown subcommand 'FOO'. Try PUBSUB HELP.\r\n")

	sub.Send(t, "UNSUBSCRIBE")
	sub.Read(t).Want([]any{"unsubscribe", "news", 2})
	sub.Read(t).Want([]any{"unsubscribe", "sport", 1})
	sub.Do(t, "UNSUBSCRIBE", "never").Want([]any{"unsubscribe", "never", 1})
	sub.Do(t, "PUNSUBSCRIBE").Want([]any{"punsubscribe", "n*", 0})
	sub.Do(t, "PUNSUBSCRIBE").WantRaw("*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n")
	sub.Do(t, "ECHO", "free").Want("free")
	sub.Do(t, "PING").WantRaw("+PONG\r\n")
}

func TestPubSubRESP3PushWhileRunningCommands(t *testing.T) {
	ts := newTestServer(t)
	sub, pub := ts.Dial(t), ts.Dial(t)
	sub.Do(t, "HELLO", "3")
	sub.Do(t, "SUBSCRIBE", "c").WantRaw(">3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n")
	sub.Do(t, "ECHO", "allowed").Want("allowed")
	sub.Do(t, "PING").WantRaw("+PONG\r\n")

	const n = 300
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range n {
			pub.Send(t, "PUBLISH", "c", fmt.Sprint("m", i))
		}
		for range n {
			pub.Read(t)
		}
	}()
	for i := range n {
		sub.Send(t, "ECHO", fmt.Sprint("e", i))
	}
	replies, pushes := 0, 0
	for replies < n || pushes < n {
		r := sub.Read(t)
		switch {
		case strings.HasPrefix(r.Raw, ">3\r\n$7\r\nmessage\r\n"):
			r.Want([]any{"message", "c", fmt.Sprint("m", pushes)})
			pushes++
		case strings.HasPrefix(r.Raw, "$"):
			r.Want(fmt.Sprint("e", replies))
			replies++
		default:
			t.Fatalf("unexpected frame %q", r.Raw)
		}
	}
	wg.Wait()
}

func TestPubSubShard(t *testing.T) {
	ts := newTestServer(t)
	sub, pub := ts.Dial(t), ts.Dial(t)
	sub.Do(t, "SSUBSCRIBE", "orders").Want([]any{"ssubscribe", "orders", 1})
	sub.Do(t, "SUBSCRIBE", "orders").Want([]any{"subscribe", "orders", 1})
	pub.Do(t, "SPUBLISH", "orders", "s1").Want(1)
	sub.Read(t).WantRaw("*3\r\n$8\r\nsmessage\r\n$6\r\norders\r\n$2\r\ns1\r\n")
	pub.Do(t, "PUBLISH", "orders", "p1").Want(1)
	sub.Read(t).Want([]any{"message", "orders", "p1"})
	pub.Do(t, "PUBSUB", "SHARDCHANNELS").Want([]string{"orders"})
	pub.Do(t, "PUBSUB", "SHARDNUMSUB", "orders", "x").Want([]any{"orders", 1, "x", 0})
	sub.Do(t, "SUNSUBSCRIBE").Want([]any{"sunsubscribe", "orders", 0})
	sub.Do(t, "ECHO", "x").WantErr("ERR Can't execute 'echo'") // still on "orders"
	sub.Do(t, "RESET").WantRaw("+RESET\r\n")
	sub.Do(t, "ECHO", "x").Want("x")
	pub.Do(t, "PUBLISH", "orders", "p2").Want(0)
}

func TestPubSubGoRedis(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprint("resp", proto), func(t *testing.T) {
			c := ts.Client(t, proto)
			ps := c.Subscribe(ctx, "a")
			defer ps.Close()
			if _, err := ps.Receive(ctx); err != nil { // the subscribe confirmation
				t.Fatal(err)
			}
			if err := ps.PSubscribe(ctx, "b.*"); err != nil {
				t.Fatal(err)
			}
			if _, err := ps.Receive(ctx); err != nil {
				t.Fatal(err)
			}
			if err := ps.Ping(ctx, "hc"); err != nil {
				t.Fatal(err)
			}
			if _, err := ps.Receive(ctx); err != nil { // pong
				t.Fatal(err)
			}
			ch := ps.Channel()
			if err := c.Publish(ctx, "a", "1").Err(); err != nil {
				t.Fatal(err)
			}
			if err := c.Publish(ctx, "b.x", "2").Err(); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"a/1", "b.x/2"} {
				select {
				case m := <-ch:
					if got := m.Channel + "/" + m.Payload; got != want {
						t.Fatalf("got %s want %s", got, want)
					}
				case <-time.After(5 * time.Second):
					t.Fatal("no message")
				}
			}
			n, err := c.PubSubNumSub(ctx, "a").Result()
			if err != nil || n["a"] != 1 {
				t.Fatal(n, err)
			}
			if np, err := c.PubSubNumPat(ctx).Result(); err != nil || np != 1 {
				t.Fatal(np, err)
			}
			sps := c.SSubscribe(ctx, "s")
			defer sps.Close()
			if _, err := sps.Receive(ctx); err != nil {
				t.Fatal(err)
			}
			if err := c.SPublish(ctx, "s", "3").Err(); err != nil {
				t.Fatal(err)
			}
			select {
			case m := <-sps.Channel():
				if m.Channel != "s" || m.Payload != "3" {
					t.Fatal(m)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no shard message")
			}
		})
	}
}

func TestPubSubSlowSubscriberIsCut(t *testing.T) {
	ts := newTestServer(t)
	sub, pub := ts.Dial(t), ts.Dial(t)
	sub.Do(t, "SUBSCRIBE", "flood").Want([]any{"subscribe", "flood", 1})
	// sub never reads: its socket buffers fill, then its queue passes the
	// 32 MB limit and it is disconnected; the publisher is never slowed.
	payload := strings.Repeat("x", 64<<10)
	var batch strings.Builder
	for range 50 {
		batch.Write(encodeCommand("PUBLISH", "flood", payload))
	}
	for i := 0; ; i++ {
		pub.Write(t, batch.String())
		for range 50 {
			pub.Read(t)
		}
		if pub.Do(t, "PUBSUB", "NUMSUB", "flood").Array()[1] == int64(0) {
			break
		}
		if i > 100 {
			t.Fatal("subscriber not cut after 320 MB")
		}
	}
	sub.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 1<<20)
	for {
		if _, err := sub.nc.Read(buf); err != nil {
			if strings.Contains(err.Error(), "timeout") {
				t.Fatal("subscriber connection not closed")
			}
			break
		}
	}
	_ = goredis.Nil
}

func TestPubSubQueuedMessagesPrecedeUnsubscribeReply(t *testing.T) {
	c := newTestConn(t)
	c.dispatch([][]byte{[]byte("SUBSCRIBE"), []byte("ch")})
	c.srv.hub.Publish(pubsub.Plain, "ch", []byte("m"))
	c.dispatch([][]byte{[]byte("UNSUBSCRIBE")})
	c.srv.hub.Publish(pubsub.Plain, "ch", []byte("late"))
	c.dispatch([][]byte{[]byte("PING")})
	want := "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n" +
		"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n" +
		"*3\r\n$11\r\nunsubscribe\r\n$2\r\nch\r\n:0\r\n" +
		"+PONG\r\n"
	if string(c.W.Buf) != want {
		t.Fatalf("got %q\nwant %q", c.W.Buf, want)
	}
}
