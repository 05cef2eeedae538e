// Error texts shared by the non-stream command files, and the mapping of
// broker sentinel errors to Redis error replies.
package redis

import (
	"errors"
	"strings"

	"junction/broker"
)

// Common error replies, as Redis words them.
const (
	replyNotInt = "ERR value is not an integer or out of range"
	replySyntax = "ERR syntax error"
)

// brokerError maps a core error to a Redis error reply.
func brokerError(err error) string {
	switch {
	case errors.Is(err, broker.ErrUnknownTopic), errors.Is(err, broker.ErrTopicDeleted):
		return "ERR no such key"
	case errors.Is(err, broker.ErrInvalidName):
		return "ERR invalid key name"
	case errors.Is(err, broker.ErrClosed):
		return "ERR server is shutting down"
	}
	return "ERR " + err.Error()
}

// helpReply is Redis's addReplyHelp: a header, the lines, and the HELP
// footer, as status replies.
func helpReply(w *Writer, cmd string, lines ...string) {
	w.Array(len(lines) + 3)
	w.Simple(strings.ToUpper(cmd) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		w.Simple(l)
	}
	w.Simple("HELP")
	w.Simple("    Print this help.")
}
