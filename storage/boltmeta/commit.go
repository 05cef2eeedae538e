// Apply and its group commit: concurrent Apply calls share one bbolt
// read-write transaction (and one fsync).
//
// bbolt's own db.Batch coalesces too, but it holds every call for
// MaxBatchDelay (10ms by default) before committing, so a lone Apply always
// waits 10ms. Here the first caller to find no commit running commits at
// once whatever is queued; callers arriving meanwhile queue up and the next
// of them commits them all as soon as the running commit ends. Batches grow
// with the commit time, and an idle store adds no delay.

package boltmeta

import (
	"errors"
	"fmt"

	"go.etcd.io/bbolt"

	"junction/storage"
)

// commit is one Apply call waiting in the queue.
type commit struct {
	ops  []storage.Op
	done chan error // buffered(1): the outcome, or errLead
}

// errLead tells a queued caller that it is now the leader and must commit
// the queue itself.
var errLead = errors.New("boltmeta: lead the next commit")

// Apply stores ops atomically: every Put (non-nil Value) and Delete (nil
// Value) lands, or none does. Buckets are created on the first Put into
// them; deleting from a missing bucket is a no-op. Concurrent calls are
// coalesced into one transaction; each returns once that transaction has
// committed (and been fsynced unless NoSync). An op with an empty bucket or
// key, or an oversized key or value, fails the call without storing anything.
func (s *Store) Apply(ops ...storage.Op) error {
	for _, op := range ops {
		if err := validate(op); err != nil {
			return err
		}
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return storage.ErrClosed
	}
	if len(ops) == 0 {
		s.mu.Unlock()
		return nil
	}
	c := &commit{ops: ops, done: make(chan error, 1)}
	s.queue = append(s.queue, c)
	lead := !s.busy
	s.busy = true
	s.mu.Unlock()
	if !lead {
		if err := <-c.done; err != errLead {
			return err // a leader committed c
		}
	}

	// Leader: commit everything queued so far, c included.
	s.mu.Lock()
	batch := s.queue
	s.queue = nil
	s.mu.Unlock()
	s.commitAll(batch)

	// Hand over to the first caller that queued meanwhile, or go idle.
	s.mu.Lock()
	if len(s.queue) > 0 {
		s.queue[0].done <- errLead
	} else {
		s.busy = false
	}
	s.mu.Unlock()
	return <-c.done
}

// commitAll applies every call in batch in one transaction and reports the
// outcome to each. If that transaction fails, each call is retried alone so
// that one call's failure is not charged to the others.
func (s *Store) commitAll(batch []*commit) {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		for _, c := range batch {
			if err := apply(tx, c.ops); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && len(batch) > 1 {
		for _, c := range batch {
			c.done <- mapErr(s.db.Update(func(tx *bbolt.Tx) error { return apply(tx, c.ops) }))
		}
		return
	}
	for _, c := range batch {
		c.done <- mapErr(err)
	}
}

// apply performs ops inside tx.
func apply(tx *bbolt.Tx, ops []storage.Op) error {
	for _, op := range ops {
		name := []byte(op.Bucket)
		if op.Value == nil {
			if b := tx.Bucket(name); b != nil {
				if err := b.Delete([]byte(op.Key)); err != nil {
					return err
				}
			}
			continue
		}
		b, err := tx.CreateBucketIfNotExists(name)
		if err != nil {
			return err
		}
		if err := b.Put([]byte(op.Key), op.Value); err != nil {
			return err
		}
	}
	return nil
}

// validate rejects what bbolt would refuse, before anything is queued.
func validate(op storage.Op) error {
	switch {
	case op.Bucket == "" || len(op.Bucket) > bbolt.MaxKeySize:
		return fmt.Errorf("boltmeta: invalid bucket name of %d bytes", len(op.Bucket))
	case op.Key == "" || len(op.Key) > bbolt.MaxKeySize:
		return fmt.Errorf("boltmeta: invalid key of %d bytes in bucket %q", len(op.Key), op.Bucket)
	case len(op.Value) > bbolt.MaxValueSize:
		return fmt.Errorf("boltmeta: value of %d bytes under %q/%q too large", len(op.Value), op.Bucket, op.Key)
	}
	return nil
}
