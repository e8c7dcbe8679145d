package engine

import (
	"github.com/vigilhq/vigil/engine/value"
)

// row is an intermediate result row flowing between stages.
type row struct {
	// id is the row's identity: the elements it matched (hashed), or its
	// grouping key, or its values for DISTINCT. A row whose values change
	// but whose id stays is reported as an update.
	id uint64
	// pair is the identity with OPTIONAL MATCH parts erased, so that a
	// null-extended row and the first match that replaces it pair up as an
	// update.
	pair uint64
	// nulls counts the OPTIONAL MATCHes in the row's making that found
	// nothing (0: none). Rows of one pair whose counts differ replace each
	// other (an update: (a, null, null) becomes (a, b, null) when the first
	// of two chained OPTIONAL MATCHes finds b); rows of one pair with equal
	// counts are different matches (a delete and an add).
	nulls uint8
	vals  []value.Value
}

// delta is a row with a multiplicity change: +1 added, -1 removed.
type delta struct {
	r *row
	w int
}

// unitRow is the single empty row that a query pipeline starts from.
var unitRow = &row{id: 1, pair: 1}

func mix(a, b uint64) uint64 {
	// A cheap, well-distributed combination of two 64-bit hashes.
	x := a ^ (b + 0x9e3779b97f4a7c15 + (a << 6) + (a >> 2))
	x ^= x >> 31
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 29
	return x
}

// hashValues hashes a tuple of values under seed (for grouping keys and
// DISTINCT).
func hashValues(seed value.Seed, vals []value.Value) uint64 {
	h := value.NewHasher(seed)
	for _, v := range vals {
		value.HashInto(&h, v)
	}
	return h.Sum64()
}

// equivalentRows compares rows as DISTINCT and grouping do: elements by id.
func equivalentRows(a, b []value.Value) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !value.Equivalent(a[i], b[i]) {
			return false
		}
	}
	return true
}

// identicalRows compares rows as snapshots: elements by id and content, and
// an integer never equals a float. A row cancels only against an identical
// retraction.
func identicalRows(a, b []value.Value) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Kind() != b[i].Kind() || !value.Identical(a[i], b[i]) {
			return false
		}
	}
	return true
}

// rowBag is a multiset of rows keyed by a caller-chosen 64-bit key, with
// entries told apart by identity and values.
type rowBag struct {
	m map[uint64][]bagEntry
	n int
}

type bagEntry struct {
	r *row
	w int
}

func newRowBag() *rowBag { return &rowBag{m: map[uint64][]bagEntry{}} }

// add changes the multiplicity of r under key by w.
func (b *rowBag) add(key uint64, r *row, w int) {
	es := b.m[key]
	for i := range es {
		// The same row (a retraction taken from the result itself) needs
		// no comparison.
		if es[i].r == r || (es[i].r.id == r.id && identicalRows(es[i].r.vals, r.vals)) {
			es[i].w += w
			b.n += w
			if es[i].w == 0 {
				es[i] = es[len(es)-1]
				es = es[:len(es)-1]
				if len(es) == 0 {
					delete(b.m, key)
				} else {
					b.m[key] = es
				}
			}
			return
		}
	}
	b.m[key] = append(es, bagEntry{r: r, w: w})
	b.n += w
}

// get returns the entries under key.
func (b *rowBag) get(key uint64) []bagEntry { return b.m[key] }

// each calls fn for every entry.
func (b *rowBag) each(fn func(bagEntry)) {
	for _, es := range b.m {
		for _, e := range es {
			fn(e)
		}
	}
}

