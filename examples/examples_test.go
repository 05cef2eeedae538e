// Package examples_test builds the junction binary, starts it once on free
// loopback ports with --in-memory, and runs every example against it,
// checking each exits 0 and prints its success line.
package examples_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// broker is the one junction instance every example runs against.
var broker struct {
	redis, amqp, kafka string
	bin                string // directory with the built example binaries
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "junction-examples-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	broker.bin = dir
	// Build the broker and all examples in one go command (shared cache).
	build := exec.Command("go", "build", "-o", dir+string(filepath.Separator),
		"junction/cmd/junction",
		"junction/examples/work-queue", "junction/examples/event-stream", "junction/examples/kafka-group",
		"junction/examples/cross-protocol", "junction/examples/push-vs-pull")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		return 1
	}
	stop, err := startBroker(filepath.Join(dir, "junction"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer stop()
	return m.Run()
}

// startBroker starts junction on free ports and waits for its ready line.
func startBroker(binary string) (stop func(), err error) {
	ports := make([]string, 4)
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ports[i] = ln.Addr().String()
		ln.Close()
	}
	broker.redis, broker.amqp, broker.kafka = ports[0], ports[1], ports[2]
	cmd := exec.Command(binary, "--in-memory", "--redis-addr", ports[0], "--amqp-addr", ports[1],
		"--kafka-addr", ports[2], "--http-addr", ports[3])
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	stop = func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}
	ready := make(chan struct{})
	var logBuf bytes.Buffer
	go func() {
		sc := bufio.NewScanner(stderr)
		isReady := false
		for sc.Scan() {
			line := sc.Text()
			if !isReady {
				logBuf.WriteString(line + "\n")
				if strings.Contains(line, "msg=ready") {
					isReady = true
					close(ready)
				}
			}
		}
		io.Copy(io.Discard, stderr)
		cmd.Wait()
		close(exited)
	}()
	select {
	case <-ready:
		return stop, nil
	case <-exited:
		return nil, fmt.Errorf("junction exited before ready:\n%s", logBuf.String())
	case <-time.After(30 * time.Second):
		stop()
		return nil, fmt.Errorf("junction not ready after 30s:\n%s", logBuf.String())
	}
}

// runExample runs an example binary against the shared broker and checks
// it exits 0 and prints want.
func runExample(t *testing.T, name, want string, args ...string) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 80*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(broker.bin, name), args...)
	cmd.Env = append(os.Environ(),
		"JUNCTION_REDIS_ADDR="+broker.redis,
		"JUNCTION_AMQP_ADDR="+broker.amqp,
		"JUNCTION_KAFKA_ADDR="+broker.kafka)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("%s %v (%v):\n%s", name, args, time.Since(start).Round(time.Millisecond), out)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if !bytes.Contains(out, []byte(want)) {
		t.Fatalf("%s: output lacks %q", name, want)
	}
}

func TestWorkQueue(t *testing.T) {
	runExample(t, "work-queue", "OK: all 200 jobs done exactly once", "-n", "200")
}

func TestEventStream(t *testing.T) {
	runExample(t, "event-stream", "OK: all 200 entries acked exactly once, 0 pending", "-n", "200")
}

func TestKafkaGroup(t *testing.T) {
	runExample(t, "kafka-group", "OK: all 300 records consumed by the group across the rebalance", "-n", "300")
}

func TestCrossProtocol(t *testing.T) {
	runExample(t, "cross-protocol", "OK: kafka, redis and amqp all saw the same 20 messages in order", "-n", "20")
}

func TestPushVsPull(t *testing.T) {
	runExample(t, "push-vs-pull", "OK: all 4 models received all 1000 messages in order", "-n", "1000")
}
