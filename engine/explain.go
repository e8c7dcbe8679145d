package engine

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sort"

	"github.com/vigilhq/vigil/engine/value"
)

// Row explanation: which graph elements produced a result row.
//
// The live pipeline does not keep the lineage of its rows (it would cost
// memory and time on every change for a question asked rarely), so Explain
// recomputes it: it compiles the query again (empty stage state, the
// engine's seed, so row identities come out the same), runs it once over
// the current graph as a bootstrap would, and records which input row
// identity led to which output row identity at every stage. Walking those
// edges back from the picked row's identity to the unit row finds the
// pattern solutions behind it.
//
// Exactness. The scratch run is the query's bootstrap over the graph as it
// is now, which is what the incremental state equals, except where a stage
// remembers what it computed earlier: a re-evaluated stage (temporal
// functions, the clock, pattern predicates) takes each row's output from
// the live stage's memo when it holds the row, and otherwise evaluates it
// with a deep copy of the query's temporal state, as a firing future would
// (previousValue reads its state without shifting it). An aggregation with
// temporal functions over its aggregates takes each group's row from the
// live stage. What stays approximate is said in Explain's documentation.
//
// Nothing of the engine is written: futures the scratch run schedules go
// to a scratch engine, the temporal state is a copy, the live stages are
// only read.

// Explanation says which graph elements produced a result row of a query.
type Explanation struct {
	// Row is the result row explained (in the query's column order).
	Row Row
	// Matches is how many pattern solutions contribute to the row (for an
	// aggregate row: every solution counted in its group).
	//
	// Precisely: the number of distinct combinations of MATCH solutions,
	// one per MATCH clause along the way, that lead to the row. A row of
	// one MATCH (or of MATCH ... WITH ... MATCH without aggregation) has 1;
	// an aggregate row has as many as its group counted, the solutions
	// before the aggregation combined with those after it; a DISTINCT or
	// UNION row sums the rows it merged. An OPTIONAL MATCH that found
	// nothing counts as one (empty) solution. UNWIND does not multiply
	// (its rows share one solution). A row that no MATCH produced (RETURN
	// 1, a global aggregate over no rows) has 0.
	Matches int
	// Elements are the nodes and relationships those solutions bound, each
	// once (by kind and id), in the order first met, as they are now; at most the limit given.
	//
	// "First met" is the order in which the re-evaluation produced the
	// solutions (earlier MATCH clauses first), then the pattern's own
	// order within a solution. A variable-length relationship contributes
	// every relationship of its list, a path variable its nodes and
	// relationships, and a node a later MATCH takes from the row it
	// extends counts as bound by that MATCH too.
	Elements []value.Value
	// Truncated is set when more elements contributed than the limit.
	Truncated bool
}

// ErrNoSuchRow is returned by Explain when no current result row is picked.
var ErrNoSuchRow = errors.New("no such result row")

// defaultExplainLimit bounds Elements when the caller gives no limit: an
// aggregate over a large group must not turn one question into a copy of
// the graph.
const defaultExplainLimit = 100

