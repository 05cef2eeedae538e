package amqp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"junction/broker"
	"junction/broker/brokertest"
	"junction/frontends/amqp/internal/wire"
)

// wait bounds every wait in the tests; it is a failure bound, not a sleep.
const wait = 10 * time.Second

// env is an in-process server on 127.0.0.1:0 over a broker on test
// stores; restart replaces both, keeping the stores.
type env struct {
	t      testing.TB
	stores *brokertest.Stores
	bcfg   broker.Config
	cfg    Config
	b      *broker.Broker
	s      *Server
	ln     net.Listener
	served chan error
	url    string
}

type option func(*env)

func withConfig(fn func(*Config)) option { return func(e *env) { fn(&e.cfg) } }

func withBroker(fn func(*broker.Config)) option { return func(e *env) { fn(&e.bcfg) } }

func withStores(s *brokertest.Stores) option { return func(e *env) { e.stores = s } }

func newEnv(t testing.TB, opts ...option) *env {
	t.Helper()
	e := &env{t: t}
	for _, o := range opts {
		o(e)
	}
	if e.stores == nil {
		e.stores = brokertest.Memory(t)
	}
	e.start()
	t.Cleanup(e.stop)
	return e
}

func (e *env) start() {
	e.t.Helper()
	e.b = e.stores.New(e.t, e.bcfg)
	cfg := e.cfg
	cfg.Broker = e.b
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	e.s = New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	e.ln = ln
	e.served = make(chan error, 1)
	go func() { e.served <- e.s.Serve(ln) }()
	e.url = "amqp://guest:guest@" + ln.Addr().String() + "/"
}

func (e *env) stop() {
	if e.s == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := e.s.Shutdown(ctx); err != nil {
		e.t.Errorf("shutdown: %v", err)
	}
	if err := <-e.served; err != nil {
		e.t.Errorf("serve: %v", err)
	}
	if n := e.s.panics.Load(); n != 0 {
		e.t.Errorf("%d handler panics", n)
	}
	e.b.Close()
	e.s = nil
}

// restart closes server and broker and opens new ones on the same stores.
func (e *env) restart() {
	e.t.Helper()
	e.stop()
	e.stores.Reopen(e.t)
	e.start()
}

func (e *env) addr() string { return e.ln.Addr().String() }

// dial opens a client connection closed at cleanup.
func (e *env) dial(t testing.TB) *amqp.Connection {
	t.Helper()
	c, err := amqp.Dial(e.url)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// channel opens a channel on a new connection.
func (e *env) channel(t testing.TB) *amqp.Channel {
	t.Helper()
	return openChannel(t, e.dial(t))
}

func openChannel(t testing.TB, c *amqp.Connection) *amqp.Channel {
	t.Helper()
	ch, err := c.Channel()
	if err != nil {
		t.Fatalf("channel: %v", err)
	}
	return ch
}

// wantErr asserts an *amqp.Error with code and reason.
func wantErr(t testing.TB, err error, code int, reason string) {
	t.Helper()
	var ae *amqp.Error
	if !errors.As(err, &ae) {
		t.Fatalf("got %v (%T), want AMQP error %d %q", err, err, code, reason)
	}
	if ae.Code != code || (reason != "" && ae.Reason != reason) {
		t.Fatalf("got error %d %q, want %d %q", ae.Code, ae.Reason, code, reason)
	}
}

// closed waits for ch's close notification.
func closedWith(t testing.TB, notify chan *amqp.Error, code int, reason string) {
	t.Helper()
	select {
	case err := <-notify:
		if err == nil {
			t.Fatalf("closed without error, want %d", code)
		}
		wantErr(t, err, code, reason)
	case <-time.After(wait):
		t.Fatalf("no close, want %d %q", code, reason)
	}
}

// publish publishes a text message.
func publish(t testing.TB, ch *amqp.Channel, exchange, key, body string) {
	t.Helper()
	publishMsg(t, ch, exchange, key, amqp.Publishing{Body: []byte(body)})
}

func publishMsg(t testing.TB, ch *amqp.Channel, exchange, key string, m amqp.Publishing) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := ch.PublishWithContext(ctx, exchange, key, false, false, m); err != nil {
		t.Fatalf("publish: %v", err)
	}
}

