// INFO [section …] and TIME.
//
// INFO reports real values where this server has them (version, process,
// uptime, port, clients, blocked clients, Go heap as used_memory, command
// and connection counters, Pub/Sub counts, keyspace per database) and the
// fixed values of a standalone master with no replicas and no RDB for the
// rest (loading:0 so ready checks pass). Sections: server, clients, memory,
// persistence, stats, replication, cpu, modules, errorstats, cluster,
// keyspace; "default", "all" and "everything" as in Redis 7. commandstats
// and latencystats are empty.
package redis

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

func init() {
	register(
		&Command{Name: "info", Arity: -1, Flags: []string{"loading", "stale", "sentinel"},
			ACL: []string{"slow", "dangerous"}, Group: "server", Since: "1.0.0",
			Summary: "Returns information and statistics about the server.", Handler: infoCmd},
		&Command{Name: "time", Arity: 1, Flags: []string{"loading", "stale", "fast"},
			ACL: []string{"fast"}, Group: "server", Since: "2.6.0",
			Summary: "Returns the server time.", Handler: timeCmd},
	)
}

var (
	defaultSections = []string{"server", "clients", "memory", "persistence", "stats", "replication",
		"cpu", "modules", "errorstats", "cluster", "keyspace"}
	allSections = append(slices.Clone(defaultSections), "commandstats", "latencystats")
)

func infoCmd(c *Conn, args [][]byte) {
	var want []string
	if len(args) == 1 {
		want = defaultSections
	}
	for _, a := range args[1:] {
		switch s := strings.ToLower(string(a)); s {
		case "default":
			want = append(want, defaultSections...)
		case "all", "everything":
			want = append(want, allSections...)
		default:
			want = append(want, s)
		}
	}
	var b strings.Builder
	done := map[string]bool{}
	for _, sec := range allSections {
		if !slices.Contains(want, sec) || done[sec] {
			continue
		}
		done[sec] = true
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		c.srv.infoSection(&b, sec)
	}
	c.W.Verbatim("txt", b.String())
}

func line(b *strings.Builder, kv ...any) {
	for i := 0; i < len(kv); i += 2 {
		fmt.Fprintf(b, "%s:%v\r\n", kv[i], kv[i+1])
	}
}

