// Frames: the protocol header check, ReadFrame (type, channel, size,
// payload, frame-end, with frame-max enforced before the payload is read)
// and the Append*Frame helpers that build method, content header, body and
// heartbeat frames in a caller's buffer.
package wire

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// CheckProtocolHeader reports whether h, the first 8 octets a client sent,
// is ProtocolHeader. If not it returns ErrProtocolHeader, and the server
// should write ProtocolHeader and close the socket, as the spec asks.
func CheckProtocolHeader(h []byte) error {
	if string(h) != ProtocolHeader {
		return fmt.Errorf("%w: %q", ErrProtocolHeader, h)
	}
	return nil
}

// Frame is one frame read by ReadFrame. Payload is reused by the next
// ReadFrame into the same Frame: copy out what must outlive it.
type Frame struct {
	Type    uint8  // FrameMethod, FrameHeader, FrameBody or FrameHeartbeat
	Channel uint16 // 0 for the connection, heartbeats and connection methods
	Payload []byte // the octets between the header and the frame-end octet
}

// ReadFrame reads one frame from r into f, growing f.Payload only when it
// is too small, so a warm Frame reads without allocating.
//
// frameMax is the negotiated frame-max: the largest whole frame, header
// and frame-end octet included. Values below FrameMinSize (0 included)
// mean FrameMinSize, the limit before connection.tune-ok. A larger frame
// fails with ErrFrameTooLarge before its payload is read. An unknown frame
// type fails with ErrFrameType, a bad frame-end octet with ErrFrameEnd. At a
// frame boundary a closed stream is io.EOF; inside a frame it is
// io.ErrUnexpectedEOF. Whether the frame type is allowed on the channel,
// and a heartbeat on a channel other than 0, are for the caller to judge.
func ReadFrame(r *bufio.Reader, f *Frame, frameMax int) error {
	f.Payload = f.Payload[:0]
	hdr, err := r.Peek(FrameHeaderSize)
	if err != nil {
		if len(hdr) > 0 && errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	f.Type = hdr[0]
	f.Channel = binary.BigEndian.Uint16(hdr[1:3])
	size := binary.BigEndian.Uint32(hdr[3:7])
	if _, err := r.Discard(FrameHeaderSize); err != nil {
		return err
	}
	switch f.Type {
	case FrameMethod, FrameHeader, FrameBody, FrameHeartbeat:
	default:
		return fmt.Errorf("%w: %d", ErrFrameType, f.Type)
	}
	if limit := maxPayload(frameMax); uint64(size) > uint64(limit) {
		return fmt.Errorf("%w: %d octets, frame-max %d", ErrFrameTooLarge, uint64(size)+FrameOverhead, limit+FrameOverhead)
	}
	if cap(f.Payload) < int(size) {
		f.Payload = make([]byte, size)
	}
	f.Payload = f.Payload[:size]
	if _, err := io.ReadFull(r, f.Payload); err != nil {
		f.Payload = f.Payload[:0]
		return unexpectedEOF(err)
	}
	end, err := r.ReadByte()
	if err != nil {
		f.Payload = f.Payload[:0]
		return unexpectedEOF(err)
	}
	if end != FrameEnd {
		f.Payload = f.Payload[:0]
		return fmt.Errorf("%w: got 0x%02x", ErrFrameEnd, end)
	}
	return nil
}

func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// maxPayload is the largest frame payload frame-max allows.
func maxPayload(frameMax int) int {
	if frameMax < FrameMinSize {
		frameMax = FrameMinSize
	}
	return frameMax - FrameOverhead
}

// appendFrameHeader appends a frame header with a zero size, to be set by
// finishFrame once the payload is appended.
func appendFrameHeader(dst []byte, typ uint8, channel uint16) []byte {
	return append(dst, typ, uint8(channel>>8), uint8(channel), 0, 0, 0, 0)
}

// finishFrame sets the size of the frame that starts at start and appends
// the frame-end octet.
func finishFrame(dst []byte, start int) []byte {
	binary.BigEndian.PutUint32(dst[start+3:], uint32(len(dst)-start-FrameHeaderSize))
	return append(dst, FrameEnd)
}

// AppendMethodFrame appends a method frame carrying m on channel and
// returns the extended slice. On error (m holds a value that cannot be
// encoded) the returned slice is dst. Method frames are never split, so
// the caller keeps them within frame-max (Writer.WriteMethod checks).
func AppendMethodFrame(dst []byte, channel uint16, m Method) ([]byte, error) {
	start := len(dst)
	dst = appendFrameHeader(dst, FrameMethod, channel)
	dst = binary.BigEndian.AppendUint16(dst, m.ClassID())
	dst = binary.BigEndian.AppendUint16(dst, m.MethodID())
	dst, err := m.Write(dst)
	if err == nil && uint64(len(dst)-start-FrameHeaderSize) > math.MaxUint32 {
		err = ErrLongString
	}
	if err != nil {
		return dst[:start], &MethodError{ClassID: m.ClassID(), MethodID: m.MethodID(), Err: err}
	}
	return finishFrame(dst, start), nil
}

// AppendHeaderFrame appends a content header frame: class, weight 0, body
// size and the already-encoded property flags and list (see
// AppendProperties). Header frames are never split, so properties must fit
// the peer's frame-max less 20 octets.
func AppendHeaderFrame(dst []byte, channel, classID uint16, bodySize uint64, properties []byte) []byte {
	start := len(dst)
	dst = appendFrameHeader(dst, FrameHeader, channel)
	dst = binary.BigEndian.AppendUint16(dst, classID)
	dst = append(dst, 0, 0) // weight
	dst = binary.BigEndian.AppendUint64(dst, bodySize)
	dst = append(dst, properties...)
	return finishFrame(dst, start)
}

// AppendBodyFrames appends body as body frames of at most frameMax octets
// each (values below FrameMinSize mean FrameMinSize). An empty body appends
// nothing: the content header's body size of 0 says there are no body
// frames.
func AppendBodyFrames(dst []byte, channel uint16, body []byte, frameMax int) []byte {
	limit := maxPayload(frameMax)
	for len(body) > 0 {
		n := min(len(body), limit)
		start := len(dst)
		dst = appendFrameHeader(dst, FrameBody, channel)
		dst = append(dst, body[:n]...)
		dst = finishFrame(dst, start)
		body = body[n:]
	}
	return dst
}

// heartbeat is the whole heartbeat frame.
var heartbeat = [FrameOverhead]byte{FrameHeartbeat, 0, 0, 0, 0, 0, 0, FrameEnd}

// AppendHeartbeat appends a heartbeat frame (channel 0, empty payload).
func AppendHeartbeat(dst []byte) []byte { return append(dst, heartbeat[:]...) }
