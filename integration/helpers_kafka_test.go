// Helpers for the Kafka black-box tests: franz-go clients pointed at a
// running junction process, synchronous produce and bounded consumption.
package integration

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// newKgo returns a franz-go client for p, closed when the test ends.
func newKgo(t testing.TB, p *proc, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{
		kgo.SeedBrokers(p.KafkaAddr),
		kgo.RetryTimeout(10 * time.Second),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// newKadm returns an admin client for p.
func newKadm(t testing.TB, p *proc) *kadm.Client {
	t.Helper()
	return kadm.NewClient(newKgo(t, p))
}

// createTopic creates a topic with partitions and configs and fails the test
// unless it was created.
func createTopic(t testing.TB, adm *kadm.Client, name string, partitions int32, configs map[string]*string) {
	t.Helper()
	resp, err := adm.CreateTopics(ctxFor(t, 10*time.Second), partitions, 1, configs, name)
	if err != nil {
		t.Fatalf("CreateTopics %s: %v", name, err)
	}
	if r, err := resp.On(name, nil); err != nil || r.Err != nil {
		t.Fatalf("CreateTopics %s: %v %v", name, err, r.Err)
	}
}

// produceSync produces recs and fails the test on any error.
func produceSync(t testing.TB, cl *kgo.Client, recs ...*kgo.Record) {
	t.Helper()
	if err := cl.ProduceSync(ctxFor(t, 30*time.Second), recs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
}

// consumeN polls cl until it returned n records or d passed.
func consumeN(t testing.TB, cl *kgo.Client, n int, d time.Duration) []*kgo.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var got []*kgo.Record
	for len(got) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d records within %v", len(got), n, d)
		}
		fs.EachError(func(topic string, part int32, err error) {
			t.Fatalf("fetch %s/%d: %v", topic, part, err)
		})
		got = append(got, fs.Records()...)
	}
	return got
}

// waitFor blocks until cond holds, re-checking it each time something is
// sent on changed, and fails the test after d.
func waitFor(t testing.TB, changed <-chan struct{}, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(d)
	for !cond() {
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
	}
}

// notify sends on ch without blocking (ch must be buffered).
func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// assignments tracks which partitions each group member holds, from kgo's
// assignment callbacks, and signals every change.
type assignments struct {
	mu      sync.Mutex
	held    map[string]map[int32]bool // member name → partitions
	changed chan struct{}
}

func newAssignments() *assignments {
	return &assignments{held: map[string]map[int32]bool{}, changed: make(chan struct{}, 1)}
}

// opts returns the callbacks recording member's assignment.
func (a *assignments) opts(member string) []kgo.Opt {
	return []kgo.Opt{
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			a.mu.Lock()
			if a.held[member] == nil {
				a.held[member] = map[int32]bool{}
			}
			for _, ps := range m {
				for _, p := range ps {
					a.held[member][p] = true
				}
			}
			a.mu.Unlock()
			notify(a.changed)
		}),
		kgo.OnPartitionsRevoked(a.drop(member)),
		kgo.OnPartitionsLost(a.drop(member)),
	}
}

func (a *assignments) drop(member string) func(context.Context, *kgo.Client, map[string][]int32) {
	return func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
		a.mu.Lock()
		for _, ps := range m {
			for _, p := range ps {
				delete(a.held[member], p)
			}
		}
		a.mu.Unlock()
		notify(a.changed)
	}
}

// covers reports whether members together hold exactly partitions 0..n-1,
// each partition once and every member at least one.
func (a *assignments) covers(n int32, members ...string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	seen := map[int32]bool{}
	for _, m := range members {
		if len(a.held[m]) == 0 {
			return false
		}
		for p := range a.held[m] {
			if seen[p] {
				return false
			}
			seen[p] = true
		}
	}
	for p := int32(0); p < n; p++ {
		if !seen[p] {
			return false
		}
	}
	return int32(len(seen)) == n
}

func (a *assignments) String() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return fmt.Sprint(a.held)
}
