package redis

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestInfo(t *testing.T) {
	ts := newTestServer(t)
	mkKeys(t, ts.B, 0, "a", "b")
	mkKeys(t, ts.B, 3, "c")
	c := ts.Dial(t)
	all := c.Do(t, "INFO").Str()
	port := ts.Addr[strings.LastIndex(ts.Addr, ":")+1:]
	for _, want := range []string{"# Server\r\nredis_version:" + DefaultVersion + "\r\n", "redis_mode:standalone\r\n",
		"tcp_port:" + port + "\r\n", "\r\n\r\n# Clients\r\nconnected_clients:1\r\n", "blocked_clients:0\r\n",
		"# Memory\r\nused_memory:", "# Persistence\r\nloading:0\r\n", "total_commands_processed:",
		"# Replication\r\nrole:master\r\nconnected_slaves:0\r\n", "# CPU\r\n", "arch_bits:64\r\n",
		"# Keyspace\r\ndb0:keys=2,expires=0,avg_ttl=0\r\ndb3:keys=1,expires=0,avg_ttl=0\r\n"} {
		if !strings.Contains(all, want) {
			t.Errorf("INFO lacks %q", want)
		}
	}
	if strings.Contains(all, "Commandstats") {
		t.Error("default INFO includes commandstats")
	}
	c.Do(t, "INFO", "replication").Want("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n" +
		"master_failover_state:no-failover\r\nmaster_replid:" + ts.runID + "\r\nmaster_replid2:" +
		strings.Repeat("0", 40) + "\r\nmaster_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:0\r\n" +
		"repl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:0\r\nrepl_backlog_histlen:0\r\n")
	c.Do(t, "INFO", "nosuchsection").Want("")
	two := c.Do(t, "INFO", "CLUSTER", "modules").Str()
	if two != "# Modules\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n" {
		t.Fatalf("INFO cluster modules = %q", two)
	}
	if !strings.Contains(c.Do(t, "INFO", "everything").Str(), "# Commandstats") {
		t.Error("INFO everything lacks commandstats")
	}
	stats := c.Do(t, "INFO", "stats").Str()
	if !strings.Contains(stats, "total_connections_received:1\r\n") {
		t.Errorf("stats: %q", stats)
	}
	c.Do(t, "HELLO", "3")
	if r := c.Do(t, "INFO", "server"); !strings.HasPrefix(r.Raw, "=") {
		t.Fatalf("RESP3 INFO is not a verbatim string: %.20q", r.Raw)
	}

	r := c.Do(t, "TIME").Array()
	sec, _ := strconv.ParseInt(r[0].(string), 10, 64)
	if d := time.Since(time.Unix(sec, 0)); d < -2*time.Second || d > 2*time.Second {
		t.Fatalf("TIME %v", r)
	}
}

