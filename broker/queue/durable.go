// Durability: persistent messages of a durable queue are appended to
// Config.Log; every settlement (ack, no-ack delivery, dead-letter, drop,
// purge) of such a message is recorded in Config.AckLog; Sync fsyncs both.
// Compaction truncates the fully settled prefix of Log and keeps AckLog to
// about two checkpoints' worth of records. When a few long-lived messages
// pin that prefix, relocation (relocate.go) appends them again at the
// Log's end, syncs the Log, settles their old offsets and truncates, so
// the Log stays within a small multiple of compactEvery records or of the
// messages the queue holds, whichever is larger, however long some of
// them stay. A message's record may
// therefore move: its offset changes, its seq does not, and recovery keeps
// one record per seq.
//
// Log record (one per persistent message):
//
//	Offset, ID {0, offset+1}, Timestamp = EnqueuedAt, Value = Body,
//	Native = Props, Origin = OriginNone, Headers = [{"q", meta}] with
//	meta = version(1) priority(1) uvarint(seq) varint(Expiration)
//	       uvarint(len(Exchange)) Exchange RoutingKey
//
// AckLog records (Value):
//
//	'A' uvarint(n) n×uvarint(offset)          offsets settled
//	'C' uvarint(E) uvarint(n) n×uvarint(delta) checkpoint: of the Log
//	    offsets below E exactly these n (delta-encoded, ascending) are live
//
// Recovery takes the last checkpoint, then applies the 'A' records after
// it. Writing a checkpoint lets AckLog drop everything before the previous
// checkpoint; Sync, once both logs are synced, drops everything before the
// newest one. (Dropping only what a synced checkpoint supersedes means a
// crash cannot lose settlements whose checkpoint was never written out.)
//
// Sync order is Log before AckLog, so a settlement is never durable for a
// message record that is not (relocation syncs the Log itself before it
// settles a moved record's old offset); and New writes a checkpoint first thing, so
// settlements that outlived their message records in a crash never apply
// to the new records that reuse the offsets.
//
// Deferred writes: PublishFor and AckFor leave their records in memory
// (pending messages, settled offsets) for Flush, so that a frontend's batch
// of publishes and acks costs one Log and one AckLog write instead of one
// per message. Any other operation on the queue, Sync and Close write them
// first. If a Log write fails, its messages stay queued but are no longer
// logged (their settlements are dropped too), the log end is rewound, and
// the error goes to the caller and to the next Flush or Sync.

package queue

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"

	"junction/storage"
)

// compactEvery: the Log is truncated once its settled prefix is this many
// records long, and a checkpoint is written after this many AckLog records
// (or twice the live count, if larger, so checkpoints stay amortised).
const compactEvery = 1024

const (
	metaVersion   = 1
	recAck        = 'A'
	recCheckpoint = 'C'
)

var metaKey = []byte("q")

// durableState is the queue's bookkeeping for its logs; guarded by q.mu.
type durableState struct {
	live     liveSet // Log offsets not yet settled
	logStart int64   // Log.Start as we last truncated it
	logEnd   int64   // Log.End
	ackStart int64   // AckLog.Start as we last truncated it
	ackEnd   int64   // AckLog.End
	settled  []int64 // offsets settled by the current operation, not yet in AckLog
	sinceCP  int     // AckLog 'A' records since the last checkpoint
	lastCP   int64   // AckLog offset of the newest checkpoint, -1 if none
	err      error   // first log error since the last Flush or Sync
	arena    arena
	rec      [1]storage.Record

	pending  []storage.Record // message records not yet appended to Log
	pendMsgs []*Message       // their messages, to undo a failed append

	relocNext int64      // no relocation is tried before logEnd reaches this
	moving    []*Message // relocate's scratch
}

// maxPending bounds the message records one deferred batch buffers.
const maxPending = 256

// recID is the stream ID of a queue-log record: strictly increasing.
func recID(off int64) storage.StreamID { return storage.StreamID{Seq: uint64(off) + 1} }

