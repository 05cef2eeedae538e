// Package bench implements `junction bench`, a load generator that runs
// against any broker address — Junction, or a real Redis, RabbitMQ or
// Kafka — and compares delivery models: push (Redis Pub/Sub, AMQP
// basic.consume), long-poll pull (XREAD BLOCK, Kafka Fetch) and plain
// polling. Models run one after another against the same message stream;
// each message carries its send time, so receivers measure end-to-end
// latency into HDR-style histograms, and CPU (client and broker), bytes on
// the wire and round trips are taken per model. Progress lines go to
// stderr, the report (table, JSON or HTML) to stdout or --out.
package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// Main runs `junction bench` with the arguments after "bench" and returns
// the exit status: 0 when at least one model was measured, 1 on bad flags
// or when every model was skipped, 130 when interrupted (after printing
// the partial report).
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, args, stdout, stderr)
}

// run is Main with the context supplied, for tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	stderr = &lockedWriter{w: stderr} // progress lines come from another goroutine
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return 1
		}
		return 0
	}
	wl := findWorkload(args[0])
	if wl == nil {
		fmt.Fprintf(stderr, "junction bench: unknown workload %q (publish, fanout, latency or compare; see junction bench --help)\n", args[0])
		return 1
	}
	cfg, err := parseConfig(wl, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		usage(stdout)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "junction bench: %v\n", err)
		return 1
	}
	out := stdout
	var file *os.File
	if cfg.out != "" {
		if file, err = os.Create(cfg.out); err != nil {
			fmt.Fprintf(stderr, "junction bench: %v\n", err)
			return 1
		}
		defer file.Close()
		out = file
	}

	e := newEnv(cfg)
	rep := &Report{Workload: wl.name, Started: time.Now(), LatencyKind: "end-to-end", Settings: Settings{
		Messages: cfg.messages, SizeBytes: cfg.size, Rate: cfg.rate, DurationMS: float64(cfg.duration) / 1e6,
		Subscribers: cfg.subscribers, Prefetch: cfg.prefetch,
		AMQPDurable: cfg.amqpDurable, AMQPConfirm: cfg.amqpConfirm, AMQPInflight: cfg.amqpInflight,
		PollIntervalMS: float64(cfg.pollInterval) / 1e6, KafkaMaxWaitMS: float64(cfg.kafkaMaxWait) / 1e6,
		RedisAddr: redacted(cfg.redisAddr), AMQPAddr: redacted(cfg.amqpURL), KafkaAddr: cfg.kafkaAddr,
	}}
	if !wl.receive {
		rep.LatencyKind = "publish→ack"
	}
	done := make(chan struct{})
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		e.reportProgress(done, stderr)
	}()
	measured := 0
	for _, name := range cfg.models {
		spec := modelSpecs[name]
		if ctx.Err() != nil {
			rep.Results = append(rep.Results, Result{Model: name, Description: describe(spec, cfg), Skipped: "interrupted"})
			continue
		}
		fmt.Fprintf(stderr, "bench %s: %s (%s)\n", wl.name, name, describe(spec, cfg))
		res := e.runModel(ctx, spec)
		if res.Skipped != "" {
			fmt.Fprintf(stderr, "bench %s: %s skipped: %s\n", wl.name, name, res.Skipped)
		} else {
			measured++
			fmt.Fprintf(stderr, "bench %s: %s done: %d/%d received in %.0f ms\n", wl.name, name, res.Received, res.Expected, res.ElapsedMS)
		}
		rep.Results = append(rep.Results, res)
	}
	close(done)
	<-progressDone
	rep.Interrupted = ctx.Err() != nil

	if err := rep.render(out, cfg.format); err != nil {
		fmt.Fprintf(stderr, "junction bench: writing the report: %v\n", err)
		return 1
	}
	if file != nil {
		if err := file.Close(); err != nil {
			fmt.Fprintf(stderr, "junction bench: %v\n", err)
			return 1
		}
		fmt.Fprintf(stderr, "bench: report written to %s\n", cfg.out)
	}
	switch {
	case rep.Interrupted:
		return 130
	case measured == 0:
		return 1
	}
	return 0
}

// reportProgress prints one line per --progress interval about the
// running model until done is closed.
func (e *env) reportProgress(done <-chan struct{}, w io.Writer) {
	if e.cfg.progress <= 0 {
		return
	}
	t := time.NewTicker(e.cfg.progress)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		p := e.current.Load()
		if p == nil {
			continue
		}
		el := time.Since(p.started).Seconds()
		sent := p.sent.Load()
		if e.cfg.workload.receive {
			fmt.Fprintf(w, "  %-13s %5.1fs  sent %d  received %d/%d\n", p.model, el, sent, p.received.Load(), sent*p.subscribers)
		} else {
			fmt.Fprintf(w, "  %-13s %5.1fs  sent %d  acked %d\n", p.model, el, sent, p.acked.Load())
		}
	}
}

// lockedWriter serializes writes from the progress goroutine and the runner.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
