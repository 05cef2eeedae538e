// Basic content properties: the 14 properties of class basic, the property
// flags word that says which are present, and their encoding. Brokers keep
// a message's properties as the encoded bytes (flags word and property
// list, as in the content header frame) and send them back verbatim, so
// only code that needs a property value decodes them.
package wire

// Property flags: bit 15 of the flags word is the first property. Bit 0
// (continuation) and bit 1 are never set for class basic.
const (
	FlagContentType     uint16 = 1 << 15
	FlagContentEncoding uint16 = 1 << 14
	FlagHeaders         uint16 = 1 << 13
	FlagDeliveryMode    uint16 = 1 << 12
	FlagPriority        uint16 = 1 << 11
	FlagCorrelationID   uint16 = 1 << 10
	FlagReplyTo         uint16 = 1 << 9
	FlagExpiration      uint16 = 1 << 8
	FlagMessageID       uint16 = 1 << 7
	FlagTimestamp       uint16 = 1 << 6
	FlagType            uint16 = 1 << 5
	FlagUserID          uint16 = 1 << 4
	FlagAppID           uint16 = 1 << 3
	FlagClusterID       uint16 = 1 << 2

	// flagsKnown is every flag of class basic.
	flagsKnown uint16 = 0xFFFC
)

// Properties are the content properties of class basic. Present holds the
// Flag* bits of the properties that are set; a field whose flag is clear is
// neither encoded nor meaningful, so a zero value ("" or 0) can be sent
// explicitly.
type Properties struct {
	Present         uint16    // Flag* bits of the properties that are set
	ContentType     string    // MIME type (shortstr)
	ContentEncoding string    // MIME encoding (shortstr)
	Headers         Table     // application headers; header-exchange routing
	DeliveryMode    uint8     // 1 transient, 2 persistent
	Priority        uint8     // 0–9 (RabbitMQ honours up to the queue's max)
	CorrelationID   string    // application use (shortstr)
	ReplyTo         string    // application use (shortstr)
	Expiration      string    // per-message TTL in milliseconds, as decimal text
	MessageID       string    // application use (shortstr)
	Timestamp       Timestamp // application use
	Type            string    // application use (shortstr)
	UserID          string    // must match the connection's user in RabbitMQ
	AppID           string    // application use (shortstr)
	ClusterID       string    // reserved; deprecated in 0-9-1
}

// Has reports whether every property in flags is present.
func (p *Properties) Has(flags uint16) bool { return p.Present&flags == flags }

// AppendProperties appends the flags word and the present properties of p
// in wire order (the part of a content header frame after the body size)
// and returns the extended slice. On error (a shortstr longer than 255
// octets or an invalid header table) the returned slice is dst.
func AppendProperties(dst []byte, p *Properties) ([]byte, error) {
	e := encoder{b: dst}
	f := p.Present & flagsKnown
	e.u16(f)
	if f&FlagContentType != 0 {
		e.shortStr(p.ContentType)
	}
	if f&FlagContentEncoding != 0 {
		e.shortStr(p.ContentEncoding)
	}
	if f&FlagHeaders != 0 {
		e.table(p.Headers)
	}
	if f&FlagDeliveryMode != 0 {
		e.u8(p.DeliveryMode)
	}
	if f&FlagPriority != 0 {
		e.u8(p.Priority)
	}
	if f&FlagCorrelationID != 0 {
		e.shortStr(p.CorrelationID)
	}
	if f&FlagReplyTo != 0 {
		e.shortStr(p.ReplyTo)
	}
	if f&FlagExpiration != 0 {
		e.shortStr(p.Expiration)
	}
	if f&FlagMessageID != 0 {
		e.shortStr(p.MessageID)
	}
	if f&FlagTimestamp != 0 {
		e.u64(uint64(p.Timestamp))
	}
	if f&FlagType != 0 {
		e.shortStr(p.Type)
	}
	if f&FlagUserID != 0 {
		e.shortStr(p.UserID)
	}
	if f&FlagAppID != 0 {
		e.shortStr(p.AppID)
	}
	if f&FlagClusterID != 0 {
		e.shortStr(p.ClusterID)
	}
	if e.err != nil {
		return dst, e.err
	}
	return e.b, nil
}

// EncodeProperties is AppendProperties for properties known to be valid,
// such as ones returned by DecodeProperties. Invalid properties are a
// programming error and panic; use AppendProperties for properties built
// from foreign input (header names from another protocol, say).
func EncodeProperties(dst []byte, p *Properties) []byte {
	b, err := AppendProperties(dst, p)
	if err != nil {
		panic("wire: EncodeProperties: " + err.Error())
	}
	return b
}

// DecodeProperties decodes the flags word and property list of class basic
// (as produced by AppendProperties, or ContentHeader.Properties). Unknown
// flags, continuation flags, truncation and trailing octets are ErrSyntax.
// Strings and headers are copies: they do not alias b.
func DecodeProperties(b []byte) (Properties, error) {
	var p Properties
	r := reader{b: b}
	f := r.u16()
	if f&^flagsKnown != 0 {
		r.fail(errFlags)
	}
	p.Present = f
	if f&FlagContentType != 0 {
		r.shortStr(&p.ContentType)
	}
	if f&FlagContentEncoding != 0 {
		r.shortStr(&p.ContentEncoding)
	}
	if f&FlagHeaders != 0 {
		p.Headers = r.table(0)
	}
	if f&FlagDeliveryMode != 0 {
		p.DeliveryMode = r.u8()
	}
	if f&FlagPriority != 0 {
		p.Priority = r.u8()
	}
	if f&FlagCorrelationID != 0 {
		r.shortStr(&p.CorrelationID)
	}
	if f&FlagReplyTo != 0 {
		r.shortStr(&p.ReplyTo)
	}
	if f&FlagExpiration != 0 {
		r.shortStr(&p.Expiration)
	}
	if f&FlagMessageID != 0 {
		r.shortStr(&p.MessageID)
	}
	if f&FlagTimestamp != 0 {
		p.Timestamp = Timestamp(r.u64())
	}
	if f&FlagType != 0 {
		r.shortStr(&p.Type)
	}
	if f&FlagUserID != 0 {
		r.shortStr(&p.UserID)
	}
	if f&FlagAppID != 0 {
		r.shortStr(&p.AppID)
	}
	if f&FlagClusterID != 0 {
		r.shortStr(&p.ClusterID)
	}
	if err := r.end(); err != nil {
		return Properties{}, err
	}
	return p, nil
}

// validateProperties checks what DecodeProperties checks, without
// allocating.
func validateProperties(b []byte) error {
	r := reader{b: b}
	f := r.u16()
	if f&^flagsKnown != 0 {
		return errFlags
	}
	// Walk the flags from the first property (bit 15) to cluster-id (bit 2).
	for bitN := 15; bitN >= 2 && r.err == nil; bitN-- {
		flag := uint16(1) << bitN
		switch {
		case f&flag == 0:
		case flag == FlagHeaders:
			r.skipTable(0)
		case flag == FlagDeliveryMode, flag == FlagPriority:
			r.u8()
		case flag == FlagTimestamp:
			r.u64()
		default:
			r.shortBytes()
		}
	}
	return r.end()
}
