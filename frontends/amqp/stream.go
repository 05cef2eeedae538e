// Stream queues (x-queue-type: stream): one partition of a broker topic
// — the same log a Redis stream key or a Kafka topic of that name uses.
// Retention: x-max-age ("7D", "1h", …) becomes TopicConfig.RetentionMs,
// x-max-length-bytes RetentionBytes, x-stream-max-segment-size-bytes
// SegmentBytes; the broker applies them. A topic created by another
// protocol is adopted as a stream queue of vhost "/" the first time AMQP
// names it: partition 0 as the topic's name, partition i >= 1 of a
// multi-partition topic t as t#<i> (partname.go).
//
// Writing: every message routed to the stream is appended as one record:
// Origin AMQP, Value = body, Native = the encoded content properties (so
// AMQP readers get every property and header back exactly), Key = the
// routing key (nil when empty), Headers = the content properties as
// "amqp-<name>" headers (interop.AMQPHeaders; amqp-timestamp in ms), then
// the AMQP headers table's entries as name/value strings for Kafka and
// Redis readers (strings and byte arrays as they are, numbers in decimal,
// booleans as true/false; nested tables and arrays are left out), plus
// "x-exchange" with the exchange name when it is not the default exchange.
//
// Reading: consumers must set a prefetch (basic.qos) and acknowledge
// (406 "consumer prefetch count is not set for stream queue …" otherwise,
// RabbitMQ 4's text); x-stream-offset picks the start: "first", "last"
// (the last record), "next" (the default), an offset (long), a timestamp
// ('T', seconds), or an interval ("1h", "30m", "10s", units Y M D h m s)
// back from now. Each delivery carries the x-stream-offset header (long).
// The consumer goroutine waits on Partition.Changed and on acks, never
// polls; an ack, nack or reject only gives credit back; deliveries are
// never marked redelivered. Records written by Redis or Kafka are delivered
// as interop.AMQPView has them (docs/cross-protocol.md): body = the Kafka
// view's value (a single Redis field's value, or a JSON object of the
// fields), amqp-* headers back as properties, other headers as longstr
// headers, the record key as routing key (when it fits a shortstr), and
// the timestamp property from the record's timestamp in seconds.

package amqp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"junction/broker"
	"junction/frontends/amqp/internal/wire"
	"junction/frontends/internal/interop"
	"junction/storage"
)

type streamQueue struct {
	topic     *broker.Topic
	part      *broker.Partition
	stop      chan struct{} // closed when the queue is forgotten
	closeOnce sync.Once
}

// newStreamQueue returns a stream queue on partition i of t.
func newStreamQueue(t *broker.Topic, i int) *streamQueue {
	return &streamQueue{topic: t, part: t.Partition(i), stop: make(chan struct{})}
}

// openStream creates (or adopts) the topic behind a stream queue; a name
// of a partition (partname.go) opens that partition.
func (s *Server) openStream(bname string, qa queueArgs) (*streamQueue, error) {
	cfg := broker.TopicConfig{Partitions: 1, RetentionMs: qa.maxAgeMs, SegmentBytes: qa.segmentSize}
	if qa.maxBytes > 0 {
		cfg.RetentionBytes = qa.maxBytes
	}
	t, part := s.streamTopic(bname)
	existed := t != nil
	var err error
	if !existed {
		t, err = s.b.CreateTopic(bname, cfg)
		if errors.Is(err, broker.ErrTopicExists) { // created meanwhile
			if t, part = s.streamTopic(bname); t == nil {
				return nil, broker.ErrUnknownTopic
			}
			existed, err = true, nil
		}
	}
	if existed && (cfg.RetentionMs > 0 || cfg.RetentionBytes > 0) {
		err = t.UpdateConfig(func(c *broker.TopicConfig) {
			if cfg.RetentionMs > 0 {
				c.RetentionMs = cfg.RetentionMs
			}
			if cfg.RetentionBytes > 0 {
				c.RetentionBytes = cfg.RetentionBytes
			}
		})
	}
	if err != nil {
		return nil, err
	}
	if t.Partition(part) == nil {
		return nil, broker.ErrUnknownPartition
	}
	return newStreamQueue(t, part), nil
}

