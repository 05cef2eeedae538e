// Kafka model on franz-go: Produce (linger 0, no compression, acks=all,
// idempotent: the client defaults) → Fetch long polls (FetchMaxWait, 500 ms
// by default). Each receiver is a client in a consumer group of its own, so
// N receivers are N groups that each read every record (or, with
// --kafka-groups=false, a client assigned the partition directly). The run's
// topic has one partition; it is made with CreateTopics, or by metadata
// auto-creation when the broker refuses, and deleted at the end with the
// groups. In the publish workload latency is produce→ack.
package bench

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

type kafkaDriver struct {
	cfg    *config
	dial   dialFunc
	topic  string
	groups []string // under mu
	prod   *kgo.Client
	notes  []string

	cancel context.CancelFunc // ends the receivers' polls
	rctx   context.Context
	wg     sync.WaitGroup
	mu     sync.Mutex
	subs   []*kgo.Client // under mu
}

func newKafkaDriver(c *config, dial dialFunc, id string) *kafkaDriver {
	d := &kafkaDriver{cfg: c, dial: dial, topic: "bench-" + id}
	d.rctx, d.cancel = context.WithCancel(context.Background())
	return d
}

func (d *kafkaDriver) seeds() []string {
	var s []string
	for _, a := range strings.Split(d.cfg.kafkaAddr, ",") {
		if a = strings.TrimSpace(a); a != "" {
			s = append(s, a)
		}
	}
	return s
}

func (d *kafkaDriver) open(ctx context.Context) error {
	prod, err := kgo.NewClient(
		kgo.SeedBrokers(d.seeds()...),
		kgo.Dialer(d.dial),
		kgo.DefaultProduceTopic(d.topic),
		kgo.AllowAutoTopicCreation(),
		kgo.ProducerLinger(0),
		kgo.ProducerBatchCompression(kgo.NoCompression()),
	)
	if err != nil {
		return err
	}
	d.prod = prod
	adm := kadm.NewClient(prod)
	res, err := adm.CreateTopics(ctx, 1, 1, nil, d.topic)
	if err == nil {
		err = res.Error()
	}
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		if ctx.Err() != nil {
			return err
		}
		d.notes = append(d.notes, "CreateTopics failed ("+err.Error()+"); used auto-creation")
	}
	return d.awaitTopic(ctx)
}

// awaitTopic asks for the topic's metadata (auto-creating it if the broker
// allows) until its partition has a leader, so the measured run does not
// start with the producer's retries.
func (d *kafkaDriver) awaitTopic(ctx context.Context) error {
	req := kmsg.NewPtrMetadataRequest()
	t := kmsg.NewMetadataRequestTopic()
	t.Topic = kmsg.StringPtr(d.topic)
	req.Topics = append(req.Topics, t)
	req.AllowAutoTopicCreation = true
	retry := time.NewTimer(0)
	defer retry.Stop()
	var last error
	for {
		select {
		case <-retry.C:
		case <-ctx.Done():
			return fmt.Errorf("topic %s not ready: %w", d.topic, errors.Join(last, ctx.Err()))
		}
		resp, err := req.RequestWith(ctx, d.prod)
		switch {
		case err != nil:
			last = err
		case len(resp.Topics) != 1:
			last = errors.New("metadata without the topic")
		case resp.Topics[0].ErrorCode != 0:
			last = kerr.ErrorForCode(resp.Topics[0].ErrorCode)
		case len(resp.Topics[0].Partitions) == 0 || resp.Topics[0].Partitions[0].Leader < 0:
			last = errors.New("partition without a leader")
		default:
			return nil
		}
		retry.Reset(100 * time.Millisecond)
	}
}

func (d *kafkaDriver) subscribe(ctx context.Context, i int, s *sink) error {
	opts := []kgo.Opt{
		kgo.SeedBrokers(d.seeds()...),
		kgo.Dialer(d.dial),
		kgo.FetchMaxWait(d.cfg.kafkaMaxWait),
	}
	ready := make(chan struct{})
	if d.cfg.kafkaGroups {
		group := fmt.Sprintf("%s-g%d", d.topic, i)
		d.mu.Lock()
		d.groups = append(d.groups, group)
		d.mu.Unlock()
		var once sync.Once
		opts = append(opts,
			kgo.ConsumeTopics(d.topic),
			kgo.ConsumerGroup(group),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
			kgo.OnPartitionsAssigned(func(context.Context, *kgo.Client, map[string][]int32) {
				once.Do(func() { close(ready) })
			}),
		)
	} else {
		opts = append(opts, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{
			d.topic: {0: kgo.NewOffset().AtStart()},
		}))
		close(ready) // reading from the start of a new topic misses nothing
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.subs = append(d.subs, cl)
	d.mu.Unlock()
	d.wg.Go(func() {
		for {
			fs := cl.PollFetches(d.rctx)
			if fs.IsClientClosed() || d.rctx.Err() != nil {
				return
			}
			fs.EachRecord(func(r *kgo.Record) { s.deliver(r.Value) })
		}
	})
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("consumer group got no partition: %w", ctx.Err())
	}
}

func (d *kafkaDriver) publish(ctx context.Context, payload []byte, acked func(error)) error {
	d.prod.Produce(ctx, &kgo.Record{Value: payload}, func(_ *kgo.Record, err error) { acked(err) })
	return nil
}

func (d *kafkaDriver) flush(ctx context.Context) error { return d.prod.Flush(ctx) }

func (d *kafkaDriver) close(ctx context.Context) error {
	d.cancel()
	d.mu.Lock()
	subs, groups := d.subs, d.groups
	d.subs = nil
	d.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range subs {
		wg.Go(c.Close) // leaves the group
	}
	wg.Wait()
	d.wg.Wait()
	if d.prod == nil {
		return nil
	}
	defer d.prod.Close()
	adm := kadm.NewClient(d.prod)
	var errs []error
	res, err := adm.DeleteTopics(ctx, d.topic)
	if err == nil {
		err = res.Error()
	}
	if err != nil {
		errs = append(errs, fmt.Errorf("DeleteTopics: %w", err))
	}
	if len(groups) > 0 {
		gres, err := adm.DeleteGroups(ctx, groups...)
		if err == nil {
			err = gres.Error()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("DeleteGroups: %w", err))
		}
	}
	return errors.Join(errs...)
}
