// Side-by-side comparison with a real Redis: JUNCTION_COMPARE_REDIS=host:port
// runs the same command scripts against that server and an in-process
// Junction, in RESP2 and RESP3, and compares the raw replies byte for byte.
// Steps marked sxShape compare with integers and generated IDs masked (times,
// "*" IDs); steps marked sxV72/sxV74 run only against Redis 7.2/7.4 or later.
// The keys used are deleted on the real server before and after each run.
package redis

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"junction/broker"
	"junction/broker/brokertest"
)

type sxMode uint8

const (
	sxExact     sxMode = iota
	sxShapeMode        // mask integers and IDs
)

type sxStep struct {
	args []string
	mode sxMode
	min  string // minimum Redis version ("7.2", "7.4"), "" for any
}

func sxEx(args ...string) sxStep    { return sxStep{args: args} }
func sxShape(args ...string) sxStep { return sxStep{args: args, mode: sxShapeMode} }
func sxV72(s sxStep) sxStep         { s.min = "7.2"; return s }
func sxV74(s sxStep) sxStep         { s.min = "7.4"; return s }

// sxKeys are the key names scripts use; runs prefix them.
var sxKeys = []string{"s", "t", "u", "missing"}

var sxScripts = map[string][]sxStep{
	"xadd": {
		sxEx("XADD", "s", "1-1", "f", "v"), sxEx("XADD", "s", "1-1", "f", "v"), sxEx("XADD", "s", "1-*", "f", "v"),
		sxEx("XADD", "s", "0-0", "f", "v"), sxEx("XADD", "t", "0-0", "f", "v"), sxEx("EXISTS", "t"),
		sxEx("XADD", "t", "0-*", "f", "v"), sxEx("XADD", "s", "2-0", "a", "1", "b", "2"), sxEx("XADD", "s", "3", "f", "v"),
		sxEx("XADD", "s", "+", "f", "v"), sxEx("XADD", "s", "-", "f", "v"), sxEx("XADD", "s", "1-x", "f", "v"),
		sxEx("XADD", "s", "01-5", "f", "v"), sxEx("XADD", "s", " 7-1", "f", "v"),
		sxEx("XADD", "s", "*", "f"), sxEx("XADD", "s", "*", "f", "v", "g"), sxEx("XADD", "s"), sxEx("XADD", "s", "MAXLEN", "5"),
		sxEx("XADD", "s", "MAXLEN", "x", "*", "f", "v"), sxEx("XADD", "s", "MAXLEN", "-1", "*", "f", "v"),
		sxEx("XADD", "s", "MAXLEN", "1", "MINID", "1", "*", "f", "v"),
		sxEx("XADD", "s", "MAXLEN", "1", "LIMIT", "10", "*", "f", "v"),
		sxEx("XADD", "s", "LIMIT", "10", "*", "f", "v"), sxEx("XADD", "s", "LIMIT", "0", "10-0", "f", "v"),
		sxEx("XADD", "s", "LIMIT", "-1", "*", "f", "v"), sxEx("XADD", "s", "MINID", "~", "x", "*", "f", "v"),
		sxEx("XADD", "missing", "NOMKSTREAM", "*", "f", "v"), sxEx("EXISTS", "missing"),
		sxEx("XADD", "s", "NOMKSTREAM", "MAXLEN", "~", "1", "11-0", "f", "v"),
		sxEx("XADD", "s", "MAXLEN", "=", "2", "12-0", "f", "v"), sxEx("XRANGE", "s", "-", "+"),
		sxEx("XADD", "s", "MINID", "12", "13-0", "f", "v"), sxEx("XLEN", "s"), sxEx("XLEN", "missing"),
		sxShape("XADD", "s", "*", "f", "v"), sxShape("XADD", "s", "*", "f", "v"),
		sxEx("XADD", "s", "18446744073709551615-18446744073709551615", "f", "v"),
		sxEx("XADD", "s", "*", "f", "v"),
		sxEx("XADD", "s", "nomkstream", "maxlen", "~", "0", "limit", "5", "*", "f", "v"),
	},
	"trim": {
		sxEx("XTRIM", "s", "MAXLEN", "1"), sxEx("XTRIM", "s"), sxEx("XTRIM", "s", "FOO", "1"),
		sxEx("XTRIM", "s", "LIMIT", "1", "MAXLEN", "1"), sxEx("XTRIM", "s", "LIMIT", "1", "LIMIT", "2"),
		sxEx("XTRIM", "s", "LIMIT", "0", "LIMIT", "0"), sxEx("XTRIM", "s", "MAXLEN", "x"),
		sxEx("XTRIM", "s", "MINID", "+"),
	},
	"range": {
		sxEx("XADD", "s", "1-1", "f", "1-1"), sxEx("XADD", "s", "1-2", "f", "1-2"), sxEx("XADD", "s", "2-0", "f", "2-0"),
		sxEx("XADD", "s", "3-5", "f", "3-5"), sxEx("XADD", "s", "5-0", "f", "5-0"),
		sxEx("XRANGE", "s", "-", "+"), sxEx("XRANGE", "s", "1", "1"), sxEx("XRANGE", "s", "(1-1", "(3-5"),
		sxEx("XRANGE", "s", "(1", "3"), sxEx("XRANGE", "s", "2", "+", "COUNT", "2"), sxEx("XRANGE", "s", "2", "+", "count", "-3"),
		sxEx("XRANGE", "s", "2", "+", "COUNT", "0"), sxEx("XRANGE", "s", "5", "1"), sxEx("XREVRANGE", "s", "+", "-", "COUNT", "2"),
		sxEx("XREVRANGE", "s", "(5", "(1-2"), sxEx("XREVRANGE", "s", "(5-0", "(1-2"), sxEx("XREVRANGE", "s", "3", "2"),
		sxEx("XRANGE", "s", "(-", "+"), sxEx("XRANGE", "s", "(", "+"), sxEx("XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"),
		sxEx("XRANGE", "s", "-", "(0-0"), sxEx("XRANGE", "s", "-", "+", "COUNT"), sxEx("XRANGE", "s", "-", "+", "COUNT", "x"),
		sxEx("XRANGE", "s", "-", "+", "COUNT", "1", "COUNT", "2"), sxEx("XRANGE", "s", "x", "+"),
		sxEx("XRANGE", "missing", "-", "+"), sxEx("XRANGE", "s", "-"), sxEx("XRANGE", "missing", "x", "+"),
		sxEx("XDEL", "s", "1-2", "2-0", "9-9", "2-0"), sxEx("XDEL", "s", "bad"), sxEx("XDEL", "missing", "bad"),
		sxEx("XDEL", "s"), sxEx("XRANGE", "s", "-", "+"), sxEx("XREVRANGE", "s", "+", "-", "COUNT", "2"), sxEx("XLEN", "s"),
		sxEx("XINFO", "STREAM", "s"),
		sxEx("XDEL", "s", "1-1", "3-5", "5-0"), sxEx("XINFO", "STREAM", "s"), sxEx("XADD", "s", "6-0", "f", "v"),
		sxEx("XINFO", "STREAM", "s"),
	},
	"setid": {
		sxEx("XSETID", "s", "1-0"), sxEx("XADD", "s", "5-0", "f", "v"), sxEx("XADD", "s", "6-0", "f", "v"),
		sxEx("XSETID", "s", "5-9"), sxEx("XSETID", "s", "10-0", "ENTRIESADDED", "1"),
		sxEx("XSETID", "s", "10-0", "ENTRIESADDED", "-1"), sxEx("XSETID", "s", "10-0", "MAXDELETEDID", "11-0"),
		sxEx("XSETID", "s", "10-0", "FOO"), sxEx("XSETID", "s", "+"), sxEx("XSETID", "s", "10-0", "ENTRIESADDED"),
		sxEx("XSETID", "s", "10-0", "ENTRIESADDED", "7", "MAXDELETEDID", "3-0"),
		sxEx("XADD", "s", "10-0", "f", "v"), sxEx("XADD", "s", "10-1", "f", "v"), sxEx("XINFO", "STREAM", "s"),
		sxV72(sxEx("XSETID", "s", "2-0")), sxEx("XDEL", "s", "5-0"), sxEx("XINFO", "STREAM", "s"),
		sxEx("XTRIM", "s", "MAXLEN", "0"), sxEx("XINFO", "STREAM", "s"), sxEx("XSETID", "s", "10-1"), sxV72(sxEx("XSETID", "s", "3-0")),
	},
	"trimnodes": append(append(sxFill("s", 250), sxFill("t", 30)...),
		sxEx("XTRIM", "s", "MAXLEN", "~", "200"), sxEx("XTRIM", "s", "MAXLEN", "~", "100"),
		sxEx("XINFO", "STREAM", "s"),
		sxEx("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "99"), sxEx("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "100"),
		sxEx("XADD", "s", "MAXLEN", "~", "10", "1000-0", "f", "v"), sxEx("XLEN", "s"),
		sxEx("XTRIM", "s", "MINID", "~", "245"), sxEx("XTRIM", "s", "MINID", "245"), sxEx("XINFO", "STREAM", "s"),
		sxEx("XTRIM", "s", "MAXLEN", "0"), sxEx("XINFO", "STREAM", "s"),
		sxEx("XTRIM", "t", "MINID", "~", "20"), sxEx("XDEL", "t", "1-0", "2-0"), sxEx("XINFO", "STREAM", "t"),
	),
	"groups": {
		sxEx("XGROUP", "CREATE", "s", "g", "$"), sxEx("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"),
		sxEx("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"), sxEx("XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "-2"),
		sxEx("XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "x"), sxEx("XGROUP", "CREATE", "s", "g2", "x"),
		sxEx("XGROUP", "CREATE", "s", "g2", "+"), sxEx("XGROUP", "CREATE", "s", "g2", "0", "FOO"),
		sxEx("XGROUP", "CREATE", "s"), sxEx("XGROUP", "FOO", "s", "g"), sxEx("XGROUP", "foo"),
		sxEx("XGROUP", "SETID", "s", "nog", "0"), sxEx("XGROUP", "SETID", "missing", "g", "0"),
		sxEx("XGROUP", "CREATECONSUMER", "s", "nog", "c"), sxEx("XGROUP", "DELCONSUMER", "s", "nog", "c"),
		sxEx("XGROUP", "DESTROY", "s", "nog"), sxEx("XGROUP", "DESTROY", "missing", "g"),
		sxEx("XGROUP", "CREATECONSUMER", "s", "g", "alice"), sxEx("XGROUP", "CREATECONSUMER", "s", "g", "alice"),
		sxEx("XADD", "s", "1-0", "f", "a"), sxEx("XADD", "s", "2-0", "f", "b"), sxEx("XADD", "s", "3-0", "f", "c"),
		sxEx("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"),
		sxEx("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">"),
		sxEx("XGROUP", "SETID", "s", "g", "0"), sxEx("XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", "s", ">"),
		sxEx("XPENDING", "s", "g"), sxEx("XGROUP", "DELCONSUMER", "s", "g", "bob"), sxEx("XPENDING", "s", "g"),
		sxEx("XGROUP", "DELCONSUMER", "s", "g", "nobody"),
		sxEx("XGROUP", "SETID", "s", "g", "$", "ENTRIESREAD", "3"), sxEx("XGROUP", "SETID", "s", "g", "-"),
		sxEx("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD"), sxEx("XGROUP", "SETID", "s", "g", "0", "MKSTREAM"),
		sxEx("XGROUP", "CREATE", "s", "g3", "0", "ENTRIESREAD", "1", "MKSTREAM"),
		sxEx("XGROUP", "CREATE", "t", "g", "0", "MKSTREAM", "ENTRIESREAD", "5"),
		sxEx("XINFO", "GROUPS", "s"), sxEx("XINFO", "GROUPS", "t"),
		sxEx("XGROUP", "DESTROY", "s", "g3"), sxEx("XGROUP", "DESTROY", "s", "g3"), sxEx("XINFO", "GROUPS", "s"),
		sxEx("XGROUP", "HELP"), sxEx("xgroup", "help"), sxEx("XGROUP", "HELP", "x"),
		sxEx("XACK", "s", "g", "1-0", "1-0", "9-0"), sxEx("XACK", "s", "g", "x"), sxEx("XACK", "missing", "g", "x"),
		sxEx("XACK", "s", "nog", "x"), sxEx("XACK", "s", "g"),
	},
	"readgroup": {
		sxEx("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"),
		sxEx("XGROUP", "CREATE", "s", "g", "0", "MKSTREAM"),
		sxEx("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"),
		sxEx("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"),
		sxEx("XADD", "s", "1-0", "f", "a"), sxEx("XADD", "s", "2-0", "f", "b"), sxEx("XADD", "s", "3-0", "f", "c"),
		sxEx("XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "STREAMS", "s", ">"),
		sxEx("XREADGROUP", "GROUP", "g", "c", "NOACK", "STREAMS", "s", ">"),
		sxEx("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"),
		sxEx("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "1"),
		sxEx("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", "0-0"),
		sxEx("XDEL", "s", "1-0"), sxEx("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"),
		sxEx("XREADGROUP", "GROUP", "g", "d", "STREAMS", "s", "0"),
		sxEx("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$"),
		sxV74(sxEx("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "+")),
		sxEx("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s"), sxV72(sxEx("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "t", ">")),
		sxEx("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "x"), sxEx("XREADGROUP", "GROUP", "g", "STREAMS", "s", ">"),
		sxEx("XREADGROUP", "COUNT", "1", "STREAMS", "s", ">", "x", "y"),
		sxEx("XREADGROUP", "GROUP", "g", "c", "COUNT", "x", "STREAMS", "s", ">"),
		sxEx("XREADGROUP", "GROUP", "g", "c", "BLOCK", "-1", "STREAMS", "s", ">"),
		sxEx("XREADGROUP", "GROUP", "g", "c", "FOO", "STREAMS", "s", ">"),
		sxEx("XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s", ">"),
		sxEx("XREADGROUP", "GROUP", "g", "c", "STREAMS", "missing", ">"),
		sxEx("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "missing", ">", ">"),
		sxEx("XREADGROUP", "GROUP", "g", "c", "BLOCK", "10", "STREAMS", "s", ">"),
		sxEx("XREADGROUP", "GROUP", "g", "c", "BLOCK", "10", "STREAMS", "s", "0"),
		sxEx("XINFO", "GROUPS", "s"), sxEx("XPENDING", "s", "g"),
		sxEx("XGROUP", "CREATE", "t", "g", "0", "MKSTREAM"), sxEx("XADD", "t", "1-0", "x", "y"),
		sxEx("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "t", ">", ">"),
		sxEx("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "t", "0", ">"),
		sxEx("XREADGROUP", "GROUP", "g", "c", "STREAMS", "t", "s", "0", "0"),
	},
	"xread": {
		sxEx("XREAD", "STREAMS", "s", "0"), sxEx("XADD", "s", "1-0", "f", "a"), sxEx("XADD", "s", "2-0", "f", "b"),
		sxEx("XADD", "t", "5-0", "g", "h"),
		sxEx("XREAD", "STREAMS", "s", "0"), sxEx("XREAD", "COUNT", "1", "STREAMS", "s", "t", "0", "0"),
		sxEx("XREAD", "STREAMS", "s", "t", "1", "5"), sxEx("XREAD", "STREAMS", "s", "$"), sxEx("XREAD", "STREAMS", "missing", "0"),
		sxEx("XREAD", "STREAMS", "s", "missing", "$", "$"),
		sxEx("XREAD", "BLOCK", "10", "STREAMS", "s", "$"), sxEx("XREAD", "BLOCK", "10", "STREAMS", "missing", "$"),
		sxEx("XREAD", "COUNT", "0", "STREAMS", "s", "0-1"), sxEx("XREAD", "COUNT", "-5", "STREAMS", "s", "0"),
		sxEx("XREAD", "STREAMS", "s"), sxV72(sxEx("XREAD", "STREAMS", "s", "t", "0")), sxEx("XREAD", "STREAMS"),
		sxEx("XREAD", "COUNT", "1"), sxEx("XREAD", "GROUP", "g", "c", "STREAMS", "s", "0"), sxEx("XREAD", "NOACK", "STREAMS", "s", "0"),
		sxEx("XREAD", "STREAMS", "s", ">"), sxEx("XREAD", "STREAMS", "s", "-"), sxEx("XREAD", "STREAMS", "s", "x"),
		sxEx("XREAD", "BLOCK", "x", "STREAMS", "s", "0"), sxEx("XREAD", "BLOCK", "-1", "STREAMS", "s", "0"),
		sxV72(sxEx("XREAD", "BLOCK", "9223372036854775807", "STREAMS", "s", "0")), sxEx("XREAD", "FOO", "STREAMS", "s", "0"),
		sxEx("XREAD", "STREAMS", "s", "1"), sxEx("XREAD", "STREAMS", "s", "18446744073709551615-18446744073709551615"),
		sxV74(sxEx("XREAD", "STREAMS", "s", "+")), sxV74(sxEx("XREAD", "STREAMS", "missing", "+")),
		sxEx("xread", "count", "1", "streams", "s", "0"),
	},
	"pending": {
		sxEx("XPENDING", "s", "g"), sxEx("XGROUP", "CREATE", "s", "g", "0", "MKSTREAM"), sxEx("XPENDING", "s", "g"),
		sxEx("XPENDING", "s", "g", "-", "+", "10"),
		sxEx("XADD", "s", "1-0", "f", "a"), sxEx("XADD", "s", "2-0", "f", "b"), sxEx("XADD", "s", "3-0", "f", "c"),
		sxEx("XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "STREAMS", "s", ">"),
		sxEx("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"),
		sxEx("XPENDING", "s", "g"), sxShape("XPENDING", "s", "g", "-", "+", "10"), sxShape("XPENDING", "s", "g", "-", "+", "1"),
		sxShape("XPENDING", "s", "g", "(1-0", "+", "10", "alice"), sxEx("XPENDING", "s", "g", "-", "+", "10", "nobody"),
		sxEx("XPENDING", "s", "g", "-", "+", "0"), sxEx("XPENDING", "s", "g", "-", "+", "-1"),
		sxEx("XPENDING", "s", "g", "IDLE", "100000", "-", "+", "10"), sxShape("XPENDING", "s", "g", "IDLE", "0", "-", "+", "10"),
		sxEx("XPENDING", "s", "g", "IDLE", "x", "-", "+", "10"), sxEx("XPENDING", "s", "g", "IDLE", "10", "-", "+"),
		sxEx("XPENDING", "s", "g", "-", "+"), sxEx("XPENDING", "s", "g", "-"), sxEx("XPENDING", "s", "g", "-", "+", "x"),
		sxEx("XPENDING", "s", "g", "x", "+", "1"), sxEx("XPENDING", "s", "g", "(+", "+", "1"),
		sxEx("XPENDING", "s", "g", "-", "(0-0", "1"), sxEx("XPENDING", "s", "nog"), sxEx("XPENDING", "missing", "g"),
		sxEx("XPENDING", "s", "g", "-", "+", "10", "alice", "extra", "more", "x"),
		sxEx("XPENDING", "s", "nog", "x", "+", "1"),
	},
	"claim": {
		sxEx("XCLAIM", "s", "g", "c", "0", "1-0"), sxEx("XGROUP", "CREATE", "s", "g", "0", "MKSTREAM"),
		sxEx("XADD", "s", "1-0", "f", "a"), sxEx("XADD", "s", "2-0", "f", "b"), sxEx("XADD", "s", "3-0", "f", "c"),
		sxEx("XADD", "s", "4-0", "f", "d"),
		sxEx("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"),
		sxEx("XCLAIM", "s", "g", "bob", "0", "1-0"), sxEx("XCLAIM", "s", "g", "bob", "100000", "2-0"),
		sxEx("XCLAIM", "s", "g", "bob", "0", "2-0", "JUSTID"), sxEx("XCLAIM", "s", "g", "bob", "0", "3-0", "RETRYCOUNT", "9", "JUSTID"),
		sxShape("XPENDING", "s", "g", "-", "+", "10"),
		sxEx("XCLAIM", "s", "g", "bob", "0", "9-0"), sxEx("XCLAIM", "s", "g", "bob", "0", "1-0", "1-0"),
		sxEx("XACK", "s", "g", "4-0"), sxEx("XCLAIM", "s", "g", "carol", "0", "4-0"), sxEx("XCLAIM", "s", "g", "carol", "0", "4-0", "FORCE"),
		sxShape("XPENDING", "s", "g", "-", "+", "10"), sxEx("XDEL", "s", "2-0"), sxEx("XCLAIM", "s", "g", "carol", "0", "2-0"),
		sxEx("XPENDING", "s", "g"), sxEx("XCLAIM", "s", "g", "carol", "0", "1-0", "LASTID", "9-0", "JUSTID"),
		sxEx("XINFO", "GROUPS", "s"),
		sxEx("XCLAIM", "s", "g", "carol", "0", "1-0", "IDLE", "5000", "JUSTID"), sxShape("XPENDING", "s", "g", "IDLE", "4000", "-", "+", "10"),
		sxEx("XCLAIM", "s", "g", "carol", "0", "1-0", "TIME", "1", "JUSTID"), sxEx("XPENDING", "s", "g", "IDLE", "1000000", "-", "+", "10", "dave"),
		sxEx("XCLAIM", "s", "g", "c", "x", "1-0"), sxEx("XCLAIM", "s", "g", "c", "0", "1-0", "IDLE", "x"),
		sxEx("XCLAIM", "s", "g", "c", "0", "1-0", "TIME", "x"), sxEx("XCLAIM", "s", "g", "c", "0", "1-0", "RETRYCOUNT", "x"),
		sxEx("XCLAIM", "s", "g", "c", "0", "1-0", "LASTID", "x"), sxEx("XCLAIM", "s", "g", "c", "0", "1-0", "FOO"),
		sxEx("XCLAIM", "s", "g", "c", "0", "1-0", "IDLE"), sxEx("XCLAIM", "s", "nog", "c", "x", "1-0"),
		sxEx("XCLAIM", "missing", "g", "c", "0", "1-0"), sxEx("XCLAIM", "s", "g", "c", "0"),
		sxEx("XCLAIM", "s", "g", "c", "-5", "3-0", "JUSTID", "FORCE"),
	},
	"autoclaim": {
		sxEx("XAUTOCLAIM", "s", "g", "c", "0", "0"), sxEx("XGROUP", "CREATE", "s", "g", "0", "MKSTREAM"),
		sxEx("XAUTOCLAIM", "s", "g", "c", "0", "0"),
		sxEx("XADD", "s", "1-0", "f", "a"), sxEx("XADD", "s", "2-0", "f", "b"), sxEx("XADD", "s", "3-0", "f", "c"),
		sxEx("XADD", "s", "4-0", "f", "d"), sxEx("XADD", "s", "5-0", "f", "e"),
		sxEx("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"),
		sxEx("XAUTOCLAIM", "s", "g", "bob", "0", "0", "COUNT", "2"), sxEx("XAUTOCLAIM", "s", "g", "bob", "0", "(2-0", "COUNT", "1", "JUSTID"),
		sxEx("XDEL", "s", "4-0", "5-0"), sxEx("XAUTOCLAIM", "s", "g", "carol", "0", "3-0"),
		sxEx("XAUTOCLAIM", "s", "g", "carol", "100000", "0"), sxEx("XPENDING", "s", "g"),
		sxEx("XAUTOCLAIM", "s", "g", "c", "x", "0"), sxEx("XAUTOCLAIM", "s", "g", "c", "0", "x"),
		sxEx("XAUTOCLAIM", "s", "g", "c", "0", "(18446744073709551615-18446744073709551615"),
		sxEx("XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "0"), sxEx("XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "x"),
		sxEx("XAUTOCLAIM", "s", "g", "c", "0", "0", "FOO"), sxEx("XAUTOCLAIM", "s", "nog", "c", "0", "0"),
		sxEx("XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT"), sxEx("XAUTOCLAIM", "s", "g", "c", "0", "-", "JUSTID"),
	},
	"lag": {
		sxEx("XADD", "s", "1-0", "data", "a"), sxEx("XADD", "s", "2-0", "data", "b"), sxEx("XADD", "s", "3-0", "data", "c"),
		sxEx("XADD", "s", "4-0", "data", "d"), sxEx("XADD", "s", "5-0", "data", "e"), sxEx("XDEL", "s", "3-0"),
		sxEx("XGROUP", "CREATE", "s", "g1", "0"), sxEx("XGROUP", "CREATE", "s", "g2", "0"), sxEx("XINFO", "GROUPS", "s"),
		sxEx("XREADGROUP", "GROUP", "g1", "c11", "COUNT", "1", "STREAMS", "s", ">"), sxEx("XINFO", "GROUPS", "s"),
		sxEx("XREADGROUP", "GROUP", "g1", "c11", "COUNT", "1", "STREAMS", "s", ">"), sxEx("XINFO", "GROUPS", "s"),
		sxEx("XREADGROUP", "GROUP", "g1", "c11", "COUNT", "1", "STREAMS", "s", ">"), sxEx("XINFO", "GROUPS", "s"),
		sxEx("XREADGROUP", "GROUP", "g1", "c11", "COUNT", "1", "STREAMS", "s", ">"), sxEx("XINFO", "GROUPS", "s"),
		sxEx("XADD", "s", "6-0", "data", "f"), sxEx("XINFO", "GROUPS", "s"),
		sxEx("XTRIM", "s", "MINID", "=", "3-0"), sxEx("XINFO", "GROUPS", "s"),
		sxEx("XTRIM", "s", "MINID", "=", "5-0"), sxEx("XINFO", "GROUPS", "s"), sxEx("XINFO", "STREAM", "s"),
		sxEx("XGROUP", "SETID", "s", "g2", "9-0"), sxEx("XINFO", "GROUPS", "s"),
		sxEx("XREADGROUP", "GROUP", "g2", "c", "STREAMS", "s", ">"), sxEx("XADD", "s", "10-0", "data", "g"),
		sxEx("XREADGROUP", "GROUP", "g2", "c", "STREAMS", "s", ">"), sxEx("XINFO", "GROUPS", "s"),
		sxEx("XGROUP", "SETID", "s", "g2", "0", "ENTRIESREAD", "0"), sxEx("XINFO", "GROUPS", "s"),
		sxEx("XREADGROUP", "GROUP", "g2", "c", "COUNT", "1", "STREAMS", "s", ">"), sxEx("XINFO", "GROUPS", "s"),
		sxEx("XPENDING", "s", "g2"), sxEx("XDEL", "s", "6-0", "10-0"), sxEx("XINFO", "GROUPS", "s"),
		sxEx("XREADGROUP", "GROUP", "g2", "c", "STREAMS", "s", ">"), sxEx("XINFO", "GROUPS", "s"),
		sxEx("XSETID", "s", "10-0", "ENTRIESADDED", "100"), sxEx("XINFO", "GROUPS", "s"),
		sxEx("XTRIM", "s", "MAXLEN", "0"), sxEx("XINFO", "GROUPS", "s"), sxEx("XINFO", "STREAM", "s"),
		sxEx("XGROUP", "CREATE", "t", "g", "$", "MKSTREAM"), sxEx("XINFO", "GROUPS", "t"), sxEx("XINFO", "STREAM", "t"),
		sxEx("XADD", "t", "1-0", "a", "b"), sxEx("XINFO", "GROUPS", "t"),
		sxEx("XCLAIM", "t", "g", "c", "0", "1-0", "FORCE"), sxEx("XCLAIM", "t", "g", "c", "0", "2-0", "FORCE"),
		sxEx("XPENDING", "t", "g"), sxEx("XINFO", "GROUPS", "t"),
		sxEx("XADD", "u", "1-0", "f", "v", "f", "w", "", ""), sxEx("XRANGE", "u", "-", "+"),
		sxEx("XADD", "u", "2-0", "f"+"\x00"+"g", "v"), sxEx("XREAD", "STREAMS", "u", "1-0"),
		sxEx("XREADGROUP", "GROUP", "no\x00pe", "c", "STREAMS", "u", ">"),
	},
	"info": {
		sxEx("XINFO", "STREAM", "missing"), sxEx("XINFO", "HELP"), sxEx("xinfo", "help"), sxEx("XINFO", "FOO", "s"),
		sxEx("XGROUP", "CREATE", "s", "g", "0", "MKSTREAM"), sxEx("XINFO", "STREAM", "s"), sxEx("XINFO", "STREAM", "s", "FULL"),
		sxEx("XADD", "s", "1-0", "f", "a"), sxEx("XADD", "s", "2-0", "f", "b", "g", "h"), sxEx("XADD", "s", "3-0", "f", "c"),
		sxEx("XINFO", "STREAM", "s"), sxEx("XINFO", "GROUPS", "s"), sxEx("XINFO", "CONSUMERS", "s", "g"),
		sxEx("XINFO", "CONSUMERS", "s", "nog"), sxEx("XINFO", "CONSUMERS", "missing", "g"), sxEx("XINFO", "GROUPS", "missing"),
		sxEx("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">"),
		sxEx("XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "STREAMS", "s", ">"),
		sxV72(sxShape("XINFO", "CONSUMERS", "s", "g")), sxEx("XINFO", "GROUPS", "s"),
		sxV72(sxShape("XINFO", "STREAM", "s", "FULL")), sxV72(sxShape("XINFO", "STREAM", "s", "FULL", "COUNT", "1")),
		sxV72(sxShape("XINFO", "STREAM", "s", "FULL", "COUNT", "0")), sxV72(sxShape("XINFO", "STREAM", "s", "FULL", "COUNT", "-1")),
		sxEx("XINFO", "STREAM", "s", "FULL", "COUNT"), sxEx("XINFO", "STREAM", "s", "FOO"), sxEx("XINFO", "STREAM", "s", "FULL", "FOO", "1"),
		sxEx("XINFO", "STREAM", "s", "FULL", "COUNT", "x"), sxEx("XINFO", "STREAM"), sxEx("XINFO", "GROUPS", "s", "x"),
		sxEx("XGROUP", "CREATE", "s", "g0", "$"), sxEx("XGROUP", "CREATE", "s", "a", "1-0"), sxEx("XINFO", "GROUPS", "s"),
		sxEx("XDEL", "s", "2-0"), sxEx("XINFO", "GROUPS", "s"), sxEx("XADD", "s", "4-0", "f", "d"), sxEx("XINFO", "GROUPS", "s"),
		sxEx("XREADGROUP", "GROUP", "a", "x", "STREAMS", "s", ">"), sxEx("XINFO", "GROUPS", "s"),
	},
}

// sxFill adds entries n-0 for n in 1..count to key.
func sxFill(key string, count int) []sxStep {
	steps := make([]sxStep, count)
	for i := range steps {
		steps[i] = sxEx("XADD", key, sxItoa(i+1)+"-0", "f", "v")
	}
	return steps
}

func sxItoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

var (
	sxMaskInt = regexp.MustCompile(`(?m)^:-?\d+\r$`)
	sxMaskID  = regexp.MustCompile(`\$\d+\r\n\d+-\d+\r\n`)
)

// sxNormalize masks integers and IDs in sxShape mode.
func sxNormalize(raw []byte, mode sxMode) string {
	if mode == sxExact {
		return string(raw)
	}
	s := sxMaskID.ReplaceAllString(string(raw), "$$ID\r\n")
	return sxMaskInt.ReplaceAllString(s, ":N\r")
}

func TestStreamCompareWithRedis(t *testing.T) {
	addr := os.Getenv("JUNCTION_COMPARE_REDIS")
	if addr == "" {
		t.Skip("set JUNCTION_COMPARE_REDIS=host:port to compare with a real Redis")
	}
	b := brokertest.Memory(t).New(t, broker.Config{Fsync: broker.FsyncNever})
	e := startStreamServer(t, b, nil)
	version := sxRedisVersion(t, addr)
	for _, name := range sxSortedKeys(sxScripts) {
		for _, proto := range []int{2, 3} {
			t.Run(name+"/RESP"+sxItoa(proto), func(t *testing.T) {
				real, mine := sxDial(t, addr, proto), sxDial(t, e.addr, proto)
				prefix := "jcmp:" + name + ":" + sxItoa(proto) + ":"
				keys := func() []string {
					ks := []string{"DEL"}
					for _, k := range sxKeys {
						ks = append(ks, prefix+k)
					}
					return ks
				}
				real.Do(keys()...)
				mine.Do(keys()...)
				defer real.Do(keys()...)
				for _, st := range sxScripts[name] {
					if st.min != "" && version < st.min {
						continue
					}
					args := make([]string, len(st.args))
					for i, a := range st.args {
						args[i] = a
						for _, k := range sxKeys {
							if a == k {
								args[i] = prefix + a
							}
						}
					}
					r, m := real.Do(args...), mine.Do(args...)
					if sxNormalize(r.raw, st.mode) != sxNormalize(m.raw, st.mode) {
						t.Errorf("%q:\nredis    %s\njunction %s", st.args, r, m)
					}
				}
			})
		}
	}
}

// sxRedisVersion returns the server's redis_version, e.g. "7.0.15".
func sxRedisVersion(t *testing.T, addr string) string {
	c := sxDial(t, addr, 2)
	info := c.Do("INFO", "server").String()
	_, v, _ := strings.Cut(info, "redis_version:")
	v, _, _ = strings.Cut(v, "\r")
	return v
}

func sxSortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	for i := 1; i < len(ks); i++ {
		for j := i; j > 0 && ks[j] < ks[j-1]; j-- {
			ks[j], ks[j-1] = ks[j-1], ks[j]
		}
	}
	return ks
}

// TestStreamCompareBlockingWithRedis compares blocked XREAD/XREADGROUP
// replies: woken by XADD, FIFO between two group readers, and (Redis 7.2
// and later) NOGROUP after XGROUP DESTROY and DEL. Both servers are asked
// for INFO blocked_clients until the readers block.
func TestStreamCompareBlockingWithRedis(t *testing.T) {
	addr := os.Getenv("JUNCTION_COMPARE_REDIS")
	if addr == "" {
		t.Skip("set JUNCTION_COMPARE_REDIS=host:port to compare with a real Redis")
	}
	b := brokertest.Memory(t).New(t, broker.Config{Fsync: broker.FsyncNever})
	e := startStreamServer(t, b, nil)
	version := sxRedisVersion(t, addr)
	for _, proto := range []int{2, 3} {
		var runs [2][]string
		for i, server := range []string{addr, e.addr} {
			runs[i] = sxBlockingScript(t, server, proto, version >= "7.2")
		}
		t.Logf("RESP%d: %q", proto, runs[1])
		for j := range runs[0] {
			if runs[0][j] != runs[1][j] {
				t.Errorf("RESP%d step %d:\nredis    %s\njunction %s", proto, j, runs[0][j], runs[1][j])
			}
		}
	}
}

// sxBlockingScript runs the blocking scenarios on one server and returns
// the rendered replies.
func sxBlockingScript(t *testing.T, addr string, proto int, v72 bool) []string {
	ctl := sxDial(t, addr, 2)
	p := "jcmpblock:" + sxItoa(proto) + ":"
	s, k := p+"s", p+"k"
	ctl.Do("DEL", s, k)
	defer ctl.Do("DEL", s, k)
	waitBlocked := func(n int) {
		want := "blocked_clients:" + sxItoa(n) + "\r\n"
		for i := 0; ; i++ {
			if strings.Contains(ctl.Do("INFO", "clients").String(), want) {
				return
			}
			if i > 100000 {
				t.Fatalf("%s: never saw %q", addr, want)
			}
		}
	}
	var out []string
	a, c := sxDial(t, addr, proto), sxDial(t, addr, proto)
	ctl.Do("XADD", s, "1-0", "f", "a")
	a.send("XREAD", "BLOCK", "0", "STREAMS", s, k, "$", "$")
	waitBlocked(1)
	ctl.Do("XADD", s, "2-0", "f", "b")
	out = append(out, sxRender(a.reply()))
	ctl.Do("XGROUP", "CREATE", s, "g", "$")
	a.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", s, ">")
	waitBlocked(1)
	c.send("XREADGROUP", "GROUP", "g", "bob", "COUNT", "9", "BLOCK", "0", "STREAMS", s, ">")
	waitBlocked(2)
	ctl.Do("XADD", s, "3-0", "f", "c")
	out = append(out, sxRender(a.reply()))
	waitBlocked(1)
	ctl.Do("XADD", s, "4-0", "f", "d")
	out = append(out, sxRender(c.reply()), ctl.Do("XPENDING", s, "g").String())
	if v72 {
		a.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", s, ">")
		waitBlocked(1)
		ctl.Do("XGROUP", "DESTROY", s, "g")
		out = append(out, sxRender(a.reply()))
		ctl.Do("XGROUP", "CREATE", s, "g", "$")
		a.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", s, ">")
		waitBlocked(1)
		ctl.Do("DEL", s)
		out = append(out, sxRender(a.reply()))
	}
	return out
}
