package kafka

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"hash/crc32"
	"io"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"junction/broker"
	"junction/storage/memlog"
	"junction/storage/memmeta"
)

// env is a broker on memlog+memmeta with a Kafka server on 127.0.0.1:0.
type env struct {
	t    testing.TB
	logs *memlog.Backend
	meta *memmeta.Store
	cfg  Config
	b    *broker.Broker
	s    *Server
	addr string
	done chan error // Serve's result
}

func testLogger() *slog.Logger {
	if os.Getenv("KAFKA_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// newEnv starts a server; opts adjust its Config.
func newEnv(t testing.TB, opts ...func(*Config)) *env {
	t.Helper()
	e := &env{t: t, logs: memlog.New(), meta: memmeta.New()}
	e.cfg = Config{
		Logger:                     testLogger(),
		AutoCreate:                 true,
		DefaultPartitions:          1,
		GroupInitialRebalanceDelay: 50 * time.Millisecond,
		GroupMinSessionTimeout:     100 * time.Millisecond,
	}
	for _, o := range opts {
		o(&e.cfg)
	}
	e.start()
	t.Cleanup(e.stop)
	return e
}

func (e *env) start() {
	e.t.Helper()
	b, err := broker.New(broker.Config{Logs: e.logs, Meta: e.meta, Logger: e.cfg.Logger})
	if err != nil {
		e.t.Fatal(err)
	}
	e.b = b
	cfg := e.cfg
	cfg.Broker = b
	e.s = New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	e.addr = ln.Addr().String()
	e.done = make(chan error, 1)
	go func() { e.done <- e.s.Serve(ln) }()
}

// stop shuts the server down and closes the broker (not the backends).
func (e *env) stop() {
	if e.s == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.s.Shutdown(ctx); err != nil {
		e.t.Errorf("Shutdown: %v", err)
	}
	if err := <-e.done; err != nil {
		e.t.Errorf("Serve: %v", err)
	}
	if n := e.s.panics.Load(); n != 0 {
		e.t.Errorf("%d handler panics", n)
	}
	if err := e.b.Close(); err != nil {
		e.t.Errorf("broker Close: %v", err)
	}
	e.s = nil
}

// restart closes server and broker and opens new ones on the same storage.
func (e *env) restart() {
	e.t.Helper()
	e.stop()
	e.start()
}

// client returns a kgo client for the server, closed at cleanup.
func (e *env) client(opts ...kgo.Opt) *kgo.Client {
	e.t.Helper()
	opts = append([]kgo.Opt{kgo.SeedBrokers(e.addr), kgo.MetadataMinAge(100 * time.Millisecond)}, opts...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(cl.Close)
	return cl
}

func (e *env) admin() *kadm.Client { return kadm.NewClient(e.client()) }

// createTopic creates a topic through the broker.
func (e *env) createTopic(name string, partitions int) {
	e.t.Helper()
	if _, err := e.s.createTopic(name, broker.TopicConfig{Partitions: partitions}); err != nil {
		e.t.Fatal(err)
	}
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// rawConn is a bare TCP connection speaking Kafka frames.
type rawConn struct {
	t    testing.TB
	c    net.Conn
	corr int32
}

func (e *env) raw() *rawConn {
	e.t.Helper()
	c, err := net.Dial("tcp", e.addr)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return &rawConn{t: e.t, c: c}
}

// send writes req at version v and returns its correlation id.
func (rc *rawConn) send(req kmsg.Request, v int16) int32 {
	rc.t.Helper()
	req.SetVersion(v)
	rc.corr++
	buf := kmsg.NewRequestFormatter(kmsg.FormatterClientID("raw")).AppendRequest(nil, req, rc.corr)
	if _, err := rc.c.Write(buf); err != nil {
		rc.t.Fatal(err)
	}
	return rc.corr
}

// recv reads one response frame into resp (whose version must be set).
func (rc *rawConn) recv(resp kmsg.Response) int32 {
	rc.t.Helper()
	body := rc.frame()
	corr := int32(binary.BigEndian.Uint32(body))
	body = body[4:]
	if resp.IsFlexible() && resp.Key() != apiKeyApiVersions {
		body = body[1:] // empty header tags
	}
	if err := resp.ReadFrom(body); err != nil {
		rc.t.Fatalf("decoding %T: %v", resp, err)
	}
	return corr
}

func (rc *rawConn) frame() []byte {
	rc.t.Helper()
	var size [4]byte
	if _, err := io.ReadFull(rc.c, size[:]); err != nil {
		rc.t.Fatal(err)
	}
	body := make([]byte, binary.BigEndian.Uint32(size[:]))
	if _, err := io.ReadFull(rc.c, body); err != nil {
		rc.t.Fatal(err)
	}
	return body
}

// do sends req at version v and decodes the response.
func do[R kmsg.Response](rc *rawConn, req kmsg.Request, v int16) R {
	rc.t.Helper()
	corr := rc.send(req, v)
	resp := req.ResponseKind().(R)
	resp.SetVersion(v)
	if got := rc.recv(resp); got != corr {
		rc.t.Fatalf("correlation id %d, want %d", got, corr)
	}
	return resp
}

// closed reports whether the server closed the connection.
func (rc *rawConn) closed() bool {
	rc.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var b [1]byte
	_, err := rc.c.Read(b[:])
	return err != nil
}

// batch builds a record batch v2 for produce requests.
func batch(pid int64, epoch int16, seq int32, ts int64, values ...string) []byte {
	recs := make([]kmsg.Record, len(values))
	for i, v := range values {
		recs[i] = kmsg.Record{OffsetDelta: int32(i), Value: []byte(v)}
	}
	var body []byte
	for i := range recs {
		body = appendKmsgRecord(body, &recs[i])
	}
	b := kmsg.RecordBatch{
		PartitionLeaderEpoch: -1,
		Magic:                2,
		LastOffsetDelta:      int32(len(values) - 1),
		FirstTimestamp:       ts,
		MaxTimestamp:         ts,
		ProducerID:           pid,
		ProducerEpoch:        epoch,
		FirstSequence:        seq,
		NumRecords:           int32(len(values)),
		Records:              body,
	}
	raw := b.AppendTo(nil)
	binary.BigEndian.PutUint32(raw[8:], uint32(len(raw)-12))
	binary.BigEndian.PutUint32(raw[17:], crc32.Checksum(raw[21:], crc32c))
	return raw
}

func appendKmsgRecord(dst []byte, r *kmsg.Record) []byte {
	var body []byte
	body = append(body, 0)
	body = binary.AppendVarint(body, r.TimestampDelta64)
	body = binary.AppendVarint(body, int64(r.OffsetDelta))
	body = appendBytes(body, r.Key)
	body = appendBytes(body, r.Value)
	body = binary.AppendVarint(body, 0)
	dst = binary.AppendVarint(dst, int64(len(body)))
	return append(dst, body...)
}

func produceReq(topic string, partition int32, acks int16, records []byte) *kmsg.ProduceRequest {
	req := kmsg.NewPtrProduceRequest()
	req.Acks = acks
	req.TimeoutMillis = 5000
	rt := kmsg.NewProduceRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewProduceRequestTopicPartition()
	rp.Partition = partition
	rp.Records = records
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	return req
}

func binaryAppend64(b []byte, v uint64) []byte { return binary.BigEndian.AppendUint64(b, v) }
func binaryAppend32(b []byte, v uint32) []byte { return binary.BigEndian.AppendUint32(b, v) }
func crc32IEEE(b []byte) uint32                { return crc32.ChecksumIEEE(b) }

func appendBytes32(b, v []byte) []byte {
	if v == nil {
		return binary.BigEndian.AppendUint32(b, 0xffffffff)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(v)))
	return append(b, v...)
}

func gzipBytes(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
