// Black-box Redis tests: go-redis (RESP2 and RESP3) against the real
// binary — streams, blocking reads, consumer groups, pub/sub, MULTI/EXEC,
// error texts, the password gate, restart and kill -9 durability.
package integration

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func raProto(proto int) string { return fmt.Sprintf("RESP%d", proto) }

func raXAdd(t testing.TB, ctx context.Context, c *redis.Client, stream string, vals ...any) string {
	t.Helper()
	id, err := c.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: vals}).Result()
	if err != nil {
		t.Fatalf("XADD %s: %v", stream, err)
	}
	return id
}

func raIDs(ms []redis.XMessage) []string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids
}

func raSame(a, b []string) bool {
	return strings.Join(a, ",") == strings.Join(b, ",")
}

func TestRedisHandshakeAndStreamRoundTrip(t *testing.T) {
	p := startJunction(t)
	for _, proto := range []int{2, 3} {
		t.Run(raProto(proto), func(t *testing.T) {
			ctx := ctxFor(t, raWait)
			c := raRedis(t, p.RedisAddr, proto, "")
			if got, err := c.Ping(ctx).Result(); err != nil || got != "PONG" {
				t.Fatalf("PING = %q, %v", got, err)
			}
			hello, err := c.Do(ctx, "HELLO", proto).Result()
			if err != nil {
				t.Fatalf("HELLO %d: %v", proto, err)
			}
			if !strings.Contains(fmt.Sprint(hello), fmt.Sprintf("proto %d", proto)) &&
				!strings.Contains(fmt.Sprint(hello), fmt.Sprintf("proto:%d", proto)) {
				t.Fatalf("HELLO %d reply lacks proto %d: %v", proto, proto, hello)
			}

			s := "rt-" + raProto(proto)
			var ids []string
			for i := 0; i < 5; i++ {
				ids = append(ids, raXAdd(t, ctx, c, s, "n", i))
			}
			if n, err := c.XLen(ctx, s).Result(); err != nil || n != 5 {
				t.Fatalf("XLEN = %d, %v", n, err)
			}
			all, err := c.XRange(ctx, s, "-", "+").Result()
			if err != nil || !raSame(raIDs(all), ids) {
				t.Fatalf("XRANGE = %v, %v; want %v", raIDs(all), err, ids)
			}
			for i, m := range all {
				if m.Values["n"] != fmt.Sprint(i) {
					t.Fatalf("entry %d values = %v", i, m.Values)
				}
			}
			rev, err := c.XRevRangeN(ctx, s, "+", "-", 2).Result()
			if err != nil || !raSame(raIDs(rev), []string{ids[4], ids[3]}) {
				t.Fatalf("XREVRANGE COUNT 2 = %v, %v", raIDs(rev), err)
			}
			part, err := c.XRange(ctx, s, ids[1], ids[2]).Result()
			if err != nil || !raSame(raIDs(part), ids[1:3]) {
				t.Fatalf("XRANGE %s %s = %v, %v", ids[1], ids[2], raIDs(part), err)
			}
			if n, err := c.XDel(ctx, s, ids[0], "9999999999999-0").Result(); err != nil || n != 1 {
				t.Fatalf("XDEL = %d, %v; want 1", n, err)
			}
			if n, err := c.XTrimMaxLen(ctx, s, 2).Result(); err != nil || n != 2 {
				t.Fatalf("XTRIM MAXLEN 2 = %d, %v; want 2 trimmed", n, err)
			}
			left, err := c.XRange(ctx, s, "-", "+").Result()
			if err != nil || !raSame(raIDs(left), ids[3:]) {
				t.Fatalf("after XDEL+XTRIM XRANGE = %v, %v; want %v", raIDs(left), err, ids[3:])
			}
			if n, err := c.XLen(ctx, s).Result(); err != nil || n != 2 {
				t.Fatalf("XLEN after trim = %d, %v", n, err)
			}
		})
	}
}

// raBlockedClients reads blocked_clients from INFO clients.
func raBlockedClients(ctx context.Context, c *redis.Client) (string, error) {
	info, err := c.Info(ctx, "clients").Result()
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "blocked_clients:"); ok {
			return v, nil
		}
	}
	return "", fmt.Errorf("no blocked_clients in INFO clients:\n%s", info)
}

