// queue.declare (50.10): passive lookups, server-named queues
// ("amq.gen-" and 22 base64url characters), exclusive queues (owned by the
// connection, deleted with it; others get 405 RESOURCE_LOCKED), auto-delete
// queues (deleted when their last consumer goes, once they had one),
// durable queues (exclusive ones never are), and the x-arguments of
// args.go, mapped onto broker.QueueDef for classic queues; x-queue-type
// "stream" makes a stream queue on a broker topic (stream.go) and "quorum"
// is accepted as a durable classic queue with quorum's declaration checks.
// A redeclaration must be equivalent (args.go). declare-ok carries the
// ready message count and the consumer count.
//
// Differences from RabbitMQ: x-max-length 0 is emulated by the frontend
// (every message overflows at once) because the core's 0 means unlimited;
// x-queue-mode, x-max-in-memory-* and the quorum/stream replication
// arguments are accepted and ignored.

package amqp

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"

	"junction/broker"
	"junction/broker/queue"
	"junction/frontends/amqp/internal/wire"
)

// qentry is a queue as the AMQP frontend knows it.
type qentry struct {
	vh         *vhost
	name       string
	bname      string // broker queue or topic name
	durable    bool
	exclusive  bool
	autoDelete bool
	args       wire.Table
	qa         queueArgs
	owner      *conn        // exclusive owner, or nil
	q          *queue.Queue // classic queue, or nil
	st         *streamQueue // stream queue, or nil

	bindings    map[*binding]struct{} // guarded by vh.mu
	consumers   atomic.Int32
	hadConsumer atomic.Bool
}

// queueMeta is what the frontend stores in broker.QueueDef.Args.
type queueMeta struct {
	Vhost      string `json:"vhost"`
	Name       string `json:"name"`
	AutoDelete bool   `json:"auto_delete,omitempty"`
	Args       []byte `json:"args,omitempty"` // the declared arguments, an encoded field table
}

