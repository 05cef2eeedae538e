package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// health serves /healthz (the process is alive) and /readyz (storage is
// recovered and every listener accepts).
type health struct {
	ready atomic.Bool
	srv   *http.Server
}

func newHealth() *health {
	h := &health{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !h.ready.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready\n")
	})
	h.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	return h
}

func (h *health) setReady() { h.ready.Store(true) }

// Serve implements frontends.Server.
func (h *health) Serve(ln net.Listener) error {
	if err := h.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown implements frontends.Server.
func (h *health) Shutdown(ctx context.Context) error {
	h.ready.Store(false)
	return h.srv.Shutdown(ctx)
}

// healthcheck probes a running broker's /readyz; it exits 0 when ready.
// Containers use it as their HEALTHCHECK (no shell or curl needed).
func healthcheck(args []string, stderr io.Writer) int {
	c, err := parseConfig(args, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "junction healthcheck: %v\n", err)
		return 1
	}
	host, port, err := net.SplitHostPort(c.httpAddr)
	if err != nil {
		fmt.Fprintf(stderr, "junction healthcheck: --http-addr: %v\n", err)
		return 1
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort(host, port) + "/readyz")
	if err != nil {
		fmt.Fprintf(stderr, "junction healthcheck: %v\n", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "junction healthcheck: %s\n", resp.Status)
		return 1
	}
	return 0
}
