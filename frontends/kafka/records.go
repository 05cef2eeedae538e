// Record formats: decoding produced record batches (v2, magic 2) and legacy
// message sets (magic 0 and 1, converted record by record), and encoding
// stored records as uncompressed v2 batches for Fetch.
//
// https://kafka.apache.org/documentation/#messageformat

package kafka

import (
	"encoding/binary"
	"hash/crc32"
	"math"

	"github.com/twmb/franz-go/pkg/kerr"

	"junction/frontends/internal/interop"
	"junction/storage"
)

var crc32c = crc32.MakeTable(crc32.Castagnoli)

// Record batch v2 attribute bits.
const (
	attrCodecMask     = 0x07
	attrLogAppendTime = 0x08
	attrTransactional = 0x10
	attrControl       = 0x20
)

// batchHeaderLen is the fixed part of a v2 record batch.
const batchHeaderLen = 61

// maxBatchRecords bounds the records of one produced batch (Kafka has no
// such limit; real producers stay far below it), which bounds the memory a
// small, highly compressed hostile batch can cost.
const maxBatchRecords = 1 << 20

// recordError is a produce payload rejected with a Kafka error code.
type recordError struct {
	code int16
	msg  string
}

func (e *recordError) Error() string { return e.msg }

func corrupt(msg string) *recordError { return &recordError{kerr.CorruptMessage.Code, msg} }
func invalid(msg string) *recordError { return &recordError{kerr.InvalidRecord.Code, msg} }

// produced is one partition's decoded produce payload.
type produced struct {
	recs          []storage.Record
	magic         int8
	producerID    int64 // -1 when not idempotent
	producerEpoch int16
	baseSeq       int32
	count         int32
	transactional bool
}

// decodeProduce decodes a partition's produce payload: exactly one v2
// record batch, or a v0/v1 message set. Timestamps become now when
// logAppend is set (topic message.timestamp.type=LogAppendTime) or the
// batch asks for LogAppendTime. Returned records alias data (or the
// decompressed copy of it).
func decodeProduce(data []byte, now int64, logAppend bool) (produced, *recordError) {
	if len(data) < 17 {
		return produced{}, corrupt("record set too short")
	}
	switch data[16] {
	case 2:
		return decodeBatch(data, now, logAppend)
	case 0, 1:
		recs, err := decodeMessageSet(nil, data, now, logAppend, 0)
		if err != nil {
			return produced{}, err
		}
		if len(recs) == 0 {
			return produced{}, invalid("empty message set")
		}
		return produced{recs: recs, magic: int8(data[16]), producerID: -1, producerEpoch: -1, baseSeq: -1, count: int32(len(recs))}, nil
	}
	return produced{}, corrupt("unknown magic byte")
}

