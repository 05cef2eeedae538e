package redis

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

// chunkReader returns its input a few bytes per Read.
type chunkReader struct {
	data []byte
	n    int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), r.n, len(r.data))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

func readAll(t testing.TB, in string, chunk int) ([][]string, error) {
	rd := newReader(&chunkReader{data: []byte(in), n: chunk})
	var out [][]string
	for {
		args, err := rd.Next()
		if err != nil {
			return out, err
		}
		if args == nil {
			continue
		}
		var s []string
		for _, a := range args {
			s = append(s, string(a))
		}
		out = append(out, s)
	}
}

func TestReaderSplitsAnywhere(t *testing.T) {
	big := strings.Repeat("z", 100<<10)
	in := string(encodeCommand("SET", "k", "v")) + "PING\r\n" + string(encodeCommand("ECHO", big)) +
		"  echo   \"a b\"  'c'\n" + string(encodeCommand("X", ""))
	want := [][]string{{"SET", "k", "v"}, {"PING"}, {"ECHO", big}, {"echo", "a b", "c"}, {"X", ""}}
	for _, chunk := range []int{1, 2, 3, 7, 100, 4096, 1 << 20} {
		got, err := readAll(t, in, chunk)
		if !errors.Is(err, io.EOF) {
			t.Fatalf("chunk %d: err %v", chunk, err)
		}
		if len(got) != len(want) {
			t.Fatalf("chunk %d: %d commands, want %d", chunk, len(got), len(want))
		}
		for i := range want {
			if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
				t.Fatalf("chunk %d: command %d = %.40q", chunk, i, got[i])
			}
		}
	}
}

func TestReaderArgsStayValid(t *testing.T) {
	var in bytes.Buffer
	for i := range 2000 {
		in.Write(encodeCommand("ECHO", strings.Repeat(string(rune('a'+i%26)), 50)))
	}
	rd := newReader(&chunkReader{data: in.Bytes(), n: 999})
	var kept [][]byte
	for {
		args, err := rd.Next()
		if err != nil {
			break
		}
		kept = append(kept, args[1])
	}
	for i, k := range kept {
		if string(k) != strings.Repeat(string(rune('a'+i%26)), 50) {
			t.Fatalf("argument %d was overwritten: %q", i, k)
		}
	}
}

func TestReaderDeclaredLengthsDoNotAllocate(t *testing.T) {
	for _, in := range []string{
		"*1\r\n$536870912\r\nabc", // a 512 MB bulk, 3 bytes sent
		"*1048576\r\n$1\r\na\r\n", // a million arguments, one sent
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$500000000\r\n" + strings.Repeat("x", 100<<10),
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := readAll(t, in, 4096)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, io.EOF) {
			t.Fatalf("%.20q: %v", in, err)
		}
		if d := after.TotalAlloc - before.TotalAlloc; d > 8<<20 {
			t.Fatalf("%.20q: allocated %d bytes", in, d)
		}
	}
}

func TestString2ll(t *testing.T) {
	good := map[string]int64{"0": 0, "1": 1, "-1": -1, "9223372036854775807": 1<<63 - 1,
		"-9223372036854775808": -1 << 63, "120": 120}
	for s, want := range good {
		if v, ok := string2ll([]byte(s)); !ok || v != want {
			t.Errorf("string2ll(%q) = %d, %v", s, v, ok)
		}
	}
	for _, s := range []string{"", "-", "+1", "01", "-0", " 1", "1 ", "9223372036854775808",
		"-9223372036854775809", "99999999999999999999", "1a", "0x1"} {
		if v, ok := string2ll([]byte(s)); ok {
			t.Errorf("string2ll(%q) = %d, want failure", s, v)
		}
	}
}

func TestSplitArgs(t *testing.T) {
	cases := map[string][]string{
		`set a b`:            {"set", "a", "b"},
		`  a  `:              {"a"},
		`"a\x41\n\"" 'x\'y'`: {"aA\n\"", "x'y"},
		`""`:                 {""},
		"a\x00b c":           {"a"},
		`"\xZZ"`:             {"xZZ"},
		"a\tb":               {"a", "b"},
	}
	for in, want := range cases {
		got, ok := splitArgs([]byte(in))
		if !ok || len(got) != len(want) {
			t.Errorf("splitArgs(%q) = %q, %v", in, got, ok)
			continue
		}
		for i := range want {
			if string(got[i]) != want[i] {
				t.Errorf("splitArgs(%q)[%d] = %q, want %q", in, i, got[i], want[i])
			}
		}
	}
	for _, in := range []string{`"a`, `'a`, `"a"b`, `'a'b`} {
		if got, ok := splitArgs([]byte(in)); ok {
			t.Errorf("splitArgs(%q) = %q, want unbalanced", in, got)
		}
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte("*1\r\n$4\r\nPING\r\n"))
	f.Add([]byte("PING\r\n"))
	f.Add([]byte("*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n*0\r\n"))
	f.Add([]byte("\"a\\x4"))
	f.Add([]byte("*3\r\n$1\r\n"))
	f.Add([]byte("*1\r\n$-5\r\n"))
	f.Add([]byte("*2\r\n$4\r\nECHO\r\n$5\r\nfirst\r\n*2\r\n$4\r\nECHO\r\n$6\r\nsecond\r\n" +
		"*2\r\n$4\r\nECHO\r\n$5\r\nthird\r\n*2\r\n$4\r\nECHO\r\n$6\r\nfourth\r\nPING x\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		rd := newReader(&chunkReader{data: in, n: 7})
		// Every other command releases its arguments; the others' must
		// stay intact however the reader reuses memory.
		type keptArgs struct {
			args [][]byte
			want []string
		}
		var kept []keptArgs
		defer func() {
			for _, k := range kept {
				for i := range k.args {
					if string(k.args[i]) != k.want[i] {
						t.Fatalf("kept argument %d changed: %q, was %q", i, k.args[i], k.want[i])
					}
				}
			}
		}()
		for n := 0; n < 1000; n++ {
			args, err := rd.Next()
			if err != nil {
				var pe protoError
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.As(err, &pe) {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if n%2 == 0 {
				k := keptArgs{args: args}
				for _, a := range args {
					k.want = append(k.want, string(a))
				}
				kept = append(kept, k)
			}
			// Re-encoding a parsed multibulk and parsing it again gives
			// the same arguments.
			if len(args) > 0 {
				again, err := newReader(bytes.NewReader(encodeArgs(args))).Next()
				if err != nil || len(again) != len(args) {
					t.Fatalf("round trip of %q: %q, %v", args, again, err)
				}
				for i := range args {
					if !bytes.Equal(args[i], again[i]) {
						t.Fatalf("round trip of %q: %q", args, again)
					}
				}
			}
			if n%2 == 1 {
				rd.release()
			}
		}
	})
}

func encodeArgs(args [][]byte) []byte {
	a := make([]any, len(args))
	for i, x := range args {
		a[i] = x
	}
	return encodeCommand(a...)
}
