// Keyspace commands over core topics (every key is a stream): DEL, UNLINK,
// EXISTS, TOUCH, TYPE, KEYS, SCAN, RANDOMKEY, RENAME, RENAMENX, DBSIZE,
// FLUSHDB, FLUSHALL. Expiry commands are in expire.go.
//
// Each of the 16 databases is a keyspace of its own (Conn.TopicName):
// database 0 holds the topics whose names do not start with "\x00", so
// Kafka topics and AMQP streams appear there too.
//
// Differences from Redis: SCAN's cursor is a 63-bit hash of the next key in
// hash order (keys present for the whole iteration are returned once, as
// Redis guarantees); a key whose EXPIRE deadline passed is deleted lazily on
// access, like Redis, and by the broker's timer rather than by a sampling
// cycle. FLUSHDB/FLUSHALL ASYNC run synchronously.
package redis

import (
	"bytes"
	"cmp"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"junction/broker"
	"junction/broker/pubsub"
)

func init() {
	register(
		&Command{Name: "del", Arity: -2, Flags: []string{"write"}, FirstKey: 1, LastKey: -1, Step: 1,
			ACL: []string{"keyspace", "write", "slow"}, Group: "generic", Since: "1.0.0",
			Summary: "Deletes one or more keys.", Handler: delCmd},
		&Command{Name: "unlink", Arity: -2, Flags: []string{"write", "fast"}, FirstKey: 1, LastKey: -1, Step: 1,
			ACL: []string{"keyspace", "write", "fast"}, Group: "generic", Since: "4.0.0",
			Summary: "Asynchronously deletes one or more keys.", Handler: delCmd},
		&Command{Name: "exists", Arity: -2, Flags: []string{"readonly", "fast"}, FirstKey: 1, LastKey: -1, Step: 1,
			ACL: []string{"keyspace", "read", "fast"}, Group: "generic", Since: "1.0.0",
			Summary: "Determines whether one or more keys exist.", Handler: existsCmd},
		&Command{Name: "touch", Arity: -2, Flags: []string{"readonly", "fast"}, FirstKey: 1, LastKey: -1, Step: 1,
			ACL: []string{"keyspace", "read", "fast"}, Group: "generic", Since: "3.2.1",
			Summary: "Returns the number of existing keys out of those specified after updating the time they were last accessed.",
			Handler: existsCmd},
		&Command{Name: "type", Arity: 2, Flags: []string{"readonly", "fast"}, FirstKey: 1, LastKey: 1, Step: 1,
			ACL: []string{"keyspace", "read", "fast"}, Group: "generic", Since: "1.0.0",
			Summary: "Determines the type of value stored at a key.", Handler: typeCmd},
		&Command{Name: "keys", Arity: 2, Flags: []string{"readonly"},
			ACL: []string{"keyspace", "read", "slow", "dangerous"}, Group: "generic", Since: "1.0.0",
			Summary: "Returns all key names that match a pattern.", Handler: keysCmd},
		&Command{Name: "scan", Arity: -2, Flags: []string{"readonly"},
			ACL: []string{"keyspace", "read", "slow"}, Group: "generic", Since: "2.8.0",
			Summary: "Iterates over the key names in the database.", Handler: scanCmd},
		&Command{Name: "randomkey", Arity: 1, Flags: []string{"readonly"},
			ACL: []string{"keyspace", "read", "slow"}, Group: "generic", Since: "1.0.0",
			Summary: "Returns a random key name from the database.", Handler: randomKeyCmd},
		&Command{Name: "rename", Arity: 3, Flags: []string{"write"}, FirstKey: 1, LastKey: 2, Step: 1,
			ACL: []string{"keyspace", "write", "slow"}, Group: "generic", Since: "1.0.0",
			Summary: "Renames a key and overwrites the destination.",
			Handler: func(c *Conn, args [][]byte) { renameKey(c, args, false) }},
		&Command{Name: "renamenx", Arity: 3, Flags: []string{"write", "fast"}, FirstKey: 1, LastKey: 2, Step: 1,
			ACL: []string{"keyspace", "write", "fast"}, Group: "generic", Since: "1.0.0",
			Summary: "Renames a key only when the target key name doesn't exist.",
			Handler: func(c *Conn, args [][]byte) { renameKey(c, args, true) }},
		&Command{Name: "dbsize", Arity: 1, Flags: []string{"readonly", "fast"},
			ACL: []string{"keyspace", "read", "fast"}, Group: "server", Since: "1.0.0",
			Summary: "Returns the number of keys in the database.", Handler: dbsizeCmd},
		&Command{Name: "flushdb", Arity: -1, Flags: []string{"write"},
			ACL: []string{"keyspace", "write", "slow", "dangerous"}, Group: "server", Since: "1.0.0",
			Summary: "Removes all keys from the current database.",
			Handler: func(c *Conn, args [][]byte) { flushKeys(c, args, false) }},
		&Command{Name: "flushall", Arity: -1, Flags: []string{"write"},
			ACL: []string{"keyspace", "write", "slow", "dangerous"}, Group: "server", Since: "1.0.0",
			Summary: "Removes all keys from all databases.",
			Handler: func(c *Conn, args [][]byte) { flushKeys(c, args, true) }},
	)
}

