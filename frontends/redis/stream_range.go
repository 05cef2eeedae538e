// XRANGE and XREVRANGE as in Redis 7.2: "-" and "+", incomplete IDs
// ("<ms>" is <ms>-0 as a start and <ms>-<max> as an end), exclusive "("
// bounds, and COUNT (COUNT 0 replies with a null array, as Redis does).
package redis

import "junction/storage"

func init() {
	register(
		&Command{Name: "xrange", Arity: -4, Flags: []string{"readonly"}, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdXRange},
		&Command{Name: "xrevrange", Arity: -4, Flags: []string{"readonly"}, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdXRevRange},
	)
}

// XRANGE key start end [COUNT count]
func cmdXRange(c *Conn, args [][]byte) { xrange(c, args, false) }

// XREVRANGE key end start [COUNT count]
func cmdXRevRange(c *Conn, args [][]byte) { xrange(c, args, true) }

// parseRange parses an XRANGE-style start and end with exclusive bounds,
// replying with an error and returning false when they are invalid.
func parseRange(c *Conn, startArg, endArg []byte) (start, end storage.StreamID, ok bool) {
	start, ex, ok := parseInterval(startArg, 0)
	if !ok {
		c.W.Error(errInvalidID)
		return start, end, false
	}
	if ex {
		if start, ok = incrID(start); !ok {
			c.W.Error("ERR invalid start ID for the interval")
			return start, end, false
		}
	}
	end, ex, ok = parseInterval(endArg, ^uint64(0))
	if !ok {
		c.W.Error(errInvalidID)
		return start, end, false
	}
	if ex {
		if end, ok = decrID(end); !ok {
			c.W.Error("ERR invalid end ID for the interval")
			return start, end, false
		}
	}
	return start, end, true
}

func xrange(c *Conn, args [][]byte, rev bool) {
	startArg, endArg := args[2], args[3]
	if rev {
		startArg, endArg = endArg, startArg
	}
	start, end, ok := parseRange(c, startArg, endArg)
	if !ok {
		return
	}
	count := int64(-1)
	for j := 4; j < len(args); j++ {
		if equalFold(args[j], "count") && len(args)-j-1 >= 1 {
			n, ok := parseInt(args[j+1])
			if !ok {
				c.W.Error(errNotInt)
				return
			}
			count = max(n, 0)
			j++
			continue
		}
		c.W.Error(errSyntax)
		return
	}
	p := streamPartition(c, args[1])
	if p == nil {
		c.W.Array(0)
		return
	}
	if count == 0 {
		c.W.NullArray()
		return
	}
	n := int(min(max(count, 0), 1<<31-1))
	var recs []storage.Record
	var err error
	if rev {
		recs, err = p.ReadRangeRev(nil, end, start, n)
	} else {
		recs, err = p.ReadRange(nil, start, end, n)
	}
	if err != nil {
		c.W.Error(errorReply(err))
		return
	}
	writeEntries(&c.W, recs)
}
