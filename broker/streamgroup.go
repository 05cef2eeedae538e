package broker

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"sync"

	"junction/storage"
)

// StreamGroup is a Redis-style consumer group on a partition: a last
// delivered ID, an entries-read counter and a pending entries list (PEL)
// per consumer. Its state is durable: changes are stored at the next sync
// (FsyncInterval, FsyncNever) or before Update returns (FsyncAlways).
type StreamGroup struct {
	p    *Partition
	name string

	mu    sync.Mutex // guards st
	st    GroupState
	gone  chan struct{} // closed when the group is destroyed
	dirty bool          // guarded by p.groups.mu
}

// GroupState is a stream group's mutable state, handed to Update and View.
type GroupState struct {
	LastID      storage.StreamID
	EntriesRead int64 // -1 when unknown
	Consumers   map[string]*StreamConsumer
	PEL         []PendingEntry // sorted by ID
}

// StreamConsumer is one consumer of a stream group.
type StreamConsumer struct {
	Name       string `json:"name"`
	SeenTime   int64  `json:"seen"`   // ms of the last interaction
	ActiveTime int64  `json:"active"` // ms of the last successful read or claim; -1 never
}

// PendingEntry is one delivered but unacknowledged entry.
type PendingEntry struct {
	ID          storage.StreamID
	Consumer    string
	DeliveredAt int64 // ms
	Count       int64 // deliveries
}

// Find returns the index of id in PEL and whether it is there.
func (s *GroupState) Find(id storage.StreamID) (int, bool) {
	return sort.Find(len(s.PEL), func(i int) int { return id.Compare(s.PEL[i].ID) })
}

// AddPending inserts or replaces the pending entry for e.ID.
func (s *GroupState) AddPending(e PendingEntry) {
	if n := len(s.PEL); n == 0 || s.PEL[n-1].ID.Less(e.ID) {
		s.PEL = append(s.PEL, e)
		return
	}
	i, ok := s.Find(e.ID)
	if ok {
		s.PEL[i] = e
		return
	}
	s.PEL = slices.Insert(s.PEL, i, e)
}

// RemovePending deletes id from the PEL and reports whether it was there.
func (s *GroupState) RemovePending(id storage.StreamID) bool {
	i, ok := s.Find(id)
	if ok {
		s.PEL = slices.Delete(s.PEL, i, i+1)
	}
	return ok
}

// Consumer returns the named consumer, creating it (at time now) if create.
func (s *GroupState) Consumer(name string, now int64, create bool) *StreamConsumer {
	c := s.Consumers[name]
	if c == nil && create {
		c = &StreamConsumer{Name: name, SeenTime: now, ActiveTime: -1}
		s.Consumers[name] = c
	}
	return c
}

// Name returns the group's name.
func (g *StreamGroup) Name() string { return g.name }

// Partition returns the partition the group reads.
func (g *StreamGroup) Partition() *Partition { return g.p }

// Destroyed is closed when the group is destroyed or its topic deleted.
func (g *StreamGroup) Destroyed() <-chan struct{} { return g.gone }

// View calls fn with the group's state locked; fn must not keep references.
func (g *StreamGroup) View(fn func(s *GroupState)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	fn(&g.st)
}

// Update calls fn with the state locked and stores the result per the
// broker's fsync policy. fn's error is returned and the state still saved.
func (g *StreamGroup) Update(fn func(s *GroupState) error) error {
	g.mu.Lock()
	err := fn(&g.st)
	g.mu.Unlock()
	t := &g.p.groups
	if g.p.t.b.cfg.Fsync == FsyncAlways {
		if e := t.save(g); e != nil && err == nil {
			err = e
		}
		return err
	}
	t.mu.Lock()
	if !g.dirty {
		g.dirty = true
		t.dirtyList = append(t.dirtyList, g)
	}
	t.mu.Unlock()
	return err
}

// groupTable holds a partition's stream groups.
type groupTable struct {
	p         *Partition
	mu        sync.Mutex // guards groups, dirtyList and each group's dirty flag
	groups    map[string]*StreamGroup
	dirtyList []*StreamGroup
}

func (t *groupTable) init(p *Partition) {
	t.p = p
	t.groups = make(map[string]*StreamGroup)
}

func (t *groupTable) bucket() string { return bucketGroups + "/" + t.p.key }

// CreateGroup creates a stream group starting after lastID (XGROUP CREATE).
func (p *Partition) CreateGroup(name string, lastID storage.StreamID, entriesRead int64) (*StreamGroup, error) {
	t := &p.groups
	t.mu.Lock()
	if _, ok := t.groups[name]; ok {
		t.mu.Unlock()
		return nil, ErrGroupExists
	}
	g := newGroup(p, name)
	g.st.LastID, g.st.EntriesRead = lastID, entriesRead
	t.groups[name] = g
	t.mu.Unlock()
	return g, t.save(g)
}

func newGroup(p *Partition, name string) *StreamGroup {
	return &StreamGroup{p: p, name: name, gone: make(chan struct{}),
		st: GroupState{EntriesRead: -1, Consumers: make(map[string]*StreamConsumer)}}
}

