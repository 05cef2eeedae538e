// The state one bench run shares across its models: the timestamp epoch,
// the run id in every created name, broker pids, and the live progress.
package bench

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"time"
)

// env is what every model of one bench run shares.
type env struct {
	cfg   *config
	epoch time.Time // timestamps in payloads are ns since this instant
	runID string    // random, in every name the run creates

	mu      sync.Mutex
	pids    map[string]int // broker pid per address; 0 = not local
	current atomic.Pointer[progress]
}

func newEnv(cfg *config) *env {
	b := make([]byte, 4)
	rand.Read(b)
	return &env{cfg: cfg, epoch: time.Now(), runID: hex.EncodeToString(b), pids: map[string]int{}}
}

// progress is the live state of the running model, for progress lines.
type progress struct {
	model          string
	subscribers    int64
	sent, received atomic.Int64
	acked          atomic.Int64
	started        time.Time
}

// brokerPID finds the broker behind addr (cached): --broker-pid, or the
// local process listening there, or 0.
func (e *env) brokerPID(addr string) int {
	if e.cfg.brokerPID > 0 {
		return e.cfg.brokerPID
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if pid, ok := e.pids[addr]; ok {
		return pid
	}
	pid, _ := findListener(e.cfg.procRoot, addr)
	e.pids[addr] = pid
	return pid
}
