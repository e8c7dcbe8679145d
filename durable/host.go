// Package durable runs the engine so that its results survive a crash: every
// step (a group of source batches, a clock move, a query added or removed) is
// committed to the store as one transaction holding the step's log record,
// the result-change events it produced and the source positions it consumed.
// Opening a host replays the log into a fresh engine, which rebuilds exactly
// the state the engine had after the last committed step; sources then
// resume from their checkpoints, so no result change is lost, repeated or
// renumbered.
//
// The host talks to one storage seam, store.Log: Badger's store.Store, or
// store.Memory for tests, benchmarks and deployments that can afford to
// bootstrap again. Every event a step causes (its result changes, and the
// control events of queries it registered, removed or stopped) is committed
// with it, so a crash cannot keep the step and lose its events.
package durable

import (
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/functions"
	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/store"
)

// Options configure a host.
type Options struct {
	// Log is where steps are committed; nil is a memory log that keeps no
	// records (nothing to restart from).
	Log store.Log
	// Start is the engine's initial clock for a new store (ignored when the
	// store already has a log: the logged start is used).
	Start time.Time
	// SnapshotEvery is how many logged changes (clock moves and query
	// registrations count one) are let through at least between engine
	// snapshots; after a snapshot the log it includes is deleted. On a
	// graph with more than SnapshotEvery/4 elements the interval is four
	// times the element count instead, so that encoding snapshots stays a small
	// share of the work; a restart then replays at most that many changes.
	// 0 means DefaultSnapshotEvery; negative disables snapshots (the log
	// then grows until the store is rebuilt).
	SnapshotEvery int
	// Functions overrides the engine's Cypher function registry (nil: the
	// standard one), for programs and tests that add functions.
	Functions *functions.Registry
	// SnapshotPerElement is the factor of that second bound: 0 means 4;
	// negative drops the bound (snapshots every SnapshotEvery changes
	// exactly, as tests want).
	SnapshotPerElement int
	// Workers is the engine's Options.Workers: how many queries one
	// change may run at once.
	Workers int
	// StoreAllResults is the engine's Options.StoreAllResults.
	StoreAllResults bool
}

// DefaultSnapshotEvery bounds the replay at a restart to about half a second
// on a small machine (replay runs at 160k-270k changes/s).
const DefaultSnapshotEvery = 100_000

// Host owns an engine and its log. It is not safe for concurrent use: one
// goroutine (the server's engine loop) drives it, while readers use Outbox
// and the cursor methods, which are.
type Host struct {
	eng      *engine.Engine
	log      store.Log
	keepLog  bool                              // log.KeepsLog(): records are encoded and snapshots taken
	funcs    *functions.Registry               // Options.Functions
	workers  int                               // Options.Workers
	storeAll bool                              // Options.StoreAllResults
	columns  map[*engine.Query]*outbox.Columns // see columnsOf
	// stopped holds the queries whose stopped event is in their stream:
	// a query that fails during a step gets one in that step's commit.
	stopped  map[*engine.Query]bool
	replayed uint64   // log records replayed at open
	warnings []string // what replay could not restore
	// snapEvery and sinceSnap drive the snapshots: changes logged since the
	// last one; restoredAt is the log record the opening snapshot included.
	snapEvery int
	snapPerEl int
	sinceSnap int
	retryAt   int // after a failed snapshot: sinceSnap at which to try again
	// snapSeq is the log record the store's current snapshot includes
	// (snapValid: there is one), so that a snapshot of an unchanged state
	// is not taken again.
	snapSeq    uint64
	snapValid  bool
	restoredAt uint64
	restored   bool
	stats      SnapshotStats
	// orphans are stored queries the snapshot could not restore, with
	// their result as stored, until a registration under their id takes
	// their stream over.
	orphans map[string]engine.SkippedQuery
}

// SnapshotStats describe the snapshots a host wrote since it opened.
type SnapshotStats struct {
	Count        int           // snapshots written
	LastBytes    int           // size of the last one
	LastDuration time.Duration // how long the last one held the engine (encode and write)
	SinceChanges int           // changes logged since the last one (what a restart replays)
	Failures     int           // snapshots that failed (the log then keeps growing)
	LastError    string        // the last failure
}

