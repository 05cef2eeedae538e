// CPU time of cross-protocol reads against native reads, on the real
// binary: BenchmarkCrossProtocolRead's four directions, reporting beside
// ns/op the server's CPU time per full read (utime+stime of the junction
// process from /proc) and the benchmark process's own (the client's). CPU
// time is far steadier than wall time on a shared machine. Run with
// JUNCTION_IT_NORACE=1 go test -run '^$' -bench CrossProtocolReadCPU -benchtime 20x ./integration/
package integration

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// procCPU returns the CPU time (user+system) process pid has used, or
// false when /proc cannot tell.
func procCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	// Fields after the command: state(0) … utime(11) stime(12), in clock ticks (100/s on Linux).
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(u+st) * 10 * time.Millisecond, true
}

// selfCPU returns this process's CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkCrossProtocolReadCPU(b *testing.B) {
	p := startJunction(b)
	pid := p.cmd.Process.Pid
	rdb := seedCrossRead(b, p)
	readRedis := func(b *testing.B, topic string) { xrangeAll(b, rdb, topic) }
	clients := 0
	readKafka := func(b *testing.B, topic string) {
		clients++
		fetchAll(b, p, topic, "cpu-bench-"+strconv.Itoa(clients))
	}
	for _, topic := range []string{"from-redis", "from-kafka"} {
		for _, reader := range []string{"redis", "kafka"} {
			read := readRedis
			if reader == "kafka" {
				read = readKafka
			}
			b.Run(fmt.Sprintf("reader=%s/writer=%s", reader, topic[5:]), func(b *testing.B) {
				b.SetBytes(crossReadRecords * 100)
				read(b, topic) // warm up outside the measurement
				srv0, ok := procCPU(pid)
				cli0 := selfCPU()
				b.ResetTimer()
				for b.Loop() {
					read(b, topic)
				}
				b.StopTimer()
				if srv1, ok1 := procCPU(pid); ok && ok1 {
					b.ReportMetric(float64(srv1-srv0)/float64(time.Millisecond)/float64(b.N), "srv-cpu-ms/op")
				}
				b.ReportMetric(float64(selfCPU()-cli0)/float64(time.Millisecond)/float64(b.N), "cli-cpu-ms/op")
			})
		}
	}
}
