package broker

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"junction/broker/queue"
	"junction/storage"
)

const bucketQueues = "queues"

// ErrUnknownQueue: no queue of that name exists.
var ErrUnknownQueue = errors.New("broker: unknown queue")

// QueueDef is a queue's definition: its settings and, for the frontend
// that declared it, opaque arguments kept verbatim (AMQP uses them to check
// that a redeclaration is equivalent, also after a restart).
type QueueDef struct {
	Durable              bool   `json:"durable"`
	MaxLength            int64  `json:"max_length,omitempty"`
	MaxBytes             int64  `json:"max_bytes,omitempty"`
	Overflow             uint8  `json:"overflow,omitempty"`
	MessageTTL           int64  `json:"message_ttl"` // ms; queue.NoTTL for none
	Expires              int64  `json:"expires,omitempty"`
	MaxPriority          uint8  `json:"max_priority,omitempty"`
	SingleActiveConsumer bool   `json:"sac,omitempty"`
	Args                 []byte `json:"args,omitempty"`
}

// DeadLetterFunc receives messages a queue removes without delivering them
// (reason "expired", "maxlen" or "rejected"); the AMQP frontend routes them.
type DeadLetterFunc func(queueName string, m *queue.Message, reason string)

// queueTable is the broker's registry of queues.
type queueTable struct {
	mu     sync.Mutex // guards m
	m      map[string]*queueEntry
	deadMu sync.RWMutex // guards dead
	dead   DeadLetterFunc
}

type queueEntry struct {
	q         *queue.Queue
	def       QueueDef
	logs      [2]storage.Log // message and settlement logs of a durable queue
	onDeleted []func()
}

// SetDeadLetterHandler installs the function that receives dead letters.
func (b *Broker) SetDeadLetterHandler(fn DeadLetterFunc) {
	b.queues.deadMu.Lock()
	b.queues.dead = fn
	b.queues.deadMu.Unlock()
}

// DeclareQueue returns the named queue, creating it from def if it does not
// exist (created reports which). An existing queue's definition is
// returned in current so the caller can check equivalence.
func (b *Broker) DeclareQueue(name string, def QueueDef) (q *queue.Queue, current QueueDef, created bool, err error) {
	if name == "" || len(name) > MaxNameLen {
		return nil, QueueDef{}, false, ErrInvalidName
	}
	t := &b.queues
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.m[name]; ok {
		e.q.Touch()
		return e.q, e.def, false, nil
	}
	e, err := b.openQueue(name, def)
	if err != nil {
		return nil, QueueDef{}, false, err
	}
	if def.Durable {
		v, _ := json.Marshal(def)
		if err := b.cfg.Meta.Apply(storage.Op{Bucket: bucketQueues, Key: name, Value: v}); err != nil {
			e.q.Close()
			e.closeLogs(true)
			return nil, QueueDef{}, false, err
		}
	}
	t.m[name] = e
	return e.q, def, true, nil
}

// openQueue builds a queue (recovering a durable one from its logs).
func (b *Broker) openQueue(name string, def QueueDef) (*queueEntry, error) {
	e := &queueEntry{def: def}
	cfg := queue.Config{
		Name: name, Durable: def.Durable, MaxLength: def.MaxLength, MaxBytes: def.MaxBytes,
		Overflow: queue.Overflow(def.Overflow), MessageTTL: def.MessageTTL, Expires: def.Expires,
		MaxPriority: def.MaxPriority, SingleActiveConsumer: def.SingleActiveConsumer, Now: b.cfg.Now,
		DeadLetter: func(m *queue.Message, reason string) {
			b.queues.deadMu.RLock()
			fn := b.queues.dead
			b.queues.deadMu.RUnlock()
			if fn != nil {
				fn(name, m, reason)
			}
		},
		OnExpire: func() { b.forgetQueue(name, e) },
	}
	if def.Durable {
		for i, kind := range []string{"queue", "queueack"} {
			l, err := b.cfg.Logs.OpenLog(logName(kind, name, 0), storage.LogOptions{SegmentBytes: b.cfg.SegmentBytes})
			if err != nil {
				e.closeLogs(false)
				return nil, err
			}
			e.logs[i] = l
		}
		cfg.Log, cfg.AckLog = e.logs[0], e.logs[1]
	}
	q, err := queue.New(cfg)
	if err != nil {
		e.closeLogs(false)
		return nil, fmt.Errorf("queue %q: %w", name, err)
	}
	e.q = q
	return e, nil
}

