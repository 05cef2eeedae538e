// Metadata v0–v12: one broker (this node, at Config.AdvertisedAddr or the
// address the client dialled) leading every partition with leader epoch 0
// and itself as the only replica. Topic ids (v10+) are stable UUIDs kept in
// the topic config. Unknown topics are auto-created when the request allows
// it (v4+ AllowAutoTopicCreation; always for v0–v3) and Config.AutoCreate is
// set, and returned at once without LEADER_NOT_AVAILABLE. Authorized
// operations, when asked for, report everything allowed (no ACLs).

package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"junction/broker"
)

func init() {
	register(api{key: 3, min: 0, max: 12, handle: handleMetadata})
}

// Authorized-operation bitfields (KIP-430) for "everything allowed".
const (
	topicOps   = 1<<3 | 1<<4 | 1<<5 | 1<<6 | 1<<7 | 1<<8 | 1<<10 | 1<<11
	clusterOps = 1<<5 | 1<<7 | 1<<8 | 1<<9 | 1<<10 | 1<<11 | 1<<12
	groupOps   = 1<<3 | 1<<6 | 1<<8
)

func handleMetadata(r *request) (kmsg.Response, error) {
	s := r.s
	req := r.kreq.(*kmsg.MetadataRequest)
	resp := req.ResponseKind().(*kmsg.MetadataResponse)
	resp.Brokers = []kmsg.MetadataResponseBroker{r.c.brokerMeta()}
	resp.ClusterID = &s.cfg.ClusterID
	resp.ControllerID = s.cfg.NodeID
	if req.IncludeClusterAuthorizedOperations {
		resp.AuthorizedOperations = clusterOps
	}

	all := req.Topics == nil || req.Version == 0 && len(req.Topics) == 0
	if all {
		for _, t := range s.b.Topics() {
			resp.Topics = append(resp.Topics, s.topicMetadata(t, req))
		}
		return resp, nil
	}
	allowAuto := req.Version < 4 || req.AllowAutoTopicCreation
	seen := make(map[string]bool, len(req.Topics))
	for _, rt := range req.Topics {
		if rt.Topic == nil { // v10+: by topic id
			t := s.topicByID(rt.TopicID)
			if t == nil {
				mt := kmsg.NewMetadataResponseTopic()
				mt.TopicID = rt.TopicID
				mt.ErrorCode = kerr.UnknownTopicID.Code
				resp.Topics = append(resp.Topics, mt)
				continue
			}
			resp.Topics = append(resp.Topics, s.topicMetadata(t, req))
			continue
		}
		name := *rt.Topic
		if seen[name] {
			continue
		}
		seen[name] = true
		t := s.b.Topic(name)
		code := kerr.UnknownTopicOrPartition.Code
		if t == nil && allowAuto {
			t, code = s.autoCreate(name)
		}
		if t == nil {
			mt := kmsg.NewMetadataResponseTopic()
			mt.Topic = &name
			mt.ErrorCode = code
			resp.Topics = append(resp.Topics, mt)
			continue
		}
		resp.Topics = append(resp.Topics, s.topicMetadata(t, req))
	}
	return resp, nil
}

// topicMetadata describes one topic.
func (s *Server) topicMetadata(t *broker.Topic, req *kmsg.MetadataRequest) kmsg.MetadataResponseTopic {
	node := s.cfg.NodeID
	mt := kmsg.NewMetadataResponseTopic()
	name := t.Name()
	mt.Topic = &name
	if req.Version >= 10 {
		mt.TopicID = s.topicID(t)
	}
	if req.IncludeTopicAuthorizedOperations {
		mt.AuthorizedOperations = topicOps
	}
	parts := t.Partitions()
	mt.Partitions = make([]kmsg.MetadataResponseTopicPartition, len(parts))
	replicas := []int32{node}
	for i := range parts {
		p := kmsg.NewMetadataResponseTopicPartition()
		p.Partition = int32(i)
		p.Leader = node
		p.LeaderEpoch = 0
		p.Replicas = replicas
		p.ISR = replicas
		p.OfflineReplicas = []int32{}
		mt.Partitions[i] = p
	}
	return mt
}

// brokerMeta describes this node as the connection sees it.
func (c *conn) brokerMeta() kmsg.MetadataResponseBroker {
	b := kmsg.NewMetadataResponseBroker()
	b.NodeID = c.s.cfg.NodeID
	b.Host = c.host
	b.Port = c.port
	return b
}
