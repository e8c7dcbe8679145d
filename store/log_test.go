package store_test

import (
	"path/filepath"
	"testing"

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
