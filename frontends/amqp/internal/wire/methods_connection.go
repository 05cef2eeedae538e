// Class connection (10): start/start-ok, secure/secure-ok, tune/tune-ok,
// open/open-ok, close/close-ok, blocked/unblocked (RabbitMQ extension) and
// update-secret/update-secret-ok (RabbitMQ extension). All travel on
// channel 0. Fields marked reserved are kept so that decoding and
// re-encoding reproduce the wire bytes. ClassID, MethodID, Read and Write
// implement Method and are documented there.
package wire

// ConnectionStart (10.10, server → client) opens the handshake.
type ConnectionStart struct {
	VersionMajor     uint8  // 0
	VersionMinor     uint8  // 9
	ServerProperties Table  // product, version, capabilities …
	Mechanisms       string // space-separated SASL mechanisms, e.g. "PLAIN AMQPLAIN"
	Locales          string // space-separated, e.g. "en_US"
}

func (*ConnectionStart) ClassID() uint16  { return ClassConnection }
func (*ConnectionStart) MethodID() uint16 { return 10 }

func (m *ConnectionStart) Read(b []byte) error {
	r := reader{b: b}
	m.VersionMajor = r.u8()
	m.VersionMinor = r.u8()
	m.ServerProperties = r.table(0)
	r.longStr(&m.Mechanisms)
	r.longStr(&m.Locales)
	return r.end()
}

func (m *ConnectionStart) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.u8(m.VersionMajor)
	e.u8(m.VersionMinor)
	e.table(m.ServerProperties)
	e.longStr(m.Mechanisms)
	e.longStr(m.Locales)
	return e.result()
}

// ConnectionStartOk (10.11, client → server) picks a SASL mechanism and
// carries the client's first response (for PLAIN: "\x00user\x00password").
type ConnectionStartOk struct {
	ClientProperties Table // product, version, capabilities, connection_name …
	Mechanism        string
	Response         string // longstr: binary SASL response
	Locale           string
}

func (*ConnectionStartOk) ClassID() uint16  { return ClassConnection }
func (*ConnectionStartOk) MethodID() uint16 { return 11 }

func (m *ConnectionStartOk) Read(b []byte) error {
	r := reader{b: b}
	m.ClientProperties = r.table(0)
	r.shortStr(&m.Mechanism)
	r.longStr(&m.Response)
	r.shortStr(&m.Locale)
	return r.end()
}

func (m *ConnectionStartOk) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.table(m.ClientProperties)
	e.shortStr(m.Mechanism)
	e.longStr(m.Response)
	e.shortStr(m.Locale)
	return e.result()
}

// ConnectionSecure (10.20, server → client) is a SASL challenge. Never send
// it for PLAIN: amqplib aborts the handshake.
type ConnectionSecure struct {
	Challenge string // longstr
}

func (*ConnectionSecure) ClassID() uint16  { return ClassConnection }
func (*ConnectionSecure) MethodID() uint16 { return 20 }

func (m *ConnectionSecure) Read(b []byte) error {
	r := reader{b: b}
	r.longStr(&m.Challenge)
	return r.end()
}

func (m *ConnectionSecure) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.longStr(m.Challenge)
	return e.result()
}

// ConnectionSecureOk (10.21, client → server) answers a SASL challenge.
type ConnectionSecureOk struct {
	Response string // longstr
}

func (*ConnectionSecureOk) ClassID() uint16  { return ClassConnection }
func (*ConnectionSecureOk) MethodID() uint16 { return 21 }

func (m *ConnectionSecureOk) Read(b []byte) error {
	r := reader{b: b}
	r.longStr(&m.Response)
	return r.end()
}

func (m *ConnectionSecureOk) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.longStr(m.Response)
	return e.result()
}

// ConnectionTune (10.30, server → client) proposes limits; 0 means no
// limit (for FrameMax, offer a real limit such as DefaultFrameMax).
type ConnectionTune struct {
	ChannelMax uint16 // highest channel number
	FrameMax   uint32 // largest frame, header and frame-end included
	Heartbeat  uint16 // seconds; 0 disables heartbeats
}

func (*ConnectionTune) ClassID() uint16  { return ClassConnection }
func (*ConnectionTune) MethodID() uint16 { return 30 }

func (m *ConnectionTune) Read(b []byte) error {
	r := reader{b: b}
	m.ChannelMax = r.u16()
	m.FrameMax = r.u32()
	m.Heartbeat = r.u16()
	return r.end()
}

func (m *ConnectionTune) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.u16(m.ChannelMax)
	e.u32(m.FrameMax)
	e.u16(m.Heartbeat)
	return e.result()
}

// ConnectionTuneOk (10.31, client → server) is the client's choice of
// limits, which must not exceed the server's non-zero proposals.
type ConnectionTuneOk struct {
	ChannelMax uint16
	FrameMax   uint32
	Heartbeat  uint16
}

func (*ConnectionTuneOk) ClassID() uint16  { return ClassConnection }
func (*ConnectionTuneOk) MethodID() uint16 { return 31 }

