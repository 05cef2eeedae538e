// Tests of relocation (relocate.go): a message left unsettled for long
// must not pin the durable Log, whatever holds it (an unacked delivery,
// the ready set behind higher-priority traffic), and moving its record
// must survive restarts and crashes at any point.

package queue

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"junction/storage"
	"junction/storage/memlog"
	"junction/storage/segmentlog"
)

// eachBackend runs f on memlog logs and on segmentlog logs with small
// segments, so that truncation frees files.
func eachBackend(t *testing.T, f func(t *testing.T, d *durableLogs)) {
	t.Run("memlog", func(t *testing.T) { f(t, newDurableLogs(t)) })
	t.Run("segmentlog", func(t *testing.T) {
		d := &durableLogs{b: segmentlog.New(t.TempDir()), opts: storage.LogOptions{SegmentBytes: 64 << 10}}
		t.Cleanup(func() { d.b.Close() })
		d.reopen(t)
		f(t, d)
	})
}

// prio9 lets the churn's priority-9 messages overtake stuck ones.
func prio9(c *Config) { c.MaxPriority = 9 }

// churnStats is what churn saw of the Log.
type churnStats struct {
	maxSpan  int64 // largest End-Start
	maxBytes int64 // largest Bytes
}

// churn publishes n persistent priority-9 messages, each taken by c and
// acked at once, watching the Log's span and size.
func churn(t testing.TB, q *Queue, c *Consumer, log storage.Log, n int) churnStats {
	t.Helper()
	var st churnStats
	var ds []Delivery
	for i := range n {
		m := persistent(fmt.Sprint("churn-", i))
		m.Priority = 9
		if err := q.Publish(m); err != nil {
			t.Fatal(err)
		}
		if ds = c.Take(ds[:0], 1); len(ds) != 1 || ds[0].Msg != m {
			t.Fatalf("churn %d: took %v", i, bodies(ds))
		}
		q.Ack(ds[0].Tag)
		st.maxSpan = max(st.maxSpan, log.End()-log.Start())
		st.maxBytes = max(st.maxBytes, log.Bytes())
	}
	return st
}

func TestRelocateStuckMessages(t *testing.T) {
	eachBackend(t, func(t *testing.T, d *durableLogs) {
		f := &faults{}
		q := d.open(t, func(c *Config) { prio9(c); f.wrap(c) })
		s := persistent("stuck")
		s.Exchange, s.RoutingKey, s.Props, s.Priority, s.Expiration = "amq.direct", "jobs", []byte{7, 8}, 5, 3_600_000
		q.Publish(s)
		held, ok := q.Get(false) // delivered, never settled
		if !ok || held.Msg != s {
			t.Fatal("Get did not deliver the stuck message")
		}
		low := persistent("low") // ready, always overtaken by priority 9
		q.Publish(low)
		sOff, lowOff := s.off, low.off
		c := consume(t, q, ConsumerOptions{Tag: "c", Prefetch: 10})

		const n = 40 * compactEvery
		churn(t, q, c, d.log, compactEvery)
		perRec := d.log.Bytes() / d.log.End() // nothing truncated yet: both are pinned
		st := churn(t, q, c, d.log, n-compactEvery)
		t.Logf("log [%d, %d), max span %d, max bytes %d (%d per record), %d log syncs",
			d.log.Start(), d.log.End(), st.maxSpan, st.maxBytes, perRec, f.syncs)
		if st.maxSpan >= 16*compactEvery || d.log.Start() < n/2 {
			t.Fatalf("log [%d, %d) with max span %d: pinned by offsets %d and %d",
				d.log.Start(), d.log.End(), st.maxSpan, sOff, lowOff)
		}
		if limit := 16*compactEvery*perRec + 2*d.opts.SegmentBytes; st.maxBytes > limit {
			t.Fatalf("log held up to %d bytes, want at most %d", st.maxBytes, limit)
		}
		// A relocation copies at most an eighth of the span and frees half
		// of it, and the span must double back to relocSpan for the next:
		// one per 4*compactEvery records at most.
		if f.syncs == 0 || f.syncs > n/(4*compactEvery)+1 {
			t.Fatalf("%d relocations (log syncs) in %d records", f.syncs, n)
		}

		// Both are still in the queue, as before.
		if q.Len() != 1 || q.Unacked() != 1 {
			t.Fatalf("Len, Unacked = %d, %d; want 1, 1", q.Len(), q.Unacked())
		}
		q.Release(held.Tag)
		ds := takeWant(t, c, 10, "stuck", "low")
		want(t, "redelivered", redelivered(ds), []bool{true, false})
		if ds[0].Msg != s || ds[1].Msg != low {
			t.Fatal("a relocated message is no longer the published *Message")
		}

		// Restart with both unacked: exactly they come back.
		q = d.restart(t, q, prio9)
		if q.Len() != 2 || q.Unacked() != 0 {
			t.Fatalf("after restart Len, Unacked = %d, %d; want 2, 0", q.Len(), q.Unacked())
		}
		ds = takeWant(t, consume(t, q, ConsumerOptions{}), 10, "stuck", "low")
		want(t, "redelivered", redelivered(ds), []bool{true, true})
		got := ds[0].Msg
		if got.Exchange != "amq.direct" || got.RoutingKey != "jobs" || string(got.Props) != "\x07\x08" ||
			got.Priority != 5 || got.Expiration != 3_600_000 || !got.Persistent || got.EnqueuedAt != s.EnqueuedAt {
			t.Fatalf("recovered message = %+v", got)
		}
		if ds[1].Msg.Priority != 0 {
			t.Fatalf("recovered low has priority %d", ds[1].Msg.Priority)
		}
	})
}

