// Package storage defines the small interfaces the broker core stores through:
// a Log (one partition's append-only, offset-addressed records) created by a
// Backend, and a MetaStore (a bucketed key/value store for metadata, offsets
// and consumer state). Implementations live in sub-packages: segmentlog (files),
// memlog (memory), boltmeta (bbolt) and memmeta (memory).
package storage

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinel errors shared by every implementation.
var (
	// ErrOutOfRange: a read or seek named an offset outside [Start, End].
	ErrOutOfRange = errors.New("storage: offset out of range")
	// ErrCorrupt: stored bytes failed their checksum or framing.
	ErrCorrupt = errors.New("storage: corrupt record")
	// ErrClosed: the log or store was used after Close.
	ErrClosed = errors.New("storage: closed")
	// ErrNotFound: MetaStore.Get found no value under the key.
	ErrNotFound = errors.New("storage: not found")
)

// StreamID is a Redis-style entry ID "<ms>-<seq>", strictly increasing within
// a partition so Redis Streams can address the same records Kafka reads by offset.
type StreamID struct {
	Ms, Seq uint64
}

// Compare returns -1, 0 or 1 as id is less than, equal to or greater than o.
func (id StreamID) Compare(o StreamID) int {
	switch {
	case id.Ms < o.Ms:
		return -1
	case id.Ms > o.Ms:
		return 1
	case id.Seq < o.Seq:
		return -1
	case id.Seq > o.Seq:
		return 1
	}
	return 0
}

// Less reports whether id sorts before o.
func (id StreamID) Less(o StreamID) bool { return id.Compare(o) < 0 }

// IsZero reports whether id is 0-0.
func (id StreamID) IsZero() bool { return id.Ms == 0 && id.Seq == 0 }

// Next returns the smallest ID greater than id (and id itself at the maximum).
func (id StreamID) Next() StreamID {
	if id.Seq == ^uint64(0) {
		if id.Ms == ^uint64(0) {
			return id
		}
		return StreamID{id.Ms + 1, 0}
	}
	return StreamID{id.Ms, id.Seq + 1}
}

// Prev returns the largest ID smaller than id (and id itself at 0-0).
func (id StreamID) Prev() StreamID {
	if id.Seq == 0 {
		if id.Ms == 0 {
			return id
		}
		return StreamID{id.Ms - 1, ^uint64(0)}
	}
	return StreamID{id.Ms, id.Seq - 1}
}

// String formats id as "<ms>-<seq>".
func (id StreamID) String() string { return string(id.Append(nil)) }

// Append appends the "<ms>-<seq>" form of id to b.
func (id StreamID) Append(b []byte) []byte {
	b = strconv.AppendUint(b, id.Ms, 10)
	b = append(b, '-')
	return strconv.AppendUint(b, id.Seq, 10)
}

// ParseStreamID parses "<ms>-<seq>" or "<ms>" (seq taken as defSeq).
func ParseStreamID(s string, defSeq uint64) (StreamID, error) {
	ms, seq, ok := strings.Cut(s, "-")
	m, err := strconv.ParseUint(ms, 10, 64)
	if err != nil {
		return StreamID{}, fmt.Errorf("invalid stream ID %q", s)
	}
	if !ok {
		return StreamID{m, defSeq}, nil
	}
	q, err := strconv.ParseUint(seq, 10, 64)
	if err != nil {
		return StreamID{}, fmt.Errorf("invalid stream ID %q", s)
	}
	return StreamID{m, q}, nil
}

// Header is one name/value pair; a record's headers are ordered and may repeat names.
type Header struct {
	Key, Value []byte
}

// Origin names the protocol that wrote a record, so each view can round-trip
// its own messages exactly and convert the others predictably.
type Origin uint8

// Origins.
const (
	OriginNone  Origin = iota // written by the core or a test
	OriginRedis               // Headers hold the entry's field/value pairs in order; Value is unused
	OriginKafka               // Key, Value, Headers as produced
	OriginAMQP                // Value is the body; Native holds the encoded content properties
)

