package redis

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// cmpStep is one command of a comparison script and how many replies (or
// pushes) it produces.
type cmpStep struct {
	args  []string
	n     int
	since string // skip on a reference Redis older than this
}

func step(args ...string) cmpStep { return cmpStep{args: args, n: 1} }

func stepN(n int, args ...string) cmpStep { return cmpStep{args: args, n: n} }

// cmpScripts compare byte for byte with a real Redis: dispatch errors,
// connection, keyspace, transaction and Pub/Sub commands. "K:" in an
// argument is replaced by a per-run key prefix.
var cmpScripts = map[string][]cmpStep{
	"dispatch": {
		step("NOPE"), step("nope", "a", "b c"), step("CLIENT", "foo"), step("CLIENT"), step("ECHO"),
		step("PING", "a", "b"), step("PING"), step("PING", "x"), step("ECHO", "e"), step("SELECT", "16"),
		step("SELECT", "x"), step("SELECT", "-1"), step("SELECT", "0"), step("AUTH", "x"),
		step("AUTH", "a", "b", "c"), step("AUTH", "default", "x"), step("AUTH", "bob", "x"),
		step("HELLO", "4"), step("HELLO", "x"), step("HELLO", "3", "FOO"), step("HELLO", "3", "SETNAME", "a b"),
		step("CLIENT", "SETNAME", "a b"), step("CLIENT", "SETNAME", "ok"), step("CLIENT", "GETNAME"),
		step("CLIENT", "UNBLOCK", "x"), step("CLIENT", "UNBLOCK", "1", "MAYBE"),
		step("CLIENT", "UNBLOCK", "999999"), step("CLIENT", "KILL", "1.2.3.4:5"), step("CLIENT", "KILL", "ID", "0"),
		step("CLIENT", "NO-EVICT", "maybe"), step("CLIENT", "NO-EVICT", "on"),
		{args: []string{"CLIENT", "NO-TOUCH", "on"}, n: 1, since: "7.2"},
		{args: []string{"CLIENT", "SETINFO", "LIB-NAME", "a b"}, n: 1, since: "7.2"},
		{args: []string{"CLIENT", "SETINFO", "lib-foo", "x"}, n: 1, since: "7.2"},
		step("CONFIG", "SET", "bogus", "1"),
		step("CONFIG", "GET", "maxmemory"), step("CONFIG", "GET", "nope"),
		step("CONFIG", "SET", "timeout", "1", "hz"), step("CONFIG", "GET", "databases"),
		step("CONFIG", "GET", "save"), step("COMMAND", "INFO", "nope"), step("COMMAND", "GETKEYS", "ping"),
		step("COMMAND", "GETKEYS", "nope"), step("COMMAND", "GETKEYS", "rename", "a"),
		step("COMMAND", "GETKEYS", "rename", "a", "b"), step("COMMAND", "DOCS", "nope"),
		step("PUBSUB", "FOO"), step("CONFIG", "FOO"), step("COMMAND", "FOO"), step("DBSIZE", "x"),
		step("MULTI", "x"), step("RESET"), step("PING"),
	},
	"keyspace": {
		step("XADD", "K:k", "1-1", "f", "v"), step("XADD", "K:j", "1-1", "f", "v"),
		step("EXISTS", "K:k", "K:k", "K:nope"), step("TOUCH", "K:k", "K:nope"), step("TYPE", "K:k"),
		step("TYPE", "K:nope"), step("TTL", "K:k"), step("PTTL", "K:nope"), step("EXPIRETIME", "K:k"),
		step("EXPIRE", "K:k", "x"), step("EXPIRE", "K:k", "10", "NX", "XX"), step("EXPIRE", "K:k", "10", "GT", "LT"),
		step("EXPIRE", "K:k", "10", "FOO"), step("EXPIRE", "K:k", "9223372036854775807"),
		step("PEXPIRE", "K:k", "9223372036854775807"), step("EXPIREAT", "K:k", "9223372036854775807"),
		step("EXPIRE", "K:nope", "10"), step("EXPIRE", "K:k", "100", "XX"), step("EXPIRE", "K:k", "100", "GT"),
		step("EXPIRE", "K:k", "100", "NX"), step("EXPIRE", "K:k", "50", "NX"), step("EXPIRE", "K:k", "50", "GT"),
		step("EXPIRE", "K:k", "200", "GT"), step("EXPIRE", "K:k", "300", "LT"), step("TTL", "K:k"),
		step("PERSIST", "K:k"), step("PERSIST", "K:k"), step("TTL", "K:k"), step("EXPIRE", "K:j", "-1"),
		step("EXISTS", "K:j"), step("RENAME", "K:nope", "K:x"), step("RENAMENX", "K:nope", "K:x"),
		step("RENAME", "K:k", "K:k"), step("RENAMENX", "K:k", "K:k"), step("RENAME", "K:k", "K:r"),
		step("EXISTS", "K:k", "K:r"), step("SCAN", "x"), step("SCAN", "0", "COUNT", "0"),
		step("SCAN", "0", "COUNT", "x"), step("SCAN", "0", "BOGUS", "1"), step("SCAN", "0", "MATCH"),
		step("KEYS", "K:*"), step("DEL", "K:r", "K:r", "K:nope"), step("UNLINK", "K:r"),
		step("FLUSHDB", "bogus"), step("FLUSHALL", "a", "b"), step("RANDOMKEY", "x"),
	},
	"multi": {
		step("EXEC"), step("DISCARD"), step("MULTI"), step("MULTI"), step("ECHO", "x"), step("EXEC"),
		step("MULTI"), step("ECHO"), step("NOPE"), step("ECHO", "x"), step("EXEC"),
		step("MULTI"), step("WATCH", "K:a"), step("ECHO", "x"), step("PING"), step("DISCARD"),
		step("WATCH", "K:a"), step("MULTI"), step("RENAME", "K:nope", "K:b"), step("ECHO", "y"), step("EXEC"),
		step("UNWATCH"), step("MULTI"), step("EXEC"),
	},
	"pubsub": {
		stepN(2, "SUBSCRIBE", "K:a", "K:b"), step("PSUBSCRIBE", "K:*"), step("SUBSCRIBE", "K:a"),
		step("ECHO", "x"), step("CLIENT", "GETNAME"), step("PING"), step("PING", "hi"), step("NOPE"),
		step("UNSUBSCRIBE", "K:b"), step("UNSUBSCRIBE"), step("UNSUBSCRIBE", "K:never"), step("PUNSUBSCRIBE"), step("PUNSUBSCRIBE"),
		step("UNSUBSCRIBE"), step("SSUBSCRIBE", "K:s"), step("ECHO", "x"), step("SUNSUBSCRIBE"),
		step("SUNSUBSCRIBE"), step("PING"), step("PUBSUB", "NUMSUB", "K:none"), step("PUBSUB", "NUMPAT"),
		step("PUBSUB", "CHANNELS", "K:zzz*"), step("PUBSUB", "SHARDNUMSUB", "K:none"),
		step("PUBLISH", "K:nobody", "m"), step("SPUBLISH", "K:nobody", "m"),
	},
}

