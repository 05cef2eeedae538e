// Content: the content header frame payload (class, weight, body size,
// raw properties), and the hot-path appenders that write a whole message
// (method, header and body frames) from stored property bytes.
package wire

import "encoding/binary"

// ContentHeader is a decoded content header frame payload.
type ContentHeader struct {
	ClassID  uint16 // class of the method that the content belongs to
	Weight   uint16 // unused; always 0 on the wire
	BodySize uint64 // total octets of the body frames that follow
	// Properties is the flags word and property list, aliasing the frame
	// payload (copy it to keep it). For class basic it has been checked as
	// DecodeProperties would, so it can be stored and sent back verbatim.
	Properties []byte
}

// contentHeaderMin is the class, weight, body size and flags word.
const contentHeaderMin = 2 + 2 + 8 + 2

// ReadContentHeader decodes a content header frame payload into h without
// allocating. For class basic the property list is validated (ErrSyntax if
// malformed); for other classes it is left unchecked, and it is the
// caller's job to match the class against the method it follows.
func ReadContentHeader(payload []byte, h *ContentHeader) error {
	if len(payload) < contentHeaderMin {
		return errTruncated
	}
	h.ClassID = binary.BigEndian.Uint16(payload[0:2])
	h.Weight = binary.BigEndian.Uint16(payload[2:4])
	h.BodySize = binary.BigEndian.Uint64(payload[4:12])
	h.Properties = payload[12:]
	if h.ClassID == ClassBasic {
		return validateProperties(h.Properties)
	}
	return nil
}

// AppendContent appends the content header frame and body frames of one
// message whose properties are already encoded (flags word and list), body
// frames split at frameMax (values below FrameMinSize mean FrameMinSize).
// It follows a basic.deliver, basic.get-ok or basic.return method frame.
func AppendContent(dst []byte, channel, classID uint16, properties, body []byte, frameMax int) []byte {
	dst = AppendHeaderFrame(dst, channel, classID, uint64(len(body)), properties)
	return AppendBodyFrames(dst, channel, body, frameMax)
}

// AppendDeliver appends one complete delivery to dst: the basic.deliver
// method frame, the content header frame built from the already-encoded
// properties (as stored from ContentHeader.Properties or made by
// EncodeProperties), and body frames split at frameMax (values below
// FrameMinSize mean FrameMinSize). It does not allocate beyond growing dst.
//
// consumerTag, exchange and routingKey are shortstrs: longer than 255
// octets is a programming error and panics (names that came from the wire
// always fit).
func AppendDeliver(dst []byte, channel uint16, consumerTag string, deliveryTag uint64, redelivered bool,
	exchange, routingKey string, rawProperties []byte, body []byte, frameMax int) []byte {
	start := len(dst)
	dst = appendFrameHeader(dst, FrameMethod, channel)
	dst = binary.BigEndian.AppendUint16(dst, ClassBasic)
	dst = binary.BigEndian.AppendUint16(dst, methodBasicDeliver)
	dst = appendShortStr(dst, consumerTag)
	dst = binary.BigEndian.AppendUint64(dst, deliveryTag)
	dst = append(dst, bits(redelivered))
	dst = appendShortStr(dst, exchange)
	dst = appendShortStr(dst, routingKey)
	dst = finishFrame(dst, start)
	return AppendContent(dst, channel, ClassBasic, rawProperties, body, frameMax)
}
