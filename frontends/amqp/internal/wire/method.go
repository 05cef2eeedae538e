// Methods: the Method interface every method struct implements, the
// registry of class and method ids, and the two decoders: ReadMethod
// (a fresh struct per call) and Decoder (one reused struct per method type,
// for the publish and ack hot path).
package wire

import "encoding/binary"

// Method is one AMQP method: its ids and its arguments. Every method
// struct in this package (ConnectionStart … TxRollbackOk) implements it
// with a pointer receiver, for both directions: the server decodes what
// clients send and encodes what it sends, and tests do the reverse.
type Method interface {
	// ClassID returns the method's class id (ClassConnection …).
	ClassID() uint16
	// MethodID returns the method's id within its class.
	MethodID() uint16
	// Read decodes the method's arguments (the payload after the class
	// and method ids), replacing every field. Truncation, trailing octets
	// and malformed tables fail with an error wrapping ErrSyntax, after
	// which the fields are unspecified.
	Read(args []byte) error
	// Write appends the method's arguments to dst. It fails only if a
	// field cannot be encoded (ErrShortString, ErrFieldType, ...), and then
	// the returned slice is unspecified.
	Write(dst []byte) ([]byte, error)
}

// methodBasicDeliver is used by AppendDeliver.
const methodBasicDeliver = 60

type methodInfo struct {
	name string
	new  func() Method
}

func methodKey(classID, methodID uint16) uint32 { return uint32(classID)<<16 | uint32(methodID) }

