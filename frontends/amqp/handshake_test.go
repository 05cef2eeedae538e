package amqp

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"testing/synctest"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"junction/broker/brokertest"
	"junction/frontends/amqp/internal/wire"
)

func TestServerProperties(t *testing.T) {
	e := newEnv(t, withConfig(func(c *Config) { c.Version = "1.2.3" }))
	c := e.dial(t)
	if got := c.Properties["product"]; got != "Junction" {
		t.Errorf("product = %v", got)
	}
	if got := c.Properties["version"]; got != "1.2.3" {
		t.Errorf("version = %v", got)
	}
	caps, _ := c.Properties["capabilities"].(amqp.Table)
	for _, cap := range capabilities {
		if caps[cap] != true {
			t.Errorf("capability %s not advertised", cap)
		}
	}
	if c.Locales[0] != "en_US" {
		t.Errorf("locales = %v", c.Locales)
	}
}

func TestHandshakeRaw(t *testing.T) {
	e := newEnv(t)
	r := rawConnect(t, e.addr())
	r.write([]byte(wire.ProtocolHeader))
	start, ok := r.method().(*wire.ConnectionStart)
	if !ok || start.VersionMajor != 0 || start.VersionMinor != 9 || start.Mechanisms != "PLAIN AMQPLAIN" || start.Locales != "en_US" {
		t.Fatalf("bad connection.start %+v", start)
	}
	// AMQPLAIN: a table without its length prefix.
	tb, _ := wire.AppendTable(nil, wire.Table{{Name: "LOGIN", Value: "guest"}, {Name: "PASSWORD", Value: "guest"}})
	r.send(0, &wire.ConnectionStartOk{Mechanism: "AMQPLAIN", Response: string(tb[4:]), Locale: "en_US"})
	tune, ok := r.method().(*wire.ConnectionTune)
	if !ok || tune.ChannelMax != 2047 || tune.FrameMax != 131072 || tune.Heartbeat != 60 {
		t.Fatalf("bad connection.tune %+v", tune)
	}
	r.send(0, &wire.ConnectionTuneOk{ChannelMax: 2, FrameMax: 4096})
	r.send(0, &wire.ConnectionOpen{VirtualHost: "/"})
	if _, ok := r.method().(*wire.ConnectionOpenOk); !ok {
		t.Fatal("want open-ok")
	}
	// channel-max 2 was taken: channel 3 is out of range.
	r.send(3, &wire.ChannelOpen{})
	r.wantConnClose(wire.ChannelError, "CHANNEL_ERROR - channel id 3")
	r.eof()
}

func TestWrongProtocolHeader(t *testing.T) {
	e := newEnv(t)
	r := rawConnect(t, e.addr())
	r.write([]byte("AMQP\x00\x00\x09\x00"))
	got := make([]byte, 8)
	if _, err := io.ReadFull(r.br, got); err != nil {
		t.Fatal(err)
	}
	if string(got) != wire.ProtocolHeader {
		t.Fatalf("got %q", got)
	}
	r.eof()
}

func TestLoginRefused(t *testing.T) {
	e := newEnv(t, withConfig(func(c *Config) { c.Users = map[string]string{"alice": "secret"} }))
	_, err := amqp.Dial("amqp://guest:guest@" + e.addr() + "/")
	wantErr(t, err, 403, "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile.")
	c, err := amqp.Dial("amqp://alice:secret@" + e.addr() + "/")
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func TestVhosts(t *testing.T) {
	e := newEnv(t, withConfig(func(c *Config) { c.Vhosts = []string{"/", "prod"} }))
	_, err := amqp.Dial("amqp://guest:guest@" + e.addr() + "/nope")
	wantErr(t, err, 530, "NOT_ALLOWED - vhost nope not found")

	// Queues of different vhosts are distinct.
	prod, err := amqp.Dial("amqp://guest:guest@" + e.addr() + "/prod")
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	pch := openChannel(t, prod)
	declare(t, pch, "q", nil)
	publish(t, pch, "", "q", "in prod")
	ch := e.channel(t)
	declare(t, ch, "q", nil)
	publish(t, ch, "", "q", "in root")
	if got := getBody(t, pch, "q"); got != "in prod" {
		t.Fatalf("prod got %q", got)
	}
	if got := getBody(t, ch, "q"); got != "in root" {
		t.Fatalf("root got %q", got)
	}
}

func TestConnectionCloseBothWays(t *testing.T) {
	e := newEnv(t)
	c := e.dial(t)
	if err := c.Close(); err != nil {
		t.Fatalf("client close: %v", err)
	}

	c = e.dial(t)
	notify := c.NotifyClose(make(chan *amqp.Error, 1))
	go e.s.Shutdown(t.Context())
	closedWith(t, notify, 320, "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'")
}

// TestHeartbeats runs in a synctest bubble over net.Pipe, so the
// intervals pass in fake time.
func TestHeartbeats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := brokertest.New(t)
		s := New(Config{Broker: b, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		defer s.Shutdown(context.Background())

		// The client asks for 1s heartbeats and drops the connection if
		// it hears nothing for 1.5s: the idle server must keep it alive.
		client, server := net.Pipe()
		s.startConn(server)
		c, err := amqp.DialConfig("amqp://guest:guest@pipe/", amqp.Config{
			Heartbeat: time.Second,
			Dial:      func(string, string) (net.Conn, error) { return client, nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		notify := c.NotifyClose(make(chan *amqp.Error, 1))
		time.Sleep(30 * time.Second)
		select {
		case err := <-notify:
			t.Fatalf("idle connection closed: %v", err)
		default:
		}
		c.Close()

		// A client that says nothing is dropped after two intervals, having
		// been sent a heartbeat every half interval.
		client, server = net.Pipe()
		s.startConn(server)
		r := &rawClient{t: t, nc: client, br: bufio.NewReader(client)}
		r.write([]byte(wire.ProtocolHeader))
		r.method()
		r.send(0, &wire.ConnectionStartOk{Mechanism: "PLAIN", Response: "\x00guest\x00guest"})
		r.method()
		r.send(0, &wire.ConnectionTuneOk{FrameMax: 131072, Heartbeat: 4})
		r.send(0, &wire.ConnectionOpen{VirtualHost: "/"})
		r.method()
		start := time.Now()
		beats := 0
		for wire.ReadFrame(r.br, &r.f, 1<<20) == nil {
			if r.f.Type == wire.FrameHeartbeat {
				beats++
			}
		}
		if d := time.Since(start); d < 8*time.Second || d > 10*time.Second {
			t.Fatalf("silent client dropped after %v, want 2 intervals (8s)", d)
		}
		if beats < 2 {
			t.Fatalf("server sent %d heartbeats", beats)
		}
		client.Close()
	})
}
