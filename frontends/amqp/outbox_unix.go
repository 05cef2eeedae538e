//go:build unix

// Non-blocking inline writes for the outbox (outbox.go) on Unix sockets.

package amqp

import (
	"errors"
	"net"
	"os"
	"syscall"
)

// nbWriter makes non-blocking writes to one socket. Its callback is made
// once, so a write allocates nothing; only the goroutine that set
// outbox.writing uses it.
type nbWriter struct {
	rc  syscall.RawConn
	fn  func(fd uintptr) bool
	b   []byte
	n   int
	err error
}

// newNBWriter returns a writer for nc when it is a socket whose writes may
// be tried without blocking; nil otherwise.
func newNBWriter(nc net.Conn) *nbWriter {
	switch nc.(type) {
	case *net.TCPConn, *net.UnixConn:
	default:
		return nil
	}
	rc, err := nc.(syscall.Conn).SyscallConn()
	if err != nil {
		return nil
	}
	w := &nbWriter{rc: rc}
	w.fn = w.write
	return w
}

// Write writes as much of b as the socket takes now and returns how much
// that was. A full socket, or a write deadline that has passed, is a short
// write, not an error: the writer goroutine goes on from there.
func (w *nbWriter) Write(b []byte) (int, error) {
	w.b, w.n, w.err = b, 0, nil
	err := w.rc.Write(w.fn)
	n, werr := w.n, w.err
	w.b = nil
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return n, nil
	}
	if werr != nil {
		return n, werr
	}
	return n, err
}

func (w *nbWriter) write(fd uintptr) bool {
	for w.n < len(w.b) {
		k, e := syscall.Write(int(fd), w.b[w.n:])
		if e == syscall.EINTR {
			continue
		}
		if e != nil {
			if e != syscall.EAGAIN {
				w.err = e
			}
			break
		}
		if k <= 0 {
			break
		}
		w.n += k
	}
	return true // never wait for the socket
}
