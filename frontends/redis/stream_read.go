// XREAD and XREADGROUP as in Redis 7.2 (with XREAD's "+" ID of 7.4): COUNT,
// BLOCK (0 waits forever), NOACK, "$", ">" and explicit IDs (which read the
// consumer's own pending history and never block); RESP3 replies are a map
// of stream to entries, RESP2 an array of [stream, entries] pairs. A blocked
// command is re-run when one of its streams changes, as Redis 7.2 re-runs
// it, so XREADGROUP fails with NOGROUP when its key is deleted or its group
// destroyed while it waits (Redis 7.0 replied -UNBLOCKED or a different
// NOGROUP text). Blocked XREADGROUP readers of one group are served in the
// order they blocked (stream_block.go).
package redis

import (
	"errors"
	"reflect"
	"time"

	"junction/broker"
	"junction/storage"
)

func init() {
	register(
		&Command{Name: "xread", Arity: -4, Flags: []string{"readonly", "blocking"}, Handler: cmdXRead},
		&Command{Name: "xreadgroup", Arity: -7, Flags: []string{"write", "blocking"}, Handler: cmdXRead},
	)
}

// xreadArgs is one parsed XREAD or XREADGROUP.
type xreadArgs struct {
	group           bool // XREADGROUP
	timeout         int64
	count           int
	noAck           bool
	groupName, name []byte // group and consumer
	keys            [][]byte
	ids             []storage.StreamID // IDs after which to read; maxID means ">"
}

// xreadResult is what one stream contributes to a reply.
type xreadResult struct {
	key     []byte
	recs    []storage.Record
	hist    []broker.HistoryEntry
	history bool
}

// XREAD [COUNT count] [BLOCK ms] STREAMS key [key …] id [id …]
// XREADGROUP GROUP group consumer [COUNT count] [BLOCK ms] [NOACK] STREAMS key [key …] id [id …]
func cmdXRead(c *Conn, args [][]byte) {
	a := xreadArgs{group: len(args[0]) == 10, timeout: -1}
	if !parseXRead(c, args, &a) || !resolveXReadIDs(c, args, &a) {
		return
	}
	if xreadServe(c, &a) {
		return
	}
	if a.timeout == -1 {
		c.W.NullArray()
		return
	}
	xreadBlock(c, &a)
}

// parseXRead parses the options, replying with an error on failure.
func parseXRead(c *Conn, args [][]byte, a *xreadArgs) bool {
	streamsAt := 0
	for i := 1; i < len(args); i++ {
		more := len(args) - i - 1
		o := args[i]
		switch {
		case equalFold(o, "block") && more > 0:
			i++
			n, ok := parseInt(args[i])
			if !ok {
				c.W.Error("ERR timeout is not an integer or out of range")
				return false
			}
			if n < 0 {
				c.W.Error("ERR timeout is negative")
				return false
			}
			if n > 0 && n > 1<<63-1-c.Now().UnixMilli() {
				c.W.Error("ERR timeout is out of range")
				return false
			}
			a.timeout = n
		case equalFold(o, "count") && more > 0:
			i++
			n, ok := parseInt(args[i])
			if !ok {
				c.W.Error(errNotInt)
				return false
			}
			a.count = int(min(max(n, 0), 1<<31-1))
		case equalFold(o, "streams") && more > 0:
			streamsAt = i + 1
			if (len(args)-streamsAt)%2 != 0 {
				name, sym := "xread", "$"
				if a.group {
					name, sym = "xreadgroup", ">"
				}
				c.W.Error("ERR Unbalanced '" + name + "' list of streams: for each stream key an ID or '" +
					sym + "' must be specified.")
				return false
			}
			n := (len(args) - streamsAt) / 2
			a.keys = args[streamsAt : streamsAt+n]
			i = len(args)
		case equalFold(o, "group") && more >= 2:
			if !a.group {
				c.W.Error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.")
				return false
			}
			a.groupName, a.name = args[i+1], args[i+2]
			i += 2
		case equalFold(o, "noack"):
			if !a.group {
				c.W.Error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.")
				return false
			}
			a.noAck = true
		default:
			c.W.Error(errSyntax)
			return false
		}
	}
	if streamsAt == 0 {
		c.W.Error(errSyntax)
		return false
	}
	if a.group && a.groupName == nil {
		c.W.Error("ERR Missing GROUP option for XREADGROUP")
		return false
	}
	return true
}

