// RunMeta: the conformance suite every storage.MetaStore passes (boltmeta,
// memmeta). Puts, gets and deletes through Apply, batch atomicity, ForEach
// order and prefixes, DeleteBucket, errors, concurrent Apply, use after
// Close, and — for persistent stores — close and reopen.

package storagetest

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"junction/storage"
)

// MetaOptions describe the MetaStore under test.
type MetaOptions struct {
	// Persistent stores keep their data across Close and Reopen.
	Persistent bool
	// Reopen opens the store s again on the same data; the suite has already
	// closed s. Required when Persistent.
	Reopen func(t *testing.T, s storage.MetaStore) storage.MetaStore
}

// RunMeta runs the MetaStore conformance suite. open returns a new, empty
// store and arranges (t.Cleanup) for it to be closed; Close must tolerate
// being called again after the suite closed it.
func RunMeta(t *testing.T, open func(t *testing.T) storage.MetaStore, opts MetaOptions) {
	t.Run("PutGetDelete", func(t *testing.T) { metaPutGetDelete(t, open(t)) })
	t.Run("Atomic", func(t *testing.T) { metaAtomic(t, open(t)) })
	t.Run("ForEach", func(t *testing.T) { metaForEach(t, open(t)) })
	t.Run("ForEachCallsApply", func(t *testing.T) { metaForEachCallsApply(t, open(t)) })
	t.Run("DeleteBucket", func(t *testing.T) { metaDeleteBucket(t, open(t)) })
	t.Run("ConcurrentApply", func(t *testing.T) { metaConcurrentApply(t, open(t)) })
	t.Run("Closed", func(t *testing.T) { metaClosed(t, open(t)) })
	if opts.Persistent {
		t.Run("Reopen", func(t *testing.T) { metaReopen(t, open(t), opts.Reopen) })
	}
}

func metaPut(bucket, key, val string) storage.Op {
	return storage.Op{Bucket: bucket, Key: key, Value: []byte(val)}
}

func metaDel(bucket, key string) storage.Op { return storage.Op{Bucket: bucket, Key: key} }

func metaMustApply(t *testing.T, s storage.MetaStore, ops ...storage.Op) {
	t.Helper()
	if err := s.Apply(ops...); err != nil {
		t.Fatalf("Apply(%v): %v", ops, err)
	}
}

// wantGet checks Get(bucket, key); want "<missing>" expects ErrNotFound.
func metaWantGet(t *testing.T, s storage.MetaStore, bucket, key, want string) {
	t.Helper()
	got, err := s.Get(bucket, key)
	if want == "<missing>" {
		if !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("Get(%q, %q) = %q, %v; want ErrNotFound", bucket, key, got, err)
		}
		return
	}
	if err != nil || string(got) != want {
		t.Fatalf("Get(%q, %q) = %q, %v; want %q", bucket, key, got, err, want)
	}
}

// entries lists bucket's keys and values under prefix as "key=value".
func metaEntries(t *testing.T, s storage.MetaStore, bucket, prefix string) []string {
	t.Helper()
	var out []string
	err := s.ForEach(bucket, prefix, func(k string, v []byte) error {
		out = append(out, k+"="+string(v))
		return nil
	})
	if err != nil {
		t.Fatalf("ForEach(%q, %q): %v", bucket, prefix, err)
	}
	return out
}

func metaPutGetDelete(t *testing.T, s storage.MetaStore) {
	metaWantGet(t, s, "b", "k", "<missing>") // missing bucket
	buf := []byte("v1")
	metaMustApply(t, s, storage.Op{Bucket: "b", Key: "k", Value: buf}, metaPut("other", "k", "o"))
	buf[1] = '9' // the caller reuses its buffer
	metaWantGet(t, s, "b", "k", "v1")
	metaWantGet(t, s, "other", "k", "o")
	metaWantGet(t, s, "b", "missing", "<missing>")

	got, _ := s.Get("b", "k")
	got[0] = 'X' // Get returns a copy
	metaWantGet(t, s, "b", "k", "v1")

	metaMustApply(t, s, metaPut("b", "k", "v2"), metaPut("b", "empty", ""))
	metaWantGet(t, s, "b", "k", "v2")
	if v, err := s.Get("b", "empty"); err != nil || len(v) != 0 {
		t.Fatalf("Get of an empty value = %q, %v", v, err)
	}
	metaMustApply(t, s, metaDel("b", "k"), metaDel("b", "never"), metaDel("nobucket", "k"))
	metaWantGet(t, s, "b", "k", "<missing>")
	metaWantGet(t, s, "other", "k", "o")
	metaMustApply(t, s) // no ops
	if err := s.Sync(); err != nil {
		t.Fatalf("Sync: %v", err)
	}
}

