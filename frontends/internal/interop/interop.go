// Package interop is the one place where a record written by one protocol
// is turned into what another protocol's reader sees (docs/cross-protocol.md
// has the table). Each frontend reads its own origin natively and calls the
// view here for the others:
//
//   - RedisFields: the stream fields a Redis reader gets.
//   - KafkaView: key, value and headers a Kafka consumer gets.
//   - AMQPView: routing key, body, properties and headers an AMQP stream
//     consumer gets.
//
// The write side for AMQP (AMQPHeaders) is here too, so that both directions
// of the amqp-* header mapping live together, and so are the names Redis
// and AMQP give the partitions of a multi-partition topic (partname.go:
// Resolve, PartitionNames). The package imports only storage and broker;
// any frontend may use it.
package interop

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"junction/storage"
)

// Header names used by the mapping.
const (
	// RedisField names the field of a single-field Redis entry read as a
	// Kafka or AMQP message.
	RedisField = "redis-field"
	// ContentType carries application/json for multi-field Redis entries.
	ContentType = "content-type"
	// JSON is the content type of a multi-field Redis entry's value.
	JSON = "application/json"
	// AMQPPrefix starts the headers that carry AMQP content properties.
	AMQPPrefix = "amqp-"
)

// Field names of a record of another protocol read in Redis.
const (
	keyField   = "key"
	valueField = "value"
)

// RedisFields returns r as Redis stream field/value pairs: a Redis entry's
// own fields; otherwise "key" (when the key is not null), "value", then the
// record's headers in order. The result may share r's slices and
// read-only field names of this package: callers must not modify it.
func RedisFields(r *storage.Record) []storage.Header {
	if r.Origin == storage.OriginRedis {
		return r.Headers
	}
	fs := make([]storage.Header, 0, 2+len(r.Headers))
	if r.Key != nil {
		fs = append(fs, storage.Header{Key: keyFieldName, Value: r.Key})
	}
	fs = append(fs, storage.Header{Key: valueFieldName, Value: r.Value})
	return append(fs, r.Headers...)
}

// KafkaView returns r's key, value and headers as a Kafka consumer sees
// them. Kafka and AMQP records (and core ones) are returned as stored. A
// Redis entry has a null key; with one field its value is the field's
// value and a "redis-field" header names the field, except for a field
// named "value", which has no header (the inverse of RedisFields: the
// entry reads exactly as a Kafka record with a null key, that value and no
// headers, which reads back in Redis as the same entry); with several
// fields the value is a JSON object of the fields in order (values as JSON
// strings; bytes that are not UTF-8 become U+FFFD; a repeated field name
// repeats the member) and a "content-type: application/json" header is
// added. The added header is appended to scratch[:0] (pass a reused buffer
// to avoid an allocation per record); its bytes are shared and must not be
// modified.
func KafkaView(r *storage.Record, scratch []storage.Header) (key, value []byte, headers []storage.Header) {
	if r.Origin != storage.OriginRedis {
		return r.Key, r.Value, r.Headers
	}
	switch len(r.Headers) {
	case 0:
		return nil, nil, nil
	case 1:
		f := r.Headers[0]
		if string(f.Key) == valueField {
			return nil, f.Value, nil
		}
		return nil, f.Value, append(scratch[:0], storage.Header{Key: redisFieldKey, Value: f.Key})
	}
	return nil, JSONObject(r.Headers), append(scratch[:0], storage.Header{Key: contentTypeKey, Value: jsonValue})
}

// Shared, read-only header names and values for KafkaView.
var (
	keyFieldName   = []byte(keyField)
	valueFieldName = []byte(valueField)
	redisFieldKey  = []byte(RedisField)
	contentTypeKey = []byte(ContentType)
	jsonValue      = []byte(JSON)
)

// JSONObject encodes fields as a JSON object, members in order.
func JSONObject(fields []storage.Header) []byte {
	n := 2
	for _, f := range fields {
		n += len(f.Key) + len(f.Value) + 6
	}
	b := make([]byte, 0, n)
	b = append(b, '{')
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, f.Key)
		b = append(b, ':')
		b = appendJSONString(b, f.Value)
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

func appendJSONString(b, s []byte) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\ufffd"...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// AMQPProps are the AMQP 0-9-1 basic content properties other than the
// headers table, protocol-neutral. Has says which are set (one bit per
// field, in the order below).
type AMQPProps struct {
	Has             uint16
	ContentType     string
	ContentEncoding string
	DeliveryMode    uint8
	Priority        uint8
	CorrelationID   string
	ReplyTo         string
	Expiration      string
	MessageID       string
	Timestamp       int64 // seconds, as AMQP 0-9-1 has it
	Type            string
	UserID          string
	AppID           string
}

