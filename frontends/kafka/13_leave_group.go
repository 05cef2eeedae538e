// LeaveGroup v0–v5: removes members (v3+ batched, by member id or static
// instance id) and rebalances the rest. Reason (v5) is ignored.

package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func init() {
	register(api{key: 13, min: 0, max: 5, handle: handleLeaveGroup})
}

func handleLeaveGroup(r *request) (kmsg.Response, error) {
	req := r.kreq.(*kmsg.LeaveGroupRequest)
	resp := req.ResponseKind().(*kmsg.LeaveGroupResponse)
	g := r.s.groups.group(req.Group, false)
	if req.Version < 3 {
		if g == nil {
			resp.ErrorCode = kerr.UnknownMemberID.Code
			return resp, nil
		}
		_, resp.ErrorCode = g.leave(req.MemberID, nil)
		return resp, nil
	}
	for _, rm := range req.Members {
		m := kmsg.NewLeaveGroupResponseMember()
		m.MemberID, m.InstanceID = rm.MemberID, rm.InstanceID
		if g == nil {
			m.ErrorCode = kerr.UnknownMemberID.Code
		} else {
			m.MemberID, m.ErrorCode = g.leave(rm.MemberID, rm.InstanceID)
		}
		resp.Members = append(resp.Members, m)
	}
	return resp, nil
}