// infoSection writes one INFO section.
func (s *Server) infoSection(b *strings.Builder, sec string) {
	now := time.Now()
	switch sec {
	case "server":
		b.WriteString("# Server\r\n")
		exe, _ := os.Executable()
		up := int64(now.Sub(s.started) / time.Second)
		line(b, "redis_version", s.cfg.Version, "redis_git_sha1", "00000000", "redis_git_dirty", 0,
			"redis_build_id", "0", "redis_mode", "standalone", "os", runtime.GOOS+" "+runtime.GOARCH,
			"arch_bits", strconv.Itoa(32<<(^uint(0)>>63)), "monotonic_clock", "POSIX clock_gettime",
			"multiplexing_api", "goroutines", "atomicvar_api", "go", "gcc_version", "0.0.0",
			"go_version", runtime.Version(), "process_id", os.Getpid(), "process_supervised", "no",
			"run_id", s.runID, "tcp_port", s.tcpPort(), "server_time_usec", now.UnixMicro(),
			"uptime_in_seconds", up, "uptime_in_days", up/86400, "hz", 10, "configured_hz", 10,
			"lru_clock", now.Unix()&(1<<24-1), "executable", exe, "config_file", "", "io_threads_active", 0)
	case "clients":
		b.WriteString("# Clients\r\n")
		pubsubClients := 0
		for _, c := range s.connList() {
			if c.isPubSub() {
				pubsubClients++
			}
		}
		line(b, "connected_clients", s.numConns(), "cluster_connections", 0, "maxclients", 10000,
			"client_recent_max_input_buffer", 0, "client_recent_max_output_buffer", 0,
			"blocked_clients", s.stats.blocked.Load(), "tracking_clients", 0, "pubsub_clients", pubsubClients,
			"watching_clients", 0, "clients_in_timeout_table", s.stats.blocked.Load(),
			"total_watched_keys", 0, "total_blocking_keys", s.stats.blocked.Load(),
			"total_blocking_keys_on_nokey", 0)
	case "memory":
		b.WriteString("# Memory\r\n")
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		used := ms.HeapAlloc
		peak := s.stats.peakMemory.Load()
		for used > peak && !s.stats.peakMemory.CompareAndSwap(peak, used) {
			peak = s.stats.peakMemory.Load()
		}
		peak = max(peak, used)
		line(b, "used_memory", used, "used_memory_human", humanBytes(used),
			"used_memory_rss", ms.Sys, "used_memory_rss_human", humanBytes(ms.Sys),
			"used_memory_peak", peak, "used_memory_peak_human", humanBytes(peak),
			"used_memory_peak_perc", fmt.Sprintf("%.2f%%", 100*float64(used)/float64(max(peak, 1))),
			"used_memory_overhead", ms.HeapSys-ms.HeapAlloc, "used_memory_startup", 0,
			"used_memory_dataset", used, "total_system_memory", 0, "total_system_memory_human", "0B",
			"used_memory_lua", 0, "used_memory_scripts", 0, "maxmemory", 0, "maxmemory_human", "0B",
			"maxmemory_policy", "noeviction", "mem_fragmentation_ratio",
			fmt.Sprintf("%.2f", float64(ms.Sys)/float64(max(used, 1))), "mem_allocator", "go",
			"lazyfree_pending_objects", 0)
	case "persistence":
		b.WriteString("# Persistence\r\n")
		aof := 1
		if s.b.Fsync().String() == "never" {
			aof = 0
		}
		line(b, "loading", 0, "async_loading", 0, "current_cow_peak", 0, "current_cow_size", 0,
			"current_fork_perc", "0.00", "current_save_keys_processed", 0, "current_save_keys_total", 0,
			"rdb_changes_since_last_save", 0, "rdb_bgsave_in_progress", 0, "rdb_last_save_time", s.started.Unix(),
			"rdb_last_bgsave_status", "ok", "rdb_last_bgsave_time_sec", -1, "rdb_current_bgsave_time_sec", -1,
			"aof_enabled", aof, "aof_rewrite_in_progress", 0, "aof_rewrite_scheduled", 0,
			"aof_last_rewrite_time_sec", -1, "aof_current_rewrite_time_sec", -1,
			"aof_last_bgrewrite_status", "ok", "aof_rewrites", 0, "aof_last_write_status", "ok")
	case "stats":
		b.WriteString("# Stats\r\n")
		ch, pat, shard := s.pubsubStats()
		line(b, "total_connections_received", s.stats.conns.Load(),
			"total_commands_processed", s.stats.commands.Load(), "instantaneous_ops_per_sec", 0,
			"total_net_input_bytes", s.stats.netIn.Load(), "total_net_output_bytes", s.stats.netOut.Load(),
			"instantaneous_input_kbps", "0.00", "instantaneous_output_kbps", "0.00",
			"rejected_connections", s.stats.rejected.Load(), "sync_full", 0, "sync_partial_ok", 0,
			"sync_partial_err", 0, "expired_keys", s.stats.expired.Load(), "expired_stale_perc", "0.00",
			"expired_time_cap_reached_count", 0, "evicted_keys", 0, "evicted_clients", 0,
			"total_eviction_exceeded_time", 0, "keyspace_hits", 0, "keyspace_misses", 0,
			"pubsub_channels", ch, "pubsub_patterns", pat, "pubsubshard_channels", shard,
			"latest_fork_usec", 0, "total_forks", 0, "migrate_cached_sockets", 0,
			"total_error_replies", s.stats.errors.Load(), "total_reads_processed", s.stats.commands.Load(),
			"total_writes_processed", 0)
	case "replication":
		b.WriteString("# Replication\r\n")
		line(b, "role", "master", "connected_slaves", 0, "master_failover_state", "no-failover",
			"master_replid", s.runID, "master_replid2", strings.Repeat("0", 40), "master_repl_offset", 0,
			"second_repl_offset", -1, "repl_backlog_active", 0, "repl_backlog_size", 1048576,
			"repl_backlog_first_byte_offset", 0, "repl_backlog_histlen", 0)
	case "cpu":
		b.WriteString("# CPU\r\n")
		sys, user := cpuTimes()
		line(b, "used_cpu_sys", fmt.Sprintf("%.6f", sys), "used_cpu_user", fmt.Sprintf("%.6f", user),
			"used_cpu_sys_children", "0.000000", "used_cpu_user_children", "0.000000")
	case "modules":
		b.WriteString("# Modules\r\n")
	case "errorstats":
		b.WriteString("# Errorstats\r\n")
	case "cluster":
		b.WriteString("# Cluster\r\n")
		line(b, "cluster_enabled", 0)
	case "keyspace":
		b.WriteString("# Keyspace\r\n")
		var keys, expires [numDBs]int
		nowMs := s.b.Now().UnixMilli()
		for _, t := range s.b.Topics() {
			db, _, ok := dbOf(t.Name())
			if !ok {
				continue
			}
			at := t.Config().ExpireAtMs
			if at > 0 && at <= nowMs {
				continue
			}
			k := s.partitionKeyCount(t)
			keys[db] += k
			if at > 0 {
				expires[db] += k
			}
		}
		for db := range numDBs {
			if keys[db] > 0 {
				fmt.Fprintf(b, "db%d:keys=%d,expires=%d,avg_ttl=0\r\n", db, keys[db], expires[db])
			}
		}
	case "commandstats":
		b.WriteString("# Commandstats\r\n")
	case "latencystats":
		b.WriteString("# Latencystats\r\n")
	}
}

// humanBytes formats n as Redis's bytesToHuman does.
func humanBytes(n uint64) string {
	f := float64(n)
	switch {
	case n < 1024:
		return strconv.FormatUint(n, 10) + "B"
	case n < 1<<20:
		return fmt.Sprintf("%.2fK", f/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.2fM", f/(1<<20))
	case n < 1<<40:
		return fmt.Sprintf("%.2fG", f/(1<<30))
	}
	return fmt.Sprintf("%.2fT", f/(1<<40))
}

func timeCmd(c *Conn, args [][]byte) {
	now := c.Now()
	c.W.Array(2)
	c.W.BulkString(strconv.FormatInt(now.Unix(), 10))
	c.W.BulkString(strconv.FormatInt(int64(now.Nanosecond()/1000), 10))
}
