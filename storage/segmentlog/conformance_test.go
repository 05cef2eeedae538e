// The shared storage conformance suite, run over the file backend.

package segmentlog

import (
	"testing"

	"junction/storage"
	"junction/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Backend {
		return New(t.TempDir())
	}, storagetest.Options{Persistent: true})
}
