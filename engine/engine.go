// Package engine is Vigil's continuous-query engine: the element index, the
// pattern solver anchored at a changed element, and the incremental
// evaluation of each query's pipeline, producing exactly the result rows
// that a change added, updated or deleted.
//
// Typical use:
//
//	e := engine.New(engine.Options{})
//	q, err := e.AddQuery(engine.QuerySpec{ID: "low-trust", Text: "MATCH (a:Agent) WHERE a.trust < 400 RETURN a.id AS id"})
//	diffs, err := e.Apply([]engine.Change{{Op: engine.OpInsert, Element: engine.Element{ID: "a1", Labels: []string{"Agent"}, Props: props}}})
//	rows := q.Results()
package engine

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vigilhq/vigil/functions"
	"github.com/vigilhq/vigil/grammar/cypher"
	"github.com/vigilhq/vigil/grammar/gql"

	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/grammar/ast"
)

// QuerySpec is everything needed to register a continuous query.
type QuerySpec struct {
	ID       string // unique query id
	Text     string // query text; ignored when AST is set
	Language string // "cypher" (default) or "gql"
	// AST is an already-built query (used by test runners that construct
	// queries); when set, Text and Language are not parsed.
	AST    *ast.Query
	Params map[string]value.Value // $parameters
	Joins  []Join                 // synthetic relations across labels
	// Subscriptions restrict the query to the elements of some sources
	// (and labels); none: every element.
	Subscriptions []Subscription
}

// Join declares a synthetic relation: a relation of type ID exists, in both
// directions, between two nodes whenever their key properties are equal.
type Join struct {
	ID   string    // relation type
	Keys []JoinKey // usually two: one per side
}

// JoinKey is one side of a join: nodes with Label, keyed by Property.
type JoinKey struct {
	Label    string
	Property string
}

// Options configure an Engine. The zero value works.
type Options struct {
	// Start is the engine clock before the first change (default: the Unix
	// epoch). The clock then follows change times and AdvanceTo.
	Start time.Time
	// Functions overrides the Cypher function registry (tests).
	Functions *functions.Registry
}

// Engine holds the element index and the continuous queries over it. An
// Engine is not safe for concurrent use: one goroutine (the writer) applies
// changes and reads results, or callers serialise access themselves.
type Engine struct {
	opts    Options
	index   *Index
	queries []*Query
	byID    map[string]*Query
	now     time.Time
	subs    []func(Diff)
	funcs   *functions.Registry
	ctx     evalCtx
	futures futureQueue
	seq     uint64 // futures scheduled so far, to order equal due times
	diffs   []Diff // flush's scratch: the step's diffs before they are copied out
	// snapSize is the last snapshot's size, the next one's buffer hint.
	snapSize int
	// slab holds the diffs of one-row steps not handed out yet (ownDiffs).
	slab []oneDiff
	// idBuf is qualify's scratch.
	idBuf []byte
	// seed keys every hash in the engine's state: row identities, grouping
	// and DISTINCT keys, join postings, accumulators' buckets. It is the
	// engine's own (drawn at random by New, read back from the snapshot by
	// Restore), so engines restored from different snapshots live side by
	// side in one process.
	seed value.Seed
}

// oneDiff is the memory of a one-row step's diff.
type oneDiff struct {
	d [1]Diff
	u [1]Update
	r [1]Row
}

// diffSlab is how many one-row diffs one allocation makes room for.
const diffSlab = 32

// New returns an empty in-memory engine.
func New(opts Options) *Engine { return newEngine(opts, value.NewSeed()) }

// newEngine returns an empty engine hashing its state with seed.
func newEngine(opts Options, seed value.Seed) *Engine {
	e := &Engine{opts: opts, index: newIndex(seed), byID: map[string]*Query{}, now: opts.Start, seed: seed}
	if e.now.IsZero() {
		e.now = time.Unix(0, 0).UTC()
	}
	e.funcs = opts.Functions
	if e.funcs == nil {
		e.funcs = functions.Cypher()
	}
	return e
}

// Index exposes the element index (read-only use).
func (e *Engine) Index() *Index { return e.index }

