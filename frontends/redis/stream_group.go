// XGROUP (CREATE with MKSTREAM and ENTRIESREAD, CREATECONSUMER, DELCONSUMER,
// DESTROY, SETID with ENTRIESREAD, HELP) and XACK, as in Redis 7.2 with its
// error texts. Group state is kept by the core (broker.StreamGroup) and
// survives restarts.
package redis

import (
	"errors"

	"junction/broker"
	"junction/storage"
)

func init() {
	sub := func(name string, arity int, flags ...string) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, FirstKey: 2, LastKey: 2, Step: 1, Handler: cmdXGroup}
	}
	help := sub("help", 2, "loading", "stale")
	help.FirstKey, help.LastKey, help.Step = 0, 0, 0
	register(
		&Command{Name: "xgroup", Arity: -2, Handler: cmdXGroup, Subcommands: map[string]*Command{
			"create":         sub("create", -5, "write", "denyoom"),
			"createconsumer": sub("createconsumer", 5, "write", "denyoom"),
			"delconsumer":    sub("delconsumer", 5, "write"),
			"destroy":        sub("destroy", 4, "write"),
			"setid":          sub("setid", -5, "write"),
			"help":           help,
		}},
		&Command{Name: "xack", Arity: -4, Flags: []string{"write", "fast"}, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdXAck},
	)
}

var xgroupHelp = []string{
	"CREATE <key> <groupname> <id|$> [option]",
	"    Create a new consumer group. Options are:",
	"    * MKSTREAM",
	"      Create the empty stream if it does not exist.",
	"    * ENTRIESREAD entries_read",
	"      Set the group's entries_read counter (internal use).",
	"CREATECONSUMER <key> <groupname> <consumer>",
	"    Create a new consumer in the specified group.",
	"DELCONSUMER <key> <groupname> <consumer>",
	"    Remove the specified consumer.",
	"DESTROY <key> <groupname>",
	"    Remove the specified group.",
	"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
	"    Set the current group ID and entries_read counter.",
}

// XGROUP <subcommand> … (xgroupCommand)
func cmdXGroup(c *Conn, args [][]byte) {
	if len(args) < 2 {
		c.W.Error(arityError("xgroup"))
		return
	}
	op := args[1]
	var p *broker.Partition
	var g *broker.StreamGroup
	mkstream := false
	entriesRead := int64(-1)
	if len(args) >= 4 {
		create, setid := equalFold(op, "create"), equalFold(op, "setid")
		for i := 5; i < len(args); {
			switch {
			case create && equalFold(args[i], "mkstream"):
				mkstream = true
				i++
			case (create || setid) && equalFold(args[i], "entriesread") && i+1 < len(args):
				n, ok := parseInt(args[i+1])
				if !ok {
					c.W.Error(errNotInt)
					return
				}
				if n < 0 && n != -1 {
					c.W.Error("ERR value for ENTRIESREAD must be positive or -1")
					return
				}
				entriesRead = n
				i += 2
			default:
				c.W.Error(subcommandSyntaxError(args))
				return
			}
		}
		p = streamPartition(c, args[2])
		if !mkstream {
			if p == nil {
				c.W.Error("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want " +
					"to use the MKSTREAM option to create an empty stream automatically.")
				return
			}
			g = p.Group(string(args[3]))
			if g == nil && (setid || equalFold(op, "createconsumer") || equalFold(op, "delconsumer")) {
				c.W.Error("NOGROUP No such consumer group '" + cstr(args[3], -1) + "' for key name '" +
					cstr(args[2], -1) + "'")
				return
			}
		}
	}
	n := len(args)
	switch {
	case n == 2 && equalFold(op, "help"):
		writeHelp(&c.W, string(args[0]), xgroupHelp)
	case equalFold(op, "create") && n >= 5 && n <= 8:
		xgroupCreate(c, args, p, entriesRead)
	case equalFold(op, "setid") && (n == 5 || n == 7):
		id := p.LastID()
		if a := args[4]; len(a) != 1 || a[0] != '$' {
			var ok bool
			if id, _, ok = parseID(a, 0, false, false); !ok {
				c.W.Error(errInvalidID)
				return
			}
		}
		if err := g.SetID(id, entriesRead); err != nil {
			c.W.Error(groupErrorReply(err, args))
			return
		}
		c.W.OK()
	case equalFold(op, "destroy") && n == 4:
		if g == nil {
			c.W.Int(0)
			return
		}
		ok, err := p.DestroyGroup(g.Name())
		if err != nil {
			c.W.Error(errorReply(err))
			return
		}
		if ok {
			c.W.Int(1)
		} else {
			c.W.Int(0)
		}
	case equalFold(op, "createconsumer") && n == 5:
		created, err := g.CreateConsumer(string(args[4]))
		if err != nil {
			c.W.Error(groupErrorReply(err, args))
			return
		}
		if created {
			c.W.Int(1)
		} else {
			c.W.Int(0)
		}
	case equalFold(op, "delconsumer") && n == 5:
		pending, _, err := g.DeleteConsumer(string(args[4]))
		if err != nil {
			c.W.Error(groupErrorReply(err, args))
			return
		}
		c.W.Int(pending)
	default:
		c.W.Error(subcommandSyntaxError(args))
	}
}

// xgroupCreate is XGROUP CREATE key group <id|$> [MKSTREAM] [ENTRIESREAD n].
func xgroupCreate(c *Conn, args [][]byte, p *broker.Partition, entriesRead int64) {
	var id storage.StreamID
	if a := args[4]; len(a) == 1 && a[0] == '$' {
		if p != nil {
			id = p.LastID()
		}
	} else {
		var ok bool
		if id, ok = parseStrictID(a, 0); !ok {
			c.W.Error(errInvalidID)
			return
		}
	}
	if p == nil {
		var err error
		if p, err = createStream(c, args[2]); err != nil {
			c.W.Error(errorReply(err))
			return
		}
	}
	if _, err := p.CreateGroup(string(args[3]), id, entriesRead); err != nil {
		if errors.Is(err, broker.ErrGroupExists) {
			c.W.Error("BUSYGROUP Consumer Group name already exists")
		} else {
			c.W.Error(errorReply(err))
		}
		return
	}
	c.W.OK()
}

// groupErrorReply maps a core error met on a group named in args[3].
func groupErrorReply(err error, args [][]byte) string {
	if errors.Is(err, broker.ErrUnknownGroup) || errors.Is(err, broker.ErrTopicDeleted) {
		return "NOGROUP No such consumer group '" + cstr(args[3], -1) + "' for key name '" + cstr(args[2], -1) + "'"
	}
	return errorReply(err)
}

// XACK key group id [id …]
func cmdXAck(c *Conn, args [][]byte) {
	p := streamPartition(c, args[1])
	var g *broker.StreamGroup
	if p != nil {
		g = p.Group(string(args[2]))
	}
	if g == nil {
		c.W.Int(0)
		return
	}
	ids := make([]storage.StreamID, len(args)-3)
	for i, a := range args[3:] {
		id, ok := parseStrictID(a, 0)
		if !ok {
			c.W.Error(errInvalidID)
			return
		}
		ids[i] = id
	}
	n, err := g.Ack(ids)
	if err != nil && !errors.Is(err, broker.ErrUnknownGroup) && !errors.Is(err, broker.ErrTopicDeleted) {
		c.W.Error(errorReply(err))
		return
	}
	c.W.Int(int64(n))
}
