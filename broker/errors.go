package broker

import "errors"

// Sentinel errors. Frontends map them to protocol codes at the edge, e.g.
// ErrUnknownTopic becomes UNKNOWN_TOPIC_OR_PARTITION in Kafka and 404 in AMQP.
var (
	// ErrUnknownTopic: no topic of that name exists.
	ErrUnknownTopic = errors.New("broker: unknown topic")
	// ErrTopicExists: CreateTopic named an existing topic.
	ErrTopicExists = errors.New("broker: topic already exists")
	// ErrUnknownPartition: the partition index is out of range.
	ErrUnknownPartition = errors.New("broker: unknown partition")
	// ErrTopicDeleted: the topic was deleted while the caller used or waited on it.
	ErrTopicDeleted = errors.New("broker: topic deleted")
	// ErrClosed: the broker is shutting down.
	ErrClosed = errors.New("broker: closed")
	// ErrIDTooSmall: an explicit stream ID was not greater than the partition's last ID.
	ErrIDTooSmall = errors.New("broker: stream ID is equal or smaller than the last one")
	// ErrStreamExhausted: the partition's last stream ID is the largest possible
	// (18446744073709551615-18446744073709551615), so no entry can follow it.
	ErrStreamExhausted = errors.New("broker: stream has exhausted the last possible ID")
	// ErrInvalidPartitions: a partition count was below 1 or would shrink a topic.
	ErrInvalidPartitions = errors.New("broker: invalid partition count")
	// ErrInvalidName: a topic or queue name is empty or too long.
	ErrInvalidName = errors.New("broker: invalid name")
	// ErrGroupExists: a stream consumer group of that name already exists.
	ErrGroupExists = errors.New("broker: consumer group already exists")
	// ErrUnknownGroup: no stream consumer group of that name exists.
	ErrUnknownGroup = errors.New("broker: unknown consumer group")
)
