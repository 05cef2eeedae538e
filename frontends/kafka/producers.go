// Idempotent producer state: producer id allocation for InitProducerId and,
// per (producer id, partition), the epoch, the last sequence and the last
// five batches, with the rules of Kafka 2.5+ (KIP-360):
//
//   - no state for the producer on the partition: any first sequence is
//     accepted (so UNKNOWN_PRODUCER_ID is never returned);
//   - an older epoch: INVALID_PRODUCER_EPOCH;
//   - a newer epoch: the sequence must restart at 0, else OUT_OF_ORDER;
//   - the same epoch: a batch matching one of the last five (first and last
//     sequence) is a duplicate, answered with success and the original base
//     offset; otherwise the first sequence must follow the last one (with
//     int32 wrap-around), else OUT_OF_ORDER_SEQUENCE_NUMBER.
//
// Producer ids are handed out from blocks whose upper bound is stored as a
// broker definition, so ids are not reused after a restart. Sequence state
// lives in memory: after a restart a producer is "unknown" and accepted.

package kafka

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"junction/broker"
)

const (
	pidBlock       = 1000
	pidDefKind     = "kafka"
	pidDefName     = "producer-id-limit"
	pidStateMaxAge = 24 * time.Hour // Kafka's producer.id.expiration.ms default
	seqWindow      = 5
)

// producers allocates producer ids and tracks sequence state.
type producers struct {
	s *Server

	mu     sync.Mutex // guards next, limit, loaded, states
	next   int64
	limit  int64
	loaded bool
	states map[pidKey]*seqState
}

type pidKey struct {
	pid int64
	p   *broker.Partition
}

// seqState is one producer's state on one partition. Its mutex is held
// from the sequence check through the append, so a producer's batches on a
// partition are checked and stored one at a time.
type seqState struct {
	mu       sync.Mutex // guards every field below
	epoch    int16
	lastSeq  int32
	n, at    int // entries used in ring, next slot
	ring     [seqWindow]seqBatch
	lastUsed int64 // unix ms
}

type seqBatch struct {
	first, last int32
	offset      int64
}

func newProducers(s *Server) *producers {
	return &producers{s: s, states: make(map[pidKey]*seqState)}
}

// allocate returns a new producer id.
func (ps *producers) allocate() (int64, error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if !ps.loaded {
		err := ps.s.b.Definitions(pidDefKind, func(name string, v []byte) error {
			if name == pidDefName {
				if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
					ps.next, ps.limit = n, n
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
		ps.loaded = true
	}
	if ps.next >= ps.limit {
		limit := ps.next + pidBlock
		if err := ps.s.b.SaveDefinition(pidDefKind, pidDefName, []byte(strconv.FormatInt(limit, 10))); err != nil {
			return 0, err
		}
		ps.limit = limit
	}
	id := ps.next
	ps.next++
	return id, nil
}

// state returns (creating) the state of pid on p.
func (ps *producers) state(pid int64, p *broker.Partition) *seqState {
	k := pidKey{pid, p}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	st := ps.states[k]
	if st == nil {
		st = &seqState{}
		ps.states[k] = st
	}
	return st
}

// expire drops state idle for longer than pidStateMaxAge or whose topic
// was deleted.
func (ps *producers) expire(now time.Time) {
	cutoff := now.Add(-pidStateMaxAge).UnixMilli()
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for k, st := range ps.states {
		gone := false
		select {
		case <-k.p.Topic().Deleted():
			gone = true
		default:
		}
		if !gone && st.mu.TryLock() {
			gone = st.lastUsed < cutoff
			st.mu.Unlock()
		}
		if gone {
			delete(ps.states, k)
		}
	}
}

// seqAdd adds d to a sequence number, wrapping at MaxInt32 as Kafka does.
func seqAdd(seq, d int32) int32 {
	if seq > math.MaxInt32-d {
		return d - (math.MaxInt32 - seq) - 1
	}
	return seq + d
}

// check validates a batch of count records starting at sequence first. It
// returns the original base offset and true for a duplicate, or an error
// code. Called with st.mu held.
func (st *seqState) check(epoch int16, first, count int32) (dupOffset int64, dup bool, code int16) {
	if st.n == 0 {
		return 0, false, 0
	}
	if epoch < st.epoch {
		return 0, false, kerr.InvalidProducerEpoch.Code
	}
	if epoch > st.epoch {
		if first != 0 {
			return 0, false, kerr.OutOfOrderSequenceNumber.Code
		}
		return 0, false, 0
	}
	last := seqAdd(first, count-1)
	for i := range st.n {
		if b := st.ring[i]; b.first == first && b.last == last {
			return b.offset, true, 0
		}
	}
	if first != seqAdd(st.lastSeq, 1) {
		return 0, false, kerr.OutOfOrderSequenceNumber.Code
	}
	return 0, false, 0
}

// record notes an appended batch. Called with st.mu held.
func (st *seqState) record(epoch int16, first, count int32, offset int64, now int64) {
	if st.n == 0 || epoch != st.epoch {
		st.n, st.at, st.epoch = 0, 0, epoch
	}
	last := seqAdd(first, count-1)
	st.ring[st.at] = seqBatch{first, last, offset}
	st.at = (st.at + 1) % seqWindow
	st.n = min(st.n+1, seqWindow)
	st.lastSeq = last
	st.lastUsed = now
}
