package amqp

import (
	"context"
	"os/exec"
	"strings"
	"testing"
)

// pythonWithPika returns an interpreter that can import pika, or "".
func pythonWithPika() string {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if err := exec.Command(py, "-c", "import pika").Run(); err == nil {
			return py
		}
	}
	return ""
}

func TestPika(t *testing.T) {
	py := pythonWithPika()
	if py == "" {
		t.Skip("python3 with pika not found (Debian: apt-get install python3-pika)")
	}
	t.Parallel()
	e := newEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*wait)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, "testdata/pika_smoke.py", e.url+"%2F").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("pika: %v\n%s", err, out)
	}
}