// cmpMask hides values that legitimately differ: client ids.
var cmpMask = regexp.MustCompile(`id=\d+`)

// TestCompareWithRedis runs cmpScripts on a real Redis and on Junction in
// RESP2 and RESP3 and compares every reply byte for byte.
func TestCompareWithRedis(t *testing.T) {
	addr := os.Getenv("JUNCTION_COMPARE_REDIS")
	if addr == "" {
		t.Skip("set JUNCTION_COMPARE_REDIS=host:port to compare with a real Redis")
	}
	ts := newTestServer(t)
	ref := &testServer{Addr: addr}
	ver := refVersion(t, ref)
	for name, script := range cmpScripts {
		for _, proto := range []int{2, 3} {
			t.Run(fmt.Sprintf("%s/resp%d", name, proto), func(t *testing.T) {
				prefix := fmt.Sprintf("jcmp:%s:%d:", name, proto)
				conns := [2]*respConn{ref.Dial(t), ts.Dial(t)}
				for _, c := range conns {
					if proto == 3 {
						c.Do(t, "HELLO", "3")
					}
				}
				cleanup := []any{"DEL"}
				for _, k := range []string{"k", "j", "r", "a", "b", "x"} {
					cleanup = append(cleanup, prefix+k)
				}
				defer ref.Dial(t).Do(t, cleanup...)
				ref.Dial(t).Do(t, cleanup...)
				for _, st := range script {
					if st.since != "" && ver < st.since {
						continue
					}
					args := make([]any, len(st.args))
					for i, a := range st.args {
						args[i] = strings.ReplaceAll(a, "K:", prefix)
					}
					var got [2]string
					for i, c := range conns {
						c.Send(t, args...)
						for range st.n {
							got[i] += c.Read(t).Raw
						}
					}
					if cmpMask.ReplaceAllString(got[0], "id=N") != cmpMask.ReplaceAllString(got[1], "id=N") {
						t.Errorf("%q:\nredis    %q\njunction %q", st.args, got[0], got[1])
					}
				}
			})
		}
	}
}

func refVersion(t *testing.T, ref *testServer) string {
	info := ref.Dial(t).Do(t, "INFO", "server").Str()
	_, v, _ := strings.Cut(info, "redis_version:")
	v, _, _ = strings.Cut(v, "\r")
	return v
}
