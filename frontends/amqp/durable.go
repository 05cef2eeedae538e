// Durability of the topology: durable exchanges, durable bindings (both
// ends durable, as RabbitMQ) and stream queues are stored as broker
// definitions (kinds "amqp-exchange", "amqp-binding", "amqp-stream", JSON
// values, keys "<vhost>\x00<name>…"); durable classic queues are stored by
// the broker's queue registry with the frontend's metadata (vhost, name,
// auto-delete, declared arguments) in QueueDef.Args. Persistent messages
// (delivery-mode 2) in durable queues are the queue engine's business.
// New loads it all back in that order: exchanges, queues, streams,
// bindings (a binding whose ends are gone is dropped). Transient queues
// and exchanges do not survive, nor do exclusive queues (never durable).

package amqp

import (
	"encoding/json"
	"errors"
	"fmt"

	"junction/frontends/amqp/internal/wire"
)

const (
	defExchange = "amqp-exchange"
	defBinding  = "amqp-binding"
	defStream   = "amqp-stream"
)

type exchangeDef struct {
	Vhost      string `json:"vhost"`
	Name       string `json:"name"`
	Type       string `json:"type"`
	AutoDelete bool   `json:"auto_delete,omitempty"`
	Internal   bool   `json:"internal,omitempty"`
	Args       []byte `json:"args,omitempty"`
}

type bindingDef struct {
	Vhost    string `json:"vhost"`
	Source   string `json:"source"`
	DestKind string `json:"dest_kind"` // "queue" or "exchange"
	Dest     string `json:"dest"`
	Key      string `json:"key"`
	Args     []byte `json:"args,omitempty"`
}

type streamDef struct {
	Vhost string `json:"vhost"`
	Name  string `json:"name"`
	Args  []byte `json:"args,omitempty"`
}

func encodeArgs(t wire.Table) []byte {
	if len(t) == 0 {
		return nil
	}
	b, err := wire.AppendTable(nil, t)
	if err != nil {
		return nil
	}
	return b
}

func decodeArgs(b []byte) wire.Table {
	if len(b) == 0 {
		return nil
	}
	t, err := wire.DecodeTable(b)
	if err != nil {
		return nil
	}
	return t
}

func (s *Server) saveExchange(x *exchange) error {
	v, _ := json.Marshal(exchangeDef{Vhost: x.vh.name, Name: x.name, Type: x.kind, AutoDelete: x.autoDelete,
		Internal: x.internal, Args: encodeArgs(x.args)})
	return s.b.SaveDefinition(defExchange, x.vh.defKey(x.name), v)
}

func (s *Server) deleteExchangeDef(x *exchange) error {
	return s.b.DeleteDefinition(defExchange, x.vh.defKey(x.name))
}

func (s *Server) saveBinding(b *binding) error {
	v, _ := json.Marshal(bindingDef{Vhost: b.src.vh.name, Source: b.src.name, DestKind: b.destKind(),
		Dest: b.destName(), Key: b.key, Args: encodeArgs(b.args)})
	if err := s.b.SaveDefinition(defBinding, b.defKey(), v); err != nil {
		return newErr(wire.InternalError, "storing binding: %v", err)
	}
	return nil
}

func (s *Server) deleteBinding(b *binding) error {
	return s.b.DeleteDefinition(defBinding, b.defKey())
}

func (s *Server) saveStreamDef(qe *qentry) error {
	v, _ := json.Marshal(streamDef{Vhost: qe.vh.name, Name: qe.name, Args: encodeArgs(qe.args)})
	return s.b.SaveDefinition(defStream, qe.vh.defKey(qe.name), v)
}

func (s *Server) deleteStreamDef(qe *qentry) error {
	return s.b.DeleteDefinition(defStream, qe.vh.defKey(qe.name))
}

