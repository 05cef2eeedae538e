package broker

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"junction/storage"
)

// CommittedOffset is a consumer group's committed position in one partition
// (Kafka OffsetCommit; also AMQP stream consumers' stored offsets).
type CommittedOffset struct {
	Group       string `json:"-"`
	Topic       string `json:"-"`
	Partition   int    `json:"-"`
	Offset      int64  `json:"o"`
	LeaderEpoch int32  `json:"e"`
	Metadata    string `json:"m,omitempty"`
	CommitMs    int64  `json:"t"`
}

type offsetKey struct {
	group, topic string
	partition    int
}

// offsetTable caches committed offsets in memory; every commit is written
// through to the MetaStore before it is acknowledged.
type offsetTable struct {
	meta storage.MetaStore
	mu   sync.RWMutex // guards m
	m    map[offsetKey]CommittedOffset
}

func (t *offsetTable) init(meta storage.MetaStore) {
	t.meta = meta
	t.m = make(map[offsetKey]CommittedOffset)
}

func (k offsetKey) String() string {
	return k.group + "\x00" + k.topic + "\x00" + strconv.Itoa(k.partition)
}

func (t *offsetTable) load() error {
	return t.meta.ForEach(bucketOffsets, "", func(k string, v []byte) error {
		parts := strings.Split(k, "\x00")
		if len(parts) != 3 {
			return fmt.Errorf("offsets: bad key %q", k)
		}
		p, err := strconv.Atoi(parts[2])
		if err != nil {
			return fmt.Errorf("offsets: bad key %q", k)
		}
		var c CommittedOffset
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("offsets %q: %w", k, err)
		}
		c.Group, c.Topic, c.Partition = parts[0], parts[1], p
		t.m[offsetKey{parts[0], parts[1], p}] = c
		return nil
	})
}

// CommitOffsets stores committed offsets atomically.
func (b *Broker) CommitOffsets(offs ...CommittedOffset) error {
	t := &b.offsets
	ops := make([]storage.Op, 0, len(offs))
	now := b.cfg.Now().UnixMilli()
	for i := range offs {
		if offs[i].CommitMs == 0 {
			offs[i].CommitMs = now
		}
		v, err := json.Marshal(offs[i])
		if err != nil {
			return err
		}
		k := offsetKey{offs[i].Group, offs[i].Topic, offs[i].Partition}
		ops = append(ops, storage.Op{Bucket: bucketOffsets, Key: k.String(), Value: v})
	}
	if err := t.meta.Apply(ops...); err != nil {
		return err
	}
	t.mu.Lock()
	for _, o := range offs {
		t.m[offsetKey{o.Group, o.Topic, o.Partition}] = o
	}
	t.mu.Unlock()
	return nil
}

// CommittedOffset returns a group's committed offset for a partition.
func (b *Broker) CommittedOffset(group, topic string, partition int) (CommittedOffset, bool) {
	t := &b.offsets
	t.mu.RLock()
	defer t.mu.RUnlock()
	c, ok := t.m[offsetKey{group, topic, partition}]
	return c, ok
}

// GroupOffsets returns every committed offset of a group, sorted by topic
// and partition.
func (b *Broker) GroupOffsets(group string) []CommittedOffset {
	t := &b.offsets
	t.mu.RLock()
	var out []CommittedOffset
	for k, c := range t.m {
		if k.group == group {
			out = append(out, c)
		}
	}
	t.mu.RUnlock()
	slices.SortFunc(out, func(a, b CommittedOffset) int {
		if a.Topic != b.Topic {
			return strings.Compare(a.Topic, b.Topic)
		}
		return a.Partition - b.Partition
	})
	return out
}

// OffsetGroups returns the names of every group with committed offsets.
func (b *Broker) OffsetGroups() []string {
	t := &b.offsets
	t.mu.RLock()
	seen := make(map[string]bool)
	for k := range t.m {
		seen[k.group] = true
	}
	t.mu.RUnlock()
	out := make([]string, 0, len(seen))
	for g := range seen {
		out = append(out, g)
	}
	slices.Sort(out)
	return out
}

// DeleteGroupOffsets removes every committed offset of a group.
func (b *Broker) DeleteGroupOffsets(group string) error {
	return b.offsets.deleteWhere(func(k offsetKey) bool { return k.group == group })
}

// DeleteTopicOffsets removes every group's committed offsets for a topic
// (done by DeleteTopic, as Kafka does).
func (b *Broker) DeleteTopicOffsets(topic string) error {
	return b.offsets.deleteWhere(func(k offsetKey) bool { return k.topic == topic })
}

func (t *offsetTable) deleteWhere(match func(offsetKey) bool) error {
	t.mu.Lock()
	var ops []storage.Op
	for k := range t.m {
		if match(k) {
			ops = append(ops, storage.Op{Bucket: bucketOffsets, Key: k.String()})
			delete(t.m, k)
		}
	}
	t.mu.Unlock()
	if len(ops) == 0 {
		return nil
	}
	return t.meta.Apply(ops...)
}
