// Start-up time with existing data: opening a data directory must not read
// the logs (indexes are persisted; only the last segment's tail is checked).
package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"junction/broker"
	"junction/storage"
	"junction/storage/boltmeta"
	"junction/storage/segmentlog"
)

// fillDataDir writes about mb megabytes of 1 KiB records into topics in dir
// through the core, as the binary would have stored them.
func fillDataDir(t testing.TB, dir string, mb int) {
	t.Helper()
	meta, err := boltmeta.Open(filepath.Join(dir, "meta.db"), boltmeta.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	logs := segmentlog.New(filepath.Join(dir, "logs"))
	b, err := broker.New(broker.Config{Logs: logs, Meta: meta, Fsync: broker.FsyncNever})
	if err != nil {
		t.Fatal(err)
	}
	val := make([]byte, 1024)
	batch := make([]storage.Record, 256)
	for ti := 0; ti < 4; ti++ {
		tp, err := b.CreateTopic("fill-"+strconv.Itoa(ti), broker.TopicConfig{Partitions: 2, SegmentBytes: 16 << 20})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range tp.Partitions() {
			for n := 0; n < mb*1024/8; n += len(batch) {
				for i := range batch {
					batch[i] = storage.Record{Value: val}
				}
				if _, err := p.Append(batch); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	logs.Close()
	meta.Close()
}

func TestStartupWithExistingData(t *testing.T) {
	mb := 128
	if v, err := strconv.Atoi(os.Getenv("JUNCTION_IT_STARTUP_MB")); err == nil {
		mb = v
	}
	dir := t.TempDir()
	began := time.Now()
	fillDataDir(t, dir, mb)
	t.Logf("wrote %d MB in %v", mb, time.Since(began))

	p := &proc{
		RedisAddr: freeAddr(t), AMQPAddr: freeAddr(t), KafkaAddr: freeAddr(t), HTTPAddr: freeAddr(t),
		DataDir: dir,
	}
	p.start(t)
	t.Cleanup(p.kill)
	t.Logf("start to ready with %d MB of log: %v", mb, p.StartDur)
	// Generous for a race-enabled binary on a loaded 2-core machine; the
	// figure that matters is logged above and reported with a plain build.
	if p.StartDur > 3*time.Second {
		t.Errorf("start-up took %v with %d MB of data", p.StartDur, mb)
	}
	d := p.Stop(t)
	t.Logf("SIGTERM to exit: %v", d)
}
