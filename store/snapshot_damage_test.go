package store

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

// TestDamagedManifestSizeIsAnError: the manifest's size field sizes a buffer
// before any part is read; a damaged one must give an error, not a panic or
// an allocation without bound.
func TestDamagedManifestSizeIsAnError(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Commit(&Step{Record: []byte("r1")}); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteSnapshot(1, []byte("state")); err != nil {
		t.Fatal(err)
	}
	m := &manifest{id: 1, logSeq: 1, size: math.MaxUint64 / 2, crc: 0}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set([]byte{keySnapManifest}, m.encode()) }); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("Store.Snapshot panicked on a damaged manifest: %v", p)
		}
	}()
	if _, _, _, err := s.Snapshot(); err == nil {
		t.Fatal("damaged manifest read without error")
	}
}

// TestSnapshotStoreRefusedByPreSnapshotBuilds: after a snapshot the log can
// be empty; a build without snapshot support must not read that as a new,
// empty store, so the store no longer carries the marker those builds
// accept.
func TestSnapshotStoreRefusedByPreSnapshotBuilds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Commit(&Step{Record: []byte("start"), Checkpoints: map[string][]byte{"src": {7}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteSnapshot(1, []byte("state")); err != nil {
		t.Fatal(err)
	}
	marker, err := s.get([]byte{prefixMeta})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	s.Replay(0, func(uint64, []byte) error { n++; return nil })
	if string(marker) == "vigil-store-1" && n == 0 {
		t.Fatalf("store holds a snapshot and an empty log under the pre-snapshot format marker %q: a pre-snapshot build opens it as a new, empty store", marker)
	}
}
