package wire

// Cross-check against a real client: amqp091-go talks to a scripted server
// built on this package. The server decodes every method the client sends
// and answers with methods this package encodes; the client's view of the
// answers and the server's record of the requests must match what each
// side meant.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// received is one method the scripted server read, with its content.
type received struct {
	Channel    uint16
	Method     Method
	Properties []byte // raw, for methods with content
	Body       []byte
}

// scriptedServer answers one client connection with fixed replies.
type scriptedServer struct {
	conn     net.Conn
	r        *bufio.Reader
	bw       *bufio.Writer
	w        *Writer
	f        Frame
	frameMax int

	startOk *ConnectionStartOk
	tuneOk  *ConnectionTuneOk
	open    *ConnectionOpen
	log     []received

	consumerTag string
	confirming  bool
	published   uint64
	lastProps   []byte
}

func (s *scriptedServer) next() (uint16, Method, error) {
	for {
		if err := ReadFrame(s.r, &s.f, s.frameMax); err != nil {
			return 0, nil, err
		}
		switch s.f.Type {
		case FrameHeartbeat:
			continue
		case FrameMethod:
			m, err := ReadMethod(s.f.Payload)
			return s.f.Channel, m, err
		}
		return 0, nil, fmt.Errorf("unexpected frame type %d", s.f.Type)
	}
}

// content reads the header and body frames after a content method.
func (s *scriptedServer) content(channel uint16) (props, body []byte, err error) {
	if err := ReadFrame(s.r, &s.f, s.frameMax); err != nil {
		return nil, nil, err
	}
	var h ContentHeader
	if s.f.Type != FrameHeader || s.f.Channel != channel {
		return nil, nil, fmt.Errorf("want a content header, got frame type %d", s.f.Type)
	}
	if err := ReadContentHeader(s.f.Payload, &h); err != nil {
		return nil, nil, err
	}
	props = bytes.Clone(h.Properties)
	body = []byte{}
	for uint64(len(body)) < h.BodySize {
		if err := ReadFrame(s.r, &s.f, s.frameMax); err != nil {
			return nil, nil, err
		}
		if s.f.Type != FrameBody || s.f.Channel != channel {
			return nil, nil, fmt.Errorf("want a body frame, got frame type %d", s.f.Type)
		}
		body = append(body, s.f.Payload...)
	}
	return props, body, nil
}

func expect[M Method](s *scriptedServer) (M, error) {
	var zero M
	_, m, err := s.next()
	if err != nil {
		return zero, err
	}
	got, ok := m.(M)
	if !ok {
		return zero, fmt.Errorf("got %T, want %T", m, zero)
	}
	return got, nil
}

func (s *scriptedServer) send(channel uint16, ms ...Method) error {
	for _, m := range ms {
		if err := s.w.WriteMethod(channel, m); err != nil {
			return err
		}
	}
	return s.bw.Flush()
}

func (s *scriptedServer) serve() (err error) {
	var h [8]byte
	if _, err := io.ReadFull(s.r, h[:]); err != nil {
		return err
	}
	if err := CheckProtocolHeader(h[:]); err != nil {
		return err
	}
	s.w = NewWriter(s.bw)
	err = s.send(0, &ConnectionStart{VersionMajor: 0, VersionMinor: 9, Mechanisms: "PLAIN AMQPLAIN", Locales: "en_US",
		ServerProperties: Table{
			{"product", "junction-wire-test"},
			{"capabilities", Table{
				{"publisher_confirms", true}, {"basic.nack", true},
				{"consumer_cancel_notify", true}, {"connection.blocked", true},
			}},
		}})
	if err != nil {
		return err
	}
	if s.startOk, err = expect[*ConnectionStartOk](s); err != nil {
		return err
	}
	if err := s.send(0, &ConnectionTune{ChannelMax: 2047, FrameMax: FrameMinSize, Heartbeat: 0}); err != nil {
		return err
	}
	if s.tuneOk, err = expect[*ConnectionTuneOk](s); err != nil {
		return err
	}
	s.frameMax = int(s.tuneOk.FrameMax)
	s.w.SetFrameMax(s.frameMax)
	if s.open, err = expect[*ConnectionOpen](s); err != nil {
		return err
	}
	if err := s.send(0, &ConnectionOpenOk{}); err != nil {
		return err
	}

	for {
		ch, m, err := s.next()
		if err != nil {
			return err
		}
		rec := received{Channel: ch, Method: m}
		if HasContent(m) {
			if rec.Properties, rec.Body, err = s.content(ch); err != nil {
				return err
			}
		}
		s.log = append(s.log, rec)
		if err := s.reply(ch, rec); err != nil {
			return err
		}
		if _, ok := m.(*ConnectionClose); ok {
			return nil
		}
	}
}

