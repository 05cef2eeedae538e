// Command push-vs-pull consumes the same N messages through four delivery
// models on one Junction broker and prints, per model, how many arrived and
// when the first and last arrived (relative to the start of publishing):
//
//   - push, Redis Pub/Sub: SUBSCRIBE to channel C
//   - push, AMQP: a queue bound to amq.topic with routing key C (Junction
//     bridges Redis PUBLISH to amq.topic)
//   - pull, Redis Streams: an XREAD BLOCK loop on stream key S
//   - pull, Kafka: a franz-go consumer on topic S (the same log as the key)
//
// The producer PUBLISHes each message to C and XADDs it to S (pipelined).
// Every model must see all N messages, in order.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func suffix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func main() {
	redisAddr := flag.String("redis-addr", env("JUNCTION_REDIS_ADDR", "127.0.0.1:6379"), "Redis address (host:port)")
	amqpAddr := flag.String("amqp-addr", env("JUNCTION_AMQP_ADDR", "127.0.0.1:5672"), "AMQP address (host:port)")
	kafkaAddr := flag.String("kafka-addr", env("JUNCTION_KAFKA_ADDR", "127.0.0.1:9092"), "Kafka bootstrap address (host:port)")
	n := flag.Int("n", 10000, "number of messages")
	timeout := flag.Duration("timeout", 60*time.Second, "overall timeout")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, *redisAddr, *amqpAddr, *kafkaAddr, *n); err != nil {
		fmt.Fprintln(os.Stderr, "push-vs-pull: FAIL:", err)
		os.Exit(1)
	}
}

// tally records the arrivals of one model.
type tally struct {
	name        string
	n           int
	mu          sync.Mutex
	count       int
	outOfOrder  int
	first, last time.Time
	err         error
	done        chan struct{}
}

func newTally(name string, n int) *tally { return &tally{name: name, n: n, done: make(chan struct{})} }

// got records message payload p; it reports whether all n have arrived.
func (t *tally) got(p string) bool {
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.count == 0 {
		t.first = now
	}
	t.last = now
	if p != strconv.Itoa(t.count) {
		t.outOfOrder++
	}
	t.count++
	if t.count == t.n {
		close(t.done)
		return true
	}
	return false
}

func (t *tally) fail(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err == nil && t.count < t.n {
		t.err = err
		close(t.done)
	}
}