func metaAtomic(t *testing.T, s storage.MetaStore) {
	metaMustApply(t, s, metaPut("b", "keep", "old"))
	// Later ops in a batch see earlier ones: put then delete, delete then put.
	metaMustApply(t, s, metaPut("b", "x", "1"), metaDel("b", "x"), metaDel("b", "keep"), metaPut("b", "keep", "new"))
	metaWantGet(t, s, "b", "x", "<missing>")
	metaWantGet(t, s, "b", "keep", "new")

	// An invalid op fails the whole batch.
	for _, bad := range []storage.Op{metaPut("b", "", "v"), metaPut("", "k", "v")} {
		if err := s.Apply(metaPut("b", "a", "1"), metaDel("b", "keep"), bad); err == nil {
			t.Fatalf("Apply with invalid op %+v succeeded", bad)
		}
		metaWantGet(t, s, "b", "a", "<missing>")
		metaWantGet(t, s, "b", "keep", "new")
	}

	// A reader never sees half a batch.
	const rounds = 100
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			var vals [][]byte
			err := s.ForEach("pair", "", func(_ string, v []byte) error {
				vals = append(vals, bytes.Clone(v))
				return nil
			})
			if err != nil {
				t.Error(err)
				return
			}
			if len(vals) == 2 && !bytes.Equal(vals[0], vals[1]) {
				t.Errorf("saw half a batch: %q", vals)
				return
			}
			select {
			case <-done:
				return
			default:
			}
		}
	})
	for i := range rounds {
		v := fmt.Sprint(i)
		metaMustApply(t, s, metaPut("pair", "a", v), metaPut("pair", "b", v))
	}
	close(done)
	wg.Wait()
}

func metaForEach(t *testing.T, s storage.MetaStore) {
	keys := []string{"a", "ab", "abc", "a/1", "a/10", "a/2", "b", "a\xff", "\x00", "zz", "abd"}
	for i := range 600 { // more than one page of any paging implementation
		keys = append(keys, fmt.Sprintf("many/%04d", i))
	}
	rng := rand.New(rand.NewPCG(7, 8))
	shuffled := slices.Clone(keys)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for len(shuffled) > 0 { // several batches, in random order
		n := min(len(shuffled), 1+rng.IntN(50))
		var ops []storage.Op
		for _, k := range shuffled[:n] {
			ops = append(ops, metaPut("b", k, "v"+k))
		}
		metaMustApply(t, s, ops...)
		shuffled = shuffled[n:]
	}
	metaMustApply(t, s, metaPut("b2", "a", "other bucket"))

	for _, prefix := range []string{"", "a", "ab", "a/", "many/03", "many/", "zz", "zzz", "\x00", "c"} {
		var want []string
		for _, k := range slices.Sorted(slices.Values(keys)) {
			if strings.HasPrefix(k, prefix) {
				want = append(want, k+"=v"+k)
			}
		}
		if got := metaEntries(t, s, "b", prefix); !slices.Equal(got, want) {
			t.Fatalf("ForEach(b, %q) = %d entries %q…, want %d %q…", prefix, len(got), metaHead(got), len(want), metaHead(want))
		}
	}
	if got := metaEntries(t, s, "missing", ""); len(got) != 0 {
		t.Fatalf("ForEach of a missing bucket = %q", got)
	}

	stop := errors.New("stop")
	n := 0
	err := s.ForEach("b", "many/", func(string, []byte) error {
		if n++; n == 300 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 300 {
		t.Fatalf("ForEach with fn error = %v after %d calls; want stop after 300", err, n)
	}
}

func metaHead(s []string) []string { return s[:min(len(s), 4)] }

// callsApplyKeys is more than one page of a paging ForEach (boltmeta and
// memmeta copy 256 entries at a time).
const callsApplyKeys = 300

// metaForEachCallsApply deletes and adds keys from inside ForEach's callback,
// which must neither deadlock nor skip or repeat keys that were there.
func metaForEachCallsApply(t *testing.T, s storage.MetaStore) {
	var ops []storage.Op
	for i := range callsApplyKeys {
		ops = append(ops, metaPut("b", fmt.Sprintf("k/%04d", i), "v"))
	}
	metaMustApply(t, s, ops...)
	var seen []string
	err := s.ForEach("b", "k/", func(k string, _ []byte) error {
		seen = append(seen, k)
		return s.Apply(metaDel("b", k), metaPut("done", k, "1"))
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i-1] >= seen[i] {
			t.Fatalf("ForEach visited %q then %q", seen[i-1], seen[i])
		}
	}
	if len(seen) != callsApplyKeys {
		t.Fatalf("ForEach visited %d keys, want %d", len(seen), callsApplyKeys)
	}
	if got := metaEntries(t, s, "b", ""); len(got) != 0 {
		t.Fatalf("%d keys left after deleting each in ForEach", len(got))
	}
	if got := metaEntries(t, s, "done", ""); len(got) != callsApplyKeys {
		t.Fatalf("%d keys written from inside ForEach, want %d", len(got), callsApplyKeys)
	}
}

func metaDeleteBucket(t *testing.T, s storage.MetaStore) {
	metaMustApply(t, s, metaPut("gone", "a", "1"), metaPut("gone", "b", "2"), metaPut("kept", "a", "3"))
	if err := s.DeleteBucket("gone"); err != nil {
		t.Fatal(err)
	}
	metaWantGet(t, s, "gone", "a", "<missing>")
	metaWantGet(t, s, "kept", "a", "3")
	if got := metaEntries(t, s, "gone", ""); len(got) != 0 {
		t.Fatalf("deleted bucket still lists %q", got)
	}
	if err := s.DeleteBucket("never-existed"); err != nil {
		t.Fatalf("DeleteBucket of a missing bucket: %v", err)
	}
	metaMustApply(t, s, metaPut("gone", "c", "4")) // usable again
	if got := metaEntries(t, s, "gone", ""); !slices.Equal(got, []string{"c=4"}) {
		t.Fatalf("recreated bucket lists %q", got)
	}
}

func metaConcurrentApply(t *testing.T, s storage.MetaStore) {
	const writers, each = 50, 4
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				k := fmt.Sprintf("w%02d/%d", w, i)
				if err := s.Apply(metaPut("c", k, k), metaPut("count", k, "1")); err != nil {
					t.Errorf("Apply %s: %v", k, err)
				}
			}
		})
	}
	wg.Wait()
	for w := range writers {
		for i := range each {
			k := fmt.Sprintf("w%02d/%d", w, i)
			metaWantGet(t, s, "c", k, k)
		}
	}
	if got := metaEntries(t, s, "count", ""); len(got) != writers*each {
		t.Fatalf("%d entries after %d concurrent applies", len(got), writers*each)
	}
}

