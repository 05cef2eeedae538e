// Class exchange (40): declare (passive, durable, auto-delete, internal,
// alternate-exchange), delete (if-unused), bind/unbind between exchanges,
// with RabbitMQ's checks and texts: the default exchange cannot be
// declared, deleted or bound (403 "operation not permitted on the default
// exchange"), new names starting with "amq." are refused (403), amq.*
// exchanges cannot be deleted (403), a redeclaration must match type,
// durable, auto_delete, internal and alternate-exchange (406 "inequivalent
// arg"), an unknown type is 503 COMMAND_INVALID (a connection error, as in
// RabbitMQ). Deleting an exchange that does not exist succeeds.
//
// Each exchange keeps a routing index by type (route.go): a map by key for
// direct, a list for fanout and headers, a trie for topic. An auto-delete
// exchange is deleted when its last binding as a source goes.

package amqp

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"junction/frontends/amqp/internal/wire"
)

type exchange struct {
	vh         *vhost
	name       string
	kind       string
	durable    bool
	autoDelete bool
	internal   bool
	args       wire.Table
	alt        string // alternate-exchange, "" for none

	// Guarded by vh.mu.
	bindings map[bindingID]*binding // bindings with this exchange as source
	inbound  map[*binding]struct{}  // exchange-to-exchange bindings with this as destination
	direct   map[string][]*binding  // direct: by routing key
	all      []*binding             // fanout and headers
	trie     topicTrie              // topic
}

func newExchange(vh *vhost, name, kind string, durable, autoDelete, internal bool, args wire.Table) *exchange {
	x := &exchange{
		vh: vh, name: name, kind: kind, durable: durable, autoDelete: autoDelete, internal: internal, args: args,
		bindings: make(map[bindingID]*binding),
		inbound:  make(map[*binding]struct{}),
	}
	if v, ok := args.Get("alternate-exchange"); ok {
		x.alt, _ = v.(string)
	}
	if kind == kindDirect {
		x.direct = make(map[string][]*binding)
	}
	return x
}

func validKind(kind string) bool {
	switch kind {
	case kindDirect, kindFanout, kindTopic, kindHeaders:
		return true
	}
	return false
}

// binding routes messages from src to a queue q or an exchange x.
type binding struct {
	src   *exchange
	q     *qentry
	x     *exchange
	key   string
	args  wire.Table
	argsK string // encoded args: part of the binding's identity
	match headersMatch
}

// bindingID identifies a binding within its source exchange.
type bindingID struct {
	q    *qentry
	x    *exchange
	key  string
	args string
}

