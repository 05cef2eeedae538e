package broker_test

import (
	"testing"

	"junction/broker"
	"junction/broker/brokertest"
)

// A ConfigView taken before UpdateConfig keeps the settings it saw, and a
// later view sees the new ones.
func TestConfigViewIsStable(t *testing.T) {
	b := brokertest.New(t)
	tp := mustTopic(t, b, "v", 1)
	if err := tp.UpdateConfig(func(c *broker.TopicConfig) { c.Extra = map[string]string{"k": "1"} }); err != nil {
		t.Fatal(err)
	}
	before := tp.ConfigView()
	if err := tp.UpdateConfig(func(c *broker.TopicConfig) { c.Extra["k"] = "2"; c.RetentionMs = 5 }); err != nil {
		t.Fatal(err)
	}
	if before.Extra["k"] != "1" || before.RetentionMs != 0 {
		t.Fatalf("earlier view changed: %+v", before)
	}
	if after := tp.ConfigView(); after.Extra["k"] != "2" || after.RetentionMs != 5 {
		t.Fatalf("new view: %+v", after)
	}
}
