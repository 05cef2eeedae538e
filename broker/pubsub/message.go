// Message and Kind: what a Subscriber receives and the three subscription
// namespaces (channels, patterns, shard channels) as Redis keeps them.

package pubsub

import "fmt"

// Kind names a subscription namespace and the kind of a delivered Message.
type Kind uint8

// Kinds. Plain and Shard channels are separate namespaces (a Publish to one
// never reaches the other); patterns match Plain channels only.
const (
	// Plain is a channel: SUBSCRIBE, PUBLISH; delivered as "message".
	Plain Kind = iota
	// Pattern is a glob over Plain channels (see Match): PSUBSCRIBE;
	// delivered as "pmessage".
	Pattern
	// Shard is a shard channel: SSUBSCRIBE, SPUBLISH; delivered as "smessage".
	Shard

	numKinds = 3
)

// String returns "plain", "pattern" or "shard".
func (k Kind) String() string {
	switch k {
	case Plain:
		return "plain"
	case Pattern:
		return "pattern"
	case Shard:
		return "shard"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// check panics on a Kind outside the three defined ones: passing one is a
// programming error in the frontend, not a client error.
func (k Kind) check() {
	if k >= numKinds {
		panic("pubsub: invalid " + k.String())
	}
}

// Message is one delivery to one subscription. A subscriber subscribed to a
// channel and to patterns matching it receives one Message per subscription.
type Message struct {
	// Channel is the channel the message was published to.
	Channel string
	// Pattern is the subscription's pattern when Kind is Pattern, "" otherwise.
	Pattern string
	// Payload is shared by every receiver of the publish and must be treated
	// as read-only; the publisher must not modify it after Publish.
	Payload []byte
	// Kind is Plain, Pattern or Shard: how the subscriber subscribed.
	Kind Kind
}

// size is what a queued message counts against a subscriber's byte limit:
// the bytes it will put on the wire, less protocol framing.
func (m *Message) size() int {
	return len(m.Channel) + len(m.Pattern) + len(m.Payload)
}
