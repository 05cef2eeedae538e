// Per-connection state and the connection loop: read a command, dispatch
// it, and flush the buffered replies once the input holds no further
// complete command (one write per pipeline, as Redis replies after
// processing its query buffer). Pushed Pub/Sub messages share the socket
// under wmu, and only between whole reply batches (see busy). XADDs staged
// for a batched append (stream_add_batch.go) are committed before that
// flush, before any other command, and when the connection ends.
//
// Blocking commands (XREAD BLOCK, XREADGROUP BLOCK) wait like this:
//
//	ctx, done := c.BlockContext(timeout) // 0: forever; flushes earlier replies
//	err := p.Wait(ctx, offset)           // or any select on ctx.Done()
//	done()                               // optional: dispatch calls it too
//	if err != nil && ctx.Err() != nil {
//		if !c.Unblocked(ctx) {
//			c.W.NullArray() // timeout, or CLIENT UNBLOCK … TIMEOUT
//		}
//		return // else Unblocked wrote -UNBLOCKED, or the connection is closing
//	}
//
// While a command blocks, the connection keeps reading its socket (as
// Redis keeps reading a blocked client): a client that disconnects ends the
// wait, and commands it pipelines meanwhile run after the blocked one.
// Give such commands the "blocking" flag: they then run outside the
// MULTI/EXEC lock, so a blocked reader never holds up a transaction. Inside
// MULTI/EXEC, BlockContext returns a context that has already timed out, so
// the command answers at once, as Redis's blocking commands do in a
// transaction.
package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"junction/broker"
	"junction/broker/pubsub"
)

// Conn is one client connection's state as command handlers see it. Its
// methods are for the connection's own goroutine (the handler running on
// it) unless noted.
type Conn struct {
	// W collects this connection's replies until the pipeline is flushed.
	W Writer

	srv *Server
	db  int
	ctx context.Context // ends when the connection closes, on CLIENT KILL and on shutdown
	end context.CancelCauseFunc

	id      uint64
	nc      net.Conn // nil for a Conn without a socket (tests, fuzzing)
	rd      *reader
	created time.Time
	addr    string
	laddr   string

	// Owned by the connection goroutine.
	authed     bool
	multi      *multiState // non-nil between MULTI and EXEC/DISCARD
	watched    []watchedKey
	inExec     bool
	closeAfter bool   // QUIT, CLIENT KILL of itself: close after flushing
	replyOff   bool   // CLIENT REPLY OFF
	skipOne    bool   // CLIENT REPLY SKIP: drop the next command's reply
	mark       int    // where the running command's reply starts in W.Buf
	blockDone  func() // the running command's BlockContext release, if any
	sub        *pubsub.Subscriber
	nChan      int       // channel subscriptions
	nPat       int       // pattern subscriptions
	nShard     int       // shard-channel subscriptions
	prevCmd    *Command  // the last command name resolved (before subcommands)
	stageOK    bool      // the running command's reply is kept (dispatch sets it)
	xadds      xaddBatch // staged XADDs (stream_add_batch.go)

	// Shared with other connections' CLIENT LIST, KILL and UNBLOCK.
	mu          sync.Mutex // guards the fields below
	name        string
	libName     string
	libVer      string
	infoDB      int
	infoProto   int
	infoSubs    [3]int // channels, patterns, shard channels
	infoMulti   int    // queued commands, -1 outside MULTI
	blockCancel context.CancelCauseFunc
	stopping    bool // Shutdown: the read deadline stays in the past
	lastCmd     atomic.Pointer[Command]
	lastActive  atomic.Int64 // unix nanoseconds

	// The socket's write side.
	wmu   sync.Mutex // guards busy, proto, werr, flushed and writes to nc
	busy  bool       // the connection goroutine holds unflushed replies
	proto int        // protocol for pushed frames
	werr  error      // first write error
	push  Writer     // the pusher's encoding buffer
	batch []pubsub.Message
}

