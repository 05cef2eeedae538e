// Channels: open (conn.go), close in both directions, flow, and the
// dispatch of every channel-class method to its handler file. Each channel
// has its own delivery-tag counter and unacknowledged set (unacked.go),
// mapping its tags to the queues' own tags; whatever is unacknowledged when
// the channel closes — by the client, by a channel error, or with the
// connection — is requeued and redelivered with the redelivered flag.
//
// channel.flow active=false pauses deliveries to the channel's consumers
// until active=true (the spec's behaviour; RabbitMQ 3.x+ answers it with
// 540 NOT_IMPLEMENTED instead).

package amqp

import (
	"sync"

	"junction/broker/queue"
	"junction/frontends/amqp/internal/wire"
)

// Content assembly states of a channel.
const (
	pubNone   uint8 = iota // no publish pending
	pubHeader              // basic.publish read, content header expected
	pubBody                // header read, body frames expected
)

// channel is one AMQP channel of a connection.
type channel struct {
	c  *conn
	id uint16

	// Reader-goroutine state.
	closing      bool // channel.close sent by the server, waiting for close-ok
	pub          pendingPublish
	prefetch     int          // basic.qos global=false: for the next consumers
	limit        *queue.Limit // basic.qos global=true: shared by all its consumers
	confirm      bool
	pubSeq       uint64           // last publish sequence number under confirms
	confirms     []confirmOutcome // this batch's outcomes, in sequence order
	inBatch      bool             // listed in conn.batch.chans
	tx           *txState
	lastQueue    string // most recently declared queue, for "" shortcuts
	pendingStart []*consumer
	scratch      []unackedEntry
	tags         []uint64
	flow         flowGate

	mu        sync.Mutex // guards the fields below; taken before outbox.mu and any queue's mutex
	nextTag   uint64
	unacked   unackedList
	consumers map[string]*consumer
	closed    bool
	reply     *replyConsumer // direct reply-to consumer
}

func newChannel(c *conn, id uint16) *channel {
	return &channel{
		c:         c,
		id:        id,
		limit:     queue.NewLimit(0),
		consumers: make(map[string]*consumer),
	}
}

// dispatch runs a method on an open channel and returns the reply to
// send (nil for none).
func (ch *channel) dispatch(m wire.Method) (wire.Method, error) {
	switch m := m.(type) {
	case *wire.BasicPublish:
		return nil, ch.basicPublish(m)
	case *wire.BasicAck:
		return nil, ch.basicAck(m.DeliveryTag, m.Multiple)
	case *wire.BasicNack:
		return nil, ch.basicNack(m.DeliveryTag, m.Multiple, m.Requeue)
	case *wire.BasicReject:
		return nil, ch.basicNack(m.DeliveryTag, false, m.Requeue)
	case *wire.BasicQos:
		return ch.basicQos(m)
	case *wire.BasicConsume:
		return ch.basicConsume(m)
	case *wire.BasicCancel:
		return ch.basicCancel(m)
	case *wire.BasicGet:
		return ch.basicGet(m)
	case *wire.BasicRecover:
		if err := ch.recover(m.Requeue); err != nil {
			return nil, err
		}
		return &wire.BasicRecoverOk{}, nil
	case *wire.BasicRecoverAsync:
		return nil, ch.recover(m.Requeue)
	case *wire.ExchangeDeclare:
		return ch.exchangeDeclare(m)
	case *wire.ExchangeDelete:
		return ch.exchangeDelete(m)
	case *wire.ExchangeBind:
		return ch.exchangeBind(m)
	case *wire.ExchangeUnbind:
		return ch.exchangeUnbind(m)
	case *wire.QueueDeclare:
		return ch.queueDeclare(m)
	case *wire.QueueBind:
		return ch.queueBind(m)
	case *wire.QueueUnbind:
		return ch.queueUnbind(m)
	case *wire.QueuePurge:
		return ch.queuePurge(m)
	case *wire.QueueDelete:
		return ch.queueDelete(m)
	case *wire.ConfirmSelect:
		return ch.confirmSelect(m)
	case *wire.TxSelect:
		return ch.txSelect()
	case *wire.TxCommit:
		return ch.txCommit()
	case *wire.TxRollback:
		return ch.txRollback()
	case *wire.ChannelClose:
		if len(ch.confirms) > 0 {
			ch.c.flushConfirms()
		}
		ch.release()
		delete(ch.c.channels, ch.id)
		return &wire.ChannelCloseOk{}, nil
	case *wire.ChannelFlow:
		ch.flow.set(m.Active)
		return &wire.ChannelFlowOk{Active: m.Active}, nil
	case *wire.ChannelFlowOk:
		return nil, nil // we never send channel.flow
	case *wire.ChannelOpen:
		return nil, newErr(wire.ChannelError, "second 'channel.open' seen")
	}
	return nil, newErr(wire.CommandInvalid, "unimplemented method")
}

