// The handshake: protocol header (a wrong one is answered with ours, then
// the socket is closed, as the spec asks), connection.start with RabbitMQ's
// server-properties and capabilities, start-ok with PLAIN or AMQPLAIN,
// tune/tune-ok (the client's non-zero channel-max and frame-max are taken
// when not above ours; its heartbeat is taken as is), open with a vhost.
//
// A failed login is connection.close 403 with RabbitMQ's text, sent
// whatever the client's authentication_failure_close capability says. An
// unknown vhost is connection.close 530 "NOT_ALLOWED - vhost X not found".
// Unlike RabbitMQ, a client frame-max above ours is lowered to ours rather
// than refused. The whole handshake is bounded by HandshakeTimeout.

package amqp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"junction/frontends/amqp/internal/wire"
)

var errHandshake = errors.New("amqp: handshake failed")

// capabilities are the server capabilities RabbitMQ advertises and
// Junction implements.
var capabilities = []string{
	"publisher_confirms", "exchange_exchange_bindings", "basic.nack", "consumer_cancel_notify",
	"connection.blocked", "consumer_priorities", "authentication_failure_close", "per_consumer_qos",
	"direct_reply_to",
}

func (s *Server) serverProperties() wire.Table {
	caps := make(wire.Table, 0, len(capabilities))
	for _, c := range capabilities {
		caps = append(caps, wire.Field{Name: c, Value: true})
	}
	return wire.Table{
		{Name: "capabilities", Value: caps},
		{Name: "cluster_name", Value: "junction"},
		{Name: "copyright", Value: "Junction contributors"},
		{Name: "information", Value: "Junction multi-protocol message broker"},
		{Name: "platform", Value: "Go " + runtime.Version()},
		{Name: "product", Value: "Junction"},
		{Name: "version", Value: s.cfg.Version},
	}
}

// handshake runs the connection from the protocol header to open-ok.
func (c *conn) handshake() error {
	c.nc.SetReadDeadline(time.Now().Add(c.s.cfg.HandshakeTimeout))
	var hdr [8]byte
	if _, err := io.ReadFull(c.br, hdr[:]); err != nil {
		return err
	}
	if err := wire.CheckProtocolHeader(hdr[:]); err != nil {
		b, ok := c.out.begin()
		c.out.end(append(b, wire.ProtocolHeader...), ok)
		c.out.flush()
		return err
	}
	c.out.method(0, &wire.ConnectionStart{
		VersionMajor: 0, VersionMinor: 9,
		ServerProperties: c.s.serverProperties(),
		Mechanisms:       "PLAIN AMQPLAIN",
		Locales:          "en_US",
	})
	c.out.flush()

	m, err := c.handshakeMethod()
	if err != nil {
		return err
	}
	so, ok := m.(*wire.ConnectionStartOk)
	if !ok {
		return c.handshakeError(newErr(wire.CommandInvalid, "expected 'connection.start_ok'"), m)
	}
	c.clientCapabilities(so.ClientProperties)
	user, pass, err := credentials(so.Mechanism, so.Response)
	if err != nil {
		return c.handshakeError(newErr(wire.CommandInvalid, "%v", err), m)
	}
	if want, ok := c.s.cfg.Users[user]; !ok || want != pass {
		c.s.log.Info("login refused", "remote", c.remote, "user", user, "mechanism", so.Mechanism)
		return c.handshakeError(newErr(wire.AccessRefused,
			"Login was refused using authentication mechanism %s. For details see the broker logfile.", so.Mechanism), m)
	}
	c.user = user

	hb := uint16(min(c.s.cfg.Heartbeat/time.Second, 65535))
	c.out.method(0, &wire.ConnectionTune{ChannelMax: uint16(c.s.cfg.ChannelMax), FrameMax: uint32(c.s.cfg.FrameMax), Heartbeat: hb})
	c.out.flush()
	if m, err = c.handshakeMethod(); err != nil {
		return err
	}
	to, ok := m.(*wire.ConnectionTuneOk)
	if !ok {
		return c.handshakeError(newErr(wire.CommandInvalid, "expected 'connection.tune_ok'"), m)
	}
	c.channelMax = c.s.cfg.ChannelMax
	if to.ChannelMax != 0 && int(to.ChannelMax) < c.channelMax {
		c.channelMax = int(to.ChannelMax)
	}
	c.frameMax = c.s.cfg.FrameMax
	if to.FrameMax != 0 && int64(to.FrameMax) < int64(c.frameMax) {
		c.frameMax = max(int(to.FrameMax), wire.FrameMinSize)
	}
	c.heartbeat = time.Duration(to.Heartbeat) * time.Second

	if m, err = c.handshakeMethod(); err != nil {
		return err
	}
	op, ok := m.(*wire.ConnectionOpen)
	if !ok {
		return c.handshakeError(newErr(wire.CommandInvalid, "expected 'connection.open'"), m)
	}
	vh := c.s.vhosts[op.VirtualHost]
	if vh == nil {
		return c.handshakeError(newErr(wire.NotAllowed, "vhost %s not found", op.VirtualHost), m)
	}
	c.vh = vh
	// Open before open-ok leaves: a client may act on open-ok (and a
	// shutdown reach forceClose) before this goroutine runs again.
	c.opened.Store(true)
	c.out.method(0, &wire.ConnectionOpenOk{})
	c.out.flush()
	c.nc.SetReadDeadline(time.Time{})
	return nil
}

