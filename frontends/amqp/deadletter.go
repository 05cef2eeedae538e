// Dead-lettering: the broker hands every message a queue drops (expired,
// maxlen, rejected) to Server.deadLetter, which republishes it through the
// queue's x-dead-letter-exchange with x-dead-letter-routing-key (or its own
// routing key), as RabbitMQ does: the x-death header gets (or updates and
// moves to the front) a table per (queue, reason) with count, reason,
// queue, time, exchange, routing-keys and original-expiration; the first
// death sets x-first-death-reason/-queue/-exchange, every death sets
// x-last-death-reason/-queue/-exchange (RabbitMQ 3.13+); the expiration
// property is removed. A dead letter that would come back to a queue it
// already died in, with no rejection on the way, is dropped for that
// queue (RabbitMQ's cycle detection). A missing dead-letter exchange drops
// the message. Dead letters are published at most once, without confirms,
// as RabbitMQ's default at-most-once dead-lettering.

package amqp

import (
	"time"

	"junction/broker/queue"
	"junction/frontends/amqp/internal/wire"
)

// deadLetter is the broker's DeadLetterFunc.
func (s *Server) deadLetter(bname string, m *queue.Message, reason string) {
	defer s.mem.kick()
	vname, name := splitBname(bname)
	vh := s.vhosts[vname]
	if vh == nil {
		return
	}
	vh.mu.RLock()
	qe := vh.queues[name]
	vh.mu.RUnlock()
	if qe == nil || !qe.qa.hasDLX {
		return
	}
	props, err := wire.DecodeProperties(m.Props)
	if err != nil {
		props = wire.Properties{}
	}
	origExpiration, hadExpiration := props.Expiration, props.Has(wire.FlagExpiration)
	props.Present &^= wire.FlagExpiration
	props.Expiration = ""
	props.Headers = xDeath(props.Headers, name, reason, m.Exchange, m.RoutingKey,
		origExpiration, hadExpiration, s.b.Now())
	props.Present |= wire.FlagHeaders
	raw, err := wire.AppendProperties(nil, &props)
	if err != nil {
		s.log.Warn("dead letter dropped: cannot encode properties", "queue", name, "err", err)
		return
	}
	key := m.RoutingKey
	if qe.qa.hasDLRK {
		key = qe.qa.dlrk
	}
	info, _ := scanProps(raw)
	msg := message{exchange: qe.qa.dlx, key: key, props: raw, body: m.Body, info: info, expiration: -1}
	if props.DeliveryMode != 2 && m.Persistent {
		msg.info.deliveryMode = 2
	}

	var r router
	vh.mu.RLock()
	x := vh.exchanges[qe.qa.dlx]
	if x == nil {
		vh.mu.RUnlock()
		return
	}
	r.reset(info.headers)
	vh.routeLocked(&r, x, key)
	vh.mu.RUnlock()
	for _, target := range r.qs {
		if deathCycle(props.Headers, target.name) {
			continue
		}
		target.publish(&msg, nil)
	}
}

// xDeath returns headers with the x-death entry for (queue, reason)
// added or updated, and the x-first-death-* / x-last-death-* headers set.
func xDeath(h wire.Table, queueName, reason, exchange, key, origExpiration string, hadExpiration bool, now time.Time) wire.Table {
	var deaths wire.Array
	if v, ok := h.Get("x-death"); ok {
		switch a := v.(type) {
		case wire.Array:
			deaths = a
		case []any:
			deaths = wire.Array(a)
		}
	}
	var entry wire.Table
	rest := make(wire.Array, 0, len(deaths)+1)
	for _, d := range deaths {
		t, ok := d.(wire.Table)
		if ok && entry == nil && tableString(t, "queue") == queueName && tableString(t, "reason") == reason {
			entry = t
			continue
		}
		rest = append(rest, d)
	}
	if entry != nil {
		updated := make(wire.Table, 0, len(entry))
		count := int64(1)
		if v, ok := entry.Get("count"); ok {
			if n, isInt := intArg(v); isInt {
				count = n + 1
			}
		}
		updated = append(updated, wire.Field{Name: "count", Value: count})
		for _, f := range entry {
			if f.Name != "count" {
				updated = append(updated, f)
			}
		}
		entry = updated
	} else {
		entry = wire.Table{
			{Name: "count", Value: int64(1)},
			{Name: "reason", Value: reason},
			{Name: "queue", Value: queueName},
			{Name: "time", Value: wire.Timestamp(now.Unix())},
			{Name: "exchange", Value: exchange},
			{Name: "routing-keys", Value: wire.Array{key}},
		}
		if hadExpiration {
			entry = append(entry, wire.Field{Name: "original-expiration", Value: origExpiration})
		}
	}
	deaths = append(wire.Array{entry}, rest...)

	out := make(wire.Table, 0, len(h)+7)
	_, hasFirst := h.Get("x-first-death-reason")
	for _, f := range h {
		switch f.Name {
		case "x-death", "x-last-death-reason", "x-last-death-queue", "x-last-death-exchange":
			continue
		}
		out = append(out, f)
	}
	if !hasFirst {
		out = append(out,
			wire.Field{Name: "x-first-death-exchange", Value: exchange},
			wire.Field{Name: "x-first-death-queue", Value: queueName},
			wire.Field{Name: "x-first-death-reason", Value: reason})
	}
	return append(out,
		wire.Field{Name: "x-last-death-exchange", Value: exchange},
		wire.Field{Name: "x-last-death-queue", Value: queueName},
		wire.Field{Name: "x-last-death-reason", Value: reason},
		wire.Field{Name: "x-death", Value: deaths})
}

// deathCycle reports whether dead-lettering into queueName would cycle:
// the message already died there and none of its deaths was a rejection.
func deathCycle(h wire.Table, queueName string) bool {
	v, ok := h.Get("x-death")
	if !ok {
		return false
	}
	deaths, _ := v.(wire.Array)
	seen := false
	for _, d := range deaths {
		t, ok := d.(wire.Table)
		if !ok {
			continue
		}
		if tableString(t, "reason") == queue.ReasonRejected {
			return false
		}
		if tableString(t, "queue") == queueName {
			seen = true
		}
	}
	return seen
}
