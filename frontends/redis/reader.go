// The request parser: RESP multibulk ("*<n>\r\n$<len>\r\n<bytes>\r\n…") and
// inline commands ("PING\r\n", split like sdssplitargs), with the limits and
// error replies of Redis 7's processMultibulkBuffer / processInlineBuffer:
//
//   - A bulk longer than proto-max-bulk-len (512 MB) or negative, or a
//     malformed length: "Protocol error: invalid bulk length".
//   - Before AUTH when a password is required: at most 10 arguments of
//     16384 bytes ("unauthenticated multibulk length" / "bulk length").
//   - A header or inline line over 64 KB without a newline: "too big mbulk
//     count string", "too big bulk count string", "too big inline request".
//   - "*0" and "*-1" are ignored, as Redis does.
//
// Differences: an inline line holding a NUL byte runs up to the NUL (Redis
// searches the newline with strchr, so it stops there and waits for input
// until the 64 KB limit); Redis 7 accepts up to INT_MAX arguments; we stop at 1048576
// (the Redis 6 limit) with "invalid multibulk length", and a command's
// arguments may total at most 1 GiB (Redis's client-query-buffer-limit),
// beyond which the connection is closed without a reply, as Redis does.
//
// No declared length is allocated up front: the argument vector starts at
// min(n, 1024) entries and a large bulk grows as its bytes arrive. Buffers
// handed out as arguments are never written again (a full buffer is replaced,
// not compacted), so handlers may keep argument slices without copying —
// unless the connection calls release after a command that keeps none
// (ArgsTransient): while every command parsed from the buffer has released
// its arguments, the next read reuses the buffer (moving the unparsed bytes
// to its start), and the next command reuses the argument vector.
package redis

import (
	"bytes"
	"errors"
	"io"
	"os"
)

// Request limits.
const (
	maxBulkLen       = 512 << 20 // proto-max-bulk-len
	maxMultibulkLen  = 1 << 20
	maxInlineLen     = 64 << 10 // PROTO_INLINE_MAX_SIZE
	maxQueryBytes    = 1 << 30  // client-query-buffer-limit
	unauthMultibulk  = 10
	unauthBulkLen    = 16384
	readBufSize      = 16 << 10 // PROTO_IOBUF_LEN
	bigArg           = 32 << 10 // bulks above this get their own allocation
	bigArgInitial    = 1 << 20  // first allocation for such a bulk
	initialArgvSlots = 1024
)

// protoError is a protocol violation: its text is replied as "-ERR <text>"
// and the connection is closed.
type protoError string

func (e protoError) Error() string { return string(e) }

// errQueryLimit closes a connection whose command exceeds maxQueryBytes.
var errQueryLimit = errors.New("query buffer limit exceeded")

// reader parses requests from rd.
type reader struct {
	rd  io.Reader
	buf []byte // buf[r:w] is read but unparsed input
	r   int
	w   int
	err error // sticky read error, returned once buffered input is used

	// unauth applies the limits for unauthenticated clients.
	unauth bool
	// beforeRead runs before every read from rd that may block (the
	// connection flushes its pending replies there). An error aborts.
	beforeRead func() error
	// nread counts bytes read from rd.
	nread int64

	// Reuse (see release): pinned is set when an argument handed out from
	// buf by an earlier command may still be referenced, cur when the
	// current command took arguments from buf. argv is the last multibulk
	// argument vector; argvCur says the current command got it, argvFree
	// that it may be reused.
	pinned, cur       bool
	argv              [][]byte
	argvCur, argvFree bool
}

// release declares that the current command keeps no reference to its
// arguments or their bytes; the reader may reuse both.
func (r *reader) release() {
	r.cur = false
	if r.argvCur {
		r.argvFree = true
	}
}

// newBuf replaces buf by a fresh buffer of size bytes holding the unparsed
// input.
func (r *reader) newBuf(size int) {
	unread := r.w - r.r
	nb := make([]byte, size)
	copy(nb, r.buf[r.r:r.w])
	r.buf, r.r, r.w = nb, 0, unread
	r.pinned, r.cur = false, false // nothing handed out from nb yet
}

func newReader(rd io.Reader) *reader {
	return &reader{rd: rd}
}

// fill reads more input, making room for at least need more bytes after
// buf[r:w] first. It never moves bytes that may have been handed out.
func (r *reader) fill(need int) error {
	if r.err != nil {
		return r.err
	}
	if r.beforeRead != nil {
		if err := r.beforeRead(); err != nil {
			r.err = err
			return err
		}
	}
	if r.r > 0 && !r.pinned && !r.cur {
		// No argument handed out from buf is in use: reuse it.
		r.w = copy(r.buf, r.buf[r.r:r.w])
		r.r = 0
	}
	if len(r.buf)-r.w < need || r.w == len(r.buf) {
		unread := r.w - r.r
		r.newBuf(max(readBufSize, 2*unread, unread+need)) // doubling: a long line costs O(n)
	}
	for range 100 {
		n, err := r.rd.Read(r.buf[r.w:])
		r.w += n
		r.nread += int64(n)
		if err != nil {
			r.err = err
			if n > 0 {
				return nil
			}
			return err
		}
		if n > 0 {
			return nil
		}
	}
	r.err = io.ErrNoProgress
	return r.err
}

