// Package frontends starts and stops the enabled wire-protocol servers
// together: every listener is bound before any serves (so a port in use
// fails start-up cleanly), and shutdown stops them all within one deadline.
package frontends

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
)

// Server is what each frontend package provides.
type Server interface {
	// Serve accepts connections on ln until Shutdown; it returns nil after Shutdown.
	Serve(ln net.Listener) error
	// Shutdown stops accepting, releases blocked requests and closes
	// connections, bounded by ctx.
	Shutdown(ctx context.Context) error
}

// Spec names one frontend to start. An empty Addr switches it off.
type Spec struct {
	Name   string // e.g. "redis"
	Addr   string
	Server Server
}

// Group runs a set of frontends.
type Group struct {
	log   *slog.Logger
	specs []Spec
	lns   []net.Listener
	wg    sync.WaitGroup
	errs  chan error
}

// Listen binds every enabled spec's address. On any failure it closes what
// it bound and returns an error naming the listener.
func Listen(log *slog.Logger, listen func(network, addr string) (net.Listener, error), specs ...Spec) (*Group, error) {
	if listen == nil {
		listen = net.Listen
	}
	g := &Group{log: log, errs: make(chan error, len(specs))}
	for _, s := range specs {
		if s.Addr == "" {
			continue
		}
		ln, err := listen("tcp", s.Addr)
		if err != nil {
			g.closeListeners()
			return nil, fmt.Errorf("%s listener: %w", s.Name, err)
		}
		g.specs = append(g.specs, s)
		g.lns = append(g.lns, ln)
	}
	return g, nil
}

// Addrs returns each started frontend's bound address by name.
func (g *Group) Addrs() map[string]net.Addr {
	m := make(map[string]net.Addr, len(g.lns))
	for i, s := range g.specs {
		m[s.Name] = g.lns[i].Addr()
	}
	return m
}

// Serve starts every frontend in its own goroutine and logs its address.
func (g *Group) Serve() {
	for i, s := range g.specs {
		ln := g.lns[i]
		g.log.Info("listening", "protocol", s.Name, "addr", ln.Addr().String())
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			if err := s.Server.Serve(ln); err != nil {
				g.errs <- fmt.Errorf("%s: %w", s.Name, err)
			}
		}()
	}
}

// Err delivers the first error of a frontend that stopped on its own.
func (g *Group) Err() <-chan error { return g.errs }

// Shutdown stops every frontend concurrently within ctx's deadline.
func (g *Group) Shutdown(ctx context.Context) error {
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for _, s := range g.specs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Server.Shutdown(ctx); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s: %w", s.Name, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	done := make(chan struct{})
	go func() { g.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		errs = append(errs, ctx.Err())
	}
	return errors.Join(errs...)
}

func (g *Group) closeListeners() {
	for _, ln := range g.lns {
		ln.Close()
	}
}
