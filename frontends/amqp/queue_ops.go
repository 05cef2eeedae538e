// queue.bind, queue.unbind, queue.purge and queue.delete (50.20–50.51),
// with RabbitMQ's shortcuts (an empty queue name means the channel's most
// recently declared queue; with an empty routing key too, bind uses that
// name as the key) and checks: the default exchange cannot be bound (403),
// a missing exchange or queue is 404 (the exchange reported first), a
// queue exclusive to another connection is 405. Unbinding what is not
// bound and deleting a queue that does not exist succeed. Purge removes
// ready messages only; stream queues cannot be purged (406).

package amqp

import (
	"junction/frontends/amqp/internal/wire"
)

// expandQueue applies the empty-name shortcut.
func (ch *channel) expandQueue(name string) (string, error) {
	name = cleanName(name)
	if name != "" {
		return name, nil
	}
	if ch.lastQueue == "" {
		return "", newErr(wire.NotFound, "no previously declared queue")
	}
	return ch.lastQueue, nil
}

// bindTarget resolves the exchange and queue of a queue binding.
func (ch *channel) bindTarget(queueName, exchangeName, key string) (*exchange, *qentry, string, error) {
	vh := ch.c.vh
	if queueName == "" && key == "" {
		if ch.lastQueue == "" {
			return nil, nil, "", newErr(wire.NotFound, "no previously declared queue")
		}
		key = ch.lastQueue
	}
	qname, err := ch.expandQueue(queueName)
	if err != nil {
		return nil, nil, "", err
	}
	xname := cleanName(exchangeName)
	if xname == "" {
		return nil, nil, "", errDefaultExchange()
	}
	x := vh.exchange(xname)
	if x == nil {
		return nil, nil, "", errNoExchange(xname, vh.name)
	}
	qe := vh.queue(qname)
	if qe == nil {
		return nil, nil, "", errNoQueue(qname, vh.name)
	}
	if err := qe.checkAccess(ch.c); err != nil {
		return nil, nil, "", err
	}
	return x, qe, key, nil
}

func (ch *channel) queueBind(m *wire.QueueBind) (wire.Method, error) {
	x, qe, key, err := ch.bindTarget(m.Queue, m.Exchange, m.RoutingKey)
	if err != nil {
		return nil, err
	}
	vh := ch.c.vh
	vh.mu.Lock()
	defer vh.mu.Unlock()
	// Either end may have gone since the lookup.
	if vh.exchanges[x.name] != x {
		return nil, errNoExchange(x.name, vh.name)
	}
	if vh.queues[qe.name] != qe {
		return nil, errNoQueue(qe.name, vh.name)
	}
	if err := vh.bindLocked(x, qe, nil, key, m.Arguments); err != nil {
		return nil, err
	}
	return ok(m.NoWait, &wire.QueueBindOk{})
}

func (ch *channel) queueUnbind(m *wire.QueueUnbind) (wire.Method, error) {
	x, qe, key, err := ch.bindTarget(m.Queue, m.Exchange, m.RoutingKey)
	if err != nil {
		return nil, err
	}
	vh := ch.c.vh
	vh.mu.Lock()
	defer vh.mu.Unlock()
	if err := vh.unbindLocked(x, qe, nil, key, m.Arguments); err != nil {
		vh.s.log.Error("removing binding", "err", err)
	}
	return &wire.QueueUnbindOk{}, nil
}

func (ch *channel) queuePurge(m *wire.QueuePurge) (wire.Method, error) {
	vh := ch.c.vh
	name, err := ch.expandQueue(m.Queue)
	if err != nil {
		return nil, err
	}
	qe := vh.queue(name)
	if qe == nil {
		return nil, errNoQueue(name, vh.name)
	}
	if err := qe.checkAccess(ch.c); err != nil {
		return nil, err
	}
	if qe.st != nil {
		return nil, newErr(wire.PreconditionFailed, "%s does not support purging", rs("queue", name, vh.name))
	}
	n := qe.q.Purge()
	vh.s.mem.kick()
	return ok(m.NoWait, &wire.QueuePurgeOk{MessageCount: uint32(n)})
}

func (ch *channel) queueDelete(m *wire.QueueDelete) (wire.Method, error) {
	vh := ch.c.vh
	name, err := ch.expandQueue(m.Queue)
	if err != nil {
		return nil, err
	}
	qe := vh.queue(name)
	if qe == nil {
		return ok(m.NoWait, &wire.QueueDeleteOk{})
	}
	if err := qe.checkAccess(ch.c); err != nil {
		return nil, err
	}
	if err := qe.partitionDeleteError(); err != nil {
		return nil, err
	}
	n, err := qe.delete(m.IfUnused, m.IfEmpty)
	if err != nil {
		return nil, errFromCore(err, name, vh.name)
	}
	return ok(m.NoWait, &wire.QueueDeleteOk{MessageCount: uint32(n)})
}
