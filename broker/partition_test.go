package broker_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"junction/broker"
	"junction/broker/brokertest"
	"junction/storage"
)

func rec(v string) storage.Record { return storage.Record{Value: []byte(v)} }

func mustTopic(t testing.TB, b *broker.Broker, name string, parts int) *broker.Topic {
	t.Helper()
	tp, err := b.CreateTopic(name, broker.TopicConfig{Partitions: parts})
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func values(rs []storage.Record) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r.Value)
	}
	return out
}

func TestConcurrentAppendsAreDenseAndGapFree(t *testing.T) {
	b := brokertest.New(t)
	p := mustTopic(t, b, "t", 1).Partition(0)
	const writers, per = 16, 200
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < per; i++ {
				batch := []storage.Record{rec(fmt.Sprintf("%d-%d", w, i)), rec("x")}
				first, err := p.Append(batch)
				if err != nil {
					t.Error(err)
					return
				}
				if batch[1].Offset != first+1 {
					t.Errorf("batch not contiguous: %d then %d", first, batch[1].Offset)
				}
			}
		}()
	}
	wg.Wait()
	all, err := p.Read(nil, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != writers*per*2 || p.End() != int64(len(all)) {
		t.Fatalf("got %d records, End %d", len(all), p.End())
	}
	for i, r := range all {
		if r.Offset != int64(i) {
			t.Fatalf("record %d has offset %d", i, r.Offset)
		}
		if i > 0 && !all[i-1].ID.Less(r.ID) {
			t.Fatalf("IDs not increasing at %d: %v then %v", i, all[i-1].ID, r.ID)
		}
	}
}

func TestThousandWaitersWokenByOneAppend(t *testing.T) {
	b := brokertest.New(t)
	p := mustTopic(t, b, "t", 1).Partition(0)
	const n = 1000
	var ready, done sync.WaitGroup
	ready.Add(n)
	done.Add(n)
	got := make([]string, n)
	for i := 0; i < n; i++ {
		go func() {
			defer done.Done()
			ch := p.Changed()
			ready.Done()
			<-ch
			rs, err := p.Read(nil, 0, 1, 0)
			if err != nil || len(rs) != 1 {
				t.Errorf("read after wake: %v %d", err, len(rs))
				return
			}
			got[i] = string(rs[0].Value)
		}()
	}
	ready.Wait()
	if _, err := p.Append([]storage.Record{rec("hello")}); err != nil {
		t.Fatal(err)
	}
	done.Wait()
	for i, g := range got {
		if g != "hello" {
			t.Fatalf("waiter %d saw %q", i, g)
		}
	}
}

func TestWaitExitsOnDataDeadlineDeleteAndClose(t *testing.T) {
	b := brokertest.New(t)
	tp := mustTopic(t, b, "t", 1)
	p := tp.Partition(0)

	errc := make(chan error, 1)
	go func() { errc <- p.Wait(context.Background(), 0) }()
	p.Append([]storage.Record{rec("a")})
	if err := <-errc; err != nil {
		t.Fatalf("wait for data: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := p.Wait(ctx, 5); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("deadline: %v", err)
	}

	go func() { errc <- p.Wait(context.Background(), 5) }()
	if err := b.DeleteTopic("t"); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, broker.ErrTopicDeleted) {
		t.Fatalf("delete: %v", err)
	}

	p2 := mustTopic(t, b, "u", 1).Partition(0)
	go func() { errc <- p2.Wait(context.Background(), 0) }()
	b.Close()
	if err := <-errc; !errors.Is(err, broker.ErrClosed) {
		t.Fatalf("close: %v", err)
	}
}

