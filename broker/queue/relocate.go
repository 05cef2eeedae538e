// Relocation: compaction of a Log whose settled prefix is pinned. The Log
// can only be truncated below its lowest live offset, so one message that
// stays in the queue for long — a delivery its consumer never settles, a
// low-priority message overtaken by a stream of higher-priority ones —
// would keep every later record on disk (or in memory) while thousands of
// messages come and go. So once the Log spans relocSpan records or more of
// which at most an eighth are live, the live messages in the older half of
// the span are appended again at the Log's end (the same record at a new
// offset: same seq, body, properties and meta; the same *Message, whose
// off changes), the Log is synced, and their old offsets are settled in
// the same AckLog record as the operation's other settlements; the
// truncation that follows then frees at least 3/8 of the span for at most
// 1/8 copied.
//
// Crash safety: the copies are durable (Log.Sync) before the settlement of
// the old offsets is even appended, and before the Log is truncated past
// them (segmentlog makes a truncation durable at once), so every moved
// message survives a crash in at least one copy. A crash after the sync
// but before the settlement or the truncation is durable leaves two live
// records with the same seq: recovery keeps the newer and settles the
// older. If appending or syncing fails, the copies already appended are
// settled instead and the messages stay where they were.

package queue

import (
	"cmp"
	"fmt"
	"slices"
)

const (
	// relocSpan is the Log span, in records, from which relocation is tried.
	relocSpan = 8 * compactEvery
	// relocBatchBytes bounds the body bytes of one Append of copies.
	relocBatchBytes = 16 << 20
)

// relocate moves the live messages of the older half of the Log to its end
// when that pays (see the file comment). It is called by flushSettled with
// the pending records written and the operation's settlements in
// d.settled, to which it adds the old offsets of the moved messages (or
// the failed copies). q.mu is held.
func (q *Queue) relocate() {
	d := &q.dur
	if q.gone != nil {
		return
	}
	// The walk below costs O(messages held): trying at most once per
	// eighth of that many records appended keeps it amortised.
	held := q.ready.n + len(q.unacked)
	d.relocNext = d.logEnd + int64(max(compactEvery, held/8))
	for _, off := range d.settled {
		d.live.settle(off) // flushSettled settles them again: a no-op
	}
	span := d.logEnd - d.logStart
	cut := d.logStart + span/2
	if int64(d.live.n)*8 > span || d.live.low() >= cut {
		return // too much to copy, or truncation alone frees half the span
	}

	ms := d.moving[:0]
	for p := range q.ready.levels {
		r := &q.ready.levels[p]
		for i := range r.len() {
			if m := r.at(i); m.logged && m.off < cut {
				ms = append(ms, m)
			}
		}
	}
	for _, m := range q.unacked {
		if m.logged && m.off < cut {
			ms = append(ms, m)
		}
	}
	slices.SortFunc(ms, func(a, b *Message) int { return cmp.Compare(a.off, b.off) })

	base := d.logEnd
	n := 0 // copies appended
	var err error
	for n < len(ms) && err == nil {
		size := 0
		for _, m := range ms[n:] {
			if len(d.pending) == maxPending || (len(d.pending) > 0 && size+len(m.Body) > relocBatchBytes) {
				break
			}
			d.pending = append(d.pending, d.record(m, d.logEnd+int64(len(d.pending))))
			size += len(m.Body)
		}
		if err = q.log.Append(d.pending); err == nil {
			for range d.pending {
				d.live.add(d.logEnd)
				d.logEnd++
			}
			n += len(d.pending)
		}
		q.dropPending()
	}
	if err != nil {
		d.fail(fmt.Errorf("queue %q: relocate: %w", q.cfg.Name, err))
	}
	if n > 0 {
		if err := q.log.Sync(); err != nil {
			d.fail(fmt.Errorf("queue %q: relocate: sync log: %w", q.cfg.Name, err))
			for off := base; off < base+int64(n); off++ {
				d.settled = append(d.settled, off)
			}
			n = 0
		}
	}
	for i, m := range ms[:n] {
		d.settled = append(d.settled, m.off)
		m.off = base + int64(i)
	}
	clear(ms)
	if cap(ms) <= 4096 {
		d.moving = ms[:0]
	} else {
		d.moving = nil
	}
}
