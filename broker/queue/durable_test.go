// Tests of durable queues over memlog: restart recovery, compaction of
// both logs, checkpoints, and what survives which settlement.

package queue

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"junction/storage"
	"junction/storage/memlog"
)

// durableLogs is a backend (memlog unless set otherwise) holding one
// queue's two logs across "restarts" (closing the queue and calling New
// again on the same logs).
type durableLogs struct {
	b        storage.Backend
	opts     storage.LogOptions
	log, ack storage.Log
}

func newDurableLogs(t testing.TB) *durableLogs {
	t.Helper()
	d := &durableLogs{b: memlog.New()}
	t.Cleanup(func() { d.b.Close() })
	d.reopen(t)
	return d
}

func (d *durableLogs) reopen(t testing.TB) {
	t.Helper()
	var err error
	if d.log, err = d.b.OpenLog("queue/q", d.opts); err != nil {
		t.Fatal(err)
	}
	if d.ack, err = d.b.OpenLog("queue/q.acks", d.opts); err != nil {
		t.Fatal(err)
	}
}

// open starts the queue on the logs (mod may adjust the config).
func (d *durableLogs) open(t testing.TB, mod func(*Config)) *Queue {
	t.Helper()
	return newQueue(t, func(c *Config) {
		c.Durable, c.Log, c.AckLog = true, d.log, d.ack
		if mod != nil {
			mod(c)
		}
	})
}

// restart closes q and its logs and opens them again.
func (d *durableLogs) restart(t testing.TB, q *Queue, mod func(*Config)) *Queue {
	t.Helper()
	if err := q.Sync(); err != nil {
		t.Fatal(err)
	}
	q.Close()
	d.log.Close()
	d.ack.Close()
	d.reopen(t)
	return d.open(t, mod)
}

func persistent(body string) *Message {
	m := msg(body)
	m.Persistent = true
	return m
}

func TestDurableRestart(t *testing.T) {
	d := newDurableLogs(t)
	q := d.open(t, func(c *Config) { c.MaxPriority = 3 })
	p := persistent("p1")
	p.Exchange, p.RoutingKey, p.Props, p.Priority, p.Expiration = "amq.direct", "jobs", []byte{1, 2, 3}, 2, 3_600_000
	q.Publish(p)
	q.Publish(msg("t1")) // transient: lost on restart
	for _, b := range []string{"p2", "p3", "p4", "p5", "p6"} {
		q.Publish(persistent(b))
	}
	c := consume(t, q, ConsumerOptions{})
	ds := takeWant(t, c, 10, "p1", "t1", "p2", "p3", "p4", "p5", "p6")
	q.Ack(ds[2].Tag, ds[4].Tag) // p2, p4
	q.Nack(false, ds[5].Tag)    // p5 rejected: settled
	q.Release(ds[3].Tag)        // p3 back to ready
	// p1 and p6 stay unacked: the connection dies with them.

	q = d.restart(t, q, func(c *Config) { c.MaxPriority = 3 })
	if q.Len() != 3 || q.Unacked() != 0 {
		t.Fatalf("after restart Len, Unacked = %d, %d; want 3, 0", q.Len(), q.Unacked())
	}
	c = consume(t, q, ConsumerOptions{})
	ds = takeWant(t, c, 10, "p1", "p3", "p6") // p1 first: priority 2
	want(t, "redelivered", redelivered(ds), []bool{true, true, true})
	got := ds[0].Msg
	if got.Exchange != "amq.direct" || got.RoutingKey != "jobs" || !bytes.Equal(got.Props, []byte{1, 2, 3}) ||
		got.Priority != 2 || got.Expiration != 3_600_000 || !got.Persistent || got.EnqueuedAt == 0 {
		t.Fatalf("recovered message = %+v", got)
	}
	q.Ack(ds[0].Tag)
	q.Publish(persistent("p7"))
	q.Release(ds[1].Tag, ds[2].Tag)

	q = d.restart(t, q, nil)
	takeWant(t, consume(t, q, ConsumerOptions{}), 10, "p3", "p6", "p7")
}

