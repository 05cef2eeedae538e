// Pub/Sub: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE,
// SUNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB CHANNELS / NUMSUB / NUMPAT /
// SHARDCHANNELS / SHARDNUMSUB, on the shared fan-out hub (broker/pubsub).
//
// Delivery is pushed: a subscribed connection gets a pusher goroutine that
// waits on its Subscriber, drains the whole queue and writes it in one
// write, under the connection's write lock and only between reply batches
// (conn.go: busy), so a pushed frame never splits a reply or overtakes the
// SUBSCRIBE confirmation before it. While the connection goroutine holds
// unflushed replies, its own flush appends the queued messages instead. A
// subscriber that overflows its buffer (65536 messages or 32 MB, Redis's
// pubsub client-output-buffer-limit hard limit) is disconnected.
//
// RESP2 clients with subscriptions may only send (P|S)(UN)SUBSCRIBE, PING,
// QUIT and RESET (dispatch.go); PING then answers ["pong", msg]. RESP3
// clients get ">" push frames and may send anything. Single node: shard
// channels are a namespace of their own but never redirect.
package redis

import "junction/broker/pubsub"

func init() {
	pubsubFlags := []string{"pubsub", "noscript", "loading", "stale"}
	register(
		&Command{Name: "subscribe", Arity: -2, Flags: pubsubFlags, ACL: []string{"pubsub", "slow"},
			Group: "pubsub", Since: "2.0.0", Summary: "Listens for messages published to channels.",
			Handler: func(c *Conn, args [][]byte) { subscribeCmd(c, args, pubsub.Plain) }},
		&Command{Name: "psubscribe", Arity: -2, Flags: pubsubFlags, ACL: []string{"pubsub", "slow"},
			Group: "pubsub", Since: "2.0.0", Summary: "Listens for messages published to channels that match one or more patterns.",
			Handler: func(c *Conn, args [][]byte) { subscribeCmd(c, args, pubsub.Pattern) }},
		&Command{Name: "ssubscribe", Arity: -2, Flags: pubsubFlags, FirstKey: 1, LastKey: -1, Step: 1,
			ACL: []string{"pubsub", "slow"}, Group: "pubsub", Since: "7.0.0",
			Summary: "Listens for messages published to shard channels.",
			Handler: func(c *Conn, args [][]byte) { subscribeCmd(c, args, pubsub.Shard) }},
		&Command{Name: "unsubscribe", Arity: -1, Flags: pubsubFlags, ACL: []string{"pubsub", "slow"},
			Group: "pubsub", Since: "2.0.0", Summary: "Stops listening to messages posted to channels.",
			Handler: func(c *Conn, args [][]byte) { unsubscribeCmd(c, args, pubsub.Plain) }},
		&Command{Name: "punsubscribe", Arity: -1, Flags: pubsubFlags, ACL: []string{"pubsub", "slow"},
			Group: "pubsub", Since: "2.0.0", Summary: "Stops listening to messages published to channels that match one or more patterns.",
			Handler: func(c *Conn, args [][]byte) { unsubscribeCmd(c, args, pubsub.Pattern) }},
		&Command{Name: "sunsubscribe", Arity: -1, Flags: pubsubFlags, FirstKey: 1, LastKey: -1, Step: 1,
			ACL: []string{"pubsub", "slow"}, Group: "pubsub", Since: "7.0.0",
			Summary: "Stops listening to messages posted to shard channels.",
			Handler: func(c *Conn, args [][]byte) { unsubscribeCmd(c, args, pubsub.Shard) }},
		&Command{Name: "publish", Arity: 3, Flags: []string{"pubsub", "loading", "stale", "fast"},
			ACL: []string{"pubsub", "fast"}, Group: "pubsub", Since: "2.0.0", Summary: "Posts a message to a channel.",
			Handler: func(c *Conn, args [][]byte) { publishCmd(c, args, pubsub.Plain) }},
		&Command{Name: "spublish", Arity: 3, Flags: []string{"pubsub", "loading", "stale", "fast"},
			FirstKey: 1, LastKey: 1, Step: 1, ACL: []string{"pubsub", "fast"}, Group: "pubsub", Since: "7.0.0",
			Summary: "Post a message to a shard channel",
			Handler: func(c *Conn, args [][]byte) { publishCmd(c, args, pubsub.Shard) }},
		&Command{Name: "pubsub", Arity: -2, Group: "pubsub", Since: "2.8.0",
			Summary: "A container for Pub/Sub commands.", Subcommands: map[string]*Command{
				"channels": {Name: "channels", Arity: -2, Flags: []string{"pubsub", "loading", "stale"},
					ACL: []string{"pubsub", "slow"}, Group: "pubsub", Since: "2.8.0",
					Summary: "Returns the active channels.",
					Handler: func(c *Conn, args [][]byte) { pubsubChannels(c, args, pubsub.Plain) }},
				"shardchannels": {Name: "shardchannels", Arity: -2, Flags: []string{"pubsub", "loading", "stale"},
					ACL: []string{"pubsub", "slow"}, Group: "pubsub", Since: "7.0.0",
					Summary: "Returns the active shard channels.",
					Handler: func(c *Conn, args [][]byte) { pubsubChannels(c, args, pubsub.Shard) }},
				"numsub": {Name: "numsub", Arity: -2, Flags: []string{"pubsub", "loading", "stale"},
					ACL: []string{"pubsub", "slow"}, Group: "pubsub", Since: "2.8.0",
					Summary: "Returns a count of subscribers to channels.",
					Handler: func(c *Conn, args [][]byte) { pubsubNumSub(c, args, pubsub.Plain) }},
				"shardnumsub": {Name: "shardnumsub", Arity: -2, Flags: []string{"pubsub", "loading", "stale"},
					ACL: []string{"pubsub", "slow"}, Group: "pubsub", Since: "7.0.0",
					Summary: "Returns the count of subscribers of shard channels.",
					Handler: func(c *Conn, args [][]byte) { pubsubNumSub(c, args, pubsub.Shard) }},
				"numpat": {Name: "numpat", Arity: 2, Flags: []string{"pubsub", "loading", "stale"},
					ACL: []string{"pubsub", "slow"}, Group: "pubsub", Since: "2.8.0",
					Summary: "Returns a count of unique pattern subscriptions.",
					Handler: func(c *Conn, args [][]byte) { c.W.Int(int64(c.srv.hub.NumPat())) }},
				"help": {Name: "help", Arity: 2, Flags: []string{"loading", "stale"}, ACL: []string{"slow"},
					Group: "pubsub", Since: "6.2.0", Summary: "Returns helpful text about the different subcommands.",
					Handler: func(c *Conn, args [][]byte) {
						helpReply(&c.W, "PUBSUB",
							"CHANNELS [<pattern>]",
							"    Return the currently active channels matching a <pattern> (default: '*').",
							"NUMPAT",
							"    Return number of subscriptions to patterns.",
							"NUMSUB [<channel> ...]",
							"    Return the number of subscribers for the specified channels, excluding",
							"    pattern subscriptions(default: no channels).",
							"SHARDCHANNELS [<pattern>]",
							"    Return the currently active shard level channels matching a <pattern> (default: '*').",
							"SHARDNUMSUB [<shardchannel> ...]",
							"    Return the number of subscribers for the specified shard level channel(s)")
					}},
			}},
	)
}

