// Reopen, Close, Remove, RemoveLog, independent names and Sync.

package storagetest

import (
	"errors"
	"math"
	"sync"

	"junction/storage"
)

func testReopen(h *harness) {
	if !h.opts.Persistent {
		h.Skip("backend is not persistent")
	}
	const name = "topic/reopen/0"
	l := h.open(name, smallSegments)
	for _, n := range []int{1, 50, 3, 200, 17, 429} {
		h.fill(l, l.End()+int64(n), n)
	}
	if err := l.TruncateFront(50); err != nil {
		h.Fatal(err)
	}
	end, bytes, last := l.End(), l.Bytes(), l.LastID()
	if err := l.Sync(); err != nil {
		h.Fatal(err)
	}
	if err := l.Close(); err != nil {
		h.Fatal(err)
	}
	l = h.open(name, smallSegments)
	h.checkTail(l, 50, end)
	if b, id := l.Bytes(), l.LastID(); b != bytes || id != last {
		h.Fatalf("after reopen Bytes, LastID = %d, %v; want %d, %v", b, id, bytes, last)
	}
	if off, err := l.SeekID(record(400).ID); err != nil || off != 400 {
		h.Fatalf("after reopen SeekID = %d, %v; want 400", off, err)
	}
	if off, err := l.SeekTime(record(300).Timestamp); err != nil || off != 300 {
		h.Fatalf("after reopen SeekTime = %d, %v; want 300", off, err)
	}
	h.fill(l, end+100, 9)
	l.Close()
	l = h.open(name, smallSegments)
	h.checkTail(l, 50, end+100)

	// An empty log keeps its InitialOffset.
	opts := smallSegments
	opts.InitialOffset = 7
	e := h.open("topic/reopen/1", opts)
	e.Close()
	e = h.open("topic/reopen/1", smallSegments)
	h.checkTail(e, 7, 7)
}

func testClosed(h *harness) {
	l := h.open("topic/closed/0", smallSegments)
	h.fill(l, 10, 10)
	if err := l.Close(); err != nil {
		h.Fatal(err)
	}
	if err := l.Append(batch(10, 1)); !errors.Is(err, storage.ErrClosed) {
		h.Fatalf("Append after Close: %v; want ErrClosed", err)
	}
	if _, err := l.Read(nil, 0, 10, 0); !errors.Is(err, storage.ErrClosed) {
		h.Fatalf("Read after Close: %v; want ErrClosed", err)
	}
}

func testRemove(h *harness) {
	// Log.Remove.
	l := h.open("topic/rm/0", smallSegments)
	h.fill(l, 100, 10)
	if err := l.Remove(); err != nil {
		h.Fatal(err)
	}
	h.checkTail(h.open("topic/rm/0", smallSegments), 0, 0)

	// RemoveLog of an open log.
	l = h.open("topic/rm/1", smallSegments)
	h.fill(l, 100, 10)
	if err := h.b.RemoveLog("topic/rm/1"); err != nil {
		h.Fatal(err)
	}
	h.checkTail(h.open("topic/rm/1", smallSegments), 0, 0)

	// RemoveLog of a closed log.
	l = h.open("topic/rm/2", smallSegments)
	h.fill(l, 100, 10)
	l.Close()
	if err := h.b.RemoveLog("topic/rm/2"); err != nil {
		h.Fatal(err)
	}
	h.checkTail(h.open("topic/rm/2", smallSegments), 0, 0)
}

func testIndependentNames(h *harness) {
	names := []string{"topic/a/0", "topic/a/1", "topic/b/0", "queue/a"}
	logs := make([]storage.Log, len(names))
	for i, name := range names {
		logs[i] = h.open(name, smallSegments)
		h.fill(logs[i], int64(10*(i+1)), 3)
	}
	if err := h.b.RemoveLog("topic/a/0"); err != nil {
		h.Fatal(err)
	}
	for i, l := range logs[1:] {
		h.checkTail(l, 0, int64(10*(i+2)))
	}
}

func testSync(h *harness) {
	l := h.open("topic/sync/0", smallSegments)
	if err := l.Sync(); err != nil {
		h.Fatalf("Sync of an empty log: %v", err)
	}
	var mu sync.Mutex // appends are serialised by the caller
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 10 {
				mu.Lock()
				err := l.Append(batch(l.End(), 1))
				mu.Unlock()
				if err == nil {
					err = l.Sync()
				}
				if err != nil {
					h.Errorf("Append+Sync: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	h.checkTail(l, 0, 40)
	if got := h.read(l, 0, math.MaxInt32, 0); len(got) != 40 {
		h.Fatalf("read %d records", len(got))
	}
}
