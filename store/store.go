// Package store is Vigil's durable storage on Badger: the log of engine
// inputs (change batches, clock moves, query registrations), each query's
// outbox of result-change events with gap-free sequence numbers, source
// checkpoints and reaction cursors.
//
// Every engine step is one Badger transaction holding the step's log record,
// the outbox events it produced and the source positions it consumed, so a
// crash leaves either all of a step or none of it; that is what makes a lost,
// repeated or reordered result change impossible after a restart (see
// package durable for the replay that rebuilds the engine from the log).
package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/vigilhq/vigil/outbox"
)

// formatVersion is written into every new store; a store without it, or
// with another value, is refused rather than read as empty. Version 2 may
// hold a snapshot and a log that no longer starts at the beginning, which a
// build reading version 1 would take for an empty store; a version-1 store
// (a log from its start, no snapshot) is read and marked version 2.
const (
	formatVersion   = "vigil-store-2"
	formatVersionV1 = "vigil-store-1"
)

// Key prefixes. Sequences are big-endian so that Badger's key order is
// sequence order.
const (
	prefixMeta       = 'v'
	prefixLog        = 'l'
	prefixOutbox     = 'o'
	prefixCheckpoint = 'c'
	prefixCursor     = 'p'
	prefixOutboxMeta = 'f' // first retained sequence of a query after compaction
	prefixSnapshot   = 's' // snapshot id, chunk number -> part of an engine snapshot
	keySnapManifest  = 'm' // the current snapshot: id, log sequence, size, checksum
)

// Options tune the store. The zero value suits a small machine (2 cores,
// a few hundred MB for Vigil).
type Options struct {
	// CacheBytes bounds Badger's block cache, the cache in front of the
	// table files; 0 means 64 MiB.
	CacheBytes int64
	// SyncWrites makes every commit wait for fsync. Without it a commit
	// survives a crash of the process (the write is in the OS's page cache)
	// but not a power loss.
	SyncWrites bool
	// Logger receives Badger's warnings and errors; nil discards them.
	Logger badger.Logger
}

// Store is an open Vigil store. It is safe for concurrent use: the engine
// host commits while SSE clients and reactions read the outbox.
type Store struct {
	db   *badger.DB
	path string

	mu     sync.Mutex
	logSeq uint64            // last log record's sequence
	last   map[string]uint64 // query -> last outbox sequence
	first  map[string]uint64 // query -> first retained outbox sequence (0: none compacted)
	// written counts the key and value bytes committed since Open: the
	// logical write volume, before Badger's own write amplification.
	written   int64
	snapshots int // written since Open
}

// Open opens the store in dir, creating it when dir is absent or empty. A
// directory that holds something other than a Vigil store, or a store that
// Badger cannot read, gives an error naming the path: never an empty state.
func Open(dir string, o Options) (*Store, error) {
	fresh, err := isFresh(dir)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", dir, err)
	}
	ownFiles := false
	if !fresh {
		if ownFiles, err = onlyBadgerFiles(dir); err != nil {
			return nil, fmt.Errorf("store %s: %w", dir, err)
		}
		if err := removeEmptyValueLogs(dir); err != nil {
			return nil, fmt.Errorf("store %s: %w", dir, err)
		}
	}
	cache := o.CacheBytes
	if cache <= 0 {
		cache = 64 << 20
	}
	opts := badger.DefaultOptions(dir).
		WithLogger(o.Logger).
		WithSyncWrites(o.SyncWrites).
		// Sized for a small machine: two 16 MiB memtables instead of five
		// 64 MiB ones, 64 MiB value-log files, two compactors for two cores.
		WithMemTableSize(16 << 20).
		WithNumMemtables(2).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(8).
		WithValueLogFileSize(64 << 20).
		WithNumCompactors(2).
		WithBlockCacheSize(cache).
		WithIndexCacheSize(cache / 4).
		// Outbox events and log records are mostly small; keeping values up
		// to 1 KiB in the LSM tree avoids a value-log read per event.
		WithValueThreshold(1 << 10)
	if o.Logger == nil {
		opts = opts.WithLogger(nil)
	}
	db, err := badger.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("store %s: cannot open: %w", dir, err)
	}
	s := &Store{db: db, path: dir, last: map[string]uint64{}, first: map[string]uint64{}}
	if err := s.load(fresh, ownFiles); err != nil {
		db.Close()
		return nil, fmt.Errorf("store %s: %w", dir, err)
	}
	if err := s.finishSnapshot(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// isFresh reports whether dir is absent or empty (a new store may be made
// there).
func isFresh(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return len(entries) == 0, nil
}

// onlyBadgerFiles reports whether dir holds nothing but the files Badger
// makes: a store whose creation a crash interrupted looks like that, with
// no format marker written yet.
//
// That includes the temporary files of the first Open. Badger creates a
// new database's MANIFEST and KEYREGISTRY by writing MANIFEST-REWRITE and
// REWRITE-KEYREGISTRY, syncing and renaming them, so a kill before a rename
// leaves the temporary name (LOCK plus MANIFEST-REWRITE, or LOCK, MANIFEST
// plus REWRITE-KEYREGISTRY); the next Open writes the file afresh over it.
// Leaving them out refused, for ever, a store whose creation a kill cut
// short there.
func onlyBadgerFiles(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, err
	}
	for _, e := range entries {
		switch name := e.Name(); {
		case e.IsDir():
			return false, nil
		case name == badger.ManifestFilename, name == "MANIFEST-REWRITE",
			name == badger.KeyRegistryFileName, name == badger.KeyRegistryRewriteFileName,
			name == "DISCARD", name == "LOCK":
		case strings.HasSuffix(name, ".vlog"), strings.HasSuffix(name, ".mem"), strings.HasSuffix(name, ".sst"):
		default:
			return false, nil
		}
	}
	return true, nil
}

