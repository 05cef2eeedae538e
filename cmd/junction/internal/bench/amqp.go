// AMQP 0-9-1 model on amqp091-go: basic.publish → basic.consume (push) with
// basic.qos prefetch and one basic.ack per message. One receiver reads a
// queue fed through the default exchange; N receivers read N queues bound
// to a fanout exchange. The publish workload publishes to a queue with
// publisher confirms (confirm.select), so its latency is publish→confirm;
// a server without confirms is measured without them, and says so. Every
// receiver has a connection of its own.
//
// --amqp-durable declares the queues (and the fanout exchange) durable and
// publishes persistent messages (delivery-mode 2); --amqp-confirm turns
// publisher confirms on (or, in the publish workload, off), in every
// workload. Under confirms at most --amqp-inflight publishes await their
// confirm: the publisher waits for confirms beyond that, as a real
// producer with a bounded window does, so that a broker that confirms late
// slows the stream instead of piling up an unbounded backlog.
package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

type amqpDriver struct {
	cfg      *config
	dial     dialFunc
	name     string // queue (one receiver), exchange and queue prefix (several)
	exchange string // "" = default exchange
	queues   []string
	conn     *amqp.Connection
	ch       *amqp.Channel
	notes    []string

	confirms bool
	mu       sync.Mutex
	pending  map[uint64]func(error) // delivery tag → acked, under mu
	drained  chan struct{}          // one slot: pending shrank
	peak     int                    // most entries pending at once, under mu

	stopping atomic.Bool
	wg       sync.WaitGroup
	subConns []*amqp.Connection // under mu
}

func newAMQPDriver(c *config, dial dialFunc, id string) *amqpDriver {
	return &amqpDriver{cfg: c, dial: dial, name: "bench-" + id,
		pending: map[uint64]func(error){}, drained: make(chan struct{}, 1)}
}

// connect opens one connection through the counting dialer; the AMQP
// handshake is bounded by ctx's deadline, as amqp091's own dialer bounds it.
func (d *amqpDriver) connect(ctx context.Context) (*amqp.Connection, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(d.cfg.timeout)
	}
	return amqp.DialConfig(d.cfg.amqpURL, amqp.Config{
		Heartbeat: 10 * time.Second,
		Locale:    "en_US",
		Dial: func(network, addr string) (net.Conn, error) {
			c, err := d.dial(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			if err := c.SetDeadline(deadline); err != nil {
				c.Close()
				return nil, err
			}
			return c, nil
		},
	})
}

func (d *amqpDriver) open(ctx context.Context) error {
	conn, err := d.connect(ctx)
	if err != nil {
		return err
	}
	d.conn = conn
	if d.ch, err = conn.Channel(); err != nil {
		return err
	}
	subs := d.cfg.subscribers
	if subs <= 1 {
		d.queues = []string{d.name}
	} else {
		d.exchange = d.name
		if err := d.ch.ExchangeDeclare(d.exchange, "fanout", d.cfg.amqpDurable, false, false, false, nil); err != nil {
			return fmt.Errorf("exchange.declare: %w", err)
		}
		for i := range subs {
			d.queues = append(d.queues, fmt.Sprintf("%s-%d", d.name, i))
		}
	}
	for _, q := range d.queues {
		if _, err := d.ch.QueueDeclare(q, d.cfg.amqpDurable, false, false, false, nil); err != nil {
			return fmt.Errorf("queue.declare: %w", err)
		}
		if d.exchange != "" {
			if err := d.ch.QueueBind(q, "", d.exchange, false, nil); err != nil {
				return fmt.Errorf("queue.bind: %w", err)
			}
		}
	}
	if d.cfg.amqpConfirm {
		if err := d.ch.Confirm(false); err != nil {
			d.notes = append(d.notes, "no publisher confirms: "+err.Error())
			if d.ch, err = conn.Channel(); err != nil {
				return err
			}
			return nil
		}
		d.confirms = true
		c := d.ch.NotifyPublish(make(chan amqp.Confirmation, 1024))
		d.wg.Go(func() {
			for cf := range c {
				d.mu.Lock()
				acked := d.pending[cf.DeliveryTag]
				delete(d.pending, cf.DeliveryTag)
				d.mu.Unlock()
				if acked != nil {
					if cf.Ack {
						acked(nil)
					} else {
						acked(errors.New("basic.nack"))
					}
				}
				select {
				case d.drained <- struct{}{}:
				default:
				}
			}
		})
	}
	return nil
}

