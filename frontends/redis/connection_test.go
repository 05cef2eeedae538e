package redis

import (
	"context"
	"strings"
	"testing"

	goredis "github.com/redis/go-redis/v9"
)

func TestConnGoRedisHandshake(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		c := ts.Client(t, proto, func(o *goredis.Options) { o.ClientName = "app"; o.DB = 3 })
		if err := c.Ping(ctx).Err(); err != nil {
			t.Fatalf("proto %d: PING: %v", proto, err)
		}
		if name, err := c.ClientGetName(ctx).Result(); err != nil || name != "app" {
			t.Fatalf("proto %d: CLIENT GETNAME = %q, %v", proto, name, err)
		}
		info, err := c.ClientInfo(ctx).Result()
		if err != nil {
			t.Fatalf("proto %d: CLIENT INFO: %v", proto, err)
		}
		if info.DB != 3 || info.Resp != proto || info.LibName == "" {
			t.Fatalf("proto %d: CLIENT INFO = %+v", proto, info)
		}
	}
}

func TestConnHello(t *testing.T) {
	ts := newTestServer(t)
	c := ts.Dial(t)
	c.Do(t, "HELLO", "4").WantRaw("-NOPROTO unsupported protocol version\r\n")
	c.Do(t, "HELLO", "x").WantRaw("-ERR Protocol version is not an integer or out of range\r\n")
	c.Do(t, "HELLO", "3", "FOO").WantRaw("-ERR Syntax error in HELLO option 'FOO'\r\n")
	c.Do(t, "HELLO", "3", "SETNAME", "a b").WantErr("ERR Client names cannot contain spaces")
	r := c.Do(t, "HELLO", "2", "SETNAME", "n1")
	id := c.Do(t, "CLIENT", "ID").Int()
	r.Want([]any{"server", "redis", "version", DefaultVersion, "proto", 2, "id", id,
		"mode", "standalone", "role", "master", "modules", []any{}})
	if !strings.HasPrefix(r.Raw, "*14\r\n") {
		t.Fatalf("RESP2 HELLO is not a flat array: %q", r.Raw)
	}
	r = c.Do(t, "HELLO", "3")
	if !strings.HasPrefix(r.Raw, "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n") {
		t.Fatalf("RESP3 HELLO is not a map: %q", r.Raw)
	}
	c.Do(t, "CLIENT", "GETNAME").Want("n1")
	c.Do(t, "GETNAME-NOPE").WantErr("ERR unknown command")
	c.Do(t, "CLIENT", "GETNAME", "x").WantRaw("-ERR wrong number of arguments for 'client|getname' command\r\n")
	// RESP3 null.
	c.Do(t, "CLIENT", "SETNAME", "")
	c.Do(t, "CLIENT", "GETNAME").WantRaw("_\r\n")
}

func TestConnBasics(t *testing.T) {
	ts := newTestServer(t)
	c := ts.Dial(t)
	c.Do(t, "PING").WantRaw("+PONG\r\n")
	c.Do(t, "ping", "hi").WantRaw("$2\r\nhi\r\n")
	c.Do(t, "PING", "a", "b").WantRaw("-ERR wrong number of arguments for 'ping' command\r\n")
	c.Do(t, "ECHO", "x\r\ny").Want("x\r\ny")
	c.Do(t, "ECHO").WantRaw("-ERR wrong number of arguments for 'echo' command\r\n")
	c.Do(t, "SELECT", "16").WantRaw("-ERR DB index is out of range\r\n")
	c.Do(t, "SELECT", "-1").WantRaw("-ERR DB index is out of range\r\n")
	c.Do(t, "SELECT", "x").WantRaw("-ERR value is not an integer or out of range\r\n")
	c.Do(t, "SELECT", "15").WantOK()
	c.Do(t, "CLIENT", "INFO")
	c.Do(t, "RESET").WantRaw("+RESET\r\n")
	if !strings.Contains(c.Do(t, "CLIENT", "INFO").Str(), " db=0 ") {
		t.Fatal("RESET did not select db 0")
	}
	c.Do(t, "QUIT").WantOK()
	if _, err := c.ReadErr(); err == nil {
		t.Fatal("connection open after QUIT")
	}
}

