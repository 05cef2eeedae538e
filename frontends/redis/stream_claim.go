// XCLAIM (IDLE, TIME, RETRYCOUNT, FORCE, JUSTID, LASTID) and XAUTOCLAIM
// (COUNT, JUSTID; Redis 7's three-element reply: next cursor, claimed
// entries, IDs dropped because they were deleted), as in Redis 7.2.
package redis

import "junction/broker"

func init() {
	register(
		&Command{Name: "xclaim", Arity: -6, Flags: []string{"write", "fast"}, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdXClaim},
		&Command{Name: "xautoclaim", Arity: -6, Flags: []string{"write", "fast"}, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdXAutoClaim},
	)
}

// claimGroup finds key's group or replies NOGROUP.
func claimGroup(c *Conn, args [][]byte) *broker.StreamGroup {
	p := streamPartition(c, args[1])
	var g *broker.StreamGroup
	if p != nil {
		g = p.Group(string(args[2]))
	}
	if g == nil {
		c.W.Error("NOGROUP No such key '" + cstr(args[1], -1) + "' or consumer group '" + cstr(args[2], -1) + "'")
	}
	return g
}

// writeClaimed writes claimed entries, or just their IDs.
func writeClaimed(w *Writer, cl []broker.Claimed, justID bool) {
	w.Array(len(cl))
	for _, e := range cl {
		switch {
		case justID:
			writeID(w, e.ID)
		case e.Record == nil:
			w.Array(2)
			writeID(w, e.ID)
			w.NullArray()
		default:
			writeEntry(w, e.Record)
		}
	}
}

// XCLAIM key group consumer min-idle-time id [id …] [IDLE ms] [TIME unix-ms] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID id]
func cmdXClaim(c *Conn, args [][]byte) {
	g := claimGroup(c, args)
	if g == nil {
		return
	}
	minIdle, ok := parseInt(args[4])
	if !ok {
		c.W.Error("ERR Invalid min-idle-time argument for XCLAIM")
		return
	}
	a := broker.ClaimArgs{Consumer: string(args[3]), MinIdle: max(minIdle, 0), DeliveredAt: -1, RetryCount: -1}
	j := 5
	for ; j < len(args); j++ {
		id, ok := parseStrictID(args[j], 0)
		if !ok {
			break
		}
		a.IDs = append(a.IDs, id)
	}
	now := c.Now().UnixMilli()
	for ; j < len(args); j++ {
		more := len(args) - 1 - j
		opt := args[j]
		switch {
		case equalFold(opt, "force"):
			a.Force = true
		case equalFold(opt, "justid"):
			a.JustID = true
		case equalFold(opt, "idle") && more > 0:
			j++
			v, ok := parseInt(args[j])
			if !ok {
				c.W.Error("ERR Invalid IDLE option argument for XCLAIM")
				return
			}
			a.DeliveredAt = now - v
		case equalFold(opt, "time") && more > 0:
			j++
			v, ok := parseInt(args[j])
			if !ok {
				c.W.Error("ERR Invalid TIME option argument for XCLAIM")
				return
			}
			a.DeliveredAt = v
		case equalFold(opt, "retrycount") && more > 0:
			j++
			v, ok := parseInt(args[j])
			if !ok {
				c.W.Error("ERR Invalid RETRYCOUNT option argument for XCLAIM")
				return
			}
			a.RetryCount = v
		case equalFold(opt, "lastid") && more > 0:
			j++
			id, ok := parseStrictID(args[j], 0)
			if !ok {
				c.W.Error(errInvalidID)
				return
			}
			a.LastID = id
		default:
			c.W.Error("ERR Unrecognized XCLAIM option '" + cstr(opt, -1) + "'")
			return
		}
	}
	if a.DeliveredAt == -1 {
		a.DeliveredAt = now
	} else if a.DeliveredAt < 0 || a.DeliveredAt > now {
		a.DeliveredAt = now
	}
	cl, err := g.Claim(a)
	if err != nil {
		c.W.Error(groupErrorReply(err, args))
		return
	}
	writeClaimed(&c.W, cl, a.JustID)
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
func cmdXAutoClaim(c *Conn, args [][]byte) {
	minIdle, ok := parseInt(args[4])
	if !ok {
		c.W.Error("ERR Invalid min-idle-time argument for XAUTOCLAIM")
		return
	}
	start, ex, ok := parseInterval(args[5], 0)
	if !ok {
		c.W.Error(errInvalidID)
		return
	}
	if ex {
		if start, ok = incrID(start); !ok {
			c.W.Error("ERR invalid start ID for the interval")
			return
		}
	}
	a := broker.AutoClaimArgs{Consumer: string(args[3]), MinIdle: max(minIdle, 0), Start: start, Count: 100}
	for j := 6; j < len(args); j++ {
		more := len(args) - 1 - j
		switch {
		case equalFold(args[j], "count") && more > 0:
			v, ok := parseInt(args[j+1])
			if !ok || v < 1 || v > (1<<63-1)/16 {
				c.W.Error("ERR COUNT must be > 0")
				return
			}
			a.Count = int(min(v, 1<<30))
			j++
		case equalFold(args[j], "justid"):
			a.JustID = true
		default:
			c.W.Error(errSyntax)
			return
		}
	}
	g := claimGroup(c, args)
	if g == nil {
		return
	}
	next, cl, deleted, err := g.AutoClaim(a)
	if err != nil {
		c.W.Error(groupErrorReply(err, args))
		return
	}
	c.W.Array(3)
	writeID(&c.W, next)
	writeClaimed(&c.W, cl, a.JustID)
	c.W.Array(len(deleted))
	for _, id := range deleted {
		writeID(&c.W, id)
	}
}
