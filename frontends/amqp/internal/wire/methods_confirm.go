// Class confirm (85, RabbitMQ extension): select/select-ok put a channel in
// publisher-confirm mode, after which the server acks or nacks each publish
// with delivery tags 1, 2, 3 … ClassID, MethodID, Read and Write implement
// Method and are documented there.
package wire

// ConfirmSelect (85.10, client → server) enables publisher confirms.
type ConfirmSelect struct {
	NoWait bool
}

func (*ConfirmSelect) ClassID() uint16  { return ClassConfirm }
func (*ConfirmSelect) MethodID() uint16 { return 10 }

func (m *ConfirmSelect) Read(b []byte) error {
	r := reader{b: b}
	m.NoWait = bit(r.u8(), 0)
	return r.end()
}

func (m *ConfirmSelect) Write(dst []byte) ([]byte, error) {
	return append(dst, bits(m.NoWait)), nil
}

// ConfirmSelectOk (85.11, server → client) confirms confirm.select.
type ConfirmSelectOk struct{ noArgs }

func (*ConfirmSelectOk) ClassID() uint16  { return ClassConfirm }
func (*ConfirmSelectOk) MethodID() uint16 { return 11 }
