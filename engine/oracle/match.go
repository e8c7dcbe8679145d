package oracle

import (
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/grammar/ast"
)

// match evaluates a MATCH or OPTIONAL MATCH clause for every input row.
func (ev *evaluator) match(m *ast.Match, rows []row, scope []string) ([]row, error) {
	var newVars []string
	for _, v := range patternVars(m.Pattern) {
		if !contains(scope, v) {
			newVars = append(newVars, v)
		}
	}
	var out []row
	for _, r := range rows {
		found, err := ev.solve(m.Pattern, m.Where, r)
		if err != nil {
			return nil, err
		}
		if len(found) == 0 && m.Optional {
			nr := r
			for _, v := range newVars {
				nr = nr.with(v, value.Null)
			}
			found = []row{nr}
		}
		out = append(out, found...)
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// patternVars lists the variables a pattern binds, in order of appearance.
func patternVars(p ast.Pattern) []string {
	var out []string
	add := func(v string) {
		if v != "" && !contains(out, v) {
			out = append(out, v)
		}
	}
	for _, pp := range p {
		add(pp.Var)
		for i, n := range pp.Nodes {
			add(n.Var)
			if i < len(pp.Rels) {
				add(pp.Rels[i].Var)
			}
		}
	}
	return out
}

// solve returns every extension of r that matches the pattern and satisfies
// where (nil: no condition). Relationships are unique across the whole
// pattern; nodes may repeat.
func (ev *evaluator) solve(p ast.Pattern, where ast.Expr, r row) ([]row, error) {
	s := &solver{ev: ev, pat: p, used: map[string]bool{}}
	if err := s.path(0, r); err != nil {
		return nil, err
	}
	if where == nil {
		return s.out, nil
	}
	var out []row
	for _, m := range s.out {
		ok, err := ev.truth(where, &frame{vars: m})
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, m)
		}
	}
	return out, nil
}

// check is a deferred predicate on a complete match: property maps and
// inline WHERE conditions are evaluated once every variable of the pattern
// is bound, so that they may refer to variables bound anywhere in it.
type check func(full row) (bool, error)

// solver enumerates the structural matches of a pattern (labels, types,
// directions, connectivity, uniqueness, lengths, already-bound variables) by
// backtracking, and keeps those whose deferred checks all pass.
type solver struct {
	ev     *evaluator
	pat    ast.Pattern
	used   map[string]bool // relationship ids bound so far
	checks []check
	out    []row
}

// path matches path pattern pi onward, given bindings b.
func (s *solver) path(pi int, b row) error {
	if pi == len(s.pat) {
		return s.finish(b)
	}
	pp := s.pat[pi]
	for _, n := range s.nodeCandidates(pp.Nodes[0], b) {
		mark := len(s.checks)
		nb, ok := s.bindNode(pp.Nodes[0], n, b)
		if !ok {
			continue
		}
		if err := s.step(pi, 0, n, nb, []*value.Node{n}, nil); err != nil {
			return err
		}
		s.checks = s.checks[:mark]
	}
	return nil
}

// finish runs the deferred checks on a complete match and records it.
func (s *solver) finish(b row) error {
	for _, c := range s.checks {
		ok, err := c(b)
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
	}
	s.out = append(s.out, b)
	return nil
}

// nodeCandidates is the bound node when np's variable is already bound (none
// when bound to anything but a node, e.g. null), otherwise every node.
func (s *solver) nodeCandidates(np *ast.NodePattern, b row) []*value.Node {
	if np.Var != "" {
		if v, ok := b[np.Var]; ok {
			if n := v.AsNode(); n != nil {
				return []*value.Node{n}
			}
			return nil
		}
	}
	return s.ev.nodes
}

