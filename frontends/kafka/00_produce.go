// Produce v0–v11. Advertised from v0 because librdkafka < 2.11.1 enables
// compression only when an exact version matches. Each partition's payload
// must be one record batch v2 (magic 2) or a v0/v1 message set, which is
// converted message by message; gzip, snappy (raw and xerial), lz4 and zstd
// are decompressed; the batch CRC is checked (CORRUPT_MESSAGE), its size
// against max.message.bytes (MESSAGE_TOO_LARGE) and its structure
// (INVALID_RECORD). The batch's records are appended with one
// Partition.Append; with the broker's FsyncAlways policy that returns after
// the sync, so acks=1 and acks=-1 are the same on one node; acks=0 sends no
// response. Idempotent batches are checked against the producer's last five
// batches (see producers.go); duplicates are answered with success and the
// original base offset. Topics with message.timestamp.type=LogAppendTime
// get the append time. A partition over retention.bytes by a whole segment
// has retention applied right after the append.
//
// Differences from Kafka: transactional batches are refused with
// INVALID_RECORD (no transactions); records are stored uncompressed (the
// batch's compression is not kept); a batch may decompress to at most
// 64 MiB and hold at most 2^20 records; magic-0 lz4 message sets with
// Kafka 0.8's wrong frame checksum (KAFKA-3160) are CORRUPT_MESSAGE;
// TimeoutMillis is ignored.

package kafka

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"junction/broker"
)

func init() {
	register(api{key: 0, min: 0, max: 11, handle: handleProduce})
}

func handleProduce(r *request) (kmsg.Response, error) {
	s := r.s
	req := r.kreq.(*kmsg.ProduceRequest)
	resp := req.ResponseKind().(*kmsg.ProduceResponse)
	now := s.b.Now().UnixMilli()
	acksOK := req.Acks == -1 || req.Acks == 0 || req.Acks == 1
	resp.Topics = make([]kmsg.ProduceResponseTopic, 0, len(req.Topics))
	for _, rt := range req.Topics {
		st := kmsg.NewProduceResponseTopic()
		st.Topic = rt.Topic
		var (
			t    *broker.Topic
			code int16
			cfg  broker.TopicConfig
		)
		if acksOK {
			if t = s.b.Topic(rt.Topic); t == nil {
				t, code = s.autoCreate(rt.Topic)
			}
			if t != nil {
				cfg = t.ConfigView()
			}
		}
		st.Partitions = make([]kmsg.ProduceResponseTopicPartition, 0, len(rt.Partitions))
		for i := range rt.Partitions {
			rp := &rt.Partitions[i]
			sp := kmsg.NewProduceResponseTopicPartition()
			sp.Partition = rp.Partition
			switch {
			case !acksOK:
				sp.ErrorCode = kerr.InvalidRequiredAcks.Code
			case t == nil:
				sp.ErrorCode = code
			default:
				s.producePartition(t, &cfg, rp, &sp, now)
			}
			st.Partitions = append(st.Partitions, sp)
		}
		resp.Topics = append(resp.Topics, st)
	}
	if req.Acks == 0 {
		return nil, nil
	}
	return resp, nil
}

// producePartition validates and appends one partition's payload and fills sp.
func (s *Server) producePartition(t *broker.Topic, cfg *broker.TopicConfig, rp *kmsg.ProduceRequestTopicPartition, sp *kmsg.ProduceResponseTopicPartition, now int64) {
	fail := func(code int16, msg string) {
		sp.ErrorCode = code
		if msg != "" {
			sp.ErrorMessage = &msg
		}
	}
	p := t.Partition(int(rp.Partition))
	if p == nil {
		fail(kerr.UnknownTopicOrPartition.Code, "")
		return
	}
	if len(rp.Records) > s.maxMessageBytes(cfg) {
		fail(kerr.MessageTooLarge.Code, "the record batch is larger than max.message.bytes")
		return
	}
	logAppend := logAppendTime(cfg)
	pr, rerr := decodeProduce(rp.Records, now, logAppend)
	if rerr != nil {
		fail(rerr.code, rerr.msg)
		return
	}
	defer putRecords(pr.recs)
	if pr.transactional {
		fail(kerr.InvalidRecord.Code, "transactions are not supported")
		return
	}
	var (
		off int64
		err error
	)
	if pr.magic == 2 && pr.producerID >= 0 {
		st := s.pids.state(pr.producerID, p)
		st.mu.Lock()
		dupOff, dup, code := st.check(pr.producerEpoch, pr.baseSeq, pr.count)
		switch {
		case code != 0:
			st.mu.Unlock()
			fail(code, "")
			return
		case dup:
			st.mu.Unlock()
			sp.BaseOffset = dupOff
			sp.LogStartOffset = p.Start()
			return
		}
		off, err = p.Append(pr.recs)
		if err == nil {
			st.record(pr.producerEpoch, pr.baseSeq, pr.count, off, now)
		}
		st.mu.Unlock()
	} else {
		off, err = p.Append(pr.recs)
	}
	if err != nil {
		s.log.Warn("append failed", "topic", t.Name(), "partition", rp.Partition, "err", err)
		fail(errCode(err), err.Error())
		return
	}
	sp.BaseOffset = off
	if logAppend {
		sp.LogAppendTime = now
	}
	s.retainIfOver(t, cfg, p)
	sp.LogStartOffset = p.Start()
}

// retainIfOver applies retention.bytes as soon as a partition holds a
// whole segment more than it allows, rather than at the next maintenance
// tick (retention.ms waits for the tick).
func (s *Server) retainIfOver(t *broker.Topic, cfg *broker.TopicConfig, p *broker.Partition) {
	if cfg.RetentionBytes <= 0 {
		return
	}
	seg := cfg.SegmentBytes
	if seg <= 0 {
		seg = 64 << 20 // the broker's default segment size
	}
	if p.Bytes() > cfg.RetentionBytes+seg {
		if err := p.ApplyRetention(); err != nil {
			s.log.Warn("retention failed", "topic", t.Name(), "partition", p.Index(), "err", err)
		}
	}
}
