// Package netserve is plumbing the wire-protocol servers share: the accept
// loop with net/http-style back-off on temporary errors, and the registry of
// listeners and live connections that Shutdown works through (Tracker).
package netserve

import (
	"errors"
	"log/slog"
	"net"
	"time"
)

// Accept calls handle for every connection ln accepts. It returns nil once
// done is closed (or ln is closed), and the error when ln fails for good.
// Temporary errors (out of file descriptors and the like) are retried after
// a back-off from 5 ms doubling to 1 s, cut short when done closes.
func Accept(ln net.Listener, log *slog.Logger, done <-chan struct{}, handle func(net.Conn)) error {
	var delay time.Duration
	for {
		nc, err := ln.Accept()
		if err == nil {
			delay = 0
			handle(nc)
			continue
		}
		select {
		case <-done:
			return nil
		default:
		}
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		var te interface{ Temporary() bool }
		var ne net.Error
		if !(errors.As(err, &te) && te.Temporary()) && !(errors.As(err, &ne) && ne.Timeout()) {
			return err
		}
		delay = min(max(2*delay, 5*time.Millisecond), time.Second)
		log.Warn("accept failed; retrying", "err", err, "in", delay)
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-done:
			t.Stop()
			return nil
		}
	}
}
