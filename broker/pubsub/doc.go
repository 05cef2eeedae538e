// Package pubsub is Junction's protocol-neutral publish/subscribe fan-out:
// fire-and-forget messages to whoever is subscribed at the moment of the
// publish, nothing stored. The Redis frontend maps SUBSCRIBE, PSUBSCRIBE,
// SSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB onto it; an AMQP amq.topic bridge
// can sit on it too. It knows nothing about any wire protocol.
//
// A Hub holds the registry of channels, patterns and shard channels. Each
// client connection owns one Subscriber: a bounded queue of Messages plus its
// subscriptions. The connection's writer waits on Ready, takes the whole
// queue with Drain and writes it in one flush:
//
//	var batch []pubsub.Message
//	for {
//		select {
//		case <-sub.Ready():
//			batch = sub.Drain(batch)
//			// write batch, flush once
//		case <-sub.Overflowed():
//			// disconnect the client, as Redis does on its
//			// pubsub client-output-buffer-limit
//		case <-ctx.Done():
//			sub.Close()
//			return
//		}
//	}
//
// Semantics mirror Redis (src/pubsub.c):
//
//   - Publish returns the number of receivers: one per matching subscription,
//     so a subscriber on channel "a" and pattern "a*" receives the message
//     twice (a Plain then a Pattern Message) and counts twice.
//   - Subscribing twice to the same name is idempotent.
//   - The count reported after each subscribe and unsubscribe is the
//     client's channels plus patterns for Plain and Pattern, and its shard
//     channels alone for Shard (clientSubscriptionsCount versus
//     clientShardSubscriptionsCount in pubsub.c).
//   - Shard channels are a separate namespace and patterns never match them.
//   - NumPat counts distinct patterns (Redis 7 and later), not pattern
//     subscriptions.
//   - A subscriber that falls behind by more than its buffer limit is cut:
//     Overflowed is closed and its further messages are dropped; it never
//     slows the publisher or anyone else.
//
// Publish never blocks: it takes the registry's read lock, looks the channel
// up in a map, scans the (usually few) patterns, and appends to each
// receiver's queue under that receiver's own small mutex. Payloads are shared,
// not copied.
//
// Lock order: Hub.mu (registry, read-locked by Publish) before Subscriber.mu
// (one queue). Neither is held across I/O, and nothing blocks while holding
// either: wake-ups use a one-slot channel with a non-blocking send, overflow
// closes a channel.
package pubsub
