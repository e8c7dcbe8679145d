package store

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

func logRecords(t *testing.T, s *Store, after uint64) []string {
	t.Helper()
	var recs []string
	if err := s.Replay(after, func(seq uint64, r []byte) error {
		recs = append(recs, fmt.Sprintf("%d:%s", seq, r))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestSnapshotTruncatesLog: a snapshot larger than a transaction (several
// parts) replaces the log it includes; numbering goes on after it across a
// reopen, and a second snapshot replaces the first.
func TestSnapshotTruncatesLog(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		if err := s.Commit(&Step{Record: []byte(fmt.Sprint("r", i))}); err != nil {
			t.Fatal(err)
		}
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 5*snapChunk/16+3) // six parts
	if err := s.WriteSnapshot(5, big); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteSnapshot(4, big); err == nil {
		t.Fatal("a snapshot behind the log was accepted")
	}
	if got := logRecords(t, s, 0); len(got) != 0 {
		t.Fatalf("log after snapshot: %v", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	data, seq, ok, err := s.Snapshot()
	if err != nil || !ok || seq != 5 || !bytes.Equal(data, big) {
		t.Fatalf("snapshot: ok=%v seq=%d len=%d err=%v", ok, seq, len(data), err)
	}
	if s.LogSeq() != 5 {
		t.Fatalf("log sequence after reopen %d, want 5", s.LogSeq())
	}
	if err := s.Commit(&Step{Record: []byte("r6")}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(logRecords(t, s, seq), ","); got != "6:r6" {
		t.Fatalf("log after snapshot: %s", got)
	}
	if err := s.WriteSnapshot(6, []byte("small")); err != nil {
		t.Fatal(err)
	}
	data, seq, ok, err = s.Snapshot()
	if err != nil || !ok || seq != 6 || string(data) != "small" {
		t.Fatalf("second snapshot: ok=%v seq=%d %q err=%v", ok, seq, data, err)
	}
	// The first snapshot's six parts are gone.
	n := 0
	s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixSnapshot}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
		}
		return nil
	})
	if n != 1 {
		t.Fatalf("%d snapshot parts stored, want 1", n)
	}
	s.Close()
}

// TestCorruptedSnapshotIsAnError: a missing part or a changed byte gives an
// error naming the path, not an empty state.
func TestCorruptedSnapshotIsAnError(t *testing.T) {
	for _, damage := range []string{"flip", "missing"} {
		t.Run(damage, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			s, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			s.Commit(&Step{Record: []byte("r1")})
			data := bytes.Repeat([]byte{7}, snapChunk+10)
			if err := s.WriteSnapshot(1, data); err != nil {
				t.Fatal(err)
			}
			s.db.Update(func(txn *badger.Txn) error {
				if damage == "missing" {
					return txn.Delete(snapKey(1, 1))
				}
				return txn.Set(snapKey(1, 1), bytes.Repeat([]byte{8}, 10))
			})
			s.Close()
			s, err = Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			_, _, _, err = s.Snapshot()
			if err == nil || !strings.Contains(err.Error(), dir) {
				t.Fatalf("damaged snapshot (%s): %v", damage, err)
			}
		})
	}
}

// TestVersion1StoreIsUpgraded: a store written before snapshots existed
// (marker vigil-store-1) opens, keeps its log, and is marked version 2, so
// that a build without snapshot support refuses it once it may hold one.
func TestVersion1StoreIsUpgraded(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Commit(&Step{Record: []byte("r1")})
	s.db.Update(func(txn *badger.Txn) error { return txn.Set([]byte{prefixMeta}, []byte(formatVersionV1)) })
	s.Close()
	if s, err = Open(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if m, _ := s.get([]byte{prefixMeta}); string(m) != formatVersion {
		t.Fatalf("marker %q after opening a version-1 store", m)
	}
	if got := logRecords(t, s, 0); len(got) != 1 {
		t.Fatalf("log after the upgrade: %v", got)
	}
}