// Now is the engine's current time.
func (e *Engine) Now() time.Time { return e.now }

// Subscribe registers fn to receive every non-empty diff, after Apply or
// AdvanceTo computed it and before they return.
func (e *Engine) Subscribe(fn func(Diff)) { e.subs = append(e.subs, fn) }

// Query returns a registered query, or nil.
func (e *Engine) Query(id string) *Query { return e.byID[id] }

// Queries lists the registered queries in registration order.
func (e *Engine) Queries() []*Query { return append([]*Query(nil), e.queries...) }

// AddQuery compiles a query and bootstraps its result from the current
// element index. A query that does not compile returns an *ast.Error naming
// line, column and reason; a runtime error during bootstrap leaves the query
// registered in an error state (see Query.Err).
func (e *Engine) AddQuery(spec QuerySpec) (*Query, error) {
	if _, dup := e.byID[spec.ID]; dup {
		return nil, fmt.Errorf("query %q already exists", spec.ID)
	}
	q, err := e.compile(spec)
	if err != nil {
		return nil, err
	}
	for _, j := range spec.Joins {
		if err := e.declareJoin(j); err != nil {
			return nil, fmt.Errorf("query %q: %w", spec.ID, err)
		}
	}
	c := &evalCtx{index: graph{e.index, q.vis}, params: spec.Params, now: e.now, eng: e, q: q}
	bootstrapGuarded(q, c)
	flushGuarded(q)
	e.queries = append(e.queries, q)
	e.byID[q.id] = q
	return q, nil
}

