// The shared storage conformance suite, run over memlog.

package memlog

import (
	"testing"

	"junction/storage"
	"junction/storage/storagetest"
)

// TestConformance runs storagetest with Persistent set: the suite's reopen
// check closes a log and opens the same name on the same Backend, which
// memlog supports (logs live until RemoveLog). A new Backend starts empty.
func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Backend { return New() },
		storagetest.Options{Persistent: true})
}
