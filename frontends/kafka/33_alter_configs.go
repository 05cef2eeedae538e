// AlterConfigs v0–v2: replaces a topic's whole set of configs (those not
// given return to their defaults), as Kafka's legacy API does. Names and
// values are validated first (INVALID_CONFIG); ValidateOnly changes nothing.
// Broker configs are read-only here (INVALID_REQUEST).

package kafka

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"junction/broker"
)

func init() {
	register(api{key: 33, min: 0, max: 2, handle: handleAlterConfigs})
}

func handleAlterConfigs(r *request) (kmsg.Response, error) {
	s := r.s
	req := r.kreq.(*kmsg.AlterConfigsRequest)
	resp := req.ResponseKind().(*kmsg.AlterConfigsResponse)
	for _, rr := range req.Resources {
		res := kmsg.NewAlterConfigsResponseResource()
		res.ResourceType, res.ResourceName = rr.ResourceType, rr.ResourceName
		fail := func(code int16, msg string) { res.ErrorCode, res.ErrorMessage = code, &msg }
		t, code, msg := s.alterableTopic(rr.ResourceType, rr.ResourceName)
		if code != 0 {
			fail(code, msg)
			resp.Resources = append(resp.Resources, res)
			continue
		}
		for _, c := range rr.Configs {
			if err := validateTopicConfig(c.Name, c.Value); err != nil {
				fail(kerr.InvalidConfig.Code, err.Error())
				break
			}
		}
		if res.ErrorCode == 0 && !req.ValidateOnly {
			err := t.UpdateConfig(func(cfg *broker.TopicConfig) {
				for _, d := range topicConfigs {
					setTopicConfig(cfg, d.name, nil)
				}
				for _, c := range rr.Configs {
					setTopicConfig(cfg, c.Name, c.Value)
				}
			})
			if err != nil {
				fail(errCode(err), err.Error())
			}
		}
		resp.Resources = append(resp.Resources, res)
	}
	return resp, nil
}

// alterableTopic resolves a resource whose configs may be altered.
func (s *Server) alterableTopic(typ kmsg.ConfigResourceType, name string) (*broker.Topic, int16, string) {
	switch typ {
	case kmsg.ConfigResourceTypeTopic:
	case kmsg.ConfigResourceTypeBroker, kmsg.ConfigResourceTypeBrokerLogger:
		return nil, kerr.InvalidRequest.Code, "broker configs are read-only on this server"
	default:
		return nil, kerr.InvalidRequest.Code, fmt.Sprintf("unsupported resource type %d", typ)
	}
	t := s.b.Topic(name)
	if t == nil {
		return nil, kerr.UnknownTopicOrPartition.Code, fmt.Sprintf("topic %q does not exist", name)
	}
	return t, 0, ""
}