// methods is the registry: every method this package implements.
var methods = map[uint32]methodInfo{
	methodKey(10, 10): {"connection.start", func() Method { return new(ConnectionStart) }},
	methodKey(10, 11): {"connection.start-ok", func() Method { return new(ConnectionStartOk) }},
	methodKey(10, 20): {"connection.secure", func() Method { return new(ConnectionSecure) }},
	methodKey(10, 21): {"connection.secure-ok", func() Method { return new(ConnectionSecureOk) }},
	methodKey(10, 30): {"connection.tune", func() Method { return new(ConnectionTune) }},
	methodKey(10, 31): {"connection.tune-ok", func() Method { return new(ConnectionTuneOk) }},
	methodKey(10, 40): {"connection.open", func() Method { return new(ConnectionOpen) }},
	methodKey(10, 41): {"connection.open-ok", func() Method { return new(ConnectionOpenOk) }},
	methodKey(10, 50): {"connection.close", func() Method { return new(ConnectionClose) }},
	methodKey(10, 51): {"connection.close-ok", func() Method { return new(ConnectionCloseOk) }},
	methodKey(10, 60): {"connection.blocked", func() Method { return new(ConnectionBlocked) }},
	methodKey(10, 61): {"connection.unblocked", func() Method { return new(ConnectionUnblocked) }},
	methodKey(10, 70): {"connection.update-secret", func() Method { return new(ConnectionUpdateSecret) }},
	methodKey(10, 71): {"connection.update-secret-ok", func() Method { return new(ConnectionUpdateSecretOk) }},

	methodKey(20, 10): {"channel.open", func() Method { return new(ChannelOpen) }},
	methodKey(20, 11): {"channel.open-ok", func() Method { return new(ChannelOpenOk) }},
	methodKey(20, 20): {"channel.flow", func() Method { return new(ChannelFlow) }},
	methodKey(20, 21): {"channel.flow-ok", func() Method { return new(ChannelFlowOk) }},
	methodKey(20, 40): {"channel.close", func() Method { return new(ChannelClose) }},
	methodKey(20, 41): {"channel.close-ok", func() Method { return new(ChannelCloseOk) }},

	methodKey(40, 10): {"exchange.declare", func() Method { return new(ExchangeDeclare) }},
	methodKey(40, 11): {"exchange.declare-ok", func() Method { return new(ExchangeDeclareOk) }},
	methodKey(40, 20): {"exchange.delete", func() Method { return new(ExchangeDelete) }},
	methodKey(40, 21): {"exchange.delete-ok", func() Method { return new(ExchangeDeleteOk) }},
	methodKey(40, 30): {"exchange.bind", func() Method { return new(ExchangeBind) }},
	methodKey(40, 31): {"exchange.bind-ok", func() Method { return new(ExchangeBindOk) }},
	methodKey(40, 40): {"exchange.unbind", func() Method { return new(ExchangeUnbind) }},
	methodKey(40, 51): {"exchange.unbind-ok", func() Method { return new(ExchangeUnbindOk) }},

	methodKey(50, 10): {"queue.declare", func() Method { return new(QueueDeclare) }},
	methodKey(50, 11): {"queue.declare-ok", func() Method { return new(QueueDeclareOk) }},
	methodKey(50, 20): {"queue.bind", func() Method { return new(QueueBind) }},
	methodKey(50, 21): {"queue.bind-ok", func() Method { return new(QueueBindOk) }},
	methodKey(50, 30): {"queue.purge", func() Method { return new(QueuePurge) }},
	methodKey(50, 31): {"queue.purge-ok", func() Method { return new(QueuePurgeOk) }},
	methodKey(50, 40): {"queue.delete", func() Method { return new(QueueDelete) }},
	methodKey(50, 41): {"queue.delete-ok", func() Method { return new(QueueDeleteOk) }},
	methodKey(50, 50): {"queue.unbind", func() Method { return new(QueueUnbind) }},
	methodKey(50, 51): {"queue.unbind-ok", func() Method { return new(QueueUnbindOk) }},

	methodKey(60, 10):  {"basic.qos", func() Method { return new(BasicQos) }},
	methodKey(60, 11):  {"basic.qos-ok", func() Method { return new(BasicQosOk) }},
	methodKey(60, 20):  {"basic.consume", func() Method { return new(BasicConsume) }},
	methodKey(60, 21):  {"basic.consume-ok", func() Method { return new(BasicConsumeOk) }},
	methodKey(60, 30):  {"basic.cancel", func() Method { return new(BasicCancel) }},
	methodKey(60, 31):  {"basic.cancel-ok", func() Method { return new(BasicCancelOk) }},
	methodKey(60, 40):  {"basic.publish", func() Method { return new(BasicPublish) }},
	methodKey(60, 50):  {"basic.return", func() Method { return new(BasicReturn) }},
	methodKey(60, 60):  {"basic.deliver", func() Method { return new(BasicDeliver) }},
	methodKey(60, 70):  {"basic.get", func() Method { return new(BasicGet) }},
	methodKey(60, 71):  {"basic.get-ok", func() Method { return new(BasicGetOk) }},
	methodKey(60, 72):  {"basic.get-empty", func() Method { return new(BasicGetEmpty) }},
	methodKey(60, 80):  {"basic.ack", func() Method { return new(BasicAck) }},
	methodKey(60, 90):  {"basic.reject", func() Method { return new(BasicReject) }},
	methodKey(60, 100): {"basic.recover-async", func() Method { return new(BasicRecoverAsync) }},
	methodKey(60, 110): {"basic.recover", func() Method { return new(BasicRecover) }},
	methodKey(60, 111): {"basic.recover-ok", func() Method { return new(BasicRecoverOk) }},
	methodKey(60, 120): {"basic.nack", func() Method { return new(BasicNack) }},

	methodKey(85, 10): {"confirm.select", func() Method { return new(ConfirmSelect) }},
	methodKey(85, 11): {"confirm.select-ok", func() Method { return new(ConfirmSelectOk) }},

	methodKey(90, 10): {"tx.select", func() Method { return new(TxSelect) }},
	methodKey(90, 11): {"tx.select-ok", func() Method { return new(TxSelectOk) }},
	methodKey(90, 20): {"tx.commit", func() Method { return new(TxCommit) }},
	methodKey(90, 21): {"tx.commit-ok", func() Method { return new(TxCommitOk) }},
	methodKey(90, 30): {"tx.rollback", func() Method { return new(TxRollback) }},
	methodKey(90, 31): {"tx.rollback-ok", func() Method { return new(TxRollbackOk) }},
}

