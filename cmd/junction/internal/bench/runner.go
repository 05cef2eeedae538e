// The measurement loop of one model: connect and subscribe (not measured),
// then publish the stream at --rate while receivers record latencies, wait
// for the last deliveries, and take the CPU and wire figures of exactly
// that window. Models run one after another, so the bench process's CPU
// in a window belongs to the model that ran in it.
package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// noter is implemented by drivers with remarks for the report.
type noter interface{ noteList() []string }

func (d *amqpDriver) noteList() []string  { return d.notes }
func (d *kafkaDriver) noteList() []string { return d.notes }

// runModel measures one model. It never fails: problems end up in the
// result as a skip reason (nothing measured) or an error (partial data).
func (e *env) runModel(ctx context.Context, spec *modelSpec) Result {
	cfg := e.cfg
	r := Result{Model: spec.name, Description: describe(spec, cfg), Subscribers: cfg.subscribers}
	addr, err := cfg.hostPort(spec.proto)
	if err != nil {
		r.Skipped = err.Error()
		return r
	}
	probe, err := (&net.Dialer{Timeout: 3 * time.Second}).DialContext(ctx, "tcp", addr)
	if err != nil {
		r.Skipped = err.Error()
		return r
	}
	probe.Close()

	wire := &wireCounter{}
	d := spec.new(cfg, wire.dial, spec.name+"-"+e.runID)
	cleanup := func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.timeout)
		defer cancel()
		if err := d.close(cctx); err != nil {
			r.Notes = append(r.Notes, "cleanup: "+err.Error())
		}
		if n, ok := d.(noter); ok {
			r.Notes = append(n.noteList(), r.Notes...)
		}
	}

	setup, cancelSetup := context.WithTimeout(ctx, cfg.timeout)
	defer cancelSetup()
	if err := d.open(setup); err != nil {
		r.Skipped = "setup: " + err.Error()
		cleanup()
		return r
	}
	p := &progress{model: spec.name, subscribers: int64(cfg.subscribers)}
	received := &p.received
	var last atomic.Int64
	kick := make(chan struct{}, 1)
	sinks := make([]*sink, cfg.subscribers)
	errs := make([]error, cfg.subscribers)
	var wg sync.WaitGroup
	for i := range sinks {
		sinks[i] = &sink{epoch: e.epoch, hist: newHistogram(), received: received, last: &last, kick: kick}
		wg.Go(func() { errs[i] = d.subscribe(setup, i, sinks[i]) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		r.Skipped = "subscribe: " + err.Error()
		cleanup()
		return r
	}
	cancelSetup()

	pid := e.brokerPID(addr)
	p.started = time.Now()
	e.current.Store(p)
	defer e.current.Store(nil)

	runtime.GC() // leave the previous model's garbage out of this window
	cpu0, wire0 := selfCPU(), wire.snapshot()
	broker0, brokerErr := procCPU(cfg.procRoot, pid)
	t0 := time.Now()

	ackHist := newHistogram()
	var ackMu sync.Mutex
	var pubErr error
	var pubErrs atomic.Int64
	sent := e.publish(ctx, d, p, func(sentAt time.Duration, err error) {
		lat := int64(time.Since(e.epoch) - sentAt)
		ackMu.Lock()
		defer ackMu.Unlock()
		if err != nil {
			if ctx.Err() != nil {
				return // Ctrl-C, not a broker failure
			}
			pubErrs.Add(1)
			if pubErr == nil {
				pubErr = err
			}
			return
		}
		ackHist.Record(lat)
	})
	fctx, cancelFlush := context.WithTimeout(ctx, cfg.timeout)
	if err := d.flush(fctx); err != nil && ctx.Err() == nil {
		r.Notes = append(r.Notes, "flush: "+err.Error())
	}
	cancelFlush()
	pubEnd := time.Now()

	// Wait for the last deliveries: data, the deadline, or Ctrl-C.
	expected := sent * int64(cfg.subscribers)
	deadline := time.NewTimer(cfg.timeout)
	defer deadline.Stop()
wait:
	for received.Load() < expected {
		for _, s := range sinks {
			if s.failure() != nil {
				break wait
			}
		}
		select {
		case <-kick:
		case <-deadline.C:
			r.Notes = append(r.Notes, fmt.Sprintf("gave up waiting %v for the last deliveries", cfg.timeout))
			break wait
		case <-ctx.Done():
			break wait
		}
	}
	end := time.Now()
	cpu1, wire1 := selfCPU(), wire.snapshot()
	broker1, brokerErr1 := procCPU(cfg.procRoot, pid)
	cleanup() // stops the receivers: histograms are ours from here

	r.Sent, r.Expected, r.Received = sent, expected, received.Load()
	r.Lost = max(0, expected-r.Received)
	if ctx.Err() != nil {
		r.Notes = append(r.Notes, "interrupted: partial results")
	}
	ackMu.Lock()
	if pubErr != nil {
		r.Error = fmt.Sprintf("publish: %v (%d failed)", pubErr, pubErrs.Load())
	}
	ackMu.Unlock()
	for _, s := range sinks {
		if err := s.failure(); err != nil && r.Error == "" {
			r.Error = "receive: " + err.Error()
		}
		if n := s.bad.Load(); n > 0 {
			r.Notes = append(r.Notes, fmt.Sprintf("%d payloads without a timestamp", n))
		}
	}

	hist := ackHist
	if cfg.workload.receive {
		hist = newHistogram()
		for _, s := range sinks {
			hist.Merge(s.hist)
		}
		r.ElapsedMS = msSince(t0, e.epoch, last.Load())
		r.MsgsPerSec = rate(r.Received, r.ElapsedMS)
	} else {
		r.ElapsedMS = float64(pubEnd.Sub(t0)) / 1e6
		r.MsgsPerSec = rate(r.Sent-pubErrs.Load(), r.ElapsedMS)
	}
	if r.ElapsedMS == 0 {
		r.ElapsedMS = float64(end.Sub(t0)) / 1e6
	}
	r.Latency = hist.Summary()
	r.Histogram = hist.Bins(40)

	per := func(v float64) float64 {
		if sent == 0 {
			return 0
		}
		return v / float64(sent)
	}
	r.ClientCPUMS = float64(cpu1-cpu0) / 1e6
	r.ClientCPUPerMsgUS = per(float64(cpu1-cpu0) / 1e3)
	r.BrokerPID = pid
	if pid > 0 && brokerErr == nil && brokerErr1 == nil {
		ms := float64(broker1-broker0) / 1e6
		perMsg := per(ms * 1e3)
		r.BrokerCPUMS, r.BrokerCPUPerMsgUS = &ms, &perMsg
	}
	w := wire1.sub(wire0)
	r.BytesRead, r.BytesWritten, r.Writes, r.RoundTrips = w.Read, w.Written, w.Writes, w.RoundTrips
	r.BytesPerMsg = per(float64(w.Read + w.Written))
	r.WritesPerMsg = per(float64(w.Writes))
	r.RoundTripsPerMsg = per(float64(w.RoundTrips))
	return r
}

// msSince is the time from t0 to the last receipt (ns since epoch), in ms.
func msSince(t0, epoch time.Time, lastNS int64) float64 {
	if lastNS == 0 {
		return 0
	}
	return max(0, float64(time.Duration(lastNS)-t0.Sub(epoch))/1e6)
}

func rate(n int64, ms float64) float64 {
	if ms <= 0 || n <= 0 {
		return 0
	}
	return float64(n) / (ms / 1e3)
}
