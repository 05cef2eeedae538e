// Broker process discovery: which local process listens on a TCP address.
// The LISTEN socket's inode comes from /proc/net/tcp and /proc/net/tcp6
// (state 0A); the owner is the process with an fd linking to
// "socket:[inode]". Only processes the bench may inspect are found (same
// user, or root), and only in the bench's network namespace; a remote
// broker, or one in a container behind a port mapping, is not found.
package bench

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// errNotLocal means the address is not served by a process visible here.
var errNotLocal = errors.New("no local process listens there")

// isLocalHost reports whether host names this machine.
func isLocalHost(host string) bool {
	if host == "" || host == "localhost" {
		return true
	}
	ips := []net.IP{net.ParseIP(host)}
	if ips[0] == nil {
		addrs, err := net.LookupIP(host)
		if err != nil {
			return false
		}
		ips = addrs
	}
	ifaddrs, _ := net.InterfaceAddrs()
	for _, ip := range ips {
		if ip.IsLoopback() || ip.IsUnspecified() {
			return true
		}
		for _, a := range ifaddrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.Equal(ip) {
				return true
			}
		}
	}
	return false
}

// findListener returns the pid of the process listening on hostport, looking
// in the /proc tree at root. It returns errNotLocal when the host is not
// local or no visible process owns the socket.
func findListener(root, hostport string) (int, error) {
	host, portStr, err := net.SplitHostPort(hostport)
	if err != nil {
		return 0, err
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return 0, fmt.Errorf("port %q: %v", portStr, err)
	}
	if !isLocalHost(host) {
		return 0, errNotLocal
	}
	inodes := map[string]bool{}
	for _, f := range []string{"net/tcp", "net/tcp6"} {
		if err := listenInodes(filepath.Join(root, f), uint16(port), inodes); err != nil && !errors.Is(err, os.ErrNotExist) {
			return 0, err
		}
	}
	if len(inodes) == 0 {
		return 0, errNotLocal
	}
	pid := socketOwner(root, inodes)
	if pid == 0 {
		return 0, errNotLocal
	}
	return pid, nil
}

// listenInodes adds to inodes the inode of every LISTEN socket on port in
// one /proc/net/tcp{,6} table. Lines look like
//
//	sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
//	0: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000 1000 0 12345 …
func listenInodes(path string, port uint16, inodes map[string]bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || fields[3] != "0A" {
			continue
		}
		_, p, ok := parseHexAddr(fields[1])
		if ok && p == port && fields[9] != "0" {
			inodes[fields[9]] = true
		}
	}
	return sc.Err()
}

// parseHexAddr decodes "0100007F:1F90" (IPv4) or a 32-digit IPv6 form: the
// address is in 32-bit words of host byte order (little-endian here), the
// port in big-endian hex.
func parseHexAddr(s string) (net.IP, uint16, bool) {
	ipHex, portHex, ok := strings.Cut(s, ":")
	if !ok {
		return nil, 0, false
	}
	p, err := strconv.ParseUint(portHex, 16, 16)
	if err != nil {
		return nil, 0, false
	}
	raw, err := hex.DecodeString(ipHex)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return nil, 0, false
	}
	for w := 0; w < len(raw); w += 4 {
		raw[w], raw[w+1], raw[w+2], raw[w+3] = raw[w+3], raw[w+2], raw[w+1], raw[w]
	}
	return net.IP(raw), uint16(p), true
}

// socketOwner scans root/<pid>/fd for a link to one of the socket inodes
// and returns that pid, or 0. Processes it may not inspect are skipped.
func socketOwner(root string, inodes map[string]bool) int {
	procs, err := os.ReadDir(root)
	if err != nil {
		return 0
	}
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil || pid <= 0 {
			continue
		}
		fdDir := filepath.Join(root, p.Name(), "fd")
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
			if err != nil || !strings.HasPrefix(link, "socket:[") {
				continue
			}
			if inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] {
				return pid
			}
		}
	}
	return 0
}
