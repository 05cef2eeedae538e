// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//
// EXEC holds the server's transaction lock exclusively while it runs the
// queued commands; every other command holds it shared, so no command of
// another connection interleaves with a transaction. Blocking commands
// (flag "blocking") run outside the lock while they wait, and inside EXEC
// they do not block, as in Redis.
//
// WATCH differs from Redis in what counts as a change: a watched key is
// compared by a fingerprint of its topic (identity, expiry, and per
// partition start, end, length, last and max-deleted IDs, entries added).
// Consumer-group changes (XGROUP, XACK, XCLAIM…) do not invalidate a WATCH.
package redis

import (
	"slices"

	"junction/broker"
)

func init() {
	register(
		&Command{Name: "multi", Arity: 1, Flags: []string{"noscript", "loading", "stale", "fast", "allow_busy"},
			ACL: []string{"fast", "transaction"}, Group: "transactions", Since: "1.2.0",
			Summary: "Starts a transaction.", Handler: multiCmd},
		&Command{Name: "exec", Arity: 1, Flags: []string{"noscript", "loading", "stale", "skip_slowlog"},
			ACL: []string{"slow", "transaction"}, Group: "transactions", Since: "1.2.0",
			Summary: "Executes all commands in a transaction.", Handler: execCmd},
		&Command{Name: "discard", Arity: 1, Flags: []string{"noscript", "loading", "stale", "fast", "allow_busy"},
			ACL: []string{"fast", "transaction"}, Group: "transactions", Since: "2.0.0",
			Summary: "Discards a transaction.", Handler: discardCmd},
		&Command{Name: "watch", Arity: -2, Flags: []string{"noscript", "loading", "stale", "fast", "allow_busy"},
			FirstKey: 1, LastKey: -1, Step: 1, ACL: []string{"fast", "transaction"}, Group: "transactions",
			Since: "2.2.0", Summary: "Monitors changes to keys to determine the execution of a transaction.",
			Handler: watchCmd},
		&Command{Name: "unwatch", Arity: 1, Flags: []string{"noscript", "loading", "stale", "fast", "allow_busy"},
			ACL: []string{"fast", "transaction"}, Group: "transactions", Since: "2.2.0",
			Summary: "Forgets about watched keys of a transaction.", Handler: unwatchCmd},
	)
}

// multiState is a transaction being queued.
type multiState struct {
	cmds    []queued
	aborted bool // a command was rejected while queueing: EXEC fails
}

type queued struct {
	cmd  *Command
	args [][]byte // the reader never reuses argument memory: no copy needed
}

// watchedKey is a WATCHed topic and its fingerprint at WATCH time.
type watchedKey struct {
	name string
	t    *broker.Topic
	fp   []int64
}

func (c *Conn) queue(cmd *Command, args [][]byte) {
	c.multi.cmds = append(c.multi.cmds, queued{cmd, args})
	c.mu.Lock()
	c.infoMulti = len(c.multi.cmds)
	c.mu.Unlock()
}

// flagTx marks the open transaction as failed (a command was rejected).
func (c *Conn) flagTx() {
	if c.multi != nil {
		c.multi.aborted = true
	}
}

func (c *Conn) endMulti() {
	c.multi = nil
	c.mu.Lock()
	c.infoMulti = -1
	c.mu.Unlock()
}

func multiCmd(c *Conn, args [][]byte) {
	if c.multi != nil {
		c.W.Error("ERR MULTI calls can not be nested")
		return
	}
	c.multi = &multiState{}
	c.mu.Lock()
	c.infoMulti = 0
	c.mu.Unlock()
	c.W.OK()
}

func discardCmd(c *Conn, args [][]byte) {
	if c.multi == nil {
		c.W.Error("ERR DISCARD without MULTI")
		return
	}
	c.endMulti()
	c.watched = nil
	c.W.OK()
}

func execCmd(c *Conn, args [][]byte) {
	m := c.multi
	if m == nil {
		c.W.Error("ERR EXEC without MULTI")
		return
	}
	c.endMulti()
	watched := c.watched
	c.watched = nil
	if m.aborted {
		c.W.Error("EXECABORT Transaction discarded because of previous errors.")
		return
	}
	c.srv.tx.Lock()
	defer c.srv.tx.Unlock()
	for _, w := range watched {
		t := c.srv.liveTopic(w.name)
		if t != w.t || !slices.Equal(fingerprint(t), w.fp) {
			c.W.NullArray()
			return
		}
	}
	c.inExec = true
	defer func() { c.inExec = false }()
	c.W.Array(len(m.cmds))
	for _, q := range m.cmds {
		c.call(q.cmd, q.args)
	}
}

func watchCmd(c *Conn, args [][]byte) {
	if c.multi != nil {
		c.W.Error("ERR WATCH inside MULTI is not allowed")
		return
	}
	for _, k := range args[1:] {
		name := c.watchName(k)
		if slices.ContainsFunc(c.watched, func(w watchedKey) bool { return w.name == name }) {
			continue
		}
		t := c.srv.liveTopic(name)
		c.watched = append(c.watched, watchedKey{name: name, t: t, fp: fingerprint(t)})
	}
	c.W.OK()
}

func unwatchCmd(c *Conn, args [][]byte) {
	c.watched = nil
	c.W.OK()
}

// fingerprint summarises a topic's visible state for WATCH.
func fingerprint(t *broker.Topic) []int64 {
	if t == nil {
		return nil
	}
	fp := []int64{t.Config().ExpireAtMs}
	for _, p := range t.Partitions() {
		in := p.Info()
		fp = append(fp, p.Start(), p.End(), in.Length, int64(in.LastID.Ms), int64(in.LastID.Seq),
			int64(in.MaxDeletedID.Ms), int64(in.MaxDeletedID.Seq), in.EntriesAdded)
	}
	return fp
}
