// Flags and configuration of `junction bench`: one flag set shared by every
// workload, with per-workload defaults (models, rate, subscribers). The
// broker address flags are the server's own (--redis-addr, --amqp-addr,
// --kafka-addr) and fall back to the same JUNCTION_* environment variables,
// so a shell set up for the server benchmarks that server.
package bench

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// workload is one kind of run: which models it accepts and its defaults.
type workload struct {
	name        string
	summary     string
	models      []string // accepted by --models
	defaults    []string // run when --models is not given
	receive     bool     // has subscribers; false measures publish→ack
	defaultRate float64  // messages/s; 0 = as fast as possible
	defaultSubs int
}

var workloads = []*workload{
	{name: "publish", summary: "publish throughput; latency is publish→ack",
		models:   []string{"redis-xadd", "redis-publish", "amqp", "kafka"},
		defaults: []string{"redis-xadd", "redis-publish", "amqp", "kafka"}},
	{name: "fanout", summary: "one publisher, --subscribers receivers (each gets every message)",
		models:   []string{"pubsub", "amqp", "xread", "kafka", "poll"},
		defaults: []string{"pubsub", "amqp", "xread", "kafka"}, receive: true, defaultSubs: 4},
	{name: "latency", summary: "end-to-end latency at a steady --rate",
		models:   []string{"pubsub", "amqp", "xread", "kafka", "poll"},
		defaults: []string{"pubsub", "amqp", "xread", "kafka", "poll"}, receive: true, defaultRate: 1000, defaultSubs: 1},
	{name: "compare", summary: "the same stream through every delivery model, one table",
		models:   []string{"pubsub", "amqp", "xread", "kafka", "poll"},
		defaults: []string{"pubsub", "amqp", "xread", "kafka", "poll"}, receive: true, defaultSubs: 1},
}

func findWorkload(name string) *workload {
	for _, w := range workloads {
		if w.name == name {
			return w
		}
	}
	return nil
}

// config is every setting of one bench run.
type config struct {
	workload     *workload
	redisAddr    string        // host:port or redis:// URL
	amqpURL      string        // amqp:// URL (host:port is turned into one)
	kafkaAddr    string        // comma-separated seed brokers
	format       string        // table, json or html
	messages     int64         // messages per model; 0 = until --duration
	size         int           // payload bytes, at least 8 (the timestamp)
	rate         float64       // messages/s; 0 = as fast as possible
	duration     time.Duration // stop publishing after this long; 0 = no limit
	models       []string      // models to run, in order
	out          string        // report file; empty = stdout
	subscribers  int           // receivers per model
	prefetch     int           // AMQP basic.qos prefetch and XREAD COUNT
	pollInterval time.Duration // pause of the polling baseline after a short read
	kafkaMaxWait time.Duration // Kafka FetchMaxWait
	kafkaGroups  bool          // Kafka consumers join groups (else assigned partitions)
	amqpDurable  bool          // durable queues (and exchange), persistent messages
	amqpConfirm  bool          // publisher confirms (default: publish workload only)
	amqpInflight int           // unconfirmed publishes before the publisher waits; 0 = no limit
	brokerPID    int           // broker process for CPU; 0 = find it by port
	timeout      time.Duration // setup, and waiting for the last deliveries
	progress     time.Duration // progress line interval; 0 = none
	procRoot     string        // /proc; tests point it elsewhere
}

// rateValue parses "1000", "1000/s", "2.5k/s" or "0" (as fast as possible).
type rateValue struct{ v *float64 }

func (r rateValue) String() string {
	if r.v == nil || *r.v == 0 {
		return "0"
	}
	return strconv.FormatFloat(*r.v, 'f', -1, 64) + "/s"
}

func (r rateValue) Set(s string) error {
	t := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), "/s")
	mult := 1.0
	if strings.HasSuffix(t, "k") {
		mult, t = 1000, strings.TrimSuffix(t, "k")
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 {
		return fmt.Errorf("want messages per second such as 1000/s, got %q", s)
	}
	*r.v = f * mult
	return nil
}

// envFallback names the flags that read a JUNCTION_* variable when unset.
var envFallback = []string{"redis-addr", "amqp-addr", "kafka-addr"}

func envName(flagName string) string {
	return "JUNCTION_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// boolFlag is a boolean flag whose default depends on the workload: it
// holds "" until given, then "true" or "false".
type boolFlag struct{ s *string }

func (b boolFlag) String() string {
	if b.s == nil {
		return ""
	}
	return *b.s
}

func (b boolFlag) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("want true or false, got %q", s)
	}
	*b.s = strconv.FormatBool(v)
	return nil
}

