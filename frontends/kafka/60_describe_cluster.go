// DescribeCluster v0–v1: this node is the whole cluster and its controller.
// v1 asks for broker endpoints (type 1); asking for controllers (2) is
// MISMATCHED_ENDPOINT_TYPE, as from a Kafka broker.

package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func init() {
	register(api{key: 60, min: 0, max: 1, handle: handleDescribeCluster})
}

func handleDescribeCluster(r *request) (kmsg.Response, error) {
	s := r.s
	req := r.kreq.(*kmsg.DescribeClusterRequest)
	resp := req.ResponseKind().(*kmsg.DescribeClusterResponse)
	resp.EndpointType = 1
	if req.Version >= 1 && req.EndpointType != 1 {
		resp.ErrorCode = kerr.MismatchedEndpointType.Code
		return resp, nil
	}
	resp.ClusterID = s.cfg.ClusterID
	resp.ControllerID = s.cfg.NodeID
	b := kmsg.NewDescribeClusterResponseBroker()
	b.NodeID, b.Host, b.Port = s.cfg.NodeID, r.c.host, r.c.port
	resp.Brokers = []kmsg.DescribeClusterResponseBroker{b}
	if req.IncludeClusterAuthorizedOperations {
		resp.ClusterAuthorizedOperations = clusterOps
	}
	return resp, nil
}