// Explain says which elements produced the first current result row of query id that pick accepts (rows in Results order). It re-evaluates the query over the current graph in a scratch copy, tracing row identities stage by stage; the engine, its queries and their futures are left exactly as they were. limit bounds Elements (<= 0: 100).
//
// Among result rows with equal values, the one first in Results order is
// explained (for a query without ORDER BY that order is arbitrary, as it
// is for Results).
//
// Limitations: a drasi.slidingWindow aggregation counts every row that is
// in the graph now, so rows whose window has expired are still reported
// as members of their group; pattern expressions inside an aggregation,
// which the live query does not re-evaluate when the graph changes, are
// evaluated as the graph is now. When the re-evaluation does not
// reproduce the picked row at all, Explain returns an error saying so
// rather than a guess.
func (e *Engine) Explain(id string, pick func(Row) bool, limit int) (Explanation, error) {
	q := e.byID[id]
	if q == nil {
		return Explanation{}, fmt.Errorf("explain: no query %q", id)
	}
	if q.err != nil {
		return Explanation{}, fmt.Errorf("explain: query %q failed: %w", id, q.err)
	}
	if limit <= 0 {
		limit = defaultExplainLimit
	}
	target, picked, ok := q.pickRow(pick)
	if !ok {
		return Explanation{}, ErrNoSuchRow
	}
	tr, err := e.traceQuery(q)
	if err != nil {
		return Explanation{}, fmt.Errorf("explain: query %q: %w", id, err)
	}
	final := xnode{b: -1, id: target}
	if tr.live[final] <= 0 {
		return Explanation{}, fmt.Errorf("explain: query %q: re-evaluating the query over the current graph does not reproduce the row %v", id, picked)
	}
	matches, contributors := tr.walk(final)
	ex := Explanation{Row: picked, Matches: matches}
	seen := map[elemKey]bool{}
	for _, m := range contributors {
		for _, v := range tr.elems[m] {
			k := keyOfElement(v)
			if seen[k] {
				continue
			}
			seen[k] = true
			if len(ex.Elements) == limit {
				ex.Truncated = true
				break
			}
			ex.Elements = append(ex.Elements, e.currentElement(v))
		}
		if ex.Truncated {
			break
		}
	}
	return ex, nil
}

// pickRow finds the first result row pick accepts, in Results order, and
// returns its identity and a copy of its values (pick and the caller get
// copies: the result's own arrays are the engine's).
func (q *Query) pickRow(pick func(Row) bool) (uint64, Row, bool) {
	n := len(q.columns)
	if q.final != nil {
		for _, r := range q.final.rows() {
			row := append(Row(nil), r.values()[:n]...)
			if pick(row) {
				return r.id, row, true
			}
		}
		return 0, nil, false
	}
	var id uint64
	var got Row
	found := false
	q.eachResult(func(en bagEntry) {
		for k := 0; k < en.w && !found; k++ {
			row := append(Row(nil), en.r.values()[:n]...)
			if pick(row) {
				id, got, found = en.r.id, row, true
			}
		}
	})
	return id, got, found
}

// elemKey names an element by kind and id: a node and a relationship may
// share an id string.
type elemKey struct {
	rel bool
	id  string
}

func keyOfElement(v value.Value) elemKey {
	if v.Kind() == value.KindRel {
		return elemKey{rel: true, id: v.AsRel().ID}
	}
	return elemKey{id: v.AsNode().ID}
}

// currentElement returns the element as the index holds it now (the row
// held the snapshot of when it was matched, which may be older for a
// memoized row); the snapshot if it is gone.
func (e *Engine) currentElement(v value.Value) value.Value {
	if v.Kind() == value.KindRel {
		if r := e.index.Rel(v.AsRel().ID); r != nil {
			return value.RelOf(r)
		}
		return v
	}
	if n := e.index.Node(v.AsNode().ID); n != nil {
		return value.NodeOf(n)
	}
	return v
}

// xnode is one row identity at one point of the scratch run: the input of
// stage lvl of branch b (lvl = len(stages) is the branch's output, one more
// its UNION-mixed identity), or, with b = -1, a row of the query's result.
type xnode struct {
	b, lvl int
	id     uint64
}

// tracer runs a scratch copy of a query and records its lineage.
type tracer struct {
	q     *Query // the live query: its memos and groups are only read
	fresh *Query // the scratch copy run over the graph
	c     *evalCtx
	preds map[xnode][]xnode
	edges map[[2]xnode]bool
	live  map[xnode]int // net weight of the row identity at its point
	match map[xnode]bool
	elems map[xnode][]value.Value
	seq   map[xnode]int // order of first appearance
}

