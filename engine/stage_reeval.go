package engine

import (
	"github.com/vigilhq/vigil/engine/value"
)

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

func (rs *reevalStage) busy() bool {
	for i := range rs.subs {
		if rs.anyHit[i] || len(rs.dirty[i]) > 0 {
			return true
		}
	}
	return false
}

func (rs *reevalStage) find(r *row) *memoEntry {
	for _, e := range rs.memo[r.id] {
		if identicalRows(e.r.values(), r.values()) {
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
					key, ok = sp.pp.joinKeyOfRow(d.r.values()[:min(len(d.r.values()), sp.pp.inWidth)])
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
				c.q.dropRow(rs.sites, id)
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

func (rs *reevalStage) save(s *stateWriter) {
	w := &s.w
	saveStage(s, rs.inner)
	// Entries are numbered as written; the join-key lists refer to them by
	// number, keeping their order (the order rows are re-evaluated in).
	num := map[*memoEntry]uint64{}
	w.Uvarint(uint64(len(rs.memo)))
	for id, es := range rs.memo {
		w.Uint64(id)
		w.Uvarint(uint64(len(es)))
		for _, e := range es {
			num[e] = uint64(len(num)) + 1
			s.row(e.r)
			w.Int(e.w)
			s.deltas(e.outs)
			w.Uvarint(uint64(len(e.keys)))
			for i, k := range e.keys {
				w.Uint64(k)
				w.Bool(e.oks[i])
			}
		}
	}
	for _, bk := range rs.byKey {
		w.Uvarint(uint64(len(bk)))
		for k, es := range bk {
			w.Uint64(k)
			w.Uvarint(uint64(len(es)))
			for _, e := range es {
				w.Uvarint(num[e])
			}
		}
	}
}

func (rs *reevalStage) load(s *stateReader) {
	r := s.r
	loadStage(s, rs.inner)
	var entries []*memoEntry
	n := r.Count()
	clear(rs.memo)
	for i := 0; i < n && r.Err() == nil; i++ {
		id := r.Uint64()
		m := r.Count()
		es := make([]*memoEntry, 0, m)
		for j := 0; j < m && r.Err() == nil; j++ {
			e := &memoEntry{r: s.liveRow(), w: r.Int(), outs: s.deltas()}
			nk := r.Count()
			for k := 0; k < nk && r.Err() == nil; k++ {
				e.keys = append(e.keys, r.Uint64())
				e.oks = append(e.oks, r.Bool())
			}
			if len(e.keys) != len(rs.subs) {
				r.Failf("memo entry has %d join keys, the compiled query %d", len(e.keys), len(rs.subs))
				return
			}
			es = append(es, e)
			entries = append(entries, e)
		}
		rs.memo[id] = es
	}
	for i := range rs.byKey {
		bk := map[uint64][]*memoEntry{}
		n := r.Count()
		for j := 0; j < n && r.Err() == nil; j++ {
			k := r.Uint64()
			m := r.Count()
			es := make([]*memoEntry, 0, m)
			for l := 0; l < m && r.Err() == nil; l++ {
				ref := r.Uvarint()
				if ref == 0 || ref > uint64(len(entries)) {
					r.Failf("memo entry %d out of range", ref)
					return
				}
				es = append(es, entries[ref-1])
			}
			bk[k] = es
		}
		rs.byKey[i] = bk
	}
}
