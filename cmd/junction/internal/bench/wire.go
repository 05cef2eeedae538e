// Wire accounting: every connection a model opens goes through a dialer that
// counts bytes read and written, Write calls, and round trips. A round trip
// is a write→read turn on one connection: one or more Write calls followed
// by a Read that returns data count once. So a request/reply command is one,
// a pipelined batch is one, a push delivery that the client never answered
// is none, and a consumer's ack followed by the next delivery is one.
package bench

import (
	"context"
	"net"
	"sync/atomic"
	"time"
)

// dialFunc is the dialer signature go-redis and franz-go take.
type dialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// wireCounter totals the traffic of every connection one model opens.
type wireCounter struct {
	read, written, writes, roundTrips, conns atomic.Int64
}

// wireStats is a snapshot of a wireCounter.
type wireStats struct {
	Read, Written, Writes, RoundTrips, Conns int64
}

func (w *wireCounter) snapshot() wireStats {
	return wireStats{w.read.Load(), w.written.Load(), w.writes.Load(), w.roundTrips.Load(), w.conns.Load()}
}

func (a wireStats) sub(b wireStats) wireStats {
	return wireStats{a.Read - b.Read, a.Written - b.Written, a.Writes - b.Writes, a.RoundTrips - b.RoundTrips, a.Conns - b.Conns}
}

// dial opens a TCP connection whose traffic w counts.
func (w *wireCounter) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	w.conns.Add(1)
	return &countingConn{Conn: c, w: w}, nil
}

// countingConn is a net.Conn that reports its traffic to a wireCounter.
type countingConn struct {
	net.Conn
	w     *wireCounter
	wrote atomic.Bool // a Write happened since the last Read
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.w.read.Add(int64(n))
		if c.wrote.Swap(false) {
			c.w.roundTrips.Add(1)
		}
	}
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.w.written.Add(int64(n))
	c.w.writes.Add(1)
	c.wrote.Store(true)
	return n, err
}
