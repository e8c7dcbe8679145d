package engine

import (
	"sort"
	"time"

	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/functions"
)

// stage is one operator of a query pipeline. push receives the input delta
// of one element change (or of the bootstrap) and returns its output delta.
// Every stage is called on every change, even with an empty input, because
// a match stage also reacts to the graph change itself.
type stage interface {
	push(c *evalCtx, in []delta) ([]delta, error)
}

// ---- match ----------------------------------------------------------------

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

func newMatchStage(pp *patternPlan, optional bool, where evalFn) *matchStage {
	return &matchStage{pp: pp, optional: optional, where: where, store: newRowBag(), b: pp.p.newBinding()}
}

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

// resetScratch starts a step: the scratch solutions and rows of the previous
// one have been consumed by then (the pipeline runs to its end within a
// step).
func (m *matchStage) resetScratch() {
	m.nSols = 0
	m.rows.reset()
}

// keep evaluates the residual condition on a merged row.
func (m *matchStage) keep(c *evalCtx, r *row) (bool, error) {
	if m.where == nil {
		return true, nil
	}
	v, err := m.where(c, r.vals)
	if err != nil {
		return false, err
	}
	return v.AsBool(), nil
}

func (m *matchStage) nullRow(in *row) *row {
	vals := make([]value.Value, len(m.pp.out.names))
	copy(vals, in.vals)
	return &row{id: mix(in.id, 0x6e756c6c), pair: mix(in.pair, 0x6f7074), nulls: in.nulls + 1, vals: vals}
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

// current lists the merged rows of input row in against the graph as it is now.
func (m *matchStage) current(c *evalCtx, in *row) ([]*row, error) {
	if !m.pp.bindFrom(c.index, in.vals, m.b) {
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
					if !m.pp.compatible(e.r.vals, s) {
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
		key, ok := m.pp.joinKeyOfRow(d.r.vals)
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

// ---- filter ---------------------------------------------------------------

// filterStage keeps the rows for which cond is true.
type filterStage struct {
	cond evalFn
}

func (f *filterStage) push(c *evalCtx, in []delta) ([]delta, error) {
	out := in[:0:0]
	for _, d := range in {
		v, err := f.cond(c, d.r.vals)
		if err != nil {
			return nil, err
		}
		if v.AsBool() {
			out = append(out, d)
		}
	}
	return out, nil
}

// ---- unwind ---------------------------------------------------------------

// unwindStage emits one row per element of a list.
type unwindStage struct {
	list evalFn
}

func (u *unwindStage) push(c *evalCtx, in []delta) ([]delta, error) {
	var out []delta
	for _, d := range in {
		lv, err := u.list(c, d.r.vals)
		if err != nil {
			return nil, err
		}
		var items []value.Value
		switch lv.Kind() {
		case value.KindNull:
			continue
		case value.KindList:
			items = lv.AsList()
		default:
			items = []value.Value{lv}
		}
		for i, x := range items {
			vals := make([]value.Value, len(d.r.vals)+1)
			copy(vals, d.r.vals)
			vals[len(d.r.vals)] = x
			k := uint64(i + 1)
			out = append(out, delta{r: &row{id: mix(d.r.id, k), pair: mix(d.r.pair, k), nulls: d.r.nulls, vals: vals}, w: d.w})
		}
	}
	return out, nil
}

// ---- projection -----------------------------------------------------------

// projectStage computes a non-aggregating projection, followed by hidden
// sort-key columns for a later orderStage.
type projectStage struct {
	items []evalFn // over the input row
	sort  []evalFn // over the input row extended by the item values
	ext   int      // width of the input scope the sort keys see
	carry int      // hidden sort keys of the input (after its scope) copied after the items
	// inPipeline is set for a stage of a pipeline's own list (not one
	// wrapped by a reevalStage, whose memo keeps the output slice): its
	// output slice is reused from push to push, since every consumer reads
	// it within the step. transient additionally makes its output rows
	// scratch, when no later stage keeps them (keepsRows).
	inPipeline bool
	transient  bool
	rows       rowPool
	outBuf     []delta
	// memo remembers costly item values per input row for its retraction
	// (projmemo.go); nil when not applicable.
	memo *projMemo
}

func (p *projectStage) push(c *evalCtx, in []delta) ([]delta, error) {
	var out []delta
	if p.inPipeline {
		out = p.outBuf[:0]
	} else {
		out = make([]delta, 0, len(in))
	}
	if p.transient {
		p.rows.reset()
	}
	width := len(p.items) + len(p.sort) + p.carry
	for _, d := range in {
		var nr *row
		if p.transient {
			nr = p.rows.get(width)
		}
		if nr == nil {
			nr = newRow(width)
		}
		nr.id, nr.pair, nr.nulls = d.r.id, d.r.pair, d.r.nulls
		vals := nr.vals
		recalled := p.memo != nil && d.w < 0 && p.memo.recall(d.r, vals)
		for i, f := range p.items {
			if recalled && p.memo.is[i] {
				continue
			}
			v, err := f(c, d.r.vals)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
		if p.memo != nil && d.w > 0 {
			p.memo.remember(d.r, vals)
		}
		if p.carry > 0 {
			copy(vals[len(p.items):], d.r.vals[p.ext:])
		}
		if len(p.sort) > 0 {
			ext := make([]value.Value, p.ext+len(p.items))
			copy(ext, d.r.vals)
			copy(ext[p.ext:], vals[:len(p.items)])
			for i, f := range p.sort {
				v, err := f(c, ext)
				if err != nil {
					return nil, err
				}
				vals[len(p.items)+i] = v
			}
		}
		out = append(out, delta{r: nr, w: d.w})
	}
	if p.memo != nil {
		p.memo.sweep()
	}
	if p.inPipeline && cap(out) <= maxPooled {
		p.outBuf = out[:0]
	}
	return out, nil
}

// ---- aggregation ----------------------------------------------------------

// aggregateStage groups rows by key and maintains each group's aggregates
// incrementally (apply on +, revert on -).
type aggregateStage struct {
	keys    []evalFn   // grouping keys over the input row
	aggArgs [][]evalFn // per aggregate: its argument expressions over the input row
	newAcc  []func() functions.Accumulator
	items   []evalFn // output items over [keys..., aggregates...]
	sort    []evalFn // sort keys over [keys..., aggregates..., items...]
	global  bool     // no grouping keys: one group that always exists
	groups  map[uint64][]*group
	seed    value.Seed // the engine's: keys groups and the accumulators' buckets
	started bool
	argBuf  []value.Value
	// windows holds, per aggregate, the length of its drasi.slidingWindow
	// (0: not windowed); site is the temporal call site of the group
	// expiry futures.
	windows []time.Duration
	site    int
	// postSites are the temporal call sites of the expressions over the
	// aggregates: their state and futures belong to the group's row.
	postSites []int
	// Per-push scratch: the grouping key being looked up, the touched
	// groups, the post-aggregation scope, a group's candidate output values
	// and the output slice (which every consumer reads within the step:
	// the stage is never wrapped).
	keyBuf  []value.Value
	touched []*group
	postBuf []value.Value
	valBuf  []value.Value
	outBuf  []delta
}

// windowEntry is a row counted in a sliding window until expires.
type windowEntry struct {
	row     uint64
	args    []value.Value
	expires time.Time
}

type group struct {
	h    uint64
	key  []value.Value
	accs []functions.Accumulator
	win  [][]windowEntry // per windowed aggregate: rows in the window, oldest first
	// unsorted is set if a window entry ever arrived expiring before the
	// one ahead of it (the clock never moves back, so it should not):
	// expire then scans whole windows instead of their expired prefix.
	unsorted bool
	count    int
	// post is the group's keys and aggregate values when its row was last
	// computed: a push that leaves them as they were is no change of the
	// group (its temporal functions do not see it), unless a future fires.
	post []value.Value
	out  *row // the row currently emitted for the group
	prev *row // out before this push
	seen bool // touched in this push
}

// group finds the group of key, or creates it with a copy of key (the
// caller's key may be scratch).
func (a *aggregateStage) group(key []value.Value, h uint64) *group {
	for _, g := range a.groups[h] {
		if equivalentRows(g.key, key) {
			return g
		}
	}
	key = append(make([]value.Value, 0, len(key)), key...)
	g := &group{h: h, key: key, accs: make([]functions.Accumulator, len(a.newAcc)), win: make([][]windowEntry, len(a.newAcc))}
	for i := range a.newAcc {
		g.accs[i] = a.newAccumulator(i)
	}
	a.groups[h] = append(a.groups[h], g)
	return g
}

// newAccumulator returns an empty accumulator for aggregate i, hashing (if
// it hashes) with the engine's seed.
func (a *aggregateStage) newAccumulator(i int) functions.Accumulator {
	acc := a.newAcc[i]()
	functions.SeedAccumulator(acc, a.seed)
	return acc
}

func (a *aggregateStage) push(c *evalCtx, in []delta) ([]delta, error) {
	touched := a.touched[:0]
	touch := func(g *group) {
		if !g.seen {
			g.seen, g.prev = true, g.out
			touched = append(touched, g)
		}
	}
	if !a.started {
		a.started = true
		if a.global {
			touch(a.group([]value.Value{}, hashValues(a.seed, nil)))
		}
	}
	for _, d := range in {
		key := a.keyBuf[:0]
		for _, f := range a.keys {
			v, err := f(c, d.r.vals)
			if err != nil {
				return nil, err
			}
			key = append(key, v)
		}
		a.keyBuf = key
		h := hashValues(a.seed, key)
		g := a.group(key, h)
		touch(g)
		if d.w > 0 {
			// The latest snapshot of key elements, copied over the
			// group's own key (nothing else holds that array: output
			// copies it).
			copy(g.key, key)
		}
		for j, args := range a.aggArgs {
			buf := a.argBuf[:0]
			for _, f := range args {
				v, err := f(c, d.r.vals)
				if err != nil {
					return nil, err
				}
				buf = append(buf, v)
			}
			a.argBuf = buf
			if a.windows[j] > 0 {
				if err := a.windowed(c, g, j, d, buf); err != nil {
					return nil, err
				}
				continue
			}
			for k := 0; k < d.w; k++ {
				if err := g.accs[j].Apply(buf); err != nil {
					return nil, err
				}
			}
			for k := 0; k > d.w; k-- {
				if err := g.accs[j].Revert(buf); err != nil {
					return nil, err
				}
			}
		}
		g.count += d.w
	}
	out, err := a.emit(c, touched)
	clear(touched)
	a.touched = touched[:0]
	return out, err
}

// windowed applies a row to a sliding-window aggregate: an arriving row
// counts until now + window; a leaving row is reverted only if it has not
// expired already.
func (a *aggregateStage) windowed(c *evalCtx, g *group, j int, d delta, args []value.Value) error {
	for k := 0; k < d.w; k++ {
		if err := g.accs[j].Apply(args); err != nil {
			return err
		}
		e := windowEntry{row: d.r.id, args: append([]value.Value(nil), args...), expires: c.now.Add(a.windows[j])}
		if w := g.win[j]; len(w) > 0 && e.expires.Before(w[len(w)-1].expires) {
			g.unsorted = true
		}
		g.win[j] = append(g.win[j], e)
	}
	for k := 0; k > d.w; k-- {
		for i, e := range g.win[j] {
			if e.row == d.r.id && identicalRows(e.args, args) {
				if err := g.accs[j].Revert(args); err != nil {
					return err
				}
				g.win[j] = append(g.win[j][:i], g.win[j][i+1:]...)
				break
			}
		}
	}
	return nil
}

// expire reverts the window entries of g that expired by now and
// reschedules the group's next expiry.
func (a *aggregateStage) expire(c *evalCtx, g *group) error {
	var next time.Time
	if !g.unsorted {
		// Entries are in expiry order: the expired ones are a prefix, and
		// the first one left is the next to expire.
		for j, es := range g.win {
			k := 0
			for k < len(es) && !es[k].expires.After(c.now) {
				if err := g.accs[j].Revert(es[k].args); err != nil {
					return err
				}
				k++
			}
			if k > 0 {
				n := copy(es, es[k:])
				clear(es[n:])
				es = es[:n]
				g.win[j] = es
			}
			if len(es) > 0 && (next.IsZero() || es[0].expires.Before(next)) {
				next = es[0].expires
			}
		}
		return a.reschedule(c, g, next)
	}
	for j, es := range g.win {
		n := 0
		for _, e := range es {
			if !e.expires.After(c.now) {
				if err := g.accs[j].Revert(e.args); err != nil {
					return err
				}
				continue
			}
			es[n] = e
			n++
			if next.IsZero() || e.expires.Before(next) {
				next = e.expires
			}
		}
		clear(es[n:])
		g.win[j] = es[:n]
	}
	return a.reschedule(c, g, next)
}

// reschedule sets the group's expiry future to next (none if zero).
func (a *aggregateStage) reschedule(c *evalCtx, g *group, next time.Time) error {
	saved := c.row
	c.row = g.h
	if next.IsZero() {
		c.cancel(a.site)
	} else {
		c.schedule(a.site, next, true)
	}
	c.row = saved
	return nil
}

func (a *aggregateStage) ownSites() []int {
	if a.site == 0 {
		return a.postSites
	}
	return append([]int{a.site}, a.postSites...)
}

// fire expires the sliding windows of the groups with identity h and
// computes their rows again at the current time (for the temporal
// functions over the aggregates).
func (a *aggregateStage) fire(c *evalCtx, h uint64) ([]delta, error) {
	c.firing = true
	defer func() { c.firing = false }()
	var touched []*group
	for _, g := range a.groups[h] {
		g.seen, g.prev = true, g.out
		touched = append(touched, g)
	}
	return a.emit(c, touched)
}

// emit closes a push or a firing: expires windows, computes each touched
// group's row and emits what changed.
func (a *aggregateStage) emit(c *evalCtx, touched []*group) ([]delta, error) {
	out := a.outBuf[:0]
	defer func() {
		if cap(out) <= maxPooled {
			a.outBuf = out[:0]
		}
	}()
	for _, g := range touched {
		g.seen = false
		if a.site != 0 {
			if err := a.expire(c, g); err != nil {
				return nil, err
			}
		}
		var now *row
		if g.count > 0 || a.global {
			post := a.post(g)
			if !c.firing && g.post != nil && identicalRows(g.post, post) {
				continue // no change of the group: its row stays as it is
			}
			g.post = append(g.post[:0], post...)
			vals, err := a.output(c, g, post)
			if err != nil {
				return nil, err
			}
			if g.prev != nil && identicalRows(g.prev.vals, vals) {
				continue
			}
			// Only a row that changed is kept (as g.out and downstream).
			now = newRow(len(vals))
			copy(now.vals, vals)
			now.id, now.pair = g.h, g.h
		}
		if g.prev != nil {
			out = append(out, delta{r: g.prev, w: -1})
		}
		if now != nil {
			out = append(out, delta{r: now, w: 1})
		}
		g.out = now
		if g.count == 0 && !a.global {
			a.drop(g)
			if sites := a.ownSites(); len(sites) > 0 {
				c.q.dropRow(c.eng, sites, g.h)
			}
		}
	}
	return out, nil
}

func (a *aggregateStage) drop(g *group) {
	gs := a.groups[g.h]
	for i, x := range gs {
		if x == g {
			gs[i] = gs[len(gs)-1]
			gs = gs[:len(gs)-1]
			break
		}
	}
	if len(gs) == 0 {
		delete(a.groups, g.h)
	} else {
		a.groups[g.h] = gs
	}
}

// post computes g's keys and aggregate values into scratch (valid until
// the next call): the scope of the expressions over the aggregates.
func (a *aggregateStage) post(g *group) []value.Value {
	n := len(g.key) + len(g.accs)
	if cap(a.postBuf) < n+len(a.items) {
		a.postBuf = make([]value.Value, n+len(a.items))
	}
	post := a.postBuf[:n]
	copy(post, g.key)
	for i, acc := range g.accs {
		post[len(g.key)+i] = acc.Result()
	}
	return post
}

// output computes a group's output values over its post scope (from post)
// into scratch (valid until the next call).
func (a *aggregateStage) output(c *evalCtx, g *group, post []value.Value) ([]value.Value, error) {
	if cap(a.valBuf) < len(a.items)+len(a.sort) {
		a.valBuf = make([]value.Value, len(a.items)+len(a.sort))
	}
	vals := a.valBuf[:len(a.items)+len(a.sort)]
	clear(vals)
	// The group is the row of the temporal functions over its aggregates.
	saved := c.row
	c.row = g.h
	defer func() { c.row = saved }()
	for i, f := range a.items {
		v, err := f(c, post)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	if len(a.sort) > 0 {
		ext := append(post, vals[:len(a.items)]...)
		for i, f := range a.sort {
			v, err := f(c, ext)
			if err != nil {
				return nil, err
			}
			vals[len(a.items)+i] = v
		}
	}
	return vals, nil
}

// ---- distinct -------------------------------------------------------------

// distinctStage passes a row on when its values first appear and retracts
// it when the last copy goes; its identity is its values.
type distinctStage struct {
	width  int // visible columns compared
	counts map[uint64][]*distinctEntry
	seed   value.Seed // the engine's: keys counts
}

type distinctEntry struct {
	r *row
	n int
}

func (s *distinctStage) push(c *evalCtx, in []delta) ([]delta, error) {
	var out []delta
	for _, d := range in {
		vis := d.r.vals[:s.width]
		h := hashValues(s.seed, vis)
		var e *distinctEntry
		for _, x := range s.counts[h] {
			if equivalentRows(x.r.vals[:s.width], vis) {
				e = x
				break
			}
		}
		if e == nil {
			e = &distinctEntry{r: &row{id: h, pair: h, vals: d.r.vals}}
			s.counts[h] = append(s.counts[h], e)
		}
		before := e.n
		e.n += d.w
		switch {
		case before <= 0 && e.n > 0:
			out = append(out, delta{r: e.r, w: 1})
		case before > 0 && e.n <= 0:
			out = append(out, delta{r: e.r, w: -1})
		}
		if e.n == 0 {
			list := s.counts[h]
			for i, x := range list {
				if x == e {
					list[i] = list[len(list)-1]
					list = list[:len(list)-1]
					break
				}
			}
			if len(list) == 0 {
				delete(s.counts, h)
			} else {
				s.counts[h] = list
			}
		}
	}
	return out, nil
}

// ---- order / skip / limit -------------------------------------------------

// orderStage keeps its input sorted by the hidden sort-key columns and
// emits the changes of the window [skip, skip+limit). Rows that tie (or
// all rows, without ORDER BY) keep their arrival order, so that LIMIT
// without ORDER BY takes the first rows that came. Without skip and limit
// it passes deltas through and only keeps the order for Results.
type orderStage struct {
	width   int    // visible columns; sort keys follow them
	desc    []bool // per sort key
	skip    int
	limit   int // < 0: none
	entries []orderEntry
	seq     uint64 // arrivals so far
}

type orderEntry struct {
	r   *row
	seq uint64 // arrival order, the tie-break
}

func (o *orderStage) less(a, b orderEntry) bool {
	for i, d := range o.desc {
		c := value.Compare(a.r.vals[o.width+i], b.r.vals[o.width+i])
		if c != 0 {
			if d {
				return c > 0
			}
			return c < 0
		}
	}
	return a.seq < b.seq
}

func (o *orderStage) windowed() bool { return o.skip > 0 || o.limit >= 0 }

func (o *orderStage) window() []orderEntry {
	lo := o.skip
	if lo > len(o.entries) {
		lo = len(o.entries)
	}
	hi := len(o.entries)
	if o.limit >= 0 && lo+o.limit < hi {
		hi = lo + o.limit
	}
	return o.entries[lo:hi]
}

// rows lists the rows of the window (or all, unwindowed) in order.
func (o *orderStage) rows() []*row {
	es := o.entries
	if o.windowed() {
		es = o.window()
	}
	out := make([]*row, len(es))
	for i, e := range es {
		out[i] = e.r
	}
	return out
}

func (o *orderStage) insert(e orderEntry) {
	i := sort.Search(len(o.entries), func(i int) bool { return o.less(e, o.entries[i]) })
	o.entries = append(o.entries, orderEntry{})
	copy(o.entries[i+1:], o.entries[i:])
	o.entries[i] = e
}

// remove drops the entry of row r: found by its sort keys, then by identity
// and values among the rows that tie with it.
func (o *orderStage) remove(r *row) {
	probe := orderEntry{r: r}
	i := sort.Search(len(o.entries), func(i int) bool { return !o.less(o.entries[i], probe) })
	for j := i; j < len(o.entries); j++ {
		e := o.entries[j]
		if e.r.id == r.id && identicalRows(e.r.vals, r.vals) {
			o.entries = append(o.entries[:j], o.entries[j+1:]...)
			return
		}
		if o.cmpKeys(r, e.r) != 0 {
			break
		}
	}
	// Not where expected (a sort key that does not compare stably): search.
	for j, e := range o.entries {
		if e.r.id == r.id && identicalRows(e.r.vals, r.vals) {
			o.entries = append(o.entries[:j], o.entries[j+1:]...)
			return
		}
	}
}

func (o *orderStage) cmpKeys(a, b *row) int {
	for i, d := range o.desc {
		if c := value.Compare(a.vals[o.width+i], b.vals[o.width+i]); c != 0 {
			if d {
				return -c
			}
			return c
		}
	}
	return 0
}

func (o *orderStage) push(c *evalCtx, in []delta) ([]delta, error) {
	if len(in) == 0 {
		return nil, nil
	}
	var old map[*row]int
	if o.windowed() {
		old = map[*row]int{}
		for _, e := range o.window() {
			old[e.r]++
		}
	}
	var adds []orderEntry
	for _, d := range in {
		for k := 0; k < d.w; k++ {
			o.seq++
			adds = append(adds, orderEntry{r: d.r, seq: o.seq})
		}
		for k := 0; k > d.w; k-- {
			o.remove(d.r)
		}
	}
	if len(adds) < 32 {
		for _, e := range adds {
			o.insert(e)
		}
	} else {
		// Many rows at once (a bootstrap): sort them and merge, instead of
		// shifting the slice once per row.
		sort.SliceStable(adds, func(i, j int) bool { return o.less(adds[i], adds[j]) })
		merged := make([]orderEntry, 0, len(o.entries)+len(adds))
		i, j := 0, 0
		for i < len(o.entries) && j < len(adds) {
			if o.less(adds[j], o.entries[i]) {
				merged = append(merged, adds[j])
				j++
			} else {
				merged = append(merged, o.entries[i])
				i++
			}
		}
		merged = append(merged, o.entries[i:]...)
		o.entries = append(merged, adds[j:]...)
	}
	if !o.windowed() {
		return in, nil
	}
	var out []delta
	for _, e := range o.window() {
		if old[e.r] > 0 {
			old[e.r]--
			continue
		}
		out = append(out, delta{r: e.r, w: 1})
	}
	for r, n := range old {
		for ; n > 0; n-- {
			out = append(out, delta{r: r, w: -1})
		}
	}
	return out, nil
}

// ---- trim -----------------------------------------------------------------

// trimStage drops hidden columns (sort keys) so that the next clause sees
// exactly its scope.
type trimStage struct {
	width int
}

func (t *trimStage) push(c *evalCtx, in []delta) ([]delta, error) {
	out := make([]delta, len(in))
	for i, d := range in {
		if len(d.r.vals) == t.width {
			out[i] = d
			continue
		}
		out[i] = delta{r: &row{id: d.r.id, pair: d.r.pair, nulls: d.r.nulls, vals: d.r.vals[:t.width:t.width]}, w: d.w}
	}
	return out, nil
}