func TestStreamIDs(t *testing.T) {
	now := time.UnixMilli(5000)
	b := brokertest.Memory(t).New(t, broker.Config{Now: func() time.Time { return now }})
	p := mustTopic(t, b, "s", 1).Partition(0)
	r := rec("a")
	if _, err := p.AppendEntry(&r, broker.IDSpec{Mode: broker.IDAuto}); err != nil || r.ID != (storage.StreamID{Ms: 5000}) {
		t.Fatalf("auto: %v %v", r.ID, err)
	}
	r = rec("b")
	p.AppendEntry(&r, broker.IDSpec{Mode: broker.IDAuto})
	if r.ID != (storage.StreamID{Ms: 5000, Seq: 1}) {
		t.Fatalf("same-ms auto: %v", r.ID)
	}
	r = rec("c")
	if _, err := p.AppendEntry(&r, broker.IDSpec{Mode: broker.IDExplicit, Ms: 5000, Seq: 1}); !errors.Is(err, broker.ErrIDTooSmall) {
		t.Fatalf("equal explicit ID accepted: %v", err)
	}
	p.AppendEntry(&r, broker.IDSpec{Mode: broker.IDAutoSeq, Ms: 7000})
	if r.ID != (storage.StreamID{Ms: 7000}) {
		t.Fatalf("ms-*: %v", r.ID)
	}
	// The clock went backwards relative to the last ID: auto IDs still increase.
	r = rec("d")
	p.AppendEntry(&r, broker.IDSpec{Mode: broker.IDAuto})
	if r.ID != (storage.StreamID{Ms: 7000, Seq: 1}) {
		t.Fatalf("auto after explicit future ID: %v", r.ID)
	}
}

