// Recovery of a durable queue in New: read AckLog (last checkpoint plus
// later settlements), then Log, keeping the records not settled; rebuild
// the ready messages in publish order, marked redelivered, keeping one
// copy of a relocated message whose old copy a crash left live; then write
// a fresh checkpoint so AckLog starts small and stale settlements (and the
// dropped copies) are gone.

package queue

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"

	"junction/storage"
)

// recover rebuilds the queue from its logs. q.mu is held.
func (q *Queue) recover(now int64) error {
	d := &q.dur
	d.lastCP = -1
	d.logStart, d.logEnd = q.log.Start(), q.log.End()
	d.ackStart, d.ackEnd = q.ackLog.Start(), q.ackLog.End()

	cpEnd := int64(-1)          // E of the last checkpoint, -1 if none
	cpLive := map[int64]bool{}  // its live offsets
	settled := map[int64]bool{} // settled after it
	err := readLog(q.ackLog, d.ackStart, func(r *storage.Record) error {
		v := r.Value
		if len(v) == 0 {
			return errBadRecord("ack log", r.Offset)
		}
		kind, v := v[0], v[1:]
		switch kind {
		case recAck:
			offs, ok := decodeOffsets(v, false, nil)
			if !ok {
				return errBadRecord("ack log", r.Offset)
			}
			for _, off := range offs {
				settled[off] = true
			}
		case recCheckpoint:
			e, n := binary.Uvarint(v)
			if n <= 0 {
				return errBadRecord("ack log", r.Offset)
			}
			offs, ok := decodeOffsets(v[n:], true, nil)
			if !ok {
				return errBadRecord("ack log", r.Offset)
			}
			cpEnd = int64(e)
			clear(cpLive)
			clear(settled)
			for _, off := range offs {
				cpLive[off] = true
			}
		default:
			return errBadRecord("ack log", r.Offset)
		}
		return nil
	})
	if err != nil {
		return err
	}

	var msgs []*Message
	d.live.reset(d.logStart)
	err = readLog(q.log, d.logStart, func(r *storage.Record) error {
		off := r.Offset
		if (cpEnd >= 0 && off < cpEnd && !cpLive[off]) || settled[off] {
			return nil
		}
		m, ok := decodeMessage(r)
		if !ok {
			return errBadRecord("log", off)
		}
		m.off, m.logged, m.redelivered = off, true, true
		d.live.add(off)
		msgs = append(msgs, m)
		return nil
	})
	if err != nil {
		return err
	}
	d.live.end = max(d.live.end, d.logEnd)

	slices.SortFunc(msgs, func(a, b *Message) int {
		if c := cmp.Compare(a.seq, b.seq); c != 0 {
			return c
		}
		return cmp.Compare(a.off, b.off)
	})
	for i, m := range msgs {
		if i+1 < len(msgs) && msgs[i+1].seq == m.seq {
			// Relocated (relocate.go) and the crash came before the old
			// copy's settlement was durable: keep the newest copy only.
			d.live.settle(m.off)
			continue
		}
		m.level = q.level(m.Priority)
		m.expireAt = noExpiry
		if ttl := q.ttl(m); ttl >= 0 {
			q.hasTTL = true
			m.expireAt = m.EnqueuedAt + min(ttl, noExpiry-m.EnqueuedAt)
		}
		q.ready.push(m)
		q.seq = m.seq + 1
	}

	if d.ackEnd > d.ackStart {
		// A durable checkpoint replaces every earlier settlement record.
		q.checkpoint(now)
		if d.err != nil {
			return d.err
		}
		if err := q.ackLog.Sync(); err != nil {
			return err
		}
		q.truncateAckLog(d.lastCP)
		return d.err
	}
	q.truncateLog(d.live.low())
	return d.err
}

func errBadRecord(which string, off int64) error {
	return fmt.Errorf("%s record %d: %w", which, off, storage.ErrCorrupt)
}

// readLog calls fn for every record of l from offset from on.
func readLog(l storage.Log, from int64, fn func(*storage.Record) error) error {
	var buf []storage.Record
	for {
		var err error
		buf, err = l.Read(buf[:0], from, 1024, 0)
		if err != nil {
			return err
		}
		if len(buf) == 0 {
			return nil
		}
		for i := range buf {
			if err := fn(&buf[i]); err != nil {
				return err
			}
		}
		from = buf[len(buf)-1].Offset + 1
	}
}

// decodeOffsets parses uvarint(n) then n uvarint offsets (delta-encoded
// when delta), appending them to dst.
func decodeOffsets(v []byte, delta bool, dst []int64) ([]int64, bool) {
	cnt, k := binary.Uvarint(v)
	if k <= 0 || cnt > uint64(len(v)) {
		return dst, false
	}
	v = v[k:]
	prev := int64(0)
	for range cnt {
		x, k := binary.Uvarint(v)
		if k <= 0 {
			return dst, false
		}
		v = v[k:]
		off := int64(x)
		if delta {
			off += prev
			prev = off
		}
		dst = append(dst, off)
	}
	return dst, len(v) == 0
}

// decodeMessage rebuilds a persistent message from its Log record (see
// durable.go for the layout). Body and Props alias the record.
func decodeMessage(r *storage.Record) (*Message, bool) {
	var meta []byte
	found := false
	for _, h := range r.Headers {
		if bytes.Equal(h.Key, metaKey) {
			meta, found = h.Value, true
			break
		}
	}
	if !found || len(meta) < 2 || meta[0] != metaVersion {
		return nil, false
	}
	m := &Message{Priority: meta[1], Body: r.Value, Props: r.Native, Persistent: true, EnqueuedAt: r.Timestamp}
	v := meta[2:]
	seq, k := binary.Uvarint(v)
	if k <= 0 {
		return nil, false
	}
	v = v[k:]
	exp, k := binary.Varint(v)
	if k <= 0 {
		return nil, false
	}
	v = v[k:]
	exLen, k := binary.Uvarint(v)
	if k <= 0 || exLen > uint64(len(v)-k) {
		return nil, false
	}
	v = v[k:]
	m.seq, m.Expiration = seq, exp
	m.Exchange, m.RoutingKey = string(v[:exLen]), string(v[exLen:])
	return m, true
}