func (s *scriptedServer) reply(ch uint16, rec received) error {
	switch m := rec.Method.(type) {
	case *ChannelOpen:
		return s.send(ch, &ChannelOpenOk{})
	case *ChannelFlow:
		return s.send(ch, &ChannelFlowOk{Active: m.Active})
	case *ChannelClose:
		return s.send(ch, &ChannelCloseOk{})
	case *ConnectionUpdateSecret:
		return s.send(0, &ConnectionUpdateSecretOk{})
	case *ConnectionClose:
		return s.send(0, &ConnectionCloseOk{})
	case *ExchangeDeclare:
		return s.send(ch, &ExchangeDeclareOk{})
	case *ExchangeDelete:
		return s.send(ch, &ExchangeDeleteOk{})
	case *ExchangeBind:
		return s.send(ch, &ExchangeBindOk{})
	case *ExchangeUnbind:
		return s.send(ch, &ExchangeUnbindOk{})
	case *QueueDeclare:
		if err := s.send(ch, &QueueDeclareOk{Queue: m.Queue, MessageCount: 7, ConsumerCount: 3}); err != nil {
			return err
		}
		return s.send(0, &ConnectionBlocked{Reason: "low on memory"}, &ConnectionUnblocked{})
	case *QueueBind:
		return s.send(ch, &QueueBindOk{})
	case *QueueUnbind:
		return s.send(ch, &QueueUnbindOk{})
	case *QueuePurge:
		return s.send(ch, &QueuePurgeOk{MessageCount: 5})
	case *QueueDelete:
		return s.send(ch, &QueueDeleteOk{MessageCount: 2})
	case *BasicQos:
		return s.send(ch, &BasicQosOk{})
	case *BasicConsume:
		s.consumerTag = m.ConsumerTag
		return s.send(ch, &BasicConsumeOk{ConsumerTag: m.ConsumerTag})
	case *BasicCancel:
		return s.send(ch, &BasicCancelOk{ConsumerTag: m.ConsumerTag})
	case *ConfirmSelect:
		s.confirming = true
		return s.send(ch, &ConfirmSelectOk{})
	case *TxSelect:
		return s.send(ch, &TxSelectOk{})
	case *TxCommit:
		return s.send(ch, &TxCommitOk{})
	case *TxRollback:
		return s.send(ch, &TxRollbackOk{})
	case *BasicRecover:
		// Acknowledge, then cancel the consumer from the server side.
		return s.send(ch, &BasicRecoverOk{}, &BasicCancel{ConsumerTag: s.consumerTag, NoWait: true})
	case *BasicGet:
		ok := &BasicGetOk{DeliveryTag: 2, Redelivered: true, Exchange: "", RoutingKey: m.Queue, MessageCount: 4}
		if err := s.w.WriteContent(ch, ok, s.lastProps, []byte("got")); err != nil {
			return err
		}
		return s.bw.Flush()
	case *BasicPublish:
		// Return it, confirm it, and deliver it to the consumer.
		s.lastProps = rec.Properties
		if m.Mandatory {
			ret := &BasicReturn{ReplyCode: NoRoute, ReplyText: "NO_ROUTE", Exchange: m.Exchange, RoutingKey: m.RoutingKey}
			if err := s.w.WriteContent(ch, ret, rec.Properties, rec.Body); err != nil {
				return err
			}
		}
		if s.confirming {
			s.published++
			if err := s.w.WriteMethod(ch, &BasicAck{DeliveryTag: s.published}); err != nil {
				return err
			}
		}
		frames := AppendDeliver(nil, ch, s.consumerTag, 1, false, m.Exchange, m.RoutingKey, rec.Properties, rec.Body, s.frameMax)
		if err := s.w.WriteFrames(frames); err != nil {
			return err
		}
		return s.bw.Flush()
	}
	return nil // basic.ack, basic.nack, basic.reject: no reply
}

