// Tests of max-length / max-bytes overflow policies and message priorities.

package queue

import (
	"errors"
	"strings"
	"testing"
)

func TestMaxLengthDropHead(t *testing.T) {
	dl := newDeadLetters()
	q := newQueue(t, func(c *Config) { c.MaxLength = 3; c.DeadLetter = dl.fn })
	publish(t, q, "1", "2", "3", "4", "5")
	want(t, "dead letters", dl.list(), []string{"1:maxlen", "2:maxlen"})
	c := consume(t, q, ConsumerOptions{})
	ds := takeWant(t, c, 2, "3", "4")
	// Unacknowledged messages do not count.
	publish(t, q, "6", "7")
	want(t, "dead letters", dl.list(), []string{"1:maxlen", "2:maxlen"})
	// Requeued messages do count: the head (oldest) is dropped.
	q.Release(tags(ds)...)
	want(t, "dead letters", dl.list(), []string{"1:maxlen", "2:maxlen", "3:maxlen", "4:maxlen"})
	takeWant(t, c, 10, "5", "6", "7")
}

func TestMaxBytesDropHead(t *testing.T) {
	dl := newDeadLetters()
	q := newQueue(t, func(c *Config) { c.MaxBytes = 10; c.DeadLetter = dl.fn })
	publish(t, q, "aaaa", "bbbb", "cc")
	publish(t, q, "dddd") // 14 bytes: drop aaaa
	if q.Bytes() != 10 {
		t.Fatalf("Bytes = %d, want 10", q.Bytes())
	}
	publish(t, q, strings.Repeat("x", 11)) // bigger than the limit: everything goes
	want(t, "dead letters", dl.list(), []string{"aaaa:maxlen", "bbbb:maxlen", "cc:maxlen", "dddd:maxlen", "xxxxxxxxxxx:maxlen"})
}

func TestRejectPublish(t *testing.T) {
	for _, o := range []Overflow{RejectPublish, RejectPublishDLX} {
		t.Run(o.String(), func(t *testing.T) {
			dl := newDeadLetters()
			q := newQueue(t, func(c *Config) { c.MaxLength = 2; c.MaxBytes = 8; c.Overflow = o; c.DeadLetter = dl.fn })
			publish(t, q, "1", "2")
			if err := q.Publish(msg("3")); !errors.Is(err, ErrRejected) {
				t.Fatalf("Publish over max-length: %v, want ErrRejected", err)
			}
			c := consume(t, q, ConsumerOptions{})
			ds := takeWant(t, c, 1, "1")
			if err := q.Publish(msg("123456789")); !errors.Is(err, ErrRejected) {
				t.Fatalf("Publish over max-bytes: %v, want ErrRejected", err)
			}
			publish(t, q, "4")
			q.Ack(ds[0].Tag)
			takeWant(t, c, 10, "2", "4")
			var wantDL []string
			if o == RejectPublishDLX {
				wantDL = []string{"3:maxlen", "123456789:maxlen"}
			}
			want(t, "dead letters", dl.list(), wantDL)
		})
	}
}

func TestPriorities(t *testing.T) {
	q := newQueue(t, func(c *Config) { c.MaxPriority = 5 })
	for _, e := range []struct {
		body string
		prio uint8
	}{{"a0", 0}, {"b5", 5}, {"c3", 3}, {"d9", 9}, {"e0", 0}, {"f3", 3}, {"g255", 255}} {
		m := msg(e.body)
		m.Priority = e.prio
		if err := q.Publish(m); err != nil {
			t.Fatal(err)
		}
	}
	c := consume(t, q, ConsumerOptions{})
	ds := takeWant(t, c, 3, "b5", "d9", "g255") // above max counts as max, FIFO within
	q.Release(ds[1].Tag)
	takeWant(t, c, 10, "d9", "c3", "f3", "a0", "e0")

	// Without MaxPriority, priorities are ignored.
	q2 := newQueue(t, nil)
	for _, p := range []uint8{0, 9, 3} {
		m := msg(string(rune('0' + p)))
		m.Priority = p
		q2.Publish(m)
	}
	takeWant(t, consume(t, q2, ConsumerOptions{}), 10, "0", "9", "3")
}
