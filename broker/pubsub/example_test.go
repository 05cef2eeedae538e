// Example: how a frontend connection uses a Subscriber.

package pubsub_test

import (
	"fmt"

	"junction/broker/pubsub"
)

func Example() {
	hub := pubsub.NewHub()

	// SUBSCRIBE news.tech; PSUBSCRIBE news.*
	sub := hub.NewSubscriber(0, 0) // default limits: 65536 messages, 32mb
	defer sub.Close()
	fmt.Println(sub.Subscribe(pubsub.Plain, "news.tech"), sub.Subscribe(pubsub.Pattern, "news.*"))

	// PUBLISH news.tech hello: one message plus one pmessage.
	fmt.Println(hub.Publish(pubsub.Plain, "news.tech", []byte("hello")))

	// The connection's writer: wait, take the whole queue, write it in one flush.
	var batch []pubsub.Message
	select {
	case <-sub.Ready():
		batch = sub.Drain(batch)
	case <-sub.Overflowed():
		return // disconnect the client
	}
	for _, m := range batch {
		if m.Kind == pubsub.Pattern {
			fmt.Println("pmessage", m.Pattern, m.Channel, string(m.Payload))
		} else {
			fmt.Println("message", m.Channel, string(m.Payload))
		}
	}
	// Output:
	// [1] [2]
	// 2
	// message news.tech hello
	// pmessage news.* news.tech hello
}