// Open creates the host, replaying the store's log when there is one.
func Open(o Options) (*Host, error) {
	log := o.Log
	if log == nil {
		log = store.NewMemory(false)
	}
	h := &Host{log: log, keepLog: log.KeepsLog(), funcs: o.Functions, workers: o.Workers, storeAll: o.StoreAllResults, snapEvery: o.SnapshotEvery, snapPerEl: o.SnapshotPerElement,
		stopped: map[*engine.Query]bool{}}
	if h.snapEvery == 0 {
		h.snapEvery = DefaultSnapshotEvery
	}
	if h.snapPerEl == 0 {
		h.snapPerEl = 4
	}
	if err := h.restore(o.Start); err != nil {
		return nil, err
	}
	// A query that failed before the restart has its stopped event.
	h.eng.Failed()
	for _, q := range h.eng.Queries() {
		if q.Err() != nil {
			h.stopped[q] = true
		}
	}
	return h, nil
}

// engineOptions are the options of the host's engine, starting at start.
func (h *Host) engineOptions(start time.Time) engine.Options {
	return engine.Options{Start: start, Functions: h.funcs, Workers: h.workers, StoreAllResults: h.storeAll}
}

// restore rebuilds the engine from the log's snapshot and the records after
// it, or starts a new one (and logs its start time).
func (h *Host) restore(start time.Time) error {
	snap, after, ok, err := h.log.Snapshot()
	if err != nil {
		return err
	}
	if ok {
		eng, skipped, err := engine.Restore(snap, h.engineOptions(time.Time{}))
		if err != nil {
			return fmt.Errorf("store %s: snapshot at log record %d: %w", h.log.Path(), after, err)
		}
		for _, sk := range skipped {
			h.warnings = append(h.warnings, fmt.Sprintf("%v; it was not restored", sk.Err))
			if sk.Columns != nil {
				if h.orphans == nil {
					h.orphans = map[string]engine.SkippedQuery{}
				}
				h.orphans[sk.Spec.ID] = sk
			}
		}
		h.eng, h.restoredAt, h.restored = eng, after, true
		h.snapSeq, h.snapValid = after, true
	}
	err = h.log.Replay(after, func(seq uint64, b []byte) error {
		r, err := decodeRecord(b)
		if err != nil {
			return fmt.Errorf("store %s: log record %d: %w", h.log.Path(), seq, err)
		}
		if h.eng == nil {
			if r.kind != recStart {
				return fmt.Errorf("store %s: log record %d: the log does not begin with its start time", h.log.Path(), seq)
			}
			h.eng = engine.New(h.engineOptions(r.time))
			h.replayed++
			return nil
		}
		if err := h.replay(r); err != nil {
			return fmt.Errorf("store %s: replaying log record %d: %w", h.log.Path(), seq, err)
		}
		h.replayed++
		h.sinceSnap += r.changes()
		return nil
	})
	if err != nil {
		return err
	}
	if h.eng == nil {
		if start.IsZero() {
			start = time.Now()
		}
		if err := h.log.Commit(&store.Step{Record: h.record(encodeStart(start))}); err != nil {
			return err
		}
		h.eng = engine.New(h.engineOptions(start))
	}
	return nil
}

// record is a step's small log record, or nil when the log keeps no
// records (the step then commits its events and checkpoints alone).
func (h *Host) record(rec []byte) []byte {
	if !h.keepLog {
		return nil
	}
	return rec
}

// recordErr encodes a step's log record when the log keeps records: the
// encoders that cost something (a batch, a query spec) run only then.
func (h *Host) recordErr(encode func() ([]byte, error)) ([]byte, error) {
	if !h.keepLog {
		return nil, nil
	}
	return encode()
}

