package broker

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"junction/storage"
)

// Bucket names in the MetaStore.
const (
	bucketTopics     = "topics"
	bucketStreamMeta = "streammeta"
	bucketDeleted    = "deleted"
	bucketOffsets    = "offsets"
	bucketGroups     = "streamgroups"
	bucketDefs       = "defs/"
)

// MaxNameLen bounds topic names (Kafka allows 249; Redis keys may be longer,
// but a log name must fit a path).
const MaxNameLen = 1024

// TopicConfig holds a topic's settings. Zero values mean "unset".
type TopicConfig struct {
	// Partitions is the partition count (at least 1).
	Partitions int `json:"partitions"`
	// RetentionMs drops whole segments older than this (<= 0: keep forever).
	RetentionMs int64 `json:"retention_ms,omitempty"`
	// RetentionBytes drops whole oldest segments beyond this size per partition (<= 0: unlimited).
	RetentionBytes int64 `json:"retention_bytes,omitempty"`
	// SegmentBytes is the segment size for new segments (0: the broker default).
	SegmentBytes int64 `json:"segment_bytes,omitempty"`
	// MaxMessageBytes bounds one record batch (0: unlimited).
	MaxMessageBytes int `json:"max_message_bytes,omitempty"`
	// ExpireAtMs deletes the topic at this Unix time in ms (0: never); Redis EXPIRE.
	ExpireAtMs int64 `json:"expire_at_ms,omitempty"`
	// Extra keeps other protocol-level settings verbatim (e.g. Kafka configs).
	Extra map[string]string `json:"extra,omitempty"`
}

// Topic is a named log of one or more partitions.
type Topic struct {
	b    *Broker
	name string

	mu     sync.RWMutex // guards cfg, parts, expire
	cfg    TopicConfig
	parts  []*Partition
	expire *time.Timer

	gone chan struct{} // closed when the topic is deleted
}

// Name returns the topic's name.
func (t *Topic) Name() string { return t.name }

// Config returns a copy of the topic's settings.
func (t *Topic) Config() TopicConfig {
	t.mu.RLock()
	defer t.mu.RUnlock()
	c := t.cfg
	c.Extra = cloneMap(c.Extra)
	return c
}

// ConfigView is Config without the copy of Extra, for hot paths: the
// returned Extra is shared and must not be modified (UpdateConfig replaces
// the map rather than changing it, so the view never changes under it).
func (t *Topic) ConfigView() TopicConfig {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.cfg
}

// Partitions returns the topic's partitions in index order.
func (t *Topic) Partitions() []*Partition {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.parts
}

// Partition returns partition i, or nil when out of range or t is nil (so
// b.Topic(name).Partition(i) looks up both at once).
func (t *Topic) Partition(i int) *Partition {
	if t == nil {
		return nil
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	if i < 0 || i >= len(t.parts) {
		return nil
	}
	return t.parts[i]
}

// Deleted is closed when the topic is deleted.
func (t *Topic) Deleted() <-chan struct{} { return t.gone }

// CreateTopic creates a topic with cfg.Partitions partitions (default 1).
func (b *Broker) CreateTopic(name string, cfg TopicConfig) (*Topic, error) {
	if name == "" || len(name) > MaxNameLen {
		return nil, ErrInvalidName
	}
	if cfg.Partitions == 0 {
		cfg.Partitions = 1
	}
	if cfg.Partitions < 0 || cfg.Partitions > 10000 {
		return nil, ErrInvalidPartitions
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-b.done:
		return nil, ErrClosed
	default:
	}
	if _, ok := b.topics[name]; ok {
		return nil, ErrTopicExists
	}
	t := &Topic{b: b, name: name, cfg: cfg, gone: make(chan struct{})}
	if err := t.openPartitions(0, cfg.Partitions); err != nil {
		t.closeLogs()
		return nil, err
	}
	if err := b.saveTopic(t); err != nil {
		t.closeLogs()
		return nil, err
	}
	b.topics[name] = t
	t.armExpiry()
	return t, nil
}

// Topic returns the named topic, or nil.
func (b *Broker) Topic(name string) *Topic {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.topics[name]
}

// Topics returns every topic, sorted by name.
func (b *Broker) Topics() []*Topic {
	b.mu.RLock()
	ts := make([]*Topic, 0, len(b.topics))
	for _, t := range b.topics {
		ts = append(ts, t)
	}
	b.mu.RUnlock()
	slices.SortFunc(ts, func(x, y *Topic) int {
		if x.name < y.name {
			return -1
		}
		if x.name > y.name {
			return 1
		}
		return 0
	})
	return ts
}

// DeleteTopic deletes a topic, its data and its stream groups, and wakes its waiters.
func (b *Broker) DeleteTopic(name string) error {
	b.mu.Lock()
	t, ok := b.topics[name]
	if ok {
		delete(b.topics, name)
	}
	b.mu.Unlock()
	if !ok {
		return ErrUnknownTopic
	}
	close(t.gone)
	t.mu.Lock()
	if t.expire != nil {
		t.expire.Stop()
	}
	parts := t.parts
	t.mu.Unlock()
	ops := []storage.Op{{Bucket: bucketTopics, Key: name}}
	var first error
	for _, p := range parts {
		p.groups.destroyAll()
		p.wakeAll()
		ops = append(ops, storage.Op{Bucket: bucketStreamMeta, Key: p.key})
		if err := p.log.Remove(); err != nil && first == nil {
			first = err
		}
		if err := b.cfg.Meta.DeleteBucket(bucketDeleted + "/" + p.key); err != nil && first == nil {
			first = err
		}
		if err := b.cfg.Meta.DeleteBucket(bucketGroups + "/" + p.key); err != nil && first == nil {
			first = err
		}
	}
	if err := b.cfg.Meta.Apply(ops...); err != nil && first == nil {
		first = err
	}
	if err := b.DeleteTopicOffsets(name); err != nil && first == nil {
		first = err
	}
	return first
}

// RenameTopic gives a topic a new name (Redis RENAME). Data is copied into
// new logs; waiters on the old name see ErrTopicDeleted.
func (b *Broker) RenameTopic(from, to string) error {
	if from == to {
		if b.Topic(from) == nil {
			return ErrUnknownTopic
		}
		return nil
	}
	src := b.Topic(from)
	if src == nil {
		return ErrUnknownTopic
	}
	if b.Topic(to) != nil {
		if err := b.DeleteTopic(to); err != nil {
			return err
		}
	}
	dst, err := b.CreateTopic(to, src.Config())
	if err != nil {
		return err
	}
	for i, sp := range src.Partitions() {
		if err := dst.parts[i].copyFrom(sp); err != nil {
			return err
		}
	}
	return b.DeleteTopic(from)
}

// AddPartitions grows a topic to total partitions.
func (t *Topic) AddPartitions(total int) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(t.parts)
	if total <= n || total > 10000 {
		return ErrInvalidPartitions
	}
	if err := t.openPartitions(n, total); err != nil {
		return err
	}
	t.cfg.Partitions = total
	return t.b.saveTopic(t)
}

