// Tests of the stream-group operations (ReadNew, ReadHistory, Claim,
// AutoClaim, Ack), entries-read and lag bookkeeping as Redis 7 does it,
// approximate trimming by whole nodes, and group state across a restart.
package broker_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"junction/broker"
	"junction/broker/brokertest"
	"junction/storage"
)

// streamClock is a settable clock for broker.Config.Now.
type streamClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *streamClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *streamClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func sid(ms uint64) storage.StreamID { return storage.StreamID{Ms: ms} }

// streamWith returns a partition holding entries with IDs 1-0 … n-0.
func streamWith(t *testing.T, b *broker.Broker, n int) *broker.Partition {
	t.Helper()
	p := mustTopic(t, b, "s", 1).Partition(0)
	for i := 1; i <= n; i++ {
		r := storage.Record{Origin: storage.OriginRedis, Headers: []storage.Header{{Key: []byte("f"), Value: []byte(fmt.Sprint(i))}}}
		if _, err := p.AppendEntry(&r, broker.IDSpec{Mode: broker.IDExplicit, Ms: uint64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func pendingOf(g *broker.StreamGroup) string {
	var s string
	g.View(func(st *broker.GroupState) {
		for _, e := range st.PEL {
			s += fmt.Sprintf("%v:%s:%d ", e.ID, e.Consumer, e.Count)
		}
	})
	return s
}

func TestStreamGroupReadNewAndHistory(t *testing.T) {
	clk := &streamClock{t: time.UnixMilli(1000)}
	b := brokertest.Memory(t).New(t, broker.Config{Now: clk.Now})
	p := streamWith(t, b, 3)
	g, err := p.CreateGroup("g", storage.StreamID{}, -1)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := g.ReadNew("alice", 2, false)
	if err != nil || len(recs) != 2 || recs[1].ID != sid(2) {
		t.Fatalf("ReadNew = %v, %v", recs, err)
	}
	if got := pendingOf(g); got != "1-0:alice:1 2-0:alice:1 " {
		t.Fatalf("PEL = %q", got)
	}
	g.View(func(s *broker.GroupState) {
		if s.LastID != sid(2) || s.EntriesRead != 2 || s.Consumers["alice"].ActiveTime != 1000 {
			t.Fatalf("state = %+v %+v", s, s.Consumers["alice"])
		}
	})
	// NOACK delivers without a PEL entry.
	recs, _ = g.ReadNew("bob", 0, true)
	if len(recs) != 1 || pendingOf(g) != "1-0:alice:1 2-0:alice:1 " {
		t.Fatalf("NOACK read %v, PEL %q", recs, pendingOf(g))
	}
	if recs, _ = g.ReadNew("bob", 0, false); len(recs) != 0 {
		t.Fatalf("nothing new expected, got %v", recs)
	}
	// History re-delivers alice's entries; a deleted one reads as nil.
	p.DeleteIDs([]storage.StreamID{sid(1)})
	clk.Add(5 * time.Millisecond)
	hist, err := g.ReadHistory("alice", storage.StreamID{}, 0)
	if err != nil || len(hist) != 2 || hist[0].Record != nil || hist[1].Record == nil {
		t.Fatalf("history = %+v, %v", hist, err)
	}
	if got := pendingOf(g); got != "1-0:alice:1 2-0:alice:2 " {
		t.Fatalf("PEL after history = %q", got)
	}
	if hist, _ := g.ReadHistory("bob", storage.StreamID{}, 0); len(hist) != 0 {
		t.Fatalf("bob's history = %+v", hist)
	}
	// Acks.
	if n, _ := g.Ack([]storage.StreamID{sid(1), sid(1), sid(9)}); n != 1 {
		t.Fatalf("Ack = %d", n)
	}
}

func TestStreamGroupLagFollowsRedis(t *testing.T) {
	b := brokertest.New(t)
	p := streamWith(t, b, 5)
	p.DeleteIDs([]storage.StreamID{sid(3)})
	g1, _ := p.CreateGroup("g1", storage.StreamID{}, -1)
	g2, _ := p.CreateGroup("g2", storage.StreamID{}, -1)
	lag := func(g *broker.StreamGroup) string {
		var s string
		g.View(func(st *broker.GroupState) {
			l, ok := p.Info().Lag(st.LastID, st.EntriesRead)
			s = fmt.Sprintf("read=%d lag=%d/%v", st.EntriesRead, l, ok)
		})
		return s
	}
	want := func(g *broker.StreamGroup, w string) {
		t.Helper()
		if got := lag(g); got != w {
			t.Fatalf("%s: got %s, want %s", g.Name(), got, w)
		}
	}
	want(g1, "read=-1 lag=0/false")
	for _, w := range []string{"read=-1 lag=0/false", "read=-1 lag=0/false", "read=-1 lag=0/false", "read=5 lag=0/true"} {
		g1.ReadNew("c", 1, false)
		want(g1, w)
	}
	r := storage.Record{Origin: storage.OriginRedis}
	p.AppendEntry(&r, broker.IDSpec{Mode: broker.IDExplicit, Ms: 6})
	want(g1, "read=5 lag=1/true")
	p.TrimMinID(sid(3), false, 0)
	want(g1, "read=5 lag=1/true")
	want(g2, "read=-1 lag=3/true")
	p.TrimMinID(sid(5), false, 0)
	want(g2, "read=-1 lag=2/true")
	if tomb := p.TombstoneID(); tomb != sid(3) {
		t.Fatalf("tombstone = %v, want 3-0 (trimming leaves it)", tomb)
	}
}

func TestStreamClaimAndAutoClaim(t *testing.T) {
	clk := &streamClock{t: time.UnixMilli(10_000)}
	b := brokertest.Memory(t).New(t, broker.Config{Now: clk.Now})
	p := streamWith(t, b, 4)
	g, _ := p.CreateGroup("g", storage.StreamID{}, -1)
	g.ReadNew("alice", 0, false)
	clk.Add(100 * time.Millisecond)
	// Too young for min-idle 200: nothing moves.
	cl, _ := g.Claim(broker.ClaimArgs{Consumer: "bob", MinIdle: 200, IDs: []storage.StreamID{sid(1)}, DeliveredAt: -1, RetryCount: -1})
	if len(cl) != 0 {
		t.Fatalf("claimed %v", cl)
	}
	clk.Add(150 * time.Millisecond)
	cl, _ = g.Claim(broker.ClaimArgs{Consumer: "bob", MinIdle: 200, IDs: []storage.StreamID{sid(1), sid(9)}, DeliveredAt: -1, RetryCount: -1})
	if len(cl) != 1 || cl[0].Record == nil || pendingOf(g) != "1-0:bob:2 2-0:alice:1 3-0:alice:1 4-0:alice:1 " {
		t.Fatalf("claimed %v, PEL %q", cl, pendingOf(g))
	}
	// JUSTID keeps the count; RETRYCOUNT sets it; a deleted entry leaves the PEL.
	g.Claim(broker.ClaimArgs{Consumer: "bob", IDs: []storage.StreamID{sid(2)}, DeliveredAt: -1, RetryCount: -1, JustID: true})
	g.Claim(broker.ClaimArgs{Consumer: "bob", IDs: []storage.StreamID{sid(3)}, DeliveredAt: -1, RetryCount: 7})
	p.DeleteIDs([]storage.StreamID{sid(4)})
	g.Claim(broker.ClaimArgs{Consumer: "bob", IDs: []storage.StreamID{sid(4)}, DeliveredAt: -1, RetryCount: -1})
	if got := pendingOf(g); got != "1-0:bob:2 2-0:bob:1 3-0:bob:7 " {
		t.Fatalf("PEL = %q", got)
	}
	// FORCE adds an existing entry that is not pending (count 2: created, then claimed).
	g.Ack([]storage.StreamID{sid(2)})
	g.Claim(broker.ClaimArgs{Consumer: "carol", IDs: []storage.StreamID{sid(2)}, DeliveredAt: -1, RetryCount: -1, Force: true})
	if got := pendingOf(g); got != "1-0:bob:2 2-0:carol:2 3-0:bob:7 " {
		t.Fatalf("PEL after FORCE = %q", got)
	}
	// XAUTOCLAIM: COUNT 1 takes 1-0 and returns the cursor 2-0.
	clk.Add(time.Second)
	next, claimed, deleted, err := g.AutoClaim(broker.AutoClaimArgs{Consumer: "dave", MinIdle: 500, Count: 1})
	if err != nil || next != sid(2) || len(claimed) != 1 || claimed[0].ID != sid(1) || len(deleted) != 0 {
		t.Fatalf("AutoClaim = %v %v %v %v", next, claimed, deleted, err)
	}
	p.DeleteIDs([]storage.StreamID{sid(3)})
	next, claimed, deleted, _ = g.AutoClaim(broker.AutoClaimArgs{Consumer: "dave", Start: next, Count: 10})
	if next != (storage.StreamID{}) || len(claimed) != 1 || len(deleted) != 1 || deleted[0] != sid(3) {
		t.Fatalf("AutoClaim 2 = %v %v %v", next, claimed, deleted)
	}
	if got := pendingOf(g); got != "1-0:dave:3 2-0:dave:3 " {
		t.Fatalf("PEL after autoclaim = %q", got)
	}
	n, existed, _ := g.DeleteConsumer("dave")
	if n != 2 || !existed || pendingOf(g) != "" {
		t.Fatalf("DeleteConsumer = %d %v, PEL %q", n, existed, pendingOf(g))
	}
}

func TestStreamTrimApproxRemovesWholeNodes(t *testing.T) {
	b := brokertest.New(t)
	p := streamWith(t, b, 250)
	if n, _ := p.TrimMaxLen(200, true, 0); n != 0 {
		t.Fatalf("~200 removed %d, want 0 (a whole node would leave 150)", n)
	}
	if n, _ := p.TrimMaxLen(120, true, 0); n != 100 {
		t.Fatalf("~120 removed %d, want 100", n)
	}
	if n, _ := p.TrimMaxLen(0, true, 99); n != 0 {
		t.Fatalf("LIMIT 99 removed %d, want 0", n)
	}
	if keys, nodes, _ := p.StreamNodes(); keys != 2 || nodes < 3 {
		t.Fatalf("nodes = %d keys, %d nodes", keys, nodes)
	}
	// MINID ~: the node 101-200 ends below 201-0; the tail node stays.
	if n, _ := p.TrimMinID(sid(240), true, 0); n != 100 || p.Len() != 50 {
		t.Fatalf("MINID ~ removed %d, len %d", n, p.Len())
	}
	if n, _ := p.TrimMaxLen(10, false, 0); n != 40 {
		t.Fatalf("exact removed %d", n)
	}
	if tomb := p.TombstoneID(); !tomb.IsZero() {
		t.Fatalf("trimming set the tombstone to %v", tomb)
	}
}

func TestStreamNodesEstimate(t *testing.T) {
	b := brokertest.New(t)
	p := mustTopic(t, b, "e", 1).Partition(0)
	if k, n, _ := p.StreamNodes(); k != 0 || n != 1 {
		t.Fatalf("empty: %d keys %d nodes", k, n)
	}
	p = streamWith(t, b, 3)
	if k, n, _ := p.StreamNodes(); k != 1 || n != 2 {
		t.Fatalf("one node: %d keys %d nodes", k, n)
	}
	p.DeleteIDs([]storage.StreamID{sid(1), sid(2), sid(3)})
	if k, n, _ := p.StreamNodes(); k != 0 || n != 1 {
		t.Fatalf("emptied: %d keys %d nodes", k, n)
	}
}

func TestStreamGroupStateSurvivesRestart(t *testing.T) {
	st := brokertest.Memory(t)
	b := st.New(t, broker.Config{Fsync: broker.FsyncNever})
	p := streamWith(t, b, 3)
	g, _ := p.CreateGroup("g", storage.StreamID{}, -1)
	g.ReadNew("alice", 2, false)
	p.DeleteIDs([]storage.StreamID{sid(3)})
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b2 := st.New(t, broker.Config{})
	p2 := b2.Topic("s").Partition(0)
	g2 := p2.Group("g")
	if g2 == nil || pendingOf(g2) != "1-0:alice:1 2-0:alice:1 " {
		t.Fatalf("group after restart: %v", g2)
	}
	if p2.TombstoneID() != sid(3) || p2.Info().FirstID != sid(1) {
		t.Fatalf("tombstone %v, first %v", p2.TombstoneID(), p2.Info().FirstID)
	}
}
