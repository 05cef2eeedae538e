// Class basic (60): qos, consume, cancel (both directions: RabbitMQ sends
// basic.cancel when a consumer's queue goes away), publish, return,
// deliver, get/get-ok/get-empty, ack (both directions under publisher
// confirms), reject, recover-async, recover/recover-ok and nack (RabbitMQ
// extension, both directions). publish, return, deliver and get-ok are
// followed by content (HasContent). Reserved1 of the client methods is the
// unused access ticket. ClassID, MethodID, Read and Write implement Method
// and are documented there.
package wire

import "encoding/binary"

// BasicQos (60.10, client → server) sets the prefetch window: of the
// channel's next consumers, or of the whole channel if Global (RabbitMQ's
// reading of the flag).
type BasicQos struct {
	PrefetchSize  uint32 // octets; RabbitMQ rejects non-zero
	PrefetchCount uint16 // unacked messages; 0 means unlimited
	Global        bool
}

func (*BasicQos) ClassID() uint16  { return ClassBasic }
func (*BasicQos) MethodID() uint16 { return 10 }

func (m *BasicQos) Read(b []byte) error {
	r := reader{b: b}
	m.PrefetchSize = r.u32()
	m.PrefetchCount = r.u16()
	m.Global = bit(r.u8(), 0)
	return r.end()
}

func (m *BasicQos) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.u32(m.PrefetchSize)
	e.u16(m.PrefetchCount)
	e.u8(bits(m.Global))
	return e.result()
}

// BasicQosOk (60.11, server → client) confirms basic.qos.
type BasicQosOk struct{ noArgs }

func (*BasicQosOk) ClassID() uint16  { return ClassBasic }
func (*BasicQosOk) MethodID() uint16 { return 11 }

// BasicConsume (60.20, client → server) starts a consumer; an empty
// ConsumerTag asks the server to make one up.
type BasicConsume struct {
	Reserved1   uint16
	Queue       string
	ConsumerTag string
	NoLocal     bool
	NoAck       bool
	Exclusive   bool
	NoWait      bool
	Arguments   Table // x-priority, x-stream-offset …
}

func (*BasicConsume) ClassID() uint16  { return ClassBasic }
func (*BasicConsume) MethodID() uint16 { return 20 }

func (m *BasicConsume) Read(b []byte) error {
	r := reader{b: b}
	m.Reserved1 = r.u16()
	r.shortStr(&m.Queue)
	r.shortStr(&m.ConsumerTag)
	o := r.u8()
	m.NoLocal, m.NoAck, m.Exclusive, m.NoWait = bit(o, 0), bit(o, 1), bit(o, 2), bit(o, 3)
	m.Arguments = r.table(0)
	return r.end()
}

func (m *BasicConsume) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.u16(m.Reserved1)
	e.shortStr(m.Queue)
	e.shortStr(m.ConsumerTag)
	e.u8(bits(m.NoLocal, m.NoAck, m.Exclusive, m.NoWait))
	e.table(m.Arguments)
	return e.result()
}

// BasicConsumeOk (60.21, server → client) names the consumer.
type BasicConsumeOk struct {
	ConsumerTag string
}

func (*BasicConsumeOk) ClassID() uint16  { return ClassBasic }
func (*BasicConsumeOk) MethodID() uint16 { return 21 }

func (m *BasicConsumeOk) Read(b []byte) error {
	r := reader{b: b}
	r.shortStr(&m.ConsumerTag)
	return r.end()
}

func (m *BasicConsumeOk) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.shortStr(m.ConsumerTag)
	return e.result()
}

// BasicCancel (60.30, both directions) ends a consumer. From the server
// (consumer_cancel_notify capability) NoWait is true.
type BasicCancel struct {
	ConsumerTag string
	NoWait      bool
}

func (*BasicCancel) ClassID() uint16  { return ClassBasic }
func (*BasicCancel) MethodID() uint16 { return 30 }

func (m *BasicCancel) Read(b []byte) error {
	r := reader{b: b}
	r.shortStr(&m.ConsumerTag)
	m.NoWait = bit(r.u8(), 0)
	return r.end()
}

func (m *BasicCancel) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.shortStr(m.ConsumerTag)
	e.u8(bits(m.NoWait))
	return e.result()
}

// BasicCancelOk (60.31, both directions) confirms basic.cancel.
type BasicCancelOk struct {
	ConsumerTag string
}

func (*BasicCancelOk) ClassID() uint16  { return ClassBasic }
func (*BasicCancelOk) MethodID() uint16 { return 31 }

func (m *BasicCancelOk) Read(b []byte) error {
	r := reader{b: b}
	r.shortStr(&m.ConsumerTag)
	return r.end()
}

func (m *BasicCancelOk) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.shortStr(m.ConsumerTag)
	return e.result()
}