func (m *ConnectionTuneOk) Read(b []byte) error {
	r := reader{b: b}
	m.ChannelMax = r.u16()
	m.FrameMax = r.u32()
	m.Heartbeat = r.u16()
	return r.end()
}

func (m *ConnectionTuneOk) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.u16(m.ChannelMax)
	e.u32(m.FrameMax)
	e.u16(m.Heartbeat)
	return e.result()
}

// ConnectionOpen (10.40, client → server) selects the virtual host.
type ConnectionOpen struct {
	VirtualHost string
	Reserved1   string // capabilities, unused
	Reserved2   bool   // insist, unused
}

func (*ConnectionOpen) ClassID() uint16  { return ClassConnection }
func (*ConnectionOpen) MethodID() uint16 { return 40 }

func (m *ConnectionOpen) Read(b []byte) error {
	r := reader{b: b}
	r.shortStr(&m.VirtualHost)
	r.shortStr(&m.Reserved1)
	m.Reserved2 = bit(r.u8(), 0)
	return r.end()
}

func (m *ConnectionOpen) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.shortStr(m.VirtualHost)
	e.shortStr(m.Reserved1)
	e.u8(bits(m.Reserved2))
	return e.result()
}

// ConnectionOpenOk (10.41, server → client) completes the handshake.
type ConnectionOpenOk struct {
	Reserved1 string // known-hosts, unused
}

func (*ConnectionOpenOk) ClassID() uint16  { return ClassConnection }
func (*ConnectionOpenOk) MethodID() uint16 { return 41 }

func (m *ConnectionOpenOk) Read(b []byte) error {
	r := reader{b: b}
	r.shortStr(&m.Reserved1)
	return r.end()
}

func (m *ConnectionOpenOk) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.shortStr(m.Reserved1)
	return e.result()
}

// ConnectionClose (10.50, both directions) closes the connection; the
// failing method's ids are 0 when no method caused it.
type ConnectionClose struct {
	ReplyCode    uint16 // ReplySuccess, or a 5xx/3xx code
	ReplyText    string // by RabbitMQ convention starts with ReplyText(code)
	FailClassID  uint16 // class of the method that caused the close
	FailMethodID uint16 // id of the method that caused the close
}

func (*ConnectionClose) ClassID() uint16  { return ClassConnection }
func (*ConnectionClose) MethodID() uint16 { return 50 }

func (m *ConnectionClose) Read(b []byte) error {
	r := reader{b: b}
	m.ReplyCode = r.u16()
	r.shortStr(&m.ReplyText)
	m.FailClassID = r.u16()
	m.FailMethodID = r.u16()
	return r.end()
}

func (m *ConnectionClose) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.u16(m.ReplyCode)
	e.shortStr(m.ReplyText)
	e.u16(m.FailClassID)
	e.u16(m.FailMethodID)
	return e.result()
}

// ConnectionCloseOk (10.51, both directions) confirms a connection.close.
type ConnectionCloseOk struct{ noArgs }

func (*ConnectionCloseOk) ClassID() uint16  { return ClassConnection }
func (*ConnectionCloseOk) MethodID() uint16 { return 51 }

// ConnectionBlocked (10.60, server → client) says the server stopped
// reading publishes (resource alarm); clients advertise support with the
// connection.blocked capability.
type ConnectionBlocked struct {
	Reason string
}

func (*ConnectionBlocked) ClassID() uint16  { return ClassConnection }
func (*ConnectionBlocked) MethodID() uint16 { return 60 }

func (m *ConnectionBlocked) Read(b []byte) error {
	r := reader{b: b}
	r.shortStr(&m.Reason)
	return r.end()
}

func (m *ConnectionBlocked) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.shortStr(m.Reason)
	return e.result()
}

// ConnectionUnblocked (10.61, server → client) ends a connection.blocked.
type ConnectionUnblocked struct{ noArgs }

func (*ConnectionUnblocked) ClassID() uint16  { return ClassConnection }
func (*ConnectionUnblocked) MethodID() uint16 { return 61 }

// ConnectionUpdateSecret (10.70, client → server) replaces the connection's
// credentials (e.g. a refreshed OAuth token).
type ConnectionUpdateSecret struct {
	NewSecret string // longstr
	Reason    string
}

func (*ConnectionUpdateSecret) ClassID() uint16  { return ClassConnection }
func (*ConnectionUpdateSecret) MethodID() uint16 { return 70 }

func (m *ConnectionUpdateSecret) Read(b []byte) error {
	r := reader{b: b}
	r.longStr(&m.NewSecret)
	r.shortStr(&m.Reason)
	return r.end()
}

func (m *ConnectionUpdateSecret) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.longStr(m.NewSecret)
	e.shortStr(m.Reason)
	return e.result()
}

// ConnectionUpdateSecretOk (10.71, server → client) accepts the new secret.
type ConnectionUpdateSecretOk struct{ noArgs }

func (*ConnectionUpdateSecretOk) ClassID() uint16  { return ClassConnection }
func (*ConnectionUpdateSecretOk) MethodID() uint16 { return 71 }
