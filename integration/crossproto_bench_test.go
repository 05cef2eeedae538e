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

// crossReadRecords is how many 100-byte records each cross-read benchmark
// topic holds.
const crossReadRecords = 20000

// seedCrossRead writes crossReadRecords records to "from-redis" with XADD
// (one field "value") and to "from-kafka" with a Kafka producer, and
// returns the Redis client.
func seedCrossRead(b *testing.B, p *proc) *goredis.Client {
	ctx := context.Background()
	rdb := goredis.NewClient(&goredis.Options{Addr: p.RedisAddr})
	b.Cleanup(func() { rdb.Close() })
	val := make([]byte, 100)
	pipe := rdb.Pipeline()
	for i := 0; i < crossReadRecords; i++ {
		pipe.XAdd(ctx, &goredis.XAddArgs{Stream: "from-redis", Values: []any{"value", val}})
		if i%500 == 499 {
			if _, err := pipe.Exec(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	prod := newKgo(b, p, kgo.AllowAutoTopicCreation())
	recs := make([]*kgo.Record, crossReadRecords)
	for i := range recs {
		recs[i] = &kgo.Record{Topic: "from-kafka", Value: val}
	}
	produceSync(b, prod, recs...)
	return rdb
}

// xrangeAll reads every record of topic with XRANGE pages of 1000.
func xrangeAll(b *testing.B, rdb *goredis.Client, topic string) {
	start, got := "-", 0
	for got < crossReadRecords {
		es, err := rdb.XRangeN(context.Background(), topic, start, "+", 1000).Result()
		if err != nil || len(es) == 0 {
			b.Fatalf("xrange: %v (%d read)", err, got)
		}
		got += len(es)
		start = "(" + es[len(es)-1].ID
	}
}

// fetchAll reads every record of topic from the start with a new Kafka
// consumer named clientID.
func fetchAll(b *testing.B, p *proc, topic, clientID string) {
	cl := newKgo(b, p, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.ClientID(clientID))
	consumeN(b, cl, crossReadRecords, 30*time.Second)
	cl.Close()
}

func BenchmarkCrossProtocolRead(b *testing.B) {
	p := startJunction(b)
	rdb := seedCrossRead(b, p)
	for _, topic := range []string{"from-redis", "from-kafka"} {
		b.Run(fmt.Sprintf("reader=redis/writer=%s", topic[5:]), func(b *testing.B) {
			b.SetBytes(crossReadRecords * 100)
			for b.Loop() {
				xrangeAll(b, rdb, topic)
			}
		})
		b.Run(fmt.Sprintf("reader=kafka/writer=%s", topic[5:]), func(b *testing.B) {
			b.SetBytes(crossReadRecords * 100)
			for i := 0; b.Loop(); i++ {
				fetchAll(b, p, topic, "bench-"+strconv.Itoa(i))
			}
		})
	}
}
