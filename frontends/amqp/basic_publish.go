// basic.publish (60.40) and its content: the method, a content header and
// body frames are assembled per channel (a method or a header out of turn
// is 505 UNEXPECTED_FRAME), then the message is checked as RabbitMQ does —
// exchange exists (404) and is not internal (403), expiration parses
// (406 "invalid expiration"), user-id is the connection's user (406) —
// routed (route.go) and handed to each queue: a classic queue gets its own
// queue.Message sharing the property and body bytes, a stream queue an
// appended record (stream.go). An unroutable mandatory message comes back
// as basic.return 312 NO_ROUTE, written before the publish's confirm;
// immediate=true is 540 NOT_IMPLEMENTED. Under a memory alarm the reader
// stops at the next basic.publish until the alarm clears (blocked.go).
//
// Bodies above MaxMessageSize close the channel with 406 as soon as the
// content header announces them (RabbitMQ reads the body first).

package amqp

import (
	"errors"
	"strings"

	"junction/broker"
	"junction/broker/queue"
	"junction/frontends/amqp/internal/wire"
)

// pendingPublish is a publish whose content is being read.
type pendingPublish struct {
	state     uint8
	exchange  string
	key       string
	mandatory bool
	size      uint64
	propsLen  int
	buf       []byte // properties, then the body as it arrives
}

// message is a complete publish.
type message struct {
	exchange   string
	key        string
	props      []byte
	body       []byte
	info       propInfo
	expiration int64 // ms, -1 for none
	mandatory  bool
}

func (ch *channel) basicPublish(m *wire.BasicPublish) error {
	if m.Immediate {
		return newErr(wire.NotImplemented, "immediate=true")
	}
	ch.c.waitAlarm()
	ch.pub = pendingPublish{state: pubHeader, exchange: m.Exchange, key: m.RoutingKey, mandatory: m.Mandatory}
	return nil
}

// publishError is an error in a publish: a channel error closes the
// channel here, a connection error is returned.
func (ch *channel) publishError(e *amqpError) error {
	if e.classID == 0 {
		e.classID, e.methodID = wire.ClassBasic, 40
	}
	if e.connLevel() {
		return e
	}
	ch.fail(e)
	return nil
}

func (ch *channel) contentHeader(payload []byte) error {
	c := ch.c
	h := &c.hdr
	if err := wire.ReadContentHeader(payload, h); err != nil {
		return decodeError(err)
	}
	if h.ClassID != wire.ClassBasic {
		return &amqpError{code: wire.UnexpectedFrame, classID: wire.ClassBasic, methodID: 40,
			text: "UNEXPECTED_FRAME - expected content header for class 60, got one for class " + itoa(int64(h.ClassID)) + " instead"}
	}
	if h.BodySize > uint64(c.s.cfg.MaxMessageSize) {
		ch.pub = pendingPublish{}
		return ch.publishError(newErr(wire.PreconditionFailed, "message size %d larger than max size %d", h.BodySize, c.s.cfg.MaxMessageSize))
	}
	p := &ch.pub
	p.size = h.BodySize
	p.propsLen = len(h.Properties)
	p.buf = make([]byte, len(h.Properties), len(h.Properties)+int(h.BodySize))
	copy(p.buf, h.Properties)
	if h.BodySize == 0 {
		return ch.finishPublish()
	}
	p.state = pubBody
	return nil
}

func (ch *channel) contentBody(payload []byte) error {
	p := &ch.pub
	if uint64(len(p.buf)-p.propsLen)+uint64(len(payload)) > p.size {
		return &amqpError{code: wire.UnexpectedFrame, classID: wire.ClassBasic, methodID: 40,
			text: "UNEXPECTED_FRAME - content body frames exceed the size announced by the content header"}
	}
	p.buf = append(p.buf, payload...)
	if uint64(len(p.buf)-p.propsLen) == p.size {
		return ch.finishPublish()
	}
	return nil
}

// finishPublish publishes the assembled message.
func (ch *channel) finishPublish() error {
	p := ch.pub
	ch.pub = pendingPublish{}
	err := ch.publish(p.exchange, p.key, p.mandatory, p.buf[:p.propsLen:p.propsLen], p.buf[p.propsLen:])
	if err != nil {
		var ae *amqpError
		if errors.As(err, &ae) {
			return ch.publishError(ae)
		}
		return err
	}
	return nil
}

// publish checks a complete message and routes it, or buffers it in a
// transaction.
func (ch *channel) publish(xname, key string, mandatory bool, props, body []byte) error {
	c := ch.c
	info, good := scanProps(props)
	if !good {
		return newErr(wire.SyntaxError, "malformed content properties")
	}
	msg := message{exchange: xname, key: key, props: props, body: body, info: info, expiration: -1, mandatory: mandatory}
	if info.hasExpire {
		n, term := parseExpiration(info.expiration)
		if term != "" {
			return newErr(wire.PreconditionFailed, "invalid expiration '%s': %s", info.expiration, term)
		}
		msg.expiration = n
	}
	if info.hasUserID && string(info.userID) != c.user {
		return newErr(wire.PreconditionFailed, "user_id property set to '%s' but authenticated user was '%s'", info.userID, c.user)
	}
	if info.hasReplyTo && string(info.replyTo) == replyToQueue {
		var err error
		if msg.props, err = ch.rewriteReplyTo(props); err != nil {
			return err
		}
		msg.info, _ = scanProps(msg.props)
	}
	if ch.tx != nil {
		x := c.vh.exchange(xname)
		if x == nil {
			return errNoExchange(xname, c.vh.name)
		}
		if x.internal {
			return newErr(wire.AccessRefused, "cannot publish to internal %s", rs("exchange", xname, c.vh.name))
		}
		ch.tx.pubs = append(ch.tx.pubs, msg)
		return nil
	}
	return ch.deliver(&msg, ch.confirm, ch.confirm && c.s.confirmSync())
}

