package store_test

import (
	"path/filepath"
	"testing"

	"github.com/vigilhq/vigil/outbox"

	"github.com/vigilhq/vigil/store"
	"github.com/vigilhq/vigil/store/storetest"
)

// The Badger store and its memory twin keep the same contract.
func TestLogContract(t *testing.T) {
	t.Run("badger", func(t *testing.T) {
		storetest.Run(t, storetest.Opener{
			Open: func(t *testing.T) store.Log {
				s, err := store.Open(filepath.Join(t.TempDir(), "data"), store.Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			},
			Reopen: func(t *testing.T, l store.Log) store.Log {
				s := l.(*store.Store)
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				s, err := store.Open(s.Path(), store.Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			},
		})
	})
	t.Run("memory", func(t *testing.T) {
		storetest.Run(t, storetest.Opener{
			Open:   func(*testing.T) store.Log { return store.NewMemory(true) },
			Reopen: func(_ *testing.T, l store.Log) store.Log { return l },
		})
	})
}

// Without keepLog (a server with no data directory) the memory log keeps
// the streams, checkpoints and cursors but no records and no snapshot:
// there is nothing to restart from, and the host asks KeepsLog to skip
// encoding them.
func TestMemoryWithoutLog(t *testing.T) {
	m := store.NewMemory(false)
	if m.KeepsLog() {
		t.Fatal("KeepsLog")
	}
	ev := storetest.Change("q", 1)
	if err := m.Commit(&store.Step{Record: []byte("r1"), Events: []*outbox.Event{ev}, Checkpoints: map[string][]byte{"s": []byte("p")}}); err != nil {
		t.Fatal(err)
	}
	if got := storetest.Records(t, m, 0); len(got) != 0 {
		t.Fatalf("records kept: %v", got)
	}
	if ev.Sequence != 1 {
		t.Fatalf("sequence %d", ev.Sequence)
	}
	if cp, _ := m.Checkpoint("s"); string(cp) != "p" {
		t.Fatalf("checkpoint %q", cp)
	}
	if err := m.SetCursor("r\x00q", 1); err != nil {
		t.Fatal(err)
	}
	if c, _ := m.Cursor("r\x00q"); c != 1 {
		t.Fatalf("cursor %d", c)
	}
	if recs, err := m.ReadFrom("q", 0, 0); err != nil || len(recs) != 1 {
		t.Fatalf("stream: %v %v", recs, err)
	}
}
