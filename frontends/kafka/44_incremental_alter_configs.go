// IncrementalAlterConfigs v0–v1: SET, DELETE (back to the default), APPEND
// and SUBTRACT (list configs only) on topic configs. Every operation of a
// resource is validated before any is applied (INVALID_CONFIG; a config
// named twice is INVALID_REQUEST); ValidateOnly changes nothing. Broker
// configs are read-only here (INVALID_REQUEST).

package kafka

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"junction/broker"
)

func init() {
	register(api{key: 44, min: 0, max: 1, handle: handleIncrementalAlterConfigs})
}

func handleIncrementalAlterConfigs(r *request) (kmsg.Response, error) {
	s := r.s
	req := r.kreq.(*kmsg.IncrementalAlterConfigsRequest)
	resp := req.ResponseKind().(*kmsg.IncrementalAlterConfigsResponse)
	for _, rr := range req.Resources {
		res := kmsg.NewIncrementalAlterConfigsResponseResource()
		res.ResourceType, res.ResourceName = rr.ResourceType, rr.ResourceName
		fail := func(code int16, msg string) { res.ErrorCode, res.ErrorMessage = code, &msg }
		t, code, msg := s.alterableTopic(rr.ResourceType, rr.ResourceName)
		if code != 0 {
			fail(code, msg)
			resp.Resources = append(resp.Resources, res)
			continue
		}
		seen := make(map[string]bool)
		for _, c := range rr.Configs {
			if seen[c.Name] {
				fail(kerr.InvalidRequest.Code, fmt.Sprintf("config %s named more than once", c.Name))
				break
			}
			seen[c.Name] = true
		}
		if res.ErrorCode == 0 {
			snapshot := t.Config()
			if err := applyIncremental(&snapshot, rr.Configs); err != nil {
				fail(kerr.InvalidConfig.Code, err.Error())
			}
		}
		if res.ErrorCode == 0 && !req.ValidateOnly {
			var applyErr error
			err := t.UpdateConfig(func(cfg *broker.TopicConfig) { applyErr = applyIncremental(cfg, rr.Configs) })
			if err = errors.Join(err, applyErr); err != nil {
				fail(errCode(err), err.Error())
			}
		}
		resp.Resources = append(resp.Resources, res)
	}
	return resp, nil
}

// applyIncremental applies incremental config operations to cfg, stopping
// at the first invalid one.
func applyIncremental(cfg *broker.TopicConfig, ops []kmsg.IncrementalAlterConfigsRequestResourceConfig) error {
	for _, c := range ops {
		d := topicConfigDef(c.Name)
		if d == nil {
			return fmt.Errorf("unknown topic config name: %s", c.Name)
		}
		switch c.Op {
		case kmsg.IncrementalAlterConfigOpSet:
			if err := validateTopicConfig(c.Name, c.Value); err != nil {
				return err
			}
			setTopicConfig(cfg, c.Name, c.Value)
		case kmsg.IncrementalAlterConfigOpDelete:
			setTopicConfig(cfg, c.Name, nil)
		case kmsg.IncrementalAlterConfigOpAppend, kmsg.IncrementalAlterConfigOpSubtract:
			if d.typ != kmsg.ConfigTypeList {
				return fmt.Errorf("config %s is not a list; APPEND and SUBTRACT need one", c.Name)
			}
			if c.Value == nil {
				return fmt.Errorf("null value for %s", c.Name)
			}
			cur := cfg.Extra[c.Name]
			if _, set := cfg.Extra[c.Name]; !set {
				cur = d.def
			}
			list := splitList(cur)
			for _, v := range splitList(*c.Value) {
				has := slices.Contains(list, v)
				switch {
				case c.Op == kmsg.IncrementalAlterConfigOpAppend && !has:
					list = append(list, v)
				case c.Op == kmsg.IncrementalAlterConfigOpSubtract && has:
					list = slices.DeleteFunc(list, func(x string) bool { return x == v })
				}
			}
			v := strings.Join(list, ",")
			if err := validateTopicConfig(c.Name, &v); err != nil {
				return err
			}
			setTopicConfig(cfg, c.Name, &v)
		default:
			return fmt.Errorf("unknown operation %d for %s", c.Op, c.Name)
		}
	}
	return nil
}

// splitList splits a comma-separated config list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
