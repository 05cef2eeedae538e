// Sync with group commit: one fsync at a time; a caller that arrives while
// one is running waits for the next, which starts after its call and so
// covers its appends, and every caller waiting at that point shares it.
// Waiting uses condition variables: no sleeps, no polling.
//
// Before starting an fsync its leader yields the processor
// (runtime.Gosched), and yields again for as long as the yield let more
// callers arrive: the appenders just released by the previous fsync are
// runnable then, and letting them append and join makes each fsync carry
// more of them (14 rather than 13 of 16 appenders here; one yield gave 13,
// none 8). The yields stop as soon as one brings no one, so a lone caller
// pays one yield (well under a microsecond) and the wait is bounded by the
// number of appenders, which all end up waiting.
//
// Callers wait on one of two condition variables by the parity of the
// generation they need, so the end of an fsync wakes only the callers it
// satisfied, plus one caller of the next generation to lead it.

package segmentlog

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"junction/storage"
)

// groupCommit numbers fsyncs: started counts those begun, done the last
// finished. A caller needs generation started+1 as of its call.
type groupCommit struct {
	mu       sync.Mutex
	waiting  [2]sync.Cond // waiting[n%2]: callers that need generation n; L is &mu
	started  uint64
	done     uint64
	running  bool
	arrivals uint64 // calls so far: a leader yields while they grow
	err      error  // sticky: after a failed fsync nothing can be promised
}

func (g *groupCommit) init() {
	g.waiting[0].L = &g.mu
	g.waiting[1].L = &g.mu
}

// Sync makes every record appended before the call durable. Concurrent
// callers share fsyncs. Once an fsync fails, Sync keeps failing: the kernel
// may have dropped the dirty pages, so a later success would prove nothing.
func (l *Log) Sync() error { return l.gc.do(l.fsync) }

// do runs fsync, or waits for and shares a run that starts after the call,
// and returns its result (or the sticky error).
func (g *groupCommit) do(fsync func() error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.arrivals++
	target := g.started + 1
	seen := uint64(0) // arrivals at this caller's last yield; 0: none yet
	for g.done < target && g.err == nil {
		if g.running {
			g.waiting[target%2].Wait()
			continue
		}
		if seen != g.arrivals { // see the file comment
			seen = g.arrivals
			g.mu.Unlock()
			runtime.Gosched()
			g.mu.Lock()
			continue
		}
		g.running = true
		g.started++
		gen := g.started
		g.mu.Unlock()
		err := fsync()
		g.mu.Lock()
		g.running = false
		g.done = gen
		next := &g.waiting[(gen+1)%2]
		if err != nil {
			g.err = err
			next.Broadcast()
		} else {
			next.Signal() // one of them leads the next fsync
		}
		g.waiting[gen%2].Broadcast()
	}
	return g.err
}

// fsync syncs the active segment (and the directory after a roll) unless
// everything in it is known durable. Sealed segments were synced when they
// were rolled.
func (l *Log) fsync() error {
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		return storage.ErrClosed
	}
	s, end := l.active, l.active.end
	s.acquire()
	l.mu.RUnlock()
	defer s.release()
	if l.synced.Load() >= end {
		return nil
	}
	l.fsyncs.Add(1)
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("segmentlog: sync %s: %w", s.logPath, err)
	}
	if l.dirDirty.Swap(false) {
		if err := syncDir(l.dir); err != nil {
			l.dirDirty.Store(true)
			return fmt.Errorf("segmentlog: sync %s: %w", l.dir, err)
		}
	}
	storeMax(&l.synced, end)
	return nil
}

// storeMax raises v to x.
func storeMax(v *atomic.Int64, x int64) {
	for {
		old := v.Load()
		if old >= x || v.CompareAndSwap(old, x) {
			return
		}
	}
}
