// Transactions: tx.select (90.10) makes the channel transactional;
// publishes (after their exchange checks) and acks/nacks/rejects (after
// their tag checks) are buffered until tx.commit (90.20), which routes and
// stores the publishes in order (mandatory returns included), applies the
// settlements, syncs the durable queues it wrote under FsyncAlways, then
// answers commit-ok; tx.rollback (90.30) drops the publishes and puts the
// buffered settlements' deliveries back among the unacknowledged. Closing
// the channel requeues them. commit/rollback without select is 406
// "channel is not transactional"; select on a confirm channel is 406.
// Like RabbitMQ, this is not atomic across queues: a commit that fails
// midway leaves what was done.

package amqp

import "junction/frontends/amqp/internal/wire"

type txState struct {
	pubs []message
	acks []txAck
}

type txAck struct {
	kind    settleKind
	entries []unackedEntry
}

func (ch *channel) txSelect() (wire.Method, error) {
	if ch.confirm {
		return nil, newErr(wire.PreconditionFailed, "cannot switch from confirm to tx mode")
	}
	if ch.tx == nil {
		ch.tx = &txState{}
	}
	return &wire.TxSelectOk{}, nil
}

func (ch *channel) txCommit() (wire.Method, error) {
	tx := ch.tx
	if tx == nil {
		return nil, newErr(wire.PreconditionFailed, "channel is not transactional")
	}
	c := ch.c
	ch.tx = &txState{}
	saved := c.batch.logQs
	c.batch.logQs = nil
	for i := range tx.pubs {
		if err := ch.deliver(&tx.pubs[i], false, c.s.confirmSync()); err != nil {
			c.writeLogs(c.batch.logQs)
			c.batch.logQs = saved
			return nil, err
		}
		tx.pubs[i] = message{}
	}
	written := c.batch.logQs
	c.batch.logQs = saved
	for _, a := range tx.acks {
		ch.tags = settle(a.entries, a.kind, ch.tags, &c.batch)
		if a.kind == settleRequeue {
			c.batch.published = true
		}
	}
	for _, e := range written {
		if err := e.write(); err != nil {
			return nil, newErr(wire.InternalError, "sync of queue '%s' failed: %v", e.q.Name(), err)
		}
	}
	return &wire.TxCommitOk{}, nil
}

func (ch *channel) txRollback() (wire.Method, error) {
	tx := ch.tx
	if tx == nil {
		return nil, newErr(wire.PreconditionFailed, "channel is not transactional")
	}
	ch.tx = &txState{}
	var back []unackedEntry
	for _, a := range tx.acks {
		back = append(back, a.entries...)
	}
	if len(back) > 0 {
		ch.mu.Lock()
		if !ch.closed {
			ch.unacked.restore(back)
			back = nil
		}
		ch.mu.Unlock()
		settle(back, settleRequeue, nil, nil)
	}
	return &wire.TxRollbackOk{}, nil
}
