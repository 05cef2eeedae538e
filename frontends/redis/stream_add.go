// XADD, XTRIM, XDEL, XLEN and XSETID as in Redis 7.2, with every option
// (NOMKSTREAM, MAXLEN/MINID with = or ~, LIMIT, "*", "<ms>-*" and explicit
// IDs) and Redis's error texts. Differences: approximate trimming removes
// whole nodes of 100 entries (see broker/stream_nodes.go), so it matches
// Redis for small entries but Redis's 4 KiB node limit is not modelled; the
// "Elements are too large to be stored" error does not exist.
package redis

import (
	"errors"

	"junction/broker"
	"junction/storage"
)

func init() {
	register(
		&Command{Name: "xadd", Arity: -5, Flags: []string{"write", "denyoom", "fast"}, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdXAdd,
			ArgsTransient: true},
		&Command{Name: "xtrim", Arity: -4, Flags: []string{"write"}, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdXTrim},
		&Command{Name: "xdel", Arity: -3, Flags: []string{"write", "fast"}, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdXDel},
		&Command{Name: "xlen", Arity: 2, Flags: []string{"readonly", "fast"}, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdXLen},
		&Command{Name: "xsetid", Arity: -3, Flags: []string{"write", "denyoom", "fast"}, FirstKey: 1, LastKey: 1, Step: 1, Handler: cmdXSetID},
	)
}

// Trim strategies.
const (
	trimNone = iota
	trimMaxLen
	trimMinID
)

// addTrimArgs are the parsed options of XADD and XTRIM (streamAddTrimArgs).
type addTrimArgs struct {
	id         storage.StreamID
	idGiven    bool // an ID other than "*"
	seqGiven   bool // not the "<ms>-*" form
	noMkStream bool
	strategy   int
	approx     bool
	limit      int64
	maxLen     int64
	minID      storage.StreamID
}

// parseAddTrim is streamParseAddOrTrimArgsOrReply. It returns the index of
// the ID argument (XADD), or -1 and the error reply's text.
func parseAddTrim(args [][]byte, xadd bool, a *addTrimArgs) (int, string) {
	i := 2
	limitGiven := false
	for ; i < len(args); i++ {
		more := len(args) - 1 - i
		opt := args[i]
		switch {
		case xadd && len(opt) == 1 && opt[0] == '*':
			goto done
		case equalFold(opt, "maxlen") && more > 0, equalFold(opt, "minid") && more > 0:
			if a.strategy != trimNone {
				return -1, "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
			}
			maxlen := equalFold(opt, "maxlen")
			a.approx = false
			if next := args[i+1]; more >= 2 && len(next) == 1 && (next[0] == '~' || next[0] == '=') {
				a.approx = next[0] == '~'
				i++
			}
			if maxlen {
				n, ok := parseInt(args[i+1])
				if !ok {
					return -1, errNotInt
				}
				if n < 0 {
					return -1, "ERR The MAXLEN argument must be >= 0."
				}
				a.maxLen, a.strategy = n, trimMaxLen
			} else {
				id, ok := parseStrictID(args[i+1], 0)
				if !ok {
					return -1, errInvalidID
				}
				a.minID, a.strategy = id, trimMinID
			}
			i++
		case equalFold(opt, "limit") && more > 0:
			n, ok := parseInt(args[i+1])
			if !ok {
				return -1, errNotInt
			}
			if n < 0 {
				return -1, "ERR The LIMIT argument must be >= 0."
			}
			a.limit, limitGiven = n, true
			i++
		case xadd && equalFold(opt, "nomkstream"):
			a.noMkStream = true
		case xadd:
			id, seqGiven, ok := parseID(opt, 0, true, true)
			if !ok {
				return -1, errInvalidID
			}
			a.id, a.seqGiven, a.idGiven = id, seqGiven, true
			goto done
		default:
			return -1, errSyntax
		}
	}
done:
	if a.limit != 0 && a.strategy == trimNone {
		return -1, "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"
	}
	if !xadd && a.strategy == trimNone {
		return -1, "ERR syntax error, XTRIM must be called with a trimming strategy"
	}
	switch {
	case limitGiven && !a.approx:
		return -1, "ERR syntax error, LIMIT cannot be used without the special ~ option"
	case !limitGiven && a.approx:
		a.limit = 100 * 100 // 100 nodes of stream-node-max-entries
	case !limitGiven:
		a.limit = 0
	}
	return i, ""
}

