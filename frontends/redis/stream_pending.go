// XPENDING as in Redis 7.2: the summary form (count, smallest and largest
// pending ID, pending count per consumer) and the extended form with IDLE,
// exclusive range bounds, COUNT and a consumer filter.
package redis

import (
	"slices"
	"strconv"

	"junction/broker"
	"junction/storage"
)

func init() {
	register(&Command{Name: "xpending", Arity: -3, Flags: []string{"readonly"}, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdXPending})
}

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
func cmdXPending(c *Conn, args [][]byte) {
	n := len(args)
	if n != 3 && (n < 6 || n > 9) {
		c.W.Error(errSyntax)
		return
	}
	var start, end storage.StreamID
	var count, minIdle int64
	var consumer []byte
	if n >= 6 {
		at := 3
		if equalFold(args[3], "idle") {
			v, ok := parseInt(args[4])
			if !ok {
				c.W.Error(errNotInt)
				return
			}
			minIdle = v
			if n < 8 {
				c.W.Error(errSyntax)
				return
			}
			at += 2
		}
		v, ok := parseInt(args[at+2])
		if !ok {
			c.W.Error(errNotInt)
			return
		}
		count = max(v, 0)
		if start, end, ok = parseRange(c, args[at], args[at+1]); !ok {
			return
		}
		if at+3 < n {
			consumer = args[at+3]
		}
	}
	p := streamPartition(c, args[1])
	var g *broker.StreamGroup
	if p != nil {
		g = p.Group(string(args[2]))
	}
	if g == nil {
		c.W.Error("NOGROUP No such key '" + cstr(args[1], -1) + "' or consumer group '" + cstr(args[2], -1) + "'")
		return
	}
	now := c.Now().UnixMilli()
	g.View(func(s *broker.GroupState) {
		if n == 3 {
			xpendingSummary(&c.W, s)
			return
		}
		if consumer != nil && s.Consumers[string(consumer)] == nil {
			c.W.Array(0)
			return
		}
		var rows []broker.PendingEntry
		i, _ := s.Find(start)
		for ; count > 0 && i < len(s.PEL) && !end.Less(s.PEL[i].ID); i++ {
			e := s.PEL[i]
			if consumer != nil && e.Consumer != string(consumer) {
				continue
			}
			if minIdle != 0 && now-e.DeliveredAt < minIdle {
				continue
			}
			rows = append(rows, e)
			count--
		}
		c.W.Array(len(rows))
		for _, e := range rows {
			c.W.Array(4)
			writeID(&c.W, e.ID)
			c.W.BulkString(e.Consumer)
			c.W.Int(max(now-e.DeliveredAt, 0))
			c.W.Int(e.Count)
		}
	})
}

// xpendingSummary writes [count, first ID, last ID, [[consumer, count] …]].
func xpendingSummary(w *Writer, s *broker.GroupState) {
	w.Array(4)
	w.Int(int64(len(s.PEL)))
	if len(s.PEL) == 0 {
		w.Null()
		w.Null()
		w.NullArray()
		return
	}
	writeID(w, s.PEL[0].ID)
	writeID(w, s.PEL[len(s.PEL)-1].ID)
	counts := make(map[string]int64)
	for _, e := range s.PEL {
		counts[e.Consumer]++
	}
	names := make([]string, 0, len(counts))
	for name := range counts {
		names = append(names, name)
	}
	slices.Sort(names)
	w.Array(len(names))
	for _, name := range names {
		w.Array(2)
		w.BulkString(name)
		w.BulkString(strconv.FormatInt(counts[name], 10))
	}
}
