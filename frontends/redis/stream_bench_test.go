package redis

import (
	"context"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"junction/broker"
	"junction/broker/brokertest"
)

// BenchmarkStreamXAdd measures XADD * with one 100-byte field: end to end
// through go-redis with pipelines of 16 (one op = one pipeline), and the
// handler alone (one op = one XADD, allocations of the server side only).
func BenchmarkStreamXAdd(b *testing.B) {
	val := strings.Repeat("x", 100)
	b.Run("go-redis/field=100B/pipeline=16", func(b *testing.B) {
		br := brokertest.Memory(b).New(b, broker.Config{})
		e := startStreamServer(b, br, nil)
		cl := goredis.NewClient(&goredis.Options{Addr: e.addr, Protocol: 3, DisableIdentity: true})
		defer cl.Close()
		ctx := context.Background()
		args := &goredis.XAddArgs{Stream: "bench", Values: []string{"f", val}}
		b.ReportAllocs()
		b.SetBytes(16 * 100)
		start := time.Now()
		for b.Loop() {
			p := cl.Pipeline()
			for range 16 {
				p.XAdd(ctx, args)
			}
			if _, err := p.Exec(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(16*b.N)/time.Since(start).Seconds(), "xadds/s")
	})
	b.Run("dispatch/field=100B", func(b *testing.B) {
		br := brokertest.Memory(b).New(b, broker.Config{})
		srv := New(Config{Broker: br})
		c := newConn(srv, nil)
		args := [][]byte{[]byte("xadd"), []byte("bench"), []byte("*"), []byte("f"), []byte(val)}
		b.ReportAllocs()
		b.SetBytes(100)
		for b.Loop() {
			c.W.Buf = c.W.Buf[:0]
			c.dispatch(args)
		}
		if c.W.Buf[0] != '$' {
			b.Fatalf("reply %q", c.W.Buf)
		}
	})
}
