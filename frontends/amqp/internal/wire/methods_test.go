package wire

import (
	"bufio"
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// sampleMethods has one value of every method with every field set, and
// bits in different patterns so a misplaced bit shows.
func sampleMethods() []Method {
	args := Table{{"x-message-ttl", int32(60000)}, {"x-nested", Table{{"a", Array{"b", int64(3)}}}}}
	return []Method{
		&ConnectionStart{VersionMajor: 0, VersionMinor: 9, ServerProperties: allTypes(), Mechanisms: "PLAIN AMQPLAIN", Locales: "en_US"},
		&ConnectionStartOk{ClientProperties: args, Mechanism: "PLAIN", Response: "\x00guest\x00guest", Locale: "en_US"},
		&ConnectionSecure{Challenge: "challenge\x00"},
		&ConnectionSecureOk{Response: "response\x00"},
		&ConnectionTune{ChannelMax: 2047, FrameMax: 131072, Heartbeat: 60},
		&ConnectionTuneOk{ChannelMax: 1024, FrameMax: 4096, Heartbeat: 10},
		&ConnectionOpen{VirtualHost: "/", Reserved1: "caps", Reserved2: true},
		&ConnectionOpenOk{Reserved1: "known-hosts"},
		&ConnectionClose{ReplyCode: NotAllowed, ReplyText: "NOT_ALLOWED - vhost", FailClassID: 10, FailMethodID: 40},
		&ConnectionCloseOk{},
		&ConnectionBlocked{Reason: "low on memory"},
		&ConnectionUnblocked{},
		&ConnectionUpdateSecret{NewSecret: "token", Reason: "refresh"},
		&ConnectionUpdateSecretOk{},

		&ChannelOpen{Reserved1: "oob"},
		&ChannelOpenOk{Reserved1: "channel-id"},
		&ChannelFlow{Active: true},
		&ChannelFlowOk{Active: true},
		&ChannelClose{ReplyCode: NotFound, ReplyText: "NOT_FOUND - no queue 'q'", FailClassID: 50, FailMethodID: 10},
		&ChannelCloseOk{},

		&ExchangeDeclare{Reserved1: 1, Exchange: "ex", Type: "topic", Passive: true, AutoDelete: true, NoWait: true, Arguments: args},
		&ExchangeDeclareOk{},
		&ExchangeDelete{Reserved1: 2, Exchange: "ex", NoWait: true},
		&ExchangeDeleteOk{},
		&ExchangeBind{Reserved1: 3, Destination: "dst", Source: "src", RoutingKey: "a.*", NoWait: true, Arguments: args},
		&ExchangeBindOk{},
		&ExchangeUnbind{Reserved1: 4, Destination: "dst", Source: "src", RoutingKey: "a.#", NoWait: true, Arguments: args},
		&ExchangeUnbindOk{},

		&QueueDeclare{Reserved1: 5, Queue: "q", Durable: true, AutoDelete: true, Arguments: args},
		&QueueDeclareOk{Queue: "amq.gen-1", MessageCount: 7, ConsumerCount: 3},
		&QueueBind{Reserved1: 6, Queue: "q", Exchange: "ex", RoutingKey: "rk", NoWait: true, Arguments: args},
		&QueueBindOk{},
		&QueuePurge{Reserved1: 7, Queue: "q", NoWait: true},
		&QueuePurgeOk{MessageCount: 42},
		&QueueDelete{Reserved1: 8, Queue: "q", IfEmpty: true},
		&QueueDeleteOk{MessageCount: 43},
		&QueueUnbind{Reserved1: 9, Queue: "q", Exchange: "ex", RoutingKey: "rk", Arguments: args},
		&QueueUnbindOk{},

		&BasicQos{PrefetchSize: 1, PrefetchCount: 100, Global: true},
		&BasicQosOk{},
		&BasicConsume{Reserved1: 10, Queue: "q", ConsumerTag: "ctag", NoAck: true, NoWait: true, Arguments: args},
		&BasicConsumeOk{ConsumerTag: "ctag"},
		&BasicCancel{ConsumerTag: "ctag", NoWait: true},
		&BasicCancelOk{ConsumerTag: "ctag"},
		&BasicPublish{Reserved1: 11, Exchange: "ex", RoutingKey: "rk", Immediate: true},
		&BasicReturn{ReplyCode: NoRoute, ReplyText: "NO_ROUTE", Exchange: "ex", RoutingKey: "rk"},
		&BasicDeliver{ConsumerTag: "ctag", DeliveryTag: 1 << 40, Redelivered: true, Exchange: "ex", RoutingKey: "rk"},
		&BasicGet{Reserved1: 12, Queue: "q", NoAck: true},
		&BasicGetOk{DeliveryTag: 99, Redelivered: true, Exchange: "ex", RoutingKey: "rk", MessageCount: 5},
		&BasicGetEmpty{Reserved1: "cluster"},
		&BasicAck{DeliveryTag: 1<<64 - 1, Multiple: true},
		&BasicReject{DeliveryTag: 77, Requeue: true},
		&BasicRecoverAsync{Requeue: true},
		&BasicRecover{Requeue: true},
		&BasicRecoverOk{},
		&BasicNack{DeliveryTag: 78, Requeue: true},

		&ConfirmSelect{NoWait: true},
		&ConfirmSelectOk{},

		&TxSelect{},
		&TxSelectOk{},
		&TxCommit{},
		&TxCommitOk{},
		&TxRollback{},
		&TxRollbackOk{},
	}
}

func TestMethodsCoverRegistry(t *testing.T) {
	seen := map[uint32]bool{}
	for _, m := range sampleMethods() {
		k := methodKey(m.ClassID(), m.MethodID())
		if seen[k] {
			t.Errorf("%s sampled twice", MethodName(m.ClassID(), m.MethodID()))
		}
		seen[k] = true
		if MethodName(m.ClassID(), m.MethodID()) == "" {
			t.Errorf("%T (%d.%d) is not registered", m, m.ClassID(), m.MethodID())
		}
	}
	for k, info := range methods {
		if !seen[k] {
			t.Errorf("%s has no sample", info.name)
		}
		m := info.new()
		if methodKey(m.ClassID(), m.MethodID()) != k {
			t.Errorf("%s registered as %d.%d but is %T with ids %d.%d", info.name, k>>16, k&0xffff, m, m.ClassID(), m.MethodID())
		}
	}
	if len(methods) != 64 {
		t.Errorf("%d methods registered, want 64", len(methods))
	}
}

func TestMethodRoundTrip(t *testing.T) {
	var d Decoder
	for _, want := range sampleMethods() {
		name := MethodName(want.ClassID(), want.MethodID())
		t.Run(name, func(t *testing.T) {
			frame, err := AppendMethodFrame(nil, 7, want)
			if err != nil {
				t.Fatal(err)
			}
			var f Frame
			if err := ReadFrame(bufio.NewReader(bytes.NewReader(frame)), &f, 0); err != nil {
				t.Fatal(err)
			}
			if f.Type != FrameMethod || f.Channel != 7 {
				t.Fatalf("frame type %d channel %d", f.Type, f.Channel)
			}
			got, err := ReadMethod(f.Payload)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("decoded\n%#v\nwant\n%#v", got, want)
			}
			cached, err := d.ReadMethod(f.Payload)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cached, want) {
				t.Fatalf("Decoder decoded\n%#v\nwant\n%#v", cached, want)
			}
			content := name == "basic.publish" || name == "basic.return" || name == "basic.deliver" || name == "basic.get-ok"
			if HasContent(got) != content {
				t.Fatalf("HasContent = %v", HasContent(got))
			}

			args := f.Payload[4:]
			for i := range args {
				if err := NewMethod(got.ClassID(), got.MethodID()).Read(args[:i]); !errors.Is(err, ErrSyntax) {
					t.Fatalf("prefix of %d octets: err = %v", i, err)
				}
			}
			_, err = ReadMethod(append(f.Payload, 0))
			var me *MethodError
			if !errors.As(err, &me) || !errors.Is(err, ErrSyntax) || me.ClassID != got.ClassID() || me.MethodID != got.MethodID() {
				t.Fatalf("trailing octet: err = %v", err)
			}
			if !strings.Contains(err.Error(), name) {
				t.Fatalf("error %q does not name the method", err)
			}
		})
	}
}

