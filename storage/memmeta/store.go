// Package memmeta implements storage.MetaStore in memory: per bucket, a map
// of values plus the keys kept sorted for ForEach. Nothing is durable; a new
// Store starts empty.
package memmeta

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"junction/storage"
)

// Store is an in-memory storage.MetaStore. It is safe for concurrent use.
type Store struct {
	mu      sync.RWMutex // guards buckets and closed
	buckets map[string]*bucket
	closed  bool
}

// bucket holds one bucket's values. Stored values are private copies that
// are never modified, so ForEach can hand them out without copying.
type bucket struct {
	vals map[string][]byte
	keys []string // the keys of vals, sorted
}

var _ storage.MetaStore = (*Store)(nil)

// New returns an empty Store.
func New() *Store {
	return &Store{buckets: make(map[string]*bucket)}
}

// Get returns a copy of the value under key in bucket, or storage.ErrNotFound.
func (s *Store) Get(bucket, key string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, storage.ErrClosed
	}
	b := s.buckets[bucket]
	if b == nil {
		return nil, storage.ErrNotFound
	}
	v, ok := b.vals[key]
	if !ok {
		return nil, storage.ErrNotFound
	}
	return append([]byte{}, v...), nil
}

// Apply stores ops atomically: every Put (non-nil Value) and Delete (nil
// Value) lands, or none does. Values are copied. An op with an empty bucket
// or key fails the call without storing anything.
func (s *Store) Apply(ops ...storage.Op) error {
	for _, op := range ops {
		if op.Bucket == "" || op.Key == "" {
			return fmt.Errorf("memmeta: empty bucket or key (%q/%q)", op.Bucket, op.Key)
		}
	}
	vals := make([][]byte, len(ops))
	for i, op := range ops {
		if op.Value != nil {
			vals[i] = append([]byte{}, op.Value...)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return storage.ErrClosed
	}
	for i, op := range ops {
		b := s.buckets[op.Bucket]
		if vals[i] == nil {
			if b != nil {
				b.del(op.Key)
			}
			continue
		}
		if b == nil {
			b = &bucket{vals: make(map[string][]byte)}
			s.buckets[op.Bucket] = b
		}
		b.put(op.Key, vals[i])
	}
	return nil
}

func (b *bucket) put(key string, v []byte) {
	if _, ok := b.vals[key]; !ok {
		i, _ := slices.BinarySearch(b.keys, key)
		b.keys = slices.Insert(b.keys, i, key)
	}
	b.vals[key] = v
}

func (b *bucket) del(key string) {
	if _, ok := b.vals[key]; !ok {
		return
	}
	delete(b.vals, key)
	i, _ := slices.BinarySearch(b.keys, key)
	b.keys = slices.Delete(b.keys, i, i+1)
}

// forEachPage is how many entries ForEach collects under one read lock.
const forEachPage = 256

// ForEach calls fn for each key in bucket that starts with prefix, in key
// order. Entries are collected a page at a time under the read lock and fn
// runs without it, so fn may call Apply on this store; each page is a
// consistent snapshot, the whole iteration is not. value must not be
// modified and is only valid during the call. An error from fn stops the
// iteration and is returned.
func (s *Store) ForEach(bucket, prefix string, fn func(key string, value []byte) error) error {
	type entry struct {
		key string
		val []byte
	}
	var page []entry
	from, first := prefix, true
	for {
		page = page[:0]
		more := false
		s.mu.RLock()
		if s.closed {
			s.mu.RUnlock()
			return storage.ErrClosed
		}
		if b := s.buckets[bucket]; b != nil {
			i, found := slices.BinarySearch(b.keys, from)
			if found && !first {
				i++
			}
			for ; i < len(b.keys) && strings.HasPrefix(b.keys[i], prefix); i++ {
				if len(page) == forEachPage {
					more = true
					break
				}
				page = append(page, entry{b.keys[i], b.vals[b.keys[i]]})
			}
		}
		s.mu.RUnlock()
		for _, e := range page {
			if err := fn(e.key, e.val); err != nil {
				return err
			}
		}
		if !more {
			return nil
		}
		from, first = page[len(page)-1].key, false
	}
}

// DeleteBucket removes bucket and all its keys; a missing bucket is not an error.
func (s *Store) DeleteBucket(bucket string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return storage.ErrClosed
	}
	delete(s.buckets, bucket)
	return nil
}

// Sync is a no-op: nothing in memory is durable. It fails only after Close.
func (s *Store) Sync() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return storage.ErrClosed
	}
	return nil
}

// Close discards the data; later calls fail with storage.ErrClosed. Closing
// twice is not an error.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.buckets = nil
	return nil
}
