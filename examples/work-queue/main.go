// Command work-queue shows an AMQP 0-9-1 work queue on Junction: a producer
// publishes N jobs to a durable queue, two workers consume with a prefetch
// limit and manual acks, and one job is nacked with requeue once; it comes
// back with the redelivered flag set and is then acked. The program checks
// that every job was completed exactly once.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func suffix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func main() {
	addr := flag.String("amqp-addr", env("JUNCTION_AMQP_ADDR", "127.0.0.1:5672"), "AMQP address (host:port)")
	n := flag.Int("n", 100, "number of jobs")
	prefetch := flag.Int("prefetch", 10, "per-worker prefetch (basic.qos)")
	timeout := flag.Duration("timeout", 30*time.Second, "overall timeout")
	flag.Parse()
	if err := run(*addr, *n, *prefetch, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "work-queue: FAIL:", err)
		os.Exit(1)
	}
}

func run(addr string, n, prefetch int, timeout time.Duration) error {
	conn, err := amqp.Dial("amqp://guest:guest@" + addr + "/")
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	defer conn.Close()

	queue := "jobs-" + suffix()
	pub, err := conn.Channel()
	if err != nil {
		return err
	}
	if _, err := pub.QueueDeclare(queue, true, false, false, false, nil); err != nil {
		return fmt.Errorf("declare: %w", err)
	}
	defer pub.QueueDelete(queue, false, false, false)
	if err := pub.Confirm(false); err != nil {
		return fmt.Errorf("confirm.select: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for i := 0; i < n; i++ {
		dc, err := pub.PublishWithDeferredConfirmWithContext(ctx, "", queue, false, false,
			amqp.Publishing{DeliveryMode: amqp.Persistent, Body: []byte(strconv.Itoa(i))})
		if err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		if i == n-1 {
			if ok, err := dc.WaitContext(ctx); err != nil || !ok {
				return fmt.Errorf("last publish not confirmed: %v", err)
			}
		}
	}
	fmt.Printf("published %d jobs to queue %s\n", n, queue)

	const nackJob = 0 // the job that is nacked once
	var (
		mu          sync.Mutex
		done        = make(map[int]string) // job -> worker
		dupes       int
		nacked      bool
		redelivered bool
		perWorker   = map[string]int{}
		allDone     = make(chan struct{})
	)
	worker := func(name string) error {
		ch, err := conn.Channel()
		if err != nil {
			return err
		}
		if err := ch.Qos(prefetch, 0, false); err != nil {
			return fmt.Errorf("qos: %w", err)
		}
		msgs, err := ch.Consume(queue, name, false, false, false, false, nil)
		if err != nil {
			return fmt.Errorf("consume: %w", err)
		}
		go func() {
			for d := range msgs {
				job, _ := strconv.Atoi(string(d.Body))
				mu.Lock()
				if job == nackJob && !nacked {
					nacked = true
					mu.Unlock()
					fmt.Printf("%s: job %d failed, nack with requeue\n", name, job)
					d.Nack(false, true)
					continue
				}
				if job == nackJob && d.Redelivered {
					redelivered = true
					fmt.Printf("%s: job %d came back redelivered=true, acking\n", name, job)
				}
				if _, ok := done[job]; ok {
					dupes++
				}
				done[job] = name
				perWorker[name]++
				finished := len(done) == n
				mu.Unlock()
				d.Ack(false)
				if finished {
					select {
					case <-allDone:
					default:
						close(allDone)
					}
				}
			}
		}()
		return nil
	}
	for _, w := range []string{"worker-1", "worker-2"} {
		if err := worker(w); err != nil {
			return err
		}
	}
	select {
	case <-allDone:
	case <-ctx.Done():
		mu.Lock()
		defer mu.Unlock()
		return fmt.Errorf("timed out: %d of %d jobs done", len(done), n)
	}
	time.Sleep(200 * time.Millisecond) // let any stray duplicate arrive
	mu.Lock()
	defer mu.Unlock()
	fmt.Printf("worker-1 did %d jobs, worker-2 did %d jobs (prefetch %d each)\n",
		perWorker["worker-1"], perWorker["worker-2"], prefetch)
	if !nacked || !redelivered {
		return fmt.Errorf("nacked job was not seen redelivered (nacked=%v redelivered=%v)", nacked, redelivered)
	}
	if dupes != 0 {
		return fmt.Errorf("%d jobs were done more than once", dupes)
	}
	q, err := pub.QueueDeclarePassive(queue, true, false, false, false, nil)
	if err != nil {
		return fmt.Errorf("passive declare: %w", err)
	}
	if q.Messages != 0 {
		return fmt.Errorf("queue still holds %d messages", q.Messages)
	}
	fmt.Printf("OK: all %d jobs done exactly once; 1 nack/requeue redelivered; queue empty\n", n)
	return nil
}
