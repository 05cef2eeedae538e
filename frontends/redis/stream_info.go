// XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO CONSUMERS and XINFO
// HELP with Redis 7.2's fields (consumers' "inactive" and "active-time"
// are 7.2 additions). Replies are maps (flat arrays in RESP2). Differences:
// radix-tree-keys counts the modelled 100-entry nodes (broker/stream_nodes.go)
// and radix-tree-nodes is an estimate of Redis's rax.
package redis

import (
	"slices"

	"junction/broker"
	"junction/storage"
)

func init() {
	sub := func(name string, arity int) *Command {
		return &Command{Name: name, Arity: arity, Flags: []string{"readonly"}, FirstKey: 2, LastKey: 2, Step: 1, Handler: cmdXInfo}
	}
	help := &Command{Name: "help", Arity: 2, Flags: []string{"loading", "stale"}, Handler: cmdXInfo}
	register(&Command{Name: "xinfo", Arity: -2, Handler: cmdXInfo, Subcommands: map[string]*Command{
		"consumers": sub("consumers", 4),
		"groups":    sub("groups", 3),
		"stream":    sub("stream", -3),
		"help":      help,
	}})
}

var xinfoHelp = []string{
	"CONSUMERS <key> <groupname>",
	"    Show consumers of <groupname>.",
	"GROUPS <key>",
	"    Show the stream consumer groups.",
	"STREAM <key> [FULL [COUNT <count>]",
	"    Show information about the stream.",
}

// XINFO <subcommand> … (xinfoCommand)
func cmdXInfo(c *Conn, args [][]byte) {
	if len(args) < 2 {
		c.W.Error(arityError("xinfo"))
		return
	}
	if equalFold(args[1], "help") {
		writeHelp(&c.W, string(args[0]), xinfoHelp)
		return
	}
	if len(args) < 3 {
		c.W.Error(subcommandSyntaxError(args))
		return
	}
	p := streamPartition(c, args[2])
	if p == nil {
		c.W.Error(errNoSuchKey)
		return
	}
	switch op := args[1]; {
	case equalFold(op, "consumers") && len(args) == 4:
		xinfoConsumers(c, args, p)
	case equalFold(op, "groups") && len(args) == 3:
		xinfoGroups(c, p)
	case equalFold(op, "stream"):
		xinfoStream(c, args, p)
	default:
		c.W.Error(subcommandSyntaxError(args))
	}
}

// consumerPending counts each consumer's pending entries.
func consumerPending(s *broker.GroupState) map[string]int64 {
	m := make(map[string]int64, len(s.Consumers))
	for _, e := range s.PEL {
		m[e.Consumer]++
	}
	return m
}

