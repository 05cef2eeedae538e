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
	"math/bits"

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

// decodePayload decodes a checksummed payload into r. Positions are
// threaded through the helpers below, which return a negative position on
// any overrun or non-minimal varint and keep it negative, so one check at
// the end catches every fault.
func decodePayload(p []byte, r *storage.Record, hdrs *[]storage.Header) error {
	if len(p) < 2 {
		return errPayload
	}
	flags := p[0]
	r.Origin = storage.Origin(p[1])
	u, i := uvarintAt(p, 2)
	r.Offset = unzigzag(u)
	u, i = uvarintAt(p, i)
	r.Timestamp = unzigzag(u)
	r.ID.Ms, i = uvarintAt(p, i)
	r.ID.Seq, i = uvarintAt(p, i)
	r.Key, r.Value, r.Native, r.Headers = nil, nil, nil, nil
	if flags&flagKey != 0 {
		r.Key, i = bytesAt(p, i)
	}
	if flags&flagValue != 0 {
		r.Value, i = bytesAt(p, i)
	}
	n, i := uvarintAt(p, i)
	if i < 0 || n > uint64(len(p)-i)/2 { // every header takes at least two bytes
		return errPayload
	}
	if n > 0 {
		h := *hdrs
		if cap(h)-len(h) < int(n) {
			// A new slab: headers already handed out keep the old one.
			h = make([]storage.Header, 0, max(4*cap(h), int(n), 16))
		}
		first := len(h)
		for range n {
			var k, v []byte
			k, i = bytesAt(p, i)
			v, i = bytesAt(p, i)
			h = append(h, storage.Header{Key: k, Value: v})
		}
		r.Headers = h[first:len(h):len(h)]
		*hdrs = h
	}
	if flags&flagNative != 0 {
		r.Native, i = bytesAt(p, i)
	}
	if i != len(p) || flags&^flagsKnown != 0 {
		return errPayload
	}
	return nil
}

// uvarintAt reads a minimal (canonical) unsigned varint at p[i:] and
// returns it and the position after it; i < 0 (an earlier fault) or a bad
// varint gives position -1.
func uvarintAt(p []byte, i int) (uint64, int) {
	if uint(i) < uint(len(p)) && p[i] < 0x80 {
		return uint64(p[i]), i + 1
	}
	return uvarintSlow(p, i)
}

// uvarintSlow is uvarintAt for varints of two bytes or more (and faults).
// With eight bytes at hand it finds the end and gathers the 7-bit groups
// without a loop; the timestamp and ID varints of every record are 6 bytes.
func uvarintSlow(p []byte, i int) (uint64, int) {
	if i < 0 || i >= len(p) {
		return 0, -1
	}
	if len(p)-i >= 8 {
		w := binary.LittleEndian.Uint64(p[i:])
		if stop := ^w & 0x8080808080808080; stop != 0 { // a last byte among the eight
			n := bits.TrailingZeros64(stop)/8 + 1
			if n == 1 || p[i+n-1] == 0 { // one byte is uvarintAt's; a zero last byte is not minimal
				return 0, -1
			}
			w &= 0x7f7f7f7f7f7f7f7f
			x := w&0x7f | w>>1&(0x7f<<7) | w>>2&(0x7f<<14) | w>>3&(0x7f<<21) |
				w>>4&(0x7f<<28) | w>>5&(0x7f<<35) | w>>6&(0x7f<<42) | w>>7&(0x7f<<49)
			if n < 8 {
				x &= 1<<(7*n) - 1
			}
			return x, i + n
		}
	}
	x, n := binary.Uvarint(p[i:])
	if n <= 1 || p[i+n-1] == 0 { // error, or non-minimal (a zero final byte)
		return 0, -1
	}
	return x, i + n
}

// unzigzag maps a zig-zag encoded varint back to its signed value.
func unzigzag(u uint64) int64 {
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

// bytesAt reads a length-prefixed byte string at p[i:], capped so
// appending to it cannot overwrite the bytes that follow; faults as for
// uvarintAt.
func bytesAt(p []byte, i int) ([]byte, int) {
	n, i := uvarintAt(p, i)
	if i < 0 || n > uint64(len(p)-i) {
		return nil, -1
	}
	j := i + int(n)
	return p[i:j:j], j
}

// isCorrupt reports whether err wraps storage.ErrCorrupt.
func isCorrupt(err error) bool { return errors.Is(err, storage.ErrCorrupt) }

var le = binary.LittleEndian

// crc returns the CRC-32C of p.
func crc(p []byte) uint32 { return crc32.Checksum(p, castagnoli) }
