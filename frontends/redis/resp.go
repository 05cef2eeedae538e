// RESP2/RESP3 reply encoding. Handlers write replies through a Writer that
// appends to one buffer per connection; the connection loop flushes it once
// per pipeline. Shapes switch with the connection's negotiated protocol
// (HELLO 3): maps, sets, nulls, doubles and pushes have RESP3 forms and RESP2
// fallbacks, as Redis does.
//
// The RESP2 types are encoded by redcon's Append functions; redcon has no
// RESP3 types, so those (%, ~, >, _, ',', #, =) are written here.
package redis

import (
	"strconv"

	"github.com/tidwall/redcon"
)

// Writer appends RESP replies to Buf. Proto is 2 or 3.
type Writer struct {
	Buf   []byte
	Proto int
}

// Simple writes +s (s must not contain CR or LF).
func (w *Writer) Simple(s string) { w.Buf = redcon.AppendString(w.Buf, s) }

// OK writes +OK.
func (w *Writer) OK() { w.Buf = redcon.AppendOK(w.Buf) }

// Error writes -msg; msg should start with an error code such as "ERR ".
// CR and LF in msg become spaces, keeping the reply on one line.
func (w *Writer) Error(msg string) { w.Buf = redcon.AppendError(w.Buf, msg) }

// Int writes :n.
func (w *Writer) Int(n int64) { w.Buf = redcon.AppendInt(w.Buf, n) }

// Bulk writes a bulk string.
func (w *Writer) Bulk(b []byte) { w.Buf = redcon.AppendBulk(w.Buf, b) }

// BulkString writes a bulk string from s.
func (w *Writer) BulkString(s string) { w.Buf = redcon.AppendBulkString(w.Buf, s) }

// Null writes a null bulk string ($-1 in RESP2, _ in RESP3).
func (w *Writer) Null() {
	if w.Proto >= 3 {
		w.Buf = append(w.Buf, "_\r\n"...)
		return
	}
	w.Buf = redcon.AppendNull(w.Buf)
}

// NullArray writes a null array (*-1 in RESP2, _ in RESP3), e.g. XREAD timing out.
func (w *Writer) NullArray() {
	if w.Proto >= 3 {
		w.Buf = append(w.Buf, "_\r\n"...)
		return
	}
	w.Buf = append(w.Buf, "*-1\r\n"...)
}

func (w *Writer) header(c byte, n int) {
	w.Buf = append(w.Buf, c)
	w.Buf = strconv.AppendInt(w.Buf, int64(n), 10)
	w.Buf = append(w.Buf, '\r', '\n')
}

// Array starts an array of n elements; the caller writes them next.
func (w *Writer) Array(n int) { w.Buf = redcon.AppendArray(w.Buf, n) }

// Map starts a map of n pairs (%n in RESP3, a flat array of 2n in RESP2).
func (w *Writer) Map(n int) {
	if w.Proto >= 3 {
		w.header('%', n)
		return
	}
	w.Array(2 * n)
}

// Set starts a set of n elements (~n in RESP3, an array in RESP2).
func (w *Writer) Set(n int) {
	if w.Proto >= 3 {
		w.header('~', n)
		return
	}
	w.Array(n)
}

// Push starts an out-of-band push of n elements (>n in RESP3, an array in RESP2).
func (w *Writer) Push(n int) {
	if w.Proto >= 3 {
		w.header('>', n)
		return
	}
	w.Array(n)
}

// Double writes a double (,f in RESP3, a bulk string in RESP2).
func (w *Writer) Double(f float64) {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if w.Proto >= 3 {
		w.Buf = append(w.Buf, ',')
		w.Buf = append(w.Buf, s...)
		w.Buf = append(w.Buf, '\r', '\n')
		return
	}
	w.BulkString(s)
}

// Bool writes a boolean (#t/#f in RESP3, :1/:0 in RESP2).
func (w *Writer) Bool(b bool) {
	if w.Proto >= 3 {
		if b {
			w.Buf = append(w.Buf, "#t\r\n"...)
		} else {
			w.Buf = append(w.Buf, "#f\r\n"...)
		}
		return
	}
	if b {
		w.Int(1)
	} else {
		w.Int(0)
	}
}

// Verbatim writes a verbatim string (=len\r\ntxt:… in RESP3, a bulk string in RESP2).
func (w *Writer) Verbatim(format, s string) {
	if w.Proto >= 3 {
		w.header('=', len(s)+4)
		w.Buf = append(w.Buf, format...)
		w.Buf = append(w.Buf, ':')
		w.Buf = append(w.Buf, s...)
		w.Buf = append(w.Buf, '\r', '\n')
		return
	}
	w.BulkString(s)
}

// Raw appends already-encoded RESP.
func (w *Writer) Raw(b []byte) { w.Buf = append(w.Buf, b...) }
