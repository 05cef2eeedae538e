// Harness for black-box tests: build the real junction binary once, start it
// on free loopback ports with a temporary data directory, wait for its
// "ready" log line (no sleeping or polling), and stop it with SIGTERM.
package integration

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the junction binary built by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "junction-it-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "junction")
	build := exec.Command("go", "build", "-race", "-o", binary, "junction/cmd/junction")
	if os.Getenv("JUNCTION_IT_NORACE") != "" {
		build = exec.Command("go", "build", "-o", binary, "junction/cmd/junction")
	}
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building junction:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is one running junction process.
type proc struct {
	RedisAddr, AMQPAddr, KafkaAddr, HTTPAddr string
	DataDir                                  string
	Args                                     []string // extra flags

	cmd      *exec.Cmd
	exited   chan struct{}
	waitErr  error
	mu       sync.Mutex
	logs     strings.Builder
	StartDur time.Duration // exec to "ready" line
}

// freeAddr returns a loopback address with a port that was free just now.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startJunction starts the binary on free ports with a new temp data dir
// and extra flags, and registers a cleanup that stops it.
func startJunction(t testing.TB, extra ...string) *proc {
	t.Helper()
	p := &proc{
		RedisAddr: freeAddr(t), AMQPAddr: freeAddr(t), KafkaAddr: freeAddr(t), HTTPAddr: freeAddr(t),
		DataDir: t.TempDir(), Args: extra,
	}
	p.start(t)
	t.Cleanup(func() { p.kill() })
	return p
}

func (p *proc) start(t testing.TB) {
	t.Helper()
	args := append([]string{
		"--data-dir", p.DataDir, "--redis-addr", p.RedisAddr, "--amqp-addr", p.AMQPAddr,
		"--kafka-addr", p.KafkaAddr, "--http-addr", p.HTTPAddr, "--log-level", "debug",
	}, p.Args...)
	cmd := exec.Command(binary, args...)
	// The race runtime sleeps 1s at exit by default; shutdown timing is measured.
	cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.cmd, p.exited = cmd, make(chan struct{})
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.logs.WriteString(line + "\n")
			p.mu.Unlock()
			if !signalled && strings.Contains(line, "msg=ready") {
				signalled = true
				close(ready)
			}
		}
		io.Copy(io.Discard, stderr)
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	select {
	case <-ready:
		p.StartDur = time.Since(began)
	case <-p.exited:
		t.Fatalf("junction exited before ready: %v\n%s", p.waitErr, p.Logs())
	case <-time.After(30 * time.Second):
		t.Fatalf("junction not ready after 30s\n%s", p.Logs())
	}
}

// Logs returns everything the process logged so far.
func (p *proc) Logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// Stop sends SIGTERM and waits for a clean exit, returning how long it took.
func (p *proc) Stop(t testing.TB) time.Duration {
	t.Helper()
	began := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		p.kill()
		t.Fatalf("junction did not exit within 20s of SIGTERM\n%s", p.Logs())
	}
	if p.waitErr != nil {
		t.Fatalf("junction exited with %v after SIGTERM\n%s", p.waitErr, p.Logs())
	}
	return time.Since(began)
}

// Kill9 ends the process with SIGKILL (a crash) and waits for it.
func (p *proc) Kill9(t testing.TB) {
	t.Helper()
	p.cmd.Process.Kill()
	<-p.exited
}

// Restart stops the process (SIGTERM) and starts it again on the same ports
// and data directory.
func (p *proc) Restart(t testing.TB) {
	t.Helper()
	p.Stop(t)
	p.start(t)
}

func (p *proc) kill() {
	if p.cmd != nil && p.cmd.Process != nil {
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Kill()
			<-p.exited
		}
	}
}

// ctx returns a context that ends with the test (or after d).
func ctxFor(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