// removeEmptyValueLogs deletes zero-length value-log and memtable-WAL files.
// Badger creates the next value-log file when it opens a store, and the next
// memtable's WAL when a memtable fills, and sizes and writes its header just
// after; a crash between the two leaves an empty file, which Badger then
// refuses to open ("Open existing file ... Create a new file" / "while
// opening fid: N err: Create a new file"), so the store could never be
// opened again. An empty file holds no data (not even the header), so
// removing it loses nothing.
func removeEmptyValueLogs(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); e.IsDir() || (ext != ".vlog" && ext != ".mem") {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			return err
		}
		if fi.Size() == 0 {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// load checks the format marker (writing it into a fresh store) and reads
// the counters: the last log sequence and each query's outbox bounds.
func (s *Store) load(fresh, ownFiles bool) error {
	meta := []byte{prefixMeta}
	err := s.db.Update(func(txn *badger.Txn) error {
		item, err := txn.Get(meta)
		if errors.Is(err, badger.ErrKeyNotFound) {
			// A Badger database with no key at all, in a directory with
			// nothing else, is a store whose creation was cut short before
			// its marker landed: it holds nothing to lose.
			if !fresh && !(ownFiles && noKeys(txn)) {
				return fmt.Errorf("not a Vigil store (no format marker); refusing to treat it as empty")
			}
			return txn.Set(meta, []byte(formatVersion))
		}
		if err != nil {
			return err
		}
		var v1 bool
		err = item.Value(func(v []byte) error {
			switch string(v) {
			case formatVersion:
			case formatVersionV1:
				v1 = true
			default:
				return fmt.Errorf("store format %q, this build reads %q", v, formatVersion)
			}
			return nil
		})
		if err == nil && v1 {
			err = txn.Set(meta, []byte(formatVersion))
		}
		return err
	})
	if err != nil {
		return err
	}
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Reverse: true, Prefix: []byte{prefixLog}})
		it.Seek([]byte{prefixLog, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
		if it.Valid() {
			s.logSeq = binary.BigEndian.Uint64(it.Item().Key()[1:])
		}
		it.Close()
		// The log before a snapshot is deleted; numbering goes on after it.
		m, err := readManifest(txn)
		if err != nil {
			return err
		}
		if m != nil && m.logSeq > s.logSeq {
			s.logSeq = m.logSeq
		}
		// Outbox keys sort by query then sequence, so one forward pass
		// without values finds every query's last sequence.
		it = txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixOutbox}})
		for it.Rewind(); it.Valid(); it.Next() {
			q, seq, ok := splitOutboxKey(it.Item().Key())
			if !ok {
				it.Close()
				return fmt.Errorf("corrupted outbox key %q", it.Item().Key())
			}
			s.last[q] = seq
			if _, seen := s.first[q]; !seen {
				s.first[q] = seq
			}
		}
		it.Close()
		// A query whose events were all compacted keeps its last sequence
		// in the outbox meta record.
		it = txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixOutboxMeta}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			q := string(it.Item().Key()[1:])
			err := it.Item().Value(func(v []byte) error {
				if len(v) != 8 {
					return fmt.Errorf("corrupted outbox bounds of query %q", q)
				}
				if through := binary.BigEndian.Uint64(v); through > s.last[q] {
					s.last[q] = through
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func noKeys(txn *badger.Txn) bool {
	it := txn.NewIterator(badger.IteratorOptions{})
	defer it.Close()
	it.Rewind()
	return !it.Valid()
}

// Path is the store's directory.
func (s *Store) Path() string { return s.path }

// KeepsLog implements Log: a store keeps every record until a snapshot
// includes it.
func (s *Store) KeepsLog() bool { return true }

// Close flushes and closes the store.
func (s *Store) Close() error { return s.db.Close() }

// Commit writes a step in one transaction. On error nothing of it is
// stored and the in-memory counters are unchanged.
func (s *Store) Commit(st *Step) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	logSeq := s.logSeq
	next := map[string]uint64{}
	var written int64
	// One transaction, not a WriteBatch: a WriteBatch may split itself into
	// several commits, and a step must land whole or not at all.
	err := s.db.Update(func(txn *badger.Txn) error {
		if st.Record != nil {
			logSeq++
			if err := txn.Set(logKey(logSeq), st.Record); err != nil {
				return err
			}
			written += 9 + int64(len(st.Record))
		}
		for _, ev := range st.Events {
			seq, ok := next[ev.QueryID]
			if !ok {
				seq = s.last[ev.QueryID]
			}
			seq++
			next[ev.QueryID] = seq
			ev.Sequence = seq
			key := outboxKey(ev.QueryID, seq)
			val := ev.AppendJSON([]byte{kindByte(ev.Kind)})
			if err := txn.Set(key, val); err != nil {
				return err
			}
			written += int64(len(key) + len(val))
		}
		for src, pos := range st.Checkpoints {
			if err := txn.Set(append([]byte{prefixCheckpoint}, src...), append([]byte(nil), pos...)); err != nil {
				return err
			}
			written += int64(1 + len(src) + len(pos))
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, badger.ErrTxnTooBig) {
			return fmt.Errorf("store %s: step too large for one transaction (split the batch): %w", s.path, err)
		}
		return fmt.Errorf("store %s: commit: %w", s.path, err)
	}
	s.logSeq = logSeq
	s.written += written
	for q, seq := range next {
		if s.last[q] == 0 && s.first[q] == 0 {
			s.first[q] = 1
		}
		s.last[q] = seq
	}
	return nil
}

// Replay calls fn with every log record in order, from the first after
// `after` (0 for all).
func (s *Store) Replay(after uint64, fn func(seq uint64, record []byte) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 256, Prefix: []byte{prefixLog}})
		defer it.Close()
		for it.Seek(logKey(after + 1)); it.Valid(); it.Next() {
			seq := binary.BigEndian.Uint64(it.Item().Key()[1:])
			rec, err := it.Item().ValueCopy(nil)
			if err != nil {
				return fmt.Errorf("store %s: log record %d: %w", s.path, seq, err)
			}
			if err := fn(seq, rec); err != nil {
				return err
			}
		}
		return nil
	})
}

