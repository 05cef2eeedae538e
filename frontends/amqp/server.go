// Package amqp serves AMQP 0-9-1 on the broker core so that RabbitMQ
// clients (amqp091-go, pika, amqplib, the Java and .NET clients) see
// RabbitMQ: exchanges (direct, fanout, topic, headers, exchange-to-exchange
// bindings, alternate exchanges), classic queues on broker/queue (TTL,
// dead-lettering with x-death, max-length and overflow, priorities, single
// active consumer, expiry), stream queues on broker topics (the same log a
// Redis stream key or a Kafka topic of that name uses), publisher confirms,
// transactions, direct reply-to, heartbeats and connection.blocked.
//
// Layout: server.go (lifecycle), conn.go and handshake.go (one
// connection: reader, dispatch, close), outbox.go (bounded write buffer and
// the writer), heartbeat.go, blocked.go (memory alarm), channel.go and
// unacked.go (channels and their delivery tags), vhost.go (topology),
// exchange.go, route*.go, queue_declare.go, queue_ops.go, args.go,
// basic_*.go, confirm.go, tx.go, deadletter.go, stream.go, reply_to.go and
// durable.go (definitions across restarts). Each opens with what it
// implements and where it differs from RabbitMQ.
//
// Naming: queues of vhost "/" are broker queues (and stream queues broker
// topics) of the same name; those of another vhost V are named
// "V\x00name". Names containing NUL are refused.
package amqp

import (
	"context"
	"junction/frontends/internal/netserve"
	"log/slog"
	"net"
	"strings"
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
	// Users maps user names to passwords for PLAIN and AMQPLAIN
	// (default guest:guest). Every user may use every vhost.
	Users map[string]string
	// Vhosts are the virtual hosts clients may open (default ["/"]).
	Vhosts []string
	// Heartbeat is the interval the server suggests in connection.tune
	// (default 60s; negative: suggest 0, no heartbeats). The client's
	// answer in tune-ok is what is used.
	Heartbeat time.Duration
	// FrameMax is the largest frame the server accepts and offers
	// (default 131072; at least 4096).
	FrameMax int
	// ChannelMax is the highest channel number offered (default 2047).
	ChannelMax int
	// Version is the version in connection.start's server-properties
	// (default "dev").
	Version string

	// MemoryHighWatermark is the number of bytes of ready messages in all
	// classic queues above which publishing connections are blocked
	// (connection.blocked) until it drops below again (default 1 GiB;
	// negative: never block).
	MemoryHighWatermark int64
	// MaxMessageSize bounds a message body; a larger one closes the
	// channel with 406 (default 128 MiB, RabbitMQ 3's default).
	MaxMessageSize int
	// WriteTimeout cuts a connection whose socket accepts no data for
	// this long (default 60s).
	WriteTimeout time.Duration
	// HandshakeTimeout bounds the handshake (default 10s, as RabbitMQ).
	HandshakeTimeout time.Duration
}

// Server serves AMQP 0-9-1 clients. Create it with New, run it with Serve
// and stop it with Shutdown.
type Server struct {
	cfg Config
	b   *broker.Broker
	log *slog.Logger

	vhosts map[string]*vhost // fixed after New

	conns    netserve.Tracker[*conn]
	done     chan struct{} // closed by Shutdown
	stopOnce sync.Once
	bgWG     sync.WaitGroup // memory monitor, stream watchers

	mem     memAlarm
	replyTo replyRegistry
	panics  atomic.Int64 // handler panics recovered (tests assert zero)
	untap   func()       // removes the Pub/Sub bridge's hub tap (bridge.go)
}

// New returns a Server for cfg. It loads the durable exchanges, queues
// and bindings stored by earlier runs and installs the broker's
// dead-letter handler, which routes dead letters through each queue's
// dead-letter exchange.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if len(cfg.Users) == 0 {
		cfg.Users = map[string]string{"guest": "guest"}
	}
	if len(cfg.Vhosts) == 0 {
		cfg.Vhosts = []string{"/"}
	}
	switch {
	case cfg.Heartbeat == 0:
		cfg.Heartbeat = 60 * time.Second
	case cfg.Heartbeat < 0:
		cfg.Heartbeat = 0
	}
	if cfg.FrameMax <= 0 {
		cfg.FrameMax = 131072
	}
	cfg.FrameMax = max(cfg.FrameMax, 4096)
	if cfg.ChannelMax <= 0 || cfg.ChannelMax > 65535 {
		cfg.ChannelMax = 2047
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	if cfg.MemoryHighWatermark == 0 {
		cfg.MemoryHighWatermark = 1 << 30
	}
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = 128 << 20
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 60 * time.Second
	}
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = 10 * time.Second
	}
	s := &Server{
		cfg:    cfg,
		b:      cfg.Broker,
		log:    cfg.Logger.With("frontend", "amqp"),
		vhosts: make(map[string]*vhost),
		done:   make(chan struct{}),
	}
	for _, name := range cfg.Vhosts {
		if strings.IndexByte(name, 0) >= 0 || s.vhosts[name] != nil {
			s.log.Warn("ignoring invalid or duplicate vhost", "vhost", name)
			continue
		}
		s.vhosts[name] = newVhost(s, name)
	}
	s.replyTo.init()
	s.b.SetDeadLetterHandler(s.deadLetter)
	if err := s.loadDefinitions(); err != nil {
		s.log.Error("loading AMQP definitions", "err", err)
	}
	s.mem.init(s)
	s.untap = s.startBridge()
	return s
}

// Serve accepts connections on ln until Shutdown (then it returns nil) or
// until ln fails for good (then it returns the error). It may be called
// for several listeners.
func (s *Server) Serve(ln net.Listener) error {
	return s.conns.Serve(ln, s.log, s.done, s.startConn)
}

func (s *Server) isShut() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// startConn registers nc and serves it on its own goroutines.
func (s *Server) startConn(nc net.Conn) {
	c := newConn(s, nc)
	s.conns.Go(c, nc, c.serve)
}

// Shutdown stops accepting, sends connection.close 320 CONNECTION_FORCED
// to every client, and waits for the connections to finish — at most
// until ctx ends, when the remaining sockets are closed. It returns
// ctx.Err() if connections had to be cut.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopOnce.Do(func() {
		close(s.done)
		s.untap()
	})
	for _, c := range s.conns.Stop() {
		c.forceClose("broker forced connection closure with reason 'shutdown'")
	}
	finished := make(chan struct{})
	go func() {
		s.conns.Wait()
		s.bgWG.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
	}
	s.conns.CloseAll()
	<-finished
	return ctx.Err()
}

// connections returns the live connections.
func (s *Server) connections() []*conn { return s.conns.Live() }