// replay repeats one logged step; its events are already in the outbox.
func (h *Host) replay(r *record) error {
	switch r.kind {
	case recBatch:
		// A malformed change failed the same way when it was first applied:
		// the rest of its batch was skipped then and is skipped now.
		for _, b := range r.batches {
			h.eng.Apply(b)
		}
	case recClock:
		h.eng.AdvanceTo(r.time)
	case recAdd:
		delete(h.orphans, r.spec.ID)
		if _, err := h.eng.AddQuery(r.spec); err != nil {
			// A query this build no longer compiles (a stricter parser after
			// an upgrade) must not keep the server from starting; the other
			// queries' state does not depend on it. Its resource, applied
			// again at start, reports the error where the user sees it.
			h.warnings = append(h.warnings, fmt.Sprintf("query %q from the store does not compile any more and was not restored: %v", r.spec.ID, err))
		}
	case recRemove:
		delete(h.orphans, r.queryID)
		h.eng.RemoveQuery(r.queryID)
	case recReplace:
		delete(h.orphans, r.spec.ID)
		h.eng.RemoveQuery(r.spec.ID)
		if _, err := h.eng.AddQuery(r.spec); err != nil {
			h.warnings = append(h.warnings, fmt.Sprintf("query %q from the store does not compile any more and was not restored: %v", r.spec.ID, err))
		}
	default:
		return fmt.Errorf("unexpected record kind %q", r.kind)
	}
	return nil
}

// Engine is the host's engine, for reading results; change it only through
// the host.
func (h *Host) Engine() *engine.Engine { return h.eng }

// Outbox is where the host's events go: the log's event streams. It is
// safe for concurrent use.
func (h *Host) Outbox() outbox.Outbox { return h.log }

// Log is the log the host commits to.
func (h *Host) Log() store.Log { return h.log }

// cursorKey names a reaction's position in one query's stream.
func cursorKey(reaction, query string) string { return reaction + "\x00" + query }

// Cursor is a reaction's acknowledged position in a query's stream (0 when
// none is stored). Safe for concurrent use.
func (h *Host) Cursor(reaction, query string) (uint64, error) {
	return h.log.Cursor(cursorKey(reaction, query))
}

// SetCursor stores a reaction's acknowledged position in a query's stream.
// Safe for concurrent use.
func (h *Host) SetCursor(reaction, query string, seq uint64) error {
	return h.log.SetCursor(cursorKey(reaction, query), seq)
}

// Warnings lists what replay could not restore (queries that no longer
// compile).
func (h *Host) Warnings() []string { return h.warnings }

// Replayed is how many log records Open replayed (after the snapshot it
// restored, if any).
func (h *Host) Replayed() uint64 { return h.replayed }

// StoredResult returns the result, as the store last held it, of a query
// the host could not restore (see Warnings): its stream's readers hold
// those rows, so whoever registers the query again retracts them in the
// same step. ok is false for any other id, and once a registration under
// the id succeeded.
func (h *Host) StoredResult(id string) (columns []string, rows []engine.Row, ok bool) {
	sk, ok := h.orphans[id]
	return sk.Columns, sk.Rows, ok
}

// RestoredSnapshot reports whether Open restored the engine from a snapshot,
// and the last log record that snapshot included.
func (h *Host) RestoredSnapshot() (logSeq uint64, ok bool) { return h.restoredAt, h.restored }

// Snapshot writes the engine's state to the store now and deletes the log
// it includes (a no-op in memory mode or when nothing was logged since the
// last one). The host calls it on its own every SnapshotEvery changes; call
// it before a clean shutdown to make the next start replay nothing.
func (h *Host) Snapshot() error {
	if !h.keepLog {
		return nil
	}
	seq := h.log.LogSeq()
	if h.snapValid && h.snapSeq == seq {
		return nil // the current snapshot already holds this state
	}
	start := time.Now()
	data, err := h.eng.Snapshot()
	if err != nil {
		return fmt.Errorf("store %s: snapshot: %w", h.log.Path(), err)
	}
	if err := h.log.WriteSnapshot(seq, data); err != nil {
		return err
	}
	h.sinceSnap, h.retryAt = 0, 0
	h.snapSeq, h.snapValid = seq, true
	h.stats.Count++
	h.stats.LastBytes = len(data)
	h.stats.LastDuration = time.Since(start)
	return nil
}