func TestRedisXReadBlockWokenByXAdd(t *testing.T) {
	p := startJunction(t)
	for _, proto := range []int{2, 3} {
		t.Run(raProto(proto), func(t *testing.T) {
			ctx := ctxFor(t, 2*raWait)
			reader := raRedis(t, p.RedisAddr, proto, "")
			writer := raRedis(t, p.RedisAddr, proto, "")
			s := "block-" + raProto(proto)
			first := raXAdd(t, ctx, writer, s, "k", "first")

			type result struct {
				streams []redis.XStream
				err     error
			}
			done := make(chan result, 1)
			began := time.Now()
			go func() {
				// Read after `first`: the reply is the next entry whether the
				// XADD below lands before or after the server parks the read.
				r, err := reader.XRead(ctx, &redis.XReadArgs{Streams: []string{s, first}, Block: raWait}).Result()
				done <- result{r, err}
			}()
			// Test synchronisation only: wait (bounded) until the server
			// reports the reader as blocked, so the wake-up path is exercised.
			for {
				v, err := raBlockedClients(ctx, writer)
				if err != nil {
					t.Fatal(err)
				}
				if v == "1" {
					break
				}
				select {
				case r := <-done:
					t.Fatalf("XREAD BLOCK returned before any XADD: %v %v", r.streams, r.err)
				default:
				}
				if time.Since(began) > raWait {
					t.Fatalf("reader never reported blocked (blocked_clients:%s)", v)
				}
			}
			second := raXAdd(t, ctx, writer, s, "k", "second")
			select {
			case r := <-done:
				if r.err != nil {
					t.Fatalf("XREAD BLOCK: %v", r.err)
				}
				if len(r.streams) != 1 || r.streams[0].Stream != s || len(r.streams[0].Messages) != 1 ||
					r.streams[0].Messages[0].ID != second || r.streams[0].Messages[0].Values["k"] != "second" {
					t.Fatalf("XREAD BLOCK woke with %+v, want only %s", r.streams, second)
				}
				if d := time.Since(began); d >= raWait {
					t.Fatalf("XREAD BLOCK took %v: woken by timeout, not by XADD", d)
				}
			case <-time.After(raWait):
				t.Fatal("XREAD BLOCK not woken by XADD from another connection")
			}
			if v, err := raBlockedClients(ctx, writer); err != nil || v != "0" {
				t.Fatalf("blocked_clients after wake = %q, %v", v, err)
			}
		})
	}
}

