// Package brokertest starts brokers for tests: on in-memory storage, or on
// the file backends in a temporary directory, with cleanup registered.
package brokertest

import (
	"path/filepath"
	"testing"

	"junction/broker"
	"junction/storage"
	"junction/storage/boltmeta"
	"junction/storage/memlog"
	"junction/storage/memmeta"
	"junction/storage/segmentlog"
)

// Stores are a broker's backends, kept so a test can "restart": close the
// broker and open a new one on the same stores.
type Stores struct {
	Logs storage.Backend
	Meta storage.MetaStore
	dir  string
}

// Memory returns fresh in-memory stores.
func Memory(t testing.TB) *Stores {
	return &Stores{Logs: memlog.New(), Meta: memmeta.New()}
}

// Files returns file stores in a new temp directory (closed at cleanup).
func Files(t testing.TB) *Stores {
	s := &Stores{dir: t.TempDir()}
	s.open(t)
	return s
}

func (s *Stores) open(t testing.TB) {
	t.Helper()
	m, err := boltmeta.Open(filepath.Join(s.dir, "meta.db"), boltmeta.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	l := segmentlog.New(filepath.Join(s.dir, "logs"))
	s.Logs, s.Meta = l, m
	t.Cleanup(func() { l.Close(); m.Close() })
}

// Reopen closes file stores and opens them again (a process restart);
// in-memory stores are kept as they are.
func (s *Stores) Reopen(t testing.TB) {
	if s.dir == "" {
		return
	}
	s.Logs.Close()
	s.Meta.Close()
	s.open(t)
}

// New opens a broker on s, closed at cleanup. cfg's Logs and Meta are set from s.
func (s *Stores) New(t testing.TB, cfg broker.Config) *broker.Broker {
	t.Helper()
	cfg.Logs, cfg.Meta = s.Logs, s.Meta
	b, err := broker.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// New returns a broker on fresh in-memory stores.
func New(t testing.TB) *broker.Broker {
	return Memory(t).New(t, broker.Config{})
}
