// Memory alarm and connection.blocked: when the bytes of ready messages in
// all classic queues exceed MemoryHighWatermark, every connection that
// advertised the connection.blocked capability is sent connection.blocked
// ("low on memory") and every reader stops at its next basic.publish;
// once the total is back under the mark, connection.unblocked is sent and
// the readers go on. The total is recomputed by a monitor goroutine when
// kicked — by publish batches, deliveries while the alarm is on, purges,
// deletions and dead letters — at most every memCheckInterval; it never
// polls. Unlike RabbitMQ, which measures the process's memory, only queued
// message bodies are counted, and connections that do not publish are
// told they are blocked too.

package amqp

import (
	"sync"
	"sync/atomic"
	"time"

	"junction/frontends/amqp/internal/wire"
)

const memCheckInterval = 20 * time.Millisecond

type memAlarm struct {
	s     *Server
	limit int64
	kickC chan struct{}
	on    atomic.Bool

	mu      sync.Mutex
	cleared chan struct{}      // closed when the alarm clears; nil while off
	told    map[*conn]struct{} // connections sent connection.blocked
}

func (m *memAlarm) init(s *Server) {
	m.s = s
	m.limit = s.cfg.MemoryHighWatermark
	m.kickC = make(chan struct{}, 1)
	m.told = make(map[*conn]struct{})
	if m.limit > 0 {
		go m.loop()
	}
}

// kick asks the monitor to recompute the total.
func (m *memAlarm) kick() {
	if m.limit <= 0 {
		return
	}
	select {
	case m.kickC <- struct{}{}:
	default:
	}
}

func (m *memAlarm) loop() {
	t := time.NewTimer(0)
	<-t.C
	for {
		select {
		case <-m.kickC:
		case <-m.s.done:
			m.set(false)
			return
		}
		m.set(m.s.readyBytes() > m.limit)
		// Coalesce the kicks of the next interval into one check.
		t.Reset(memCheckInterval)
		select {
		case <-t.C:
		case <-m.s.done:
			m.set(false)
			return
		}
	}
}

// set raises or clears the alarm.
func (m *memAlarm) set(on bool) {
	if m.on.Load() == on {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.on.Store(on)
	if on {
		m.cleared = make(chan struct{})
		m.s.log.Warn("memory alarm: blocking publishers", "limit", m.limit)
		for _, c := range m.s.connections() {
			if c.capBlocked && c.opened.Load() {
				m.told[c] = struct{}{}
				c.out.method(0, &wire.ConnectionBlocked{Reason: "low on memory"})
				c.out.flush()
			}
		}
		return
	}
	close(m.cleared)
	m.cleared = nil
	m.s.log.Info("memory alarm cleared")
	for c := range m.told {
		c.out.method(0, &wire.ConnectionUnblocked{})
		c.out.flush()
	}
	clear(m.told)
}

// forget drops a closing connection.
func (m *memAlarm) forget(c *conn) {
	m.mu.Lock()
	delete(m.told, c)
	m.mu.Unlock()
}

// waitAlarm blocks the reader while the alarm is on (or until shutdown).
func (c *conn) waitAlarm() {
	m := &c.s.mem
	if !m.on.Load() {
		return
	}
	m.mu.Lock()
	cleared := m.cleared
	if cleared != nil && c.capBlocked {
		if _, told := m.told[c]; !told {
			m.told[c] = struct{}{}
			c.out.method(0, &wire.ConnectionBlocked{Reason: "low on memory"})
		}
	}
	m.mu.Unlock()
	if cleared == nil {
		return
	}
	c.flushConfirms()
	c.out.flush()
	c.paused.Add(1)
	defer c.paused.Add(-1)
	select {
	case <-cleared:
	case <-c.s.done:
	}
}

// readyBytes sums the ready message bytes of every classic queue.
func (s *Server) readyBytes() int64 {
	var total int64
	for _, vh := range s.vhosts {
		vh.mu.RLock()
		for _, qe := range vh.queues {
			if qe.q != nil {
				total += qe.q.Bytes()
			}
		}
		vh.mu.RUnlock()
	}
	return total
}
