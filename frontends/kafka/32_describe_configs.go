// DescribeConfigs v0–v4: topic resources list every known topic config
// (configs.go) with its value and source (DYNAMIC_TOPIC_CONFIG when set,
// DEFAULT_CONFIG otherwise); broker resources (named "" or this node's id)
// list a fixed set of read-only broker settings; broker-logger resources
// are empty. Synonyms (v1+) hold just the entry itself; documentation (v3+)
// is null.

package kafka

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func init() {
	register(api{key: 32, min: 0, max: 4, handle: handleDescribeConfigs})
}

func handleDescribeConfigs(r *request) (kmsg.Response, error) {
	s := r.s
	req := r.kreq.(*kmsg.DescribeConfigsRequest)
	resp := req.ResponseKind().(*kmsg.DescribeConfigsResponse)
	for _, rr := range req.Resources {
		res := kmsg.NewDescribeConfigsResponseResource()
		res.ResourceType, res.ResourceName = rr.ResourceType, rr.ResourceName
		var cs []describedConfig
		switch rr.ResourceType {
		case kmsg.ConfigResourceTypeTopic:
			t := s.b.Topic(rr.ResourceName)
			if t == nil {
				res.ErrorCode = kerr.UnknownTopicOrPartition.Code
				res.ErrorMessage = strp(fmt.Sprintf("topic %q does not exist", rr.ResourceName))
				break
			}
			cfg := t.Config()
			cs = s.describeTopicConfigs(&cfg)
		case kmsg.ConfigResourceTypeBroker:
			if rr.ResourceName != "" && rr.ResourceName != strconv.Itoa(int(s.cfg.NodeID)) {
				res.ErrorCode = kerr.InvalidRequest.Code
				res.ErrorMessage = strp(fmt.Sprintf("unknown broker %q", rr.ResourceName))
				break
			}
			cs = s.describeBrokerConfigs()
		case kmsg.ConfigResourceTypeBrokerLogger:
		default:
			res.ErrorCode = kerr.InvalidRequest.Code
			res.ErrorMessage = strp(fmt.Sprintf("unsupported resource type %d", rr.ResourceType))
		}
		for _, c := range cs {
			if rr.ConfigNames != nil && !slices.Contains(rr.ConfigNames, c.name) {
				continue
			}
			rc := kmsg.NewDescribeConfigsResponseResourceConfig()
			rc.Name, rc.Value, rc.ReadOnly = c.name, strp(c.value), c.readOnly
			rc.IsDefault = c.source == kmsg.ConfigSourceDefaultConfig
			rc.Source, rc.ConfigType = c.source, c.typ
			if req.IncludeSynonyms {
				syn := kmsg.NewDescribeConfigsResponseResourceConfigConfigSynonym()
				syn.Name, syn.Value, syn.Source = c.name, strp(c.value), c.source
				rc.ConfigSynonyms = append(rc.ConfigSynonyms, syn)
			}
			res.Configs = append(res.Configs, rc)
		}
		resp.Resources = append(resp.Resources, res)
	}
	return resp, nil
}
