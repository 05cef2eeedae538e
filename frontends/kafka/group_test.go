package kafka

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// groupWatch tracks what each member of a consumer group owns and what it
// consumed, and wakes the test on every change (no polling).
type groupWatch struct {
	mu      sync.Mutex
	owned   map[string]map[int32]bool // member → partitions
	seen    map[string]bool           // record values
	changed chan struct{}
}

func newGroupWatch() *groupWatch {
	return &groupWatch{owned: map[string]map[int32]bool{}, seen: map[string]bool{}, changed: make(chan struct{}, 1)}
}

func (w *groupWatch) kick() {
	select {
	case w.changed <- struct{}{}:
	default:
	}
}

// until blocks until cond (called with w.mu held) holds.
func (w *groupWatch) until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	timeout := time.NewTimer(30 * time.Second)
	defer timeout.Stop()
	for {
		w.mu.Lock()
		ok := cond()
		w.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-w.changed:
		case <-timeout.C:
			w.mu.Lock()
			defer w.mu.Unlock()
			t.Fatalf("timed out waiting for %s; owned %v, %d seen", what, w.owned, len(w.seen))
		}
	}
}

// member starts a group consumer named name that commits what it polls;
// the returned function closes it (leaving the group) and waits for it.
func (w *groupWatch) member(t *testing.T, e *env, name string) (stop func()) {
	t.Helper()
	update := func(parts map[string][]int32, own bool) {
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.owned[name] == nil {
			w.owned[name] = map[int32]bool{}
		}
		for _, ps := range parts {
			for _, p := range ps {
				if own {
					w.owned[name][p] = true
				} else {
					delete(w.owned[name], p)
				}
			}
		}
		w.kick()
	}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(e.addr),
		kgo.ClientID(name),
		kgo.ConsumerGroup("g"),
		kgo.ConsumeTopics("grp"),
		kgo.DisableAutoCommit(),
		kgo.HeartbeatInterval(50*time.Millisecond),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, m map[string][]int32) { update(m, true) }),
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, m map[string][]int32) { update(m, false) }),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, m map[string][]int32) { update(m, false) }),
	)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			fs := cl.PollFetches(context.Background())
			if fs.IsClientClosed() {
				return
			}
			recs := fs.Records()
			if len(recs) == 0 {
				continue
			}
			if err := cl.CommitRecords(context.Background(), recs...); err != nil {
				continue // rebalanced away: the new owner re-consumes them
			}
			w.mu.Lock()
			for _, r := range recs {
				w.seen[string(r.Value)] = true
			}
			w.mu.Unlock()
			w.kick()
		}
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cl.Close()
			<-done
			w.mu.Lock()
			delete(w.owned, name)
			w.mu.Unlock()
			w.kick()
		})
	}
	t.Cleanup(stop)
	return stop
}

