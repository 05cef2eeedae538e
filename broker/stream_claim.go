// Stream group ownership changes (Redis XCLAIM, XAUTOCLAIM, XACK) and
// consumer and group administration (XGROUP CREATECONSUMER, DELCONSUMER,
// SETID), following Redis 7.2's t_stream.c: entries that no longer exist
// in the stream are dropped from the PEL, FORCE creates PEL entries, and
// claiming counts a delivery unless JUSTID.
//
// Entry existence is looked up before the group lock is taken (no log I/O
// under StreamGroup.mu); an entry deleted in between is replied as a nil
// record.
package broker

import (
	"junction/storage"
)

// Claimed is one entry a claim handed to the consumer; Record is nil when
// only IDs were asked for or the entry vanished meanwhile.
type Claimed struct {
	ID     storage.StreamID
	Record *storage.Record
}

// ClaimArgs are XCLAIM's arguments.
type ClaimArgs struct {
	Consumer string
	// MinIdle: only entries idle at least this many ms are claimed.
	MinIdle int64
	IDs     []storage.StreamID
	// DeliveredAt sets the entries' delivery time in Unix ms (IDLE/TIME);
	// -1 means now. Values below 0 or in the future become now.
	DeliveredAt int64
	// RetryCount sets the delivery count; -1 increments it (unless JustID).
	RetryCount int64
	// Force creates PEL entries for existing entries not yet pending.
	Force bool
	// JustID leaves the delivery count alone and skips reading records.
	JustID bool
	// LastID raises the group's last delivered ID if it is greater.
	LastID storage.StreamID
}

// lookup reads the live record with each ID (nil when absent).
func (p *Partition) lookup(ids []storage.StreamID, justID bool) (map[storage.StreamID]*storage.Record, error) {
	m := make(map[storage.StreamID]*storage.Record, len(ids))
	for _, id := range ids {
		if _, ok := m[id]; ok {
			continue
		}
		recs, err := p.ReadRange(nil, id, id, 1)
		if err != nil {
			return nil, err
		}
		m[id] = nil
		if len(recs) == 1 {
			r := &recs[0]
			if justID {
				r = &storage.Record{ID: id}
			}
			m[id] = r
		}
	}
	return m, nil
}

// Claim transfers pending entries to a.Consumer (XCLAIM) and returns the
// claimed entries in argument order.
func (g *StreamGroup) Claim(a ClaimArgs) ([]Claimed, error) {
	if err := g.alive(); err != nil {
		return nil, err
	}
	recs, err := g.p.lookup(a.IDs, a.JustID)
	if err != nil {
		return nil, err
	}
	now := g.now()
	at := a.DeliveredAt
	if at < 0 || at > now {
		at = now
	}
	var out []Claimed
	err = g.Update(func(s *GroupState) error {
		if s.LastID.Less(a.LastID) {
			s.LastID = a.LastID
		}
		c := s.Consumer(a.Consumer, now, true)
		c.SeenTime = now
		for _, id := range a.IDs {
			i, pending := s.Find(id)
			rec := recs[id]
			if rec == nil {
				if pending {
					s.PEL = append(s.PEL[:i], s.PEL[i+1:]...)
				}
				continue
			}
			if !pending {
				if !a.Force {
					continue
				}
				s.AddPending(PendingEntry{ID: id, DeliveredAt: now, Count: 1})
				i, _ = s.Find(id)
			}
			e := &s.PEL[i]
			if e.Consumer != "" && a.MinIdle > 0 && now-e.DeliveredAt < a.MinIdle {
				continue
			}
			e.DeliveredAt = at
			if a.RetryCount >= 0 {
				e.Count = a.RetryCount
			} else if !a.JustID {
				e.Count++
			}
			e.Consumer = a.Consumer
			c.ActiveTime = now
			cl := Claimed{ID: id}
			if !a.JustID {
				cl.Record = rec
			}
			out = append(out, cl)
		}
		return nil
	})
	return out, err
}

// AutoClaimArgs are XAUTOCLAIM's arguments.
type AutoClaimArgs struct {
	Consumer string
	MinIdle  int64
	Start    storage.StreamID
	Count    int // entries to claim or drop, at least 1
	JustID   bool
}