// handshakeMethod reads the next method on channel 0, skipping
// heartbeats. A client's connection.close is answered and ends the
// handshake.
func (c *conn) handshakeMethod() (wire.Method, error) {
	for {
		if err := wire.ReadFrame(c.br, &c.frame, c.frameMax); err != nil {
			return nil, err
		}
		switch {
		case c.frame.Type == wire.FrameHeartbeat:
			continue
		case c.frame.Type != wire.FrameMethod || c.frame.Channel != 0:
			return nil, fmt.Errorf("%w: frame type %d on channel %d", errHandshake, c.frame.Type, c.frame.Channel)
		}
		m, err := wire.ReadMethod(c.frame.Payload)
		if err != nil {
			return nil, err
		}
		if _, ok := m.(*wire.ConnectionClose); ok {
			c.out.method(0, &wire.ConnectionCloseOk{})
			c.out.flush()
			return nil, io.EOF
		}
		return m, nil
	}
}

// handshakeError sends connection.close for e, waits briefly for
// close-ok, and fails the handshake.
func (c *conn) handshakeError(e *amqpError, m wire.Method) error {
	if m != nil {
		e.classID, e.methodID = m.ClassID(), m.MethodID()
	}
	c.closeSent.Store(true)
	c.out.method(0, &wire.ConnectionClose{ReplyCode: e.code, ReplyText: e.text, FailClassID: e.classID, FailMethodID: e.methodID})
	c.out.flush()
	c.nc.SetReadDeadline(time.Now().Add(closeTimeout))
	for {
		if err := wire.ReadFrame(c.br, &c.frame, c.frameMax); err != nil {
			break
		}
		if c.whileClosing(&c.frame) {
			break
		}
	}
	return fmt.Errorf("%w: %s", errHandshake, e.text)
}

// clientCapabilities notes what the client said it understands.
func (c *conn) clientCapabilities(props wire.Table) {
	v, _ := props.Get("capabilities")
	caps, _ := v.(wire.Table)
	flag := func(name string) bool {
		b, _ := caps.Get(name)
		t, _ := b.(bool)
		return t
	}
	c.capCancelNotify = flag("consumer_cancel_notify")
	c.capBlocked = flag("connection.blocked")
}

// credentials extracts user and password from a SASL response.
func credentials(mechanism, response string) (user, pass string, err error) {
	switch mechanism {
	case "PLAIN":
		// [authzid] NUL authcid NUL passwd
		parts := strings.SplitN(response, "\x00", 3)
		if len(parts) != 3 {
			return "", "", nil // refused like a wrong password
		}
		return parts[1], parts[2], nil
	case "AMQPLAIN":
		// A field table without its length prefix.
		b := binary.BigEndian.AppendUint32(nil, uint32(len(response)))
		t, err := wire.DecodeTable(append(b, response...))
		if err != nil {
			return "", "", nil
		}
		return tableString(t, "LOGIN"), tableString(t, "PASSWORD"), nil
	}
	return "", "", fmt.Errorf("unknown authentication mechanism '%s'", mechanism)
}

// tableString returns a string or byte-array field as a string.
func tableString(t wire.Table, name string) string {
	v, _ := t.Get(name)
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return ""
}
