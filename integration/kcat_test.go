// librdkafka (Debian's kcat) against the real binary: metadata, producing
// with each compression codec this build supports, consuming to the end and
// a balanced consumer group.
package integration

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// kcatPath returns the kcat binary or skips the test.
func kcatPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("kcat")
	if err != nil {
		t.Skip("kcat not installed")
	}
	return path
}

// kcatCodecs returns the compression codecs this kcat build supports.
func kcatCodecs(t *testing.T, kcat string) []string {
	t.Helper()
	out, err := exec.Command(kcat, "-X", "dump").CombinedOutput()
	if err != nil {
		t.Fatalf("kcat -X dump: %v\n%s", err, out)
	}
	codecs := []string{"none"}
	for line := range strings.Lines(string(out)) {
		if feats, ok := strings.CutPrefix(strings.TrimSpace(line), "builtin.features = "); ok {
			for _, c := range []string{"gzip", "snappy", "lz4", "zstd"} {
				if strings.Contains(","+feats+",", ","+c+",") {
					codecs = append(codecs, c)
				}
			}
		}
	}
	return codecs
}

func TestKcat(t *testing.T) {
	kcat := kcatPath(t)
	t.Parallel()
	p := startJunction(t)
	run := func(stdin string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctxFor(t, 30*time.Second), kcat, append([]string{"-b", p.KafkaAddr}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("kcat %v: %v\n%s%s", args, err, out, stderr.String())
		}
		if s := stderr.String(); strings.Contains(s, "ERROR") || strings.Contains(s, "PROTOERR") {
			t.Fatalf("kcat %v reported errors:\n%s", args, s)
		}
		return string(out)
	}

	codecs := kcatCodecs(t, kcat)
	t.Logf("kcat codecs: %v", codecs)
	lines := []string{"alpha", "bravo with spaces", "charlie", strings.Repeat("delta", 200)}
	for _, codec := range codecs {
		topic := "kcat-" + codec
		var in strings.Builder
		var want strings.Builder
		for i, l := range lines {
			fmt.Fprintf(&in, "key%d:%s\n", i, l)
			fmt.Fprintf(&want, "%d key%d %s h=v\n", i, i, l)
		}
		run(in.String(), "-P", "-t", topic, "-K:", "-H", "h=v", "-z", codec)
		got := run("", "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%o %k %s %h\n")
		if got != want.String() {
			t.Fatalf("%s: consumed\n%q\nwant\n%q", codec, got, want.String())
		}
	}

	meta := run("", "-L")
	if !strings.Contains(meta, "at "+p.KafkaAddr) {
		t.Fatalf("metadata lacks the broker %s:\n%s", p.KafkaAddr, meta)
	}
	for _, codec := range codecs {
		if !strings.Contains(meta, fmt.Sprintf("topic \"kcat-%s\" with 1 partitions", codec)) {
			t.Fatalf("metadata lacks topic kcat-%s:\n%s", codec, meta)
		}
	}

	// A balanced consumer runs until killed: read until it printed every
	// record, bounded by a timeout.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, kcat, "-b", p.KafkaAddr, "-G", "kcat-group", "kcat-none",
		"-o", "beginning", "-q", "-u", "-f", "%o %s\n")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	began := time.Now()
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for i, l := range lines {
		if !sc.Scan() {
			t.Fatalf("group consumer stopped after %d records (%v): %v\n%s", i, time.Since(began), sc.Err(), stderr.String())
		}
		if want := fmt.Sprintf("%d %s", i, l); sc.Text() != want {
			t.Fatalf("group consumer record %d = %.40q, want %.40q", i, sc.Text(), want)
		}
	}
	t.Logf("kcat -G received all %d records after %v", len(lines), time.Since(began))
}
