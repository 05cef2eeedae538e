// Tests of XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM and XINFO with go-redis
// in both protocols and a settable clock, and of group state across a restart.
package redis

import (
	"context"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"junction/broker"
	"junction/broker/brokertest"
)

func TestStreamXGroupCommands(t *testing.T) {
	e := newStreamEnv(t)
	c := e.raw(2)
	c.Do("XGROUP", "CREATE", "s", "g", "$").Want("-ERR The XGROUP subcommand requires the key to exist. " +
		"Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.")
	c.Do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM").Want("OK")
	c.Do("XGROUP", "CREATE", "s", "g", "$").Want("-BUSYGROUP Consumer Group name already exists")
	c.Do("XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "-2").Want("-ERR value for ENTRIESREAD must be positive or -1")
	c.Do("XGROUP", "CREATE", "s", "g2", "0", "FOO").Want("-ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.")
	c.Do("XGROUP", "create", "s").Want("-ERR wrong number of arguments for 'xgroup|create' command")
	c.Do("XGROUP", "FOO", "s", "g").Want("-ERR unknown subcommand 'FOO'. Try XGROUP HELP.")
	c.Do("XGROUP", "SETID", "s", "nog", "0").Want("-NOGROUP No such consumer group 'nog' for key name 's'")
	c.Do("XGROUP", "CREATECONSUMER", "s", "g", "alice").Want(":1")
	c.Do("XGROUP", "CREATECONSUMER", "s", "g", "alice").Want(":0")
	c.Do("XGROUP", "DELCONSUMER", "s", "g", "nobody").Want(":0")
	c.Do("XGROUP", "DESTROY", "s", "nog").Want(":0")
	c.Do("XGROUP", "HELP").Want("[XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are: " +
		"CREATE <key> <groupname> <id|$> [option]     Create a new consumer group. Options are:     * MKSTREAM " +
		"      Create the empty stream if it does not exist.     * ENTRIESREAD entries_read " +
		"      Set the group's entries_read counter (internal use). CREATECONSUMER <key> <groupname> <consumer> " +
		"    Create a new consumer in the specified group. DELCONSUMER <key> <groupname> <consumer> " +
		"    Remove the specified consumer. DESTROY <key> <groupname>     Remove the specified group. " +
		"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]     Set the current group ID and entries_read counter. " +
		"HELP     Prints this help.]")
	for _, id := range []string{"1-0", "2-0", "3-0"} {
		c.Do("XADD", "s", id, "f", id)
	}
	c.Do("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">")
	c.Do("XINFO", "GROUPS", "s").Want("[[name g consumers :2 pending :3 last-delivered-id 3-0 entries-read :3 lag :0]]")
	c.Do("XGROUP", "DELCONSUMER", "s", "g", "bob").Want(":3")
	c.Do("XGROUP", "SETID", "s", "g", "1-0", "ENTRIESREAD", "1").Want("OK")
	c.Do("XINFO", "GROUPS", "s").Want("[[name g consumers :1 pending :0 last-delivered-id 1-0 entries-read :1 lag :2]]")
	c.Do("XGROUP", "DESTROY", "s", "g").Want(":1")
	c.Do("XINFO", "GROUPS", "s").Want("[]")
}

func TestStreamXInfoShapes(t *testing.T) {
	e := newStreamEnv(t)
	c2, c3 := e.raw(2), e.raw(3)
	c2.Do("XGROUP", "CREATE", "s", "g", "0", "MKSTREAM")
	c2.Do("XADD", "s", "1-0", "f", "a")
	c2.Do("XADD", "s", "2-0", "f", "b")
	c2.Do("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">")
	e.clock.Add(250 * time.Millisecond)
	c3.Do("XINFO", "STREAM", "s").Want("{length::2 radix-tree-keys::1 radix-tree-nodes::2 last-generated-id:2-0 " +
		"max-deleted-entry-id:0-0 entries-added::2 recorded-first-entry-id:1-0 groups::1 first-entry:[1-0 [f a]] " +
		"last-entry:[2-0 [f b]]}")
	c3.Do("XINFO", "GROUPS", "s").Want("[{name:g consumers::1 pending::1 last-delivered-id:1-0 entries-read::1 lag::1}]")
	c3.Do("XINFO", "CONSUMERS", "s", "g").Want("[{name:alice pending::1 idle::250 inactive::250}]")
	c2.Do("XINFO", "CONSUMERS", "s", "g").Want("[[name alice pending :1 idle :250 inactive :250]]")
	c3.Do("XINFO", "STREAM", "s", "FULL").Want("{length::2 radix-tree-keys::1 radix-tree-nodes::2 " +
		"last-generated-id:2-0 max-deleted-entry-id:0-0 entries-added::2 recorded-first-entry-id:1-0 " +
		"entries:[[1-0 [f a]] [2-0 [f b]]] groups:[{name:g last-delivered-id:1-0 entries-read::1 lag::1 pel-count::1 " +
		"pending:[[1-0 alice :1000000 :1]] consumers:[{name:alice seen-time::1000000 active-time::1000000 pel-count::1 " +
		"pending:[[1-0 :1000000 :1]]}]}]}")
	c3.Do("XINFO", "STREAM", "s", "FULL", "COUNT", "1").Want("{length::2 radix-tree-keys::1 radix-tree-nodes::2 " +
		"last-generated-id:2-0 max-deleted-entry-id:0-0 entries-added::2 recorded-first-entry-id:1-0 " +
		"entries:[[1-0 [f a]]] groups:[{name:g last-delivered-id:1-0 entries-read::1 lag::1 pel-count::1 " +
		"pending:[[1-0 alice :1000000 :1]] consumers:[{name:alice seen-time::1000000 active-time::1000000 pel-count::1 " +
		"pending:[[1-0 :1000000 :1]]}]}]}")
	c2.Do("XINFO", "STREAM", "nope").Want("-ERR no such key")
	c2.Do("XINFO", "CONSUMERS", "s", "nog").Want("-NOGROUP No such consumer group 'nog' for key name 's'")
	c2.Do("XINFO", "STREAM", "s", "FULL", "COUNT").Want("-ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.")
	c2.Do("XINFO", "HELP").Want("[XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are: CONSUMERS <key> <groupname> " +
		"    Show consumers of <groupname>. GROUPS <key>     Show the stream consumer groups. " +
		"STREAM <key> [FULL [COUNT <count>]     Show information about the stream. HELP     Prints this help.]")

	// go-redis parses the RESP2 and RESP3 shapes alike.
	for _, proto := range []int{2, 3} {
		cl := e.client(proto)
		ctx := context.Background()
		info, err := cl.XInfoStream(ctx, "s").Result()
		if err != nil || info.Length != 2 || info.LastGeneratedID != "2-0" || info.FirstEntry.ID != "1-0" || info.Groups != 1 ||
			info.EntriesAdded != 2 || info.RecordedFirstEntryID != "1-0" {
			t.Fatalf("proto %d: XInfoStream = %+v, %v", proto, info, err)
		}
		groups, err := cl.XInfoGroups(ctx, "s").Result()
		if err != nil || len(groups) != 1 || groups[0].Lag != 1 || groups[0].EntriesRead != 1 || groups[0].Pending != 1 {
			t.Fatalf("proto %d: XInfoGroups = %+v, %v", proto, groups, err)
		}
		cons, err := cl.XInfoConsumers(ctx, "s", "g").Result()
		if err != nil || len(cons) != 1 || cons[0].Name != "alice" || cons[0].Idle != 250*time.Millisecond ||
			cons[0].Inactive != 250*time.Millisecond {
			t.Fatalf("proto %d: XInfoConsumers = %+v, %v", proto, cons, err)
		}
		full, err := cl.XInfoStreamFull(ctx, "s", 0).Result()
		if err != nil || len(full.Entries) != 2 || len(full.Groups) != 1 || len(full.Groups[0].Consumers) != 1 ||
			full.Groups[0].Consumers[0].PelCount != 1 || full.Groups[0].Lag != 1 {
			t.Fatalf("proto %d: XInfoStreamFull = %+v, %v", proto, full, err)
		}
	}
}

func TestStreamClaimWithClock(t *testing.T) {
	for _, proto := range []int{2, 3} {
		e := newStreamEnv(t)
		cl := e.client(proto)
		ctx := context.Background()
		cl.XGroupCreateMkStream(ctx, "s", "g", "0")
		for _, id := range []string{"1-0", "2-0", "3-0"} {
			cl.XAdd(ctx, &goredis.XAddArgs{Stream: "s", ID: id, Values: []string{"f", id}})
		}
		cl.XReadGroup(ctx, &goredis.XReadGroupArgs{Group: "g", Consumer: "alice", Streams: []string{"s", ">"}})
		e.clock.Add(100 * time.Millisecond)
		msgs, err := cl.XClaim(ctx, &goredis.XClaimArgs{Stream: "s", Group: "g", Consumer: "bob", MinIdle: 200 * time.Millisecond,
			Messages: []string{"1-0"}}).Result()
		if err != nil || len(msgs) != 0 {
			t.Fatalf("XCLAIM too early = %v, %v", msgs, err)
		}
		e.clock.Add(100 * time.Millisecond)
		msgs, err = cl.XClaim(ctx, &goredis.XClaimArgs{Stream: "s", Group: "g", Consumer: "bob", MinIdle: 200 * time.Millisecond,
			Messages: []string{"1-0"}}).Result()
		if err != nil || len(msgs) != 1 || msgs[0].Values["f"] != "1-0" {
			t.Fatalf("XCLAIM = %v, %v", msgs, err)
		}
		ids, start, err := cl.XAutoClaimJustID(ctx, &goredis.XAutoClaimArgs{Stream: "s", Group: "g", Consumer: "carol",
			MinIdle: 200 * time.Millisecond, Start: "0", Count: 1}).Result()
		if err != nil || len(ids) != 1 || ids[0] != "2-0" || start != "3-0" {
			t.Fatalf("XAUTOCLAIM = %v %v %v", ids, start, err)
		}
		ps, err := cl.XPending(ctx, "s", "g").Result()
		if err != nil || ps.Count != 3 || ps.Consumers["alice"] != 1 || ps.Consumers["bob"] != 1 || ps.Consumers["carol"] != 1 {
			t.Fatalf("XPENDING = %+v, %v", ps, err)
		}
		ext, _ := cl.XPendingExt(ctx, &goredis.XPendingExtArgs{Stream: "s", Group: "g", Start: "-", End: "+", Count: 10,
			Idle: 150 * time.Millisecond}).Result()
		if len(ext) != 1 || ext[0].ID != "3-0" || ext[0].Idle != 200*time.Millisecond || ext[0].RetryCount != 1 {
			t.Fatalf("XPENDING IDLE = %+v", ext)
		}
		if n, _ := cl.XAck(ctx, "s", "g", "1-0", "2-0", "9-0").Result(); n != 2 {
			t.Fatalf("XACK = %d", n)
		}
		e.raw(proto).Do("XAUTOCLAIM", "s", "g", "dave", "0", "0", "COUNT", "10").Want("[0-0 [[3-0 [f 3-0]]] []]")
	}
}

func TestStreamGroupsSurviveRestart(t *testing.T) {
	st := brokertest.Memory(t)
	clk := &streamTestClock{t: time.UnixMilli(1_000_000)}
	b := st.New(t, broker.Config{Now: clk.Now, Fsync: broker.FsyncNever})
	e := startStreamServer(t, b, clk)
	c := e.raw(2)
	c.Do("XADD", "s", "1-0", "f", "a")
	c.Do("XADD", "s", "2-0", "f", "b")
	c.Do("XGROUP", "CREATE", "s", "g", "0")
	c.Do("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">")
	c.Do("XDEL", "s", "2-0")
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b2 := st.New(t, broker.Config{Now: clk.Now})
	c = startStreamServer(t, b2, clk).raw(2)
	c.Do("XPENDING", "s", "g").Want("[:1 1-0 1-0 [[alice 1]]]")
	c.Do("XINFO", "GROUPS", "s").Want("[[name g consumers :1 pending :1 last-delivered-id 1-0 entries-read :1 lag nil]]")
	c.Do("XINFO", "STREAM", "s").Want("[length :1 radix-tree-keys :1 radix-tree-nodes :2 last-generated-id 2-0 " +
		"max-deleted-entry-id 2-0 entries-added :2 recorded-first-entry-id 1-0 groups :1 first-entry [1-0 [f a]] " +
		"last-entry [1-0 [f a]]]")
}
