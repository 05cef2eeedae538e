// The driver contract every delivery model implements, the registry of
// models, and the sink receivers hand their messages to.
package bench

import (
	"context"
	"encoding/binary"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// driver runs one model against one broker. The runner calls open, then
// subscribe once per receiver (concurrently), then publish from a single
// goroutine, flush, and finally close, whatever happened before.
type driver interface {
	// open connects the publisher and creates the run's resources (stream
	// key, queues, exchange, topic). An error means the model is skipped.
	open(ctx context.Context) error
	// subscribe starts receiver i, which hands every message to s from one
	// goroutine of its own. It returns once every later publish will reach
	// the receiver.
	subscribe(ctx context.Context, i int, s *sink) error
	// publish sends one message; payload is not used after the call. acked
	// is called exactly once: when the broker acknowledged the message, or
	// at once for models without acknowledgements.
	publish(ctx context.Context, payload []byte, acked func(error)) error
	// flush waits until every acked callback has run.
	flush(ctx context.Context) error
	// close stops the receivers (and waits for their goroutines), deletes
	// what open created and closes every connection.
	close(ctx context.Context) error
}

// modelSpec describes one model.
type modelSpec struct {
	name  string
	desc  string // how messages travel, for reports; see describe
	proto string // redis, amqp or kafka: which address it uses
	new   func(c *config, dial dialFunc, id string) driver
}

// modelOrder lists the models in report order.
var modelOrder = []string{"pubsub", "amqp", "xread", "kafka", "poll", "redis-xadd", "redis-publish"}

var modelSpecs = map[string]*modelSpec{
	"pubsub": {name: "pubsub", desc: "Redis Pub/Sub (push)", proto: "redis",
		new: func(c *config, d dialFunc, id string) driver { return newRedisDriver(c, d, id, redisPubSub) }},
	"xread": {name: "xread", desc: "Redis XREAD BLOCK (pull, long poll)", proto: "redis",
		new: func(c *config, d dialFunc, id string) driver { return newRedisDriver(c, d, id, redisXRead) }},
	"poll": {name: "poll", desc: "XREAD without BLOCK every T (pull, polling)", proto: "redis",
		new: func(c *config, d dialFunc, id string) driver { return newRedisDriver(c, d, id, redisPoll) }},
	"redis-xadd": {name: "redis-xadd", desc: "Redis XADD (reply per message)", proto: "redis",
		new: func(c *config, d dialFunc, id string) driver { return newRedisDriver(c, d, id, redisXRead) }},
	"redis-publish": {name: "redis-publish", desc: "Redis PUBLISH (reply per message)", proto: "redis",
		new: func(c *config, d dialFunc, id string) driver { return newRedisDriver(c, d, id, redisPubSub) }},
	"amqp": {name: "amqp", desc: "AMQP basic.consume (push, prefetch N)", proto: "amqp",
		new: func(c *config, d dialFunc, id string) driver { return newAMQPDriver(c, d, id) }},
	"kafka": {name: "kafka", desc: "Kafka Fetch (pull, long poll up to T)", proto: "kafka",
		new: func(c *config, d dialFunc, id string) driver { return newKafkaDriver(c, d, id) }},
}

// describe is spec.desc with this run's prefetch, wait and interval; in
// the publish workload it names what amqp and kafka publish with. The amqp
// model names its durability and confirm settings when they differ from
// the workload's default.
func describe(spec *modelSpec, c *config) string {
	if !c.workload.receive {
		switch spec.name {
		case "amqp":
			if !c.amqpConfirm {
				return "AMQP basic.publish (no confirms" + amqpMode(c) + ")"
			}
			return "AMQP basic.publish (publisher confirms" + amqpMode(c) + ")"
		case "kafka":
			return "Kafka Produce (acks=all, linger 0)"
		}
	}
	switch spec.name {
	case "amqp":
		d := strings.Replace(spec.desc, "N", strconv.Itoa(c.prefetch), 1)
		if c.amqpConfirm {
			d = strings.TrimSuffix(d, ")") + ", publisher confirms" + amqpMode(c) + ")"
		} else if c.amqpDurable {
			d = strings.TrimSuffix(d, ")") + amqpMode(c) + ")"
		}
		return d
	case "kafka":
		return strings.Replace(spec.desc, "T", c.kafkaMaxWait.String(), 1)
	case "poll":
		return strings.Replace(spec.desc, "T", c.pollInterval.String(), 1)
	}
	return spec.desc
}

// amqpMode is ", window W" under confirms and ", durable, persistent"
// with --amqp-durable.
func amqpMode(c *config) string {
	var s string
	if c.amqpConfirm && c.amqpInflight > 0 {
		s += ", window " + strconv.Itoa(c.amqpInflight)
	}
	if c.amqpDurable {
		s += ", durable, persistent"
	}
	return s
}

// sink is where one receiver delivers. Its histogram belongs to the
// receiver's goroutine until the driver's close returns.
type sink struct {
	epoch    time.Time
	hist     *Histogram
	received *atomic.Int64 // shared by the model's receivers
	last     *atomic.Int64 // ns since epoch of the latest receipt, shared
	kick     chan struct{} // one slot: "received changed"
	bad      atomic.Int64  // payloads too short to hold a timestamp

	mu  sync.Mutex
	err error // first receive error
}

// stamp writes the send time (ns since epoch, monotonic) into payload[:8].
func stamp(payload []byte, epoch time.Time) {
	binary.BigEndian.PutUint64(payload, uint64(time.Since(epoch)))
}

// deliver records one received payload.
func (s *sink) deliver(payload []byte) {
	if len(payload) < 8 {
		s.bad.Add(1)
		return
	}
	s.record(int64(binary.BigEndian.Uint64(payload)))
}

// deliverString is deliver for clients that hand out strings.
func (s *sink) deliverString(payload string) {
	if len(payload) < 8 {
		s.bad.Add(1)
		return
	}
	var sent uint64
	for i := range 8 {
		sent = sent<<8 | uint64(payload[i])
	}
	s.record(int64(sent))
}

func (s *sink) record(sent int64) {
	now := int64(time.Since(s.epoch))
	s.hist.Record(now - sent)
	for {
		l := s.last.Load()
		if l >= now || s.last.CompareAndSwap(l, now) {
			break
		}
	}
	s.received.Add(1)
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// fail records a receiver's error; the first one is reported.
func (s *sink) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *sink) failure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}
