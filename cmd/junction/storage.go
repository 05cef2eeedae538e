package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"junction/broker"
	"junction/storage"
	"junction/storage/boltmeta"
	"junction/storage/memlog"
	"junction/storage/memmeta"
	"junction/storage/segmentlog"
)

// stores are the storage backends the broker runs on.
type stores struct {
	logs storage.Backend
	meta storage.MetaStore
}

// openStorage opens the file backends under --data-dir, or the in-memory ones.
func openStorage(cfg *config, policy broker.FsyncPolicy) (*stores, error) {
	if cfg.inMemory {
		return &stores{logs: memlog.New(), meta: memmeta.New()}, nil
	}
	if err := os.MkdirAll(cfg.dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("data directory %s: %v", cfg.dataDir, err)
	}
	probe := filepath.Join(cfg.dataDir, ".write-test")
	if err := os.WriteFile(probe, nil, 0o644); err != nil {
		return nil, fmt.Errorf("data directory %s is not writable: %v", cfg.dataDir, err)
	}
	os.Remove(probe)
	meta, err := boltmeta.Open(filepath.Join(cfg.dataDir, "meta.db"), boltmeta.Options{NoSync: policy != broker.FsyncAlways})
	if err != nil {
		return nil, fmt.Errorf("metadata in %s: %w", cfg.dataDir, err)
	}
	logs := segmentlog.New(filepath.Join(cfg.dataDir, "logs"))
	return &stores{logs: logs, meta: meta}, nil
}

func (s *stores) describe(cfg *config) string {
	if cfg.inMemory {
		return "(in memory)"
	}
	return cfg.dataDir
}

func (s *stores) close(log *slog.Logger) {
	if err := s.logs.Close(); err != nil {
		log.Error("closing logs", "err", err)
	}
	if err := s.meta.Close(); err != nil {
		log.Error("closing metadata", "err", err)
	}
}
