package interop

import (
	"slices"
	"testing"

	"junction/broker"
	"junction/broker/brokertest"
)

func TestSplitPartitionName(t *testing.T) {
	for _, c := range []struct {
		name  string
		topic string
		i     int
		ok    bool
	}{
		{"orders#3", "orders", 3, true},
		{"orders#12", "orders", 12, true},
		{"a#1#2", "a#1", 2, true},
		{"x#999999999", "x", 999999999, true},
		{"orders", "", 0, false},
		{"orders#0", "", 0, false},
		{"orders#03", "", 0, false},
		{"orders#", "", 0, false},
		{"#3", "", 0, false},
		{"orders#-1", "", 0, false},
		{"orders#+1", "", 0, false},
		{"orders#1a", "", 0, false},
		{"orders#1 ", "", 0, false},
		{"x#1000000000", "", 0, false},
	} {
		topic, i, ok := SplitPartitionName(c.name)
		if topic != c.topic || i != c.i || ok != c.ok {
			t.Errorf("SplitPartitionName(%q) = %q, %d, %v; want %q, %d, %v", c.name, topic, i, ok, c.topic, c.i, c.ok)
		}
		if c.ok && PartitionName(c.topic, c.i) != c.name {
			t.Errorf("PartitionName(%q, %d) = %q, want %q", c.topic, c.i, PartitionName(c.topic, c.i), c.name)
		}
	}
	if got := PartitionName("orders", 0); got != "orders" {
		t.Errorf("PartitionName(orders, 0) = %q", got)
	}
}

func TestResolve(t *testing.T) {
	b := brokertest.New(t)
	mustCreate := func(name string, parts int) *broker.Topic {
		t.Helper()
		tp, err := b.CreateTopic(name, broker.TopicConfig{Partitions: parts})
		if err != nil {
			t.Fatal(err)
		}
		return tp
	}
	multi := mustCreate("multi", 3)
	single := mustCreate("single", 1)
	literal := mustCreate("multi#2", 1) // a topic of that very name wins
	hash := mustCreate("h#1", 2)        // a topic whose name holds '#'

	for _, c := range []struct {
		name string
		t    *broker.Topic
		i    int
	}{
		{"multi", multi, 0},
		{"multi#1", multi, 1},
		{"multi#2", literal, 0},
		{"multi#3", nil, 0}, // multi has 3 partitions: 0..2
		{"multi#0", nil, 0},
		{"multi#01", nil, 0},
		{"single", single, 0},
		{"single#1", nil, 0},
		{"h#1", hash, 0},
		{"h#1#1", hash, 1},
		{"h", nil, 0},
		{"nope#1", nil, 0},
	} {
		got, i := Resolve(c.name, b.Topic)
		if got != c.t || i != c.i {
			name := "<nil>"
			if got != nil {
				name = got.Name()
			}
			t.Errorf("Resolve(%q) = %s, %d; want %v, %d", c.name, name, i, c.t != nil, c.i)
		}
	}

	var names []string
	taken := func(n string) bool { return b.Topic(n) != nil }
	PartitionNames(multi, "", taken, func(n string, i int) { names = append(names, n) })
	if want := []string{"multi", "multi#1"}; !slices.Equal(names, want) {
		t.Errorf("PartitionNames(multi) = %q, want %q (multi#2 is a topic of its own)", names, want)
	}
	// A prefix (a Redis database) is stripped from the names.
	db := mustCreate("\x003\x00k", 2)
	names = nil
	PartitionNames(db, "\x003\x00", taken, func(n string, i int) { names = append(names, n) })
	if want := []string{"k", "k#1"}; !slices.Equal(names, want) {
		t.Errorf("PartitionNames(db 3 k) = %q, want %q", names, want)
	}
}
