// OffsetForLeaderEpoch v2–v4: every partition has only ever had leader epoch
// 0, so any requested epoch >= 0 ends at the partition's End() with epoch 0;
// a requested epoch of -1 gets UNDEFINED (-1, -1) as in Kafka. A
// CurrentLeaderEpoch above 0 is UNKNOWN_LEADER_EPOCH.

package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func init() {
	register(api{key: 23, min: 2, max: 4, handle: handleOffsetForLeaderEpoch})
}

func handleOffsetForLeaderEpoch(r *request) (kmsg.Response, error) {
	s := r.s
	req := r.kreq.(*kmsg.OffsetForLeaderEpochRequest)
	resp := req.ResponseKind().(*kmsg.OffsetForLeaderEpochResponse)
	for _, rt := range req.Topics {
		st := kmsg.NewOffsetForLeaderEpochResponseTopic()
		st.Topic = rt.Topic
		t := s.b.Topic(rt.Topic)
		for _, rp := range rt.Partitions {
			sp := kmsg.NewOffsetForLeaderEpochResponseTopicPartition()
			sp.Partition = rp.Partition
			p := t.Partition(int(rp.Partition))
			switch {
			case p == nil:
				sp.ErrorCode = kerr.UnknownTopicOrPartition.Code
			case rp.CurrentLeaderEpoch > 0:
				sp.ErrorCode = kerr.UnknownLeaderEpoch.Code
			case rp.LeaderEpoch < 0:
				sp.LeaderEpoch, sp.EndOffset = -1, -1
			default:
				sp.LeaderEpoch, sp.EndOffset = 0, p.End()
			}
			st.Partitions = append(st.Partitions, sp)
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}