// decodeBatch decodes one v2 record batch.
func decodeBatch(data []byte, now int64, logAppend bool) (produced, *recordError) {
	if len(data) < batchHeaderLen {
		return produced{}, corrupt("record batch too short")
	}
	length := int64(int32(binary.BigEndian.Uint32(data[8:])))
	if length < batchHeaderLen-12 || 12+length > int64(len(data)) {
		return produced{}, corrupt("bad record batch length")
	}
	if 12+length != int64(len(data)) {
		return produced{}, invalid("produce requests must contain exactly one record batch")
	}
	if crc := binary.BigEndian.Uint32(data[17:]); crc != crc32.Checksum(data[21:], crc32c) {
		return produced{}, corrupt("record batch CRC mismatch")
	}
	attrs := binary.BigEndian.Uint16(data[21:])
	lastDelta := int32(binary.BigEndian.Uint32(data[23:]))
	baseTs := int64(binary.BigEndian.Uint64(data[27:]))
	p := produced{
		magic:         2,
		producerID:    int64(binary.BigEndian.Uint64(data[43:])),
		producerEpoch: int16(binary.BigEndian.Uint16(data[51:])),
		baseSeq:       int32(binary.BigEndian.Uint32(data[53:])),
		count:         int32(binary.BigEndian.Uint32(data[57:])),
		transactional: attrs&attrTransactional != 0,
	}
	if attrs&attrControl != 0 {
		return produced{}, invalid("clients may not produce control batches")
	}
	if p.count <= 0 {
		return produced{}, invalid("record batch has no records")
	}
	if lastDelta != p.count-1 {
		return produced{}, invalid("last offset delta does not match the record count")
	}
	body := data[batchHeaderLen:]
	codec := int(attrs & attrCodecMask)
	if codec > codecZstd {
		return produced{}, &recordError{kerr.UnsupportedCompressionType.Code, "unknown compression codec"}
	}
	if codec != codecNone {
		var err error
		if body, err = decompress(codec, body); err != nil {
			return produced{}, corrupt("decompressing record batch: " + err.Error())
		}
	}
	// Every record takes at least 7 bytes.
	if int64(p.count) > int64(len(body))/7 {
		return produced{}, corrupt("record count exceeds batch size")
	}
	if p.count > maxBatchRecords {
		return produced{}, invalid("too many records in one batch")
	}
	logAppend = logAppend || attrs&attrLogAppendTime != 0
	// Grow as records parse, so a hostile count costs nothing up front.
	recs := getRecords(int(p.count))
	pos := 0
	for i := range int(p.count) {
		recs = append(recs, storage.Record{})
		rec := &recs[i]
		tsDelta, offDelta, next, ok := fastRecord(body, pos, rec)
		if !ok {
			var rerr *recordError
			if tsDelta, offDelta, next, rerr = decodeRecord(body, pos, rec); rerr != nil {
				return produced{}, rerr
			}
		}
		pos = next
		if offDelta != int64(i) {
			return produced{}, invalid("record offsets within the batch are not consecutive")
		}
		rec.Origin = storage.OriginKafka
		if logAppend {
			rec.Timestamp = now
		} else {
			rec.Timestamp = storeTimestamp(baseTs + tsDelta)
		}
	}
	if pos != len(body) {
		return produced{}, corrupt("trailing bytes after the last record")
	}
	p.recs = recs
	return p, nil
}

// decodeRecord decodes the record at b[pos:] into rec (Key, Value,
// Headers) and returns its timestamp and offset deltas and the position
// after it.
func decodeRecord(b []byte, pos int, rec *storage.Record) (tsDelta, offDelta int64, next int, _ *recordError) {
	r := recReader{b: b, pos: pos}
	size := r.varint()
	if r.bad || size < 6 || size > int64(r.left()) {
		return 0, 0, 0, corrupt("bad record length")
	}
	end := r.pos + int(size)
	r.skip(1) // record attributes: unused
	tsDelta = r.varint()
	offDelta = r.varint()
	rec.Key = r.bytes()
	rec.Value = r.bytes()
	nh := r.varint()
	if r.bad || nh < 0 || nh > int64(r.left())/2 {
		return 0, 0, 0, corrupt("bad record")
	}
	if nh > 0 {
		rec.Headers = make([]storage.Header, nh)
		for j := range rec.Headers {
			k := r.bytes()
			if k == nil {
				return 0, 0, 0, corrupt("null header key")
			}
			rec.Headers[j] = storage.Header{Key: k, Value: r.bytes()}
		}
	}
	if r.bad || r.pos != end {
		return 0, 0, 0, corrupt("bad record")
	}
	return tsDelta, offDelta, end, nil
}

// fastRecord decodes the record at b[pos:] as decodeRecord does when it has
// the common shape: no headers and no varint longer than two bytes. It
// reports false for anything else (including malformed records), which
// decodeRecord then decodes or rejects.
func fastRecord(b []byte, pos int, rec *storage.Record) (tsDelta, offDelta int64, next int, ok bool) {
	size, p := varint2(b, pos, len(b))
	if p == 0 || size < 6 || size > int64(len(b)-p) {
		return 0, 0, 0, false
	}
	end := p + int(size)
	p++ // record attributes: unused
	if tsDelta, p = varint2(b, p, end); p == 0 {
		return 0, 0, 0, false
	}
	if offDelta, p = varint2(b, p, end); p == 0 {
		return 0, 0, 0, false
	}
	var key, value []byte
	if key, p = bytes2(b, p, end); p == 0 {
		return 0, 0, 0, false
	}
	if value, p = bytes2(b, p, end); p == 0 {
		return 0, 0, 0, false
	}
	if p >= end || b[p] != 0 || p+1 != end { // zero headers, then the end
		return 0, 0, 0, false
	}
	rec.Key, rec.Value = key, value
	return tsDelta, offDelta, end, true
}

