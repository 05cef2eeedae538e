package broker

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"junction/storage"
)

// streamState is the persisted part of a partition's Redis stream view.
type streamState struct {
	Last     string `json:"last"`
	MaxDel   string `json:"maxdel"`
	AddedAdj int64  `json:"adj,omitempty"`
	// Tomb is the largest ID removed by DeleteIDs or set by SetStreamState
	// (Redis's max_deleted_entry_id, which trimming leaves alone).
	Tomb string `json:"tomb,omitempty"`
}

// StreamInfo is a partition's stream bookkeeping, as XINFO STREAM reports it.
type StreamInfo struct {
	Length       int64            // live entries
	LastID       storage.StreamID // last generated ID
	MaxDeletedID storage.StreamID // largest ID deleted or trimmed
	EntriesAdded int64            // entries ever added
	FirstID      storage.StreamID // first live entry's ID, 0-0 when empty (recorded-first-entry-id)
}

// Info returns the partition's stream bookkeeping.
func (p *Partition) Info() StreamInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	info := StreamInfo{
		Length:       p.lenLocked(),
		LastID:       p.lastID,
		MaxDeletedID: p.maxDeleted,
		EntriesAdded: p.log.End() + p.addedAdj,
	}
	if info.Length > 0 {
		if r, ok, err := p.FirstEntry(); err == nil && ok {
			info.FirstID = r.ID
		}
	}
	return info
}

// Len returns the number of live records (XLEN).
func (p *Partition) Len() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lenLocked()
}

func (p *Partition) lenLocked() int64 {
	p.delMu.RLock()
	defer p.delMu.RUnlock()
	return p.log.End() - p.log.Start() - int64(len(p.deleted))
}

// LastID returns the last generated stream ID.
func (p *Partition) LastID() storage.StreamID {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastID
}

// SetStreamState implements XSETID: it sets the last generated ID and,
// when given, entries-added and the max deleted ID. The caller validates
// the values against Info() as Redis does.
func (p *Partition) SetStreamState(last storage.StreamID, entriesAdded *int64, maxDeleted *storage.StreamID) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastID = last
	if entriesAdded != nil {
		p.addedAdj = *entriesAdded - p.log.End()
	}
	var tomb *storage.StreamID
	if maxDeleted != nil {
		p.maxDeleted = *maxDeleted
		tomb = maxDeleted
	}
	return p.saveStreamStateTombLocked(tomb)
}

func (p *Partition) isDeletedLocked(off int64) bool {
	_, ok := slices.BinarySearch(p.deleted, off)
	return ok
}

// DeleteIDs removes the live records with the given IDs (XDEL) and returns
// how many it removed. Offsets stay dense: readers skip deleted records.
func (p *Partition) DeleteIDs(ids []storage.StreamID) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var ops []storage.Op
	var removedMax storage.StreamID
	n := 0
	for _, id := range ids {
		off, err := p.log.SeekID(id)
		if err != nil {
			return n, err
		}
		if off >= p.log.End() {
			continue
		}
		recs, err := p.log.Read(nil, off, 1, 0)
		if err != nil {
			return n, err
		}
		if len(recs) == 0 || recs[0].ID != id {
			continue
		}
		p.delMu.Lock()
		i, found := slices.BinarySearch(p.deleted, off)
		if !found {
			p.deleted = slices.Insert(p.deleted, i, off)
			p.delGen.Add(1)
		}
		p.delMu.Unlock()
		if found {
			continue
		}
		n++
		if removedMax.Less(id) {
			removedMax = id
		}
		if p.maxDeleted.Less(id) {
			p.maxDeleted = id
		}
		ops = append(ops, storage.Op{Bucket: p.deletedBucket(), Key: offKey(off), Value: []byte{}})
	}
	if n == 0 {
		return 0, nil
	}
	if err := p.t.b.cfg.Meta.Apply(ops...); err != nil {
		return n, err
	}
	tomb, err := p.tombstoneLocked()
	if err != nil {
		return n, err
	}
	if tomb.Less(removedMax) {
		tomb = removedMax
	}
	return n, p.saveStreamStateTombLocked(&tomb)
}

// TrimBefore makes offsets below off unreadable and returns how many live
// records it removed.
func (p *Partition) TrimBefore(off int64) (int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.trimLocked(off)
}

// TrimMaxLen keeps the newest maxLen live records (XTRIM MAXLEN). With
// approx it removes only whole stream nodes (see stream_nodes.go) and at
// most limit live records (<= 0: no limit), as Redis's "~" does; exact
// trimming ignores limit.
func (p *Partition) TrimMaxLen(maxLen int64, approx bool, limit int64) (int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	live := p.lenLocked()
	if live <= maxLen {
		return 0, nil
	}
	if approx {
		return p.trimNodesLocked(limit, func(_, _, nodeLive, length int64) (bool, error) {
			return length-nodeLive >= maxLen, nil
		}, func(length int64) bool { return length <= maxLen })
	}
	return p.trimLocked(p.offsetAfterLiveLocked(live - maxLen))
}

