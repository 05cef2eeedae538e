// Cross-protocol reads against native reads, on the real binary: the same
// number of records written once through Redis (XADD, one field) and once
// through Kafka, each read back through Redis (XRANGE) and through Kafka
// (a consumer from the start). Run with
// go test -run '^$' -bench CrossProtocolRead ./integration/
package integration

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/twmb/franz-go/pkg/kgo"
)

func BenchmarkCrossProtocolRead(b *testing.B) {
	const n = 20000
	p := startJunction(b)
	ctx := context.Background()
	rdb := goredis.NewClient(&goredis.Options{Addr: p.RedisAddr})
	b.Cleanup(func() { rdb.Close() })
	val := make([]byte, 100)

	// Redis-written topic.
	pipe := rdb.Pipeline()
	for i := 0; i < n; i++ {
		pipe.XAdd(ctx, &goredis.XAddArgs{Stream: "from-redis", Values: []any{"value", val}})
		if i%500 == 499 {
			if _, err := pipe.Exec(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	// Kafka-written topic.
	prod := newKgo(b, p, kgo.AllowAutoTopicCreation())
	recs := make([]*kgo.Record, n)
	for i := range recs {
		recs[i] = &kgo.Record{Topic: "from-kafka", Value: val}
	}
	produceSync(b, prod, recs...)

	for _, topic := range []string{"from-redis", "from-kafka"} {
		b.Run(fmt.Sprintf("reader=redis/writer=%s", topic[5:]), func(b *testing.B) {
			b.SetBytes(n * 100)
			for b.Loop() {
				start, got := "-", 0
				for got < n {
					es, err := rdb.XRangeN(ctx, topic, start, "+", 1000).Result()
					if err != nil || len(es) == 0 {
						b.Fatalf("xrange: %v (%d read)", err, got)
					}
					got += len(es)
					start = "(" + es[len(es)-1].ID
				}
			}
		})
		b.Run(fmt.Sprintf("reader=kafka/writer=%s", topic[5:]), func(b *testing.B) {
			b.SetBytes(n * 100)
			for i := 0; b.Loop(); i++ {
				cl := newKgo(b, p, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
					kgo.ClientID("bench-"+strconv.Itoa(i)))
				consumeN(b, cl, n, 30*time.Second)
				cl.Close()
			}
		})
	}
}