// varint2 decodes the zig-zag varint at b[p:] if it takes one or two bytes
// and is followed by more of the record (end bounds it), and returns it and
// the position after it (0: not decoded).
func varint2(b []byte, p, end int) (int64, int) {
	if p+1 >= end {
		return 0, 0
	}
	u := uint64(b[p])
	if u >= 0x80 {
		d := uint64(b[p+1])
		if d >= 0x80 {
			return 0, 0
		}
		u = u&0x7f | d<<7
		p++
	}
	return int64(u>>1) ^ -int64(u&1), p + 1
}

// bytes2 decodes nullable bytes at b[p:end] whose length varint takes one
// or two bytes, and returns them and the position after them (0: not
// decoded).
func bytes2(b []byte, p, end int) ([]byte, int) {
	n, p := varint2(b, p, end)
	if p == 0 || n < -1 || n > int64(end-p) {
		return nil, 0
	}
	if n == -1 {
		return nil, p
	}
	q := p + int(n)
	return b[p:q:q], q
}

// storeTimestamp maps a Kafka timestamp to a stored one: no timestamp (-1)
// and other non-positive values become 0, which the core replaces with the
// append time.
func storeTimestamp(ts int64) int64 { return max(ts, 0) }

// decodeMessageSet appends the messages of a v0/v1 message set to dst.
// depth is 1 inside a compressed wrapper, where nesting is not allowed.
func decodeMessageSet(dst []storage.Record, data []byte, now int64, logAppend bool, depth int) ([]storage.Record, *recordError) {
	for len(data) > 0 {
		if len(data) < 12 {
			return nil, corrupt("truncated message set")
		}
		size := int64(int32(binary.BigEndian.Uint32(data[8:])))
		if size < 14 || size > int64(len(data)-12) {
			return nil, corrupt("bad message size")
		}
		msg := data[12 : 12+size]
		data = data[12+size:]
		if binary.BigEndian.Uint32(msg) != crc32.ChecksumIEEE(msg[4:]) {
			return nil, corrupt("message CRC mismatch")
		}
		magic, attrs := msg[4], msg[5]
		r := recReader{b: msg[6:]}
		var ts int64
		switch magic {
		case 0:
		case 1:
			ts = r.int64()
		default:
			return nil, corrupt("bad magic in message set")
		}
		key := r.bytes32()
		value := r.bytes32()
		if r.bad || r.left() != 0 {
			return nil, corrupt("bad message")
		}
		if codec := int(attrs & attrCodecMask); codec != codecNone {
			if depth > 0 {
				return nil, corrupt("nested compressed message")
			}
			if codec > codecZstd {
				return nil, &recordError{kerr.UnsupportedCompressionType.Code, "unknown compression codec"}
			}
			inner, err := decompress(codec, value)
			if err != nil {
				return nil, corrupt("decompressing message set: " + err.Error())
			}
			n0 := len(dst)
			var rerr *recordError
			if dst, rerr = decodeMessageSet(dst, inner, now, logAppend, 1); rerr != nil {
				return nil, rerr
			}
			if magic == 1 && attrs&attrLogAppendTime != 0 {
				for i := n0; i < len(dst); i++ {
					dst[i].Timestamp = storeTimestamp(ts)
				}
			}
			continue
		}
		rec := storage.Record{Key: key, Value: value, Origin: storage.OriginKafka, Timestamp: storeTimestamp(ts)}
		if logAppend || magic == 1 && attrs&attrLogAppendTime != 0 {
			rec.Timestamp = now
		}
		dst = append(dst, rec)
	}
	return dst, nil
}

