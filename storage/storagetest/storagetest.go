// Package storagetest is the conformance suite that every storage.Backend
// and its storage.Log pass: Run it from the backend's own tests. (RunMeta,
// in meta.go, is the counterpart for storage.MetaStore.)
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storage.Backend {
//			return segmentlog.New(t.TempDir())
//		}, storagetest.Options{Persistent: true})
//	}
//
// The contract it pins down, beyond the comments in package storage:
//
//   - Append copies: the caller may reuse its buffers once Append returns.
//     Records returned by Read stay valid after later appends and trims.
//   - A null Key (nil) differs from an empty one; Value and Native are
//     compared by content (nil and empty are the same), headers by order,
//     duplicates included.
//   - Read with maxBytes <= 0 returns exactly min(maxCount, End-from) records
//     (from raised to Start). With maxBytes > 0 it returns at least one
//     record, stops once the Record.Size sum reaches maxBytes (the record
//     that crosses it may be included or not) and never stops earlier
//     unless maxCount is reached.
//   - SeekTime(ts) is the first offset i >= Start whose timestamp is >= ts,
//     exactly, even when timestamps are not monotonic; SeekID likewise for
//     IDs. Both return End when there is none.
//   - LastID is the last appended ID and survives TruncateFront and Retain
//     (a Redis stream keeps its last ID after XTRIM).
//   - TruncateFront(before) with before <= Start is a no-op; with before >
//     End it either fails with an error wrapping storage.ErrOutOfRange
//     (Start unchanged) or clamps to End.
//   - Retain never drops the last record, never moves End, never drops a
//     record whose timestamp is >= minTimestamp (in a log with monotonic
//     timestamps) and returns the new Start.
//   - After Close, Append and Read fail with storage.ErrClosed.
//   - RemoveLog (open or not) and Log.Remove delete the data: opening the
//     name again gives an empty log.
package storagetest

import (
	"bytes"
	"fmt"
	"testing"

	"junction/storage"
)

// Options describe the backend under test.
type Options struct {
	// Persistent: the backend keeps a log's records across Close and a
	// later OpenLog of the same name (on the same Backend); the suite then
	// checks that everything survives a reopen.
	Persistent bool
}

// Run runs the conformance suite as subtests of t. open must return a new,
// empty backend for the subtest t it is given; Run closes it when the
// subtest ends. Options may be omitted.
func Run(t *testing.T, open func(t *testing.T) storage.Backend, opts ...Options) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	tests := []struct {
		name string
		fn   func(*harness)
	}{
		{"Empty", testEmpty},
		{"InitialOffset", testInitialOffset},
		{"RoundTrip", testRoundTrip},
		{"ReadStaysValid", testReadStaysValid},
		{"AppendCopies", testAppendCopies},
		{"DenseOffsets", testDenseOffsets},
		{"ReadBounds", testReadBounds},
		{"ReadMaxBytes", testReadMaxBytes},
		{"SeekTime", testSeekTime},
		{"SeekTimeNonMonotonic", testSeekTimeNonMonotonic},
		{"SeekID", testSeekID},
		{"LastID", testLastID},
		{"TruncateFront", testTruncateFront},
		{"Retain", testRetain},
		{"Reopen", testReopen},
		{"Closed", testClosed},
		{"Remove", testRemove},
		{"IndependentNames", testIndependentNames},
		{"Sync", testSync},
		{"ConcurrentReaders", testConcurrentReaders},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := open(t)
			t.Cleanup(func() { b.Close() })
			tc.fn(&harness{T: t, b: b, opts: o})
		})
	}
}

// harness is one subtest's backend.
type harness struct {
	*testing.T
	b    storage.Backend
	opts Options
}

// smallSegments makes segmented backends roll often, so tests cross
// segment boundaries.
var smallSegments = storage.LogOptions{SegmentBytes: 4096}

func (h *harness) open(name string, opts storage.LogOptions) storage.Log {
	h.Helper()
	l, err := h.b.OpenLog(name, opts)
	if err != nil {
		h.Fatalf("OpenLog(%q): %v", name, err)
	}
	h.Cleanup(func() { l.Close() })
	return l
}

