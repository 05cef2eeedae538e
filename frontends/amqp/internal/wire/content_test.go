package wire

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
)

// message is one content-carrying method read back from frames.
type message struct {
	method Method
	header ContentHeader
	body   []byte
	frames int // body frames
}

// readMessage reads a method frame, a header frame and body frames,
// checking each against frameMax and the channel.
func readMessage(t *testing.T, r *bufio.Reader, channel uint16, frameMax int) message {
	t.Helper()
	var f Frame
	var msg message
	next := func(typ uint8) {
		t.Helper()
		if err := ReadFrame(r, &f, frameMax); err != nil {
			t.Fatal(err)
		}
		if f.Type != typ || f.Channel != channel {
			t.Fatalf("got frame type %d on channel %d, want %d on %d", f.Type, f.Channel, typ, channel)
		}
	}
	next(FrameMethod)
	m, err := ReadMethod(f.Payload)
	if err != nil {
		t.Fatal(err)
	}
	msg.method = m
	next(FrameHeader)
	if err := ReadContentHeader(f.Payload, &msg.header); err != nil {
		t.Fatal(err)
	}
	msg.header.Properties = bytes.Clone(msg.header.Properties)
	msg.body = []byte{}
	for uint64(len(msg.body)) < msg.header.BodySize {
		next(FrameBody)
		msg.body = append(msg.body, f.Payload...)
		msg.frames++
	}
	return msg
}

func TestAppendDeliver(t *testing.T) {
	p := allProperties()
	props := EncodeProperties(nil, &p)
	for _, size := range []int{0, 1, 4088, 4089, 10000, 3*4088 + 1} {
		for _, frameMax := range []int{0, 4096, DefaultFrameMax} {
			t.Run(fmt.Sprintf("body=%d/frameMax=%d", size, frameMax), func(t *testing.T) {
				body := bytes.Repeat([]byte("0123456789"), size/10+1)[:size]
				b := AppendDeliver([]byte("prefix"), 9, "ctag", 1<<33, true, "ex", "rk", props, body, frameMax)
				if !bytes.HasPrefix(b, []byte("prefix")) {
					t.Fatal("did not append")
				}
				r := newReader(b[len("prefix"):])
				msg := readMessage(t, r, 9, frameMax)
				want := &BasicDeliver{ConsumerTag: "ctag", DeliveryTag: 1 << 33, Redelivered: true, Exchange: "ex", RoutingKey: "rk"}
				if !reflect.DeepEqual(msg.method, want) {
					t.Fatalf("method %#v", msg.method)
				}
				if msg.header.ClassID != ClassBasic || msg.header.Weight != 0 || msg.header.BodySize != uint64(size) {
					t.Fatalf("header %+v", msg.header)
				}
				if !bytes.Equal(msg.header.Properties, props) || !bytes.Equal(msg.body, body) {
					t.Fatal("properties or body differ")
				}
				limit := maxPayload(frameMax)
				if wantFrames := (size + limit - 1) / limit; msg.frames != wantFrames {
					t.Fatalf("%d body frames, want %d", msg.frames, wantFrames)
				}
				if _, err := r.ReadByte(); err != io.EOF {
					t.Fatal("octets left after the message")
				}

				// The Writer produces the same octets.
				var buf bytes.Buffer
				bw := bufio.NewWriter(&buf)
				w := NewWriter(bw)
				w.SetFrameMax(frameMax)
				if err := w.WriteContent(9, want, props, body); err != nil {
					t.Fatal(err)
				}
				bw.Flush()
				if !bytes.Equal(buf.Bytes(), b[len("prefix"):]) {
					t.Fatal("Writer.WriteContent differs from AppendDeliver")
				}
			})
		}
	}
}

func TestAppendDeliverNoAllocs(t *testing.T) {
	p := allProperties()
	props := EncodeProperties(nil, &p)
	body := make([]byte, 10000)
	dst := AppendDeliver(nil, 1, "ctag", 1, false, "ex", "rk", props, body, 4096)
	if n := testing.AllocsPerRun(100, func() {
		dst = AppendDeliver(dst[:0], 1, "ctag", 1, false, "ex", "rk", props, body, 4096)
	}); n != 0 {
		t.Fatalf("%v allocations", n)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("no panic on a 256-octet routing key")
		}
	}()
	AppendDeliver(nil, 1, "ctag", 1, false, "ex", strings.Repeat("k", 256), props, body, 0)
}

