package wire

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"
)

func frameBytes(typ uint8, channel uint16, payload []byte) []byte {
	start := 0
	b := appendFrameHeader(nil, typ, channel)
	b = append(b, payload...)
	return finishFrame(b, start)
}

func newReader(b []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(b)) }

func TestReadFrame(t *testing.T) {
	var stream []byte
	stream = frameBytes(FrameMethod, 0, []byte{0, 10, 0, 51})
	stream = append(stream, frameBytes(FrameBody, 65535, bytes.Repeat([]byte{7}, 4088))...)
	stream = AppendHeartbeat(stream)
	stream = append(stream, frameBytes(FrameHeader, 1, nil)...)

	r := newReader(stream)
	var f Frame
	for i, want := range []Frame{
		{FrameMethod, 0, []byte{0, 10, 0, 51}},
		{FrameBody, 65535, bytes.Repeat([]byte{7}, 4088)},
		{FrameHeartbeat, 0, []byte{}},
		{FrameHeader, 1, []byte{}},
	} {
		if err := ReadFrame(r, &f, 0); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if f.Type != want.Type || f.Channel != want.Channel || !bytes.Equal(f.Payload, want.Payload) {
			t.Fatalf("frame %d: got %d/%d/%d octets, want %d/%d/%d octets", i,
				f.Type, f.Channel, len(f.Payload), want.Type, want.Channel, len(want.Payload))
		}
	}
	if err := ReadFrame(r, &f, 0); err != io.EOF {
		t.Fatalf("at end: err = %v, want io.EOF", err)
	}
}

func TestReadFrameErrors(t *testing.T) {
	good := frameBytes(FrameMethod, 1, make([]byte, 100))
	badEnd := append([]byte(nil), good...)
	badEnd[len(badEnd)-1] = 0
	for name, tc := range map[string]struct {
		in       []byte
		frameMax int
		want     error
		code     uint16
	}{
		"bad frame end":       {badEnd, 0, ErrFrameEnd, FrameError},
		"unknown type":        {frameBytes(4, 0, nil), 0, ErrFrameType, FrameError},
		"type 0":              {frameBytes(0, 0, nil), 0, ErrFrameType, FrameError},
		"over frame-max":      {frameBytes(FrameBody, 1, make([]byte, 4089)), 4096, ErrFrameTooLarge, FrameError},
		"below minimum":       {frameBytes(FrameBody, 1, make([]byte, 4089)), 100, ErrFrameTooLarge, FrameError},
		"4 GiB":               {[]byte{FrameBody, 0, 1, 0xff, 0xff, 0xff, 0xff}, DefaultFrameMax, ErrFrameTooLarge, FrameError},
		"truncated header":    {good[:5], 0, io.ErrUnexpectedEOF, 0},
		"truncated payload":   {good[:50], 0, io.ErrUnexpectedEOF, 0},
		"missing frame end":   {good[:len(good)-1], 0, io.ErrUnexpectedEOF, 0},
		"header of HTTP GET ": {[]byte("GET / HTTP/1.1\r\n"), 0, ErrFrameType, FrameError},
	} {
		t.Run(name, func(t *testing.T) {
			var f Frame
			err := ReadFrame(newReader(tc.in), &f, tc.frameMax)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if ReplyCode(err) != tc.code {
				t.Fatalf("ReplyCode = %d, want %d", ReplyCode(err), tc.code)
			}
			// Allocation is bounded by frame-max, never by the size field.
			if cap(f.Payload) > maxPayload(tc.frameMax) {
				t.Fatalf("allocated a %d-octet payload", cap(f.Payload))
			}
		})
	}

	// Exactly frame-max is fine.
	var f Frame
	if err := ReadFrame(newReader(frameBytes(FrameBody, 1, make([]byte, 4088))), &f, 4096); err != nil {
		t.Fatal(err)
	}
	if err := ReadFrame(newReader(frameBytes(FrameBody, 1, make([]byte, 131064))), &f, DefaultFrameMax); err != nil {
		t.Fatal(err)
	}
}

// TestReadFrameNoAllocs checks that a warm Frame reads without allocating.
func TestReadFrameNoAllocs(t *testing.T) {
	one := frameBytes(FrameBody, 3, make([]byte, 1000))
	src := &loopReader{data: one}
	r := bufio.NewReader(src)
	var f Frame
	if err := ReadFrame(r, &f, 0); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(1000, func() {
		if err := ReadFrame(r, &f, 0); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("%v allocations per frame", n)
	}
}

// loopReader returns data over and over.
type loopReader struct {
	data []byte
	off  int
}

func (l *loopReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], l.data[l.off:])
		n += c
		l.off = (l.off + c) % len(l.data)
	}
	return n, nil
}

func TestProtocolHeader(t *testing.T) {
	if err := CheckProtocolHeader([]byte("AMQP\x00\x00\x09\x01")); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"AMQP\x01\x01\x00\x09", "AMQP\x00\x00\x09\x00", "AMQP\x00\x01\x00\x00", "GET / HT", "AMQP"} {
		if err := CheckProtocolHeader([]byte(h)); !errors.Is(err, ErrProtocolHeader) || ReplyCode(err) != 0 {
			t.Errorf("%q: err = %v", h, err)
		}
	}
}

func TestReplyCode(t *testing.T) {
	if ReplyCode(nil) != 0 || ReplyCode(io.EOF) != 0 || ReplyCode(ErrShortString) != 0 {
		t.Fatal("non-protocol errors must map to 0")
	}
	if ReplyText(NotFound) != "NOT_FOUND" || ReplyText(ContentTooLarge) != "CONTENT_TOO_LARGE" || ReplyText(1) != "" {
		t.Fatal("ReplyText")
	}
}
