// Tests for the in-memory MetaStore: the shared conformance suite.

package memmeta

import (
	"testing"

	"junction/storage"
	"junction/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.RunMeta(t, func(t *testing.T) storage.MetaStore {
		s := New()
		t.Cleanup(func() { _ = s.Close() })
		return s
	}, storagetest.MetaOptions{})
}

func BenchmarkApply(b *testing.B) {
	s := New()
	val := []byte("12345678")
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = "group/topic/" + string(rune('a'+i%26)) + string(rune('a'+i/26%26))
	}
	b.ReportAllocs()
	b.SetParallelism(8) // 16 goroutines on 2 CPUs
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			if err := s.Apply(storage.Op{Bucket: "offsets", Key: keys[i%len(keys)], Value: val}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}