// declare declares a plain transient queue.
func declare(t testing.TB, ch *amqp.Channel, name string, args amqp.Table) amqp.Queue {
	t.Helper()
	q, err := ch.QueueDeclare(name, false, false, false, false, args)
	if err != nil {
		t.Fatalf("declare %q: %v", name, err)
	}
	return q
}

// recv receives one delivery.
func recv(t testing.TB, ds <-chan amqp.Delivery) amqp.Delivery {
	t.Helper()
	select {
	case d, ok := <-ds:
		if !ok {
			t.Fatal("deliveries closed")
		}
		return d
	case <-time.After(wait):
		t.Fatal("no delivery")
	}
	panic("unreachable")
}

// recvBodies receives n deliveries and returns their bodies.
func recvBodies(t testing.TB, ds <-chan amqp.Delivery, n int) []string {
	t.Helper()
	out := make([]string, 0, n)
	for range n {
		out = append(out, string(recv(t, ds).Body))
	}
	return out
}

// get does basic.get and fails if it errs.
func get(t testing.TB, ch *amqp.Channel, q string) (amqp.Delivery, bool) {
	t.Helper()
	d, ok, err := ch.Get(q, true)
	if err != nil {
		t.Fatalf("get %q: %v", q, err)
	}
	return d, ok
}

// getBody gets one message and returns its body ("" if none).
func getBody(t testing.TB, ch *amqp.Channel, q string) string {
	t.Helper()
	d, ok := get(t, ch, q)
	if !ok {
		return ""
	}
	return string(d.Body)
}

// consume starts a consumer.
func consume(t testing.TB, ch *amqp.Channel, q string, autoAck bool) <-chan amqp.Delivery {
	t.Helper()
	ds, err := ch.Consume(q, "", autoAck, false, false, false, nil)
	if err != nil {
		t.Fatalf("consume %q: %v", q, err)
	}
	return ds
}

// noDelivery asserts nothing arrives within the round trip of a
// synchronous call on ch (a ping through the server).
func noDelivery(t testing.TB, ch *amqp.Channel, ds <-chan amqp.Delivery) {
	t.Helper()
	ping(t, ch)
	select {
	case d := <-ds:
		t.Fatalf("unexpected delivery %q", d.Body)
	default:
	}
}

// ping makes a synchronous round trip on ch, ordering everything the
// server sent before it.
func ping(t testing.TB, ch *amqp.Channel) {
	t.Helper()
	if _, err := ch.QueueDeclarePassive("amq.rabbitmq.reply-to", false, false, false, false, nil); err != nil {
		t.Fatalf("ping: %v", err)
	}
}

// eventually waits until cond holds, re-checking after each server round
// trip on ch (no sleeping).
func eventually(t testing.TB, ch *amqp.Channel, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		ping(t, ch)
	}
}

// rawClient speaks AMQP frames directly, for protocol-error tests.
type rawClient struct {
	t  testing.TB
	nc net.Conn
	br *bufio.Reader
	f  wire.Frame
}

// dialRaw connects and completes the handshake (guest, vhost "/").
func dialRaw(t testing.TB, addr string) *rawClient {
	t.Helper()
	r := rawConnect(t, addr)
	r.write([]byte(wire.ProtocolHeader))
	if _, ok := r.method().(*wire.ConnectionStart); !ok {
		t.Fatal("want connection.start")
	}
	r.send(0, &wire.ConnectionStartOk{Mechanism: "PLAIN", Response: "\x00guest\x00guest", Locale: "en_US",
		ClientProperties: wire.Table{{Name: "capabilities", Value: wire.Table{{Name: "consumer_cancel_notify", Value: true}}}}})
	if _, ok := r.method().(*wire.ConnectionTune); !ok {
		t.Fatal("want connection.tune")
	}
	r.send(0, &wire.ConnectionTuneOk{ChannelMax: 16, FrameMax: 131072})
	r.send(0, &wire.ConnectionOpen{VirtualHost: "/"})
	if _, ok := r.method().(*wire.ConnectionOpenOk); !ok {
		t.Fatal("want connection.open-ok")
	}
	return r
}

