// Stream queues of multi-partition topics: partition 0 of topic t is the
// stream queue t, partition i >= 1 the stream queue t#<i>; a topic
// literally named t#<i> wins (interop.Resolve, docs/cross-protocol.md
// "Partitions"). A passive queue.declare adopts either as a stream queue of
// vhost "/"; an active declare with x-queue-type stream of such a name
// opens that partition instead of creating a topic; consuming reads it and
// publishing through an exchange bound to it appends to it. queue.delete
// of a stream queue whose topic has several partitions fails with 406
// PRECONDITION_FAILED and deletes nothing: one partition cannot be deleted
// on its own, and deleting the whole topic would remove the other
// partitions' queues (delete the topic through Kafka instead).

package amqp

import (
	"junction/broker"
	"junction/frontends/amqp/internal/wire"
	"junction/frontends/internal/interop"
)

// streamTopic returns the topic and partition behind a stream queue's
// broker name, or nil.
func (s *Server) streamTopic(bname string) (*broker.Topic, int) {
	return interop.Resolve(bname, s.b.Topic)
}

// partitionDeleteError refuses to delete a stream queue that is one
// partition of a topic with several; nil for any other queue.
func (qe *qentry) partitionDeleteError() error {
	if qe.st == nil {
		return nil
	}
	n := len(qe.st.topic.Partitions())
	if n < 2 {
		return nil
	}
	_, topic := splitBname(qe.st.topic.Name())
	return newErr(wire.PreconditionFailed, "cannot delete %s: it is partition %d of the %d-partition topic '%s' "+
		"(delete the topic through Kafka)", rs("queue", qe.name, qe.vh.name), qe.st.part.Index(), n, topic)
}
