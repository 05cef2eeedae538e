// CLIENT subcommands: ID, SETNAME, GETNAME, SETINFO, INFO, LIST, KILL,
// UNBLOCK, NO-EVICT, NO-TOUCH, REPLY, HELP.
//
// Not implemented (answered "unknown subcommand", an error clients treat as
// "not supported"): TRACKING, TRACKINGINFO, CACHING, GETREDIR,
// MAINT_NOTIFICATIONS, PAUSE, UNPAUSE. CLIENT LIST fields that describe
// Redis's memory layout (qbuf, argv-mem, omem, tot-mem …) read 0, fd reads -1.
package redis

import (
	"strings"
	"time"
)

func init() {
	sub := func(name string, arity int, flags []string, summary string, h Handler) *Command {
		return &Command{Name: name, Arity: arity, Flags: append([]string{"noscript", "loading", "stale"}, flags...),
			ACL: []string{"slow", "connection"}, Group: "connection", Since: "2.4.0", Summary: summary, Handler: h}
	}
	admin := []string{"admin"}
	register(&Command{Name: "client", Arity: -2, Group: "connection", Since: "2.4.0",
		Summary: "A container for client connection commands.", Subcommands: map[string]*Command{
			"id": sub("id", 2, nil, "Returns the unique client ID of the connection.",
				func(c *Conn, args [][]byte) { c.W.Int(int64(c.id)) }),
			"setname": sub("setname", 3, nil, "Sets the connection name.", clientSetName),
			"getname": sub("getname", 2, nil, "Returns the name of the connection.", clientGetName),
			"setinfo": sub("setinfo", 4, nil, "Sets information specific to the client or connection.", clientSetInfo),
			"info": sub("info", 2, nil, "Returns information about the connection.",
				func(c *Conn, args [][]byte) { c.W.Verbatim("txt", c.info(time.Now())+"\n") }),
			"list": sub("list", -2, admin, "Lists open connections.", clientList),
			"kill": sub("kill", -3, admin, "Terminates open connections.", clientKill),
			"unblock": sub("unblock", -3, admin, "Unblocks a client blocked by a blocking command from a different connection.",
				clientUnblock),
			"no-evict": sub("no-evict", 3, admin, "Sets the client eviction mode of the connection.", clientOnOff),
			"no-touch": sub("no-touch", 3, nil, "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.",
				clientOnOff),
			"reply": sub("reply", 3, nil, "Instructs the server whether to reply to commands.", clientReply),
			"help":  sub("help", 2, nil, "Returns helpful text about the different subcommands.", clientHelp),
		}})
}

// validClientName reports whether a name has only printable, non-space
// ASCII (Redis's validateClientAttr).
func validClientName(b []byte) bool {
	for _, c := range b {
		if c < '!' || c > '~' {
			return false
		}
	}
	return true
}

func (c *Conn) setName(name string) {
	c.mu.Lock()
	c.name = name
	c.mu.Unlock()
}

func clientSetName(c *Conn, args [][]byte) {
	if !validClientName(args[2]) {
		c.W.Error("ERR Client names cannot contain spaces, newlines or special characters.")
		return
	}
	c.setName(string(args[2]))
	c.W.OK()
}

func clientGetName(c *Conn, args [][]byte) {
	c.mu.Lock()
	name := c.name
	c.mu.Unlock()
	if name == "" {
		c.W.Null()
		return
	}
	c.W.BulkString(name)
}

func clientSetInfo(c *Conn, args [][]byte) {
	attr := strings.ToLower(string(args[2]))
	if attr != "lib-name" && attr != "lib-ver" {
		c.W.Error("ERR Unrecognized option '" + cstr(args[2], -1) + "'")
		return
	}
	if !validClientName(args[3]) {
		c.W.Error("ERR " + cstr(args[2], -1) + " cannot contain spaces, newlines or special characters.")
		return
	}
	c.mu.Lock()
	if attr == "lib-name" {
		c.libName = string(args[3])
	} else {
		c.libVer = string(args[3])
	}
	c.mu.Unlock()
	c.W.OK()
}

// clientList is CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id …].
func clientList(c *Conn, args [][]byte) {
	conns := c.srv.connList()
	switch {
	case len(args) == 2:
	case len(args) == 4 && strings.EqualFold(string(args[2]), "type"):
		typ := strings.ToLower(string(args[3]))
		switch typ {
		case "normal", "pubsub":
			keep := conns[:0]
			for _, x := range conns {
				if x.isPubSub() == (typ == "pubsub") {
					keep = append(keep, x)
				}
			}
			conns = keep
		case "master", "replica", "slave":
			conns = nil
		default:
			c.W.Error("ERR Unknown client type '" + cstr(args[3], -1) + "'")
			return
		}
	case len(args) >= 4 && strings.EqualFold(string(args[2]), "id"):
		var keep []*Conn
		for _, a := range args[3:] {
			id, ok := string2ll(a)
			if !ok || id <= 0 {
				c.W.Error("ERR Invalid client ID")
				return
			}
			if x := c.srv.conn(uint64(id)); x != nil {
				keep = append(keep, x)
			}
		}
		conns = keep
	default:
		c.W.Error(replySyntax)
		return
	}
	now := time.Now()
	var b strings.Builder
	for _, x := range conns {
		b.WriteString(x.info(now))
		b.WriteByte('\n')
	}
	c.W.Verbatim("txt", b.String())
}

// isPubSub reports whether the connection has subscriptions. Safe from any
// goroutine.
func (c *Conn) isPubSub() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.infoSubs[0]+c.infoSubs[1]+c.infoSubs[2] > 0
}

