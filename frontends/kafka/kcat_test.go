package kafka

import (
	"os/exec"
	"strings"
	"testing"
)

// TestKcat runs librdkafka (through kcat, when installed) against the
// server: produce with each codec, consume to the end, and a balanced
// consumer group that commits and resumes.
func TestKcat(t *testing.T) {
	kcat, err := exec.LookPath("kcat")
	if err != nil || testing.Short() {
		t.Skip("kcat not installed")
	}
	e := newEnv(t)
	run := func(stdin string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctxT(t), kcat, append([]string{"-b", e.addr}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("kcat %v: %v\n%s", args, err, out)
		}
		if strings.Contains(string(out), "PROTOERR") || strings.Contains(string(out), "ERROR") {
			t.Fatalf("kcat %v reported errors:\n%s", args, out)
		}
		return string(out)
	}
	for _, codec := range []string{"none", "gzip", "snappy", "lz4", "zstd"} {
		topic := "kcat-" + codec
		run("a\nb\nc\n", "-P", "-t", topic, "-z", codec, "-X", "enable.idempotence=true")
		out := run("", "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%o=%s,")
		if out != "0=a,1=b,2=c," {
			t.Fatalf("%s: consumed %q", codec, out)
		}
	}
	out := run("", "-G", "kg", "kcat-none", "-o", "beginning", "-e", "-q", "-f", "%s,")
	if out != "a,b,c," {
		t.Fatalf("group consume: %q", out)
	}
	run("d\n", "-P", "-t", "kcat-none")
	if out := run("", "-G", "kg", "kcat-none", "-e", "-q", "-f", "%s,"); out != "d," {
		t.Fatalf("group resume: %q", out)
	}
}
