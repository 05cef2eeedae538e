package amqp

import (
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"
)

func TestConnectionBlocked(t *testing.T) {
	e := newEnv(t, withConfig(func(c *Config) { c.MemoryHighWatermark = 10000 }))
	pub := e.dial(t)
	blocked := pub.NotifyBlocked(make(chan amqp.Blocking, 4))
	ch := openChannel(t, pub)
	declare(t, ch, "mem", nil)
	body := make([]byte, 4000)
	for range 3 {
		publishMsg(t, ch, "", "mem", amqp.Publishing{Body: body})
	}
	want := func(active bool) {
		t.Helper()
		select {
		case b := <-blocked:
			if b.Active != active || (active && b.Reason != "low on memory") {
				t.Fatalf("got %+v, want active=%v", b, active)
			}
		case <-timeAfter():
			t.Fatalf("no connection.blocked active=%v", active)
		}
	}
	want(true)
	// This publish waits in the server until the alarm clears.
	publishMsg(t, ch, "", "mem", amqp.Publishing{Body: []byte("late")})
	other := e.channel(t)
	if n, err := other.QueuePurge("mem", false); err != nil || n != 3 {
		t.Fatalf("purge = %d, %v", n, err)
	}
	want(false)
	ds := consume(t, other, "mem", true)
	if got := string(recv(t, ds).Body); got != "late" {
		t.Fatalf("got %q", got)
	}
}