// record returns m's Log record at offset off; its meta is carved from the
// arena.
func (d *durableState) record(m *Message, off int64) storage.Record {
	b := d.arena.room(2 + 3*binary.MaxVarintLen64 + len(m.Exchange) + len(m.RoutingKey))
	b = append(b, metaVersion, m.Priority)
	b = binary.AppendUvarint(b, m.seq)
	b = binary.AppendVarint(b, m.Expiration)
	b = binary.AppendUvarint(b, uint64(len(m.Exchange)))
	b = append(b, m.Exchange...)
	b = append(b, m.RoutingKey...)
	return storage.Record{
		Offset:    off,
		Timestamp: m.EnqueuedAt,
		ID:        recID(off),
		Value:     m.Body,
		Native:    m.Props,
		Headers:   d.arena.header(metaKey, d.arena.commit(b)),
	}
}

// appendMessage stores m (whose seq is set) in the Log; with deferred the
// record waits for the next write of pending records. q.mu is held.
func (q *Queue) appendMessage(m *Message, deferred bool) error {
	d := &q.dur
	d.pending = append(d.pending, d.record(m, d.logEnd))
	d.pendMsgs = append(d.pendMsgs, m)
	m.off, m.logged = d.logEnd, true
	d.live.add(d.logEnd)
	d.logEnd++
	if deferred && len(d.pending) < maxPending {
		return nil
	}
	return q.writePending(m)
}

// writePending appends the pending message records to the Log in one
// write. On failure it undoes them (see the file comment) and keeps the
// error for Flush and Sync unless last, whose publisher gets the error, was
// the only one. q.mu is held.
func (q *Queue) writePending(last *Message) error {
	d := &q.dur
	if len(d.pending) == 0 {
		return nil
	}
	err := q.log.Append(d.pending)
	if err != nil {
		from := d.pending[0].Offset
		for _, m := range d.pendMsgs {
			m.logged = false
		}
		d.settled = slices.DeleteFunc(d.settled, func(off int64) bool { return off >= from })
		d.live.truncate(from)
		d.logEnd = from
		err = fmt.Errorf("queue %q: publish: %w", q.cfg.Name, err)
		if len(d.pendMsgs) > 1 || d.pendMsgs[0] != last {
			d.fail(err)
		}
	}
	q.dropPending()
	return err
}

// dropPending forgets the pending message records. q.mu is held.
func (q *Queue) dropPending() {
	d := &q.dur
	clear(d.pending)
	clear(d.pendMsgs)
	d.pending, d.pendMsgs = d.pending[:0], d.pendMsgs[:0]
}

