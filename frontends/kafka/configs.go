// Topic and broker configs for CreateTopics, DescribeConfigs, AlterConfigs
// and IncrementalAlterConfigs.
//
// Honoured topic configs map onto broker.TopicConfig: retention.ms,
// retention.bytes, segment.bytes (for partitions opened afterwards),
// max.message.bytes and message.timestamp.type (LogAppendTime stamps
// records on append and marks fetched batches). Every explicitly set Kafka
// topic config is also kept verbatim in TopicConfig.Extra under its Kafka
// name, so the other known configs (cleanup.policy, compression.type,
// min.insync.replicas, …) are stored and described but not enforced;
// notably cleanup.policy=compact does not compact. Unknown names are
// INVALID_CONFIG, as in Kafka. Broker configs are described read-only.

package kafka

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kmsg"

	"junction/broker"
)

// configDef describes one topic config.
type configDef struct {
	name     string
	typ      kmsg.ConfigType
	def      string                 // default value; "" is replaced by dynDef
	dynDef   func(s *Server) string // default computed from the server config
	validate func(v string) error   // nil: any value
}

func long(min int64) func(string) error {
	return func(v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("value %q is not a number", v)
		}
		if n < min {
			return fmt.Errorf("value %d is below the minimum %d", n, min)
		}
		return nil
	}
}

func oneOf(vals ...string) func(string) error {
	return func(v string) error {
		if slices.Contains(vals, v) {
			return nil
		}
		return fmt.Errorf("value %q must be one of %s", v, strings.Join(vals, ", "))
	}
}

func boolean(v string) error { return oneOf("true", "false")(strings.ToLower(v)) }

func cleanupPolicy(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "delete" && p != "compact" {
			return fmt.Errorf("cleanup.policy %q must be a list of delete and compact", v)
		}
	}
	return nil
}

// topicConfigs lists the known topic configs by name.
var topicConfigs = []configDef{
	{name: "cleanup.policy", typ: kmsg.ConfigTypeList, def: "delete", validate: cleanupPolicy},
	{name: "compression.type", typ: kmsg.ConfigTypeString, def: "producer", validate: oneOf("producer", "uncompressed", "gzip", "snappy", "lz4", "zstd")},
	{name: "delete.retention.ms", typ: kmsg.ConfigTypeLong, def: "86400000", validate: long(0)},
	{name: "file.delete.delay.ms", typ: kmsg.ConfigTypeLong, def: "60000", validate: long(0)},
	{name: "flush.messages", typ: kmsg.ConfigTypeLong, def: "9223372036854775807", validate: long(1)},
	{name: "flush.ms", typ: kmsg.ConfigTypeLong, def: "9223372036854775807", validate: long(0)},
	{name: "follower.replication.throttled.replicas", typ: kmsg.ConfigTypeList, def: ""},
	{name: "index.interval.bytes", typ: kmsg.ConfigTypeInt, def: "4096", validate: long(0)},
	{name: "leader.replication.throttled.replicas", typ: kmsg.ConfigTypeList, def: ""},
	{name: "local.retention.bytes", typ: kmsg.ConfigTypeLong, def: "-2", validate: long(-2)},
	{name: "local.retention.ms", typ: kmsg.ConfigTypeLong, def: "-2", validate: long(-2)},
	{name: "max.compaction.lag.ms", typ: kmsg.ConfigTypeLong, def: "9223372036854775807", validate: long(1)},
	{name: "max.message.bytes", typ: kmsg.ConfigTypeInt, dynDef: func(s *Server) string { return strconv.Itoa(s.cfg.MaxMessageBytes) }, validate: long(0)},
	{name: "message.downconversion.enable", typ: kmsg.ConfigTypeBoolean, def: "true", validate: boolean},
	{name: "message.timestamp.after.max.ms", typ: kmsg.ConfigTypeLong, def: "9223372036854775807", validate: long(0)},
	{name: "message.timestamp.before.max.ms", typ: kmsg.ConfigTypeLong, def: "9223372036854775807", validate: long(0)},
	{name: "message.timestamp.difference.max.ms", typ: kmsg.ConfigTypeLong, def: "9223372036854775807", validate: long(0)},
	{name: "message.timestamp.type", typ: kmsg.ConfigTypeString, def: "CreateTime", validate: oneOf("CreateTime", "LogAppendTime")},
	{name: "min.cleanable.dirty.ratio", typ: kmsg.ConfigTypeDouble, def: "0.5"},
	{name: "min.compaction.lag.ms", typ: kmsg.ConfigTypeLong, def: "0", validate: long(0)},
	{name: "min.insync.replicas", typ: kmsg.ConfigTypeInt, def: "1", validate: long(1)},
	{name: "preallocate", typ: kmsg.ConfigTypeBoolean, def: "false", validate: boolean},
	{name: "remote.storage.enable", typ: kmsg.ConfigTypeBoolean, def: "false", validate: boolean},
	{name: "retention.bytes", typ: kmsg.ConfigTypeLong, def: "-1", validate: long(-1)},
	{name: "retention.ms", typ: kmsg.ConfigTypeLong, def: "-1", validate: long(-1)},
	{name: "segment.bytes", typ: kmsg.ConfigTypeInt, def: "67108864", validate: long(14)},
	{name: "segment.index.bytes", typ: kmsg.ConfigTypeInt, def: "10485760", validate: long(4)},
	{name: "segment.jitter.ms", typ: kmsg.ConfigTypeLong, def: "0", validate: long(0)},
	{name: "segment.ms", typ: kmsg.ConfigTypeLong, def: "604800000", validate: long(1)},
	{name: "unclean.leader.election.enable", typ: kmsg.ConfigTypeBoolean, def: "false", validate: boolean},
}

