// Mapping of core and storage errors to Kafka error codes, at the edge.

package kafka

import (
	"errors"

	"github.com/twmb/franz-go/pkg/kerr"

	"junction/broker"
	"junction/storage"
)

// errCode maps an error from the core to a Kafka error code (0 for nil).
func errCode(err error) int16 {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, broker.ErrUnknownTopic),
		errors.Is(err, broker.ErrUnknownPartition),
		errors.Is(err, broker.ErrTopicDeleted):
		return kerr.UnknownTopicOrPartition.Code
	case errors.Is(err, broker.ErrTopicExists):
		return kerr.TopicAlreadyExists.Code
	case errors.Is(err, broker.ErrInvalidPartitions):
		return kerr.InvalidPartitions.Code
	case errors.Is(err, broker.ErrInvalidName):
		return kerr.InvalidTopicException.Code
	case errors.Is(err, broker.ErrClosed), errors.Is(err, storage.ErrClosed):
		// The node is going away: make clients refresh metadata and retry.
		return kerr.NotLeaderForPartition.Code
	case errors.Is(err, storage.ErrOutOfRange):
		return kerr.OffsetOutOfRange.Code
	case errors.Is(err, storage.ErrCorrupt):
		return kerr.KafkaStorageError.Code
	}
	return kerr.UnknownServerError.Code
}

// errMsg returns a pointer to err's text for ErrorMessage fields (nil for nil).
func errMsg(err error) *string {
	if err == nil {
		return nil
	}
	s := err.Error()
	return &s
}

// strp returns a pointer to s.
func strp(s string) *string { return &s }
