// Publisher confirms: confirm.select (85.10) numbers the channel's
// publishes 1, 2, 3 …; each publish's outcome (ack, or nack when a queue
// refused it under x-overflow reject-publish*) is recorded, and at the end
// of the reader's batch — when no more frames are buffered, or after
// confirmBatchMax publishes — the outcomes are sent in order, runs of equal
// outcomes coalesced into one basic.ack / basic.nack with multiple=true.
// The durable queues that logged persistent messages in the batch write
// their log records once (queue.Flush) — under FsyncAlways they are synced
// once (queue.Sync) — before the batch's confirms go out, so a confirm
// means "stored" by the broker's fsync policy; a failed write or sync turns
// those confirms into nacks. Unroutable messages are acked (after their
// basic.return when mandatory), as in RabbitMQ. confirm.select on a
// transactional channel is 406 "cannot switch from tx to confirm mode".

package amqp

import (
	"encoding/binary"

	"junction/broker/queue"
	"junction/frontends/amqp/internal/wire"
)

// confirmBatchMax bounds how many publishes wait for their confirms while
// frames keep arriving.
const confirmBatchMax = 2048

type confirmOutcome struct {
	seq  uint64
	nack bool
	sync bool // waits for a queue Sync
}

// batchState is the reader's per-batch bookkeeping.
type batchState struct {
	chans     []*channel        // channels with outcomes to confirm
	logQs     []logQueue        // durable queues to Flush or Sync before confirming
	pending   int               // outcomes waiting
	published bool              // ready bytes may have grown (memory alarm)
	woken     []*queue.Consumer // consumers the batch's publishes and acks woke: served by flushConfirms
	ds        []queue.Delivery  // scratch for serving them
}

func (b *batchState) full() bool { return b.pending >= confirmBatchMax }

// logQueue is a queue whose log records the batch left for the end.
type logQueue struct {
	q    *queue.Queue
	sync bool // Sync it (FsyncAlways with confirms), not just Flush
	msgs bool // it logged the batch's messages: a failure nacks their confirms
}

func (b *batchState) addLog(q *queue.Queue, sync, msgs bool) {
	for i := range b.logQs {
		if e := &b.logQs[i]; e.q == q {
			e.sync, e.msgs = e.sync || sync, e.msgs || msgs
			return
		}
	}
	b.logQs = append(b.logQs, logQueue{q: q, sync: sync, msgs: msgs})
}

// write syncs the queue's log, or only flushes it to the file.
func (e *logQueue) write() error {
	if e.sync {
		return e.q.Sync()
	}
	return e.q.Flush()
}

// writeLogs flushes, or syncs, the listed queues' logs and empties the
// list. It reports whether a queue that logged messages failed.
func (c *conn) writeLogs(qs []logQueue) (failed bool) {
	for i := range qs {
		e := &qs[i]
		if err := e.write(); err != nil {
			c.s.log.Error("queue log write failed; nacking its publishes", "queue", e.q.Name(), "err", err)
			failed = failed || e.msgs
		}
		*e = logQueue{}
	}
	return failed
}

func (ch *channel) confirmSelect(m *wire.ConfirmSelect) (wire.Method, error) {
	if ch.tx != nil {
		return nil, newErr(wire.PreconditionFailed, "cannot switch from tx to confirm mode")
	}
	ch.confirm = true
	return ok(m.NoWait, &wire.ConfirmSelectOk{})
}

func (ch *channel) addConfirm(o confirmOutcome) {
	ch.confirms = append(ch.confirms, o)
	if !ch.inBatch {
		ch.inBatch = true
		ch.c.batch.chans = append(ch.c.batch.chans, ch)
	}
	ch.c.batch.pending++
}

// endBatch confirms the batch, flushes the outbox, and pauses reading
// while the outbox is over its limit.
func (c *conn) endBatch() error {
	c.flushConfirms()
	if c.batch.published {
		c.batch.published = false
		c.s.mem.kick()
	}
	c.out.flush()
	if c.out.full() {
		c.paused.Add(1)
		c.out.waitSpace(nil)
		c.paused.Add(-1)
	}
	return nil
}

// flushConfirms delivers to the consumers the batch woke, writes (or
// under FsyncAlways syncs) the log records of its publishes and acks, and
// writes the batch's confirms.
func (c *conn) flushConfirms() {
	c.serveWoken()
	syncFailed := c.writeLogs(c.batch.logQs)
	c.batch.logQs = c.batch.logQs[:0]
	for i, ch := range c.batch.chans {
		ch.inBatch = false
		if !ch.closing && len(ch.confirms) > 0 {
			ch.emitConfirms(syncFailed)
		}
		ch.confirms = ch.confirms[:0]
		c.batch.chans[i] = nil
	}
	c.batch.chans = c.batch.chans[:0]
	c.batch.pending = 0
}

// emitConfirms writes the channel's outcomes, coalescing runs. Every
// earlier sequence number is already confirmed, so a run's last number
// with multiple=true covers exactly the run.
func (ch *channel) emitConfirms(syncFailed bool) {
	os := ch.confirms
	nackOf := func(o confirmOutcome) bool { return o.nack || (syncFailed && o.sync) }
	b, okb := ch.c.out.begin()
	for i := 0; i < len(os); {
		nack := nackOf(os[i])
		j := i
		for j+1 < len(os) && nackOf(os[j+1]) == nack {
			j++
		}
		if okb {
			b = appendConfirm(b, ch.id, os[j].seq, j > i, nack)
		}
		i = j + 1
	}
	ch.c.out.end(b, okb)
}

// appendConfirm appends basic.ack or basic.nack (requeue=false) without
// allocating.
func appendConfirm(b []byte, channel uint16, tag uint64, multiple, nack bool) []byte {
	method := uint16(80)
	if nack {
		method = 120
	}
	b = append(b, wire.FrameMethod, byte(channel>>8), byte(channel), 0, 0, 0, 13)
	b = binary.BigEndian.AppendUint16(b, wire.ClassBasic)
	b = binary.BigEndian.AppendUint16(b, method)
	b = binary.BigEndian.AppendUint64(b, tag)
	var bits byte
	if multiple {
		bits = 1
	}
	return append(b, bits, wire.FrameEnd)
}
