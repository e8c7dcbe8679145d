package engine

import (
	"github.com/vigilhq/vigil/engine/value"
)

// matchStage joins its input rows with the solutions of a pattern:
// out = A_old ⋈ ΔB + ΔA ⋈ B_new, where A is the stored input multiset, B
// the pattern's solutions and ΔB the solutions gained and lost by the
// element change (found by solving anchored at the element before and after
// it was applied). With optional set it is a left outer join whose unmatched
// input rows carry nulls.
type matchStage struct {
	pp       *patternPlan
	optional bool
	where    evalFn // residual condition over the merged row; nil = true
	store    *rowBag
	lost     []*solution // solutions anchored at the element before the change
	gained   []*solution // and after it
	// collecting and x serve the anchored solve in progress.
	collecting         []*solution
	lostBuf, gainedBuf []*solution
	x                  graph
	b                  *binding
	// transient is set when no later stage keeps this stage's output rows
	// past the step (keepsRows): the anchored solutions, the rows merged
	// from them and the output slice are then scratch reused every step
	// instead of allocated.
	transient bool
	sols      []*solution // scratch solutions; nSols in use this step
	nSols     int
	rows      rowPool
	outBuf    []delta
	// deriveFrom is the node as it was before an update whose lost
	// solutions after derives from the gained ones (sameSolutions).
	deriveFrom *value.Node
}

func newMatchStage(pp *patternPlan, optional bool, where evalFn) *matchStage {
	return &matchStage{pp: pp, optional: optional, where: where, store: newRowBag(), b: pp.p.newBinding()}
}

func (m *matchStage) before(x graph, n *value.Node, r *value.Rel, next *value.Node) error {
	m.resetScratch()
	m.deriveFrom = nil
	if n != nil && next != nil && m.sameSolutions(n, next) {
		// The solutions anchored at n are those anchored at next with
		// the snapshot swapped: derived in after, with no solve now.
		m.lost, m.deriveFrom = nil, n
		return nil
	}
	sols, err := m.anchored(x, n, r, m.lostBuf[:0])
	m.lost, m.lostBuf = sols, sols[:0]
	return err
}

func (m *matchStage) after(x graph, n *value.Node, r *value.Rel) error {
	sols, err := m.anchored(x, n, r, m.gainedBuf[:0])
	m.gained, m.gainedBuf = sols, sols[:0]
	if old := m.deriveFrom; old != nil {
		m.deriveFrom = nil
		if err == nil {
			m.deriveLost(old, n)
		}
	}
	return err
}

func (m *matchStage) busy() bool { return len(m.lost)+len(m.gained) > 0 }

// anchored captures every solution containing the element as x holds it now.
func (m *matchStage) anchored(x graph, n *value.Node, r *value.Rel, dst []*solution) ([]*solution, error) {
	if (n == nil && r == nil) || !m.pp.routes(n, r) {
		return dst, nil
	}
	m.collecting = dst
	m.x = x
	err := m.pp.p.solveAnchored(x, n, r, m)
	return m.collecting, err
}

// accept collects one anchored solution (see anchored).
func (m *matchStage) accept(b *binding) error {
	if m.transient && m.nSols < maxPooled {
		if m.nSols == len(m.sols) {
			m.sols = append(m.sols, &solution{})
		}
		s := m.sols[m.nSols]
		m.nSols++
		m.pp.captureInto(m.x, b, s)
		m.collecting = append(m.collecting, s)
		return nil
	}
	m.collecting = append(m.collecting, m.pp.capture(m.x, b))
	return nil
}

// sameSolutions reports whether an update from node old to node next leaves
// the pattern's solutions containing the node the same but for its snapshot:
// the solver decides which slots a node can fill by its labels and the
// slots' constant property constraints only (the residual WHERE is the
// stage's, evaluated on the merged rows), and the update changes neither
// the relationships nor any other node. Paths and variable-length
// relationships are left to the full solve (a path value holds snapshots
// of the nodes along it).
func (m *matchStage) sameSolutions(old, next *value.Node) bool {
	p := m.pp.p
	if len(p.paths) > 0 || old.ID != next.ID || len(old.Labels) != len(next.Labels) {
		return false
	}
	for i := range old.Labels {
		if old.Labels[i] != next.Labels[i] {
			return false
		}
	}
	for i := range p.rels {
		if p.rels[i].varLen {
			return false
		}
	}
	for i := range p.nodes {
		if len(p.nodes[i].props) > 0 && p.nodes[i].fits(old) != p.nodes[i].fits(next) {
			return false
		}
	}
	return true
}

