package store

import (
	"fmt"
	"sync"

	"github.com/vigilhq/vigil/outbox"
)

// Memory is the Log in memory: the twin of Store for a server without a
// data directory, for tests and for benchmarks. A Memory made with keepLog
// keeps every record, checkpoint and snapshot, so a host opened again on
// the same Memory restores exactly as one opened on the same directory
// would; without it, records are dropped (there is nothing to restart from)
// and only the event streams, checkpoints and cursors are kept.
type Memory struct {
	*outbox.Memory
	keepLog bool

	mu          sync.Mutex
	logSeq      uint64
	first       uint64   // sequence of records[0]
	records     [][]byte // records after the snapshot
	checkpoints map[string][]byte
	cursors     map[string]uint64
	snap        []byte
	snapSeq     uint64
	hasSnap     bool
}

// NewMemory returns an empty memory log; see Memory for keepLog.
func NewMemory(keepLog bool) *Memory {
	return &Memory{Memory: outbox.NewMemory(), keepLog: keepLog, first: 1,
		checkpoints: map[string][]byte{}, cursors: map[string]uint64{}}
}

// KeepsLog implements Log.
func (m *Memory) KeepsLog() bool { return m.keepLog }

// Path implements Log.
func (m *Memory) Path() string { return "memory" }

// Commit implements Log. The log's lock orders commits; readers of the
// streams take only the streams' lock, so they may see the first events of
// a step before its last, as a reader polling Badger between two steps
// sees the one or the other: every reader reads on from where it stopped.
func (m *Memory) Commit(st *Step) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, ev := range st.Events {
		if _, err := m.Memory.Append(ev.QueryID, ev); err != nil {
			return err
		}
	}
	if st.Record != nil {
		m.logSeq++
		if m.keepLog {
			m.records = append(m.records, append([]byte(nil), st.Record...))
		} else {
			m.first = m.logSeq + 1
		}
	}
	for src, pos := range st.Checkpoints {
		m.checkpoints[src] = append([]byte(nil), pos...)
	}
	return nil
}

// Append implements outbox.Outbox: it commits one event on its own.
func (m *Memory) Append(queryID string, ev *outbox.Event) (uint64, error) {
	ev.QueryID = queryID
	if err := m.Commit(&Step{Events: []*outbox.Event{ev}}); err != nil {
		return 0, err
	}
	return ev.Sequence, nil
}

// Replay implements Log.
func (m *Memory) Replay(after uint64, fn func(seq uint64, record []byte) error) error {
	m.mu.Lock()
	recs, first := m.records, m.first
	m.mu.Unlock()
	for i, r := range recs {
		if seq := first + uint64(i); seq > after {
			if err := fn(seq, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// LogSeq implements Log.
func (m *Memory) LogSeq() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.logSeq
}

// Checkpoint implements Log.
func (m *Memory) Checkpoint(source string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]byte(nil), m.checkpoints[source]...), nil
}

// Cursor implements Log.
func (m *Memory) Cursor(name string) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cursors[name], nil
}

// SetCursor implements Log.
func (m *Memory) SetCursor(name string, seq uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cursors[name] = seq
	return nil
}

// Snapshot implements Log.
func (m *Memory) Snapshot() ([]byte, uint64, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.snap, m.snapSeq, m.hasSnap, nil
}

// WriteSnapshot implements Log.
func (m *Memory) WriteSnapshot(logSeq uint64, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if logSeq != m.logSeq {
		return fmt.Errorf("store memory: snapshot after log record %d, but the log is at %d", logSeq, m.logSeq)
	}
	m.snap, m.snapSeq, m.hasSnap = append([]byte(nil), data...), logSeq, true
	// The records the snapshot includes are forgotten; copying the rest
	// lets their memory go.
	if n := int(logSeq + 1 - m.first); n > 0 {
		m.records = append([][]byte(nil), m.records[min(n, len(m.records)):]...)
		m.first = logSeq + 1
	}
	return nil
}