// adoptTopic makes an existing topic's partition a stream queue: partition
// 0 of the topic of that name, or a partition named t#<i> (partname.go).
func (vh *vhost) adoptTopic(name string) *qentry {
	if name == "" || strings.IndexByte(name, 0) >= 0 {
		return nil
	}
	t, part := vh.s.streamTopic(vh.bname(name))
	if t == nil {
		return nil
	}
	vh.mu.Lock()
	if qe := vh.queues[name]; qe != nil {
		vh.mu.Unlock()
		return qe
	}
	qe := &qentry{
		vh: vh, name: name, bname: vh.bname(name), durable: true,
		args:     wire.Table{{Name: "x-queue-type", Value: "stream"}},
		qa:       queueArgs{kind: "stream", messageTTL: -1, maxLength: -1, maxBytes: -1},
		st:       newStreamQueue(t, part),
		bindings: make(map[*binding]struct{}),
	}
	vh.queues[name] = qe
	vh.mu.Unlock()
	qe.st.watch(qe)
	return qe
}

// watch forgets the queue when its topic is deleted (by any protocol).
func (st *streamQueue) watch(qe *qentry) {
	s := qe.vh.s
	go func() {
		select {
		case <-st.topic.Deleted():
			qe.vh.queueGone(qe)
		case <-st.stop:
		case <-s.done:
		}
	}()
}

func (st *streamQueue) gone() bool {
	select {
	case <-st.topic.Deleted():
		return true
	default:
		return false
	}
}

func (st *streamQueue) close() { st.closeOnce.Do(func() { close(st.stop) }) }

// append stores one message as a record.
func (st *streamQueue) append(msg *message) error {
	rec := storage.Record{Origin: storage.OriginAMQP, Value: msg.body, Native: msg.props}
	if msg.key != "" {
		rec.Key = []byte(msg.key)
	}
	if p, err := wire.DecodeProperties(msg.props); err == nil {
		np := neutralProps(&p)
		rec.Headers = interop.AMQPHeaders(rec.Headers, &np)
		rec.Headers = recordHeaders(p.Headers, rec.Headers)
	}
	if msg.exchange != "" {
		rec.Headers = append(rec.Headers, storage.Header{Key: []byte("x-exchange"), Value: []byte(msg.exchange)})
	}
	_, err := st.part.Append([]storage.Record{rec})
	return err
}

// recordHeaders converts an AMQP headers table to record headers.
func recordHeaders(t wire.Table, dst []storage.Header) []storage.Header {
	for _, f := range t {
		var v []byte
		switch x := f.Value.(type) {
		case string:
			v = []byte(x)
		case []byte:
			v = x
		case bool:
			v = strconv.AppendBool(nil, x)
		case float32:
			v = strconv.AppendFloat(nil, float64(x), 'g', -1, 32)
		case float64:
			v = strconv.AppendFloat(nil, x, 'g', -1, 64)
		case wire.Timestamp:
			v = strconv.AppendUint(nil, uint64(x), 10)
		case wire.Decimal:
			v = []byte(fmt.Sprintf("%de-%d", x.Value, x.Scale))
		default:
			n, isInt := intArg(x)
			if !isInt {
				continue
			}
			v = strconv.AppendInt(nil, n, 10)
		}
		dst = append(dst, storage.Header{Key: []byte(f.Name), Value: v})
	}
	return dst
}

// streamConsumer is the stream side of a consumer.
type streamConsumer struct {
	st       *streamQueue
	prefetch int64
	next     int64        // next offset to deliver; touched by the goroutine only
	unacked  atomic.Int64 // deliveries not yet acked
	kick     chan struct{}
	props    []byte // scratch for delivery properties
}

// credit gives back n units of prefetch (an ack, nack or reject).
func (sc *streamConsumer) credit(n int64) {
	sc.unacked.Add(-n)
	select {
	case sc.kick <- struct{}{}:
	default:
	}
}

// streamConsume sets up a consumer on a stream queue.
func (ch *channel) streamConsume(cs *consumer, m *wire.BasicConsume) error {
	qe := cs.qe
	what := rs("queue", qe.name, qe.vh.name)
	if ch.prefetch == 0 || m.NoAck {
		return newErr(wire.PreconditionFailed, "consumer prefetch count is not set for stream %s", what)
	}
	v, present := m.Arguments.Get("x-stream-offset")
	start, err := qe.st.startOffset(v, present, qe.vh.s.b.Now())
	if err != nil {
		return newErr(wire.PreconditionFailed, "invalid arg 'x-stream-offset' for %s: {invalid_stream_offset_arg,{%s,%s}}",
			what, typeName(v), erlang(v))
	}
	cs.sc = &streamConsumer{st: qe.st, prefetch: int64(ch.prefetch), next: start, kick: make(chan struct{}, 1)}
	return nil
}

