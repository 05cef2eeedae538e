// Command event-stream shows Redis Streams consumer groups on Junction: a
// producer XADDs N events, two consumers read them with XREADGROUP in one
// group, consumer "alice" crashes after reading a batch without acking it,
// and consumer "bob" recovers alice's pending entries with XAUTOCLAIM. The
// program checks that every entry was acked and nothing is left pending.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func suffix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func main() {
	addr := flag.String("redis-addr", env("JUNCTION_REDIS_ADDR", "127.0.0.1:6379"), "Redis address (host:port)")
	n := flag.Int("n", 100, "number of events")
	timeout := flag.Duration("timeout", 30*time.Second, "overall timeout")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, *addr, *n); err != nil {
		fmt.Fprintln(os.Stderr, "event-stream: FAIL:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, addr string, n int) error {
	if n < 2 {
		return fmt.Errorf("-n must be at least 2")
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	stream, group := "events-"+suffix(), "processors"
	defer rdb.Del(context.Background(), stream)

	for i := 0; i < n; i++ {
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: []any{"seq", strconv.Itoa(i)}}).Err(); err != nil {
			return fmt.Errorf("XADD: %w", err)
		}
	}
	fmt.Printf("XADD %d events to %s\n", n, stream)
	if err := rdb.XGroupCreate(ctx, stream, group, "0").Err(); err != nil {
		return fmt.Errorf("XGROUP CREATE: %w", err)
	}

	acked := make(map[string]bool)
	ack := func(who string, msgs []redis.XMessage) error {
		ids := make([]string, 0, len(msgs))
		for _, m := range msgs {
			if acked[m.ID] {
				return fmt.Errorf("%s: entry %s acked twice", who, m.ID)
			}
			ids = append(ids, m.ID)
		}
		if len(ids) == 0 {
			return nil
		}
		got, err := rdb.XAck(ctx, stream, group, ids...).Result()
		if err != nil {
			return fmt.Errorf("XACK: %w", err)
		}
		if got != int64(len(ids)) {
			return fmt.Errorf("%s: XACK acknowledged %d of %d", who, got, len(ids))
		}
		for _, id := range ids {
			acked[id] = true
		}
		return nil
	}
	read := func(who string, count int64) ([]redis.XMessage, error) {
		res, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: group, Consumer: who,
			Streams: []string{stream, ">"}, Count: count, Block: 100 * time.Millisecond}).Result()
		if err == redis.Nil {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("XREADGROUP %s: %w", who, err)
		}
		if len(res) == 0 {
			return nil, nil
		}
		return res[0].Messages, nil
	}

	// alice reads a batch and "crashes" before acking it.
	crashBatch := int64(n / 4)
	if crashBatch == 0 {
		crashBatch = 1
	}
	lost, err := read("alice", crashBatch)
	if err != nil {
		return err
	}
	fmt.Printf("alice: read %d entries (%s..%s), then crashed without XACK\n",
		len(lost), lost[0].ID, lost[len(lost)-1].ID)

	// bob processes the rest of the stream.
	bobNew := 0
	for {
		msgs, err := read("bob", 50)
		if err != nil {
			return err
		}
		if len(msgs) == 0 {
			break
		}
		bobNew += len(msgs)
		if err := ack("bob", msgs); err != nil {
			return err
		}
	}
	fmt.Printf("bob: read and acked %d new entries\n", bobNew)

	pend, err := rdb.XPending(ctx, stream, group).Result()
	if err != nil {
		return fmt.Errorf("XPENDING: %w", err)
	}
	fmt.Printf("XPENDING: %d pending, per consumer %v\n", pend.Count, pend.Consumers)
	if pend.Count != int64(len(lost)) || pend.Consumers["alice"] != int64(len(lost)) {
		return fmt.Errorf("expected %d pending for alice, got %d (%v)", len(lost), pend.Count, pend.Consumers)
	}

	// bob claims everything idle for at least 50ms with XAUTOCLAIM.
	time.Sleep(60 * time.Millisecond)
	claimed, start := 0, "0-0"
	for {
		msgs, next, err := rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: stream, Group: group,
			Consumer: "bob", MinIdle: 50 * time.Millisecond, Start: start, Count: 10}).Result()
		if err != nil {
			return fmt.Errorf("XAUTOCLAIM: %w", err)
		}
		for _, m := range msgs {
			if m.Values["seq"] == nil {
				return fmt.Errorf("claimed entry %s has no fields", m.ID)
			}
		}
		claimed += len(msgs)
		if err := ack("bob", msgs); err != nil {
			return err
		}
		if next == "0-0" {
			break
		}
		start = next
	}
	fmt.Printf("bob: XAUTOCLAIM recovered and acked %d of alice's entries\n", claimed)

	pend, err = rdb.XPending(ctx, stream, group).Result()
	if err != nil {
		return fmt.Errorf("XPENDING: %w", err)
	}
	if claimed != len(lost) {
		return fmt.Errorf("claimed %d, alice lost %d", claimed, len(lost))
	}
	if len(acked) != n || pend.Count != 0 {
		return fmt.Errorf("acked %d of %d entries, %d still pending", len(acked), n, pend.Count)
	}
	fmt.Printf("OK: all %d entries acked exactly once, 0 pending\n", n)
	return nil
}
