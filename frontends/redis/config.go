// CONFIG GET, SET, RESETSTAT, REWRITE, HELP.
//
// CONFIG GET answers the Redis settings that describe this server (port,
// databases, appendonly/appendfsync from the broker's fsync policy, save
// "", maxmemory 0, proto-max-bulk-len …) and any pattern over them (several
// patterns since Redis 7); unknown names match nothing. CONFIG SET accepts
// only settings that change nothing here but that tools set (for example
// notify-keyspace-events, maxmemory-policy, timeout, loglevel) and stores
// the value for CONFIG GET; the rest is refused as Redis refuses immutable
// settings.
package redis

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"junction/broker"
	"junction/broker/pubsub"
)

func init() {
	sub := func(name string, arity int, summary string, h Handler) *Command {
		return &Command{Name: name, Arity: arity, Flags: []string{"admin", "noscript", "loading", "stale"},
			ACL: []string{"admin", "slow", "dangerous"}, Group: "server", Since: "2.0.0", Summary: summary, Handler: h}
	}
	register(&Command{Name: "config", Arity: -2, Group: "server", Since: "2.0.0",
		Summary: "A container for server configuration commands.", Subcommands: map[string]*Command{
			"get":       sub("get", -3, "Returns the effective values of configuration parameters.", configGet),
			"set":       sub("set", -4, "Sets configuration parameters in-flight.", configSet),
			"resetstat": sub("resetstat", 2, "Resets the server's statistics.", configResetStat),
			"rewrite": sub("rewrite", 2, "Persists the effective configuration to file.", func(c *Conn, args [][]byte) {
				c.W.Error("ERR The server is running without a config file")
			}),
			"help": sub("help", 2, "Returns helpful text about the different subcommands.", func(c *Conn, args [][]byte) {
				helpReply(&c.W, "CONFIG",
					"GET <pattern>",
					"    Return parameters matching the glob-like <pattern> and their values.",
					"SET <directive> <value>",
					"    Set the configuration <directive> to <value>.",
					"RESETSTAT",
					"    Reset statistics reported by the INFO command.",
					"REWRITE",
					"    Rewrite the configuration file.")
			}),
		}})
}

// mutableConfig lists the settings CONFIG SET accepts.
var mutableConfig = map[string]bool{
	"notify-keyspace-events": true, "maxmemory-policy": true, "maxmemory-samples": true, "timeout": true,
	"tcp-keepalive": true, "loglevel": true, "hz": true, "slowlog-log-slower-than": true,
	"slowlog-max-len": true, "latency-monitor-threshold": true, "lua-time-limit": true,
	"busy-reply-threshold": true, "stream-node-max-bytes": true, "stream-node-max-entries": true,
	"client-output-buffer-limit": true, "lfu-log-factor": true, "lfu-decay-time": true,
	"maxmemory-clients": true, "list-max-listpack-size": true, "hash-max-listpack-entries": true,
	"hash-max-listpack-value": true, "set-max-intset-entries": true, "zset-max-listpack-entries": true,
	"zset-max-listpack-value": true, "activedefrag": true, "lazyfree-lazy-user-del": true,
	"lazyfree-lazy-user-flush": true, "latency-tracking": true, "close-on-oom": true,
}

// configTable holds the settings CONFIG GET reports.
type configTable struct {
	mu   sync.Mutex
	vals map[string]string
}

