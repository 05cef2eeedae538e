package amqp

import (
	"strings"
	"testing"

	"junction/frontends/amqp/internal/wire"
)

// refTopicMatch is RabbitMQ's topic rule written the slow, obvious way.
func refTopicMatch(pattern, key []string) bool {
	if len(pattern) == 0 {
		return len(key) == 0
	}
	switch pattern[0] {
	case "#":
		for i := 0; i <= len(key); i++ {
			if refTopicMatch(pattern[1:], key[i:]) {
				return true
			}
		}
		return false
	case "*":
		return len(key) > 0 && refTopicMatch(pattern[1:], key[1:])
	}
	return len(key) > 0 && key[0] == pattern[0] && refTopicMatch(pattern[1:], key[1:])
}

// strings over words: every join of up to n words from alphabet.
func topicStrings(alphabet []string, n int) []string {
	out := []string{""}
	level := [][]string{{}}
	for range n {
		var next [][]string
		for _, ws := range level {
			for _, w := range alphabet {
				next = append(next, append(append([]string(nil), ws...), w))
			}
		}
		for _, ws := range next {
			out = append(out, strings.Join(ws, "."))
		}
		level = next
	}
	return out
}

func TestTopicTrieMatchesReference(t *testing.T) {
	vh := newVhost(&Server{}, "/")
	x := newExchange(vh, "t", kindTopic, false, false, false, nil)
	patterns := topicStrings([]string{"a", "b", "*", "#", ""}, 3)
	byQueue := map[*qentry]string{}
	for _, p := range patterns {
		q := &qentry{name: p}
		byQueue[q] = p
		b, err := newBinding(x, q, nil, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		x.addBinding(b)
	}
	var r router
	for _, key := range topicStrings([]string{"a", "b", ""}, 4) {
		r.reset(nil)
		x.trie.match(key, &r)
		got := map[string]bool{}
		for _, q := range r.qs {
			got[byQueue[q]] = true
		}
		for _, p := range patterns {
			want := refTopicMatch(splitTopic(p, nil), splitTopic(key, nil))
			if got[p] != want {
				t.Errorf("pattern %q key %q: trie %v, reference %v", p, key, got[p], want)
			}
		}
	}
	// Removing every binding empties the trie.
	for _, b := range x.bindings {
		x.removeBinding(b)
	}
	if x.trie.root != nil && !x.trie.root.empty() {
		t.Fatal("trie not empty after removing all bindings")
	}
}

func TestHeadersMatch(t *testing.T) {
	h := wire.Table{{Name: "a", Value: "1"}, {Name: "n", Value: int32(5)}, {Name: "x-k", Value: "v"}}
	cases := []struct {
		args wire.Table
		want bool
	}{
		{wire.Table{{Name: "a", Value: "1"}}, true},
		{wire.Table{{Name: "a", Value: "2"}}, false},
		{wire.Table{{Name: "n", Value: int64(5)}}, false}, // type differs
		{wire.Table{{Name: "n", Value: nil}}, true},       // void: presence
		{wire.Table{{Name: "x-match", Value: "any"}, {Name: "a", Value: "2"}, {Name: "n", Value: int32(5)}}, true},
		{wire.Table{{Name: "x-match", Value: "any"}}, false},
		{wire.Table{{Name: "x-match", Value: "all"}}, true},
		{wire.Table{{Name: "x-match", Value: "all"}, {Name: "x-k", Value: "other"}}, true},
		{wire.Table{{Name: "x-match", Value: "all-with-x"}, {Name: "x-k", Value: "other"}}, false},
		{wire.Table{{Name: "x-match", Value: "any-with-x"}, {Name: "x-k", Value: "v"}, {Name: "zz", Value: "1"}}, true},
	}
	for _, tc := range cases {
		m, err := parseHeadersMatch(tc.args)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.matches(h); got != tc.want {
			t.Errorf("%v: got %v", tc.args, got)
		}
	}
}

func TestUnackedList(t *testing.T) {
	var l unackedList
	for tag := uint64(1); tag <= 3000; tag++ {
		l.push(unackedEntry{tag: tag, qtag: tag * 10})
	}
	// Out of order single acks, then multiple.
	for _, tag := range []uint64{5, 2, 2999} {
		es, ok := l.take(tag, false, nil)
		if !ok || len(es) != 1 || es[0].qtag != tag*10 {
			t.Fatalf("take %d = %v %v", tag, es, ok)
		}
	}
	if _, ok := l.take(5, false, nil); ok {
		t.Fatal("took a settled tag")
	}
	es, ok := l.take(10, true, nil)
	if !ok || len(es) != 8 {
		t.Fatalf("multiple up to 10 took %d", len(es))
	}
	for tag := uint64(11); tag <= 2900; tag += 2 {
		l.take(tag, false, nil)
	}
	if _, ok := l.take(11, true, nil); ok {
		t.Fatal("multiple with a settled tag succeeded")
	}
	l.restore([]unackedEntry{{tag: 5, qtag: 50}})
	es, _ = l.take(12, true, nil)
	if es[0].tag != 5 || es[len(es)-1].tag != 12 {
		t.Fatalf("restore kept order wrong: %v", es)
	}
	rest := l.drain(nil)
	if len(rest) != l.len()+len(rest) || len(rest) == 0 {
		t.Fatal("drain")
	}
	for i := 1; i < len(rest); i++ {
		if rest[i].tag <= rest[i-1].tag {
			t.Fatal("drain out of order")
		}
	}
}