// TrimMinID removes live records with IDs below minID (XTRIM MINID). With
// approx it removes only whole stream nodes whose last ID is below minID,
// and at most limit live records (<= 0: no limit).
func (p *Partition) TrimMinID(minID storage.StreamID, approx bool, limit int64) (int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if approx {
		return p.trimNodesLocked(limit, func(_, end, _, _ int64) (bool, error) {
			recs, err := p.log.Read(nil, end-1, 1, 0)
			if err != nil || len(recs) == 0 {
				return false, err
			}
			return recs[0].ID.Less(minID), nil
		}, nil)
	}
	off, err := p.log.SeekID(minID)
	if err != nil {
		return 0, err
	}
	return p.trimLocked(off)
}

// offsetAfterLiveLocked returns the offset just past the first n live records.
func (p *Partition) offsetAfterLiveLocked(n int64) int64 {
	p.delMu.RLock()
	defer p.delMu.RUnlock()
	off := p.log.Start() + n
	for _, d := range p.deleted {
		if d < off {
			off++
		}
	}
	return min(off, p.log.End())
}

func (p *Partition) trimLocked(off int64) (int64, error) {
	start := p.log.Start()
	off = min(off, p.log.End())
	if off <= start {
		return 0, nil
	}
	// The largest trimmed ID becomes max-deleted-entry-id, as in Redis.
	if recs, err := p.log.Read(nil, off-1, 1, 0); err == nil && len(recs) == 1 && p.maxDeleted.Less(recs[0].ID) {
		p.maxDeleted = recs[0].ID
	}
	if err := p.log.TruncateFront(off); err != nil {
		return 0, err
	}
	p.delMu.Lock()
	i, _ := slices.BinarySearch(p.deleted, off)
	dropped := p.deleted[:i]
	p.deleted = slices.Clone(p.deleted[i:])
	p.delMu.Unlock()
	if len(dropped) > 0 {
		ops := make([]storage.Op, len(dropped))
		for j, d := range dropped {
			ops[j] = storage.Op{Bucket: p.deletedBucket(), Key: offKey(d)}
		}
		if err := p.t.b.cfg.Meta.Apply(ops...); err != nil {
			return 0, err
		}
	}
	return off - start - int64(len(dropped)), p.saveStreamStateLocked()
}

// ApplyRetention drops whole old segments per the topic's retention settings.
func (p *Partition) ApplyRetention() error {
	c := p.t.ConfigView()
	if c.RetentionBytes <= 0 && c.RetentionMs <= 0 {
		return nil
	}
	minTs := int64(0)
	if c.RetentionMs > 0 {
		minTs = p.t.b.cfg.Now().UnixMilli() - c.RetentionMs
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	start, err := p.log.Retain(c.RetentionBytes, minTs)
	if err != nil {
		return err
	}
	p.delMu.Lock()
	i, _ := slices.BinarySearch(p.deleted, start)
	p.deleted = slices.Clone(p.deleted[i:])
	p.delMu.Unlock()
	return nil
}

// ReadRange appends to dst the live records with start <= ID <= end in
// ascending order, at most count (<= 0: no limit) (XRANGE).
func (p *Partition) ReadRange(dst []storage.Record, start, end storage.StreamID, count int) ([]storage.Record, error) {
	if end.Less(start) {
		return dst, nil
	}
	from, err := p.log.SeekID(start)
	if err != nil {
		return dst, err
	}
	n0 := len(dst)
	for count <= 0 || len(dst)-n0 < count {
		want := 256
		if count > 0 {
			want = min(want, count-(len(dst)-n0))
		}
		k := len(dst)
		dst, err = p.Read(dst, from, want, 0)
		if err != nil || len(dst) == k {
			return dst, err
		}
		for i := k; i < len(dst); i++ {
			if end.Less(dst[i].ID) {
				return dst[:i], nil
			}
		}
		from = dst[len(dst)-1].Offset + 1
	}
	return dst, nil
}

// ReadRangeRev appends to dst the live records with start <= ID <= end in
// descending order, at most count (<= 0: no limit) (XREVRANGE).
func (p *Partition) ReadRangeRev(dst []storage.Record, end, start storage.StreamID, count int) ([]storage.Record, error) {
	if end.Less(start) {
		return dst, nil
	}
	hi := p.log.End()
	if end != (storage.StreamID{Ms: ^uint64(0), Seq: ^uint64(0)}) {
		var err error
		if hi, err = p.log.SeekID(end.Next()); err != nil {
			return dst, err
		}
	}
	n0 := len(dst)
	var buf []storage.Record
	const chunk = 128
	for hi > p.log.Start() && (count <= 0 || len(dst)-n0 < count) {
		lo := max(p.log.Start(), hi-chunk)
		var err error
		buf, err = p.Read(buf[:0], lo, int(hi-lo), 0)
		if err != nil {
			return dst, err
		}
		for i := len(buf) - 1; i >= 0; i-- {
			r := buf[i]
			if r.Offset >= hi {
				continue
			}
			if r.ID.Less(start) {
				return dst, nil
			}
			dst = append(dst, r)
			if count > 0 && len(dst)-n0 >= count {
				return dst, nil
			}
		}
		hi = lo
	}
	return dst, nil
}

// LastEntry returns the newest live record, if any.
func (p *Partition) LastEntry() (storage.Record, bool, error) {
	recs, err := p.ReadRangeRev(nil, storage.StreamID{Ms: ^uint64(0), Seq: ^uint64(0)}, storage.StreamID{}, 1)
	if err != nil || len(recs) == 0 {
		return storage.Record{}, false, err
	}
	return recs[0], true, nil
}

// FirstEntry returns the oldest live record, if any.
func (p *Partition) FirstEntry() (storage.Record, bool, error) {
	recs, err := p.Read(nil, p.log.Start(), 1, 0)
	if err != nil || len(recs) == 0 {
		return storage.Record{}, false, err
	}
	return recs[0], true, nil
}

func (p *Partition) deletedBucket() string { return bucketDeleted + "/" + p.key }

func offKey(off int64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(off))
	return fmt.Sprintf("%x", b)
}