// AutoClaim scans the PEL from a.Start and claims up to a.Count entries
// idle at least a.MinIdle ms for a.Consumer, looking at no more than
// 10*Count entries (XAUTOCLAIM). It returns the cursor to continue from
// (0-0 when the scan reached the end), the claimed entries, and the IDs it
// dropped from the PEL because they no longer exist in the stream.
func (g *StreamGroup) AutoClaim(a AutoClaimArgs) (next storage.StreamID, claimed []Claimed, deleted []storage.StreamID, err error) {
	if err := g.alive(); err != nil {
		return next, nil, nil, err
	}
	count := max(a.Count, 1)
	attempts := count * 10
	var ids []storage.StreamID
	g.View(func(s *GroupState) {
		i, _ := s.Find(a.Start)
		for ; i < len(s.PEL) && len(ids) < attempts; i++ {
			ids = append(ids, s.PEL[i].ID)
		}
	})
	recs, err := g.p.lookup(ids, a.JustID)
	if err != nil {
		return next, nil, nil, err
	}
	now := g.now()
	err = g.Update(func(s *GroupState) error {
		c := s.Consumer(a.Consumer, now, true)
		c.SeenTime = now
		i, _ := s.Find(a.Start)
		for left := attempts; left > 0 && count > 0 && i < len(s.PEL); left-- {
			e := &s.PEL[i]
			rec, known := recs[e.ID]
			if known && rec == nil {
				deleted = append(deleted, e.ID)
				s.PEL = append(s.PEL[:i], s.PEL[i+1:]...)
				count--
				continue
			}
			if a.MinIdle > 0 && now-e.DeliveredAt < a.MinIdle {
				i++
				continue
			}
			e.DeliveredAt = now
			if !a.JustID {
				e.Count++
			}
			e.Consumer = a.Consumer
			c.ActiveTime = now
			cl := Claimed{ID: e.ID}
			if !a.JustID {
				cl.Record = rec
			}
			claimed = append(claimed, cl)
			count--
			i++
		}
		if i < len(s.PEL) {
			next = s.PEL[i].ID
		}
		return nil
	})
	// Entries that joined the PEL after the lookup are read now.
	for i := range claimed {
		if !a.JustID && claimed[i].Record == nil {
			if rs, err := g.p.ReadRange(nil, claimed[i].ID, claimed[i].ID, 1); err == nil && len(rs) == 1 {
				claimed[i].Record = &rs[0]
			}
		}
	}
	return next, claimed, deleted, err
}

// Ack removes ids from the PEL (XACK) and returns how many were pending.
func (g *StreamGroup) Ack(ids []storage.StreamID) (int, error) {
	if err := g.alive(); err != nil {
		return 0, err
	}
	n := 0
	err := g.Update(func(s *GroupState) error {
		for _, id := range ids {
			if s.RemovePending(id) {
				n++
			}
		}
		return nil
	})
	return n, err
}

// CreateConsumer adds a consumer and reports whether it was new.
func (g *StreamGroup) CreateConsumer(name string) (bool, error) {
	if err := g.alive(); err != nil {
		return false, err
	}
	now := g.now()
	created := false
	err := g.Update(func(s *GroupState) error {
		if s.Consumers[name] == nil {
			s.Consumer(name, now, true)
			created = true
		}
		return nil
	})
	return created, err
}

// DeleteConsumer removes a consumer and its pending entries and returns how
// many entries it had pending, and whether it existed.
func (g *StreamGroup) DeleteConsumer(name string) (int64, bool, error) {
	if err := g.alive(); err != nil {
		return 0, false, err
	}
	var n int64
	existed := false
	err := g.Update(func(s *GroupState) error {
		if s.Consumers[name] == nil {
			return nil
		}
		existed = true
		delete(s.Consumers, name)
		w := 0
		for _, e := range s.PEL {
			if e.Consumer == name {
				n++
				continue
			}
			s.PEL[w] = e
			w++
		}
		clear(s.PEL[w:])
		s.PEL = s.PEL[:w]
		return nil
	})
	return n, existed, err
}

// SetID sets the group's last delivered ID and entries-read counter
// (-1: unknown) (XGROUP SETID).
func (g *StreamGroup) SetID(last storage.StreamID, entriesRead int64) error {
	if err := g.alive(); err != nil {
		return err
	}
	return g.Update(func(s *GroupState) error {
		s.LastID, s.EntriesRead = last, entriesRead
		return nil
	})
}
