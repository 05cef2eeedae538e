package amqp

import (
	"net"
	"testing"

	"junction/frontends/amqp/internal/wire"
)

// seedSession is a valid client session after the handshake.
func seedSession() []byte {
	var b []byte
	add := func(ch uint16, m wire.Method) {
		var err error
		if b, err = wire.AppendMethodFrame(b, ch, m); err != nil {
			panic(err)
		}
	}
	content := func(ch uint16, body string, p *wire.Properties) {
		b = wire.AppendContent(b, ch, wire.ClassBasic, wire.EncodeProperties(nil, p), []byte(body), 4096)
	}
	add(1, &wire.ChannelOpen{})
	add(1, &wire.ExchangeDeclare{Exchange: "fx", Type: "topic"})
	add(1, &wire.QueueDeclare{Queue: "fq", Arguments: wire.Table{{Name: "x-max-length", Value: int32(3)}}})
	add(1, &wire.QueueBind{Queue: "fq", Exchange: "fx", RoutingKey: "a.#"})
	add(1, &wire.ConfirmSelect{})
	add(1, &wire.BasicPublish{Exchange: "fx", RoutingKey: "a.b", Mandatory: true})
	content(1, "hello", &wire.Properties{Present: wire.FlagHeaders | wire.FlagDeliveryMode,
		Headers: wire.Table{{Name: "h", Value: "v"}}, DeliveryMode: 2})
	add(1, &wire.BasicQos{PrefetchCount: 2})
	add(1, &wire.BasicConsume{Queue: "fq", ConsumerTag: "c"})
	add(1, &wire.BasicAck{DeliveryTag: 1})
	add(1, &wire.BasicNack{DeliveryTag: 0, Multiple: true, Requeue: true})
	add(2, &wire.ChannelOpen{})
	add(2, &wire.TxSelect{})
	add(2, &wire.BasicPublish{RoutingKey: "fq"})
	content(2, "tx", &wire.Properties{})
	add(2, &wire.TxCommit{})
	add(2, &wire.BasicGet{Queue: "fq"})
	add(1, &wire.BasicCancel{ConsumerTag: "c"})
	add(1, &wire.QueueDelete{Queue: "fq"})
	add(1, &wire.ChannelClose{})
	return b
}

// FuzzConnInput feeds arbitrary bytes to a connection after a valid
// handshake: the server must answer or close, never hang or panic, and
// leave nothing behind that breaks the next connection.
func FuzzConnInput(f *testing.F) {
	e := newEnv(f)
	f.Add(seedSession())
	f.Add([]byte{wire.FrameMethod, 0, 1, 0, 0, 0, 5, 0, 20, 0, 10, 0, wire.FrameEnd})
	f.Add([]byte{wire.FrameHeader, 0, 1, 0, 0, 0, 0, wire.FrameEnd})
	f.Add([]byte{wire.FrameBody, 0, 0, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := dialRaw(t, e.addr())
		go func() {
			r.nc.Write(data)
			r.nc.(*net.TCPConn).CloseWrite()
		}()
		// Drain until the server closes the connection.
		for {
			if _, err := r.br.Discard(1 << 16); err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					t.Fatal("server neither finished nor closed")
				}
				break
			}
		}
		if n := e.s.panics.Load(); n != 0 {
			t.Fatalf("%d panics", n)
		}
	})
}
