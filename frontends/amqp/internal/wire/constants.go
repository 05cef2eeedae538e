// Constants of AMQP 0-9-1: the protocol header, frame types and limits,
// class ids and the reply codes of the spec as RabbitMQ uses them.
package wire

// ProtocolHeader is the 8-octet header a client sends before its first
// frame, and that a server sends back before closing when it does not
// support the header the client sent.
const ProtocolHeader = "AMQP\x00\x00\x09\x01"

// Frame types (the first octet of every frame).
const (
	FrameMethod    uint8 = 1
	FrameHeader    uint8 = 2
	FrameBody      uint8 = 3
	FrameHeartbeat uint8 = 8
)

// Frame layout and size limits.
const (
	// FrameEnd is the octet that terminates every frame.
	FrameEnd = 0xCE
	// FrameHeaderSize is the type, channel and size prefix of a frame.
	FrameHeaderSize = 7
	// FrameOverhead is the number of octets a frame adds to its payload:
	// the 7-octet header and the frame-end octet.
	FrameOverhead = FrameHeaderSize + 1
	// FrameMinSize is the spec's frame-min-size: the largest frame a peer
	// must accept before connection.tune-ok, and the smallest frame-max a
	// peer may negotiate.
	FrameMinSize = 4096
	// DefaultFrameMax is the frame-max RabbitMQ offers in connection.tune.
	DefaultFrameMax = 131072
)

// Class ids.
const (
	ClassConnection uint16 = 10
	ClassChannel    uint16 = 20
	ClassExchange   uint16 = 40
	ClassQueue      uint16 = 50
	ClassBasic      uint16 = 60
	ClassConfirm    uint16 = 85
	ClassTx         uint16 = 90
)

// Reply codes carried by connection.close, channel.close and basic.return.
// Codes 3xx are channel-level soft errors or basic.return reasons, 4xx
// close the channel, 5xx close the connection (RabbitMQ's classification).
const (
	ReplySuccess       uint16 = 200 // REPLY_SUCCESS
	ContentTooLarge    uint16 = 311 // CONTENT_TOO_LARGE
	NoRoute            uint16 = 312 // NO_ROUTE (basic.return of a mandatory publish)
	NoConsumers        uint16 = 313 // NO_CONSUMERS (basic.return of an immediate publish)
	ConnectionForced   uint16 = 320 // CONNECTION_FORCED (operator or shutdown)
	InvalidPath        uint16 = 402 // INVALID_PATH
	AccessRefused      uint16 = 403 // ACCESS_REFUSED
	NotFound           uint16 = 404 // NOT_FOUND
	ResourceLocked     uint16 = 405 // RESOURCE_LOCKED
	PreconditionFailed uint16 = 406 // PRECONDITION_FAILED
	FrameError         uint16 = 501 // FRAME_ERROR
	SyntaxError        uint16 = 502 // SYNTAX_ERROR
	CommandInvalid     uint16 = 503 // COMMAND_INVALID
	ChannelError       uint16 = 504 // CHANNEL_ERROR
	UnexpectedFrame    uint16 = 505 // UNEXPECTED_FRAME
	ResourceError      uint16 = 506 // RESOURCE_ERROR
	NotAllowed         uint16 = 530 // NOT_ALLOWED
	NotImplemented     uint16 = 540 // NOT_IMPLEMENTED
	InternalError      uint16 = 541 // INTERNAL_ERROR
)

// ReplyText returns the spec's name of a reply code ("NOT_FOUND"), which
// RabbitMQ puts at the start of a close's reply-text, or "" for an unknown
// code.
func ReplyText(code uint16) string {
	switch code {
	case ReplySuccess:
		return "REPLY_SUCCESS"
	case ContentTooLarge:
		return "CONTENT_TOO_LARGE"
	case NoRoute:
		return "NO_ROUTE"
	case NoConsumers:
		return "NO_CONSUMERS"
	case ConnectionForced:
		return "CONNECTION_FORCED"
	case InvalidPath:
		return "INVALID_PATH"
	case AccessRefused:
		return "ACCESS_REFUSED"
	case NotFound:
		return "NOT_FOUND"
	case ResourceLocked:
		return "RESOURCE_LOCKED"
	case PreconditionFailed:
		return "PRECONDITION_FAILED"
	case FrameError:
		return "FRAME_ERROR"
	case SyntaxError:
		return "SYNTAX_ERROR"
	case CommandInvalid:
		return "COMMAND_INVALID"
	case ChannelError:
		return "CHANNEL_ERROR"
	case UnexpectedFrame:
		return "UNEXPECTED_FRAME"
	case ResourceError:
		return "RESOURCE_ERROR"
	case NotAllowed:
		return "NOT_ALLOWED"
	case NotImplemented:
		return "NOT_IMPLEMENTED"
	case InternalError:
		return "INTERNAL_ERROR"
	}
	return ""
}