// MethodName returns the spec name of a method ("basic.publish"), or ""
// if this package does not know it. RabbitMQ names the failing method this
// way in close reply-texts.
func MethodName(classID, methodID uint16) string { return methods[methodKey(classID, methodID)].name }

// NewMethod returns a zero method struct for the ids, or nil if this
// package does not know them.
func NewMethod(classID, methodID uint16) Method {
	if info, ok := methods[methodKey(classID, methodID)]; ok {
		return info.new()
	}
	return nil
}

// HasContent reports whether m is followed by a content header and body
// frames: basic.publish, basic.return, basic.deliver and basic.get-ok.
func HasContent(m Method) bool {
	if m.ClassID() != ClassBasic {
		return false
	}
	switch m.MethodID() {
	case 40, 50, 60, 71:
		return true
	}
	return false
}

// splitMethod splits a method frame payload into its ids and arguments.
func splitMethod(payload []byte) (classID, methodID uint16, args []byte, err error) {
	if len(payload) < 4 {
		return 0, 0, nil, errTruncated
	}
	return binary.BigEndian.Uint16(payload), binary.BigEndian.Uint16(payload[2:]), payload[4:], nil
}

// ReadMethod decodes a method frame payload into a new method struct.
// An unknown class or method fails with a *MethodError wrapping
// ErrUnknownMethod, bad arguments with a *MethodError wrapping ErrSyntax,
// and a payload too short for the ids with ErrSyntax. The result does not
// alias payload.
func ReadMethod(payload []byte) (Method, error) {
	classID, methodID, args, err := splitMethod(payload)
	if err != nil {
		return nil, err
	}
	m := NewMethod(classID, methodID)
	if m == nil {
		return nil, &MethodError{ClassID: classID, MethodID: methodID, Err: ErrUnknownMethod}
	}
	if err := m.Read(args); err != nil {
		return nil, &MethodError{ClassID: classID, MethodID: methodID, Err: err}
	}
	return m, nil
}

// Decoder decodes method frames into one cached struct per method type,
// so that a connection's steady stream of basic.publish and basic.ack
// frames decodes without allocating: strings equal to the previous
// message's (exchange, routing key) are kept, not reallocated. Tables are
// always fresh. The zero Decoder is ready to use; it belongs to one
// connection's reader.
type Decoder struct {
	cache map[uint32]Method
}

// ReadMethod is like the package-level ReadMethod, but the returned struct
// belongs to d and is overwritten by the next ReadMethod of the same
// method type: finish with it (or copy it) before decoding the next frame.
func (d *Decoder) ReadMethod(payload []byte) (Method, error) {
	classID, methodID, args, err := splitMethod(payload)
	if err != nil {
		return nil, err
	}
	key := methodKey(classID, methodID)
	m := d.cache[key]
	if m == nil {
		if m = NewMethod(classID, methodID); m == nil {
			return nil, &MethodError{ClassID: classID, MethodID: methodID, Err: ErrUnknownMethod}
		}
		if d.cache == nil {
			d.cache = make(map[uint32]Method)
		}
		d.cache[key] = m
	}
	if err := m.Read(args); err != nil {
		return nil, &MethodError{ClassID: classID, MethodID: methodID, Err: err}
	}
	return m, nil
}

// noArgs implements Read and Write for methods without arguments.
type noArgs struct{}

// Read accepts only empty arguments.
func (noArgs) Read(args []byte) error {
	if len(args) != 0 {
		return errTrailing
	}
	return nil
}

// Write appends nothing.
func (noArgs) Write(dst []byte) ([]byte, error) { return dst, nil }
