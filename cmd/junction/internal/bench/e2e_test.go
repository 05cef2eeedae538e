// End-to-end runs with real clients: the Redis models against a real
// redis-server (skipped when it is not installed), the Kafka model against
// franz-go's in-process kfake cluster, and an unreachable broker.
package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/twmb/franz-go/pkg/kfake"
)

// freePort returns a port nothing listens on (just now).
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startRedis runs redis-server on a free port and returns its address and
// process. It waits for the server's own "Ready to accept connections" line.
func startRedis(t *testing.T) (string, *os.Process) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if _, err := os.Stat("/usr/bin/redis-server"); err != nil {
			t.Skip("redis-server is not installed")
		}
		bin = "/usr/bin/redis-server"
	}
	for attempt := 0; attempt < 3; attempt++ {
		port := freePort(t)
		cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", "")
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = cmd.Stdout
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ready := false
		var log strings.Builder
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "Ready to accept connections") {
				ready = true
				break
			}
		}
		if !ready { // exited: most likely the port was taken meanwhile
			cmd.Wait()
			t.Logf("redis-server did not start:\n%s", log.String())
			continue
		}
		go func() { // keep draining so the server never blocks on its log
			for sc.Scan() {
			}
		}()
		t.Cleanup(func() {
			cmd.Process.Kill()
			cmd.Wait()
		})
		return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), cmd.Process
	}
	t.Fatal("could not start redis-server")
	return "", nil
}

// decodeReport runs bench with args (JSON output) and decodes the report.
func decodeReport(t *testing.T, wantCode int, args ...string) *Report {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	code := run(ctx, append(args, "--format", "json", "--progress", "100ms"), &out, &errb)
	if code != wantCode {
		t.Fatalf("exit code %d, want %d; stderr:\n%s\nstdout:\n%s", code, wantCode, errb.String(), out.String())
	}
	var rep Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, out.String())
	}
	return &rep
}

func TestCompareRedisModels(t *testing.T) {
	addr, proc := startRedis(t)
	const n = 2000
	rep := decodeReport(t, 0, "compare", "--redis-addr", addr, "--models", "pubsub,xread,poll",
		"--messages", strconv.Itoa(n), "--timeout", "20s")
	if len(rep.Results) != 3 {
		t.Fatalf("%d results, want 3", len(rep.Results))
	}
	for _, r := range rep.Results {
		if r.Skipped != "" || r.Error != "" {
			t.Errorf("%s: skipped %q, error %q", r.Model, r.Skipped, r.Error)
			continue
		}
		if r.Sent != n || r.Received != n || r.Lost != 0 {
			t.Errorf("%s: sent %d received %d lost %d, want %d each and none lost", r.Model, r.Sent, r.Received, r.Lost, n)
		}
		if r.MsgsPerSec <= 0 || r.Latency == nil || r.Latency.P50US <= 0 || r.Latency.P99US < r.Latency.P50US ||
			r.Latency.P999US < r.Latency.P99US || r.Latency.Count != n {
			t.Errorf("%s: rate %v latency %+v", r.Model, r.MsgsPerSec, r.Latency)
		}
		if r.BytesPerMsg < float64(2*128) || r.RoundTripsPerMsg <= 0 || r.ClientCPUPerMsgUS <= 0 {
			t.Errorf("%s: bytes/msg %v RT/msg %v client CPU/msg %v", r.Model, r.BytesPerMsg, r.RoundTripsPerMsg, r.ClientCPUPerMsgUS)
		}
		if r.BrokerPID != proc.Pid || r.BrokerCPUPerMsgUS == nil {
			t.Errorf("%s: broker pid %d (want %d), broker CPU %v", r.Model, r.BrokerPID, proc.Pid, r.BrokerCPUPerMsgUS)
		}
	}
	// The polling baseline waits up to an interval for data; push does not.
	if pub, poll := rep.Results[0].Latency, rep.Results[2].Latency; poll.P50US <= pub.P50US {
		t.Errorf("poll p50 %vµs is not above pubsub p50 %vµs", poll.P50US, pub.P50US)
	}
	// Nothing is left behind.
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2})
	defer c.Close()
	if keys, err := c.Keys(t.Context(), "bench-*").Result(); err != nil || len(keys) != 0 {
		t.Errorf("keys left: %v, %v", keys, err)
	}
}