// ok returns reply unless the client asked for no reply.
func ok(nowait bool, reply wire.Method) (wire.Method, error) {
	if nowait {
		return nil, nil
	}
	return reply, nil
}

// fail closes the channel with a channel error: its resources are
// released at once and channel.close is sent; frames are then ignored
// until the client's close-ok.
func (ch *channel) fail(e *amqpError) {
	ch.c.s.log.Debug("channel error", "remote", ch.c.remote, "channel", ch.id, "code", e.code, "text", e.text)
	if len(ch.confirms) > 0 {
		ch.c.flushConfirms() // earlier publishes are still confirmed
	}
	ch.release()
	ch.closing = true
	ch.c.out.method(ch.id, &wire.ChannelClose{ReplyCode: e.code, ReplyText: e.text, FailClassID: e.classID, FailMethodID: e.methodID})
}

// release cancels the channel's consumers and requeues its unacknowledged
// deliveries (including acks held by an open transaction). It is
// idempotent.
func (ch *channel) release() {
	ch.pub = pendingPublish{}
	ch.confirms = ch.confirms[:0]
	ch.pendingStart = nil
	ch.mu.Lock()
	if ch.closed {
		ch.mu.Unlock()
		return
	}
	ch.closed = true
	cons := ch.consumers
	ch.consumers = nil
	for _, cs := range cons {
		cs.dead = true
	}
	entries := ch.unacked.drain(nil)
	rc := ch.reply
	ch.reply = nil
	ch.mu.Unlock()
	ch.flow.set(true)

	for _, cs := range cons {
		cs.stopConsuming()
	}
	if ch.tx != nil {
		for _, a := range ch.tx.acks {
			entries = append(entries, a.entries...)
		}
		ch.tx = nil
	}
	// Requeue in delivery order so that redeliveries keep it.
	settle(entries, settleRequeue, nil, nil)
	if rc != nil {
		ch.c.s.replyTo.remove(rc)
	}
	for _, cs := range cons {
		cs.qe.consumerGone()
	}
}

// startPending starts the consumers registered by the method just
// handled, after its reply (basic.consume-ok) is in the outbox.
func (ch *channel) startPending() {
	if len(ch.pendingStart) == 0 {
		return
	}
	for _, cs := range ch.pendingStart {
		cs.start()
	}
	ch.pendingStart = ch.pendingStart[:0]
}

// flowGate pauses deliveries while channel.flow is inactive. The zero
// value is active.
type flowGate struct {
	mu     sync.Mutex
	paused bool
	resume chan struct{} // closed when flow becomes active again
}

func (f *flowGate) set(active bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case active && f.paused:
		f.paused = false
		close(f.resume)
	case !active && !f.paused:
		f.paused = true
		f.resume = make(chan struct{})
	}
}

// active reports whether deliveries may flow now.
func (f *flowGate) active() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.paused
}

// wait blocks while the flow is paused; false if stop closes first.
func (f *flowGate) wait(stop <-chan struct{}) bool {
	f.mu.Lock()
	paused, resume := f.paused, f.resume
	f.mu.Unlock()
	if !paused {
		return true
	}
	select {
	case <-resume:
		return true
	case <-stop:
		return false
	}
}