// Cancel causes.
var (
	errConnClosed     = errors.New("redis: connection closed")
	errKilled         = errors.New("redis: connection killed by CLIENT KILL")
	errOverflow       = errors.New("redis: pubsub output buffer limit reached")
	errBlockTimeout   = errors.New("redis: blocking timeout")
	errUnblockTimeout = errors.New("redis: CLIENT UNBLOCK TIMEOUT")
	errUnblockError   = errors.New("redis: CLIENT UNBLOCK ERROR")
)

func newConn(s *Server, nc net.Conn) *Conn {
	now := time.Now()
	c := &Conn{
		srv:       s,
		id:        s.nextID.Add(1),
		nc:        nc,
		created:   now,
		infoProto: 2,
		infoMulti: -1,
		proto:     2,
	}
	c.W.Proto = 2
	c.ctx, c.end = context.WithCancelCause(s.ctx)
	c.authed = s.cfg.Password == ""
	c.lastActive.Store(now.UnixNano())
	if nc != nil {
		c.rd = newReader(nc)
		c.rd.unauth = !c.authed
		c.rd.beforeRead = func() error {
			c.srv.stats.netIn.Add(c.rd.nread)
			c.rd.nread = 0
			c.flushXAdds()
			return c.flush()
		}
		c.addr = nc.RemoteAddr().String()
		c.laddr = nc.LocalAddr().String()
	}
	return c
}

// Broker returns the core.
func (c *Conn) Broker() *broker.Broker { return c.srv.b }

// Context ends when the connection closes (QUIT, CLIENT KILL, a network or
// protocol error) or the server shuts down. For waits that CLIENT UNBLOCK
// and a timeout must also end, use BlockContext.
func (c *Conn) Context() context.Context { return c.ctx }

// Now returns the server clock.
func (c *Conn) Now() time.Time { return c.srv.b.Now() }

// ID returns the connection's CLIENT ID.
func (c *Conn) ID() uint64 { return c.id }

// TopicName maps a key in the connection's selected database to a core
// topic name: database 0 keys are the topic names themselves (shared with
// Kafka and AMQP); database n > 0 keys get the prefix "\x00<n>\x00" (a
// byte no Kafka or AMQP name can hold) so each database is a keyspace of
// its own. Listing database 0 skips names that start with "\x00".
func (c *Conn) TopicName(key []byte) string {
	if c.db == 0 {
		return string(key)
	}
	return dbPrefix(c.db) + string(key)
}

// Topic returns the topic behind key in the selected database, or nil. A
// topic whose EXPIRE deadline has passed counts as absent even if the
// broker's timer has not fired yet; it is deleted on the spot, as Redis
// expires keys lazily on access.
func (c *Conn) Topic(key []byte) *broker.Topic { return c.srv.liveTopic(c.TopicName(key)) }

// FlushPending writes the replies buffered so far to the socket now, so that
// replies to earlier pipelined commands are not held back while this one
// blocks. BlockContext calls it. Inside MULTI/EXEC it does nothing (the EXEC
// reply is one array).
func (c *Conn) FlushPending() {
	if c.inExec || c.nc == nil {
		return
	}
	c.flush()
}

// BlockContext returns the context for one blocking wait of the running
// command, and its release function. The context ends on timeout (> 0; 0
// waits forever), on CLIENT UNBLOCK, and when the connection closes or the
// server shuts down; Unblocked tells which. BlockContext first flushes the
// replies pending before this command, and marks the client blocked (INFO
// blocked_clients, CLIENT LIST flag b) until done is called; dispatch calls
// done after the handler returns if the handler did not. Inside MULTI/EXEC
// (and on a Conn without a socket) the context has already timed out.
func (c *Conn) BlockContext(timeout time.Duration) (ctx context.Context, done context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(c.ctx)
	if c.inExec || c.nc == nil {
		cancel(errBlockTimeout)
		return ctx, func() {}
	}
	if c.blockDone != nil { // an earlier wait of this command not yet released
		c.blockDone()
		c.blockDone = nil
	}
	c.FlushPending()
	var timer *time.Timer
	if timeout > 0 {
		timer = time.AfterFunc(timeout, func() { cancel(errBlockTimeout) })
	}
	c.mu.Lock()
	c.blockCancel = cancel
	c.mu.Unlock()
	c.srv.noteBlocked(1)
	watching := make(chan struct{})
	go c.watchPeer(cancel, watching)
	var once sync.Once
	done = func() {
		once.Do(func() {
			if timer != nil {
				timer.Stop()
			}
			// Stop the read-ahead and take the reader back.
			c.nc.SetReadDeadline(time.Now())
			<-watching
			c.mu.Lock()
			if !c.stopping {
				c.nc.SetReadDeadline(time.Time{})
			}
			c.blockCancel = nil
			c.mu.Unlock()
			c.srv.noteBlocked(-1)
			cancel(nil)
		})
	}
	c.blockDone = done
	return ctx, done
}