// topicConfigDef returns the definition of a topic config name, or nil.
func topicConfigDef(name string) *configDef {
	i, ok := slices.BinarySearchFunc(topicConfigs, name, func(d configDef, n string) int { return strings.Compare(d.name, n) })
	if !ok {
		return nil
	}
	return &topicConfigs[i]
}

// validateTopicConfig checks a config name and value.
func validateTopicConfig(name string, value *string) error {
	d := topicConfigDef(name)
	if d == nil {
		return fmt.Errorf("unknown topic config name: %s", name)
	}
	if value == nil {
		return fmt.Errorf("null value for topic config %s", name)
	}
	if d.validate != nil {
		if err := d.validate(*value); err != nil {
			return fmt.Errorf("invalid value for %s: %w", name, err)
		}
	}
	return nil
}

// setTopicConfig sets (value non-nil) or resets (nil) one validated config
// on cfg, in Extra and in the field it maps to.
func setTopicConfig(cfg *broker.TopicConfig, name string, value *string) {
	if value == nil {
		delete(cfg.Extra, name)
	} else {
		if cfg.Extra == nil {
			cfg.Extra = make(map[string]string)
		}
		cfg.Extra[name] = *value
	}
	var n int64
	if value != nil {
		n, _ = strconv.ParseInt(*value, 10, 64)
	}
	switch name {
	case "retention.ms":
		cfg.RetentionMs = retentionField(value, n)
	case "retention.bytes":
		cfg.RetentionBytes = retentionField(value, n)
	case "segment.bytes":
		cfg.SegmentBytes = max(n, 0)
	case "max.message.bytes":
		if value == nil {
			cfg.MaxMessageBytes = 0
		} else {
			// 0 would mean "unlimited" in the core; in Kafka nothing fits.
			cfg.MaxMessageBytes = int(max(n, 1))
		}
	}
}

// retentionField maps a Kafka retention value (-1: unlimited) to the core's
// (<= 0: unlimited). Kafka's 0 means "retain nothing": the smallest limit.
func retentionField(value *string, n int64) int64 {
	switch {
	case value == nil || n < 0:
		return 0
	case n == 0:
		return 1
	}
	return n
}

// topicConfigValue returns the current value of a config and whether it was
// set explicitly (source DYNAMIC_TOPIC_CONFIG) rather than defaulted.
func (s *Server) topicConfigValue(cfg *broker.TopicConfig, d *configDef) (string, bool) {
	switch d.name {
	case "retention.ms":
		if cfg.RetentionMs > 0 {
			return strconv.FormatInt(cfg.RetentionMs, 10), true
		}
	case "retention.bytes":
		if cfg.RetentionBytes > 0 {
			return strconv.FormatInt(cfg.RetentionBytes, 10), true
		}
	case "segment.bytes":
		if cfg.SegmentBytes > 0 {
			return strconv.FormatInt(cfg.SegmentBytes, 10), true
		}
	case "max.message.bytes":
		if cfg.MaxMessageBytes > 0 {
			return strconv.Itoa(cfg.MaxMessageBytes), true
		}
	}
	if v, ok := cfg.Extra[d.name]; ok {
		return v, true
	}
	if d.dynDef != nil {
		return d.dynDef(s), false
	}
	return d.def, false
}