func TestCommandInfo(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		g := ts.Client(t, proto)
		infos, err := g.Command(ctx).Result()
		if err != nil {
			t.Fatalf("proto %d: COMMAND: %v", proto, err)
		}
		if len(infos) != len(commands) {
			t.Fatalf("proto %d: %d commands, registry has %d", proto, len(infos), len(commands))
		}
		del := infos["del"]
		if del == nil || del.Arity != -2 || del.FirstKeyPos != 1 || del.LastKeyPos != -1 || del.StepCount != 1 {
			t.Fatalf("proto %d: del = %+v", proto, del)
		}
		if exists := infos["exists"]; !exists.ReadOnly {
			t.Fatalf("proto %d: exists not readonly", proto)
		}
		n, err := g.CommandList(ctx, nil).Result()
		if err != nil || len(n) < len(commands) {
			t.Fatalf("proto %d: COMMAND LIST %d %v", proto, len(n), err)
		}
		docs, err := g.Do(ctx, "COMMAND", "DOCS", "client", "nope").Result()
		if err != nil {
			t.Fatalf("proto %d: COMMAND DOCS: %v", proto, err)
		}
		if proto == 3 && docs.(map[any]any)["client"].(map[any]any)["group"] != "connection" ||
			proto == 2 && docs.([]any)[0] != "client" {
			t.Fatalf("proto %d: COMMAND DOCS = %+v", proto, docs)
		}
		keys, err := g.CommandGetKeys(ctx, "rename", "a", "b").Result()
		if err != nil || strings.Join(keys, ",") != "a,b" {
			t.Fatalf("proto %d: GETKEYS %v %v", proto, keys, err)
		}
	}
	c := ts.Dial(t)
	c.Do(t, "COMMAND", "COUNT").Want(len(commands))
	c.Do(t, "COMMAND", "INFO", "nope").WantRaw("*1\r\n$-1\r\n")
	c.Do(t, "COMMAND", "INFO", "get", "echo").Array()
	c.Do(t, "COMMAND", "INFO", "echo").WantRaw("*1\r\n*10\r\n$4\r\necho\r\n:2\r\n*1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n" +
		"*2\r\n+@fast\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n")
	c.Do(t, "COMMAND", "INFO", "client|id").Array()
	c.Do(t, "COMMAND", "DOCS", "nope").Want([]any{})
	c.Do(t, "COMMAND", "GETKEYS", "ping", "x").WantRaw("-ERR The command has no key arguments\r\n")
	c.Do(t, "COMMAND", "GETKEYS", "nope", "x").WantRaw("-ERR Invalid command specified\r\n")
	c.Do(t, "COMMAND", "GETKEYS", "rename", "a").WantRaw("-ERR Invalid number of arguments specified for command\r\n")
	c.Do(t, "COMMAND", "LIST", "FILTERBY", "PATTERN", "client|*").Array()
	r := c.Do(t, "COMMAND", "INFO", "client").Array()[0].([]any)
	if subs := r[9].([]any); len(subs) < 10 || subs[0].([]any)[0] != "client|getname" {
		t.Fatalf("CLIENT subcommands: %v", r[9])
	}
}

func TestConfig(t *testing.T) {
	ts := newTestServer(t)
	c := ts.Dial(t)
	port := ts.Addr[strings.LastIndex(ts.Addr, ":")+1:]
	c.Do(t, "CONFIG", "GET", "port").Want([]any{"port", port})
	c.Do(t, "CONFIG", "GET", "maxmemory", "databases", "appendf*").Want(
		[]any{"appendfsync", "no", "databases", "16", "maxmemory", "0"})
	c.Do(t, "CONFIG", "GET", "nope").Want([]any{})
	c.Do(t, "CONFIG", "GET", "save").Want([]any{"save", ""})
	c.Do(t, "CONFIG", "SET", "notify-keyspace-events", "KEA").WantOK()
	c.Do(t, "CONFIG", "GET", "notify-keyspace-events").Want([]any{"notify-keyspace-events", "KEA"})
	c.Do(t, "CONFIG", "SET", "port", "1").WantRaw(
		"-ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config\r\n")
	c.Do(t, "CONFIG", "SET", "bogus", "1").WantRaw(
		"-ERR Unknown option or number of arguments for CONFIG SET - 'bogus'\r\n")
	c.Do(t, "CONFIG", "SET", "timeout", "1", "hz").WantRaw("-ERR syntax error\r\n")
	c.Do(t, "CONFIG", "RESETSTAT").WantOK()
	c.Do(t, "CONFIG", "REWRITE").WantErr("ERR The server is running without a config file")
	c.Do(t, "HELLO", "3")
	if r := c.Do(t, "CONFIG", "GET", "maxmemory"); r.Raw != "%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n" {
		t.Fatalf("RESP3 CONFIG GET = %q", r.Raw)
	}
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		m, err := ts.Client(t, proto).ConfigGet(ctx, "maxmemory*").Result()
		if err != nil || m["maxmemory"] != "0" || m["maxmemory-policy"] != "noeviction" {
			t.Fatalf("proto %d: %v %v", proto, m, err)
		}
	}
}
