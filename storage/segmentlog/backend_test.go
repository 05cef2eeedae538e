// Backend: name validation, one open per name, nested names, Close.

package segmentlog

import (
	"errors"
	"testing"

	"junction/storage"
)

func TestLogNames(t *testing.T) {
	b := New(t.TempDir())
	defer b.Close()
	for _, name := range []string{"", "/a", "a/", "a//b", "..", "a/../b", "../a", ".", "a/./b", `a\b`, "a\x00b"} {
		if _, err := b.OpenLog(name, storage.LogOptions{}); err == nil {
			t.Errorf("OpenLog(%q) succeeded", name)
		}
		if err := b.RemoveLog(name); err == nil {
			t.Errorf("RemoveLog(%q) succeeded", name)
		}
	}
	if _, err := b.OpenLog("neg", storage.LogOptions{InitialOffset: -1}); err == nil {
		t.Errorf("OpenLog with a negative InitialOffset succeeded")
	}
	for _, name := range []string{"a", "topic/orders/0", "queue/%2E%2E", "topic/..a/0"} {
		l, err := b.OpenLog(name, storage.LogOptions{})
		if err != nil {
			t.Fatalf("OpenLog(%q): %v", name, err)
		}
		if _, err := b.OpenLog(name, storage.LogOptions{}); err == nil {
			t.Fatalf("OpenLog(%q) twice succeeded", name)
		}
		l.Close()
		if l, err = b.OpenLog(name, storage.LogOptions{}); err != nil {
			t.Fatalf("OpenLog(%q) after Close: %v", name, err)
		}
		l.Close()
	}
}

func TestNestedNames(t *testing.T) {
	b := New(t.TempDir())
	defer b.Close()
	outer, err := b.OpenLog("topic/a", storage.LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	inner, err := b.OpenLog("topic/a/0", storage.LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []storage.Log{outer, inner} {
		if err := l.Append([]storage.Record{{Value: []byte("v")}}); err != nil {
			t.Fatal(err)
		}
	}
	inner.Close()
	if err := b.RemoveLog("topic/a"); err != nil {
		t.Fatal(err)
	}
	if inner, err = b.OpenLog("topic/a/0", storage.LogOptions{}); err != nil || inner.End() != 1 {
		t.Fatalf("inner log after removing the outer one: End %v, %v", inner, err)
	}
	if outer, err = b.OpenLog("topic/a", storage.LogOptions{}); err != nil || outer.End() != 0 {
		t.Fatalf("outer log after RemoveLog: %v", err)
	}
}

func TestBackendClose(t *testing.T) {
	b := New(t.TempDir())
	l, err := b.OpenLog("topic/x/0", storage.LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Append([]storage.Record{{}}); !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("Append after Backend.Close = %v", err)
	}
	if _, err := b.OpenLog("topic/y/0", storage.LogOptions{}); !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("OpenLog after Close = %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