func (b boolFlag) IsBoolFlag() bool { return true }

// flagVars are the flags parsed into strings first, for per-workload
// defaults and validation.
type flagVars struct {
	models, rate, amqpConfirm string
}

func newFlagSet(c *config, v *flagVars) *flag.FlagSet {
	fs := flag.NewFlagSet("junction bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.redisAddr, "redis-addr", "127.0.0.1:6379", "Redis address, host:port or redis://[user:pass@]host:port/db")
	fs.StringVar(&c.amqpURL, "amqp-addr", "amqp://guest:guest@127.0.0.1:5672/", "AMQP 0-9-1 URL, or host:port (guest:guest, vhost /)")
	fs.StringVar(&c.kafkaAddr, "kafka-addr", "127.0.0.1:9092", "Kafka seed brokers, comma-separated host:port")
	fs.StringVar(&c.format, "format", "table", "report format: table, json or html")
	fs.Int64Var(&c.messages, "messages", 10000, "messages per model (0 with --duration: until the duration ends)")
	fs.IntVar(&c.size, "size", 128, "payload bytes (at least 8: the send timestamp)")
	fs.StringVar(&v.rate, "rate", "", "publish rate such as 1000/s; 0 = as fast as possible (default 1000/s for latency, else 0)")
	fs.DurationVar(&c.duration, "duration", 0, "stop publishing after this long (0 = when --messages are sent)")
	fs.StringVar(&v.models, "models", "", "comma-separated models to run (default: all of the workload)")
	fs.StringVar(&c.out, "out", "", "write the report to this file instead of stdout")
	fs.IntVar(&c.subscribers, "subscribers", 0, "receivers per model (default 4 for fanout, else 1)")
	fs.IntVar(&c.prefetch, "prefetch", 100, "AMQP prefetch (basic.qos) and XREAD COUNT")
	fs.DurationVar(&c.pollInterval, "poll-interval", 10*time.Millisecond, "polling baseline: pause after a read that did not fill COUNT")
	fs.DurationVar(&c.kafkaMaxWait, "kafka-max-wait", 500*time.Millisecond, "Kafka FetchMaxWait (long-poll limit)")
	fs.BoolVar(&c.kafkaGroups, "kafka-groups", true, "Kafka consumers join one consumer group each (false: read the partition directly)")
	fs.BoolVar(&c.amqpDurable, "amqp-durable", false, "AMQP: declare durable queues (and a durable fanout exchange) and publish persistent messages (delivery-mode 2)")
	fs.Var(boolFlag{&v.amqpConfirm}, "amqp-confirm", "AMQP: publisher confirms (confirm.select) on the publishing channel (default true for publish, else false)")
	fs.IntVar(&c.amqpInflight, "amqp-inflight", 1000, "AMQP with confirms: unconfirmed publishes at most; the publisher waits for confirms beyond this (0 = no limit)")
	fs.IntVar(&c.brokerPID, "broker-pid", 0, "broker process id for broker CPU (default: the local process listening on the model's port)")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Second, "limit for setup, and for the last deliveries once publishing ends")
	fs.DurationVar(&c.progress, "progress", time.Second, "interval of progress lines on stderr (0 = none)")
	return fs
}

// usage writes the help text.
func usage(w io.Writer) {
	var c config
	var v flagVars
	fs := newFlagSet(&c, &v)
	fmt.Fprintf(w, "Usage: junction bench <workload> [flags]\n\n"+
		"Load generator for Junction or any Redis, RabbitMQ or Kafka broker. Models\n"+
		"run one after another; each message carries its send time, so latency is\n"+
		"end to end. Progress goes to stderr, the report to stdout or --out.\n"+
		"With --rate 0 publishers that do not wait for the broker (Kafka, AMQP\n"+
		"without confirms) run ahead of their consumers, so latency includes the\n"+
		"backlog: compare latencies at a fixed --rate (the latency workload).\n"+
		"The AMQP model's queues are transient and its messages non-persistent\n"+
		"unless --amqp-durable; it waits for publisher confirms (at most\n"+
		"--amqp-inflight outstanding) in the publish workload, or anywhere with\n"+
		"--amqp-confirm, e.g. the durable, confirmed stream at full speed:\n"+
		"  junction bench latency --models amqp --rate 0 --amqp-durable --amqp-confirm\n\nWorkloads:\n")
	for _, wl := range workloads {
		fmt.Fprintf(w, "  %-8s %s\n           models: %s\n", wl.name, wl.summary, strings.Join(wl.models, ", "))
	}
	fmt.Fprintf(w, "\nModels:\n")
	c.workload = findWorkload("compare") // descriptions with the default prefetch, wait and interval
	for _, name := range modelOrder {
		fmt.Fprintf(w, "  %-14s %s\n", name, describe(modelSpecs[name], &c))
	}
	fmt.Fprintf(w, "\nFlags:\n")
	fs.VisitAll(func(f *flag.Flag) {
		env := ""
		if slices.Contains(envFallback, f.Name) {
			env = " [" + envName(f.Name) + "]"
		}
		fmt.Fprintf(w, "  --%s (default %q)%s\n      %s\n", f.Name, f.DefValue, env, f.Usage)
	})
}