// numDBs is the number of databases (SELECT 0 … 15).
const numDBs = 16

// liveTopic returns the named topic unless it is absent or expired; an
// expired one is deleted now.
func (s *Server) liveTopic(name string) *broker.Topic {
	t := s.b.Topic(name)
	if t == nil || !s.expired(t) {
		return t
	}
	if s.b.DeleteTopic(name) == nil {
		s.stats.expired.Add(1)
	}
	return nil
}

// expired reports whether t's EXPIRE deadline has passed.
func (s *Server) expired(t *broker.Topic) bool {
	at := t.Config().ExpireAtMs
	return at > 0 && at <= s.b.Now().UnixMilli()
}

// dbOf splits a topic name into its database and key; ok is false for a
// name in no database (a malformed "\x00" prefix).
func dbOf(name string) (db int, key string, ok bool) {
	if !strings.HasPrefix(name, "\x00") {
		return 0, name, true
	}
	num, key, found := strings.Cut(name[1:], "\x00")
	n, err := strconv.Atoi(num)
	if !found || err != nil || n <= 0 || n >= numDBs || strconv.Itoa(n) != num {
		return 0, "", false
	}
	return n, key, true
}

// dbTopic is a live topic of one database.
type dbTopic struct {
	key string
	t   *broker.Topic
}

// dbTopics returns the keys of the live (unexpired) topics of database db,
// sorted by key: a topic's name, and t#<i> for each further partition
// (partname.go).
func (s *Server) dbTopics(db int) []dbTopic {
	var out []dbTopic
	for _, t := range s.b.Topics() {
		n, key, ok := dbOf(t.Name())
		if !ok || n != db || s.expired(t) {
			continue
		}
		out = s.appendKeys(out, key, t)
	}
	sortKeys(out)
	return out
}

func delCmd(c *Conn, args [][]byte) {
	if msg := c.partitionKeysError(args[1:]); msg != "" {
		c.W.Error(msg)
		return
	}
	n := int64(0)
	for _, k := range args[1:] {
		if c.Topic(k) == nil {
			continue
		}
		if c.Broker().DeleteTopic(c.TopicName(k)) == nil {
			n++
		}
	}
	c.W.Int(n)
}

func existsCmd(c *Conn, args [][]byte) {
	n := int64(0)
	for _, k := range args[1:] {
		if t, _ := c.stream(k); t != nil {
			n++
		}
	}
	c.W.Int(n)
}

func typeCmd(c *Conn, args [][]byte) {
	if t, _ := c.stream(args[1]); t == nil {
		c.W.Simple("none")
		return
	}
	c.W.Simple("stream")
}

func keysCmd(c *Conn, args [][]byte) {
	pat := string(args[1])
	var keys []string
	for _, dt := range c.srv.dbTopics(c.db) {
		if pat == "*" || pubsub.Match(pat, dt.key) {
			keys = append(keys, dt.key)
		}
	}
	c.W.Array(len(keys))
	for _, k := range keys {
		c.W.BulkString(k)
	}
}