// TestRelocatedMessageSettles: however a relocated message leaves the
// queue, its new record is settled, so nothing comes back after a restart.
func TestRelocatedMessageSettles(t *testing.T) {
	for _, how := range []string{"ack", "reject", "get-noack", "purge"} {
		t.Run(how, func(t *testing.T) {
			d := newDurableLogs(t)
			q := d.open(t, prio9)
			s := persistent("stuck")
			q.Publish(s)
			var held Delivery
			if how == "ack" || how == "reject" {
				held, _ = q.Get(false)
			}
			orig := s.off
			c := consume(t, q, ConsumerOptions{Prefetch: 1})
			churn(t, q, c, d.log, 10*compactEvery)
			if s.off == orig || d.log.Start() <= orig {
				t.Fatalf("not relocated: offset %d (was %d), log [%d, %d)", s.off, orig, d.log.Start(), d.log.End())
			}
			switch how {
			case "ack":
				q.Ack(held.Tag)
			case "reject":
				q.Nack(false, held.Tag)
			case "get-noack":
				c.Cancel()
				if dl, ok := q.Get(true); !ok || dl.Msg != s {
					t.Fatal("Get did not return the stuck message")
				}
			case "purge":
				if n := q.Purge(); n != 1 {
					t.Fatalf("Purge = %d", n)
				}
			}
			q = d.restart(t, q, prio9)
			if q.Len() != 0 || q.Unacked() != 0 {
				t.Fatalf("after restart Len, Unacked = %d, %d; want 0, 0", q.Len(), q.Unacked())
			}
		})
	}
}

// TestRecoverKeepsOneCopyPerSeq: a Log in which two live records share a
// seq (a relocation whose old record's settlement a crash lost) recovers
// one message, the newer record, and records the older as settled.
func TestRecoverKeepsOneCopyPerSeq(t *testing.T) {
	d := newDurableLogs(t)
	q := d.open(t, nil)
	q.Publish(persistent("x"))
	q.Get(true) // AckLog not empty: recovery writes a checkpoint
	for _, b := range []string{"a", "b", "c"} {
		q.Publish(persistent(b))
	}
	q.Close()
	recs, err := d.log.Read(nil, 1, 1, 0) // a
	if err != nil || len(recs) != 1 || string(recs[0].Value) != "a" {
		t.Fatalf("read a: %v %v", recs, err)
	}
	dup := recs[0]
	dup.Offset, dup.ID = 4, recID(4)
	if err := d.log.Append([]storage.Record{dup}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		q = d.restart(t, q, nil)
		if q.Len() != 3 || q.dur.live.n != 3 {
			t.Fatalf("restart %d: Len %d, live records %d; want 3, 3", i, q.Len(), q.dur.live.n)
		}
		c := consume(t, q, ConsumerOptions{})
		ds := takeWant(t, c, 10, "a", "b", "c")
		if ds[0].Msg.off != 4 {
			t.Fatalf("restart %d: kept a's record at %d, want the newer, 4", i, ds[0].Msg.off)
		}
		q.Release(tags(ds)...)
		c.Cancel()
	}
}

