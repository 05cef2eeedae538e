package netserve

import (
	"log/slog"
	"net"
	"sync"
)

// Tracker is a server's registry of listeners and live connections, shared
// by Serve, the per-connection goroutines and Shutdown. C is the server's
// connection type; the zero Tracker is ready to use.
type Tracker[C comparable] struct {
	mu    sync.Mutex // guards lns, conns, shut
	lns   map[net.Listener]struct{}
	conns map[C]net.Conn
	shut  bool
	wg    sync.WaitGroup // one per connection goroutine
}

// Serve registers ln and runs Accept on it. After Stop it closes ln and
// returns nil at once.
func (t *Tracker[C]) Serve(ln net.Listener, log *slog.Logger, done <-chan struct{}, handle func(net.Conn)) error {
	t.mu.Lock()
	if t.shut {
		t.mu.Unlock()
		ln.Close()
		return nil
	}
	if t.lns == nil {
		t.lns = make(map[net.Listener]struct{})
	}
	t.lns[ln] = struct{}{}
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		delete(t.lns, ln)
		t.mu.Unlock()
	}()
	return Accept(ln, log, done, handle)
}

// Go registers c, served over nc, and runs serve on its own goroutine,
// dropping c once serve returns. After Stop it closes nc instead.
func (t *Tracker[C]) Go(c C, nc net.Conn, serve func()) {
	t.mu.Lock()
	if t.shut {
		t.mu.Unlock()
		nc.Close()
		return
	}
	if t.conns == nil {
		t.conns = make(map[C]net.Conn)
	}
	t.conns[c] = nc
	t.wg.Add(1)
	t.mu.Unlock()
	go func() {
		defer t.wg.Done()
		defer func() {
			t.mu.Lock()
			delete(t.conns, c)
			t.mu.Unlock()
		}()
		serve()
	}()
}

// Stop refuses new listeners and connections, closes every listener and
// returns the live connections.
func (t *Tracker[C]) Stop() []C {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.shut = true
	for ln := range t.lns {
		ln.Close()
	}
	return t.liveLocked()
}

// Live returns the live connections.
func (t *Tracker[C]) Live() []C {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.liveLocked()
}

func (t *Tracker[C]) liveLocked() []C {
	conns := make([]C, 0, len(t.conns))
	for c := range t.conns {
		conns = append(conns, c)
	}
	return conns
}

// Wait blocks until every connection goroutine has returned.
func (t *Tracker[C]) Wait() { t.wg.Wait() }

// CloseAll closes the socket of every live connection.
func (t *Tracker[C]) CloseAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, nc := range t.conns {
		nc.Close()
	}
}
