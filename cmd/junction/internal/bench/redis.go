// Redis models on go-redis: Pub/Sub (PUBLISH → SUBSCRIBE, push), streams
// with XREAD BLOCK (XADD → long poll), the polling baseline (XADD → XREAD
// without BLOCK, pausing --poll-interval after a read that did not fill
// COUNT: the "poll the table" pattern), and the publish-only XADD and
// PUBLISH. Clients speak RESP2 (HELLO 2) without CLIENT SETINFO, so any
// Redis-compatible server works; every receiver has a connection of its own.
package bench

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// redisMode is what a redis driver publishes and how it receives.
type redisMode int

const (
	redisPubSub redisMode = iota // PUBLISH; SUBSCRIBE receivers
	redisXRead                   // XADD; XREAD BLOCK receivers
	redisPoll                    // XADD; XREAD (no BLOCK) polling receivers
)

// xreadBlock bounds one XREAD BLOCK so receivers notice shutdown even if a
// server ignores the connection being closed.
const xreadBlock = time.Second

type redisDriver struct {
	cfg  *config
	dial dialFunc
	key  string // channel or stream
	mode redisMode
	pub  *redis.Client

	stopping atomic.Bool
	stop     chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex
	closers  []func() error // receiver connections
}

func newRedisDriver(c *config, dial dialFunc, id string, mode redisMode) *redisDriver {
	return &redisDriver{cfg: c, dial: dial, key: "bench-" + id, mode: mode, stop: make(chan struct{})}
}

func (d *redisDriver) client(poolSize int) (*redis.Client, error) {
	var opt *redis.Options
	if strings.Contains(d.cfg.redisAddr, "://") {
		var err error
		if opt, err = redis.ParseURL(d.cfg.redisAddr); err != nil {
			return nil, err
		}
	} else {
		opt = &redis.Options{Addr: d.cfg.redisAddr}
	}
	opt.Dialer = d.dial
	opt.Protocol = 2
	opt.DisableIdentity = true
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	opt.PoolSize = poolSize
	opt.MaxRetries = -1
	return redis.NewClient(opt), nil
}

func (d *redisDriver) open(ctx context.Context) error {
	pub, err := d.client(4)
	if err != nil {
		return err
	}
	d.pub = pub
	if err := pub.Ping(ctx).Err(); err != nil {
		return err
	}
	if d.mode != redisPubSub {
		return pub.Del(ctx, d.key).Err()
	}
	return nil
}

func (d *redisDriver) addCloser(f func() error) {
	d.mu.Lock()
	d.closers = append(d.closers, f)
	d.mu.Unlock()
}

func (d *redisDriver) subscribe(ctx context.Context, i int, s *sink) error {
	if d.mode == redisPubSub {
		ps := d.pub.Subscribe(ctx, d.key)
		d.addCloser(ps.Close)
		if _, err := ps.Receive(ctx); err != nil { // the subscribe confirmation
			return err
		}
		d.wg.Go(func() {
			for {
				msg, err := ps.ReceiveMessage(context.Background())
				if err != nil {
					if !d.stopping.Load() {
						s.fail(err)
					}
					return
				}
				s.deliverString(msg.Payload)
			}
		})
		return nil
	}
	c, err := d.client(1)
	if err != nil {
		return err
	}
	d.addCloser(c.Close)
	if err := c.Ping(ctx).Err(); err != nil {
		return err
	}
	// The stream is new, so reading from 0-0 misses nothing: the receiver
	// is live at once.
	d.wg.Go(func() { d.read(c, s) })
	return nil
}

// read is one stream receiver: XREAD BLOCK, or the polling loop.
func (d *redisDriver) read(c *redis.Client, s *sink) {
	args := &redis.XReadArgs{Streams: []string{d.key, "0-0"}, Count: int64(d.cfg.prefetch), Block: xreadBlock}
	if d.mode == redisPoll {
		args.Block = -1 // no BLOCK argument
	}
	var pause *time.Timer
	for !d.stopping.Load() {
		res, err := c.XRead(context.Background(), args).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			if !d.stopping.Load() {
				s.fail(err)
			}
			return
		}
		n := 0
		for _, st := range res {
			for _, m := range st.Messages {
				args.Streams[1] = m.ID
				if v, ok := m.Values["d"].(string); ok {
					s.deliverString(v)
				} else {
					s.deliver(nil)
				}
				n++
			}
		}
		if d.mode == redisPoll && n < d.cfg.prefetch {
			// The baseline's defining wait: nothing tells it data arrived.
			if pause == nil {
				pause = time.NewTimer(d.cfg.pollInterval)
			} else {
				pause.Reset(d.cfg.pollInterval)
			}
			select {
			case <-pause.C:
			case <-d.stop:
				return
			}
		}
	}
}

func (d *redisDriver) publish(ctx context.Context, payload []byte, acked func(error)) error {
	var err error
	if d.mode == redisPubSub {
		err = d.pub.Publish(ctx, d.key, payload).Err()
	} else {
		err = d.pub.XAdd(ctx, &redis.XAddArgs{Stream: d.key, Values: []any{"d", payload}}).Err()
	}
	acked(err)
	return err
}

func (d *redisDriver) flush(context.Context) error { return nil }

func (d *redisDriver) close(ctx context.Context) error {
	d.stopping.Store(true)
	close(d.stop)
	d.mu.Lock()
	closers := d.closers
	d.closers = nil
	d.mu.Unlock()
	for _, f := range closers {
		f()
	}
	d.wg.Wait()
	if d.pub == nil {
		return nil
	}
	var err error
	if d.mode != redisPubSub {
		err = d.pub.Del(ctx, d.key).Err()
	}
	return errors.Join(err, d.pub.Close())
}