// noGroupError is XREADGROUP's reply for a missing key or group.
func noGroupError(key, group []byte) string {
	return "NOGROUP No such key '" + cstr(key, -1) + "' or consumer group '" + cstr(group, -1) +
		"' in XREADGROUP with GROUP option"
}

// resolveXReadIDs checks each key's group and parses its ID, in argument
// order as Redis does, replying with the first error.
func resolveXReadIDs(c *Conn, args [][]byte, a *xreadArgs) bool {
	n := len(a.keys)
	idArgs := args[len(args)-n:]
	a.ids = make([]storage.StreamID, n)
	for i, key := range a.keys {
		p := streamPartition(c, key)
		if a.group && (p == nil || p.Group(string(a.groupName)) == nil) {
			c.W.Error(noGroupError(key, a.groupName))
			return false
		}
		arg := idArgs[i]
		switch {
		case len(arg) == 1 && arg[0] == '$':
			if a.group {
				c.W.Error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history " +
					"of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID " +
					"would just return an empty result set.")
				return false
			}
			if p != nil {
				a.ids[i] = p.LastID()
			}
		case len(arg) == 1 && arg[0] == '+':
			if a.group {
				c.W.Error("ERR The + ID is meaningless in the context of XREADGROUP: you want to read the history " +
					"of this consumer by specifying a proper ID, or use the > ID to get new messages. The + ID " +
					"would just return an empty result set.")
				return false
			}
			if p != nil {
				id, ok := decrID(p.LastID())
				if !ok {
					c.W.Error("ERR the stream last element ID is 0-0")
					return false
				}
				a.ids[i] = id
			}
		case len(arg) == 1 && arg[0] == '>':
			if !a.group {
				c.W.Error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> " +
					"<consumer> option.")
				return false
			}
			a.ids[i] = maxID
		default:
			id, ok := parseStrictID(arg, 0)
			if !ok {
				c.W.Error(errInvalidID)
				return false
			}
			a.ids[i] = id
		}
	}
	return true
}

// xreadServe runs the command once. It writes a reply and returns true
// when it served some stream or failed; false when there was nothing to
// serve and nothing was written.
func xreadServe(c *Conn, a *xreadArgs) bool {
	var groups []*broker.StreamGroup
	parts := make([]*broker.Partition, len(a.keys))
	for i, key := range a.keys {
		parts[i] = streamPartition(c, key)
		if a.group {
			var g *broker.StreamGroup
			if parts[i] != nil {
				g = parts[i].Group(string(a.groupName))
			}
			if g == nil {
				c.W.Error(noGroupError(key, a.groupName))
				return true
			}
			groups = append(groups, g)
		}
	}
	var res []xreadResult
	for i, key := range a.keys {
		p := parts[i]
		if p == nil {
			continue
		}
		gt := a.ids[i]
		if a.group {
			g := groups[i]
			if gt != maxID {
				start, _ := incrID(gt)
				hist, err := g.ReadHistory(string(a.name), start, a.count)
				if err != nil {
					c.W.Error(xreadErrorReply(err, key, a.groupName))
					return true
				}
				res = append(res, xreadResult{key: key, hist: hist, history: true})
				continue
			}
			recs, err := g.ReadNew(string(a.name), a.count, a.noAck)
			if err != nil {
				c.W.Error(xreadErrorReply(err, key, a.groupName))
				return true
			}
			if len(recs) > 0 {
				res = append(res, xreadResult{key: key, recs: recs})
			}
			continue
		}
		if gt == maxID {
			continue
		}
		recs, err := p.ReadRange(nil, gt.Next(), maxID, a.count)
		if err != nil {
			c.W.Error(errorReply(err))
			return true
		}
		if len(recs) > 0 {
			res = append(res, xreadResult{key: key, recs: recs})
		}
	}
	if len(res) == 0 {
		return false
	}
	writeXReadReply(&c.W, res)
	return true
}