// readAhead reads once into the buffer, without beforeRead, while the
// connection goroutine is blocked in a command (so a closed peer is seen).
// A read error other than a deadline becomes sticky, returned by Next once
// the input read so far is used up.
func (r *reader) readAhead() error {
	if r.err != nil {
		return r.err
	}
	if r.w == len(r.buf) {
		r.newBuf(max(readBufSize, 2*(r.w-r.r)))
	}
	n, err := r.rd.Read(r.buf[r.w:])
	r.w += n
	r.nread += int64(n)
	if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		r.err = err
	}
	return err
}

// buffered is the number of bytes read but not yet parsed.
func (r *reader) buffered() int { return r.w - r.r }

// Next returns the next command's arguments. A nil slice with a nil error
// means an empty command (blank inline line, "*0"): nothing to run.
func (r *reader) Next() ([][]byte, error) {
	r.pinned = r.pinned || r.cur // the previous command did not release its arguments
	r.cur, r.argvCur = false, false
	for r.r == r.w {
		if err := r.fill(1); err != nil {
			return nil, err
		}
	}
	if r.buf[r.r] == '*' {
		return r.multibulk()
	}
	return r.inline()
}

// line returns the index of the first sep at or after buf[r], reading more
// as needed, or ok=false once more than maxInlineLen bytes hold none. It
// consumes nothing. withNext also waits for the byte after sep (the '\n'
// after '\r', which Redis skips unchecked).
func (r *reader) line(sep byte, withNext bool) (end int, ok bool, err error) {
	scanned := 0 // bytes after r.r known to hold no usable sep
	for {
		if i := bytes.IndexByte(r.buf[r.r+scanned:r.w], sep); i >= 0 {
			end = r.r + scanned + i
			if !withNext || end+1 < r.w {
				return end, true, nil
			}
			scanned += i
		} else {
			scanned = r.w - r.r
		}
		if r.w-r.r > maxInlineLen {
			return 0, false, nil
		}
		if err := r.fill(1); err != nil {
			return 0, false, err
		}
	}
}

