// Shared helpers of the stream commands: Redis's number and stream ID
// parsing (string2ll, string2ull, streamGenericParseIDOrReply,
// streamParseIntervalIDOrReply) with its exact error texts, key lookup,
// and entry rendering. streamFields turns any record into stream fields, so
// records produced by Kafka or AMQP into the same topic read as entries.
package redis

import (
	"errors"
	"strconv"
	"strings"

	"junction/broker"
	"junction/frontends/internal/interop"
	"junction/storage"
)

// Error replies shared by the stream commands, as Redis words them.
const (
	errSyntax    = "ERR syntax error"
	errNotInt    = "ERR value is not an integer or out of range"
	errInvalidID = "ERR Invalid stream ID specified as stream command argument"
	errNoSuchKey = "ERR no such key"
)

var (
	minID = storage.StreamID{}
	maxID = storage.StreamID{Ms: ^uint64(0), Seq: ^uint64(0)}
)

// arityError is Redis's wrong-arity reply for a command's full name.
func arityError(name string) string {
	return "ERR wrong number of arguments for '" + name + "' command"
}

// subcommandSyntaxError is addReplySubcommandSyntaxError: the subcommand
// as typed, the container command in upper case.
func subcommandSyntaxError(args [][]byte) string {
	return "ERR unknown subcommand or wrong number of arguments for '" + string(args[1]) +
		"'. Try " + strings.ToUpper(string(args[0])) + " HELP."
}

// writeHelp is addReplyHelp: a header, the lines, and the HELP footer, as
// status replies.
func writeHelp(w *Writer, cmd string, lines []string) {
	w.Array(len(lines) + 3)
	w.Simple(strings.ToUpper(cmd) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		w.Simple(l)
	}
	w.Simple("HELP")
	w.Simple("    Prints this help.")
}

// parseInt is Redis's string2ll: optional '-', no leading zeros, no
// spaces, no '+', within int64.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	d := b
	if neg {
		d = b[1:]
	}
	if len(d) == 0 || d[0] < '1' || d[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		x := uint64(c - '0')
		if v > (^uint64(0)-x)/10 {
			return 0, false
		}
		v = v*10 + x
	}
	switch {
	case neg && v <= 1<<63:
		return int64(-v), true
	case !neg && v < 1<<63:
		return int64(v), true
	}
	return 0, false
}

// parseUint is Redis's string2ull: string2ll when that works (negative
// values rejected), else strtoull's rules (leading spaces, a sign, leading
// zeros; a '-' wraps around).
func parseUint(b []byte) (uint64, bool) {
	if v, ok := parseInt(b); ok {
		return uint64(v), v >= 0
	}
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	if i == len(b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[i:]), 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// parseID is streamGenericParseIDOrReply: "-" and "+" (unless strict),
// "<ms>" (seq = missingSeq), "<ms>-<seq>", and with allowAutoSeq "<ms>-*"
// (seqGiven false).
func parseID(b []byte, missingSeq uint64, strict, allowAutoSeq bool) (id storage.StreamID, seqGiven, ok bool) {
	if len(b) > 127 {
		return id, false, false
	}
	if len(b) == 1 && (b[0] == '-' || b[0] == '+') {
		if strict {
			return id, false, false
		}
		if b[0] == '-' {
			return minID, true, true
		}
		return maxID, true, true
	}
	// C strings end at a NUL byte.
	if i := indexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	ms, seq, dash := b, []byte(nil), false
	if i := indexByte(b, '-'); i >= 0 {
		ms, seq, dash = b[:i], b[i+1:], true
	}
	m, ok := parseUint(ms)
	if !ok {
		return id, false, false
	}
	if !dash {
		return storage.StreamID{Ms: m, Seq: missingSeq}, true, true
	}
	if allowAutoSeq && len(seq) == 1 && seq[0] == '*' {
		return storage.StreamID{Ms: m}, false, true
	}
	s, ok := parseUint(seq)
	if !ok {
		return id, false, false
	}
	return storage.StreamID{Ms: m, Seq: s}, true, true
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// parseStrictID parses an ID where "-" and "+" are not allowed.
func parseStrictID(b []byte, missingSeq uint64) (storage.StreamID, bool) {
	id, _, ok := parseID(b, missingSeq, true, false)
	return id, ok
}

// parseInterval is streamParseIntervalIDOrReply: a leading "(" makes the
// bound exclusive (and then "-"/"+" are invalid).
func parseInterval(b []byte, missingSeq uint64) (id storage.StreamID, exclusive, ok bool) {
	if len(b) > 1 && b[0] == '(' {
		id, ok = parseStrictID(b[1:], missingSeq)
		return id, true, ok
	}
	id, _, ok = parseID(b, missingSeq, false, false)
	return id, false, ok
}

// incrID is streamIncrID; it fails at the maximum ID.
func incrID(id storage.StreamID) (storage.StreamID, bool) {
	if id == maxID {
		return minID, false
	}
	return id.Next(), true
}

// decrID is streamDecrID; it fails at 0-0.
func decrID(id storage.StreamID) (storage.StreamID, bool) {
	if id.IsZero() {
		return maxID, false
	}
	return id.Prev(), true
}

// equalFold compares an argument with a lower-case keyword.
func equalFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := range b {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// streamPartition returns the partition behind a stream key, or nil when
// the key does not exist: partition 0 of the topic of that name, or
// partition i of topic t for a key t#<i> (partname.go).
func streamPartition(c *Conn, key []byte) *broker.Partition {
	t, i := c.stream(key)
	return t.Partition(i)
}

// createStream returns the partition behind key, creating the stream.
func createStream(c *Conn, key []byte) (*broker.Partition, error) {
	name := c.TopicName(key)
	for range 3 {
		if t, i := c.stream(key); t != nil {
			return t.Partition(i), nil
		}
		_, err := c.Broker().CreateTopic(name, broker.TopicConfig{Partitions: 1})
		if err == nil {
			streamCreated(c.Broker(), name)
			continue
		}
		if !errors.Is(err, broker.ErrTopicExists) {
			return nil, err
		}
	}
	if t := c.Broker().Topic(name); t != nil {
		return t.Partition(0), nil
	}
	return nil, broker.ErrUnknownTopic
}

// errorReply maps a core error to a Redis error reply.
func errorReply(err error) string {
	switch {
	case errors.Is(err, broker.ErrInvalidName):
		return "ERR invalid key name"
	case errors.Is(err, broker.ErrClosed):
		return "ERR server is shutting down"
	}
	return "ERR " + err.Error()
}

// streamFields returns a record's fields as name/value pairs: a Redis
// entry's own pairs; for records written by other protocols a "key" field
// (when the key is not null), a "value" field, then each header (the
// mapping lives in frontends/internal/interop).
func streamFields(r *storage.Record) []storage.Header {
	return interop.RedisFields(r)
}

// writeID writes an entry ID as a bulk string.
func writeID(w *Writer, id storage.StreamID) {
	var b [48]byte
	w.Bulk(id.Append(b[:0]))
}

// writeEntry writes one entry: [id, [field, value, …]].
func writeEntry(w *Writer, r *storage.Record) {
	w.Array(2)
	writeID(w, r.ID)
	fs := streamFields(r)
	w.Array(2 * len(fs))
	for _, f := range fs {
		w.Bulk(f.Key)
		w.Bulk(f.Value)
	}
}

// writeEntries writes an array of entries.
func writeEntries(w *Writer, recs []storage.Record) {
	w.Array(len(recs))
	for i := range recs {
		writeEntry(w, &recs[i])
	}
}