func TestPublishAndFanoutRedis(t *testing.T) {
	addr, _ := startRedis(t)
	rep := decodeReport(t, 0, "publish", "--redis-addr", addr, "--models", "redis-xadd,redis-publish", "--messages", "500")
	for _, r := range rep.Results {
		if r.Sent != 500 || r.Latency == nil || r.Latency.Count != 500 || r.MsgsPerSec <= 0 || r.RoundTripsPerMsg < 0.99 {
			t.Errorf("publish %s: %+v", r.Model, r)
		}
	}
	rep = decodeReport(t, 0, "fanout", "--redis-addr", addr, "--models", "pubsub,xread", "--subscribers", "3",
		"--messages", "300", "--rate", "20k/s")
	for _, r := range rep.Results {
		if r.Expected != 900 || r.Received != 900 {
			t.Errorf("fanout %s: received %d of %d, want 900", r.Model, r.Received, r.Expected)
		}
	}
}

func TestCompareKafkaOnKfake(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	rep := decodeReport(t, 0, "compare", "--kafka-addr", strings.Join(cluster.ListenAddrs(), ","),
		"--models", "kafka", "--messages", "300", "--kafka-max-wait", "100ms")
	r := rep.Results[0]
	if r.Skipped != "" || r.Error != "" || r.Received != 300 || r.Latency == nil || r.MsgsPerSec <= 0 {
		t.Fatalf("kafka: %+v", r)
	}
	for _, n := range r.Notes {
		if strings.Contains(n, "cleanup") {
			t.Errorf("kafka: %s", n)
		}
	}
}

func TestUnreachableBrokerIsSkipped(t *testing.T) {
	port := strconv.Itoa(freePort(t))
	rep := decodeReport(t, 1, "compare", "--models", "amqp,kafka,pubsub", "--messages", "10",
		"--amqp-addr", "127.0.0.1:"+port, "--kafka-addr", "127.0.0.1:"+port, "--redis-addr", "127.0.0.1:"+port)
	for _, r := range rep.Results {
		if !strings.Contains(r.Skipped, "refused") {
			t.Errorf("%s: skipped %q, want a connection refused reason", r.Model, r.Skipped)
		}
	}
}

func TestInterruptPrintsPartialResults(t *testing.T) {
	addr, _ := startRedis(t)
	ctx, cancel := context.WithCancel(t.Context())
	var out bytes.Buffer
	// Cancel once the first progress line shows messages flowing.
	errw := &signalWriter{match: regexp.MustCompile(`received [1-9]`), fire: cancel}
	code := run(ctx, []string{"latency", "--redis-addr", addr, "--models", "pubsub,xread", "--messages", "1000000",
		"--rate", "2000", "--progress", "50ms", "--format", "json"}, &out, errw)
	if code != 130 {
		t.Fatalf("exit code %d, want 130", code)
	}
	var rep Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.Interrupted || rep.Results[0].Received == 0 || rep.Results[1].Skipped != "interrupted" {
		t.Fatalf("interrupted %v, results %+v", rep.Interrupted, rep.Results)
	}
}

// signalWriter calls fire the first time a write matches match.
type signalWriter struct {
	match *regexp.Regexp
	fire  func()
	fired bool
}

func (w *signalWriter) Write(p []byte) (int, error) {
	if !w.fired && w.match.Match(p) {
		w.fired = true
		w.fire()
	}
	return len(p), nil
}

// TestAMQPAgainstBroker runs the AMQP model (compare, fanout and publish)
// against the broker at $JUNCTION_BENCH_AMQP_URL, e.g. a local RabbitMQ or
// Junction; without it the test is skipped.
func TestAMQPAgainstBroker(t *testing.T) {
	url := os.Getenv("JUNCTION_BENCH_AMQP_URL")
	if url == "" {
		t.Skip("set JUNCTION_BENCH_AMQP_URL to run the AMQP model against a broker")
	}
	rep := decodeReport(t, 0, "compare", "--amqp-addr", url, "--models", "amqp", "--messages", "1000", "--rate", "5000")
	if r := rep.Results[0]; r.Skipped != "" || r.Error != "" || r.Received != 1000 || r.Latency == nil || len(r.Notes) > 0 {
		t.Errorf("compare: %+v", r)
	}
	rep = decodeReport(t, 0, "fanout", "--amqp-addr", url, "--models", "amqp", "--subscribers", "3", "--messages", "500")
	if r := rep.Results[0]; r.Received != 1500 || len(r.Notes) > 0 {
		t.Errorf("fanout: %+v", r)
	}
	rep = decodeReport(t, 0, "publish", "--amqp-addr", url, "--models", "amqp", "--messages", "1000")
	if r := rep.Results[0]; r.Sent != 1000 || r.Latency == nil || r.Latency.Count != 1000 || len(r.Notes) > 0 {
		t.Errorf("publish: %+v", r)
	}
}