func newBinding(src *exchange, q *qentry, x *exchange, key string, args wire.Table) (*binding, error) {
	raw, err := wire.AppendTable(nil, args)
	if err != nil {
		return nil, newErr(wire.PreconditionFailed, "invalid binding arguments: %v", err)
	}
	b := &binding{src: src, q: q, x: x, key: key, args: args}
	if len(args) > 0 {
		b.argsK = string(raw)
	}
	if src.kind == kindHeaders {
		if b.match, err = parseHeadersMatch(args); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (b *binding) id() bindingID { return bindingID{b.q, b.x, b.key, b.argsK} }

// durable bindings are stored: both ends must be durable.
func (b *binding) durable() bool {
	if !b.src.durable {
		return false
	}
	if b.q != nil {
		return b.q.durable
	}
	return b.x.durable
}

// destName is the destination's name; destKind "queue" or "exchange".
func (b *binding) destName() string {
	if b.q != nil {
		return b.q.name
	}
	return b.x.name
}

func (b *binding) destKind() string {
	if b.q != nil {
		return "queue"
	}
	return "exchange"
}

// defKey is the binding's definition key.
func (b *binding) defKey() string {
	sum := sha256.Sum256([]byte(b.argsK))
	return b.src.vh.defKey(b.src.name, b.destKind(), b.destName(), b.key, hex.EncodeToString(sum[:8]))
}

// addBinding indexes b. vh.mu is held.
func (x *exchange) addBinding(b *binding) {
	x.bindings[b.id()] = b
	switch x.kind {
	case kindDirect:
		x.direct[b.key] = append(x.direct[b.key], b)
	case kindTopic:
		x.trie.add(b)
	default:
		x.all = append(x.all, b)
	}
}

// removeBinding unindexes b. vh.mu is held.
func (x *exchange) removeBinding(b *binding) {
	delete(x.bindings, b.id())
	switch x.kind {
	case kindDirect:
		l := removePtr(x.direct[b.key], b)
		if len(l) == 0 {
			delete(x.direct, b.key)
		} else {
			x.direct[b.key] = l
		}
	case kindTopic:
		x.trie.remove(b)
	default:
		x.all = removePtr(x.all, b)
	}
}

// removePtr removes b from l without keeping l's backing array shared
// with routers that may be iterating an older slice.
func removePtr(l []*binding, b *binding) []*binding {
	out := make([]*binding, 0, len(l))
	for _, e := range l {
		if e != b {
			out = append(out, e)
		}
	}
	return out
}

func (ch *channel) exchangeDeclare(m *wire.ExchangeDeclare) (wire.Method, error) {
	vh := ch.c.vh
	name := cleanName(m.Exchange)
	if m.Passive {
		if name == "" {
			return nil, errDefaultExchange()
		}
		if vh.exchange(name) == nil {
			return nil, errNoExchange(name, vh.name)
		}
		return ok(m.NoWait, &wire.ExchangeDeclareOk{})
	}
	if !validKind(m.Type) {
		return nil, newErr(wire.CommandInvalid, "unknown exchange type '%s'", m.Type)
	}
	if name == "" {
		return nil, errDefaultExchange()
	}
	if err := checkName("exchange", name); err != nil {
		return nil, err
	}
	vh.mu.Lock()
	defer vh.mu.Unlock()
	x := vh.exchanges[name]
	if x == nil {
		if strings.HasPrefix(name, "amq.") {
			return nil, errReservedName("exchange", name)
		}
		if v, ok := m.Arguments.Get("alternate-exchange"); ok {
			if _, isStr := v.(string); !isStr {
				return nil, newErr(wire.PreconditionFailed, "invalid type '%s' for arg 'alternate-exchange' in %s",
					typeName(v), rs("exchange", name, vh.name))
			}
		}
		x = newExchange(vh, name, m.Type, m.Durable, m.AutoDelete, m.Internal, m.Arguments)
		vh.exchanges[name] = x
		if x.durable {
			if err := vh.s.saveExchange(x); err != nil {
				return nil, newErr(wire.InternalError, "storing exchange: %v", err)
			}
		}
		return ok(m.NoWait, &wire.ExchangeDeclareOk{})
	}
	what := rs("exchange", name, vh.name)
	if err := assertField("type", x.kind, m.Type, what); err != nil {
		return nil, err
	}
	if err := assertField("durable", x.durable, m.Durable, what); err != nil {
		return nil, err
	}
	if err := assertField("auto_delete", x.autoDelete, m.AutoDelete, what); err != nil {
		return nil, err
	}
	if err := assertField("internal", x.internal, m.Internal, what); err != nil {
		return nil, err
	}
	if err := assertArgs(x.args, m.Arguments, what, []string{"alternate-exchange"}); err != nil {
		return nil, err
	}
	return ok(m.NoWait, &wire.ExchangeDeclareOk{})
}

func (ch *channel) exchangeDelete(m *wire.ExchangeDelete) (wire.Method, error) {
	vh := ch.c.vh
	name := cleanName(m.Exchange)
	if name == "" {
		return nil, errDefaultExchange()
	}
	if strings.HasPrefix(name, "amq.") {
		return nil, newErr(wire.AccessRefused, "deletion of system %s not allowed", rs("exchange", name, vh.name))
	}
	vh.mu.Lock()
	defer vh.mu.Unlock()
	x := vh.exchanges[name]
	if x == nil {
		return ok(m.NoWait, &wire.ExchangeDeleteOk{})
	}
	if m.IfUnused && len(x.bindings) > 0 {
		return nil, newErr(wire.PreconditionFailed, "%s in use", rs("exchange", name, vh.name))
	}
	if err := vh.removeBindings(vh.dropExchangeLocked(x)); err != nil {
		vh.s.log.Error("removing bindings of deleted exchange", "exchange", name, "err", err)
	}
	return ok(m.NoWait, &wire.ExchangeDeleteOk{})
}

// bindEnds resolves the ends of an exchange binding: source first, as
// RabbitMQ reports missing resources.
func (vh *vhost) bindExchanges(source, dest string) (src, dst *exchange, err error) {
	if source == "" || dest == "" {
		return nil, nil, errDefaultExchange()
	}
	if src = vh.exchanges[source]; src == nil {
		return nil, nil, errNoExchange(source, vh.name)
	}
	if dst = vh.exchanges[dest]; dst == nil {
		return nil, nil, errNoExchange(dest, vh.name)
	}
	return src, dst, nil
}

func (ch *channel) exchangeBind(m *wire.ExchangeBind) (wire.Method, error) {
	vh := ch.c.vh
	vh.mu.Lock()
	defer vh.mu.Unlock()
	src, dst, err := vh.bindExchanges(cleanName(m.Source), cleanName(m.Destination))
	if err != nil {
		return nil, err
	}
	if err := vh.bindLocked(src, nil, dst, m.RoutingKey, m.Arguments); err != nil {
		return nil, err
	}
	return ok(m.NoWait, &wire.ExchangeBindOk{})
}

func (ch *channel) exchangeUnbind(m *wire.ExchangeUnbind) (wire.Method, error) {
	vh := ch.c.vh
	vh.mu.Lock()
	defer vh.mu.Unlock()
	src, dst, err := vh.bindExchanges(cleanName(m.Source), cleanName(m.Destination))
	if err != nil {
		return nil, err
	}
	if err := vh.unbindLocked(src, nil, dst, m.RoutingKey, m.Arguments); err != nil {
		vh.s.log.Error("removing binding", "err", err)
	}
	return ok(m.NoWait, &wire.ExchangeUnbindOk{})
}
