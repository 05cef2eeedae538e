// Benchmarks for group commit: concurrent single-op Apply calls, with and
// without fsync, against bbolt's own db.Batch for reference.

package boltmeta

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"go.etcd.io/bbolt"

	"junction/storage"
)

// benchApply runs b.N single-op applies spread over writers goroutines.
func benchApply(b *testing.B, writers int, apply func(key string) error) {
	b.ReportAllocs()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range writers {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				if err := apply(fmt.Sprintf("group/topic/%d", i%1000)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

func BenchmarkApply(b *testing.B) {
	val := []byte("12345678")
	for _, noSync := range []bool{true, false} {
		for _, writers := range []int{1, 16} {
			b.Run(fmt.Sprintf("nosync=%v/writers=%d", noSync, writers), func(b *testing.B) {
				s, err := Open(filepath.Join(b.TempDir(), "m.db"), Options{NoSync: noSync})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				benchApply(b, writers, func(k string) error {
					return s.Apply(storage.Op{Bucket: "offsets", Key: k, Value: val})
				})
			})
			// Reference: the same load through bbolt's db.Batch.
			b.Run(fmt.Sprintf("dbBatch/nosync=%v/writers=%d", noSync, writers), func(b *testing.B) {
				db, err := bbolt.Open(filepath.Join(b.TempDir(), "m.db"), 0o600, &bbolt.Options{NoSync: noSync})
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				benchApply(b, writers, func(k string) error {
					return db.Batch(func(tx *bbolt.Tx) error {
						bk, err := tx.CreateBucketIfNotExists([]byte("offsets"))
						if err != nil {
							return err
						}
						return bk.Put([]byte(k), val)
					})
				})
			})
		}
	}
}