// recReader reads record fields from b at pos; a short or malformed read
// sets bad. It advances an index rather than reslicing, which keeps the hot
// decoding loop free of pointer writes (and GC write barriers).
type recReader struct {
	b   []byte
	pos int
	bad bool
}

func (r *recReader) left() int { return len(r.b) - r.pos }

func (r *recReader) fail() {
	r.bad, r.pos = true, len(r.b)
}

func (r *recReader) skip(n int) {
	if r.left() < n {
		r.fail()
		return
	}
	r.pos += n
}

func (r *recReader) varint() int64 {
	b, p := r.b, r.pos
	if p+1 < len(b) { // one or two bytes: the common cases
		if c := b[p]; c < 0x80 {
			r.pos = p + 1
			u := int64(c)
			return u>>1 ^ -(u & 1)
		} else if d := b[p+1]; d < 0x80 {
			r.pos = p + 2
			u := int64(c&0x7f) | int64(d)<<7
			return u>>1 ^ -(u & 1)
		}
	}
	v, n := binary.Varint(b[p:])
	if n <= 0 {
		r.fail()
		return 0
	}
	r.pos += n
	return v
}

func (r *recReader) int64() int64 {
	if r.left() < 8 {
		r.fail()
		return 0
	}
	v := int64(binary.BigEndian.Uint64(r.b[r.pos:]))
	r.pos += 8
	return v
}

// bytes reads varint-length-prefixed bytes; length -1 is null (nil).
func (r *recReader) bytes() []byte {
	n := r.varint()
	return r.span(n)
}

// bytes32 reads int32-length-prefixed bytes; length -1 is null (nil).
func (r *recReader) bytes32() []byte {
	if r.left() < 4 {
		r.fail()
		return nil
	}
	n := int64(int32(binary.BigEndian.Uint32(r.b[r.pos:])))
	r.pos += 4
	return r.span(n)
}

func (r *recReader) span(n int64) []byte {
	switch {
	case r.bad:
		return nil
	case n == -1:
		return nil
	case n < -1 || n > int64(r.left()):
		r.fail()
		return nil
	}
	v := r.b[r.pos : r.pos+int(n) : r.pos+int(n)]
	r.pos += int(n)
	return v
}

// varintLen is the size of v as a zig-zag varint.
func varintLen(v int64) int {
	u := uint64(v<<1) ^ uint64(v>>63)
	n := 1
	for u >= 0x80 {
		u >>= 7
		n++
	}
	return n
}

// bytesLen is the encoded size of a nullable varint-prefixed byte string.
func bytesLen(b []byte) int {
	if b == nil {
		return 1
	}
	return varintLen(int64(len(b))) + len(b)
}

func appendBytes(dst, b []byte) []byte {
	if b == nil {
		return binary.AppendVarint(dst, -1)
	}
	dst = binary.AppendVarint(dst, int64(len(b)))
	return append(dst, b...)
}

// recordBodyLen is the encoded size of r after its length prefix, with the
// given deltas.
func recordBodyLen(r *storage.Record, tsDelta, offDelta int64) int {
	n := 1 + varintLen(tsDelta) + varintLen(offDelta) + bytesLen(r.Key) + bytesLen(r.Value) + varintLen(int64(len(r.Headers)))
	for _, h := range r.Headers {
		n += varintLen(int64(len(h.Key))) + len(h.Key) + bytesLen(h.Value)
	}
	return n
}

// maxBatchBytes caps one encoded fetch batch; longer runs are split.
const maxBatchBytes = 1 << 20

// appendBatches appends recs as uncompressed v2 record batches, one per run
// of consecutive offsets (deleted records leave gaps between batches) and
// at most about maxBatchBytes each. Offsets and timestamps are preserved.
func appendBatches(dst []byte, recs []storage.Record, logAppendTime bool) []byte {
	dst, _ = encodeFetch(dst, recs, math.MaxInt, true, logAppendTime)
	return dst
}