// SnapshotStats reports the host's snapshots (zero in memory mode).
func (h *Host) SnapshotStats() SnapshotStats {
	st := h.stats
	st.SinceChanges = h.sinceSnap
	return st
}

// logged counts a committed step's changes and takes a snapshot when
// enough have gone by. A failed snapshot is not the step's failure (the step
// is committed, the log keeps everything): it is counted in SnapshotStats
// and tried again SnapshotEvery changes later.
func (h *Host) logged(n int) {
	if !h.keepLog || h.snapEvery < 0 {
		return
	}
	h.sinceSnap += n
	if h.sinceSnap < max(h.snapEvery, h.retryAt) {
		return
	}
	// A snapshot costs in proportion to the state (the loop pauses to
	// encode it), replay in proportion to the changes since the last one.
	// Waiting for four times as many changes as there are elements keeps
	// the snapshots' share of the loop's time small on a large graph (an
	// element costs about half a change to encode), while a restart still
	// replays a bounded multiple of what restoring costs.
	x := h.eng.Index()
	if h.snapPerEl > 0 && h.sinceSnap < h.snapPerEl*(x.NodeCount()+x.RelCount()) {
		return
	}
	if err := h.Snapshot(); err != nil {
		h.stats.Failures++
		h.stats.LastError = err.Error()
		h.retryAt = h.sinceSnap + h.snapEvery
	}
}

// Checkpoint is a source's last committed position (nil before its first
// batch): where the source resumes after a restart.
func (h *Host) Checkpoint(source string) ([]byte, error) {
	return h.log.Checkpoint(source)
}

// AddQuery registers a query, unless the log already holds one with the same
// id and the same definition (a restart reloading its resources), in which
// case it returns that query and changed is false. A query with the same id
// and a different definition must be removed first.
//
// events, when not nil, gives the events that registering the query
// produces (the caller's bootstrap and control events); they are committed
// in the same step as the registration, so a crash cannot keep one without
// the other.
func (h *Host) AddQuery(spec engine.QuerySpec, events func(*engine.Query) []*outbox.Event) (q *engine.Query, changed bool, err error) {
	if old := h.eng.Query(spec.ID); old != nil {
		if SameSpec(old.Spec(), spec) {
			return old, false, nil
		}
		return nil, false, fmt.Errorf("query %q already exists with another definition", spec.ID)
	}
	// Compile before logging, so that a query that does not compile never
	// enters the log.
	q, err = h.eng.AddQuery(spec)
	if err != nil {
		return nil, false, err
	}
	rec, err := h.recordErr(func() ([]byte, error) { return encodeAdd(spec) })
	if err == nil {
		err = h.log.Commit(&store.Step{Record: rec, Events: h.registered(q, events)})
	}
	if err != nil {
		h.forget(q)
		h.eng.RemoveQuery(spec.ID)
		return nil, false, err
	}
	delete(h.orphans, spec.ID)
	h.logged(1)
	return q, true, nil
}

// registered returns the events of q's registration, each under q's id,
// and notes that a query registered failed has its stopped event (the
// caller's events say so).
func (h *Host) registered(q *engine.Query, events func(*engine.Query) []*outbox.Event) []*outbox.Event {
	if q.Err() != nil {
		h.stopped[q] = true
	}
	if events == nil {
		return nil
	}
	evs := events(q)
	for _, ev := range evs {
		ev.QueryID = q.ID()
	}
	return evs
}