// traceQuery runs a scratch copy of q over the current graph, recording
// which row identity produced which at every stage. A panic in the
// re-evaluation is returned as an error: it must neither take the engine
// down nor mark the live query failed.
func (e *Engine) traceQuery(q *Query) (tr *tracer, err error) {
	fresh, err := e.compile(q.spec)
	if err != nil {
		return nil, err
	}
	// The scratch engine receives the futures the scratch run schedules
	// and cancels; only its queue and counter are used.
	scratch := &Engine{opts: e.opts, index: newIndex(e.seed), byID: map[string]*Query{}, now: e.now, funcs: e.funcs, seed: e.seed}
	fresh.eng = scratch
	if len(q.tstate) > 0 {
		fresh.tstate = make(map[futureKey]*tstate, len(q.tstate))
		for k, st := range q.tstate {
			cp := *st
			cp.fut = nil
			fresh.tstate[k] = &cp
		}
	}
	// firing: the scratch run evaluates rows the live query evaluated
	// already, as a future re-evaluates them, so that previousValue
	// returns the value it returned then instead of shifting its state.
	c := &evalCtx{index: graph{e.index, fresh.vis}, params: q.spec.Params, now: e.now, eng: scratch, q: fresh, firing: true}
	tr = &tracer{
		q: q, fresh: fresh, c: c,
		preds: map[xnode][]xnode{}, edges: map[[2]xnode]bool{}, live: map[xnode]int{},
		match: map[xnode]bool{}, elems: map[xnode][]value.Value{}, seq: map[xnode]int{},
	}
	defer func() {
		if p := recover(); p != nil {
			tr, err = nil, &InternalError{Panic: p, Stack: string(debug.Stack())}
		}
	}()
	if err := tr.run(); err != nil {
		return nil, err
	}
	return tr, nil
}

func (t *tracer) appear(n xnode, w int) {
	if _, ok := t.seq[n]; !ok {
		t.seq[n] = len(t.seq)
	}
	t.live[n] += w
}

func (t *tracer) edge(from, to xnode) {
	k := [2]xnode{from, to}
	if !t.edges[k] {
		t.edges[k] = true
		t.preds[to] = append(t.preds[to], from)
	}
}

// own copies a stage's output: stages reuse their output slices and
// scratch rows from push to push, and the tracer keeps them longer.
func own(ds []delta) []delta {
	out := make([]delta, len(ds))
	for i, d := range ds {
		r := *d.r
		r.setValues(append([]value.Value(nil), d.r.values()...))
		out[i] = delta{r: &r, w: d.w}
	}
	return out
}

// run pushes the unit row through every branch, then through the UNION.
func (t *tracer) run() error {
	q, fresh := t.q, t.fresh
	type last struct {
		d    delta
		from xnode
	}
	var finals []last
	for bi, p := range fresh.branches {
		cur := []delta{{r: unitRow, w: 1}}
		t.appear(xnode{b: bi, id: unitRow.id}, 1)
		for pos, st := range p.stages {
			var err error
			if cur, err = t.stage(bi, pos, st, q.branches[bi].stages[pos], consolidate(cur)); err != nil {
				return err
			}
		}
		lvl := len(p.stages)
		if len(fresh.branches) > 1 {
			// As runFrom does: rows of different branches are different rows.
			for i, d := range cur {
				r := *d.r
				r.id, r.pair = mix(r.id, uint64(bi+1)), mix(r.pair, uint64(bi+1))
				to := xnode{b: bi, lvl: lvl + 1, id: r.id}
				t.appear(to, d.w)
				t.edge(xnode{b: bi, lvl: lvl, id: d.r.id}, to)
				cur[i].r = &r
			}
			lvl++
		}
		for _, d := range cur {
			finals = append(finals, last{d: d, from: xnode{b: bi, lvl: lvl, id: d.r.id}})
		}
	}
	if fresh.union == nil {
		for _, f := range finals {
			to := xnode{b: -1, id: f.d.r.id}
			t.appear(to, f.d.w)
			if f.d.w > 0 {
				t.edge(f.from, to)
			}
		}
		return nil
	}
	in := make([]delta, len(finals))
	for i, f := range finals {
		in[i] = f.d
	}
	out, err := fresh.union.push(t.c, consolidate(in))
	if err != nil {
		return err
	}
	outs := t.appearAll(-1, 0, out)
	for _, f := range finals {
		h := hashValues(fresh.union.seed, f.d.r.values()[:fresh.union.width])
		if f.d.w > 0 && outs[h] {
			t.edge(f.from, xnode{b: -1, id: h})
		}
	}
	return nil
}

