// Decompression of produced record batches and message sets: gzip, snappy
// (raw blocks as franz-go and librdkafka send, and the xerial framing of the
// Java client), lz4 (frame format) and zstd. Output is bounded so a small
// compressed payload cannot expand without limit.

package kafka

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// Compression codecs (record batch attribute bits 0-2).
const (
	codecNone   = 0
	codecGzip   = 1
	codecSnappy = 2
	codecLZ4    = 3
	codecZstd   = 4
)

// maxDecompressed bounds the decompressed size of one batch. Kafka has no
// such limit; this one keeps a few hostile bytes from costing much memory.
const maxDecompressed = 64 << 20

var errTooLarge = errors.New("decompressed batch too large")

// xerialHeader opens snappy data framed by the Java client (snappy-java).
var xerialHeader = []byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0}

var (
	gzipPool sync.Pool // *gzip.Reader
	lz4Pool  sync.Pool // *lz4.Reader

	zstdDec = sync.OnceValue(func() *zstd.Decoder {
		d, err := zstd.NewReader(nil, zstd.WithDecoderMaxMemory(maxDecompressed), zstd.WithDecoderConcurrency(0))
		if err != nil {
			panic(err) // only on invalid options
		}
		return d
	})
)

// decompress returns the decompressed form of src.
func decompress(codec int, src []byte) ([]byte, error) {
	switch codec {
	case codecGzip:
		zr, _ := gzipPool.Get().(*gzip.Reader)
		var err error
		if zr == nil {
			zr, err = gzip.NewReader(bytes.NewReader(src))
		} else {
			err = zr.Reset(bytes.NewReader(src))
		}
		if err != nil {
			return nil, err
		}
		defer gzipPool.Put(zr)
		return readLimited(zr, 4*len(src))
	case codecSnappy:
		if bytes.HasPrefix(src, xerialHeader) {
			return unxerial(src)
		}
		return unsnappy(nil, src)
	case codecLZ4:
		zr, _ := lz4Pool.Get().(*lz4.Reader)
		if zr == nil {
			zr = lz4.NewReader(bytes.NewReader(src))
		} else {
			zr.Reset(bytes.NewReader(src))
		}
		defer lz4Pool.Put(zr)
		return readLimited(zr, 4*len(src))
	case codecZstd:
		return zstdDec().DecodeAll(src, nil)
	}
	return nil, fmt.Errorf("unknown compression codec %d", codec)
}

// readLimited reads r to the end, failing beyond maxDecompressed.
func readLimited(r io.Reader, hint int) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, min(max(hint, 512), maxDecompressed)))
	n, err := buf.ReadFrom(io.LimitReader(r, maxDecompressed+1))
	if err != nil {
		return nil, err
	}
	if n > maxDecompressed {
		return nil, errTooLarge
	}
	return buf.Bytes(), nil
}

// unsnappy appends the decoded raw snappy block src to dst.
func unsnappy(dst, src []byte) ([]byte, error) {
	n, err := snappy.DecodedLen(src)
	if err != nil {
		return nil, err
	}
	// A snappy copy element expands at most 64 bytes from 2 or 3, so a
	// larger claimed length is corrupt; checking it before allocating
	// keeps a short block from costing a large allocation.
	if n > maxDecompressed-len(dst) || n > 32*len(src)+64 {
		return nil, errTooLarge
	}
	dst = slices.Grow(dst, n)
	out, err := snappy.Decode(dst[len(dst):len(dst)+n], src)
	if err != nil {
		return nil, err
	}
	return dst[:len(dst)+len(out)], nil
}

// unxerial decodes xerial-framed snappy: a 16-byte header (magic, version,
// compatible version) then blocks, each a 4-byte big-endian length and a raw
// snappy block.
func unxerial(src []byte) ([]byte, error) {
	if len(src) < 16 {
		return nil, errors.New("short xerial header")
	}
	src = src[16:]
	var out []byte
	for len(src) > 0 {
		if len(src) < 4 {
			return nil, errors.New("truncated xerial block")
		}
		n := binary.BigEndian.Uint32(src)
		src = src[4:]
		if uint64(n) > uint64(len(src)) {
			return nil, errors.New("truncated xerial block")
		}
		var err error
		if out, err = unsnappy(out, src[:n]); err != nil {
			return nil, err
		}
		src = src[n:]
	}
	return out, nil
}