// maxReadAhead bounds the input buffered while a command blocks.
const maxReadAhead = 1 << 20

// watchPeer reads ahead while the connection goroutine is blocked in a
// command, as Redis keeps reading a blocked client: a peer that closes ends
// the wait (cause errConnClosed) instead of leaving the command blocked
// forever, and commands pipelined meanwhile wait in the reader's buffer.
// It returns when done interrupts its read with a deadline.
func (c *Conn) watchPeer(cancel context.CancelCauseFunc, exited chan<- struct{}) {
	defer close(exited)
	for c.rd.buffered() < maxReadAhead {
		if err := c.rd.readAhead(); err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				cancel(errConnClosed)
			}
			return
		}
	}
}

// Unblocked is for a blocking command whose BlockContext ctx has ended. It
// returns false when the command should write its timeout reply (the
// timeout passed, or CLIENT UNBLOCK … TIMEOUT); true when it must write
// nothing more: CLIENT UNBLOCK … ERROR (Unblocked has written the
// "-UNBLOCKED client unblocked via CLIENT UNBLOCK" reply) or the connection
// is closing.
func (c *Conn) Unblocked(ctx context.Context) bool {
	cause := context.Cause(ctx)
	switch {
	case cause == nil, errors.Is(cause, errBlockTimeout), errors.Is(cause, errUnblockTimeout):
		return false
	case errors.Is(cause, errUnblockError):
		c.W.Error("UNBLOCKED client unblocked via CLIENT UNBLOCK")
		return true
	case errors.Is(cause, errConnClosed):
		return true
	}
	return c.ctx.Err() != nil
}

// unblock ends the target's blocking wait with cause; false if it is not
// blocked. Called from another connection.
func (c *Conn) unblock(cause error) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.blockCancel == nil {
		return false
	}
	c.blockCancel(cause)
	return true
}

// kill closes the connection from any goroutine.
func (c *Conn) kill(cause error) {
	c.end(cause)
	if c.nc != nil {
		c.nc.Close()
	}
}

// stopReading makes the connection finish what it has read, flush and
// close (Shutdown).
func (c *Conn) stopReading() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopping = true
	if c.nc != nil {
		c.nc.SetReadDeadline(time.Now())
	}
}

// serve runs the connection until it closes.
func (c *Conn) serve() {
	defer c.cleanup()
	defer func() {
		if r := recover(); r != nil {
			c.srv.log.Error("redis: panic serving connection", "client", c.addr, "panic", r,
				"stack", string(debug.Stack()))
		}
	}()
	for {
		args, err := c.rd.Next()
		if err != nil {
			var pe protoError
			switch {
			case errors.As(err, &pe):
				c.srv.log.Debug("redis: protocol error", "client", c.addr, "err", string(pe))
				c.W.Error("ERR " + string(pe))
				c.srv.stats.errors.Add(1)
			case errors.Is(err, errQueryLimit):
				c.srv.log.Warn("redis: closing client that reached max query buffer length", "client", c.addr)
				return
			}
			c.flushXAdds()
			c.flush() // replies to the commands read before a half-close or the error
			return
		}
		if args == nil {
			continue
		}
		if !c.busy {
			c.setBusy()
		}
		c.dispatch(args)
		if c.closeAfter {
			c.flushXAdds()
			c.flush()
			return
		}
	}
}

