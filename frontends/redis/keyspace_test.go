package redis

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"junction/broker"
)

// mkKeys creates empty topics for keys of database db.
func mkKeys(t testing.TB, b *broker.Broker, db int, keys ...string) {
	t.Helper()
	for _, k := range keys {
		name := k
		if db > 0 {
			name = dbPrefix(db) + k
		}
		if _, err := b.CreateTopic(name, broker.TopicConfig{}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestKeyspaceBasics(t *testing.T) {
	ts := newTestServer(t)
	mkKeys(t, ts.B, 0, "a", "b", "c", "hello")
	mkKeys(t, ts.B, 2, "a", "z")
	c := ts.Dial(t)
	c.Do(t, "EXISTS", "a", "a", "nope", "b").Want(3)
	c.Do(t, "TOUCH", "a", "nope").Want(1)
	c.Do(t, "TYPE", "a").WantRaw("+stream\r\n")
	c.Do(t, "TYPE", "nope").WantRaw("+none\r\n")
	c.Do(t, "DBSIZE").Want(4)
	c.Do(t, "KEYS", "*").Want([]string{"a", "b", "c", "hello"})
	c.Do(t, "KEYS", "h?llo").Want([]string{"hello"})
	c.Do(t, "KEYS", "[ab]").Want([]string{"a", "b"})
	c.Do(t, "DEL", "a", "a", "nope").Want(1)
	c.Do(t, "UNLINK", "b").Want(1)
	c.Do(t, "KEYS", "*").Want([]string{"c", "hello"})

	c.Do(t, "SELECT", "2").WantOK()
	c.Do(t, "KEYS", "*").Want([]string{"a", "z"})
	c.Do(t, "DBSIZE").Want(2)
	c.Do(t, "EXISTS", "c").Want(0)
	c.Do(t, "RANDOMKEY").Str()
	c.Do(t, "FLUSHDB", "bogus").WantRaw("-ERR syntax error\r\n")
	c.Do(t, "FLUSHDB").WantOK()
	c.Do(t, "DBSIZE").Want(0)
	c.Do(t, "RANDOMKEY").Want(nil)
	c.Do(t, "SELECT", "0").WantOK()
	c.Do(t, "DBSIZE").Want(2)
	mkKeys(t, ts.B, 5, "x")
	c.Do(t, "FLUSHALL", "ASYNC").WantOK()
	if n := len(ts.B.Topics()); n != 0 {
		t.Fatalf("%d topics after FLUSHALL", n)
	}
}

func TestKeyspaceRename(t *testing.T) {
	ts := newTestServer(t)
	mkKeys(t, ts.B, 0, "src", "other")
	c := ts.Dial(t)
	c.Do(t, "RENAME", "nope", "x").WantRaw("-ERR no such key\r\n")
	c.Do(t, "RENAMENX", "nope", "x").WantRaw("-ERR no such key\r\n")
	c.Do(t, "RENAME", "src", "src").WantOK()
	c.Do(t, "RENAMENX", "src", "src").Want(0)
	c.Do(t, "RENAMENX", "src", "other").Want(0)
	c.Do(t, "PEXPIRE", "src", 100000).Want(1)
	c.Do(t, "RENAME", "src", "dst").WantOK()
	c.Do(t, "EXISTS", "src", "dst").Want(1)
	if ttl := c.Do(t, "PTTL", "dst").Int(); ttl <= 0 || ttl > 100000 {
		t.Fatalf("RENAME lost the TTL: %d", ttl)
	}
	c.Do(t, "RENAME", "dst", "other").WantOK()
	c.Do(t, "RENAMENX", "other", "fresh").Want(1)
	c.Do(t, "KEYS", "*").Want([]string{"fresh"})
}

func TestKeyspaceScan(t *testing.T) {
	ts := newTestServer(t)
	var all []string
	for i := range 57 {
		all = append(all, "key:"+strconv.Itoa(i))
	}
	mkKeys(t, ts.B, 0, all...)
	mkKeys(t, ts.B, 0, "other")
	c := ts.Dial(t)
	c.Do(t, "SCAN", "x").WantRaw("-ERR invalid cursor\r\n")
	c.Do(t, "SCAN", "0", "COUNT", "0").WantRaw("-ERR syntax error\r\n")
	c.Do(t, "SCAN", "0", "COUNT", "x").WantErr("ERR value is not an integer")
	c.Do(t, "SCAN", "0", "BOGUS", "1").WantRaw("-ERR syntax error\r\n")
	c.Do(t, "SCAN", "0", "COUNT", 1000, "TYPE", "string").Want([]any{"0", []any{}})

	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		g := ts.Client(t, proto)
		var got []string
		it := g.Scan(ctx, 0, "key:*", 5).Iterator()
		for it.Next(ctx) {
			got = append(got, it.Val())
		}
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		want := slices.Clone(all)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("proto %d: SCAN got %d keys, want %d", proto, len(got), len(want))
		}
		typed, _, err := g.ScanType(ctx, 0, "", 1000, "stream").Result()
		if err != nil || len(typed) != 58 {
			t.Fatalf("SCAN TYPE stream: %d keys, %v", len(typed), err)
		}
	}

	// Keys present for the whole iteration are returned even while others
	// are deleted and created.
	cursor, seen := "0", map[string]bool{}
	for i := 0; ; i++ {
		r := c.Do(t, "SCAN", cursor, "COUNT", 7).Array()
		for _, k := range r[1].([]any) {
			seen[k.(string)] = true
		}
		cursor = r[0].(string)
		if cursor == "0" {
			break
		}
		if i < 5 {
			ts.B.DeleteTopic("key:" + strconv.Itoa(50+i))
			mkKeys(t, ts.B, 0, "new:"+strconv.Itoa(i))
		}
	}
	for _, k := range all[:50] {
		if !seen[k] {
			t.Fatalf("SCAN missed %s", k)
		}
	}
}

// fakeClock is a settable clock for the broker.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestKeyspaceExpire(t *testing.T) {
	clk := &fakeClock{t: time.Now()}
	ts := newTestServerOn(t, newTestBroker(t, clk.Now))
	mkKeys(t, ts.B, 0, "k", "gone", "persist")
	c := ts.Dial(t)
	c.Do(t, "TTL", "nope").Want(-2)
	c.Do(t, "TTL", "k").Want(-1)
	c.Do(t, "PTTL", "k").Want(-1)
	c.Do(t, "EXPIRETIME", "k").Want(-1)
	c.Do(t, "EXPIRE", "nope", 10).Want(0)
	c.Do(t, "EXPIRE", "k", "x").WantErr("ERR value is not an integer")
	c.Do(t, "EXPIRE", "k", 10, "NX", "XX").WantRaw(
		"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n")
	c.Do(t, "EXPIRE", "k", 10, "GT", "LT").WantRaw(
		"-ERR GT and LT options at the same time are not compatible\r\n")
	c.Do(t, "EXPIRE", "k", 10, "FOO").WantRaw("-ERR Unsupported option FOO\r\n")
	c.Do(t, "EXPIRE", "k", "9223372036854775807").WantRaw("-ERR invalid expire time in 'expire' command\r\n")
	c.Do(t, "PEXPIRE", "k", "9223372036854775807").WantRaw("-ERR invalid expire time in 'pexpire' command\r\n")

	c.Do(t, "EXPIRE", "k", 100, "XX").Want(0) // no expiry yet
	c.Do(t, "EXPIRE", "k", 100, "GT").Want(0) // no expiry = infinite
	c.Do(t, "EXPIRE", "k", 100, "NX").Want(1)
	c.Do(t, "EXPIRE", "k", 50, "NX").Want(0)
	c.Do(t, "EXPIRE", "k", 50, "GT").Want(0)
	c.Do(t, "EXPIRE", "k", 200, "GT").Want(1)
	c.Do(t, "EXPIRE", "k", 300, "LT").Want(0)
	c.Do(t, "TTL", "k").Want(200)
	c.Do(t, "PTTL", "k").Want(200000)
	at := clk.Now().UnixMilli() + 200000
	c.Do(t, "PEXPIRETIME", "k").Want(at)
	c.Do(t, "EXPIRETIME", "k").Want(at / 1000)
	c.Do(t, "EXPIREAT", "k", clk.Now().Unix()+1000).Want(1)
	c.Do(t, "PEXPIREAT", "k", at).Want(1)
	c.Do(t, "PERSIST", "k").Want(1)
	c.Do(t, "PERSIST", "k").Want(0)
	c.Do(t, "TTL", "k").Want(-1)

	// A deadline in the past deletes at once.
	c.Do(t, "EXPIRE", "gone", -1).Want(1)
	c.Do(t, "EXISTS", "gone").Want(0)

	// Expired per the clock but the broker's timer has not fired yet: gone.
	c.Do(t, "PEXPIRE", "k", 60000).Want(1)
	c.Do(t, "INFO", "keyspace").Want("# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n")
	clk.Add(61 * time.Second)
	c.Do(t, "TTL", "k").Want(-2)
	c.Do(t, "EXISTS", "k").Want(0)
	c.Do(t, "KEYS", "*").Want([]string{"persist"})
	if ts.B.Topic("k") != nil {
		t.Fatal("expired topic not deleted on access")
	}

	// The broker's timer deletes for real.
	clk.Add(-61 * time.Second)
	g := ts.Client(t, 3)
	ctx := context.Background()
	if ok, err := g.PExpire(ctx, "persist", 20*time.Millisecond).Result(); err != nil || !ok {
		t.Fatal(ok, err)
	}
	tp := ts.B.Topic("persist")
	select {
	case <-tp.Deleted():
	case <-time.After(5 * time.Second):
		t.Fatal("topic not deleted by its expiry timer")
	}
	if n, err := g.Exists(ctx, "persist").Result(); err != nil || n != 0 {
		t.Fatal(n, err)
	}
	_ = goredis.Nil
}
