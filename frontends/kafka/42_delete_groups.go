// DeleteGroups v0–v2: deletes empty groups and their committed offsets;
// NON_EMPTY_GROUP while members remain, GROUP_ID_NOT_FOUND for a group
// with neither state nor offsets.

package kafka

import (
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func init() {
	register(api{key: 42, min: 0, max: 2, handle: handleDeleteGroups})
}

func handleDeleteGroups(r *request) (kmsg.Response, error) {
	s := r.s
	req := r.kreq.(*kmsg.DeleteGroupsRequest)
	resp := req.ResponseKind().(*kmsg.DeleteGroupsResponse)
	for _, name := range req.Groups {
		dg := kmsg.NewDeleteGroupsResponseGroup()
		dg.Group = name
		if name == "" {
			dg.ErrorCode = kerr.InvalidGroupID.Code
			resp.Groups = append(resp.Groups, dg)
			continue
		}
		hasOffsets := slices.Contains(s.b.OffsetGroups(), name)
		found, removed := s.groups.remove(name)
		switch {
		case !removed:
			dg.ErrorCode = kerr.NonEmptyGroup.Code
		case !found && !hasOffsets:
			dg.ErrorCode = kerr.GroupIDNotFound.Code
		default:
			if err := s.b.DeleteGroupOffsets(name); err != nil {
				s.log.Warn("deleting group offsets", "group", name, "err", err)
				dg.ErrorCode = kerr.CoordinatorNotAvailable.Code
			}
		}
		resp.Groups = append(resp.Groups, dg)
	}
	return resp, nil
}