// parseConfig reads the workload's flags. It returns flag.ErrHelp for --help.
func parseConfig(wl *workload, args []string) (*config, error) {
	c := &config{workload: wl, procRoot: "/proc"}
	var v flagVars
	fs := newFlagSet(c, &v)
	for _, name := range envFallback {
		if v, ok := os.LookupEnv(envName(name)); ok {
			if err := fs.Set(name, v); err != nil {
				return nil, fmt.Errorf("%s: %v", envName(name), err)
			}
		}
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	c.rate = wl.defaultRate
	if v.rate != "" {
		if err := (rateValue{&c.rate}).Set(v.rate); err != nil {
			return nil, fmt.Errorf("--rate: %v", err)
		}
	}
	if set["duration"] && !set["messages"] {
		c.messages = 0
	}
	switch {
	case c.messages < 0:
		return nil, errors.New("--messages must not be negative")
	case c.messages == 0 && c.duration <= 0:
		return nil, errors.New("--messages 0 needs a --duration")
	case c.size < 8:
		return nil, errors.New("--size must be at least 8 bytes (the send timestamp)")
	case c.prefetch < 1:
		return nil, errors.New("--prefetch must be at least 1")
	case c.timeout <= 0:
		return nil, errors.New("--timeout must be positive")
	case c.amqpInflight < 0:
		return nil, errors.New("--amqp-inflight must not be negative (0 = no limit)")
	}
	c.amqpConfirm = !wl.receive // the publish workload measures publish→confirm
	if v.amqpConfirm != "" {
		c.amqpConfirm = v.amqpConfirm == "true"
	}
	switch c.format {
	case "table", "json", "html":
	default:
		return nil, fmt.Errorf("--format %q: want table, json or html", c.format)
	}
	if !wl.receive {
		c.subscribers = 0
	} else if !set["subscribers"] {
		c.subscribers = wl.defaultSubs
	} else if c.subscribers < 1 {
		return nil, errors.New("--subscribers must be at least 1")
	}
	c.models = wl.defaults
	if v.models != "" {
		c.models = nil
		for _, m := range strings.Split(v.models, ",") {
			m = strings.TrimSpace(m)
			if m == "" {
				continue
			}
			if !slices.Contains(wl.models, m) {
				return nil, fmt.Errorf("--models: %q is not a model of %s (one of %s)", m, wl.name, strings.Join(wl.models, ", "))
			}
			if !slices.Contains(c.models, m) {
				c.models = append(c.models, m)
			}
		}
		if len(c.models) == 0 {
			return nil, errors.New("--models is empty")
		}
	}
	c.amqpURL = amqpURL(c.amqpURL)
	return c, nil
}

// amqpURL turns host:port into amqp://guest:guest@host:port/.
func amqpURL(s string) string {
	if strings.Contains(s, "://") {
		return s
	}
	return "amqp://guest:guest@" + s + "/"
}

// hostPort is the TCP address to probe for a model's protocol.
func (c *config) hostPort(proto string) (string, error) {
	switch proto {
	case "redis":
		if strings.Contains(c.redisAddr, "://") {
			u, err := url.Parse(c.redisAddr)
			if err != nil {
				return "", err
			}
			if u.Port() == "" {
				return net.JoinHostPort(u.Hostname(), "6379"), nil
			}
			return u.Host, nil
		}
		return c.redisAddr, nil
	case "amqp":
		u, err := url.Parse(c.amqpURL)
		if err != nil {
			return "", err
		}
		if u.Port() == "" {
			return net.JoinHostPort(u.Hostname(), "5672"), nil
		}
		return u.Host, nil
	case "kafka":
		first, _, _ := strings.Cut(c.kafkaAddr, ",")
		return strings.TrimSpace(first), nil
	}
	return "", fmt.Errorf("unknown protocol %q", proto)
}

// redacted returns s with any password in a URL replaced by "xxxxx".
func redacted(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		return u.Redacted()
	}
	return s
}
