package broker

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"unsafe"

	"junction/storage"
)

// Partition is one append-only log of a topic. Offsets are dense; stream IDs
// are strictly increasing. Readers may wait for the next append without
// polling: Changed returns a channel the next append closes.
type Partition struct {
	t     *Topic
	index int
	key   string // the log's storage name, also its MetaStore key
	log   storage.Log

	// mu serialises appends, trims and stream-state changes; it guards the
	// fields below and is taken before delMu and waitMu (see LOCKS.md).
	mu         sync.Mutex
	lastID     storage.StreamID // last ID assigned or set by XSETID
	maxDeleted storage.StreamID // largest ID removed by XDEL or trimming
	addedAdj   int64            // entries-added minus End(): non-zero after XSETID ENTRIESADDED

	delMu   sync.RWMutex  // guards deleted
	deleted []int64       // sorted offsets >= Start removed by XDEL; readers skip them
	delGen  atomic.Uint64 // counts additions to deleted (see Deletions)

	waitMu sync.Mutex    // guards grew
	grew   chan struct{} // closed by the next append; nil while nobody waits

	dirty atomic.Bool // appended since the last sync

	groups groupTable
}

// Deletions counts the records XDEL has removed from the partition so far.
// A reader that keeps records it read for later (a read-ahead) takes it
// before reading and drops them if it changed: trimming moves Start
// instead, which the reader checks directly.
func (p *Partition) Deletions() uint64 { return p.delGen.Load() }

// Topic returns the partition's topic.
func (p *Partition) Topic() *Topic { return p.t }

// Index returns the partition's index within its topic.
func (p *Partition) Index() int { return p.index }

// Start is the first retained offset; End the offset the next append gets.
func (p *Partition) Start() int64 { return p.log.Start() }

// End is the offset the next appended record will get (the high watermark).
func (p *Partition) End() int64 { return p.log.End() }

// Bytes is the partition's stored size.
func (p *Partition) Bytes() int64 { return p.log.Bytes() }

// Append appends recs atomically and returns the first record's offset. It
// sets each record's Offset, and its Timestamp (when zero) to the append
// time, and its ID: records with a zero ID get one derived from the append
// time; an explicit ID must exceed the partition's last ID (ErrIDTooSmall).
// With FsyncAlways it returns once the records are synced.
func (p *Partition) Append(recs []storage.Record) (int64, error) {
	return p.append(recs, nil)
}

// IDMode says how AppendEntry assigns a stream ID.
type IDMode uint8

// ID modes, after Redis XADD's "*", "<ms>-*" and "<ms>-<seq>".
const (
	IDAuto     IDMode = iota // derive from the append time
	IDAutoSeq                // Ms given, Seq chosen
	IDExplicit               // Ms and Seq given
)

// IDSpec is a requested stream ID for AppendEntry.
type IDSpec struct {
	Mode    IDMode
	Ms, Seq uint64
}

// AppendEntry appends one record with the ID spec asks for and returns the
// record's offset; rec.ID holds the assigned ID afterwards.
func (p *Partition) AppendEntry(rec *storage.Record, spec IDSpec) (int64, error) {
	return p.append(unsafeOne(rec), &spec)
}

// AppendEntries appends recs as one storage write, with the IDs specs asks
// for, exactly as if each record were appended in turn by its own
// AppendEntry: specs[i] is checked against the ID of the record before it.
// A record whose ID is refused is left out and its error stored in errs[i]
// (ErrIDTooSmall, or ErrStreamExhausted when the last ID is the largest
// possible one); errs[i] is nil for every appended record, and recs[i].ID
// and Offset hold what it got. len(specs) and len(errs) must be len(recs).
// An error return means nothing was appended (ErrTopicDeleted, a storage
// error); errs is then undefined. With FsyncAlways it returns once the
// records are synced.
func (p *Partition) AppendEntries(recs []storage.Record, specs []IDSpec, errs []error) error {
	if len(recs) == 0 {
		return nil
	}
	b := p.t.b
	p.mu.Lock()
	select {
	case <-p.t.gone:
		p.mu.Unlock()
		return ErrTopicDeleted
	default:
	}
	now := b.cfg.Now().UnixMilli()
	next := p.log.End()
	last := p.lastID
	refused := 0
	for i := range recs {
		r := &recs[i]
		if last == maxStreamID {
			errs[i] = ErrStreamExhausted
			refused++
			continue
		}
		id, err := nextID(last, now, storage.StreamID{}, &specs[i], 0)
		if errs[i] = err; err != nil {
			refused++
			continue
		}
		r.ID, r.Offset = id, next
		if r.Timestamp == 0 {
			r.Timestamp = now
		}
		last = id
		next++
	}
	keep := recs
	if refused == len(recs) {
		p.mu.Unlock()
		return nil
	}
	if refused > 0 { // rare: copy the accepted records into one run
		keep = make([]storage.Record, 0, len(recs)-refused)
		for i := range recs {
			if errs[i] == nil {
				keep = append(keep, recs[i])
			}
		}
	}
	return p.writeLocked(keep, last)
}

