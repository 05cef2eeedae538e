package interop

import (
	"fmt"
	"testing"

	"junction/broker"
	"junction/broker/brokertest"
	"junction/storage"
)

// BenchmarkKafkaViewRead is the server side of a Kafka fetch without the
// wire encoding: read a partition from the file backend in 1.5 MB reads
// and take the Kafka view of every record, for records written by Redis
// (one field, named "value" or not) and by Kafka, 100-byte payloads.
// go test -run '^$' -bench KafkaViewRead -cpu 1 ./frontends/internal/interop/
func BenchmarkKafkaViewRead(b *testing.B) {
	const n = 20000
	val := make([]byte, 100)
	for _, w := range []struct {
		name string
		rec  storage.Record
	}{
		{"redis-value", storage.Record{Origin: storage.OriginRedis, Headers: []storage.Header{{Key: []byte("value"), Value: val}}}},
		{"redis-field", storage.Record{Origin: storage.OriginRedis, Headers: []storage.Header{{Key: []byte("field"), Value: val}}}},
		{"kafka", storage.Record{Origin: storage.OriginKafka, Value: val}},
	} {
		b.Run(fmt.Sprintf("writer=%s", w.name), func(b *testing.B) {
			br := brokertest.Files(b).New(b, broker.Config{})
			tp, err := br.CreateTopic("t", broker.TopicConfig{})
			if err != nil {
				b.Fatal(err)
			}
			p := tp.Partition(0)
			batch := make([]storage.Record, 500)
			for range n / len(batch) {
				for i := range batch {
					batch[i] = w.rec // Append fills in offsets and IDs
				}
				if _, err := p.Append(batch); err != nil {
					b.Fatal(err)
				}
			}
			var buf []storage.Record
			var scratch [1]storage.Header
			b.SetBytes(n * 100)
			b.ReportAllocs()
			for b.Loop() {
				total := 0
				for off := int64(0); off < n; {
					buf, err = p.Read(buf[:0], off, 0, 3<<19)
					if err != nil || len(buf) == 0 {
						b.Fatal(err)
					}
					for i := range buf {
						_, v, hs := KafkaView(&buf[i], scratch[:0])
						total += len(v) + len(hs)
					}
					off = buf[len(buf)-1].Offset + 1
					clear(buf)
				}
				if total < n*100 {
					b.Fatal(total)
				}
			}
		})
	}
}
