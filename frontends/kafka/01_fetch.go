// Fetch v4–v12 (v13+ would need topic ids in requests). Records are encoded
// as uncompressed record batches v2, one per run of consecutive offsets
// (records deleted by other protocols leave offset gaps between batches),
// with their offsets and timestamps. MaxBytes (capped at 55 MiB, Kafka's
// fetch.max.bytes) and PartitionMaxBytes are honoured except that the first
// non-empty partition returns at least one record (KIP-74); records are
// returned up to the HighWatermark the response reports. When less than
// MinBytes is ready the request long-polls: it selects on
// Partition.Changed() of every requested partition, the MaxWaitMs timer,
// the connection and the server; it never polls. Empty record sets are
// encoded empty, never null (librdkafka rejects a null one).
// HighWatermark and LastStableOffset are End(), LogStartOffset is Start();
// there are no aborted transactions (an empty list for READ_COMMITTED).
// Fetch sessions (KIP-227) are declined with SessionID 0; a request naming
// a session gets FETCH_SESSION_ID_NOT_FOUND. Any partition error (unknown
// topic or partition, OFFSET_OUT_OF_RANGE outside [Start, End],
// UNKNOWN_LEADER_EPOCH for an epoch above 0) answers at once.
//
// The response is encoded by hand (the same bytes kmsg would produce, see
// TestFetchEncodingMatchesKmsg) into pooled buffers that the connection
// writes in turn: records go from the storage read to the socket with one
// encoding and no intermediate copy. Stored sizes overestimate encoded
// ones, so a partition reads up to its byte limit and then reads on with
// what is left of it (a few rounds at most) instead of reading past the
// limit and discarding the excess.

package kafka

import (
	"encoding/binary"
	"math"
	"reflect"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"junction/broker"
	"junction/storage"
)

func init() {
	register(api{key: 1, min: 4, max: 12, handle: handleFetch, blocking: true})
}

// maxFetchBytes caps a fetch response whatever the client asks for, as
// Kafka's fetch.max.bytes does (same default).
const maxFetchBytes = 55 << 20

// fetchPart is one requested partition, resolved once per request.
type fetchPart struct {
	p         *broker.Partition // nil: unknown topic or partition
	logAppend bool
}

func handleFetch(r *request) (kmsg.Response, error) {
	s := r.s
	req := r.kreq.(*kmsg.FetchRequest)
	if req.SessionID != 0 {
		resp := req.ResponseKind().(*kmsg.FetchResponse)
		resp.ErrorCode = kerr.FetchSessionIDNotFound.Code
		return resp, nil
	}
	parts := make([][]fetchPart, len(req.Topics))
	for i, rt := range req.Topics {
		t := s.b.Topic(rt.Topic)
		var logAppend bool
		if t != nil {
			cfg := t.ConfigView()
			logAppend = logAppendTime(&cfg)
		}
		parts[i] = make([]fetchPart, len(rt.Partitions))
		for j, rp := range rt.Partitions {
			parts[i][j] = fetchPart{p: t.Partition(int(rp.Partition)), logAppend: logAppend}
		}
	}

	var (
		timer *time.Timer
		st    fetchState
	)
	if r.c != nil {
		st.ahead = &r.c.ahead
	}
	st.buf = getRecords(1024)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
		putRecords(st.buf)
		st.reset()
		putBuf(st.meta)
	}()
	for {
		total, final := s.buildFetch(r.version, req, parts, &st)
		timedOut := false
		if timer != nil {
			select {
			case <-timer.C:
				timedOut = true
			default:
			}
		}
		if final || int64(total) >= int64(req.MinBytes) || req.MaxWaitMillis <= 0 || timedOut || r.ctx.Err() != nil || len(st.waits) == 0 {
			st.ahead.start(st.next)
			st.handOver(r)
			return nil, nil
		}
		st.reset() // do not hold record buffers through the wait
		if timer == nil {
			timer = time.NewTimer(time.Duration(req.MaxWaitMillis) * time.Millisecond)
		}
		if s.fetchWaitHook != nil {
			s.fetchWaitHook()
		}
		if !wait(r, timer.C, st.waits) {
			// Deadline or shutdown: answer with whatever is there now.
			s.buildFetch(r.version, req, parts, &st)
			st.handOver(r)
			return nil, nil
		}
	}
}

// fetchState is one Fetch request's scratch space. The response is built
// in pieces: meta holds every byte but the record sets, which are encoded
// into buffers of their own (so a response of many partitions is neither
// copied nor grown as a whole) and written between the pieces of meta.
type fetchState struct {
	buf   []storage.Record  // records read from a partition
	waits []<-chan struct{} // Changed channels of the partitions
	meta  []byte            // the response but its record sets (pooled; nil: none yet)
	sets  []recordSet       // the record sets in response order
	ahead *readAhead        // the connection's sets read ahead (nil: none)
	next  []aheadNext       // what to read ahead once this response is sent
}

