// Class queue (50): declare/declare-ok, bind/bind-ok, purge/purge-ok,
// delete/delete-ok and unbind/unbind-ok (unbind has no no-wait bit).
// Reserved1 is the unused access ticket. ClassID, MethodID, Read and Write
// implement Method and are documented there.
package wire

// QueueDeclare (50.10, client → server) creates a queue (a server-named
// one if Queue is empty) or, with Passive, checks that it exists.
type QueueDeclare struct {
	Reserved1  uint16
	Queue      string
	Passive    bool
	Durable    bool
	Exclusive  bool
	AutoDelete bool
	NoWait     bool
	Arguments  Table // x-message-ttl, x-max-length, x-queue-type …
}

func (*QueueDeclare) ClassID() uint16  { return ClassQueue }
func (*QueueDeclare) MethodID() uint16 { return 10 }

func (m *QueueDeclare) Read(b []byte) error {
	r := reader{b: b}
	m.Reserved1 = r.u16()
	r.shortStr(&m.Queue)
	o := r.u8()
	m.Passive, m.Durable, m.Exclusive, m.AutoDelete, m.NoWait = bit(o, 0), bit(o, 1), bit(o, 2), bit(o, 3), bit(o, 4)
	m.Arguments = r.table(0)
	return r.end()
}

func (m *QueueDeclare) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.u16(m.Reserved1)
	e.shortStr(m.Queue)
	e.u8(bits(m.Passive, m.Durable, m.Exclusive, m.AutoDelete, m.NoWait))
	e.table(m.Arguments)
	return e.result()
}

// QueueDeclareOk (50.11, server → client) names the queue and reports its
// ready message count and consumer count.
type QueueDeclareOk struct {
	Queue         string
	MessageCount  uint32
	ConsumerCount uint32
}

func (*QueueDeclareOk) ClassID() uint16  { return ClassQueue }
func (*QueueDeclareOk) MethodID() uint16 { return 11 }

func (m *QueueDeclareOk) Read(b []byte) error {
	r := reader{b: b}
	r.shortStr(&m.Queue)
	m.MessageCount = r.u32()
	m.ConsumerCount = r.u32()
	return r.end()
}

func (m *QueueDeclareOk) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.shortStr(m.Queue)
	e.u32(m.MessageCount)
	e.u32(m.ConsumerCount)
	return e.result()
}

// QueueBind (50.20, client → server) binds a queue to an exchange.
type QueueBind struct {
	Reserved1  uint16
	Queue      string
	Exchange   string
	RoutingKey string
	NoWait     bool
	Arguments  Table // header-exchange match arguments …
}

func (*QueueBind) ClassID() uint16  { return ClassQueue }
func (*QueueBind) MethodID() uint16 { return 20 }

func (m *QueueBind) Read(b []byte) error {
	r := reader{b: b}
	m.Reserved1 = r.u16()
	r.shortStr(&m.Queue)
	r.shortStr(&m.Exchange)
	r.shortStr(&m.RoutingKey)
	m.NoWait = bit(r.u8(), 0)
	m.Arguments = r.table(0)
	return r.end()
}

func (m *QueueBind) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.u16(m.Reserved1)
	e.shortStr(m.Queue)
	e.shortStr(m.Exchange)
	e.shortStr(m.RoutingKey)
	e.u8(bits(m.NoWait))
	e.table(m.Arguments)
	return e.result()
}

// QueueBindOk (50.21, server → client) confirms queue.bind.
type QueueBindOk struct{ noArgs }

func (*QueueBindOk) ClassID() uint16  { return ClassQueue }
func (*QueueBindOk) MethodID() uint16 { return 21 }

// QueuePurge (50.30, client → server) removes a queue's ready messages.
type QueuePurge struct {
	Reserved1 uint16
	Queue     string
	NoWait    bool
}

func (*QueuePurge) ClassID() uint16  { return ClassQueue }
func (*QueuePurge) MethodID() uint16 { return 30 }

func (m *QueuePurge) Read(b []byte) error {
	r := reader{b: b}
	m.Reserved1 = r.u16()
	r.shortStr(&m.Queue)
	m.NoWait = bit(r.u8(), 0)
	return r.end()
}

func (m *QueuePurge) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.u16(m.Reserved1)
	e.shortStr(m.Queue)
	e.u8(bits(m.NoWait))
	return e.result()
}

// QueuePurgeOk (50.31, server → client) reports how many messages were
// purged.
type QueuePurgeOk struct {
	MessageCount uint32
}

func (*QueuePurgeOk) ClassID() uint16  { return ClassQueue }
func (*QueuePurgeOk) MethodID() uint16 { return 31 }

func (m *QueuePurgeOk) Read(b []byte) error {
	r := reader{b: b}
	m.MessageCount = r.u32()
	return r.end()
}

func (m *QueuePurgeOk) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.u32(m.MessageCount)
	return e.result()
}

// QueueDelete (50.40, client → server) deletes a queue.
type QueueDelete struct {
	Reserved1 uint16
	Queue     string
	IfUnused  bool
	IfEmpty   bool
	NoWait    bool
}

func (*QueueDelete) ClassID() uint16  { return ClassQueue }
func (*QueueDelete) MethodID() uint16 { return 40 }

func (m *QueueDelete) Read(b []byte) error {
	r := reader{b: b}
	m.Reserved1 = r.u16()
	r.shortStr(&m.Queue)
	o := r.u8()
	m.IfUnused, m.IfEmpty, m.NoWait = bit(o, 0), bit(o, 1), bit(o, 2)
	return r.end()
}

func (m *QueueDelete) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.u16(m.Reserved1)
	e.shortStr(m.Queue)
	e.u8(bits(m.IfUnused, m.IfEmpty, m.NoWait))
	return e.result()
}

// QueueDeleteOk (50.41, server → client) reports how many messages were
// deleted with the queue.
type QueueDeleteOk struct {
	MessageCount uint32
}

func (*QueueDeleteOk) ClassID() uint16  { return ClassQueue }
func (*QueueDeleteOk) MethodID() uint16 { return 41 }

func (m *QueueDeleteOk) Read(b []byte) error {
	r := reader{b: b}
	m.MessageCount = r.u32()
	return r.end()
}

func (m *QueueDeleteOk) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.u32(m.MessageCount)
	return e.result()
}

// QueueUnbind (50.50, client → server) removes a queue.bind. It has no
// no-wait bit.
type QueueUnbind struct {
	Reserved1  uint16
	Queue      string
	Exchange   string
	RoutingKey string
	Arguments  Table
}

func (*QueueUnbind) ClassID() uint16  { return ClassQueue }
func (*QueueUnbind) MethodID() uint16 { return 50 }

func (m *QueueUnbind) Read(b []byte) error {
	r := reader{b: b}
	m.Reserved1 = r.u16()
	r.shortStr(&m.Queue)
	r.shortStr(&m.Exchange)
	r.shortStr(&m.RoutingKey)
	m.Arguments = r.table(0)
	return r.end()
}

func (m *QueueUnbind) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.u16(m.Reserved1)
	e.shortStr(m.Queue)
	e.shortStr(m.Exchange)
	e.shortStr(m.RoutingKey)
	e.table(m.Arguments)
	return e.result()
}

// QueueUnbindOk (50.51, server → client) confirms queue.unbind.
type QueueUnbindOk struct{ noArgs }

func (*QueueUnbindOk) ClassID() uint16  { return ClassQueue }
func (*QueueUnbindOk) MethodID() uint16 { return 51 }
