package amqp

import (
	"encoding/binary"
	"testing"

	"junction/frontends/amqp/internal/wire"
)

func TestConnectionErrors(t *testing.T) {
	e := newEnv(t, withConfig(func(c *Config) { c.MaxMessageSize = 1000 }))
	methodFrame := func(channel, class, method uint16, args []byte) []byte {
		b := []byte{wire.FrameMethod, byte(channel >> 8), byte(channel), 0, 0, 0, 0}
		b = binary.BigEndian.AppendUint16(b, class)
		b = binary.BigEndian.AppendUint16(b, method)
		b = append(b, args...)
		binary.BigEndian.PutUint32(b[3:], uint32(len(b)-7))
		return append(b, wire.FrameEnd)
	}
	cases := []struct {
		name   string
		do     func(r *rawClient)
		code   uint16
		prefix string
	}{
		{"method on unopened channel", func(r *rawClient) {
			r.send(5, &wire.QueueDeclare{Queue: "q"})
		}, wire.ChannelError, "CHANNEL_ERROR - expected 'channel.open'"},
		{"second channel.open", func(r *rawClient) {
			r.openChannel(1)
			r.send(1, &wire.ChannelOpen{})
		}, wire.ChannelError, "CHANNEL_ERROR - second 'channel.open' seen"},
		{"content header without publish", func(r *rawClient) {
			r.openChannel(1)
			r.write(wire.AppendHeaderFrame(nil, 1, wire.ClassBasic, 0, []byte{0, 0}))
		}, wire.UnexpectedFrame, "UNEXPECTED_FRAME - expected method frame, got non method frame instead"},
		{"method in the middle of content", func(r *rawClient) {
			r.openChannel(1)
			r.send(1, &wire.BasicPublish{RoutingKey: "q"})
			r.send(1, &wire.BasicQos{PrefetchCount: 1})
		}, wire.UnexpectedFrame, "UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead"},
		{"body beyond announced size", func(r *rawClient) {
			r.openChannel(1)
			r.send(1, &wire.BasicPublish{RoutingKey: "q"})
			r.write(wire.AppendHeaderFrame(nil, 1, wire.ClassBasic, 2, []byte{0, 0}))
			r.write(wire.AppendBodyFrames(nil, 1, []byte("abc"), 4096))
		}, wire.UnexpectedFrame, "UNEXPECTED_FRAME"},
		{"bad frame end", func(r *rawClient) {
			b, _ := wire.AppendMethodFrame(nil, 1, &wire.ChannelOpen{})
			b[len(b)-1] = 0
			r.write(b)
		}, wire.FrameError, "FRAME_ERROR"},
		{"frame too large", func(r *rawClient) {
			r.write([]byte{wire.FrameBody, 0, 1, 0x10, 0, 0, 0})
		}, wire.FrameError, "FRAME_ERROR"},
		{"unknown frame type", func(r *rawClient) {
			r.write([]byte{9, 0, 0, 0, 0, 0, 0, wire.FrameEnd})
		}, wire.FrameError, "FRAME_ERROR"},
		{"unknown method", func(r *rawClient) {
			r.openChannel(1)
			r.write(methodFrame(1, 60, 999, nil))
		}, wire.NotImplemented, "NOT_IMPLEMENTED"},
		{"truncated arguments", func(r *rawClient) {
			r.openChannel(1)
			r.write(methodFrame(1, 50, 10, []byte{0, 0, 5, 'a'}))
		}, wire.SyntaxError, "SYNTAX_ERROR"},
		{"server-only method", func(r *rawClient) {
			r.openChannel(1)
			r.send(1, &wire.BasicDeliver{ConsumerTag: "x", DeliveryTag: 1})
		}, wire.CommandInvalid, "COMMAND_INVALID - unimplemented method"},
		{"heartbeat on a channel", func(r *rawClient) {
			r.write([]byte{wire.FrameHeartbeat, 0, 1, 0, 0, 0, 0, wire.FrameEnd})
		}, wire.FrameError, "FRAME_ERROR - heartbeat frame on channel 1"},
		{"queue method on channel 0", func(r *rawClient) {
			r.send(0, &wire.QueueDeclare{Queue: "q"})
		}, wire.ChannelError, "CHANNEL_ERROR - unexpected method in connection state running"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := dialRaw(t, e.addr())
			tc.do(r)
			r.wantConnClose(tc.code, tc.prefix)
			r.eof()
		})
	}
}

func TestChannelCloseHandshake(t *testing.T) {
	e := newEnv(t, withConfig(func(c *Config) { c.MaxMessageSize = 1000 }))
	r := dialRaw(t, e.addr())
	r.openChannel(1)
	// A channel error: the server closes the channel, ignores frames until
	// close-ok, and the channel id can be opened again.
	r.send(1, &wire.QueueDeclare{Queue: "missing", Passive: true})
	cc := r.wantChanClose(wire.NotFound, "NOT_FOUND - no queue 'missing' in vhost '/'")
	if cc.FailClassID != 50 || cc.FailMethodID != 10 {
		t.Fatalf("close names method %d.%d", cc.FailClassID, cc.FailMethodID)
	}
	r.send(1, &wire.QueueDeclare{Queue: "ignored"})
	r.send(1, &wire.ChannelCloseOk{})
	r.openChannel(1)
	r.send(1, &wire.QueueDeclare{Queue: "ignored", Passive: true})
	r.wantChanClose(wire.NotFound, "NOT_FOUND - no queue 'ignored'")
	r.send(1, &wire.ChannelCloseOk{})

	// Oversized messages close the channel as the header announces them;
	// their body frames are ignored.
	r.openChannel(2)
	r.send(2, &wire.BasicPublish{RoutingKey: "q"})
	r.write(wire.AppendHeaderFrame(nil, 2, wire.ClassBasic, 2000, []byte{0, 0}))
	r.write(wire.AppendBodyFrames(nil, 2, make([]byte, 2000), 4096))
	r.wantChanClose(wire.PreconditionFailed, "PRECONDITION_FAILED - message size 2000 larger than max size 1000")
	r.send(2, &wire.ChannelCloseOk{})

	// Client-initiated close.
	r.openChannel(3)
	r.send(3, &wire.ChannelClose{ReplyCode: 200, ReplyText: "bye"})
	if _, ok := r.method().(*wire.ChannelCloseOk); !ok {
		t.Fatal("want channel.close-ok")
	}
	r.send(0, &wire.ConnectionClose{ReplyCode: 200})
	if _, ok := r.method().(*wire.ConnectionCloseOk); !ok {
		t.Fatal("want connection.close-ok")
	}
	r.eof()
}
