// Command junction runs the Junction broker: Redis, AMQP 0-9-1 and Kafka
// clients connect to one process that stores their messages in one set of
// logs. `junction healthcheck` probes a running broker (for containers).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"junction/broker"
	"junction/cmd/junction/internal/bench"
	"junction/frontends"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process exit, so tests can drive it.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "healthcheck":
			return healthcheck(args[1:], stderr)
		case "bench":
			return bench.Main(args[1:], stdout, stderr)
		}
	}
	cfg, err := parseConfig(args, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "junction: %v\n", err)
		return 1
	}
	if cfg.version {
		fmt.Fprintf(stdout, "junction %s\n", version)
		return 0
	}
	log, err := newLogger(cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "junction: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, stop, cfg, log); err != nil {
		fmt.Fprintf(stderr, "junction: %v\n", err)
		return 1
	}
	return 0
}

func newLogger(cfg *config, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.logLevel)); err != nil {
		return nil, fmt.Errorf("invalid --log-level %q", cfg.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch cfg.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("invalid --log-format %q (text or json)", cfg.logFormat)
}

// serve opens storage and the broker, starts every listener and waits for
// a signal; then it shuts down in order: frontends, broker, storage.
func serve(ctx context.Context, stopSignals func(), cfg *config, log *slog.Logger) error {
	started := time.Now()
	policy, err := broker.ParseFsyncPolicy(cfg.fsync)
	if err != nil {
		return fmt.Errorf("invalid --fsync: %v", err)
	}
	st, err := openStorage(cfg, policy)
	if err != nil {
		return err
	}
	defer st.close(log)
	b, err := broker.New(broker.Config{Logs: st.logs, Meta: st.meta, Fsync: policy, Logger: log})
	if err != nil {
		return fmt.Errorf("recovering data in %s: %w", cfg.dataDir, err)
	}
	defer b.Close()

	health := newHealth()
	specs := append(frontendSpecs(cfg, b, log), frontends.Spec{Name: "http", Addr: cfg.httpAddr, Server: health})
	g, err := frontends.Listen(log, nil, specs...)
	if err != nil {
		return err
	}
	g.Serve()
	health.setReady()
	log.Info("ready", "version", version, "data_dir", st.describe(cfg), "fsync", policy.String(),
		"startup", time.Since(started).Round(time.Microsecond).String())

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-g.Err():
	}
	stopSignals() // a second signal now ends the process at once
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := g.Shutdown(sctx); err != nil {
		log.Warn("shutdown", "err", err)
	}
	if err := b.Close(); err != nil {
		log.Error("closing broker", "err", err)
	}
	log.Info("stopped")
	return serveErr
}
