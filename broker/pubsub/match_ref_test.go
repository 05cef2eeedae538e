// A reference glob matcher for FuzzMatch, written separately from Match:
// the pattern is first split into tokens, then matched by plain recursive
// backtracking over the tokens (no skipLongerMatches shortcut), with a step
// budget so exponential patterns give up instead of hanging the fuzzer.

package pubsub

// refToken is one pattern element.
type refToken struct {
	op     byte // 'l' literal, '?' any byte, '*' any run, '[' byte set
	lit    byte
	not    bool
	ranges [][2]int8 // the set's members as inclusive signed-char ranges
}

// refTokens splits a pattern the way Redis reads it.
func refTokens(p string) []refToken {
	var toks []refToken
	for i := 0; i < len(p); {
		switch p[i] {
		case '*':
			toks = append(toks, refToken{op: '*'})
			i++
		case '?':
			toks = append(toks, refToken{op: '?'})
			i++
		case '\\':
			if i+1 < len(p) {
				toks = append(toks, refToken{op: 'l', lit: p[i+1]})
				i += 2
			} else {
				toks = append(toks, refToken{op: 'l', lit: '\\'})
				i++
			}
		case '[':
			tok := refToken{op: '['}
			i++
			if i < len(p) && p[i] == '^' {
				tok.not = true
				i++
			}
		set:
			for i < len(p) {
				switch {
				case p[i] == '\\' && i+1 < len(p):
					tok.ranges = append(tok.ranges, [2]int8{int8(p[i+1]), int8(p[i+1])})
					i += 2
				case p[i] == ']':
					i++
					break set
				case i+2 < len(p) && p[i+1] == '-':
					a, b := int8(p[i]), int8(p[i+2])
					tok.ranges = append(tok.ranges, [2]int8{min(a, b), max(a, b)})
					i += 3
				default:
					tok.ranges = append(tok.ranges, [2]int8{int8(p[i]), int8(p[i])})
					i++
				}
			}
			toks = append(toks, tok)
		default:
			toks = append(toks, refToken{op: 'l', lit: p[i]})
			i++
		}
	}
	return toks
}

// has reports whether the set token admits c.
func (t *refToken) has(c byte) bool {
	x := int8(c)
	in := false
	for _, r := range t.ranges {
		if x >= r[0] && x <= r[1] {
			in = true
		}
	}
	return in != t.not
}

// refMatch reports whether s matches pattern, and ok=false when it ran out
// of its step budget or the pattern nests more stars than Redis allows
// (where Redis deliberately answers "no match").
func refMatch(pattern, s string, budget int) (matched, ok bool) {
	if s == "" {
		return pattern == "", true // Redis: an empty string matches only ""
	}
	toks := refTokens(pattern)
	stars := 0
	for _, t := range toks {
		if t.op == '*' {
			stars++
		}
	}
	if stars > maxNesting {
		return false, false
	}
	var rec func(toks []refToken, s string) bool
	rec = func(toks []refToken, s string) bool {
		if budget--; budget < 0 {
			return false
		}
		if len(toks) == 0 {
			return s == ""
		}
		t := &toks[0]
		if t.op == '*' {
			for i := 0; i <= len(s); i++ {
				if rec(toks[1:], s[i:]) {
					return true
				}
			}
			return false
		}
		if s == "" {
			return false
		}
		switch t.op {
		case 'l':
			if t.lit != s[0] {
				return false
			}
		case '[':
			if !t.has(s[0]) {
				return false
			}
		}
		return rec(toks[1:], s[1:])
	}
	matched = rec(toks, s)
	return matched, budget >= 0
}
