// Tests for the bbolt MetaStore: the shared conformance suite (with and
// without fsync), the file lock error and a group commit under load.

package boltmeta

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"junction/storage"
	"junction/storage/storagetest"
)

func openStore(t *testing.T, path string, opts Options) *Store {
	t.Helper()
	s, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	for _, noSync := range []bool{true, false} {
		name := map[bool]string{true: "nosync", false: "fsync"}[noSync]
		t.Run(name, func(t *testing.T) {
			if !noSync && testing.Short() {
				t.Skip("fsync on every commit is slow on some disks")
			}
			opts := Options{NoSync: noSync}
			storagetest.RunMeta(t, func(t *testing.T) storage.MetaStore {
				return openStore(t, filepath.Join(t.TempDir(), "meta", "junction.db"), opts)
			}, storagetest.MetaOptions{
				Persistent: true,
				Reopen: func(t *testing.T, s storage.MetaStore) storage.MetaStore {
					return openStore(t, s.(*Store).Path(), opts)
				},
			})
		})
	}
}

func TestOpenLockedFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "junction.db")
	openStore(t, path, Options{})
	s, err := Open(path, Options{Timeout: 10 * time.Millisecond})
	if !errors.Is(err, ErrInUse) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("second Open = %v, want ErrInUse", err)
	}
	t.Log(err)
}

func TestCloseSyncsUnderNoSync(t *testing.T) {
	path := filepath.Join(t.TempDir(), "junction.db")
	s := openStore(t, path, Options{NoSync: true})
	if err := s.Apply(storage.Op{Bucket: "b", Key: "k", Value: []byte("v")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	s = openStore(t, path, Options{})
	if v, err := s.Get("b", "k"); err != nil || string(v) != "v" {
		t.Fatalf("Get after reopen = %q, %v", v, err)
	}
}
