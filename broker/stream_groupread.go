// Stream group reads (Redis XREADGROUP): delivering new entries to a
// consumer and re-reading a consumer's own pending history, with Redis 7's
// PEL, entries-read, seen-time and active-time bookkeeping.
//
// Records are read before the group lock is taken (no log I/O under
// StreamGroup.mu, see LOCKS.md); ReadNew retries when another reader moved
// the group's last ID in between.
package broker

import (
	"junction/storage"
)

// maxStreamID is the largest stream ID (Redis "+").
var maxStreamID = storage.StreamID{Ms: ^uint64(0), Seq: ^uint64(0)}

// alive returns ErrUnknownGroup once the group is destroyed and
// ErrTopicDeleted once its topic is gone.
func (g *StreamGroup) alive() error {
	select {
	case <-g.gone:
		return ErrUnknownGroup
	case <-g.p.t.gone:
		return ErrTopicDeleted
	default:
		return nil
	}
}

func (g *StreamGroup) now() int64 { return g.p.t.b.cfg.Now().UnixMilli() }

// ReadNew delivers to consumer up to count (<= 0: all) live entries after
// the group's last delivered ID (XREADGROUP ">"), advancing the last ID and
// entries-read counter. Unless noAck, each entry enters the PEL owned by
// consumer (taking it over if another consumer held it) with one delivery.
// The consumer is created if needed and its seen time set even when
// nothing is delivered.
func (g *StreamGroup) ReadNew(consumer string, count int, noAck bool) ([]storage.Record, error) {
	p := g.p
	for {
		if err := g.alive(); err != nil {
			return nil, err
		}
		var last storage.StreamID
		g.View(func(s *GroupState) { last = s.LastID })
		var recs []storage.Record
		if last != maxStreamID && last.Less(p.LastID()) {
			var err error
			if recs, err = p.ReadRange(nil, last.Next(), maxStreamID, count); err != nil {
				return nil, err
			}
		}
		var info StreamInfo
		if len(recs) > 0 {
			info = p.Info()
		}
		now := g.now()
		stale := false
		err := g.Update(func(s *GroupState) error {
			if s.LastID != last {
				stale = true
				return nil
			}
			c := s.Consumer(consumer, now, true)
			c.SeenTime = now
			for i := range recs {
				id := recs[i].ID
				if last.Less(id) {
					info.advanceRead(s, id)
				}
				if noAck {
					continue
				}
				s.AddPending(PendingEntry{ID: id, Consumer: consumer, DeliveredAt: now, Count: 1})
				c.ActiveTime = now
			}
			return nil
		})
		if !stale {
			return recs, err
		}
	}
}

// HistoryEntry is one entry of a consumer's pending history; Record is nil
// when the entry was deleted from the stream after delivery.
type HistoryEntry struct {
	ID     storage.StreamID
	Record *storage.Record
}

// ReadHistory returns up to count (<= 0: all) of consumer's pending entries
// with IDs >= start (XREADGROUP with an explicit ID), counting one more
// delivery for each that still exists. The consumer is created if needed.
func (g *StreamGroup) ReadHistory(consumer string, start storage.StreamID, count int) ([]HistoryEntry, error) {
	if err := g.alive(); err != nil {
		return nil, err
	}
	var ids []storage.StreamID
	g.View(func(s *GroupState) {
		i, _ := s.Find(start)
		for ; i < len(s.PEL) && (count <= 0 || len(ids) < count); i++ {
			if s.PEL[i].Consumer == consumer {
				ids = append(ids, s.PEL[i].ID)
			}
		}
	})
	out := make([]HistoryEntry, len(ids))
	for i, id := range ids {
		out[i].ID = id
		recs, err := g.p.ReadRange(nil, id, id, 1)
		if err != nil {
			return nil, err
		}
		if len(recs) == 1 {
			out[i].Record = &recs[0]
		}
	}
	now := g.now()
	err := g.Update(func(s *GroupState) error {
		s.Consumer(consumer, now, true).SeenTime = now
		for _, e := range out {
			if e.Record == nil {
				continue
			}
			if j, ok := s.Find(e.ID); ok && s.PEL[j].Consumer == consumer {
				s.PEL[j].DeliveredAt = now
				s.PEL[j].Count++
			}
		}
		return nil
	})
	return out, err
}
