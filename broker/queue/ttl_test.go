// Tests of message TTL (queue and per-message, at the head and by timer)
// and of unused-queue expiry. Timer tests run in a testing/synctest bubble:
// time moves only when every goroutine waits, so they are exact and fast.

package queue

import (
	"testing"
	"testing/synctest"
	"time"
)

// recv waits for one dead letter (advancing the bubble's clock as needed)
// and checks it and the time it arrived.
func recv(t *testing.T, dl *deadLetters, start time.Time, want string, at time.Duration) {
	t.Helper()
	got := <-dl.ch
	if el := time.Since(start); got != want || el != at {
		t.Fatalf("dead letter %q after %v, want %q after %v", got, el, want, at)
	}
}

func TestTTLExpiresWithoutConsumers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dl := newDeadLetters()
		q := newQueue(t, func(c *Config) { c.MessageTTL = 100; c.DeadLetter = dl.fn })
		start := time.Now()
		publish(t, q, "a", "b")
		time.Sleep(50 * time.Millisecond)
		publish(t, q, "c")
		m := msg("d")
		m.Expiration = 20 // lower than the queue's TTL: applies
		if err := q.Publish(m); err != nil {
			t.Fatal(err)
		}
		// d sits behind c; it leaves when it reaches the head (RabbitMQ).
		recv(t, dl, start, "a:expired", 101*time.Millisecond)
		recv(t, dl, start, "b:expired", 101*time.Millisecond)
		recv(t, dl, start, "c:expired", 151*time.Millisecond)
		recv(t, dl, start, "d:expired", 151*time.Millisecond)
		if q.Len() != 0 {
			t.Fatalf("Len = %d after expiry", q.Len())
		}
	})
}

func TestPerMessageTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dl := newDeadLetters()
		q := newQueue(t, func(c *Config) { c.DeadLetter = dl.fn }) // no queue TTL
		start := time.Now()
		for _, e := range []struct {
			body string
			ttl  int64
		}{{"long", 300}, {"none", NoTTL}, {"short", 100}} {
			m := msg(e.body)
			m.Expiration = e.ttl
			if err := q.Publish(m); err != nil {
				t.Fatal(err)
			}
		}
		recv(t, dl, start, "long:expired", 301*time.Millisecond)
		time.Sleep(time.Second)
		// "short" expired but waits behind "none"; it is never delivered.
		if q.Len() != 2 {
			t.Fatalf("Len = %d, want 2", q.Len())
		}
		c := consume(t, q, ConsumerOptions{})
		takeWant(t, c, 10, "none")
		want(t, "dead letters", dl.list(), []string{"long:expired", "short:expired"})
	})
}

func TestTTLCheckedOnDelivery(t *testing.T) {
	clk := newClock()
	dl := newDeadLetters()
	// A fake clock: the (real-time) TTL timer never fires during the test,
	// so removal must happen when the messages reach the head.
	q := newQueue(t, func(c *Config) { c.MessageTTL = 60_000; c.DeadLetter = dl.fn; c.Now = clk.now })
	publish(t, q, "old1", "old2")
	clk.advance(30_000)
	publish(t, q, "new")
	clk.advance(30_000)
	c := consume(t, q, ConsumerOptions{Prefetch: 1})
	ds := takeWant(t, c, 10, "old1") // exactly 60 s old: still deliverable
	clk.advance(1)
	q.Release(ds[0].Tag) // requeued keeps its original expiry
	if _, ok := q.Get(true); !ok {
		t.Fatal("Get found nothing, want new")
	}
	want(t, "dead letters", dl.list(), []string{"old1:expired", "old2:expired"})
	clk.advance(30_000)
	publish(t, q, "x")
	clk.advance(60_001)
	takeWant(t, c, 10)
	want(t, "dead letters", dl.list(), []string{"old1:expired", "old2:expired", "x:expired"})
}

func TestZeroTTL(t *testing.T) {
	clk := newClock()
	dl := newDeadLetters()
	q := newQueue(t, func(c *Config) { c.MessageTTL = 0; c.DeadLetter = dl.fn; c.Now = clk.now })
	publish(t, q, "nobody")
	want(t, "dead letters", dl.list(), []string{"nobody:expired"})
	if q.Len() != 0 {
		t.Fatalf("Len = %d, want 0", q.Len())
	}
	c := consume(t, q, ConsumerOptions{Prefetch: 1})
	publish(t, q, "taken")
	takeWant(t, c, 10, "taken")
	publish(t, q, "no-credit")
	want(t, "dead letters", dl.list(), []string{"nobody:expired", "no-credit:expired"})
}

func TestQueueExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		expired := make(chan time.Duration, 1)
		start := time.Now()
		q := newQueue(t, func(c *Config) {
			c.Expires = 1000
			c.OnExpire = func() { expired <- time.Since(start) }
		})
		time.Sleep(600 * time.Millisecond)
		q.Touch() // redeclare
		time.Sleep(600 * time.Millisecond)
		q.Get(false) // basic.get counts as use
		time.Sleep(600 * time.Millisecond)
		c := consume(t, q, ConsumerOptions{})
		time.Sleep(10 * time.Second) // a consumer keeps it alive
		synctest.Wait()
		select {
		case el := <-expired:
			t.Fatalf("expired after %v while in use", el)
		default:
		}
		c.Cancel() // unused from now: t = 11.8 s
		publish(t, q, "m")
		if el := <-expired; el != 12800*time.Millisecond {
			t.Fatalf("expired after %v, want 12.8s", el)
		}
		if err := q.Publish(msg("late")); err != ErrDeleted {
			t.Fatalf("Publish after expiry: %v, want ErrDeleted", err)
		}
		if q.Len() != 0 {
			t.Fatalf("Len = %d", q.Len())
		}
	})
}
