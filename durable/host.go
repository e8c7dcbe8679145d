// Package durable runs the engine so that its results survive a crash: every
// step (a group of source batches, a clock move, a query added or removed) is
// committed to the store as one transaction holding the step's log record,
// the result-change events it produced and the source positions it consumed.
// Opening a host replays the log into a fresh engine, which rebuilds exactly
// the state the engine had after the last committed step; sources then
// resume from their checkpoints, so no result change is lost, repeated or
// renumbered.
//
// Without a store the host keeps the same interface in memory, for tests,
// benchmarks and deployments that can afford to bootstrap again.
package durable

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/internal/jsonenc"
	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/store"
)

// Options configure a host.
type Options struct {
	// Store is the durable store; nil keeps everything in memory.
	Store *store.Store
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
	// SnapshotPerElement is the factor of that second bound: 0 means 4;
	// negative drops the bound (snapshots every SnapshotEvery changes
	// exactly, as tests want).
	SnapshotPerElement int
}

// DefaultSnapshotEvery bounds the replay at a restart to about half a second
// on a small machine (replay runs at 160k-270k changes/s).
const DefaultSnapshotEvery = 100_000

// Host owns an engine and its outbox. It is not safe for concurrent use:
// one goroutine (the server's engine loop) drives it, while readers use
// Outbox, which is.
type Host struct {
	eng      *engine.Engine
	st       *store.Store
	ob       outbox.Outbox
	orders   map[*engine.Query][]int // see order
	replayed uint64                  // log records replayed at open
	warnings []string                // what replay could not restore
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
	h := &Host{st: o.Store, snapEvery: o.SnapshotEvery, snapPerEl: o.SnapshotPerElement}
	if h.snapEvery == 0 {
		h.snapEvery = DefaultSnapshotEvery
	}
	if h.snapPerEl == 0 {
		h.snapPerEl = 4
	}
	if o.Store == nil {
		h.eng = engine.New(engine.Options{Start: o.Start})
		h.ob = outbox.NewMemory()
		return h, nil
	}
	h.ob = o.Store
	snap, after, ok, err := o.Store.Snapshot()
	if err != nil {
		return nil, err
	}
	if ok {
		eng, skipped, err := engine.Restore(snap, engine.Options{})
		if err != nil {
			return nil, fmt.Errorf("store %s: snapshot at log record %d: %w", o.Store.Path(), after, err)
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
	err = o.Store.Replay(after, func(seq uint64, b []byte) error {
		r, err := decodeRecord(b)
		if err != nil {
			return fmt.Errorf("store %s: log record %d: %w", o.Store.Path(), seq, err)
		}
		if h.eng == nil {
			if r.kind != recStart {
				return fmt.Errorf("store %s: log record %d: the log does not begin with its start time", o.Store.Path(), seq)
			}
			h.eng = engine.New(engine.Options{Start: r.time})
			h.replayed++
			return nil
		}
		if err := h.replay(r); err != nil {
			return fmt.Errorf("store %s: replaying log record %d: %w", o.Store.Path(), seq, err)
		}
		h.replayed++
		h.sinceSnap += r.changes()
		return nil
	})
	if err != nil {
		return nil, err
	}
	if h.eng == nil {
		start := o.Start
		if start.IsZero() {
			start = time.Now()
		}
		if err := o.Store.Commit(&store.Step{Record: encodeStart(start)}); err != nil {
			return nil, err
		}
		h.eng = engine.New(engine.Options{Start: start})
	}
	return h, nil
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

// Outbox is where the host's events go (the store itself when durable).
func (h *Host) Outbox() outbox.Outbox { return h.ob }

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
	if h.st == nil {
		return nil
	}
	if h.snapValid && h.snapSeq == h.st.LogSeq() {
		return nil // the current snapshot already holds this state
	}
	start := time.Now()
	data, err := h.eng.Snapshot()
	if err != nil {
		return fmt.Errorf("store %s: snapshot: %w", h.st.Path(), err)
	}
	if err := h.st.WriteSnapshot(h.st.LogSeq(), data); err != nil {
		return err
	}
	h.sinceSnap, h.retryAt = 0, 0
	h.snapSeq, h.snapValid = h.st.LogSeq(), true
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
	if h.st == nil || h.snapEvery < 0 {
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

// Checkpoint is a source's last committed position (nil in memory mode or
// before its first batch): where the source resumes after a restart.
func (h *Host) Checkpoint(source string) ([]byte, error) {
	if h.st == nil {
		return nil, nil
	}
	return h.st.Checkpoint(source)
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
	var evs []*outbox.Event
	if events != nil {
		evs = events(q)
		for _, ev := range evs {
			ev.QueryID = spec.ID
		}
	}
	if h.st != nil {
		rec, err := encodeAdd(spec)
		if err == nil {
			err = h.st.Commit(&store.Step{Record: rec, Events: evs})
		}
		if err != nil {
			h.eng.RemoveQuery(spec.ID)
			return nil, false, err
		}
		delete(h.orphans, spec.ID)
		h.logged(1)
		return q, true, nil
	}
	for _, ev := range evs {
		if _, err := h.ob.Append(spec.ID, ev); err != nil {
			return q, true, err
		}
	}
	return q, true, nil
}

// ReplaceQuery removes the query registered under spec.ID and registers
// spec in its place as one step, with the events the replacement produces
// (the old rows retracted, the new ones added): a crash keeps the old
// definition or the new one, never neither. When spec does not compile, the
// old query is removed alone and the compile error returned.
func (h *Host) ReplaceQuery(spec engine.QuerySpec, events func(*engine.Query) []*outbox.Event) (*engine.Query, error) {
	old := h.eng.Query(spec.ID)
	if old == nil {
		q, _, err := h.AddQuery(spec, events)
		return q, err
	}
	delete(h.orders, old)
	h.eng.RemoveQuery(spec.ID)
	q, err := h.eng.AddQuery(spec)
	if err != nil {
		if h.st != nil {
			if cerr := h.st.Commit(&store.Step{Record: encodeRemove(spec.ID)}); cerr != nil {
				return nil, cerr
			}
		}
		return nil, err
	}
	var evs []*outbox.Event
	if events != nil {
		evs = events(q)
		for _, ev := range evs {
			ev.QueryID = spec.ID
		}
	}
	if h.st != nil {
		rec, err := encodeAdd(spec)
		if err == nil {
			rec[0] = replaceKind(rec[0])
			err = h.st.Commit(&store.Step{Record: rec, Events: evs})
		}
		if err == nil {
			h.logged(1)
		}
		return q, err
	}
	for _, ev := range evs {
		if _, err := h.ob.Append(spec.ID, ev); err != nil {
			return q, err
		}
	}
	return q, nil
}

// RemoveQuery unregisters a query. Its outbox stays (a query updated in
// place continues its stream); Outbox().Drop forgets it.
func (h *Host) RemoveQuery(id string) error {
	if h.eng.Query(id) == nil {
		return nil
	}
	if h.st != nil {
		if err := h.st.Commit(&store.Step{Record: encodeRemove(id)}); err != nil {
			return err
		}
		h.logged(1)
	}
	if q := h.eng.Query(id); q != nil {
		delete(h.orders, q)
	}
	h.eng.RemoveQuery(id)
	return nil
}

// SameSpec reports whether two query definitions are the same (a restored
// query whose resource did not change).
func SameSpec(a, b engine.QuerySpec) bool {
	if a.ID != b.ID || a.Text != b.Text || normLang(a.Language) != normLang(b.Language) ||
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

func normLang(l string) string {
	switch l {
	case "", "cypher", "Cypher", "opencypher", "openCypher":
		return "cypher"
	}
	return l
}

// Apply applies source batches as one step and commits it with their
// positions and the events it produced; only when Apply returns may the
// sources confirm those positions upstream. Each batch is applied on its
// own: a malformed change stops the rest of its batch (reported in errs at
// the batch's index) and leaves the other batches alone. The events are
// returned in commit order with their sequences set; err is a storage
// failure, after which the host must not be used.
func (h *Host) Apply(batches []engine.Batch) (events []*outbox.Event, errs []error, err error) {
	var rec []byte
	if h.st != nil {
		// Encode before applying: Apply takes ownership of the changes'
		// property maps. Positions are not part of the record: replay does
		// not need them, and only the batches that applied cleanly commit
		// theirs (below).
		all := make([][]engine.Change, len(batches))
		for i := range batches {
			all[i] = batches[i].Changes
		}
		if rec, err = encodeBatch(all, nil); err != nil {
			return nil, nil, fmt.Errorf("batch cannot be stored: %w", err)
		}
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
	var rec []byte
	if h.st != nil {
		rec = encodeClock(t)
	}
	diffs, err := h.eng.AdvanceTo(t)
	events := h.events(nil, diffs, t)
	if cerr := h.commit(rec, events, nil); cerr != nil {
		return nil, cerr
	}
	h.logged(1)
	return events, err
}

// order returns q's column order by name, computed once per query.
func (h *Host) order(q *engine.Query) []int {
	if o, ok := h.orders[q]; ok {
		return o
	}
	if h.orders == nil {
		h.orders = map[*engine.Query][]int{}
	}
	o := columnOrder(q.Columns())
	h.orders[q] = o
	return o
}

// events appends the change events of diffs to evs.
func (h *Host) events(evs []*outbox.Event, diffs []engine.Diff, at time.Time) []*outbox.Event {
	for i := range diffs {
		q := h.eng.Query(diffs[i].QueryID)
		if q == nil {
			continue
		}
		evs = append(evs, eventOf(&diffs[i], q.Columns(), h.order(q), at))
	}
	return evs
}

// commit stores a step's record with its events and checkpoints.
func (h *Host) commit(rec []byte, events []*outbox.Event, checkpoints map[string][]byte) error {
	if h.st != nil {
		if err := h.st.Commit(&store.Step{Record: rec, Events: events, Checkpoints: checkpoints}); err != nil {
			// The engine has moved past what is stored; continuing would
			// let memory and log disagree, so the caller must stop.
			return fmt.Errorf("%w (the engine must be restarted from the store)", err)
		}
		return nil
	}
	for _, ev := range events {
		if _, err := h.ob.Append(ev.QueryID, ev); err != nil {
			return err
		}
	}
	return nil
}

// EventOf converts an engine diff into a change event in Drasi's shape
// (rows as column -> value objects). The rows stay in the engine's form
// and are written as JSON when the event is stored.
func EventOf(d *engine.Diff, columns []string, at time.Time) *outbox.Event {
	return eventOf(d, columns, columnOrder(columns), at)
}

func eventOf(d *engine.Diff, columns []string, order []int, at time.Time) *outbox.Event {
	return &outbox.Event{Kind: outbox.KindChange, QueryID: d.QueryID, SourceTimeMs: at.UnixMilli(),
		Rows: &rowLists{d: d, columns: columns, order: order}}
}

// columnOrder lists column indexes by column name: JSON objects are written
// with sorted keys, as encoding/json writes maps.
func columnOrder(columns []string) []int {
	order := make([]int, len(columns))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(columns[a], columns[b]) })
	return order
}

// rowLists writes a diff's rows as the JSON of outbox.RowLists.
type rowLists struct {
	d       *engine.Diff
	columns []string
	order   []int
}

func (r *rowLists) Counts() (int, int, int) {
	return len(r.d.Added), len(r.d.Updated), len(r.d.Deleted)
}

func (r *rowLists) AppendAdded(b []byte) []byte   { return r.appendRows(b, r.d.Added) }
func (r *rowLists) AppendDeleted(b []byte) []byte { return r.appendRows(b, r.d.Deleted) }

func (r *rowLists) AppendUpdated(b []byte) []byte {
	b = append(b, '[')
	for i, u := range r.d.Updated {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"before":`...)
		b = r.appendRow(b, u.Before)
		b = append(b, `,"after":`...)
		b = r.appendRow(b, u.After)
		b = append(b, '}')
	}
	return append(b, ']')
}

func (r *rowLists) appendRows(b []byte, rows []engine.Row) []byte {
	b = append(b, '[')
	for i, row := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = r.appendRow(b, row)
	}
	return append(b, ']')
}

func (r *rowLists) appendRow(b []byte, row engine.Row) []byte {
	b = append(b, '{')
	for k, c := range r.order {
		if k > 0 {
			b = append(b, ',')
		}
		b = jsonenc.AppendString(b, r.columns[c])
		b = append(b, ':')
		if c < len(row) {
			b = value.AppendJSON(b, row[c])
		} else {
			b = append(b, "null"...)
		}
	}
	return append(b, '}')
}

// RowMap is a result row as column -> plain JSON value.
func RowMap(r engine.Row, columns []string) map[string]any {
	m := make(map[string]any, len(columns))
	for i, c := range columns {
		if i < len(r) {
			m[c] = value.ToGo(r[i])
		} else {
			m[c] = nil
		}
	}
	return m
}
