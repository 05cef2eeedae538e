// The counting dialer: bytes, writes and write→read round trips.
package bench

import (
	"io"
	"net"
	"testing"
)

func TestCountingConn(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// The server answers each "?" with "!" and ignores other bytes.
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 1)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
			if buf[0] == '?' {
				c.Write([]byte("!"))
			}
		}
	}()
	var w wireCounter
	c, err := w.dial(t.Context(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	reply := make([]byte, 1)
	// Two requests: one write, then a pipelined pair of writes; each is one
	// round trip when its reply is read.
	c.Write([]byte("?"))
	io.ReadFull(c, reply)
	c.Write([]byte("ab"))
	c.Write([]byte("?"))
	io.ReadFull(c, reply)
	got := w.snapshot()
	want := wireStats{Read: 2, Written: 4, Writes: 3, RoundTrips: 2, Conns: 1}
	if got != want {
		t.Fatalf("counted %+v, want %+v", got, want)
	}
	if d := got.sub(wireStats{Read: 1, Writes: 1}); d.Read != 1 || d.Writes != 2 {
		t.Fatalf("sub = %+v", d)
	}
}
