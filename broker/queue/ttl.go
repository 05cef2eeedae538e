// Message TTL: expired messages are never delivered. They are removed
// (dead-lettered with "expired") when they reach the head of their
// priority level — by Take/Get, or by one timer armed for the earliest
// head deadline, so they leave even when nobody consumes. No polling: the
// timer is re-armed only when the earliest deadline moves earlier, and a
// timer that fires early simply re-arms.

package queue

import "time"

// armTTL makes sure the TTL timer fires by the earliest head expiry.
// q.mu is held.
func (q *Queue) armTTL(now int64) {
	if !q.hasTTL || q.gone != nil {
		return
	}
	next := q.ready.nextExpiry()
	if next == noExpiry || (q.ttlAt != 0 && q.ttlAt <= next) {
		return
	}
	q.ttlAt = next
	// A message expires once now > expireAt: fire 1 ms after the deadline.
	d := msDuration(max(next-now+1, 0))
	if q.ttlTimer == nil {
		q.ttlTimer = time.AfterFunc(d, q.onTTL)
	} else {
		q.ttlTimer.Reset(d)
	}
}

// onTTL runs on the TTL timer: drop expired heads, re-arm.
func (q *Queue) onTTL() {
	var dl []deadLetter
	q.mu.Lock()
	q.ttlAt = 0
	if q.gone != nil {
		q.mu.Unlock()
		return
	}
	now := q.nowMs()
	q.ready.popExpired(now, func(m *Message) { dl = q.drop(dl, m, ReasonExpired) })
	q.flushSettled(now)
	q.armTTL(now)
	q.mu.Unlock()
	q.deadLetterAll(dl)
}