// BasicPublish (60.40, client → server) publishes the content that
// follows. Decoded through a Decoder it does not allocate while Exchange
// and RoutingKey repeat.
type BasicPublish struct {
	Reserved1  uint16
	Exchange   string // "" is the default exchange
	RoutingKey string
	Mandatory  bool // return (312 NO_ROUTE) if no queue is bound
	Immediate  bool // unsupported by RabbitMQ 3+ (540 NOT_IMPLEMENTED)
}

func (*BasicPublish) ClassID() uint16  { return ClassBasic }
func (*BasicPublish) MethodID() uint16 { return 40 }

func (m *BasicPublish) Read(b []byte) error {
	r := reader{b: b}
	m.Reserved1 = r.u16()
	r.shortStr(&m.Exchange)
	r.shortStr(&m.RoutingKey)
	o := r.u8()
	m.Mandatory, m.Immediate = bit(o, 0), bit(o, 1)
	return r.end()
}

func (m *BasicPublish) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.u16(m.Reserved1)
	e.shortStr(m.Exchange)
	e.shortStr(m.RoutingKey)
	e.u8(bits(m.Mandatory, m.Immediate))
	return e.result()
}

// BasicReturn (60.50, server → client) returns an unroutable mandatory
// message, followed by its content.
type BasicReturn struct {
	ReplyCode  uint16 // NoRoute or NoConsumers
	ReplyText  string
	Exchange   string
	RoutingKey string
}

func (*BasicReturn) ClassID() uint16  { return ClassBasic }
func (*BasicReturn) MethodID() uint16 { return 50 }

func (m *BasicReturn) Read(b []byte) error {
	r := reader{b: b}
	m.ReplyCode = r.u16()
	r.shortStr(&m.ReplyText)
	r.shortStr(&m.Exchange)
	r.shortStr(&m.RoutingKey)
	return r.end()
}

func (m *BasicReturn) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.u16(m.ReplyCode)
	e.shortStr(m.ReplyText)
	e.shortStr(m.Exchange)
	e.shortStr(m.RoutingKey)
	return e.result()
}

// BasicDeliver (60.60, server → client) pushes a message to a consumer,
// followed by its content. The hot path is AppendDeliver, which writes the
// same frame without building this struct.
type BasicDeliver struct {
	ConsumerTag string
	DeliveryTag uint64 // per channel, from 1
	Redelivered bool
	Exchange    string
	RoutingKey  string
}

func (*BasicDeliver) ClassID() uint16  { return ClassBasic }
func (*BasicDeliver) MethodID() uint16 { return methodBasicDeliver }

func (m *BasicDeliver) Read(b []byte) error {
	r := reader{b: b}
	r.shortStr(&m.ConsumerTag)
	m.DeliveryTag = r.u64()
	m.Redelivered = bit(r.u8(), 0)
	r.shortStr(&m.Exchange)
	r.shortStr(&m.RoutingKey)
	return r.end()
}

func (m *BasicDeliver) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.shortStr(m.ConsumerTag)
	e.u64(m.DeliveryTag)
	e.u8(bits(m.Redelivered))
	e.shortStr(m.Exchange)
	e.shortStr(m.RoutingKey)
	return e.result()
}

// BasicGet (60.70, client → server) polls a queue for one message.
type BasicGet struct {
	Reserved1 uint16
	Queue     string
	NoAck     bool
}

func (*BasicGet) ClassID() uint16  { return ClassBasic }
func (*BasicGet) MethodID() uint16 { return 70 }

func (m *BasicGet) Read(b []byte) error {
	r := reader{b: b}
	m.Reserved1 = r.u16()
	r.shortStr(&m.Queue)
	m.NoAck = bit(r.u8(), 0)
	return r.end()
}

func (m *BasicGet) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.u16(m.Reserved1)
	e.shortStr(m.Queue)
	e.u8(bits(m.NoAck))
	return e.result()
}

// BasicGetOk (60.71, server → client) answers basic.get with a message,
// followed by its content.
type BasicGetOk struct {
	DeliveryTag  uint64
	Redelivered  bool
	Exchange     string
	RoutingKey   string
	MessageCount uint32 // ready messages left in the queue
}

func (*BasicGetOk) ClassID() uint16  { return ClassBasic }
func (*BasicGetOk) MethodID() uint16 { return 71 }

func (m *BasicGetOk) Read(b []byte) error {
	r := reader{b: b}
	m.DeliveryTag = r.u64()
	m.Redelivered = bit(r.u8(), 0)
	r.shortStr(&m.Exchange)
	r.shortStr(&m.RoutingKey)
	m.MessageCount = r.u32()
	return r.end()
}

func (m *BasicGetOk) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.u64(m.DeliveryTag)
	e.u8(bits(m.Redelivered))
	e.shortStr(m.Exchange)
	e.shortStr(m.RoutingKey)
	e.u32(m.MessageCount)
	return e.result()
}

