package interop

import (
	"strconv"
	"strings"

	"junction/broker"
)

// Partition names (docs/cross-protocol.md, "Partitions"): a Redis stream key
// or an AMQP stream queue is one partition. Partition 0 of topic t is named
// t; partition i >= 1 is named t#<i> ("orders#3"). '#' cannot occur in a
// Kafka topic name, but Redis keys and AMQP queue names may hold it, so a
// topic literally named t#<i> always wins: the name means partition i of t
// only when no such topic exists and t has more than i partitions.

// PartitionSep separates a topic name from the partition number in the
// name of partition i >= 1.
const PartitionSep = '#'

// maxPartitionDigits bounds the number in t#<i> (the broker allows at most
// 10000 partitions); longer numbers are never partition names.
const maxPartitionDigits = 9

// PartitionName returns the Redis key / AMQP stream queue name of partition
// i of topic: topic itself for partition 0, topic#<i> otherwise.
func PartitionName(topic string, i int) string {
	if i == 0 {
		return topic
	}
	return topic + string(PartitionSep) + strconv.Itoa(i)
}

// SplitPartitionName splits name into topic and partition number when it
// has the form t#<i>: t non-empty, i >= 1 written in decimal without sign or
// leading zeros. "a#1#2" splits into "a#1" and 2; "t#0", "t#01" and "t#"
// are not partition names.
func SplitPartitionName(name string) (topic string, i int, ok bool) {
	j := strings.LastIndexByte(name, PartitionSep)
	if j <= 0 {
		return "", 0, false
	}
	d := name[j+1:]
	if len(d) == 0 || len(d) > maxPartitionDigits || d[0] == '0' {
		return "", 0, false
	}
	for k := 0; k < len(d); k++ {
		c := d[k]
		if c < '0' || c > '9' {
			return "", 0, false
		}
		i = i*10 + int(c-'0')
	}
	return name[:j], i, true
}

// Resolve returns the topic and partition that the Redis stream key or AMQP
// stream queue name stands for: the topic of that very name (partition 0);
// otherwise, for a name t#<i>, partition i of topic t when t has more than i
// partitions; otherwise nil. lookup returns the live topic of a name, or
// nil. A name that resolves to nothing names a new single-partition topic
// when a protocol creates it.
func Resolve(name string, lookup func(string) *broker.Topic) (*broker.Topic, int) {
	if t := lookup(name); t != nil {
		return t, 0
	}
	topic, i, ok := SplitPartitionName(name)
	if !ok {
		return nil, 0
	}
	t := lookup(topic)
	if t.Partition(i) == nil { // also nil when t is nil
		return nil, 0
	}
	return t, i
}

// PartitionNames calls fn with the name and index of each partition of t
// that has a name of its own in Redis and AMQP: t's name for partition 0,
// then t#<i> for each further partition whose name is not taken by a topic
// of that very name (taken reports whether it is; such a topic is listed
// under its own name). prefix is stripped from the front of t's name (a
// Redis database prefix); fn receives names without it.
func PartitionNames(t *broker.Topic, prefix string, taken func(fullName string) bool, fn func(name string, i int)) {
	full := t.Name()
	base, _ := strings.CutPrefix(full, prefix)
	fn(base, 0)
	n := len(t.Partitions())
	for i := 1; i < n; i++ {
		if !taken(PartitionName(full, i)) {
			fn(PartitionName(base, i), i)
		}
	}
}