// trim applies a parsed trimming strategy and returns how many entries went.
func (a *addTrimArgs) trim(p *broker.Partition) (int64, error) {
	switch a.strategy {
	case trimMaxLen:
		return p.TrimMaxLen(a.maxLen, a.approx, a.limit)
	case trimMinID:
		return p.TrimMinID(a.minID, a.approx, a.limit)
	}
	return 0, nil
}

// XADD key [NOMKSTREAM] [<MAXLEN|MINID> [=|~] threshold [LIMIT count]] <*|id> field value [field value …]
//
// Consecutive XADDs of one pipeline to the same stream are staged and
// appended together (see stream_add_batch.go); every other XADD runs at
// once. XADD takes the transaction lock itself (staging needs none).
func cmdXAdd(c *Conn, args [][]byte) {
	var a addTrimArgs
	fieldPos, msg := checkXAdd(args, &a)
	stage := msg == "" && c.mayStageXAdd(&a, args[fieldPos:])
	if stage && c.xadds.joins(c, args[1], &a) && !c.xadds.full() {
		c.xadds.add(args[fieldPos:], &a)
		return
	}
	if !c.inExec {
		c.srv.tx.RLock()
		defer c.srv.tx.RUnlock()
	}
	c.commitXAdds()
	if msg != "" {
		c.W.Error(msg)
		return
	}
	p := xaddPartition(c, args[1], &a)
	if p == nil {
		return
	}
	if stage {
		c.xadds.start(c, p, args[1], &a)
		c.xadds.add(args[fieldPos:], &a)
		return
	}
	hs := appendFields(c.xadds.oneHdrs[:0], args[fieldPos:])
	xaddAppend(c, p, args[1], hs, a.idSpec(), &a)
	clear(hs) // do not pin the request's buffers
	c.xadds.oneHdrs = hs[:0]
}

// checkXAdd parses XADD's arguments and returns the index of the first
// field, or the error reply's text.
func checkXAdd(args [][]byte, a *addTrimArgs) (fieldPos int, msg string) {
	idPos, msg := parseAddTrim(args, true, a)
	if idPos < 0 {
		return 0, msg
	}
	fieldPos = idPos + 1
	if n := len(args) - fieldPos; n < 2 || n%2 == 1 {
		return 0, arityError("xadd")
	}
	if a.idGiven && a.seqGiven && a.id.IsZero() {
		return 0, "ERR The ID specified in XADD must be greater than 0-0"
	}
	return fieldPos, ""
}

// xaddPartition returns the partition XADD appends to, creating the stream
// unless NOMKSTREAM; nil after writing the reply (null or an error).
func xaddPartition(c *Conn, key []byte, a *addTrimArgs) *broker.Partition {
	if a.noMkStream {
		p := streamPartition(c, key)
		if p == nil {
			c.W.Null()
		}
		return p
	}
	p, err := createStream(c, key)
	if err != nil {
		c.W.Error(errorReply(err))
		return nil
	}
	return p
}

// idSpec is the broker's form of XADD's ID argument.
func (a *addTrimArgs) idSpec() broker.IDSpec {
	switch {
	case a.idGiven && a.seqGiven:
		return broker.IDSpec{Mode: broker.IDExplicit, Ms: a.id.Ms, Seq: a.id.Seq}
	case a.idGiven:
		return broker.IDSpec{Mode: broker.IDAutoSeq, Ms: a.id.Ms}
	}
	return broker.IDSpec{Mode: broker.IDAuto}
}

// XADD error replies for refused IDs.
const (
	errXAddIDTooSmall = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
	errXAddExhausted  = "ERR The stream has exhausted the last possible ID, unable to add more items"
)