func rawConnect(t testing.TB, addr string) *rawClient {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(wait))
	return &rawClient{t: t, nc: nc, br: bufio.NewReader(nc)}
}

func (r *rawClient) write(b []byte) {
	r.t.Helper()
	if _, err := r.nc.Write(b); err != nil {
		r.t.Fatalf("write: %v", err)
	}
}

func (r *rawClient) send(channel uint16, m wire.Method) {
	r.t.Helper()
	b, err := wire.AppendMethodFrame(nil, channel, m)
	if err != nil {
		r.t.Fatal(err)
	}
	r.write(b)
}

// frame reads the next non-heartbeat frame.
func (r *rawClient) frame() *wire.Frame {
	r.t.Helper()
	for {
		if err := wire.ReadFrame(r.br, &r.f, 1<<20); err != nil {
			r.t.Fatalf("read frame: %v", err)
		}
		if r.f.Type != wire.FrameHeartbeat {
			return &r.f
		}
	}
}

// method reads the next frame, which must be a method.
func (r *rawClient) method() wire.Method {
	r.t.Helper()
	f := r.frame()
	if f.Type != wire.FrameMethod {
		r.t.Fatalf("got frame type %d, want a method", f.Type)
	}
	m, err := wire.ReadMethod(f.Payload)
	if err != nil {
		r.t.Fatal(err)
	}
	return m
}

// wantConnClose reads until connection.close and checks it.
func (r *rawClient) wantConnClose(code uint16, reasonPrefix string) *wire.ConnectionClose {
	r.t.Helper()
	for {
		m := r.method()
		if cc, ok := m.(*wire.ConnectionClose); ok {
			if cc.ReplyCode != code || !strings.HasPrefix(cc.ReplyText, reasonPrefix) {
				r.t.Fatalf("got connection.close %d %q, want %d %q", cc.ReplyCode, cc.ReplyText, code, reasonPrefix)
			}
			r.send(0, &wire.ConnectionCloseOk{})
			return cc
		}
	}
}

// wantChanClose reads until channel.close and checks it.
func (r *rawClient) wantChanClose(code uint16, reasonPrefix string) *wire.ChannelClose {
	r.t.Helper()
	for {
		m := r.method()
		if cc, ok := m.(*wire.ChannelClose); ok {
			if cc.ReplyCode != code || !strings.HasPrefix(cc.ReplyText, reasonPrefix) {
				r.t.Fatalf("got channel.close %d %q, want %d %q", cc.ReplyCode, cc.ReplyText, code, reasonPrefix)
			}
			return cc
		}
		if cc, ok := m.(*wire.ConnectionClose); ok {
			r.t.Fatalf("got connection.close %d %q, want channel.close %d", cc.ReplyCode, cc.ReplyText, code)
		}
	}
}

// openChannel opens channel id.
func (r *rawClient) openChannel(id uint16) {
	r.t.Helper()
	r.send(id, &wire.ChannelOpen{})
	if _, ok := r.method().(*wire.ChannelOpenOk); !ok {
		r.t.Fatal("want channel.open-ok")
	}
}

// publish sends basic.publish with a text body.
func (r *rawClient) publish(channel uint16, exchange, key, body string) {
	r.t.Helper()
	b, err := wire.AppendMethodFrame(nil, channel, &wire.BasicPublish{Exchange: exchange, RoutingKey: key})
	if err != nil {
		r.t.Fatal(err)
	}
	b = wire.AppendContent(b, channel, wire.ClassBasic, wire.EncodeProperties(nil, &wire.Properties{}), []byte(body), 131072)
	r.write(b)
}

// eof waits for the server to close the socket.
func (r *rawClient) eof() {
	r.t.Helper()
	for {
		if _, err := r.br.ReadByte(); err != nil {
			return
		}
	}
}

func fmtBodies(n int, prefix string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

func timeAfter() <-chan time.Time { return time.After(wait) }
