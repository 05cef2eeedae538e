// The report: what a run measured, shared by the table, JSON and HTML
// renderers, with the definitions every renderer prints.
package bench

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// Report is the result of one `junction bench` run. Its JSON form is the
// --format json output.
type Report struct {
	Workload    string    `json:"workload"`
	Started     time.Time `json:"started"`
	Settings    Settings  `json:"settings"`
	LatencyKind string    `json:"latency_kind"` // "end-to-end" or "publish→ack"
	Interrupted bool      `json:"interrupted"`  // Ctrl-C: results are partial
	Results     []Result  `json:"results"`
}

// Settings are the parameters every model of a run shared.
type Settings struct {
	Messages       int64   `json:"messages"` // 0: until duration
	SizeBytes      int     `json:"size_bytes"`
	Rate           float64 `json:"rate_per_sec"` // 0: as fast as possible
	DurationMS     float64 `json:"duration_ms,omitempty"`
	Subscribers    int     `json:"subscribers"`
	Prefetch       int     `json:"prefetch"`
	AMQPDurable    bool    `json:"amqp_durable"`
	AMQPConfirm    bool    `json:"amqp_confirm"`
	AMQPInflight   int     `json:"amqp_inflight"` // 0: no limit
	PollIntervalMS float64 `json:"poll_interval_ms"`
	KafkaMaxWaitMS float64 `json:"kafka_max_wait_ms"`
	RedisAddr      string  `json:"redis_addr"`
	AMQPAddr       string  `json:"amqp_addr"` // password redacted
	KafkaAddr      string  `json:"kafka_addr"`
}

// Result is one model's measurements. Per-message figures divide by the
// messages published (in fanout a message counts once however many
// receivers it reaches). Broker CPU is null when the broker process was
// not found.
type Result struct {
	Model       string   `json:"model"`
	Description string   `json:"description"`
	Skipped     string   `json:"skipped,omitempty"` // why nothing was measured
	Error       string   `json:"error,omitempty"`   // what went wrong mid-run
	Notes       []string `json:"notes,omitempty"`

	Subscribers int   `json:"subscribers"`
	Sent        int64 `json:"sent"`
	Expected    int64 `json:"expected"` // deliveries: sent × subscribers
	Received    int64 `json:"received"`
	Lost        int64 `json:"lost"`

	ElapsedMS  float64         `json:"elapsed_ms"` // first send to last receipt (publish: to last ack)
	MsgsPerSec float64         `json:"msgs_per_sec"`
	Latency    *latencySummary `json:"latency,omitempty"`
	Histogram  []histBin       `json:"histogram,omitempty"`

	ClientCPUMS       float64  `json:"client_cpu_ms"`
	ClientCPUPerMsgUS float64  `json:"client_cpu_per_msg_us"`
	BrokerPID         int      `json:"broker_pid,omitempty"`
	BrokerCPUMS       *float64 `json:"broker_cpu_ms"`
	BrokerCPUPerMsgUS *float64 `json:"broker_cpu_per_msg_us"`

	BytesRead        int64   `json:"bytes_read"`
	BytesWritten     int64   `json:"bytes_written"`
	BytesPerMsg      float64 `json:"bytes_per_msg"`
	Writes           int64   `json:"writes"`
	WritesPerMsg     float64 `json:"writes_per_msg"`
	RoundTrips       int64   `json:"round_trips"`
	RoundTripsPerMsg float64 `json:"round_trips_per_msg"`
}

// definitions explain the columns; every format prints them.
var definitions = []string{
	"msg/s: deliveries per second from the first send to the last receipt (publish: acknowledged publishes per second).",
	"latency: receipt time minus the send time stamped in the payload (publish workload: publish→ack); HDR-style histogram, ±1%.",
	"CPU/msg: user+system CPU of the bench process (client) and of the broker process (/proc/<pid>/stat, 10 ms ticks) during the model's window, per published message.",
	"bytes/msg: bytes read+written on every client connection of the model, per published message.",
	"RT/msg: client round trips per published message: a write→read turn on one connection (writes before the next read count once; push deliveries never answered count zero).",
}

