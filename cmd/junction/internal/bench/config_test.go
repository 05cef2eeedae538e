// Flag parsing: per-workload defaults, rates, model lists and errors.
package bench

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestConfigDefaults(t *testing.T) {
	for _, tc := range []struct {
		workload string
		rate     float64
		subs     int
		models   []string
	}{
		{"publish", 0, 0, []string{"redis-xadd", "redis-publish", "amqp", "kafka"}},
		{"fanout", 0, 4, []string{"pubsub", "amqp", "xread", "kafka"}},
		{"latency", 1000, 1, []string{"pubsub", "amqp", "xread", "kafka", "poll"}},
		{"compare", 0, 1, []string{"pubsub", "amqp", "xread", "kafka", "poll"}},
	} {
		c, err := parseConfig(findWorkload(tc.workload), nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.workload, err)
		}
		if c.rate != tc.rate || c.subscribers != tc.subs || !slices.Equal(c.models, tc.models) {
			t.Errorf("%s: rate %v subs %d models %v; want %v %d %v", tc.workload, c.rate, c.subscribers, c.models, tc.rate, tc.subs, tc.models)
		}
		if c.messages != 10000 || c.size != 128 || c.kafkaMaxWait != 500*time.Millisecond || c.pollInterval != 10*time.Millisecond {
			t.Errorf("%s: unexpected defaults %+v", tc.workload, c)
		}
	}
}

func TestConfigFlags(t *testing.T) {
	t.Setenv("JUNCTION_REDIS_ADDR", "10.0.0.1:7000")
	c, err := parseConfig(findWorkload("compare"), []string{
		"--rate", "2.5k/s", "--models", "poll, xread,poll", "--amqp-addr", "127.0.0.1:5673", "--duration", "3s",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.rate != 2500 || !slices.Equal(c.models, []string{"poll", "xread"}) || c.messages != 0 || c.duration != 3*time.Second {
		t.Errorf("got rate %v models %v messages %d duration %v", c.rate, c.models, c.messages, c.duration)
	}
	if c.amqpURL != "amqp://guest:guest@127.0.0.1:5673/" {
		t.Errorf("amqp url %q", c.amqpURL)
	}
	if c.redisAddr != "10.0.0.1:7000" {
		t.Errorf("redis addr %q, want the JUNCTION_REDIS_ADDR value", c.redisAddr)
	}
	if hp, _ := c.hostPort("amqp"); hp != "127.0.0.1:5673" {
		t.Errorf("amqp host:port %q", hp)
	}
	if redacted(c.amqpURL) != "amqp://guest:xxxxx@127.0.0.1:5673/" {
		t.Errorf("redacted %q", redacted(c.amqpURL))
	}
}

func TestConfigErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--models", "kafka,nope"},
		{"--models", "redis-xadd"}, // a publish model in compare
		{"--size", "4"},
		{"--rate", "fast"},
		{"--format", "xml"},
		{"--messages", "0"},
		{"--subscribers", "0"},
		{"extra"},
	} {
		if _, err := parseConfig(findWorkload("compare"), args); err == nil {
			t.Errorf("parseConfig(%q) succeeded", args)
		}
	}
}

func TestUsageAndUnknownWorkload(t *testing.T) {
	var out, errb strings.Builder
	if code := run(t.Context(), []string{"--help"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "compare") {
		t.Errorf("--help: code %d, output %q", code, out.String())
	}
	if code := run(t.Context(), []string{"nope"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "unknown workload") {
		t.Errorf("unknown workload: code %d, stderr %q", code, errb.String())
	}
}