// unsafeOne views one record as a one-element slice without copying.
func unsafeOne(r *storage.Record) []storage.Record {
	return unsafe.Slice(r, 1)
}

func (p *Partition) append(recs []storage.Record, spec *IDSpec) (int64, error) {
	if len(recs) == 0 {
		return p.End(), nil
	}
	b := p.t.b
	p.mu.Lock()
	select {
	case <-p.t.gone:
		p.mu.Unlock()
		return 0, ErrTopicDeleted
	default:
	}
	now := b.cfg.Now().UnixMilli()
	first := p.log.End()
	last := p.lastID
	for i := range recs {
		r := &recs[i]
		r.Offset = first + int64(i)
		if r.Timestamp == 0 {
			r.Timestamp = now
		}
		id, err := nextID(last, now, r.ID, spec, i)
		if err != nil {
			p.mu.Unlock()
			return 0, err
		}
		r.ID = id
		last = id
	}
	if err := p.writeLocked(recs, last); err != nil {
		return 0, err
	}
	return first, nil
}

// writeLocked stores recs (their offsets and IDs set, last the newest ID),
// releases p.mu (which the caller holds), wakes waiters and, with
// FsyncAlways, returns only once the records are synced.
func (p *Partition) writeLocked(recs []storage.Record, last storage.StreamID) error {
	if err := p.log.Append(recs); err != nil {
		p.mu.Unlock()
		return err
	}
	p.lastID = last
	p.dirty.Store(true)
	p.mu.Unlock()
	p.notify()
	if p.t.b.cfg.Fsync == FsyncAlways {
		return p.log.Sync()
	}
	return nil
}

// nextID picks the ID for the i-th record of an append after last.
func nextID(last storage.StreamID, now int64, given storage.StreamID, spec *IDSpec, i int) (storage.StreamID, error) {
	mode, ms, seq := IDAuto, uint64(0), uint64(0)
	switch {
	case spec != nil && i == 0:
		mode, ms, seq = spec.Mode, spec.Ms, spec.Seq
	case !given.IsZero():
		mode, ms, seq = IDExplicit, given.Ms, given.Seq
	}
	switch mode {
	case IDExplicit:
		id := storage.StreamID{Ms: ms, Seq: seq}
		if !last.Less(id) {
			return id, ErrIDTooSmall
		}
		return id, nil
	case IDAutoSeq:
		switch {
		case ms < last.Ms:
			return storage.StreamID{}, ErrIDTooSmall
		case ms == last.Ms:
			if last.Seq == math.MaxUint64 {
				return storage.StreamID{}, ErrIDTooSmall
			}
			return storage.StreamID{Ms: ms, Seq: last.Seq + 1}, nil
		case ms == 0:
			return storage.StreamID{Ms: 0, Seq: 1}, nil
		}
		return storage.StreamID{Ms: ms}, nil
	}
	t := uint64(max(now, 0))
	if t > last.Ms {
		return storage.StreamID{Ms: t}, nil
	}
	if last.Seq == math.MaxUint64 {
		return storage.StreamID{Ms: last.Ms + 1}, nil
	}
	return storage.StreamID{Ms: last.Ms, Seq: last.Seq + 1}, nil
}

