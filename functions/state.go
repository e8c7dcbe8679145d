package functions

import (
	"fmt"
	"math"

	"github.com/vigilhq/vigil/engine/value"
)

// Snapshot state of the accumulators. Each writes only what survives between
// calls; what Aggregate.New fixes (the function name, min or max, sample or
// population, squares kept or not) is the fresh accumulator's already, and
// caches are rebuilt on demand. Every LoadState checks the invariants that
// Apply, Revert and Result rely on, so that a corrupted state fails the
// reader rather than panicking later.

var (
	_ StatefulAccumulator = (*countAcc)(nil)
	_ StatefulAccumulator = (*sumAcc)(nil)
	_ StatefulAccumulator = (*avgAcc)(nil)
	_ StatefulAccumulator = (*extremeAcc)(nil)
	_ StatefulAccumulator = (*collectAcc)(nil)
	_ StatefulAccumulator = (*stdevAcc)(nil)
	_ StatefulAccumulator = (*percentileAcc)(nil)
	_ StatefulAccumulator = (*distinctAcc)(nil)
	_ StatefulAccumulator = (*gradientAcc)(nil)
	_ StatefulAccumulator = (*lastAcc)(nil)
)

// loadCount reads a count written with w.Int; no state holds a negative one.
func loadCount(r *value.StateReader, what string) int {
	n := r.Int()
	if n < 0 {
		r.Failf("functions: state: negative %s count %d", what, n)
		return 0
	}
	return n
}

// readValue reads a value and checks it is one the engine could have built:
// the reader accepts paths with missing elements or mismatched lengths,
// which comparing or hashing them (as Revert does) would panic on.
func readValue(r *value.StateReader) value.Value {
	v := r.Value()
	if r.Err() == nil && !wellFormed(v) {
		r.Failf("functions: state: malformed path in %s value", v.Kind())
		return value.Null
	}
	return v
}

// wellFormed checks the Path invariant (len(Nodes) == len(Rels)+1, no nil
// element) throughout v.
func wellFormed(v value.Value) bool {
	switch v.Kind() {
	case value.KindPath:
		p := v.AsPath()
		if p == nil || len(p.Nodes) == 0 || len(p.Rels) != len(p.Nodes)-1 {
			return false
		}
		for _, n := range p.Nodes {
			if n == nil {
				return false
			}
		}
		for _, rl := range p.Rels {
			if rl == nil {
				return false
			}
		}
	case value.KindList:
		for _, x := range v.AsList() {
			if !wellFormed(x) {
				return false
			}
		}
	case value.KindMap:
		for _, x := range v.AsMap() {
			if !wellFormed(x) {
				return false
			}
		}
	}
	return true
}

// readValues reads a tuple written with w.Values, checked as readValue does.
func readValues(r *value.StateReader) []value.Value {
	n := r.Count()
	if n == 0 {
		return nil
	}
	vs := make([]value.Value, 0, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		vs = append(vs, readValue(r))
	}
	return vs
}

// ---- count ----

// SaveState implements StatefulAccumulator.
func (a *countAcc) SaveState(w *value.StateWriter) { w.Varint(a.n) }

// LoadState implements StatefulAccumulator.
func (a *countAcc) LoadState(r *value.StateReader) {
	a.n = r.Varint()
	if a.n < 0 {
		r.Failf("functions: count state: negative count %d", a.n)
		a.n = 0
	}
}

// ---- sum and avg ----

// SaveState implements StatefulAccumulator for sum and avg. The integer
// sums and the float sums are written apart, as kept: merging them would
// lose which of sum's results (integer or float) applies and which rows
// avg's fast path may take.
func (a *numAcc) SaveState(w *value.StateWriter) {
	w.Int(a.nInt)
	w.Int(a.nFloat)
	w.Int(a.nExt)
	a.ints.save(w)
	a.fints.save(w)
	a.fl.save(w)
	w.Value(a.ext)
}

