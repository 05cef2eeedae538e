// DeleteTopics v0–v6: deletes topics by name (v6 also by topic id) with
// their data. UNKNOWN_TOPIC_OR_PARTITION (UNKNOWN_TOPIC_ID by id) for
// unknown topics. Committed offsets of deleted topics are kept (the core
// has no per-topic offset deletion); a recreated topic's consumers then
// reset from OFFSET_OUT_OF_RANGE. TimeoutMillis is ignored.

package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"junction/broker"
)

func init() {
	register(api{key: 20, min: 0, max: 6, handle: handleDeleteTopics})
}

func handleDeleteTopics(r *request) (kmsg.Response, error) {
	s := r.s
	req := r.kreq.(*kmsg.DeleteTopicsRequest)
	resp := req.ResponseKind().(*kmsg.DeleteTopicsResponse)
	topics := req.Topics
	if req.Version < 6 {
		topics = make([]kmsg.DeleteTopicsRequestTopic, len(req.TopicNames))
		for i := range req.TopicNames {
			topics[i].Topic = &req.TopicNames[i]
		}
	}
	for _, rt := range topics {
		st := kmsg.NewDeleteTopicsResponseTopic()
		st.Topic, st.TopicID = rt.Topic, rt.TopicID
		var t *broker.Topic
		code := kerr.UnknownTopicOrPartition.Code
		if rt.Topic != nil {
			t = s.b.Topic(*rt.Topic)
		} else {
			t = s.topicByID(rt.TopicID)
			code = kerr.UnknownTopicID.Code
		}
		if t == nil {
			st.ErrorCode = code
			resp.Topics = append(resp.Topics, st)
			continue
		}
		name := t.Name()
		st.Topic = &name
		if req.Version >= 6 {
			st.TopicID = s.topicID(t)
		}
		if err := s.b.DeleteTopic(name); err != nil {
			st.ErrorCode, st.ErrorMessage = errCode(err), errMsg(err)
		} else {
			s.log.Info("deleted topic", "topic", name)
		}
		s.ids.forget(t)
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}