// deliver routes msg and hands it to its queues; with confirm it records
// the outcome for the batch's basic.ack / basic.nack. The durable queues
// that log it are listed in the batch, to Flush — with wantSync to Sync —
// before the confirms go out.
func (ch *channel) deliver(msg *message, confirm, wantSync bool) error {
	c := ch.c
	vh := c.vh
	r := &c.router
	routed := false
	if msg.exchange == "" && strings.HasPrefix(msg.key, replyToPrefix) {
		if vh.exchange("") == nil {
			return errNoExchange("", vh.name)
		}
		routed = c.s.replyTo.deliver(msg)
		r.reset(nil)
	} else {
		vh.mu.RLock()
		x := vh.exchanges[msg.exchange]
		if x == nil {
			vh.mu.RUnlock()
			return errNoExchange(msg.exchange, vh.name)
		}
		if x.internal {
			vh.mu.RUnlock()
			return newErr(wire.AccessRefused, "cannot publish to internal %s", rs("exchange", msg.exchange, vh.name))
		}
		r.reset(msg.info.headers)
		vh.routeLocked(r, x, msg.key)
		vh.mu.RUnlock()
		routed = len(r.qs) > 0
		vh.bridgeOut(msg)
	}
	var seq uint64
	if confirm {
		ch.pubSeq++
		seq = ch.pubSeq
	}
	out := confirmOutcome{seq: seq}
	for _, qe := range r.qs {
		rejected, logged := qe.publish(msg, &c.batch)
		out.nack = out.nack || rejected
		if logged {
			out.sync = true
			c.batch.addLog(qe.q, wantSync, true)
		}
	}
	c.batch.published = true
	if !routed && msg.mandatory {
		ch.sendReturn(msg)
	}
	if confirm {
		ch.addConfirm(out)
	}
	return nil
}

// publish stores msg in the queue. rejected reports a refusal (overflow);
// logged that a durable queue logs it. With b (a reader's batch) it
// publishes with queue.PublishFor: the consumer the queue would wake goes to
// b.woken and the log write waits for the batch's Flush or Sync.
func (qe *qentry) publish(msg *message, b *batchState) (rejected, logged bool) {
	if qe.st != nil {
		if err := qe.st.append(msg); err != nil {
			qe.vh.s.log.Warn("stream append failed", "queue", qe.name, "err", err)
			return true, false
		}
		return false, false
	}
	persistent := msg.info.deliveryMode == 2
	m := &queue.Message{
		Exchange:   msg.exchange,
		RoutingKey: msg.key,
		Props:      msg.props,
		Body:       msg.body,
		Priority:   msg.info.priority,
		Expiration: msg.expiration,
		Persistent: persistent,
	}
	if qe.zeroLength(len(msg.body)) {
		switch qe.qa.overflow {
		case "reject-publish":
			return true, false
		case "reject-publish-dlx":
			qe.vh.s.deadLetter(qe.bname, m, queue.ReasonMaxLen)
			return true, false
		}
		qe.vh.s.deadLetter(qe.bname, m, queue.ReasonMaxLen)
		return false, false
	}
	var err error
	if b != nil {
		b.woken, err = qe.q.PublishFor(m, b.woken)
	} else {
		err = qe.q.Publish(m)
	}
	switch {
	case err == nil:
		return false, persistent && qe.durable
	case errors.Is(err, queue.ErrRejected):
		return true, false
	case errors.Is(err, queue.ErrDeleted), errors.Is(err, queue.ErrClosed):
		return false, false // deleted while routing: as if unroutable
	}
	qe.vh.s.log.Error("publish failed", "queue", qe.name, "err", err)
	return true, false
}

// sendReturn sends basic.return 312 NO_ROUTE with the message.
func (ch *channel) sendReturn(msg *message) {
	o := ch.c.out
	b, okb := o.begin()
	if okb {
		var err error
		b, err = wire.AppendMethodFrame(b, ch.id, &wire.BasicReturn{ReplyCode: wire.NoRoute, ReplyText: "NO_ROUTE",
			Exchange: msg.exchange, RoutingKey: msg.key})
		if err == nil {
			b = wire.AppendContent(b, ch.id, wire.ClassBasic, msg.props, msg.body, ch.c.frameMax)
		}
	}
	o.end(b, okb)
}

// confirmSync reports whether confirms wait for a queue Sync: under
// FsyncAlways. With FsyncInterval the broker syncs every interval and a
// confirm means "stored, synced within the interval" — the same promise
// the broker makes for every protocol.
func (s *Server) confirmSync() bool {
	return s.b.Fsync() == broker.FsyncAlways
}

func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