func (p *Partition) saveStreamStateLocked() error { return p.saveStreamStateTombLocked(nil) }

// saveStreamStateTombLocked stores the stream state with tomb as the
// tombstone ID (nil: keep the stored one).
func (p *Partition) saveStreamStateTombLocked(tomb *storage.StreamID) error {
	if tomb == nil {
		t, err := p.tombstoneLocked()
		if err != nil {
			return err
		}
		tomb = &t
	}
	v, err := json.Marshal(streamState{Last: p.lastID.String(), MaxDel: p.maxDeleted.String(),
		AddedAdj: p.addedAdj, Tomb: tomb.String()})
	if err != nil {
		return err
	}
	return p.t.b.cfg.Meta.Apply(storage.Op{Bucket: bucketStreamMeta, Key: p.key, Value: v})
}

// TombstoneID returns the largest ID removed by DeleteIDs or set as the
// max deleted ID by SetStreamState: Redis's max_deleted_entry_id, which,
// unlike Info().MaxDeletedID, trimming does not raise.
func (p *Partition) TombstoneID() storage.StreamID {
	p.mu.Lock()
	defer p.mu.Unlock()
	id, _ := p.tombstoneLocked()
	return id
}

// tombstoneLocked reads the stored tombstone ID (state written before it
// was tracked falls back to the max deleted ID).
func (p *Partition) tombstoneLocked() (storage.StreamID, error) {
	v, err := p.t.b.cfg.Meta.Get(bucketStreamMeta, p.key)
	if errors.Is(err, storage.ErrNotFound) {
		return storage.StreamID{}, nil
	}
	if err != nil {
		return storage.StreamID{}, err
	}
	var s streamState
	if err := json.Unmarshal(v, &s); err != nil {
		return storage.StreamID{}, fmt.Errorf("stream state %s: %w", p.key, err)
	}
	if s.Tomb == "" {
		return p.maxDeleted, nil
	}
	id, err := storage.ParseStreamID(s.Tomb, 0)
	if err != nil {
		return storage.StreamID{}, fmt.Errorf("stream state %s: %w", p.key, err)
	}
	return id, nil
}

// loadStreamState recovers lastID, max-deleted and the deleted set.
func (p *Partition) loadStreamState() error {
	meta := p.t.b.cfg.Meta
	p.lastID = p.log.LastID()
	v, err := meta.Get(bucketStreamMeta, p.key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return err
	default:
		var s streamState
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("stream state %s: %w", p.key, err)
		}
		if id, err := storage.ParseStreamID(s.Last, 0); err == nil && p.lastID.Less(id) {
			p.lastID = id
		}
		if id, err := storage.ParseStreamID(s.MaxDel, 0); err == nil {
			p.maxDeleted = id
		}
		p.addedAdj = s.AddedAdj
	}
	start := p.log.Start()
	return meta.ForEach(p.deletedBucket(), "", func(k string, _ []byte) error {
		var off uint64
		if _, err := fmt.Sscanf(k, "%x", &off); err != nil {
			return fmt.Errorf("deleted set %s: bad key %q", p.key, k)
		}
		if int64(off) >= start {
			p.deleted = append(p.deleted, int64(off))
		}
		return nil
	})
}

// copyFrom copies src's records and stream state into the empty p (RENAME).
func (p *Partition) copyFrom(src *Partition) error {
	var buf []storage.Record
	from := src.Start()
	for {
		var err error
		buf, err = src.Read(buf[:0], from, 1024, 0)
		if err != nil {
			return err
		}
		if len(buf) == 0 {
			break
		}
		from = buf[len(buf)-1].Offset + 1
		for i := range buf {
			buf[i].Offset = 0
		}
		if _, err := p.Append(buf); err != nil {
			return err
		}
	}
	info := src.Info()
	added := info.EntriesAdded
	tomb := src.TombstoneID()
	if err := p.SetStreamState(info.LastID, &added, &info.MaxDeletedID); err != nil {
		return err
	}
	p.mu.Lock()
	err := p.saveStreamStateTombLocked(&tomb)
	p.mu.Unlock()
	if err != nil {
		return err
	}
	return p.groups.copyFrom(&src.groups)
}
