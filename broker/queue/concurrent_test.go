// Concurrency: many publishers and consumers at once (run with -race).
// Every message must be acknowledged exactly once, requeues included, and
// no consumer may ever exceed its prefetch or the shared limit.

package queue

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
	"testing"
)

func TestConcurrentPublishConsume(t *testing.T) {
	for _, durable := range []bool{false, true} {
		name := "transient"
		if durable {
			name = "durable"
		}
		t.Run(name, func(t *testing.T) { testConcurrent(t, durable) })
	}
}

func testConcurrent(t *testing.T, durable bool) {
	const (
		publishers = 4
		perPub     = 2000
		consumers  = 4
		prefetch   = 8
		limit      = 20
		total      = publishers * perPub
	)
	var q *Queue
	if durable {
		q = newDurableLogs(t).open(t, nil)
	} else {
		q = newQueue(t, nil)
	}
	shared := NewLimit(limit)
	var (
		acked       [total]atomic.Int32
		ackedN      atomic.Int64
		outstanding atomic.Int64 // across consumers, <= limit
		done        = make(chan struct{})
		wg          sync.WaitGroup
		errs        = make(chan string, 16)
	)
	fail := func(s string) {
		select {
		case errs <- s:
		default:
		}
	}
	for i := range consumers {
		c := consume(t, q, ConsumerOptions{Prefetch: prefetch, Shared: shared, Priority: i % 2})
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]Delivery, 0, 64)
			for {
				select {
				case <-c.Wake():
				case <-done:
					return
				}
				for {
					buf = c.Take(buf[:0], 64)
					if len(buf) == 0 {
						break
					}
					if len(buf) > prefetch {
						fail("took more than prefetch")
					}
					if n := outstanding.Add(int64(len(buf))); n > limit {
						fail("shared limit exceeded")
					}
					var ack, requeue []uint64
					for _, d := range buf {
						id := binary.BigEndian.Uint32(d.Msg.Body)
						// Requeue every 7th message once.
						if id%7 == 0 && !d.Redelivered {
							requeue = append(requeue, d.Tag)
							continue
						}
						if acked[id].Add(1) != 1 {
							fail("message acknowledged twice")
						}
						ack = append(ack, d.Tag)
					}
					outstanding.Add(-int64(len(buf)))
					q.Release(requeue...)
					q.Ack(ack...)
					if ackedN.Add(int64(len(ack))) == total {
						close(done)
					}
				}
			}
		}()
	}
	var pub sync.WaitGroup
	for p := range publishers {
		pub.Add(1)
		go func() {
			defer pub.Done()
			for i := range perPub {
				body := make([]byte, 4)
				binary.BigEndian.PutUint32(body, uint32(p*perPub+i))
				m := &Message{Body: body, Expiration: NoTTL, Persistent: i%2 == 0}
				if err := q.Publish(m); err != nil {
					fail(err.Error())
				}
			}
			if err := q.Sync(); err != nil {
				fail(err.Error())
			}
		}()
	}
	pub.Wait()
	select {
	case <-done:
	case s := <-errs:
		t.Fatal(s)
	}
	wg.Wait()
	select {
	case s := <-errs:
		t.Fatal(s)
	default:
	}
	for i := range acked {
		if n := acked[i].Load(); n != 1 {
			t.Fatalf("message %d acknowledged %d times", i, n)
		}
	}
	if q.Len() != 0 || q.Unacked() != 0 || shared.Used() != 0 {
		t.Fatalf("Len, Unacked, limit used = %d, %d, %d", q.Len(), q.Unacked(), shared.Used())
	}
}
