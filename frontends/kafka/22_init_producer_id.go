// InitProducerId v0–v4 for idempotent producers: like Kafka without a
// transactional id, every call returns a new producer id with epoch 0 (also
// the KIP-360 epoch-bump form of v3+, which Kafka answers the same way for
// non-transactional producers). Ids come from blocks recorded in the broker
// so they are not reused after a restart. A transactional id is refused
// with TRANSACTIONAL_ID_AUTHORIZATION_FAILED: transactions are not
// implemented (none of their APIs is advertised).

package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func init() {
	register(api{key: 22, min: 0, max: 4, handle: handleInitProducerID})
}

func handleInitProducerID(r *request) (kmsg.Response, error) {
	req := r.kreq.(*kmsg.InitProducerIDRequest)
	resp := req.ResponseKind().(*kmsg.InitProducerIDResponse)
	resp.ProducerID, resp.ProducerEpoch = -1, -1
	if req.TransactionalID != nil {
		resp.ErrorCode = kerr.TransactionalIDAuthorizationFailed.Code
		return resp, nil
	}
	id, err := r.s.pids.allocate()
	if err != nil {
		r.s.log.Warn("allocating producer id", "err", err)
		resp.ErrorCode = kerr.CoordinatorNotAvailable.Code
		return resp, nil
	}
	resp.ProducerID, resp.ProducerEpoch = id, 0
	return resp, nil
}
