package netserve

import (
	"errors"
	"log/slog"
	"net"
	"testing"
	"testing/synctest"
	"time"
)

// tempErr is a temporary accept error.
type tempErr struct{}

func (tempErr) Error() string   { return "temporary" }
func (tempErr) Temporary() bool { return true }

// fakeListener returns queued results from Accept.
type fakeListener struct {
	net.Listener
	results chan error
}

func (f *fakeListener) Accept() (net.Conn, error) {
	err, ok := <-f.results
	if !ok {
		return nil, net.ErrClosed
	}
	if err != nil {
		return nil, err
	}
	a, b := net.Pipe()
	b.Close()
	return a, nil
}

func TestAcceptRetriesTemporaryErrorsAndStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ln := &fakeListener{results: make(chan error, 4)}
		ln.results <- tempErr{}
		ln.results <- nil
		ln.results <- errors.New("permanent")
		handled := 0
		began := time.Now()
		err := Accept(ln, slog.New(slog.DiscardHandler), make(chan struct{}), func(c net.Conn) { handled++; c.Close() })
		if err == nil || err.Error() != "permanent" || handled != 1 {
			t.Fatalf("err %v, handled %d", err, handled)
		}
		if d := time.Since(began); d != 5*time.Millisecond {
			t.Fatalf("backed off %v, want 5ms", d)
		}
	})
}

func TestAcceptReturnsNilOnShutdown(t *testing.T) {
	ln := &fakeListener{results: make(chan error, 1)}
	done := make(chan struct{})
	close(done)
	ln.results <- tempErr{}
	if err := Accept(ln, slog.New(slog.DiscardHandler), done, func(net.Conn) {}); err != nil {
		t.Fatalf("after shutdown: %v", err)
	}
	close(ln.results)
	if err := Accept(ln, slog.New(slog.DiscardHandler), make(chan struct{}), func(net.Conn) {}); err != nil {
		t.Fatalf("closed listener: %v", err)
	}
}