// sortedConsumers returns a group's consumers in name (rax) order.
func sortedConsumers(s *broker.GroupState) []*broker.StreamConsumer {
	cs := make([]*broker.StreamConsumer, 0, len(s.Consumers))
	for _, sc := range s.Consumers {
		cs = append(cs, sc)
	}
	slices.SortFunc(cs, func(a, b *broker.StreamConsumer) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return cs
}

func xinfoConsumers(c *Conn, args [][]byte, p *broker.Partition) {
	g := p.Group(string(args[3]))
	if g == nil {
		c.W.Error("NOGROUP No such consumer group '" + cstr(args[3], -1) + "' for key name '" + cstr(args[2], -1) + "'")
		return
	}
	now := c.Now().UnixMilli()
	g.View(func(s *broker.GroupState) {
		pending := consumerPending(s)
		cs := sortedConsumers(s)
		c.W.Array(len(cs))
		for _, sc := range cs {
			inactive := int64(-1)
			if sc.ActiveTime != -1 {
				inactive = now - sc.ActiveTime
			}
			c.W.Map(4)
			c.W.BulkString("name")
			c.W.BulkString(sc.Name)
			c.W.BulkString("pending")
			c.W.Int(pending[sc.Name])
			c.W.BulkString("idle")
			c.W.Int(max(now-sc.SeenTime, 0))
			c.W.BulkString("inactive")
			c.W.Int(inactive)
		}
	})
}

// writeEntriesRead writes a group's entries-read counter (nil when unknown).
func writeEntriesRead(w *Writer, n int64) {
	if n == -1 {
		w.Null()
		return
	}
	w.Int(n)
}

// writeLag writes a group's lag (nil when it cannot be known).
func writeLag(w *Writer, info broker.StreamInfo, s *broker.GroupState) {
	if lag, ok := info.Lag(s.LastID, s.EntriesRead); ok {
		w.Int(lag)
		return
	}
	w.Null()
}

func xinfoGroups(c *Conn, p *broker.Partition) {
	info := p.Info()
	gs := p.Groups()
	c.W.Array(len(gs))
	for _, g := range gs {
		g.View(func(s *broker.GroupState) {
			c.W.Map(6)
			c.W.BulkString("name")
			c.W.BulkString(g.Name())
			c.W.BulkString("consumers")
			c.W.Int(int64(len(s.Consumers)))
			c.W.BulkString("pending")
			c.W.Int(int64(len(s.PEL)))
			c.W.BulkString("last-delivered-id")
			writeID(&c.W, s.LastID)
			c.W.BulkString("entries-read")
			writeEntriesRead(&c.W, s.EntriesRead)
			c.W.BulkString("lag")
			writeLag(&c.W, info, s)
		})
	}
}

func xinfoStream(c *Conn, args [][]byte, p *broker.Partition) {
	full := false
	count := int64(10)
	switch opts := args[3:]; len(opts) {
	case 0:
	case 1, 3:
		if !equalFold(opts[0], "full") || len(opts) == 3 && !equalFold(opts[1], "count") {
			c.W.Error(subcommandSyntaxError(args))
			return
		}
		full = true
		if len(opts) == 3 {
			n, ok := parseInt(opts[2])
			if !ok {
				c.W.Error(errNotInt)
				return
			}
			if count = n; count < 0 {
				count = 10
			}
		}
	default:
		c.W.Error(subcommandSyntaxError(args))
		return
	}
	info := p.Info()
	keys, nodes, err := p.StreamNodes()
	if err != nil {
		c.W.Error(errorReply(err))
		return
	}
	w := &c.W
	if full {
		w.Map(9)
	} else {
		w.Map(10)
	}
	w.BulkString("length")
	w.Int(info.Length)
	w.BulkString("radix-tree-keys")
	w.Int(keys)
	w.BulkString("radix-tree-nodes")
	w.Int(nodes)
	w.BulkString("last-generated-id")
	writeID(w, info.LastID)
	w.BulkString("max-deleted-entry-id")
	writeID(w, p.TombstoneID())
	w.BulkString("entries-added")
	w.Int(info.EntriesAdded)
	w.BulkString("recorded-first-entry-id")
	writeID(w, info.FirstID)
	if !full {
		w.BulkString("groups")
		w.Int(int64(len(p.Groups())))
		first, ok, err1 := p.FirstEntry()
		last, ok2, err2 := p.LastEntry()
		w.BulkString("first-entry")
		if ok && err1 == nil {
			writeEntry(w, &first)
		} else {
			w.Null()
		}
		w.BulkString("last-entry")
		if ok2 && err2 == nil {
			writeEntry(w, &last)
		} else {
			w.Null()
		}
		return
	}
	recs, err := p.ReadRange(nil, storage.StreamID{}, maxID, int(min(count, 1<<31-1)))
	if err != nil {
		recs = nil
	}
	w.BulkString("entries")
	writeEntries(w, recs)
	gs := p.Groups()
	w.BulkString("groups")
	w.Array(len(gs))
	for _, g := range gs {
		g.View(func(s *broker.GroupState) { xinfoFullGroup(w, info, g.Name(), s, int(count)) })
	}
}

// xinfoFullGroup writes one group of XINFO STREAM FULL; count (0: all)
// bounds each PEL listed.
func xinfoFullGroup(w *Writer, info broker.StreamInfo, name string, s *broker.GroupState, count int) {
	w.Map(7)
	w.BulkString("name")
	w.BulkString(name)
	w.BulkString("last-delivered-id")
	writeID(w, s.LastID)
	w.BulkString("entries-read")
	writeEntriesRead(w, s.EntriesRead)
	w.BulkString("lag")
	writeLag(w, info, s)
	w.BulkString("pel-count")
	w.Int(int64(len(s.PEL)))
	w.BulkString("pending")
	pel := s.PEL
	if count > 0 && len(pel) > count {
		pel = pel[:count]
	}
	w.Array(len(pel))
	for _, e := range pel {
		w.Array(4)
		writeID(w, e.ID)
		w.BulkString(e.Consumer)
		w.Int(e.DeliveredAt)
		w.Int(e.Count)
	}
	pending := consumerPending(s)
	cs := sortedConsumers(s)
	w.BulkString("consumers")
	w.Array(len(cs))
	for _, sc := range cs {
		w.Map(5)
		w.BulkString("name")
		w.BulkString(sc.Name)
		w.BulkString("seen-time")
		w.Int(sc.SeenTime)
		w.BulkString("active-time")
		w.Int(sc.ActiveTime)
		w.BulkString("pel-count")
		w.Int(pending[sc.Name])
		w.BulkString("pending")
		var mine []broker.PendingEntry
		for _, e := range s.PEL {
			if e.Consumer == sc.Name && (count <= 0 || len(mine) < count) {
				mine = append(mine, e)
			}
		}
		w.Array(len(mine))
		for _, e := range mine {
			w.Array(3)
			writeID(w, e.ID)
			w.Int(e.DeliveredAt)
			w.Int(e.Count)
		}
	}
}