func TestDeleteTrimAndRanges(t *testing.T) {
	b := brokertest.New(t)
	p := mustTopic(t, b, "s", 1).Partition(0)
	for i := 1; i <= 10; i++ {
		r := storage.Record{Value: []byte(fmt.Sprint(i)), ID: storage.StreamID{Ms: uint64(i)}}
		if _, err := p.Append([]storage.Record{r}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := p.DeleteIDs([]storage.StreamID{{Ms: 3}, {Ms: 4}, {Ms: 4}, {Ms: 99}})
	if err != nil || n != 2 {
		t.Fatalf("DeleteIDs = %d, %v", n, err)
	}
	if p.Len() != 8 {
		t.Fatalf("Len = %d", p.Len())
	}
	rs, _ := p.ReadRange(nil, storage.StreamID{Ms: 2}, storage.StreamID{Ms: 6}, 0)
	if got := fmt.Sprint(values(rs)); got != "[2 5 6]" {
		t.Fatalf("range = %s", got)
	}
	rs, _ = p.ReadRangeRev(nil, storage.StreamID{Ms: 6}, storage.StreamID{Ms: 1}, 3)
	if got := fmt.Sprint(values(rs)); got != "[6 5 2]" {
		t.Fatalf("rev range = %s", got)
	}
	removed, err := p.TrimMaxLen(5, false, 0)
	if err != nil || removed != 3 {
		t.Fatalf("TrimMaxLen removed %d, %v", removed, err)
	}
	rs, _ = p.Read(nil, 0, 0, 0)
	if got := fmt.Sprint(values(rs)); got != "[6 7 8 9 10]" {
		t.Fatalf("after trim = %s", got)
	}
	info := p.Info()
	if info.MaxDeletedID != (storage.StreamID{Ms: 5}) || info.EntriesAdded != 10 || info.LastID != (storage.StreamID{Ms: 10}) {
		t.Fatalf("info = %+v", info)
	}
	removed, _ = p.TrimMinID(storage.StreamID{Ms: 9}, false, 0)
	if removed != 3 || p.Len() != 2 {
		t.Fatalf("TrimMinID removed %d, len %d", removed, p.Len())
	}
}

func TestRestartKeepsLogsOffsetsAndGroups(t *testing.T) {
	for _, kind := range []string{"memory", "files"} {
		t.Run(kind, func(t *testing.T) {
			var st *brokertest.Stores
			if kind == "memory" {
				st = brokertest.Memory(t)
			} else {
				st = brokertest.Files(t)
			}
			b := st.New(t, broker.Config{})
			p := mustTopic(t, b, "orders", 2).Partition(1)
			for i := 0; i < 5; i++ {
				p.Append([]storage.Record{rec(fmt.Sprint(i))})
			}
			p.DeleteIDs([]storage.StreamID{mustRead(t, p, 1).ID})
			g, err := p.CreateGroup("g", storage.StreamID{}, 0)
			if err != nil {
				t.Fatal(err)
			}
			g.Update(func(s *broker.GroupState) error {
				s.LastID = storage.StreamID{Ms: 42}
				s.AddPending(broker.PendingEntry{ID: storage.StreamID{Ms: 41}, Consumer: "alice", DeliveredAt: 7, Count: 2})
				s.Consumer("alice", 7, true)
				return nil
			})
			if err := b.CommitOffsets(broker.CommittedOffset{Group: "cg", Topic: "orders", Partition: 1, Offset: 3, Metadata: "m"}); err != nil {
				t.Fatal(err)
			}
			b.Close()
			st.Reopen(t)

			b = st.New(t, broker.Config{})
			tp := b.Topic("orders")
			if tp == nil || len(tp.Partitions()) != 2 {
				t.Fatalf("topic lost: %v", tp)
			}
			p = tp.Partition(1)
			rs, _ := p.Read(nil, 0, 0, 0)
			if got := fmt.Sprint(values(rs)); got != "[0 2 3 4]" {
				t.Fatalf("records after restart = %s", got)
			}
			if c, ok := b.CommittedOffset("cg", "orders", 1); !ok || c.Offset != 3 || c.Metadata != "m" {
				t.Fatalf("offset after restart = %+v %v", c, ok)
			}
			g = p.Group("g")
			if g == nil {
				t.Fatal("group lost")
			}
			g.View(func(s *broker.GroupState) {
				if s.LastID != (storage.StreamID{Ms: 42}) || len(s.PEL) != 1 || s.PEL[0].Consumer != "alice" || s.PEL[0].Count != 2 || s.Consumers["alice"] == nil {
					t.Fatalf("group state after restart = %+v", s)
				}
			})
		})
	}
}

func mustRead(t *testing.T, p *broker.Partition, off int64) storage.Record {
	t.Helper()
	rs, err := p.Read(nil, off, 1, 0)
	if err != nil || len(rs) != 1 {
		t.Fatalf("read %d: %v", off, err)
	}
	return rs[0]
}

func TestTopicLifecycle(t *testing.T) {
	b := brokertest.New(t)
	if _, err := b.CreateTopic("", broker.TopicConfig{}); !errors.Is(err, broker.ErrInvalidName) {
		t.Fatalf("empty name: %v", err)
	}
	tp := mustTopic(t, b, "a/../b", 1)
	if _, err := b.CreateTopic("a/../b", broker.TopicConfig{}); !errors.Is(err, broker.ErrTopicExists) {
		t.Fatalf("duplicate: %v", err)
	}
	if err := tp.AddPartitions(3); err != nil || len(tp.Partitions()) != 3 {
		t.Fatalf("AddPartitions: %v", err)
	}
	if err := tp.AddPartitions(2); !errors.Is(err, broker.ErrInvalidPartitions) {
		t.Fatalf("shrink: %v", err)
	}
	tp.Partition(2).Append([]storage.Record{rec("x")})
	if err := b.RenameTopic("a/../b", "c"); err != nil {
		t.Fatal(err)
	}
	if b.Topic("a/../b") != nil || b.Topic("c") == nil || b.Topic("c").Partition(2).End() != 1 {
		t.Fatal("rename did not move the data")
	}
	if err := b.DeleteTopic("nope"); !errors.Is(err, broker.ErrUnknownTopic) {
		t.Fatalf("delete unknown: %v", err)
	}
}

func TestTopicExpiry(t *testing.T) {
	b := brokertest.New(t)
	tp := mustTopic(t, b, "e", 1)
	tp.UpdateConfig(func(c *broker.TopicConfig) { c.ExpireAtMs = time.Now().Add(10 * time.Millisecond).UnixMilli() })
	<-tp.Deleted()
	if b.Topic("e") != nil {
		t.Fatal("expired topic still listed")
	}
}

func TestRetentionDropsWholeOldSegments(t *testing.T) {
	now := time.UnixMilli(1_000_000)
	b := brokertest.Files(t).New(t, broker.Config{Now: func() time.Time { return now }})
	tp, err := b.CreateTopic("r", broker.TopicConfig{Partitions: 1, SegmentBytes: 4096, RetentionBytes: 16 << 10})
	if err != nil {
		t.Fatal(err)
	}
	p := tp.Partition(0)
	val := make([]byte, 512)
	for i := 0; i < 200; i++ {
		p.Append([]storage.Record{{Value: val}})
	}
	before := p.Bytes()
	b.ApplyRetention()
	if p.Start() == 0 || p.Bytes() >= before || p.Bytes() > 24<<10 {
		t.Fatalf("retention kept start=%d bytes=%d (was %d)", p.Start(), p.Bytes(), before)
	}
	rs, err := p.Read(nil, 0, 0, 0)
	if err != nil || len(rs) == 0 || rs[0].Offset != p.Start() || rs[len(rs)-1].Offset != 199 {
		t.Fatalf("read after retention: %d records, err %v", len(rs), err)
	}
}

func TestDeleteTopicReleasesGroupsAndOffsets(t *testing.T) {
	b := brokertest.New(t)
	p := mustTopic(t, b, "d", 1).Partition(0)
	g, err := p.CreateGroup("g", storage.StreamID{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	b.CommitOffsets(broker.CommittedOffset{Group: "cg", Topic: "d", Offset: 1}, broker.CommittedOffset{Group: "cg", Topic: "other", Offset: 2})
	if err := b.DeleteTopic("d"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-g.Destroyed():
	default:
		t.Fatal("group of a deleted topic not destroyed")
	}
	if _, ok := b.CommittedOffset("cg", "d", 0); ok {
		t.Fatal("offsets of a deleted topic kept")
	}
	if _, ok := b.CommittedOffset("cg", "other", 0); !ok {
		t.Fatal("offsets of another topic dropped")
	}
}

// Among concurrent appends, one with a stale explicit ID fails alone: the
// others are stored, densely and in order.
func TestConcurrentAppendsWithStaleIDsFailAlone(t *testing.T) {
	b := brokertest.New(t)
	p := mustTopic(t, b, "c", 1).Partition(0)
	r := storage.Record{Value: []byte("seed"), ID: storage.StreamID{Ms: 1 << 50}}
	if _, err := p.Append([]storage.Record{r}); err != nil {
		t.Fatal(err)
	}
	const writers, per = 8, 300
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < per; i++ {
				rec := storage.Record{Value: []byte("v")}
				if i%3 == 0 {
					rec.ID = storage.StreamID{Ms: 1} // below the seed: must fail
				}
				_, err := p.Append([]storage.Record{rec})
				if (i%3 == 0) != errors.Is(err, broker.ErrIDTooSmall) {
					t.Errorf("writer %d append %d: err %v", w, i, err)
				}
				if err != nil {
					mu.Lock()
					failed++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	want := int64(1 + writers*per - failed)
	all, _ := p.Read(nil, 0, 0, 0)
	if p.End() != want || int64(len(all)) != want {
		t.Fatalf("End %d, read %d, want %d", p.End(), len(all), want)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Offset != int64(i) || !all[i-1].ID.Less(all[i].ID) {
			t.Fatalf("record %d: offset %d id %v after %v", i, all[i].Offset, all[i].ID, all[i-1].ID)
		}
	}
}
