package wire

import (
	"bufio"
	"fmt"
	"testing"
)

// benchProperties are what a typical client sends: content type, delivery
// mode, a message id, a timestamp and two headers.
func benchProperties() []byte {
	p := Properties{
		Present:     FlagContentType | FlagHeaders | FlagDeliveryMode | FlagMessageID | FlagTimestamp,
		ContentType: "application/json", DeliveryMode: 2, MessageID: "0a1b2c3d", Timestamp: 1700000000,
		Headers: Table{{"x-trace", "abc"}, {"retries", int32(0)}},
	}
	return EncodeProperties(nil, &p)
}

var benchSizes = []int{16, 1 << 10, 64 << 10, 1 << 20}

func BenchmarkAppendDeliver(b *testing.B) {
	props := benchProperties()
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("msg=%dB", size), func(b *testing.B) {
			body := make([]byte, size)
			dst := AppendDeliver(nil, 1, "amq.ctag-1", 1, false, "orders", "order.created", props, body, DefaultFrameMax)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			var tag uint64
			for b.Loop() {
				tag++
				dst = AppendDeliver(dst[:0], 1, "amq.ctag-1", tag, false, "orders", "order.created", props, body, DefaultFrameMax)
			}
		})
	}
}

// BenchmarkReadPublish reads basic.publish, its content header and body
// frames from a buffered stream, as a connection's reader does.
func BenchmarkReadPublish(b *testing.B) {
	props := benchProperties()
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("msg=%dB", size), func(b *testing.B) {
			stream, err := AppendMethodFrame(nil, 1, &BasicPublish{Exchange: "orders", RoutingKey: "order.created"})
			if err != nil {
				b.Fatal(err)
			}
			stream = AppendContent(stream, 1, ClassBasic, props, make([]byte, size), DefaultFrameMax)
			r := bufio.NewReaderSize(&loopReader{data: stream}, 64<<10)
			var (
				f    Frame
				d    Decoder
				h    ContentHeader
				body = make([]byte, 0, size)
			)
			read := func() {
				if err := ReadFrame(r, &f, DefaultFrameMax); err != nil {
					b.Fatal(err)
				}
				m, err := d.ReadMethod(f.Payload)
				if err != nil {
					b.Fatal(err)
				}
				if pub := m.(*BasicPublish); pub.RoutingKey != "order.created" {
					b.Fatal(pub)
				}
				if err := ReadFrame(r, &f, DefaultFrameMax); err != nil {
					b.Fatal(err)
				}
				if err := ReadContentHeader(f.Payload, &h); err != nil {
					b.Fatal(err)
				}
				body = body[:0]
				for uint64(len(body)) < h.BodySize {
					if err := ReadFrame(r, &f, DefaultFrameMax); err != nil {
						b.Fatal(err)
					}
					body = append(body, f.Payload...)
				}
			}
			read() // warm the Frame, the Decoder and the buffers
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				read()
			}
		})
	}
}