// genName returns prefix and 22 random base64url characters, as RabbitMQ
// names server-named queues and consumer tags.
func genName(prefix string) string {
	var b [16]byte
	rand.Read(b[:])
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// checkAccess refuses a queue exclusive to another connection (lax: a
// non-exclusive queue is open to all).
func (qe *qentry) checkAccess(c *conn) error {
	if qe.owner != nil && qe.owner != c {
		return errLocked(qe.name, qe.vh.name)
	}
	return nil
}

// counts returns the ready message count and the consumer count.
func (qe *qentry) counts() (messages, consumers uint32) {
	if qe.st != nil {
		return uint32(min(max(qe.st.part.End()-qe.st.part.Start(), 0), 1<<32-1)), uint32(max(qe.consumers.Load(), 0))
	}
	return uint32(qe.q.Len()), uint32(qe.q.ConsumerCount())
}

func (qe *qentry) consumerAdded() {
	qe.consumers.Add(1)
	qe.hadConsumer.Store(true)
}

// consumerGone notes a consumer's end and deletes an auto-delete queue
// that lost its last one.
func (qe *qentry) consumerGone() {
	if qe.consumers.Add(-1) == 0 && qe.autoDelete && qe.hadConsumer.Load() {
		qe.vh.deleteQueue(qe)
	}
}

// delete deletes the queue (queue.ErrInUse / ErrNotEmpty when ifUnused /
// ifEmpty forbid it) and returns how many ready messages it held.
func (qe *qentry) delete(ifUnused, ifEmpty bool) (int, error) {
	if qe.st != nil {
		n := int(max(qe.st.part.End()-qe.st.part.Start(), 0))
		switch {
		case ifUnused && qe.consumers.Load() > 0:
			return 0, queue.ErrInUse
		case ifEmpty && n > 0:
			return 0, queue.ErrNotEmpty
		}
		err := qe.vh.s.b.DeleteTopic(qe.bname)
		qe.vh.queueGone(qe)
		if err != nil && !errors.Is(err, broker.ErrUnknownTopic) {
			return n, err
		}
		return n, nil
	}
	n, err := qe.vh.s.b.DeleteQueue(qe.bname, ifUnused, ifEmpty)
	switch {
	case errors.Is(err, broker.ErrUnknownQueue):
		qe.vh.queueGone(qe)
		return 0, nil
	case err != nil:
		return 0, err
	}
	// The broker's OnQueueDeleted hook has run queueGone.
	return n, nil
}

func (ch *channel) declareOk(nowait bool, qe *qentry) (wire.Method, error) {
	if nowait {
		return nil, nil
	}
	n, c := qe.counts()
	return &wire.QueueDeclareOk{Queue: qe.name, MessageCount: n, ConsumerCount: c}, nil
}

func (ch *channel) queueDeclare(m *wire.QueueDeclare) (wire.Method, error) {
	c := ch.c
	vh := c.vh
	name := cleanName(m.Queue)
	if isReplyTo(name) {
		return ch.declareReplyTo(name, m.NoWait)
	}
	if m.Passive {
		qe := vh.queue(name)
		if qe == nil {
			return nil, errNoQueue(name, vh.name)
		}
		if err := qe.checkAccess(c); err != nil {
			return nil, err
		}
		ch.lastQueue = name
		return ch.declareOk(m.NoWait, qe)
	}
	generated := name == ""
	if generated {
		name = genName("amq.gen-")
	}
	if err := checkName("queue", name); err != nil {
		return nil, err
	}
	exclusive := m.Exclusive
	durable := m.Durable && !exclusive
	vh.mu.Lock()
	qe := vh.queues[name]
	if qe != nil {
		vh.mu.Unlock()
		if err := qe.checkEquivalent(c, exclusive, durable, m.AutoDelete, m.Arguments); err != nil {
			return nil, err
		}
		if qe.q != nil {
			qe.q.Touch()
		}
		ch.lastQueue = name
		return ch.declareOk(m.NoWait, qe)
	}
	if !generated && strings.HasPrefix(name, "amq.") {
		vh.mu.Unlock()
		return nil, errReservedName("queue", name)
	}
	qe, err := vh.createQueueLocked(c, name, m.Durable, durable, exclusive, m.AutoDelete, m.Arguments)
	vh.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if qe.st != nil {
		qe.st.watch(qe)
	}
	ch.lastQueue = name
	return ch.declareOk(m.NoWait, qe)
}

// checkEquivalent compares a redeclaration with the queue (RabbitMQ's
// assert_equivalence: exclusive owner, durable, auto_delete, arguments).
func (qe *qentry) checkEquivalent(c *conn, exclusive, durable, autoDelete bool, args wire.Table) error {
	var owner *conn
	if exclusive {
		owner = c
	}
	if qe.owner != owner {
		return errLocked(qe.name, qe.vh.name)
	}
	what := rs("queue", qe.name, qe.vh.name)
	if err := assertField("durable", qe.durable, durable, what); err != nil {
		return err
	}
	if err := assertField("auto_delete", qe.autoDelete, autoDelete, what); err != nil {
		return err
	}
	return assertArgs(qe.args, args, what, queueArgKeys)
}

// createQueueLocked creates a queue. vh.mu is held.
func (vh *vhost) createQueueLocked(c *conn, name string, declaredDurable, durable, exclusive, autoDelete bool, args wire.Table) (*qentry, error) {
	what := rs("queue", name, vh.name)
	qa, err := parseQueueArgs(args, what)
	if err != nil {
		return nil, err
	}
	if qa.kind != "classic" {
		switch {
		case autoDelete:
			return nil, newErr(wire.PreconditionFailed, "invalid property 'auto-delete' for %s", what)
		case exclusive:
			return nil, newErr(wire.PreconditionFailed, "invalid property 'exclusive-owner' for %s", what)
		case !declaredDurable:
			return nil, newErr(wire.PreconditionFailed, "invalid property 'non-durable' for %s", what)
		}
	}
	qe := &qentry{
		vh: vh, name: name, bname: vh.bname(name),
		durable: durable, exclusive: exclusive, autoDelete: autoDelete,
		args: args, qa: qa, bindings: make(map[*binding]struct{}),
	}
	if qa.kind == "stream" {
		st, err := vh.s.openStream(qe.bname, qa)
		if err != nil {
			return nil, errFromCore(err, name, vh.name)
		}
		qe.st = st
		if err := vh.s.saveStreamDef(qe); err != nil {
			vh.s.log.Error("storing stream definition", "queue", name, "err", err)
		}
	} else {
		raw, _ := wire.AppendTable(nil, args)
		meta, _ := json.Marshal(queueMeta{Vhost: vh.name, Name: name, AutoDelete: autoDelete, Args: raw})
		q, _, _, err := vh.s.b.DeclareQueue(qe.bname, queueDef(qa, durable, meta))
		if err != nil {
			return nil, errFromCore(err, name, vh.name)
		}
		qe.q = q
		if !vh.s.b.OnQueueDeleted(qe.bname, func() { vh.queueGone(qe) }) {
			return nil, errNoQueue(name, vh.name) // expired already
		}
	}
	vh.queues[name] = qe
	if exclusive {
		qe.owner = c
		c.addExclusive(qe)
	}
	return qe, nil
}

// queueDef maps parsed arguments onto the core's queue settings.
func queueDef(qa queueArgs, durable bool, meta []byte) broker.QueueDef {
	def := broker.QueueDef{
		Durable:              durable,
		MaxLength:            max(qa.maxLength, 0),
		MaxBytes:             max(qa.maxBytes, 0),
		MessageTTL:           qa.messageTTL,
		Expires:              qa.expires,
		MaxPriority:          uint8(qa.maxPriority),
		SingleActiveConsumer: qa.sac,
		Args:                 meta,
	}
	if qa.messageTTL < 0 {
		def.MessageTTL = queue.NoTTL
	}
	switch qa.overflow {
	case "reject-publish":
		def.Overflow = uint8(queue.RejectPublish)
	case "reject-publish-dlx":
		def.Overflow = uint8(queue.RejectPublishDLX)
	}
	return def
}

// zeroLength reports whether the queue is declared to hold nothing
// (x-max-length 0 or x-max-length-bytes 0), which the frontend emulates.
func (qe *qentry) zeroLength(bodyLen int) bool {
	return qe.qa.maxLength == 0 || (qe.qa.maxBytes == 0 && bodyLen > 0)
}
