// Package broker is Junction's protocol-neutral core: topics of append-only
// partitions addressed by offset and by stream ID (with waiting on append),
// committed offsets and Redis-style stream group state, queues
// (broker/queue) and pub/sub fan-out (broker/pubsub). It knows nothing about
// any wire protocol; frontends map their protocols onto it.
package broker

import (
	"errors"
	"log/slog"
	"sync"
	"time"

	"junction/broker/pubsub"
	"junction/storage"
)

// FsyncPolicy says when appended data is made durable.
type FsyncPolicy int

// Fsync policies.
const (
	// FsyncInterval syncs every FsyncInterval (like Redis's appendfsync everysec).
	FsyncInterval FsyncPolicy = iota
	// FsyncAlways acknowledges an append only after it is synced; concurrent
	// appends share one fsync.
	FsyncAlways
	// FsyncNever leaves syncing to the operating system (and Close).
	FsyncNever
)

// ParseFsyncPolicy parses "always", "interval" or "never".
func ParseFsyncPolicy(s string) (FsyncPolicy, error) {
	switch s {
	case "always":
		return FsyncAlways, nil
	case "interval", "":
		return FsyncInterval, nil
	case "never":
		return FsyncNever, nil
	}
	return 0, errors.New(`fsync policy must be "always", "interval" or "never"`)
}

// String returns the policy's flag value.
func (p FsyncPolicy) String() string {
	switch p {
	case FsyncAlways:
		return "always"
	case FsyncNever:
		return "never"
	}
	return "interval"
}

// Config configures a Broker. Zero values take the defaults noted.
type Config struct {
	// Logs stores partition and queue logs. Required.
	Logs storage.Backend
	// Meta stores definitions, offsets and group state. Required.
	Meta storage.MetaStore
	// Fsync is the durability policy for appends.
	Fsync FsyncPolicy
	// FsyncInterval is the period of FsyncInterval syncs (default 1s).
	FsyncInterval time.Duration
	// SegmentBytes is the default log segment size (default 64 MiB).
	SegmentBytes int64
	// Logger receives the core's logs (default slog.Default()).
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// RetentionInterval is how often topics' retention settings are applied
	// (default 30s).
	RetentionInterval time.Duration
}

// Broker owns every topic, queue, group and subscription of one server.
type Broker struct {
	cfg Config
	log *slog.Logger

	mu     sync.RWMutex // guards topics
	topics map[string]*Topic

	offsets offsetTable
	queues  queueTable
	hub     *pubsub.Hub

	closeOnce sync.Once
	done      chan struct{} // closed by Close: wakes every waiter
	bg        sync.WaitGroup
}

// New opens a broker on cfg's storage, recovering every topic and its state.
func New(cfg Config) (*Broker, error) {
	if cfg.Logs == nil || cfg.Meta == nil {
		return nil, errors.New("broker: Config.Logs and Config.Meta are required")
	}
	if cfg.FsyncInterval <= 0 {
		cfg.FsyncInterval = time.Second
	}
	if cfg.SegmentBytes <= 0 {
		cfg.SegmentBytes = 64 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RetentionInterval <= 0 {
		cfg.RetentionInterval = 30 * time.Second
	}
	b := &Broker{
		cfg:    cfg,
		log:    cfg.Logger,
		topics: make(map[string]*Topic),
		done:   make(chan struct{}),
		hub:    pubsub.NewHub(),
	}
	b.offsets.init(cfg.Meta)
	if err := b.loadTopics(); err != nil {
		b.closeLogs()
		return nil, err
	}
	if err := b.offsets.load(); err != nil {
		b.closeLogs()
		return nil, err
	}
	if err := b.loadQueues(); err != nil {
		b.closeLogs()
		b.closeQueues()
		return nil, err
	}
	if cfg.Fsync == FsyncInterval {
		b.bg.Add(1)
		go b.syncLoop()
	}
	b.bg.Add(1)
	go b.retentionLoop()
	return b, nil
}

// PubSub returns the server-wide pub/sub hub that every frontend shares.
func (b *Broker) PubSub() *pubsub.Hub { return b.hub }

// Now returns the broker's clock reading.
func (b *Broker) Now() time.Time { return b.cfg.Now() }

// Fsync returns the broker's durability policy.
func (b *Broker) Fsync() FsyncPolicy { return b.cfg.Fsync }

// Done is closed when the broker starts shutting down; waiters select on it.
func (b *Broker) Done() <-chan struct{} { return b.done }

// syncLoop makes appended data durable every FsyncInterval.
func (b *Broker) syncLoop() {
	defer b.bg.Done()
	t := time.NewTicker(b.cfg.FsyncInterval)
	defer t.Stop()
	for {
		select {
		case <-b.done:
			return
		case <-t.C:
			b.SyncAll()
		}
	}
}

// retentionLoop applies topics' retention every RetentionInterval.
func (b *Broker) retentionLoop() {
	defer b.bg.Done()
	t := time.NewTicker(b.cfg.RetentionInterval)
	defer t.Stop()
	for {
		select {
		case <-b.done:
			return
		case <-t.C:
			b.ApplyRetention()
		}
	}
}

// ApplyRetention drops whole old segments of every topic with retention set.
func (b *Broker) ApplyRetention() {
	for _, t := range b.Topics() {
		for _, p := range t.Partitions() {
			if err := p.ApplyRetention(); err != nil {
				b.log.Warn("retention", "topic", t.name, "partition", p.index, "err", err)
			}
		}
	}
}

// SyncAll syncs every dirty log and the metadata store.
func (b *Broker) SyncAll() error {
	var first error
	for _, t := range b.Topics() {
		for _, p := range t.Partitions() {
			if err := p.syncIfDirty(); err != nil && first == nil {
				first = err
			}
		}
	}
	if err := b.syncQueues(); err != nil && first == nil {
		first = err
	}
	if err := b.cfg.Meta.Sync(); err != nil && first == nil {
		first = err
	}
	if first != nil {
		b.log.Error("sync failed", "err", first)
	}
	return first
}

// Close wakes every waiter, syncs and closes every log. It does not close
// the storage backends, which the caller owns.
func (b *Broker) Close() error {
	var err error
	b.closeOnce.Do(func() {
		close(b.done)
		b.bg.Wait()
		err = b.SyncAll()
		b.closeQueues()
		b.closeLogs()
	})
	return err
}

func (b *Broker) closeLogs() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, t := range b.topics {
		t.closeLogs()
	}
}