// covering reports whether the named members own every partition between
// them, each at least one.
func (w *groupWatch) covering(n int, members ...string) bool {
	all := map[int32]bool{}
	for _, m := range members {
		if len(w.owned[m]) == 0 {
			return false
		}
		for p := range w.owned[m] {
			if all[p] {
				return false // owned twice: the rebalance is not done
			}
			all[p] = true
		}
	}
	for m, ps := range w.owned {
		if len(ps) > 0 && !contains(members, m) {
			return false
		}
	}
	return len(all) == n
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func TestConsumerGroupRebalanceAndRestart(t *testing.T) {
	e := newEnv(t)
	e.createTopic("grp", 6)
	produce := func(from, to int) {
		t.Helper()
		prod := e.client(kgo.DefaultProduceTopic("grp"))
		var recs []*kgo.Record
		for i := from; i < to; i++ {
			recs = append(recs, &kgo.Record{Key: []byte(strconv.Itoa(i)), Value: []byte(strconv.Itoa(i))})
		}
		if err := prod.ProduceSync(ctxT(t), recs...).FirstErr(); err != nil {
			t.Fatal(err)
		}
		prod.Close()
	}
	produce(0, 300)

	w := newGroupWatch()
	stopA := w.member(t, e, "a")
	stopB := w.member(t, e, "b")
	stopC := w.member(t, e, "c")
	w.until(t, "three members sharing six partitions", func() bool { return w.covering(6, "a", "b", "c") })
	w.until(t, "the first 300 records", func() bool { return len(w.seen) == 300 })

	adm := e.admin()
	dg, err := adm.DescribeGroups(ctxT(t), "g")
	if err != nil {
		t.Fatal(err)
	}
	if g := dg["g"]; len(g.Members) != 3 || g.Protocol != "cooperative-sticky" || g.ProtocolType != "consumer" {
		t.Fatalf("described group: state %s, %d members, protocol %q/%q", g.State, len(g.Members), g.ProtocolType, g.Protocol)
	}

	stopC() // leaves the group: a and b take over its partitions
	w.until(t, "two members sharing six partitions", func() bool { return w.covering(6, "a", "b") })
	produce(300, 450)
	w.until(t, "450 records", func() bool { return len(w.seen) == 450 })
	stopA()
	stopB()

	committed, err := adm.FetchOffsets(ctxT(t), "g")
	if err != nil || committed.Error() != nil {
		t.Fatal(err, committed.Error())
	}
	if len(committed) != 1 || len(committed["grp"]) != 6 {
		t.Fatalf("committed %v", committed)
	}

	e.restart() // same memlog/memmeta storage, new broker and server
	adm = e.admin()
	after, err := adm.FetchOffsets(ctxT(t), "g")
	if err != nil {
		t.Fatal(err)
	}
	start := map[int32]int64{}
	for p, o := range committed["grp"] {
		if got, _ := after.Lookup("grp", p); got.At != o.At {
			t.Fatalf("partition %d: committed %d before the restart, %d after", p, o.At, got.At)
		}
		start[p] = o.At
	}
	lg, err := adm.ListGroups(ctxT(t))
	if err != nil || !contains(lg.Groups(), "g") || lg["g"].ProtocolType != "consumer" {
		t.Fatalf("groups after restart: %+v %v", lg, err)
	}
	produce(450, 510)
	ends, err := adm.ListEndOffsets(ctxT(t), "grp")
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	ends.Each(func(o kadm.ListedOffset) { want += int(o.Offset - start[o.Partition]) })
	if want < 60 {
		t.Fatalf("only %d records after the committed offsets", want)
	}

	// A new member resumes exactly at the committed offsets.
	d := e.client(kgo.ConsumerGroup("g"), kgo.ConsumeTopics("grp"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	next := start
	for _, r := range consumeN(t, d, want) {
		if r.Offset != next[r.Partition] {
			t.Fatalf("partition %d: got offset %d, want %d", r.Partition, r.Offset, next[r.Partition])
		}
		next[r.Partition]++
	}
	ends.Each(func(o kadm.ListedOffset) {
		if next[o.Partition] != o.Offset {
			t.Errorf("partition %d consumed to %d, end %d", o.Partition, next[o.Partition], o.Offset)
		}
	})
}

// rawMember is a group member speaking the protocol by hand.
type rawMember struct {
	rc       *rawConn
	id       string
	instance *string
	gen      int32
}

func (m *rawMember) join(t *testing.T, session, rebalance int32) *kmsg.JoinGroupResponse {
	t.Helper()
	req := kmsg.NewPtrJoinGroupRequest()
	req.Group, req.MemberID, req.InstanceID = "raw", m.id, m.instance
	req.SessionTimeoutMillis, req.RebalanceTimeoutMillis = session, rebalance
	req.ProtocolType = "consumer"
	meta := kmsg.NewConsumerMemberMetadata()
	meta.Topics = []string{"t"}
	req.Protocols = []kmsg.JoinGroupRequestProtocol{{Name: "range", Metadata: meta.AppendTo(nil)}}
	resp := do[*kmsg.JoinGroupResponse](m.rc, req, 9)
	if resp.ErrorCode == kerr.MemberIDRequired.Code {
		m.id = resp.MemberID
		return m.join(t, session, rebalance)
	}
	if resp.ErrorCode == 0 {
		m.id, m.gen = resp.MemberID, resp.Generation
	}
	return resp
}

func (m *rawMember) sync(t *testing.T, assign map[string][]byte) *kmsg.SyncGroupResponse {
	t.Helper()
	req := kmsg.NewPtrSyncGroupRequest()
	req.Group, req.MemberID, req.InstanceID, req.Generation = "raw", m.id, m.instance, m.gen
	for id, a := range assign {
		req.GroupAssignment = append(req.GroupAssignment, kmsg.SyncGroupRequestGroupAssignment{MemberID: id, MemberAssignment: a})
	}
	return do[*kmsg.SyncGroupResponse](m.rc, req, 5)
}

func (m *rawMember) heartbeat(t *testing.T) int16 {
	t.Helper()
	req := kmsg.NewPtrHeartbeatRequest()
	req.Group, req.MemberID, req.InstanceID, req.Generation = "raw", m.id, m.instance, m.gen
	return do[*kmsg.HeartbeatResponse](m.rc, req, 4).ErrorCode
}

func TestGroupSessionTimeoutAndStaticMembers(t *testing.T) {
	e := newEnv(t)
	rebalancing := make(chan struct{}, 16)
	e.s.rebalanceHook = func(string) {
		select {
		case rebalancing <- struct{}{}:
		default:
		}
	}
	x := &rawMember{rc: e.raw()}
	if r := x.join(t, 300, 10000); r.ErrorCode != 0 || r.LeaderID != x.id || len(r.Members) != 1 {
		t.Fatalf("first join: %+v", r)
	}
	if r := x.sync(t, map[string][]byte{x.id: []byte("a")}); r.ErrorCode != 0 || string(r.MemberAssignment) != "a" {
		t.Fatalf("sync: %+v", r)
	}
	if c := x.heartbeat(t); c != 0 {
		t.Fatalf("heartbeat: %d", c)
	}
	// y joins; x never rejoins nor heartbeats again, so its 300 ms session
	// expires long before its 10 s rebalance timeout.
	y := &rawMember{rc: e.raw()}
	start := time.Now()
	r := y.join(t, 10000, 10000)
	if r.ErrorCode != 0 || r.LeaderID != y.id || len(r.Members) != 1 {
		t.Fatalf("join after x expired: %+v", r)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("rebalance took %v", d)
	}
	if c := x.heartbeat(t); c != kerr.UnknownMemberID.Code {
		t.Fatalf("expired member heartbeat: %d", c)
	}
	y.sync(t, nil)

	// Static membership: a rejoin under the same instance id replaces the
	// member without a rebalance and fences the old id.
	inst := "static-1"
	s1 := &rawMember{rc: e.raw(), instance: &inst}
	// s1 joining starts a rebalance; y rejoins and both complete together.
	for len(rebalancing) > 0 {
		<-rebalancing
	}
	s1Done := make(chan *kmsg.JoinGroupResponse, 1)
	go func() { s1Done <- s1.join(t, 10000, 10000) }()
	<-rebalancing
	ry := y.join(t, 10000, 10000)
	rs := <-s1Done
	if ry.ErrorCode != 0 || rs.ErrorCode != 0 || ry.Generation != rs.Generation || ry.LeaderID != y.id || len(ry.Members) != 2 {
		t.Fatalf("joins: y %+v s1 %+v", ry, rs)
	}
	if r := y.sync(t, map[string][]byte{y.id: []byte("y"), s1.id: []byte("s")}); string(r.MemberAssignment) != "y" {
		t.Fatalf("y sync %+v", r)
	}
	if r := s1.sync(t, nil); string(r.MemberAssignment) != "s" {
		t.Fatalf("s1 sync %+v", r)
	}
	gen := y.gen
	s1b := &rawMember{rc: e.raw(), instance: &inst}
	if r := s1b.join(t, 10000, 10000); r.ErrorCode != 0 || r.Generation != gen || r.MemberID == s1.id {
		t.Fatalf("static rejoin: %+v (old id %s)", r, s1.id)
	}
	if c := s1.heartbeat(t); c != kerr.FencedInstanceID.Code {
		t.Fatalf("old static member heartbeat: %d", c)
	}
	if c := s1b.heartbeat(t); c != 0 {
		t.Fatalf("new static member heartbeat: %d", c)
	}
	if c := y.heartbeat(t); c != 0 {
		t.Fatalf("static replacement caused a rebalance: %d", c)
	}
	if r := s1b.sync(t, nil); string(r.MemberAssignment) != "s" {
		t.Fatalf("replacement keeps the assignment: %+v", r)
	}
}

func TestGroupAdmin(t *testing.T) {
	e := newEnv(t)
	e.createTopic("ga", 2)
	adm := e.admin()
	ctx := ctxT(t)
	os := kadm.Offsets{}
	os.Add(kadm.Offset{Topic: "ga", Partition: 0, At: 5, LeaderEpoch: -1})
	os.Add(kadm.Offset{Topic: "ga", Partition: 1, At: 7, LeaderEpoch: -1, Metadata: "m"})
	if r, err := adm.CommitOffsets(ctx, "simple", os); err != nil || r.Error() != nil {
		t.Fatalf("simple commit: %v %v", err, r.Error())
	}
	fo, err := adm.FetchOffsets(ctx, "simple")
	if err != nil {
		t.Fatal(err)
	}
	if o, _ := fo.Lookup("ga", 1); o.At != 7 || o.Metadata != "m" {
		t.Fatalf("fetched %+v", o)
	}
	rc := e.raw()
	for _, v := range []int16{1, 7} { // the pre-batching layout
		req := kmsg.NewPtrOffsetFetchRequest()
		req.Group = "simple"
		req.Topics = []kmsg.OffsetFetchRequestTopic{{Topic: "ga", Partitions: []int32{0, 1, 9}}}
		resp := do[*kmsg.OffsetFetchResponse](rc, req, v)
		ps := resp.Topics[0].Partitions
		if len(ps) != 3 || ps[0].Offset != 5 || ps[1].Offset != 7 || *ps[1].Metadata != "m" || ps[2].Offset != -1 {
			t.Fatalf("OffsetFetch v%d: %+v", v, ps)
		}
	}
	lg, err := adm.ListGroups(ctx)
	if err != nil || !contains(lg.Groups(), "simple") {
		t.Fatalf("list groups: %v %v", lg.Groups(), err)
	}
	dg, err := adm.DescribeGroups(ctx, "simple", "nobody")
	if err != nil || dg["simple"].State != "Empty" || dg["nobody"].State != "Dead" {
		t.Fatalf("describe: %+v %v", dg, err)
	}
	dr, err := adm.DeleteGroups(ctx, "simple", "nobody")
	if err != nil || dr["simple"].Err != nil || !errors.Is(dr["nobody"].Err, kerr.GroupIDNotFound) {
		t.Fatalf("delete: %+v %v", dr, err)
	}
	if fo, err := adm.FetchOffsets(ctx, "simple"); err != nil || len(fo) != 0 {
		t.Fatalf("offsets after delete: %v %v", fo, err)
	}

	// A group with a member cannot be deleted.
	assigned := make(chan struct{}, 1)
	e.client(kgo.ConsumerGroup("busy"), kgo.ConsumeTopics("ga"), kgo.HeartbeatInterval(50*time.Millisecond),
		kgo.OnPartitionsAssigned(func(context.Context, *kgo.Client, map[string][]int32) {
			select {
			case assigned <- struct{}{}:
			default:
			}
		}))
	<-assigned
	dr, err = adm.DeleteGroups(ctx, "busy")
	if err != nil || !errors.Is(dr["busy"].Err, kerr.NonEmptyGroup) {
		t.Fatalf("delete busy group: %+v %v", dr, err)
	}
	dg, err = adm.DescribeGroups(ctx, "busy")
	if g := dg["busy"]; err != nil || g.State != "Stable" || len(g.Members) != 1 || g.Members[0].ClientID == "" {
		t.Fatalf("describe busy: %+v %v", g, err)
	}
}