// loadDefinitions restores the stored topology.
func (s *Server) loadDefinitions() error {
	var errs []error
	err := s.b.Definitions(defExchange, func(key string, v []byte) error {
		var d exchangeDef
		if err := json.Unmarshal(v, &d); err != nil {
			errs = append(errs, fmt.Errorf("exchange %q: %w", key, err))
			return nil
		}
		vh := s.vhosts[d.Vhost]
		if vh == nil || !validKind(d.Type) || vh.exchanges[d.Name] != nil {
			return nil
		}
		vh.exchanges[d.Name] = newExchange(vh, d.Name, d.Type, true, d.AutoDelete, d.Internal, decodeArgs(d.Args))
		return nil
	})
	errs = append(errs, err)

	for _, name := range s.b.Queues() {
		def, ok := s.b.QueueDefinition(name)
		q := s.b.Queue(name)
		if !ok || q == nil {
			continue
		}
		var meta queueMeta
		if json.Unmarshal(def.Args, &meta) != nil || meta.Name == "" {
			meta.Vhost, meta.Name = splitBname(name)
		}
		vh := s.vhosts[meta.Vhost]
		if vh == nil || vh.queues[meta.Name] != nil {
			continue
		}
		args := decodeArgs(meta.Args)
		qa, err := parseQueueArgs(args, rs("queue", meta.Name, meta.Vhost))
		if err != nil {
			qa = queueArgs{kind: "classic", messageTTL: -1, maxLength: -1, maxBytes: -1, overflow: "drop-head"}
		}
		qe := &qentry{vh: vh, name: meta.Name, bname: name, durable: def.Durable, autoDelete: meta.AutoDelete,
			args: args, qa: qa, q: q, bindings: make(map[*binding]struct{})}
		if !s.b.OnQueueDeleted(name, func() { vh.queueGone(qe) }) {
			continue
		}
		vh.queues[meta.Name] = qe
	}

	err = s.b.Definitions(defStream, func(key string, v []byte) error {
		var d streamDef
		if err := json.Unmarshal(v, &d); err != nil {
			errs = append(errs, fmt.Errorf("stream %q: %w", key, err))
			return nil
		}
		vh := s.vhosts[d.Vhost]
		if vh == nil || vh.queues[d.Name] != nil {
			return nil
		}
		t, part := s.streamTopic(vh.bname(d.Name))
		if t == nil {
			return nil // deleted while we were down; the definition goes below
		}
		args := decodeArgs(d.Args)
		qa, _ := parseQueueArgs(args, rs("queue", d.Name, d.Vhost))
		qa.kind = "stream"
		qe := &qentry{vh: vh, name: d.Name, bname: vh.bname(d.Name), durable: true, args: args, qa: qa,
			st: newStreamQueue(t, part), bindings: make(map[*binding]struct{})}
		vh.queues[d.Name] = qe
		qe.st.watch(qe)
		return nil
	})
	errs = append(errs, err)

	var stale []string
	err = s.b.Definitions(defBinding, func(key string, v []byte) error {
		var d bindingDef
		if err := json.Unmarshal(v, &d); err != nil {
			errs = append(errs, fmt.Errorf("binding %q: %w", key, err))
			return nil
		}
		vh := s.vhosts[d.Vhost]
		if vh == nil {
			return nil
		}
		src := vh.exchanges[d.Source]
		var q *qentry
		var x *exchange
		if d.DestKind == "queue" {
			if q = vh.queues[d.Dest]; q == nil {
				q = vh.adoptTopic(d.Dest) // a stream queue adopted from another protocol's topic
			}
		} else {
			x = vh.exchanges[d.Dest]
		}
		if src == nil || (q == nil && x == nil) {
			stale = append(stale, key)
			return nil
		}
		b, err := newBinding(src, q, x, d.Key, decodeArgs(d.Args))
		if err != nil {
			stale = append(stale, key)
			return nil
		}
		if _, dup := src.bindings[b.id()]; dup {
			return nil
		}
		src.addBinding(b)
		if q != nil {
			q.bindings[b] = struct{}{}
		} else {
			x.inbound[b] = struct{}{}
		}
		return nil
	})
	errs = append(errs, err)
	for _, key := range stale {
		errs = append(errs, s.b.DeleteDefinition(defBinding, key))
	}
	var staleStreams []string
	_ = s.b.Definitions(defStream, func(key string, v []byte) error {
		var d streamDef
		if json.Unmarshal(v, &d) == nil {
			if vh := s.vhosts[d.Vhost]; vh != nil && s.b.Topic(vh.bname(d.Name)) == nil && vh.queues[d.Name] == nil {
				staleStreams = append(staleStreams, key)
			}
		}
		return nil
	})
	for _, key := range staleStreams {
		errs = append(errs, s.b.DeleteDefinition(defStream, key))
	}
	return errors.Join(errs...)
}
