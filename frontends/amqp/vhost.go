// Virtual hosts: each has its exchanges (the default exchange and the
// predeclared amq.* ones included), its queues, and the bindings between
// them, all guarded by one RWMutex: publishers route under the read lock,
// topology changes take the write lock (and persist durable changes under
// it, so the stored order is the applied order).
//
// Lock order: channel.mu → vhost.mu → queue locks (broker/queue) →
// outbox.mu. Queue deletion goes through the broker (DeleteQueue), whose
// OnQueueDeleted hook calls queueGone, so it is never started with
// vhost.mu held.

package amqp

import (
	"strings"
	"sync"

	"junction/frontends/amqp/internal/wire"
)

// Exchange types.
const (
	kindDirect  = "direct"
	kindFanout  = "fanout"
	kindTopic   = "topic"
	kindHeaders = "headers"
)

type vhost struct {
	s    *Server
	name string

	mu        sync.RWMutex
	exchanges map[string]*exchange
	queues    map[string]*qentry
}

func newVhost(s *Server, name string) *vhost {
	vh := &vhost{s: s, name: name, exchanges: make(map[string]*exchange), queues: make(map[string]*qentry)}
	for _, x := range []struct{ name, kind string }{
		{"", kindDirect},
		{"amq.direct", kindDirect},
		{"amq.fanout", kindFanout},
		{"amq.topic", kindTopic},
		{"amq.headers", kindHeaders},
		{"amq.match", kindHeaders},
	} {
		vh.exchanges[x.name] = newExchange(vh, x.name, x.kind, true, false, false, nil)
	}
	return vh
}

// bname is the broker's name for a queue (or stream topic) of this vhost.
func (vh *vhost) bname(name string) string {
	if vh.name == "/" {
		return name
	}
	return vh.name + "\x00" + name
}

// splitBname reverses bname.
func splitBname(b string) (vhost, name string) {
	if i := strings.IndexByte(b, 0); i >= 0 {
		return b[:i], b[i+1:]
	}
	return "/", b
}

// defKey is the key of a definition of this vhost.
func (vh *vhost) defKey(parts ...string) string {
	return vh.name + "\x00" + strings.Join(parts, "\x00")
}

// cleanName strips CR and LF as RabbitMQ does.
func cleanName(name string) string {
	if strings.ContainsAny(name, "\r\n") {
		name = strings.NewReplacer("\r", "", "\n", "").Replace(name)
	}
	return name
}

// checkName refuses names with NUL bytes, which Junction uses to separate
// vhosts from names.
func checkName(kind, name string) error {
	if strings.IndexByte(name, 0) >= 0 {
		return newErr(wire.PreconditionFailed, "%s name contains a NUL byte", kind)
	}
	return nil
}

// exchange returns the named exchange, or nil.
func (vh *vhost) exchange(name string) *exchange {
	vh.mu.RLock()
	defer vh.mu.RUnlock()
	return vh.exchanges[name]
}

// queue returns the named queue, adopting a single-partition broker topic
// of that name as a stream queue; nil if neither exists.
func (vh *vhost) queue(name string) *qentry {
	vh.mu.RLock()
	qe := vh.queues[name]
	vh.mu.RUnlock()
	if qe != nil {
		if qe.st != nil && qe.st.gone() {
			vh.queueGone(qe)
			return nil
		}
		return qe
	}
	return vh.adoptTopic(name)
}

// bind adds a binding unless an identical one exists. vh.mu is held.
func (vh *vhost) bindLocked(src *exchange, q *qentry, x *exchange, key string, args wire.Table) error {
	b, err := newBinding(src, q, x, key, args)
	if err != nil {
		return err
	}
	if _, ok := src.bindings[b.id()]; ok {
		return nil
	}
	src.addBinding(b)
	if q != nil {
		q.bindings[b] = struct{}{}
	} else {
		x.inbound[b] = struct{}{}
	}
	if b.durable() {
		return vh.s.saveBinding(b)
	}
	return nil
}

// unbindLocked removes a binding if it exists. vh.mu is held.
func (vh *vhost) unbindLocked(src *exchange, q *qentry, x *exchange, key string, args wire.Table) error {
	probe, err := newBinding(src, q, x, key, args)
	if err != nil {
		return nil // such a binding cannot exist
	}
	b := src.bindings[probe.id()]
	if b == nil {
		return nil
	}
	return vh.removeBindings([]*binding{b})
}

// removeBindings removes bindings, then deletes the auto-delete exchanges
// left without bindings (which removes their bindings in turn). vh.mu is
// held.
func (vh *vhost) removeBindings(bs []*binding) error {
	var first error
	for len(bs) > 0 {
		b := bs[0]
		bs = bs[1:]
		src := b.src
		if _, ok := src.bindings[b.id()]; !ok {
			continue
		}
		src.removeBinding(b)
		if b.q != nil {
			delete(b.q.bindings, b)
		} else {
			delete(b.x.inbound, b)
		}
		if b.durable() {
			if err := vh.s.deleteBinding(b); err != nil && first == nil {
				first = err
			}
		}
		if src.autoDelete && len(src.bindings) == 0 && vh.exchanges[src.name] == src {
			bs = append(bs, vh.dropExchangeLocked(src)...)
		}
	}
	return first
}

// dropExchangeLocked unregisters x and returns its bindings, which the
// caller removes. vh.mu is held.
func (vh *vhost) dropExchangeLocked(x *exchange) []*binding {
	delete(vh.exchanges, x.name)
	if x.durable {
		if err := vh.s.deleteExchangeDef(x); err != nil {
			vh.s.log.Error("deleting exchange definition", "exchange", x.name, "err", err)
		}
	}
	bs := make([]*binding, 0, len(x.bindings)+len(x.inbound))
	for _, b := range x.bindings {
		bs = append(bs, b)
	}
	for b := range x.inbound {
		bs = append(bs, b)
	}
	return bs
}

// queueGone forgets a deleted queue and its bindings (the broker's
// OnQueueDeleted hook, stream deletion, or a topic deleted by another
// protocol). It is idempotent.
func (vh *vhost) queueGone(qe *qentry) {
	vh.mu.Lock()
	if vh.queues[qe.name] == qe {
		delete(vh.queues, qe.name)
	}
	bs := make([]*binding, 0, len(qe.bindings))
	for b := range qe.bindings {
		bs = append(bs, b)
	}
	if err := vh.removeBindings(bs); err != nil {
		vh.s.log.Error("removing bindings of deleted queue", "queue", qe.name, "err", err)
	}
	vh.mu.Unlock()
	if qe.st != nil {
		qe.st.close()
		if err := vh.s.deleteStreamDef(qe); err != nil {
			vh.s.log.Error("deleting stream definition", "queue", qe.name, "err", err)
		}
	}
	if qe.owner != nil {
		qe.owner.dropExclusive(qe)
	}
	vh.s.mem.kick()
}

// deleteQueue deletes a queue unconditionally (exclusive owner gone,
// auto-delete).
func (vh *vhost) deleteQueue(qe *qentry) {
	if _, err := qe.delete(false, false); err != nil {
		vh.s.log.Debug("deleting queue", "queue", qe.name, "err", err)
	}
}