func TestRedisConsumerGroups(t *testing.T) {
	p := startJunction(t)
	for _, proto := range []int{2, 3} {
		t.Run(raProto(proto), func(t *testing.T) {
			ctx := ctxFor(t, raWait)
			c := raRedis(t, p.RedisAddr, proto, "")
			s, g := "grp-"+raProto(proto), "g1"
			if err := c.XGroupCreateMkStream(ctx, s, g, "0").Err(); err != nil {
				t.Fatalf("XGROUP CREATE MKSTREAM: %v", err)
			}
			err := c.XGroupCreate(ctx, s, g, "0").Err()
			if err == nil || !strings.HasPrefix(err.Error(), "BUSYGROUP") {
				t.Fatalf("second XGROUP CREATE err = %v, want BUSYGROUP", err)
			}
			var ids []string
			for i := 0; i < 4; i++ {
				ids = append(ids, raXAdd(t, ctx, c, s, "i", i))
			}
			got, err := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: g, Consumer: "c1", Streams: []string{s, ">"}, Count: 3}).Result()
			if err != nil || len(got) != 1 || !raSame(raIDs(got[0].Messages), ids[:3]) {
				t.Fatalf("XREADGROUP c1 = %+v, %v", got, err)
			}
			if n, err := c.XAck(ctx, s, g, ids[0], ids[3]).Result(); err != nil || n != 1 {
				t.Fatalf("XACK = %d, %v; want 1 (ids[3] was never delivered)", n, err)
			}
			sum, err := c.XPending(ctx, s, g).Result()
			if err != nil || sum.Count != 2 || sum.Lower != ids[1] || sum.Higher != ids[2] || sum.Consumers["c1"] != 2 {
				t.Fatalf("XPENDING summary = %+v, %v", sum, err)
			}
			ext, err := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: s, Group: g, Start: "-", End: "+", Count: 10}).Result()
			if err != nil || len(ext) != 2 || ext[0].ID != ids[1] || ext[0].Consumer != "c1" || ext[0].RetryCount != 1 {
				t.Fatalf("XPENDING ext = %+v, %v", ext, err)
			}
			claimed, err := c.XClaim(ctx, &redis.XClaimArgs{Stream: s, Group: g, Consumer: "c2", MinIdle: 0, Messages: []string{ids[1]}}).Result()
			if err != nil || !raSame(raIDs(claimed), ids[1:2]) || claimed[0].Values["i"] != "1" {
				t.Fatalf("XCLAIM = %+v, %v", claimed, err)
			}
			// A huge min-idle claims nothing.
			none, err := c.XClaim(ctx, &redis.XClaimArgs{Stream: s, Group: g, Consumer: "c3", MinIdle: time.Hour, Messages: []string{ids[2]}}).Result()
			if err != nil || len(none) != 0 {
				t.Fatalf("XCLAIM min-idle 1h = %+v, %v; want nothing", none, err)
			}
			auto, next, err := c.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: s, Group: g, Consumer: "c3", MinIdle: 0, Start: "0-0", Count: 10}).Result()
			if err != nil || !raSame(raIDs(auto), ids[1:3]) || next != "0-0" {
				t.Fatalf("XAUTOCLAIM = %v next %q, %v", raIDs(auto), next, err)
			}
			ext, err = c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: s, Group: g, Start: "-", End: "+", Count: 10}).Result()
			if err != nil || len(ext) != 2 || ext[0].Consumer != "c3" || ext[1].Consumer != "c3" || ext[0].RetryCount != 3 {
				t.Fatalf("XPENDING after XAUTOCLAIM = %+v, %v", ext, err)
			}
			got, err = c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: g, Consumer: "c2", Streams: []string{s, ">"}, Count: 10}).Result()
			if err != nil || len(got) != 1 || !raSame(raIDs(got[0].Messages), ids[3:]) {
				t.Fatalf("XREADGROUP c2 = %+v, %v", got, err)
			}
			if n, err := c.XAck(ctx, s, g, ids[1], ids[2], ids[3]).Result(); err != nil || n != 3 {
				t.Fatalf("XACK rest = %d, %v", n, err)
			}
			if sum, err := c.XPending(ctx, s, g).Result(); err != nil || sum.Count != 0 {
				t.Fatalf("XPENDING after all acked = %+v, %v", sum, err)
			}
		})
	}
}

