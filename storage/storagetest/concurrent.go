// Readers, seekers and a syncer running while one goroutine appends and
// trims (as the broker's partition lock allows): every read must see whole,
// correct, contiguous records below End. Run it with -race.

package storagetest

import (
	"math/rand/v2"
	"sync"

	"junction/storage"
)

func testConcurrentReaders(h *harness) {
	l := h.open("topic/concurrent/0", smallSegments)
	const total = 2000
	done := make(chan struct{})
	var wg sync.WaitGroup
	for r := range 3 {
		wg.Go(func() { concurrentReader(h, l, uint64(r), done) })
	}
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			if err := l.Sync(); err != nil {
				h.Errorf("Sync: %v", err)
				return
			}
		}
	})
	rng := rand.New(rand.NewPCG(7, 7))
	for e := l.End(); e < total; e = l.End() {
		n := 1 + rng.IntN(20)
		if err := l.Append(batch(e, n)); err != nil {
			h.Errorf("Append at %d: %v", e, err)
			break
		}
		switch rng.IntN(20) {
		case 0: // trims never reach End, so a read below End always finds records
			if err := l.TruncateFront(l.End() - 100); err != nil {
				h.Errorf("TruncateFront: %v", err)
			}
		case 1:
			if _, err := l.Retain(8<<10, 0); err != nil {
				h.Errorf("Retain: %v", err)
			}
		}
	}
	close(done)
	wg.Wait()
	h.checkRun(h.read(l, 0, total, 0), l.Start())
}

// concurrentReader reads and seeks at random until done is closed (and at
// least 50 times), checking every result.
func concurrentReader(h *harness, l storage.Log, seed uint64, done <-chan struct{}) {
	rng := rand.New(rand.NewPCG(seed, 99))
	var dst []storage.Record
	for i := 0; ; i++ {
		if i >= 50 {
			select {
			case <-done:
				return
			default:
			}
		}
		start, end := l.Start(), l.End()
		from := start - 2 + rng.Int64N(end-start+4)
		var err error
		dst, err = l.Read(dst[:0], from, 1+rng.IntN(40), rng.IntN(3)*2000)
		after := l.End()
		if err != nil {
			h.Errorf("Read(%d): %v", from, err)
			return
		}
		if start < end && from < end && len(dst) == 0 {
			h.Errorf("Read(%d) with Start %d, End %d returned nothing", from, start, end)
			return
		}
		for j := range dst {
			want := record(dst[0].Offset + int64(j))
			if err := diff(&dst[j], &want); err != nil {
				h.Errorf("Read(%d): record %d: %v", from, j, err)
				return
			}
		}
		if len(dst) > 0 && (dst[0].Offset < max(from, start) || dst[len(dst)-1].Offset >= after) {
			h.Errorf("Read(%d) returned [%d, %d] with Start >= %d, End <= %d",
				from, dst[0].Offset, dst[len(dst)-1].Offset, start, after)
			return
		}
		if end > start {
			x := start + rng.Int64N(end-start)
			off, err := l.SeekTime(record(x).Timestamp)
			if err != nil || off != x && (off < x || off > l.Start()) {
				h.Errorf("SeekTime(ts of %d) = %d, %v", x, off, err)
				return
			}
			off, err = l.SeekID(record(x).ID)
			if err != nil || off != x && (off < x || off > l.Start()) {
				h.Errorf("SeekID(ID of %d) = %d, %v", x, off, err)
				return
			}
		}
	}
}