// appearAll records a batch stage's output rows and returns the identities
// present.
func (t *tracer) appearAll(b, lvl int, out []delta) map[uint64]bool {
	ids := map[uint64]bool{}
	for _, d := range out {
		t.appear(xnode{b: b, lvl: lvl, id: d.r.id}, d.w)
		if d.w > 0 {
			ids[d.r.id] = true
		}
	}
	return ids
}

// stage pushes one stage's input (the consolidated output of the stage
// before) and records the edges from its input identities to its output
// identities. Stages that combine rows (aggregation, DISTINCT, ORDER BY
// windows) take the whole input at once, as in a bootstrap, and their
// edges are computed from the identity they give each input row; every
// other stage is row by row (each input row's output is its own), pushed
// one row at a time.
func (t *tracer) stage(bi, pos int, st, live stage, in []delta) ([]delta, error) {
	from := func(d delta) xnode { return xnode{b: bi, lvl: pos, id: d.r.id} }
	to := func(id uint64) xnode { return xnode{b: bi, lvl: pos + 1, id: id} }
	c := t.c
	// whole records, for a stage that took its whole input, an edge from
	// each input row to the output row of the identity ident gives it.
	whole := func(out []delta, ident func(d delta) (uint64, error)) ([]delta, error) {
		outs := t.appearAll(bi, pos+1, out)
		for _, d := range in {
			if d.w <= 0 {
				continue
			}
			h, err := ident(d)
			if err != nil {
				return nil, err
			}
			if outs[h] {
				t.edge(from(d), to(h))
			}
		}
		return out, nil
	}
	switch s := st.(type) {
	case *aggregateStage:
		out, err := s.push(c, in)
		if err != nil {
			return nil, err
		}
		return whole(t.liveGroupRows(s, live, own(out)), func(d delta) (uint64, error) {
			key := make([]value.Value, len(s.keys))
			c.row = d.r.id
			for i, f := range s.keys {
				v, err := f(c, d.r.values())
				if err != nil {
					return 0, err
				}
				key[i] = v
			}
			return hashValues(s.seed, key), nil
		})
	case *distinctStage:
		out, err := s.push(c, in)
		if err != nil {
			return nil, err
		}
		return whole(own(out), func(d delta) (uint64, error) { return hashValues(s.seed, d.r.values()[:s.width]), nil })
	case *orderStage:
		out, err := s.push(c, in)
		if err != nil {
			return nil, err
		}
		return whole(own(out), func(d delta) (uint64, error) { return d.r.id, nil })
	}
	m, isMatch := st.(*matchStage)
	var all []delta
	for _, d := range in {
		out, err := t.rowOutput(st, live, d)
		if err != nil {
			return nil, err
		}
		for _, o := range out {
			n := to(o.r.id)
			t.appear(n, o.w)
			if o.w <= 0 || d.w <= 0 {
				continue
			}
			t.edge(from(d), n)
			if isMatch {
				t.match[n] = true
				if _, done := t.elems[n]; !done && o.r.nulls == d.r.nulls {
					t.elems[n] = boundElements(m, d.r, o.r, t.c.index.Index.Node)
				}
			}
		}
		all = append(all, out...)
	}
	return all, nil
}

// rowOutput is one input row's output from a row-by-row stage. A
// re-evaluated stage's output is what the live stage remembers for the row
// (computed when the row came, or when a future last fired for it): the
// clock and the temporal state may answer differently now.
func (t *tracer) rowOutput(st, live stage, d delta) ([]delta, error) {
	if _, ok := st.(*reevalStage); ok {
		if lrs, ok := live.(*reevalStage); ok {
			if me := lrs.find(d.r); me != nil {
				return own(scaled(nil, me.outs, d.w)), nil
			}
		}
	}
	out, err := st.push(t.c, []delta{d})
	if err != nil {
		return nil, err
	}
	return own(out), nil
}

