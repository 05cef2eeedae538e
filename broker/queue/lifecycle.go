// Queue lifecycle: Delete (if-unused / if-empty), unused-expiry (Expires,
// reset by Touch, Get and consumer activity), and Close. Finishing a queue
// cancels its consumers (closing their Cancelled channels so a frontend can
// send a server-initiated cancel) and returns shared-limit credit held by
// its unacknowledged deliveries.

package queue

// Delete deletes the queue and returns how many ready messages it held.
// With ifUnused it fails with ErrInUse if the queue has consumers; with
// ifEmpty, with ErrNotEmpty if it has ready messages. On success every
// consumer is cancelled with Err ErrDeleted, the messages are dropped
// (not dead-lettered, as RabbitMQ), and later calls fail with ErrDeleted.
// The logs are left to the broker to remove.
func (q *Queue) Delete(ifUnused, ifEmpty bool) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.gone != nil:
		return 0, q.gone
	case ifUnused && len(q.consumers) > 0:
		return 0, ErrInUse
	case ifEmpty && q.ready.n > 0:
		return 0, ErrNotEmpty
	}
	n := q.ready.n
	q.finish(ErrDeleted)
	return n, nil
}

// Touch records a use of the queue (a redeclare), restarting the Expires
// countdown.
func (q *Queue) Touch() {
	q.mu.Lock()
	q.lastUsed = q.nowMs()
	q.mu.Unlock()
}

// Close writes the log records PublishFor and AckFor left, stops the
// queue's timers and cancels its consumers with Err ErrClosed; later calls
// fail with ErrClosed. The durable logs are left open: the broker closes
// them. Closing twice is not an error.
func (q *Queue) Close() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.gone == nil {
		if q.log != nil {
			q.flushSettled(q.nowMs()) // what PublishFor and AckFor left
		}
		q.finish(ErrClosed)
	}
	return nil
}

// onUnused runs on the Expires timer: delete the queue if it has been
// unused for Expires, else re-arm for the rest.
func (q *Queue) onUnused() {
	q.mu.Lock()
	if q.gone != nil || len(q.consumers) > 0 {
		// A consumer holds the queue; Cancel re-arms the timer.
		q.mu.Unlock()
		return
	}
	if idle := q.nowMs() - q.lastUsed; idle < q.cfg.Expires {
		q.expTimer.Reset(msDuration(q.cfg.Expires - idle))
		q.mu.Unlock()
		return
	}
	q.finish(ErrDeleted)
	q.mu.Unlock()
	if q.cfg.OnExpire != nil {
		q.cfg.OnExpire()
	}
}

// finish ends the queue with err: stops timers, cancels consumers, returns
// shared-limit credit of unacknowledged deliveries, drops messages (Close
// keeps them in memory for inspection). q.mu is held.
func (q *Queue) finish(err error) {
	q.gone = err
	if q.expTimer != nil {
		q.expTimer.Stop()
	}
	if q.ttlTimer != nil {
		q.ttlTimer.Stop()
	}
	for len(q.consumers) > 0 {
		q.removeConsumer(q.consumers[0], err)
	}
	q.active = nil
	for tag, m := range q.unacked {
		if c := m.owner; c != nil && c.limit != nil {
			c.limit.release(1)
		}
		m.owner = nil
		delete(q.unacked, tag)
	}
	if err == ErrDeleted {
		q.ready.clear(func(*Message) {})
		q.dropPending()
		q.dur.settled = q.dur.settled[:0]
	}
}