// scanHash orders keys for SCAN: 63 bits of FNV-1a, never 0 (cursor 0
// starts and ends an iteration).
func scanHash(key string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return max(h.Sum64()>>1, 1)
}

func scanCmd(c *Conn, args [][]byte) {
	cursor, err := strconv.ParseUint(string(args[1]), 10, 64)
	if err != nil {
		c.W.Error("ERR invalid cursor")
		return
	}
	count, pattern, typ := int64(10), "", ""
	for i := 2; i < len(args); i += 2 {
		if i+1 >= len(args) {
			c.W.Error(replySyntax)
			return
		}
		switch strings.ToLower(string(args[i])) {
		case "count":
			n, ok := string2ll(args[i+1])
			if !ok {
				c.W.Error(replyNotInt)
				return
			}
			if n < 1 {
				c.W.Error(replySyntax)
				return
			}
			count = n
		case "match":
			pattern = string(args[i+1])
		case "type":
			typ = strings.ToLower(string(args[i+1]))
		default:
			c.W.Error(replySyntax)
			return
		}
	}
	type hk struct {
		h   uint64
		key string
	}
	var all []hk
	for _, dt := range c.srv.dbTopics(c.db) {
		if h := scanHash(dt.key); h >= cursor {
			all = append(all, hk{h, dt.key})
		}
	}
	slices.SortFunc(all, func(a, b hk) int {
		return cmp.Or(cmp.Compare(a.h, b.h), strings.Compare(a.key, b.key))
	})
	next := uint64(0)
	var keys []string
	for i, e := range all {
		// Stop after count keys, but never between keys of one hash.
		if int64(i) >= count && e.h != all[i-1].h {
			next = e.h
			break
		}
		if pattern != "" && pattern != "*" && !pubsub.Match(pattern, e.key) {
			continue
		}
		if typ != "" && typ != "stream" {
			continue
		}
		keys = append(keys, e.key)
	}
	c.W.Array(2)
	c.W.BulkString(strconv.FormatUint(next, 10))
	c.W.Array(len(keys))
	for _, k := range keys {
		c.W.BulkString(k)
	}
}

func randomKeyCmd(c *Conn, args [][]byte) {
	ts := c.srv.dbTopics(c.db)
	if len(ts) == 0 {
		c.W.Null()
		return
	}
	c.W.BulkString(ts[rand.IntN(len(ts))].key)
}

func renameKey(c *Conn, args [][]byte, nx bool) {
	src, dst := c.TopicName(args[1]), c.TopicName(args[2])
	if msg := c.partitionKeysError(args[1:3]); msg != "" {
		c.W.Error(msg)
		return
	}
	if c.Topic(args[1]) == nil {
		c.W.Error("ERR no such key")
		return
	}
	if bytes.Equal(args[1], args[2]) {
		if nx {
			c.W.Int(0)
		} else {
			c.W.OK()
		}
		return
	}
	if nx && c.Topic(args[2]) != nil {
		c.W.Int(0)
		return
	}
	if err := c.Broker().RenameTopic(src, dst); err != nil {
		c.W.Error(brokerError(err))
		return
	}
	if nx {
		c.W.Int(1)
	} else {
		c.W.OK()
	}
}

func dbsizeCmd(c *Conn, args [][]byte) {
	c.W.Int(int64(len(c.srv.dbTopics(c.db))))
}

func flushKeys(c *Conn, args [][]byte, all bool) {
	if len(args) > 2 {
		c.W.Error(replySyntax)
		return
	}
	if len(args) == 2 {
		if m := strings.ToLower(string(args[1])); m != "sync" && m != "async" {
			c.W.Error(replySyntax)
			return
		}
	}
	for _, t := range c.Broker().Topics() {
		n, _, ok := dbOf(t.Name())
		if all && ok || !all && ok && n == c.db {
			_ = c.Broker().DeleteTopic(t.Name())
		}
	}
	c.W.OK()
}
