// COMMAND, COMMAND COUNT, COMMAND INFO, COMMAND DOCS, COMMAND LIST,
// COMMAND GETKEYS, COMMAND HELP — built from the registry, in Redis 7's
// reply shapes: each command is a 10-element array (name, arity, flags set,
// first key, last key, step, ACL categories set, tips set, key specs,
// subcommands), which go-redis's ClusterClient and redis-cli parse.
//
// Differences: key specs are derived from FirstKey/LastKey/Step (one
// index/range spec, none when FirstKey is 0), so commands with keyword key
// positions (XREAD … STREAMS) report none; COMMAND DOCS gives summary,
// since, group and subcommands, without argument lists.
package redis

import (
	"slices"
	"strings"

	"junction/broker/pubsub"
)

func init() {
	sub := func(name string, arity int, summary string, h Handler) *Command {
		return &Command{Name: name, Arity: arity, Flags: []string{"loading", "stale"},
			ACL: []string{"slow", "connection"}, Group: "server", Since: "2.8.13", Summary: summary, Handler: h}
	}
	register(&Command{Name: "command", Arity: -1, Flags: []string{"loading", "stale"},
		ACL: []string{"slow", "connection"}, Group: "server", Since: "2.8.13",
		Summary: "Returns detailed information about all commands.",
		Handler: func(c *Conn, args [][]byte) { commandInfoAll(c) },
		Subcommands: map[string]*Command{
			"count": sub("count", 2, "Returns a count of commands.",
				func(c *Conn, args [][]byte) { c.W.Int(int64(len(commands))) }),
			"info":    sub("info", -2, "Returns information about one, multiple or all commands.", commandInfo),
			"docs":    sub("docs", -2, "Returns documentary information about one, multiple or all commands.", commandDocs),
			"list":    sub("list", -2, "Returns a list of command names.", commandList),
			"getkeys": sub("getkeys", -4, "Extracts the key names from an arbitrary command.", commandGetKeys),
			"help": sub("help", 2, "Returns helpful text about the different subcommands.", func(c *Conn, args [][]byte) {
				helpReply(&c.W, "COMMAND",
					"(no subcommand)",
					"    Return details about all Redis commands.",
					"COUNT",
					"    Return the total number of commands in this Redis server.",
					"LIST",
					"    Return a list of all commands in this Redis server.",
					"INFO [<command-name> ...]",
					"    Return details about multiple Redis commands.",
					"    If no command names are given, documentation details for all",
					"    commands are returned.",
					"DOCS [<command-name> ...]",
					"    Return documentation details about multiple Redis commands.",
					"    If no command names are given, documentation details for all",
					"    commands are returned.",
					"GETKEYS <full-command>",
					"    Return the keys from a full Redis command.")
			}),
		}})
}

// sortedCommands returns the top-level commands by name.
func sortedCommands() []*Command {
	list := make([]*Command, 0, len(commands))
	for _, c := range commands {
		list = append(list, c)
	}
	slices.SortFunc(list, func(a, b *Command) int { return strings.Compare(a.Name, b.Name) })
	return list
}

// sortedSubs returns a container's subcommands by name.
func sortedSubs(cmd *Command) []*Command {
	list := make([]*Command, 0, len(cmd.Subcommands))
	for _, s := range cmd.Subcommands {
		list = append(list, s)
	}
	slices.SortFunc(list, func(a, b *Command) int { return strings.Compare(a.full, b.full) })
	return list
}

// commandByFullName finds "name" or "container|sub", case-insensitively.
func commandByFullName(name string) *Command {
	name = strings.ToLower(name)
	parent, sub, isSub := strings.Cut(name, "|")
	cmd := commands[parent]
	if cmd == nil || !isSub {
		return cmd
	}
	return cmd.Subcommands[sub]
}

func commandInfoAll(c *Conn) {
	list := sortedCommands()
	c.W.Array(len(list))
	for _, cmd := range list {
		writeCommandInfo(&c.W, cmd)
	}
}

func commandInfo(c *Conn, args [][]byte) {
	if len(args) == 2 {
		commandInfoAll(c)
		return
	}
	c.W.Array(len(args) - 2)
	for _, a := range args[2:] {
		if cmd := commandByFullName(string(a)); cmd != nil {
			writeCommandInfo(&c.W, cmd)
		} else {
			c.W.Null()
		}
	}
}

// writeCommandInfo writes Redis 7's addReplyCommandInfo.
func writeCommandInfo(w *Writer, cmd *Command) {
	w.Array(10)
	w.BulkString(cmd.full)
	arity := cmd.Arity
	if arity == 0 && cmd.Subcommands != nil {
		arity = -2
	}
	w.Int(int64(arity))
	w.Set(len(cmd.Flags))
	for _, f := range cmd.Flags {
		w.Simple(f)
	}
	w.Int(int64(cmd.FirstKey))
	w.Int(int64(cmd.LastKey))
	w.Int(int64(cmd.Step))
	w.Set(len(cmd.acl))
	for _, a := range cmd.acl {
		w.Simple(a)
	}
	w.Set(0) // tips
	writeKeySpecs(w, cmd)
	if len(cmd.Subcommands) == 0 {
		w.Set(0)
		return
	}
	subs := sortedSubs(cmd)
	w.Array(len(subs))
	for _, s := range subs {
		writeCommandInfo(w, s)
	}
}

