package engine

import (
	"sort"
	"strings"
	"time"

	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/functions"
	"github.com/vigilhq/vigil/grammar/ast"
)

// planner compiles a query's AST into pipelines of stages.
type planner struct {
	funcs   funcSet
	params  map[string]value.Value
	index   *Index
	seed    value.Seed // the engine's: keys the stages' hashes
	anon    int
	matches []*matchStage // every match stage, for change routing
	// readsGraph is set when an expression reads the graph beyond its row
	// (pattern predicates, pattern comprehensions).
	readsGraph bool
	// subs collects the pattern expressions compiled since it was last
	// reset, so that the stage holding them can be re-evaluated when the
	// graph under them changes.
	subs []*subPattern
	// reads collects the node labels and relation types the query's
	// patterns name (Query.Reads).
	readNodes, readRels map[string]bool
	// watchers are the stages that must see each element change before and
	// after it is applied (match stages, re-evaluated stages).
	watchers []watcher
	// Temporal call sites: numbered per query; pendingSites are those
	// compiled since the last wrap, volatile marks a clock- or
	// chance-dependent call since then.
	nextSite     int
	pendingSites []int
	volatile     bool
	siteCalls    map[int]*ast.Call // the call of each site, for errors
}

// wrap returns st, made to remember what each row produced when its
// expressions read the graph beyond the row (re-evaluated when the graph
// under them changes), keep per-row temporal state, or depend on the clock
// (re-evaluated when a future fires). st must be stateless.
func (pl *planner) wrap(st stage, inWidth int) stage {
	subs, sites, volatile := pl.subs, pl.pendingSites, pl.volatile
	pl.resetStage()
	if len(subs) == 0 && len(sites) == 0 && !volatile {
		return st
	}
	rs := newReevalStage(st, subs, inWidth)
	rs.sites = sites
	rs.clock = volatile || len(sites) > 0
	if len(subs) > 0 {
		pl.watchers = append(pl.watchers, rs)
	}
	return rs
}

// resetStage starts collecting what the next stage's expressions need.
func (pl *planner) resetStage() {
	pl.subs, pl.pendingSites, pl.volatile = nil, nil, false
}

// pipeline is one single query (one union branch) compiled.
type pipeline struct {
	stages  []stage
	columns []string
	final   *orderStage // the RETURN's ORDER BY stage, if any
}

func (pl *planner) constCtx() *evalCtx {
	return &evalCtx{index: graph{Index: pl.index}, params: pl.params}
}

func (pl *planner) exprCompiler() *exprCompiler {
	return &exprCompiler{funcs: pl.funcs, params: pl.params, plan: pl}
}

// compileQuery compiles every union branch.
func (pl *planner) compileQuery(q *ast.Query) ([]*pipeline, error) {
	var out []*pipeline
	for _, sq := range q.Parts {
		p, err := pl.single(sq)
		if err != nil {
			return nil, err
		}
		if len(out) > 0 && !sameColumns(out[0].columns, p.columns) {
			return nil, ast.Errorf(sq.Pos, "DifferentColumnsInUnion", "all parts of a UNION must return the same columns")
		}
		out = append(out, p)
	}
	return out, nil
}

