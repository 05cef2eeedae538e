package broker

import (
	"strconv"
	"strings"
)

// logName turns a topic name (arbitrary bytes: Redis keys may hold anything)
// and a partition into a path-safe storage log name. Letters, digits, '-' and
// '_' stay as they are; every other byte becomes %XX, so "." and ".." can
// never appear as a path component.
func logName(kind, name string, partition int) string {
	var sb strings.Builder
	sb.WriteString(kind)
	sb.WriteByte('/')
	if name == "" {
		sb.WriteString("%")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			sb.WriteByte(c)
			continue
		}
		const hex = "0123456789ABCDEF"
		sb.WriteByte('%')
		sb.WriteByte(hex[c>>4])
		sb.WriteByte(hex[c&15])
	}
	sb.WriteByte('/')
	sb.WriteString(strconv.Itoa(partition))
	return sb.String()
}