// Changed returns a channel that the next append closes (and that is closed
// already if the topic is gone). A waiter takes the channel, re-checks End,
// then selects on it together with its own deadline, Topic().Deleted() and
// the broker's Done().
func (p *Partition) Changed() <-chan struct{} {
	p.waitMu.Lock()
	defer p.waitMu.Unlock()
	if p.grew == nil {
		p.grew = make(chan struct{})
		select {
		case <-p.t.gone:
			close(p.grew)
			c := p.grew
			p.grew = nil
			return c
		default:
		}
	}
	return p.grew
}

// notify wakes every waiter on Changed.
func (p *Partition) notify() {
	p.waitMu.Lock()
	if p.grew != nil {
		close(p.grew)
		p.grew = nil
	}
	p.waitMu.Unlock()
}

// wakeAll wakes waiters when the topic goes away.
func (p *Partition) wakeAll() { p.notify() }

// Wait blocks until a record at offset or later exists (nil), ctx ends
// (ctx.Err()), the topic is deleted (ErrTopicDeleted) or the broker closes
// (ErrClosed). It never polls: the append itself wakes it.
func (p *Partition) Wait(ctx context.Context, offset int64) error {
	for {
		ch := p.Changed()
		if p.End() > offset {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-p.t.gone:
			return ErrTopicDeleted
		case <-p.t.b.done:
			return ErrClosed
		}
	}
}

// Read appends to dst the live records with offset >= from, at most maxCount
// (<= 0: no limit) and about maxBytes (<= 0: no limit, and at least one
// record when any exist). Records removed by DeleteIDs are skipped, so
// offsets in the result may have gaps.
func (p *Partition) Read(dst []storage.Record, from int64, maxCount, maxBytes int) ([]storage.Record, error) {
	if maxCount <= 0 {
		maxCount = math.MaxInt32
	}
	for {
		n0 := len(dst)
		var err error
		dst, err = p.log.Read(dst, from, maxCount, maxBytes)
		if err != nil || len(dst) == n0 {
			return dst, err
		}
		next := dst[len(dst)-1].Offset + 1
		dst = p.skipDeleted(dst, n0)
		got := len(dst) - n0
		if got > 0 || next >= p.End() {
			return dst, nil
		}
		// Every record read was deleted: read on so the caller progresses.
		from = next
	}
}

// skipDeleted removes deleted records from dst[n0:] in place.
func (p *Partition) skipDeleted(dst []storage.Record, n0 int) []storage.Record {
	p.delMu.RLock()
	defer p.delMu.RUnlock()
	if len(p.deleted) == 0 {
		return dst
	}
	w := n0
	for _, r := range dst[n0:] {
		if !p.isDeletedLocked(r.Offset) {
			dst[w] = r
			w++
		}
	}
	clear(dst[w:]) // drop references to skipped records' storage
	return dst[:w]
}

// SeekTime returns the first offset whose timestamp is >= ts, or End().
func (p *Partition) SeekTime(ts int64) (int64, error) { return p.log.SeekTime(ts) }

// SeekID returns the first offset whose ID is >= id, or End().
func (p *Partition) SeekID(id storage.StreamID) (int64, error) { return p.log.SeekID(id) }

// syncIfDirty syncs the log if anything was appended since the last sync,
// and stores dirty stream-group state.
func (p *Partition) syncIfDirty() error {
	err := p.groups.flush()
	if p.dirty.Swap(false) {
		if e := p.log.Sync(); e != nil {
			err = e
		}
	}
	return err
}

// openPartition opens partition i of t and recovers its stream state.
func (b *Broker) openPartition(t *Topic, i int) (*Partition, error) {
	key := logName("topic", t.name, i)
	seg := t.cfg.SegmentBytes
	if seg <= 0 {
		seg = b.cfg.SegmentBytes
	}
	l, err := b.cfg.Logs.OpenLog(key, storage.LogOptions{SegmentBytes: seg})
	if err != nil {
		return nil, err
	}
	p := &Partition{t: t, index: i, key: key, log: l}
	p.groups.init(p)
	if err := p.loadStreamState(); err != nil {
		l.Close()
		return nil, err
	}
	if err := p.groups.load(); err != nil {
		l.Close()
		return nil, err
	}
	return p, nil
}