// encodeFetch appends recs as appendBatches does, in one pass, stopping
// before the record that would take the appended bytes past limit; with
// minOne the first record is encoded whatever its size (KIP-74). It returns
// dst and how many records it encoded.
func encodeFetch(dst []byte, recs []storage.Record, limit int, minOne, logAppendTime bool) ([]byte, int) {
	start, i := len(dst), 0
	var attrs uint16
	if logAppendTime {
		attrs |= attrLogAppendTime
	}
	for i < len(recs) {
		if len(dst)-start+batchHeaderLen >= limit && !(minOne && i == 0) {
			break
		}
		bstart := len(dst)
		base, firstTs := recs[i].Offset, recs[i].Timestamp
		maxTs := firstTs
		dst = binary.BigEndian.AppendUint64(dst, uint64(base))
		dst = binary.BigEndian.AppendUint32(dst, 0) // length, set below
		dst = binary.BigEndian.AppendUint32(dst, 0) // partition leader epoch
		dst = append(dst, 2)                        // magic
		dst = binary.BigEndian.AppendUint32(dst, 0) // crc, set below
		dst = binary.BigEndian.AppendUint16(dst, attrs)
		dst = binary.BigEndian.AppendUint32(dst, 0) // last offset delta, set below
		dst = binary.BigEndian.AppendUint64(dst, uint64(firstTs))
		dst = binary.BigEndian.AppendUint64(dst, 0)              // max timestamp, set below
		dst = binary.BigEndian.AppendUint64(dst, math.MaxUint64) // producer id -1
		dst = binary.BigEndian.AppendUint16(dst, math.MaxUint16) // producer epoch -1
		dst = binary.BigEndian.AppendUint32(dst, math.MaxUint32) // base sequence -1
		dst = binary.BigEndian.AppendUint32(dst, 0)              // record count, set below
		n := 0
		full := false
		var view storage.Record          // a Redis entry seen as a Kafka record
		var hdrScratch [1]storage.Header // its one header
		for i < len(recs) {
			r := &recs[i]
			if r.Origin == storage.OriginRedis {
				// A Redis entry reads as the value of its field(s); see
				// frontends/internal/interop and docs/cross-protocol.md.
				view = *r
				view.Key, view.Value, view.Headers = interop.KafkaView(r, hdrScratch[:0])
				r = &view
			}
			if n > 0 && (r.Offset != base+int64(n) || len(dst)-bstart >= maxBatchBytes) {
				break
			}
			tsDelta, offDelta := r.Timestamp-firstTs, r.Offset-base
			body := recordBodyLen(r, tsDelta, offDelta)
			if len(dst)-start+varintLen(int64(body))+body > limit && !(minOne && i == 0) {
				full = true
				break
			}
			dst = binary.AppendVarint(dst, int64(body))
			dst = append(dst, 0) // record attributes
			dst = binary.AppendVarint(dst, tsDelta)
			dst = binary.AppendVarint(dst, offDelta)
			dst = appendBytes(dst, r.Key)
			dst = appendBytes(dst, r.Value)
			dst = binary.AppendVarint(dst, int64(len(r.Headers)))
			for _, h := range r.Headers {
				// Header keys are non-null strings in Kafka.
				dst = binary.AppendVarint(dst, int64(len(h.Key)))
				dst = append(dst, h.Key...)
				dst = appendBytes(dst, h.Value)
			}
			maxTs = max(maxTs, r.Timestamp)
			n++
			i++
		}
		if n == 0 {
			dst = dst[:bstart]
			break
		}
		b := dst[bstart:]
		binary.BigEndian.PutUint32(b[8:], uint32(len(b)-12))
		binary.BigEndian.PutUint32(b[23:], uint32(n-1))
		binary.BigEndian.PutUint64(b[35:], uint64(maxTs))
		binary.BigEndian.PutUint32(b[57:], uint32(n))
		binary.BigEndian.PutUint32(b[17:], crc32.Checksum(b[21:], crc32c))
		if full {
			break
		}
	}
	return dst, i
}