func (d *amqpDriver) subscribe(ctx context.Context, i int, s *sink) error {
	conn, err := d.connect(ctx)
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.subConns = append(d.subConns, conn)
	d.mu.Unlock()
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	if err := ch.Qos(d.cfg.prefetch, 0, false); err != nil {
		return fmt.Errorf("basic.qos: %w", err)
	}
	deliveries, err := ch.Consume(d.queues[i], fmt.Sprintf("bench-%d", i), false, false, false, false, nil)
	if err != nil {
		return fmt.Errorf("basic.consume: %w", err)
	}
	closed := ch.NotifyClose(make(chan *amqp.Error, 1))
	d.wg.Go(func() {
		for m := range deliveries {
			s.deliver(m.Body)
			if err := m.Ack(false); err != nil && !d.stopping.Load() {
				s.fail(fmt.Errorf("basic.ack: %w", err))
			}
		}
		if !d.stopping.Load() {
			if e := <-closed; e != nil {
				s.fail(e)
			} else {
				s.fail(errors.New("consumer channel closed"))
			}
		}
	})
	return nil
}

func (d *amqpDriver) publish(ctx context.Context, payload []byte, acked func(error)) error {
	key := ""
	if d.exchange == "" {
		key = d.queues[0]
	}
	msg := amqp.Publishing{Body: payload}
	if d.cfg.amqpDurable {
		msg.DeliveryMode = amqp.Persistent
	}
	if d.confirms {
		if w := d.cfg.amqpInflight; w > 0 {
			if err := d.waitPending(ctx, w); err != nil {
				acked(err)
				return err
			}
		}
		d.mu.Lock()
		tag := d.ch.GetNextPublishSeqNo()
		d.pending[tag] = acked
		d.peak = max(d.peak, len(d.pending))
		d.mu.Unlock()
		err := d.ch.PublishWithContext(ctx, d.exchange, key, false, false, msg)
		if err != nil {
			d.mu.Lock()
			delete(d.pending, tag)
			d.mu.Unlock()
			acked(err)
		}
		return err
	}
	err := d.ch.PublishWithContext(ctx, d.exchange, key, false, false, msg)
	acked(err)
	return err
}

// waitPending waits until fewer than limit publishes await their confirm,
// or with limit 0 until none does.
func (d *amqpDriver) waitPending(ctx context.Context, limit int) error {
	for {
		d.mu.Lock()
		n := len(d.pending)
		d.mu.Unlock()
		if n < limit || n == 0 {
			return nil
		}
		select {
		case <-d.drained:
		case <-ctx.Done():
			return fmt.Errorf("%d publishes unconfirmed: %w", n, ctx.Err())
		}
	}
}

func (d *amqpDriver) flush(ctx context.Context) error { return d.waitPending(ctx, 0) }

func (d *amqpDriver) close(ctx context.Context) error {
	d.stopping.Store(true)
	d.mu.Lock()
	subs := d.subConns
	d.subConns = nil
	d.mu.Unlock()
	for _, c := range subs {
		c.Close()
	}
	if d.conn == nil {
		d.wg.Wait()
		return nil
	}
	var errs []error
	ch := d.ch
	if ch == nil || ch.IsClosed() {
		var err error
		if ch, err = d.conn.Channel(); err != nil {
			d.conn.Close()
			d.wg.Wait()
			return err
		}
	}
	for _, q := range d.queues {
		if _, err := ch.QueueDelete(q, false, false, false); err != nil {
			errs = append(errs, fmt.Errorf("queue.delete %s: %w", q, err))
			break // the channel is closed now
		}
	}
	if d.exchange != "" && len(errs) == 0 {
		if err := ch.ExchangeDelete(d.exchange, false, false); err != nil {
			errs = append(errs, fmt.Errorf("exchange.delete: %w", err))
		}
	}
	errs = append(errs, d.conn.Close())
	d.wg.Wait() // after the close: the confirm loop ends when its channel does
	return errors.Join(errs...)
}