// faults wraps a queue's logs: it counts and can fail the Log's syncs,
// and can simulate a power loss at the first Log sync: from then on every
// write to either log is dropped, and powerLoss rebuilds what survived.
type faults struct {
	syncs     int   // Log syncs
	failSync  error // Log syncs fail with it
	crashAt   string
	crashed   bool
	syncedEnd int64 // Log records below it are durable
	log, ack  storage.Log
}

const (
	beforeSync = "before-sync" // the power fails as the Log sync starts
	afterSync  = "after-sync"  // ... as it returns
)

func (f *faults) wrap(c *Config) {
	f.log, f.ack = c.Log, c.AckLog
	c.Log, c.AckLog = &faultLog{c.Log, f, true}, &faultLog{c.AckLog, f, false}
}

type faultLog struct {
	storage.Log
	f     *faults
	isLog bool
}

func (l *faultLog) Append(recs []storage.Record) error {
	if l.f.crashed {
		return nil
	}
	return l.Log.Append(recs)
}

func (l *faultLog) TruncateFront(before int64) error {
	if l.f.crashed {
		return nil
	}
	return l.Log.TruncateFront(before)
}

func (l *faultLog) Sync() error {
	f := l.f
	if f.crashed || !l.isLog {
		return nil
	}
	f.syncs++
	if f.failSync != nil {
		return f.failSync
	}
	if f.crashAt == beforeSync {
		f.crashed = true
		return errors.New("power lost")
	}
	end := l.Log.End()
	if err := l.Log.Sync(); err != nil {
		return err
	}
	f.syncedEnd = end
	f.crashed = f.crashAt == afterSync
	return nil
}