// deriveLost sets the lost solutions from the gained ones of an update from
// old to next that passed sameSolutions: each gained solution with next
// replaced by old wherever it appears (the solve after the change bound the
// index's node, next, to every slot the node fills).
func (m *matchStage) deriveLost(old, next *value.Node) {
	lost := m.lostBuf[:0]
	for _, g := range m.gained {
		var s *solution
		if m.transient && m.nSols < maxPooled {
			if m.nSols == len(m.sols) {
				m.sols = append(m.sols, &solution{})
			}
			s = m.sols[m.nSols]
			m.nSols++
		} else {
			s = &solution{}
		}
		s.id, s.key = g.id, g.key
		n := len(g.vals)
		if n <= len(s.inline) {
			s.vals = s.inline[:n]
		} else {
			if cap(s.big) < n {
				s.big = make([]value.Value, n)
			}
			s.vals = s.big[:n]
		}
		copy(s.vals, g.vals)
		for k := range s.vals {
			if s.vals[k].Kind() == value.KindNode && s.vals[k].AsNode() == next {
				s.vals[k] = value.NodeOf(old)
			}
		}
		// The bound slots' ids are the same; s keeps its own arrays (a
		// scratch solution's are reused by captureInto).
		if g.nodeIDs != nil || g.relIDs != nil {
			s.nodeIDs = append(resize(s.nodeIDs, 0), g.nodeIDs...)
			s.relIDs = append(resize(s.relIDs, 0), g.relIDs...)
		} else {
			s.nodeIDs, s.relIDs = nil, nil
		}
		lost = append(lost, s)
	}
	m.lost, m.lostBuf = lost, lost[:0]
}

// resetScratch starts a step: the scratch solutions and rows of the previous
// one have been consumed by then (the pipeline runs to its end within a
// step).
func (m *matchStage) resetScratch() {
	m.nSols = 0
	m.rows.reset()
}

func (m *matchStage) push(c *evalCtx, in []delta) ([]delta, error) {
	var out []delta
	// A_old ⋈ ΔB.
	if len(m.lost)+len(m.gained) > 0 {
		if m.transient {
			out = m.outBuf[:0]
		} else {
			out = make([]delta, 0, len(m.lost)+len(m.gained))
		}
		type touched struct {
			r   *row
			w   int // the row's multiplicity in A
			net int // solutions gained minus lost
		}
		var aff map[*row]*touched
		if m.optional {
			aff = map[*row]*touched{}
		}
		apply := func(sols []*solution, w int) error {
			for _, s := range sols {
				for _, e := range m.store.get(s.key) {
					if !m.pp.compatible(e.r.values(), s) {
						continue
					}
					var r *row
					if m.transient {
						r = mergeScratch(&m.rows, e.r, s)
						if m.optional {
							r.pair = mix(e.r.pair, 0x6f7074)
						}
					} else {
						r = m.optRow(e.r, s)
					}
					ok, err := m.keep(c, r)
					if err != nil {
						return err
					}
					if !ok {
						continue
					}
					out = append(out, delta{r: r, w: w * e.w})
					if aff != nil {
						t := aff[e.r]
						if t == nil {
							t = &touched{r: e.r, w: e.w}
							aff[e.r] = t
						}
						t.net += w
					}
				}
			}
			return nil
		}
		if err := apply(m.lost, -1); err != nil {
			return nil, err
		}
		if err := apply(m.gained, +1); err != nil {
			return nil, err
		}
		for _, t := range aff {
			if t.net == 0 {
				continue
			}
			now, err := m.current(c, t.r)
			if err != nil {
				return nil, err
			}
			was := len(now) - t.net
			switch {
			case was == 0 && len(now) > 0:
				out = append(out, delta{r: m.nullRow(t.r), w: -t.w})
			case was > 0 && len(now) == 0:
				out = append(out, delta{r: m.nullRow(t.r), w: t.w})
			}
		}
		clear(m.lost)
		clear(m.gained)
		m.lost, m.gained = nil, nil
	}
	// ΔA ⋈ B_new.
	for _, d := range in {
		key, ok := m.pp.joinKeyOfRow(d.r.values())
		if ok {
			m.store.add(key, d.r, d.w)
		}
		var rows []*row
		if ok {
			var err error
			if rows, err = m.current(c, d.r); err != nil {
				return nil, err
			}
		}
		if len(rows) == 0 && m.optional {
			out = append(out, delta{r: m.nullRow(d.r), w: d.w})
			continue
		}
		for _, r := range rows {
			out = append(out, delta{r: r, w: d.w})
		}
	}
	if m.transient && cap(out) <= maxPooled {
		m.outBuf = out[:0]
	}
	return out, nil
}

