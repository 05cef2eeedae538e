// Protocol errors: amqpError carries a reply code, RabbitMQ's reply text
// ("NOT_FOUND - no queue 'q' in vhost '/'") and the failing method's ids.
// Soft codes (403, 404, 405, 406) close the channel; hard codes (320, 402,
// 5xx) close the connection, as RabbitMQ classifies them. The helpers below
// build RabbitMQ's exact texts so clients that match on them keep working.

package amqp

import (
	"errors"
	"fmt"

	"junction/broker"
	"junction/broker/queue"
	"junction/frontends/amqp/internal/wire"
)

// amqpError is a channel or connection exception.
type amqpError struct {
	code     uint16
	text     string // the whole reply-text, starting with the code's name
	classID  uint16 // failing method; set by the dispatcher when zero
	methodID uint16
}

func (e *amqpError) Error() string { return fmt.Sprintf("%d %s", e.code, e.text) }

// connLevel reports whether the error closes the connection.
func (e *amqpError) connLevel() bool {
	return e.code >= 500 || e.code == wire.ConnectionForced || e.code == wire.InvalidPath
}

// newErr builds an error whose text is "<CODE_NAME> - <formatted text>".
func newErr(code uint16, format string, args ...any) *amqpError {
	return &amqpError{code: code, text: wire.ReplyText(code) + " - " + fmt.Sprintf(format, args...)}
}

// rs formats a resource as RabbitMQ's rabbit_misc:rs does.
func rs(kind, name, vhost string) string {
	return fmt.Sprintf("%s '%s' in vhost '%s'", kind, name, vhost)
}

func errNoQueue(name, vhost string) *amqpError {
	return newErr(wire.NotFound, "no %s", rs("queue", name, vhost))
}

func errNoExchange(name, vhost string) *amqpError {
	return newErr(wire.NotFound, "no %s", rs("exchange", name, vhost))
}

func errLocked(name, vhost string) *amqpError {
	return newErr(wire.ResourceLocked, "cannot obtain exclusive access to locked %s. It could be originally "+
		"declared on another connection or the exclusive property value does not match that of the original declaration.",
		rs("queue", name, vhost))
}

func errDefaultExchange() *amqpError {
	return newErr(wire.AccessRefused, "operation not permitted on the default exchange")
}

func errReservedName(kind, name string) *amqpError {
	return newErr(wire.AccessRefused, "%s name '%s' contains reserved prefix 'amq.*'", kind, name)
}

func errUnknownTag(tag uint64) *amqpError {
	return newErr(wire.PreconditionFailed, "unknown delivery tag %d", tag)
}

// errFromCore maps a broker or queue sentinel to a channel error about the
// named queue.
func errFromCore(err error, name, vhost string) error {
	switch {
	case errors.Is(err, queue.ErrDeleted), errors.Is(err, broker.ErrUnknownQueue),
		errors.Is(err, broker.ErrUnknownTopic), errors.Is(err, broker.ErrTopicDeleted):
		return errNoQueue(name, vhost)
	case errors.Is(err, queue.ErrInUse):
		return newErr(wire.PreconditionFailed, "%s in use", rs("queue", name, vhost))
	case errors.Is(err, queue.ErrNotEmpty):
		return newErr(wire.PreconditionFailed, "%s not empty", rs("queue", name, vhost))
	case errors.Is(err, queue.ErrExclusiveConsumer):
		return newErr(wire.AccessRefused, "%s in exclusive use", rs("queue", name, vhost))
	case errors.Is(err, queue.ErrClosed), errors.Is(err, broker.ErrClosed):
		return newErr(wire.ConnectionForced, "broker forced connection closure with reason 'shutdown'")
	case errors.Is(err, broker.ErrInvalidName):
		return newErr(wire.PreconditionFailed, "invalid name for %s", rs("queue", name, vhost))
	}
	return newErr(wire.InternalError, "%v", err)
}