// powerLoss returns new logs holding what a power loss leaves: the Log up
// to its last sync (from its Start: truncation is durable at once) and, at
// worst for ordering, all of AckLog.
func (f *faults) powerLoss(t *testing.T) *durableLogs {
	t.Helper()
	d := &durableLogs{b: memlog.New()}
	t.Cleanup(func() { d.b.Close() })
	for _, c := range []struct {
		name     string
		from     storage.Log
		from0    int64
		upto     int64
		assigned *storage.Log
	}{
		{"queue/q", f.log, f.log.Start(), f.syncedEnd, &d.log},
		{"queue/q.acks", f.ack, f.ack.Start(), f.ack.End(), &d.ack},
	} {
		l, err := d.b.OpenLog(c.name, storage.LogOptions{InitialOffset: c.from0})
		if err != nil {
			t.Fatal(err)
		}
		*c.assigned = l
		err = readLog(c.from, c.from0, func(r *storage.Record) error {
			if r.Offset >= c.upto {
				return nil
			}
			return l.Append([]storage.Record{*r})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// TestRelocateCrash: a power loss as relocation syncs the Log (before:
// the copies are lost; after: they survive but the old records' settlement
// and the truncation do not) loses no message and duplicates none.
func TestRelocateCrash(t *testing.T) {
	for _, at := range []string{beforeSync, afterSync} {
		t.Run(at, func(t *testing.T) {
			d := newDurableLogs(t)
			f := &faults{}
			q := d.open(t, func(c *Config) { prio9(c); f.wrap(c) })
			s := persistent("stuck")
			q.Publish(s)
			q.Get(false)
			if err := q.Sync(); err != nil { // publisher confirm
				t.Fatal(err)
			}
			orig := s.off
			c := consume(t, q, ConsumerOptions{Prefetch: 1})
			f.crashAt = at
			churn(t, q, c, d.log, 9*compactEvery)
			if !f.crashed {
				t.Fatal("no relocation")
			}
			survived := f.powerLoss(t)
			if survived.log.Start() > orig {
				t.Fatalf("the Log was truncated past %d before the copy was durable", orig)
			}
			// Besides stuck, the message whose ack was in the operation that
			// relocated comes back if its record was synced: that ack was
			// lost with the power.
			wantBodies := []string{"stuck"}
			if at == afterSync {
				wantBodies = []string{fmt.Sprint("churn-", relocSpan-2), "stuck"} // priority 9 first
			}
			q = survived.open(t, prio9)
			for i := range 3 {
				c := consume(t, q, ConsumerOptions{Tag: fmt.Sprint("restart ", i)})
				takeWant(t, c, 10, wantBodies...)
				q = survived.restart(t, q, prio9)
			}
		})
	}
}

// TestRelocateSyncFails: when the Log sync fails, the messages stay at
// their old records (which stay in the Log), the error is reported, the
// attempts do not repeat on every operation, and a later relocation works.
func TestRelocateSyncFails(t *testing.T) {
	d := newDurableLogs(t)
	f := &faults{failSync: errors.New("disk gone")}
	q := d.open(t, func(c *Config) { prio9(c); f.wrap(c) })
	s := persistent("stuck")
	q.Publish(s)
	q.Get(false)
	orig := s.off
	c := consume(t, q, ConsumerOptions{Prefetch: 1})
	const n = 12 * compactEvery
	churn(t, q, c, d.log, n)
	if s.off != orig || d.log.Start() > orig {
		t.Fatalf("failed relocation moved the message to %d, log [%d, %d)", s.off, d.log.Start(), d.log.End())
	}
	if f.syncs == 0 || f.syncs > (n-relocSpan)/compactEvery+1 {
		t.Fatalf("%d relocation attempts in %d records", f.syncs, n)
	}
	if err := q.Flush(); err == nil || !errors.Is(err, f.failSync) {
		t.Fatalf("Flush = %v, want the sync error", err)
	}
	f.failSync = nil
	churn(t, q, c, d.log, 2*compactEvery)
	if s.off == orig || d.log.Start() <= orig {
		t.Fatalf("not relocated after the disk came back: log [%d, %d)", d.log.Start(), d.log.End())
	}
	q = d.restart(t, q, prio9)
	takeWant(t, consume(t, q, ConsumerOptions{}), 10, "stuck")
}

// TestRelocateKeepsOrder: relocation can leave a later message's record
// before an earlier one's; recovery still delivers in publish order.
func TestRelocateKeepsOrder(t *testing.T) {
	d := newDurableLogs(t)
	q := d.open(t, prio9)
	a, b := persistent("a"), persistent("b")
	q.Publish(a)
	q.Get(false)
	c := consume(t, q, ConsumerOptions{Prefetch: 1})
	churn(t, q, c, d.log, relocSpan*5/8) // past the first relocation's cut
	q.Publish(b)
	q.Get(false)
	bOff := b.off
	for i := 0; a.off < bOff; i++ {
		if i == relocSpan {
			t.Fatalf("a not relocated: log [%d, %d)", d.log.Start(), d.log.End())
		}
		churn(t, q, c, d.log, 1)
	}
	if b.off != bOff {
		t.Fatalf("b moved too: %d -> %d", bOff, b.off)
	}
	q = d.restart(t, q, prio9)
	takeWant(t, consume(t, q, ConsumerOptions{}), 10, "a", "b")
}

// TestRelocateDeferredWrites: with PublishFor, AckFor and one Flush per
// batch, relocation happens in Flush and keeps the Log bounded.
func TestRelocateDeferredWrites(t *testing.T) {
	d := newDurableLogs(t)
	q := d.open(t, prio9)
	q.Publish(persistent("stuck"))
	q.Get(false)
	c := consume(t, q, ConsumerOptions{Prefetch: 100})
	var woken []*Consumer
	var ds []Delivery
	var maxSpan int64
	for i := range 20 * compactEvery / 10 {
		for j := range 10 {
			m := persistent(fmt.Sprint(i, ".", j))
			m.Priority = 9
			var err error
			if woken, err = q.PublishFor(m, woken[:0]); err != nil {
				t.Fatal(err)
			}
		}
		ds = c.Take(ds[:0], 100)
		if len(ds) != 10 {
			t.Fatalf("took %d", len(ds))
		}
		woken = q.AckFor(woken[:0], tags(ds)...)
		if err := q.Flush(); err != nil {
			t.Fatal(err)
		}
		maxSpan = max(maxSpan, d.log.End()-d.log.Start())
	}
	if maxSpan >= 16*compactEvery || d.log.Start() == 0 {
		t.Fatalf("log [%d, %d), max span %d", d.log.Start(), d.log.End(), maxSpan)
	}
	q = d.restart(t, q, prio9)
	ds = takeWant(t, consume(t, q, ConsumerOptions{}), 10, "stuck")
	if !slices.Equal(redelivered(ds), []bool{true}) {
		t.Fatal("not redelivered")
	}
}