func TestRedisPubSubChannelsAndPatterns(t *testing.T) {
	p := startJunction(t)
	for _, proto := range []int{2, 3} {
		t.Run(raProto(proto), func(t *testing.T) {
			ctx := ctxFor(t, raWait)
			subC := raRedis(t, p.RedisAddr, proto, "")
			pub := raRedis(t, p.RedisAddr, proto, "")
			ps := subC.Subscribe(ctx, "news.sport")
			defer ps.Close()
			m, err := ps.Receive(ctx)
			if sub, ok := m.(*redis.Subscription); err != nil || !ok || sub.Kind != "subscribe" || sub.Channel != "news.sport" || sub.Count != 1 {
				t.Fatalf("SUBSCRIBE confirmation = %#v, %v", m, err)
			}
			if err := ps.PSubscribe(ctx, "news.*"); err != nil {
				t.Fatal(err)
			}
			m, err = ps.Receive(ctx)
			if sub, ok := m.(*redis.Subscription); err != nil || !ok || sub.Kind != "psubscribe" || sub.Channel != "news.*" || sub.Count != 2 {
				t.Fatalf("PSUBSCRIBE confirmation = %#v, %v", m, err)
			}
			ch := ps.Channel()
			if n, err := pub.Publish(ctx, "news.sport", "goal").Result(); err != nil || n != 2 {
				t.Fatalf("PUBLISH news.sport = %d, %v; want 2 receivers (channel + pattern)", n, err)
			}
			if n, err := pub.Publish(ctx, "news.tech", "chip").Result(); err != nil || n != 1 {
				t.Fatalf("PUBLISH news.tech = %d, %v; want 1", n, err)
			}
			if n, err := pub.Publish(ctx, "weather", "rain").Result(); err != nil || n != 0 {
				t.Fatalf("PUBLISH weather = %d, %v; want 0", n, err)
			}
			var got []string
			for len(got) < 3 {
				select {
				case msg := <-ch:
					got = append(got, fmt.Sprintf("%s|%s|%s", msg.Pattern, msg.Channel, msg.Payload))
				case <-time.After(raWait):
					t.Fatalf("only got %v", got)
				}
			}
			// The channel subscriber's copy and the pattern copy of "goal"
			// may come in either order, but both precede the later publish.
			first := map[string]bool{got[0]: true, got[1]: true}
			if !first["|news.sport|goal"] || !first["news.*|news.sport|goal"] || got[2] != "news.*|news.tech|chip" {
				t.Fatalf("messages = %v", got)
			}
			if n, err := pub.PubSubNumSub(ctx, "news.sport").Result(); err != nil || n["news.sport"] != 1 {
				t.Fatalf("PUBSUB NUMSUB = %v, %v", n, err)
			}
		})
	}
}

func TestRedisMultiExecAndErrors(t *testing.T) {
	p := startJunction(t)
	for _, proto := range []int{2, 3} {
		t.Run(raProto(proto), func(t *testing.T) {
			ctx := ctxFor(t, raWait)
			c := raRedis(t, p.RedisAddr, proto, "")
			s := "tx-" + raProto(proto)
			var add *redis.StringCmd
			var xlen *redis.IntCmd
			_, err := c.TxPipelined(ctx, func(pp redis.Pipeliner) error {
				add = pp.XAdd(ctx, &redis.XAddArgs{Stream: s, ID: "1-1", Values: []any{"a", "1"}})
				pp.XAdd(ctx, &redis.XAddArgs{Stream: s, ID: "2-1", Values: []any{"b", "2"}})
				xlen = pp.XLen(ctx, s)
				return nil
			})
			if err != nil || add.Val() != "1-1" || xlen.Val() != 2 {
				t.Fatalf("MULTI/EXEC: %v add=%q xlen=%d", err, add.Val(), xlen.Val())
			}
			// Raw MULTI on one connection: commands queue, EXEC runs them.
			conn := c.Conn()
			defer conn.Close()
			if got, err := conn.Do(ctx, "MULTI").Result(); err != nil || got != "OK" {
				t.Fatalf("MULTI = %v, %v", got, err)
			}
			if got, err := conn.Do(ctx, "XLEN", s).Result(); err != nil || got != "QUEUED" {
				t.Fatalf("queued XLEN = %v, %v", got, err)
			}
			res, err := conn.Do(ctx, "EXEC").Slice()
			if err != nil || len(res) != 1 || res[0] != int64(2) {
				t.Fatalf("EXEC = %v, %v", res, err)
			}
			// An error while queueing aborts the transaction.
			conn.Do(ctx, "MULTI")
			if err := conn.Do(ctx, "XADD", s).Err(); err == nil {
				t.Fatal("queueing XADD with no args succeeded")
			}
			if err := conn.Do(ctx, "EXEC").Err(); err == nil || !strings.HasPrefix(err.Error(), "EXECABORT") {
				t.Fatalf("EXEC after queue error = %v, want EXECABORT", err)
			}
			if n, _ := c.XLen(ctx, s).Result(); n != 2 {
				t.Fatalf("XLEN after aborted tx = %d", n)
			}

			errCases := []struct {
				args []any
				want string
			}{
				{[]any{"NOSUCHCMD", "x"}, "ERR unknown command 'NOSUCHCMD'"},
				{[]any{"XADD", s}, "ERR wrong number of arguments for 'xadd' command"},
				{[]any{"XLEN"}, "ERR wrong number of arguments for 'xlen' command"},
				{[]any{"EXEC"}, "ERR EXEC without MULTI"},
				{[]any{"XADD", s, "1-1", "a", "1"}, "ERR The ID specified in XADD is equal or smaller than the target stream top item"},
			}
			for _, ec := range errCases {
				err := c.Do(ctx, ec.args...).Err()
				if err == nil || !strings.HasPrefix(err.Error(), ec.want) {
					t.Errorf("%v: err = %v, want prefix %q", ec.args, err, ec.want)
				}
			}
		})
	}
}

