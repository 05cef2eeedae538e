// Topic exchange matching with RabbitMQ's rules: keys are split at '.'
// into words ("" is no words, "a." is "a" and ""), '*' matches exactly one
// word, '#' zero or more. Bindings live in a trie of binding-key words with
// '*' and '#' children, so a lookup costs the trie paths the key can take,
// not the number of bindings. Consecutive '#' words collapse into one (they
// match the same keys), which keeps pathological patterns polynomial.

package amqp

import "strings"

type topicTrie struct {
	root *topicNode
}

type topicNode struct {
	children map[string]*topicNode
	star     *topicNode
	hash     *topicNode
	bindings []*binding
}

// splitTopic appends the words of key to dst.
func splitTopic(key string, dst []string) []string {
	if key == "" {
		return dst
	}
	for {
		i := strings.IndexByte(key, '.')
		if i < 0 {
			return append(dst, key)
		}
		dst = append(dst, key[:i])
		key = key[i+1:]
	}
}

// patternWords splits a binding key, collapsing consecutive '#' words.
func patternWords(key string) []string {
	ws := splitTopic(key, nil)
	out := ws[:0]
	for _, w := range ws {
		if w == "#" && len(out) > 0 && out[len(out)-1] == "#" {
			continue
		}
		out = append(out, w)
	}
	return out
}

func (n *topicNode) child(w string, create bool) *topicNode {
	switch w {
	case "*":
		if n.star == nil && create {
			n.star = &topicNode{}
		}
		return n.star
	case "#":
		if n.hash == nil && create {
			n.hash = &topicNode{}
		}
		return n.hash
	}
	c := n.children[w]
	if c == nil && create {
		if n.children == nil {
			n.children = make(map[string]*topicNode)
		}
		c = &topicNode{}
		n.children[w] = c
	}
	return c
}

func (n *topicNode) empty() bool {
	return len(n.children) == 0 && n.star == nil && n.hash == nil && len(n.bindings) == 0
}

func (t *topicTrie) add(b *binding) {
	if t.root == nil {
		t.root = &topicNode{}
	}
	n := t.root
	for _, w := range patternWords(b.key) {
		n = n.child(w, true)
	}
	n.bindings = append(n.bindings, b)
}

func (t *topicTrie) remove(b *binding) {
	if t.root == nil {
		return
	}
	ws := patternWords(b.key)
	path := make([]*topicNode, 0, len(ws)+1)
	n := t.root
	path = append(path, n)
	for _, w := range ws {
		if n = n.child(w, false); n == nil {
			return
		}
		path = append(path, n)
	}
	n.bindings = removePtr(n.bindings, b)
	// Prune nodes left empty, from the leaf up.
	for i := len(ws); i > 0; i-- {
		if !path[i].empty() {
			break
		}
		parent, w := path[i-1], ws[i-1]
		switch w {
		case "*":
			parent.star = nil
		case "#":
			parent.hash = nil
		default:
			delete(parent.children, w)
		}
	}
}

// match visits every binding whose key matches key and returns how many
// visits it made (a binding reachable along two paths counts twice).
func (t *topicTrie) match(key string, r *router) int {
	if t.root == nil {
		return 0
	}
	r.words = splitTopic(key, r.words[:0])
	return t.root.match(r.words, 0, r)
}

func (n *topicNode) match(words []string, i int, r *router) int {
	hits := 0
	if n.hash != nil {
		for j := i; j <= len(words); j++ {
			hits += n.hash.match(words, j, r)
		}
	}
	if i == len(words) {
		for _, b := range n.bindings {
			r.visit(b)
		}
		return hits + len(n.bindings)
	}
	if c := n.children[words[i]]; c != nil {
		hits += c.match(words, i+1, r)
	}
	if n.star != nil {
		hits += n.star.match(words, i+1, r)
	}
	return hits
}
