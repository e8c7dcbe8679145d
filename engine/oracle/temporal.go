package oracle

import (
	"fmt"
	"strings"
	"time"

	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/functions"
	"github.com/vigilhq/vigil/grammar/ast"
)

// EvaluateHistory computes the full result of q at instant now over the
// graph as it stands after the last change recorded in h, evaluating the
// engine's temporal functions (drasi.trueFor, drasi.trueLater, ...) from
// the element history as ../shared/conformance/README.md states them.
//
// A temporal function reads the history of the row it is evaluated for: the
// input row of its clause (for a MATCH's WHERE or an inline pattern WHERE,
// the match before any WHERE; for a projection, the rows the clause
// receives), identified by the elements it binds and the values UNWIND
// bound; in an aggregating WITH or RETURN, the group, identified by its
// grouping key values, whose contents are its aggregate values (the group
// keys must read input variables no item alias hides). The rows are found by
// evaluating the query up to the clause over the graph after each change.
// The row's run is the changes since the row last
// appeared there, its versions the changes in that run that gave it
// different contents (elements compared with their change times). So:
//
//   - trueFor(cond, d): cond holds at the current version and at every
//     version back to the one at which it became true, and that version's
//     time + d <= now.
//   - trueLater(cond, ts): ts <= now and cond (false while ts is ahead).
//   - trueNowOrLater(cond, ts): cond.
//   - trueUntil(cond, ts): replayed over the run's versions and the
//     re-evaluations its own schedule causes (a schedule is kept, not moved,
//     while cond holds; cond turning false drops it).
//   - previousValue(x [, def]): x at the previous version of the run (def at
//     the first); previousDistinctValue(x [, def]): the last value of x in the
//     run that differed from the one after it (def if none).
//   - changeDateTime(e): e's ChangedAt; getVersionByTimestamp and
//     getVersionsByTimeRange read the element versions in h.
//   - slidingWindow(d, agg(x)): agg over the group's rows whose current
//     version arrived in (now - d, now].
//
// The row's contents must depend only on the elements it binds (no
// datetime.realtime() in the conditions, which the engine reads at each
// re-evaluation rather than at now), and temporal functions must not
// feed the input of a clause holding another one. The other arguments are as
// for Evaluate.
func EvaluateHistory(q *ast.Query, h *History, params map[string]value.Value, funcs *functions.Registry, now time.Time) (*Result, error) {
	if q == nil || len(q.Parts) == 0 {
		return nil, fmt.Errorf("oracle: empty query")
	}
	if funcs == nil {
		funcs = functions.Cypher()
	}
	ev := newEvaluator(h.Graph(), params, funcs, now)
	ev.hist = h.ctx(q, params, funcs, len(h.entries)-1, false)
	return ev.evaluate(q)
}

// evaluate runs every part of q with ev (Evaluate's body, shared with
// EvaluateHistory).
func (ev *evaluator) evaluate(q *ast.Query) (*Result, error) {
	var res *Result
	for i, part := range q.Parts {
		cols, rows, ordered, err := ev.runSingle(part, []row{{}}, nil)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			res = &Result{Columns: cols, Ordered: ordered}
		} else if strings.Join(cols, "\x00") != strings.Join(res.Columns, "\x00") {
			return nil, fmt.Errorf("oracle: UNION parts have different columns: %v and %v", res.Columns, cols)
		}
		for _, r := range rows {
			vals := make([]value.Value, len(cols))
			for j, c := range cols {
				vals[j] = r[c]
			}
			res.Rows = append(res.Rows, vals)
		}
	}
	if len(q.Parts) > 1 {
		res.Ordered = false
		if !q.All {
			res.Rows = distinctRows(res.Rows)
		}
	}
	return res, nil
}

// The engine functions the history evaluation implements (lower case).
const (
	tfTrueLater      = "drasi.truelater"
	tfTrueUntil      = "drasi.trueuntil"
	tfTrueFor        = "drasi.truefor"
	tfTrueNowOrLater = "drasi.truenoworlater"
	tfPrevious       = "drasi.previousvalue"
	tfPrevDistinct   = "drasi.previousdistinctvalue"
	tfChangeDateTime = "drasi.changedatetime"
	tfVersionAt      = "drasi.getversionbytimestamp"
	tfVersionsIn     = "drasi.getversionsbytimerange"
	tfSlidingWindow  = "drasi.slidingwindow"
)