func run(ctx context.Context, redisAddr, amqpAddr, kafkaAddr string, n int) error {
	sfx := suffix()
	channel, stream := "ticks."+sfx, "ticks-"+sfx
	models := []*tally{
		newTally("push  redis pubsub (SUBSCRIBE)", n),
		newTally("push  amqp (amq.topic queue)", n),
		newTally("pull  redis XREAD BLOCK", n),
		newTally("pull  kafka (franz-go)", n),
	}
	cctx, stop := context.WithCancel(ctx)
	defer stop()

	rdb := redis.NewClient(&redis.Options{Addr: redisAddr, PoolSize: 4})
	defer rdb.Close()

	// The log both pull models read: one partition, created up front.
	kc, err := kgo.NewClient(kgo.SeedBrokers(kafkaAddr), kgo.ConsumeTopics(stream),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(100*time.Millisecond))
	if err != nil {
		return err
	}
	defer kc.Close()
	adm := kadm.NewClient(kc)
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, stream); err != nil {
		return fmt.Errorf("create topic: %w", err)
	}
	defer adm.DeleteTopics(context.Background(), stream)

	// 1. Redis Pub/Sub subscriber.
	sub := rdb.Subscribe(ctx, channel)
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil { // the subscribe confirmation
		return fmt.Errorf("SUBSCRIBE: %w", err)
	}
	go func() {
		t := models[0]
		ch := sub.Channel(redis.WithChannelSize(n + 1))
		for {
			select {
			case m, ok := <-ch:
				if !ok {
					t.fail(fmt.Errorf("subscription closed"))
					return
				}
				if t.got(m.Payload) {
					return
				}
			case <-cctx.Done():
				return
			}
		}
	}()

	// 2. AMQP consumer on an exclusive queue bound to amq.topic.
	conn, err := amqp.Dial("amqp://guest:guest@" + amqpAddr + "/")
	if err != nil {
		return fmt.Errorf("amqp dial: %w", err)
	}
	defer conn.Close()
	ach, err := conn.Channel()
	if err != nil {
		return err
	}
	q, err := ach.QueueDeclare("", false, true, true, false, nil)
	if err != nil {
		return fmt.Errorf("amqp declare: %w", err)
	}
	if err := ach.QueueBind(q.Name, channel, "amq.topic", false, nil); err != nil {
		return fmt.Errorf("amqp bind: %w", err)
	}
	if err := ach.Qos(500, 0, false); err != nil {
		return fmt.Errorf("amqp qos: %w", err)
	}
	deliveries, err := ach.Consume(q.Name, "", false, true, false, false, nil)
	if err != nil {
		return fmt.Errorf("amqp consume: %w", err)
	}
	go func() {
		t := models[1]
		for d := range deliveries {
			all := t.got(string(d.Body))
			d.Ack(false)
			if all {
				return
			}
		}
		t.fail(fmt.Errorf("amqp deliveries closed"))
	}()

	// 3. XREAD BLOCK loop (its own connection: BLOCK holds it).
	xr := redis.NewClient(&redis.Options{Addr: redisAddr, PoolSize: 1})
	defer xr.Close()
	go func() {
		t := models[2]
		last := "0-0"
		for {
			res, err := xr.XRead(cctx, &redis.XReadArgs{Streams: []string{stream, last}, Count: 1000, Block: 5 * time.Second}).Result()
			if err == redis.Nil {
				continue
			}
			if err != nil {
				t.fail(fmt.Errorf("XREAD: %w", err))
				return
			}
			for _, m := range res[0].Messages {
				last = m.ID
				v, _ := m.Values["n"].(string)
				if t.got(v) {
					return
				}
			}
		}
	}()

	// 4. Kafka consumer.
	go func() {
		t := models[3]
		for {
			fs := kc.PollFetches(cctx)
			if cctx.Err() != nil {
				return
			}
			var ferr error
			fs.EachError(func(_ string, _ int32, err error) { ferr = err })
			if ferr != nil {
				t.fail(fmt.Errorf("kafka fetch: %w", ferr))
				return
			}
			all := false
			fs.EachRecord(func(r *kgo.Record) { all = all || t.got(string(r.Value)) })
			if all {
				return
			}
		}
	}()

	// Let the Kafka consumer join and start fetching before publishing:
	// a first poll with nothing to read yet.
	time.Sleep(300 * time.Millisecond)

	// Produce: each message is PUBLISHed to the channel and XADDed to the stream.
	pubConn := redis.NewClient(&redis.Options{Addr: redisAddr, PoolSize: 1})
	defer pubConn.Close()
	start := time.Now()
	const batch = 500
	for from := 0; from < n; from += batch {
		pipe := pubConn.Pipeline()
		for i := from; i < min(from+batch, n); i++ {
			p := strconv.Itoa(i)
			pipe.Publish(ctx, channel, p)
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: []any{"n", p}})
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("publish pipeline: %w", err)
		}
	}
	published := time.Since(start)
	fmt.Printf("published %d messages to channel %s and stream %s in %v\n", n, channel, stream, published.Round(time.Millisecond))

	for _, t := range models {
		select {
		case <-t.done:
		case <-ctx.Done():
		}
	}
	stop()

	var failed []string
	fmt.Printf("%-32s %8s %12s %12s %10s\n", "model", "count", "first", "last", "msg/s")
	for _, t := range models {
		t.mu.Lock()
		first, last := "-", "-"
		rate := 0.0
		if t.count > 0 {
			first = t.first.Sub(start).Round(time.Microsecond).String()
			last = t.last.Sub(start).Round(time.Microsecond).String()
			rate = float64(t.count) / t.last.Sub(start).Seconds()
		}
		fmt.Printf("%-32s %8d %12s %12s %10.0f\n", t.name, t.count, first, last, rate)
		switch {
		case t.err != nil:
			failed = append(failed, fmt.Sprintf("%s: %v", t.name, t.err))
		case t.count != n:
			failed = append(failed, fmt.Sprintf("%s: %d of %d messages", t.name, t.count, n))
		case t.outOfOrder != 0:
			failed = append(failed, fmt.Sprintf("%s: %d messages out of order", t.name, t.outOfOrder))
		}
		t.mu.Unlock()
	}
	if len(failed) > 0 {
		return fmt.Errorf("%v", failed)
	}
	fmt.Printf("OK: all 4 models received all %d messages in order\n", n)
	return nil
}