func (c *Conn) cleanup() {
	c.end(errConnClosed)
	if c.nc != nil {
		c.nc.Close()
	}
	if c.sub != nil {
		c.sub.Close()
	}
	if c.blockDone != nil {
		c.blockDone()
	}
	c.srv.remove(c)
}

// setBusy marks the start of a batch of replies: the pusher keeps off the
// socket until flush.
func (c *Conn) setBusy() {
	c.wmu.Lock()
	c.busy = true
	c.wmu.Unlock()
	c.lastActive.Store(time.Now().UnixNano())
}

// flush writes the buffered replies, then any Pub/Sub messages queued
// meanwhile (so a message never overtakes the SUBSCRIBE reply before it),
// in one write, and lets the pusher write again.
func (c *Conn) flush() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.busy = false
	c.mark = 0
	if c.sub != nil {
		c.batch = c.sub.Drain(c.batch)
		if len(c.batch) > 0 {
			p := c.W.Proto
			c.W.Proto = c.proto
			writeMessages(&c.W, c.batch)
			c.W.Proto = p
		}
	}
	if len(c.W.Buf) == 0 || c.nc == nil {
		return c.werr
	}
	if c.werr == nil {
		var n int
		n, c.werr = c.nc.Write(c.W.Buf)
		c.srv.stats.netOut.Add(int64(n))
		if c.werr != nil {
			c.kill(errConnClosed)
		}
	}
	if cap(c.W.Buf) > 64<<10 {
		c.W.Buf = nil
	} else {
		c.W.Buf = c.W.Buf[:0]
	}
	return c.werr
}

// setProto switches the connection's protocol (HELLO, RESET).
func (c *Conn) setProto(p int) {
	c.W.Proto = p
	c.wmu.Lock()
	c.proto = p
	c.wmu.Unlock()
	c.mu.Lock()
	c.infoProto = p
	c.mu.Unlock()
}

// setDB selects database n (SELECT, RESET).
func (c *Conn) setDB(n int) {
	c.db = n
	c.mu.Lock()
	c.infoDB = n
	c.mu.Unlock()
}

// setAuthed records the result of AUTH, HELLO … AUTH and RESET.
func (c *Conn) setAuthed(ok bool) {
	c.authed = ok
	if c.rd != nil {
		c.rd.unauth = !ok
	}
}

// needAuth reports whether the connection must authenticate first.
func (c *Conn) needAuth() bool { return !c.authed }

// info formats the connection as a CLIENT LIST / CLIENT INFO line, without
// the trailing newline. Safe from any goroutine.
func (c *Conn) info(now time.Time) string {
	c.mu.Lock()
	name, lib, ver := c.name, c.libName, c.libVer
	db, proto, subs, multi := c.infoDB, c.infoProto, c.infoSubs, c.infoMulti
	blocked := c.blockCancel != nil
	c.mu.Unlock()
	flags := ""
	if subs[0]+subs[1]+subs[2] > 0 {
		flags += "P"
	}
	if multi >= 0 {
		flags += "x"
	}
	if blocked {
		flags += "b"
	}
	if flags == "" {
		flags = "N"
	}
	cmd := "NULL"
	if lc := c.lastCmd.Load(); lc != nil {
		cmd = lc.full
	}
	idle := now.Sub(time.Unix(0, c.lastActive.Load())) / time.Second
	return fmt.Sprintf("id=%d addr=%s laddr=%s fd=-1 name=%s age=%d idle=%d flags=%s db=%d sub=%d psub=%d ssub=%d "+
		"multi=%d qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=%d rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r "+
		"cmd=%s user=%s redir=-1 resp=%d lib-name=%s lib-ver=%s",
		c.id, c.addr, c.laddr, name, int64(now.Sub(c.created)/time.Second), int64(max(idle, 0)), flags, db,
		subs[0], subs[1], subs[2], multi, readBufSize, cmd, c.srv.cfg.User, proto, lib, ver)
}

// dbPrefix is the topic-name prefix of database n > 0.
func dbPrefix(n int) string { return "\x00" + strconv.Itoa(n) + "\x00" }
