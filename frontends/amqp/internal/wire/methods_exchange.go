// Class exchange (40): declare/declare-ok, delete/delete-ok and the
// RabbitMQ exchange-to-exchange bindings bind/bind-ok and unbind/unbind-ok
// (unbind-ok is 40.51 in RabbitMQ, not 40.41). Reserved1 is the unused
// access ticket. ClassID, MethodID, Read and Write implement Method and are
// documented there.
package wire

// ExchangeDeclare (40.10, client → server) creates an exchange or, with
// Passive, checks that it exists.
type ExchangeDeclare struct {
	Reserved1  uint16
	Exchange   string
	Type       string // direct, fanout, topic, headers, x-…
	Passive    bool
	Durable    bool
	AutoDelete bool
	Internal   bool
	NoWait     bool
	Arguments  Table // alternate-exchange …
}

func (*ExchangeDeclare) ClassID() uint16  { return ClassExchange }
func (*ExchangeDeclare) MethodID() uint16 { return 10 }

func (m *ExchangeDeclare) Read(b []byte) error {
	r := reader{b: b}
	m.Reserved1 = r.u16()
	r.shortStr(&m.Exchange)
	r.shortStr(&m.Type)
	o := r.u8()
	m.Passive, m.Durable, m.AutoDelete, m.Internal, m.NoWait = bit(o, 0), bit(o, 1), bit(o, 2), bit(o, 3), bit(o, 4)
	m.Arguments = r.table(0)
	return r.end()
}

func (m *ExchangeDeclare) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.u16(m.Reserved1)
	e.shortStr(m.Exchange)
	e.shortStr(m.Type)
	e.u8(bits(m.Passive, m.Durable, m.AutoDelete, m.Internal, m.NoWait))
	e.table(m.Arguments)
	return e.result()
}

// ExchangeDeclareOk (40.11, server → client) confirms exchange.declare.
type ExchangeDeclareOk struct{ noArgs }

func (*ExchangeDeclareOk) ClassID() uint16  { return ClassExchange }
func (*ExchangeDeclareOk) MethodID() uint16 { return 11 }

// ExchangeDelete (40.20, client → server) deletes an exchange.
type ExchangeDelete struct {
	Reserved1 uint16
	Exchange  string
	IfUnused  bool
	NoWait    bool
}

func (*ExchangeDelete) ClassID() uint16  { return ClassExchange }
func (*ExchangeDelete) MethodID() uint16 { return 20 }

func (m *ExchangeDelete) Read(b []byte) error {
	r := reader{b: b}
	m.Reserved1 = r.u16()
	r.shortStr(&m.Exchange)
	o := r.u8()
	m.IfUnused, m.NoWait = bit(o, 0), bit(o, 1)
	return r.end()
}

func (m *ExchangeDelete) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.u16(m.Reserved1)
	e.shortStr(m.Exchange)
	e.u8(bits(m.IfUnused, m.NoWait))
	return e.result()
}

// ExchangeDeleteOk (40.21, server → client) confirms exchange.delete.
type ExchangeDeleteOk struct{ noArgs }

func (*ExchangeDeleteOk) ClassID() uint16  { return ClassExchange }
func (*ExchangeDeleteOk) MethodID() uint16 { return 21 }

// ExchangeBind (40.30, client → server) binds exchange Destination to
// exchange Source.
type ExchangeBind struct {
	Reserved1   uint16
	Destination string
	Source      string
	RoutingKey  string
	NoWait      bool
	Arguments   Table
}

func (*ExchangeBind) ClassID() uint16  { return ClassExchange }
func (*ExchangeBind) MethodID() uint16 { return 30 }

func (m *ExchangeBind) Read(b []byte) error {
	r := reader{b: b}
	m.Reserved1 = r.u16()
	r.shortStr(&m.Destination)
	r.shortStr(&m.Source)
	r.shortStr(&m.RoutingKey)
	m.NoWait = bit(r.u8(), 0)
	m.Arguments = r.table(0)
	return r.end()
}

func (m *ExchangeBind) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.u16(m.Reserved1)
	e.shortStr(m.Destination)
	e.shortStr(m.Source)
	e.shortStr(m.RoutingKey)
	e.u8(bits(m.NoWait))
	e.table(m.Arguments)
	return e.result()
}

// ExchangeBindOk (40.31, server → client) confirms exchange.bind.
type ExchangeBindOk struct{ noArgs }

func (*ExchangeBindOk) ClassID() uint16  { return ClassExchange }
func (*ExchangeBindOk) MethodID() uint16 { return 31 }

// ExchangeUnbind (40.40, client → server) removes an exchange.bind; its
// arguments are exchange.bind's.
type ExchangeUnbind ExchangeBind

func (*ExchangeUnbind) ClassID() uint16  { return ClassExchange }
func (*ExchangeUnbind) MethodID() uint16 { return 40 }

func (m *ExchangeUnbind) Read(b []byte) error { return (*ExchangeBind)(m).Read(b) }

func (m *ExchangeUnbind) Write(dst []byte) ([]byte, error) { return (*ExchangeBind)(m).Write(dst) }

// ExchangeUnbindOk (40.51, server → client) confirms exchange.unbind.
type ExchangeUnbindOk struct{ noArgs }

func (*ExchangeUnbindOk) ClassID() uint16  { return ClassExchange }
func (*ExchangeUnbindOk) MethodID() uint16 { return 51 }
