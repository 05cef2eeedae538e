// Fetch v4–v12 (v13+ would need topic ids in requests). Records are encoded
// as uncompressed record batches v2, one per run of consecutive offsets
// (records deleted by other protocols leave offset gaps between batches),
// with their offsets and timestamps. MaxBytes (capped at 55 MiB, Kafka's
// fetch.max.bytes) and PartitionMaxBytes are honoured except that the first
// non-empty partition returns at least one record (KIP-74). When less than
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

package kafka

import (
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
			cfg := t.Config()
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
	st.buf = getRecords(1024)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
		putRecords(st.buf)
	}()
	for {
		st.reset()
		resp, total, final := s.buildFetch(req, parts, &st)
		timedOut := false
		if timer != nil {
			select {
			case <-timer.C:
				timedOut = true
			default:
			}
		}
		if final || int64(total) >= int64(req.MinBytes) || req.MaxWaitMillis <= 0 || timedOut || r.ctx.Err() != nil || len(st.waits) == 0 {
			st.handOver(r, total)
			return resp, nil
		}
		if timer == nil {
			timer = time.NewTimer(time.Duration(req.MaxWaitMillis) * time.Millisecond)
		}
		if s.fetchWaitHook != nil {
			s.fetchWaitHook()
		}
		if !wait(r, timer.C, st.waits) {
			// Deadline or shutdown: answer with whatever is there now.
			st.reset()
			resp, total, _ := s.buildFetch(req, parts, &st)
			st.handOver(r, total)
			return resp, nil
		}
	}
}

// fetchState is one Fetch request's scratch space.
type fetchState struct {
	buf     []storage.Record  // records read from a partition
	waits   []<-chan struct{} // Changed channels of the partitions
	release [][]byte          // pooled record batch buffers of the response
	parts   int               // partitions in the response
}

// reset drops the previous build: its response is not sent.
func (st *fetchState) reset() {
	for _, b := range st.release {
		putBuf(b)
	}
	st.release, st.waits, st.parts = st.release[:0], st.waits[:0], 0
}

// handOver gives the response's pooled buffers to the request, which
// returns them once the response is encoded, and sizes the frame.
func (st *fetchState) handOver(r *request, total int) {
	r.release = append(r.release, st.release...)
	st.release = st.release[:0]
	r.sizeHint = total + 64*st.parts + 256
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

// buildFetch reads what is available now. It returns the response, the
// record bytes in it, and whether it must be sent at once (a partition
// error). waits receives the Changed channel of every partition, taken
// before its end offset was read, so an append after the read is not missed.
func (s *Server) buildFetch(req *kmsg.FetchRequest, parts [][]fetchPart, st *fetchState) (*kmsg.FetchResponse, int, bool) {
	resp := req.ResponseKind().(*kmsg.FetchResponse)
	budget := int64(maxFetchBytes)
	if req.MaxBytes > 0 {
		budget = min(budget, int64(req.MaxBytes))
	}
	total, final := 0, false
	resp.Topics = make([]kmsg.FetchResponseTopic, 0, len(req.Topics))
	for i := range req.Topics {
		rt := &req.Topics[i]
		ft := kmsg.NewFetchResponseTopic()
		ft.Topic = rt.Topic
		ft.Partitions = make([]kmsg.FetchResponseTopicPartition, 0, len(rt.Partitions))
		for j := range rt.Partitions {
			rp := &rt.Partitions[j]
			fp := kmsg.NewFetchResponseTopicPartition()
			fp.Partition = rp.Partition
			// Never null: librdkafka rejects a -1 record set size.
			fp.RecordBatches = []byte{}
			if req.IsolationLevel == 1 {
				fp.AbortedTransactions = []kmsg.FetchResponseTopicPartitionAbortedTransaction{}
			}
			p := parts[i][j].p
			deleted := false
			if p != nil {
				select {
				case <-p.Topic().Deleted():
					deleted = true
				default:
				}
			}
			switch {
			case p == nil || deleted:
				fp.ErrorCode = kerr.UnknownTopicOrPartition.Code
				final = true
			case rp.CurrentLeaderEpoch > 0:
				fp.ErrorCode = kerr.UnknownLeaderEpoch.Code
				final = true
			default:
				st.waits = append(st.waits, p.Changed())
				start, end := p.Start(), p.End()
				fp.HighWatermark, fp.LastStableOffset, fp.LogStartOffset = end, end, start
				off := rp.FetchOffset
				if off < start || off > end {
					fp.ErrorCode = kerr.OffsetOutOfRange.Code
					final = true
					break
				}
				limit := min(int64(rp.PartitionMaxBytes), budget-int64(total))
				if off == end || limit <= 0 && total > 0 {
					break
				}
				// Stored sizes overestimate encoded ones: read a little
				// more than the limit and let encodeFetch cut.
				recs, err := p.Read(st.buf[:0], off, 0, int(max(limit+limit/2, 1)))
				st.buf = recs
				if err != nil {
					fp.ErrorCode = errCode(err)
					final = true
					break
				}
				if len(recs) > 0 {
					out := getBuf(min(estimateBatches(recs), int(limit)+batchHeaderLen))
					fp.RecordBatches, _ = encodeFetch(out, recs, int(limit), total == 0, parts[i][j].logAppend)
					total += len(fp.RecordBatches)
					st.release = append(st.release, fp.RecordBatches)
				}
				clear(st.buf) // do not pin record memory in the reused buffer
			}
			ft.Partitions = append(ft.Partitions, fp)
			st.parts++
		}
		resp.Topics = append(resp.Topics, ft)
	}
	return resp, total, final
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