// LoadState implements StatefulAccumulator for sum and avg.
func (a *numAcc) LoadState(r *value.StateReader) {
	a.nInt = loadCount(r, a.fn+" integer")
	a.nFloat = loadCount(r, a.fn+" float")
	a.nExt = loadCount(r, a.fn+" duration")
	a.ints.load(r)
	a.fints.load(r)
	a.fl.load(r)
	a.ext = readValue(r)
	if r.Err() != nil {
		return
	}
	_, arith := a.ext.Ref().(Arithmetic)
	switch {
	case a.nExt > 0 && (a.nInt > 0 || a.nFloat > 0):
		r.Failf("functions: %s state: numbers mixed with durations", a.fn)
	case a.nExt > 0 && !arith, a.nExt == 0 && !a.ext.IsNull():
		r.Failf("functions: %s state: %d durations summing to %s %s", a.fn, a.nExt, typeName(a.ext), a.ext)
	case a.nInt == 0 && !a.ints.isZero(), a.nFloat == 0 && !a.fints.isZero():
		r.Failf("functions: %s state: non-zero sum of no values", a.fn)
	case a.nInt > math.MaxInt-a.nFloat || a.nInt+a.nFloat > math.MaxInt-a.nExt:
		r.Failf("functions: %s state: counts overflow", a.fn)
	default:
		// fl holds the floats that are not integral int64s: some of
		// nFloat, never more.
		if t := a.fl.total(); t < 0 || t > a.nFloat {
			r.Failf("functions: %s state: %d exactly summed floats out of %d", a.fn, t, a.nFloat)
		}
	}
}

// ---- min and max ----

// SaveState implements StatefulAccumulator. The multiset is saved as a
// tree so that equal keys keep the representative they had.
func (a *extremeAcc) SaveState(w *value.StateWriter) { a.ms.SaveState(w) }

// LoadState implements StatefulAccumulator.
func (a *extremeAcc) LoadState(r *value.StateReader) {
	a.ms.LoadState(r)
	if r.Err() == nil && a.ms.root != nil {
		// Null sorts last, so it could only be the greatest key.
		if v, _ := a.ms.Max(); v.IsNull() {
			r.Failf("functions: %s state: null value", a.name())
		}
	}
}

// ---- collect ----

// SaveState implements StatefulAccumulator: the values in insertion order.
// The hash index is not written: each of its buckets lists its entries in
// list order, so re-applying the values rebuilds it, and a revert then
// removes the same occurrence as it would have.
func (a *collectAcc) SaveState(w *value.StateWriter) {
	w.Uvarint(uint64(a.n))
	for e := a.head; e != nil; e = e.next {
		w.Value(e.v)
	}
}

// LoadState implements StatefulAccumulator.
func (a *collectAcc) LoadState(r *value.StateReader) {
	*a = collectAcc{seed: a.seed}
	n := r.Count()
	for i := 0; i < n && r.Err() == nil; i++ {
		v := readValue(r)
		if r.Err() != nil {
			return
		}
		if v.IsNull() {
			r.Failf("functions: collect state: null value")
			return
		}
		_ = a.Apply([]value.Value{v}) // cannot fail on a non-null value
	}
}

// ---- stDev and stDevP ----

// SaveState implements StatefulAccumulator.
func (a *stdevAcc) SaveState(w *value.StateWriter) { a.s.save(w) }

// LoadState implements StatefulAccumulator.
func (a *stdevAcc) LoadState(r *value.StateReader) {
	a.s.load(r)
	if r.Err() == nil && a.s.total() < 0 {
		r.Failf("functions: %s state: counts overflow", a.name())
	}
}

// ---- percentiles ----

// SaveState implements StatefulAccumulator. The percentile is state too:
// it is the last one applied, and Result uses it after a restore before
// any further Apply.
func (a *percentileAcc) SaveState(w *value.StateWriter) {
	w.Float64(a.p)
	a.ms.SaveState(w)
}

