// redis-cli (Debian redis-tools) against the real binary: a second,
// non-Go RESP client, including --resp3 and commands piped through stdin.
package integration

import (
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"
)

func TestRedisCLI(t *testing.T) {
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skip("redis-cli not installed (Debian: apt-get install redis-tools)")
	}
	p := startJunction(t)
	host, port, _ := net.SplitHostPort(p.RedisAddr)
	run := func(stdin string, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), raWait)
		defer cancel()
		cmd := exec.CommandContext(ctx, cli, append([]string{"-h", host, "-p", port}, args...)...)
		if stdin != "" {
			cmd.Stdin = strings.NewReader(stdin)
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("redis-cli %v: %v\n%s", args, err, out)
		}
		return strings.TrimRight(string(out), "\n")
	}

	if got := run("", "PING"); got != "PONG" {
		t.Fatalf("PING = %q", got)
	}
	id := run("", "XADD", "cli", "1-1", "field", "value")
	if id != "1-1" {
		t.Fatalf("XADD = %q", id)
	}
	if got := run("", "XADD", "cli", "*", "f2", "v2"); !strings.Contains(got, "-") || got == "1-1" {
		t.Fatalf("XADD * = %q", got)
	}
	// Non-tty output is raw: one element per line, nested arrays flattened.
	lines := strings.Split(run("", "XRANGE", "cli", "-", "+"), "\n")
	if len(lines) != 6 || lines[0] != "1-1" || lines[1] != "field" || lines[2] != "value" || lines[4] != "f2" || lines[5] != "v2" {
		t.Fatalf("XRANGE = %q", lines)
	}
	// -3 (redis-cli 7.0 spelling of --resp3) makes redis-cli send HELLO 3
	// first; a RESP3 map is printed one "key value" entry per line.
	hello := strings.Split(run("", "-3", "HELLO", "3"), "\n")
	found := false
	for _, line := range hello {
		// Raw output prints each map entry as "key value".
		if line == "proto 3" {
			found = true
		}
	}
	if !found {
		t.Fatalf("-3 HELLO 3 = %q, want proto 3", hello)
	}
	// --json renders RESP3 types: HELLO's reply must be a map, not an array.
	if got := run("", "-3", "--json", "HELLO", "3"); !strings.HasPrefix(got, "{") || !strings.Contains(got, `"proto":3`) {
		t.Fatalf("-3 --json HELLO 3 = %q, want a JSON object with proto 3", got)
	}
	if got := run("", "-3", "XLEN", "cli"); got != "2" {
		t.Fatalf("-3 XLEN = %q", got)
	}
	// Several commands through stdin, answered in order.
	got := strings.Split(run("PING\nXADD piped 5-0 a 1\nXADD piped 6-0 b 2\nXLEN piped\nXREVRANGE piped + - COUNT 1\nNOSUCHCMD\n"), "\n")
	want := []string{"PONG", "5-0", "6-0", "2", "6-0", "b", "2"}
	if len(got) < len(want)+1 || strings.Join(got[:len(want)], "|") != strings.Join(want, "|") ||
		!strings.Contains(got[len(want)], "unknown command 'NOSUCHCMD'") {
		t.Fatalf("piped output = %q", got)
	}
}