// subscribed reports whether the client has any subscription (RESP2
// subscribed mode).
func (c *Conn) subscribed() bool { return c.nChan+c.nPat+c.nShard > 0 }

// subscriber returns the connection's Subscriber, creating it and its
// pusher on first use.
func (c *Conn) subscriber() *pubsub.Subscriber {
	if c.sub == nil {
		c.sub = c.srv.hub.NewSubscriber(0, 0)
		if c.nc != nil {
			go c.pushLoop()
			go c.watchOverflow()
		}
	}
	return c.sub
}

// pushLoop delivers queued messages while the connection goroutine is not
// holding replies.
func (c *Conn) pushLoop() {
	sub := c.sub
	for {
		select {
		case <-sub.Ready():
			c.wmu.Lock()
			if !c.busy && c.werr == nil {
				c.batch = sub.Drain(c.batch)
				if len(c.batch) > 0 {
					c.push.Proto = c.proto
					c.push.Buf = c.push.Buf[:0]
					writeMessages(&c.push, c.batch)
					var n int
					n, c.werr = c.nc.Write(c.push.Buf)
					c.srv.stats.netOut.Add(int64(n))
					if cap(c.push.Buf) > 1<<20 {
						c.push.Buf = nil
					}
				}
			}
			err := c.werr
			c.wmu.Unlock()
			if err != nil {
				c.kill(errConnClosed)
				return
			}
		case <-c.ctx.Done():
			return
		}
	}
}

// watchOverflow cuts the client when its subscriber overflows, even while a
// write to it is stuck (a client that stopped reading).
func (c *Conn) watchOverflow() {
	select {
	case <-c.sub.Overflowed():
		c.srv.log.Warn("redis: closing subscriber over its output buffer limit", "client", c.addr, "id", c.id)
		c.kill(errOverflow)
	case <-c.ctx.Done():
	}
}

// writeMessages encodes deliveries as "message", "pmessage" or "smessage"
// frames: pushes in RESP3, arrays in RESP2.
func writeMessages(w *Writer, msgs []pubsub.Message) {
	for i := range msgs {
		m := &msgs[i]
		switch m.Kind {
		case pubsub.Pattern:
			w.Push(4)
			w.BulkString("pmessage")
			w.BulkString(m.Pattern)
		case pubsub.Shard:
			w.Push(3)
			w.BulkString("smessage")
		default:
			w.Push(3)
			w.BulkString("message")
		}
		w.BulkString(m.Channel)
		w.Bulk(m.Payload)
	}
}