// Group returns the named stream group, or nil.
func (p *Partition) Group(name string) *StreamGroup {
	p.groups.mu.Lock()
	defer p.groups.mu.Unlock()
	return p.groups.groups[name]
}

// Groups returns the partition's stream groups sorted by name.
func (p *Partition) Groups() []*StreamGroup {
	t := &p.groups
	t.mu.Lock()
	gs := make([]*StreamGroup, 0, len(t.groups))
	for _, g := range t.groups {
		gs = append(gs, g)
	}
	t.mu.Unlock()
	slices.SortFunc(gs, func(a, b *StreamGroup) int {
		if a.name < b.name {
			return -1
		}
		if a.name > b.name {
			return 1
		}
		return 0
	})
	return gs
}

// DestroyGroup deletes a stream group and wakes its blocked readers.
func (p *Partition) DestroyGroup(name string) (bool, error) {
	t := &p.groups
	t.mu.Lock()
	g, ok := t.groups[name]
	if ok {
		delete(t.groups, name)
		close(g.gone)
	}
	t.mu.Unlock()
	if !ok {
		return false, nil
	}
	p.notify()
	return true, p.t.b.cfg.Meta.Apply(storage.Op{Bucket: t.bucket(), Key: name})
}

// destroyAll closes every group's Destroyed channel (the topic is gone).
func (t *groupTable) destroyAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for name, g := range t.groups {
		close(g.gone)
		delete(t.groups, name)
	}
	t.dirtyList = nil
}

// groupRecord is a group's stored form.
type groupRecord struct {
	LastID      string            `json:"last"`
	EntriesRead int64             `json:"read"`
	Consumers   []*StreamConsumer `json:"consumers,omitempty"`
	PEL         [][4]any          `json:"pel,omitempty"` // id, consumer, delivered-at, count
}

func (t *groupTable) save(g *StreamGroup) error {
	g.mu.Lock()
	r := groupRecord{LastID: g.st.LastID.String(), EntriesRead: g.st.EntriesRead}
	for _, c := range g.st.Consumers {
		cc := *c
		r.Consumers = append(r.Consumers, &cc)
	}
	for _, e := range g.st.PEL {
		r.PEL = append(r.PEL, [4]any{e.ID.String(), e.Consumer, e.DeliveredAt, e.Count})
	}
	g.mu.Unlock()
	t.mu.Lock()
	_, live := t.groups[g.name]
	t.mu.Unlock()
	if !live {
		return nil
	}
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return t.p.t.b.cfg.Meta.Apply(storage.Op{Bucket: t.bucket(), Key: g.name, Value: v})
}

// flush stores every group changed since the last flush.
func (t *groupTable) flush() error {
	t.mu.Lock()
	list := t.dirtyList
	t.dirtyList = nil
	for _, g := range list {
		g.dirty = false
	}
	t.mu.Unlock()
	var first error
	for _, g := range list {
		if err := t.save(g); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (t *groupTable) load() error {
	return t.p.t.b.cfg.Meta.ForEach(t.bucket(), "", func(k string, v []byte) error {
		var r struct {
			LastID      string               `json:"last"`
			EntriesRead int64                `json:"read"`
			Consumers   []*StreamConsumer    `json:"consumers"`
			RawPEL      [][4]json.RawMessage `json:"pel"`
		}
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("stream group %s/%s: %w", t.p.key, k, err)
		}
		g := newGroup(t.p, k)
		g.st.LastID, _ = storage.ParseStreamID(r.LastID, 0)
		g.st.EntriesRead = r.EntriesRead
		for _, c := range r.Consumers {
			g.st.Consumers[c.Name] = c
		}
		for _, raw := range r.RawPEL {
			var ids, cons string
			var e PendingEntry
			if json.Unmarshal(raw[0], &ids) != nil || json.Unmarshal(raw[1], &cons) != nil ||
				json.Unmarshal(raw[2], &e.DeliveredAt) != nil || json.Unmarshal(raw[3], &e.Count) != nil {
				return fmt.Errorf("stream group %s/%s: bad pending entry", t.p.key, k)
			}
			e.ID, _ = storage.ParseStreamID(ids, 0)
			e.Consumer = cons
			g.st.PEL = append(g.st.PEL, e)
		}
		t.groups[k] = g
		return nil
	})
}

// copyFrom copies every group of src into t (RENAME).
func (t *groupTable) copyFrom(src *groupTable) error {
	for _, sg := range src.p.Groups() {
		g := newGroup(t.p, sg.name)
		sg.View(func(s *GroupState) {
			g.st.LastID, g.st.EntriesRead = s.LastID, s.EntriesRead
			for n, c := range s.Consumers {
				cc := *c
				g.st.Consumers[n] = &cc
			}
			g.st.PEL = slices.Clone(s.PEL)
		})
		t.mu.Lock()
		t.groups[g.name] = g
		t.mu.Unlock()
		if err := t.save(g); err != nil {
			return err
		}
	}
	return nil
}