// liveGroupRows replaces the rows of an aggregation whose output
// expressions keep temporal state (or whose aggregates are windowed) by the
// rows the live stage holds for the same groups: those were computed when
// the group last changed or a future fired, which the scratch run cannot
// repeat.
func (t *tracer) liveGroupRows(s *aggregateStage, live stage, out []delta) []delta {
	la, ok := live.(*aggregateStage)
	if !ok || (s.site == 0 && len(s.postSites) == 0) {
		return out
	}
	for i, d := range out {
		var key []value.Value
		for _, g := range s.groups[d.r.id] {
			if g.out != nil && g.out.id == d.r.id && identicalRows(g.out.values(), d.r.values()) {
				key = g.key
				break
			}
		}
		if key == nil {
			continue
		}
		for _, g := range la.groups[d.r.id] {
			if g.out != nil && equivalentRows(g.key, key) {
				r := *d.r
				r.setValues(append([]value.Value(nil), g.out.values()...))
				out[i].r = &r
				break
			}
		}
	}
	return out
}

// boundElements lists the nodes and relationships a match stage's solution
// bound in output row out of input row in: the solution's own columns and
// the pattern variables it took from in.
func boundElements(m *matchStage, in, out *row, node func(string) *value.Node) []value.Value {
	var els []value.Value
	for _, slot := range m.pp.nodeIn {
		if slot >= 0 && slot < len(in.values()) {
			els = appendElements(els, in.values()[slot], node)
		}
	}
	for _, slot := range m.pp.relIn {
		if slot >= 0 && slot < len(in.values()) {
			els = appendElements(els, in.values()[slot], node)
		}
	}
	for _, v := range out.values()[min(len(in.values()), len(out.values())):] {
		els = appendElements(els, v, node)
	}
	return els
}

// appendElements appends the elements a pattern column holds: a node, a
// relationship, a variable-length relationship's list, a path's nodes and
// relationships. node looks the nodes of a list up by id.
func appendElements(dst []value.Value, v value.Value, node func(string) *value.Node) []value.Value {
	switch v.Kind() {
	case value.KindNode, value.KindRel:
		return append(dst, v)
	case value.KindList:
		// A variable-length relationship: its relationships and the nodes
		// they pass through (the ends are bound by their own variables).
		for _, x := range v.AsList() {
			dst = appendElements(dst, x, node)
			if x.Kind() == value.KindRel {
				for _, id := range []string{x.AsRel().From, x.AsRel().To} {
					if n := node(id); n != nil {
						dst = append(dst, value.NodeOf(n))
					}
				}
			}
		}
	case value.KindPath:
		p := v.AsPath()
		for i, n := range p.Nodes {
			dst = append(dst, value.NodeOf(n))
			if i < len(p.Rels) {
				dst = append(dst, value.RelOf(p.Rels[i]))
			}
		}
	}
	return dst
}

// walk follows the edges back from the result row n: it returns the
// number of MATCH-solution combinations behind it (Explanation.Matches)
// and the match-stage rows it passed, in order of first appearance.
func (t *tracer) walk(n xnode) (int, []xnode) {
	counts := map[xnode]int{}
	visited := map[xnode]bool{}
	var contributors []xnode
	// nearest lists the match-stage rows closest upstream of v: those
	// reached through other stages only.
	nearest := func(v xnode) []xnode {
		var out []xnode
		seen := map[xnode]bool{}
		stack := append([]xnode(nil), t.preds[v]...)
		for len(stack) > 0 {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[u] || t.live[u] <= 0 {
				continue
			}
			seen[u] = true
			if t.match[u] {
				out = append(out, u)
				continue
			}
			stack = append(stack, t.preds[u]...)
		}
		return out
	}
	// count is the number of solution combinations ending with match row m:
	// those of the rows it extends, or one if no MATCH came before.
	var count func(m xnode) int
	count = func(m xnode) int {
		if k, ok := counts[m]; ok {
			return k
		}
		if !visited[m] {
			visited[m] = true
			contributors = append(contributors, m)
		}
		up := nearest(m)
		k := 0
		for _, u := range up {
			k += count(u)
		}
		if len(up) == 0 {
			k = 1
		}
		counts[m] = k
		return k
	}
	total := 0
	for _, m := range nearest(n) {
		total += count(m)
	}
	sort.Slice(contributors, func(i, j int) bool { return t.seq[contributors[i]] < t.seq[contributors[j]] })
	return total, contributors
}