// ReplaceQuery removes the query registered under spec.ID and registers
// spec in its place as one step, with the events the replacement produces
// (the old rows retracted, the new ones added): a crash keeps the old
// definition or the new one, never neither. When spec does not compile, the
// old query is removed alone, in one step with the events failed gives for
// the compile error (nil for none), and the compile error is returned.
func (h *Host) ReplaceQuery(spec engine.QuerySpec, events func(*engine.Query) []*outbox.Event, failed func(error) []*outbox.Event) (*engine.Query, error) {
	old := h.eng.Query(spec.ID)
	if old == nil {
		q, _, err := h.AddQuery(spec, events)
		return q, err
	}
	h.forget(old)
	h.eng.RemoveQuery(spec.ID)
	q, err := h.eng.AddQuery(spec)
	if err != nil {
		var evs []*outbox.Event
		if failed != nil {
			evs = failed(err)
			for _, ev := range evs {
				ev.QueryID = spec.ID
			}
		}
		if cerr := h.log.Commit(&store.Step{Record: h.record(encodeRemove(spec.ID)), Events: evs}); cerr != nil {
			return nil, cerr
		}
		h.logged(1)
		return nil, err
	}
	rec, err := h.recordErr(func() ([]byte, error) {
		rec, err := encodeAdd(spec)
		if err == nil {
			rec[0] = replaceKind(rec[0])
		}
		return rec, err
	})
	if err == nil {
		err = h.log.Commit(&store.Step{Record: rec, Events: h.registered(q, events)})
	}
	if err != nil {
		h.forget(q)
		return q, err
	}
	h.logged(1)
	return q, nil
}

// RemoveQuery unregisters a query, committing events (the caller's control
// events about it, nil for none) in the same step. Its stream stays (a
// query updated in place continues its stream); Outbox().Drop forgets it.
func (h *Host) RemoveQuery(id string, events ...*outbox.Event) error {
	for _, ev := range events {
		ev.QueryID = id
	}
	q := h.eng.Query(id)
	if q == nil {
		return h.Publish(events...)
	}
	if err := h.log.Commit(&store.Step{Record: h.record(encodeRemove(id)), Events: events}); err != nil {
		return err
	}
	h.logged(1)
	h.forget(q)
	h.eng.RemoveQuery(id)
	return nil
}

// Publish commits events that no engine step causes (those of a query
// resource that failed to register) as a step of their own.
func (h *Host) Publish(events ...*outbox.Event) error {
	if len(events) == 0 {
		return nil
	}
	return h.log.Commit(&store.Step{Events: events})
}

// forget drops what the host keeps about a query that is going away.
func (h *Host) forget(q *engine.Query) {
	delete(h.columns, q)
	delete(h.stopped, q)
}

// SameSpec reports whether two query definitions are the same (a restored
// query whose resource did not change).
func SameSpec(a, b engine.QuerySpec) bool {
	if a.ID != b.ID || a.Text != b.Text || !sameLanguage(a.Language, b.Language) ||
		(len(a.Joins)+len(b.Joins) > 0 && !reflect.DeepEqual(a.Joins, b.Joins)) ||
		!sameSubscriptions(a.Subscriptions, b.Subscriptions) {
		return false
	}
	if len(a.Params) != len(b.Params) {
		return false
	}
	for k, v := range a.Params {
		w, ok := b.Params[k]
		if !ok || !value.Identical(v, w) {
			return false
		}
	}
	return true
}

// replaceKind is the replace record kind of an add record's kind.
func replaceKind(add byte) byte {
	if add == recAddSubs {
		return recReplaceSubs
	}
	return recReplace
}

// sameSubscriptions compares subscriptions, an empty label list equal to a
// missing one.
func sameSubscriptions(a, b []engine.Subscription) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Source != b[i].Source || !slices.Equal(a[i].Nodes, b[i].Nodes) || !slices.Equal(a[i].Relations, b[i].Relations) {
			return false
		}
	}
	return true
}

