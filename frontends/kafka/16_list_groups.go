// ListGroups v0–v5: every group with coordinator state, plus groups known
// only by committed offsets (as Empty). v4 filters by state, v5 by type;
// every group is "classic".

package kafka

import (
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kmsg"
)

func init() {
	register(api{key: 16, min: 0, max: 5, handle: handleListGroups})
}

func handleListGroups(r *request) (kmsg.Response, error) {
	s := r.s
	req := r.kreq.(*kmsg.ListGroupsRequest)
	resp := req.ResponseKind().(*kmsg.ListGroupsResponse)
	match := func(list []string, v string) bool {
		return len(list) == 0 || slices.ContainsFunc(list, func(f string) bool { return strings.EqualFold(f, v) })
	}
	add := func(name, protocolType string, st groupState) {
		if !match(req.StatesFilter, st.String()) || !match(req.TypesFilter, "classic") {
			return
		}
		lg := kmsg.NewListGroupsResponseGroup()
		lg.Group, lg.ProtocolType, lg.GroupState, lg.GroupType = name, protocolType, st.String(), "classic"
		resp.Groups = append(resp.Groups, lg)
	}
	seen := make(map[string]bool)
	for _, g := range s.groups.list() {
		st, pt, _, _ := g.describe()
		seen[g.name] = true
		add(g.name, pt, st)
	}
	for _, name := range s.b.OffsetGroups() {
		if !seen[name] {
			add(name, "", groupEmpty)
		}
	}
	return resp, nil
}
