// Command dispatch: the checks of Redis 7's processCommand, in its order —
// unknown command or subcommand, arity, authentication, the RESP2
// subscribed-mode whitelist, MULTI queueing — then the call under the
// transaction lock. Error texts match Redis byte for byte.
package redis

import (
	"bytes"
	"strings"
)

// okInSubscribed lists the commands a RESP2 client may send while it has
// subscriptions.
var okInSubscribed = map[string]bool{
	"ping": true, "subscribe": true, "unsubscribe": true, "psubscribe": true, "punsubscribe": true,
	"ssubscribe": true, "sunsubscribe": true, "quit": true, "reset": true,
}

// runNowInMulti lists the commands MULTI does not queue.
var runNowInMulti = map[string]bool{
	"exec": true, "discard": true, "multi": true, "watch": true, "quit": true, "reset": true,
}

// dispatch runs one command and leaves its reply in c.W.
func (c *Conn) dispatch(args [][]byte) {
	c.srv.stats.commands.Add(1)
	if len(c.xadds.recs) > 0 && !c.stageableNext(args) {
		c.flushXAdds()
	}
	c.mark = len(c.W.Buf)
	cmd := c.resolve(args)
	switch {
	case cmd == nil:
		c.flagTx()
	case c.needAuth() && !cmd.noAuth:
		c.flagTx()
		c.W.Error("NOAUTH Authentication required.")
	case c.W.Proto == 2 && c.subscribed() && !okInSubscribed[cmd.full]:
		c.flagTx()
		c.W.Error("ERR Can't execute '" + cmd.full +
			"': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
	case c.multi != nil && !runNowInMulti[cmd.full]:
		c.queue(cmd, args)
		c.W.Simple("QUEUED")
	default:
		skip := c.skipOne
		c.skipOne = false
		c.stageOK = !skip && !c.replyOff
		c.call(cmd, args)
		c.stageOK = false
		if cmd.ArgsTransient && c.rd != nil {
			c.rd.release()
		}
		if (skip || c.replyOff) && c.mark <= len(c.W.Buf) {
			c.W.Buf = c.W.Buf[:c.mark]
		}
	}
	if c.mark < len(c.W.Buf) && c.W.Buf[c.mark] == '-' {
		c.srv.stats.errors.Add(1)
	}
}

// resolve finds the command for args, or writes Redis's error and returns nil.
func (c *Conn) resolve(args [][]byte) *Command {
	cmd := c.prevCmd // a pipeline tends to repeat one command
	if cmd == nil || !equalFold(args[0], cmd.Name) {
		cmd = lookup(args[0])
		c.prevCmd = cmd
	}
	if cmd == nil {
		c.W.Error(unknownCommand(args))
		return nil
	}
	if cmd.Subcommands != nil && len(args) >= 2 {
		sub := lookupSub(cmd, args[1])
		if sub == nil || sub.Handler == nil {
			c.W.Error("ERR unknown subcommand '" + cstr(args[1], 128) + "'. Try " +
				strings.ToUpper(cstr(args[0], -1)) + " HELP.")
			return nil
		}
		cmd = sub
	}
	arity := cmd.Arity
	if arity == 0 && cmd.Subcommands != nil {
		arity = -2
	}
	if cmd.Handler == nil || arity > 0 && len(args) != arity || arity < 0 && len(args) < -arity {
		c.W.Error("ERR wrong number of arguments for '" + cmd.full + "' command")
		return nil
	}
	return cmd
}

// call runs a command's handler: under the transaction read lock unless it
// is EXEC or a blocking command, or runs inside EXEC (which holds the lock).
func (c *Conn) call(cmd *Command, args [][]byte) {
	c.lastCmd.Store(cmd)
	if c.inExec || cmd.block || cmd.noTx {
		cmd.Handler(c, args)
	} else {
		c.callLocked(cmd, args)
	}
	if c.blockDone != nil {
		c.blockDone()
		c.blockDone = nil
	}
}

func (c *Conn) callLocked(cmd *Command, args [][]byte) {
	c.srv.tx.RLock()
	defer c.srv.tx.RUnlock()
	cmd.Handler(c, args)
}

// unknownCommand formats Redis's unknown-command error: the name cut at 128
// bytes, then quoted arguments while their text is under 128 bytes, each
// cut to what is left of the 128 (processCommand's sdscatprintf loop).
func unknownCommand(args [][]byte) string {
	var b strings.Builder
	b.WriteString("ERR unknown command '")
	b.WriteString(cstr(args[0], 128))
	b.WriteString("', with args beginning with: ")
	n := 0
	for _, a := range args[1:] {
		if n >= 128 {
			break
		}
		s := "'" + cstr(a, 128-n) + "' "
		n += len(s)
		b.WriteString(s)
	}
	return b.String()
}

// cstr renders b as C's printf "%.*s" would: cut at the first NUL byte and
// at most limit bytes (limit < 0: no limit).
func cstr(b []byte, limit int) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if limit >= 0 && len(b) > limit {
		b = b[:limit]
	}
	return string(b)
}
