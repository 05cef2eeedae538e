// The AMQP model's durable and confirm modes against an in-process
// Junction AMQP server.
package bench

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"junction/broker"
	"junction/broker/brokertest"
	amqpfe "junction/frontends/amqp"
)

// startJunctionAMQP serves AMQP 0-9-1 from an in-process Junction on file
// storage and returns its URL.
func startJunctionAMQP(t *testing.T) string {
	t.Helper()
	b := brokertest.Files(t).New(t, broker.Config{Fsync: broker.FsyncAlways})
	s := amqpfe.New(amqpfe.Config{Broker: b, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return "amqp://guest:guest@" + ln.Addr().String() + "/"
}

func TestAMQPConfirmFlagDefaults(t *testing.T) {
	for _, tc := range []struct {
		workload string
		args     []string
		confirm  bool
	}{
		{"publish", nil, true},
		{"latency", nil, false},
		{"compare", []string{"--amqp-confirm"}, true},
		{"publish", []string{"--amqp-confirm=false"}, false},
	} {
		c, err := parseConfig(findWorkload(tc.workload), tc.args)
		if err != nil {
			t.Fatalf("%s %v: %v", tc.workload, tc.args, err)
		}
		if c.amqpConfirm != tc.confirm || c.amqpDurable || c.amqpInflight != 1000 {
			t.Errorf("%s %v: confirm %v durable %v inflight %d; want confirm %v, not durable, window 1000",
				tc.workload, tc.args, c.amqpConfirm, c.amqpDurable, c.amqpInflight, tc.confirm)
		}
	}
	for _, args := range [][]string{{"--amqp-inflight", "-1"}, {"--amqp-confirm=maybe"}} {
		if _, err := parseConfig(findWorkload("latency"), args); err == nil {
			t.Errorf("parseConfig(%q) succeeded", args)
		}
	}
}

// TestAMQPDurableConfirmedStream runs the latency workload at full speed
// with a durable queue, persistent messages and confirms: everything
// arrives, and the report says how it was sent.
func TestAMQPDurableConfirmedStream(t *testing.T) {
	url := startJunctionAMQP(t)
	rep := decodeReport(t, 0, "latency", "--amqp-addr", url, "--models", "amqp", "--rate", "0",
		"--amqp-durable", "--amqp-confirm", "--amqp-inflight", "50", "--messages", "2000", "--size", "1024")
	r := rep.Results[0]
	if r.Skipped != "" || r.Error != "" || len(r.Notes) > 0 || r.Received != 2000 || r.Latency == nil || r.MsgsPerSec <= 0 {
		t.Fatalf("result %+v", r)
	}
	if want := "AMQP basic.consume (push, prefetch 100, publisher confirms, window 50, durable, persistent)"; r.Description != want {
		t.Errorf("description %q, want %q", r.Description, want)
	}
	if s := rep.Settings; !s.AMQPDurable || !s.AMQPConfirm || s.AMQPInflight != 50 {
		t.Errorf("settings %+v", s)
	}
}

// gatedConn holds the data of every Read while its gate is shut, so the
// client sees no confirms.
type gatedConn struct {
	net.Conn
	gate *atomic.Pointer[chan struct{}]
}

func (c *gatedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if g := c.gate.Load(); g != nil {
		<-*g
	}
	return n, err
}

// TestAMQPInflightWindow: with confirms held back, the publisher stops at
// --amqp-inflight unconfirmed publishes; once they arrive it goes on. The
// queue it declared is durable and its messages are persistent.
func TestAMQPInflightWindow(t *testing.T) {
	url := startJunctionAMQP(t)
	cfg, err := parseConfig(findWorkload("publish"), []string{"--amqp-addr", url, "--amqp-durable", "--amqp-inflight", "5"})
	if err != nil {
		t.Fatal(err)
	}
	var gate atomic.Pointer[chan struct{}]
	wire := &wireCounter{}
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := wire.dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &gatedConn{Conn: c, gate: &gate}, nil
	}
	d := newAMQPDriver(cfg, dial, "window")
	ctx := t.Context()
	if err := d.open(ctx); err != nil {
		t.Fatal(err)
	}
	defer d.close(ctx)
	if !d.confirms {
		t.Fatalf("no confirm mode; notes %v", d.notes)
	}
	shut := make(chan struct{})
	gate.Store(&shut)

	var mu sync.Mutex
	var outcomes []error
	acked := func(err error) {
		mu.Lock()
		outcomes = append(outcomes, err)
		mu.Unlock()
	}
	payload := make([]byte, 64)
	for i := range 5 {
		if err := d.publish(ctx, payload, acked); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	err = d.publish(short, payload, acked)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("sixth publish with 5 unconfirmed: %v, want it to wait for the window", err)
	}
	d.mu.Lock()
	peak := d.peak
	d.mu.Unlock()
	if peak != 5 {
		t.Fatalf("%d publishes awaited confirms at once, want 5", peak)
	}

	gate.Store(nil)
	close(shut)
	fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.flush(fctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := outcomes
	mu.Unlock()
	if len(got) != 6 || !errors.Is(got[0], context.DeadlineExceeded) {
		t.Fatalf("outcomes %v, want the refused sixth first, then 5 confirms", got)
	}
	for _, e := range got[1:] {
		if e != nil {
			t.Fatalf("outcomes %v, want 5 confirms", got)
		}
	}

	// What the broker holds: a durable queue of persistent messages.
	conn, err := amqp.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	m, ok, err := ch.Get(d.queues[0], true)
	if err != nil || !ok || m.DeliveryMode != amqp.Persistent || len(m.Body) != len(payload) {
		t.Fatalf("basic.get: ok %v, err %v, delivery mode %d, %d bytes; want a persistent %d-byte message",
			ok, err, m.DeliveryMode, len(m.Body), len(payload))
	}
	_, err = ch.QueueDeclare(d.queues[0], false, false, false, false, nil)
	if err == nil || !strings.Contains(err.Error(), "inequivalent arg 'durable'") {
		t.Fatalf("redeclaring the queue transient: %v, want PRECONDITION_FAILED for 'durable'", err)
	}
}
