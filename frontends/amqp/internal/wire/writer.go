// Writer: frames appended to a connection's bufio.Writer. It never
// flushes; the connection's writer flushes once per batch (when its outbox
// empties), never per frame.
package wire

import (
	"bufio"
	"encoding/binary"
	"fmt"
)

// Writer writes frames to a bufio.Writer, building method and header
// frames in a reused scratch buffer and writing body frames straight from
// the caller's slice, so a warm Writer does not allocate. It is not safe
// for concurrent use: one goroutine owns a connection's Writer.
type Writer struct {
	w        *bufio.Writer
	frameMax int
	buf      []byte // scratch for method and header frames
	hdr      [FrameHeaderSize]byte
}

// NewWriter returns a Writer onto w with frame-max FrameMinSize, the limit
// until the connection is tuned (see SetFrameMax).
func NewWriter(w *bufio.Writer) *Writer {
	return &Writer{w: w, frameMax: FrameMinSize}
}

// SetFrameMax sets the negotiated frame-max, the largest whole frame the
// peer accepts; values below FrameMinSize mean FrameMinSize.
func (w *Writer) SetFrameMax(frameMax int) { w.frameMax = max(frameMax, FrameMinSize) }

// FrameMax returns the frame-max that bodies are split at.
func (w *Writer) FrameMax() int { return w.frameMax }

// WriteMethod writes a method frame. It fails without writing if m cannot
// be encoded or the frame would exceed frame-max (ErrFrameTooLarge).
func (w *Writer) WriteMethod(channel uint16, m Method) error {
	b, err := AppendMethodFrame(w.buf[:0], channel, m)
	if err != nil {
		return err
	}
	w.buf = b
	if len(b) > w.frameMax {
		return &MethodError{ClassID: m.ClassID(), MethodID: m.MethodID(),
			Err: fmt.Errorf("%w: %d octets, frame-max %d", ErrFrameTooLarge, len(b), w.frameMax)}
	}
	_, err = w.w.Write(b)
	return err
}

// WriteHeader writes a content header frame, encoding p. It fails without
// writing if p cannot be encoded or the frame would exceed frame-max.
func (w *Writer) WriteHeader(channel, classID uint16, bodySize uint64, p *Properties) error {
	props, err := AppendProperties(w.buf[:0], p)
	if err != nil {
		return err
	}
	w.buf = props
	// The properties are encoded into the scratch buffer first and then
	// copied behind the frame header, in the same buffer.
	n := len(props)
	b := AppendHeaderFrame(props, channel, classID, bodySize, props)
	w.buf = b
	return w.writeHeaderFrame(b[n:])
}

// WriteRawHeader writes a content header frame from already-encoded
// properties (ContentHeader.Properties or EncodeProperties output). It
// fails without writing if the frame would exceed frame-max.
func (w *Writer) WriteRawHeader(channel, classID uint16, bodySize uint64, properties []byte) error {
	b := AppendHeaderFrame(w.buf[:0], channel, classID, bodySize, properties)
	w.buf = b
	return w.writeHeaderFrame(b)
}

func (w *Writer) writeHeaderFrame(frame []byte) error {
	if len(frame) > w.frameMax {
		return fmt.Errorf("%w: content header of %d octets, frame-max %d", ErrFrameTooLarge, len(frame), w.frameMax)
	}
	_, err := w.w.Write(frame)
	return err
}

// WriteBody writes body as body frames split at frame-max; an empty body
// writes nothing.
func (w *Writer) WriteBody(channel uint16, body []byte) error {
	limit := maxPayload(w.frameMax)
	for len(body) > 0 {
		n := min(len(body), limit)
		w.hdr[0] = FrameBody
		binary.BigEndian.PutUint16(w.hdr[1:3], channel)
		binary.BigEndian.PutUint32(w.hdr[3:7], uint32(n))
		w.w.Write(w.hdr[:])
		w.w.Write(body[:n])
		if err := w.w.WriteByte(FrameEnd); err != nil {
			return err // bufio.Writer errors are sticky: this one is the first
		}
		body = body[n:]
	}
	return nil
}

// WriteContent writes a method that carries content (basic.get-ok,
// basic.return, basic.deliver, or basic.publish from a client), then the
// content header from already-encoded properties, then the body frames.
func (w *Writer) WriteContent(channel uint16, m Method, properties, body []byte) error {
	if err := w.WriteMethod(channel, m); err != nil {
		return err
	}
	if err := w.WriteRawHeader(channel, m.ClassID(), uint64(len(body)), properties); err != nil {
		return err
	}
	return w.WriteBody(channel, body)
}

// WriteHeartbeat writes a heartbeat frame.
func (w *Writer) WriteHeartbeat() error {
	_, err := w.w.Write(heartbeat[:])
	return err
}

// WriteFrames writes frames already built by the Append* functions (for
// example a batch of AppendDeliver output).
func (w *Writer) WriteFrames(frames []byte) error {
	_, err := w.w.Write(frames)
	return err
}
