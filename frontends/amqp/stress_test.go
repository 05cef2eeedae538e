package amqp

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"
)

// TestStressNoLoss runs publishers with confirms and consumers that ack,
// nack-requeue and get dropped, and checks every message is acked once at
// least and nothing is left over.
func TestStressNoLoss(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	setup := e.channel(t)
	declare(t, setup, "stress", nil)
	const publishers, perPublisher = 3, 600
	total := publishers * perPublisher

	var mu sync.Mutex
	acked := map[string]int{}
	done := make(chan struct{})
	var doneOnce sync.Once
	record := func(body string) {
		mu.Lock()
		acked[body]++
		n := len(acked)
		mu.Unlock()
		if n == total {
			doneOnce.Do(func() { close(done) })
		}
	}

	// Consumers: two steady ones, one that is dropped after a while.
	consumer := func(seed uint64, prefetch int, dropAfter int) {
		c, err := amqp.Dial(e.url)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		ch, _ := c.Channel()
		ch.Qos(prefetch, 0, false)
		ds, err := ch.Consume("stress", "", false, false, false, false, nil)
		if err != nil {
			t.Error(err)
			return
		}
		rng := rand.New(rand.NewPCG(seed, seed))
		n := 0
		var pending []string // unacked bodies a later multiple ack covers
		for {
			select {
			case d, ok := <-ds:
				if !ok {
					return
				}
				n++
				if dropAfter > 0 && n == dropAfter {
					return // unacked messages must go back to the queue
				}
				switch {
				case rng.IntN(10) == 0 && len(pending) == 0:
					d.Nack(false, true)
				case rng.IntN(3) == 0 && len(ds) > 0:
					// Leave it for a later multiple ack (there is a later
					// delivery buffered already).
					pending = append(pending, string(d.Body))
				default:
					d.Ack(true)
					record(string(d.Body))
					for _, b := range pending {
						record(b)
					}
					pending = pending[:0]
				}
			case <-done:
				return
			}
		}
	}
	var wg sync.WaitGroup
	for i, cfg := range []struct{ prefetch, drop int }{{10, 0}, {50, 0}, {20, 150}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			consumer(uint64(i+1), cfg.prefetch, cfg.drop)
		}()
	}
	for p := range publishers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch := e.channel(t)
			confirmed := ch.NotifyPublish(make(chan amqp.Confirmation, perPublisher))
			ch.Confirm(false)
			for i := range perPublisher {
				publishMsg(t, ch, "", "stress", amqp.Publishing{Body: []byte(fmt.Sprintf("p%d-%d", p, i))})
			}
			for range perPublisher {
				if c := <-confirmed; !c.Ack {
					t.Error("nack")
				}
			}
		}()
	}
	select {
	case <-done:
	case <-timeAfter():
		mu.Lock()
		q := e.b.Queue("stress")
		t.Errorf("only %d of %d messages acked; queue: %d ready, %d unacked, %d consumers",
			len(acked), total, q.Len(), q.Unacked(), q.ConsumerCount())
		mu.Unlock()
		doneOnce.Do(func() { close(done) })
	}
	wg.Wait()
}
