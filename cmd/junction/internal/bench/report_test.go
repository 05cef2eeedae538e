// Rendering tests: the table has its header and every model, JSON parses
// back, HTML is self-contained with one <svg> per measured model.
package bench

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func sampleReport() *Report {
	hist := func(base int64) *Histogram {
		h := newHistogram()
		for i := range int64(1000) {
			h.Record(base + i*base/100)
		}
		return h
	}
	brokerCPU, brokerPer := 12.0, 1.2
	measured := func(model string, base int64, broker bool) Result {
		h := hist(base)
		r := Result{Model: model, Description: modelSpecs[model].desc, Subscribers: 1,
			Sent: 1000, Expected: 1000, Received: 1000, ElapsedMS: 100, MsgsPerSec: 10000,
			Latency: h.Summary(), Histogram: h.Bins(40), ClientCPUMS: 20, ClientCPUPerMsgUS: 2,
			BytesRead: 150000, BytesWritten: 200000, BytesPerMsg: 350, Writes: 1000, WritesPerMsg: 1,
			RoundTrips: 1000, RoundTripsPerMsg: 1}
		if broker {
			r.BrokerPID, r.BrokerCPUMS, r.BrokerCPUPerMsgUS = 4242, &brokerCPU, &brokerPer
		}
		return r
	}
	return &Report{
		Workload: "compare", Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), LatencyKind: "end-to-end",
		Settings: Settings{Messages: 1000, SizeBytes: 128, Subscribers: 1, Prefetch: 100, RedisAddr: "127.0.0.1:6379"},
		Results: []Result{
			measured("pubsub", 50_000, true),
			{Model: "amqp", Description: "AMQP <push>", Skipped: "dial tcp 127.0.0.1:5672: connect: connection refused"},
			measured("xread", 80_000, true),
			measured("poll", 5_000_000, false),
		},
	}
}

func TestTableReport(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport().render(&b, "table"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	lines := strings.Split(out, "\n")
	var header string
	for _, l := range lines {
		if strings.HasPrefix(l, "MODEL") {
			header = l
		}
	}
	for _, col := range columns {
		if !strings.Contains(header, col) {
			t.Errorf("header row %q lacks %s", header, col)
		}
	}
	for _, want := range []string{
		"junction bench compare: 1000 × 128 B messages, rate as fast as possible, 1 subscriber per model",
		"skipped: dial tcp 127.0.0.1:5672: connect: connection refused",
		"broker CPU of pid 4242 for pubsub, xread",
		"poll: broker CPU n/a",
		"RT/msg:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// Columns line up: every row's third column starts where MSG/S does.
	col := strings.Index(header, "MSG/S")
	for _, l := range lines {
		for _, m := range []string{"pubsub ", "xread ", "poll ", "amqp "} {
			if strings.HasPrefix(l, m) && (len(l) <= col || l[col-1] != ' ' || l[col] == ' ') {
				t.Errorf("row not aligned under MSG/S (col %d): %q", col, l)
			}
		}
	}
}

func TestJSONReport(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport().render(&b, "json"); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Workload    string
		Definitions []string
		Results     []struct {
			Model             string
			Skipped           string
			Received          int64
			Latency           *latencySummary
			BrokerCPUPerMsgUS *float64 `json:"broker_cpu_per_msg_us"`
			Histogram         []histBin
		}
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("JSON does not parse: %v\n%s", err, b.String())
	}
	if got.Workload != "compare" || len(got.Results) != 4 || len(got.Definitions) == 0 {
		t.Fatalf("decoded %+v", got)
	}
	if r := got.Results[0]; r.Latency == nil || r.Latency.P50US < 297 || r.Latency.P50US > 303 || len(r.Histogram) != 40 || r.BrokerCPUPerMsgUS == nil {
		t.Errorf("pubsub decoded as %+v", r)
	}
	if got.Results[1].Skipped == "" || got.Results[1].Latency != nil {
		t.Errorf("amqp decoded as %+v", got.Results[1])
	}
	if got.Results[3].BrokerCPUPerMsgUS != nil {
		t.Errorf("poll broker CPU = %v, want null", *got.Results[3].BrokerCPUPerMsgUS)
	}
}

func TestHTMLReport(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport().render(&b, "html"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if n := strings.Count(out, "<svg"); n != 3 {
		t.Errorf("%d <svg> elements, want one per measured model (3)", n)
	}
	if n := strings.Count(out, "</svg>"); n != 3 {
		t.Errorf("%d </svg>, want 3", n)
	}
	for _, bad := range []string{"<script", "<link", "src=", "href=", "@import"} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML is not self-contained: has %q", bad)
		}
	}
	for _, want := range []string{"<!DOCTYPE html>", "<th>P99.9</th>", "AMQP &lt;push&gt;", "skipped: dial tcp", "p99.9 "} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

func TestFormatting(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 1234567.4: "1,234,567", -12345: "-12,345"} {
		if got := fmtCount(in); got != want {
			t.Errorf("fmtCount(%v) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[float64]string{12.34: "12.3µs", 1500: "1.5ms", 2_500_000: "2.5s"} {
		if got := fmtLatency(in); got != want {
			t.Errorf("fmtLatency(%v) = %q, want %q", in, got, want)
		}
	}
}