// startOffset resolves an x-stream-offset argument.
func (st *streamQueue) startOffset(v any, present bool, now time.Time) (int64, error) {
	p := st.part
	if !present {
		return p.End(), nil
	}
	switch x := v.(type) {
	case string:
		switch x {
		case "first":
			return p.Start(), nil
		case "last":
			end := p.End()
			if end > p.Start() {
				return end - 1, nil
			}
			return end, nil
		case "next":
			return p.End(), nil
		}
		ms, ok := parseAge(x)
		if !ok {
			return 0, errors.New("bad interval")
		}
		return p.SeekTime(now.UnixMilli() - ms)
	case wire.Timestamp:
		return p.SeekTime(int64(x) * 1000)
	}
	n, isInt := intArg(v)
	if !isInt {
		return 0, errors.New("bad offset")
	}
	return max(n, p.Start()), nil
}

// run pushes records to the client while it has credit.
func (sc *streamConsumer) run(cs *consumer) {
	c := cs.ch.c
	var recs []storage.Record
	for {
		var changed <-chan struct{}
		if sc.prefetch-sc.unacked.Load() > 0 {
			changed = sc.st.part.Changed()
			if sc.next < sc.st.part.End() {
				if !cs.ch.flow.wait(cs.stop) || !c.out.waitSpace(cs.stop) {
					return
				}
				avail := sc.prefetch - sc.unacked.Load()
				var err error
				recs, err = sc.st.part.Read(recs[:0], sc.next, int(min(avail, 256)), outboxLimit/2)
				if err != nil {
					if sc.st.gone() {
						cs.serverCancel()
						return
					}
					c.s.log.Error("stream read failed", "queue", cs.qe.name, "err", err)
					cs.serverCancel()
					return
				}
				if len(recs) > 0 {
					if !sc.deliver(cs, recs) {
						return
					}
					clear(recs)
					continue
				}
			}
		}
		select {
		case <-changed:
		case <-sc.kick:
		case <-cs.stop:
			return
		case <-sc.st.topic.Deleted():
			cs.serverCancel()
			return
		case <-sc.st.stop:
			cs.serverCancel()
			return
		}
	}
}

// deliver writes records as deliveries. false if the consumer is gone.
func (sc *streamConsumer) deliver(cs *consumer, recs []storage.Record) bool {
	ch := cs.ch
	c := ch.c
	ch.mu.Lock()
	if cs.dead {
		ch.mu.Unlock()
		return false
	}
	b, okb := c.out.begin()
	for i := range recs {
		r := &recs[i]
		ch.nextTag++
		tag := ch.nextTag
		ch.unacked.push(unackedEntry{tag: tag, qtag: uint64(r.Offset), sc: sc})
		if okb {
			props, exchange, key, body := sc.view(r)
			b = wire.AppendDeliver(b, ch.id, cs.tag, tag, false, exchange, key, props, body, c.frameMax)
		}
	}
	sc.unacked.Add(int64(len(recs)))
	sc.next = recs[len(recs)-1].Offset + 1
	c.out.end(b, okb)
	ch.mu.Unlock()
	c.out.flush()
	return true
}

// view returns a record's AMQP properties (with x-stream-offset), exchange,
// routing key and body (records of other origins per interop.AMQPView).
// The properties live in sc.props until the next call.
func (sc *streamConsumer) view(r *storage.Record) (props []byte, exchange, key string, body []byte) {
	if len(r.Key) <= 255 {
		key = string(r.Key)
	}
	if r.Origin == storage.OriginAMQP {
		for _, h := range r.Headers {
			if string(h.Key) == "x-exchange" && len(h.Value) <= 255 {
				exchange = string(h.Value)
				break
			}
		}
		sc.props = withHeader(sc.props[:0], r.Native, "x-stream-offset", r.Offset)
		return sc.props, exchange, key, r.Value
	}
	k, body, np, hs := interop.AMQPView(r)
	key = ""
	if len(k) <= 255 {
		key = string(k)
	}
	p := wireProps(&np)
	p.Present |= wire.FlagHeaders
	for _, h := range hs {
		if len(h.Key) <= 255 {
			p.Headers = append(p.Headers, wire.Field{Name: string(h.Key), Value: string(h.Value)})
		}
	}
	p.Headers = append(p.Headers, wire.Field{Name: "x-stream-offset", Value: r.Offset})
	var err error
	if sc.props, err = wire.AppendProperties(sc.props[:0], &p); err != nil {
		sc.props = wire.EncodeProperties(sc.props[:0], &wire.Properties{Present: wire.FlagHeaders,
			Headers: wire.Table{{Name: "x-stream-offset", Value: r.Offset}}})
	}
	return sc.props, exchange, key, body
}
