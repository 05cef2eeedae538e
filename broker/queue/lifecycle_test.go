// Tests of Delete (if-unused, if-empty, consumer cancellation), Purge,
// Close and config validation.

package queue

import (
	"errors"
	"testing"
)

func TestDelete(t *testing.T) {
	q := newQueue(t, nil)
	publish(t, q, "1", "2", "3")
	c1 := consume(t, q, ConsumerOptions{Tag: "c1", Prefetch: 1})
	c2 := consume(t, q, ConsumerOptions{Tag: "c2"})
	takeWant(t, c1, 10, "1")
	if _, err := q.Delete(true, false); !errors.Is(err, ErrInUse) {
		t.Fatalf("Delete(ifUnused) = %v, want ErrInUse", err)
	}
	if _, err := q.Delete(false, true); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("Delete(ifEmpty) = %v, want ErrNotEmpty", err)
	}
	n, err := q.Delete(false, false)
	if err != nil || n != 2 {
		t.Fatalf("Delete = %d, %v; want 2, nil", n, err)
	}
	for _, c := range []*Consumer{c1, c2} {
		select {
		case <-c.Cancelled():
		default:
			t.Fatalf("%s: Cancelled not closed", c.Tag())
		}
		if !errors.Is(c.Err(), ErrDeleted) {
			t.Fatalf("%s: Err = %v, want ErrDeleted", c.Tag(), c.Err())
		}
		takeWant(t, c, 10)
	}
	if err := q.Publish(msg("x")); !errors.Is(err, ErrDeleted) {
		t.Fatalf("Publish = %v, want ErrDeleted", err)
	}
	if _, err := q.Consume(ConsumerOptions{}); !errors.Is(err, ErrDeleted) {
		t.Fatalf("Consume = %v, want ErrDeleted", err)
	}
	if _, err := q.Delete(false, false); !errors.Is(err, ErrDeleted) {
		t.Fatalf("second Delete = %v, want ErrDeleted", err)
	}
	q.Ack(1, 2, 3) // no-op
}

func TestDeleteIfUnusedAndEmpty(t *testing.T) {
	q := newQueue(t, nil)
	c := consume(t, q, ConsumerOptions{})
	publish(t, q, "1")
	ds := takeWant(t, c, 1, "1")
	c.Cancel()
	// Unacknowledged messages make it neither used nor non-empty.
	if n, err := q.Delete(true, true); err != nil || n != 0 {
		t.Fatalf("Delete = %d, %v", n, err)
	}
	q.Release(tags(ds)...)
}

func TestPurge(t *testing.T) {
	q := newQueue(t, nil)
	publish(t, q, "1", "2", "3", "4", "5")
	c := consume(t, q, ConsumerOptions{})
	ds := takeWant(t, c, 2, "1", "2")
	if n := q.Purge(); n != 3 {
		t.Fatalf("Purge = %d, want 3", n)
	}
	if q.Len() != 0 || q.Unacked() != 2 {
		t.Fatalf("Len, Unacked = %d, %d; want 0, 2", q.Len(), q.Unacked())
	}
	q.Release(tags(ds)...)
	takeWant(t, c, 10, "1", "2")
}

func TestClose(t *testing.T) {
	q := newQueue(t, nil)
	c := consume(t, q, ConsumerOptions{})
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	<-c.Cancelled()
	if !errors.Is(c.Err(), ErrClosed) {
		t.Fatalf("Err = %v, want ErrClosed", c.Err())
	}
	if err := q.Publish(msg("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Publish = %v, want ErrClosed", err)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestInvalidConfig(t *testing.T) {
	for _, cfg := range []Config{
		{MaxLength: -1},
		{MessageTTL: -2},
		{Overflow: 9},
		{Durable: true},
	} {
		if _, err := New(cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("New(%+v) = %v, want ErrInvalidConfig", cfg, err)
		}
	}
}