// LogSeq is the sequence of the last log record (0 when the log is empty).
func (s *Store) LogSeq() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logSeq
}

// BytesWritten is the key and value bytes committed since Open (what the
// steps wrote, before Badger's write amplification).
func (s *Store) BytesWritten() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.written
}

// Checkpoint returns the last committed position of a source, or nil.
func (s *Store) Checkpoint(source string) ([]byte, error) {
	return s.get(append([]byte{prefixCheckpoint}, source...))
}

// Cursor returns a stored reader position (a reaction's acknowledged
// sequence, say), or 0.
func (s *Store) Cursor(name string) (uint64, error) {
	v, err := s.get(append([]byte{prefixCursor}, name...))
	if err != nil || v == nil {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("store %s: corrupted cursor %q", s.path, name)
	}
	return binary.BigEndian.Uint64(v), nil
}

// SetCursor stores a reader position.
func (s *Store) SetCursor(name string, seq uint64) error {
	return s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(append([]byte{prefixCursor}, name...), binary.BigEndian.AppendUint64(nil, seq))
	})
}

func (s *Store) get(key []byte) ([]byte, error) {
	var out []byte
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		out, err = item.ValueCopy(nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", s.path, err)
	}
	return out, nil
}

// Append implements outbox.Outbox: it commits one event on its own.
func (s *Store) Append(queryID string, ev *outbox.Event) (uint64, error) {
	ev.QueryID = queryID
	if err := s.Commit(&Step{Events: []*outbox.Event{ev}}); err != nil {
		return 0, err
	}
	return ev.Sequence, nil
}

