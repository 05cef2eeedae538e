// Package segmentlog is the file-backed storage.Log: each log is a
// directory of append-only segment files named by their base offset, each
// with a sparse fixed-width index (see index.go), a record framing with
// CRC-32C (record.go), tail recovery on open (recover.go), retention by whole
// segments (retention.go) and group-commit Sync (sync.go).
//
// On-disk layout of the log "topic/orders/0" under the backend's root:
//
//	topic/orders/0/00000000000000000000.log   records from offset 0
//	topic/orders/0/00000000000000000000.idx   its index
//	topic/orders/0/00000000000000052311.log   next segment, from offset 52311
//	topic/orders/0/00000000000000052311.idx
//	topic/orders/0/start                      logical Start, once trimmed
//
// Durability: Sync makes every record appended before it durable; a roll
// syncs the segment it seals, so a crash loses at most a suffix of the
// records appended since the last Sync, never a piece in the middle. On
// open only the tail of the last segment is checked and cut back to its
// last whole record; damage anywhere else surfaces as storage.ErrCorrupt
// from the reads that meet it.
package segmentlog

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"junction/storage"
)

// Backend opens file-backed logs in directories under a root directory.
type Backend struct {
	root string

	mu     sync.Mutex      // guards open and closed
	open   map[string]*Log // open logs by name
	closed bool
}

var _ storage.Backend = (*Backend)(nil)

// New returns a Backend that keeps its logs under dir (created on first use).
func New(dir string) *Backend {
	return &Backend{root: dir, open: make(map[string]*Log)}
}

// OpenLog opens the log name, creating it (empty, at opts.InitialOffset) if
// it does not exist. Names are slash-separated; components must be non-empty
// and neither "." nor "..". A log may be open only once at a time.
func (b *Backend) OpenLog(name string, opts storage.LogOptions) (storage.Log, error) {
	dir, err := b.dir(name)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, storage.ErrClosed
	}
	if _, ok := b.open[name]; ok {
		return nil, fmt.Errorf("segmentlog: log %q is already open", name)
	}
	l, err := open(dir, opts)
	if err != nil {
		return nil, err
	}
	l.onClose = func(l *Log) { b.forget(name, l) }
	b.open[name] = l
	return l, nil
}

// RemoveLog deletes the log's files, closing it first if it is open.
func (b *Backend) RemoveLog(name string) error {
	dir, err := b.dir(name)
	if err != nil {
		return err
	}
	b.mu.Lock()
	l := b.open[name]
	delete(b.open, name)
	b.mu.Unlock()
	if l != nil {
		return l.Remove()
	}
	return removeDir(dir)
}

// Close closes every open log. Closing twice is a no-op.
func (b *Backend) Close() error {
	b.mu.Lock()
	logs := make([]*Log, 0, len(b.open))
	for _, l := range b.open {
		logs = append(logs, l)
	}
	b.closed = true
	b.mu.Unlock()
	var first error
	for _, l := range logs {
		if err := l.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (b *Backend) forget(name string, l *Log) {
	b.mu.Lock()
	if b.open[name] == l {
		delete(b.open, name)
	}
	b.mu.Unlock()
}

// dir maps a log name to its directory, rejecting names that could escape
// the root or alias another name.
func (b *Backend) dir(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, "\\\x00") {
		return "", fmt.Errorf("segmentlog: invalid log name %q", name)
	}
	for c := range strings.SplitSeq(name, "/") {
		if c == "" || c == "." || c == ".." {
			return "", fmt.Errorf("segmentlog: invalid log name %q", name)
		}
	}
	return filepath.Join(b.root, filepath.FromSlash(name)), nil
}
