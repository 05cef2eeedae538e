package kafka

import (
	"time"

	"errors"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func configValue(t *testing.T, adm *kadm.Client, topic, key string) (string, kmsg.ConfigSource) {
	t.Helper()
	rcs, err := adm.DescribeTopicConfigs(ctxT(t), topic)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := rcs.On(topic, nil)
	if err != nil || rc.Err != nil {
		t.Fatalf("describe %s: %v %v", topic, err, rc.Err)
	}
	for _, c := range rc.Configs {
		if c.Key == key {
			return c.MaybeValue(), c.Source
		}
	}
	t.Fatalf("config %s not described", key)
	return "", 0
}

func TestAdminTopics(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.AutoCreate = false; c.DefaultPartitions = 2 })
	adm := e.admin()
	ctx := ctxT(t)

	r, err := adm.CreateTopic(ctx, 3, 1, map[string]*string{"retention.ms": kadm.StringPtr("60000"), "cleanup.policy": kadm.StringPtr("delete")}, "adm")
	if err != nil {
		t.Fatal(err)
	}
	if r.NumPartitions != 3 || r.ReplicationFactor != 1 || r.ID == ([16]byte{}) {
		t.Fatalf("created %+v", r)
	}
	if cfg := e.b.Topic("adm").Config(); cfg.RetentionMs != 60000 || cfg.Partitions != 3 {
		t.Fatalf("core config %+v", cfg)
	}
	if _, err := adm.CreateTopic(ctx, 3, 1, nil, "adm"); !errors.Is(err, kerr.TopicAlreadyExists) {
		t.Fatalf("duplicate create: %v", err)
	}
	if _, err := adm.CreateTopic(ctx, 0, 1, nil, "zero"); !errors.Is(err, kerr.InvalidPartitions) {
		t.Fatalf("0 partitions: %v", err)
	}
	if _, err := adm.CreateTopic(ctx, 1, 3, nil, "rf3"); !errors.Is(err, kerr.InvalidReplicationFactor) {
		t.Fatalf("replication factor 3: %v", err)
	}
	if _, err := adm.CreateTopic(ctx, 1, 1, map[string]*string{"no.such.config": kadm.StringPtr("1")}, "badcfg"); !errors.Is(err, kerr.InvalidConfig) {
		t.Fatalf("unknown config: %v", err)
	}
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, "bad/name"); !errors.Is(err, kerr.InvalidTopicException) {
		t.Fatalf("bad name: %v", err)
	}
	if r, err := adm.CreateTopic(ctx, -1, -1, nil, "defaults"); err != nil || r.NumPartitions != 2 {
		t.Fatalf("broker defaults: %+v %v", r, err)
	}
	vr, err := adm.ValidateCreateTopics(ctx, 4, 1, nil, "validated")
	if err != nil || vr["validated"].Err != nil || e.b.Topic("validated") != nil {
		t.Fatalf("validate only: %+v %v (topic exists: %v)", vr, err, e.b.Topic("validated") != nil)
	}

	// Configs: describe, incremental alter, legacy (replacing) alter.
	if v, src := configValue(t, adm, "adm", "retention.ms"); v != "60000" || src != kmsg.ConfigSourceDynamicTopicConfig {
		t.Fatalf("retention.ms %q source %v", v, src)
	}
	if v, src := configValue(t, adm, "adm", "max.message.bytes"); v != "1048588" || src != kmsg.ConfigSourceDefaultConfig {
		t.Fatalf("max.message.bytes %q source %v", v, src)
	}
	ar, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{
		{Op: kadm.SetConfig, Name: "retention.bytes", Value: kadm.StringPtr("1048576")},
		{Op: kadm.DeleteConfig, Name: "retention.ms"},
		{Op: kadm.AppendConfig, Name: "cleanup.policy", Value: kadm.StringPtr("compact")},
	}, "adm")
	if err != nil || ar[0].Err != nil {
		t.Fatalf("incremental alter: %+v %v", ar, err)
	}
	if cfg := e.b.Topic("adm").Config(); cfg.RetentionBytes != 1048576 || cfg.RetentionMs != 0 {
		t.Fatalf("after incremental alter: %+v", cfg)
	}
	if v, _ := configValue(t, adm, "adm", "cleanup.policy"); v != "delete,compact" {
		t.Fatalf("cleanup.policy %q", v)
	}
	ar, err = adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "retention.ms", Value: kadm.StringPtr("soon")}}, "adm")
	if err != nil || !errors.Is(ar[0].Err, kerr.InvalidConfig) {
		t.Fatalf("bad value: %+v %v", ar, err)
	}
	ar, err = adm.AlterTopicConfigsState(ctx, []kadm.AlterConfig{{Name: "max.message.bytes", Value: kadm.StringPtr("5000")}}, "adm")
	if err != nil || ar[0].Err != nil {
		t.Fatalf("legacy alter: %+v %v", ar, err)
	}
	if cfg := e.b.Topic("adm").Config(); cfg.MaxMessageBytes != 5000 || cfg.RetentionBytes != 0 || cfg.Extra["cleanup.policy"] != "" {
		t.Fatalf("legacy alter must replace every config: %+v", cfg)
	}
	bc, err := adm.DescribeBrokerConfigs(ctx)
	if err != nil || len(bc) != 1 || len(bc[0].Configs) == 0 {
		t.Fatalf("broker configs: %+v %v", bc, err)
	}

	// Partitions.
	cp, err := adm.UpdatePartitions(ctx, 5, "adm")
	if err != nil || cp["adm"].Err != nil || len(e.b.Topic("adm").Partitions()) != 5 {
		t.Fatalf("update partitions: %+v %v", cp, err)
	}
	cp, err = adm.UpdatePartitions(ctx, 2, "adm")
	if err != nil || !errors.Is(cp["adm"].Err, kerr.InvalidPartitions) {
		t.Fatalf("shrinking: %+v %v", cp, err)
	}
	cp, err = adm.CreatePartitions(ctx, 1, "missing")
	if err != nil || !errors.Is(cp["missing"].Err, kerr.UnknownTopicOrPartition) {
		t.Fatalf("unknown topic: %+v %v", cp, err)
	}

	// Listing and deleting.
	td, err := adm.ListTopics(ctx)
	if err != nil || !td.Has("adm") || !td.Has("defaults") || len(td["adm"].Partitions) != 5 {
		t.Fatalf("list topics: %v %v", td.Names(), err)
	}
	dr, err := adm.DeleteTopics(ctx, "adm", "missing")
	if err != nil || dr["adm"].Err != nil || !errors.Is(dr["missing"].Err, kerr.UnknownTopicOrPartition) {
		t.Fatalf("delete: %+v %v", dr, err)
	}
	if e.b.Topic("adm") != nil {
		t.Fatal("topic still exists")
	}

	// DescribeCluster via a raw request.
	rc := e.raw()
	dc := do[*kmsg.DescribeClusterResponse](rc, kmsg.NewPtrDescribeClusterRequest(), 1)
	if dc.ErrorCode != 0 || dc.ClusterID != "junction" || len(dc.Brokers) != 1 || dc.ControllerID != 0 {
		t.Fatalf("describe cluster: %+v", dc)
	}
}

