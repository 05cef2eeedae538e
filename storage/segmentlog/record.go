// Record framing and payload encoding for segment files.
//
// A frame is
//
//	length   uint32 LE   payload bytes (minPayload..maxPayload)
//	crc      uint32 LE   CRC-32C (Castagnoli) of the payload
//	payload
//
// and a payload is
//
//	flags     byte     bit 0: key present, bit 1: value present, bit 2: native present; others zero
//	origin    byte
//	offset    varint   (zig-zag, as encoding/binary)
//	timestamp varint
//	id.ms     uvarint
//	id.seq    uvarint
//	key       uvarint length + bytes, only when present (so a null key differs from an empty one)
//	value     uvarint length + bytes, only when present
//	headers   uvarint count, then per header uvarint length + key, uvarint length + value
//	native    uvarint length + bytes, only when present
//
// Varints must be minimal and the payload must be consumed exactly, so a
// decodable frame has exactly one encoding (FuzzDecodeRecord checks this).
// The decoder never panics: anything malformed is an error wrapping
// storage.ErrCorrupt.

package segmentlog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"junction/storage"
)

const (
	frameHeader = 8       // length + crc
	minPayload  = 7       // flags, origin, four one-byte varints, header count
	maxPayload  = 1 << 30 // largest payload a frame may claim
)

const (
	flagKey    = 1 << 0
	flagValue  = 1 << 1
	flagNative = 1 << 2
	flagsKnown = flagKey | flagValue | flagNative
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// corruptf returns an error wrapping storage.ErrCorrupt.
func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{storage.ErrCorrupt}, args...)...)
}

var (
	errBadLength = corruptf("bad frame length")
	errChecksum  = corruptf("checksum mismatch")
	errPayload   = corruptf("malformed payload")
	// errTorn: a frame runs past the end of the readable bytes.
	errTorn = corruptf("truncated frame")
)

// appendRecord appends the frame of r to b.
func appendRecord(b []byte, r *storage.Record) []byte {
	at := len(b)
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0)
	var flags byte
	if r.Key != nil {
		flags |= flagKey
	}
	if r.Value != nil {
		flags |= flagValue
	}
	if r.Native != nil {
		flags |= flagNative
	}
	b = append(b, flags, byte(r.Origin))
	b = binary.AppendVarint(b, r.Offset)
	b = binary.AppendVarint(b, r.Timestamp)
	b = binary.AppendUvarint(b, r.ID.Ms)
	b = binary.AppendUvarint(b, r.ID.Seq)
	if r.Key != nil {
		b = appendBytes(b, r.Key)
	}
	if r.Value != nil {
		b = appendBytes(b, r.Value)
	}
	b = binary.AppendUvarint(b, uint64(len(r.Headers)))
	for _, h := range r.Headers {
		b = appendBytes(b, h.Key)
		b = appendBytes(b, h.Value)
	}
	if r.Native != nil {
		b = appendBytes(b, r.Native)
	}
	p := b[at+frameHeader:]
	binary.LittleEndian.PutUint32(b[at:], uint32(len(p)))
	binary.LittleEndian.PutUint32(b[at+4:], crc32.Checksum(p, castagnoli))
	return b
}

func appendBytes(b, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// frameSize returns the total size of the frame whose header starts b
// (len(b) >= frameHeader).
func frameSize(b []byte) (int, error) {
	n := binary.LittleEndian.Uint32(b)
	if n < minPayload || n > maxPayload {
		return 0, errBadLength
	}
	return frameHeader + int(n), nil
}

// decodeRecord decodes the frame at the start of b into r and returns the
// frame's size. Byte slices in r alias b; headers are appended to *hdrs (a
// slab shared by the records of one read, grown without moving the headers
// already handed out). A frame longer than b is errTorn.
func decodeRecord(b []byte, r *storage.Record, hdrs *[]storage.Header) (int, error) {
	if len(b) < frameHeader {
		return 0, errTorn
	}
	size, err := frameSize(b)
	if err != nil {
		return 0, err
	}
	if len(b) < size {
		return 0, errTorn
	}
	p := b[frameHeader:size]
	if crc32.Checksum(p, castagnoli) != binary.LittleEndian.Uint32(b[4:]) {
		return 0, errChecksum
	}
	if err := decodePayload(p, r, hdrs); err != nil {
		return 0, err
	}
	return size, nil
}

// decodePayload decodes a checksummed payload into r.
func decodePayload(p []byte, r *storage.Record, hdrs *[]storage.Header) error {
	d := decoder{b: p}
	flags := d.byte()
	r.Origin = storage.Origin(d.byte())
	r.Offset = d.varint()
	r.Timestamp = d.varint()
	r.ID.Ms = d.uvarint()
	r.ID.Seq = d.uvarint()
	r.Key, r.Value, r.Native, r.Headers = nil, nil, nil, nil
	if flags&flagKey != 0 {
		r.Key = d.bytes()
	}
	if flags&flagValue != 0 {
		r.Value = d.bytes()
	}
	n := d.uvarint()
	if n > uint64(len(d.b)-d.i)/2 { // every header takes at least two bytes
		return errPayload
	}
	if n > 0 && !d.bad {
		h := *hdrs
		if cap(h)-len(h) < int(n) {
			// A new slab: headers already handed out keep the old one.
			h = make([]storage.Header, 0, max(4*cap(h), int(n), 16))
		}
		first := len(h)
		for range n {
			k := d.bytes()
			v := d.bytes()
			h = append(h, storage.Header{Key: k, Value: v})
		}
		r.Headers = h[first:len(h):len(h)]
		*hdrs = h
	}
	if flags&flagNative != 0 {
		r.Native = d.bytes()
	}
	if d.bad || d.i != len(d.b) || flags&^flagsKnown != 0 {
		return errPayload
	}
	return nil
}

// decoder reads a payload; any overrun or non-minimal varint sets bad and
// makes later reads return zero values.
type decoder struct {
	b   []byte
	i   int
	bad bool
}

func (d *decoder) byte() byte {
	if d.i >= len(d.b) {
		d.bad = true
		return 0
	}
	c := d.b[d.i]
	d.i++
	return c
}

// uvarint reads a minimal (canonical) unsigned varint.
func (d *decoder) uvarint() uint64 {
	b := d.b[d.i:]
	if len(b) > 0 && b[0] < 0x80 {
		d.i++
		return uint64(b[0])
	}
	x, n := binary.Uvarint(b)
	if n <= 1 || b[n-1] == 0 { // error, or non-minimal (a zero final byte)
		d.bad = true
		return 0
	}
	d.i += n
	return x
}

// varint reads a zig-zag signed varint.
func (d *decoder) varint() int64 {
	u := d.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

// bytes reads a length-prefixed byte string, capped so appending to it
// cannot overwrite the bytes that follow.
func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)-d.i) {
		d.bad = true
		return nil
	}
	v := d.b[d.i : d.i+int(n) : d.i+int(n)]
	d.i += int(n)
	return v
}

// isCorrupt reports whether err wraps storage.ErrCorrupt.
func isCorrupt(err error) bool { return errors.Is(err, storage.ErrCorrupt) }

var le = binary.LittleEndian

// crc returns the CRC-32C of p.
func crc(p []byte) uint32 { return crc32.Checksum(p, castagnoli) }
