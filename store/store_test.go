package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/outbox"
)

func change(q string, n int) *outbox.Event {
	return &outbox.Event{Kind: outbox.KindChange, QueryID: q, SourceTimeMs: int64(n), Columns: outbox.NewColumns([]string{"n"}), Added: []engine.Row{{value.Int(int64(n))}}}
}

// A kill while the very first Open creates the store leaves Badger's files
// without the format marker; the next Open must finish the creation, not
// refuse the directory for ever. A Badger database holding keys but no
// marker is still refused.
func TestOpenAfterCrashDuringCreation(t *testing.T) {
	for _, withKey := range []bool{false, true} {
		t.Run(fmt.Sprint("with a key: ", withKey), func(t *testing.T) {
			dir := t.TempDir()
			db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
			if err != nil {
				t.Fatal(err)
			}
			if withKey {
				db.Update(func(txn *badger.Txn) error { return txn.Set([]byte("k"), []byte("v")) })
			}
			db.Close()
			s, err := Open(dir, Options{})
			if withKey {
				if err == nil || !strings.Contains(err.Error(), "not a Vigil store") {
					t.Fatalf("a Badger database with keys but no marker: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("an interrupted creation is refused: %v", err)
			}
			defer s.Close()
			if _, err := s.Append("q", change("q", 1)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Badger creates a new database's MANIFEST and KEYREGISTRY by writing
// MANIFEST-REWRITE and REWRITE-KEYREGISTRY and renaming them; a kill during
// the first Open before a rename leaves the temporary file (the crash test
// hit both). Such a store holds nothing and must open as empty, and the
// next Open replaces the leftover. With a key in the database, or a file
// that is not Badger's next to it, it is still refused.
func TestOpenAfterCrashBeforeBadgerRenamed(t *testing.T) {
	// The files a first Open writes, from a Badger database made and
	// closed without a key.
	tmpl := t.TempDir()
	db, err := badger.Open(badger.DefaultOptions(tmpl).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	manifest, err := os.ReadFile(filepath.Join(tmpl, "MANIFEST"))
	if err != nil {
		t.Fatal(err)
	}
	registry, err := os.ReadFile(filepath.Join(tmpl, "KEYREGISTRY"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(dir, name string, data []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lock := []byte(fmt.Sprintf("%d\n", os.Getpid()+1))
	type state struct {
		name  string
		setup func(dir string)
	}
	var states []state
	// Killed while writing MANIFEST-REWRITE: LOCK and the temporary file,
	// empty, partly or wholly written.
	for _, n := range []int{0, 8, len(manifest)} {
		states = append(states, state{fmt.Sprintf("MANIFEST-REWRITE of %d bytes", n), func(dir string) {
			write(dir, "LOCK", lock)
			write(dir, "MANIFEST-REWRITE", manifest[:n])
		}})
	}
	// Killed while writing REWRITE-KEYREGISTRY, the MANIFEST renamed.
	for _, n := range []int{0, 16, len(registry)} {
		states = append(states, state{fmt.Sprintf("REWRITE-KEYREGISTRY of %d bytes", n), func(dir string) {
			write(dir, "LOCK", lock)
			write(dir, "MANIFEST", manifest)
			write(dir, "REWRITE-KEYREGISTRY", registry[:n])
		}})
	}
	for _, st := range states {
		t.Run(st.name, func(t *testing.T) {
			dir := t.TempDir()
			st.setup(dir)
			s, err := Open(dir, Options{})
			if err != nil {
				t.Fatalf("a store whose creation a kill cut short is refused: %v", err)
			}
			if _, err := s.Append("q", change("q", 1)); err != nil {
				t.Fatal(err)
			}
			s.Close()
			for _, tmp := range []string{"MANIFEST-REWRITE", "REWRITE-KEYREGISTRY"} {
				if _, err := os.Stat(filepath.Join(dir, tmp)); err == nil {
					t.Errorf("%s left in the store after Open", tmp)
				}
			}
			s, err = Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, last := s.Bounds("q"); last != 1 {
				t.Fatalf("last sequence %d after reopening, want 1", last)
			}
		})
		t.Run(st.name+", and a foreign file", func(t *testing.T) {
			dir := t.TempDir()
			st.setup(dir)
			write(dir, "notes.txt", []byte("hello"))
			if s, err := Open(dir, Options{}); err == nil || !strings.Contains(err.Error(), "not a Vigil store") {
				if err == nil {
					s.Close()
				}
				t.Fatalf("a directory with a file that is not Badger's: %v", err)
			}
		})
	}
	t.Run("a Badger database with a key and a REWRITE-KEYREGISTRY", func(t *testing.T) {
		dir := t.TempDir()
		db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Update(func(txn *badger.Txn) error { return txn.Set([]byte("k"), []byte("v")) }); err != nil {
			t.Fatal(err)
		}
		db.Close()
		write(dir, "REWRITE-KEYREGISTRY", registry[:16])
		if s, err := Open(dir, Options{}); err == nil || !strings.Contains(err.Error(), "not a Vigil store") {
			if err == nil {
				s.Close()
			}
			t.Fatalf("a Badger database with keys but no marker: %v", err)
		}
	})
}

func TestOpenRefusesWhatIsNotAStore(t *testing.T) {
	cases := []struct {
		name  string
		setup func(dir string)
	}{
		{"foreign files", func(dir string) { os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o644) }},
		{"garbage manifest", func(dir string) { os.WriteFile(filepath.Join(dir, "MANIFEST"), []byte("garbage garbage"), 0o644) }},
		{"a file, not a directory", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if c.setup == nil {
				dir = filepath.Join(dir, "file")
				os.WriteFile(dir, []byte("x"), 0o644)
			} else {
				c.setup(dir)
			}
			s, err := Open(dir, Options{})
			if err == nil {
				s.Close()
				t.Fatal("opened; want an error")
			}
			if !strings.Contains(err.Error(), dir) {
				t.Fatalf("error %q does not name the path %s", err, dir)
			}
		})
	}
}

func TestOpenRefusesCorruptedTables(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		s.Append("q", change("q", i))
	}
	s.Close()
	// Overwrite every file's middle with garbage: Badger must notice (its
	// files carry checksums), and the error must name the store.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		b, _ := os.ReadFile(p)
		for i := len(b) / 4; i < len(b)*3/4; i++ {
			b[i] ^= 0x5a
		}
		os.WriteFile(p, b, 0o644)
	}
	s, err = Open(dir, Options{})
	if err == nil {
		// A store that opened must not have lost its events silently.
		_, last := s.Bounds("q")
		s.Close()
		if last != 100 {
			t.Fatalf("corrupted store opened with %d of 100 events and no error", last)
		}
		return
	}
	if !strings.Contains(err.Error(), dir) {
		t.Fatalf("error %q does not name the path", err)
	}
	t.Logf("corrupted store refused: %v", err)
}

// A crash between Badger creating a value-log file or a memtable WAL and
// writing its header leaves an empty file; the store must still open, with
// nothing lost.
func TestOpenAfterCrashLeftAnEmptyFile(t *testing.T) {
	for _, c := range []struct{ ext, name string }{{"vlog", "%06d.vlog"}, {"mem", "%05d.mem"}} {
		ext := c.ext
		t.Run(ext, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for i := 1; i <= 3; i++ {
				s.Append("q", change("q", i))
			}
			s.Close()
			entries, _ := os.ReadDir(dir)
			maxFid := 0
			for _, e := range entries {
				var fid int
				if _, err := fmt.Sscanf(e.Name(), c.name, &fid); err == nil && fid > maxFid {
					maxFid = fid
				}
			}
			if maxFid == 0 && ext == "vlog" { // a clean close leaves no memtable, but a value log
				t.Fatalf("no .%s file in the store (%v): Badger's naming changed", ext, entries)
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf(c.name, maxFid+1)), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			s, err = Open(dir, Options{})
			if err != nil {
				t.Fatalf("store with an empty .%s file does not open: %v", ext, err)
			}
			defer s.Close()
			if _, last := s.Bounds("q"); last != 3 {
				t.Fatalf("last sequence %d after reopening, want 3", last)
			}
		})
	}
}

// Dropping a query's outbox keeps its numbering, across a reopen, and
// leaves a query whose name it prefixes alone.
