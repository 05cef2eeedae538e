// XADD batching: consecutive XADDs of one pipeline to the same stream are
// appended to its partition together, with one storage write (and, under
// --fsync always, one sync), and answered in order.
//
// A stageable XADD (fields under stageMaxBytes, outside MULTI/EXEC, replies
// on, and the same MAXLEN/MINID options as the XADDs staged before it, if
// any) is parsed and checked at once, its partition
// resolved (creating the stream) as usual, and its record kept in the
// connection's xaddBatch instead of being appended. The batch is committed,
// and its replies written, before anything else can write a reply or read
// the stream on this connection: at the start of any other command, before
// an XADD that is not staged or names another stream, before the
// connection waits for input (which is also when replies are flushed) and
// when it closes. So replies keep their order and bytes, and no command of
// this connection observes the stream before its earlier XADDs.
//
// A batch's trimming runs once after its append (an approximate one, whose
// LIMIT bounds each run, up to once per appended entry until it removes
// nothing): trims only ever remove the oldest entries, so the stream ends
// as it would have after trimming behind every XADD.
//
// Each entry keeps its own semantics: the broker checks every ID against the
// one before it (AppendEntries), so a stale explicit ID, or an exhausted
// stream, fails that XADD alone. If the stream was deleted or expired after
// staging, the staged XADDs run one by one at commit, as if received then.
// Other connections see the entries when the batch is committed (under the
// transaction lock, so never inside another client's EXEC), before the
// replies are sent; blocked readers are woken once per batch and read all
// of its entries. Staged records point into the request buffer, which the
// reader reuses only after the commit (XADD is ArgsTransient).
package redis

import (
	"bytes"
	"errors"
	"strconv"

	"junction/broker"
	"junction/storage"
)

// Staging limits: a batch is committed once it holds stageMaxEntries XADDs
// or stageMaxBytes of field data; an XADD with more field data than
// stageMaxBytes runs on its own.
const (
	stageMaxEntries = 1024
	stageMaxBytes   = 1 << 20
)

// xaddBatch holds a connection's staged XADDs and its XADD scratch space.
type xaddBatch struct {
	p     *broker.Partition
	key   []byte // the staged XADDs' key (request bytes, kept until commit)
	db    int    // and its database
	size  int    // field bytes staged
	noMk  []bool // NOMKSTREAM given
	recs  []storage.Record
	specs []broker.IDSpec
	errs  []error
	ends  []int // recs[i]'s fields are hdrs[ends[i-1]:ends[i]]
	hdrs  []storage.Header
	trim  addTrimArgs // the staged XADDs' trimming options (see trimOptions)

	// Scratch space of an unstaged XADD.
	one     storage.Record
	oneHdrs []storage.Header
}

// mayStageXAdd reports whether the running XADD, parsed into a, may be
// staged. dispatch sets stageOK for commands whose reply it keeps.
func (c *Conn) mayStageXAdd(a *addTrimArgs, fields [][]byte) bool {
	if !c.stageOK || c.inExec || c.nc == nil {
		return false
	}
	n := 0
	for _, f := range fields {
		n += len(f)
	}
	return n <= stageMaxBytes
}

// stageableNext reports whether dispatch may leave staged XADDs pending
// while it runs args: only for another XADD that will reach its handler
// with its reply kept (it then commits or stages itself).
func (c *Conn) stageableNext(args [][]byte) bool {
	return len(args) >= 5 && equalFold(args[0], "xadd") && c.authed && c.multi == nil &&
		!c.skipOne && !c.replyOff && !(c.W.Proto == 2 && c.subscribed())
}

// joins reports whether an XADD to key with trimming options a may join
// the XADDs being staged now.
func (b *xaddBatch) joins(c *Conn, key []byte, a *addTrimArgs) bool {
	return len(b.recs) > 0 && b.db == c.db && bytes.Equal(b.key, key) && a.trimOptions() == b.trim
}

// start begins a batch for p, key's partition, trimmed as a says (the
// batch is empty).
func (b *xaddBatch) start(c *Conn, p *broker.Partition, key []byte, a *addTrimArgs) {
	b.p, b.key, b.db = p, key, c.db
	b.trim = a.trimOptions()
}

// trimOptions is a with only its trimming options (MAXLEN/MINID, =/~, LIMIT).
func (a *addTrimArgs) trimOptions() addTrimArgs {
	return addTrimArgs{strategy: a.strategy, approx: a.approx, limit: a.limit, maxLen: a.maxLen, minID: a.minID}
}

