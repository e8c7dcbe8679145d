package engine

import (
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/grammar/ast"
)

// Remembering a projection's values for the retraction of its input row.
//
// An element update retracts the rows of the solutions anchored at the
// element as it was and adds those anchored at it as it is now. When the
// projection feeds an aggregation, no stage keeps its output rows, so the
// old row cannot be taken from the result (oldrow.go) and the projection
// would compute its expressions twice per change: once for the row the
// aggregation reverts, once for the row it applies. A pure expression is a
// function of its input row, and an input row whose elements are the very
// snapshots (pointer-equal) that the expression last saw under the same
// identity gives the same value. The memo keeps, per input row identity,
// those element snapshots and the values of the costly items (everything
// but variables, property reads and constants, which cost no more to read
// again than to remember), so that a retraction takes them from the memo.
//
// Memory: one map entry per current row, its element pointers and the
// costly values only; an entry goes when its row is retracted and not
// added back in the same push.

// projMemo is a projectStage's memo (see above).
type projMemo struct {
	items []int  // the memoized items' indexes in projectStage.items
	is    []bool // per projectStage item: memoized
	m     map[uint64]*projMemoEntry
	// gone lists the identities retracted in this push; those not added
	// back by its end are dropped.
	gone []uint64
	// last is the entry recall found, for the addition that usually
	// follows with the same identity (saving remember a map lookup).
	last   *projMemoEntry
	lastID uint64
}

type projMemoEntry struct {
	els   []any // the input row's element snapshots (*value.Node, *value.Rel)
	vals  []value.Value
	stale bool // retracted in this push and not (yet) added back
}

// elementOf is v's element snapshot, or nil when v is not an element.
func elementOf(v value.Value) any {
	switch v.Kind() {
	case value.KindNode:
		return v.AsNode()
	case value.KindRel:
		return v.AsRel()
	}
	return nil
}

// matches reports whether in holds exactly the snapshots e was computed
// from.
func (e *projMemoEntry) matches(in []value.Value) bool {
	if len(in) != len(e.els) {
		return false
	}
	for i, v := range in {
		if x := elementOf(v); x == nil || x != e.els[i] {
			return false
		}
	}
	return true
}

// recall fills the memoized items of vals from the entry of a retracted
// input row, when it holds the row's snapshots, and marks the entry to be
// dropped unless the row comes back in this push.
func (pm *projMemo) recall(r *row, vals []value.Value) bool {
	e := pm.m[r.id]
	if e == nil {
		return false
	}
	pm.last, pm.lastID = e, r.id
	if !e.stale {
		e.stale = true
		pm.gone = append(pm.gone, r.id)
	}
	if !e.matches(r.values()) {
		return false
	}
	for k, i := range pm.items {
		vals[i] = e.vals[k]
	}
	return true
}

// remember stores the memoized values of an added input row, if the row
// holds elements only (what a match on the unit row produces).
func (pm *projMemo) remember(r *row, vals []value.Value) {
	for _, v := range r.values() {
		if elementOf(v) == nil {
			return
		}
	}
	var e *projMemoEntry
	if pm.last != nil && pm.lastID == r.id {
		e = pm.last
	} else {
		e = pm.m[r.id]
	}
	if e == nil || len(e.els) != len(r.values()) {
		e = &projMemoEntry{els: make([]any, len(r.values())), vals: make([]value.Value, len(pm.items))}
		pm.m[r.id] = e
	}
	e.stale = false
	for i, v := range r.values() {
		e.els[i] = elementOf(v)
	}
	for k, i := range pm.items {
		e.vals[k] = vals[i]
	}
}

// sweep drops the entries of rows retracted in this push and not added back.
func (pm *projMemo) sweep() {
	for _, id := range pm.gone {
		if e := pm.m[id]; e != nil && e.stale {
			delete(pm.m, id)
		}
	}
	pm.gone = pm.gone[:0]
	pm.last = nil
}

// cheapExpr reports whether e costs no more to evaluate than to read from
// a memo: a variable, a constant or a property of a variable.
func cheapExpr(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Var, *ast.Literal, *ast.Param:
		return true
	case *ast.Prop:
		_, ok := e.Subject.(*ast.Var)
		return ok
	}
	return false
}

// setupProjMemo gives a memo to the projection of a query that is one MATCH
// on the unit row, then a plain WITH whose rows an aggregation consumes
// (`MATCH ... WITH <pure items> RETURN <aggregates>`), when some item is
// costly and pure. Its input rows are then the match's solutions, made of
// elements, one row per identity.
func setupProjMemo(tree *ast.Query, branches []*pipeline, funcs funcSet) {
	if len(tree.Parts) != 1 || len(branches) != 1 {
		return
	}
	cls := tree.Parts[0].Clauses
	if len(cls) < 3 {
		return
	}
	mc, ok1 := cls[0].(*ast.Match)
	wc, ok2 := cls[1].(*ast.With)
	if !ok1 || !ok2 || mc.Optional || wc.Star || wc.Distinct || wc.Where != nil {
		return
	}
	st := branches[0].stages
	if len(st) < 3 {
		return
	}
	m, ok1 := st[0].(*matchStage)
	p, ok2 := st[1].(*projectStage)
	_, ok3 := st[2].(*aggregateStage)
	if !ok1 || !ok2 || !ok3 || m.optional || m.pp.inWidth != 0 || len(p.sort) != 0 || p.carry != 0 || len(p.items) != len(wc.Items) {
		return
	}
	if len(m.pp.p.paths) > 0 {
		return
	}
	for _, r := range m.pp.p.rels {
		if r.varLen {
			return
		}
	}
	var items []int
	for i, it := range wc.Items {
		if !cheapExpr(it.Expr) && pureExpr(it.Expr, funcs) {
			items = append(items, i)
		}
	}
	if len(items) == 0 {
		return
	}
	is := make([]bool, len(p.items))
	for _, i := range items {
		is[i] = true
	}
	p.memo = &projMemo{items: items, is: is, m: map[uint64]*projMemoEntry{}}
}

func (pm *projMemo) save(s *stateWriter) {
	w := &s.w
	w.Uvarint(uint64(len(pm.m)))
	for id, e := range pm.m {
		w.Uint64(id)
		w.Uvarint(uint64(len(e.els)))
		for _, el := range e.els {
			switch el := el.(type) {
			case *value.Node:
				w.Int(1)
				w.Node(el)
			case *value.Rel:
				w.Int(2)
				w.Rel(el)
			default:
				w.Int(0)
			}
		}
		w.Values(e.vals)
	}
}

func (pm *projMemo) load(s *stateReader) {
	r := s.r
	n := r.Count()
	clear(pm.m)
	for i := 0; i < n && r.Err() == nil; i++ {
		id := r.Uint64()
		e := &projMemoEntry{}
		ne := r.Count()
		e.els = make([]any, ne)
		for j := 0; j < ne && r.Err() == nil; j++ {
			switch r.Int() {
			case 1:
				e.els[j] = r.Node()
			case 2:
				e.els[j] = r.Rel()
			}
		}
		e.vals = r.Values()
		pm.m[id] = e
	}
}