// header parses the length in the "*<n>\r\n" or "$<n>\r\n" line at
// buf[r] and returns it and the index of its '\r'; ok is false when the
// line is not wholly buffered or is anything but 1 to 18 decimal digits
// without a leading zero (then line and string2ll decide).
func (r *reader) header() (n int64, nl int, ok bool) {
	b := r.buf[r.r+1 : r.w]
	if len(b) < 3 || b[0] < '1' || b[0] > '9' {
		return 0, 0, false
	}
	for i := 0; i < len(b)-1 && i <= 18; i++ {
		c := b[i]
		if c == '\r' {
			return n, r.r + 1 + i, i > 0
		}
		if c < '0' || c > '9' {
			return 0, 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return 0, 0, false
}

// multibulk parses "*<n>\r\n" followed by n bulk strings.
func (r *reader) multibulk() ([][]byte, error) {
	n, nl, ok := r.header()
	if !ok {
		var err error
		if nl, ok, err = r.line('\r', true); err != nil {
			return nil, err
		}
		if !ok {
			return nil, protoError("Protocol error: too big mbulk count string")
		}
		n, ok = string2ll(r.buf[r.r+1 : nl])
	}
	if !ok || n > maxMultibulkLen {
		return nil, protoError("Protocol error: invalid multibulk length")
	}
	if n > unauthMultibulk && r.unauth {
		return nil, protoError("Protocol error: unauthenticated multibulk length")
	}
	r.r = nl + 2
	if n <= 0 {
		return nil, nil
	}
	var argv [][]byte
	if r.argvFree && int64(cap(r.argv)) >= n {
		argv = r.argv[:0]
	} else {
		argv = make([][]byte, 0, min(n, initialArgvSlots))
	}
	r.argv, r.argvCur, r.argvFree = argv, true, false
	total := int64(0)
	for int64(len(argv)) < n {
		for r.r == r.w {
			if err := r.fill(1); err != nil {
				return nil, err
			}
		}
		if c := r.buf[r.r]; c != '$' {
			return nil, protoError("Protocol error: expected '$', got '" + string([]byte{c}) + "'")
		}
		size, nl, ok := r.header()
		if !ok {
			var err error
			if nl, ok, err = r.line('\r', true); err != nil {
				return nil, err
			}
			if !ok {
				return nil, protoError("Protocol error: too big bulk count string")
			}
			size, ok = string2ll(r.buf[r.r+1 : nl])
		}
		if !ok || size < 0 || size > maxBulkLen {
			return nil, protoError("Protocol error: invalid bulk length")
		}
		if size > unauthBulkLen && r.unauth {
			return nil, protoError("Protocol error: unauthenticated bulk length")
		}
		total += size
		if total > maxQueryBytes {
			return nil, errQueryLimit
		}
		r.r = nl + 2
		arg, err := r.bulk(int(size))
		if err != nil {
			return nil, err
		}
		argv = append(argv, arg)
	}
	r.argv = argv
	return argv, nil
}

// bulk reads size bytes and the two bytes after them (CRLF, skipped
// unchecked as Redis does).
func (r *reader) bulk(size int) ([]byte, error) {
	if size > bigArg && r.w-r.r < size+2 {
		return r.bigBulk(size)
	}
	for r.w-r.r < size+2 {
		if err := r.fill(size + 2 - (r.w - r.r)); err != nil {
			return nil, err
		}
	}
	arg := r.buf[r.r : r.r+size : r.r+size]
	r.r += size + 2
	r.cur = true
	return arg, nil
}

// bigBulk reads a large bulk into its own slice, grown as data arrives so a
// declared length costs nothing until the bytes are actually sent.
func (r *reader) bigBulk(size int) ([]byte, error) {
	arg := make([]byte, 0, min(size, bigArgInitial))
	have := min(r.w-r.r, size)
	arg = append(arg, r.buf[r.r:r.r+have]...)
	r.r += have
	for len(arg) < size {
		if r.err != nil {
			return nil, r.err
		}
		if len(arg) == cap(arg) {
			grown := make([]byte, len(arg), min(2*cap(arg), size))
			copy(grown, arg)
			arg = grown
		}
		if r.beforeRead != nil {
			if err := r.beforeRead(); err != nil {
				r.err = err
				return nil, err
			}
		}
		n, err := r.rd.Read(arg[len(arg):cap(arg)])
		arg = arg[:len(arg)+n]
		r.nread += int64(n)
		if err != nil {
			r.err = err
			if len(arg) < size {
				return nil, err
			}
		}
	}
	for r.w-r.r < 2 {
		if err := r.fill(2 - (r.w - r.r)); err != nil {
			return nil, err
		}
	}
	r.r += 2
	return arg[:size:size], nil
}

// inline parses one line as an inline command.
func (r *reader) inline() ([][]byte, error) {
	nl, ok, err := r.line('\n', false)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, protoError("Protocol error: too big inline request")
	}
	end := nl
	if end > r.r && r.buf[end-1] == '\r' {
		end--
	}
	line := r.buf[r.r:end]
	r.r = nl + 1
	args, ok := splitArgs(line)
	if !ok {
		return nil, protoError("Protocol error: unbalanced quotes in request")
	}
	if len(args) == 0 {
		return nil, nil
	}
	return args, nil
}

// string2ll parses a decimal int64 exactly as Redis's string2ll: no sign
// but '-', no leading zeros, no spaces, no overflow.
func string2ll(b []byte) (int64, bool) {
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 || b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64 // 19 digits never overflow a uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	switch {
	case neg && v <= 1<<63:
		return int64(-v), true
	case !neg && v < 1<<63:
		return int64(v), true
	}
	return 0, false
}

// splitArgs splits an inline command line as Redis's sdssplitargs: blanks
// separate arguments; "double quotes" support \n \r \t \b \a \xHH and \c;
// 'single quotes' support \'; a closing quote must be followed by a blank or
// the end. A NUL byte ends the line, as in C. ok is false on unbalanced quotes.
func splitArgs(line []byte) (args [][]byte, ok bool) {
	if i := bytes.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	p := 0
	at := func(i int) byte {
		if i < len(line) {
			return line[i]
		}
		return 0
	}
	for {
		for p < len(line) && isSpace(line[p]) {
			p++
		}
		if p >= len(line) {
			return args, true
		}
		var cur []byte
		inq, insq, done := false, false, false
		for !done {
			c := at(p)
			switch {
			case inq:
				switch {
				case c == '\\' && at(p+1) == 'x' && isHex(at(p+2)) && isHex(at(p+3)):
					cur = append(cur, unhex(at(p+2))<<4|unhex(at(p+3)))
					p += 3
				case c == '\\' && at(p+1) != 0:
					p++
					switch e := at(p); e {
					case 'n':
						cur = append(cur, '\n')
					case 'r':
						cur = append(cur, '\r')
					case 't':
						cur = append(cur, '\t')
					case 'b':
						cur = append(cur, '\b')
					case 'a':
						cur = append(cur, '\a')
					default:
						cur = append(cur, e)
					}
				case c == '"':
					if n := at(p + 1); n != 0 && !isSpace(n) {
						return nil, false
					}
					done = true
				case c == 0:
					return nil, false
				default:
					cur = append(cur, c)
				}
			case insq:
				switch {
				case c == '\\' && at(p+1) == '\'':
					p++
					cur = append(cur, '\'')
				case c == '\'':
					if n := at(p + 1); n != 0 && !isSpace(n) {
						return nil, false
					}
					done = true
				case c == 0:
					return nil, false
				default:
					cur = append(cur, c)
				}
			default:
				switch c {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inq = true
				case '\'':
					insq = true
				default:
					cur = append(cur, c)
				}
			}
			if p < len(line) {
				p++
			}
		}
		if cur == nil {
			cur = []byte{}
		}
		args = append(args, cur)
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
