// Glob matching with the exact semantics of Redis's stringmatchlen
// (src/util.c, case-sensitive, Redis 7.x/8.x): PSUBSCRIBE patterns and the
// PUBSUB CHANNELS / SHARDCHANNELS filter. Quirks kept on purpose so replies
// agree byte for byte with a real Redis:
//
//   - An empty string matches only the empty pattern: "*" does not match ""
//     (the top-level loop needs both pattern and string to be non-empty;
//     redis/redis#15643, open at the time of writing).
//   - "[" with no closing bracket takes the rest of the pattern as the set:
//     "[abc" matches "a", "[" matches nothing, "[^" matches any one byte.
//   - In a set, "\x" is a literal x, "]" is only special when unescaped, a
//     range is "a-z" with its ends swapped when reversed ("[z-a]" = "[a-z]"),
//     and "[a-]" is the range 'a'..']' (the ']' becomes the range end).
//   - A "\" at the very end of the pattern is a literal backslash.
//   - Range ends compare as C's signed char on x86-64 (bytes >= 0x80 sort
//     below 0x00); a Redis built with unsigned char (arm64) differs there.
//   - More than 1000 nested stars report no match (Redis's guard against
//     abusive patterns); a failed star stops outer stars from retrying
//     (skipLongerMatches), which keeps matching O(len(pattern)*len(s)).

package pubsub

// maxNesting is Redis's limit on star recursion depth.
const maxNesting = 1000

// Match reports whether s matches the glob pattern exactly as Redis's
// stringmatchlen does with nocase=0: '*' any run of bytes, '?' any byte,
// '[abc]' '[^abc]' '[a-z]' byte sets, '\' escapes the next byte. It works on
// bytes, never panics, and needs no precompilation.
func Match(pattern, s string) bool {
	skip := false
	return match(pattern, s, &skip, 0)
}

// match is stringmatchlen_impl. skip is skipLongerMatches: set once a star
// failed to match the rest of the pattern at every later position, which
// means no outer star can succeed by consuming more.
func match(p, s string, skip *bool, nesting int) bool {
	if nesting > maxNesting {
		return false
	}
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 1 && p[1] == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for ; len(s) > 0; s = s[1:] {
				if match(p[1:], s, skip, nesting+1) {
					return true
				}
				if *skip {
					return false
				}
			}
			*skip = true
			return false
		case '?':
			p = p[1:]
		case '[':
			var ok bool
			if p, ok = matchSet(p[1:], s[0]); !ok {
				return false
			}
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if p[0] != s[0] {
				return false
			}
			p = p[1:]
		}
		s = s[1:]
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}

// matchSet matches c against the set that starts just after a '[' and
// returns the pattern after the set's closing ']' (or "" when unclosed).
func matchSet(p string, c byte) (rest string, ok bool) {
	not := len(p) > 0 && p[0] == '^'
	if not {
		p = p[1:]
	}
	hit := false
	for {
		switch {
		case len(p) >= 2 && p[0] == '\\':
			hit = hit || p[1] == c
			p = p[2:]
		case len(p) > 0 && p[0] == ']':
			return p[1:], hit != not
		case len(p) == 0:
			return p, hit != not // unclosed: the set ran to the end
		case len(p) >= 3 && p[1] == '-':
			lo, hi, x := int8(p[0]), int8(p[2]), int8(c) // C's signed char
			if lo > hi {
				lo, hi = hi, lo
			}
			hit = hit || (x >= lo && x <= hi)
			p = p[3:]
		default:
			hit = hit || p[0] == c
			p = p[1:]
		}
	}
}