// TestMethodBits pins bit positions and octet sharing against the spec.
func TestMethodBits(t *testing.T) {
	for _, tc := range []struct {
		m    Method
		want []byte
	}{
		{&QueueDeclare{Queue: "q", Exclusive: true}, []byte{0, 0, 1, 'q', 0x04, 0, 0, 0, 0}},
		{&QueueDeclare{Queue: "q", NoWait: true, Passive: true}, []byte{0, 0, 1, 'q', 0x11, 0, 0, 0, 0}},
		{&ExchangeDeclare{Exchange: "e", Type: "t", Internal: true, Durable: true}, []byte{0, 0, 1, 'e', 1, 't', 0x0a, 0, 0, 0, 0}},
		{&BasicConsume{Queue: "q", ConsumerTag: "c", NoAck: true, Exclusive: true}, []byte{0, 0, 1, 'q', 1, 'c', 0x06, 0, 0, 0, 0}},
		{&BasicNack{DeliveryTag: 1, Requeue: true}, []byte{0, 0, 0, 0, 0, 0, 0, 1, 0x02}},
		{&BasicPublish{Exchange: "", RoutingKey: "k", Mandatory: true}, []byte{0, 0, 0, 1, 'k', 0x01}},
		{&QueueDelete{Queue: "q", IfEmpty: true, NoWait: true}, []byte{0, 0, 1, 'q', 0x06}},
		{&BasicDeliver{ConsumerTag: "c", DeliveryTag: 2, Redelivered: true, Exchange: "e", RoutingKey: "k"},
			[]byte{1, 'c', 0, 0, 0, 0, 0, 0, 0, 2, 0x01, 1, 'e', 1, 'k'}},
		{&ConnectionTune{ChannelMax: 0x0102, FrameMax: 0x03040506, Heartbeat: 0x0708}, []byte{1, 2, 3, 4, 5, 6, 7, 8}},
	} {
		got, err := tc.m.Write(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, tc.want) {
			t.Errorf("%T: got %x, want %x", tc.m, got, tc.want)
		}
	}
}

func TestReadMethodErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		payload []byte
		want    error
		code    uint16
	}{
		"no ids":          {[]byte{0, 60, 0}, ErrSyntax, SyntaxError},
		"unknown class":   {[]byte{0, 99, 0, 10}, ErrUnknownMethod, NotImplemented},
		"unknown method":  {[]byte{0, 60, 0, 41}, ErrUnknownMethod, NotImplemented},
		"0-8 unbind-ok":   {[]byte{0, 40, 0, 41}, ErrUnknownMethod, NotImplemented},
		"truncated":       {[]byte{0, 60, 0, 40, 0, 0, 5, 'a'}, ErrSyntax, SyntaxError},
		"bad table":       {[]byte{0, 50, 0, 10, 0, 0, 0, 0, 0, 0, 0, 3, 1, 'a', '?'}, ErrSyntax, SyntaxError},
		"empty-arg extra": {[]byte{0, 90, 0, 10, 0}, ErrSyntax, SyntaxError},
	} {
		var d Decoder
		for _, read := range []func([]byte) (Method, error){ReadMethod, d.ReadMethod} {
			m, err := read(tc.payload)
			if m != nil || !errors.Is(err, tc.want) || ReplyCode(err) != tc.code {
				t.Errorf("%s: got %v, %v (code %d); want %v (%d)", name, m, err, ReplyCode(err), tc.want, tc.code)
			}
		}
	}
}

func TestWriteErrors(t *testing.T) {
	long := strings.Repeat("x", 256)
	for _, m := range []Method{
		&QueueDeclare{Queue: long},
		&BasicPublish{RoutingKey: long},
		&QueueBind{Arguments: Table{{"a", struct{}{}}}},
		&ConnectionStart{ServerProperties: Table{{long, nil}}},
	} {
		dst := []byte("keep")
		got, err := AppendMethodFrame(dst, 1, m)
		if err == nil || string(got) != "keep" {
			t.Errorf("%T: AppendMethodFrame = %q, %v", m, got, err)
		}
	}
}

// TestDecoderReuse checks that the hot-path methods decode into their
// cached structs without allocating.
func TestDecoderReuse(t *testing.T) {
	var d Decoder
	for _, m := range []Method{
		&BasicPublish{Exchange: "ex", RoutingKey: "rk", Mandatory: true},
		&BasicAck{DeliveryTag: 5, Multiple: true},
		&BasicNack{DeliveryTag: 6, Requeue: true},
		&BasicReject{DeliveryTag: 7},
		&BasicQos{PrefetchCount: 10},
	} {
		frame, err := AppendMethodFrame(nil, 1, m)
		if err != nil {
			t.Fatal(err)
		}
		payload := frame[FrameHeaderSize : len(frame)-1]
		first, err := d.ReadMethod(payload)
		if err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(100, func() {
			got, err := d.ReadMethod(payload)
			if err != nil || got != first {
				t.Fatalf("got %p, %v; want the cached %p", got, err, first)
			}
		}); n != 0 {
			t.Errorf("%T: %v allocations per decode", m, n)
		}
	}
}
