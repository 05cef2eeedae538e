package redis

import (
	"strings"
	"testing"

	"junction/broker"
	"junction/storage"
)

// mkParts creates a topic of n partitions under key in database db.
func mkParts(t testing.TB, b *broker.Broker, db int, key string, n int) *broker.Topic {
	t.Helper()
	name := key
	if db > 0 {
		name = dbPrefix(db) + key
	}
	tp, err := b.CreateTopic(name, broker.TopicConfig{Partitions: n})
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func TestPartitionKeys(t *testing.T) {
	ts := newTestServer(t)
	tp := mkParts(t, ts.B, 0, "t", 3)
	mkKeys(t, ts.B, 0, "a")
	c := ts.Dial(t)
	c.Do(t, "KEYS", "*").Want([]string{"a", "t", "t#1", "t#2"})
	c.Do(t, "DBSIZE").Want(4)
	c.Do(t, "EXISTS", "t", "t#1", "t#2", "t#3", "t#0").Want(3)
	c.Do(t, "TYPE", "t#2").WantRaw("+stream\r\n")
	c.Do(t, "TYPE", "t#3").WantRaw("+none\r\n")

	// XADD to t#1 appends to partition 1, and only there.
	c.Do(t, "XADD", "t#1", "1-1", "f", "v").Want("1-1")
	if tp.Partition(1).End() != 1 || tp.Partition(0).End() != 0 || tp.Partition(2).End() != 0 {
		t.Fatalf("partition ends %d %d %d after XADD t#1", tp.Partition(0).End(), tp.Partition(1).End(), tp.Partition(2).End())
	}
	c.Do(t, "XLEN", "t#1").Want(1)
	c.Do(t, "XLEN", "t").Want(0)
	// A record appended to partition 2 by another protocol reads on t#2.
	if _, err := tp.Partition(2).Append([]storage.Record{{Origin: storage.OriginKafka, Value: []byte("kv")}}); err != nil {
		t.Fatal(err)
	}
	r := c.Do(t, "XRANGE", "t#2", "-", "+").Array()
	if len(r) != 1 || r[0].([]any)[1].([]any)[1] != "kv" {
		t.Fatalf("XRANGE t#2 = %#v", r)
	}

	// Removing part of the topic is refused; nothing changes.
	c.Do(t, "DEL", "a", "t#1").WantErr("ERR key 't#1' is partition 1 of the 3-partition topic 't'")
	c.Do(t, "DEL", "t").WantErr("ERR key 't' is partition 0 of the 3-partition topic 't'")
	c.Do(t, "RENAME", "a", "t#2").WantErr("ERR key 't#2' is partition 2")
	c.Do(t, "EXPIRE", "t#1", "10").WantErr("ERR key 't#1' is partition 1")
	c.Do(t, "PERSIST", "t").WantErr("ERR key 't' is partition 0")
	c.Do(t, "DBSIZE").Want(4)
	c.Do(t, "TTL", "t#1").Want(-1)
	c.Do(t, "TTL", "t#9").Want(-2)

	// A literal topic named t#2 wins over partition 2.
	mkKeys(t, ts.B, 0, "t#2")
	c.Do(t, "XLEN", "t#2").Want(0)
	c.Do(t, "KEYS", "t*").Want([]string{"t", "t#1", "t#2"})
	c.Do(t, "DBSIZE").Want(4)
	c.Do(t, "DEL", "t#2").Want(1)
	c.Do(t, "XLEN", "t#2").Want(1)

	// Databases other than 0 use the same scheme on their own keys.
	mkParts(t, ts.B, 3, "d", 2)
	c.Do(t, "SELECT", "3").WantOK()
	c.Do(t, "KEYS", "*").Want([]string{"d", "d#1"})
	c.Do(t, "XADD", "d#1", "5-1", "f", "v").Want("5-1")
	c.Do(t, "XLEN", "d").Want(0)
	c.Do(t, "XLEN", "d#1").Want(1)
	if info := c.Do(t, "INFO", "keyspace").Str(); !strings.Contains(info, "db0:keys=4,") || !strings.Contains(info, "db3:keys=2,") {
		t.Fatalf("INFO keyspace:\n%s", info)
	}
}

func TestPartitionKeyBlockAndWatch(t *testing.T) {
	ts := newTestServer(t)
	tp := mkParts(t, ts.B, 0, "t", 2)
	c := ts.Dial(t)
	c.Send(t, "XREAD", "BLOCK", "20000", "STREAMS", "t", "t#1", "$", "$")
	// Wait until the read is parked so the append below is a wake-up.
	waitBlocked(t, ts.Server, 1)
	if _, err := tp.Partition(1).Append([]storage.Record{{Origin: storage.OriginKafka, Value: []byte("woke")}}); err != nil {
		t.Fatal(err)
	}
	// Read gives up after 5 s, well before the BLOCK timeout.
	if a := c.Read(t).Array(); len(a) != 1 || a[0].([]any)[0] != "t#1" {
		t.Fatalf("XREAD BLOCK woke with %#v", a)
	}

	// WATCH t#1: a change to partition 1 aborts the transaction.
	c.Do(t, "WATCH", "t#1").WantOK()
	if _, err := tp.Partition(1).Append([]storage.Record{{Origin: storage.OriginKafka, Value: []byte("x")}}); err != nil {
		t.Fatal(err)
	}
	c.Do(t, "MULTI").WantOK()
	c.Do(t, "XLEN", "t#1")
	c.Do(t, "EXEC").Want(nil)
}

// The key lookup every stream command makes allocates no more than the
// plain topic lookup it replaces.
func TestStreamPartitionAllocs(t *testing.T) {
	c := newTestConn(t)
	mkParts(t, c.Broker(), 0, "plain", 1)
	mkParts(t, c.Broker(), 0, "multi", 3)
	key, part := []byte("plain"), []byte("multi#2")
	base := testing.AllocsPerRun(100, func() { _ = c.Topic(key).Partition(0) })
	if n := testing.AllocsPerRun(100, func() { streamPartition(c, key) }); n > base {
		t.Errorf("streamPartition(plain) allocates %v, plain lookup %v", n, base)
	}
	if streamPartition(c, part) != c.Broker().Topic("multi").Partition(2) {
		t.Fatal("multi#2 is not partition 2 of multi")
	}
}
