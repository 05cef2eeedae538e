// Sentinel errors returned by the queue engine. Frontends map them to
// protocol codes at the edge (AMQP: ErrExclusiveConsumer → a channel
// error — RabbitMQ answers 403 ACCESS_REFUSED "in exclusive use", 405
// RESOURCE_LOCKED is the other candidate; ErrInUse and ErrNotEmpty → 406
// PRECONDITION_FAILED; ErrDeleted → 404 NOT_FOUND; ErrRejected → basic.nack
// of the publisher confirm).

package queue

import "errors"

var (
	// ErrRejected: Publish found the queue at its MaxLength or MaxBytes with
	// Overflow RejectPublish or RejectPublishDLX; the message was not
	// enqueued (with RejectPublishDLX it was dead-lettered with "maxlen").
	ErrRejected = errors.New("queue: message rejected: queue is full")
	// ErrExclusiveConsumer: Consume asked for an exclusive consumer while
	// the queue has consumers, or the queue already has an exclusive one.
	ErrExclusiveConsumer = errors.New("queue: exclusive consumer conflict")
	// ErrInUse: Delete(ifUnused=true) found consumers on the queue.
	ErrInUse = errors.New("queue: in use")
	// ErrNotEmpty: Delete(ifEmpty=true) found ready messages in the queue.
	ErrNotEmpty = errors.New("queue: not empty")
	// ErrDeleted: the queue was deleted (Delete or unused-expiry); every
	// later Publish, Consume and Delete fails with it, and it is the Err of
	// consumers the deletion cancelled.
	ErrDeleted = errors.New("queue: deleted")
	// ErrClosed: the queue was closed (broker shutdown); later operations
	// fail with it, and it is the Err of consumers the close cancelled.
	ErrClosed = errors.New("queue: closed")
	// ErrInvalidConfig: New was given an inconsistent Config (a durable
	// queue without logs, a negative limit, an unknown Overflow).
	ErrInvalidConfig = errors.New("queue: invalid config")
)
