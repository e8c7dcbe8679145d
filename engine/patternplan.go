package engine

import (
	"fmt"

	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/grammar/ast"
)

// patternPlan is a pattern compiled against the scope of the rows it
// extends: which slots come bound from the input row, which are new, and
// the residual conditions that need the whole row.
type patternPlan struct {
	p       *pattern
	nodeIn  []int // per node slot: input slot it is bound to, or -1
	relIn   []int // per rel slot: input slot it is bound to, or -1
	nodeOut []int // per node slot: output slot of a new variable, or -1
	relOut  []int // per rel slot: output slot of a new variable, or -1
	pathOut []int // per path slot: output slot
	inWidth int
	out     *scope
	// residual holds the conditions checked on the merged row: inline
	// WHEREs and property maps whose values depend on the row.
	residual []ast.Expr
	bound    bool     // some slot is bound from the input row
	labels   []string // labels and types mentioned, for change routing
	anyNode  bool     // some node slot has no label constraint
	anyRel   bool     // some rel slot has no type constraint
}

// compilePattern compiles a pattern whose variables may already be bound in
// sc. anon numbers anonymous slots so that their hidden names are unique.
func (pl *planner) compilePattern(pat ast.Pattern, sc *scope, ec *exprCompiler) (*patternPlan, error) {
	pp := &patternPlan{p: &pattern{seed: pl.seed}, inWidth: len(sc.names)}
	out := sc.clone()
	nodeIdx := map[string]int{}
	relIdx := map[string]int{}
	var residual []ast.Expr

	addProps := func(varName string, props ast.Expr) ([]propConst, error) {
		if props == nil {
			return nil, nil
		}
		switch m := props.(type) {
		case *ast.MapLit:
			var cs []propConst
			for i, k := range m.Keys {
				ve := m.Values[i]
				if isConstant(ve) {
					f, err := ec.compile(ve, &scope{})
					if err != nil {
						return nil, err
					}
					v, err := f(pl.constCtx(), nil)
					if err != nil {
						return nil, err
					}
					cs = append(cs, propConst{key: k, val: v})
					continue
				}
				residual = append(residual, &ast.Binary{Pos: ve.Position(), Op: ast.OpEq,
					L: &ast.Prop{Pos: ve.Position(), Subject: &ast.Var{Pos: ve.Position(), Name: varName}, Key: k}, R: ve})
			}
			return cs, nil
		case *ast.Param:
			v := ec.params[m.Name]
			if v.Kind() != value.KindMap {
				return nil, ast.Errorf(m.Pos, "InvalidParameterUse", "parameter $%s used as a property map is not a map", m.Name)
			}
			var cs []propConst
			for _, k := range v.Keys() {
				cs = append(cs, propConst{key: k, val: v.AsMap()[k]})
			}
			return cs, nil
		}
		return nil, ast.Errorf(props.Position(), "InvalidArgumentType", "property constraints must be a map")
	}

	nodeSlotFor := func(np *ast.NodePattern) (int, error) {
		name := np.Var
		if name == "" {
			name = pl.anonName()
		}
		if i, ok := nodeIdx[name]; ok {
			// The same variable again: add its constraints to the slot.
			ns := &pp.p.nodes[i]
			if np.Labels != nil {
				if ns.labels == nil {
					ns.labels = compileLabels(np.Labels)
				} else {
					ns.labels = compileLabels(&ast.LabelAnd{Items: []ast.LabelExpr{ns.labels.expr, np.Labels}})
				}
			}
			cs, err := addProps(name, np.Props)
			if err != nil {
				return 0, err
			}
			ns.props = append(ns.props, cs...)
			if np.Where != nil {
				residual = append(residual, np.Where)
			}
			return i, nil
		}
		cs, err := addProps(name, np.Props)
		if err != nil {
			return 0, err
		}
		i := len(pp.p.nodes)
		pp.p.nodes = append(pp.p.nodes, nodeSlot{name: name, labels: compileLabels(np.Labels), props: cs})
		if ls := pp.p.nodes[len(pp.p.nodes)-1].labels; ls != nil {
			pl.noteReads(&pl.readNodes, ls.names)
		}
		nodeIdx[name] = i
		if slot, ok := sc.lookup(name); ok {
			pp.nodeIn = append(pp.nodeIn, slot)
			pp.nodeOut = append(pp.nodeOut, -1)
		} else {
			pp.nodeIn = append(pp.nodeIn, -1)
			pp.nodeOut = append(pp.nodeOut, out.add(name))
		}
		if np.Labels == nil || pp.p.nodes[i].labels.open {
			pp.anyNode = true
		} else {
			pp.labels = append(pp.labels, pp.p.nodes[i].labels.names...)
		}
		if np.Where != nil {
			residual = append(residual, np.Where)
		}
		return i, nil
	}

	for _, path := range pat {
		ps := pathSlot{name: path.Var}
		prev, err := nodeSlotFor(path.Nodes[0])
		if err != nil {
			return nil, err
		}
		ps.nodes = append(ps.nodes, prev)
		for k, rp := range path.Rels {
			next, err := nodeSlotFor(path.Nodes[k+1])
			if err != nil {
				return nil, err
			}
			name := rp.Var
			if name == "" {
				name = pl.anonName()
			}
			if _, dup := relIdx[name]; dup {
				return nil, ast.Errorf(rp.Pos, "RelationshipUniquenessViolation", "relationship variable %q is used twice in one pattern", name)
			}
			cs, err := addProps(name, rp.Props)
			if err != nil {
				return nil, err
			}
			rs := relSlot{name: name, types: compileLabels(rp.Types), props: cs, dir: rp.Direction, left: prev, right: next}
			if rs.types != nil {
				pl.noteReads(&pl.readRels, rs.types.names)
			}
			if rp.Length != nil {
				rs.varLen, rs.min, rs.max = true, 1, -1
				if rp.Length.Min != nil {
					rs.min = *rp.Length.Min
				}
				if rp.Length.Max != nil {
					rs.max = *rp.Length.Max
				}
			}
			i := len(pp.p.rels)
			pp.p.rels = append(pp.p.rels, rs)
			relIdx[name] = i
			if slot, ok := sc.lookup(name); ok {
				if rs.varLen {
					return nil, ast.Errorf(rp.Pos, "VariableAlreadyBound", "variable-length relationship %q is already bound", name)
				}
				pp.relIn = append(pp.relIn, slot)
				pp.relOut = append(pp.relOut, -1)
			} else {
				pp.relIn = append(pp.relIn, -1)
				pp.relOut = append(pp.relOut, out.add(name))
			}
			if rp.Types == nil || rs.types.open {
				pp.anyRel = true
			} else {
				pp.labels = append(pp.labels, rs.types.names...)
			}
			if rp.Where != nil {
				residual = append(residual, rp.Where)
			}
			ps.rels = append(ps.rels, i)
			ps.nodes = append(ps.nodes, next)
			prev = next
		}
		if path.Var != "" {
			if _, ok := sc.lookup(path.Var); ok {
				return nil, ast.Errorf(path.Pos, "VariableAlreadyBound", "path variable %q is already bound", path.Var)
			}
			pp.p.paths = append(pp.p.paths, ps)
			pp.pathOut = append(pp.pathOut, out.add(path.Var))
		}
	}
	pp.out = out
	pp.residual = residual
	for _, in := range pp.nodeIn {
		pp.bound = pp.bound || in >= 0
	}
	for _, in := range pp.relIn {
		pp.bound = pp.bound || in >= 0
	}
	return pp, nil
}

