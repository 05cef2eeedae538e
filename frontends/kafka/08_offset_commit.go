// OffsetCommit v0–v9: checked against the group as Kafka's GroupCoordinator
// does (simple commits with generation -1 only while the group is empty;
// UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, FENCED_INSTANCE_ID,
// REBALANCE_IN_PROGRESS while the group completes a rebalance), then every
// valid partition is stored with one broker.CommitOffsets call, so commits
// survive a restart. Unknown topics or partitions are
// UNKNOWN_TOPIC_OR_PARTITION; metadata over 4096 bytes is
// OFFSET_METADATA_TOO_LARGE. Retention time (v2–v4) is ignored: committed
// offsets do not expire.

package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"junction/broker"
)

func init() {
	register(api{key: 8, min: 0, max: 9, handle: handleOffsetCommit})
}

const maxOffsetMetadata = 4096

func handleOffsetCommit(r *request) (kmsg.Response, error) {
	s := r.s
	req := r.kreq.(*kmsg.OffsetCommitRequest)
	resp := req.ResponseKind().(*kmsg.OffsetCommitResponse)
	gen, memberID := req.Generation, req.MemberID
	if req.Version == 0 {
		gen, memberID = -1, ""
	}
	var code int16
	switch g := s.groups.group(req.Group, false); {
	case req.Group == "":
		code = kerr.InvalidGroupID.Code
	case g != nil:
		code = g.checkCommit(memberID, req.InstanceID, gen)
	case gen >= 0:
		code = kerr.IllegalGeneration.Code
	}

	var (
		offs []broker.CommittedOffset
		refs []*int16 // error code slots of offs
	)
	for _, rt := range req.Topics {
		st := kmsg.NewOffsetCommitResponseTopic()
		st.Topic = rt.Topic
		t := s.b.Topic(rt.Topic)
		st.Partitions = make([]kmsg.OffsetCommitResponseTopicPartition, len(rt.Partitions))
		for i, rp := range rt.Partitions {
			sp := &st.Partitions[i]
			*sp = kmsg.NewOffsetCommitResponseTopicPartition()
			sp.Partition = rp.Partition
			switch {
			case code != 0:
				sp.ErrorCode = code
			case t == nil || t.Partition(int(rp.Partition)) == nil:
				sp.ErrorCode = kerr.UnknownTopicOrPartition.Code
			case rp.Metadata != nil && len(*rp.Metadata) > maxOffsetMetadata:
				sp.ErrorCode = kerr.OffsetMetadataTooLarge.Code
			default:
				o := broker.CommittedOffset{Group: req.Group, Topic: rt.Topic, Partition: int(rp.Partition), Offset: rp.Offset, LeaderEpoch: -1}
				if req.Version >= 6 {
					o.LeaderEpoch = rp.LeaderEpoch
				}
				if rp.Metadata != nil {
					o.Metadata = *rp.Metadata
				}
				offs = append(offs, o)
				refs = append(refs, &sp.ErrorCode)
			}
		}
		resp.Topics = append(resp.Topics, st)
	}
	if len(offs) > 0 {
		if err := s.b.CommitOffsets(offs...); err != nil {
			s.log.Warn("committing offsets", "group", req.Group, "err", err)
			for _, c := range refs {
				*c = kerr.CoordinatorNotAvailable.Code
			}
		}
	}
	return resp, nil
}