// trimAfter applies the batch's trimming once n of its entries are
// appended (see the file comment).
func (b *xaddBatch) trimAfter(n int) {
	if b.trim.strategy == trimNone || n == 0 {
		return
	}
	runs := 1
	if b.trim.approx && b.trim.limit > 0 {
		runs = n
	}
	for range runs {
		if gone, err := b.trim.trim(b.p); err != nil || gone == 0 {
			return // the entries are added; a failed trim is not the client's error
		}
	}
}

// add stages one checked XADD.
func (b *xaddBatch) add(fields [][]byte, a *addTrimArgs) {
	b.hdrs = appendFields(b.hdrs, fields)
	b.ends = append(b.ends, len(b.hdrs))
	b.recs = append(b.recs, storage.Record{Origin: storage.OriginRedis})
	b.noMk = append(b.noMk, a.noMkStream)
	b.specs = append(b.specs, a.idSpec())
	b.errs = append(b.errs, nil)
	for _, f := range fields {
		b.size += len(f)
	}
}

// full reports whether the batch should be committed before staging more.
func (b *xaddBatch) full() bool {
	return len(b.recs) >= stageMaxEntries || b.size >= stageMaxBytes
}

// reset empties the batch, dropping references to request buffers.
func (b *xaddBatch) reset() {
	clear(b.recs)
	clear(b.errs)
	clear(b.hdrs)
	b.noMk, b.recs, b.specs, b.errs = b.noMk[:0], b.recs[:0], b.specs[:0], b.errs[:0]
	b.ends, b.hdrs = b.ends[:0], b.hdrs[:0]
	b.p, b.key, b.size = nil, nil, 0
	b.trim = addTrimArgs{}
}

// flushXAdds commits staged XADDs from the connection loop, outside any
// command handler (so it takes the transaction lock itself).
func (c *Conn) flushXAdds() {
	if len(c.xadds.recs) == 0 {
		return
	}
	c.srv.tx.RLock()
	defer c.srv.tx.RUnlock()
	c.commitXAdds()
}

// commitXAdds appends the staged XADDs and writes their replies; the caller
// holds the transaction lock (a command handler, or flushXAdds).
func (c *Conn) commitXAdds() {
	b := &c.xadds
	if len(b.recs) == 0 {
		return
	}
	defer b.reset()
	if len(b.recs) > 1 {
		c.srv.stats.xaddBatches.Add(1)
	}
	from := 0
	for i := range b.recs {
		b.recs[i].Headers = b.hdrs[from:b.ends[i]:b.ends[i]]
		from = b.ends[i]
	}
	var err error
	if c.srv.expired(b.p.Topic()) {
		err = broker.ErrTopicDeleted // expired since staging: the XADDs see no stream
	} else {
		err = b.p.AppendEntries(b.recs, b.specs, b.errs)
	}
	nerr := 0
	if errors.Is(err, broker.ErrTopicDeleted) {
		// The stream went away after staging: run each XADD as if it
		// arrived now (creating the stream anew, or NOMKSTREAM's null).
		for i := range b.recs {
			at := len(c.W.Buf)
			a := b.trim
			a.noMkStream = b.noMk[i]
			if p := xaddPartition(c, b.key, &a); p != nil {
				xaddAppend(c, p, b.key, b.recs[i].Headers, b.specs[i], &a)
			}
			if at < len(c.W.Buf) && c.W.Buf[at] == '-' {
				nerr++
			}
		}
	} else {
		// IDs of one batch mostly share their milliseconds part: format it once.
		var idBuf [48]byte
		id, msLen, lastMs := idBuf[:0], 0, uint64(0)
		for i := range b.recs {
			e := b.errs[i]
			if err != nil {
				e = err
			}
			switch {
			case e == nil:
				r := &b.recs[i]
				if msLen == 0 || r.ID.Ms != lastMs {
					id = append(strconv.AppendUint(idBuf[:0], r.ID.Ms, 10), '-')
					msLen, lastMs = len(id), r.ID.Ms
				}
				id = strconv.AppendUint(id[:msLen], r.ID.Seq, 10)
				c.W.Bulk(id)
				continue
			case errors.Is(e, broker.ErrIDTooSmall):
				c.W.Error(errXAddIDTooSmall)
			case errors.Is(e, broker.ErrStreamExhausted):
				c.W.Error(errXAddExhausted)
			default:
				c.W.Error(errorReply(e))
			}
			nerr++
		}
	}
	if nerr > 0 {
		c.srv.stats.errors.Add(int64(nerr))
	}
	if !errors.Is(err, broker.ErrTopicDeleted) {
		b.trimAfter(len(b.recs) - nerr)
	}
	c.mark = len(c.W.Buf) // a running command's reply starts after these
}