// bindNode checks n against np's variable and labels, binds the variable and
// defers np's property map and inline WHERE.
func (s *solver) bindNode(np *ast.NodePattern, n *value.Node, b row) (row, bool) {
	if np.Var != "" {
		if v, ok := b[np.Var]; ok {
			if bn := v.AsNode(); bn == nil || bn.ID != n.ID {
				return nil, false
			}
		}
	}
	if np.Labels != nil && !labelsMatch(np.Labels, n.Labels) {
		return nil, false
	}
	nv := value.NodeOf(n)
	if np.Var != "" {
		b = b.with(np.Var, nv)
	}
	s.defer1(np.Props, np.Where, np.Var, nv)
	return b, true
}

// defer1 queues the property-map and inline-WHERE checks of one element
// bound to v (under name, when it has one).
func (s *solver) defer1(props, where ast.Expr, name string, v value.Value) {
	if props != nil {
		s.checks = append(s.checks, func(full row) (bool, error) {
			return s.ev.propsMatch(props, v, full)
		})
	}
	if where != nil {
		s.checks = append(s.checks, func(full row) (bool, error) {
			r := full
			if name != "" {
				r = full.with(name, v)
			}
			return s.ev.truth(where, &frame{vars: r})
		})
	}
}

// step matches relationship i of path pattern pi (and the node after it)
// from node cur, or completes the path when there are no more.
func (s *solver) step(pi, i int, cur *value.Node, b row, nodes []*value.Node, rels []*value.Rel) error {
	pp := s.pat[pi]
	if i == len(pp.Rels) {
		if pp.Var != "" {
			pv := value.PathOf(&value.Path{Nodes: nodes, Rels: rels})
			if old, ok := b[pp.Var]; ok && !value.Equivalent(old, pv) {
				return nil
			}
			b = b.with(pp.Var, pv)
		}
		return s.path(pi+1, b)
	}
	rp, np := pp.Rels[i], pp.Nodes[i+1]
	// next binds the node after the relationship (or segment) to end; nodes
	// and rels are the path so far, end included.
	next := func(end *value.Node, b row, nodes []*value.Node, rels []*value.Rel) error {
		mark := len(s.checks)
		nb, ok := s.bindNode(np, end, b)
		if !ok {
			return nil
		}
		err := s.step(pi, i+1, end, nb, nodes, rels)
		s.checks = s.checks[:mark]
		return err
	}
	if rp.Length == nil {
		for _, r := range s.relCandidates(rp, b) {
			other, ok := s.traverse(r, cur, rp.Direction)
			if !ok || s.used[r.ID] || !s.relTypeOK(rp, r) {
				continue
			}
			rv := value.RelOf(r)
			nb := b
			if rp.Var != "" {
				nb = b.with(rp.Var, rv)
			}
			s.used[r.ID] = true
			mark := len(s.checks)
			s.defer1(rp.Props, rp.Where, rp.Var, rv)
			err := next(other, nb, append(clip(nodes), other), append(clip(rels), r))
			s.checks = s.checks[:mark]
			delete(s.used, r.ID)
			if err != nil {
				return err
			}
		}
		return nil
	}
	min, max := 1, -1
	if rp.Length.Min != nil {
		min = *rp.Length.Min
	}
	if rp.Length.Max != nil {
		max = *rp.Length.Max
	}
	var bound []value.Value
	isBound := false
	if rp.Var != "" {
		if v, ok := b[rp.Var]; ok {
			if v.Kind() != value.KindList {
				return nil
			}
			bound, isBound = v.AsList(), true
		}
	}
	// walk extends the variable-length segment hop by hop; seg holds its
	// relationships so far, at the node at.
	var walk func(at *value.Node, seg []*value.Rel, nodes []*value.Node) error
	walk = func(at *value.Node, seg []*value.Rel, nodes []*value.Node) error {
		if len(seg) >= min && (!isBound || len(seg) == len(bound)) {
			list := make([]value.Value, len(seg))
			for k, r := range seg {
				list[k] = value.RelOf(r)
			}
			lv := value.List(list)
			nb := b
			if rp.Var != "" {
				nb = b.with(rp.Var, lv)
			}
			mark := len(s.checks)
			for _, r := range seg {
				s.defer1(rp.Props, rp.Where, rp.Var, value.RelOf(r))
			}
			err := next(at, nb, nodes, append(clip(rels), seg...))
			s.checks = s.checks[:mark]
			if err != nil {
				return err
			}
		}
		if max >= 0 && len(seg) >= max {
			return nil
		}
		if isBound && len(seg) >= len(bound) {
			return nil
		}
		for _, r := range s.ev.rels {
			other, ok := s.traverse(r, at, rp.Direction)
			if !ok || s.used[r.ID] || !s.relTypeOK(rp, r) {
				continue
			}
			if isBound {
				if br := bound[len(seg)].AsRel(); br == nil || br.ID != r.ID {
					continue
				}
			}
			s.used[r.ID] = true
			err := walk(other, append(clip(seg), r), append(clip(nodes), other))
			delete(s.used, r.ID)
			if err != nil {
				return err
			}
		}
		return nil
	}
	return walk(cur, nil, nodes)
}

