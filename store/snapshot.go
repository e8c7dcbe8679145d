package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/dgraph-io/badger/v4"
)

// snapChunk is the size of the values a snapshot is cut into: a snapshot
// may be far larger than one transaction, so its parts are written first
// and a small manifest, committed last, makes it current.
const snapChunk = 1 << 20

// manifest describes the current snapshot.
type manifest struct {
	id     uint64 // chunk key prefix (the log sequence it was taken at)
	logSeq uint64 // the last log record the snapshot includes
	size   uint64
	crc    uint32 // Castagnoli CRC of the whole snapshot
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func (m *manifest) encode() []byte {
	b := binary.BigEndian.AppendUint64(nil, m.id)
	b = binary.BigEndian.AppendUint64(b, m.logSeq)
	b = binary.BigEndian.AppendUint64(b, m.size)
	return binary.BigEndian.AppendUint32(b, m.crc)
}

func readManifest(txn *badger.Txn) (*manifest, error) {
	item, err := txn.Get([]byte{keySnapManifest})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var m *manifest
	err = item.Value(func(v []byte) error {
		if len(v) != 28 {
			return fmt.Errorf("corrupted snapshot manifest (%d bytes)", len(v))
		}
		m = &manifest{id: binary.BigEndian.Uint64(v), logSeq: binary.BigEndian.Uint64(v[8:]),
			size: binary.BigEndian.Uint64(v[16:]), crc: binary.BigEndian.Uint32(v[24:])}
		return nil
	})
	return m, err
}

func snapKey(id uint64, chunk uint32) []byte {
	k := binary.BigEndian.AppendUint64([]byte{prefixSnapshot}, id)
	return binary.BigEndian.AppendUint32(k, chunk)
}

// WriteSnapshot stores an engine snapshot taken after log record logSeq
// (the caller holds the engine still meanwhile, so that no step commits in
// between) and makes it the one Open restores from. Then it deletes the log
// records the snapshot includes and the previous snapshot. A crash at any
// point leaves either the previous snapshot with its log or the new one:
// the manifest that switches between them is one small transaction, written
// after every part.
func (s *Store) WriteSnapshot(logSeq uint64, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if logSeq != s.logSeq {
		return fmt.Errorf("store %s: snapshot after log record %d, but the log is at %d", s.path, logSeq, s.logSeq)
	}
	var old *manifest
	if err := s.db.View(func(txn *badger.Txn) (err error) {
		old, err = readManifest(txn)
		return err
	}); err != nil {
		return fmt.Errorf("store %s: snapshot: %w", s.path, err)
	}
	if old != nil && old.logSeq == logSeq {
		return nil // nothing happened since the last one
	}
	m := &manifest{id: logSeq, logSeq: logSeq, size: uint64(len(data)), crc: crc32.Checksum(data, castagnoli)}
	// Parts of an earlier attempt at this id, cut short by a crash, are
	// overwritten; parts beyond this snapshot's end are deleted below.
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	var written int64
	for i := 0; i*snapChunk < len(data) || i == 0; i++ {
		part := data[i*snapChunk : min(len(data), (i+1)*snapChunk)]
		if err := wb.Set(snapKey(m.id, uint32(i)), part); err != nil {
			return fmt.Errorf("store %s: snapshot: %w", s.path, err)
		}
		written += 13 + int64(len(part))
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("store %s: snapshot: %w", s.path, err)
	}
	if err := s.db.Update(func(txn *badger.Txn) error {
		return txn.Set([]byte{keySnapManifest}, m.encode())
	}); err != nil {
		return fmt.Errorf("store %s: snapshot manifest: %w", s.path, err)
	}
	s.written += written + 29
	s.snapshots++
	return s.dropBefore(m)
}

// dropBefore deletes what snapshot m makes obsolete: the log records it
// includes and every other snapshot's parts. It may be interrupted; Open
// runs it again.
func (s *Store) dropBefore(m *manifest) error {
	var keys [][]byte
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixLog}})
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().KeyCopy(nil)
			if binary.BigEndian.Uint64(k[1:]) > m.logSeq {
				break
			}
			keys = append(keys, k)
		}
		it.Close()
		it = txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixSnapshot}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().KeyCopy(nil)
			if len(k) != 13 || binary.BigEndian.Uint64(k[1:]) != m.id ||
				uint64(binary.BigEndian.Uint32(k[9:]))*snapChunk >= max(m.size, 1) {
				keys = append(keys, k)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store %s: dropping what the snapshot replaces: %w", s.path, err)
	}
	if len(keys) == 0 {
		return nil
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for _, k := range keys {
		if err := wb.Delete(k); err != nil {
			return fmt.Errorf("store %s: dropping what the snapshot replaces: %w", s.path, err)
		}
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("store %s: dropping what the snapshot replaces: %w", s.path, err)
	}
	return nil
}

// Snapshot returns the current engine snapshot and the last log record it
// includes (replay continues after it); ok is false when the store has
// none. A snapshot whose parts are missing or whose checksum fails is an
// error naming the path, never a silent fall-back to an empty state.
func (s *Store) Snapshot() (data []byte, logSeq uint64, ok bool, err error) {
	var m *manifest
	err = s.db.View(func(txn *badger.Txn) error {
		var err error
		if m, err = readManifest(txn); err != nil || m == nil {
			return err
		}
		// The size is checked against the data at the end; it only sizes
		// the buffer, bounded so that a damaged manifest cannot allocate
		// without limit.
		if m.size > 1<<40 {
			return fmt.Errorf("corrupted snapshot manifest (size %d)", m.size)
		}
		data = make([]byte, 0, min(m.size, 256<<20))
		for i := uint32(0); uint64(len(data)) < m.size; i++ {
			item, err := txn.Get(snapKey(m.id, i))
			if err != nil {
				return fmt.Errorf("snapshot part %d: %w", i, err)
			}
			if err := item.Value(func(v []byte) error {
				data = append(data, v...)
				return nil
			}); err != nil {
				return fmt.Errorf("snapshot part %d: %w", i, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, false, fmt.Errorf("store %s: %w", s.path, err)
	}
	if m == nil {
		return nil, 0, false, nil
	}
	if uint64(len(data)) != m.size || crc32.Checksum(data, castagnoli) != m.crc {
		return nil, 0, false, fmt.Errorf("store %s: snapshot at log record %d is corrupted (size or checksum mismatch)", s.path, m.logSeq)
	}
	return data, m.logSeq, true, nil
}

// finishSnapshot completes the clean-up a crash interrupted after the last
// snapshot became current.
func (s *Store) finishSnapshot() error {
	var m *manifest
	if err := s.db.View(func(txn *badger.Txn) (err error) {
		m, err = readManifest(txn)
		return err
	}); err != nil || m == nil {
		return err
	}
	return s.dropBefore(m)
}

// Snapshots is how many snapshots this Store wrote since Open.
func (s *Store) Snapshots() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snapshots
}
