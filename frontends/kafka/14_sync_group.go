// SyncGroup v0–v5: followers wait for the leader's assignments (on their
// own goroutine); once the leader syncs the group is Stable and everyone
// gets their assignment. An empty assignment in a "consumer" group is sent
// as an encoded empty ConsumerMemberAssignment. v5 protocol type/name are
// checked (INCONSISTENT_GROUP_PROTOCOL). If the connection or server goes
// away while waiting, the answer is NOT_COORDINATOR.

package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func init() {
	register(api{key: 14, min: 0, max: 5, handle: handleSyncGroup, blocking: true})
}

func handleSyncGroup(r *request) (kmsg.Response, error) {
	req := r.kreq.(*kmsg.SyncGroupRequest)
	resp := req.ResponseKind().(*kmsg.SyncGroupResponse)
	fill := func(sr syncResult) (kmsg.Response, error) {
		resp.ErrorCode = sr.code
		if sr.code == 0 {
			resp.ProtocolType = strp(sr.protocolType)
			resp.Protocol = strp(sr.protocol)
			resp.MemberAssignment = sr.assignment
		}
		return resp, nil
	}
	g := r.s.groups.group(req.Group, false)
	if g == nil {
		return fill(syncResult{code: kerr.UnknownMemberID.Code})
	}
	ch, sr := g.sync(syncParams{
		memberID:     req.MemberID,
		instanceID:   req.InstanceID,
		generation:   req.Generation,
		protocolType: req.ProtocolType,
		protocol:     req.Protocol,
		assignments:  req.GroupAssignment,
	})
	if ch == nil {
		return fill(sr)
	}
	select {
	case sr = <-ch:
		return fill(sr)
	case <-r.ctx.Done():
		return fill(syncResult{code: kerr.NotCoordinator.Code})
	}
}
