// Concurrency stress, meant for -race: publishers, steady subscribers,
// subscribers that churn their subscriptions, and introspection, all at
// once. Steady subscribers must get every message; everyone must see each
// publisher's messages in publish order.

package pubsub

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

func TestStress(t *testing.T) {
	publishers, perPublisher := 4, 2000
	steadyN, churnN, channels := 4, 6, 8
	if testing.Short() {
		perPublisher = 300
	}
	h := NewHub()
	chName := func(i int) string { return fmt.Sprintf("ch.%d", i) }
	total := publishers * perPublisher

	// checkOrder consumes a batch, failing if a publisher's sequence goes
	// backwards (equal is fine: channel and pattern copies of one publish).
	checkOrder := func(last []int, batch []Message) error {
		for _, m := range batch {
			p, seq := int(m.Payload[0]), int(binary.BigEndian.Uint32(m.Payload[1:]))
			if seq < last[p] {
				return fmt.Errorf("publisher %d: seq %d after %d", p, seq, last[p])
			}
			last[p] = seq
		}
		return nil
	}

	var subsWG, churnWG, pubWG sync.WaitGroup
	errs := make(chan error, steadyN+churnN+publishers)
	stop := make(chan struct{})

	// Steady subscribers: all channels via one pattern, never unsubscribe.
	for range steadyN {
		s := h.NewSubscriber(-1, -1)
		s.Subscribe(Pattern, "ch.*")
		subsWG.Add(1)
		go func() {
			defer subsWG.Done()
			defer s.Close()
			last := make([]int, publishers)
			var batch []Message
			for got := 0; got < total; {
				<-s.Ready()
				batch = s.Drain(batch)
				got += len(batch)
				if err := checkOrder(last, batch); err != nil {
					errs <- err
					return
				}
			}
		}()
	}

	// Churning subscribers: subscribe and unsubscribe at random while
	// draining; also ask for counts and introspection.
	for i := range churnN {
		s := h.NewSubscriber(-1, -1)
		churnWG.Add(1)
		go func() {
			defer churnWG.Done()
			defer s.Close()
			r := rand.New(rand.NewPCG(uint64(i), 1))
			last := make([]int, publishers)
			var batch []Message
			for {
				select {
				case <-stop:
					return
				default:
				}
				switch r.IntN(6) {
				case 0:
					s.Subscribe(Plain, chName(r.IntN(channels)))
				case 1:
					s.Unsubscribe(Plain, chName(r.IntN(channels)))
				case 2:
					s.Subscribe(Pattern, fmt.Sprintf("ch.[0-%d]", r.IntN(channels)))
				case 3:
					s.Unsubscribe(Pattern)
				case 4:
					h.Channels(Plain, "ch.*")
					h.NumSub(Plain, chName(0), chName(1))
					h.NumPat()
					if s.Count() < 0 {
						panic("negative count")
					}
				case 5:
					s.Subscribe(Shard, chName(r.IntN(channels)))
					s.Unsubscribe(Shard)
				}
				batch = s.Drain(batch)
				if err := checkOrder(last, batch); err != nil {
					errs <- err
					return
				}
			}
		}()
	}

	for p := range publishers {
		pubWG.Add(1)
		go func() {
			defer pubWG.Done()
			for seq := range perPublisher {
				payload := make([]byte, 5)
				payload[0] = byte(p)
				binary.BigEndian.PutUint32(payload[1:], uint32(seq))
				kind := Plain
				if seq%10 == 9 {
					kind = Shard // steady subscribers don't see these; count them below
				}
				if n := h.Publish(kind, chName(seq%channels), payload); kind == Plain && n < steadyN {
					errs <- fmt.Errorf("publish reached %d receivers, want at least %d", n, steadyN)
					return
				}
			}
		}()
	}
	pubWG.Wait()
	// Shard publishes never reach the steady pattern subscribers: top up
	// with plain ones so each of them can count to total.
	shards := publishers * (perPublisher / 10)
	for i := range shards {
		payload := make([]byte, 5)
		payload[0] = 0
		binary.BigEndian.PutUint32(payload[1:], uint32(perPublisher+i))
		h.Publish(Plain, chName(0), payload)
	}
	subsWG.Wait()
	close(stop)
	churnWG.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(h.Channels(Plain, "")) + len(h.Channels(Shard, "")) + h.NumPat(); n != 0 {
		t.Fatalf("%d names left registered after every subscriber closed", n)
	}
}