// LoadState implements StatefulAccumulator.
func (a *percentileAcc) LoadState(r *value.StateReader) {
	a.p = r.Float64()
	if r.Err() == nil && !(a.p >= 0 && a.p <= 1) {
		r.Failf("functions: %s state: percentile %v", a.name(), a.p)
		return
	}
	a.ms.LoadState(r)
	if r.Err() != nil {
		return
	}
	ok := true
	a.ms.Each(func(v value.Value, _ int) { ok = ok && v.IsNumber() })
	if !ok {
		r.Failf("functions: %s state: non-numeric value", a.name())
	}
}

// ---- DISTINCT ----

// SaveState implements StatefulAccumulator: the distinct argument tuples
// with their counts, then the wrapped accumulator, which must be stateful
// too (w fails otherwise). Hashes are not written but recomputed on load,
// so a state does not depend on the hash seed. Tuples are written bucket by
// bucket in bucket order: under the same seed (SetSeed, given before
// LoadState) every bucket is rebuilt as it was; under another the buckets
// differ, but no two tuples in one bucket are equivalent, so which comes
// first does not matter.
func (d *distinctAcc) SaveState(w *value.StateWriter) {
	inner, ok := d.inner.(StatefulAccumulator)
	if !ok {
		w.Fail(fmt.Errorf("functions: DISTINCT over %T, which has no snapshot state", d.inner))
		return
	}
	n := 0
	for _, b := range d.seen {
		n += len(b)
	}
	w.Uvarint(uint64(n))
	for _, b := range d.seen {
		for _, e := range b {
			w.Values(e.args)
			w.Int(e.count)
		}
	}
	inner.SaveState(w)
}

// LoadState implements StatefulAccumulator.
func (d *distinctAcc) LoadState(r *value.StateReader) {
	inner, ok := d.inner.(StatefulAccumulator)
	if !ok {
		r.Failf("functions: DISTINCT over %T, which has no snapshot state", d.inner)
		return
	}
	d.seen = map[uint64][]*distinctEntry{}
	n := r.Count()
	for i := 0; i < n && r.Err() == nil; i++ {
		args := readValues(r)
		count := r.Int()
		if r.Err() != nil {
			return
		}
		// Apply records only tuples whose first argument is not null,
		// once each.
		if len(args) == 0 || args[0].IsNull() || count < 1 {
			r.Failf("functions: DISTINCT state: %d occurrences of %v", count, args)
			return
		}
		h := d.hash(args)
		if d.find(h, args) >= 0 {
			r.Failf("functions: DISTINCT state: %v recorded twice", args)
			return
		}
		d.seen[h] = append(d.seen[h], &distinctEntry{args: args, count: count})
	}
	inner.LoadState(r)
}

// ---- drasi.linearGradient ----

// SaveState implements StatefulAccumulator. The sums are plain float sums
// (reverting does not restore them exactly), so they are written bit for bit.
func (g *gradientAcc) SaveState(w *value.StateWriter) {
	w.Int(g.n)
	w.Float64(g.sx)
	w.Float64(g.sy)
	w.Float64(g.sxy)
	w.Float64(g.sxx)
	w.Bool(g.invalidX)
	w.Bool(g.invalidY)
}

// LoadState implements StatefulAccumulator.
func (g *gradientAcc) LoadState(r *value.StateReader) {
	g.n = loadCount(r, "drasi.linearGradient point")
	g.sx = r.Float64()
	g.sy = r.Float64()
	g.sxy = r.Float64()
	g.sxx = r.Float64()
	g.invalidX = r.Bool()
	g.invalidY = r.Bool()
}

// ---- drasi.last ----

// SaveState implements StatefulAccumulator: every value, oldest first,
// since a revert of the latest brings back the one before.
func (l *lastAcc) SaveState(w *value.StateWriter) { w.Values(l.vals) }

// LoadState implements StatefulAccumulator.
func (l *lastAcc) LoadState(r *value.StateReader) {
	l.vals = readValues(r)
	for _, v := range l.vals {
		if v.IsNull() {
			r.Failf("functions: drasi.last state: null value")
			return
		}
	}
}
