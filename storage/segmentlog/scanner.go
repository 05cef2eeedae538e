// Sequential frame reader over a segment file, using pread (ReadAt) so any
// number of scanners share one file handle with the appender.

package segmentlog

import (
	"io"
	"os"
)

// scanner hands out whole frames from pos up to limit. Reads fill a window
// buffer; with fresh set every refill takes a new buffer from readBuf, so
// frames already handed out (and records decoded from them) stay valid.
type scanner struct {
	f      *os.File
	pos    int64 // file position of the next frame
	limit  int64 // end of the bytes that may be read
	fresh  bool  // allocate a new buffer per refill
	window int   // size of the first refill
	refill int   // size of later refills

	buf   []byte // file bytes [bufAt, bufAt+len(buf))
	bufAt int64
}

// next returns the next frame (header included) and advances past it. It
// returns io.EOF at limit, errTorn when a frame runs past limit, an error
// wrapping storage.ErrCorrupt for an impossible length, and I/O errors as is.
// Only the length is checked: decodeRecord verifies the rest.
func (s *scanner) next() ([]byte, error) {
	// Fast path: the whole frame is buffered.
	if rel := s.pos - s.bufAt; rel >= 0 && rel+frameHeader <= int64(len(s.buf)) {
		b := s.buf[rel:]
		n := le.Uint32(b)
		size := frameHeader + int64(n)
		if n >= minPayload && n <= maxPayload && size <= int64(len(b)) && size <= s.limit-s.pos {
			s.pos += size
			return b[:size:size], nil
		}
	}
	return s.slowNext()
}

func (s *scanner) slowNext() ([]byte, error) {
	if s.pos >= s.limit {
		return nil, io.EOF
	}
	if s.limit-s.pos < frameHeader {
		return nil, errTorn
	}
	b, err := s.view(frameHeader)
	if err != nil {
		return nil, err
	}
	size, err := frameSize(b)
	if err != nil {
		return nil, err
	}
	if int64(size) > s.limit-s.pos {
		return nil, errTorn
	}
	if len(b) < size {
		if b, err = s.view(size); err != nil {
			return nil, err
		}
	}
	s.pos += int64(size)
	return b[:size:size], nil
}

// view returns the buffered bytes from pos on, at least need of them
// (need <= limit-pos).
func (s *scanner) view(need int) ([]byte, error) {
	if rel := s.pos - s.bufAt; rel >= 0 && rel+int64(need) <= int64(len(s.buf)) {
		return s.buf[rel:], nil
	}
	size := s.refill
	if s.buf == nil {
		size = s.window
	}
	size = int(min(int64(max(size, need)), s.limit-s.pos))
	if s.fresh {
		s.buf = readBuf(size)
	} else if cap(s.buf) < size {
		s.buf = make([]byte, size)
	} else {
		s.buf = s.buf[:size]
	}
	n, err := s.f.ReadAt(s.buf, s.pos)
	if n < size {
		s.buf = s.buf[:0]
		if err == io.EOF || err == nil {
			return nil, errTorn // the file is shorter than its recorded size
		}
		return nil, err
	}
	s.bufAt = s.pos
	return s.buf, nil
}
