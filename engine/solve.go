package engine

import (
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/grammar/ast"
)

// solver enumerates the solutions of a pattern over an index.
type solver struct {
	p    *pattern
	x    graph
	b    *binding
	emit sink
}

// sink receives the solutions a solver finds. Stages implement it directly
// so that solving allocates no closure on the hot path.
type sink interface {
	accept(b *binding) error
}

// sinkFunc adapts a function to a sink, for the cold paths.
type sinkFunc func(*binding) error

func (f sinkFunc) accept(b *binding) error { return f(b) }

// anchorMode says how an anchored solve found the element.
type anchorMode uint8

const (
	anchorNodeSlot    anchorMode = iota // the node fills node slot `slot`
	anchorThroughPath                   // the node is inside the path of var-length slot `slot`
	anchorRelSlot                       // the relationship fills (or is inside) rel slot `slot`
)

// anchorFilter passes on each solution of an anchored solve once: it drops
// solutions in which the element also fills an earlier slot, since those
// were found when anchoring there.
type anchorFilter struct {
	p    *pattern
	mode anchorMode
	slot int
	n    *value.Node
	rel  *value.Rel
	next sink
}

func (f *anchorFilter) accept(b *binding) error {
	p := f.p
	switch f.mode {
	case anchorNodeSlot:
		for j := 0; j < f.slot; j++ {
			if b.nodes[j] != nil && b.nodes[j].ID == f.n.ID {
				return nil
			}
		}
	case anchorThroughPath:
		for j := range p.nodes {
			if b.nodes[j] != nil && b.nodes[j].ID == f.n.ID {
				return nil
			}
		}
		for j := 0; j < f.slot; j++ {
			if p.rels[j].varLen && throughNode(b.lists[j], f.n.ID, b, p, j) {
				return nil
			}
		}
	case anchorRelSlot:
		for j := 0; j < f.slot; j++ {
			if occupies(b, j, f.rel) {
				return nil
			}
		}
	}
	return f.next.accept(b)
}

// solve extends the current binding to every full solution.
func (s *solver) solve() error {
	p, b := s.p, s.b
	// A relationship bound by an earlier clause fixes its ends: bind them
	// first, in each orientation the slot's direction allows.
	for i := range p.rels {
		if b.fixed[i] != nil && !b.bound[i] {
			return s.bindFixed(i)
		}
	}
	// Expand a relationship next to a bound node: index lookups, not scans.
	for i := range p.rels {
		if b.bound[i] {
			continue
		}
		r := &p.rels[i]
		if b.nodes[r.left] != nil || b.nodes[r.right] != nil {
			return s.expand(i)
		}
	}
	// Otherwise start a new component from a node scan, the smallest label first.
	for i := range p.nodes {
		if b.nodes[i] != nil {
			continue
		}
		ns := &p.nodes[i]
		label := ""
		if ns.labels != nil {
			label = ns.labels.scan
		}
		var err error
		s.x.Nodes(label, func(n *value.Node) bool {
			if !ns.fits(n) {
				return true
			}
			b.nodes[i] = n
			err = s.solve()
			b.nodes[i] = nil
			return err == nil
		})
		return err
	}
	// Relationships whose both ends are unbound cannot remain here: every
	// rel slot touches a node slot, and all node slots are bound.
	return s.emit.accept(b)
}

func (s *solver) bindFixed(i int) error {
	p, b := s.p, s.b
	r, rel := &p.rels[i], b.fixed[i]
	if b.isUsed(rel) {
		return nil
	}
	try := func(l, rt string) error {
		b.bound[i], b.rels[i] = true, rel
		b.used = append(b.used, rel)
		err := s.bindNode(r.left, l, func() error { return s.bindNode(r.right, rt, s.solve) })
		b.used = b.used[:len(b.used)-1]
		b.bound[i], b.rels[i] = false, nil
		return err
	}
	switch r.dir {
	case ast.DirRight:
		return try(rel.From, rel.To)
	case ast.DirLeft:
		return try(rel.To, rel.From)
	}
	if err := try(rel.From, rel.To); err != nil {
		return err
	}
	if rel.From != rel.To {
		return try(rel.To, rel.From)
	}
	return nil
}

