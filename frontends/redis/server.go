// Server lifecycle: New, Serve on a listener, Shutdown. One goroutine per
// connection reads and runs commands (conn.go); a second one per subscribed
// connection pushes Pub/Sub messages (pubsub.go).
//
// Replies are encoded with redcon's RESP Append functions (resp.go). We run
// our own accept and connection loops and request parser rather than
// redcon's server: redcon v1.6.2's reader has no bulk or multibulk limits (a
// declared "$4294967296" makes it buffer without end), re-parses a pipeline
// from its start on every read, rejects "*0", offers no way to cancel a
// blocked handler and no write lock for pushed frames. reader.go, dispatch.go
// and conn.go replace those parts.
package redis

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"junction/frontends/internal/netserve"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"junction/broker"
	"junction/broker/pubsub"
)

// DefaultVersion is the Redis version reported by HELLO and INFO.
const DefaultVersion = "7.2.4"

// Config configures a Server. Zero values take the defaults noted.
type Config struct {
	// Broker is the core. Required.
	Broker *broker.Broker
	// Logger receives connection-level logs (default slog.Default()).
	Logger *slog.Logger
	// Password, when set, is required (AUTH or HELLO … AUTH) before any
	// command but AUTH, HELLO, QUIT and RESET (--redis-password).
	Password string
	// User is the user name AUTH and HELLO accept with Password
	// (--redis-user, default "default").
	User string
	// Version is the Redis version reported by HELLO and INFO (default
	// DefaultVersion). Clients gate features on it: keep it 7.x.
	Version string
}

// Server is the Redis frontend: it serves RESP2/RESP3 clients on one or
// more listeners until Shutdown.
type Server struct {
	cfg Config
	b   *broker.Broker
	log *slog.Logger
	hub *pubsub.Hub // the broker's, shared with the other frontends

	// tx makes MULTI/EXEC atomic: EXEC holds it exclusively, every other
	// command (but blocking ones) shares it.
	tx sync.RWMutex

	ctx    context.Context // parent of every connection's context
	cancel context.CancelCauseFunc

	mu      sync.Mutex // guards conns, lns, closing
	conns   map[uint64]*Conn
	lns     map[net.Listener]struct{}
	closing bool
	wg      sync.WaitGroup // one per connection goroutine

	nextID  atomic.Uint64
	started time.Time
	runID   string
	port    atomic.Int64
	stats   stats
	config  configTable

	blockMu      sync.Mutex    // guards blockChanged
	blockChanged chan struct{} // closed and replaced when a client blocks or unblocks
}

// stats are INFO stats counters.
type stats struct {
	conns, rejected, commands, netIn, netOut, expired, errors atomic.Int64
	blocked                                                   atomic.Int64
	peakMemory                                                atomic.Uint64
	xaddBatches                                               atomic.Int64 // staged XADDs appended together (2 or more)
}

// noteBlocked adds delta to the blocked-clients count and wakes whoever
// waits for it to change (tests).
func (s *Server) noteBlocked(delta int64) {
	s.stats.blocked.Add(delta)
	s.blockMu.Lock()
	if s.blockChanged != nil {
		close(s.blockChanged)
		s.blockChanged = nil
	}
	s.blockMu.Unlock()
}

// blockedChange returns a channel closed when the blocked-clients count
// next changes.
func (s *Server) blockedChange() <-chan struct{} {
	s.blockMu.Lock()
	defer s.blockMu.Unlock()
	if s.blockChanged == nil {
		s.blockChanged = make(chan struct{})
	}
	return s.blockChanged
}

// errServerClosed is the cancel cause of every connection at Shutdown.
var errServerClosed = errors.New("redis: server closed")

// New returns a Server for cfg. It panics without cfg.Broker.
func New(cfg Config) *Server {
	if cfg.Broker == nil {
		panic("redis: Config.Broker is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.User == "" {
		cfg.User = "default"
	}
	if cfg.Version == "" {
		cfg.Version = DefaultVersion
	}
	prepareCommands()
	s := &Server{
		cfg:     cfg,
		b:       cfg.Broker,
		log:     cfg.Logger,
		conns:   make(map[uint64]*Conn),
		lns:     make(map[net.Listener]struct{}),
		started: time.Now(),
		runID:   randomHex(20),
	}
	s.hub = cfg.Broker.PubSub()
	s.ctx, s.cancel = context.WithCancelCause(context.Background())
	s.config.init(s)
	return s
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Serve accepts connections on ln until Shutdown (then it returns nil) or a
// permanent accept error. It closes ln when it returns.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		ln.Close()
		return nil
	}
	s.lns[ln] = struct{}{}
	s.mu.Unlock()
	if a, ok := ln.Addr().(*net.TCPAddr); ok {
		s.port.CompareAndSwap(0, int64(a.Port))
	}
	defer func() {
		s.mu.Lock()
		delete(s.lns, ln)
		s.mu.Unlock()
		ln.Close()
	}()
	return netserve.Accept(ln, s.log, s.ctx.Done(), s.start)
}

// start registers a connection and runs it on its own goroutine.
func (s *Server) start(nc net.Conn) {
	c := newConn(s, nc)
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		nc.Close()
		return
	}
	s.conns[c.id] = c
	s.wg.Add(1)
	s.mu.Unlock()
	s.stats.conns.Add(1)
	go func() {
		defer s.wg.Done()
		c.serve()
	}()
}

// remove forgets a closed connection.
func (s *Server) remove(c *Conn) {
	s.mu.Lock()
	delete(s.conns, c.id)
	s.mu.Unlock()
}

// conn returns the live connection with the given id, or nil.
func (s *Server) conn(id uint64) *Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns[id]
}

// connList returns the live connections ordered by id.
func (s *Server) connList() []*Conn {
	s.mu.Lock()
	list := make([]*Conn, 0, len(s.conns))
	for _, c := range s.conns {
		list = append(list, c)
	}
	s.mu.Unlock()
	slices.SortFunc(list, func(a, b *Conn) int { return cmp.Compare(a.id, b.id) })
	return list
}

// numConns returns the number of live connections.
func (s *Server) numConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Shutdown stops accepting, ends every connection's context (blocked
// commands return), lets each connection finish the command it is running
// and flush its replies, then closes it. When ctx ends first, the remaining
// connections are closed at once and ctx's error returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	for ln := range s.lns {
		ln.Close()
	}
	conns := make([]*Conn, 0, len(s.conns))
	for _, c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	s.cancel(errServerClosed)
	for _, c := range conns {
		c.stopReading()
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		// Close what is left; its goroutines end on their next I/O.
		for _, c := range conns {
			c.nc.Close()
		}
		return ctx.Err()
	}
}

// tcpPort is the port of the first TCP listener served.
func (s *Server) tcpPort() string { return strconv.FormatInt(s.port.Load(), 10) }