// recordSet is a partition's encoded records, which go after meta[:at].
type recordSet struct {
	at   int
	data []byte // pooled
}

// reset drops the record sets of the last build.
func (st *fetchState) reset() {
	for _, rs := range st.sets {
		putBuf(rs.data)
	}
	clear(st.sets)
	st.sets = st.sets[:0]
}

// handOver gives the built response to r (see request.pieces); the
// buffers go with it.
func (st *fetchState) handOver(r *request) {
	pieces := make([][]byte, 0, 2*len(st.sets)+1)
	release := make([][]byte, 0, len(st.sets)+1)
	at := 0
	for _, rs := range st.sets {
		pieces = append(pieces, st.meta[at:rs.at], rs.data)
		release = append(release, rs.data)
		at = rs.at
	}
	r.pieces = append(pieces, st.meta[at:])
	r.release = append(release, st.meta)
	st.meta = nil
	clear(st.sets)
	st.sets = st.sets[:0]
}

// wait blocks until one of waits is closed (true), or the deadline, the
// connection or the broker ends it (false).
func wait(r *request, deadline <-chan time.Time, waits []<-chan struct{}) bool {
	done, closed := r.ctx.Done(), r.s.b.Done()
	if len(waits) == 1 {
		select {
		case <-waits[0]:
			return true
		case <-deadline:
		case <-done:
		case <-closed:
		}
		return false
	}
	cases := make([]reflect.SelectCase, 0, 3+len(waits))
	cases = append(cases,
		reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(deadline)},
		reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(done)},
		reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(closed)})
	for _, w := range waits {
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(w)})
	}
	chosen, _, _ := reflect.Select(cases)
	return chosen >= 3
}

// maxReadRounds bounds the reads of one partition in one response.
const maxReadRounds = 4

// buildFetch encodes the response to req as it stands now into st (see
// fetchState), starting with frameStart: conn.run fills in the frame's
// size and correlation id. It returns the record bytes in it and whether
// it must be sent at once (a partition error). waits receives the Changed
// channel of every partition, taken before its end offset was read, so an
// append after the read is not missed.
func (s *Server) buildFetch(version int16, req *kmsg.FetchRequest, parts [][]fetchPart, st *fetchState) (int, bool) {
	flex := version >= 12
	budget := int64(maxFetchBytes)
	if req.MaxBytes > 0 {
		budget = min(budget, int64(req.MaxBytes))
	}
	st.reset()
	st.waits = st.waits[:0]
	st.next = st.next[:0]
	if st.meta == nil {
		st.meta = getBuf(4 << 10)
	}
	out := frameStart(st.meta[:0], flex)
	out = binary.BigEndian.AppendUint32(out, 0) // throttle ms
	if version >= 7 {
		out = binary.BigEndian.AppendUint16(out, 0) // error code
		out = binary.BigEndian.AppendUint32(out, 0) // session id
	}
	out = appendArrayLen(out, len(req.Topics), flex)
	total, final := 0, false
	for i := range req.Topics {
		rt := &req.Topics[i]
		out = growBuf(out, 16+len(rt.Topic))
		out = appendString(out, rt.Topic, flex)
		out = appendArrayLen(out, len(rt.Partitions), flex)
		for j := range rt.Partitions {
			rp := &rt.Partitions[j]
			fp := &parts[i][j]
			p := fp.p
			if p != nil {
				select {
				case <-p.Topic().Deleted():
					p = nil
				default:
				}
			}
			var (
				code            int16
				hw, lso, lstart int64 = 0, -1, -1
				off, end              = rp.FetchOffset, int64(0)
			)
			switch {
			case p == nil:
				code, final = kerr.UnknownTopicOrPartition.Code, true
			case rp.CurrentLeaderEpoch > 0:
				code, final = kerr.UnknownLeaderEpoch.Code, true
			default:
				st.waits = append(st.waits, p.Changed())
				var start int64
				start, end = p.Start(), p.End()
				hw, lso, lstart = end, end, start
				if off < start || off > end {
					code, final = kerr.OffsetOutOfRange.Code, true
				}
			}
			var set []byte
			limit := min(int64(rp.PartitionMaxBytes), budget-int64(total))
			if code == 0 && off < end && (limit > 0 || total == 0) {
				lim := int(min(limit, maxFetchBytes))
				var next int64
				set, next = st.ahead.take(p, off, lim, fp.logAppend)
				if set != nil {
					s.aheadUsed.Add(1)
				} else {
					var err error
					if set, next, err = fetchRecords(st, p, off, end, lim, total == 0, fp.logAppend); err != nil {
						code, final = errCode(err), true
					}
				}
				if len(set) > 0 && next < end {
					st.next = append(st.next, aheadNext{p: p, off: next, limit: lim, logAppend: fp.logAppend})
				}
				total += len(set)
			}
			out = growBuf(out, 64)
			out = binary.BigEndian.AppendUint32(out, uint32(rp.Partition))
			out = binary.BigEndian.AppendUint16(out, uint16(code))
			out = binary.BigEndian.AppendUint64(out, uint64(hw))
			out = binary.BigEndian.AppendUint64(out, uint64(lso))
			if version >= 5 {
				out = binary.BigEndian.AppendUint64(out, uint64(lstart))
			}
			// Aborted transactions: none; null unless READ_COMMITTED.
			if req.IsolationLevel == 1 {
				out = appendArrayLen(out, 0, flex)
			} else {
				out = appendNullArray(out, flex)
			}
			if version >= 11 {
				out = binary.BigEndian.AppendUint32(out, math.MaxUint32) // preferred read replica -1
			}
			// The record set: never null (librdkafka rejects a null one).
			if flex {
				out = binary.AppendUvarint(out, uint64(len(set))+1)
			} else {
				out = binary.BigEndian.AppendUint32(out, uint32(len(set)))
			}
			if len(set) > 0 {
				st.sets = append(st.sets, recordSet{at: len(out), data: set})
			} else if set != nil {
				putBuf(set)
			}
			if flex {
				out = append(out, 0) // partition tags
			}
		}
		if flex {
			out = append(out, 0) // topic tags
		}
	}
	if flex {
		out = append(out, 0) // response tags
	}
	st.meta = out
	return total, final
}

