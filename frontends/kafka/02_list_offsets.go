// ListOffsets v1–v7: timestamp -2 is the log start, -1 the end (high
// watermark = last stable offset), -3 (max timestamp, v7) the last record
// (exact when timestamps grow with offsets, as CreateTime usually does and
// LogAppendTime always does; Kafka scans for the largest timestamp), and a
// timestamp >= 0 the first record with a timestamp at or after it via
// Partition.SeekTime (offset -1 and timestamp -1 when there is none).
// Leader epoch is 0; a CurrentLeaderEpoch above 0 is UNKNOWN_LEADER_EPOCH.
// IsolationLevel makes no difference (no transactions).

package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"junction/broker"
)

func init() {
	register(api{key: 2, min: 1, max: 7, handle: handleListOffsets})
}

func handleListOffsets(r *request) (kmsg.Response, error) {
	s := r.s
	req := r.kreq.(*kmsg.ListOffsetsRequest)
	resp := req.ResponseKind().(*kmsg.ListOffsetsResponse)
	for _, rt := range req.Topics {
		st := kmsg.NewListOffsetsResponseTopic()
		st.Topic = rt.Topic
		t := s.b.Topic(rt.Topic)
		for _, rp := range rt.Partitions {
			sp := kmsg.NewListOffsetsResponseTopicPartition()
			sp.Partition = rp.Partition
			p := t.Partition(int(rp.Partition))
			switch {
			case p == nil:
				sp.ErrorCode = kerr.UnknownTopicOrPartition.Code
			case rp.CurrentLeaderEpoch > 0:
				sp.ErrorCode = kerr.UnknownLeaderEpoch.Code
			default:
				listOffset(p, rp.Timestamp, &sp)
			}
			st.Partitions = append(st.Partitions, sp)
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}

// listOffset answers one partition.
func listOffset(p *broker.Partition, ts int64, sp *kmsg.ListOffsetsResponseTopicPartition) {
	sp.LeaderEpoch = 0
	sp.Timestamp = -1
	switch ts {
	case -2: // earliest
		sp.Offset = p.Start()
		return
	case -1: // latest
		sp.Offset = p.End()
		return
	case -3: // max timestamp
		if rec, ok, err := p.LastEntry(); err != nil {
			sp.ErrorCode = errCode(err)
		} else if ok {
			sp.Offset, sp.Timestamp = rec.Offset, rec.Timestamp
		} else {
			sp.Offset = -1
		}
		return
	}
	if ts < 0 {
		sp.ErrorCode = kerr.InvalidRequest.Code
		return
	}
	off, err := p.SeekTime(ts)
	if err != nil {
		sp.ErrorCode = errCode(err)
		return
	}
	recs, err := p.Read(nil, off, 1, 0)
	if err != nil {
		sp.ErrorCode = errCode(err)
		return
	}
	if len(recs) == 0 {
		sp.Offset = -1
		return
	}
	sp.Offset, sp.Timestamp = recs[0].Offset, recs[0].Timestamp
}
