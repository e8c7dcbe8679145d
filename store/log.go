package store

import "github.com/vigilhq/vigil/outbox"

// Log is what a durable host keeps its steps in: the one storage seam of
// Vigil. A step (a group of source batches, a clock move, a query added or
// removed) is committed whole with the events it produced and the source
// positions it consumed; a restart restores the snapshot and replays the
// records after it. Reaction cursors and the event streams' reads go
// through the same Log. Store (Badger) and Memory implement it, and one
// test suite (package storetest) holds both to the same contract.
//
// Implementations are safe for concurrent use: one goroutine commits while
// readers read the streams and reactions store their cursors.
type Log interface {
	outbox.Outbox
	// Commit writes a step atomically: after an error nothing of it is
	// stored. Each event gets its sequence set (one more than its query's
	// last).
	Commit(st *Step) error
	// Replay calls fn with every log record after `after` (0 for all), in
	// order.
	Replay(after uint64, fn func(seq uint64, record []byte) error) error
	// LogSeq is the sequence of the last log record (0 when none).
	LogSeq() uint64
	// Checkpoint is a source's last committed position, or nil.
	Checkpoint(source string) ([]byte, error)
	// Cursor is a stored reader position (a reaction's acknowledged
	// sequence of one query), or 0.
	Cursor(name string) (uint64, error)
	// SetCursor stores a reader position.
	SetCursor(name string, seq uint64) error
	// Snapshot returns the current engine snapshot and the last log record
	// it includes; ok is false when there is none.
	Snapshot() (data []byte, logSeq uint64, ok bool, err error)
	// WriteSnapshot makes data, the engine's state after log record
	// logSeq (which must be the last), the snapshot a restart restores,
	// and forgets the log records it includes.
	WriteSnapshot(logSeq uint64, data []byte) error
	// KeepsLog reports whether records are kept for replay. A log that
	// keeps none (the memory log of a server without a data directory)
	// lets the host skip encoding them and taking snapshots.
	KeepsLog() bool
	// Path names the log in messages: a directory, or "memory".
	Path() string
}

// Step is what one engine step commits atomically.
type Step struct {
	// Record is the step's encoded log record; nil for a step that only
	// appends events (a control event) and changes no engine state.
	Record []byte
	// Events are appended to their queries' outboxes in order; each gets
	// its sequence set.
	Events []*outbox.Event
	// Checkpoints are the source positions the step consumed.
	Checkpoints map[string][]byte
}

var (
	_ Log = (*Store)(nil)
	_ Log = (*Memory)(nil)
)