// compile builds a query's pipelines with empty state; it neither touches
// the index nor registers the query.
func (e *Engine) compile(spec QuerySpec) (*Query, error) {
	if spec.ID == "" {
		return nil, fmt.Errorf("query has no id")
	}
	tree := spec.AST
	funcs := funcSet{e.funcs}
	if tree == nil {
		var err error
		switch strings.ToLower(spec.Language) {
		case "", "cypher", "opencypher":
			tree, err = cypher.Parse(spec.Text)
		case "gql":
			// The GQL registration set replaces the Cypher one for this query
			// only; a caller-supplied registry (Options.Functions) is a Cypher
			// override and does not apply.
			tree, err = gql.Parse(spec.Text)
			funcs = funcSet{functions.GQL()}
		default:
			return nil, fmt.Errorf("query %q: unsupported query language %q", spec.ID, spec.Language)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := ast.Check(tree, funcs); err != nil {
		return nil, err
	}
	pl := &planner{funcs: funcs, params: spec.Params, index: e.index, seed: e.seed}
	branches, err := pl.compileQuery(tree)
	if err != nil {
		return nil, err
	}
	q := &Query{
		id: spec.ID, spec: spec, vis: newVisibility(spec.Subscriptions, spec.Joins), branches: branches, watchers: pl.watchers,
		columns: branches[0].columns, result: newRowBag(), readsGraph: pl.readsGraph,
	}
	q.readNodes, q.readRels = sortedKeys(pl.readNodes), sortedKeys(pl.readRels)
	if len(branches) == 1 {
		q.final = branches[0].final
	}
	if oldRowsFromResult(tree, branches, funcs) {
		q.oldFrom = branches[0].stages[0].(*matchStage)
	}
	setupProjMemo(tree, branches, funcs)
	if len(branches) > 1 && !tree.All {
		q.union = &distinctStage{width: len(q.columns), counts: map[uint64][]*distinctEntry{}, seed: e.seed}
	}
	q.locateSites()
	return q, nil
}

// RemoveQuery unregisters a query; it reports whether it existed.
func (e *Engine) RemoveQuery(id string) bool {
	q := e.byID[id]
	if q == nil {
		return false
	}
	delete(e.byID, id)
	for i, x := range e.queries {
		if x == q {
			e.queries = append(e.queries[:i], e.queries[i+1:]...)
			break
		}
	}
	return true
}

// declareJoin registers a synthetic relation and creates its relations
// between the nodes already in the index, as ordinary changes.
func (e *Engine) declareJoin(j Join) error {
	s, err := e.index.addJoin(j)
	if err != nil || s.refs > 1 {
		return err
	}
	for _, k := range j.Keys {
		e.index.Nodes(k.Label, func(n *value.Node) bool {
			e.index.postJoinKeys(n, true)
			return true
		})
	}
	seen := map[string]bool{}
	for _, k := range j.Keys {
		var nodes []*value.Node
		e.index.Nodes(k.Label, func(n *value.Node) bool {
			nodes = append(nodes, n)
			return true
		})
		for _, n := range nodes {
			for _, r := range e.index.joinEdges(n) {
				if r.Type != j.ID || seen[r.ID] {
					continue
				}
				seen[r.ID] = true
				e.putRel(r)
			}
		}
	}
	return nil
}

// Apply processes the changes as one step (one source batch) and returns the
// net result diff of every query whose result changed, in query registration
// order. The engine takes ownership of each element's Props map and Labels
// slice: the caller must not modify them afterwards. The clock moves to each change's Time (never backwards) before it
// is processed. An error means a change was malformed; the changes before it
// were applied and their diffs are returned.
func (e *Engine) Apply(changes []Change) ([]Diff, error) {
	var err error
	for i := range changes {
		ch := &changes[i]
		if ch.Time.After(e.now) {
			// Futures due before this change fire first, at their due time.
			if err = e.fireDue(ch.Time); err != nil {
				break
			}
			e.now = ch.Time
		}
		if err = e.applyChange(ch); err != nil {
			err = fmt.Errorf("change %d (%s %q): %w", i, ch.Op, ch.Element.ID, err)
			break
		}
	}
	return e.flush(), err
}

// AdvanceTo moves the clock to t (never backwards), firing every future that
// falls due by then in due-time order, and returns the net diffs.
func (e *Engine) AdvanceTo(t time.Time) ([]Diff, error) {
	err := e.fireDue(t)
	if t.After(e.now) {
		e.now = t
	}
	return e.flush(), err
}

// fireDue fires, in due-time order, every future due at or before t; the
// clock reads each one's due time while it is evaluated.
func (e *Engine) fireDue(t time.Time) error {
	for {
		f := e.futures.popDue(t)
		if f == nil {
			return nil
		}
		if f.due.After(e.now) {
			e.now = f.due
		}
		q := f.query
		if q.err != nil || e.byID[q.id] != q {
			continue
		}
		c := &evalCtx{index: graph{e.index, q.vis}, params: q.spec.Params, now: e.now, eng: e, q: q}
		e.fireGuarded(q, c, f)
	}
}

// flush closes a step: every query's pending deltas become its diff.
func (e *Engine) flush() []Diff {
	ds := e.diffs[:0]
	for _, q := range e.queries {
		if d := flushGuarded(q); !d.Empty() {
			ds = append(ds, d)
		}
	}
	e.diffs = ds
	if len(ds) == 0 {
		return nil
	}
	out := e.ownDiffs(ds)
	// Drop the scratch's references to rows (deleted rows would otherwise
	// stay reachable until overwritten).
	for i := range ds {
		clear(ds[i].Added)
		clear(ds[i].Updated)
		clear(ds[i].Deleted)
	}
	clear(ds)
	for i := range out {
		for _, fn := range e.subs {
			fn(out[i])
		}
	}
	return out
}

// ownDiffs copies the queries' scratch diffs into memory the caller owns
// (callers keep the diffs Apply returns). The common step — one query, one
// row updated, added or deleted — takes its diff from a slab of such
// diffs, allocated diffSlab at a time: never reused, so the caller owns it,
// and one allocation per diffSlab steps instead of one per step. A diff the
// caller keeps holds its slab, and so the rows of up to diffSlab-1 other
// steps' diffs, alive: a few kilobytes.
func (e *Engine) ownDiffs(ds []Diff) []Diff {
	if len(ds) == 1 {
		d := ds[0]
		single := len(d.Updated) == 1 && len(d.Added) == 0 && len(d.Deleted) == 0
		if single || (len(d.Updated) == 0 && len(d.Added)+len(d.Deleted) == 1) {
			if len(e.slab) == 0 {
				e.slab = make([]oneDiff, diffSlab)
			}
			x := &e.slab[0]
			e.slab = e.slab[1:]
			x.d[0].QueryID = d.QueryID
			switch {
			case single:
				x.u[0] = d.Updated[0]
				x.d[0].Updated = x.u[:]
			case len(d.Added) == 1:
				x.r[0] = d.Added[0]
				x.d[0].Added = x.r[:]
			default:
				x.r[0] = d.Deleted[0]
				x.d[0].Deleted = x.r[:]
			}
			return x.d[:]
		}
	}
	out := make([]Diff, len(ds))
	for i, d := range ds {
		out[i] = Diff{QueryID: d.QueryID}
		if len(d.Added) > 0 {
			out[i].Added = append([]Row(nil), d.Added...)
		}
		if len(d.Updated) > 0 {
			out[i].Updated = append([]Update(nil), d.Updated...)
		}
		if len(d.Deleted) > 0 {
			out[i].Deleted = append([]Row(nil), d.Deleted...)
		}
	}
	return out
}

func (e *Engine) applyChange(ch *Change) error {
	el := &ch.Element
	if el.ID == "" {
		return fmt.Errorf("element has no id")
	}
	if strings.IndexByte(el.ID, value.IDSeparator) >= 0 || strings.IndexByte(el.From, value.IDSeparator) >= 0 || strings.IndexByte(el.To, value.IDSeparator) >= 0 {
		return fmt.Errorf("element id %q contains the reserved byte 0x1f", el.ID)
	}
	if ch.Source != "" {
		// The element's identity is its source and its id; a relationship
		// connects nodes of its own source.
		qualified := *el
		qualified.ID = e.qualify(ch.Source, el.ID)
		if el.IsRel() {
			// A missing end stays missing, for the check below.
			if el.From != "" {
				qualified.From = e.qualify(ch.Source, el.From)
			}
			if el.To != "" {
				qualified.To = e.qualify(ch.Source, el.To)
			}
		}
		el = &qualified
	}
	switch ch.Op {
	case OpDelete:
		if n := e.index.Node(el.ID); n != nil {
			for _, rid := range e.index.attached(el.ID) {
				e.deleteRel(rid)
			}
			e.deleteNode(n)
			return nil
		}
		if e.index.Rel(el.ID) != nil {
			e.deleteRel(el.ID)
		}
		return nil
	case OpInsert, OpUpdate:
		if el.IsRel() {
			if el.From == "" || el.To == "" {
				return fmt.Errorf("relationship needs from and to")
			}
			if e.index.Node(el.ID) != nil {
				return fmt.Errorf("id is already a node")
			}
			e.putRel(&value.Rel{ID: el.ID, Type: el.Type, From: el.From, To: el.To, Props: copyProps(el.Props), ChangedAt: e.now.UnixNano()})
			return nil
		}
		if e.index.Rel(el.ID) != nil {
			return fmt.Errorf("id is already a relationship")
		}
		e.putNode(&value.Node{ID: el.ID, Labels: dedupLabels(el.Labels), Props: copyProps(el.Props), ChangedAt: e.now.UnixNano()})
		return nil
	}
	return fmt.Errorf("unknown operation %d", ch.Op)
}

// qualify returns value.QualifyID(source, id), reusing the string of the
// element already stored under it: an update or delete of a known element
// then allocates no new id.
//
// Hot path.
func (e *Engine) qualify(source, id string) string {
	b := append(e.idBuf[:0], source...)
	b = append(b, value.IDSeparator)
	b = append(b, id...)
	e.idBuf = b
	// string(b) in a map index does not allocate.
	if n := e.index.nodes[string(b)]; n != nil {
		return n.ID
	}
	if r := e.index.rels[string(b)]; r != nil {
		return r.ID
	}
	return string(b)
}

// copyProps returns the properties to store: the caller's map itself when
// it holds no null (Apply takes ownership of Props maps), else a copy
// without the nulls, since a null property is an absent property.
func copyProps(p map[string]value.Value) map[string]value.Value {
	if p == nil {
		return map[string]value.Value{}
	}
	clean := true
	for _, v := range p {
		if v.IsNull() {
			clean = false
			break
		}
	}
	if clean {
		return p
	}
	out := make(map[string]value.Value, len(p))
	for k, v := range p {
		if !v.IsNull() {
			out[k] = v
		}
	}
	return out
}

func dedupLabels(ls []string) []string {
	dup := false
	for i := range ls {
		for j := 0; j < i; j++ {
			dup = dup || ls[i] == ls[j]
		}
	}
	if !dup {
		return ls
	}
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		dup := false
		for _, x := range out {
			if x == l {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, l)
		}
	}
	return out
}

// putNode stores a node (insert or update), keeping synthetic relations in
// step with its join keys.
func (e *Engine) putNode(n *value.Node) {
	old := e.index.Node(n.ID)
	joins := len(e.index.joins) > 0 && e.index.joinKeysChanged(old, n)
	var want map[string]*value.Rel
	if joins {
		e.index.postJoinKeys(old, false)
		want = map[string]*value.Rel{}
		for _, r := range e.index.joinEdges(n) {
			want[r.ID] = r
		}
		for _, rid := range e.index.attached(n.ID) {
			if isJoinRelID(rid) && want[rid] == nil {
				e.deleteRel(rid)
			}
		}
	}
	e.step(old, n, nil, nil, func() {
		e.index.putNode(n)
		e.index.record(n.ID, n.ChangedAt, n, nil)
		if joins {
			e.index.postJoinKeys(n, true)
		}
	})
	if joins {
		ids := make([]string, 0, len(want))
		for id := range want {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			if e.index.Rel(id) == nil {
				e.putRel(want[id])
			}
		}
	}
}

func (e *Engine) deleteNode(n *value.Node) {
	e.step(n, nil, nil, nil, func() {
		e.index.postJoinKeys(n, false)
		e.index.deleteNode(n.ID)
		e.index.record(n.ID, e.now.UnixNano(), nil, nil)
	})
}

func (e *Engine) putRel(r *value.Rel) {
	old := e.index.Rel(r.ID)
	e.step(nil, nil, old, r, func() {
		e.index.putRel(r)
		e.index.record(r.ID, r.ChangedAt, nil, r)
	})
}

func (e *Engine) deleteRel(id string) {
	old := e.index.Rel(id)
	if old == nil {
		return
	}
	e.step(nil, nil, old, nil, func() {
		e.index.deleteRel(id)
		e.index.record(id, e.now.UnixNano(), nil, nil)
	})
}

// step applies one element change to the index and pushes it through every
// query: solutions anchored at the element before the change, the change,
// solutions anchored at it after, then each query's pipeline.
//
// Hot path.
func (e *Engine) step(oldN, newN *value.Node, oldR, newR *value.Rel, apply func()) {
	if sameNode(oldN, newN) && oldR == nil && newR == nil {
		apply()
		return
	}
	for _, q := range e.queries {
		if q.err == nil {
			e.watchBefore(q, oldN, oldR, newN)
		}
	}
	apply()
	for _, q := range e.queries {
		if q.err == nil {
			e.watchAfter(q, newN, newR)
		}
	}
}

// sameNode reports whether an update leaves a node exactly as it was.
func sameNode(a, b *value.Node) bool {
	if a == nil || b == nil || a.ChangedAt != b.ChangedAt || len(a.Labels) != len(b.Labels) || len(a.Props) != len(b.Props) {
		return false
	}
	for i := range a.Labels {
		if a.Labels[i] != b.Labels[i] {
			return false
		}
	}
	for k, v := range a.Props {
		w, ok := b.Props[k]
		if !ok || v.Kind() != w.Kind() || !value.Equivalent(v, w) {
			return false
		}
	}
	return true
}

// NextDue reports when the earliest pending future (from the temporal
// functions) falls due, so that a scheduler can sleep until then; ok is
// false when nothing is scheduled.
func (e *Engine) NextDue() (due time.Time, ok bool) { return e.futures.next() }
