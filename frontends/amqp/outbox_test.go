package amqp

import (
	"bufio"
	"encoding/binary"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"junction/frontends/amqp/internal/wire"
)

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// TestOutboxInlineAndWriterKeepOrder has several producers append
// numbered records and flush while the peer does not read, until the
// outbox is full — so inline writes fell short and the writer goroutine
// took over mid-buffer; the peer then reads every record exactly once,
// each producer's in order, and EOF after close.
func TestOutboxInlineAndWriterKeepOrder(t *testing.T) {
	srv, cli := tcpPair(t)
	srv.(*net.TCPConn).SetWriteBuffer(16 << 10)
	cli.(*net.TCPConn).SetReadBuffer(16 << 10)
	o := newOutbox(srv)
	if o.nb == nil {
		t.Skip("no non-blocking writes on this platform")
	}
	c := &conn{s: &Server{cfg: Config{WriteTimeout: time.Minute}, log: slog.New(slog.NewTextHandler(io.Discard, nil))},
		nc: srv, out: o, wdone: make(chan struct{})}
	go c.writeLoop()

	const producers, records, size = 4, 3000, 512 // 6 MB: more than the socket buffers and the outbox hold
	filled := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() {
			rec := make([]byte, size)
			for i := range records {
				if o.full() {
					once.Do(func() { close(filled) })
				}
				if !o.waitSpace(nil) {
					t.Error("outbox stopped accepting frames")
					return
				}
				binary.BigEndian.PutUint32(rec, uint32(p))
				binary.BigEndian.PutUint32(rec[4:], uint32(i))
				b, ok := o.begin()
				b = append(b, rec...)
				o.end(b, ok)
				o.flush()
			}
		})
	}
	select {
	case <-filled:
	case <-time.After(wait):
		t.Fatal("the outbox never filled up")
	}
	cli.SetReadDeadline(time.Now().Add(wait))
	next := make([]uint32, producers)
	r := bufio.NewReader(cli)
	rec := make([]byte, size)
	for range producers * records {
		if _, err := io.ReadFull(r, rec); err != nil {
			t.Fatalf("after %v: %v", next, err)
		}
		p, i := binary.BigEndian.Uint32(rec), binary.BigEndian.Uint32(rec[4:])
		if p >= producers || i != next[p] {
			t.Fatalf("record %d of producer %d, want %v", i, p, next)
		}
		next[p]++
	}
	wg.Wait()
	o.close()
	select {
	case <-c.wdone:
	case <-time.After(wait):
		t.Fatal("writer did not stop after close")
	}
	if n, err := r.Read(rec); err != io.EOF {
		t.Fatalf("after close: %d bytes, %v; want EOF", n, err)
	}
}

// TestStalledConsumerDoesNotStallPublisher: deliveries written by the
// publisher's reader never block it on a consumer that stopped reading —
// every publish is confirmed while the consumer's socket and outbox are
// full — and the consumer, once it reads again, gets every message once, in
// order.
func TestStalledConsumerDoesNotStallPublisher(t *testing.T) {
	e := newEnv(t)
	pub := e.channel(t)
	declare(t, pub, "stall", nil)
	r := dialRaw(t, e.addr())
	r.openChannel(1)
	r.send(1, &wire.BasicConsume{Queue: "stall", ConsumerTag: "c", NoAck: true})
	if _, ok := r.method().(*wire.BasicConsumeOk); !ok {
		t.Fatal("want basic.consume-ok")
	}

	const n, size = 512, 64 << 10 // 32 MB: more than the socket buffers and the outbox hold
	confirms := pub.NotifyPublish(make(chan amqp.Confirmation, n))
	if err := pub.Confirm(false); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, size)
	for i := range n {
		binary.BigEndian.PutUint32(body, uint32(i))
		publishMsg(t, pub, "", "stall", amqp.Publishing{Body: body})
	}
	for i := range n {
		select {
		case c := <-confirms:
			if !c.Ack {
				t.Fatalf("publish %d nacked", c.DeliveryTag)
			}
		case <-timeAfter():
			t.Fatalf("%d of %d publishes confirmed while the consumer stalls", i, n)
		}
	}

	r.nc.SetDeadline(time.Now().Add(wait))
	for i := range n {
		if _, ok := r.method().(*wire.BasicDeliver); !ok {
			t.Fatalf("delivery %d: want basic.deliver", i)
		}
		var h wire.ContentHeader
		if err := wire.ReadContentHeader(r.frame().Payload, &h); err != nil || h.BodySize != size {
			t.Fatalf("delivery %d: header %+v, %v", i, h, err)
		}
		var got []byte
		for len(got) < size {
			got = append(got, r.frame().Payload...)
		}
		if k := binary.BigEndian.Uint32(got); k != uint32(i) || len(got) != size {
			t.Fatalf("delivery %d carries message %d (%d bytes)", i, k, len(got))
		}
	}
}