// Record is one entry of a log. Offsets are dense per partition; IDs are
// strictly increasing per partition. Byte slices returned by a Read may alias
// storage buffers and must be treated as read-only.
type Record struct {
	Offset    int64    // position in the partition, assigned by the broker
	Timestamp int64    // milliseconds since the Unix epoch
	ID        StreamID // Redis entry ID, assigned by the broker
	Key       []byte   // nil means a null key
	Value     []byte   // payload
	Headers   []Header // ordered, duplicates allowed
	Origin    Origin   // writer's protocol
	Native    []byte   // opaque protocol-native sidecar (e.g. AMQP properties), nil if none
}

// Size is the approximate number of payload bytes the record occupies, used
// for byte limits on reads and retention.
func (r *Record) Size() int {
	n := 40 + len(r.Key) + len(r.Value) + len(r.Native)
	for _, h := range r.Headers {
		n += 8 + len(h.Key) + len(h.Value)
	}
	return n
}

// Log is one partition's append-only record sequence. Offsets in the log run
// from Start (the first retained record) to End (the offset the next append
// takes). A Log is safe for concurrent use: appends are serialised by the
// caller (the broker's partition lock), reads may run concurrently with an
// append and see only whole, fully appended records.
type Log interface {
	// Append stores recs, whose Offset fields the caller has already set to
	// End(), End()+1, …. All of recs become visible together. Append copies
	// what it keeps: the caller may reuse recs and their byte slices after
	// it returns.
	Append(recs []Record) error
	// Read appends to dst the records with offset >= from, up to maxCount
	// records and about maxBytes bytes (at least one record when any exist;
	// maxBytes <= 0 means no byte limit). from < Start reads from Start; from
	// >= End returns dst unchanged. The returned records stay valid after
	// later appends and trims.
	Read(dst []Record, from int64, maxCount, maxBytes int) ([]Record, error)
	// Start is the first retained offset; End the next offset to be appended.
	Start() int64
	End() int64
	// SeekTime returns the first offset whose timestamp is >= ts, or End().
	SeekTime(ts int64) (int64, error)
	// SeekID returns the first offset whose ID is >= id, or End().
	SeekID(id StreamID) (int64, error)
	// LastID returns the ID of the last record (zero on an empty log).
	LastID() StreamID
	// TruncateFront makes offsets below before unreadable (Start becomes
	// before) and frees whole segments that lie entirely below it.
	TruncateFront(before int64) error
	// Retain drops whole oldest segments while the log holds more than
	// maxBytes (<= 0: no limit) or their newest record is older than
	// minTimestamp (<= 0: no limit). The active segment is never dropped.
	// It returns the new Start.
	Retain(maxBytes int64, minTimestamp int64) (int64, error)
	// Bytes is the stored size of the log.
	Bytes() int64
	// Sync makes every appended record durable. Concurrent callers share one
	// fsync (group commit).
	Sync() error
	// Close flushes and releases the log; Remove closes it and deletes its data.
	Close() error
	Remove() error
}

// LogOptions configure a log when it is opened.
type LogOptions struct {
	// SegmentBytes rolls to a new segment file once the active one exceeds
	// it (file backend). Zero means 64 MiB.
	SegmentBytes int64
	// InitialOffset is the Start/End of a newly created, empty log.
	InitialOffset int64
}

// Backend opens logs by name. Names are slash-separated, path-safe keys
// chosen by the broker (e.g. "topic/orders/0", "queue/jobs").
type Backend interface {
	OpenLog(name string, opts LogOptions) (Log, error)
	// RemoveLog deletes a log's data whether or not it is open.
	RemoveLog(name string) error
	Close() error
}

// Op is one write in a MetaStore batch: a Put when Value is non-nil, a
// Delete when Value is nil.
type Op struct {
	Bucket, Key string
	Value       []byte
}

// MetaStore is a bucketed key/value store for metadata, definitions,
// committed offsets and consumer-group state.
type MetaStore interface {
	// Get returns a copy of the value, or ErrNotFound.
	Get(bucket, key string) ([]byte, error)
	// Apply performs ops atomically. Concurrent Apply calls may be coalesced
	// into one transaction (group commit); each returns once its ops are
	// stored per the store's durability setting.
	Apply(ops ...Op) error
	// ForEach calls fn for every key in bucket in key order, with a prefix
	// filter ("" for all). value is only valid during the call.
	ForEach(bucket, prefix string, fn func(key string, value []byte) error) error
	// DeleteBucket removes a bucket and everything in it.
	DeleteBucket(bucket string) error
	// Sync makes every applied op durable.
	Sync() error
	Close() error
}
