package redis

import (
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"junction/broker"
	"junction/broker/brokertest"
)

// batchStep is one command of a pipeline script and how many replies it
// gets (0 for CLIENT REPLY SKIP and the command it silences).
type batchStep struct {
	args    []string
	replies int
}

func bs(args ...string) batchStep { return batchStep{args: args, replies: 1} }

func bsQuiet(args ...string) batchStep { return batchStep{args: args} }

// xaddBatchScript mixes runs of XADDs to one key, which a pipeline stages
// and appends together, with everything that must cut or shape a run:
// stale and exhausted IDs, parse errors, other keys, NOMKSTREAM, trimming,
// other commands, MULTI/EXEC, CLIENT REPLY SKIP and DEL, then the trimming
// runs of trimScript. Every ID is explicit or follows one far in the
// future, so replies do not depend on the clock and a real Redis gives the
// same bytes.
var xaddBatchScript = append([]batchStep{
	bs("XADD", "s", "1-1", "f", "v"), bs("XADD", "s", "1-2", "f", "v"), bs("XADD", "s", "1-2", "f", "v"),
	bs("XADD", "s", "1-*", "f", "v"), bs("XADD", "s", "0-*", "f", "v"), bs("XADD", "s", "2", "f", "v"),
	bs("XADD", "s", "0-0", "f", "v"), bs("XADD", "s", "*", "f"), bs("XADD", "s", "1-x", "f", "v"),
	bs("xadd", "s", "3-0", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5"),
	bs("XADD", "t", "1-1", "f", "v"), bs("XADD", "s", "4-0", "f", "v"), bs("XLEN", "s"),
	bs("XADD", "s", "NOMKSTREAM", "5-0", "f", "v"), bs("XADD", "missing", "NOMKSTREAM", "1-1", "f", "v"),
	bs("XADD", "s", "6-0", "f", "v"), bs("XADD", "s", "MAXLEN", "5", "7-0", "f", "v"),
	bs("XADD", "s", "8-0", "f", "v"), bs("XRANGE", "s", "-", "+"),
	bs("MULTI"), bs("XADD", "s", "9-0", "f", "v"), bs("XADD", "s", "1-1", "f", "v"),
	bs("XADD", "s", "9-*", "f", "v"), bs("EXEC"),
	bs("XADD", "s", "10-0", "f", "v"), bsQuiet("CLIENT", "REPLY", "SKIP"), bsQuiet("XADD", "s", "11-0", "f", "v"),
	bs("XADD", "s", "12-0", "f", "v"), bs("XADD", "s", "12-0", "f", "v"),
	bs("XADD", "s", "99999999999999-0", "f", "v"), bs("XADD", "s", "*", "f", "v"), bs("XADD", "s", "*", "f", "v"),
	bs("DEL", "t"), bs("XADD", "t", "5-0", "f", "v"), bs("XADD", "t", "1-0", "f", "v"), bs("XADD", "t", "6-*", "g", "w"),
	bs("XADD", "s", "18446744073709551615-18446744073709551614", "f", "v"),
	bs("XADD", "s", "18446744073709551615-*", "f", "v"), bs("XADD", "s", "*", "f", "v"),
	bs("XADD", "s", "1-1", "f", "v"), bs("XADD", "s", "NOMKSTREAM", "*", "f", "v"),
	bs("XADD", "u", "1-0", "", ""), bs("XADD", "u", "2-0", "f", "v"), bs("XADD", "u", "2-0", "f", "v"),
	bs("XADD", "u", "3-*", "f", "v"),
	bs("XLEN", "s"), bs("XRANGE", "s", "-", "+"), bs("XRANGE", "t", "-", "+"), bs("XRANGE", "u", "-", "+"),
	bs("XINFO", "STREAM", "t"),
}, trimScript()...)

// trimScript: runs of XADDs with MAXLEN or MINID, exact and approximate
// (whole nodes of 100 entries, with and without a LIMIT that binds), cut by
// a change of options or a refused ID, each followed by what shows the
// stream's state: its length, entries, first ID and max-deleted-entry-id.
func trimScript() []batchStep {
	var sc []batchStep
	add := func(key string, n int, opts ...string) {
		for range n {
			i := len(sc) + 1
			args := append([]string{"XADD", key}, opts...)
			sc = append(sc, bs(append(args, strconv.Itoa(i)+"-0", "f", "v")...))
		}
	}
	show := func(key string) {
		sc = append(sc, bs("XLEN", key), bs("XRANGE", key, "-", "+", "COUNT", "5"), bs("XINFO", "STREAM", key))
	}
	add("tv", 5, "MAXLEN", "3")
	sc = append(sc, bs("XADD", "tv", "MAXLEN", "3", "1-0", "f", "v")) // refused: no trim
	add("tv", 2, "MAXLEN", "=", "2")
	add("tv", 3, "MINID", "9")
	add("tv", 2, "MINID", "=", "12")
	show("tv")
	add("tw", 250, "MAXLEN", "~", "120")
	show("tw")
	add("tw", 350, "MAXLEN", "~", "10", "LIMIT", "100")
	show("tw")
	add("tw", 130, "MINID", "~", "600", "LIMIT", "100")
	add("tw", 20, "NOMKSTREAM", "MINID", "~", "800")
	show("tw")
	return sc
}

// encodeScript renders a script as one pipeline, keys prefixed.
func encodeScript(script []batchStep, prefix string) []byte {
	var b []byte
	for _, st := range script {
		args := make([]any, len(st.args))
		for i, a := range st.args {
			args[i] = a
			if i > 0 && (a == "s" || a == "t" || a == "u" || a == "tv" || a == "tw" || a == "missing") {
				args[i] = prefix + a
			}
		}
		b = append(b, encodeCommand(args...)...)
	}
	return b
}

// runScript runs script on addr in protocol proto and returns the replies:
// pipelined, all commands in one write; otherwise one command at a time,
// each written after the previous reply arrived.
func runScript(t *testing.T, addr string, proto int, prefix string, pipelined bool) string {
	t.Helper()
	c := sxDial(t, addr, proto)
	keys := []string{"DEL"}
	for _, k := range []string{"s", "t", "u", "tv", "tw", "missing"} {
		keys = append(keys, prefix+k)
	}
	c.Do(keys...)
	defer c.Do(keys...)
	var out []byte
	if pipelined {
		if _, err := c.nc.Write(encodeScript(xaddBatchScript, prefix)); err != nil {
			t.Fatal(err)
		}
		for _, st := range xaddBatchScript {
			for range st.replies {
				out = append(out, c.reply()...)
			}
		}
		return string(out)
	}
	for _, st := range xaddBatchScript {
		if _, err := c.nc.Write(encodeScript([]batchStep{st}, prefix)); err != nil {
			t.Fatal(err)
		}
		for range st.replies {
			out = append(out, c.reply()...)
		}
	}
	return string(out)
}

// TestXAddPipelineMatchesOneByOne: a pipeline whose XADDs are appended in
// batches gets the same replies, byte for byte, as the same commands sent
// one at a time, on both storage backends.
func TestXAddPipelineMatchesOneByOne(t *testing.T) {
	for _, files := range []bool{false, true} {
		for _, proto := range []int{2, 3} {
			name := "memory/RESP" + strconv.Itoa(proto)
			st := brokertest.Memory(t)
			if files {
				name = "files/RESP" + strconv.Itoa(proto)
				st = brokertest.Files(t)
			}
			t.Run(name, func(t *testing.T) {
				b := st.New(t, broker.Config{Fsync: broker.FsyncNever})
				e := startStreamServer(t, b, nil)
				one := runScript(t, e.addr, proto, "one:", false)
				before := e.srv.stats.xaddBatches.Load()
				piped := runScript(t, e.addr, proto, "piped:", true)
				if piped != one {
					t.Errorf("pipelined replies differ\npipelined  %q\none by one %q", piped, one)
				}
				if e.srv.stats.xaddBatches.Load() == before {
					t.Errorf("the pipeline appended no XADDs together")
				}
				if !strings.Contains(one, "-ERR The ID specified in XADD is equal or smaller") ||
					!strings.Contains(one, "-ERR The stream has exhausted the last possible ID") {
					t.Errorf("script lost its errors: %q", one)
				}
			})
		}
	}
}

// TestXAddPipelineCompareWithRedis runs the pipelined script on a real
// Redis (JUNCTION_COMPARE_REDIS=host:port) and on Junction.
func TestXAddPipelineCompareWithRedis(t *testing.T) {
	addr := os.Getenv("JUNCTION_COMPARE_REDIS")
	if addr == "" {
		t.Skip("set JUNCTION_COMPARE_REDIS=host:port to compare with a real Redis")
	}
	e := newStreamEnv(t)
	for _, proto := range []int{2, 3} {
		prefix := "jcmp:xaddbatch:" + strconv.Itoa(proto) + ":"
		ref, mine := runScript(t, addr, proto, prefix, true), runScript(t, e.addr, proto, prefix, true)
		// XINFO STREAM's radix-tree counts are Redis internals.
		ref, mine = maskRadix(ref), maskRadix(mine)
		if ref != mine {
			t.Errorf("RESP%d:\nredis    %q\njunction %q", proto, ref, mine)
		}
	}
}

func maskRadix(s string) string {
	for _, f := range []string{"radix-tree-keys", "radix-tree-nodes"} {
		if i := strings.Index(s, f+"\r\n:"); i >= 0 {
			j := i + len(f) + 3
			k := strings.Index(s[j:], "\r\n")
			s = s[:j] + "N" + s[j+k:]
		}
	}
	return s
}

// TestXAddPipelineWakesBlockedReader: a reader blocked in XREAD is woken
// by batched appends and, reading on from the last ID it saw, gets every
// entry in order, with the IDs the writer was told.
func TestXAddPipelineWakesBlockedReader(t *testing.T) {
	b := brokertest.Files(t).New(t, broker.Config{Fsync: broker.FsyncNever})
	e := startStreamServer(t, b, nil)
	const rounds, perRound = 5, 40
	reader := sxDial(t, e.addr, 2)
	got := make(chan []string, 1)
	go func() {
		var ids []string
		last := "0-0"
		for len(ids) < rounds*perRound {
			reader.send("XREAD", "COUNT", "1000", "BLOCK", "0", "STREAMS", "s", last)
			reply := sxRender(reader.reply())
			// [[s [[id [f n]] …]]]
			for _, part := range strings.Split(reply, "[[")[2:] {
				id, _, _ := strings.Cut(part, " ")
				ids = append(ids, id)
				last = id
			}
		}
		got <- ids
	}()
	waitBlocked(t, e.srv, 1)
	writer := sxDial(t, e.addr, 2)
	var want []string
	for r := range rounds {
		var pipe []byte
		for i := range perRound {
			pipe = append(pipe, encodeCommand("XADD", "s", "*", "n", r*perRound+i)...)
		}
		if _, err := writer.nc.Write(pipe); err != nil {
			t.Fatal(err)
		}
		for range perRound {
			want = append(want, sxRender(writer.reply()))
		}
	}
	select {
	case ids := <-got:
		if strings.Join(ids, " ") != strings.Join(want, " ") {
			t.Fatalf("reader saw %d entries %q\nwriter was told %q", len(ids), ids, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("reader did not see every entry")
	}
	if e.srv.stats.xaddBatches.Load() == 0 {
		t.Error("no XADDs were appended together")
	}
	r := writer.Do("XRANGE", "s", "-", "+", "COUNT", "3").String()
	if !strings.HasSuffix(r, "[n 2]]]") {
		t.Errorf("XRANGE = %s", r)
	}
}

// newPipeConn returns a connection on one end of a net.Pipe, for driving
// dispatch directly on a Conn that stages XADDs (replies stay in c.W.Buf
// until flushXAdds).
func newPipeConn(t *testing.T, b *broker.Broker) *Conn {
	s := New(Config{Broker: b})
	nc, peer := net.Pipe()
	t.Cleanup(func() { nc.Close(); peer.Close() })
	c := newConn(s, nc)
	s.conns[c.id] = c
	return c
}

func doArgs(args ...string) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(a)
	}
	return out
}

// TestXAddStagedStreamGone: XADDs staged for a stream that another client
// deletes, or that expires, before they are appended run one by one as if
// they arrived then: a new stream is created, NOMKSTREAM finds none.
func TestXAddStagedStreamGone(t *testing.T) {
	clk := &streamTestClock{t: time.UnixMilli(1_000_000)}
	b := brokertest.Memory(t).New(t, broker.Config{Now: clk.Now, Fsync: broker.FsyncNever})
	c := newPipeConn(t, b)
	run := func(args ...string) {
		t.Helper()
		c.dispatch(doArgs(args...))
	}
	replies := func() string {
		t.Helper()
		c.flushXAdds()
		out := string(c.W.Buf)
		c.W.Buf = c.W.Buf[:0]
		return out
	}

	run("XADD", "s", "1-1", "f", "v")
	run("XADD", "s", "2-1", "f", "v")
	if len(c.W.Buf) != 0 {
		t.Fatalf("XADDs were not staged: %q", c.W.Buf)
	}
	if got := replies(); got != "$3\r\n1-1\r\n$3\r\n2-1\r\n" {
		t.Fatalf("replies %q", got)
	}

	// Deleted by another client: NOMKSTREAM finds no stream.
	run("XADD", "s", "NOMKSTREAM", "3-1", "f", "v")
	run("XADD", "s", "NOMKSTREAM", "4-1", "f", "v")
	if err := b.DeleteTopic("s"); err != nil {
		t.Fatal(err)
	}
	if got := replies(); got != "$-1\r\n$-1\r\n" {
		t.Fatalf("NOMKSTREAM after DEL: %q", got)
	}

	// Deleted again: the stream is created anew, IDs checked against it.
	run("XADD", "s", "1-1", "f", "v")
	run("XADD", "s", "5-1", "f", "v")
	run("XADD", "s", "3-1", "f", "v")
	if err := b.DeleteTopic("s"); err != nil {
		t.Fatal(err)
	}
	run("XADD", "s", "1-1", "f", "v") // staged onto the old partition
	tooSmall := "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n"
	if got := replies(); got != "$3\r\n1-1\r\n$3\r\n5-1\r\n"+tooSmall+tooSmall {
		t.Fatalf("after DEL: %q", got)
	}
	run("XLEN", "s")
	if got := replies(); got != ":2\r\n" {
		t.Fatalf("XLEN of the stream created anew: %q", got)
	}

	// Expired between staging and appending: the entries go to a new
	// stream, without the old one's entries or TTL.
	run("PEXPIRE", "s", "1000")
	replies()
	run("XADD", "s", "7-1", "f", "v")
	run("XADD", "s", "8-1", "f", "v")
	clk.Add(2 * time.Second)
	if got := replies(); got != "$3\r\n7-1\r\n$3\r\n8-1\r\n" {
		t.Fatalf("XADDs across the expiry: %q", got)
	}
	run("XLEN", "s")
	run("PTTL", "s")
	if got := replies(); got != ":2\r\n:-1\r\n" {
		t.Fatalf("XLEN, PTTL after expiry: %q", got)
	}
}

// TestXAddStagedOnlyWhereRepliesAreKept: CLIENT REPLY OFF and EXEC run
// XADD at once (no reply is left pending).
func TestXAddStagedOnlyWhereRepliesAreKept(t *testing.T) {
	b := brokertest.Memory(t).New(t, broker.Config{Fsync: broker.FsyncNever})
	c := newPipeConn(t, b)
	c.dispatch(doArgs("CLIENT", "REPLY", "OFF"))
	c.dispatch(doArgs("XADD", "s", "1-1", "f", "v"))
	if len(c.xadds.recs) != 0 {
		t.Fatal("XADD staged under CLIENT REPLY OFF")
	}
	c.dispatch(doArgs("CLIENT", "REPLY", "ON"))
	c.dispatch(doArgs("MULTI"))
	c.dispatch(doArgs("XADD", "s", "2-1", "f", "v"))
	c.dispatch(doArgs("EXEC"))
	if len(c.xadds.recs) != 0 {
		t.Fatal("XADD staged inside EXEC")
	}
	if got := string(c.W.Buf); got != "+OK\r\n+OK\r\n+QUEUED\r\n*1\r\n$3\r\n2-1\r\n" {
		t.Fatalf("replies %q", got)
	}
	if n := b.Topic("s").Partition(0).Len(); n != 2 {
		t.Fatalf("XLEN %d", n)
	}
}

// chunksReader returns one chunk per Read, as a socket returns one
// pipeline.
type chunksReader struct{ chunks [][]byte }

func (r *chunksReader) Read(p []byte) (int, error) {
	if len(r.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.chunks[0])
	if r.chunks[0] = r.chunks[0][n:]; len(r.chunks[0]) == 0 {
		r.chunks = r.chunks[1:]
	}
	return n, nil
}

// TestReaderReusesReleasedInput: after commands that release their
// arguments, the reader keeps one buffer and one argument vector; an
// argument of a command that did not release stays intact. Input split
// anywhere parses the same.
func TestReaderReusesReleasedInput(t *testing.T) {
	val := func(i int) string { return strings.Repeat(string(rune('a'+i%26)), 100) }
	var all []byte
	chunks := [][]byte{encodeCommand("ECHO", "keep-me")}
	for p := range 50 {
		var pipe []byte
		for i := range 10 {
			pipe = append(pipe, encodeCommand("XADD", "s", "*", "f", val(p*10+i))...)
		}
		chunks = append(chunks, pipe)
		all = append(all, pipe...)
	}
	all = append(chunks[0], all...)
	for _, split := range []string{"pipelines", "7 bytes", "1000 bytes"} {
		var rd *reader
		switch split {
		case "pipelines":
			rd = newReader(&chunksReader{chunks: chunks})
		case "7 bytes":
			rd = newReader(&chunkReader{data: all, n: 7})
		default:
			rd = newReader(&chunkReader{data: all, n: 1000})
		}
		kept, err := rd.Next()
		if err != nil {
			t.Fatal(err)
		}
		var buf *byte
		var argv *[]byte
		bufs, argvs := 0, 0
		for i := range 500 {
			args, err := rd.Next()
			if err != nil {
				t.Fatal(err)
			}
			if len(args) != 5 || string(args[0]) != "XADD" || string(args[4]) != val(i) {
				t.Fatalf("%s: command %d: %q", split, i, args)
			}
			if &rd.buf[0] != buf {
				buf = &rd.buf[0]
				bufs++
			}
			if &args[0] != argv {
				argv = &args[0]
				argvs++
			}
			rd.release()
		}
		if _, err := rd.Next(); !errors.Is(err, io.EOF) {
			t.Fatalf("%s: after the input: %v", split, err)
		}
		if string(kept[1]) != "keep-me" {
			t.Fatalf("%s: unreleased argument overwritten: %q", split, kept[1])
		}
		// The first buffer holds "keep-me"; the next one serves the rest
		// when reads end at command boundaries.
		if split == "pipelines" && (bufs > 2 || argvs > 1) {
			t.Errorf("%d buffers and %d argument vectors for 500 released commands", bufs, argvs)
		}
	}
}

// TestXAddPipelineTrimsInBatches: a pipeline of capped XADDs (MAXLEN ~)
// is appended in batches too, and the stream still ends capped.
func TestXAddPipelineTrimsInBatches(t *testing.T) {
	e := newStreamEnv(t)
	var sc []batchStep
	for range 1000 {
		sc = append(sc, bs("XADD", "s", "MAXLEN", "~", "300", "*", "f", "v"))
	}
	c := sxDial(t, e.addr, 2)
	before := e.srv.stats.xaddBatches.Load()
	if _, err := c.nc.Write(encodeScript(sc, "capped:")); err != nil {
		t.Fatal(err)
	}
	for range sc {
		if r := c.reply(); r[0] != '$' {
			t.Fatalf("XADD replied %q", r)
		}
	}
	if e.srv.stats.xaddBatches.Load() == before {
		t.Error("the capped XADDs were not appended together")
	}
	// Whole nodes of 100 go while at least 300 entries stay, as when
	// each XADD trims behind itself.
	c.Do("XLEN", "capped:s").WantRaw(":300\r\n")
}
