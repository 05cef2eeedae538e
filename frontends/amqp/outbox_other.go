//go:build !unix

// Without non-blocking socket writes the writer goroutine writes
// everything (outbox.go).

package amqp

import "net"

type nbWriter struct{}

func newNBWriter(net.Conn) *nbWriter { return nil }

func (*nbWriter) Write(b []byte) (int, error) { return 0, nil }
