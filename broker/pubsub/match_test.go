// Table tests for Match: Redis stringmatchlen behaviour, quirks included.
// Every expectation was checked against Redis's C implementation.

package pubsub

import (
	"strings"
	"testing"
	"time"
)

var matchCases = []struct {
	pattern, s string
	want       bool
}{
	// Literals.
	{"", "", true},
	{"", "a", false},
	{"a", "", false},
	{"abc", "abc", true},
	{"abc", "abd", false},
	{"abc", "ab", false},
	{"ab", "abc", false},
	{"news.tech", "news.tech", true},

	// '*': any run, collapsed, but "" only matches "" (redis/redis#15643).
	{"*", "", false},
	{"**", "", false},
	{"*", "a", true},
	{"*", "anything at all", true},
	{"a*", "a", true},
	{"a*", "abc", true},
	{"a*", "ba", false},
	{"*a", "a", true},
	{"*a", "bca", true},
	{"*a", "ab", false},
	{"a*b", "ab", true},
	{"a*b", "axxxb", true},
	{"a*b", "axxxbc", false},
	{"a**b", "axb", true},
	{"a***", "a", true},
	{"*a*", "bab", true},
	{"*a*", "bbb", false},
	{"a*b*c", "abc", true},
	{"a*b*c", "aXbXc", true},
	{"a*b*c", "acb", false},
	{"*.*", "news.tech", true},
	{"news.*", "news.tech", true},
	{"news.*", "news", false},
	{"h*llo", "hllo", true},
	{"h*llo", "heeeello", true},
	{"*ab", "aab", true},
	{"*aab", "aaab", true},
	{"*abc*abd", "abcabcabd", true},

	// '?': exactly one byte.
	{"?", "", false},
	{"?", "a", true},
	{"?", "ab", false},
	{"h?llo", "hello", true},
	{"h?llo", "hllo", false},
	{"??", "ab", true},
	{"a?", "a", false},
	{"?*", "a", true},
	{"*?", "a", true},
	{"*?", "", false},

	// Sets and ranges.
	{"h[ae]llo", "hello", true},
	{"h[ae]llo", "hallo", true},
	{"h[ae]llo", "hillo", false},
	{"h[^e]llo", "hallo", true},
	{"h[^e]llo", "hello", false},
	{"h[a-b]llo", "hbllo", true},
	{"h[a-b]llo", "hcllo", false},
	{"[z-a]", "m", true}, // reversed range
	{"[z-a]", "A", false},
	{"[^z-a]", "m", false},
	{"[a-c-e]", "-", true}, // range "a-c", then '-' and 'e' as literals
	{"[a-c-e]", "d", false},
	{"[a-c-e]", "e", true},
	{"[a-]", "a", true}, // range 'a'..']' (swapped): ']' '^' '_' '`' 'a'
	{"[a-]", "_", true},
	{"[a-]", "-", false},
	{"[a-]", "b", false},
	{"[-a]", "-", true},
	{"[]", "a", false},
	{"[]", "]", false},
	{"[]a]", "]", false}, // "[]" is an empty set, then "a]"
	{"[]a]", "xa]", false},
	{"[^]", "x", true},
	{"[^]", "", false},
	{"[^]a", "za", true},
	{"[]]", "]", false},
	{"[\\]]", "]", true}, // escaped ']' inside a set
	{"[\\]]", "\\", false},
	{"[\\^]", "^", true},
	{"[a\\-z]", "-", true},
	{"[a\\-z]", "m", false},
	{"[a-\\]", "\\", true}, // range 'a'..'\\' (swapped)
	{"[a-\\]", "_", true},
	{"[a-\\]", "b", false},
	{"[x^]", "^", true},
	{"[\\", "\\", true}, // unclosed set holding a literal '\'
	{"[ab", "a", true},  // unclosed set: the rest of the pattern is the set
	{"[ab", "b", true},
	{"[ab", "ab", false},
	{"[ab", "c", false},
	{"[", "[", false},
	{"[", "", false},
	{"[^", "x", true},
	{"[^", "xy", false},
	{"[^a", "a", false},
	{"[^a", "b", true},
	{"a[", "a[", false},
	{"a[b-", "a-", true}, // unclosed: 'b' and '-' as literals (range needs 3 bytes)
	{"a[b-", "ab", true},
	{"[*]", "*", true},
	{"[*]", "a", false},
	{"[?]", "?", true},
	{"[?]", "a", false},
	{"[a-z]*", "hello", true},
	{"[a-z]*", "Hello", false},

	// Escapes.
	{"\\*", "*", true},
	{"\\*", "a", false},
	{"\\?", "?", true},
	{"\\?", "a", false},
	{"\\[a]", "[a]", true},
	{"\\[a]", "a", false},
	{"\\\\", "\\", true},
	{"\\a", "a", true},
	{"\\", "\\", true}, // trailing backslash is literal
	{"a\\", "a\\", true},
	{"a\\", "a", false},
	{"*\\*", "abc*", true},
	{"*\\*", "abc", false},

	// Bytes beyond ASCII; ranges compare as C's signed char on x86-64.
	{"\xff", "\xff", true},
	{"?", "\x00", true},
	{"a\x00b", "a\x00b", true},
	{"a\x00b", "a", false},
	{"[a-\xff]", "b", false},    // range -1..97: 'b' (98) is outside
	{"[a-\xff]", "\x00", true},  // 0 is inside -1..97
	{"[a-\xff]", "\xff", true},  // -1
	{"[a-\xff]", "\x80", false}, // -128
	{"[\x80-\xff]", "\xc0", true},
	{"[\x80-\xff]", "a", false},
}

func TestMatch(t *testing.T) {
	for _, c := range matchCases {
		if got := Match(c.pattern, c.s); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

// TestMatchNesting: Redis gives up beyond 1000 nested stars.
func TestMatchNesting(t *testing.T) {
	for _, c := range []struct {
		stars int
		want  bool
	}{{999, true}, {1000, true}, {1001, false}} {
		p, s := strings.Repeat("*a", c.stars), strings.Repeat("a", c.stars)
		if got := Match(p, s); got != c.want {
			t.Errorf("Match(%d × \"*a\", %d × \"a\") = %v, want %v", c.stars, c.stars, got, c.want)
		}
	}
}

// TestMatchPathological: patterns that make naive backtracking exponential
// finish quickly thanks to skipLongerMatches.
func TestMatchPathological(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		s := strings.Repeat("a", 200)
		for _, p := range []string{
			strings.Repeat("*a", 60) + "b",
			strings.Repeat("a*", 60) + "b",
			strings.Repeat("*?", 60) + "b",
			strings.Repeat("*[a-z]", 60) + "b",
		} {
			if Match(p, s) {
				t.Errorf("Match(%q, 200 × a) = true", p)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("pathological patterns took over 10s: backtracking is exponential")
	}
}