func TestDurableSettlementsOfEveryKind(t *testing.T) {
	d := newDurableLogs(t)
	mod := func(c *Config) { c.MaxLength = 4 }
	q := d.open(t, mod)
	for i := range 6 { // drop-head settles m0, m1
		q.Publish(persistent(fmt.Sprint("m", i)))
	}
	q.Get(true)                                                       // m2: no-ack get
	takeWant(t, consume(t, q, ConsumerOptions{NoAck: true}), 1, "m3") // no-ack consumer
	q.Publish(persistent("m6"))
	q = d.restart(t, q, mod)
	if n := q.Purge(); n != 3 { // m4 m5 m6
		t.Fatalf("Purge = %d, want 3", n)
	}
	q.Publish(persistent("m7"))
	q = d.restart(t, q, mod)
	takeWant(t, consume(t, q, ConsumerOptions{}), 10, "m7")
}

func TestDurableCompaction(t *testing.T) {
	d := newDurableLogs(t)
	q := d.open(t, nil)
	c := consume(t, q, ConsumerOptions{Prefetch: 50})
	q.Publish(persistent("stuck")) // held unacked for a while
	stuck := takeWant(t, c, 1, "stuck")
	const cycles = 20 * compactEvery
	var buf []Delivery
	for i := range cycles {
		q.Publish(persistent(fmt.Sprint(i)))
		if i%10 == 9 {
			buf = c.Take(buf[:0], 100)
			q.Ack(tags(buf)...)
		}
		if i == cycles/2 {
			q.Ack(stuck[0].Tag)
		}
	}
	buf = c.Take(buf[:0], 100)
	q.Ack(tags(buf)...)
	if err := q.Sync(); err != nil {
		t.Fatal(err)
	}
	logLen := d.log.End() - d.log.Start()
	ackLen := d.ack.End() - d.ack.Start()
	t.Logf("log [%d, %d) ack log [%d, %d)", d.log.Start(), d.log.End(), d.ack.Start(), d.ack.End())
	if logLen > 2*compactEvery || d.log.Start() < cycles/2 {
		t.Fatalf("log holds [%d, %d): prefix not truncated", d.log.Start(), d.log.End())
	}
	if ackLen > 2*compactEvery {
		t.Fatalf("ack log holds [%d, %d): not compacted", d.ack.Start(), d.ack.End())
	}

	// While one message stays unacked the log cannot be truncated past
	// it, but the ack log stays small and recovery still works.
	q.Publish(persistent("held"))
	held := takeWant(t, c, 1, "held")
	for i := range cycles {
		q.Publish(persistent(fmt.Sprint("x", i)))
		buf = c.Take(buf[:0], 100)
		q.Ack(tags(buf)...)
	}
	q.Publish(persistent("tail"))
	if ackLen := d.ack.End() - d.ack.Start(); ackLen > 3*compactEvery {
		t.Fatalf("ack log holds %d records with a held message", ackLen)
	}
	_ = held
	q = d.restart(t, q, nil)
	takeWant(t, consume(t, q, ConsumerOptions{}), 10, "held", "tail")
	if ackLen := d.ack.End() - d.ack.Start(); ackLen != 1 {
		t.Fatalf("ack log after recovery holds %d records, want 1 checkpoint", ackLen)
	}
}

func TestDurableTransientQueueIgnoresLogs(t *testing.T) {
	d := newDurableLogs(t)
	q := newQueue(t, func(c *Config) { c.Log, c.AckLog = d.log, d.ack })
	q.Publish(persistent("p"))
	if d.log.End() != 0 || q.Sync() != nil {
		t.Fatalf("non-durable queue wrote its log")
	}
}

func TestDurableCorruptAckLog(t *testing.T) {
	d := newDurableLogs(t)
	if err := d.ack.Append([]storage.Record{{Offset: 0, ID: recID(0), Value: []byte("?")}}); err != nil {
		t.Fatal(err)
	}
	_, err := New(Config{Durable: true, Log: d.log, AckLog: d.ack, MessageTTL: NoTTL})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("corrupt")) {
		t.Fatalf("New on a corrupt ack log: %v", err)
	}
}

func TestDurableStaleSettlementIgnored(t *testing.T) {
	// A crash can leave a settlement durable whose message record was lost
	// (never synced); the offset is then reused by a new message, which
	// must not be taken as settled.
	d := newDurableLogs(t)
	stale := append([]byte{recAck, 1}, 3) // settles offset 3
	if err := d.ack.Append([]storage.Record{{Offset: 0, ID: recID(0), Value: stale}}); err != nil {
		t.Fatal(err)
	}
	q := d.open(t, nil)
	for _, b := range []string{"0", "1", "2", "3", "4"} {
		q.Publish(persistent(b))
	}
	q = d.restart(t, q, nil)
	takeWant(t, consume(t, q, ConsumerOptions{}), 10, "0", "1", "2", "3", "4")
}

