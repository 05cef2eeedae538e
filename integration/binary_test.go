// The binary's lifecycle: start, /healthz and /readyz, SIGTERM, restart,
// and the one-line errors for a bad flag, a port in use and an unwritable
// data directory. Also checks that imports point one way.
package integration

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func getStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestBinaryStartReadyStopRestart(t *testing.T) {
	p := startJunction(t)
	t.Logf("start to ready: %v", p.StartDur)
	if got := getStatus(t, "http://"+p.HTTPAddr+"/healthz"); got != 200 {
		t.Fatalf("/healthz = %d", got)
	}
	if got := getStatus(t, "http://"+p.HTTPAddr+"/readyz"); got != 200 {
		t.Fatalf("/readyz = %d", got)
	}
	for _, line := range []string{"protocol=http"} {
		if !strings.Contains(p.Logs(), line) {
			t.Errorf("log lacks %q:\n%s", line, p.Logs())
		}
	}
	d := p.Stop(t)
	t.Logf("SIGTERM to exit: %v", d)
	if d > time.Second {
		t.Errorf("idle shutdown took %v, want < 1s", d)
	}
	if !strings.Contains(p.Logs(), "msg=stopped") {
		t.Errorf("no clean stop logged:\n%s", p.Logs())
	}
	p.start(t)
	if got := getStatus(t, "http://"+p.HTTPAddr+"/readyz"); got != 200 {
		t.Fatalf("/readyz after restart = %d", got)
	}
	cmd := exec.Command(binary, "healthcheck", "--http-addr", p.HTTPAddr)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("healthcheck: %v %s", err, out)
	}
}

// runOnce runs the binary to completion and returns its exit code and stderr.
func runOnce(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), stderr.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, stderr.String()
}

func TestBinaryStartupErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	ro := filepath.Join(t.TempDir(), "file-not-dir")
	os.WriteFile(ro, []byte("x"), 0o644)
	off := []string{"--redis-addr", "", "--amqp-addr", "", "--kafka-addr", ""}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"bad flag", []string{"--no-such-flag"}, "flag provided but not defined"},
		{"bad fsync", append([]string{"--in-memory", "--fsync", "sometimes", "--http-addr", ""}, off...), "invalid --fsync"},
		{"port in use", append([]string{"--in-memory", "--http-addr", busy.Addr().String()}, off...), "address already in use"},
		{"data dir not a dir", append([]string{"--data-dir", filepath.Join(ro, "sub"), "--http-addr", ""}, off...), "data directory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stderr := runOnce(t, c.args...)
			if code != 1 {
				t.Fatalf("exit code %d, want 1; stderr:\n%s", code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "junction: ") || !strings.Contains(last, c.want) {
				t.Fatalf("last stderr line %q does not name the problem (%q)", last, c.want)
			}
		})
	}
	if code, _ := runOnce(t, "--version"); code != 0 {
		t.Fatalf("--version exit %d", code)
	}
	if code, _ := runOnce(t, "--help"); code != 0 {
		t.Fatalf("--help exit %d", code)
	}
}

// TestImportDirection checks cmd → frontends → broker → storage: no
// package imports a layer above its own.
func TestImportDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "junction/...").Output()
	if err != nil {
		t.Fatal(err)
	}
	rank := func(pkg string) int {
		switch {
		case strings.HasPrefix(pkg, "junction/storage"):
			return 0
		case strings.HasPrefix(pkg, "junction/broker"):
			return 1
		case strings.HasPrefix(pkg, "junction/frontends"):
			return 2
		case strings.HasPrefix(pkg, "junction/"):
			return 3
		}
		return -1
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		from := rank(f[0])
		for _, imp := range f[1:] {
			if to := rank(imp); to > from && from >= 0 && from < 3 {
				t.Errorf("%s imports %s, which is above it", f[0], imp)
			}
		}
	}
}
