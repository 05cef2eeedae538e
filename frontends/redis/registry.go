// The command table. Each command-group file registers its commands in an
// init function; dispatch (dispatch.go) looks commands up by lower-cased
// name, resolves subcommands of container commands, checks arity the way
// Redis does, and calls the handler with the connection state. COMMAND
// (command_info.go) is built from the same table, so it can never advertise
// what is not implemented.
package redis

import (
	"slices"
	"strings"
	"sync"
)

// Handler runs one command. args[0] is the command name as the client sent
// it (for a subcommand, args[1] is the subcommand name). The handler writes
// exactly one reply to c.W (unless it blocks and replies later, or the
// command is QUIT-like). args and the bytes they hold stay valid after the
// handler returns (the reader never reuses a buffer it handed out), but they
// must not be modified; a command marked ArgsTransient gives that up.
type Handler func(c *Conn, args [][]byte)

// Command describes one Redis command for dispatch and for COMMAND INFO.
type Command struct {
	Name     string   // lower case
	Arity    int      // Redis arity: n exact, -n at least n (including the name)
	Flags    []string // COMMAND INFO flags, e.g. "write", "readonly", "blocking", "pubsub", "fast"
	FirstKey int      // key positions for COMMAND INFO / GETKEYS
	LastKey  int
	Step     int
	Handler  Handler
	// Subcommands, for container commands (CLIENT, XGROUP, XINFO, CONFIG, …);
	// their names are "parent|sub" in COMMAND output. Nil for plain commands.
	// Map keys are the lower-case subcommand names; a subcommand's Arity
	// counts the container name and the subcommand name, as in Redis.
	Subcommands map[string]*Command

	// ACL lists the command's ACL categories without the "@" (e.g.
	// "stream", "connection"). Empty: derived from Flags (write, read, fast
	// or slow, blocking, pubsub, admin).
	ACL []string
	// Group and Summary feed COMMAND DOCS (default group "generic").
	Group, Summary string
	// Since is the Redis version that introduced the command (COMMAND DOCS).
	Since string
	// ArgsTransient promises that the handler keeps no reference to args or
	// the bytes they hold once it returns, or for work it stages (XADD
	// batching), once the connection next waits for input. The reader may
	// then reuse that memory for later requests.
	ArgsTransient bool

	// Derived by prepareCommands.
	full   string   // "name" or "parent|sub"
	acl    []string // categories with "@"
	noAuth bool     // flag "no_auth": allowed before AUTH
	block  bool     // flag "blocking": runs outside the transaction lock
	noTx   bool     // EXEC, XADD: take the transaction lock themselves
}

var commands = map[string]*Command{}

// register adds commands to the table; called from init functions.
func register(cmds ...*Command) {
	for _, c := range cmds {
		commands[c.Name] = c
	}
}

// lookup finds a command by name, case-insensitively.
func lookup(name []byte) *Command { return lookupIn(commands, name) }

// lookupSub finds a subcommand of container cmd, case-insensitively.
func lookupSub(cmd *Command, name []byte) *Command { return lookupIn(cmd.Subcommands, name) }

// lookupIn finds name in a table keyed by lower-case names, folding ASCII
// case only (as Redis's strcasecmp does), without allocating.
func lookupIn(table map[string]*Command, name []byte) *Command {
	if c, ok := table[string(name)]; ok { // fast path: lower case already
		return c
	}
	var buf [32]byte
	low := buf[:0]
	if len(name) > len(buf) {
		low = make([]byte, 0, len(name))
	}
	for _, ch := range name {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		low = append(low, ch)
	}
	return table[string(low)]
}

var prepareOnce sync.Once

// prepareCommands fills in the derived fields of every registered command.
// It runs once, after every init function registered its commands.
func prepareCommands() {
	prepareOnce.Do(func() {
		for _, c := range commands {
			prepareCommand(c, "")
			for name, sub := range c.Subcommands {
				prepareCommand(sub, c.Name+"|"+strings.ToLower(name))
			}
		}
	})
}

func prepareCommand(c *Command, full string) {
	if full == "" {
		full = c.Name
	}
	c.full = full
	c.noAuth = slices.Contains(c.Flags, "no_auth")
	c.block = slices.Contains(c.Flags, "blocking")
	c.noTx = full == "exec" || full == "xadd"
	cats := c.ACL
	if len(cats) == 0 {
		cats = defaultACL(c)
	}
	c.acl = make([]string, len(cats))
	for i, s := range cats {
		c.acl[i] = "@" + strings.TrimPrefix(s, "@")
	}
}

// defaultACL derives ACL categories from a command's flags.
func defaultACL(c *Command) []string {
	var cats []string
	has := func(f string) bool { return slices.Contains(c.Flags, f) }
	if strings.HasPrefix(c.full, "x") {
		cats = append(cats, "stream")
	}
	if has("write") {
		cats = append(cats, "write")
	}
	if has("readonly") {
		cats = append(cats, "read")
	}
	if has("admin") {
		cats = append(cats, "admin", "dangerous")
	}
	if has("pubsub") {
		cats = append(cats, "pubsub")
	}
	if has("fast") {
		cats = append(cats, "fast")
	} else {
		cats = append(cats, "slow")
	}
	if c.block {
		cats = append(cats, "blocking")
	}
	return cats
}
