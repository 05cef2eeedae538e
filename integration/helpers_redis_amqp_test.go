// Small helpers shared by the Redis and AMQP black-box tests.
package integration

import (
	"os/exec"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"
)

// raWait bounds every wait on an event in these tests.
const raWait = 10 * time.Second

// raRedis returns a go-redis client speaking RESP protocol proto (2 or 3)
// to addr, closed when the test ends.
func raRedis(t testing.TB, addr string, proto int, password string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{
		Addr: addr, Protocol: proto, Password: password,
		DialTimeout: raWait, ReadTimeout: raWait, WriteTimeout: raWait,
		MaxRetries: -1, DisableIdentity: true,
	})
	t.Cleanup(func() { c.Close() })
	return c
}

// raAMQPURL is the guest URL for the process's AMQP port.
func raAMQPURL(p *proc) string { return "amqp://guest:guest@" + p.AMQPAddr + "/" }

// raDialAMQP opens a connection and a channel, closed when the test ends.
func raDialAMQP(t testing.TB, p *proc) (*amqp.Connection, *amqp.Channel) {
	t.Helper()
	conn, err := amqp.DialConfig(raAMQPURL(p), amqp.Config{Dial: amqp.DefaultDial(raWait)})
	if err != nil {
		t.Fatalf("dial amqp: %v\n%s", err, p.Logs())
	}
	t.Cleanup(func() { conn.Close() })
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	return conn, ch
}

// raRecv waits for one delivery on dc.
func raRecv(t testing.TB, dc <-chan amqp.Delivery) amqp.Delivery {
	t.Helper()
	select {
	case d, ok := <-dc:
		if !ok {
			t.Fatal("delivery channel closed")
		}
		return d
	case <-time.After(raWait):
		t.Fatal("no delivery within", raWait)
	}
	return amqp.Delivery{}
}

// raPythonWithPika returns an interpreter that can import pika, or "".
func raPythonWithPika() string {
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if err := exec.Command(py, "-c", "import pika").Run(); err == nil {
			return py
		}
	}
	return ""
}
