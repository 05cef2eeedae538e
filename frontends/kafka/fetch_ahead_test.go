package kafka

import (
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"junction/broker"
	"junction/storage"
)

// aheadTopic creates topic with n records whose values are "v<offset>".
func aheadTopic(t *testing.T, e *env, topic string, n int) *broker.Partition {
	t.Helper()
	e.createTopic(topic, 1)
	prod := e.client(kgo.DefaultProduceTopic(topic))
	for i := range n {
		prod.Produce(ctxT(t), &kgo.Record{Value: fmt.Appendf(nil, "v%d", i)}, func(_ *kgo.Record, err error) {
			if err != nil {
				t.Error(err)
			}
		})
	}
	if err := prod.Flush(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	return e.b.Topic(topic).Partition(0)
}

// fetchAt fetches topic's partition 0 from off with a partition limit of
// limit bytes and returns its records and error code.
func fetchAt(t *testing.T, rc *rawConn, topic string, off int64, limit int32) ([]fetchedRecord, int16) {
	t.Helper()
	resp := do[*kmsg.FetchResponse](rc, fetchReq(1<<20, 0, fetchPartReq{topic: topic, off: off, max: limit}), 12)
	p := resp.Topics[0].Partitions[0]
	return batchRecords(t, p.RecordBatches), p.ErrorCode
}

// TestFetchReadAheadServesNextFetch: a consumer reading a backlog in
// limited fetches gets most of them from read-ahead, and every record, in
// order, exactly once.
func TestFetchReadAheadServesNextFetch(t *testing.T) {
	e := newEnv(t)
	const n = 3000
	aheadTopic(t, e, "ahead", n)
	rc := e.raw()
	off := int64(0)
	fetches := 0
	for off < n {
		recs, code := fetchAt(t, rc, "ahead", off, 4000)
		if code != 0 || len(recs) == 0 {
			t.Fatalf("fetch at %d: code %d, %d records", off, code, len(recs))
		}
		for _, r := range recs {
			if r.Offset != off || string(r.Value) != fmt.Sprintf("v%d", off) {
				t.Fatalf("got offset %d value %q, want offset %d", r.Offset, r.Value, off)
			}
			off++
		}
		fetches++
	}
	if used := e.s.aheadUsed.Load(); used < int64(fetches)/2 {
		t.Errorf("%d of %d fetches came from read-ahead", used, fetches)
	}
	// At the end nothing is left to read ahead; a later fetch long-polls
	// as usual and sees a new record.
	recs, _ := fetchAt(t, rc, "ahead", n, 4000)
	if len(recs) != 0 {
		t.Fatalf("%d records past the end", len(recs))
	}
}

// TestFetchReadAheadSkipsDeleted: a record deleted (XDEL) after its set was
// read ahead is not returned; trimming past the next offset makes it out of
// range, as without read-ahead; a fetch at another offset reads as usual.
func TestFetchReadAheadSkipsDeleted(t *testing.T) {
	e := newEnv(t)
	p := aheadTopic(t, e, "del", 500)
	rc := e.raw()

	recs, _ := fetchAt(t, rc, "del", 0, 1000)
	next := recs[len(recs)-1].Offset + 1
	victim := readOne(t, p, next+1)
	if got, err := p.DeleteIDs([]storage.StreamID{victim.ID}); err != nil || got != 1 {
		t.Fatalf("DeleteIDs: %d, %v", got, err)
	}
	before := e.s.aheadUsed.Load()
	recs, _ = fetchAt(t, rc, "del", next, 1000)
	for _, r := range recs {
		if r.Offset == victim.Offset {
			t.Fatalf("deleted record %d returned", r.Offset)
		}
	}
	if recs[0].Offset != next || recs[1].Offset != next+2 {
		t.Fatalf("offsets %d, %d; want %d, %d", recs[0].Offset, recs[1].Offset, next, next+2)
	}
	if e.s.aheadUsed.Load() != before {
		t.Error("a set read before the deletion was used")
	}

	// A fetch elsewhere (a seek) ignores the set read ahead.
	recs, _ = fetchAt(t, rc, "del", 0, 1000)
	if recs[0].Offset != 0 {
		t.Fatalf("seek to 0 returned offset %d", recs[0].Offset)
	}

	// Trim past the next offset: out of range.
	next = recs[len(recs)-1].Offset + 1
	if _, err := p.TrimMaxLen(10, false, 0); err != nil {
		t.Fatal(err)
	}
	if _, code := fetchAt(t, rc, "del", next, 1000); code != kerr.OffsetOutOfRange.Code {
		t.Fatalf("fetch below Start: code %d, want OFFSET_OUT_OF_RANGE", code)
	}
}

func readOne(t *testing.T, p *broker.Partition, off int64) storage.Record {
	t.Helper()
	recs, err := p.Read(nil, off, 1, 0)
	if err != nil || len(recs) != 1 || recs[0].Offset != off {
		t.Fatalf("read %d: %v %v", off, recs, err)
	}
	return recs[0]
}

// TestFetchReadAheadConcurrentDeletes: fetches run while another goroutine
// deletes records (XDEL); then a pass that deletes, after every fetch, a
// record of the set being read ahead for the next one. That pass, and one
// more from the start, return every surviving record in order and none of
// the deleted ones.
func TestFetchReadAheadConcurrentDeletes(t *testing.T) {
	e := newEnv(t)
	const n = 2000
	p := aheadTopic(t, e, "churn", n)
	deleted := map[int64]bool{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for off := int64(3); off < n; off += 7 {
			r, err := p.Read(nil, off, 1, 0)
			if err != nil || len(r) != 1 {
				t.Errorf("read %d: %v", off, err)
				return
			}
			if _, err := p.DeleteIDs([]storage.StreamID{r[0].ID}); err != nil {
				t.Errorf("delete %d: %v", off, err)
				return
			}
			deleted[off] = true
		}
	}()
	rc := e.raw()
	pass := func() []int64 {
		var got []int64
		for off := int64(0); off < n; {
			recs, code := fetchAt(t, rc, "churn", off, 1500)
			if code != 0 || len(recs) == 0 {
				t.Fatalf("fetch at %d: code %d, %d records", off, code, len(recs))
			}
			for _, r := range recs {
				got = append(got, r.Offset)
			}
			off = recs[len(recs)-1].Offset + 1
		}
		return got
	}
	for {
		pass() // fetches and read-ahead racing the deletions
		select {
		case <-done:
		default:
			continue
		}
		break
	}
	for off := int64(0); off < n; {
		recs, _ := fetchAt(t, rc, "churn", off, 1500)
		if len(recs) == 0 {
			t.Fatalf("fetch at %d: no records", off)
		}
		for _, r := range recs {
			if deleted[r.Offset] {
				t.Fatalf("deleted record %d returned", r.Offset)
			}
		}
		off = recs[len(recs)-1].Offset + 1
		for v := off + 1; v < n; v++ { // the first live record after the next one
			if !deleted[v] {
				if got, err := p.DeleteIDs([]storage.StreamID{readOne(t, p, v).ID}); err != nil || got != 1 {
					t.Fatalf("delete %d: %d, %v", v, got, err)
				}
				deleted[v] = true
				break
			}
		}
	}
	got := pass()
	want := int64(0)
	for _, off := range got {
		for deleted[want] {
			want++
		}
		if off != want {
			t.Fatalf("got offset %d, want %d (deleted: %v)", off, want, deleted[off])
		}
		want++
	}
	if want != n && !deleted[n-1] {
		t.Fatalf("pass ended at %d of %d", want, n)
	}
}
