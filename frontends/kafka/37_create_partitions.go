// CreatePartitions v0–v3: grows a topic to Count partitions (which must be
// more than it has: INVALID_PARTITIONS); an explicit assignment may name only
// this node (INVALID_REPLICA_ASSIGNMENT). ValidateOnly checks without
// changing anything. A topic named twice is INVALID_REQUEST.

package kafka

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func init() {
	register(api{key: 37, min: 0, max: 3, handle: handleCreatePartitions})
}

func handleCreatePartitions(r *request) (kmsg.Response, error) {
	s := r.s
	req := r.kreq.(*kmsg.CreatePartitionsRequest)
	resp := req.ResponseKind().(*kmsg.CreatePartitionsResponse)
	count := make(map[string]int)
	for _, rt := range req.Topics {
		count[rt.Topic]++
	}
	for _, rt := range req.Topics {
		st := kmsg.NewCreatePartitionsResponseTopic()
		st.Topic = rt.Topic
		fail := func(code int16, msg string) { st.ErrorCode, st.ErrorMessage = code, &msg }
		t := s.b.Topic(rt.Topic)
		cur := 0
		if t != nil {
			cur = len(t.Partitions())
		}
		switch {
		case count[rt.Topic] > 1:
			fail(kerr.InvalidRequest.Code, "topic named more than once in the request")
		case t == nil:
			fail(kerr.UnknownTopicOrPartition.Code, fmt.Sprintf("topic %q does not exist", rt.Topic))
		case int(rt.Count) <= cur:
			fail(kerr.InvalidPartitions.Code, fmt.Sprintf("topic currently has %d partitions, which is higher than or equal to the requested %d", cur, rt.Count))
		case rt.Count > 10000:
			fail(kerr.InvalidPartitions.Code, fmt.Sprintf("partition count %d is too large", rt.Count))
		case rt.Assignment != nil && len(rt.Assignment) != int(rt.Count)-cur:
			fail(kerr.InvalidReplicaAssignment.Code, "the assignment must list every new partition")
		default:
			for _, a := range rt.Assignment {
				if len(a.Replicas) != 1 || a.Replicas[0] != s.cfg.NodeID {
					fail(kerr.InvalidReplicaAssignment.Code, fmt.Sprintf("replicas must be exactly [%d]: this cluster has one node", s.cfg.NodeID))
					break
				}
			}
			if st.ErrorCode != 0 || req.ValidateOnly {
				break
			}
			if err := t.AddPartitions(int(rt.Count)); err != nil {
				fail(errCode(err), err.Error())
			} else {
				s.log.Info("added partitions", "topic", rt.Topic, "partitions", rt.Count)
			}
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}