func TestDurableLogErrors(t *testing.T) {
	d := newDurableLogs(t)
	q := d.open(t, nil)
	q.Publish(persistent("a"))
	d.ack.Close()
	if _, ok := q.Get(true); !ok { // delivered; its settlement cannot be stored
		t.Fatal("Get found nothing")
	}
	if err := q.Sync(); !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("Sync after a failed settlement = %v, want ErrClosed", err)
	}
	d.log.Close()
	if err := q.Publish(persistent("b")); !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("Publish on a closed log = %v, want ErrClosed", err)
	}
	if q.Len() != 0 {
		t.Fatalf("failed publish was enqueued")
	}
	if err := q.Publish(msg("transient")); err != nil {
		t.Fatalf("transient Publish = %v", err)
	}
}

// countingLog counts Append calls and fails them while fail is set.
type countingLog struct {
	storage.Log
	appends int
	fail    error
}

func (l *countingLog) Append(recs []storage.Record) error {
	if l.fail != nil {
		return l.fail
	}
	l.appends++
	return l.Log.Append(recs)
}

// TestDurableDeferredWrites: PublishFor and AckFor leave their records for
// Flush, which writes each log once; Close writes what is left; a failed
// write leaves its messages queued but unlogged, and later ones are logged
// at the right offsets.
func TestDurableDeferredWrites(t *testing.T) {
	d := newDurableLogs(t)
	var lw, aw *countingLog
	mod := func(c *Config) {
		lw, aw = &countingLog{Log: c.Log}, &countingLog{Log: c.AckLog}
		c.Log, c.AckLog = lw, aw
	}
	q := d.open(t, mod)
	c := consume(t, q, ConsumerOptions{})
	var woken []*Consumer
	var err error
	for i := range 5 {
		if woken, err = q.PublishFor(persistent(fmt.Sprint("p", i)), woken); err != nil {
			t.Fatal(err)
		}
	}
	if lw.appends != 0 || d.log.End() != 0 || len(woken) != 1 {
		t.Fatalf("after PublishFor: %d appends, log end %d, woken %d; want 0, 0, 1", lw.appends, d.log.End(), len(woken))
	}
	if err := q.Flush(); err != nil {
		t.Fatal(err)
	}
	if lw.appends != 1 || d.log.End() != 5 {
		t.Fatalf("after Flush: %d appends, log end %d; want 1, 5", lw.appends, d.log.End())
	}
	ds := takeWant(t, c, 10, "p0", "p1", "p2", "p3", "p4")
	acks := aw.appends
	for _, dl := range ds {
		woken = q.AckFor(woken[:0], dl.Tag)
	}
	if aw.appends != acks {
		t.Fatalf("AckFor wrote %d ack records before Flush", aw.appends-acks)
	}
	if err := q.Flush(); err != nil || aw.appends != acks+1 {
		t.Fatalf("Flush = %v with %d ack records written, want 1", err, aw.appends-acks)
	}

	// Close writes what PublishFor left.
	if _, err := q.PublishFor(persistent("c1"), nil); err != nil {
		t.Fatal(err)
	}
	q.Close()
	d.log.Close()
	d.ack.Close()
	d.reopen(t)
	q = d.open(t, mod)
	if q.Len() != 1 {
		t.Fatalf("after Close and reopen Len = %d, want 1 (c1)", q.Len())
	}

	// A failed write: its message stays queued but is not logged.
	lw.fail = errors.New("disk full")
	if _, err := q.PublishFor(persistent("f1"), nil); err != nil {
		t.Fatalf("PublishFor = %v; the write is deferred", err)
	}
	if err := q.Flush(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Flush after a failed write = %v", err)
	}
	if err := q.Flush(); err != nil {
		t.Fatalf("second Flush = %v, want the error reported once", err)
	}
	lw.fail = nil
	if err := q.Publish(persistent("g")); err != nil {
		t.Fatal(err)
	}
	if q.Len() != 3 {
		t.Fatalf("Len = %d, want 3 (c1, f1, g)", q.Len())
	}
	q = d.restart(t, q, mod)
	takeWant(t, consume(t, q, ConsumerOptions{}), 10, "c1", "g")
}
