// Routing: from a published exchange to the set of queues, through
// exchange-to-exchange bindings and alternate exchanges, under the
// vhost's read lock. Direct exchanges look the key up in a map, topic
// exchanges walk a trie (route_topic.go), headers exchanges match each
// binding (route_headers.go) against the message headers, decoded at most
// once per message and only if a headers exchange is reached. Each queue is
// reached at most once; exchange cycles are cut. As in RabbitMQ, an
// exchange that routes the message nowhere (no queue and no exchange) hands
// it to its alternate exchange, if that exists.

package amqp

import "junction/frontends/amqp/internal/wire"

// router is a connection's scratch space for routing one message.
type router struct {
	qs     []*qentry
	qset   map[*qentry]struct{} // used when qs grows large
	work   []*exchange
	seen   []*exchange
	hdrRaw []byte // headers property (field table with length), nil if absent
	hdr    wire.Table
	hdrOK  bool
	words  []string // topic key words
}

// reset prepares r for a message whose headers table is hdrRaw.
func (r *router) reset(hdrRaw []byte) {
	clear(r.qs)
	r.qs = r.qs[:0]
	if r.qset != nil {
		clear(r.qset)
	}
	clear(r.work)
	r.work = r.work[:0]
	clear(r.seen)
	r.seen = r.seen[:0]
	r.hdrRaw, r.hdr, r.hdrOK = hdrRaw, nil, false
}

// headers returns the decoded headers (nil if absent or malformed).
func (r *router) headers() wire.Table {
	if !r.hdrOK {
		r.hdrOK = true
		if r.hdrRaw != nil {
			r.hdr, _ = wire.DecodeTable(r.hdrRaw)
		}
	}
	return r.hdr
}

func (r *router) addQueue(q *qentry) {
	if len(r.qs) < 16 {
		for _, e := range r.qs {
			if e == q {
				return
			}
		}
		r.qs = append(r.qs, q)
		return
	}
	if r.qset == nil {
		r.qset = make(map[*qentry]struct{})
	}
	if len(r.qset) == 0 {
		for _, e := range r.qs {
			r.qset[e] = struct{}{}
		}
	}
	if _, ok := r.qset[q]; ok {
		return
	}
	r.qset[q] = struct{}{}
	r.qs = append(r.qs, q)
}

func (r *router) addExchange(x *exchange) {
	for _, e := range r.seen {
		if e == x {
			return
		}
	}
	r.seen = append(r.seen, x)
	r.work = append(r.work, x)
}

// visit follows a matching binding.
func (r *router) visit(b *binding) {
	if b.q != nil {
		r.addQueue(b.q)
	} else {
		r.addExchange(b.x)
	}
}

// routeLocked fills r.qs with the queues x routes a message with key to.
// vh.mu is held (read).
func (vh *vhost) routeLocked(r *router, x *exchange, key string) {
	r.addExchange(x)
	for len(r.work) > 0 {
		x := r.work[len(r.work)-1]
		r.work = r.work[:len(r.work)-1]
		hits := 0
		switch {
		case x.name == "":
			if q := vh.queues[key]; q != nil {
				hits++
				r.addQueue(q)
			}
		case x.kind == kindDirect:
			for _, b := range x.direct[key] {
				hits++
				r.visit(b)
			}
		case x.kind == kindFanout:
			for _, b := range x.all {
				hits++
				r.visit(b)
			}
		case x.kind == kindTopic:
			hits = x.trie.match(key, r)
		case x.kind == kindHeaders:
			if len(x.all) > 0 {
				h := r.headers()
				for _, b := range x.all {
					if b.match.matches(h) {
						hits++
						r.visit(b)
					}
				}
			}
		}
		if hits == 0 && x.alt != "" {
			if ax := vh.exchanges[x.alt]; ax != nil {
				r.addExchange(ax)
			}
		}
	}
}