func metaClosed(t *testing.T, s storage.MetaStore) {
	metaMustApply(t, s, metaPut("b", "k", "v"))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := s.Get("b", "k"); !errors.Is(err, storage.ErrClosed) {
		t.Errorf("Get after Close = %v, want ErrClosed", err)
	}
	if err := s.Apply(metaPut("b", "k", "v")); !errors.Is(err, storage.ErrClosed) {
		t.Errorf("Apply after Close = %v, want ErrClosed", err)
	}
	if err := s.ForEach("b", "", func(string, []byte) error { return nil }); !errors.Is(err, storage.ErrClosed) {
		t.Errorf("ForEach after Close = %v, want ErrClosed", err)
	}
	if err := s.DeleteBucket("b"); !errors.Is(err, storage.ErrClosed) {
		t.Errorf("DeleteBucket after Close = %v, want ErrClosed", err)
	}
	if err := s.Sync(); !errors.Is(err, storage.ErrClosed) {
		t.Errorf("Sync after Close = %v, want ErrClosed", err)
	}
}

func metaReopen(t *testing.T, s storage.MetaStore, reopen func(*testing.T, storage.MetaStore) storage.MetaStore) {
	if reopen == nil {
		t.Fatal("MetaOptions.Reopen is required when Persistent")
	}
	var ops []storage.Op
	for i := range 300 {
		ops = append(ops, metaPut("offsets", fmt.Sprintf("g/t/%03d", i), fmt.Sprint(i)))
	}
	metaMustApply(t, s, ops...)
	metaMustApply(t, s, metaPut("defs", "q", "queue"), metaPut("tmp", "x", "1"), metaDel("offsets", "g/t/000"))
	if err := s.DeleteBucket("tmp"); err != nil {
		t.Fatal(err)
	}
	want := metaEntries(t, s, "offsets", "")
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = reopen(t, s)
	if got := metaEntries(t, s, "offsets", ""); !slices.Equal(got, want) {
		t.Fatalf("after reopen: %d offsets, want %d", len(got), len(want))
	}
	metaWantGet(t, s, "defs", "q", "queue")
	metaWantGet(t, s, "offsets", "g/t/000", "<missing>")
	metaWantGet(t, s, "tmp", "x", "<missing>")
	metaMustApply(t, s, metaPut("defs", "q2", "again"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	metaWantGet(t, s, "defs", "q2", "again")
}
