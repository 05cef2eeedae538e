// Content properties kept as bytes: messages are stored and delivered with
// the property bytes the publisher sent (flags word and property list), so
// every property and header-table field round-trips exactly. scanProps
// reads just what routing and the queue need (delivery-mode, priority,
// expiration, user-id, reply-to, the raw headers table) without
// allocating; withHeader adds one field to the headers table in place of a
// decode and re-encode (x-stream-offset on stream deliveries).

package amqp

import (
	"encoding/binary"

	"junction/frontends/amqp/internal/wire"
)

type propInfo struct {
	deliveryMode uint8
	priority     uint8
	expiration   []byte
	hasExpire    bool
	userID       []byte
	hasUserID    bool
	replyTo      []byte
	hasReplyTo   bool
	headers      []byte // the headers field table with its length prefix, nil if absent
	hdrPos       int    // offset of the headers table, or where it would go
}

// scanProps walks an encoded property list. ok is false if it is
// malformed.
func scanProps(b []byte) (p propInfo, ok bool) {
	if len(b) < 2 {
		return p, len(b) == 0
	}
	flags := binary.BigEndian.Uint16(b)
	pos := 2
	short := func() ([]byte, bool) {
		if pos >= len(b) {
			return nil, false
		}
		n := int(b[pos])
		if pos+1+n > len(b) {
			return nil, false
		}
		s := b[pos+1 : pos+1+n]
		pos += 1 + n
		return s, true
	}
	for bit := 15; bit >= 2; bit-- {
		flag := uint16(1) << bit
		if bit == 13 {
			p.hdrPos = pos
		}
		if flags&flag == 0 {
			continue
		}
		switch flag {
		case wire.FlagHeaders:
			if pos+4 > len(b) {
				return p, false
			}
			n := int(binary.BigEndian.Uint32(b[pos:]))
			if n < 0 || pos+4+n > len(b) {
				return p, false
			}
			p.headers = b[pos : pos+4+n]
			pos += 4 + n
		case wire.FlagDeliveryMode, wire.FlagPriority:
			if pos >= len(b) {
				return p, false
			}
			if flag == wire.FlagDeliveryMode {
				p.deliveryMode = b[pos]
			} else {
				p.priority = b[pos]
			}
			pos++
		case wire.FlagTimestamp:
			if pos+8 > len(b) {
				return p, false
			}
			pos += 8
		default:
			s, good := short()
			if !good {
				return p, false
			}
			switch flag {
			case wire.FlagExpiration:
				p.expiration, p.hasExpire = s, true
			case wire.FlagUserID:
				p.userID, p.hasUserID = s, true
			case wire.FlagReplyTo:
				p.replyTo, p.hasReplyTo = s, true
			}
		}
	}
	return p, true
}

// withHeader appends to dst the property list props with one more
// headers-table field (a long: type 'l'), creating the table if needed.
func withHeader(dst, props []byte, name string, v int64) []byte {
	p, good := scanProps(props)
	if !good || len(props) < 2 {
		// Not AMQP properties we can edit: send just the header.
		return wire.EncodeProperties(dst, &wire.Properties{Present: wire.FlagHeaders,
			Headers: wire.Table{{Name: name, Value: v}}})
	}
	field := make([]byte, 0, 1+len(name)+9)
	field = append(field, byte(len(name)))
	field = append(field, name...)
	field = append(field, 'l')
	field = binary.BigEndian.AppendUint64(field, uint64(v))

	flags := binary.BigEndian.Uint16(props) | wire.FlagHeaders
	dst = binary.BigEndian.AppendUint16(dst, flags)
	dst = append(dst, props[2:p.hdrPos]...)
	if p.headers != nil {
		n := len(p.headers) - 4
		dst = binary.BigEndian.AppendUint32(dst, uint32(n+len(field)))
		dst = append(dst, p.headers[4:]...)
		dst = append(dst, field...)
		return append(dst, props[p.hdrPos+len(p.headers):]...)
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(field)))
	dst = append(dst, field...)
	return append(dst, props[p.hdrPos:]...)
}