// Bits of AMQPProps.Has.
const (
	HasContentType uint16 = 1 << iota
	HasContentEncoding
	HasDeliveryMode
	HasPriority
	HasCorrelationID
	HasReplyTo
	HasExpiration
	HasMessageID
	HasTimestamp
	HasType
	HasUserID
	HasAppID
)

// Header names of the properties (after AMQPPrefix), indexed by bit.
var propNames = [...]string{"content-type", "content-encoding", "delivery-mode", "priority",
	"correlation-id", "reply-to", "expiration", "message-id", "timestamp", "type", "user-id", "app-id"}

// AMQPHeaders appends p's properties to dst as "amqp-<name>" headers in
// AMQP's property order. Numbers are decimal; amqp-timestamp is in
// milliseconds (the AMQP seconds times 1000), like every other time a Kafka
// or Redis reader sees.
func AMQPHeaders(dst []storage.Header, p *AMQPProps) []storage.Header {
	for i, name := range propNames {
		if p.Has&(1<<i) == 0 {
			continue
		}
		var v string
		switch uint16(1) << i {
		case HasContentType:
			v = p.ContentType
		case HasContentEncoding:
			v = p.ContentEncoding
		case HasDeliveryMode:
			v = strconv.Itoa(int(p.DeliveryMode))
		case HasPriority:
			v = strconv.Itoa(int(p.Priority))
		case HasCorrelationID:
			v = p.CorrelationID
		case HasReplyTo:
			v = p.ReplyTo
		case HasExpiration:
			v = p.Expiration
		case HasMessageID:
			v = p.MessageID
		case HasTimestamp:
			v = strconv.FormatInt(p.Timestamp*1000, 10)
		case HasType:
			v = p.Type
		case HasUserID:
			v = p.UserID
		case HasAppID:
			v = p.AppID
		}
		dst = append(dst, storage.Header{Key: []byte(AMQPPrefix + name), Value: []byte(v)})
	}
	return dst
}

// setProp sets the property named name (without the prefix) from v; false
// if name is not a property or v does not parse.
func (p *AMQPProps) setProp(name string, v []byte) bool {
	s := string(v)
	for i, n := range propNames {
		if n != name {
			continue
		}
		bit := uint16(1) << i
		switch bit {
		case HasContentType:
			p.ContentType = s
		case HasContentEncoding:
			p.ContentEncoding = s
		case HasDeliveryMode, HasPriority:
			x, err := strconv.ParseUint(s, 10, 8)
			if err != nil {
				return false
			}
			if bit == HasDeliveryMode {
				p.DeliveryMode = uint8(x)
			} else {
				p.Priority = uint8(x)
			}
		case HasCorrelationID:
			p.CorrelationID = s
		case HasReplyTo:
			p.ReplyTo = s
		case HasExpiration:
			p.Expiration = s
		case HasMessageID:
			p.MessageID = s
		case HasTimestamp:
			x, err := strconv.ParseInt(s, 10, 64)
			if err != nil || x < 0 {
				return false
			}
			p.Timestamp = x / 1000
		case HasType:
			p.Type = s
		case HasUserID:
			p.UserID = s
		case HasAppID:
			p.AppID = s
		}
		p.Has |= bit
		return true
	}
	return false
}

// AMQPView returns how a record that AMQP did not write reads on an AMQP
// stream queue: the routing key (the record key), the body (KafkaView's
// value), the properties and the remaining headers. "amqp-<property>"
// headers become that property and are removed from the headers (so a
// message that went AMQP → Kafka → AMQP gets its properties back); a plain
// "content-type" header sets the content type when no amqp-content-type
// does; the timestamp property is the record's timestamp in seconds unless
// an amqp-timestamp header gives one. Records written by AMQP are served
// from their stored properties by the AMQP frontend and do not come here.
func AMQPView(r *storage.Record) (key, body []byte, props AMQPProps, headers []storage.Header) {
	key, body, hs := KafkaView(r, nil)
	headers = make([]storage.Header, 0, len(hs))
	var plainCT []byte
	for _, h := range hs {
		if name, ok := strings.CutPrefix(string(h.Key), AMQPPrefix); ok && props.setProp(name, h.Value) {
			continue
		}
		if plainCT == nil && string(h.Key) == ContentType {
			plainCT = h.Value
		}
		headers = append(headers, h)
	}
	if props.Has&HasContentType == 0 && plainCT != nil {
		props.ContentType = string(plainCT)
		props.Has |= HasContentType
	}
	if props.Has&HasTimestamp == 0 {
		props.Timestamp = max(r.Timestamp, 0) / 1000
		props.Has |= HasTimestamp
	}
	return key, body, props, headers
}