func sameColumns(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (pl *planner) single(sq *ast.SingleQuery) (*pipeline, error) {
	sc := &scope{}
	p := &pipeline{}
	var carry []bool // sort directions of the hidden sort keys the previous WITH kept
	for i, cl := range sq.Clauses {
		switch cl := cl.(type) {
		case *ast.Match:
			ec := pl.exprCompiler()
			pp, err := pl.compilePattern(cl.Pattern, sc, ec)
			if err != nil {
				return nil, err
			}
			conds := append([]ast.Expr(nil), pp.residual...)
			if cl.Where != nil {
				conds = append(conds, splitAnd(cl.Where)...)
			}
			// Conditions that read the graph beyond the match (pattern
			// predicates) run in a stage of their own that is re-evaluated
			// when the graph under them changes; an OPTIONAL MATCH keeps
			// them, since they decide which rows get nulls.
			var plain, graphy []ast.Expr
			temporal := false
			for _, c := range conds {
				temporal = temporal || pl.timeDependent(c)
			}
			for _, c := range conds {
				switch {
				case cl.Optional:
					plain = append(plain, c)
				case temporal && !cl.Optional:
					// A temporal function's row is the match before the
					// WHERE: it must see every change of the row, also
					// those another condition rejects
					// (`c.status = 'active' AND
					// drasi.previousDistinctValue(c.status) = 'pending'`),
					// so the whole WHERE runs in the stage that keeps its
					// state.
					graphy = append(graphy, c)
				case readsGraph(c):
					graphy = append(graphy, c)
				default:
					plain = append(plain, c)
				}
			}
			var where evalFn
			pl.resetStage()
			if len(plain) > 0 {
				if where, err = ec.compile(conjunction(plain), pp.out); err != nil {
					return nil, err
				}
				if err := pl.refuseSites("in the WHERE of an OPTIONAL MATCH (filter in a WITH ... WHERE after it)"); err != nil {
					return nil, err
				}
			}
			pl.resetStage()
			ms := newMatchStage(pp, cl.Optional, where)
			p.stages = append(p.stages, ms)
			pl.matches = append(pl.matches, ms)
			pl.watchers = append(pl.watchers, ms)
			sc = pp.out
			if len(graphy) > 0 {
				f, err := ec.compile(conjunction(graphy), sc)
				if err != nil {
					return nil, err
				}
				p.stages = append(p.stages, pl.wrap(&filterStage{cond: f}, len(sc.names)))
			}
		case *ast.Unwind:
			pl.resetStage()
			f, err := pl.exprCompiler().compile(cl.Expr, sc)
			if err != nil {
				return nil, err
			}
			p.stages = append(p.stages, pl.wrap(&unwindStage{list: f}, len(sc.names)))
			sc = sc.clone()
			sc.add(cl.Var)
		case *ast.With:
			// A WITH's ORDER BY orders the result when a plain RETURN
			// follows, and the lists that a following collect() builds:
			// its sort keys ride along as hidden columns.
			prevCarry := carry
			carry = nil
			if len(cl.OrderBy) > 0 && i+1 < len(sq.Clauses) {
				var next *ast.Projection
				switch n := sq.Clauses[i+1].(type) {
				case *ast.Return:
					next = &n.Projection
				case *ast.With:
					next = &n.Projection
				}
				if next != nil && (pl.plainProjection(next) || pl.collectsInOrder(next)) {
					if _, isReturn := sq.Clauses[i+1].(*ast.Return); isReturn || !pl.plainProjection(next) {
						for _, s := range cl.OrderBy {
							carry = append(carry, s.Descending)
						}
					}
				}
			}
			stages, out, _, _, err := pl.projection(&cl.Projection, cl.Where, sc, len(carry) > 0, prevCarry)
			if err != nil {
				return nil, err
			}
			p.stages = append(p.stages, stages...)
			sc = out
		case *ast.Return:
			if i != len(sq.Clauses)-1 {
				return nil, ast.Errorf(cl.Pos, "InvalidClauseComposition", "RETURN must be the last clause")
			}
			stages, _, cols, final, err := pl.projection(&cl.Projection, nil, sc, false, carry)
			if err != nil {
				return nil, err
			}
			p.stages = append(p.stages, stages...)
			p.columns = cols
			p.final = final
		case *ast.Create:
			return nil, ast.Errorf(cl.Pos, "UnsupportedClause", "CREATE is not allowed in a continuous query")
		default:
			return nil, ast.Errorf(cl.Position(), "UnsupportedClause", "unsupported clause %T", cl)
		}
	}
	if p.columns == nil {
		return nil, ast.Errorf(sq.Pos, "InvalidClauseComposition", "a query must end with RETURN")
	}
	markScratch(p.stages)
	return p, nil
}

// markScratch lets the stages whose output rows no later stage keeps build
// them in per-step scratch memory (see matchStage.transient).
func markScratch(stages []stage) {
	for i, st := range stages {
		switch s := st.(type) {
		case *matchStage:
			s.transient = !keepsRows(stages[i+1:])
		case *projectStage:
			s.inPipeline = true
			s.transient = !keepsRows(stages[i+1:])
		}
	}
}

// keepsRows reports whether the stages (the rest of a pipeline) may keep
// their input rows, or slices of their values, past the step. A plain
// projection, an aggregation and an unwind only read their input rows (the
// values they copy out are heap values, never the row's array); a filter
// and a trim pass rows (or their arrays) on, so the stages after them
// decide; the end of the pipeline (the result, the union), a match (its
// input store), DISTINCT, ORDER BY and a re-evaluated stage (its memo) keep
// them.
func keepsRows(rest []stage) bool {
	if len(rest) == 0 {
		return true
	}
	switch rest[0].(type) {
	case *projectStage, *aggregateStage, *unwindStage:
		return false
	case *filterStage, *trimStage:
		return keepsRows(rest[1:])
	}
	return true
}

func conjunction(es []ast.Expr) ast.Expr {
	e := es[0]
	for _, x := range es[1:] {
		e = &ast.Binary{Pos: x.Position(), Op: ast.OpAnd, L: e, R: x}
	}
	return e
}

// starItems lists the projection items that `*` stands for: every visible
// variable in scope, by name.
func starItems(sc *scope) []*ast.ProjectionItem {
	seen := map[string]bool{}
	var names []string
	for _, n := range sc.names {
		if isHidden(n) || seen[n] {
			continue
		}
		seen[n] = true
		names = append(names, n)
	}
	sort.Strings(names)
	items := make([]*ast.ProjectionItem, len(names))
	for i, n := range names {
		items[i] = &ast.ProjectionItem{Expr: &ast.Var{Name: n}, Alias: n, Explicit: true}
	}
	return items
}

// projection compiles a WITH or RETURN body: projection or aggregation,
// DISTINCT, ORDER BY / SKIP / LIMIT, and a WITH's WHERE. It returns the
// stages, the scope after it, the column names and the order stage (if any).
//
// Sort keys and the WHERE condition are computed by the projecting stage,
// where both the projected aliases and (for a non-aggregating projection)
// the incoming variables are visible, and travel as hidden columns after
// the visible ones until a trim stage drops them.
//
// keepSort leaves a WITH's sort keys in place after the visible columns;
// carry (for a plain RETURN after such a WITH) lists their directions, and
// the RETURN copies them and keeps its rows in that order.
func (pl *planner) projection(p *ast.Projection, where ast.Expr, sc *scope, keepSort bool, carry []bool) ([]stage, *scope, []string, *orderStage, error) {
	items := p.Items
	if p.Star {
		star := starItems(sc)
		if len(star) == 0 && len(items) == 0 {
			return nil, nil, nil, nil, ast.Errorf(ast.Pos{}, "NoVariablesInScope", "RETURN * / WITH * with no variables in scope")
		}
		items = append(star, items...)
	}
	cols := make([]string, len(items))
	for i, it := range items {
		cols[i] = it.Alias
	}
	var aggs []*ast.Call
	for _, it := range items {
		collectAggregates(it.Expr, pl.funcs, &aggs)
	}
	nItemAggs := len(aggs)
	for _, s := range p.OrderBy {
		collectAggregates(s.Expr, pl.funcs, &aggs)
	}
	aggregating := p.GroupBy != nil || nItemAggs > 0
	if !aggregating && len(aggs) > 0 {
		return nil, nil, nil, nil, ast.Errorf(aggs[0].Pos, "InvalidAggregation", "aggregation in ORDER BY of a non-aggregating projection")
	}
	var stages []stage
	pl.resetStage()
	if !aggregating {
		ec := pl.exprCompiler()
		ps := &projectStage{ext: len(sc.names), carry: len(carry)}
		for _, it := range items {
			f, err := ec.compile(it.Expr, sc)
			if err != nil {
				return nil, nil, nil, nil, err
			}
			ps.items = append(ps.items, f)
		}
		sortScope := sc.clone()
		for _, c := range cols {
			sortScope.add(c)
		}
		for _, s := range p.OrderBy {
			f, err := ec.compile(s.Expr, sortScope)
			if err != nil {
				return nil, nil, nil, nil, err
			}
			ps.sort = append(ps.sort, f)
		}
		if where != nil {
			f, err := ec.compile(where, sortScope)
			if err != nil {
				return nil, nil, nil, nil, err
			}
			ps.sort = append(ps.sort, f)
		}
		stages = append(stages, pl.wrap(ps, len(sc.names)))
	} else {
		as, err := pl.aggregation(p, where, items, cols, aggs, sc, carry)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		// Pattern expressions inside an aggregation are evaluated when a
		// row arrives and not re-evaluated later (see docs).
		pl.resetStage()
		stages = append(stages, as)
	}
	width := len(items)
	if p.Distinct {
		stages = append(stages, &distinctStage{width: width, counts: map[uint64][]*distinctEntry{}, seed: pl.seed})
	}
	var os *orderStage
	if len(carry) > 0 && !aggregating {
		os = &orderStage{width: width, limit: -1, desc: carry}
		stages = append(stages, os, &trimStage{width: width})
	}
	if len(p.OrderBy) > 0 || p.Skip != nil || p.Limit != nil {
		os = &orderStage{width: width, limit: -1}
		for _, s := range p.OrderBy {
			os.desc = append(os.desc, s.Descending)
		}
		var err error
		if p.Skip != nil {
			if os.skip, err = pl.constInt(p.Skip, "SKIP"); err != nil {
				return nil, nil, nil, nil, err
			}
		}
		if p.Limit != nil {
			if os.limit, err = pl.constInt(p.Limit, "LIMIT"); err != nil {
				return nil, nil, nil, nil, err
			}
		}
		stages = append(stages, os)
	}
	if where != nil {
		stages = append(stages, &filterStage{cond: slotFn(width + len(p.OrderBy))})
	}
	if len(p.OrderBy) > 0 || where != nil {
		keep := width
		if keepSort {
			keep += len(p.OrderBy)
		}
		stages = append(stages, &trimStage{width: keep})
	}
	out := &scope{names: append([]string(nil), cols...)}
	return stages, out, cols, os, nil
}

// constInt evaluates a SKIP or LIMIT expression, which may use only
// literals and parameters.
func (pl *planner) constInt(e ast.Expr, what string) (int, error) {
	// Any expression without variables will do (even rand()): it is
	// evaluated once, when the query is registered.
	if !variableFree(e) {
		return 0, ast.Errorf(e.Position(), "NonConstantExpression", "%s must be a constant expression", what)
	}
	f, err := pl.exprCompiler().compile(e, &scope{})
	if err != nil {
		return 0, err
	}
	v, err := f(pl.constCtx(), nil)
	if err != nil {
		return 0, err
	}
	if v.Kind() != value.KindInt {
		if v.Kind() == value.KindFloat && v.AsFloat() == float64(int64(v.AsFloat())) {
			return 0, ast.Errorf(e.Position(), "InvalidArgumentType", "%s must be an integer, got %s", what, v)
		}
		return 0, ast.Errorf(e.Position(), "InvalidArgumentType", "%s must be an integer, got %s", what, v)
	}
	if v.AsInt() < 0 {
		return 0, ast.Errorf(e.Position(), "NegativeIntegerArgument", "%s must not be negative, got %d", what, v.AsInt())
	}
	return int(v.AsInt()), nil
}

func (pl *planner) aggregation(p *ast.Projection, where ast.Expr, items []*ast.ProjectionItem, cols []string, aggs []*ast.Call, sc *scope, carry []bool) (*aggregateStage, error) {
	ec := pl.exprCompiler()
	var keyExprs []ast.Expr
	if p.GroupBy != nil {
		keyExprs = p.GroupBy
	} else {
		for _, it := range items {
			if !containsAggregate(it.Expr, pl.funcs) {
				keyExprs = append(keyExprs, it.Expr)
			}
		}
	}
	as := &aggregateStage{global: len(keyExprs) == 0, groups: map[uint64][]*group{}, seed: pl.seed}
	post := &scope{}
	keySlots := map[string]int{}
	for _, k := range keyExprs {
		f, err := ec.compile(k, sc)
		if err != nil {
			return nil, err
		}
		as.keys = append(as.keys, f)
		name := "\x00key"
		if v, ok := k.(*ast.Var); ok {
			name = v.Name
		}
		slot := post.add(name)
		keySlots[exprKey(k)] = slot
	}
	aggSlots := map[*ast.Call]int{}
	for _, call := range aggs {
		// drasi.slidingWindow(d, agg(x)) is agg(x) over the rows that
		// arrived within the last d: the stage keeps each row's arrival and
		// a future for the group's next expiry.
		var window time.Duration
		slot := call
		if strings.EqualFold(call.Name, fnSlidingWindow) {
			inner, ok := call.Args[1].(*ast.Call)
			if len(call.Args) != 2 || !ok || !pl.funcs.Registry.IsAggregate(inner.Name) {
				return nil, ast.Errorf(call.Pos, "InvalidArgumentType", "drasi.slidingWindow(duration, aggregation): the second argument must be an aggregating function call")
			}
			if !isConstant(call.Args[0]) {
				return nil, ast.Errorf(call.Args[0].Position(), "NonConstantExpression", "drasi.slidingWindow: the window must be a constant duration")
			}
			f, err := ec.compile(call.Args[0], &scope{})
			if err != nil {
				return nil, err
			}
			dv, err := f(pl.constCtx(), nil)
			if err != nil {
				return nil, err
			}
			d, ok := span(dv)
			if !ok || d <= 0 {
				return nil, ast.Errorf(call.Args[0].Position(), "InvalidArgumentType", "drasi.slidingWindow: the window must be a positive duration, got %s", dv)
			}
			window = d
			if as.site == 0 {
				pl.nextSite++
				as.site = pl.nextSite
			}
			call = inner
		}
		agg, ok := pl.funcs.Aggregate(call.Name)
		if !ok {
			return nil, ast.Errorf(call.Pos, "UnknownFunction", "unknown aggregate %q", call.Name)
		}
		if !call.Star && (len(call.Args) < agg.MinArgs || (agg.MaxArgs >= 0 && len(call.Args) > agg.MaxArgs)) {
			return nil, ast.Errorf(call.Pos, "InvalidNumberOfArguments", "aggregate %s takes %s arguments, got %d", call.Name, arity(agg.MinArgs, agg.MaxArgs), len(call.Args))
		}
		var args []evalFn
		for _, a := range call.Args {
			if containsAggregate(a, pl.funcs) {
				return nil, ast.Errorf(a.Position(), "NestedAggregation", "aggregate inside an aggregate")
			}
			f, err := ec.compile(a, sc)
			if err != nil {
				return nil, err
			}
			args = append(args, f)
		}
		newAcc := agg.New
		if len(carry) > 0 && strings.EqualFold(call.Name, "collect") && !call.Distinct {
			// collect() after an ordered WITH keeps that order.
			for k := range carry {
				args = append(args, slotFn(len(sc.names)+k))
			}
			desc := carry
			newAcc = func() functions.Accumulator { return &orderedCollect{desc: desc} }
		}
		as.aggArgs = append(as.aggArgs, args)
		if call.Distinct {
			inner := agg.New
			newAcc = func() functions.Accumulator { return functions.Distinct(inner()) }
		}
		as.newAcc = append(as.newAcc, newAcc)
		as.windows = append(as.windows, window)
		aggSlots[slot] = post.add("\x00agg")
	}
	// A temporal function in a grouping key or an aggregate's argument
	// would have to re-aggregate the group's input rows when it falls due.
	if err := pl.refuseSites("inside a grouping key or an aggregate's argument (compute it in a WITH before the aggregation)"); err != nil {
		return nil, err
	}
	pl.resetStage()
	// Expressions over the aggregates (items, ORDER BY, WHERE) belong to
	// the group: the stage re-evaluates the group's row when one of their
	// futures falls due.
	pec := &exprCompiler{funcs: pl.funcs, params: pl.params, plan: pl, aggSlots: aggSlots, keySlots: keySlots}
	for _, it := range items {
		f, err := pec.compile(it.Expr, post)
		if err != nil {
			return nil, err
		}
		as.items = append(as.items, f)
	}
	sortScope := post.clone()
	for _, c := range cols {
		sortScope.add(c)
	}
	for _, s := range p.OrderBy {
		f, err := pec.compile(s.Expr, sortScope)
		if err != nil {
			return nil, err
		}
		as.sort = append(as.sort, f)
	}
	if where != nil {
		f, err := pec.compile(where, sortScope)
		if err != nil {
			return nil, err
		}
		as.sort = append(as.sort, f)
	}
	as.postSites = pl.pendingSites
	pl.resetStage()
	return as, nil
}

// aggregateNames tells aggregating function names apart.
type aggregateNames interface{ IsAggregate(name string) bool }

// collectAggregates appends the aggregate calls in e (not looking inside
// them).
func collectAggregates(e ast.Expr, funcs aggregateNames, out *[]*ast.Call) {
	walkExpr(e, func(x ast.Expr) bool {
		if c, ok := x.(*ast.Call); ok && funcs.IsAggregate(c.Name) {
			*out = append(*out, c)
			return false
		}
		return true
	})
}

func containsAggregate(e ast.Expr, funcs aggregateNames) bool {
	var calls []*ast.Call
	collectAggregates(e, funcs, &calls)
	return len(calls) > 0
}

// isConstant reports whether e reads no variable, no graph and no clock: it
// can be evaluated once at compile time.
func isConstant(e ast.Expr) bool {
	ok := true
	walkExpr(e, func(x ast.Expr) bool {
		switch x := x.(type) {
		case *ast.Var, *ast.Exists, *ast.PatternComp:
			ok = false
		case *ast.Call:
			if isEngineFunc(x.Name) || isTimeDependent(x.Name, nil) || (len(x.Args) == 0 && isVolatileName(x.Name)) {
				ok = false
			}
		}
		return ok
	})
	return ok
}

// isVolatileName lists the built-in functions whose result is not a
// function of their arguments (and so never constant-folded).
func isVolatileName(name string) bool {
	switch strings.ToLower(name) {
	case "rand", "randomuuid", "timestamp", "datetime", "date", "time", "localtime", "localdatetime":
		return true // the temporal constructors read the clock when called without arguments
	}
	return false
}

// timeDependent reports whether e calls a temporal engine function or a
// clock- or chance-dependent function.
func (pl *planner) timeDependent(e ast.Expr) bool {
	found := false
	walkExpr(e, func(x ast.Expr) bool {
		if c, ok := x.(*ast.Call); ok {
			f, _ := pl.funcs.Scalar(c.Name)
			n := strings.ToLower(c.Name)
			if (isEngineFunc(c.Name) && n != fnChangeDateTime) || isTimeDependent(c.Name, f) || (len(c.Args) == 0 && isVolatileName(c.Name)) {
				found = true
			}
		}
		return !found
	})
	return found
}

// splitAnd flattens a conjunction into its operands.
func splitAnd(e ast.Expr) []ast.Expr {
	if b, ok := e.(*ast.Binary); ok && b.Op == ast.OpAnd {
		return append(splitAnd(b.L), splitAnd(b.R)...)
	}
	return []ast.Expr{e}
}

// readsGraph reports whether e contains a pattern predicate, an EXISTS
// subquery or a pattern comprehension.
func readsGraph(e ast.Expr) bool {
	found := false
	walkExpr(e, func(x ast.Expr) bool {
		switch x.(type) {
		case *ast.Exists, *ast.PatternComp:
			found = true
		}
		return !found
	})
	return found
}

// plainProjection reports whether a RETURN keeps its input's row order: no
// aggregation, DISTINCT, ORDER BY, SKIP or LIMIT of its own.
func (pl *planner) plainProjection(p *ast.Projection) bool {
	if p.Distinct || p.GroupBy != nil || len(p.OrderBy) > 0 || p.Skip != nil || p.Limit != nil {
		return false
	}
	for _, it := range p.Items {
		if containsAggregate(it.Expr, pl.funcs) {
			return false
		}
	}
	return true
}

// collectsInOrder reports whether an aggregating projection calls collect(),
// whose list order follows the order rows arrive in.
func (pl *planner) collectsInOrder(p *ast.Projection) bool {
	found := false
	for _, it := range p.Items {
		walkExpr(it.Expr, func(x ast.Expr) bool {
			if c, ok := x.(*ast.Call); ok && strings.EqualFold(c.Name, "collect") && !c.Distinct {
				found = true
			}
			return !found
		})
	}
	return found
}

// variableFree reports whether e reads no variable and no graph.
func variableFree(e ast.Expr) bool {
	ok := true
	walkExpr(e, func(x ast.Expr) bool {
		switch x.(type) {
		case *ast.Var, *ast.Exists, *ast.PatternComp:
			ok = false
		}
		return ok
	})
	return ok
}
