// OffsetFetch v0–v9: committed offsets from the broker (so they survive a
// restart); -1 with no error for partitions without a commit. v2+ a null
// topic list returns every committed offset of the group; v8+ batches
// groups. RequireStable (v7+) needs nothing: there are no transactions.
// v9 member id/epoch (KIP-848) are not checked.

package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func init() {
	register(api{key: 9, min: 0, max: 9, handle: handleOffsetFetch})
}

// fetchedOffset is one partition's answer.
type fetchedOffset struct {
	topic     string
	partition int32
	offset    int64
	epoch     int32
	metadata  string
}

func handleOffsetFetch(r *request) (kmsg.Response, error) {
	req := r.kreq.(*kmsg.OffsetFetchRequest)
	resp := req.ResponseKind().(*kmsg.OffsetFetchResponse)
	if req.Version >= 8 {
		for _, rg := range req.Groups {
			g := kmsg.NewOffsetFetchResponseGroup()
			g.Group = rg.Group
			if rg.Group == "" {
				g.ErrorCode = kerr.InvalidGroupID.Code
				resp.Groups = append(resp.Groups, g)
				continue
			}
			var want map[string][]int32
			if rg.Topics != nil {
				want = make(map[string][]int32)
				for _, t := range rg.Topics {
					want[t.Topic] = append(want[t.Topic], t.Partitions...)
				}
			}
			for _, t := range r.s.fetchOffsets(rg.Group, want, orderOf(rg.Topics, func(t kmsg.OffsetFetchRequestGroupTopic) string { return t.Topic })) {
				gt := kmsg.NewOffsetFetchResponseGroupTopic()
				gt.Topic = t.topic
				for _, o := range t.parts {
					p := kmsg.NewOffsetFetchResponseGroupTopicPartition()
					p.Partition, p.Offset, p.LeaderEpoch, p.Metadata = o.partition, o.offset, o.epoch, strp(o.metadata)
					gt.Partitions = append(gt.Partitions, p)
				}
				g.Topics = append(g.Topics, gt)
			}
			resp.Groups = append(resp.Groups, g)
		}
		return resp, nil
	}
	if req.Group == "" {
		resp.ErrorCode = kerr.InvalidGroupID.Code
		return resp, nil
	}
	var want map[string][]int32
	if req.Topics != nil || req.Version < 2 {
		want = make(map[string][]int32)
		for _, t := range req.Topics {
			want[t.Topic] = append(want[t.Topic], t.Partitions...)
		}
	}
	for _, t := range r.s.fetchOffsets(req.Group, want, orderOf(req.Topics, func(t kmsg.OffsetFetchRequestTopic) string { return t.Topic })) {
		rt := kmsg.NewOffsetFetchResponseTopic()
		rt.Topic = t.topic
		for _, o := range t.parts {
			p := kmsg.NewOffsetFetchResponseTopicPartition()
			p.Partition, p.Offset, p.LeaderEpoch, p.Metadata = o.partition, o.offset, o.epoch, strp(o.metadata)
			rt.Partitions = append(rt.Partitions, p)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return resp, nil
}

// orderOf lists the distinct topic names of a request in order.
func orderOf[T any](ts []T, name func(T) string) []string {
	var out []string
	seen := make(map[string]bool)
	for _, t := range ts {
		if n := name(t); !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// topicOffsets is one topic's answer.
type topicOffsets struct {
	topic string
	parts []fetchedOffset
}

// fetchOffsets returns a group's committed offsets per topic: for want (in
// order) when it is non-nil, else every commit of the group.
func (s *Server) fetchOffsets(group string, want map[string][]int32, order []string) []topicOffsets {
	var out []topicOffsets
	if want == nil {
		for _, c := range s.b.GroupOffsets(group) {
			if n := len(out); n == 0 || out[n-1].topic != c.Topic {
				out = append(out, topicOffsets{topic: c.Topic})
			}
			t := &out[len(out)-1]
			t.parts = append(t.parts, fetchedOffset{c.Topic, int32(c.Partition), c.Offset, c.LeaderEpoch, c.Metadata})
		}
		return out
	}
	for _, topic := range order {
		t := topicOffsets{topic: topic}
		for _, p := range want[topic] {
			o := fetchedOffset{topic: topic, partition: p, offset: -1, epoch: -1}
			if c, ok := s.b.CommittedOffset(group, topic, int(p)); ok {
				o.offset, o.epoch, o.metadata = c.Offset, c.LeaderEpoch, c.Metadata
			}
			t.parts = append(t.parts, o)
		}
		out = append(out, t)
	}
	return out
}
