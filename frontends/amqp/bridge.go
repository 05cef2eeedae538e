// Pub/Sub bridge between Redis channels and the amq.topic exchange of
// vhost "/" (docs/cross-protocol.md):
//
//   - Redis → AMQP: a hub tap (pubsub.Hub.AddTap) routes every plain-channel
//     publish whose origin is not "amqp" through amq.topic with the channel
//     as routing key: body = payload, no properties. Topic bindings match
//     it as AMQP does ("*" one word, "#" zero or more, words split on ".").
//   - AMQP → Redis: a message published to amq.topic (directly, or in a
//     committed transaction) is also published to the hub as plain channel
//     = routing key with origin "amqp", so Redis SUBSCRIBE / PSUBSCRIBE
//     (glob) subscribers get it. The tap skips origin "amqp": no loop.
//
// Bridged messages are at-most-once, like Redis Pub/Sub itself; they are
// not counted in the PUBLISH reply.

package amqp

import (
	"bytes"

	"junction/broker/pubsub"
	"junction/frontends/amqp/internal/wire"
)

const (
	bridgeVhost    = "/"
	bridgeExchange = "amq.topic"
	bridgeOrigin   = "amqp"
)

// emptyProps is a content property list with no property set.
var emptyProps = wire.EncodeProperties(nil, &wire.Properties{})

// startBridge installs the hub tap; the returned func removes it.
func (s *Server) startBridge() func() {
	vh := s.vhosts[bridgeVhost]
	if vh == nil {
		return func() {}
	}
	return s.b.PubSub().AddTap(func(channel string, payload []byte, origin string) {
		if origin == bridgeOrigin || len(channel) > 255 || s.isShut() {
			return
		}
		vh.bridgeIn(channel, payload)
	})
}

// bridgeIn routes a Redis publish through amq.topic.
func (vh *vhost) bridgeIn(channel string, payload []byte) {
	var r router
	vh.mu.RLock()
	x := vh.exchanges[bridgeExchange]
	if x == nil {
		vh.mu.RUnlock()
		return
	}
	r.reset(nil)
	vh.routeLocked(&r, x, channel)
	vh.mu.RUnlock()
	if len(r.qs) == 0 {
		return
	}
	msg := message{exchange: bridgeExchange, key: channel, props: emptyProps, body: payload, expiration: -1}
	msg.info, _ = scanProps(msg.props)
	for _, qe := range r.qs {
		qe.publish(&msg, nil)
	}
}

// bridgeOut publishes an AMQP message sent to amq.topic to the hub.
func (vh *vhost) bridgeOut(msg *message) {
	if vh.name != bridgeVhost || msg.exchange != bridgeExchange {
		return
	}
	vh.s.b.PubSub().PublishFrom(pubsub.Plain, msg.key, bytes.Clone(msg.body), bridgeOrigin)
}
