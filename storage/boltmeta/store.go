// Package boltmeta implements storage.MetaStore on a bbolt file: one
// top-level bbolt bucket per MetaStore bucket, created on the first Put.
// Concurrent Apply calls are group-committed into one read-write transaction
// (see commit.go); reads copy their bytes out of the transaction.
package boltmeta

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"junction/storage"
)

// ErrInUse is returned by Open when another process (or another Store in this
// one) holds the file's lock.
var ErrInUse = errors.New("boltmeta: data directory is in use by another process")

// Options configure a Store.
type Options struct {
	// NoSync skips the fsync on every commit (fsync policy "interval" or
	// "never"); the caller then calls Sync when it wants the data durable.
	// Close always syncs.
	NoSync bool
	// Timeout is how long Open waits for the file lock before failing with
	// ErrInUse. Zero means one second.
	Timeout time.Duration
}

// Store is a storage.MetaStore on one bbolt file. It is safe for concurrent use.
type Store struct {
	db     *bbolt.DB
	path   string
	noSync bool

	mu     sync.Mutex // guards queue, busy, closed
	queue  []*commit  // Apply calls waiting for the next group commit
	busy   bool       // a leader is committing; the queue waits for it
	closed bool
}

var _ storage.MetaStore = (*Store)(nil)

// Open opens or creates the store file at path, creating its directory if
// needed. If the file is locked by another process it fails with ErrInUse
// after opts.Timeout instead of waiting forever.
func Open(path string, opts Options) (*Store, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = time.Second
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("boltmeta: %w", err)
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: opts.Timeout, NoSync: opts.NoSync})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s is locked (waited %v)", ErrInUse, path, opts.Timeout)
	}
	if err != nil {
		return nil, fmt.Errorf("boltmeta: open %s: %w", path, err)
	}
	return &Store{db: db, path: path, noSync: opts.NoSync}, nil
}

// Path returns the file the store was opened on.
func (s *Store) Path() string { return s.path }

// mapErr turns bbolt's "not open" into storage.ErrClosed.
func mapErr(err error) error {
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return storage.ErrClosed
	}
	return err
}

// Get returns a copy of the value under key in bucket, or storage.ErrNotFound.
func (s *Store) Get(bucket, key string) ([]byte, error) {
	var val []byte
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			return storage.ErrNotFound
		}
		v := b.Get([]byte(key))
		if v == nil {
			return storage.ErrNotFound
		}
		val = append([]byte{}, v...)
		return nil
	})
	return val, mapErr(err)
}

// forEachPage is how many entries ForEach copies out of one read transaction.
const forEachPage = 256

// ForEach calls fn for each key in bucket that starts with prefix, in key
// order. Entries are copied out of a read transaction a page at a time and
// fn runs outside any transaction, so fn may call Apply on this store; each
// page is a consistent snapshot, the whole iteration is not. value is only
// valid during the call. An error from fn stops the iteration and is returned.
func (s *Store) ForEach(bucket, prefix string, fn func(key string, value []byte) error) error {
	type entry struct {
		key      string
		off, end int
	}
	var (
		page []entry
		vals []byte
		from = []byte(prefix)
		pre  = []byte(prefix)
	)
	for first := true; ; first = false {
		page, vals = page[:0], vals[:0]
		more := false
		err := s.db.View(func(tx *bbolt.Tx) error {
			b := tx.Bucket([]byte(bucket))
			if b == nil {
				return nil
			}
			c := b.Cursor()
			k, v := c.Seek(from)
			if !first && bytes.Equal(k, from) {
				k, v = c.Next()
			}
			for ; k != nil && bytes.HasPrefix(k, pre); k, v = c.Next() {
				if len(page) == forEachPage {
					more = true
					break
				}
				vals = append(vals, v...)
				page = append(page, entry{string(k), len(vals) - len(v), len(vals)})
			}
			return nil
		})
		if err != nil {
			return mapErr(err)
		}
		for _, e := range page {
			if err := fn(e.key, vals[e.off:e.end:e.end]); err != nil {
				return err
			}
		}
		if !more {
			return nil
		}
		from = []byte(page[len(page)-1].key)
	}
}

// DeleteBucket removes bucket and all its keys; a missing bucket is not an
// error. It does not wait for, or join, a group commit.
func (s *Store) DeleteBucket(bucket string) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		err := tx.DeleteBucket([]byte(bucket))
		if errors.Is(err, berrors.ErrBucketNotFound) {
			return nil
		}
		return err
	})
	return mapErr(err)
}

// Sync fsyncs the file, making every applied op durable under NoSync.
func (s *Store) Sync() error {
	if s.isClosed() {
		return storage.ErrClosed
	}
	if err := s.db.Sync(); err != nil {
		if s.isClosed() { // closed while syncing
			return storage.ErrClosed
		}
		return err
	}
	return nil
}

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Close syncs and closes the file. Apply calls still queued fail with
// storage.ErrClosed. Closing twice is not an error.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	var err error
	if s.noSync {
		err = s.db.Sync()
	}
	return errors.Join(err, s.db.Close())
}
