// Connection commands: HELLO, AUTH, PING, ECHO, QUIT, RESET, SELECT.
//
// AUTH and HELLO … AUTH check Config.Password for Config.User (default
// "default"); AUTH <password> alone checks the password whatever the
// configured user (Redis would check the "default" user). Without a
// password every client is authenticated and, as for Redis's nopass default
// user, AUTH <user> <anything> succeeds for that user.
package redis

import (
	"crypto/subtle"
	"strings"
)

func init() {
	register(
		&Command{Name: "hello", Arity: -1, Flags: []string{"noscript", "loading", "stale", "fast", "no_auth", "sentinel", "allow_busy"},
			ACL: []string{"fast", "connection"}, Group: "connection", Since: "6.0.0",
			Summary: "Handshakes with the Redis server.", Handler: helloCmd},
		&Command{Name: "auth", Arity: -2, Flags: []string{"noscript", "loading", "stale", "fast", "no_auth", "sentinel", "allow_busy"},
			ACL: []string{"fast", "connection"}, Group: "connection", Since: "1.0.0",
			Summary: "Authenticates the connection.", Handler: authCmd},
		&Command{Name: "ping", Arity: -1, Flags: []string{"fast", "sentinel"},
			ACL: []string{"fast", "connection"}, Group: "connection", Since: "1.0.0",
			Summary: "Returns the server's liveliness response.", Handler: pingCmd},
		&Command{Name: "echo", Arity: 2, Flags: []string{"fast"},
			ACL: []string{"fast", "connection"}, Group: "connection", Since: "1.0.0",
			Summary: "Returns the given string.", Handler: func(c *Conn, args [][]byte) { c.W.Bulk(args[1]) }},
		&Command{Name: "quit", Arity: -1, Flags: []string{"noscript", "loading", "stale", "fast", "no_auth", "allow_busy"},
			ACL: []string{"fast", "connection"}, Group: "connection", Since: "1.0.0",
			Summary: "Closes the connection.", Handler: func(c *Conn, args [][]byte) {
				c.W.OK()
				c.closeAfter = true
			}},
		&Command{Name: "reset", Arity: 1, Flags: []string{"noscript", "loading", "stale", "fast", "no_auth", "allow_busy"},
			ACL: []string{"fast", "connection"}, Group: "connection", Since: "6.2.0",
			Summary: "Resets the connection.", Handler: resetCmd},
		&Command{Name: "select", Arity: 2, Flags: []string{"loading", "stale", "fast"},
			ACL: []string{"fast", "connection"}, Group: "connection", Since: "1.0.0",
			Summary: "Changes the selected database.", Handler: selectCmd},
	)
}

// checkAuth reports whether user and pass are valid credentials.
func (s *Server) checkAuth(user, pass []byte) bool {
	if string(user) != s.cfg.User {
		return false
	}
	if s.cfg.Password == "" {
		return true
	}
	return subtle.ConstantTimeCompare(pass, []byte(s.cfg.Password)) == 1
}

const wrongPass = "WRONGPASS invalid username-password pair or user is disabled."

func authCmd(c *Conn, args [][]byte) {
	switch len(args) {
	case 2:
		if c.srv.cfg.Password == "" {
			c.W.Error("ERR AUTH <password> called without any password configured for the default user. " +
				"Are you sure your configuration is correct?")
			return
		}
		if !c.srv.checkAuth([]byte(c.srv.cfg.User), args[1]) {
			c.W.Error(wrongPass)
			return
		}
	case 3:
		if !c.srv.checkAuth(args[1], args[2]) {
			c.W.Error(wrongPass)
			return
		}
	default:
		c.W.Error(replySyntax)
		return
	}
	c.setAuthed(true)
	c.W.OK()
}

func helloCmd(c *Conn, args [][]byte) {
	ver := int64(0)
	next := 1
	if len(args) >= 2 {
		v, ok := string2ll(args[1])
		if !ok {
			c.W.Error("ERR Protocol version is not an integer or out of range")
			return
		}
		if v < 2 || v > 3 {
			c.W.Error("NOPROTO unsupported protocol version")
			return
		}
		ver = v
		next = 2
	}
	var user, pass, name []byte
	setName := false
	for j := next; j < len(args); j++ {
		more := len(args) - 1 - j
		switch opt := strings.ToLower(string(args[j])); {
		case opt == "auth" && more >= 2:
			user, pass = args[j+1], args[j+2]
			j += 2
		case opt == "setname" && more >= 1:
			name, setName = args[j+1], true
			if !validClientName(name) {
				c.W.Error("ERR Client names cannot contain spaces, newlines or special characters.")
				return
			}
			j++
		default:
			c.W.Error("ERR Syntax error in HELLO option '" + cstr(args[j], -1) + "'")
			return
		}
	}
	if user != nil {
		if !c.srv.checkAuth(user, pass) {
			c.W.Error(wrongPass)
			return
		}
		c.setAuthed(true)
	}
	if c.needAuth() {
		c.W.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the " +
			"HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select " +
			"the RESP protocol version at the same time")
		return
	}
	if setName {
		c.setName(string(name))
	}
	if ver != 0 {
		c.setProto(int(ver))
	}
	w := &c.W
	w.Map(7)
	w.BulkString("server")
	w.BulkString("redis")
	w.BulkString("version")
	w.BulkString(c.srv.cfg.Version)
	w.BulkString("proto")
	w.Int(int64(w.Proto))
	w.BulkString("id")
	w.Int(int64(c.id))
	w.BulkString("mode")
	w.BulkString("standalone")
	w.BulkString("role")
	w.BulkString("master")
	w.BulkString("modules")
	w.Array(0)
}

func pingCmd(c *Conn, args [][]byte) {
	if len(args) > 2 {
		c.W.Error("ERR wrong number of arguments for 'ping' command")
		return
	}
	if c.W.Proto == 2 && c.subscribed() {
		c.W.Array(2)
		c.W.BulkString("pong")
		if len(args) == 2 {
			c.W.Bulk(args[1])
		} else {
			c.W.BulkString("")
		}
		return
	}
	if len(args) == 2 {
		c.W.Bulk(args[1])
		return
	}
	c.W.Simple("PONG")
}

func selectCmd(c *Conn, args [][]byte) {
	n, ok := string2ll(args[1])
	if !ok || n < -1<<31 || n > 1<<31-1 {
		c.W.Error(replyNotInt)
		return
	}
	if n < 0 || n >= numDBs {
		c.W.Error("ERR DB index is out of range")
		return
	}
	c.setDB(int(n))
	c.W.OK()
}

// resetCmd is RESET: leave MULTI, forget WATCHes, unsubscribe, back to
// RESP2 and database 0, no name, replies on, and unauthenticated when a
// password is required.
func resetCmd(c *Conn, args [][]byte) {
	if c.multi != nil {
		c.endMulti()
	}
	c.watched = nil
	c.unsubscribeAll()
	c.setProto(2)
	c.setDB(0)
	c.setName("")
	c.replyOff, c.skipOne = false, false
	c.setAuthed(c.srv.cfg.Password == "")
	c.W.Simple("RESET")
}
