// Key expiry: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX, XX, GT, LT),
// TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST — on TopicConfig.ExpireAtMs.
// The broker deletes the topic when the deadline fires; until then a key
// past its deadline already counts as gone (Server.liveTopic). Semantics
// and error texts follow Redis 7's expireGenericCommand: a deadline in the
// past deletes the key at once, GT treats "no expiry" as infinite.
package redis

import (
	"math"
	"strings"

	"junction/broker"
)

func init() {
	for _, e := range []struct {
		name    string
		ms, abs bool
		since   string
		summary string
	}{
		{"expire", false, false, "1.0.0", "Sets the expiration time of a key in seconds."},
		{"pexpire", true, false, "2.6.0", "Sets the expiration time of a key in milliseconds."},
		{"expireat", false, true, "1.2.0", "Sets the expiration time of a key to a Unix timestamp."},
		{"pexpireat", true, true, "2.6.0", "Sets the expiration time of a key to a Unix milliseconds timestamp."},
	} {
		ms, abs := e.ms, e.abs
		register(&Command{Name: e.name, Arity: -3, Flags: []string{"write", "fast"}, FirstKey: 1, LastKey: 1, Step: 1,
			ACL: []string{"keyspace", "write", "fast"}, Group: "generic", Since: e.since, Summary: e.summary,
			Handler: func(c *Conn, args [][]byte) { expireCmd(c, args, ms, abs) }})
	}
	for _, e := range []struct {
		name    string
		ms, abs bool
		since   string
		summary string
	}{
		{"ttl", false, false, "1.0.0", "Returns the expiration time in seconds of a key."},
		{"pttl", true, false, "2.6.0", "Returns the expiration time in milliseconds of a key."},
		{"expiretime", false, true, "7.0.0", "Returns the expiration time of a key as a Unix timestamp."},
		{"pexpiretime", true, true, "7.0.0", "Returns the expiration time of a key as a Unix milliseconds timestamp."},
	} {
		ms, abs := e.ms, e.abs
		register(&Command{Name: e.name, Arity: 2, Flags: []string{"readonly", "fast"}, FirstKey: 1, LastKey: 1, Step: 1,
			ACL: []string{"keyspace", "read", "fast"}, Group: "generic", Since: e.since, Summary: e.summary,
			Handler: func(c *Conn, args [][]byte) { ttlCmd(c, args, ms, abs) }})
	}
	register(&Command{Name: "persist", Arity: 2, Flags: []string{"write", "fast"}, FirstKey: 1, LastKey: 1, Step: 1,
		ACL: []string{"keyspace", "write", "fast"}, Group: "generic", Since: "2.2.0",
		Summary: "Removes the expiration time of a key.", Handler: persistCmd})
}

func expireCmd(c *Conn, args [][]byte, ms, abs bool) {
	var nx, xx, gt, lt bool
	for _, a := range args[3:] {
		switch strings.ToLower(string(a)) {
		case "nx":
			nx = true
		case "xx":
			xx = true
		case "gt":
			gt = true
		case "lt":
			lt = true
		default:
			c.W.Error("ERR Unsupported option " + cstr(a, -1))
			return
		}
	}
	if nx && (xx || gt || lt) {
		c.W.Error("ERR NX and XX, GT or LT options at the same time are not compatible")
		return
	}
	if gt && lt {
		c.W.Error("ERR GT and LT options at the same time are not compatible")
		return
	}
	when, ok := string2ll(args[2])
	if !ok {
		c.W.Error(replyNotInt)
		return
	}
	badTime := "ERR invalid expire time in '" + lookup(args[0]).full + "' command"
	if !ms {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			c.W.Error(badTime)
			return
		}
		when *= 1000
	}
	if !abs {
		base := c.Now().UnixMilli()
		if when > math.MaxInt64-base {
			c.W.Error(badTime)
			return
		}
		when += base
	}
	if msg := c.partitionKeyError(args[1]); msg != "" {
		c.W.Error(msg)
		return
	}
	t := c.Topic(args[1])
	if t == nil {
		c.W.Int(0)
		return
	}
	cur := t.Config().ExpireAtMs // 0: no expiry
	switch {
	case nx && cur != 0, xx && cur == 0, gt && (cur == 0 || when <= cur), lt && cur != 0 && when >= cur:
		c.W.Int(0)
		return
	}
	if when <= c.Now().UnixMilli() {
		if c.Broker().DeleteTopic(t.Name()) == nil {
			c.srv.stats.expired.Add(1)
		}
		c.W.Int(1)
		return
	}
	if err := t.UpdateConfig(func(tc *broker.TopicConfig) { tc.ExpireAtMs = when }); err != nil {
		c.W.Error(brokerError(err))
		return
	}
	c.W.Int(1)
}

func ttlCmd(c *Conn, args [][]byte, ms, abs bool) {
	t, _ := c.stream(args[1])
	if t == nil {
		c.W.Int(-2)
		return
	}
	at := t.Config().ExpireAtMs
	if at == 0 {
		c.W.Int(-1)
		return
	}
	switch {
	case abs && ms:
		c.W.Int(at)
	case abs:
		c.W.Int(at / 1000)
	default:
		ttl := max(at-c.Now().UnixMilli(), 0)
		if ms {
			c.W.Int(ttl)
		} else {
			c.W.Int((ttl + 500) / 1000)
		}
	}
}

func persistCmd(c *Conn, args [][]byte) {
	if msg := c.partitionKeyError(args[1]); msg != "" {
		c.W.Error(msg)
		return
	}
	t := c.Topic(args[1])
	if t == nil || t.Config().ExpireAtMs == 0 {
		c.W.Int(0)
		return
	}
	if err := t.UpdateConfig(func(tc *broker.TopicConfig) { tc.ExpireAtMs = 0 }); err != nil {
		c.W.Error(brokerError(err))
		return
	}
	c.W.Int(1)
}
