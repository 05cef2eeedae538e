// Every stream command through go-redis v9's typed API in RESP2 and RESP3,
// so its reply parsers accept each shape, including its error replies.
package redis

import (
	"context"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

func TestStreamGoRedisEveryCommand(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+sxItoa(proto), func(t *testing.T) {
			e := newStreamEnv(t)
			r := e.client(proto)
			ctx := context.Background()
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			wantErr := func(err error, prefix string) {
				t.Helper()
				if err == nil || !strings.HasPrefix(err.Error(), prefix) {
					t.Fatalf("err = %v, want %q…", err, prefix)
				}
			}
			id, err := r.XAdd(ctx, &goredis.XAddArgs{Stream: "s", ID: "1-0", Values: map[string]any{"f": "v"}}).Result()
			must(err)
			if id != "1-0" {
				t.Fatalf("XAdd = %s", id)
			}
			id, err = r.XAdd(ctx, &goredis.XAddArgs{Stream: "s", MaxLen: 10, Approx: true, Limit: 5, Values: []string{"f", "w"}}).Result()
			must(err)
			if id != "1000000-0" {
				t.Fatalf("XAdd * = %s", id)
			}
			_, err = r.XAdd(ctx, &goredis.XAddArgs{Stream: "s", ID: "1-0", Values: []string{"f", "v"}}).Result()
			wantErr(err, "ERR The ID specified in XADD is equal or smaller")
			_, err = r.XAdd(ctx, &goredis.XAddArgs{Stream: "none", NoMkStream: true, Values: []string{"f", "v"}}).Result()
			if err != goredis.Nil {
				t.Fatalf("NOMKSTREAM err = %v", err)
			}
			_, err = r.XAdd(ctx, &goredis.XAddArgs{Stream: "s", MinID: "1", ID: "2000000-*", Values: []string{"f", "x"}}).Result()
			must(err)
			msgs, err := r.XRange(ctx, "s", "-", "+").Result()
			must(err)
			if len(msgs) != 3 || msgs[0].Values["f"] != "v" {
				t.Fatalf("XRange = %v", msgs)
			}
			msgs, err = r.XRevRangeN(ctx, "s", "+", "-", 1).Result()
			must(err)
			if len(msgs) != 1 || msgs[0].ID != "2000000-0" {
				t.Fatalf("XRevRangeN = %v", msgs)
			}
			if n, err := r.XLen(ctx, "s").Result(); err != nil || n != 3 {
				t.Fatalf("XLen = %d, %v", n, err)
			}
			if n, err := r.XDel(ctx, "s", "1-0", "7-7").Result(); err != nil || n != 1 {
				t.Fatalf("XDel = %d, %v", n, err)
			}
			if n, err := r.XTrimMaxLen(ctx, "s", 1).Result(); err != nil || n != 1 {
				t.Fatalf("XTrimMaxLen = %d, %v", n, err)
			}
			if n, err := r.XTrimMinIDApprox(ctx, "s", "1", 0).Result(); err != nil || n != 0 {
				t.Fatalf("XTrimMinIDApprox = %d, %v", n, err)
			}
			must(r.XGroupCreate(ctx, "s", "g", "0").Err())
			wantErr(r.XGroupCreate(ctx, "s", "g", "0").Err(), "BUSYGROUP")
			must(r.XGroupCreateMkStream(ctx, "t", "g", "$").Err())
			wantErr(r.XGroupCreate(ctx, "nope", "g", "$").Err(), "ERR The XGROUP subcommand requires the key to exist")
			if n, err := r.XGroupCreateConsumer(ctx, "s", "g", "alice").Result(); err != nil || n != 1 {
				t.Fatalf("XGroupCreateConsumer = %d, %v", n, err)
			}
			streams, err := r.XReadGroup(ctx, &goredis.XReadGroupArgs{Group: "g", Consumer: "alice", Streams: []string{"s", "t", ">", ">"}}).Result()
			must(err)
			if len(streams) != 1 || streams[0].Stream != "s" || len(streams[0].Messages) != 1 {
				t.Fatalf("XReadGroup = %v", streams)
			}
			_, err = r.XReadGroup(ctx, &goredis.XReadGroupArgs{Group: "g", Consumer: "alice", Streams: []string{"s", ">"}, Block: 5 * time.Millisecond}).Result()
			if err != goredis.Nil {
				t.Fatalf("XReadGroup BLOCK timeout err = %v", err)
			}
			_, err = r.XReadGroup(ctx, &goredis.XReadGroupArgs{Group: "nog", Consumer: "c", Streams: []string{"s", ">"}}).Result()
			wantErr(err, "NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option")
			streams, err = r.XRead(ctx, &goredis.XReadArgs{Streams: []string{"s", "0"}, Count: 1}).Result()
			must(err)
			if len(streams) != 1 || len(streams[0].Messages) != 1 {
				t.Fatalf("XRead = %v", streams)
			}
			pend, err := r.XPending(ctx, "s", "g").Result()
			must(err)
			if pend.Count != 1 || pend.Lower != "2000000-0" || pend.Consumers["alice"] != 1 {
				t.Fatalf("XPending = %+v", pend)
			}
			e.clock.Add(time.Second)
			claimed, err := r.XClaimJustID(ctx, &goredis.XClaimArgs{Stream: "s", Group: "g", Consumer: "bob", MinIdle: time.Second,
				Messages: []string{"2000000-0"}}).Result()
			must(err)
			if len(claimed) != 1 {
				t.Fatalf("XClaimJustID = %v", claimed)
			}
			ac, start, err := r.XAutoClaim(ctx, &goredis.XAutoClaimArgs{Stream: "s", Group: "g", Consumer: "carol", Start: "-"}).Result()
			must(err)
			if len(ac) != 1 || start != "0-0" {
				t.Fatalf("XAutoClaim = %v %s", ac, start)
			}
			if n, err := r.XAck(ctx, "s", "g", "2000000-0").Result(); err != nil || n != 1 {
				t.Fatalf("XAck = %d, %v", n, err)
			}
			must(r.XGroupSetID(ctx, "s", "g", "0").Err())
			if n, err := r.XGroupDelConsumer(ctx, "s", "g", "bob").Result(); err != nil || n != 0 {
				t.Fatalf("XGroupDelConsumer = %d, %v", n, err)
			}
			info, err := r.XInfoStream(ctx, "s").Result()
			must(err)
			if info.Length != 1 || info.MaxDeletedEntryID != "1-0" {
				t.Fatalf("XInfoStream = %+v", info)
			}
			if _, err := r.XInfoConsumers(ctx, "s", "nog").Result(); err == nil {
				t.Fatal("XInfoConsumers of a missing group succeeded")
			}
			must(r.Do(ctx, "XSETID", "s", "3000000-0", "ENTRIESADDED", "10").Err())
			if n, err := r.XGroupDestroy(ctx, "s", "g").Result(); err != nil || n != 1 {
				t.Fatalf("XGroupDestroy = %d, %v", n, err)
			}
		})
	}
}
