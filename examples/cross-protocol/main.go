// Command cross-protocol shows that on Junction a Kafka topic, a Redis
// stream key and an AMQP stream queue of the same name are one log: it
// produces N records with a Kafka client to topic X, reads them with
// XREADGROUP (Redis) and acks each with XACK, then consumes them from the
// AMQP stream queue X (x-stream-offset "first", basic.qos, manual acks).
// It prints what each protocol saw and checks all three saw the same N
// messages in the same order.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"
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
	n := flag.Int("n", 5, "number of records")
	timeout := flag.Duration("timeout", 30*time.Second, "overall timeout")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, *redisAddr, *amqpAddr, *kafkaAddr, *n); err != nil {
		fmt.Fprintln(os.Stderr, "cross-protocol: FAIL:", err)
		os.Exit(1)
	}
}

// verbose reports whether message i is printed in full.
func verbose(i, n int) bool { return i < 3 || i == n-1 }

func run(ctx context.Context, redisAddr, amqpAddr, kafkaAddr string, n int) error {
	topic := "shipments-" + suffix()

	// 1. Kafka: produce N records (the topic is auto-created, 1 partition).
	kc, err := kgo.NewClient(kgo.SeedBrokers(kafkaAddr), kgo.AllowAutoTopicCreation())
	if err != nil {
		return err
	}
	defer kc.Close()
	want := make([]string, n)
	recs := make([]*kgo.Record, n)
	for i := range n {
		want[i] = fmt.Sprintf(`{"shipment":%d}`, i)
		recs[i] = &kgo.Record{Topic: topic, Key: fmt.Appendf(nil, "ship-%d", i), Value: []byte(want[i]),
			Headers: []kgo.RecordHeader{{Key: "source", Value: []byte("kafka")}}}
	}
	if err := kc.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return fmt.Errorf("kafka produce: %w", err)
	}
	fmt.Printf("kafka: produced %d records to topic %s (key ship-<i>, header source=kafka)\n", n, topic)
	for i, r := range recs {
		if verbose(i, n) {
			fmt.Printf("kafka:   partition %d offset %d key=%s value=%s\n", r.Partition, r.Offset, r.Key, r.Value)
		}
	}

	// 2. Redis: the topic is a stream key; read it with a consumer group.
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer rdb.Close()
	defer rdb.Del(context.Background(), topic)
	typ, err := rdb.Type(ctx, topic).Result()
	if err != nil {
		return fmt.Errorf("redis TYPE: %w", err)
	}
	xlen, err := rdb.XLen(ctx, topic).Result()
	if err != nil {
		return fmt.Errorf("redis XLEN: %w", err)
	}
	fmt.Printf("redis: TYPE %s = %s, XLEN = %d\n", topic, typ, xlen)
	if err := rdb.XGroupCreate(ctx, topic, "auditors", "0").Err(); err != nil {
		return fmt.Errorf("redis XGROUP CREATE: %w", err)
	}
	var redisSaw []string
	for len(redisSaw) < n {
		res, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "auditors", Consumer: "auditor-1",
			Streams: []string{topic, ">"}, Count: 100, Block: time.Second}).Result()
		if err != nil {
			return fmt.Errorf("redis XREADGROUP (after %d entries): %w", len(redisSaw), err)
		}
		for _, m := range res[0].Messages {
			i := len(redisSaw)
			if verbose(i, n) {
				fmt.Printf("redis:   id %s fields %s\n", m.ID, fields(m.Values))
			}
			redisSaw = append(redisSaw, redisValue(m.Values))
			if got, err := rdb.XAck(ctx, topic, "auditors", m.ID).Result(); err != nil || got != 1 {
				return fmt.Errorf("redis XACK %s = %d, %v", m.ID, got, err)
			}
		}
	}
	pend, err := rdb.XPending(ctx, topic, "auditors").Result()
	if err != nil {
		return fmt.Errorf("redis XPENDING: %w", err)
	}
	fmt.Printf("redis: XREADGROUP read %d entries, XACKed each, %d pending\n", len(redisSaw), pend.Count)
	if pend.Count != 0 {
		return fmt.Errorf("redis: %d entries still pending", pend.Count)
	}

	// 3. AMQP: the topic is a stream queue; consume it from the first offset.
	conn, err := amqp.Dial("amqp://guest:guest@" + amqpAddr + "/")
	if err != nil {
		return fmt.Errorf("amqp dial: %w", err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	if _, err := ch.QueueDeclare(topic, true, false, false, false, amqp.Table{"x-queue-type": "stream"}); err != nil {
		return fmt.Errorf("amqp declare stream queue: %w", err)
	}
	if err := ch.Qos(10, 0, false); err != nil {
		return fmt.Errorf("amqp qos: %w", err)
	}
	deliveries, err := ch.Consume(topic, "", false, false, false, false, amqp.Table{"x-stream-offset": "first"})
	if err != nil {
		return fmt.Errorf("amqp consume: %w", err)
	}
	var amqpSaw []string
	for len(amqpSaw) < n {
		select {
		case d, ok := <-deliveries:
			if !ok {
				return fmt.Errorf("amqp: consumer closed after %d deliveries", len(amqpSaw))
			}
			i := len(amqpSaw)
			if verbose(i, n) {
				fmt.Printf("amqp:    x-stream-offset %v routing-key %q headers %s body %s\n",
					d.Headers["x-stream-offset"], d.RoutingKey, headers(d.Headers), d.Body)
			}
			amqpSaw = append(amqpSaw, string(d.Body))
			if err := d.Ack(false); err != nil {
				return fmt.Errorf("amqp ack: %w", err)
			}
		case <-ctx.Done():
			return fmt.Errorf("amqp: timed out after %d of %d deliveries", len(amqpSaw), n)
		}
	}
	fmt.Printf("amqp: consumed %d deliveries from stream queue %s (qos 10, manual acks)\n", len(amqpSaw), topic)

	for i := range n {
		if redisSaw[i] != want[i] {
			return fmt.Errorf("redis entry %d = %q, kafka produced %q", i, redisSaw[i], want[i])
		}
		if amqpSaw[i] != want[i] {
			return fmt.Errorf("amqp delivery %d = %q, kafka produced %q", i, amqpSaw[i], want[i])
		}
	}
	fmt.Printf("OK: kafka, redis and amqp all saw the same %d messages in order\n", n)
	return nil
}

// redisValue finds the record value among a stream entry's fields.
func redisValue(v map[string]any) string {
	if s, ok := v["value"].(string); ok {
		return s
	}
	if len(v) == 1 {
		for _, x := range v {
			s, _ := x.(string)
			return s
		}
	}
	return fields(v)
}

func fields(v map[string]any) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%v ", k, v[k])
	}
	return "[" + strings.TrimSpace(b.String()) + "]"
}

func headers(t amqp.Table) string {
	m := make(map[string]any, len(t))
	for k, v := range t {
		if k != "x-stream-offset" {
			m[k] = v
		}
	}
	return fields(m)
}
