package engine

import (
	"unsafe"

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
	// vn values start at vp: a slice less its capacity word, so that a
	// row header is 32 bytes (a result keeps one per row). Read them with
	// values, set them with setValues.
	vn uint32
	vp *value.Value
}

// values returns the row's values, their capacity cut to their length.
func (r *row) values() []value.Value {
	if r.vn == 0 {
		return nil
	}
	return unsafe.Slice(r.vp, r.vn)
}

// setValues makes vs the row's values (shared, not copied).
func (r *row) setValues(vs []value.Value) {
	if len(vs) == 0 {
		r.vp, r.vn = nil, 0
		return
	}
	r.vp, r.vn = &vs[0], uint32(len(vs))
}

// newRowOf returns a row of the given identity sharing vs.
func newRowOf(id, pair uint64, nulls uint8, vs []value.Value) *row {
	r := &row{id: id, pair: pair, nulls: nulls}
	r.setValues(vs)
	return r
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
// entries told apart by identity and values. A key holding exactly one row
// of weight 1 (nearly every key of a result) keeps it in one, 16 bytes a
// slot and no allocation of its own; every other key keeps its entries in
// more. A key is in at most one of the two maps.
type rowBag struct {
	one  map[uint64]*row // nil when byID
	ids  *idTable        // one, for a bag whose key is always the row's id
	more map[uint64][]bagEntry
	n    int
	tmp  [1]bagEntry // get's answer for a key of one
	// spare is an entry array no key holds, for the next key that needs
	// one (see entries).
	spare []bagEntry
}

type bagEntry struct {
	r *row
	w int
}

func newRowBag() *rowBag { return &rowBag{one: map[uint64]*row{}} }

// newIDBag is a bag whose key is always its row's id (a query's result):
// its single entries take 8 bytes a slot, the key read from the row.
func newIDBag() *rowBag { return &rowBag{ids: &idTable{}} }

func (b *rowBag) oneGet(key uint64) (*row, bool) {
	if b.ids != nil {
		r := b.ids.get(key)
		return r, r != nil
	}
	r, ok := b.one[key]
	return r, ok
}

func (b *rowBag) oneDel(key uint64) {
	if b.ids != nil {
		b.ids.del(key)
		return
	}
	delete(b.one, key)
}

// onePut stores r alone under key; false when the bag cannot (an id bag
// given a key that is not r's id).
func (b *rowBag) onePut(key uint64, r *row) bool {
	if b.ids != nil {
		if r.id != key {
			return false
		}
		b.ids.put(r)
		return true
	}
	b.one[key] = r
	return true
}

func (b *rowBag) oneLen() int {
	if b.ids != nil {
		return b.ids.n
	}
	return len(b.one)
}

func (b *rowBag) oneEach(fn func(uint64, *row)) {
	if b.ids != nil {
		for _, r := range b.ids.slots {
			if r != nil {
				fn(r.id, r)
			}
		}
		return
	}
	for k, r := range b.one {
		fn(k, r)
	}
}

// idTable is a set of rows with distinct ids, open-addressed (linear
// probing) on the id, which is already a well-mixed hash.
type idTable struct {
	slots []*row
	n     int
}

func (t *idTable) get(id uint64) *row {
	if t.n == 0 {
		return nil
	}
	mask := uint64(len(t.slots) - 1)
	for i := id & mask; ; i = (i + 1) & mask {
		r := t.slots[i]
		if r == nil || r.id == id {
			return r
		}
	}
}

// put stores r, replacing the row of its id if any.
func (t *idTable) put(r *row) {
	if (t.n+1)*8 > len(t.slots)*7 {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	for i := r.id & mask; ; i = (i + 1) & mask {
		x := t.slots[i]
		if x == nil {
			t.slots[i] = r
			t.n++
			return
		}
		if x.id == r.id {
			t.slots[i] = r
			return
		}
	}
}

func (t *idTable) grow() {
	old := t.slots
	t.slots = make([]*row, max(8, 2*len(old)))
	t.n = 0
	for _, r := range old {
		if r != nil {
			t.put(r)
		}
	}
}

// del removes the row of id, shifting back the run after it.
func (t *idTable) del(id uint64) {
	if t.n == 0 {
		return
	}
	mask := uint64(len(t.slots) - 1)
	i := id & mask
	for {
		r := t.slots[i]
		if r == nil {
			return
		}
		if r.id == id {
			break
		}
		i = (i + 1) & mask
	}
	t.n--
	for j := (i + 1) & mask; ; j = (j + 1) & mask {
		r := t.slots[j]
		if r == nil {
			break
		}
		// r may fill the hole at i if its home is not in (i, j].
		h := r.id & mask
		if (j-h)&mask >= (j-i)&mask {
			t.slots[i] = r
			i = j
		}
	}
	t.slots[i] = nil
}

func sameEntry(a, r *row) bool {
	return a == r || (a.id == r.id && identicalRows(a.values(), r.values()))
}

// add changes the multiplicity of r under key by w.
func (b *rowBag) add(key uint64, r *row, w int) {
	if w == 0 {
		return
	}
	b.n += w
	if e, ok := b.oneGet(key); ok {
		if sameEntry(e, r) {
			if w == -1 {
				b.oneDel(key)
				return
			}
			b.oneDel(key)
			b.putMore(key, b.entries(bagEntry{r: e, w: 1 + w}))
			return
		}
		b.oneDel(key)
		b.putMore(key, b.entries(bagEntry{r: e, w: 1}, bagEntry{r: r, w: w}))
		return
	}
	es := b.more[key]
	if len(es) == 0 {
		if w != 1 || !b.onePut(key, r) {
			b.putMore(key, b.entries(bagEntry{r: r, w: w}))
		}
		return
	}
	for i := range es {
		// The same row (a retraction taken from the result itself) needs
		// no comparison.
		if sameEntry(es[i].r, r) {
			es[i].w += w
			if es[i].w == 0 {
				es[i] = es[len(es)-1]
				es[len(es)-1] = bagEntry{}
				es = es[:len(es)-1]
			}
			b.settle(key, es)
			return
		}
	}
	b.more[key] = append(es, bagEntry{r: r, w: w})
}

func (b *rowBag) putMore(key uint64, es []bagEntry) {
	if b.more == nil {
		b.more = map[uint64][]bagEntry{}
	}
	b.more[key] = es
}

// settle stores the entries of key after a change: back in one when a
// single row of weight 1 is left.
func (b *rowBag) settle(key uint64, es []bagEntry) {
	switch {
	case len(es) == 0:
		delete(b.more, key)
		b.release(es)
	case len(es) == 1 && es[0].w == 1 && b.onePut(key, es[0].r):
		delete(b.more, key)
		b.release(es)
	default:
		b.more[key] = es
	}
}

// entries returns a new entry list holding es, in the array the last key
// to leave more gave back: a row replaced by its next version passes
// through two entries and back to one, which must not cost an allocation
// each time.
func (b *rowBag) entries(es ...bagEntry) []bagEntry {
	s := append(b.spare[:0], es...)
	b.spare = nil
	return s
}

// release keeps the array of a key's entries that no key holds any more,
// unless it is large.
func (b *rowBag) release(es []bagEntry) {
	if cap(es) <= 4 {
		es = es[:cap(es)]
		clear(es) // the spare must not keep rows alive
		b.spare = es[:0]
	}
}

// get returns the entries under key. The slice is valid until the next
// call of get (a key of one answers in the bag's scratch).
func (b *rowBag) get(key uint64) []bagEntry {
	if r, ok := b.oneGet(key); ok {
		b.tmp[0] = bagEntry{r: r, w: 1}
		return b.tmp[:]
	}
	return b.more[key]
}

// replaceOne makes new the entry of key if key holds exactly old (or a row
// identical to it) once, and reports whether it did.
func (b *rowBag) replaceOne(key uint64, old, new *row) bool {
	e, ok := b.oneGet(key)
	if !ok || !sameEntry(e, old) || new.id != old.id {
		return false
	}
	return b.onePut(key, new)
}

// each calls fn for every entry.
func (b *rowBag) each(fn func(bagEntry)) {
	b.eachKey(func(_ uint64, es []bagEntry) {
		for _, e := range es {
			fn(e)
		}
	})
}

// eachKey calls fn for every key and its entries (the slice valid during
// the call).
func (b *rowBag) eachKey(fn func(uint64, []bagEntry)) {
	var one [1]bagEntry
	b.oneEach(func(k uint64, r *row) {
		one[0] = bagEntry{r: r, w: 1}
		fn(k, one[:])
	})
	for k, es := range b.more {
		fn(k, es)
	}
}

// keys is the number of keys.
func (b *rowBag) keys() int { return b.oneLen() + len(b.more) }

// reset empties the bag.
func (b *rowBag) reset() {
	clear(b.one)
	if b.ids != nil {
		b.ids = &idTable{}
	}
	b.more = nil
	b.n = 0
}

// set stores the entries of key as loaded from a snapshot.
func (b *rowBag) set(key uint64, es []bagEntry) {
	if len(es) == 1 && es[0].w == 1 && b.onePut(key, es[0].r) {
		return
	}
	b.putMore(key, es)
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
				if in[k].r.id == in[i].r.id && in[k].r.nulls == in[i].r.nulls && identicalRows(in[k].r.values(), in[i].r.values()) {
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
				if out[k].r.id == d.r.id && out[k].r.nulls == d.r.nulls && identicalRows(out[k].r.values(), d.r.values()) {
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
			if identicalRows(out[k].r.values(), d.r.values()) && out[k].r.nulls == d.r.nulls {
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
		x.r.setValues(x.v[:n])
		return &x.r
	case n <= 4:
		x := &struct {
			r row
			v [4]value.Value
		}{}
		x.r.setValues(x.v[:n])
		return &x.r
	case n <= 8:
		x := &struct {
			r row
			v [8]value.Value
		}{}
		x.r.setValues(x.v[:n])
		return &x.r
	}
	return newRowOf(0, 0, 0, make([]value.Value, n))
}

// rowSlab hands out rows carved from chunks of slabRows headers and
// values: two allocations per slabRows rows. It serves rows that no engine
// state keeps (a derived result's, whose diffs the caller owns); a chunk is
// freed once the caller holds none of its rows. A stored row must not come
// from it, since one kept row would keep its whole chunk.
type rowSlab struct {
	rows []row
	vals []value.Value
}

// slabRows is how many rows a slab chunk holds.
const slabRows = 32

// get returns a row with n zeroed values.
func (s *rowSlab) get(n int) *row {
	if len(s.rows) == 0 {
		s.rows = make([]row, slabRows)
	}
	r := &s.rows[0]
	s.rows = s.rows[1:]
	if n > 0 {
		if len(s.vals) < n {
			s.vals = make([]value.Value, slabRows*n)
		}
		r.setValues(s.vals[:n:n])
		s.vals = s.vals[n:]
	}
	return r
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
	sr.r = row{}
	sr.r.setValues(sr.buf[:n])
	clear(sr.buf[:n])
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
