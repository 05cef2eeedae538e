// Heartbeat v0–v4: resets the member's session timer; REBALANCE_IN_PROGRESS
// while the group prepares a rebalance, ILLEGAL_GENERATION and
// UNKNOWN_MEMBER_ID as in Kafka, FENCED_INSTANCE_ID for a replaced static
// member.

package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func init() {
	register(api{key: 12, min: 0, max: 4, handle: handleHeartbeat})
}

func handleHeartbeat(r *request) (kmsg.Response, error) {
	req := r.kreq.(*kmsg.HeartbeatRequest)
	resp := req.ResponseKind().(*kmsg.HeartbeatResponse)
	g := r.s.groups.group(req.Group, false)
	if g == nil {
		resp.ErrorCode = kerr.UnknownMemberID.Code
		return resp, nil
	}
	resp.ErrorCode = g.heartbeatReq(req.MemberID, req.InstanceID, req.Generation)
	return resp, nil
}