// writeKeySpecs writes the one index/range key spec FirstKey, LastKey and
// Step describe (none when FirstKey is 0).
func writeKeySpecs(w *Writer, cmd *Command) {
	if cmd.FirstKey <= 0 {
		w.Array(0)
		return
	}
	last := cmd.LastKey
	if last >= 0 {
		last -= cmd.FirstKey
	}
	var flags []string
	switch {
	case slices.Contains(cmd.Flags, "write"):
		flags = []string{"RW", "update"}
	default:
		flags = []string{"RO", "access"}
	}
	w.Array(1)
	w.Map(3)
	w.BulkString("flags")
	w.Set(len(flags))
	for _, f := range flags {
		w.Simple(f)
	}
	w.BulkString("begin_search")
	w.Map(2)
	w.BulkString("type")
	w.BulkString("index")
	w.BulkString("spec")
	w.Map(1)
	w.BulkString("index")
	w.Int(int64(cmd.FirstKey))
	w.BulkString("find_keys")
	w.Map(2)
	w.BulkString("type")
	w.BulkString("range")
	w.BulkString("spec")
	w.Map(3)
	w.BulkString("lastkey")
	w.Int(int64(last))
	w.BulkString("keystep")
	w.Int(int64(max(cmd.Step, 1)))
	w.BulkString("limit")
	w.Int(0)
}

func commandDocs(c *Conn, args [][]byte) {
	var list []*Command
	if len(args) == 2 {
		list = sortedCommands()
	} else {
		for _, a := range args[2:] {
			if cmd := commandByFullName(string(a)); cmd != nil {
				list = append(list, cmd)
			}
		}
	}
	c.W.Map(len(list))
	for _, cmd := range list {
		c.W.BulkString(cmd.full)
		writeDocs(&c.W, cmd)
	}
}

// writeDocs writes a command's documentation map.
func writeDocs(w *Writer, cmd *Command) {
	group, since, summary := cmd.Group, cmd.Since, cmd.Summary
	if group == "" {
		group = "generic"
		if strings.HasPrefix(cmd.full, "x") {
			group = "stream"
		}
	}
	if since == "" {
		since = "1.0.0"
	}
	n := 3
	if len(cmd.Subcommands) > 0 {
		n++
	}
	w.Map(n)
	w.BulkString("summary")
	w.BulkString(summary)
	w.BulkString("since")
	w.BulkString(since)
	w.BulkString("group")
	w.BulkString(group)
	if len(cmd.Subcommands) > 0 {
		w.BulkString("subcommands")
		subs := sortedSubs(cmd)
		w.Map(len(subs))
		for _, s := range subs {
			w.BulkString(s.full)
			writeDocs(w, s)
		}
	}
}

// commandList is COMMAND LIST [FILTERBY MODULE name|ACLCAT cat|PATTERN pat].
func commandList(c *Conn, args [][]byte) {
	var filter func(*Command) bool
	switch {
	case len(args) == 2:
	case len(args) == 5 && strings.EqualFold(string(args[2]), "filterby"):
		v := string(args[4])
		switch strings.ToLower(string(args[3])) {
		case "module":
			filter = func(*Command) bool { return false }
		case "aclcat":
			cat := "@" + strings.ToLower(strings.TrimPrefix(v, "@"))
			filter = func(cmd *Command) bool { return slices.Contains(cmd.acl, cat) }
		case "pattern":
			filter = func(cmd *Command) bool { return pubsub.Match(strings.ToLower(v), cmd.full) }
		default:
			c.W.Error(replySyntax)
			return
		}
	default:
		c.W.Error(replySyntax)
		return
	}
	var names []string
	for _, cmd := range sortedCommands() {
		for _, x := range append([]*Command{cmd}, sortedSubs(cmd)...) {
			if filter == nil || filter(x) {
				names = append(names, x.full)
			}
		}
	}
	c.W.Array(len(names))
	for _, n := range names {
		c.W.BulkString(n)
	}
}

// commandGetKeys is COMMAND GETKEYS command arg…, from FirstKey, LastKey, Step.
func commandGetKeys(c *Conn, args [][]byte) {
	argv := args[2:]
	cmd := lookup(argv[0])
	if cmd != nil && cmd.Subcommands != nil && len(argv) >= 2 {
		cmd = lookupSub(cmd, argv[1])
	}
	if cmd == nil {
		c.W.Error("ERR Invalid command specified")
		return
	}
	if cmd.Arity > 0 && len(argv) != cmd.Arity || cmd.Arity < 0 && len(argv) < -cmd.Arity {
		c.W.Error("ERR Invalid number of arguments specified for command")
		return
	}
	if cmd.FirstKey <= 0 {
		c.W.Error("ERR The command has no key arguments")
		return
	}
	last := cmd.LastKey
	if last < 0 {
		last = len(argv) + last
	}
	last = min(last, len(argv)-1)
	var keys [][]byte
	for i := cmd.FirstKey; i <= last; i += max(cmd.Step, 1) {
		keys = append(keys, argv[i])
	}
	c.W.Array(len(keys))
	for _, k := range keys {
		c.W.Bulk(k)
	}
}