func (e *queueEntry) closeLogs(remove bool) {
	for _, l := range e.logs {
		if l == nil {
			continue
		}
		if remove {
			l.Remove()
		} else {
			l.Close()
		}
	}
}

// Queue returns the named queue, or nil.
func (b *Broker) Queue(name string) *queue.Queue {
	b.queues.mu.Lock()
	defer b.queues.mu.Unlock()
	if e, ok := b.queues.m[name]; ok {
		return e.q
	}
	return nil
}

// QueueDefinition returns a queue's definition.
func (b *Broker) QueueDefinition(name string) (QueueDef, bool) {
	b.queues.mu.Lock()
	defer b.queues.mu.Unlock()
	e, ok := b.queues.m[name]
	if !ok {
		return QueueDef{}, false
	}
	return e.def, true
}

// Queues returns every queue name, sorted.
func (b *Broker) Queues() []string {
	b.queues.mu.Lock()
	names := make([]string, 0, len(b.queues.m))
	for n := range b.queues.m {
		names = append(names, n)
	}
	b.queues.mu.Unlock()
	slices.Sort(names)
	return names
}

// OnQueueDeleted registers fn to run (once, no lock held) when the queue is
// deleted by DeleteQueue or by its own expiry; the AMQP frontend drops its
// bindings then. It returns false if the queue does not exist.
func (b *Broker) OnQueueDeleted(name string, fn func()) bool {
	b.queues.mu.Lock()
	defer b.queues.mu.Unlock()
	e, ok := b.queues.m[name]
	if ok {
		e.onDeleted = append(e.onDeleted, fn)
	}
	return ok
}

// DeleteQueue deletes a queue (queue.ErrInUse / queue.ErrNotEmpty when
// ifUnused / ifEmpty forbid it) and returns how many messages it held.
func (b *Broker) DeleteQueue(name string, ifUnused, ifEmpty bool) (int, error) {
	b.queues.mu.Lock()
	e, ok := b.queues.m[name]
	b.queues.mu.Unlock()
	if !ok {
		return 0, ErrUnknownQueue
	}
	n, err := e.q.Delete(ifUnused, ifEmpty)
	if err != nil {
		return 0, err
	}
	return n, b.forgetQueue(name, e)
}

// forgetQueue removes a deleted queue's registration, definition and logs.
func (b *Broker) forgetQueue(name string, e *queueEntry) error {
	b.queues.mu.Lock()
	if cur, ok := b.queues.m[name]; !ok || cur != e {
		b.queues.mu.Unlock()
		return nil
	}
	delete(b.queues.m, name)
	hooks := e.onDeleted
	b.queues.mu.Unlock()
	e.q.Close()
	e.closeLogs(true)
	var err error
	if e.def.Durable {
		err = b.cfg.Meta.Apply(storage.Op{Bucket: bucketQueues, Key: name})
	}
	for _, fn := range hooks {
		fn()
	}
	return err
}

// loadQueues recovers every durable queue and its persistent messages.
func (b *Broker) loadQueues() error {
	b.queues.m = make(map[string]*queueEntry)
	return b.cfg.Meta.ForEach(bucketQueues, "", func(name string, v []byte) error {
		var def QueueDef
		if err := json.Unmarshal(v, &def); err != nil {
			return fmt.Errorf("queue %q definition: %w", name, err)
		}
		e, err := b.openQueue(name, def)
		if err != nil {
			return err
		}
		b.queues.m[name] = e
		return nil
	})
}

// syncQueues makes every durable queue's publishes and settlements durable.
func (b *Broker) syncQueues() error {
	b.queues.mu.Lock()
	qs := make([]*queue.Queue, 0, len(b.queues.m))
	for _, e := range b.queues.m {
		if e.def.Durable {
			qs = append(qs, e.q)
		}
	}
	b.queues.mu.Unlock()
	var first error
	for _, q := range qs {
		if err := q.Sync(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// closeQueues stops every queue's timers and closes durable logs.
func (b *Broker) closeQueues() {
	b.queues.mu.Lock()
	defer b.queues.mu.Unlock()
	for _, e := range b.queues.m {
		e.q.Close()
		e.closeLogs(false)
	}
}
