// Tests of XADD, XTRIM, XRANGE/XREVRANGE, XDEL, XLEN and XSETID over a socket,
// with Redis's replies and error texts, and of foreign records read as entries.
package redis

import (
	"fmt"
	"testing"

	"junction/storage"
)

func TestStreamXAddIDsAndErrors(t *testing.T) {
	e := newStreamEnv(t)
	c := e.raw(2)
	c.Do("XADD", "s", "*", "f", "v").WantRaw("$9\r\n1000000-0\r\n")
	c.Do("XADD", "s", "*", "f", "v").Want("1000000-1")
	e.clock.Add(5)
	c.Do("XADD", "s", "*", "f", "v").Want("1000000-2") // the clock is in ns: same ms
	e.clock.Add(1_000_000)
	c.Do("XADD", "s", "*", "f", "v").Want("1000001-0")
	c.Do("XADD", "s", "1000001-*", "f", "v").Want("1000001-1")
	c.Do("XADD", "s", "2000000-*", "f", "v").Want("2000000-0")
	c.Do("XADD", "s", "2000000-5", "f", "v").Want("2000000-5")
	c.Do("XADD", "s", "2000000-5", "f", "v").Want("-ERR The ID specified in XADD is equal or smaller than the target stream top item")
	c.Do("XADD", "s", "1-*", "f", "v").Want("-ERR The ID specified in XADD is equal or smaller than the target stream top item")
	c.Do("XADD", "s", "*", "f", "v").Want("2000000-6") // the clock is behind the last ID
	c.Do("XADD", "n", "0-0", "f", "v").Want("-ERR The ID specified in XADD must be greater than 0-0")
	c.Do("EXISTS", "n").Want(":0")
	c.Do("XADD", "n", "0-*", "f", "v").Want("0-1")
	c.Do("XADD", "n", "+", "f", "v").Want("-ERR Invalid stream ID specified as stream command argument")
	c.Do("XADD", "n", "1-x", "f", "v").Want("-ERR Invalid stream ID specified as stream command argument")
	c.Do("XADD", "n", "*", "f").Want("-ERR wrong number of arguments for 'xadd' command")
	c.Do("XADD", "n", "*", "f", "v", "g").Want("-ERR wrong number of arguments for 'xadd' command")
	c.Do("XADD", "n", "MAXLEN", "5").Want("-ERR wrong number of arguments for 'xadd' command")
	c.Do("XADD", "n").Want("-ERR wrong number of arguments for 'xadd' command")
	c.Do("XADD", "n", "NOMKSTREAM", "MAXLEN", "x", "*", "f", "v").Want("-ERR value is not an integer or out of range")
	c.Do("XADD", "n", "MAXLEN", "-1", "*", "f", "v").Want("-ERR The MAXLEN argument must be >= 0.")
	c.Do("XADD", "n", "MAXLEN", "1", "MINID", "1", "*", "f", "v").Want("-ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
	c.Do("XADD", "n", "MAXLEN", "1", "LIMIT", "10", "*", "f", "v").Want("-ERR syntax error, LIMIT cannot be used without the special ~ option")
	c.Do("XADD", "n", "LIMIT", "10", "*", "f", "v").Want("-ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
	c.Do("XADD", "n", "LIMIT", "-1", "*", "f", "v").Want("-ERR The LIMIT argument must be >= 0.")
	c.Do("XADD", "n", "MINID", "~", "x", "*", "f", "v").Want("-ERR Invalid stream ID specified as stream command argument")
	c.Do("XADD", "missing", "NOMKSTREAM", "*", "f", "v").Want("nil")
	c.Do("EXISTS", "missing").Want(":0")
	c.Do("XADD", "n", "NOMKSTREAM", "*", "f", "v").Want("1000001-0")

	c3 := e.raw(3)
	c3.Do("XADD", "missing", "NOMKSTREAM", "*", "f", "v").WantRaw("_\r\n")
	c.Do("XLEN", "s").Want(":8")
	c.Do("XLEN", "nope").Want(":0")
}

func TestStreamXAddTrimming(t *testing.T) {
	e := newStreamEnv(t)
	c := e.raw(2)
	for i := 1; i <= 10; i++ {
		c.Do("XADD", "s", "MAXLEN", "=", "5", fmt.Sprint(i), "f", "v")
	}
	c.Do("XLEN", "s").Want(":5")
	c.Do("XRANGE", "s", "-", "+", "COUNT", "1").Want("[[6-0 [f v]]]")
	c.Do("XADD", "s", "MINID", "8", "11", "f", "v").Want("11-0")
	c.Do("XLEN", "s").Want(":4")
	// "~" removes whole nodes of 100 entries only.
	for i := 12; i <= 250; i++ {
		c.send("XADD", "s", fmt.Sprint(i), "f", "v")
	}
	for i := 12; i <= 250; i++ {
		c.reply()
	}
	c.Do("XLEN", "s").Want(":243")
	c.Do("XTRIM", "s", "MAXLEN", "~", "200").Want(":0")
	c.Do("XTRIM", "s", "MAXLEN", "~", "100").Want(":93")
	c.Do("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "99").Want(":0")
	c.Do("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "100").Want(":100")
	c.Do("XADD", "s", "MAXLEN", "~", "10", "*", "f", "v").Want("1000000-0")
	c.Do("XLEN", "s").Want(":51")
	c.Do("XTRIM", "s", "MINID", "245").Want(":44")
	c.Do("XTRIM", "s", "MAXLEN", "0").Want(":7")
	c.Do("XLEN", "s").Want(":0")
	c.Do("EXISTS", "s").Want(":1")
	c.Do("XTRIM", "s").Want("-ERR wrong number of arguments for 'xtrim' command")
	c.Do("XTRIM", "s", "FOO", "1").Want("-ERR syntax error")
	c.Do("XTRIM", "s", "LIMIT", "1", "MAXLEN", "1").Want("-ERR syntax error, LIMIT cannot be used without the special ~ option")
	c.Do("XTRIM", "s", "LIMIT", "1", "LIMIT", "2").Want("-ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
	c.Do("XTRIM", "s", "LIMIT", "0", "LIMIT", "0").Want("-ERR syntax error, XTRIM must be called with a trimming strategy")
	c.Do("XTRIM", "nope", "MAXLEN", "1").Want(":0")
	c.Do("XTRIM", "nope", "MAXLEN", "x").Want("-ERR value is not an integer or out of range")
}

func TestStreamXRangeXDel(t *testing.T) {
	e := newStreamEnv(t)
	c := e.raw(2)
	for _, id := range []string{"1-1", "1-2", "2-0", "3-5", "5-0"} {
		c.Do("XADD", "s", id, "f", id)
	}
	c.Do("XRANGE", "s", "-", "+").Want("[[1-1 [f 1-1]] [1-2 [f 1-2]] [2-0 [f 2-0]] [3-5 [f 3-5]] [5-0 [f 5-0]]]")
	c.Do("XRANGE", "s", "1", "1").Want("[[1-1 [f 1-1]] [1-2 [f 1-2]]]")
	c.Do("XRANGE", "s", "(1-1", "(3-5").Want("[[1-2 [f 1-2]] [2-0 [f 2-0]]]")
	c.Do("XRANGE", "s", "(1", "3").Want("[[1-1 [f 1-1]] [1-2 [f 1-2]] [2-0 [f 2-0]] [3-5 [f 3-5]]]")
	c.Do("XRANGE", "s", "2", "+", "COUNT", "2").Want("[[2-0 [f 2-0]] [3-5 [f 3-5]]]")
	c.Do("XRANGE", "s", "2", "+", "count", "-3").Want("nil")
	c.Do("XRANGE", "s", "2", "+", "COUNT", "0").WantRaw("*-1\r\n")
	c.Do("XRANGE", "s", "5", "1").Want("[]")
	c.Do("XREVRANGE", "s", "+", "-", "COUNT", "2").Want("[[5-0 [f 5-0]] [3-5 [f 3-5]]]")
	c.Do("XREVRANGE", "s", "(5", "(1-2").Want("[[5-0 [f 5-0]] [3-5 [f 3-5]] [2-0 [f 2-0]]]") // "(5" excludes only 5-<max>
	c.Do("XREVRANGE", "s", "(5-0", "(1-2").Want("[[3-5 [f 3-5]] [2-0 [f 2-0]]]")
	c.Do("XREVRANGE", "s", "3", "2").Want("[[3-5 [f 3-5]] [2-0 [f 2-0]]]")
	c.Do("XRANGE", "s", "(-", "+").Want("-ERR Invalid stream ID specified as stream command argument")
	c.Do("XRANGE", "s", "(18446744073709551615-18446744073709551615", "+").Want("-ERR invalid start ID for the interval")
	c.Do("XRANGE", "s", "-", "(0-0").Want("-ERR invalid end ID for the interval")
	c.Do("XRANGE", "s", "-", "+", "COUNT").Want("-ERR syntax error")
	c.Do("XRANGE", "s", "-", "+", "COUNT", "x").Want("-ERR value is not an integer or out of range")
	c.Do("XRANGE", "s", "x", "+").Want("-ERR Invalid stream ID specified as stream command argument")
	c.Do("XRANGE", "nope", "-", "+").Want("[]")
	c.Do("XRANGE", "s", "-").Want("-ERR wrong number of arguments for 'xrange' command")

	c.Do("XDEL", "s", "1-2", "2-0", "9-9", "2-0").Want(":2")
	c.Do("XDEL", "s", "bad").Want("-ERR Invalid stream ID specified as stream command argument")
	c.Do("XDEL", "nope", "bad").Want(":0")
	c.Do("XRANGE", "s", "-", "+").Want("[[1-1 [f 1-1]] [3-5 [f 3-5]] [5-0 [f 5-0]]]")
	c.Do("XREVRANGE", "s", "+", "-", "COUNT", "2").Want("[[5-0 [f 5-0]] [3-5 [f 3-5]]]")
	c.Do("XLEN", "s").Want(":3")
}

func TestStreamXSetID(t *testing.T) {
	e := newStreamEnv(t)
	c := e.raw(2)
	c.Do("XSETID", "s", "1-0").Want("-ERR no such key")
	c.Do("XADD", "s", "5-0", "f", "v")
	c.Do("XADD", "s", "6-0", "f", "v")
	c.Do("XSETID", "s", "5-9").Want("-ERR The ID specified in XSETID is smaller than the target stream top item")
	c.Do("XSETID", "s", "10-0", "ENTRIESADDED", "1").Want("-ERR The entries_added specified in XSETID is smaller than the target stream length")
	c.Do("XSETID", "s", "10-0", "ENTRIESADDED", "-1").Want("-ERR entries_added must be positive")
	c.Do("XSETID", "s", "10-0", "MAXDELETEDID", "11-0").Want("-ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
	c.Do("XSETID", "s", "10-0", "FOO").Want("-ERR syntax error")
	c.Do("XSETID", "s", "+").Want("-ERR Invalid stream ID specified as stream command argument")
	c.Do("XSETID", "s", "10-0", "ENTRIESADDED", "7", "MAXDELETEDID", "3-0").Want("OK")
	c.Do("XADD", "s", "10-0", "f", "v").Want("-ERR The ID specified in XADD is equal or smaller than the target stream top item")
	c.Do("XADD", "s", "*", "f", "v").Want("1000000-0")
	c.Do("XINFO", "STREAM", "s").Want("[length :3 radix-tree-keys :1 radix-tree-nodes :2 last-generated-id 1000000-0 " +
		"max-deleted-entry-id 3-0 entries-added :8 recorded-first-entry-id 5-0 groups :0 first-entry [5-0 [f v]] " +
		"last-entry [1000000-0 [f v]]]")
	c.Do("XSETID", "s", "2-0").Want("-ERR The ID specified in XSETID is smaller than current max_deleted_entry_id")
}

func TestStreamForeignRecordsReadAsEntries(t *testing.T) {
	e := newStreamEnv(t)
	c := e.raw(2)
	c.Do("XADD", "k", "1-0", "a", "b")
	p := e.b.Topic("k").Partition(0)
	if _, err := p.Append([]storage.Record{
		{Key: []byte("user-1"), Value: []byte("hello"), Headers: []storage.Header{{Key: []byte("h"), Value: []byte("x")}}, Origin: storage.OriginKafka},
		{Value: []byte("body"), Origin: storage.OriginAMQP},
	}); err != nil {
		t.Fatal(err)
	}
	c.Do("XRANGE", "k", "-", "+").Want("[[1-0 [a b]] [1000000-0 [key user-1 value hello h x]] [1000000-1 [value body]]]")
}