// Flush writes the log records PublishFor and AckFor left in memory. It
// returns the first log error since the last Flush or Sync — then some
// messages published since may not be logged. A no-op for transient
// queues.
func (q *Queue) Flush() error {
	if q.log == nil {
		return nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.gone == ErrDeleted {
		return nil
	}
	q.flushSettled(q.nowMs())
	err := q.dur.err
	q.dur.err = nil
	return err
}

// settle notes that m leaves the queue for good. q.mu is held.
func (q *Queue) settle(m *Message) {
	if m.logged {
		m.logged = false
		q.dur.settled = append(q.dur.settled, m.off)
	}
}

// flushSettled writes the pending message records, records the pending
// settlements as one AckLog record and compacts. q.mu is held.
func (q *Queue) flushSettled(now int64) {
	d := &q.dur
	if len(d.pending) > 0 {
		q.writePending(nil)
	}
	if len(d.settled) == 0 {
		return
	}
	if d.logEnd-d.logStart >= relocSpan && d.logEnd >= d.relocNext {
		q.relocate() // may add settlements: the old offsets of moved messages
	}
	b := d.arena.room(1 + binary.MaxVarintLen64*(1+len(d.settled)))
	b = append(b, recAck)
	b = binary.AppendUvarint(b, uint64(len(d.settled)))
	for _, off := range d.settled {
		b = binary.AppendUvarint(b, uint64(off))
	}
	if q.appendAck(now, d.arena.commit(b)) {
		d.sinceCP++
	}
	// Settled in memory even if the record failed: at worst the message
	// comes back after a restart (at-least-once).
	for _, off := range d.settled {
		d.live.settle(off)
	}
	d.settled = d.settled[:0]

	if low := d.live.low(); low-d.logStart >= compactEvery {
		q.truncateLog(low)
	}
	if d.sinceCP >= max(compactEvery, 2*d.live.n) {
		q.checkpoint(now)
	}
}

// appendAck appends one AckLog record; it reports success (errors are kept
// for Sync). q.mu is held.
func (q *Queue) appendAck(now int64, v []byte) bool {
	d := &q.dur
	r := &d.rec[0]
	*r = storage.Record{Offset: d.ackEnd, Timestamp: now, ID: recID(d.ackEnd), Value: v}
	err := q.ackLog.Append(d.rec[:])
	*r = storage.Record{}
	if err != nil {
		d.fail(fmt.Errorf("queue %q: ack log: %w", q.cfg.Name, err))
		return false
	}
	d.ackEnd++
	return true
}

func (d *durableState) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// truncateLog drops the Log's records below low, all settled. q.mu is held.
func (q *Queue) truncateLog(low int64) {
	d := &q.dur
	if low <= d.logStart {
		return
	}
	if err := q.log.TruncateFront(low); err != nil {
		d.fail(fmt.Errorf("queue %q: truncate log: %w", q.cfg.Name, err))
		return
	}
	d.logStart = low
}

// checkpoint truncates the Log's settled prefix, appends a checkpoint of
// the live offsets, and drops the AckLog records before the previous
// checkpoint. q.mu is held.
func (q *Queue) checkpoint(now int64) {
	d := &q.dur
	q.truncateLog(d.live.low())
	size := 1 + binary.MaxVarintLen64*(2+d.live.n)
	var b []byte
	if size <= arenaChunk/4 {
		b = d.arena.room(size)
	} else {
		b = make([]byte, 0, size)
	}
	b = append(b, recCheckpoint)
	b = binary.AppendUvarint(b, uint64(d.logEnd))
	b = binary.AppendUvarint(b, uint64(d.live.n))
	prev := int64(0)
	d.live.each(func(off int64) {
		b = binary.AppendUvarint(b, uint64(off-prev))
		prev = off
	})
	if size <= arenaChunk/4 {
		b = d.arena.commit(b)
	}
	at := d.ackEnd
	if !q.appendAck(now, b) {
		return
	}
	if d.lastCP > d.ackStart {
		q.truncateAckLog(d.lastCP)
	}
	d.lastCP, d.sinceCP = at, 0
}

func (q *Queue) truncateAckLog(before int64) {
	d := &q.dur
	if err := q.ackLog.TruncateFront(before); err != nil {
		d.fail(fmt.Errorf("queue %q: truncate ack log: %w", q.cfg.Name, err))
		return
	}
	d.ackStart = before
}

// Sync makes every Publish and settlement so far durable: it syncs Log,
// then AckLog, then lets AckLog drop what the newest (now durable)
// checkpoint supersedes. It returns a log error, including the first
// AckLog append or truncation error since the previous Sync. A no-op for
// transient and deleted queues.
func (q *Queue) Sync() error {
	if q.log == nil {
		return nil
	}
	q.mu.Lock()
	if q.gone != ErrDeleted {
		q.flushSettled(q.nowMs())
	}
	cp, err, gone := q.dur.lastCP, q.dur.err, q.gone
	q.dur.err = nil
	q.mu.Unlock()
	switch {
	case gone == ErrDeleted:
		return nil // nothing left to make durable; the broker removes the logs
	case err != nil:
		return err
	}
	if err := q.log.Sync(); err != nil {
		return fmt.Errorf("queue %q: sync log: %w", q.cfg.Name, err)
	}
	if err := q.ackLog.Sync(); err != nil {
		return fmt.Errorf("queue %q: sync ack log: %w", q.cfg.Name, err)
	}
	q.mu.Lock()
	if q.gone == nil && cp > q.dur.ackStart {
		q.truncateAckLog(cp)
	}
	q.mu.Unlock()
	return nil
}

// liveSet is the set of unsettled Log offsets: a bitmap from base to end.
// Offsets are added in increasing order; leading all-settled words are
// dropped, so low is O(1) in the common case.
type liveSet struct {
	base  int64 // offset of bit 0 of words[0]
	words []uint64
	end   int64 // every offset >= end is untracked (not yet appended)
	n     int   // live offsets
}

func (s *liveSet) reset(start int64) { *s = liveSet{base: start, end: start} }

// add marks off (>= end) live.
func (s *liveSet) add(off int64) {
	i := off - s.base
	for w := int(i >> 6); len(s.words) <= w; {
		s.words = append(s.words, 0)
	}
	s.words[i>>6] |= 1 << (i & 63)
	s.end = off + 1
	s.n++
}

// truncate forgets every offset >= end (which must be >= base), making
// end the next offset to add.
func (s *liveSet) truncate(end int64) {
	end = max(end, s.base)
	for off := end; off < s.end; off++ {
		i := off - s.base
		if bit := uint64(1) << (i & 63); s.words[i>>6]&bit != 0 {
			s.words[i>>6] &^= bit
			s.n--
		}
	}
	s.end = end
	if w := int((end - s.base + 63) >> 6); w < len(s.words) {
		s.words = s.words[:w]
	}
}

// settle marks off settled.
func (s *liveSet) settle(off int64) {
	if off < s.base || off >= s.end {
		return
	}
	i := off - s.base
	bit := uint64(1) << (i & 63)
	if s.words[i>>6]&bit == 0 {
		return
	}
	s.words[i>>6] &^= bit
	s.n--
	for len(s.words) > 0 && s.words[0] == 0 && s.base+64 <= s.end {
		s.words = s.words[1:]
		s.base += 64
	}
}

// low returns the lowest live offset, end if none.
func (s *liveSet) low() int64 {
	for w, x := range s.words {
		if x != 0 {
			return s.base + int64(w*64+bits.TrailingZeros64(x))
		}
	}
	return s.end
}

// each calls fn for every live offset in ascending order.
func (s *liveSet) each(fn func(off int64)) {
	for w, x := range s.words {
		for x != 0 {
			fn(s.base + int64(w*64+bits.TrailingZeros64(x)))
			x &= x - 1
		}
	}
}

// arenaChunk is the size of the arena's byte chunks.
const arenaChunk = 16 << 10

// arena carves the small byte slices and headers of log records out of
// shared chunks, so appending a record allocates nothing per record yet a
// Log may keep the slices it is given. Carved slices are never written
// again.
type arena struct {
	b []byte
	h []storage.Header
}

// room returns an empty slice with capacity for n bytes at the arena's tail.
func (a *arena) room(n int) []byte {
	if cap(a.b)-len(a.b) < n {
		a.b = make([]byte, 0, max(arenaChunk, n))
	}
	return a.b[len(a.b):len(a.b):cap(a.b)]
}

// commit claims b, which was built in the slice room returned, and
// returns it with its capacity clipped.
func (a *arena) commit(b []byte) []byte {
	a.b = a.b[:len(a.b)+len(b)]
	return b[:len(b):len(b)]
}

// header returns a one-element header slice.
func (a *arena) header(k, v []byte) []storage.Header {
	if len(a.h) == cap(a.h) {
		a.h = make([]storage.Header, 0, 256)
	}
	a.h = append(a.h, storage.Header{Key: k, Value: v})
	n := len(a.h)
	return a.h[n-1 : n : n]
}
