package redis

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"
)

// FuzzDispatch feeds arbitrary commands to dispatch on a socketless Conn
// over a fresh in-memory broker: it must never panic, and everything
// written must be well-formed RESP. Input: commands separated by 0xfe,
// arguments by 0xff.
func FuzzDispatch(f *testing.F) {
	seeds := [][]string{
		{"PING"}, {"ECHO", "x"}, {"HELLO", "3", "AUTH", "default", "x", "SETNAME", "n"}, {"HELLO", "2"},
		{"CLIENT", "LIST", "ID", "1"}, {"CLIENT", "KILL", "ID", "1", "SKIPME", "no"}, {"CLIENT", "REPLY", "SKIP"},
		{"CLIENT", "UNBLOCK", "1", "ERROR"}, {"CLIENT", "SETINFO", "LIB-NAME", "x"}, {"CLIENT", "NOPE"},
		{"SELECT", "3"}, {"INFO", "all"}, {"COMMAND"}, {"COMMAND", "INFO", "client|list"},
		{"COMMAND", "GETKEYS", "rename", "a", "b"}, {"COMMAND", "DOCS"}, {"CONFIG", "GET", "*"},
		{"CONFIG", "SET", "timeout", "5"}, {"DEL", "a"}, {"EXISTS", "a", "a"}, {"KEYS", "[a-"},
		{"SCAN", "0", "MATCH", "*", "COUNT", "1", "TYPE", "stream"}, {"RENAME", "a", "b"}, {"EXPIRE", "a", "10", "GT"},
		{"PEXPIREAT", "a", "-9223372036854775808"}, {"TTL", "a"}, {"FLUSHALL"}, {"SUBSCRIBE", "a", "b"},
		{"PSUBSCRIBE", "*"}, {"PUBLISH", "a", "m"}, {"UNSUBSCRIBE"}, {"SSUBSCRIBE", "s"}, {"PUBSUB", "NUMSUB", "a"},
		{"MULTI"}, {"EXEC"}, {"DISCARD"}, {"WATCH", "a"}, {"RESET"}, {"QUIT"}, {"XADD", "s", "*", "f", "v"},
		{"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}, {"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"},
		{"XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"}, {"TEST.BLOCK", "0"},
	}
	for _, s := range seeds {
		f.Add([]byte(strings.Join(s, "\xff")))
	}
	f.Add([]byte("MULTI\xfeXADD\xffs\xff*\xfff\xffv\xfeEXPIRE\xffs\xff100\xfeEXEC"))
	f.Add([]byte("SUBSCRIBE\xffc\xfePING\xfeECHO\xffx\xfeRESET\xfeECHO\xffy"))
	f.Fuzz(func(t *testing.T, in []byte) {
		c := newTestConn(t)
		cmds := bytes.Split(in, []byte{0xfe})
		if len(cmds) > 20 {
			cmds = cmds[:20]
		}
		for _, cmd := range cmds {
			args := bytes.Split(cmd, []byte{0xff})
			if len(args[0]) == 0 && len(args) == 1 {
				continue
			}
			c.dispatch(args)
		}
		br := bufio.NewReader(bytes.NewReader(c.W.Buf))
		for {
			if _, err := br.Peek(1); err == io.EOF {
				break
			}
			var raw strings.Builder
			if _, err := readValue(br, &raw); err != nil {
				t.Fatalf("malformed reply after %q: %v (%q)", raw.String(), err, c.W.Buf)
			}
		}
	})
}