func TestRedisPasswordGate(t *testing.T) {
	p := startJunction(t, "--redis-password", "pw")
	ctx := ctxFor(t, raWait)
	// Raw RESP2 on a fresh connection: go-redis would AUTH itself otherwise.
	nc, err := net.DialTimeout("tcp", p.RedisAddr, raWait)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(raWait))
	buf := make([]byte, 512)
	roundTrip := func(cmd string) string {
		t.Helper()
		if _, err := nc.Write([]byte(cmd)); err != nil {
			t.Fatal(err)
		}
		n, err := nc.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		return string(buf[:n])
	}
	if got := roundTrip("*5\r\n$4\r\nXADD\r\n$1\r\ns\r\n$1\r\n*\r\n$1\r\na\r\n$1\r\nb\r\n"); !strings.HasPrefix(got, "-NOAUTH Authentication required.") {
		t.Fatalf("XADD before AUTH = %q", got)
	}
	if got := roundTrip("*2\r\n$4\r\nAUTH\r\n$5\r\nwrong\r\n"); !strings.HasPrefix(got, "-WRONGPASS") {
		t.Fatalf("AUTH wrong = %q", got)
	}
	if got := roundTrip("*1\r\n$4\r\nPING\r\n"); !strings.HasPrefix(got, "-NOAUTH") {
		t.Fatalf("PING after failed AUTH = %q", got)
	}
	if got := roundTrip("*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n"); got != "+OK\r\n" {
		t.Fatalf("AUTH pw = %q", got)
	}
	if got := roundTrip("*1\r\n$4\r\nPING\r\n"); got != "+PONG\r\n" {
		t.Fatalf("PING after AUTH = %q", got)
	}

	for _, proto := range []int{2, 3} {
		noPass := raRedis(t, p.RedisAddr, proto, "")
		if err := noPass.Ping(ctx).Err(); err == nil || !strings.HasPrefix(err.Error(), "NOAUTH") {
			t.Errorf("%s no password PING err = %v, want NOAUTH", raProto(proto), err)
		}
		wrong := raRedis(t, p.RedisAddr, proto, "nope")
		if err := wrong.Ping(ctx).Err(); err == nil || !strings.HasPrefix(err.Error(), "WRONGPASS") {
			t.Errorf("%s wrong password err = %v, want WRONGPASS", raProto(proto), err)
		}
		right := raRedis(t, p.RedisAddr, proto, "pw")
		if err := right.XAdd(ctx, &redis.XAddArgs{Stream: "gated", Values: []any{"a", "b"}}).Err(); err != nil {
			t.Errorf("%s right password XADD: %v", raProto(proto), err)
		}
	}
}