// current lists the merged rows of input row in against the graph as it is now.
func (m *matchStage) current(c *evalCtx, in *row) ([]*row, error) {
	if !m.pp.bindFrom(c.index, in.values(), m.b) {
		return nil, nil
	}
	var out []*row
	var ferr error
	err := m.pp.p.solveAll(c.index, m.b, sinkFunc(func(b *binding) error {
		r := m.optRow(in, m.pp.capture(c.index, b))
		ok, err := m.keep(c, r)
		if err != nil {
			ferr = err
			return err
		}
		if ok {
			out = append(out, r)
		}
		return nil
	}))
	if ferr != nil {
		return nil, ferr
	}
	return out, err
}

// keep evaluates the residual condition on a merged row.
func (m *matchStage) keep(c *evalCtx, r *row) (bool, error) {
	if m.where == nil {
		return true, nil
	}
	v, err := m.where(c, r.values())
	if err != nil {
		return false, err
	}
	return v.AsBool(), nil
}

func (m *matchStage) nullRow(in *row) *row {
	vals := make([]value.Value, len(m.pp.out.names))
	copy(vals, in.values())
	return newRowOf(mix(in.id, 0x6e756c6c), mix(in.pair, 0x6f7074), in.nulls+1, vals)
}

// optRow gives matched rows of an optional stage the pair key of the null
// row they replace.
func (m *matchStage) optRow(in *row, s *solution) *row {
	r := merge(in, s)
	if m.optional {
		r.pair = mix(in.pair, 0x6f7074)
	}
	return r
}

// merge builds the output row of an input row extended by a solution.
func merge(in *row, s *solution) *row {
	if len(in.values()) == 0 {
		// The first MATCH extends the empty row: share the solution's values.
		return newRowOf(mix(in.id, s.id), mix(in.pair, s.id), in.nulls, s.vals)
	}
	vals := make([]value.Value, len(in.values())+len(s.vals))
	copy(vals, in.values())
	copy(vals[len(in.values()):], s.vals)
	return newRowOf(mix(in.id, s.id), mix(in.pair, s.id), in.nulls, vals)
}

// mergeScratch is merge into a pooled row (heap-allocated when the pool is
// full).
func mergeScratch(pool *rowPool, in *row, s *solution) *row {
	var r *row
	if len(in.values()) == 0 {
		if r = pool.getShared(); r == nil {
			return merge(in, s)
		}
		r.setValues(s.vals)
	} else {
		if r = pool.get(len(in.values()) + len(s.vals)); r == nil {
			return merge(in, s)
		}
		copy(r.values(), in.values())
		copy(r.values()[len(in.values()):], s.vals)
	}
	r.id, r.pair, r.nulls = mix(in.id, s.id), mix(in.pair, s.id), in.nulls
	return r
}

// save implements stageState: the stored input rows.
func (m *matchStage) save(s *stateWriter) { s.bag(m.store) }

// load implements stageState.
func (m *matchStage) load(s *stateReader) { s.bag(m.store) }