// BasicGetEmpty (60.72, server → client) answers basic.get on an empty
// queue.
type BasicGetEmpty struct {
	Reserved1 string // cluster-id, unused
}

func (*BasicGetEmpty) ClassID() uint16  { return ClassBasic }
func (*BasicGetEmpty) MethodID() uint16 { return 72 }

func (m *BasicGetEmpty) Read(b []byte) error {
	r := reader{b: b}
	r.shortStr(&m.Reserved1)
	return r.end()
}

func (m *BasicGetEmpty) Write(dst []byte) ([]byte, error) {
	e := encoder{b: dst}
	e.shortStr(m.Reserved1)
	return e.result()
}

// BasicAck (60.80, both directions) acknowledges one delivery, or with
// Multiple every delivery up to and including DeliveryTag (0 with Multiple:
// all). From the server it confirms publishes in confirm mode.
type BasicAck struct {
	DeliveryTag uint64
	Multiple    bool
}

func (*BasicAck) ClassID() uint16  { return ClassBasic }
func (*BasicAck) MethodID() uint16 { return 80 }

func (m *BasicAck) Read(b []byte) error { return readTagBits(b, &m.DeliveryTag, &m.Multiple, nil) }

func (m *BasicAck) Write(dst []byte) ([]byte, error) {
	return append(binary.BigEndian.AppendUint64(dst, m.DeliveryTag), bits(m.Multiple)), nil
}

// BasicReject (60.90, client → server) rejects one delivery.
type BasicReject struct {
	DeliveryTag uint64
	Requeue     bool
}

func (*BasicReject) ClassID() uint16  { return ClassBasic }
func (*BasicReject) MethodID() uint16 { return 90 }

func (m *BasicReject) Read(b []byte) error { return readTagBits(b, &m.DeliveryTag, &m.Requeue, nil) }

func (m *BasicReject) Write(dst []byte) ([]byte, error) {
	return append(binary.BigEndian.AppendUint64(dst, m.DeliveryTag), bits(m.Requeue)), nil
}

// BasicRecoverAsync (60.100, client → server) redelivers unacked messages
// without a reply; deprecated, RabbitMQ still accepts it.
type BasicRecoverAsync struct {
	Requeue bool
}

func (*BasicRecoverAsync) ClassID() uint16  { return ClassBasic }
func (*BasicRecoverAsync) MethodID() uint16 { return 100 }

func (m *BasicRecoverAsync) Read(b []byte) error {
	r := reader{b: b}
	m.Requeue = bit(r.u8(), 0)
	return r.end()
}

func (m *BasicRecoverAsync) Write(dst []byte) ([]byte, error) {
	return append(dst, bits(m.Requeue)), nil
}

// BasicRecover (60.110, client → server) redelivers the channel's unacked
// messages.
type BasicRecover struct {
	Requeue bool
}

func (*BasicRecover) ClassID() uint16  { return ClassBasic }
func (*BasicRecover) MethodID() uint16 { return 110 }

func (m *BasicRecover) Read(b []byte) error {
	r := reader{b: b}
	m.Requeue = bit(r.u8(), 0)
	return r.end()
}

func (m *BasicRecover) Write(dst []byte) ([]byte, error) {
	return append(dst, bits(m.Requeue)), nil
}

// BasicRecoverOk (60.111, server → client) confirms basic.recover.
type BasicRecoverOk struct{ noArgs }

func (*BasicRecoverOk) ClassID() uint16  { return ClassBasic }
func (*BasicRecoverOk) MethodID() uint16 { return 111 }

// BasicNack (60.120, both directions) rejects one or, with Multiple, every
// delivery up to DeliveryTag. From the server it fails publishes in
// confirm mode.
type BasicNack struct {
	DeliveryTag uint64
	Multiple    bool
	Requeue     bool
}

func (*BasicNack) ClassID() uint16  { return ClassBasic }
func (*BasicNack) MethodID() uint16 { return 120 }

func (m *BasicNack) Read(b []byte) error {
	return readTagBits(b, &m.DeliveryTag, &m.Multiple, &m.Requeue)
}

func (m *BasicNack) Write(dst []byte) ([]byte, error) {
	return append(binary.BigEndian.AppendUint64(dst, m.DeliveryTag), bits(m.Multiple, m.Requeue)), nil
}

// readTagBits decodes the delivery-tag and one or two bits of ack, reject
// and nack without the reader machinery: they are the hot client methods.
func readTagBits(b []byte, tag *uint64, bit0, bit1 *bool) error {
	if len(b) < 9 {
		return errTruncated
	}
	if len(b) > 9 {
		return errTrailing
	}
	*tag = binary.BigEndian.Uint64(b)
	*bit0 = bit(b[8], 0)
	if bit1 != nil {
		*bit1 = bit(b[8], 1)
	}
	return nil
}
