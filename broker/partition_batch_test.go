package broker_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"junction/broker"
	"junction/broker/brokertest"
	"junction/storage"
)

// TestAppendEntriesChecksEachIDInTurn: one AppendEntries gives each record
// the ID a separate AppendEntry would have, refuses a stale or exhausted ID
// for that record alone, and keeps offsets dense.
func TestAppendEntriesChecksEachIDInTurn(t *testing.T) {
	for _, name := range []string{"memory", "files"} {
		t.Run(name, func(t *testing.T) {
			st := brokertest.Memory(t)
			if name == "files" {
				st = brokertest.Files(t)
			}
			now := time.UnixMilli(5000)
			b := st.New(t, broker.Config{Now: func() time.Time { return now }})
			p := mustTopic(t, b, "s", 1).Partition(0)
			if _, err := p.AppendEntry(&storage.Record{Value: []byte("first")}, broker.IDSpec{Mode: broker.IDExplicit, Ms: 2, Seq: 0}); err != nil {
				t.Fatal(err)
			}
			explicit := func(ms, seq uint64) broker.IDSpec { return broker.IDSpec{Mode: broker.IDExplicit, Ms: ms, Seq: seq} }
			specs := []broker.IDSpec{
				explicit(3, 0),
				explicit(3, 0), // equal to the one before it
				{Mode: broker.IDAutoSeq, Ms: 3},
				{Mode: broker.IDAutoSeq, Ms: 1}, // below
				{Mode: broker.IDAuto},           // the clock: 5000-0
				explicit(4, 9),                  // stale against 5000-0
				{Mode: broker.IDAuto},
				explicit(math.MaxUint64, math.MaxUint64),
				{Mode: broker.IDAuto}, // nothing can follow
				explicit(1, 1),
			}
			wantIDs := []string{"3-0", "", "3-1", "", "5000-0", "", "5000-1", "18446744073709551615-18446744073709551615", "", ""}
			wantErrs := []error{nil, broker.ErrIDTooSmall, nil, broker.ErrIDTooSmall, nil, broker.ErrIDTooSmall, nil, nil,
				broker.ErrStreamExhausted, broker.ErrStreamExhausted}
			recs := make([]storage.Record, len(specs))
			for i := range recs {
				recs[i].Value = []byte(wantIDs[i])
			}
			errs := make([]error, len(specs))

			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			woke := make(chan error, 1)
			go func() { woke <- p.Wait(ctx, 1) }()

			if err := p.AppendEntries(recs, specs, errs); err != nil {
				t.Fatal(err)
			}
			if err := <-woke; err != nil {
				t.Fatalf("waiter: %v", err)
			}
			off := int64(1)
			for i := range recs {
				if !errors.Is(errs[i], wantErrs[i]) || (wantErrs[i] == nil) != (errs[i] == nil) {
					t.Fatalf("record %d: err %v, want %v", i, errs[i], wantErrs[i])
				}
				if errs[i] != nil {
					continue
				}
				if got := recs[i].ID.String(); got != wantIDs[i] || recs[i].Offset != off {
					t.Fatalf("record %d: %s at %d, want %s at %d", i, got, recs[i].Offset, wantIDs[i], off)
				}
				off++
			}
			all, err := p.Read(nil, 0, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range all[1:] {
				got = append(got, r.ID.String()+"="+string(r.Value))
				if r.ID.String() != string(r.Value) {
					t.Errorf("stored %s holds %q", r.ID, r.Value)
				}
			}
			if len(got) != 5 || p.Len() != 6 || p.LastID() != (storage.StreamID{Ms: math.MaxUint64, Seq: math.MaxUint64}) {
				t.Fatalf("stored %q, Len %d, LastID %s", got, p.Len(), p.LastID())
			}
			if info := p.Info(); info.EntriesAdded != 6 {
				t.Fatalf("entries added %d", info.EntriesAdded)
			}
		})
	}
}

// TestAppendEntriesAllRefusedOrTopicGone: a batch whose every ID is refused
// stores nothing; a deleted topic refuses the whole batch.
func TestAppendEntriesAllRefusedOrTopicGone(t *testing.T) {
	b := brokertest.New(t)
	p := mustTopic(t, b, "s", 1).Partition(0)
	recs := []storage.Record{rec("a"), rec("b")}
	specs := []broker.IDSpec{{Mode: broker.IDExplicit, Ms: 5}, {Mode: broker.IDExplicit, Ms: 5}}
	errs := make([]error, 2)
	if err := p.AppendEntries(recs[:1], specs[:1], errs[:1]); err != nil || errs[0] != nil {
		t.Fatal(err, errs[0])
	}
	if err := p.AppendEntries(recs[1:], specs[1:], errs[1:]); err != nil || !errors.Is(errs[1], broker.ErrIDTooSmall) {
		t.Fatal(err, errs[1])
	}
	if p.End() != 1 {
		t.Fatalf("End %d after a refused batch", p.End())
	}
	if err := b.DeleteTopic("s"); err != nil {
		t.Fatal(err)
	}
	specs[0] = broker.IDSpec{Mode: broker.IDAuto}
	if err := p.AppendEntries(recs[:1], specs[:1], errs[:1]); !errors.Is(err, broker.ErrTopicDeleted) {
		t.Fatalf("append to a deleted topic: %v", err)
	}
}
