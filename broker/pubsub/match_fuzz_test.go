// FuzzMatch: Match never panics, agrees with the reference matcher in
// match_ref_test.go, and treats a fully escaped string as a literal.

package pubsub

import (
	"strings"
	"testing"
)

func FuzzMatch(f *testing.F) {
	for _, c := range matchCases {
		f.Add(c.pattern, c.s)
	}
	f.Add(strings.Repeat("*a", 30)+"b", strings.Repeat("a", 60))
	f.Add("*[a-\\]*?\\", "x]y\\")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		got := Match(pattern, s)
		if want, ok := refMatch(pattern, s, 1<<20); ok && got != want {
			t.Fatalf("Match(%q, %q) = %v, reference says %v", pattern, s, got, want)
		}
		if !Match(escapeAll(s), s) {
			t.Fatalf("Match(escapeAll(%q), %q) = false", s, s)
		}
		if strings.ContainsAny(s, "*?[\\") {
			return
		}
		if !Match(s, s) {
			t.Fatalf("Match(%q, itself) = false", s)
		}
	})
}

// escapeAll puts a backslash before every byte of s: a pattern matching s only.
func escapeAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte('\\')
		b.WriteByte(s[i])
	}
	return b.String()
}