// bindFrom pre-binds the slots that come bound from an input row, using the
// elements' current versions in x. It reports false when the row cannot
// match at all (a bound variable is null, not an element, gone, or does not
// fit its slot).
func (pp *patternPlan) bindFrom(x graph, r []value.Value, b *binding) bool {
	b.reset()
	for i, in := range pp.nodeIn {
		if in < 0 {
			continue
		}
		v := r[in]
		if v.Kind() != value.KindNode {
			return false
		}
		n := x.Node(v.AsNode().ID)
		if n == nil || !pp.p.nodes[i].fits(n) {
			return false
		}
		b.nodes[i] = n
	}
	for i, in := range pp.relIn {
		if in < 0 {
			continue
		}
		v := r[in]
		if v.Kind() != value.KindRel {
			return false
		}
		rel := x.Rel(v.AsRel().ID)
		if rel == nil || !pp.p.rels[i].fits(rel) {
			return false
		}
		b.fixed[i] = rel
	}
	return true
}

// joinKeyOfRow hashes the ids of the input values bound into the pattern;
// ok is false when one of them is not an element (the row matches nothing).
func (pp *patternPlan) joinKeyOfRow(r []value.Value) (uint64, bool) {
	h := value.NewHasher(pp.p.seed)
	for _, in := range pp.nodeIn {
		if in < 0 {
			continue
		}
		if r[in].Kind() != value.KindNode {
			return 0, false
		}
		h.WriteString(r[in].AsNode().ID)
		h.Byte(0)
	}
	for _, in := range pp.relIn {
		if in < 0 {
			continue
		}
		if r[in].Kind() != value.KindRel {
			return 0, false
		}
		h.WriteString(r[in].AsRel().ID)
		h.Byte(0)
	}
	return h.Sum64(), true
}

// joinKeyOfBinding hashes the same slots from a solution.
func (pp *patternPlan) joinKeyOfBinding(b *binding) uint64 {
	h := value.NewHasher(pp.p.seed)
	for i, in := range pp.nodeIn {
		if in < 0 {
			continue
		}
		h.WriteString(b.nodes[i].ID)
		h.Byte(0)
	}
	for i, in := range pp.relIn {
		if in < 0 {
			continue
		}
		h.WriteString(b.rels[i].ID)
		h.Byte(0)
	}
	return h.Sum64()
}