// xaddAppend appends one entry with fields hs and the ID spec asks for to
// p (key's partition), replies, and trims as a says.
func xaddAppend(c *Conn, p *broker.Partition, key []byte, hs []storage.Header, spec broker.IDSpec, a *addTrimArgs) {
	if p.LastID() == maxID {
		c.W.Error(errXAddExhausted)
		return
	}
	// The storage copies what it keeps: the record is the connection's
	// scratch space.
	rec := &c.xadds.one
	*rec = storage.Record{Origin: storage.OriginRedis, Headers: hs}
	defer func() { *rec = storage.Record{} }()
	_, err := p.AppendEntry(rec, spec)
	if errors.Is(err, broker.ErrTopicDeleted) && !a.noMkStream {
		// Deleted meanwhile: the stream is created anew, as Redis would.
		if p, err = createStream(c, key); err == nil {
			_, err = p.AppendEntry(rec, spec)
		}
	}
	if err != nil {
		if errors.Is(err, broker.ErrIDTooSmall) {
			c.W.Error(errXAddIDTooSmall)
		} else {
			c.W.Error(errorReply(err))
		}
		return
	}
	writeID(&c.W, rec.ID)
	if a.strategy != trimNone {
		_, _ = a.trim(p) // the entry is added; a failed trim is not the client's error
	}
}

// appendFields appends XADD's field/value pairs to hs.
func appendFields(hs []storage.Header, fields [][]byte) []storage.Header {
	for i := 0; i+1 < len(fields); i += 2 {
		hs = append(hs, storage.Header{Key: fields[i], Value: fields[i+1]})
	}
	return hs
}

// XTRIM key <MAXLEN|MINID> [=|~] threshold [LIMIT count]
func cmdXTrim(c *Conn, args [][]byte) {
	var a addTrimArgs
	if i, msg := parseAddTrim(args, false, &a); i < 0 {
		c.W.Error(msg)
		return
	}
	p := streamPartition(c, args[1])
	if p == nil {
		c.W.Int(0)
		return
	}
	n, err := a.trim(p)
	if err != nil {
		c.W.Error(errorReply(err))
		return
	}
	c.W.Int(n)
}

// XDEL key id [id …]
func cmdXDel(c *Conn, args [][]byte) {
	p := streamPartition(c, args[1])
	if p == nil {
		c.W.Int(0)
		return
	}
	ids := make([]storage.StreamID, len(args)-2)
	for i, a := range args[2:] {
		id, ok := parseStrictID(a, 0)
		if !ok {
			c.W.Error(errInvalidID)
			return
		}
		ids[i] = id
	}
	n, err := p.DeleteIDs(ids)
	if err != nil {
		c.W.Error(errorReply(err))
		return
	}
	c.W.Int(int64(n))
}

// XLEN key
func cmdXLen(c *Conn, args [][]byte) {
	p := streamPartition(c, args[1])
	if p == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(p.Len())
}

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
func cmdXSetID(c *Conn, args [][]byte) {
	id, ok := parseStrictID(args[2], 0)
	if !ok {
		c.W.Error(errInvalidID)
		return
	}
	entriesAdded := int64(-1)
	var maxDel storage.StreamID
	for i := 3; i < len(args); i += 2 {
		more := len(args) - 1 - i
		switch {
		case equalFold(args[i], "entriesadded") && more > 0:
			n, ok := parseInt(args[i+1])
			if !ok {
				c.W.Error(errNotInt)
				return
			}
			if n < 0 {
				c.W.Error("ERR entries_added must be positive")
				return
			}
			entriesAdded = n
		case equalFold(args[i], "maxdeletedid") && more > 0:
			md, ok := parseStrictID(args[i+1], 0)
			if !ok {
				c.W.Error(errInvalidID)
				return
			}
			if id.Less(md) {
				c.W.Error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
				return
			}
			maxDel = md
		default:
			c.W.Error(errSyntax)
			return
		}
	}
	p := streamPartition(c, args[1])
	if p == nil {
		c.W.Error(errNoSuchKey)
		return
	}
	if id.Less(p.TombstoneID()) {
		c.W.Error("ERR The ID specified in XSETID is smaller than current max_deleted_entry_id")
		return
	}
	if length := p.Len(); length > 0 {
		last, ok, err := p.LastEntry()
		if err != nil {
			c.W.Error(errorReply(err))
			return
		}
		if ok && id.Less(last.ID) {
			c.W.Error("ERR The ID specified in XSETID is smaller than the target stream top item")
			return
		}
		if entriesAdded != -1 && length > entriesAdded {
			c.W.Error("ERR The entries_added specified in XSETID is smaller than the target stream length")
			return
		}
	}
	var ea *int64
	if entriesAdded != -1 {
		ea = &entriesAdded
	}
	var md *storage.StreamID
	if !maxDel.IsZero() {
		md = &maxDel
	}
	if err := p.SetStreamState(id, ea, md); err != nil {
		c.W.Error(errorReply(err))
		return
	}
	c.W.OK()
}