func TestRedisRestartKeepsStreamsGroupsAndPending(t *testing.T) {
	p := startJunction(t)
	ctx := ctxFor(t, 3*raWait)
	c := raRedis(t, p.RedisAddr, 3, "")
	var ids []string
	for i := 0; i < 3; i++ {
		ids = append(ids, raXAdd(t, ctx, c, "orders", "n", i))
	}
	if err := c.XGroupCreate(ctx, "orders", "billing", "0").Err(); err != nil {
		t.Fatal(err)
	}
	got, err := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "billing", Consumer: "w1", Streams: []string{"orders", ">"}, Count: 2}).Result()
	if err != nil || len(got) != 1 || len(got[0].Messages) != 2 {
		t.Fatalf("XREADGROUP = %+v, %v", got, err)
	}
	c.Close()

	p.Restart(t)

	c = raRedis(t, p.RedisAddr, 2, "")
	all, err := c.XRange(ctx, "orders", "-", "+").Result()
	if err != nil || !raSame(raIDs(all), ids) || all[2].Values["n"] != "2" {
		t.Fatalf("XRANGE after restart = %+v, %v; want %v", all, err, ids)
	}
	ext, err := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "orders", Group: "billing", Start: "-", End: "+", Count: 10}).Result()
	if err != nil || len(ext) != 2 || ext[0].ID != ids[0] || ext[1].ID != ids[1] || ext[0].Consumer != "w1" {
		t.Fatalf("XPENDING after restart = %+v, %v", ext, err)
	}
	// The group's last-delivered id survived too: ">" yields only the third.
	got, err = c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "billing", Consumer: "w2", Streams: []string{"orders", ">"}, Count: 10}).Result()
	if err != nil || len(got) != 1 || !raSame(raIDs(got[0].Messages), ids[2:]) {
		t.Fatalf("XREADGROUP > after restart = %+v, %v", got, err)
	}
	if n, err := c.XAck(ctx, "orders", "billing", ids...).Result(); err != nil || n != 3 {
		t.Fatalf("XACK after restart = %d, %v", n, err)
	}
}

func TestRedisKill9FsyncAlwaysKeepsAckedEntries(t *testing.T) {
	p := startJunction(t, "--fsync", "always")
	ctx := ctxFor(t, 3*raWait)
	const writers, before = 4, 40
	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
	)
	// A group with two pending entries, acknowledged to us before the crash.
	setup := raRedis(t, p.RedisAddr, 3, "")
	var pre []string
	for i := 0; i < 3; i++ {
		pre = append(pre, raXAdd(t, ctx, setup, "ledger", "pre", i))
	}
	if err := setup.XGroupCreate(ctx, "ledger", "audit", "0").Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := setup.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "audit", Consumer: "a1", Streams: []string{"ledger", ">"}, Count: 2}).Result(); err != nil || len(got) != 1 || len(got[0].Messages) != 2 {
		t.Fatalf("XREADGROUP before crash = %+v, %v", got, err)
	}
	acked = append(acked, pre...)
	enough := make(chan struct{})
	var once sync.Once
	for w := 0; w < writers; w++ {
		c := raRedis(t, p.RedisAddr, 2, "")
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				id, err := c.XAdd(ctx, &redis.XAddArgs{Stream: "ledger", Values: []any{"w", w, "i", i}}).Result()
				if err != nil {
					return // the server was killed mid-request
				}
				mu.Lock()
				acked = append(acked, id)
				if len(acked) >= len(pre)+before {
					once.Do(func() { close(enough) })
				}
				mu.Unlock()
			}
		}(w)
	}
	select {
	case <-enough:
	case <-time.After(raWait):
		t.Fatal("writers did not get enough XADDs acknowledged")
	}
	p.Kill9(t)
	wg.Wait()
	p.start(t)

	c := raRedis(t, p.RedisAddr, 2, "")
	all, err := c.XRange(ctx, "ledger", "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	have := make(map[string]bool, len(all))
	for _, m := range all {
		have[m.ID] = true
	}
	mu.Lock()
	defer mu.Unlock()
	for _, id := range acked {
		if !have[id] {
			t.Fatalf("acknowledged entry %s lost after kill -9 (%d acked, %d present)", id, len(acked), len(all))
		}
	}
	t.Logf("%d acknowledged entries, %d present after kill -9", len(acked), len(all))
	ext, err := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "ledger", Group: "audit", Start: "-", End: "+", Count: 10}).Result()
	if err != nil || len(ext) != 2 || ext[0].ID != pre[0] || ext[1].ID != pre[1] || ext[0].Consumer != "a1" {
		t.Fatalf("XPENDING after kill -9 = %+v, %v; want %v owned by a1", ext, err, pre[:2])
	}
	if err := c.XAdd(ctx, &redis.XAddArgs{Stream: "ledger", Values: []any{"after", "crash"}}).Err(); err != nil {
		t.Fatalf("XADD after recovery: %v", err)
	}
}
