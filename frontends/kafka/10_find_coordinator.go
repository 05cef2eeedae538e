// FindCoordinator v0–v4: this node coordinates every group (and would
// every transactional id; InitProducerId then refuses transactions). v4
// batches keys in CoordinatorKeys.

package kafka

import "github.com/twmb/franz-go/pkg/kmsg"

func init() {
	register(api{key: 10, min: 0, max: 4, handle: handleFindCoordinator})
}

func handleFindCoordinator(r *request) (kmsg.Response, error) {
	req := r.kreq.(*kmsg.FindCoordinatorRequest)
	resp := req.ResponseKind().(*kmsg.FindCoordinatorResponse)
	node, host, port := r.s.cfg.NodeID, r.c.host, r.c.port
	if req.Version < 4 {
		resp.NodeID, resp.Host, resp.Port = node, host, port
		return resp, nil
	}
	for _, key := range req.CoordinatorKeys {
		c := kmsg.NewFindCoordinatorResponseCoordinator()
		c.Key, c.NodeID, c.Host, c.Port = key, node, host, port
		resp.Coordinators = append(resp.Coordinators, c)
	}
	return resp, nil
}