var temporalArity = map[string][2]int{
	tfTrueLater: {2, 2}, tfTrueUntil: {2, 2}, tfTrueFor: {2, 2}, tfTrueNowOrLater: {2, 2},
	tfPrevious: {1, 2}, tfPrevDistinct: {1, 2}, tfChangeDateTime: {1, 1},
	tfVersionAt: {2, 2}, tfVersionsIn: {3, 4}, tfSlidingWindow: {2, 2},
}

// prefixKey names the input of one clause: the clauses of part before it
// (and, for a MATCH, the match itself without its WHERE and inline WHEREs).
// With group set, the rows are instead the groups of the aggregating
// projection of that clause: a temporal function there belongs to the
// group's row, identified by its grouping key values.
type prefixKey struct {
	part   *ast.SingleQuery
	clause int
	group  bool
}

// histCtx is what an evaluation needs to read the history: the query, the
// last entry it may see (its "now" graph) and, for evaluations of a
// clause's input at a past entry, that only stateless functions may run.
type histCtx struct {
	h         *History
	q         *ast.Query
	params    map[string]value.Value
	funcs     *functions.Registry
	upto      int
	stateless bool
	sites     map[*ast.Call]prefixKey
}

// querySites locates every engine temporal call of q: the clause it is in,
// and whether it belongs to the groups of an aggregating projection
// (drasi.slidingWindow, an aggregate itself, reads the rows it aggregates).
func querySites(q *ast.Query, funcs *functions.Registry) map[*ast.Call]prefixKey {
	sites := map[*ast.Call]prefixKey{}
	for _, part := range q.Parts {
		for ci, c := range part.Clauses {
			var exprs []ast.Expr
			group := false
			switch c := c.(type) {
			case *ast.Match:
				exprs = append(exprs, c.Where)
				for _, pp := range c.Pattern {
					for _, n := range pp.Nodes {
						exprs = append(exprs, n.Where)
					}
					for _, r := range pp.Rels {
						exprs = append(exprs, r.Where)
					}
				}
			case *ast.Unwind:
				exprs = append(exprs, c.Expr)
			case *ast.With:
				exprs = append(exprs, projectionExprs(&c.Projection)...)
				exprs = append(exprs, c.Where)
				group = aggregates(&c.Projection, funcs)
			case *ast.Return:
				exprs = append(exprs, projectionExprs(&c.Projection)...)
				group = aggregates(&c.Projection, funcs)
			}
			for _, e := range exprs {
				walk(e, func(x ast.Expr) bool {
					if call, ok := x.(*ast.Call); ok {
						if name := strings.ToLower(call.Name); temporalArity[name] != [2]int{} {
							sites[call] = prefixKey{part: part, clause: ci, group: group && name != tfSlidingWindow}
						}
					}
					return true
				})
			}
		}
	}
	return sites
}

// aggregates reports whether a projection groups: it has GROUP BY or an
// item or sort key calling an aggregate (drasi.slidingWindow included).
func aggregates(p *ast.Projection, funcs *functions.Registry) bool {
	if p.GroupBy != nil {
		return true
	}
	found := false
	for _, e := range projectionExprs(p) {
		walk(e, func(x ast.Expr) bool {
			if call, ok := x.(*ast.Call); ok && (funcs.IsAggregate(call.Name) || strings.EqualFold(call.Name, tfSlidingWindow)) {
				found = true
			}
			return !found
		})
	}
	return found
}

