// Tests of the /proc readers against a fake /proc tree in a temp dir:
// CPU from <pid>/stat, and the listener's pid from net/tcp{,6} and fd links.
package bench

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	// Fields 14 (utime) and 15 (stime) are 250 and 50 ticks; the command
	// name holds spaces and a ')' to trip naive splitting.
	stat := "4242 (my (weird) broker) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 50 0 0 20 0 9 0 100 1000000 500 18446744073709551615\n"
	got, err := parseStatCPU(stat)
	if err != nil {
		t.Fatal(err)
	}
	if want := 3 * time.Second; got != want {
		t.Fatalf("cpu = %v, want %v", got, want)
	}
	for _, bad := range []string{"", "1 (x) S 1 2", "1 (x) S 1 2 3 4 5 6 7 8 9 10 x 2"} {
		if _, err := parseStatCPU(bad); err == nil {
			t.Errorf("parseStatCPU(%q) succeeded", bad)
		}
	}
}

func TestSelfCPUAdvances(t *testing.T) {
	before := selfCPU()
	x := 0
	for i := range 20_000_000 {
		x += i % 7
	}
	if selfCPU() <= before && x >= 0 {
		t.Fatal("own CPU time did not grow while spinning")
	}
}

// fakeProc builds root/net/tcp{,6} and processes with fds; it returns root.
func fakeProc(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	write := func(rel, body string) {
		t.Helper()
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(rel, target string) {
		t.Helper()
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	hdr := "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	write("net/tcp", hdr+
		// 127.0.0.1:6379 LISTEN, inode 4242
		"   0: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0\n"+
		// an established connection to 6379 (not a listener), inode 999
		"   1: 0100007F:D2F0 0100007F:18EB 01 00000000:00000000 00:00000000 00000000  1000        0 999 1 0000000000000000 20 4 30 10 -1\n")
	write("net/tcp6", hdr+
		// [::]:9092 LISTEN, inode 5151
		"   0: 00000000000000000000000000000000:2384 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 5151 1 0000000000000000 100 0 0 10 0\n")
	link("100/fd/0", "/dev/null")
	link("100/fd/7", "socket:[999]")
	write("100/stat", "100 (client) S 1 100 100 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 1 1 1\n")
	link("4242/fd/3", "socket:[4242]")
	write("4242/stat", "4242 (redis-server) S 1 4242 4242 0 -1 0 0 0 0 0 700 300 0 0 20 0 1 0 1 1 1\n")
	link("5000/fd/12", "socket:[5151]")
	write("self/stat", "not a pid directory\n")
	return root
}

func TestFindListener(t *testing.T) {
	root := fakeProc(t)
	for addr, want := range map[string]int{
		"127.0.0.1:6379": 4242,
		"localhost:6379": 4242,
		"[::1]:9092":     5000,
		"127.0.0.1:9092": 5000, // a [::] listener takes IPv4 too
	} {
		got, err := findListener(root, addr)
		if err != nil || got != want {
			t.Errorf("findListener(%s) = %d, %v; want %d", addr, got, err, want)
		}
	}
	for _, addr := range []string{"127.0.0.1:5672", "192.0.2.7:6379"} {
		if pid, err := findListener(root, addr); !errors.Is(err, errNotLocal) {
			t.Errorf("findListener(%s) = %d, %v; want errNotLocal", addr, pid, err)
		}
	}
	cpu, err := procCPU(root, 4242)
	if err != nil || cpu != 10*time.Second {
		t.Errorf("procCPU = %v, %v; want 10s", cpu, err)
	}
}

func TestFindListenerOnRealProc(t *testing.T) {
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("no /proc/net/tcp")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	pid, err := findListener("/proc", ln.Addr().String())
	if err != nil || pid != os.Getpid() {
		t.Fatalf("findListener(own listener) = %d, %v; want %d", pid, err, os.Getpid())
	}
}

func TestParseHexAddr(t *testing.T) {
	ip, port, ok := parseHexAddr("0100007F:1F90")
	if !ok || !ip.Equal(net.IPv4(127, 0, 0, 1)) || port != 8080 {
		t.Errorf("IPv4: %v %d %v", ip, port, ok)
	}
	ip, port, ok = parseHexAddr("00000000000000000000000001000000:0050")
	if !ok || !ip.Equal(net.IPv6loopback) || port != 80 {
		t.Errorf("IPv6: %v %d %v", ip, port, ok)
	}
	if _, _, ok := parseHexAddr("zz:1"); ok {
		t.Error("accepted bad hex")
	}
}
