// JoinGroup v0–v9 (classic protocol; see groups.go for the state machine).
// v4+ dynamic members first get MEMBER_ID_REQUIRED with their id; static
// members (v5+ group.instance.id) join at once. Session timeouts outside
// [GroupMinSessionTimeout, GroupMaxSessionTimeout] are INVALID_SESSION_TIMEOUT;
// v0 has no rebalance timeout, so the session timeout is used. The request
// waits for the rebalance on its own goroutine; if the connection or server
// goes away first it is answered with NOT_COORDINATOR. v9 SkipAssignment is
// set for a replaced static leader (KIP-814). Reason (v8+) is ignored.

package kafka

import (
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func init() {
	register(api{key: 11, min: 0, max: 9, handle: handleJoinGroup, blocking: true})
}

func handleJoinGroup(r *request) (kmsg.Response, error) {
	s := r.s
	req := r.kreq.(*kmsg.JoinGroupRequest)
	resp := req.ResponseKind().(*kmsg.JoinGroupResponse)
	fill := func(jr joinResult) (kmsg.Response, error) {
		resp.ErrorCode = jr.code
		resp.Generation = jr.generation
		resp.MemberID = jr.memberID
		if jr.code == 0 {
			resp.ProtocolType = strp(jr.protocolType)
			resp.Protocol = strp(jr.protocol)
			resp.LeaderID = jr.leader
			resp.Members = jr.members
			resp.SkipAssignment = jr.skipAssignment
		}
		return resp, nil
	}
	if req.Group == "" {
		return fill(joinResult{code: kerr.InvalidGroupID.Code, memberID: req.MemberID, generation: -1})
	}
	session := time.Duration(req.SessionTimeoutMillis) * time.Millisecond
	if session < s.cfg.GroupMinSessionTimeout || session > s.cfg.GroupMaxSessionTimeout {
		return fill(joinResult{code: kerr.InvalidSessionTimeout.Code, memberID: req.MemberID, generation: -1})
	}
	rebalance := session
	if req.Version >= 1 && req.RebalanceTimeoutMillis > 0 {
		rebalance = time.Duration(req.RebalanceTimeoutMillis) * time.Millisecond
	}
	host, _ := splitHostPort(r.c.remote)
	g := s.groups.group(req.Group, true)
	ch, jr := g.join(joinParams{
		memberID:         req.MemberID,
		instanceID:       req.InstanceID,
		clientID:         r.clientID,
		clientHost:       "/" + host,
		protocolType:     req.ProtocolType,
		protocols:        req.Protocols,
		sessionTimeout:   session,
		rebalanceTimeout: rebalance,
		requireKnownID:   req.Version >= 4,
	})
	if ch == nil {
		return fill(jr)
	}
	select {
	case jr = <-ch:
		return fill(jr)
	case <-r.ctx.Done():
		return fill(joinResult{code: kerr.NotCoordinator.Code, memberID: req.MemberID, generation: -1})
	}
}