// record returns the test record at offset off: every field varies with
// off (null, empty and set keys; 0–3 headers with a repeated name; each
// Origin; nil, empty and set Native), timestamps and IDs increase.
func record(off int64) storage.Record {
	x := mix(uint64(off))
	r := storage.Record{
		Offset:    off,
		Timestamp: 1_700_000_000_000 + off*10,
		ID:        storage.StreamID{Ms: 1_700_000_000_000 + uint64(off)/3, Seq: uint64(off) % 3},
		Origin:    storage.Origin(x % 4),
	}
	switch x >> 8 % 3 {
	case 1:
		r.Key = []byte{}
	case 2:
		r.Key = fmt.Appendf(nil, "key-%d", off)
	}
	r.Value = make([]byte, x>>16%300)
	for i := range r.Value {
		r.Value[i] = byte(off) + byte(i)
	}
	hdrs := []storage.Header{
		{Key: []byte("h"), Value: fmt.Appendf(nil, "a%d", off)},
		{Key: []byte("h"), Value: []byte("b")},
		{Key: []byte{}, Value: []byte{}},
	}
	if n := x >> 32 % 4; n > 0 {
		r.Headers = hdrs[:n]
	}
	switch x >> 40 % 3 {
	case 1:
		r.Native = []byte{}
	case 2:
		r.Native = fmt.Appendf(nil, "native-%d", off)
	}
	return r
}

// mix is splitmix64's finaliser.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// batch returns the test records for offsets [from, from+n).
func batch(from int64, n int) []storage.Record {
	recs := make([]storage.Record, n)
	for i := range recs {
		recs[i] = record(from + int64(i))
	}
	return recs
}

// fill appends test records in batches of up to per until End reaches end.
func (h *harness) fill(l storage.Log, end int64, per int) {
	h.Helper()
	for e := l.End(); e < end; e = l.End() {
		n := int(min(int64(per), end-e))
		if err := l.Append(batch(e, n)); err != nil {
			h.Fatalf("Append at %d: %v", e, err)
		}
	}
}

// read reads [from, …) with the given limits, failing the test on error.
func (h *harness) read(l storage.Log, from int64, maxCount, maxBytes int) []storage.Record {
	h.Helper()
	recs, err := l.Read(nil, from, maxCount, maxBytes)
	if err != nil {
		h.Fatalf("Read(%d, %d, %d): %v", from, maxCount, maxBytes, err)
	}
	return recs
}

// checkRun checks that got holds the test records from offset from on.
func (h *harness) checkRun(got []storage.Record, from int64) {
	h.Helper()
	for i := range got {
		want := record(from + int64(i))
		if err := diff(&got[i], &want); err != nil {
			h.Fatalf("record %d of %d (from %d): %v", i, len(got), from, err)
		}
	}
}

// diff describes how got differs from want, or returns nil.
func diff(got, want *storage.Record) error {
	switch {
	case got.Offset != want.Offset:
		return fmt.Errorf("offset %d, want %d", got.Offset, want.Offset)
	case got.Timestamp != want.Timestamp:
		return fmt.Errorf("offset %d: timestamp %d, want %d", want.Offset, got.Timestamp, want.Timestamp)
	case got.ID != want.ID:
		return fmt.Errorf("offset %d: ID %v, want %v", want.Offset, got.ID, want.ID)
	case got.Origin != want.Origin:
		return fmt.Errorf("offset %d: origin %d, want %d", want.Offset, got.Origin, want.Origin)
	case (got.Key == nil) != (want.Key == nil) || !bytes.Equal(got.Key, want.Key):
		return fmt.Errorf("offset %d: key %s, want %s", want.Offset, show(got.Key), show(want.Key))
	case !bytes.Equal(got.Value, want.Value):
		return fmt.Errorf("offset %d: value %q, want %q", want.Offset, got.Value, want.Value)
	case !bytes.Equal(got.Native, want.Native):
		return fmt.Errorf("offset %d: native %q, want %q", want.Offset, got.Native, want.Native)
	case len(got.Headers) != len(want.Headers):
		return fmt.Errorf("offset %d: %d headers, want %d", want.Offset, len(got.Headers), len(want.Headers))
	}
	for i, h := range want.Headers {
		g := got.Headers[i]
		if !bytes.Equal(g.Key, h.Key) || !bytes.Equal(g.Value, h.Value) {
			return fmt.Errorf("offset %d: header %d is %q=%q, want %q=%q", want.Offset, i, g.Key, g.Value, h.Key, h.Value)
		}
	}
	return nil
}

func show(b []byte) string {
	if b == nil {
		return "null"
	}
	return fmt.Sprintf("%q", b)
}