// Apply applies source batches as one step and commits it with their
// positions and the events it produced; only when Apply returns may the
// sources confirm those positions upstream. Each batch is applied on its
// own: a malformed change stops the rest of its batch (reported in errs at
// the batch's index) and leaves the other batches alone. The events are
// returned in commit order with their sequences set; err is a storage
// failure, after which the host must not be used.
func (h *Host) Apply(batches []engine.Batch) (events []*outbox.Event, errs []error, err error) {
	// Encode before applying, so that a record that cannot be encoded
	// changes nothing. Positions are not part of the record: replay does not
	// need them, and only the batches that applied cleanly commit theirs
	// (below).
	rec, err := h.recordErr(func() ([]byte, error) {
		all := make([][]engine.Change, len(batches))
		for i := range batches {
			all[i] = batches[i].Changes
		}
		return encodeBatch(all, nil)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("batch cannot be stored: %w", err)
	}
	errs = make([]error, len(batches))
	var failed bool
	var checkpoints map[string][]byte
	for i := range batches {
		b := &batches[i]
		diffs, aerr := h.eng.Apply(b.Changes)
		if aerr != nil {
			errs[i], failed = aerr, true
		} else if b.Position != nil {
			// A failed batch's position is not committed: its source did
			// not take it as delivered, and a corrected retry under the same
			// position must still be accepted after a restart.
			if checkpoints == nil {
				checkpoints = map[string][]byte{}
			}
			checkpoints[b.Source] = b.Position
		}
		at := b.Time
		if at.IsZero() {
			at = h.eng.Now()
		}
		events = h.events(events, diffs, at)
	}
	if !failed {
		errs = nil
	}
	events = h.stops(events, h.eng.Now())
	if err := h.commit(rec, events, checkpoints); err != nil {
		return nil, nil, err
	}
	n := 0
	for i := range batches {
		n += len(batches[i].Changes)
	}
	h.logged(n)
	return events, errs, nil
}

// AdvanceTo moves the clock to t, firing the futures due by then, as one
// step. A move that fires nothing and changes nothing is not logged.
func (h *Host) AdvanceTo(t time.Time) ([]*outbox.Event, error) {
	due, ok := h.eng.NextDue()
	if !ok || due.After(t) {
		// Nothing fires: moving the clock alone changes no result, and the
		// next logged step carries its own time.
		return nil, nil
	}
	rec := h.record(encodeClock(t))
	diffs, err := h.eng.AdvanceTo(t)
	events := h.stops(h.events(nil, diffs, t), t)
	if cerr := h.commit(rec, events, nil); cerr != nil {
		return nil, cerr
	}
	h.logged(1)
	return events, err
}

// columnsOf returns q's columns for its events, built once per query.
func (h *Host) columnsOf(q *engine.Query) *outbox.Columns {
	if c, ok := h.columns[q]; ok {
		return c
	}
	if h.columns == nil {
		h.columns = map[*engine.Query]*outbox.Columns{}
	}
	c := outbox.NewColumns(q.Columns())
	h.columns[q] = c
	return c
}

// Columns returns q's result columns as its events write them.
func (h *Host) Columns(q *engine.Query) *outbox.Columns { return h.columnsOf(q) }

// events appends the change events of diffs to evs.
func (h *Host) events(evs []*outbox.Event, diffs []engine.Diff, at time.Time) []*outbox.Event {
	for i := range diffs {
		q := h.eng.Query(diffs[i].QueryID)
		if q == nil {
			continue
		}
		evs = append(evs, outbox.Change(&diffs[i], h.columnsOf(q), at))
	}
	return evs
}

// stops appends a stopped event for each query that failed during the
// step, so that the event is committed with the step that stopped it.
func (h *Host) stops(evs []*outbox.Event, at time.Time) []*outbox.Event {
	for _, q := range h.eng.Failed() {
		if q.Err() != nil && !h.stopped[q] && h.eng.Query(q.ID()) == q {
			h.stopped[q] = true
			evs = append(evs, outbox.Control(q.ID(), outbox.SignalStopped, q.Err().Error(), at))
		}
	}
	return evs
}

// commit stores a step's record with its events and checkpoints.
func (h *Host) commit(rec []byte, events []*outbox.Event, checkpoints map[string][]byte) error {
	if err := h.log.Commit(&store.Step{Record: rec, Events: events, Checkpoints: checkpoints}); err != nil {
		// The engine has moved past what is stored; continuing would let
		// memory and log disagree, so the caller must stop.
		return fmt.Errorf("%w (the engine must be restarted from the store)", err)
	}
	return nil
}

// sameLanguage compares two query-language names as the engine reads them.
func sameLanguage(a, b string) bool {
	x, errA := engine.ParseLanguage(a)
	y, errB := engine.ParseLanguage(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return x == y
}
