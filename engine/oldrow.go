package engine

import (
	"strings"

	"github.com/vigilhq/vigil/functions"
	"github.com/vigilhq/vigil/grammar/ast"
)

// Taking an update's old row from the result.
//
// An element change retracts the rows of the solutions anchored at the
// element as it was and adds those anchored at it as it is now. For a
// query that is one MATCH feeding a plain RETURN, the retracted rows are
// exactly the result rows of those solutions: the result holds, for every
// current solution that passes the WHERE, the projection of that solution,
// and solving and projecting it again from the old elements gives the same
// values whenever the expressions are functions of the row alone. The query
// then looks the old rows up in its result by identity instead of merging,
// filtering and projecting them again (half the per-change expression work).

// pureFuncs are the built-in scalar functions whose result depends only on
// their arguments: no clock, no chance, no graph read through the Env
// (startNode/endNode read the index as it is when evaluated).
var pureFuncs = map[string]bool{
	"abs": true, "ceil": true, "floor": true, "round": true, "sign": true, "sqrt": true,
	"exp": true, "log": true, "log10": true, "sin": true, "cos": true, "tan": true,
	"asin": true, "acos": true, "atan": true, "atan2": true, "cot": true, "degrees": true,
	"radians": true, "pi": true, "e": true, "haversin": true,
	"tointeger": true, "tofloat": true, "tostring": true, "toboolean": true,
	"tointegerornull": true, "tofloatornull": true, "tostringornull": true, "tobooleanornull": true,
	"tolower": true, "toupper": true, "trim": true, "ltrim": true, "rtrim": true,
	"replace": true, "substring": true, "left": true, "right": true, "split": true,
	"reverse": true, "size": true, "coalesce": true, "head": true, "last": true,
	"tail": true, "keys": true, "labels": true, "type": true, "id": true,
	"elementid": true, "properties": true, "range": true,
}

// pureExpr reports whether e is a function of its row alone, evaluated by
// the built-in implementations (a caller-supplied registry may replace
// them).
func pureExpr(e ast.Expr, funcs funcSet) bool {
	ok := true
	walkExpr(e, func(x ast.Expr) bool {
		switch x := x.(type) {
		case *ast.Exists, *ast.PatternComp:
			ok = false
		case *ast.Call:
			name := strings.ToLower(x.Name)
			if !pureFuncs[name] || isEngineFunc(name) || funcs.IsAggregate(name) {
				ok = false
				break
			}
			f, found := funcs.Scalar(x.Name)
			if !found || f.Volatile || !builtinScalar(x.Name, f) {
				ok = false
			}
		}
		return ok
	})
	return ok
}

// builtinScalar reports whether f is the Cypher or GQL built-in of that
// name (not a caller's override).
func builtinScalar(name string, f *functions.Scalar) bool {
	if g, ok := functions.Cypher().Scalar(name); ok && g == f {
		return true
	}
	if g, ok := functions.GQL().Scalar(name); ok && g == f {
		return true
	}
	return false
}

// oldRowsFromResult decides, at registration, whether the query's old rows
// can be taken from its result (see above): one branch, MATCH then RETURN,
// compiled to a non-optional match on the unit row and a plain projection
// with no sort keys, every expression pure, and no path or
// variable-length relationship (whose values read the graph when built).
func oldRowsFromResult(tree *ast.Query, branches []*pipeline, funcs funcSet) bool {
	if len(tree.Parts) != 1 || len(branches) != 1 {
		return false
	}
	cls := tree.Parts[0].Clauses
	if len(cls) != 2 {
		return false
	}
	mc, ok1 := cls[0].(*ast.Match)
	rc, ok2 := cls[1].(*ast.Return)
	if !ok1 || !ok2 || mc.Optional {
		return false
	}
	st := branches[0].stages
	if len(st) != 2 {
		return false
	}
	m, ok1 := st[0].(*matchStage)
	p, ok2 := st[1].(*projectStage)
	if !ok1 || !ok2 || m.optional || m.pp.inWidth != 0 || len(p.sort) != 0 || p.carry != 0 {
		return false
	}
	if len(m.pp.p.paths) > 0 {
		return false
	}
	for _, r := range m.pp.p.rels {
		if r.varLen {
			return false
		}
	}
	exprs := []ast.Expr{mc.Where}
	for _, path := range mc.Pattern {
		if path.Var != "" {
			return false
		}
		for _, n := range path.Nodes {
			exprs = append(exprs, n.Props, n.Where)
		}
		for _, r := range path.Rels {
			exprs = append(exprs, r.Props, r.Where)
		}
	}
	for _, it := range rc.Items {
		exprs = append(exprs, it.Expr)
	}
	for _, e := range exprs {
		if e != nil && !pureExpr(e, funcs) {
			return false
		}
	}
	return true
}

// retractFromResult emits the retraction of the result rows of the match
// stage's lost solutions, and takes them from the stage so that its push
// handles only the gained ones. It reports false (and does nothing) when
// the result does not hold exactly the state before this change: an
// earlier change of the same Apply left deltas pending.
func (q *Query) retractFromResult(m *matchStage) bool {
	// Many solutions (a hub element): the duplicate check below is
	// quadratic; the ordinary path handles them.
	if len(q.pending) != 0 || len(m.lost) == 0 || len(m.lost) > 64 {
		return false
	}
	for i, s := range m.lost {
		dup := false
		for _, t := range m.lost[:i] {
			if t.id == s.id {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		// The unit row (id 1) extended by the solution: merge's identity.
		id := mix(unitRow.id, s.id)
		for _, e := range q.result.get(id) {
			if e.r.id == id {
				q.pending = append(q.pending, delta{r: e.r, w: -e.w})
			}
		}
	}
	clear(m.lost)
	m.lost = nil
	return true
}

// derivedResult decides, for a query that oldRowsFromResult accepts,
// whether its result is left unstored: every returned item is a variable,
// a property of a variable, a literal or a parameter. Such a row repeats
// values the index already holds, so keeping it costs memory for nothing
// that solving again does not give back cheaply: an update's old row is
// projected from the old element (a few property reads), and reading the
// result solves the query over the index. Items that compute (a formula, a
// function) keep their rows, since recomputing the old row would cost the
// evaluation storing it saves.
func derivedResult(tree *ast.Query) bool {
	rc, ok := tree.Parts[0].Clauses[1].(*ast.Return)
	if !ok || rc.Distinct || rc.Star {
		return false
	}
	for _, it := range rc.Items {
		switch x := it.Expr.(type) {
		case *ast.Var, *ast.Literal, *ast.Param:
		case *ast.Prop:
			if _, ok := x.Subject.(*ast.Var); !ok {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// deriveRows solves a derived query's result over the index as it is now:
// its match from the unit row, projected. It runs between steps, where the
// match stage's binding is free.
func (q *Query) deriveRows() ([]*row, error) {
	e := q.eng
	c := &evalCtx{index: graph{e.index, q.vis}, params: q.spec.Params, now: e.now, eng: e, q: q}
	m := q.branches[0].stages[0].(*matchStage)
	p := q.branches[0].stages[1].(*projectStage)
	matched, err := m.current(c, unitRow)
	if err != nil {
		return nil, err
	}
	out := make([]*row, 0, len(matched))
	for _, r := range matched {
		nr := newRow(len(p.items))
		nr.id, nr.pair, nr.nulls = r.id, r.pair, r.nulls
		vals := nr.values()
		for i, f := range p.items {
			if vals[i], err = f(c, r.values()); err != nil {
				return nil, err
			}
		}
		out = append(out, nr)
	}
	return out, nil
}
