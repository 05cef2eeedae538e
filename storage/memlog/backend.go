// Package memlog implements storage.Backend and storage.Log in memory.
//
// Records live in chunks of up to 4096 records (or LogOptions.SegmentBytes
// bytes), so TruncateFront and Retain free memory a chunk at a time. A chunk
// stores its records compactly and pointer-free (see chunk.go): each
// record's metadata (origin, timestamp, ID and field lengths as varints) in
// one byte stream, its key, value, native and header bytes in byte blocks of
// up to 256 KiB shared by the log's consecutive records, and an 8-byte
// position. A stored record costs its bytes plus about 20, and the garbage
// collector never scans it. Bytes in a block are never written again, so
// Read decodes records whose byte slices alias the blocks.
//
// A Backend keeps its logs by name until RemoveLog, so closing a log and
// opening it again within one process keeps its records; a new Backend starts
// empty. Nothing is durable: Sync is a no-op.
package memlog

import (
	"sync"

	"junction/storage"
)

// Backend is an in-memory storage.Backend. It is safe for concurrent use.
//
// Lock order: Backend.mu before Log.mu.
type Backend struct {
	mu     sync.Mutex      // guards logs and closed
	logs   map[string]*Log // every log not yet removed, open or closed
	closed bool
}

var _ storage.Backend = (*Backend)(nil)

// New returns an empty Backend.
func New() *Backend {
	return &Backend{logs: make(map[string]*Log)}
}

// OpenLog returns the log called name, creating it empty at
// opts.InitialOffset if it does not exist. Opening a name that already exists
// (open or closed) returns the same *Log with its records; InitialOffset is
// then ignored. It fails with storage.ErrClosed after Close.
func (b *Backend) OpenLog(name string, opts storage.LogOptions) (storage.Log, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, storage.ErrClosed
	}
	l, ok := b.logs[name]
	if !ok {
		l = newLog(b, name, opts)
		b.logs[name] = l
		return l, nil
	}
	l.mu.Lock()
	l.closed = false
	l.segBytes = segBytes(opts)
	l.mu.Unlock()
	return l, nil
}

// RemoveLog deletes the log called name, open or not. Handles to it fail
// with storage.ErrClosed afterwards. Removing a missing log is not an error.
func (b *Backend) RemoveLog(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return storage.ErrClosed
	}
	if l, ok := b.logs[name]; ok {
		delete(b.logs, name)
		l.drop()
	}
	return nil
}

// Close closes every log and discards all data; later calls fail with
// storage.ErrClosed. Closing twice is not an error.
func (b *Backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	for name, l := range b.logs {
		delete(b.logs, name)
		l.drop()
	}
	return nil
}