func (r *Report) header() string {
	s := r.Settings
	msgs := fmt.Sprintf("%d × %d B messages", s.Messages, s.SizeBytes)
	if s.Messages == 0 {
		msgs = fmt.Sprintf("%v of %d B messages", time.Duration(s.DurationMS*1e6), s.SizeBytes)
	} else if s.DurationMS > 0 {
		msgs += " (for at most " + time.Duration(s.DurationMS*1e6).String() + ")"
	}
	rate := "as fast as possible"
	if s.Rate > 0 {
		rate = fmt.Sprintf("%g/s", s.Rate)
	}
	h := fmt.Sprintf("junction bench %s: %s, rate %s", r.Workload, msgs, rate)
	switch {
	case s.Subscribers == 1:
		h += ", 1 subscriber per model"
	case s.Subscribers > 1:
		h += fmt.Sprintf(", %d subscribers per model", s.Subscribers)
	}
	if r.Interrupted {
		h += " — INTERRUPTED, partial results"
	}
	return h
}

// fmtLatency prints microseconds with three significant digits and a unit.
func fmtLatency(us float64) string {
	switch {
	case us >= 1e6:
		return fmt.Sprintf("%.3gs", us/1e6)
	case us >= 1e3:
		return fmt.Sprintf("%.3gms", us/1e3)
	default:
		return fmt.Sprintf("%.3gµs", us)
	}
}

// fmtCount prints n with thousands separators.
func fmtCount(n float64) string {
	s := fmt.Sprintf("%.0f", math.Round(n))
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func fmtCPU(us *float64) string {
	if us == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.1fµs", *us)
}

// cells is one row of the table and the HTML report.
func (r *Result) cells() []string {
	lat := func(f func(*latencySummary) float64) string {
		if r.Latency == nil {
			return "-"
		}
		return fmtLatency(f(r.Latency))
	}
	client := r.ClientCPUPerMsgUS
	recv := fmt.Sprintf("%d/%d", r.Received, r.Expected)
	if r.Expected == 0 {
		recv = fmt.Sprintf("%d sent", r.Sent)
	}
	return []string{
		r.Model, r.Description, fmtCount(r.MsgsPerSec),
		lat(func(l *latencySummary) float64 { return l.P50US }),
		lat(func(l *latencySummary) float64 { return l.P99US }),
		lat(func(l *latencySummary) float64 { return l.P999US }),
		fmtCPU(&client), fmtCPU(r.BrokerCPUPerMsgUS),
		fmt.Sprintf("%.0f", r.BytesPerMsg), fmt.Sprintf("%.2f", r.RoundTripsPerMsg), recv,
	}
}

// columns heads the table; latency columns name the latency kind.
var columns = []string{"MODEL", "DELIVERY", "MSG/S", "P50", "P99", "P99.9", "CLIENT CPU/MSG", "BROKER CPU/MSG", "BYTES/MSG", "RT/MSG", "RECEIVED"}

// notes lists errors and remarks per model, and where broker CPU came from.
func (r *Report) notes() []string {
	var notes []string
	pids := map[int][]string{}
	var order []int
	for _, res := range r.Results {
		if res.Error != "" {
			notes = append(notes, fmt.Sprintf("%s: error: %s", res.Model, oneLine(res.Error)))
		}
		for _, n := range res.Notes {
			notes = append(notes, fmt.Sprintf("%s: %s", res.Model, oneLine(n)))
		}
		switch {
		case res.Skipped != "":
		case res.BrokerCPUPerMsgUS == nil:
			notes = append(notes, res.Model+": broker CPU n/a (no local broker process found; see --broker-pid)")
		default:
			if pids[res.BrokerPID] == nil {
				order = append(order, res.BrokerPID)
			}
			pids[res.BrokerPID] = append(pids[res.BrokerPID], res.Model)
		}
	}
	for _, pid := range order {
		notes = append(notes, fmt.Sprintf("broker CPU of pid %d for %s", pid, strings.Join(pids[pid], ", ")))
	}
	return notes
}

// render writes the report in format.
func (r *Report) render(w io.Writer, format string) error {
	switch format {
	case "json":
		return r.writeJSON(w)
	case "html":
		return r.writeHTML(w)
	}
	return r.writeTable(w)
}
