// DescribeGroups v0–v5: state, protocol type and name, and members; like
// Kafka, member metadata and assignments only while Stable. A group known
// only by committed offsets is Empty; an unknown group is Dead with no
// error (GROUP_ID_NOT_FOUND exists only from v6). Authorized operations
// (v3+), when asked for, report everything allowed.

package kafka

import (
	"slices"

	"github.com/twmb/franz-go/pkg/kmsg"
)

func init() {
	register(api{key: 15, min: 0, max: 5, handle: handleDescribeGroups})
}

func handleDescribeGroups(r *request) (kmsg.Response, error) {
	s := r.s
	req := r.kreq.(*kmsg.DescribeGroupsRequest)
	resp := req.ResponseKind().(*kmsg.DescribeGroupsResponse)
	for _, name := range req.Groups {
		dg := kmsg.NewDescribeGroupsResponseGroup()
		dg.Group = name
		if req.IncludeAuthorizedOperations {
			dg.AuthorizedOperations = groupOps
		}
		if g := s.groups.group(name, false); g != nil {
			var st groupState
			st, dg.ProtocolType, dg.Protocol, dg.Members = g.describe()
			dg.State = st.String()
		} else if slices.Contains(s.b.OffsetGroups(), name) {
			dg.State = groupEmpty.String()
		} else {
			dg.State = groupDead.String()
		}
		if dg.Members == nil {
			dg.Members = []kmsg.DescribeGroupsResponseGroupMember{}
		}
		resp.Groups = append(resp.Groups, dg)
	}
	return resp, nil
}
