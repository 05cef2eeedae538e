package netserve

import (
	"net"
	"testing"
)

// A tracked connection is listed until its goroutine returns; CloseAll cuts
// it; after Stop a new connection is closed at once and not served.
func TestTrackerLifecycle(t *testing.T) {
	var tr Tracker[int]
	server, client := net.Pipe()
	tr.Go(1, server, func() {
		buf := make([]byte, 1)
		server.Read(buf) // returns when CloseAll closes the socket
	})
	if live := tr.Live(); len(live) != 1 || live[0] != 1 {
		t.Fatalf("live %v, want [1]", live)
	}
	if got := tr.Stop(); len(got) != 1 {
		t.Fatalf("Stop returned %v", got)
	}
	tr.CloseAll()
	tr.Wait()
	if live := tr.Live(); len(live) != 0 {
		t.Fatalf("live after Wait: %v", live)
	}
	client.Close()

	late, lateClient := net.Pipe()
	defer lateClient.Close()
	served := false
	tr.Go(2, late, func() { served = true })
	tr.Wait()
	if served || len(tr.Live()) != 0 {
		t.Fatal("a connection after Stop was served")
	}
	if _, err := late.Write([]byte{0}); err == nil {
		t.Fatal("a connection after Stop was left open")
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Serve(ln, nil, nil, func(net.Conn) {}); err != nil {
		t.Fatalf("Serve after Stop: %v", err)
	}
	if _, err := ln.Accept(); err == nil {
		t.Fatal("Serve after Stop left its listener open")
	}
}