// consolidate sums the weights of identical rows (same identity, equivalent
// values) and drops those that cancel. The incremental join formulas produce
// transient terms that cancel within one change; stateful stages must see
// only the net delta.
//
// It works in place: the result shares in's array, whose entries are
// overwritten. Every caller passes a slice that is transient for the step
// (a stage's output, the query's pending deltas) and does not read in
// afterwards.
func consolidate(in []delta) []delta {
	if len(in) <= 1 {
		return in
	}
	if len(in) <= 16 {
		// Nothing to merge or drop: no copy.
		clean := true
		for i := 0; i < len(in) && clean; i++ {
			if in[i].w == 0 {
				clean = false
			}
			for k := 0; k < i && clean; k++ {
				if in[k].r.id == in[i].r.id && in[k].r.nulls == in[i].r.nulls && identicalRows(in[k].r.vals, in[i].r.vals) {
					clean = false
				}
			}
		}
		if clean {
			return in
		}
		// Few rows (one change's worth): a quadratic scan beats a map.
		// out never runs ahead of the entry being read.
		out := in[:0]
		for _, d := range in {
			merged := false
			for k := range out {
				if out[k].r.id == d.r.id && out[k].r.nulls == d.r.nulls && identicalRows(out[k].r.vals, d.r.vals) {
					out[k].w += d.w
					merged = true
					break
				}
			}
			if !merged {
				out = append(out, d)
			}
		}
		n := 0
		for _, d := range out {
			if d.w != 0 {
				out[n] = d
				n++
			}
		}
		return out[:n]
	}
	byID := make(map[uint64][]int, len(in))
	out := in[:0]
	for _, d := range in {
		merged := false
		for _, k := range byID[d.r.id] {
			if identicalRows(out[k].r.vals, d.r.vals) && out[k].r.nulls == d.r.nulls {
				out[k].w += d.w
				merged = true
				break
			}
		}
		if !merged {
			byID[d.r.id] = append(byID[d.r.id], len(out))
			out = append(out, d)
		}
	}
	n := 0
	for _, d := range out {
		if d.w != 0 {
			out[n] = d
			n++
		}
	}
	return out[:n]
}

// newRow allocates a row with n value slots; small rows come with their
// values in the same allocation.
func newRow(n int) *row {
	switch {
	case n <= 2:
		x := &struct {
			r row
			v [2]value.Value
		}{}
		x.r.vals = x.v[:n]
		return &x.r
	case n <= 4:
		x := &struct {
			r row
			v [4]value.Value
		}{}
		x.r.vals = x.v[:n]
		return &x.r
	case n <= 8:
		x := &struct {
			r row
			v [8]value.Value
		}{}
		x.r.vals = x.v[:n]
		return &x.r
	}
	return &row{vals: make([]value.Value, n)}
}

// scratchRow is a row of a stage's per-step scratch pool: buf is the row's
// own reusable value array (vals may instead share a scratch solution's).
type scratchRow struct {
	r   row
	buf []value.Value
}

// rowPool hands out rows that live only until the pool is reset: the rows
// a stage emits when nothing downstream keeps them past the step (see
// keepsRows), so that the step allocates none.
type rowPool struct {
	rows []*scratchRow
	n    int
}

// maxPooled bounds what a pool keeps between steps: a step with more rows
// (a big fan-out) allocates the rest on the heap as before.
const maxPooled = 256

func (p *rowPool) reset() { p.n = 0 }

// get returns a row with n zeroed values, or nil when the pool is full.
func (p *rowPool) get(n int) *row {
	if p.n == len(p.rows) {
		if p.n >= maxPooled {
			return nil
		}
		p.rows = append(p.rows, &scratchRow{})
	}
	sr := p.rows[p.n]
	p.n++
	if cap(sr.buf) < n {
		sr.buf = make([]value.Value, n, max(n, 4))
	}
	sr.r = row{vals: sr.buf[:n]}
	clear(sr.r.vals)
	return &sr.r
}

// getShared returns a row without values of its own (the caller points
// vals elsewhere), or nil when the pool is full.
func (p *rowPool) getShared() *row {
	if p.n == len(p.rows) {
		if p.n >= maxPooled {
			return nil
		}
		p.rows = append(p.rows, &scratchRow{})
	}
	sr := p.rows[p.n]
	p.n++
	sr.r = row{}
	return &sr.r
}