// kindNames are the reply words per kind: subscribe, unsubscribe.
var kindNames = [3][2]string{
	pubsub.Plain:   {"subscribe", "unsubscribe"},
	pubsub.Pattern: {"psubscribe", "punsubscribe"},
	pubsub.Shard:   {"ssubscribe", "sunsubscribe"},
}

func subscribeCmd(c *Conn, args [][]byte, kind pubsub.Kind) {
	names := make([]string, len(args)-1)
	for i, a := range args[1:] {
		names[i] = string(a)
	}
	counts := c.subscriber().Subscribe(kind, names...)
	for i, name := range names {
		c.W.Push(3)
		c.W.BulkString(kindNames[kind][0])
		c.W.BulkString(name)
		c.W.Int(int64(counts[i]))
	}
	c.noteCounts(kind, counts)
}

func unsubscribeCmd(c *Conn, args [][]byte, kind pubsub.Kind) {
	names := make([]string, len(args)-1)
	for i, a := range args[1:] {
		names[i] = string(a)
	}
	var counts []int
	if c.sub != nil {
		names, counts = c.sub.Unsubscribe(kind, names...)
		// Messages queued before the unsubscribe go out before its reply,
		// as they would in Redis's output buffer: a RESP2 client leaving
		// subscribed mode must not find one after it.
		c.drainPushes()
	} else {
		counts = make([]int, len(names))
	}
	if len(names) == 0 {
		c.W.Push(3)
		c.W.BulkString(kindNames[kind][1])
		c.W.Null()
		c.W.Int(int64(c.count(kind)))
		return
	}
	for i, name := range names {
		c.W.Push(3)
		c.W.BulkString(kindNames[kind][1])
		c.W.BulkString(name)
		c.W.Int(int64(counts[i]))
	}
	c.noteCounts(kind, counts)
}

// count is the subscription count Redis reports for kind.
func (c *Conn) count(kind pubsub.Kind) int {
	if kind == pubsub.Shard {
		return c.nShard
	}
	return c.nChan + c.nPat
}

// noteCounts tracks the per-kind subscription counts from the counts a
// (un)subscribe reported after each name.
func (c *Conn) noteCounts(kind pubsub.Kind, counts []int) {
	for _, n := range counts {
		d := n - c.count(kind)
		switch kind {
		case pubsub.Plain:
			c.nChan += d
		case pubsub.Pattern:
			c.nPat += d
		case pubsub.Shard:
			c.nShard += d
		}
	}
	c.mu.Lock()
	c.infoSubs = [3]int{c.nChan, c.nPat, c.nShard}
	c.mu.Unlock()
}

// drainPushes appends the queued messages to the replies (the connection
// goroutine holds the socket while it runs a command, so the pusher is off).
func (c *Conn) drainPushes() {
	c.wmu.Lock()
	c.batch = c.sub.Drain(c.batch)
	if len(c.batch) > 0 {
		writeMessages(&c.W, c.batch)
	}
	c.wmu.Unlock()
}

// unsubscribeAll drops every subscription without replies (RESET).
func (c *Conn) unsubscribeAll() {
	if c.sub != nil {
		for _, k := range []pubsub.Kind{pubsub.Plain, pubsub.Pattern, pubsub.Shard} {
			c.sub.Unsubscribe(k)
		}
		c.drainPushes()
	}
	c.nChan, c.nPat, c.nShard = 0, 0, 0
	c.mu.Lock()
	c.infoSubs = [3]int{}
	c.mu.Unlock()
}

func publishCmd(c *Conn, args [][]byte, kind pubsub.Kind) {
	// args are never reused by the reader, so the payload is shared as is.
	c.W.Int(int64(c.srv.hub.Publish(kind, string(args[1]), args[2])))
}

func pubsubChannels(c *Conn, args [][]byte, kind pubsub.Kind) {
	var names []string
	switch {
	case len(args) == 2:
		names = c.srv.hub.Channels(kind, "")
	case len(args[2]) == 0:
		// An explicit empty pattern matches only the channel "".
		if c.srv.hub.NumSub(kind, "")[0] > 0 {
			names = []string{""}
		}
	default:
		names = c.srv.hub.Channels(kind, string(args[2]))
	}
	c.W.Array(len(names))
	for _, n := range names {
		c.W.BulkString(n)
	}
}

func pubsubNumSub(c *Conn, args [][]byte, kind pubsub.Kind) {
	names := make([]string, len(args)-2)
	for i, a := range args[2:] {
		names[i] = string(a)
	}
	counts := c.srv.hub.NumSub(kind, names...)
	c.W.Array(2 * len(names))
	for i, n := range names {
		c.W.BulkString(n)
		c.W.Int(int64(counts[i]))
	}
}

// pubsubStats returns the numbers of channels, patterns and shard channels
// (INFO stats).
func (s *Server) pubsubStats() (channels, patterns, shards int) {
	return len(s.hub.Channels(pubsub.Plain, "")), s.hub.NumPat(), len(s.hub.Channels(pubsub.Shard, ""))
}