// stateful reports whether e calls a temporal function whose value depends
// on the history of its row (everything but the element readers).
func stateful(e ast.Expr) bool {
	found := false
	walk(e, func(x ast.Expr) bool {
		if call, ok := x.(*ast.Call); ok {
			switch name := strings.ToLower(call.Name); name {
			case tfChangeDateTime, tfVersionAt, tfVersionsIn:
			default:
				if temporalArity[name] != [2]int{} {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

func projectionExprs(p *ast.Projection) []ast.Expr {
	var out []ast.Expr
	for _, it := range p.Items {
		out = append(out, it.Expr)
	}
	out = append(out, p.GroupBy...)
	for _, s := range p.OrderBy {
		out = append(out, s.Expr)
	}
	return out
}

// ctx returns the history context of q seeing entries up to upto.
func (h *History) ctx(q *ast.Query, params map[string]value.Value, funcs *functions.Registry, upto int, stateless bool) *histCtx {
	if h.sites == nil {
		h.sites = map[*ast.Query]map[*ast.Call]prefixKey{}
	}
	s := h.sites[q]
	if s == nil {
		s = querySites(q, funcs)
		h.sites[q] = s
	}
	return &histCtx{h: h, q: q, params: params, funcs: funcs, upto: upto, stateless: stateless, sites: s}
}

// evAt is an evaluator of the graph right after entry i, at that entry's
// time (for conditions evaluated at past versions of a row).
func (hc *histCtx) evAt(i int) *evaluator {
	evs := hc.h.evs[hc.q]
	for len(evs) <= i {
		evs = append(evs, nil)
	}
	if evs[i] == nil {
		e := hc.h.entries[i]
		evs[i] = newEvaluator(e.g, hc.params, hc.funcs, e.at)
		evs[i].hist = hc.h.ctx(hc.q, hc.params, hc.funcs, i, true)
	}
	hc.h.evs[hc.q] = evs
	return evs[i]
}

// inRow is one row at the input of a temporal function: its variables and,
// for a group, the group's aggregate values.
type inRow struct {
	r    row
	aggs map[*ast.Call]value.Value
}

// prefix is the query evaluated up to the input of clause k: the clauses
// before it and, for a MATCH, the match stripped of every WHERE; with it,
// the names of the variables UNWIND binds there.
func prefix(k prefixKey) (*ast.SingleQuery, map[string]bool) {
	clauses := append([]ast.Clause(nil), k.part.Clauses[:k.clause]...)
	if m, ok := k.part.Clauses[k.clause].(*ast.Match); ok {
		bare := *m
		bare.Where = nil
		bare.Pattern = nil
		for _, pp := range m.Pattern {
			c := *pp
			c.Nodes, c.Rels = nil, nil
			for _, n := range pp.Nodes {
				x := *n
				x.Where = nil
				c.Nodes = append(c.Nodes, &x)
			}
			for _, r := range pp.Rels {
				x := *r
				x.Where = nil
				c.Rels = append(c.Rels, &x)
			}
			bare.Pattern = append(bare.Pattern, &c)
		}
		clauses = append(clauses, &bare)
	}
	unwound := map[string]bool{}
	for _, c := range clauses {
		switch c := c.(type) {
		case *ast.Unwind:
			unwound[c.Var] = true
		case *ast.With:
			// A projection starts a new scope: what it keeps of an
			// unwound value is a value like any other.
			unwound = map[string]bool{}
		}
	}
	return &ast.SingleQuery{Clauses: clauses}, unwound
}

// rowsAt is the input of the clause k at entry i, by row identity: the rows
// the clause receives or, for a group site, the groups of its projection.
func (hc *histCtx) rowsAt(k prefixKey, i int) (map[string]inRow, error) {
	cache := hc.h.prefix[k]
	for len(cache) <= i {
		cache = append(cache, nil)
	}
	hc.h.prefix[k] = cache
	if cache[i] != nil {
		return cache[i], nil
	}
	pre, unwound := prefix(k)
	ev := hc.evAt(i)
	_, rows, _, err := ev.runSingle(pre, []row{{}}, nil)
	if err != nil {
		return nil, err
	}
	out := make(map[string]inRow, len(rows))
	if k.group {
		if out, err = ev.groupRows(k, rows); err != nil {
			return nil, err
		}
		cache[i] = out
		return out, nil
	}
	for _, r := range rows {
		key := rowKey(r, unwound)
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("oracle: two input rows with identity %s: temporal functions need distinct rows", key)
		}
		out[key] = inRow{r: r}
	}
	cache[i] = out
	return out, nil
}

// groupRows is the groups of the aggregating projection of clause k over
// its input rows, by grouping key: each with its aggregate values and, as
// variables, its first input row overlaid with the items that call no
// history-dependent temporal function (those are what is evaluated from
// these rows, so cannot be part of them).
func (ev *evaluator) groupRows(k prefixKey, rows []row) (map[string]inRow, error) {
	p, calls, keys, err := ev.groupItems(k)
	if err != nil {
		return nil, err
	}
	groups, err := ev.group(keys, rows)
	if err != nil {
		return nil, err
	}
	out := make(map[string]inRow, len(groups))
	for _, g := range groups {
		aggs, err := ev.aggregate(calls, g.rows)
		if err != nil {
			return nil, err
		}
		src := row{}
		if len(g.rows) > 0 {
			src = g.rows[0]
		}
		items := row{}
		for _, it := range p.Items {
			if stateful(it.Expr) {
				continue
			}
			v, err := ev.eval(it.Expr, &frame{vars: src, aggs: aggs})
			if err != nil {
				return nil, err
			}
			items[it.Alias] = v
		}
		out[groupKey(g.key)] = inRow{r: src.overlay(items), aggs: aggs}
	}
	return out, nil
}

// groupItems splits the items of the aggregating projection of clause k:
// the aggregate calls and the grouping keys (the items calling none).
func (ev *evaluator) groupItems(k prefixKey) (*ast.Projection, []*ast.Call, []ast.Expr, error) {
	var p *ast.Projection
	switch c := k.part.Clauses[k.clause].(type) {
	case *ast.With:
		p = &c.Projection
	case *ast.Return:
		p = &c.Projection
	}
	if p == nil || p.Star || p.GroupBy != nil {
		return nil, nil, nil, fmt.Errorf("oracle: a temporal function over a GROUP BY or * projection: not supported")
	}
	var calls []*ast.Call
	var keys []ast.Expr
	for _, it := range p.Items {
		n := len(calls)
		calls = ev.aggregateCalls(it.Expr, calls)
		if len(calls) == n {
			keys = append(keys, it.Expr)
		}
	}
	for _, s := range p.OrderBy {
		calls = ev.aggregateCalls(s.Expr, calls)
	}
	return p, calls, keys, nil
}

// groupOf identifies the group a frame of the projection of clause k
// evaluates for: its grouping keys over the frame's variables (the group's
// first row, overlaid with the items in WITH's WHERE). The keys must read
// input variables no item alias hides with another value.
func (ev *evaluator) groupOf(k prefixKey, f *frame) (string, error) {
	_, _, keys, err := ev.groupItems(k)
	if err != nil {
		return "", err
	}
	vals := make([]value.Value, len(keys))
	for i, x := range keys {
		if vals[i], err = ev.eval(x, &frame{vars: f.vars}); err != nil {
			return "", err
		}
	}
	return groupKey(vals), nil
}

// groupKey identifies a group by its grouping key values.
func groupKey(key []value.Value) string {
	parts := make([]string, len(key))
	for i, v := range key {
		parts[i] = v.Kind().String() + ":" + v.String()
	}
	return "group\x00" + strings.Join(parts, "\x00")
}

// rowKey identifies a row by the elements it binds and the values UNWIND
// bound, by variable (or, binding none, by its values).
func rowKey(r row, unwound map[string]bool) string {
	var ids, vals []string
	for name, v := range r {
		switch {
		case v.Kind() == value.KindNode:
			ids = append(ids, name+"=n:"+v.AsNode().ID)
		case v.Kind() == value.KindRel:
			ids = append(ids, name+"=r:"+v.AsRel().ID)
		case unwound[name]:
			ids = append(ids, name+"=v:"+v.Kind().String()+":"+v.String())
		default:
			vals = append(vals, name+"="+v.String())
		}
	}
	if len(ids) == 0 {
		ids = vals
	}
	sortStrings(ids)
	return strings.Join(ids, "\x00")
}

// identicalAggs compares the aggregate values of two versions of a group.
func identicalAggs(a, b map[*ast.Call]value.Value) bool {
	if len(a) != len(b) {
		return false
	}
	for k, x := range a {
		y, ok := b[k]
		if !ok || x.Kind() != y.Kind() || !value.Identical(x, y) {
			return false
		}
	}
	return true
}

func identicalRow(a, b row) bool {
	if len(a) != len(b) {
		return false
	}
	for k, x := range a {
		y, ok := b[k]
		if !ok || x.Kind() != y.Kind() || !value.Identical(x, y) {
			return false
		}
	}
	return true
}

// rowVersion is one version of a row in its run: its contents, the time
// they arrived and the entry they arrived with.
type rowVersion struct {
	at   time.Time
	idx  int
	r    row
	aggs map[*ast.Call]value.Value
}

// runState holds, for the input of one clause, the run of every row as of
// entry upto (a memo of a pure function of the history, extended as the
// history grows).
type runState struct {
	upto int
	runs map[string][]rowVersion
}

// run lists the versions of the row key at the input of clause k since it
// last appeared there, oldest first. The caller must not modify them.
func (hc *histCtx) run(k prefixKey, key string) ([]rowVersion, error) {
	st := hc.h.runs[k]
	if st == nil {
		st = &runState{upto: -1, runs: map[string][]rowVersion{}}
		hc.h.runs[k] = st
	}
	if hc.upto < st.upto {
		return nil, fmt.Errorf("oracle: history evaluated out of order")
	}
	for i := st.upto + 1; i <= hc.upto; i++ {
		rows, err := hc.rowsAt(k, i)
		if err != nil {
			return nil, err
		}
		for key := range st.runs {
			if _, ok := rows[key]; !ok {
				delete(st.runs, key)
			}
		}
		for key, r := range rows {
			vs := st.runs[key]
			// A group's row is its key and aggregate values: another first
			// row with the same aggregates is no change of it.
			if n := len(vs); n > 0 && (k.group || identicalRow(vs[n-1].r, r.r)) && identicalAggs(vs[n-1].aggs, r.aggs) {
				continue
			}
			st.runs[key] = append(vs, rowVersion{at: hc.h.entries[i].at, idx: i, r: r.r, aggs: r.aggs})
		}
		st.upto = i
	}
	vs := st.runs[key]
	if len(vs) == 0 {
		return nil, fmt.Errorf("oracle: row %s is not at the input of its clause", key)
	}
	return vs, nil
}

// isAggregate reports whether name is an aggregate here: the registry's,
// and drasi.slidingWindow in a history evaluation.
func (ev *evaluator) isAggregate(name string) bool {
	return ev.funcs.IsAggregate(name) || (ev.hist != nil && strings.EqualFold(name, tfSlidingWindow))
}

// isSlidingWindow reports whether c is a drasi.slidingWindow call to
// evaluate from the history.
func (ev *evaluator) isSlidingWindow(c *ast.Call) bool {
	return ev.hist != nil && strings.EqualFold(c.Name, tfSlidingWindow)
}

// instantArg converts a timestamp argument as the engine does: integers and
// floats are milliseconds since the epoch; datetimes, local datetimes and
// dates are their instant.
func instantArg(v value.Value) (time.Time, bool) {
	switch v.Kind() {
	case value.KindInt:
		return time.UnixMilli(v.AsInt()).UTC(), true
	case value.KindFloat:
		return time.UnixMilli(int64(v.AsFloat())).UTC(), true
	}
	return value.InstantOf(v)
}

// spanArg converts a duration argument: integers are milliseconds.
func spanArg(v value.Value) (time.Duration, bool) {
	if v.Kind() == value.KindInt {
		return time.Duration(v.AsInt()) * time.Millisecond, true
	}
	return value.SpanOf(v)
}

func badArg(v value.Value, what string) error {
	if v.IsNull() {
		return nil
	}
	return typeError("%s must be a datetime, date or epoch milliseconds, got %s", what, v.Kind())
}

// temporalCall evaluates an engine temporal function; ok is false when e is
// not one (or the evaluation has no history).
func (ev *evaluator) temporalCall(e *ast.Call, f *frame) (v value.Value, ok bool, err error) {
	hc := ev.hist
	if hc == nil {
		return value.Null, false, nil
	}
	name := strings.ToLower(e.Name)
	ar, known := temporalArity[name]
	if !known || name == tfSlidingWindow {
		return value.Null, false, nil
	}
	if len(e.Args) < ar[0] || len(e.Args) > ar[1] {
		return value.Null, true, fmt.Errorf("oracle: wrong number of arguments to %s: %d", e.Name, len(e.Args))
	}
	arg := func(i int) (value.Value, error) { return ev.eval(e.Args[i], f) }
	switch name {
	case tfChangeDateTime:
		x, err := arg(0)
		if err != nil {
			return value.Null, true, err
		}
		switch x.Kind() {
		case value.KindNode:
			return value.DateTimeOf(time.Unix(0, x.AsNode().ChangedAt).UTC()), true, nil
		case value.KindRel:
			return value.DateTimeOf(time.Unix(0, x.AsRel().ChangedAt).UTC()), true, nil
		case value.KindNull:
			return value.Null, true, nil
		}
		return value.Null, true, typeError("drasi.changeDateTime expects a node or relationship, got %s", x.Kind())
	case tfVersionAt, tfVersionsIn:
		v, err := ev.versions(name, e, f)
		return v, true, err
	case tfTrueLater:
		tv, err := arg(1)
		if err != nil {
			return value.Null, true, err
		}
		t, ok := instantArg(tv)
		if !ok {
			return value.Null, true, badArg(tv, "drasi.trueLater: timestamp")
		}
		if t.After(ev.now) {
			return value.False, true, nil
		}
		v, err := arg(0)
		return v, true, err
	case tfTrueNowOrLater:
		if _, err := arg(1); err != nil {
			return value.Null, true, err
		}
		v, err := arg(0)
		return v, true, err
	}
	if hc.stateless {
		return value.Null, true, fmt.Errorf("oracle: %s feeds a clause that holds another temporal function: not supported", e.Name)
	}
	site, found := hc.sites[e]
	if !found {
		return value.Null, true, fmt.Errorf("oracle: %s outside a clause", e.Name)
	}
	var key string
	if site.group {
		if key, err = ev.groupOf(site, f); err != nil {
			return value.Null, true, err
		}
	} else {
		_, unwound := prefix(site)
		key = rowKey(f.vars, unwound)
	}
	run, err := hc.run(site, key)
	if err != nil {
		return value.Null, true, err
	}
	at := func(v rowVersion, x ast.Expr) (value.Value, error) {
		return hc.evAt(v.idx).eval(x, &frame{vars: v.r, aggs: v.aggs})
	}
	last := len(run) - 1
	switch name {
	case tfTrueFor:
		v, err := ev.trueFor(e, f, run, at)
		return v, true, err
	case tfTrueUntil:
		v, err := ev.trueUntil(e, run, at)
		return v, true, err
	case tfPrevious:
		if last > 0 {
			v, err := at(run[last-1], e.Args[0])
			return v, true, err
		}
		if len(e.Args) > 1 {
			v, err := arg(1)
			return v, true, err
		}
		return value.Null, true, nil
	case tfPrevDistinct:
		xs := make([]value.Value, len(run))
		for i, rv := range run {
			if xs[i], err = at(rv, e.Args[0]); err != nil {
				return value.Null, true, err
			}
		}
		for i := last - 1; i >= 0; i-- {
			if !value.Equivalent(xs[i], xs[i+1]) {
				return xs[i], true, nil
			}
		}
		if len(e.Args) > 1 {
			v, err := arg(1)
			return v, true, err
		}
		return value.Null, true, nil
	}
	return value.Null, false, nil
}

func truthy(v value.Value) bool { return v.Kind() == value.KindBool && v.AsBool() }

// trueFor: cond has held at every version since the one at which it became
// true, and that version's time + d has come.
func (ev *evaluator) trueFor(e *ast.Call, f *frame, run []rowVersion, at func(rowVersion, ast.Expr) (value.Value, error)) (value.Value, error) {
	cv, err := ev.eval(e.Args[0], f)
	if err != nil || !truthy(cv) {
		return value.False, err
	}
	dv, err := ev.eval(e.Args[1], f)
	if err != nil {
		return value.Null, err
	}
	d, ok := spanArg(dv)
	if !ok {
		return value.Null, badArg(dv, "drasi.trueFor: duration")
	}
	j := len(run) - 1
	for j > 0 {
		c, err := at(run[j-1], e.Args[0])
		if err != nil {
			return value.Null, err
		}
		if !truthy(c) {
			break
		}
		j--
	}
	return value.Bool(!run[j].at.Add(d).After(ev.now)), nil
}

// trueUntil replays the row's run: each version is evaluated at its time,
// after the re-evaluations its pending schedule caused before then.
func (ev *evaluator) trueUntil(e *ast.Call, run []rowVersion, at func(rowVersion, ast.Expr) (value.Value, error)) (value.Value, error) {
	var pending time.Time // zero: none
	res := value.False
	evalAt := func(v rowVersion, now time.Time) error {
		cv, err := at(v, e.Args[0])
		if err != nil {
			return err
		}
		if !truthy(cv) {
			pending, res = time.Time{}, value.False
			return nil
		}
		tv, err := at(v, e.Args[1])
		if err != nil {
			return err
		}
		t, ok := instantArg(tv)
		if !ok {
			res = value.Null
			return badArg(tv, "drasi.trueUntil: timestamp")
		}
		if !t.After(now) {
			res = cv
			return nil
		}
		if pending.IsZero() {
			pending = t
		}
		res = value.False
		return nil
	}
	fire := func(prev rowVersion, until time.Time) error {
		for !pending.IsZero() && !pending.After(until) {
			p := pending
			pending = time.Time{}
			if err := evalAt(prev, p); err != nil {
				return err
			}
		}
		return nil
	}
	for i, v := range run {
		if i > 0 {
			if err := fire(run[i-1], v.at); err != nil {
				return value.Null, err
			}
		}
		if err := evalAt(v, v.at); err != nil {
			return value.Null, err
		}
	}
	if err := fire(run[len(run)-1], ev.now); err != nil {
		return value.Null, err
	}
	return res, nil
}

// versions evaluates drasi.getVersionByTimestamp and
// drasi.getVersionsByTimeRange from the element versions.
func (ev *evaluator) versions(name string, e *ast.Call, f *frame) (value.Value, error) {
	vals := make([]value.Value, len(e.Args))
	for i, a := range e.Args {
		v, err := ev.eval(a, f)
		if err != nil {
			return value.Null, err
		}
		vals[i] = v
	}
	var id string
	switch vals[0].Kind() {
	case value.KindNode:
		id = vals[0].AsNode().ID
	case value.KindRel:
		id = vals[0].AsRel().ID
	case value.KindNull:
		return value.Null, nil
	default:
		return value.Null, typeError("%s expects a node or relationship, got %s", name, vals[0].Kind())
	}
	h := ev.hist.h
	if name == tfVersionAt {
		t, ok := instantArg(vals[1])
		if !ok {
			return value.Null, badArg(vals[1], name)
		}
		return h.versionAt(id, t.UnixNano()), nil
	}
	from, ok1 := instantArg(vals[1])
	to, ok2 := instantArg(vals[2])
	if !ok1 || !ok2 {
		bad := vals[1]
		if ok1 {
			bad = vals[2]
		}
		return value.Null, badArg(bad, name)
	}
	lo, hi := from.UnixNano(), to.UnixNano()
	out := []value.Value{}
	if len(vals) > 3 && vals[3].Kind() == value.KindBool && vals[3].AsBool() {
		// The version in effect at from, if it began before from.
		var cur *elemVersion
		for i := range h.versions[id] {
			if h.versions[id][i].at > lo {
				break
			}
			cur = &h.versions[id][i]
		}
		if cur != nil && cur.at < lo && !cur.v.IsNull() {
			out = append(out, cur.v)
		}
	}
	for _, v := range h.versions[id] {
		if v.at >= lo && v.at <= hi && !v.v.IsNull() {
			out = append(out, v.v)
		}
	}
	return value.List(out), nil
}

// slidingWindow evaluates drasi.slidingWindow(d, agg(x)) over one group's
// rows: agg over the rows whose current version arrived in (now - d, now].
func (ev *evaluator) slidingWindow(c *ast.Call, rows []row) (value.Value, error) {
	hc := ev.hist
	inner, ok := c.Args[1].(*ast.Call)
	if len(c.Args) != 2 || !ok || !ev.funcs.IsAggregate(inner.Name) {
		return value.Null, fmt.Errorf("oracle: drasi.slidingWindow(duration, aggregation) expected")
	}
	if hc.stateless {
		return value.Null, fmt.Errorf("oracle: drasi.slidingWindow feeds a clause that holds another temporal function: not supported")
	}
	dv, err := ev.eval(c.Args[0], &frame{vars: row{}})
	if err != nil {
		return value.Null, err
	}
	d, ok := spanArg(dv)
	if !ok || d <= 0 {
		return value.Null, typeError("drasi.slidingWindow: the window must be a positive duration, got %s", dv)
	}
	site := hc.sites[c]
	var in []row
	for _, r := range rows {
		_, unwound := prefix(site)
		run, err := hc.run(site, rowKey(r, unwound))
		if err != nil {
			return value.Null, err
		}
		if run[len(run)-1].at.Add(d).After(ev.now) {
			in = append(in, r)
		}
	}
	aggs, err := ev.aggregate([]*ast.Call{inner}, in)
	if err != nil {
		return value.Null, err
	}
	return aggs[inner], nil
}