// candidates lists the relationships leaving node n in the direction that
// the slot reads from the given end.
func (s *solver) candidates(r *relSlot, n *value.Node, fromLeft bool, fn func(rel *value.Rel, other string) error) error {
	forward := r.dir == ast.DirRight
	if !fromLeft {
		forward = r.dir == ast.DirLeft
	}
	vis := s.x.vis
	if r.dir == ast.DirBoth {
		for _, rel := range s.x.Out(n.ID) {
			if !vis.rel(rel) {
				continue
			}
			if err := fn(rel, rel.To); err != nil {
				return err
			}
		}
		for _, rel := range s.x.In(n.ID) {
			if rel.From == rel.To || !vis.rel(rel) {
				continue // a self-loop was already offered by Out
			}
			if err := fn(rel, rel.From); err != nil {
				return err
			}
		}
		return nil
	}
	if forward {
		for _, rel := range s.x.Out(n.ID) {
			if !vis.rel(rel) {
				continue
			}
			if err := fn(rel, rel.To); err != nil {
				return err
			}
		}
		return nil
	}
	for _, rel := range s.x.In(n.ID) {
		if !vis.rel(rel) {
			continue
		}
		if err := fn(rel, rel.From); err != nil {
			return err
		}
	}
	return nil
}

// bindNode binds node slot i to the node with id (when it exists and fits,
// or equals an existing binding), runs next, and undoes the binding.
func (s *solver) bindNode(i int, id string, next func() error) error {
	b := s.b
	if cur := b.nodes[i]; cur != nil {
		if cur.ID != id {
			return nil
		}
		return next()
	}
	n := s.x.Node(id)
	if n == nil || !s.p.nodes[i].fits(n) {
		return nil
	}
	b.nodes[i] = n
	err := next()
	b.nodes[i] = nil
	return err
}

func (s *solver) expand(i int) error {
	p, b := s.p, s.b
	r := &p.rels[i]
	fromLeft := b.nodes[r.left] != nil
	start, end := r.left, r.right
	if !fromLeft {
		start, end = r.right, r.left
	}
	if !r.varLen {
		return s.candidates(r, b.nodes[start], fromLeft, func(rel *value.Rel, other string) error {
			if !r.fits(rel) || b.isUsed(rel) {
				return nil
			}
			b.rels[i], b.bound[i] = rel, true
			b.used = append(b.used, rel)
			err := s.bindNode(end, other, s.solve)
			b.used = b.used[:len(b.used)-1]
			b.rels[i], b.bound[i] = nil, false
			return err
		})
	}
	var path []*value.Rel
	var walk func(at *value.Node) error
	walk = func(at *value.Node) error {
		if len(path) >= r.min {
			list := make([]*value.Rel, len(path))
			copy(list, path)
			if !fromLeft {
				reverseRels(list)
			}
			b.lists[i], b.bound[i] = list, true
			err := s.bindNode(end, at.ID, s.solve)
			b.lists[i], b.bound[i] = nil, false
			if err != nil {
				return err
			}
		}
		if r.max >= 0 && len(path) >= r.max {
			return nil
		}
		return s.candidates(r, at, fromLeft, func(rel *value.Rel, other string) error {
			if !r.fits(rel) || b.isUsed(rel) {
				return nil
			}
			next := s.x.Node(other)
			if next == nil {
				return nil
			}
			path = append(path, rel)
			b.used = append(b.used, rel)
			err := walk(next)
			b.used = b.used[:len(b.used)-1]
			path = path[:len(path)-1]
			return err
		})
	}
	return walk(b.nodes[start])
}

func reverseRels(l []*value.Rel) {
	for i, j := 0, len(l)-1; i < j; i, j = i+1, j-1 {
		l[i], l[j] = l[j], l[i]
	}
}

// solveAll enumerates every solution given the pre-bound slots in b.
func (p *pattern) solveAll(x graph, b *binding, emit sink) error {
	s := solver{p: p, x: x, b: b, emit: emit}
	return s.solve()
}

