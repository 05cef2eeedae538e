// CreateTopics v0–v7: NumPartitions (-1: Config.DefaultPartitions, v4+),
// replication factor -1 or 1 (anything else is INVALID_REPLICATION_FACTOR:
// there is one node), or a replica assignment naming only this node; topic
// configs as in configs.go (unknown names or bad values: INVALID_CONFIG).
// TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS, INVALID_TOPIC_EXCEPTION as in
// Kafka; ValidateOnly checks without creating. v5+ responses describe the
// created topic's partitions, replication factor and configs; v7 its id.
// TimeoutMillis is ignored: creation is immediate.

package kafka

import (
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"junction/broker"
)

func init() {
	register(api{key: 19, min: 0, max: 7, handle: handleCreateTopics})
}

func handleCreateTopics(r *request) (kmsg.Response, error) {
	s := r.s
	req := r.kreq.(*kmsg.CreateTopicsRequest)
	resp := req.ResponseKind().(*kmsg.CreateTopicsResponse)
	count := make(map[string]int)
	for _, rt := range req.Topics {
		count[rt.Topic]++
	}
	for _, rt := range req.Topics {
		st := kmsg.NewCreateTopicsResponseTopic()
		st.Topic = rt.Topic
		fail := func(code int16, msg string) {
			st.ErrorCode, st.ErrorMessage = code, &msg
		}
		if count[rt.Topic] > 1 {
			fail(kerr.InvalidRequest.Code, "topic named more than once in the request")
			resp.Topics = append(resp.Topics, st)
			continue
		}
		cfg, code, msg := s.newTopicConfig(&rt)
		if code != 0 {
			fail(code, msg)
			resp.Topics = append(resp.Topics, st)
			continue
		}
		if req.ValidateOnly {
			if s.b.Topic(rt.Topic) != nil {
				fail(kerr.TopicAlreadyExists.Code, fmt.Sprintf("topic %q already exists", rt.Topic))
			} else {
				s.describeCreated(&st, &cfg, [16]byte{})
			}
			resp.Topics = append(resp.Topics, st)
			continue
		}
		t, err := s.createTopic(rt.Topic, cfg)
		switch {
		case errors.Is(err, broker.ErrTopicExists):
			fail(kerr.TopicAlreadyExists.Code, fmt.Sprintf("topic %q already exists", rt.Topic))
		case err != nil:
			fail(errCode(err), err.Error())
		default:
			s.log.Info("created topic", "topic", rt.Topic, "partitions", cfg.Partitions)
			cfg := t.Config()
			s.describeCreated(&st, &cfg, s.topicID(t))
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}

// newTopicConfig validates a CreateTopics entry and builds its config.
func (s *Server) newTopicConfig(rt *kmsg.CreateTopicsRequestTopic) (broker.TopicConfig, int16, string) {
	var cfg broker.TopicConfig
	if err := validTopicName(rt.Topic); err != nil {
		return cfg, kerr.InvalidTopicException.Code, err.Error()
	}
	parts := int(rt.NumPartitions)
	if len(rt.ReplicaAssignment) > 0 {
		if rt.NumPartitions != -1 || rt.ReplicationFactor != -1 {
			return cfg, kerr.InvalidRequest.Code, "both replica assignment and partitions or replication factor given"
		}
		for i, a := range rt.ReplicaAssignment {
			if int(a.Partition) != i {
				return cfg, kerr.InvalidReplicaAssignment.Code, "partitions in the replica assignment must be 0..n-1 in order"
			}
			if len(a.Replicas) != 1 || a.Replicas[0] != s.cfg.NodeID {
				return cfg, kerr.InvalidReplicaAssignment.Code, fmt.Sprintf("replicas must be exactly [%d]: this cluster has one node", s.cfg.NodeID)
			}
		}
		parts = len(rt.ReplicaAssignment)
	} else {
		if parts == -1 {
			parts = s.cfg.DefaultPartitions
		}
		if parts <= 0 || parts > 10000 {
			return cfg, kerr.InvalidPartitions.Code, fmt.Sprintf("number of partitions %d is invalid", rt.NumPartitions)
		}
		if rt.ReplicationFactor != -1 && rt.ReplicationFactor != 1 {
			return cfg, kerr.InvalidReplicationFactor.Code, fmt.Sprintf("replication factor %d is larger than the 1 available broker", rt.ReplicationFactor)
		}
	}
	cfg.Partitions = parts
	for _, c := range rt.Configs {
		if err := validateTopicConfig(c.Name, c.Value); err != nil {
			return cfg, kerr.InvalidConfig.Code, err.Error()
		}
		setTopicConfig(&cfg, c.Name, c.Value)
	}
	return cfg, 0, ""
}

// describeCreated fills the v5+ description of a (to be) created topic.
func (s *Server) describeCreated(st *kmsg.CreateTopicsResponseTopic, cfg *broker.TopicConfig, id [16]byte) {
	st.TopicID = id
	st.NumPartitions = int32(cfg.Partitions)
	st.ReplicationFactor = 1
	for _, c := range s.describeTopicConfigs(cfg) {
		rc := kmsg.NewCreateTopicsResponseTopicConfig()
		rc.Name, rc.Value, rc.ReadOnly, rc.Source = c.name, strp(c.value), c.readOnly, int8(c.source)
		st.Configs = append(st.Configs, rc)
	}
}
