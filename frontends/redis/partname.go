// Partition keys: partition i >= 1 of a topic t with several partitions
// (a Kafka topic) is the stream key t#<i>, partition 0 is t itself; a topic
// literally named t#<i> wins (interop.Resolve, docs/cross-protocol.md
// "Partitions"). Every stream command resolves its key here
// (streamPartition, createStream, blocked XREAD/XREADGROUP), and so do
// TYPE, EXISTS, TOUCH, TTL and WATCH. KEYS, SCAN, RANDOMKEY, DBSIZE and
// INFO keyspace list t#<i> as keys of their own, so they agree with TYPE
// and EXISTS.
//
// A partition cannot be deleted, renamed or given an expiry on its own, and
// doing it to the whole topic through one of its keys would remove keys
// the command did not name: DEL, UNLINK, RENAME, RENAMENX, EXPIRE,
// PEXPIRE, EXPIREAT, PEXPIREAT and PERSIST on any key of a topic with
// several partitions (t or t#<i>) fail with an error and change nothing.
// FLUSHDB and FLUSHALL still delete such topics; Kafka's DeleteTopics
// deletes one. Consumer groups are per partition: XGROUP CREATE/DESTROY on
// t#<i> create or destroy that partition's group only.
package redis

import (
	"fmt"
	"slices"
	"strings"

	"junction/broker"
	"junction/frontends/internal/interop"
)

// stream returns the topic and partition index behind a stream key in the
// selected database, or nil when the key does not exist.
func (c *Conn) stream(key []byte) (*broker.Topic, int) {
	return interop.Resolve(c.TopicName(key), c.srv.liveTopic)
}

// partitionKeyError returns the error reply for deleting, renaming or
// expiring key when key is one of the keys of a topic with several
// partitions; "" otherwise.
func (c *Conn) partitionKeyError(key []byte) string {
	t, i := c.stream(key)
	if t == nil {
		return ""
	}
	n := len(t.Partitions())
	if n < 2 {
		return ""
	}
	_, topic, _ := dbOf(t.Name())
	return fmt.Sprintf("ERR key '%s' is partition %d of the %d-partition topic '%s': a partition cannot be "+
		"deleted, renamed or expired on its own (delete the topic through Kafka)", cstr(key, 128), i, n, cstr([]byte(topic), 128))
}

// partitionKeysError is partitionKeyError for the first such key of keys.
func (c *Conn) partitionKeysError(keys [][]byte) string {
	for _, k := range keys {
		if msg := c.partitionKeyError(k); msg != "" {
			return msg
		}
	}
	return ""
}

// watchName returns the topic name WATCH records for key: the topic's
// when key names one of its partitions (a change to any partition of the
// topic then fails the transaction), otherwise the key's own topic name.
func (c *Conn) watchName(key []byte) string {
	if t, _ := c.stream(key); t != nil {
		return t.Name()
	}
	return c.TopicName(key)
}

// partitionKeyCount is the number of keys t has in its database: 1, plus
// t#<i> for each further partition whose name no live topic takes.
func (s *Server) partitionKeyCount(t *broker.Topic) int {
	n := 0
	interop.PartitionNames(t, "", s.nameTaken, func(string, int) { n++ })
	return n
}

// nameTaken reports whether a live topic has exactly this name.
func (s *Server) nameTaken(name string) bool {
	t := s.b.Topic(name)
	return t != nil && !s.expired(t)
}

// appendKeys appends t's keys to dst: key for partition 0, key#<i> for
// the others unless taken.
func (s *Server) appendKeys(dst []dbTopic, key string, t *broker.Topic) []dbTopic {
	prefix := t.Name()[:len(t.Name())-len(key)]
	interop.PartitionNames(t, prefix, s.nameTaken, func(name string, _ int) { dst = append(dst, dbTopic{name, t}) })
	return dst
}

// sortKeys sorts keys listed by appendKeys by key.
func sortKeys(ts []dbTopic) {
	slices.SortFunc(ts, func(a, b dbTopic) int { return strings.Compare(a.key, b.key) })
}
