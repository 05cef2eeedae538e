// Errors: the sentinels every decoding and encoding failure wraps, the
// MethodError that names the failing method, and ReplyCode, which maps a
// decoding error to the reply code the connection closes with.
package wire

import (
	"errors"
	"fmt"
)

// Decoding errors. Test with errors.Is; ReplyCode maps them to reply codes.
var (
	// ErrProtocolHeader: the client opened with something other than
	// ProtocolHeader. The server writes ProtocolHeader and closes the socket
	// (no reply code: there is no connection yet).
	ErrProtocolHeader = errors.New("wire: unsupported protocol header")
	// ErrFrameType: a frame whose type octet is not method, header, body
	// or heartbeat (501 FRAME_ERROR).
	ErrFrameType = errors.New("wire: unknown frame type")
	// ErrFrameTooLarge: a frame longer than the negotiated frame-max
	// (501 FRAME_ERROR). The payload is not read.
	ErrFrameTooLarge = errors.New("wire: frame exceeds frame-max")
	// ErrFrameEnd: the octet after a frame's payload is not FrameEnd
	// (501 FRAME_ERROR).
	ErrFrameEnd = errors.New("wire: missing frame-end octet")
	// ErrSyntax: truncated or malformed method arguments, field table,
	// content header or property list, or trailing octets after them
	// (502 SYNTAX_ERROR).
	ErrSyntax = errors.New("wire: syntax error")
	// ErrUnknownMethod: a method frame whose class or method id this
	// package does not know (540 NOT_IMPLEMENTED).
	ErrUnknownMethod = errors.New("wire: unknown class or method")
)

// Encoding errors: a value the caller built cannot be put on the wire.
// They are programming or input-validation errors, never peer errors.
var (
	// ErrShortString: a shortstr (names, keys, tags, table field names)
	// longer than 255 octets.
	ErrShortString = errors.New("wire: short string longer than 255 octets")
	// ErrLongString: a longstr, byte array, table or array longer than
	// 2^32-1 octets.
	ErrLongString = errors.New("wire: value longer than 2^32-1 octets")
	// ErrFieldType: a table or array value of a Go type with no AMQP field
	// type (see Table for the accepted types).
	ErrFieldType = errors.New("wire: unsupported field value type")
	// ErrTooDeep: tables and arrays nested deeper than MaxDepth (or a
	// cycle).
	ErrTooDeep = errors.New("wire: field values nested too deeply")
)

// Internal decoding errors, allocated once so the failure path of a
// decoder does not allocate either.
var (
	errTruncated = fmt.Errorf("%w: truncated", ErrSyntax)
	errTrailing  = fmt.Errorf("%w: trailing octets", ErrSyntax)
	errDepth     = fmt.Errorf("%w: field values nested deeper than %d", ErrSyntax, MaxDepth)
	errTag       = fmt.Errorf("%w: unknown field value type", ErrSyntax)
	errFlags     = fmt.Errorf("%w: unknown property flags", ErrSyntax)
)

// MethodError reports a method frame that could not be decoded, naming the
// method so the connection can put its class and method ids in the close.
// Err wraps ErrUnknownMethod or ErrSyntax.
type MethodError struct {
	ClassID  uint16
	MethodID uint16
	Err      error
}

// Error implements error.
func (e *MethodError) Error() string {
	if name := MethodName(e.ClassID, e.MethodID); name != "" {
		return fmt.Sprintf("%s: %v", name, e.Err)
	}
	return fmt.Sprintf("method %d.%d: %v", e.ClassID, e.MethodID, e.Err)
}

// Unwrap returns Err.
func (e *MethodError) Unwrap() error { return e.Err }

// ReplyCode maps an error from this package to the reply code the
// connection closes with: FrameError (501) for ErrFrameType,
// ErrFrameTooLarge and ErrFrameEnd; SyntaxError (502) for ErrSyntax;
// NotImplemented (540) for ErrUnknownMethod. It returns 0 for nil and for
// errors that are not protocol errors (I/O errors, ErrProtocolHeader,
// encoding errors), after which the connection just closes the socket.
func ReplyCode(err error) uint16 {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrFrameType), errors.Is(err, ErrFrameTooLarge), errors.Is(err, ErrFrameEnd):
		return FrameError
	case errors.Is(err, ErrSyntax):
		return SyntaxError
	case errors.Is(err, ErrUnknownMethod):
		return NotImplemented
	}
	return 0
}