// xreadErrorReply maps a core error met while reading a group.
func xreadErrorReply(err error, key, group []byte) string {
	if errors.Is(err, broker.ErrUnknownGroup) || errors.Is(err, broker.ErrTopicDeleted) {
		return noGroupError(key, group)
	}
	return errorReply(err)
}

// writeXReadReply writes a map (RESP3) or array of pairs (RESP2) of
// stream to entries.
func writeXReadReply(w *Writer, res []xreadResult) {
	if w.Proto >= 3 {
		w.Map(len(res))
	} else {
		w.Array(len(res))
	}
	for _, r := range res {
		if w.Proto < 3 {
			w.Array(2)
		}
		w.Bulk(r.key)
		if !r.history {
			writeEntries(w, r.recs)
			continue
		}
		w.Array(len(r.hist))
		for _, e := range r.hist {
			if e.Record == nil {
				w.Array(2)
				writeID(w, e.ID)
				w.NullArray()
				continue
			}
			writeEntry(w, e.Record)
		}
	}
}

// xreadBlock waits until a stream the command reads changes and re-runs
// it, until it is served, times out, or the client is unblocked.
func xreadBlock(c *Conn, a *xreadArgs) {
	ctx, done := c.BlockContext(time.Duration(a.timeout) * time.Millisecond)
	defer done()
	b := c.Broker()
	h := hubFor(b)
	reader := &blockedReader{}
	group := ""
	if a.group {
		group = string(a.groupName)
	}
	qkeys := make([]groupKey, len(a.keys))
	for i, key := range a.keys {
		qkeys[i] = groupKey{topic: c.TopicName(key), p: streamPartition(c, key), group: group}
		h.enqueue(qkeys[i], reader)
	}
	defer func() {
		for _, k := range qkeys {
			h.dequeue(k, reader)
		}
	}()
	base := []reflect.SelectCase{
		{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())},
		{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(b.Done())},
	}
	for {
		cases := base
		add := func(ch <-chan struct{}) {
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ch)})
		}
		var waitCreate []*createWait
		try := !a.group
		for i, key := range a.keys {
			t, pi := c.stream(key)
			if t == nil && a.group {
				try = true // re-run to reply NOGROUP
				continue
			}
			if t == nil {
				w := h.acquireCreated(c.TopicName(key))
				waitCreate = append(waitCreate, w)
				if t, pi = c.stream(key); t == nil {
					add(w.ch)
					continue
				}
			}
			p := t.Partition(pi)
			add(p.Changed())
			add(t.Deleted())
			if !a.group {
				continue
			}
			g := p.Group(group)
			if g == nil {
				try = true // re-run to reply NOGROUP
				continue
			}
			add(g.Destroyed())
			var last storage.StreamID
			g.View(func(s *broker.GroupState) { last = s.LastID })
			if a.ids[i] != maxID || !last.Less(p.LastID()) {
				continue // nothing new for this group
			}
			first, changed := h.turn(qkeys[i], reader)
			if first {
				try = true
			} else {
				add(changed)
			}
		}
		if try && xreadServe(c, a) {
			h.releaseCreated(waitCreate)
			return
		}
		chosen, _, _ := reflect.Select(cases)
		h.releaseCreated(waitCreate)
		if chosen <= 1 {
			if !c.Unblocked(ctx) {
				c.W.NullArray()
			}
			return
		}
	}
}
