package kafka

import (
	"encoding/binary"
	"net"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestMalformedFramesCloseOnlyThatConnection(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxFrameBytes = 1 << 20 })
	e.createTopic("ok", 1)
	healthy := e.client(kgo.DefaultProduceTopic("ok"))
	produce := func() {
		t.Helper()
		if err := healthy.ProduceSync(ctxT(t), kgo.StringRecord("still fine")).FirstErr(); err != nil {
			t.Fatalf("healthy client: %v", err)
		}
	}
	produce()

	frame := func(body []byte) []byte {
		return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)
	}
	header := func(key, version int16, clientIDLen int16) []byte {
		b := binary.BigEndian.AppendUint16(nil, uint16(key))
		b = binary.BigEndian.AppendUint16(b, uint16(version))
		b = binary.BigEndian.AppendUint32(b, 1)
		return binary.BigEndian.AppendUint16(b, uint16(clientIDLen))
	}
	metadataBody := kmsg.NewRequestFormatter().AppendRequest(nil, func() kmsg.Request {
		r := kmsg.NewPtrMetadataRequest()
		r.SetVersion(12)
		return r
	}(), 1)[4:]
	cases := []struct {
		name     string
		bytes    []byte
		halfOpen bool // close our write side after sending
	}{
		{"negative size", []byte{0xff, 0xff, 0xff, 0xff}, false},
		{"2 GB size", []byte{0x7f, 0xff, 0xff, 0xff}, false},
		{"over max frame", binary.BigEndian.AppendUint32(nil, 2<<20), false},
		{"short header", frame([]byte{0, 3, 0, 1, 0}), false},
		{"unknown key", frame(header(999, 0, -1)), false},
		{"negative key", frame(header(-5, 0, -1)), false},
		{"bad client id length", frame(header(3, 1, 50)), false},
		{"garbage body", frame(append(header(3, 12, -1), 0xde, 0xad, 0xbe, 0xef, 0x99)), false},
		{"truncated body", frame(metadataBody)[:len(metadataBody)-3], true},
		{"truncated size", []byte{0, 0}, true},
		{"bad tags", frame(append(header(3, 12, -1), 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f)), false},
	}
	for _, c := range cases {
		rc := e.raw()
		if _, err := rc.c.Write(c.bytes); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if c.halfOpen {
			rc.c.(*net.TCPConn).CloseWrite()
		}
		if !rc.closed() {
			t.Fatalf("%s: connection still open", c.name)
		}
		produce()
	}
	// And a well-formed request on a new connection still works.
	rc := e.raw()
	if r := do[*kmsg.MetadataResponse](rc, kmsg.NewPtrMetadataRequest(), 12); len(r.Topics) != 1 {
		t.Fatalf("metadata: %+v", r)
	}
}