// fetchRecords encodes a partition's records from off (below end) into a
// pooled buffer: at most limit bytes, and at least one record with minOne;
// next is the offset after the last record encoded (off if none). On a
// read error it returns no records and the error.
func fetchRecords(st *fetchState, p *broker.Partition, off, end int64, limit int, minOne, logAppend bool) (_ []byte, next int64, _ error) {
	var out []byte
	next = off
	// Read limits Record.Size, which overestimates the encoded size: after
	// the first round, ask for what is left scaled by the ratio seen.
	asked := 0
	for round := 0; round < maxReadRounds && off < end; round++ {
		room := limit - len(out)
		if round > 0 && room <= batchHeaderLen {
			break
		}
		ask := room
		if len(out) > 0 {
			ask = int(min(int64(room)*int64(asked)/int64(len(out)), 2*int64(room)))
		}
		recs, err := p.Read(st.buf[:0], off, int(end-off), max(ask, 1))
		st.buf = recs
		if err != nil {
			clear(st.buf)
			putBuf(out)
			return nil, 0, err
		}
		if len(recs) == 0 {
			break
		}
		if out == nil {
			out = getBuf(fetchRoom(recs, room))
		} else {
			out = growBuf(out, fetchRoom(recs, room))
		}
		var n int
		out, n = encodeFetch(out, recs, room, minOne && round == 0, logAppend)
		asked += ask
		if n > 0 {
			next = recs[n-1].Offset + 1
		}
		off = recs[len(recs)-1].Offset + 1
		clear(st.buf) // do not pin record memory in the reused buffer
		if n < len(recs) {
			break // the limit cut this read short
		}
	}
	return out, next, nil
}

// fetchRoom is the buffer space encoding recs within room takes at most:
// encodeFetch stays within room but for a first record that alone exceeds
// it. A short read is sized by its estimate instead, so a small answer to a
// large limit does not take a large buffer.
func fetchRoom(recs []storage.Record, room int) int {
	most := max(room, recordSize(&recs[0], recs[0].Offset)+batchHeaderLen)
	if len(recs) > 64 && room <= 8<<20 {
		return most
	}
	return min(estimateBatches(recs), most)
}

// growBuf makes room for n more bytes in b, moving to a larger pooled
// buffer when needed.
func growBuf(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	nb := append(getBuf(max(len(b)+n, 2*cap(b))), b...)
	putBuf(b)
	return nb
}

// appendArrayLen appends an array length: compact (n+1 as a uvarint) in
// flexible versions, int32 before.
func appendArrayLen(b []byte, n int, flex bool) []byte {
	if flex {
		return binary.AppendUvarint(b, uint64(n)+1)
	}
	return binary.BigEndian.AppendUint32(b, uint32(n))
}

// appendNullArray appends a null array.
func appendNullArray(b []byte, flex bool) []byte {
	if flex {
		return append(b, 0)
	}
	return binary.BigEndian.AppendUint32(b, math.MaxUint32)
}

// appendString appends a non-null string.
func appendString(b []byte, v string, flex bool) []byte {
	if flex {
		b = binary.AppendUvarint(b, uint64(len(v))+1)
	} else {
		b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
	}
	return append(b, v...)
}

// recordSize is about the encoded size of r in a batch based at base.
func recordSize(r *storage.Record, base int64) int {
	n := recordBodyLen(r, 0, r.Offset-base)
	return n + varintLen(int64(n)) + 8 // room for the timestamp delta
}

// estimateBatches sizes the buffer for appendBatches(recs).
func estimateBatches(recs []storage.Record) int {
	n := batchHeaderLen
	for i := range recs {
		n += recordSize(&recs[i], recs[0].Offset)
	}
	return n + n/64
}