// maxMessageBytes is the batch size limit for a topic.
func (s *Server) maxMessageBytes(cfg *broker.TopicConfig) int {
	if cfg.MaxMessageBytes > 0 {
		return cfg.MaxMessageBytes
	}
	return s.cfg.MaxMessageBytes
}

// logAppendTime reports whether a topic stamps records with the append time.
func logAppendTime(cfg *broker.TopicConfig) bool {
	return cfg.Extra["message.timestamp.type"] == "LogAppendTime"
}

// describedConfig is one config entry of a DescribeConfigs response.
type describedConfig struct {
	name, value string
	readOnly    bool
	source      kmsg.ConfigSource
	typ         kmsg.ConfigType
}

// describeTopicConfigs returns a topic's configs in name order.
func (s *Server) describeTopicConfigs(cfg *broker.TopicConfig) []describedConfig {
	out := make([]describedConfig, 0, len(topicConfigs))
	for i := range topicConfigs {
		d := &topicConfigs[i]
		v, set := s.topicConfigValue(cfg, d)
		src := kmsg.ConfigSourceDefaultConfig
		if set {
			src = kmsg.ConfigSourceDynamicTopicConfig
		}
		out = append(out, describedConfig{name: d.name, value: v, source: src, typ: d.typ})
	}
	return out
}

// describeBrokerConfigs returns the (read-only) broker configs.
func (s *Server) describeBrokerConfigs() []describedConfig {
	b2s := strconv.FormatBool
	i2s := func(n int64) string { return strconv.FormatInt(n, 10) }
	cs := []describedConfig{
		{name: "auto.create.topics.enable", value: b2s(s.cfg.AutoCreate), typ: kmsg.ConfigTypeBoolean},
		{name: "broker.id", value: i2s(int64(s.cfg.NodeID)), typ: kmsg.ConfigTypeInt},
		{name: "default.replication.factor", value: "1", typ: kmsg.ConfigTypeInt},
		{name: "group.initial.rebalance.delay.ms", value: i2s(s.cfg.GroupInitialRebalanceDelay.Milliseconds()), typ: kmsg.ConfigTypeInt},
		{name: "group.max.session.timeout.ms", value: i2s(s.cfg.GroupMaxSessionTimeout.Milliseconds()), typ: kmsg.ConfigTypeInt},
		{name: "group.min.session.timeout.ms", value: i2s(s.cfg.GroupMinSessionTimeout.Milliseconds()), typ: kmsg.ConfigTypeInt},
		{name: "log.retention.bytes", value: "-1", typ: kmsg.ConfigTypeLong},
		{name: "log.retention.ms", value: "-1", typ: kmsg.ConfigTypeLong},
		{name: "message.max.bytes", value: i2s(int64(s.cfg.MaxMessageBytes)), typ: kmsg.ConfigTypeInt},
		{name: "min.insync.replicas", value: "1", typ: kmsg.ConfigTypeInt},
		{name: "num.partitions", value: i2s(int64(s.cfg.DefaultPartitions)), typ: kmsg.ConfigTypeInt},
		{name: "offsets.topic.replication.factor", value: "1", typ: kmsg.ConfigTypeShort},
		{name: "sasl.enabled.mechanisms", value: s.saslMechanisms(), typ: kmsg.ConfigTypeList},
		{name: "transaction.state.log.replication.factor", value: "1", typ: kmsg.ConfigTypeShort},
	}
	for i := range cs {
		cs[i].readOnly = true
		cs[i].source = kmsg.ConfigSourceStaticBrokerConfig
	}
	return cs
}

// saslMechanisms lists the enabled SASL mechanisms.
func (s *Server) saslMechanisms() string {
	if len(s.cfg.Users) == 0 {
		return ""
	}
	return "PLAIN"
}
