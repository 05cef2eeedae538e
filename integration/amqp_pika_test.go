// Python pika (a second, non-Go AMQP stack) against the real binary.
package integration

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

func TestAMQPPika(t *testing.T) {
	py := raPythonWithPika()
	if py == "" {
		t.Skip("no python3 that imports pika (Debian: apt-get install python3-pika)")
	}
	p := startJunction(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*raWait)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, "testdata/pika_roundtrip.py", raAMQPURL(p)+"%2F").CombinedOutput()
	if err != nil {
		t.Fatalf("pika script: %v\n%s\nserver log:\n%s", err, out, p.Logs())
	}
	var recv []string
	for i := 0; i < 20; i++ {
		recv = append(recv, fmt.Sprintf("pika-%d/%d/False", i, i))
	}
	want := []string{
		"confirmed 20",
		"unroutable returned",
		"received " + strings.Join(recv, ","),
		"left 0",
		"OK",
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(want)+1 || !strings.HasPrefix(lines[0], "connected server=") {
		t.Fatalf("pika output:\n%s", out)
	}
	for i, w := range want {
		if lines[i+1] != w {
			t.Fatalf("pika line %d = %q, want %q\nfull output:\n%s", i+1, lines[i+1], w, out)
		}
	}
	t.Log(lines[0])
}
