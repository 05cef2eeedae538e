// Conversion between AMQP content properties and the protocol-neutral
// interop.AMQPProps (frontends/internal/interop holds the mapping itself,
// docs/cross-protocol.md the table).

package amqp

import (
	"junction/frontends/amqp/internal/wire"
	"junction/frontends/internal/interop"
)

// propFlags pairs each wire property flag with its interop bit.
var propFlags = [...][2]uint16{
	{wire.FlagContentType, interop.HasContentType},
	{wire.FlagContentEncoding, interop.HasContentEncoding},
	{wire.FlagDeliveryMode, interop.HasDeliveryMode},
	{wire.FlagPriority, interop.HasPriority},
	{wire.FlagCorrelationID, interop.HasCorrelationID},
	{wire.FlagReplyTo, interop.HasReplyTo},
	{wire.FlagExpiration, interop.HasExpiration},
	{wire.FlagMessageID, interop.HasMessageID},
	{wire.FlagTimestamp, interop.HasTimestamp},
	{wire.FlagType, interop.HasType},
	{wire.FlagUserID, interop.HasUserID},
	{wire.FlagAppID, interop.HasAppID},
}

// neutralProps converts wire properties (the headers table aside).
func neutralProps(p *wire.Properties) interop.AMQPProps {
	n := interop.AMQPProps{
		ContentType: p.ContentType, ContentEncoding: p.ContentEncoding,
		DeliveryMode: p.DeliveryMode, Priority: p.Priority,
		CorrelationID: p.CorrelationID, ReplyTo: p.ReplyTo, Expiration: p.Expiration,
		MessageID: p.MessageID, Timestamp: int64(p.Timestamp), Type: p.Type,
		UserID: p.UserID, AppID: p.AppID,
	}
	for _, f := range propFlags {
		if p.Present&f[0] != 0 {
			n.Has |= f[1]
		}
	}
	return n
}

// wireProps converts neutral properties to wire ones (no headers table).
func wireProps(n *interop.AMQPProps) wire.Properties {
	p := wire.Properties{
		ContentType: n.ContentType, ContentEncoding: n.ContentEncoding,
		DeliveryMode: n.DeliveryMode, Priority: n.Priority,
		CorrelationID: n.CorrelationID, ReplyTo: n.ReplyTo, Expiration: n.Expiration,
		MessageID: n.MessageID, Timestamp: wire.Timestamp(max(n.Timestamp, 0)), Type: n.Type,
		UserID: n.UserID, AppID: n.AppID,
	}
	for _, f := range propFlags {
		if n.Has&f[1] != 0 {
			p.Present |= f[0]
		}
	}
	return p
}
