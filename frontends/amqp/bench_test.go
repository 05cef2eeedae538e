package amqp

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"junction/broker"
	"junction/broker/brokertest"
)

// counter counts events and lets a waiter block until a target count.
type counter struct {
	n, target atomic.Int64
	done      chan struct{}
	once      sync.Once
}

func newCounter() *counter {
	c := &counter{done: make(chan struct{})}
	c.target.Store(math.MaxInt64)
	return c
}

func (c *counter) add() {
	if c.n.Add(1) >= c.target.Load() {
		c.once.Do(func() { close(c.done) })
	}
}

func (c *counter) wait(target int64) {
	c.target.Store(target)
	if c.n.Load() >= target {
		c.once.Do(func() { close(c.done) })
	}
	<-c.done
}

// BenchmarkPubSub: one publisher and one consumer (manual acks, one per
// message, prefetch 100) through the in-process server with amqp091-go;
// msgs/s counts until the last message is acked (and confirmed).
func BenchmarkPubSub(b *testing.B) {
	const size = 1024
	for _, durable := range []bool{false, true} {
		name := "queue=transient/confirms=no"
		if durable {
			name = "queue=durable/persistent/confirms=yes/fsync=interval"
		}
		b.Run(fmt.Sprintf("msg=%dB/%s/prefetch=100", size, name), func(b *testing.B) {
			stores := brokertest.Memory(b)
			if durable {
				stores = brokertest.Files(b)
			}
			e := newEnv(b, withStores(stores), withBroker(func(c *broker.Config) { c.Fsync = broker.FsyncInterval }))
			pub, sub := openChannel(b, e.dial(b)), openChannel(b, e.dial(b))
			if _, err := pub.QueueDeclare("bench", durable, false, false, false, nil); err != nil {
				b.Fatal(err)
			}
			if err := sub.Qos(100, 0, false); err != nil {
				b.Fatal(err)
			}
			ds, err := sub.Consume("bench", "", false, false, false, false, nil)
			if err != nil {
				b.Fatal(err)
			}
			consumed := newCounter()
			go func() {
				for d := range ds {
					d.Ack(false)
					consumed.add()
				}
			}()
			confirmed := newCounter()
			inflight := make(chan struct{}, 1000) // bounds unconfirmed publishes
			if durable {
				confirms := pub.NotifyPublish(make(chan amqp.Confirmation, 1000))
				if err := pub.Confirm(false); err != nil {
					b.Fatal(err)
				}
				go func() {
					for c := range confirms {
						if !c.Ack {
							b.Error("nack")
						}
						<-inflight
						confirmed.add()
					}
				}()
			}
			msg := amqp.Publishing{Body: make([]byte, size)}
			if durable {
				msg.DeliveryMode = amqp.Persistent
			}
			ctx := context.Background()
			var published int64
			b.SetBytes(size)
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				if durable {
					inflight <- struct{}{}
				}
				if err := pub.PublishWithContext(ctx, "", "bench", false, false, msg); err != nil {
					b.Fatal(err)
				}
				published++
			}
			consumed.wait(published)
			if durable {
				confirmed.wait(published)
			}
			b.ReportMetric(float64(published)/time.Since(start).Seconds(), "msgs/s")
		})
	}
}