func (t *configTable) init(s *Server) {
	appendfsync, appendonly := "everysec", "yes"
	switch s.b.Fsync() {
	case broker.FsyncAlways:
		appendfsync = "always"
	case broker.FsyncNever:
		appendfsync, appendonly = "no", "no"
	}
	t.vals = map[string]string{
		"port":                       "0",
		"bind":                       "* -::*",
		"databases":                  strconv.Itoa(numDBs),
		"maxmemory":                  "0",
		"maxmemory-policy":           "noeviction",
		"maxmemory-samples":          "5",
		"maxmemory-clients":          "0",
		"maxclients":                 "10000",
		"appendonly":                 appendonly,
		"appendfsync":                appendfsync,
		"save":                       "",
		"dir":                        "",
		"dbfilename":                 "",
		"requirepass":                s.cfg.Password,
		"timeout":                    "0",
		"tcp-keepalive":              "15",
		"loglevel":                   "notice",
		"hz":                         "10",
		"protected-mode":             "no",
		"cluster-enabled":            "no",
		"replica-read-only":          "yes",
		"notify-keyspace-events":     "",
		"proto-max-bulk-len":         strconv.Itoa(maxBulkLen),
		"client-query-buffer-limit":  strconv.Itoa(maxQueryBytes),
		"client-output-buffer-limit": "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
		"stream-node-max-bytes":      "4096",
		"stream-node-max-entries":    "100",
		"slowlog-log-slower-than":    "10000",
		"slowlog-max-len":            "128",
		"latency-monitor-threshold":  "0",
		"lua-time-limit":             "5000",
		"busy-reply-threshold":       "5000",
		"io-threads":                 "1",
		"lfu-log-factor":             "10",
		"lfu-decay-time":             "1",
		"list-max-listpack-size":     "-2",
		"hash-max-listpack-entries":  "128",
		"hash-max-listpack-value":    "64",
		"set-max-intset-entries":     "512",
		"zset-max-listpack-entries":  "128",
		"zset-max-listpack-value":    "64",
		"activedefrag":               "no",
		"lazyfree-lazy-user-del":     "no",
		"lazyfree-lazy-user-flush":   "no",
		"latency-tracking":           "yes",
		"close-on-oom":               "no",
	}
}

// get returns the settings matching any of the patterns, sorted by name.
func (t *configTable) get(s *Server, patterns []string) [][2]string {
	t.mu.Lock()
	t.vals["port"] = s.tcpPort()
	names := make([]string, 0, len(t.vals))
	for name := range t.vals {
		for _, p := range patterns {
			if pubsub.Match(strings.ToLower(p), name) {
				names = append(names, name)
				break
			}
		}
	}
	slices.Sort(names)
	out := make([][2]string, len(names))
	for i, n := range names {
		out[i] = [2]string{n, t.vals[n]}
	}
	t.mu.Unlock()
	return out
}

func configGet(c *Conn, args [][]byte) {
	patterns := make([]string, len(args)-2)
	for i, a := range args[2:] {
		patterns[i] = string(a)
	}
	kv := c.srv.config.get(c.srv, patterns)
	c.W.Map(len(kv))
	for _, p := range kv {
		c.W.BulkString(p[0])
		c.W.BulkString(p[1])
	}
}

func configSet(c *Conn, args [][]byte) {
	if len(args)%2 != 0 {
		c.W.Error(replySyntax)
		return
	}
	t := &c.srv.config
	t.mu.Lock()
	defer t.mu.Unlock()
	seen := map[string]bool{}
	for i := 2; i < len(args); i += 2 {
		name := strings.ToLower(string(args[i]))
		if _, known := t.vals[name]; !known {
			c.W.Error("ERR Unknown option or number of arguments for CONFIG SET - '" + cstr(args[i], -1) + "'")
			return
		}
		if seen[name] {
			c.W.Error("ERR CONFIG SET failed (possibly related to argument '" + cstr(args[i], -1) + "') - duplicate parameter")
			return
		}
		seen[name] = true
		if !mutableConfig[name] {
			c.W.Error("ERR CONFIG SET failed (possibly related to argument '" + cstr(args[i], -1) + "') - can't set immutable config")
			return
		}
	}
	for i := 2; i < len(args); i += 2 {
		t.vals[strings.ToLower(string(args[i]))] = string(args[i+1])
	}
	c.W.OK()
}

func configResetStat(c *Conn, args [][]byte) {
	st := &c.srv.stats
	for _, v := range []interface{ Store(int64) }{&st.commands, &st.netIn, &st.netOut, &st.expired, &st.errors, &st.rejected} {
		v.Store(0)
	}
	st.conns.Store(int64(c.srv.numConns()))
	c.W.OK()
}
