// Group commit: concurrent Syncs share fsyncs, a Sync waits for an fsync
// that starts after it, and a failed fsync stays failed. testing/synctest
// tells when every goroutine is parked, so nothing sleeps.

package segmentlog

import (
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"junction/storage"
)

func TestGroupCommit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g groupCommit
		g.init()
		var calls atomic.Int32
		release := make(chan error)
		fsync := func() error { calls.Add(1); return <-release }
		results := make(chan error, 10)
		sync := func() { results <- g.do(fsync) }
		want := func(c, done int) {
			t.Helper()
			synctest.Wait()
			if calls.Load() != int32(c) || len(results) != done {
				t.Fatalf("%d fsyncs, %d Syncs returned; want %d, %d", calls.Load(), len(results), c, done)
			}
		}

		go sync() // leads the first fsync
		want(1, 0)
		for range 3 { // arrive during it: must wait for the next one
			go sync()
		}
		want(1, 0)
		release <- nil
		want(2, 1) // the first returns; one waiter leads a single shared fsync
		release <- nil
		want(2, 4)
		for range 4 {
			if err := <-results; err != nil {
				t.Fatal(err)
			}
		}

		boom := errors.New("disk on fire")
		go sync()
		want(3, 0)
		release <- boom
		want(3, 1)
		if err := <-results; err != boom {
			t.Fatalf("Sync = %v, want %v", err, boom)
		}
		if err := g.do(fsync); err != boom { // sticky, and no new fsync
			t.Fatalf("Sync after a failed fsync = %v", err)
		}
		want(3, 0)
	})
}

// TestGroupCommitFailureReleasesAll: callers waiting for the fsync after a
// failing one all get the failure at once, and none starts another fsync.
func TestGroupCommitFailureReleasesAll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g groupCommit
		g.init()
		var calls atomic.Int32
		release := make(chan error)
		fsync := func() error { calls.Add(1); return <-release }
		results := make(chan error, 10)
		go func() { results <- g.do(fsync) }()
		synctest.Wait()
		for range 5 { // arrive during the fsync: they need the next one
			go func() { results <- g.do(fsync) }()
		}
		synctest.Wait()
		boom := errors.New("disk on fire")
		release <- boom
		synctest.Wait() // a caller still asleep would leave results short
		if len(results) != 6 || calls.Load() != 1 {
			t.Fatalf("%d of 6 Syncs returned after %d fsyncs; want 6 after 1", len(results), calls.Load())
		}
		for range 6 {
			if err := <-results; err != boom {
				t.Fatalf("Sync = %v, want %v", err, boom)
			}
		}
	})
}

func TestSyncSkipsWhenClean(t *testing.T) {
	l, err := open(t.TempDir(), storage.LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Append([]storage.Record{{Value: []byte("x")}}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := l.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	if n := l.fsyncs.Load(); n != 1 {
		t.Fatalf("%d fsyncs for one append, want 1", n)
	}
	if l.synced.Load() < l.End() {
		t.Fatalf("synced %d < End %d after Sync", l.synced.Load(), l.End())
	}
	l.Close()
	if err := l.Sync(); !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("Sync after Close = %v, want ErrClosed", err)
	}
}
