// Topic helpers shared by the APIs: Kafka topic name rules, creation (with
// a topic id) and auto-creation, and stable topic ids (KIP-516) stored in
// TopicConfig.Extra so they survive restarts.

package kafka

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/twmb/franz-go/pkg/kerr"

	"junction/broker"
)

// extraTopicID is the TopicConfig.Extra key holding a topic's Kafka id.
const extraTopicID = "kafka.topic.id"

// maxTopicNameLen is Kafka's topic name limit.
const maxTopicNameLen = 249

// validTopicName checks Kafka's rules for names of topics Kafka clients
// create: 1-249 of [a-zA-Z0-9._-], not "." or "..". Topics created by other
// protocols may have other names; Kafka clients can still use them.
func validTopicName(name string) error {
	switch {
	case name == "":
		return errors.New("topic name is empty")
	case name == "." || name == "..":
		return fmt.Errorf("topic name %q is illegal", name)
	case len(name) > maxTopicNameLen:
		return fmt.Errorf("topic name is longer than %d characters", maxTopicNameLen)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("topic name %q contains a character other than ASCII alphanumerics, '.', '_' and '-'", name)
		}
	}
	return nil
}

// createTopic creates a topic with a fresh topic id.
func (s *Server) createTopic(name string, cfg broker.TopicConfig) (*broker.Topic, error) {
	if cfg.Extra == nil {
		cfg.Extra = make(map[string]string)
	}
	id := newUUID()
	cfg.Extra[extraTopicID] = formatUUID(id)
	t, err := s.b.CreateTopic(name, cfg)
	if err != nil {
		return nil, err
	}
	s.ids.put(t, id)
	return t, nil
}

// autoCreate creates an unknown topic when Config.AutoCreate allows it. It
// returns the topic (also when another request created it first) or an
// error code.
func (s *Server) autoCreate(name string) (*broker.Topic, int16) {
	if !s.cfg.AutoCreate {
		return nil, kerr.UnknownTopicOrPartition.Code
	}
	if validTopicName(name) != nil {
		return nil, kerr.InvalidTopicException.Code
	}
	t, err := s.createTopic(name, broker.TopicConfig{Partitions: s.cfg.DefaultPartitions})
	if errors.Is(err, broker.ErrTopicExists) {
		if t = s.b.Topic(name); t != nil {
			return t, 0
		}
		return nil, kerr.UnknownTopicOrPartition.Code
	}
	if err != nil {
		s.log.Warn("auto-creating topic", "topic", name, "err", err)
		return nil, errCode(err)
	}
	s.log.Info("auto-created topic", "topic", name, "partitions", s.cfg.DefaultPartitions)
	return t, 0
}

// topicIDs caches topic ids by topic.
type topicIDs struct {
	mu sync.Mutex // guards m
	m  map[*broker.Topic][16]byte
}

func (ti *topicIDs) get(t *broker.Topic) ([16]byte, bool) {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	id, ok := ti.m[t]
	return id, ok
}

func (ti *topicIDs) put(t *broker.Topic, id [16]byte) {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	if ti.m == nil {
		ti.m = make(map[*broker.Topic][16]byte)
	}
	ti.m[t] = id
}

func (ti *topicIDs) forget(t *broker.Topic) {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	delete(ti.m, t)
}

// topicID returns t's Kafka topic id, assigning and storing one on first
// use (topics created by other protocols have none).
func (s *Server) topicID(t *broker.Topic) [16]byte {
	if id, ok := s.ids.get(t); ok {
		return id
	}
	var id [16]byte
	cfg := t.Config()
	if v, ok := cfg.Extra[extraTopicID]; ok {
		if parsed, err := parseUUID(v); err == nil {
			id = parsed
			s.ids.put(t, id)
			return id
		}
	}
	fresh := newUUID()
	err := t.UpdateConfig(func(c *broker.TopicConfig) {
		if v, ok := c.Extra[extraTopicID]; ok {
			if parsed, err := parseUUID(v); err == nil {
				fresh = parsed // another request got there first
				return
			}
		}
		if c.Extra == nil {
			c.Extra = make(map[string]string)
		}
		c.Extra[extraTopicID] = formatUUID(fresh)
	})
	if err != nil {
		s.log.Warn("storing topic id", "topic", t.Name(), "err", err)
	}
	s.ids.put(t, fresh)
	return fresh
}

// topicByID finds the topic with the given id, or nil.
func (s *Server) topicByID(id [16]byte) *broker.Topic {
	if id == ([16]byte{}) {
		return nil
	}
	for _, t := range s.b.Topics() {
		if s.topicID(t) == id {
			return t
		}
	}
	return nil
}

// forgetDeletedTopicIDs drops cached ids of deleted topics.
func (s *Server) forgetDeletedTopicIDs() {
	s.ids.mu.Lock()
	defer s.ids.mu.Unlock()
	for t := range s.ids.m {
		select {
		case <-t.Deleted():
			delete(s.ids.m, t)
		default:
		}
	}
}

// newUUID returns a random (version 4) UUID.
func newUUID() [16]byte {
	var u [16]byte
	rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

func formatUUID(u [16]byte) string {
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func parseUUID(s string) ([16]byte, error) {
	var u [16]byte
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || len(b) != 16 {
		return u, fmt.Errorf("bad uuid %q", s)
	}
	copy(u[:], b)
	return u, nil
}