func TestRetentionApplied(t *testing.T) {
	e := newEnv(t)
	adm := e.admin()
	if _, err := adm.CreateTopic(ctxT(t), 1, 1, map[string]*string{"retention.bytes": kadm.StringPtr("1"), "segment.bytes": kadm.StringPtr("1000")}, "ret"); err != nil {
		t.Fatal(err)
	}
	prod := e.client(kgo.DefaultProduceTopic("ret"))
	for range 20 {
		if err := prod.ProduceSync(ctxT(t), &kgo.Record{Value: make([]byte, 500)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	// retention.bytes is applied on produce once a segment more is held.
	p := e.b.Topic("ret").Partition(0)
	if p.Start() == 0 {
		t.Fatalf("retention dropped nothing: start %d end %d", p.Start(), p.End())
	}

	// retention.ms is applied by the maintenance loop.
	if _, err := adm.CreateTopic(ctxT(t), 1, 1, map[string]*string{"retention.ms": kadm.StringPtr("1"), "segment.bytes": kadm.StringPtr("1000")}, "ret-ms"); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		// A minute old by their own timestamps, so retention.ms=1 applies
		// to every segment but the newest without waiting.
		old := &kgo.Record{Topic: "ret-ms", Value: make([]byte, 500), Timestamp: time.Now().Add(-time.Minute)}
		if err := prod.ProduceSync(ctxT(t), old).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	pm := e.b.Topic("ret-ms").Partition(0)
	if pm.Start() != 0 {
		t.Fatalf("retention.ms applied on produce: start %d", pm.Start())
	}
	e.s.b.ApplyRetention() // what the broker runs every RetentionInterval
	if pm.Start() == 0 {
		t.Fatalf("retention.ms dropped nothing: end %d", pm.End())
	}
	l, err := adm.ListStartOffsets(ctxT(t), "ret")
	if err != nil {
		t.Fatal(err)
	}
	if o, _ := l.Lookup("ret", 0); o.Offset != p.Start() {
		t.Fatalf("ListOffsets earliest %d, start %d", o.Offset, p.Start())
	}
}
