// Package kafka serves the Kafka wire protocol on the broker core, so real
// Kafka clients (franz-go, librdkafka/kcat, kafkajs, the Java client) see a
// single-node Kafka cluster.
//
// Layout: server.go (lifecycle, maintenance), conn.go (one connection: a
// reader that decodes and dispatches requests and a writer that sends the
// responses in request order), registry.go (the API table; ApiVersions is
// derived from it), records.go and compress.go (record batches and message
// sets), producers.go (idempotent producer state), groups.go (the classic
// group coordinator), configs.go (topic and broker configs), topics.go
// (names, creation, topic ids), pool.go (buffer reuse) and one file per API
// key, NN_name.go, opened by a comment stating its versions and where it
// differs from Apache Kafka.
//
// Deliberate simplifications: one node that leads every partition with leader
// epoch 0; no transactions (InitProducerId with a transactional id fails);
// no fetch sessions (SessionID 0); Fetch returns uncompressed v2 batches; no
// log compaction (cleanup.policy=compact is stored but not enforced).
package kafka

import (
	"context"
	"junction/frontends/internal/netserve"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"junction/broker"
)

// Config configures a Server. Zero values take the defaults noted.
type Config struct {
	// Broker is the core the server serves. Required.
	Broker *broker.Broker
	// Logger receives the frontend's logs (default slog.Default()).
	Logger *slog.Logger
	// AutoCreate creates unknown topics on Produce, and on Metadata when the
	// client allows it (Kafka's auto.create.topics.enable).
	AutoCreate bool
	// DefaultPartitions is the partition count of auto-created topics and of
	// CreateTopics with NumPartitions -1 (default 1).
	DefaultPartitions int
	// AdvertisedAddr is the host:port returned in Metadata, FindCoordinator
	// and DescribeCluster. Empty: the address the client dialled (the
	// connection's local address).
	AdvertisedAddr string
	// Users enables SASL/PLAIN when non-empty: user name → password. Every
	// request but ApiVersions and the SASL exchange is refused before
	// authentication.
	Users map[string]string
	// NodeID is this node's broker id (default 0).
	NodeID int32

	// ClusterID is returned by Metadata and DescribeCluster (default "junction").
	ClusterID string
	// MaxFrameBytes bounds one request frame (default 100 MiB). A larger or
	// negative size closes the connection.
	MaxFrameBytes int
	// MaxMessageBytes is the broker's message.max.bytes: the largest record
	// batch a topic without max.message.bytes accepts (default 1048588).
	MaxMessageBytes int
	// MaxInflight bounds the requests a connection may have in flight; the
	// reader stops reading while that many are pending (default 128).
	MaxInflight int
	// GroupInitialRebalanceDelay is group.initial.rebalance.delay.ms: how
	// long the first rebalance of an empty group waits for more members
	// (default 3s as in Kafka; negative: no delay).
	GroupInitialRebalanceDelay time.Duration
	// GroupMinSessionTimeout and GroupMaxSessionTimeout bound the session
	// timeouts JoinGroup accepts (defaults 6s and 30m as in Kafka).
	GroupMinSessionTimeout time.Duration
	GroupMaxSessionTimeout time.Duration
	// MaintenanceInterval is how often retention is applied to topics with
	// retention.ms or retention.bytes and idle producer state is dropped
	// (default 30s).
	MaintenanceInterval time.Duration
}

// Server serves Kafka clients. Create it with New, run it with Serve and stop
// it with Shutdown.
type Server struct {
	cfg Config
	b   *broker.Broker
	log *slog.Logger

	ctx    context.Context // canceled by Shutdown: wakes every long poll
	cancel context.CancelFunc

	conns netserve.Tracker[*conn]
	bgWG  sync.WaitGroup // the maintenance loop

	panics    atomic.Int64 // handler panics recovered (tests assert none)
	aheadUsed atomic.Int64 // record sets a fetch took from read-ahead (tests)

	// fetchWaitHook, when set (tests, before Serve), is called each time a
	// Fetch starts waiting for data.
	fetchWaitHook func()
	// rebalanceHook, when set (tests, before Serve), is called with the
	// group name whenever a group starts a rebalance; it must not block.
	rebalanceHook func(group string)

	groups *coordinator
	pids   *producers
	ids    topicIDs
}

// New returns a Server for cfg and starts its maintenance loop (retention,
// idle producer state), which Shutdown stops.
func New(cfg Config) *Server {
	if cfg.Broker == nil {
		panic("kafka: Config.Broker is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.DefaultPartitions <= 0 {
		cfg.DefaultPartitions = 1
	}
	if cfg.ClusterID == "" {
		cfg.ClusterID = "junction"
	}
	if cfg.MaxFrameBytes <= 0 {
		cfg.MaxFrameBytes = 100 << 20
	}
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = 1048588
	}
	if cfg.MaxInflight <= 0 {
		cfg.MaxInflight = 128
	}
	switch {
	case cfg.GroupInitialRebalanceDelay == 0:
		cfg.GroupInitialRebalanceDelay = 3 * time.Second
	case cfg.GroupInitialRebalanceDelay < 0:
		cfg.GroupInitialRebalanceDelay = 0
	}
	if cfg.GroupMinSessionTimeout <= 0 {
		cfg.GroupMinSessionTimeout = 6 * time.Second
	}
	if cfg.GroupMaxSessionTimeout <= 0 {
		cfg.GroupMaxSessionTimeout = 30 * time.Minute
	}
	if cfg.MaintenanceInterval <= 0 {
		cfg.MaintenanceInterval = 30 * time.Second
	}
	s := &Server{
		cfg: cfg,
		b:   cfg.Broker,
		log: cfg.Logger.With("frontend", "kafka"),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.groups = newCoordinator(s)
	s.pids = newProducers(s)
	s.bgWG.Add(1)
	go s.maintain()
	return s
}

// Serve accepts connections on ln until Shutdown (then it returns nil) or
// until ln fails for good (then it returns the error). It may be called for
// several listeners.
func (s *Server) Serve(ln net.Listener) error {
	return s.conns.Serve(ln, s.log, s.ctx.Done(), s.startConn)
}

// startConn registers nc and serves it on its own goroutines.
func (s *Server) startConn(nc net.Conn) {
	c := newConn(s, nc)
	s.conns.Go(c, nc, c.serve)
}

// Shutdown stops accepting, stops reading new requests, wakes long-polling
// fetches and waiting group joins, lets in-flight requests finish and write
// their responses, and closes every connection. When ctx ends first, it
// closes the remaining connections at once and returns ctx.Err().
func (s *Server) Shutdown(ctx context.Context) error {
	s.cancel() // before closing listeners: Serve then reports a clean stop
	conns := s.conns.Stop()
	s.groups.shutdown()
	for _, c := range conns {
		c.stopReading()
	}
	done := make(chan struct{})
	go func() {
		s.conns.Wait()
		s.bgWG.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.conns.CloseAll()
		return ctx.Err()
	}
}

// maintain drops idle producer state periodically (the broker applies retention).
func (s *Server) maintain() {
	defer s.bgWG.Done()
	t := time.NewTicker(s.cfg.MaintenanceInterval)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.b.Done():
			return
		case <-t.C:
			s.pids.expire(s.b.Now())
			s.forgetDeletedTopicIDs()
		}
	}
}