// solveAnchored enumerates every solution in which the element (a node or a
// relationship as stored in x now) occupies at least one slot, each solution
// exactly once: anchored at slot i, solutions where the element also fills
// an earlier slot are skipped (they were found from that slot).
func (p *pattern) solveAnchored(x graph, n *value.Node, rel *value.Rel, emit sink) error {
	if p.anchor == nil {
		p.anchor = p.newBinding()
	}
	// An element the query does not read anchors nothing: its solutions
	// neither appear nor disappear.
	if (n != nil && !x.vis.node(n)) || (rel != nil && !x.vis.rel(rel)) {
		return nil
	}
	b := p.anchor
	f := &p.filter
	*f = anchorFilter{p: p, n: n, rel: rel, next: emit}
	if n != nil {
		for i := range p.nodes {
			if !p.nodes[i].fits(n) {
				continue
			}
			f.mode, f.slot = anchorNodeSlot, i
			b.reset()
			b.nodes[i] = n
			if err := p.solveAll(x, b, f); err != nil {
				return err
			}
		}
		// A node can also lie inside a variable-length path: its existence
		// decides whether the path exists, and its snapshot is part of a
		// path value.
		for i := range p.rels {
			if !p.rels[i].varLen {
				continue
			}
			f.mode, f.slot = anchorThroughPath, i
			b.reset()
			if err := p.anchorThrough(x, b, i, n, f); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range p.rels {
		r := &p.rels[i]
		if !r.fits(rel) {
			continue
		}
		f.mode, f.slot = anchorRelSlot, i
		// Orientations: left->right as the slot reads it.
		var ends [2][2]string
		k := 0
		switch r.dir {
		case ast.DirRight:
			ends[0], k = [2]string{rel.From, rel.To}, 1
		case ast.DirLeft:
			ends[0], k = [2]string{rel.To, rel.From}, 1
		default:
			ends[0], k = [2]string{rel.From, rel.To}, 1
			if rel.From != rel.To {
				ends[1], k = [2]string{rel.To, rel.From}, 2
			}
		}
		for _, o := range ends[:k] {
			b.reset()
			if !r.varLen {
				b.rels[i], b.bound[i] = rel, true
				b.used = append(b.used, rel)
				s := solver{p: p, x: x, b: b, emit: f}
				if err := s.bindBoth(r.left, o[0], r.right, o[1]); err != nil {
					return err
				}
				continue
			}
			if err := p.anchorVarLen(x, b, i, rel, o[0], o[1], f); err != nil {
				return err
			}
		}
	}
	return nil
}

// bindBoth binds two node slots and solves the rest.
func (s *solver) bindBoth(l int, lid string, r int, rid string) error {
	return s.bindNode(l, lid, func() error { return s.bindNode(r, rid, s.solve) })
}

// occupies reports whether rel fills rel slot j of b.
func occupies(b *binding, j int, rel *value.Rel) bool {
	if !b.bound[j] {
		return false
	}
	if b.rels[j] != nil {
		return b.rels[j].ID == rel.ID
	}
	for _, r := range b.lists[j] {
		if r.ID == rel.ID {
			return true
		}
	}
	return false
}

// anchorVarLen enumerates the variable-length paths of slot i that contain
// rel traversed from node l to node r: a prefix walked backwards from l, rel,
// and a suffix walked forwards from r.
func (p *pattern) anchorVarLen(x graph, b *binding, i int, rel *value.Rel, l, r string, emit sink) error {
	slot := &p.rels[i]
	s := solver{p: p, x: x, b: b, emit: emit}
	ln, rn := x.Node(l), x.Node(r)
	if ln == nil || rn == nil {
		return nil
	}
	b.used = append(b.used, rel)
	var prefix, suffix []*value.Rel
	var back func(at *value.Node) error
	var fwd func(at *value.Node, start *value.Node) error
	fwd = func(at *value.Node, start *value.Node) error {
		total := len(prefix) + 1 + len(suffix)
		if total >= slot.min && (slot.max < 0 || total <= slot.max) {
			list := make([]*value.Rel, 0, total)
			for k := len(prefix) - 1; k >= 0; k-- {
				list = append(list, prefix[k])
			}
			list = append(list, rel)
			list = append(list, suffix...)
			b.lists[i], b.bound[i] = list, true
			err := s.bindNode(slot.left, start.ID, func() error {
				return s.bindNode(slot.right, at.ID, s.solve)
			})
			b.lists[i], b.bound[i] = nil, false
			if err != nil {
				return err
			}
		}
		if slot.max >= 0 && total >= slot.max {
			return nil
		}
		return s.candidates(slot, at, true, func(c *value.Rel, other string) error {
			if !slot.fits(c) || b.isUsed(c) {
				return nil
			}
			next := x.Node(other)
			if next == nil {
				return nil
			}
			suffix = append(suffix, c)
			b.used = append(b.used, c)
			err := fwd(next, start)
			b.used = b.used[:len(b.used)-1]
			suffix = suffix[:len(suffix)-1]
			return err
		})
	}
	back = func(at *value.Node) error {
		if err := fwd(rn, at); err != nil {
			return err
		}
		if slot.max >= 0 && len(prefix)+1 >= slot.max {
			return nil
		}
		return s.candidates(slot, at, false, func(c *value.Rel, other string) error {
			if !slot.fits(c) || b.isUsed(c) {
				return nil
			}
			next := x.Node(other)
			if next == nil {
				return nil
			}
			prefix = append(prefix, c)
			b.used = append(b.used, c)
			err := back(next)
			b.used = b.used[:len(b.used)-1]
			prefix = prefix[:len(prefix)-1]
			return err
		})
	}
	err := back(ln)
	b.used = b.used[:len(b.used)-1]
	return err
}

// solutionID hashes the elements a solution bound, slot by slot: the
// identity of the result row it produces.
func (p *pattern) solutionID(b *binding) uint64 {
	h := value.NewHasher(p.seed)
	for _, n := range b.nodes {
		if n != nil {
			h.WriteString(n.ID)
		}
		h.Byte(0)
	}
	for i := range p.rels {
		if b.rels[i] != nil {
			h.WriteString(b.rels[i].ID)
		}
		for _, r := range b.lists[i] {
			h.WriteString(r.ID)
			h.Byte(1)
		}
		h.Byte(0)
	}
	return h.Sum64()
}

// buildPath assembles the value of a path variable from a full binding.
func (p *pattern) buildPath(x graph, b *binding, ps *pathSlot) *value.Path {
	path := &value.Path{Nodes: []*value.Node{b.nodes[ps.nodes[0]]}}
	for k, ri := range ps.rels {
		if b.rels[ri] != nil {
			path.Rels = append(path.Rels, b.rels[ri])
			path.Nodes = append(path.Nodes, b.nodes[ps.nodes[k+1]])
			continue
		}
		at := path.Nodes[len(path.Nodes)-1].ID
		for _, r := range b.lists[ri] {
			next := r.To
			if r.To == at {
				next = r.From
			}
			if r.From == at {
				next = r.To
			}
			path.Rels = append(path.Rels, r)
			n := x.Node(next)
			if n == nil {
				n = &value.Node{ID: next}
			}
			path.Nodes = append(path.Nodes, n)
			at = next
		}
		// The path ends at the bound end node (same id; use the bound
		// version so that snapshots agree).
		path.Nodes[len(path.Nodes)-1] = b.nodes[ps.nodes[k+1]]
	}
	return path
}

// throughNode reports whether node id is an inner node of the path bound to
// variable-length slot j.
func throughNode(list []*value.Rel, id string, b *binding, p *pattern, j int) bool {
	if len(list) < 2 {
		return false
	}
	at := b.nodes[p.rels[j].left].ID
	for _, r := range list[:len(list)-1] {
		next := r.To
		if r.To == at {
			next = r.From
		}
		if r.From == at {
			next = r.To
		}
		if next == id {
			return true
		}
		at = next
	}
	return false
}

// anchorThrough enumerates the variable-length paths of slot i that pass
// through node n as an inner node: a non-empty prefix walked backwards from
// n and a non-empty suffix walked forwards from it.
func (p *pattern) anchorThrough(x graph, b *binding, i int, n *value.Node, emit sink) error {
	slot := &p.rels[i]
	if slot.max >= 0 && slot.max < 2 {
		return nil
	}
	s := solver{p: p, x: x, b: b, emit: emit}
	var prefix, suffix []*value.Rel
	var back func(at *value.Node) error
	var fwd func(at *value.Node, start *value.Node) error
	fwd = func(at *value.Node, start *value.Node) error {
		total := len(prefix) + len(suffix)
		if len(suffix) > 0 && total >= slot.min && (slot.max < 0 || total <= slot.max) {
			list := make([]*value.Rel, 0, total)
			for k := len(prefix) - 1; k >= 0; k-- {
				list = append(list, prefix[k])
			}
			list = append(list, suffix...)
			b.lists[i], b.bound[i] = list, true
			err := s.bindNode(slot.left, start.ID, func() error {
				return s.bindNode(slot.right, at.ID, s.solve)
			})
			b.lists[i], b.bound[i] = nil, false
			if err != nil {
				return err
			}
		}
		if slot.max >= 0 && total >= slot.max {
			return nil
		}
		return s.candidates(slot, at, true, func(c *value.Rel, other string) error {
			if !slot.fits(c) || b.isUsed(c) {
				return nil
			}
			next := x.Node(other)
			if next == nil {
				return nil
			}
			suffix = append(suffix, c)
			b.used = append(b.used, c)
			err := fwd(next, start)
			b.used = b.used[:len(b.used)-1]
			suffix = suffix[:len(suffix)-1]
			return err
		})
	}
	back = func(at *value.Node) error {
		if len(prefix) > 0 {
			if err := fwd(n, at); err != nil {
				return err
			}
		}
		if slot.max >= 0 && len(prefix)+1 >= slot.max {
			return nil
		}
		return s.candidates(slot, at, false, func(c *value.Rel, other string) error {
			if !slot.fits(c) || b.isUsed(c) {
				return nil
			}
			next := x.Node(other)
			if next == nil {
				return nil
			}
			prefix = append(prefix, c)
			b.used = append(b.used, c)
			err := back(next)
			b.used = b.used[:len(b.used)-1]
			prefix = prefix[:len(prefix)-1]
			return err
		})
	}
	return back(n)
}
