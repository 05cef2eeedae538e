// Class channel (20): open/open-ok, flow/flow-ok (both directions; RabbitMQ
// no longer sends flow but acks it) and close/close-ok (both directions).
// ClassID, MethodID, Read and Write implement Method and are documented
// there.
package wire

// ChannelOpen (20.10, client → server) opens the frame's channel.
type ChannelOpen struct {
	Reserved1 string // out-of-band, unused
}

func (*ChannelOpen) ClassID() uint16  { return ClassChannel }
func (*ChannelOpen) MethodID() uint16 { return 10 }

func (m *ChannelOpen) Read(b []byte) error {
	r := reader{b: b}
	r.shortStr(&m.Reserved1)
	return r.end()
}

func (m *ChannelOpen) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.shortStr(m.Reserved1)
	return e.result()
}

// ChannelOpenOk (20.11, server → client) confirms channel.open.
type ChannelOpenOk struct {
	Reserved1 string // channel-id longstr, unused
}

func (*ChannelOpenOk) ClassID() uint16  { return ClassChannel }
func (*ChannelOpenOk) MethodID() uint16 { return 11 }

func (m *ChannelOpenOk) Read(b []byte) error {
	r := reader{b: b}
	r.longStr(&m.Reserved1)
	return r.end()
}

func (m *ChannelOpenOk) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.longStr(m.Reserved1)
	return e.result()
}

// ChannelFlow (20.20, both directions) asks the peer to pause (false) or
// resume (true) sending content.
type ChannelFlow struct {
	Active bool
}

func (*ChannelFlow) ClassID() uint16  { return ClassChannel }
func (*ChannelFlow) MethodID() uint16 { return 20 }

func (m *ChannelFlow) Read(b []byte) error {
	r := reader{b: b}
	m.Active = bit(r.u8(), 0)
	return r.end()
}

func (m *ChannelFlow) Write(dst []byte) ([]byte, error) {
	return append(dst, bits(m.Active)), nil
}

// ChannelFlowOk (20.21, both directions) confirms channel.flow with the
// resulting state.
type ChannelFlowOk struct {
	Active bool
}

func (*ChannelFlowOk) ClassID() uint16  { return ClassChannel }
func (*ChannelFlowOk) MethodID() uint16 { return 21 }

func (m *ChannelFlowOk) Read(b []byte) error {
	r := reader{b: b}
	m.Active = bit(r.u8(), 0)
	return r.end()
}

func (m *ChannelFlowOk) Write(dst []byte) ([]byte, error) {
	return append(dst, bits(m.Active)), nil
}

// ChannelClose (20.40, both directions) closes the channel; the server
// sends it for channel-level errors (403, 404, 405, 406). Its arguments are
// connection.close's: reply code and text, and the failing method's ids.
type ChannelClose ConnectionClose

func (*ChannelClose) ClassID() uint16  { return ClassChannel }
func (*ChannelClose) MethodID() uint16 { return 40 }

func (m *ChannelClose) Read(b []byte) error { return (*ConnectionClose)(m).Read(b) }

func (m *ChannelClose) Write(dst []byte) ([]byte, error) { return (*ConnectionClose)(m).Write(dst) }

// ChannelCloseOk (20.41, both directions) confirms channel.close.
type ChannelCloseOk struct{ noArgs }

func (*ChannelCloseOk) ClassID() uint16  { return ClassChannel }
func (*ChannelCloseOk) MethodID() uint16 { return 41 }