// clip returns s with its capacity cut to its length, so that appending to
// it never overwrites a slice shared with another branch of the search.
func clip[T any](s []T) []T { return s[:len(s):len(s)] }

// relCandidates is the bound relationship when rp's variable is already
// bound (none when bound to anything but a relationship), otherwise every
// relationship.
func (s *solver) relCandidates(rp *ast.RelPattern, b row) []*value.Rel {
	if rp.Var != "" {
		if v, ok := b[rp.Var]; ok {
			if r := v.AsRel(); r != nil {
				return []*value.Rel{r}
			}
			return nil
		}
	}
	return s.ev.rels
}

func (s *solver) relTypeOK(rp *ast.RelPattern, r *value.Rel) bool {
	return rp.Types == nil || labelsMatch(rp.Types, []string{r.Type})
}

// traverse reports whether r can be followed from node cur in direction d,
// and the node it leads to. A self-loop followed in either direction is
// followed once. A relationship whose other end is not in the graph leads
// nowhere.
func (s *solver) traverse(r *value.Rel, cur *value.Node, d ast.Direction) (*value.Node, bool) {
	var otherID string
	switch d {
	case ast.DirRight:
		if r.From != cur.ID {
			return nil, false
		}
		otherID = r.To
	case ast.DirLeft:
		if r.To != cur.ID {
			return nil, false
		}
		otherID = r.From
	default:
		switch cur.ID {
		case r.From:
			otherID = r.To
		case r.To:
			otherID = r.From
		default:
			return nil, false
		}
	}
	n := s.ev.g.Nodes[otherID]
	return n, n != nil
}

// labelsMatch evaluates a label (or relationship type) expression against
// an element's labels.
func labelsMatch(le ast.LabelExpr, labels []string) bool {
	switch le := le.(type) {
	case *ast.LabelName:
		return contains(labels, le.Name)
	case *ast.LabelAnd:
		for _, x := range le.Items {
			if !labelsMatch(x, labels) {
				return false
			}
		}
		return true
	case *ast.LabelOr:
		for _, x := range le.Items {
			if labelsMatch(x, labels) {
				return true
			}
		}
		return false
	case *ast.LabelNot:
		return !labelsMatch(le.Item, labels)
	case *ast.LabelAny:
		return len(labels) > 0
	}
	return false
}

// propsMatch reports whether every entry of the property map props
// (evaluated in full) equals the element's property; a null in the map never
// matches.
func (ev *evaluator) propsMatch(props ast.Expr, elem value.Value, full row) (bool, error) {
	m, err := ev.eval(props, &frame{vars: full})
	if err != nil {
		return false, err
	}
	if m.IsNull() {
		return false, nil
	}
	if m.Kind() != value.KindMap {
		return false, typeError("property map of a pattern must be a map, got %s", m.Kind())
	}
	for k, want := range m.AsMap() {
		eq, known := value.Equal(elem.Prop(k), want)
		if !known || !eq {
			return false, nil
		}
	}
	return true, nil
}