// UpdateConfig applies fn to the topic's settings and stores them.
// Partitions cannot be changed this way.
func (t *Topic) UpdateConfig(fn func(*TopicConfig)) error {
	t.mu.Lock()
	c := t.cfg
	c.Extra = cloneMap(c.Extra)
	fn(&c)
	c.Partitions = t.cfg.Partitions
	t.cfg = c
	err := t.b.saveTopic(t)
	t.mu.Unlock()
	t.armExpiry()
	return err
}

// openPartitions opens logs [from, to) and appends them to t.parts.
// Called with t.mu held or before t is shared.
func (t *Topic) openPartitions(from, to int) error {
	for i := from; i < to; i++ {
		p, err := t.b.openPartition(t, i)
		if err != nil {
			return err
		}
		t.parts = append(t.parts, p)
	}
	return nil
}

func (t *Topic) closeLogs() {
	for _, p := range t.parts {
		if err := p.log.Close(); err != nil {
			t.b.log.Warn("closing log", "topic", t.name, "partition", p.index, "err", err)
		}
	}
}

// armExpiry (re)starts the timer that deletes the topic at ExpireAtMs.
func (t *Topic) armExpiry() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.expire != nil {
		t.expire.Stop()
		t.expire = nil
	}
	if t.cfg.ExpireAtMs <= 0 {
		return
	}
	d := time.Duration(t.cfg.ExpireAtMs-t.b.cfg.Now().UnixMilli()) * time.Millisecond
	at := t.cfg.ExpireAtMs
	t.expire = time.AfterFunc(max(d, 0), func() {
		// Delete only if the deadline is still the one we armed for.
		if cur := t.b.Topic(t.name); cur == t && t.Config().ExpireAtMs == at {
			_ = t.b.DeleteTopic(t.name)
		}
	})
}

// saveTopic stores t's definition. Called with t.mu or b.mu held.
func (b *Broker) saveTopic(t *Topic) error {
	v, err := json.Marshal(t.cfg)
	if err != nil {
		return err
	}
	return b.cfg.Meta.Apply(storage.Op{Bucket: bucketTopics, Key: t.name, Value: v})
}

// loadTopics recovers every topic from the MetaStore.
func (b *Broker) loadTopics() error {
	type def struct {
		name string
		cfg  TopicConfig
	}
	var defs []def
	err := b.cfg.Meta.ForEach(bucketTopics, "", func(k string, v []byte) error {
		var c TopicConfig
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("topic %q definition: %w", k, err)
		}
		defs = append(defs, def{k, c})
		return nil
	})
	if err != nil {
		return err
	}
	for _, d := range defs {
		t := &Topic{b: b, name: d.name, cfg: d.cfg, gone: make(chan struct{})}
		if err := t.openPartitions(0, d.cfg.Partitions); err != nil {
			t.closeLogs()
			return fmt.Errorf("topic %q: %w", d.name, err)
		}
		b.topics[d.name] = t
		t.armExpiry()
	}
	return nil
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
