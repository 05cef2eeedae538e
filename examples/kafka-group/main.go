// Command kafka-group shows Kafka consumer groups on Junction: a topic with
// three partitions, three franz-go consumers in one group (one partition
// each), then one consumer leaves and the group rebalances its partition
// onto the other two. The program checks that every record was consumed.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func suffix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func main() {
	addr := flag.String("kafka-addr", env("JUNCTION_KAFKA_ADDR", "127.0.0.1:9092"), "Kafka bootstrap address (host:port)")
	n := flag.Int("n", 300, "number of records (half before, half after the rebalance)")
	timeout := flag.Duration("timeout", 60*time.Second, "overall timeout")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, *addr, *n); err != nil {
		fmt.Fprintln(os.Stderr, "kafka-group: FAIL:", err)
		os.Exit(1)
	}
}

type state struct {
	mu     sync.Mutex
	owned  map[string][]int32 // consumer -> partitions
	seen   map[string]bool    // record value -> consumed
	dupes  int
	counts map[string]int
}

func (s *state) assignment() map[string][]int32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]int32, len(s.owned))
	for k, v := range s.owned {
		out[k] = slices.Sorted(slices.Values(v))
	}
	return out
}

func (s *state) consumed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

// waitFor polls cond until it holds or ctx ends.
func waitFor(ctx context.Context, what string, cond func() bool) error {
	for !cond() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("timed out waiting for %s", what)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

func run(ctx context.Context, addr string, n int) error {
	topic, group := "orders-"+suffix(), "billing-"+suffix()
	admin, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		return err
	}
	defer admin.Close()
	adm := kadm.NewClient(admin)
	if _, err := adm.CreateTopic(ctx, 3, 1, nil, topic); err != nil {
		return fmt.Errorf("create topic: %w", err)
	}
	defer adm.DeleteTopics(context.Background(), topic)
	fmt.Printf("created topic %s with 3 partitions\n", topic)

	st := &state{owned: map[string][]int32{}, seen: map[string]bool{}, counts: map[string]int{}}
	type member struct {
		name   string
		cl     *kgo.Client
		cancel context.CancelFunc
		done   chan struct{}
	}
	start := func(name string) (*member, error) {
		cl, err := kgo.NewClient(
			kgo.SeedBrokers(addr),
			kgo.ConsumerGroup(group),
			kgo.ConsumeTopics(topic),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
			// Short heartbeats make joins and leaves noticed quickly (demo only).
			kgo.HeartbeatInterval(300*time.Millisecond),
			kgo.SessionTimeout(6*time.Second),
			kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
				st.mu.Lock()
				st.owned[name] = append(st.owned[name], m[topic]...)
				st.mu.Unlock()
				fmt.Printf("  %s: assigned %v\n", name, m[topic])
			}),
			kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
				st.mu.Lock()
				st.owned[name] = slices.DeleteFunc(st.owned[name], func(p int32) bool { return slices.Contains(m[topic], p) })
				st.mu.Unlock()
				fmt.Printf("  %s: revoked %v\n", name, m[topic])
			}),
		)
		if err != nil {
			return nil, err
		}
		cctx, cancel := context.WithCancel(ctx)
		m := &member{name: name, cl: cl, cancel: cancel, done: make(chan struct{})}
		go func() {
			defer close(m.done)
			for {
				fs := cl.PollFetches(cctx)
				if cctx.Err() != nil || fs.IsClientClosed() {
					return
				}
				fs.EachError(func(t string, p int32, err error) {
					fmt.Printf("  %s: fetch error %s/%d: %v\n", name, t, p, err)
				})
				st.mu.Lock()
				fs.EachRecord(func(r *kgo.Record) {
					if st.seen[string(r.Value)] {
						st.dupes++
					}
					st.seen[string(r.Value)] = true
					st.counts[name]++
				})
				st.mu.Unlock()
			}
		}()
		return m, nil
	}

	var members []*member
	for _, name := range []string{"c1", "c2", "c3"} {
		m, err := start(name)
		if err != nil {
			return err
		}
		defer m.cl.Close()
		members = append(members, m)
	}
	if err := waitFor(ctx, "one partition per consumer", func() bool {
		a := st.assignment()
		return len(a["c1"]) == 1 && len(a["c2"]) == 1 && len(a["c3"]) == 1
	}); err != nil {
		return fmt.Errorf("%w (assignment %v)", err, st.assignment())
	}
	fmt.Printf("group %s balanced: %v\n", group, st.assignment())

	producer, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		return err
	}
	defer producer.Close()
	produce := func(from, to int) error {
		recs := make([]*kgo.Record, 0, to-from)
		for i := from; i < to; i++ {
			recs = append(recs, &kgo.Record{Topic: topic, Partition: int32(i % 3), Value: []byte(strconv.Itoa(i))})
		}
		return producer.ProduceSync(ctx, recs...).FirstErr()
	}
	half := n / 2
	if err := produce(0, half); err != nil {
		return fmt.Errorf("produce: %w", err)
	}
	fmt.Printf("produced %d records round-robin over 3 partitions\n", half)
	if err := waitFor(ctx, "first half consumed", func() bool { return st.consumed() == half }); err != nil {
		return fmt.Errorf("%w (%d of %d)", err, st.consumed(), half)
	}
	st.mu.Lock()
	fmt.Printf("consumed %d records: per consumer %v\n", half, st.counts)
	st.mu.Unlock()

	// c3 leaves the group: commit what it consumed, then close (LeaveGroup).
	leaver := members[2]
	leftPart := st.assignment()["c3"]
	if err := leaver.cl.CommitUncommittedOffsets(ctx); err != nil {
		return fmt.Errorf("c3 commit: %w", err)
	}
	leaver.cancel()
	<-leaver.done
	leaver.cl.Close()
	st.mu.Lock()
	delete(st.owned, "c3")
	st.mu.Unlock()
	fmt.Printf("c3 left the group (it owned %v)\n", leftPart)

	if err := waitFor(ctx, "rebalance onto c1 and c2", func() bool {
		a := st.assignment()
		return len(a["c1"])+len(a["c2"]) == 3 && len(a["c1"]) >= 1 && len(a["c2"]) >= 1
	}); err != nil {
		return fmt.Errorf("%w (assignment %v)", err, st.assignment())
	}
	after := st.assignment()
	fmt.Printf("rebalanced: %v\n", after)
	moved := ""
	for _, name := range []string{"c1", "c2"} {
		if slices.Contains(after[name], leftPart[0]) {
			moved = name
		}
	}
	if moved == "" {
		return fmt.Errorf("partition %d of c3 was not reassigned: %v", leftPart[0], after)
	}
	fmt.Printf("partition %d moved from c3 to %s\n", leftPart[0], moved)

	if err := produce(half, n); err != nil {
		return fmt.Errorf("produce: %w", err)
	}
	fmt.Printf("produced %d more records\n", n-half)
	if err := waitFor(ctx, "all records consumed", func() bool { return st.consumed() == n }); err != nil {
		return fmt.Errorf("%w (%d of %d)", err, st.consumed(), n)
	}
	st.mu.Lock()
	fmt.Printf("consumed per consumer %v (%d redelivered after the rebalance)\n", st.counts, st.dupes)
	st.mu.Unlock()
	for _, m := range members[:2] {
		m.cancel()
		<-m.done
	}
	fmt.Printf("OK: all %d records consumed by the group across the rebalance\n", n)
	return nil
}