// ReadFrom implements outbox.Outbox.
func (s *Store) ReadFrom(queryID string, after uint64, max int) ([]outbox.Record, error) {
	first, last := s.Bounds(queryID)
	if after >= last {
		return nil, nil
	}
	if first == 0 || after+1 < first {
		return nil, outbox.ErrCompacted
	}
	var out []outbox.Record
	err := s.db.View(func(txn *badger.Txn) error {
		prefix := outboxPrefix(queryID)
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 64, Prefix: prefix})
		defer it.Close()
		for it.Seek(outboxKey(queryID, after+1)); it.Valid(); it.Next() {
			if max > 0 && len(out) >= max {
				break
			}
			_, seq, ok := splitOutboxKey(it.Item().Key())
			if !ok {
				return fmt.Errorf("corrupted outbox key %q", it.Item().Key())
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if len(v) == 0 {
				return fmt.Errorf("empty outbox record %d of query %q", seq, queryID)
			}
			out = append(out, outbox.Record{QueryID: queryID, Seq: seq, Kind: kindName(v[0]), Data: v[1:]})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", s.path, err)
	}
	return out, nil
}

// Bounds implements outbox.Outbox.
func (s *Store) Bounds(queryID string) (first, last uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first[queryID], s.last[queryID]
}

// Compact implements outbox.Outbox: it deletes the events of queryID up to
// and including through, remembering the last sequence so that numbering
// continues after a restart even when every event was compacted.
func (s *Store) Compact(queryID string, through uint64) error {
	s.mu.Lock()
	first, last := s.first[queryID], s.last[queryID]
	s.mu.Unlock()
	if first == 0 || through < first {
		return nil
	}
	if through > last {
		through = last
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for seq := first; seq <= through; seq++ {
		if err := wb.Delete(outboxKey(queryID, seq)); err != nil {
			return err
		}
	}
	if err := wb.Set(append([]byte{prefixOutboxMeta}, queryID...), binary.BigEndian.AppendUint64(nil, last)); err != nil {
		return err
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("store %s: compact: %w", s.path, err)
	}
	s.mu.Lock()
	if through >= s.last[queryID] {
		s.first[queryID] = 0
	} else {
		s.first[queryID] = through + 1
	}
	s.mu.Unlock()
	return nil
}

// Drop implements outbox.Outbox: it deletes a query's events but keeps its
// last sequence, so that a query created again under the name continues
// the numbering and a reader's old position reads as compacted (it gets a
// snapshot) instead of silently pointing into the new stream.
func (s *Store) Drop(queryID string) error {
	if err := s.db.DropPrefix(outboxPrefix(queryID)); err != nil {
		return fmt.Errorf("store %s: drop outbox of %q: %w", s.path, queryID, err)
	}
	s.mu.Lock()
	last := s.last[queryID]
	s.mu.Unlock()
	err := s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(append([]byte{prefixOutboxMeta}, queryID...), binary.BigEndian.AppendUint64(nil, last))
	})
	if err != nil {
		return fmt.Errorf("store %s: drop outbox of %q: %w", s.path, queryID, err)
	}
	s.mu.Lock()
	s.first[queryID] = 0
	s.mu.Unlock()
	return nil
}

var _ outbox.Outbox = (*Store)(nil)

func logKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixLog}, seq)
}

// outboxPrefix is 'o' + query + 0x00: the terminator keeps query "a" from
// prefixing query "ab".
func outboxPrefix(q string) []byte {
	b := make([]byte, 0, len(q)+2)
	b = append(b, prefixOutbox)
	b = append(b, q...)
	return append(b, 0)
}

func outboxKey(q string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(outboxPrefix(q), seq)
}

func splitOutboxKey(k []byte) (string, uint64, bool) {
	if len(k) < 10 || k[0] != prefixOutbox || k[len(k)-9] != 0 {
		return "", 0, false
	}
	q := k[1 : len(k)-9]
	if bytes.IndexByte(q, 0) >= 0 {
		return "", 0, false
	}
	return string(q), binary.BigEndian.Uint64(k[len(k)-8:]), true
}

func kindByte(kind string) byte {
	switch kind {
	case outbox.KindControl:
		return 'k'
	case outbox.KindSnapshot:
		return 's'
	}
	return 'c'
}

func kindName(b byte) string {
	switch b {
	case 'k':
		return outbox.KindControl
	case 's':
		return outbox.KindSnapshot
	}
	return outbox.KindChange
}