// clientKill is CLIENT KILL addr:port (old form: +OK or "No such client")
// or CLIENT KILL <filter> <value> … with filters ID, ADDR, LADDR, USER,
// SKIPME, TYPE, MAXAGE (new form: the number killed).
func clientKill(c *Conn, args [][]byte) {
	if len(args) == 3 {
		for _, x := range c.srv.connList() {
			if x.addr == string(args[2]) {
				c.killConn(x)
				c.W.OK()
				return
			}
		}
		c.W.Error("ERR No such client")
		return
	}
	if len(args)%2 != 0 {
		c.W.Error(replySyntax)
		return
	}
	var (
		id                         uint64
		addr, laddr, user, typ     string
		hasAddr, hasLaddr, hasUser bool
		maxAge                     = int64(-1)
		skipMe                     = true
	)
	for i := 2; i < len(args); i += 2 {
		v := args[i+1]
		switch strings.ToLower(string(args[i])) {
		case "id":
			n, ok := string2ll(v)
			if !ok || n <= 0 {
				c.W.Error("ERR client-id should be greater than 0")
				return
			}
			id = uint64(n)
		case "addr":
			addr, hasAddr = string(v), true
		case "laddr":
			laddr, hasLaddr = string(v), true
		case "user":
			user, hasUser = string(v), true
		case "type":
			typ = strings.ToLower(string(v))
			switch typ {
			case "normal", "pubsub", "master", "replica", "slave":
			default:
				c.W.Error("ERR Unknown client type '" + cstr(v, -1) + "'")
				return
			}
		case "skipme":
			switch strings.ToLower(string(v)) {
			case "yes":
				skipMe = true
			case "no":
				skipMe = false
			default:
				c.W.Error(replySyntax)
				return
			}
		case "maxage":
			n, ok := string2ll(v)
			if !ok || n < 0 {
				c.W.Error(replyNotInt)
				return
			}
			maxAge = n
		default:
			c.W.Error(replySyntax)
			return
		}
	}
	now := time.Now()
	killed := int64(0)
	for _, x := range c.srv.connList() {
		switch {
		case id != 0 && x.id != id,
			hasAddr && x.addr != addr,
			hasLaddr && x.laddr != laddr,
			hasUser && user != c.srv.cfg.User,
			typ == "master" || typ == "replica" || typ == "slave",
			typ != "" && x.isPubSub() != (typ == "pubsub"),
			maxAge >= 0 && int64(now.Sub(x.created)/time.Second) < maxAge,
			skipMe && x == c:
			continue
		}
		c.killConn(x)
		killed++
	}
	c.W.Int(killed)
}

// killConn closes x: at once for another connection, after this reply for
// the calling one.
func (c *Conn) killConn(x *Conn) {
	if x == c {
		c.closeAfter = true
		return
	}
	x.kill(errKilled)
}

// clientUnblock is CLIENT UNBLOCK id [TIMEOUT|ERROR].
func clientUnblock(c *Conn, args [][]byte) {
	id, ok := string2ll(args[2])
	if !ok {
		c.W.Error(replyNotInt)
		return
	}
	cause := errUnblockTimeout
	if len(args) == 4 {
		switch strings.ToLower(string(args[3])) {
		case "timeout":
		case "error":
			cause = errUnblockError
		default:
			c.W.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
			return
		}
	} else if len(args) > 4 {
		c.W.Error(replySyntax)
		return
	}
	if x := c.srv.conn(uint64(id)); id > 0 && x != nil && x.unblock(cause) {
		c.W.Int(1)
		return
	}
	c.W.Int(0)
}

func clientOnOff(c *Conn, args [][]byte) {
	switch strings.ToLower(string(args[2])) {
	case "on", "off":
		c.W.OK()
	default:
		c.W.Error(replySyntax)
	}
}

// clientReply is CLIENT REPLY ON|OFF|SKIP; dispatch drops the replies.
func clientReply(c *Conn, args [][]byte) {
	switch strings.ToLower(string(args[2])) {
	case "on":
		c.replyOff = false
		c.W.OK()
	case "off":
		c.replyOff = true
	case "skip":
		if !c.replyOff {
			c.skipOne = true
		}
	default:
		c.W.Error(replySyntax)
	}
}

func clientHelp(c *Conn, args [][]byte) {
	helpReply(&c.W, "CLIENT",
		"GETNAME",
		"    Return the name of the current connection.",
		"ID",
		"    Return the ID of the current connection.",
		"INFO",
		"    Return information about the current client connection.",
		"KILL <ip:port>",
		"    Kill connection made from <ip:port>.",
		"KILL <option> <value> [<option> <value> [...]]",
		"    Kill connections. Options are:",
		"    * ADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made from the specified address",
		"    * LADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made to specified local address",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Kill connections by type.",
		"    * USER <username>",
		"      Kill connections authenticated by <username>.",
		"    * SKIPME (YES|NO)",
		"      Skip killing current connection (default: yes).",
		"    * ID <client-id>",
		"      Kill connections by client id.",
		"    * MAXAGE <maxage>",
		"      Kill connections older than the specified age.",
		"LIST [options ...]",
		"    Return information about client connections. Options:",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Return clients of specified type.",
		"UNBLOCK <clientid> [TIMEOUT|ERROR]",
		"    Unblock the specified blocked client.",
		"REPLY (ON|OFF|SKIP)",
		"    Control the replies sent to the current connection.",
		"SETNAME <name>",
		"    Assign the name <name> to the current connection.",
		"SETINFO <option> <value>",
		"    Set client meta attr. Options are:",
		"    * LIB-NAME: the client lib name.",
		"    * LIB-VER: the client lib version.",
		"NO-EVICT (ON|OFF)",
		"    Protect current client connection from eviction.",
		"NO-TOUCH (ON|OFF)",
		"    Will not touch LRU/LFU stats when this mode is on.")
}