// sortTables orders table fields by name, recursively: amqp091-go tables
// are maps, so their wire order is random.
func sortTables(v any) any {
	switch v := v.(type) {
	case Table:
		t := make(Table, len(v))
		for i, f := range v {
			t[i] = Field{f.Name, sortTables(f.Value)}
		}
		slices.SortFunc(t, func(a, b Field) int { return strings.Compare(a.Name, b.Name) })
		return t
	case Array:
		a := make(Array, len(v))
		for i, e := range v {
			a[i] = sortTables(e)
		}
		return a
	}
	return v
}

func TestAMQP091Client(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	srv := make(chan *scriptedServer, 1)
	srvErr := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			srvErr <- err
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		s := &scriptedServer{conn: c, r: bufio.NewReader(c), bw: bufio.NewWriter(c)}
		err = s.serve()
		srv <- s
		srvErr <- err
	}()

	conn, err := amqp.Dial("amqp://guest:guest@" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	if conn.Properties["product"] != "junction-wire-test" {
		t.Fatalf("server properties as the client sees them: %v", conn.Properties)
	}
	blocked := conn.NotifyBlocked(make(chan amqp.Blocking, 2))

	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(ch.ExchangeDeclare("ex", "topic", true, false, true, false, amqp.Table{"alternate-exchange": "ae"}))
	q, err := ch.QueueDeclare("q", false, true, true, false, amqp.Table{"x-message-ttl": int32(60000)})
	must(err)
	if q.Name != "q" || q.Messages != 7 || q.Consumers != 3 {
		t.Fatalf("queue.declare-ok as the client sees it: %+v", q)
	}
	if b := <-blocked; !b.Active || b.Reason != "low on memory" {
		t.Fatalf("blocked: %+v", b)
	}
	if b := <-blocked; b.Active {
		t.Fatalf("unblocked: %+v", b)
	}
	must(ch.QueueBind("q", "rk.#", "ex", false, nil))
	must(ch.ExchangeBind("dst", "rk", "src", false, nil))
	must(ch.Qos(10, 0, false))
	deliveries, err := ch.Consume("q", "ctag", false, true, true, false, nil)
	must(err)
	confirms := ch.NotifyPublish(make(chan amqp.Confirmation, 1))
	returns := ch.NotifyReturn(make(chan amqp.Return, 1))
	cancels := ch.NotifyCancel(make(chan string, 1))
	must(ch.Confirm(false))

	stamp := time.Unix(1700000001, 0)
	headers := amqp.Table{
		"bool":    true,
		"byte":    byte(200),
		"int8":    int8(-8),
		"int16":   int16(-16),
		"int":     -32,
		"int32":   int32(-320),
		"int64":   int64(-64),
		"uint16":  uint16(16),
		"uint32":  uint32(32),
		"float32": float32(1.5),
		"float64": 2.25,
		"decimal": amqp.Decimal{Scale: 2, Value: 314},
		"string":  "s",
		"bytes":   []byte{1, 2, 3},
		"array":   []any{"a", int32(1), []any{true}},
		"time":    stamp,
		"table":   amqp.Table{"k": "v", "n": amqp.Table{"deep": int64(1)}},
		"void":    nil,
	}
	pub := amqp.Publishing{
		Headers:         headers,
		ContentType:     "application/json",
		ContentEncoding: "gzip",
		DeliveryMode:    amqp.Persistent,
		Priority:        9,
		CorrelationId:   "corr",
		ReplyTo:         "reply",
		Expiration:      "60000",
		MessageId:       "mid",
		Timestamp:       time.Unix(1700000000, 0),
		Type:            "type",
		UserId:          "guest",
		AppId:           "app",
		Body:            bytes.Repeat([]byte("0123456789"), 1000), // 3 body frames at frame-max 4096
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	must(ch.PublishWithContext(ctx, "ex", "rk.a", true, false, pub))

	// The client's view of what the server encoded.
	wantHeaders := maps(headers)
	wantHeaders["int"] = int32(-32) // amqp091-go sends int as 'I'
	ret := <-returns
	if ret.ReplyCode != NoRoute || ret.ReplyText != "NO_ROUTE" || ret.Exchange != "ex" || ret.RoutingKey != "rk.a" ||
		!reflect.DeepEqual(ret.Headers, wantHeaders) || ret.AppId != "app" || !bytes.Equal(ret.Body, pub.Body) {
		t.Fatalf("basic.return as the client sees it: %+v", ret)
	}
	if c := <-confirms; !c.Ack || c.DeliveryTag != 1 {
		t.Fatalf("confirm: %+v", c)
	}
	d := <-deliveries
	if d.ConsumerTag != "ctag" || d.DeliveryTag != 1 || d.Redelivered || d.Exchange != "ex" || d.RoutingKey != "rk.a" {
		t.Fatalf("basic.deliver as the client sees it: %+v", d)
	}
	gotPub := amqp.Publishing{
		Headers: d.Headers, ContentType: d.ContentType, ContentEncoding: d.ContentEncoding,
		DeliveryMode: d.DeliveryMode, Priority: d.Priority, CorrelationId: d.CorrelationId, ReplyTo: d.ReplyTo,
		Expiration: d.Expiration, MessageId: d.MessageId, Timestamp: d.Timestamp, Type: d.Type,
		UserId: d.UserId, AppId: d.AppId, Body: d.Body,
	}
	wantPub := pub
	wantPub.Headers = wantHeaders
	if !reflect.DeepEqual(gotPub, wantPub) {
		t.Fatalf("delivered message\n%+v\nwant\n%+v", gotPub, wantPub)
	}
	must(d.Ack(false))

	msg, ok, err := ch.Get("q", false)
	must(err)
	if !ok || msg.DeliveryTag != 2 || !msg.Redelivered || msg.RoutingKey != "q" || msg.MessageCount != 4 ||
		string(msg.Body) != "got" || msg.MessageId != "mid" {
		t.Fatalf("basic.get-ok as the client sees it: %+v", msg)
	}
	must(ch.Nack(2, true, true))
	must(ch.Reject(3, false))
	must(ch.Recover(true))
	if tag := <-cancels; tag != "ctag" {
		t.Fatalf("server-sent basic.cancel: %q", tag)
	}
	must(ch.Cancel("ctag", false))
	n, err := ch.QueuePurge("q", false)
	must(err)
	if n != 5 {
		t.Fatalf("purged %d", n)
	}
	must(ch.QueueUnbind("q", "rk.#", "ex", nil))
	must(ch.ExchangeUnbind("dst", "rk", "src", false, nil))
	n, err = ch.QueueDelete("q", true, false, false)
	must(err)
	if n != 2 {
		t.Fatalf("deleted %d", n)
	}
	must(ch.ExchangeDelete("ex", true, false))

	ch2, err := conn.Channel()
	must(err)
	must(ch2.Tx())
	must(ch2.TxCommit())
	must(ch2.TxRollback())
	must(ch2.Flow(false))
	must(ch2.Close())
	must(conn.UpdateSecret("new-secret", "rotate"))
	must(ch.Close())
	must(conn.Close())

	if err := <-srvErr; err != nil {
		t.Fatalf("server: %v", err)
	}
	s := <-srv

	// The server's view of what the client encoded.
	if s.startOk.Mechanism != "PLAIN" || s.startOk.Response != "\x00guest\x00guest" || s.startOk.Locale != "en_US" {
		t.Fatalf("start-ok: %+v", s.startOk)
	}
	caps, _ := s.startOk.ClientProperties.Get("capabilities")
	if nack, _ := caps.(Table).Get("basic.nack"); nack != true {
		t.Fatalf("client capabilities: %#v", caps)
	}
	if s.tuneOk.FrameMax != FrameMinSize || s.tuneOk.ChannelMax != 2047 || s.open.VirtualHost != "/" {
		t.Fatalf("tune-ok %+v, open %+v", s.tuneOk, s.open)
	}

	want := []received{
		{1, &ChannelOpen{}, nil, nil},
		{1, &ExchangeDeclare{Exchange: "ex", Type: "topic", Durable: true, Internal: true, Arguments: Table{{"alternate-exchange", "ae"}}}, nil, nil},
		{1, &QueueDeclare{Queue: "q", AutoDelete: true, Exclusive: true, Arguments: Table{{"x-message-ttl", int32(60000)}}}, nil, nil},
		{1, &QueueBind{Queue: "q", Exchange: "ex", RoutingKey: "rk.#"}, nil, nil},
		{1, &ExchangeBind{Destination: "dst", Source: "src", RoutingKey: "rk"}, nil, nil},
		{1, &BasicQos{PrefetchCount: 10}, nil, nil},
		{1, &BasicConsume{Queue: "q", ConsumerTag: "ctag", NoLocal: true, Exclusive: true}, nil, nil},
		{1, &ConfirmSelect{}, nil, nil},
		{1, &BasicPublish{Exchange: "ex", RoutingKey: "rk.a", Mandatory: true}, nil, pub.Body},
		{1, &BasicAck{DeliveryTag: 1}, nil, nil},
		{1, &BasicGet{Queue: "q"}, nil, nil},
		{1, &BasicNack{DeliveryTag: 2, Multiple: true, Requeue: true}, nil, nil},
		{1, &BasicReject{DeliveryTag: 3}, nil, nil},
		{1, &BasicRecover{Requeue: true}, nil, nil},
		{1, &BasicCancel{ConsumerTag: "ctag"}, nil, nil},
		{1, &QueuePurge{Queue: "q"}, nil, nil},
		{1, &QueueUnbind{Queue: "q", Exchange: "ex", RoutingKey: "rk.#"}, nil, nil},
		{1, &ExchangeUnbind{Destination: "dst", Source: "src", RoutingKey: "rk"}, nil, nil},
		{1, &QueueDelete{Queue: "q", IfUnused: true}, nil, nil},
		{1, &ExchangeDelete{Exchange: "ex", IfUnused: true}, nil, nil},
		{2, &ChannelOpen{}, nil, nil},
		{2, &TxSelect{}, nil, nil},
		{2, &TxCommit{}, nil, nil},
		{2, &TxRollback{}, nil, nil},
		{2, &ChannelFlow{Active: false}, nil, nil},
		{2, &ChannelClose{ReplyCode: ReplySuccess}, nil, nil},
		{0, &ConnectionUpdateSecret{NewSecret: "new-secret", Reason: "rotate"}, nil, nil},
		{1, &ChannelClose{ReplyCode: ReplySuccess}, nil, nil},
		{0, &ConnectionClose{ReplyCode: ReplySuccess, ReplyText: "kthxbai"}, nil, nil},
	}
	var props []byte
	for i := range s.log {
		if s.log[i].Properties != nil {
			props = s.log[i].Properties
			s.log[i].Properties = nil
		}
	}
	if len(s.log) != len(want) {
		for _, r := range s.log {
			t.Logf("%d %#v", r.Channel, r.Method)
		}
		t.Fatalf("server received %d methods, want %d", len(s.log), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(s.log[i], want[i]) {
			t.Errorf("method %d: got\n%d %#v\nwant\n%d %#v", i, s.log[i].Channel, s.log[i].Method, want[i].Channel, want[i].Method)
		}
	}

	got, err := DecodeProperties(props)
	if err != nil {
		t.Fatal(err)
	}
	got.Headers = sortTables(got.Headers).(Table)
	wantProps := Properties{
		Present:         0xFFFC &^ FlagClusterID, // amqp091-go cannot set cluster-id
		ContentType:     "application/json",
		ContentEncoding: "gzip",
		DeliveryMode:    2,
		Priority:        9,
		CorrelationID:   "corr",
		ReplyTo:         "reply",
		Expiration:      "60000",
		MessageID:       "mid",
		Timestamp:       1700000000,
		Type:            "type",
		UserID:          "guest",
		AppID:           "app",
		Headers: sortTables(Table{
			{"bool", true},
			{"byte", uint8(200)},
			{"int8", int8(-8)},
			{"int16", int16(-16)},
			{"int", int32(-32)},
			{"int32", int32(-320)},
			{"int64", int64(-64)},
			{"uint16", uint16(16)},
			{"uint32", uint32(32)},
			{"float32", float32(1.5)},
			{"float64", 2.25},
			{"decimal", Decimal{Scale: 2, Value: 314}},
			{"string", "s"},
			{"bytes", []byte{1, 2, 3}},
			{"array", Array{"a", int32(1), Array{true}}},
			{"time", Timestamp(1700000001)},
			{"table", Table{{"k", "v"}, {"n", Table{{"deep", int64(1)}}}}},
			{"void", nil},
		}).(Table),
	}
	if !reflect.DeepEqual(got, wantProps) {
		t.Fatalf("published properties as the server decodes them\n%#v\nwant\n%#v", got, wantProps)
	}
}

// maps copies an amqp.Table one level deep.
func maps(t amqp.Table) amqp.Table {
	c := amqp.Table{}
	for k, v := range t {
		c[k] = v
	}
	return c
}
