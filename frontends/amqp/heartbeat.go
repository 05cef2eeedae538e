// Heartbeats: one timer per connection ticking at half the negotiated
// interval. On a tick with nothing else appended to the outbox since the
// previous one it sends a heartbeat frame, so the client (amqp091-go sets
// its read deadline to 1.5 intervals) always hears from us in time. A
// client from which nothing was read for two intervals (four ticks) is
// disconnected without a close frame, as RabbitMQ does ("missed heartbeats
// from client"); the count stops while the reader itself is not reading
// (memory alarm, full outbox).

package amqp

import "time"

func (c *conn) heartbeatLoop() {
	t := time.NewTicker(c.heartbeat / 2)
	defer t.Stop()
	lastReads := c.reads.Load()
	silent := 0
	for {
		select {
		case <-t.C:
		case <-c.done:
			return
		}
		if !c.out.data.Swap(false) {
			c.out.heartbeat()
		}
		r := c.reads.Load()
		switch {
		case r != lastReads || c.paused.Load() > 0:
			silent = 0
		default:
			silent++
		}
		lastReads = r
		if silent >= 4 {
			c.s.log.Info("missed heartbeats from client; closing connection", "remote", c.remote, "timeout", 2*c.heartbeat)
			c.nc.Close()
			return
		}
	}
}
