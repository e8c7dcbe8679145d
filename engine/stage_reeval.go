package engine

import (
	"github.com/vigilhq/vigil/engine/value"
)

// watcher is a stage that must see each element change: once anchored at
// the element before it is applied, and once after. For a node update,
// before also receives next, the node as it will be (nil otherwise).
type watcher interface {
	before(x graph, n *value.Node, r *value.Rel, next *value.Node) error
	after(x graph, n *value.Node, r *value.Rel) error
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

// reevalStage wraps a stateless stage whose expressions read the graph
// beyond their row (pattern predicates, EXISTS, pattern comprehensions),
// keep per-row state (previousValue, trueFor, ...) or read the clock. It
// remembers each input row and the output it produced, so that retracting a
// row retracts exactly that output (evaluating it again could answer
// differently). When an element change touches the pattern of one of its
// expressions, the rows whose bound variables the change reaches are
// re-evaluated; when a future fires, the row it names is. Other rows are
// left alone.
type reevalStage struct {
	inner   stage
	sites   []int // temporal call sites evaluated by inner
	clock   bool  // inner reads the clock or has temporal call sites
	subs    []*subPattern
	global  []bool // sub binds a variable the input row does not hold: every row is reachable
	memo    map[uint64][]*memoEntry
	byKey   []map[uint64][]*memoEntry // per sub: join key -> rows
	dirty   []map[uint64]bool         // per sub: keys touched by the current change
	anyHit  []bool                    // per sub (global ones): touched at all
	inWidth int
}

type memoEntry struct {
	r    *row
	w    int
	outs []delta // the output of one copy of r
	keys []uint64
	oks  []bool
}

func newReevalStage(inner stage, subs []*subPattern, inWidth int) *reevalStage {
	rs := &reevalStage{inner: inner, subs: subs, memo: map[uint64][]*memoEntry{}, inWidth: inWidth}
	for _, sp := range subs {
		g := false
		for _, in := range sp.pp.nodeIn {
			g = g || in >= inWidth
		}
		for _, in := range sp.pp.relIn {
			g = g || in >= inWidth
		}
		rs.global = append(rs.global, g)
		rs.byKey = append(rs.byKey, map[uint64][]*memoEntry{})
		rs.dirty = append(rs.dirty, map[uint64]bool{})
		rs.anyHit = append(rs.anyHit, false)
	}
	return rs
}

func (rs *reevalStage) touch(x graph, n *value.Node, r *value.Rel) error {
	if n == nil && r == nil {
		return nil
	}
	for i, sp := range rs.subs {
		if !sp.pp.routes(n, r) {
			continue
		}
		err := sp.pp.p.solveAnchored(x, n, r, sinkFunc(func(b *binding) error {
			if rs.global[i] {
				rs.anyHit[i] = true
				return nil
			}
			rs.dirty[i][sp.pp.joinKeyOfBinding(b)] = true
			return nil
		}))
		if err != nil {
			return err
		}
	}
	return nil
}

func (rs *reevalStage) before(x graph, n *value.Node, r *value.Rel, _ *value.Node) error {
	return rs.touch(x, n, r)
}
func (rs *reevalStage) after(x graph, n *value.Node, r *value.Rel) error { return rs.touch(x, n, r) }

func (rs *reevalStage) find(r *row) *memoEntry {
	for _, e := range rs.memo[r.id] {
		if identicalRows(e.r.vals, r.vals) {
			return e
		}
	}
	return nil
}

func (rs *reevalStage) eval(c *evalCtx, r *row) ([]delta, error) {
	c.row = r.id
	return rs.inner.push(c, []delta{{r: r, w: 1}})
}

func (rs *reevalStage) ownSites() []int { return rs.sites }

// fire re-evaluates the rows with the given identity at the current time.
func (rs *reevalStage) fire(c *evalCtx, id uint64) ([]delta, error) {
	var out []delta
	c.firing = true
	defer func() { c.firing = false }()
	for _, e := range rs.memo[id] {
		outs, err := rs.eval(c, e.r)
		if err != nil {
			return nil, err
		}
		out = scaled(out, e.outs, -e.w)
		out = scaled(out, outs, e.w)
		e.outs = outs
	}
	return out, nil
}

// fireAll re-evaluates every row at the current time.
func (rs *reevalStage) fireAll(c *evalCtx) ([]delta, error) {
	var out []delta
	for id := range rs.memo {
		d, err := rs.fire(c, id)
		if err != nil {
			return nil, err
		}
		out = append(out, d...)
	}
	return out, nil
}

func scaled(out []delta, ds []delta, w int) []delta {
	for _, d := range ds {
		out = append(out, delta{r: d.r, w: d.w * w})
	}
	return out
}

func (rs *reevalStage) push(c *evalCtx, in []delta) ([]delta, error) {
	var out []delta
	var gone []uint64
	fresh := map[*memoEntry]bool{}
	for _, d := range in {
		e := rs.find(d.r)
		if e == nil {
			outs, err := rs.eval(c, d.r)
			if err != nil {
				return nil, err
			}
			e = &memoEntry{r: d.r, outs: outs}
			for i, sp := range rs.subs {
				var key uint64
				ok := false
				if !rs.global[i] {
					key, ok = sp.pp.joinKeyOfRow(d.r.vals[:min(len(d.r.vals), sp.pp.inWidth)])
					if ok {
						rs.byKey[i][key] = append(rs.byKey[i][key], e)
					}
				}
				e.keys, e.oks = append(e.keys, key), append(e.oks, ok)
			}
			rs.memo[d.r.id] = append(rs.memo[d.r.id], e)
			fresh[e] = true
		}
		e.w += d.w
		out = scaled(out, e.outs, d.w)
		if e.w == 0 {
			rs.forget(e)
			gone = append(gone, e.r.id)
		}
	}
	// A row whose last copy left takes its temporal state with it (after
	// the whole input: an update retracts and re-adds the same identity).
	if len(rs.sites) > 0 {
		for _, id := range gone {
			if len(rs.memo[id]) == 0 {
				c.q.dropRow(c.eng, rs.sites, id)
			}
		}
	}
	// Rows the change reached: retract what they produced and evaluate them
	// against the graph as it is now.
	seen := map[*memoEntry]bool{}
	redo := func(e *memoEntry) error {
		if seen[e] || fresh[e] || e.w == 0 {
			return nil
		}
		seen[e] = true
		outs, err := rs.eval(c, e.r)
		if err != nil {
			return err
		}
		out = scaled(out, e.outs, -e.w)
		out = scaled(out, outs, e.w)
		e.outs = outs
		return nil
	}
	for i := range rs.subs {
		if rs.anyHit[i] {
			rs.anyHit[i] = false
			for _, es := range rs.memo {
				for _, e := range es {
					if err := redo(e); err != nil {
						return nil, err
					}
				}
			}
		}
		for key := range rs.dirty[i] {
			for _, e := range rs.byKey[i][key] {
				if err := redo(e); err != nil {
					return nil, err
				}
			}
		}
		clear(rs.dirty[i])
	}
	return out, nil
}

func (rs *reevalStage) forget(e *memoEntry) {
	rs.memo[e.r.id] = removeEntry(rs.memo[e.r.id], e)
	if len(rs.memo[e.r.id]) == 0 {
		delete(rs.memo, e.r.id)
	}
	for i := range rs.subs {
		if e.oks[i] {
			rs.byKey[i][e.keys[i]] = removeEntry(rs.byKey[i][e.keys[i]], e)
			if len(rs.byKey[i][e.keys[i]]) == 0 {
				delete(rs.byKey[i], e.keys[i])
			}
		}
	}
}

func removeEntry(es []*memoEntry, e *memoEntry) []*memoEntry {
	for i, x := range es {
		if x == e {
			es[i] = es[len(es)-1]
			return es[:len(es)-1]
		}
	}
	return es
}