func TestConnDispatchErrors(t *testing.T) {
	ts := newTestServer(t)
	c := ts.Dial(t)
	c.Do(t, "NOPE").WantRaw("-ERR unknown command 'NOPE', with args beginning with: \r\n")
	c.Do(t, "nope", "a", "b c").WantRaw("-ERR unknown command 'nope', with args beginning with: 'a' 'b c' \r\n")
	long := strings.Repeat("x", 200)
	c.Do(t, long, long, "z").WantRaw("-ERR unknown command '" + long[:128] +
		"', with args beginning with: '" + long[:128] + "' \r\n")
	c.Do(t, "nope", strings.Repeat("a", 60), strings.Repeat("b", 60), strings.Repeat("c", 60)).WantRaw(
		"-ERR unknown command 'nope', with args beginning with: '" + strings.Repeat("a", 60) + "' '" +
			strings.Repeat("b", 60) + "' '" + strings.Repeat("c", 2) + "' \r\n")
	c.Do(t, "nope", "a\r\nb").WantRaw("-ERR unknown command 'nope', with args beginning with: 'a  b' \r\n")
	c.Do(t, "CLIENT", "foo").WantRaw("-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n")
	c.Do(t, "client", "MAINT_NOTIFICATIONS", "on").WantRaw(
		"-ERR unknown subcommand 'MAINT_NOTIFICATIONS'. Try CLIENT HELP.\r\n")
	c.Do(t, "Client", "tracking", "on").WantRaw("-ERR unknown subcommand 'tracking'. Try CLIENT HELP.\r\n")
	c.Do(t, "CLIENT").WantRaw("-ERR wrong number of arguments for 'client' command\r\n")
	c.Do(t, "CLIENT", "SETNAME").WantRaw("-ERR wrong number of arguments for 'client|setname' command\r\n")
	c.Do(t, "DEL").WantRaw("-ERR wrong number of arguments for 'del' command\r\n")
	c.Do(t, "CLIENT", "HELP").Array()
}

func TestConnAuth(t *testing.T) {
	ts := newTestServer(t, withPassword("s3cret"))
	c := ts.Dial(t)
	c.Do(t, "PING").WantRaw("-NOAUTH Authentication required.\r\n")
	c.Do(t, "CLIENT", "ID").WantRaw("-NOAUTH Authentication required.\r\n")
	c.Do(t, "NOPE").WantErr("ERR unknown command 'NOPE'")
	c.Do(t, "HELLO", "3").WantErr("NOAUTH HELLO must be called with the client already authenticated")
	c.Do(t, "AUTH", "bad").WantRaw("-WRONGPASS invalid username-password pair or user is disabled.\r\n")
	c.Do(t, "AUTH", "other", "s3cret").WantErr("WRONGPASS")
	c.Do(t, "AUTH", "a", "b", "c").WantRaw("-ERR syntax error\r\n")
	c.Do(t, "AUTH", "s3cret").WantOK()
	c.Do(t, "PING").WantRaw("+PONG\r\n")
	c.Do(t, "RESET").WantRaw("+RESET\r\n")
	c.Do(t, "PING").WantErr("NOAUTH")
	c.Do(t, "HELLO", "3", "AUTH", "default", "nope").WantErr("WRONGPASS")
	c.Do(t, "HELLO", "3", "AUTH", "default", "s3cret").Array()
	c.Do(t, "PING").WantRaw("+PONG\r\n")
	c.Do(t, "QUIT").WantOK()

	// go-redis in both protocols, with and without the password.
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		ok := ts.Client(t, proto, func(o *goredis.Options) { o.Password = "s3cret" })
		if err := ok.Ping(ctx).Err(); err != nil {
			t.Fatalf("proto %d with password: %v", proto, err)
		}
		bad := ts.Client(t, proto)
		if err := bad.Ping(ctx).Err(); err == nil || !strings.Contains(err.Error(), "NOAUTH") {
			t.Fatalf("proto %d without password: %v", proto, err)
		}
	}

	// Without a password configured.
	ts2 := newTestServer(t)
	c2 := ts2.Dial(t)
	c2.Do(t, "AUTH", "x").WantRaw("-ERR AUTH <password> called without any password configured for the default user. " +
		"Are you sure your configuration is correct?\r\n")
	c2.Do(t, "AUTH", "default", "anything").WantOK()
	c2.Do(t, "AUTH", "bob", "anything").WantErr("WRONGPASS")
}

func TestConnUnauthenticatedLimits(t *testing.T) {
	ts := newTestServer(t, withPassword("pw"))
	c := ts.Dial(t)
	c.Write(t, "*11\r\n")
	c.Read(t).WantRaw("-ERR Protocol error: unauthenticated multibulk length\r\n")
	if _, err := c.ReadErr(); err == nil {
		t.Fatal("connection still open")
	}
	c = ts.Dial(t)
	c.Write(t, "*1\r\n$16385\r\n")
	c.Read(t).WantRaw("-ERR Protocol error: unauthenticated bulk length\r\n")
	c = ts.Dial(t)
	c.Do(t, "AUTH", "pw").WantOK()
	c.Do(t, "ECHO", strings.Repeat("x", 20000)).Want(strings.Repeat("x", 20000))
}