// compatible reports whether a solution agrees with an input row on every
// bound slot (guarding against join-key hash collisions).
func (pp *patternPlan) compatible(r []value.Value, s *solution) bool {
	if !pp.bound {
		return true
	}
	for k, in := range pp.nodeIn {
		if in >= 0 && (r[in].Kind() != value.KindNode || r[in].AsNode().ID != s.nodeIDs[k]) {
			return false
		}
	}
	for k, in := range pp.relIn {
		if in >= 0 && (r[in].Kind() != value.KindRel || r[in].AsRel().ID != s.relIDs[k]) {
			return false
		}
	}
	return true
}

// solution is a captured full binding: the values of the new slots, the ids
// of the bound ones, its identity and its join key.
type solution struct {
	id      uint64
	key     uint64
	vals    []value.Value // values of the new slots, in output order
	nodeIDs []string      // per node slot with nodeIn >= 0 (nil when nothing is bound)
	relIDs  []string      // per rel slot with relIn >= 0
	inline  [4]value.Value
	big     []value.Value // a scratch solution's reusable array for more than four slots
}

// capture copies a binding into a solution. Hot path: one allocation for
// a solution of up to four new slots and no bound ones.
func (pp *patternPlan) capture(x graph, b *binding) *solution {
	s := &solution{id: pp.p.solutionID(b), key: pp.joinKeyOfBinding(b)}
	n := len(pp.out.names) - pp.inWidth
	if n <= len(s.inline) {
		s.vals = s.inline[:n]
	} else {
		s.vals = make([]value.Value, n)
	}
	pp.fill(x, b, s.vals, pp.inWidth)
	if pp.bound {
		s.nodeIDs = make([]string, len(pp.nodeIn))
		s.relIDs = make([]string, len(pp.relIn))
		for i, in := range pp.nodeIn {
			if in >= 0 {
				s.nodeIDs[i] = b.nodes[i].ID
			}
		}
		for i, in := range pp.relIn {
			if in >= 0 {
				s.relIDs[i] = b.rels[i].ID
			}
		}
	}
	return s
}

// captureInto is capture into a scratch solution owned by a match stage,
// reusing its buffers (see matchStage.transient).
func (pp *patternPlan) captureInto(x graph, b *binding, s *solution) {
	s.id, s.key = pp.p.solutionID(b), pp.joinKeyOfBinding(b)
	n := len(pp.out.names) - pp.inWidth
	if n <= len(s.inline) {
		s.vals = s.inline[:n]
	} else {
		if cap(s.big) < n {
			s.big = make([]value.Value, n)
		}
		s.vals = s.big[:n]
		clear(s.vals)
	}
	pp.fill(x, b, s.vals, pp.inWidth)
	if pp.bound {
		s.nodeIDs = resize(s.nodeIDs, len(pp.nodeIn))
		s.relIDs = resize(s.relIDs, len(pp.relIn))
		for i, in := range pp.nodeIn {
			if in >= 0 {
				s.nodeIDs[i] = b.nodes[i].ID
			}
		}
		for i, in := range pp.relIn {
			if in >= 0 {
				s.relIDs[i] = b.rels[i].ID
			}
		}
	} else {
		s.nodeIDs, s.relIDs = nil, nil
	}
}

// resize returns a zeroed slice of length n, reusing s's array if it fits.
func resize(s []string, n int) []string {
	if cap(s) < n {
		return make([]string, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// fill writes the new slots' values of binding b into dst, whose index 0
// corresponds to output slot base.
func (pp *patternPlan) fill(x graph, b *binding, dst []value.Value, base int) {
	for i, o := range pp.nodeOut {
		if o >= 0 {
			dst[o-base] = value.NodeOf(b.nodes[i])
		}
	}
	for i, o := range pp.relOut {
		if o < 0 {
			continue
		}
		if b.rels[i] != nil {
			dst[o-base] = value.RelOf(b.rels[i])
			continue
		}
		list := make([]value.Value, len(b.lists[i]))
		for k, r := range b.lists[i] {
			list[k] = value.RelOf(r)
		}
		dst[o-base] = value.List(list)
	}
	for k, o := range pp.pathOut {
		dst[o-base] = value.PathOf(pp.p.buildPath(x, b, &pp.p.paths[k]))
	}
}

func (pl *planner) anonName() string {
	pl.anon++
	return fmt.Sprintf("\x00anon%d", pl.anon)
}

// isHidden reports whether a variable name is internal (anonymous slots).
func isHidden(name string) bool { return len(name) > 0 && name[0] == 0 }

// routes reports whether a node with the labels, or a relationship of the
// type, can fill a slot of the pattern.
func (pp *patternPlan) routes(n *value.Node, r *value.Rel) bool {
	if n != nil {
		if len(pp.p.nodes) == 0 {
			return false
		}
		if pp.anyNode {
			return true
		}
		for _, l := range n.Labels {
			for _, x := range pp.labels {
				if l == x {
					return true
				}
			}
		}
		return false
	}
	if len(pp.p.rels) == 0 {
		return false
	}
	if pp.anyRel {
		return true
	}
	for _, x := range pp.labels {
		if r.Type == x {
			return true
		}
	}
	return false
}