func TestReadContentHeader(t *testing.T) {
	p := Properties{Present: FlagContentType, ContentType: "text/plain"}
	frame := AppendHeaderFrame(nil, 1, ClassBasic, 5, EncodeProperties(nil, &p))
	payload := frame[FrameHeaderSize : len(frame)-1]
	var h ContentHeader
	if err := ReadContentHeader(payload, &h); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _ = ReadContentHeader(payload, &h) }); n != 0 {
		t.Fatalf("%v allocations", n)
	}
	got, err := DecodeProperties(h.Properties)
	if err != nil || !reflect.DeepEqual(got, p) || h.BodySize != 5 || h.ClassID != ClassBasic {
		t.Fatalf("got %+v, %+v, %v", h, got, err)
	}

	for name, payload := range map[string][]byte{
		"short":          {0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0x80},
		"bad properties": {0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0x80, 0x00, 9, 'a'},
		"unknown flag":   {0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0x00, 0x02},
	} {
		if err := ReadContentHeader(payload, &h); !errors.Is(err, ErrSyntax) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	// Other classes are the caller's to reject.
	if err := ReadContentHeader([]byte{0, 50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0x00, 0x02}, &h); err != nil || h.ClassID != 50 {
		t.Fatalf("class 50: %v", err)
	}
}

func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	w := NewWriter(bw)
	if w.FrameMax() != FrameMinSize {
		t.Fatalf("initial frame-max %d", w.FrameMax())
	}
	p := allProperties()
	tune := &ConnectionTune{ChannelMax: 2047, FrameMax: 8192, Heartbeat: 60}
	if err := w.WriteMethod(0, tune); err != nil {
		t.Fatal(err)
	}
	w.SetFrameMax(8192)
	body := make([]byte, 9000)
	for _, err := range []error{
		w.WriteMethod(1, &BasicPublish{Exchange: "ex", RoutingKey: "rk"}),
		w.WriteHeader(1, ClassBasic, uint64(len(body)), &p),
		w.WriteBody(1, body),
		w.WriteHeartbeat(),
		w.WriteFrames(AppendDeliver(nil, 2, "c", 1, false, "", "q", EncodeProperties(nil, &p), nil, 8192)),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}

	// Refused frames write nothing.
	n := bw.Buffered()
	huge := &ConnectionStart{Mechanisms: strings.Repeat("x", 9000)}
	if err := w.WriteMethod(0, huge); !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("oversized method: err = %v", err)
	}
	if err := w.WriteMethod(0, &QueueDeclare{Queue: strings.Repeat("q", 256)}); !errors.Is(err, ErrShortString) {
		t.Fatalf("unencodable method: err = %v", err)
	}
	bigHeaders := Properties{Present: FlagHeaders, Headers: Table{{"h", strings.Repeat("x", 9000)}}}
	if err := w.WriteHeader(1, ClassBasic, 0, &bigHeaders); !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("oversized header: err = %v", err)
	}
	if bw.Buffered() != n {
		t.Fatal("a refused frame was written")
	}
	bw.Flush()

	r := newReader(buf.Bytes())
	var f Frame
	if err := ReadFrame(r, &f, 8192); err != nil {
		t.Fatal(err)
	}
	if m, err := ReadMethod(f.Payload); err != nil || !reflect.DeepEqual(m, tune) {
		t.Fatalf("tune: %#v, %v", m, err)
	}
	msg := readMessage(t, r, 1, 8192)
	if got, err := DecodeProperties(msg.header.Properties); err != nil || !reflect.DeepEqual(got, p) {
		t.Fatalf("properties: %v", err)
	}
	if msg.frames != 2 || !bytes.Equal(msg.body, body) {
		t.Fatalf("%d body frames", msg.frames)
	}
	if err := ReadFrame(r, &f, 8192); err != nil || f.Type != FrameHeartbeat || f.Channel != 0 || len(f.Payload) != 0 {
		t.Fatalf("heartbeat: %+v, %v", f, err)
	}
	if msg := readMessage(t, r, 2, 8192); msg.frames != 0 || msg.header.BodySize != 0 {
		t.Fatalf("empty delivery: %+v", msg)
	}
	if err := ReadFrame(r, &f, 8192); err != io.EOF {
		t.Fatalf("trailing frame: %v", err)
	}
}

func TestWriterNoAllocs(t *testing.T) {
	w := NewWriter(bufio.NewWriterSize(io.Discard, 1<<16))
	w.SetFrameMax(DefaultFrameMax)
	p := allProperties()
	props := EncodeProperties(nil, &p)
	body := make([]byte, 200000)
	m := &BasicGetOk{DeliveryTag: 1, Exchange: "ex", RoutingKey: "rk", MessageCount: 3}
	run := func() {
		if err := w.WriteContent(1, m, props, body); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteHeader(1, ClassBasic, 0, &p); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteHeartbeat(); err != nil {
			t.Fatal(err)
		}
	}
	run()
	if n := testing.AllocsPerRun(100, run); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}
