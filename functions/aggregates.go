package functions

import (
	"fmt"
	"math"
	"math/big"

	"github.com/vigilhq/vigil/engine/value"
)

// errNotApplied reports a Revert of a row that was never applied: an engine
// bug, surfaced rather than silently corrupting the aggregate.
func errNotApplied(fn string, v value.Value) error {
	return fmt.Errorf("functions: %s: revert of %s, which was not applied", fn, v)
}

// ---- count ----

// countAcc is count(*) (no arguments: every row counts) and count(x)
// (non-null x counts).
type countAcc struct{ n int64 }

func (a *countAcc) Apply(args []value.Value) error {
	if len(args) == 0 || !args[0].IsNull() {
		a.n++
	}
	return nil
}

func (a *countAcc) Revert(args []value.Value) error {
	if len(args) == 0 || !args[0].IsNull() {
		if a.n == 0 {
			return errNotApplied("count", value.Null)
		}
		a.n--
	}
	return nil
}

func (a *countAcc) Result() value.Value { return value.Int(a.n) }

// ---- sum and avg ----

// numAcc is the state shared by sum and avg: integers summed in 128 bits,
// floats summed exactly, and durations (or any extension kind implementing
// Arithmetic) summed through their own + and -, which are exact.
//
// Integral floats (floor(), round(), whole readings) are summed as integers
// in fints, exactly like ints: the exact sum is the same, but applying and
// reverting one costs two machine additions instead of math/big arithmetic
// on 1074-bit-scaled numbers, and while no other float is summed (fl.s1 is
// zero) Result can round the integer sum without math/big (see avgAcc).
type numAcc struct {
	fn     string
	ints   int128
	nInt   int
	fints  int128   // integral finite floats with |f| < 2^63, as integers
	fl     exactSum // every other float
	nFloat int      // floats applied, finite or not
	ext    value.Value
	nExt   int
}

func (a *numAcc) count() int { return a.nInt + a.nFloat + a.nExt }

func (a *numAcc) apply(v value.Value, sign int) error {
	switch v.Kind() {
	case value.KindNull:
		return nil
	case value.KindInt, value.KindFloat:
		if a.nExt > 0 {
			return ArgTypeErr(a.fn, "numbers or durations, not both", v)
		}
		if v.Kind() == value.KindInt {
			if sign > 0 {
				a.ints.add(v.AsInt())
			} else {
				a.ints.sub(v.AsInt())
			}
			a.nInt += sign
		} else {
			f := v.AsFloat()
			// Integral and within int64: int64(f) is exact. NaN and the
			// infinities fail the test and are counted by fl.
			if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
				if sign > 0 {
					a.fints.add(int64(f))
				} else {
					a.fints.sub(int64(f))
				}
			} else {
				a.fl.addFloat(f, sign)
			}
			a.nFloat += sign
		}
		return nil
	}
	// Durations only: the temporal instants implement Arithmetic too (date
	// + duration), but a sum of dates means nothing, and a lone date would
	// otherwise come back as its own sum.
	if _, ok := v.Ref().(Arithmetic); ok && v.Kind() == value.KindDuration {
		if a.nInt+a.nFloat > 0 {
			return ArgTypeErr(a.fn, "numbers or durations, not both", v)
		}
		switch {
		case sign > 0 && a.nExt == 0:
			a.ext = v
		case sign < 0 && a.nExt == 1:
			a.ext = value.Null
		default:
			op := "+"
			if sign < 0 {
				op = "-"
			}
			r, ok, err := extArith(op, a.ext, v)
			if err != nil {
				return err
			}
			if !ok {
				return ArgTypeErr(a.fn, "values that add up", v)
			}
			a.ext = r
		}
		a.nExt += sign
		return nil
	}
	return ArgTypeErr(a.fn, "a Number or a Duration", v)
}

// total returns the exact numeric sum scaled by 2^1074, or a non-finite
// float when infinities or NaN were applied.
func (a *numAcc) total() (*big.Int, float64, bool) {
	if f, ok := a.fl.nonFinite(); ok {
		return nil, f, false
	}
	t := a.ints.plus(a.fints).big(new(big.Int))
	t.Lsh(t, scale1)
	return t.Add(t, &a.fl.s1), 0, true
}

// smallTotal returns the exact numeric sum when it is an integer of at most
// 2^53 in magnitude (so exactly a float64) and every float summed was
// integral: the case Result can finish without math/big.
func (a *numAcc) smallTotal() (int64, bool) {
	if a.fl.s1.Sign() != 0 || a.fl.nan != 0 || a.fl.posInf != 0 || a.fl.negInf != 0 {
		return 0, false
	}
	s, ok := a.ints.plus(a.fints).int64()
	if !ok || s > 1<<53 || s < -(1<<53) {
		return 0, false
	}
	return s, true
}

type sumAcc struct{ numAcc }

func (a *sumAcc) Apply(args []value.Value) error {
	if err := a.apply(args[0], 1); err != nil {
		return err
	}
	// An integer sum that no longer fits is an error, as in Neo4j; the state
	// is rolled back so the accumulator stays consistent with the rows the
	// engine considers applied.
	if args[0].Kind() == value.KindInt && a.nFloat == 0 {
		if _, fits := a.ints.int64(); !fits {
			_ = a.apply(args[0], -1)
			return ArithErr(CodeIntegerOverflow, "sum() overflows an Integer")
		}
	}
	return nil
}

func (a *sumAcc) Revert(args []value.Value) error { return a.apply(args[0], -1) }

// Result is 0 for no rows, an integer while every value is an integer, and
// a float (the exact sum, rounded once) as soon as one value is a float.
// A transient integer overflow reached by reverting is shown as a float;
// Apply has already refused the rows that would make it final.
func (a *sumAcc) Result() value.Value {
	if a.nExt > 0 {
		return a.ext
	}
	if a.nFloat == 0 {
		if i, ok := a.ints.int64(); ok {
			return value.Int(i)
		}
		return value.Float(toFloat(a.ints.big(new(big.Int)), 0))
	}
	if s, ok := a.smallTotal(); ok {
		return value.Float(float64(s)) // exact: |s| <= 2^53
	}
	t, f, finite := a.total()
	if !finite {
		return value.Float(f)
	}
	return value.Float(toFloat(t, scale1))
}

type avgAcc struct{ numAcc }

func (a *avgAcc) Apply(args []value.Value) error  { return a.apply(args[0], 1) }
func (a *avgAcc) Revert(args []value.Value) error { return a.apply(args[0], -1) }

// Result is null for no rows and otherwise a float (or a duration for
// durations): the exact sum divided by the count, rounded once.
func (a *avgAcc) Result() value.Value {
	n := a.count()
	if n == 0 {
		return value.Null
	}
	if a.nExt > 0 {
		r, ok, err := extArith("/", a.ext, value.Int(int64(n)))
		if !ok || err != nil {
			return value.Null
		}
		return r
	}
	// With the sum S and the count n both integers of at most 2^53, both
	// are exact float64s and IEEE division rounds S/n once, correctly:
	// the value the big.Float path below gives. (That path rounds the
	// quotient to 128 bits first, but S/n, when not itself a 54-bit
	// number, lies at least 2^-107 (relative) from every 53-bit value and
	// midpoint between two, so the 128-bit rounding, off by at most
	// 2^-128, cannot change which way the final rounding goes.)
	if s, ok := a.smallTotal(); ok && n <= 1<<53 {
		return value.Float(float64(s) / float64(n))
	}
	return a.bigResult(n)
}

// bigResult is avg's exact path: the scaled sum divided by n in math/big,
// rounded to float64.
func (a *avgAcc) bigResult(n int) value.Value {
	t, f, finite := a.total()
	if !finite {
		return value.Float(f)
	}
	var q, d big.Float
	q.SetInt(t)
	d.SetInt64(int64(n))
	q.SetPrec(128).Quo(&q, &d)
	q.SetMantExp(&q, -scale1)
	r, _ := q.Float64()
	return value.Float(r)
}

// ---- min and max ----

type extremeAcc struct {
	ms  Multiset
	max bool
}

func (a *extremeAcc) name() string {
	if a.max {
		return "max"
	}
	return "min"
}

func (a *extremeAcc) Apply(args []value.Value) error {
	if !args[0].IsNull() {
		a.ms.Add(args[0])
	}
	return nil
}

func (a *extremeAcc) Revert(args []value.Value) error {
	if !args[0].IsNull() && !a.ms.Remove(args[0]) {
		return errNotApplied(a.name(), args[0])
	}
	return nil
}

// Result uses value.Compare, the ORDER BY order, so that mixed types have a
// defined extreme (TCK Aggregation2: max(1, 'a', [1, 2]) is 1).
func (a *extremeAcc) Result() value.Value {
	var v value.Value
	if a.max {
		v, _ = a.ms.Max()
	} else {
		v, _ = a.ms.Min()
	}
	return v
}

// ---- collect ----

type collectEntry struct {
	v          value.Value
	prev, next *collectEntry
}

// collectAcc keeps the surviving values in insertion order in a linked list,
// indexed by hash so that a revert finds its entry without a scan. When
// several applied values match a reverted one, the oldest goes: rows
// usually leave in the order they came.
type collectAcc struct {
	head, tail *collectEntry
	n          int
	byHash     map[uint64][]*collectEntry
	seed       value.Seed // keys byHash (SetSeed)
	// cache is the last result; appends extend it in place (earlier results
	// were handed out with their capacity capped, so they do not see the
	// growth) and a removal discards it.
	cache   []value.Value
	cacheOK bool
}

// SetSeed implements Seeded.
func (a *collectAcc) SetSeed(seed value.Seed) { a.seed = seed }

func (a *collectAcc) Apply(args []value.Value) error {
	v := args[0]
	if v.IsNull() {
		return nil
	}
	e := &collectEntry{v: v, prev: a.tail}
	if a.tail != nil {
		a.tail.next = e
	} else {
		a.head = e
	}
	a.tail = e
	if a.byHash == nil {
		a.byHash = map[uint64][]*collectEntry{}
	}
	h := a.seed.Hash(v)
	a.byHash[h] = append(a.byHash[h], e)
	a.n++
	if a.cacheOK {
		a.cache = append(a.cache, v)
	}
	return nil
}

func (a *collectAcc) Revert(args []value.Value) error {
	v := args[0]
	if v.IsNull() {
		return nil
	}
	h := a.seed.Hash(v)
	bucket := a.byHash[h]
	i := -1
	// Prefer an identical value (Compare tells 1 from 1.0); fall back to an
	// equivalent one.
	for j, e := range bucket {
		if value.Compare(e.v, v) == 0 {
			i = j
			break
		}
	}
	if i < 0 {
		for j, e := range bucket {
			if value.Equivalent(e.v, v) {
				i = j
				break
			}
		}
	}
	if i < 0 {
		return errNotApplied("collect", v)
	}
	e := bucket[i]
	switch {
	case len(bucket) == 1:
		delete(a.byHash, h)
	case i == 0:
		a.byHash[h] = bucket[1:]
	default:
		a.byHash[h] = append(bucket[:i:i], bucket[i+1:]...)
	}
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		a.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		a.tail = e.prev
	}
	a.n--
	a.cacheOK, a.cache = false, nil
	return nil
}

func (a *collectAcc) Result() value.Value {
	if !a.cacheOK {
		a.cache = make([]value.Value, 0, a.n)
		for e := a.head; e != nil; e = e.next {
			a.cache = append(a.cache, e.v)
		}
		a.cacheOK = true
	}
	return value.List(a.cache[:len(a.cache):len(a.cache)])
}

// ---- stDev and stDevP ----

// stdevAcc keeps n, Σx and Σx² exactly (see exactSum), so the variance
// n·Σx² − (Σx)² is computed without cancellation error and reverting never
// drifts.
type stdevAcc struct {
	sample bool
	s      exactSum
}

func (a *stdevAcc) name() string {
	if a.sample {
		return "stDev"
	}
	return "stDevP"
}

func (a *stdevAcc) apply(v value.Value, sign int) error {
	switch v.Kind() {
	case value.KindNull:
	case value.KindInt:
		a.s.addInt(v.AsInt(), sign)
	case value.KindFloat:
		a.s.addFloat(v.AsFloat(), sign)
	default:
		return ArgTypeErr(a.name(), "a Number", v)
	}
	return nil
}

func (a *stdevAcc) Apply(args []value.Value) error  { return a.apply(args[0], 1) }
func (a *stdevAcc) Revert(args []value.Value) error { return a.apply(args[0], -1) }

// Result is 0.0 with fewer than two values (one for stDevP), as in Neo4j.
func (a *stdevAcc) Result() value.Value {
	s := &a.s
	n := int64(s.finiteCount + s.nan + s.posInf + s.negInf)
	d := n
	if a.sample {
		d = n - 1
	}
	if d <= 0 {
		return value.Float(0)
	}
	if s.nan+s.posInf+s.negInf > 0 {
		return value.Float(math.NaN())
	}
	var num, t big.Int
	num.Mul(&s.s2, t.SetInt64(n))
	t.Mul(&s.s1, &s.s1)
	num.Sub(&num, &t)
	if num.Sign() <= 0 {
		return value.Float(0)
	}
	var q, den big.Float
	q.SetInt(&num)
	den.SetInt(t.Mul(t.SetInt64(n), big.NewInt(d)))
	q.SetPrec(128).Quo(&q, &den)
	q.SetMantExp(&q, -scale2)
	q.Sqrt(&q)
	r, _ := q.Float64()
	return value.Float(r)
}

// ---- percentiles ----

type percentileAcc struct {
	cont bool
	ms   Multiset
	p    float64
}

func (a *percentileAcc) name() string {
	if a.cont {
		return "percentileCont"
	}
	return "percentileDisc"
}

// percentile validates the second argument on every row: it is meant to be
// constant, but nothing forces it to be (TCK Aggregation6 swaps the
// arguments and expects NumberOutOfRange).
func (a *percentileAcc) percentile(v value.Value) (float64, error) {
	if !v.IsNumber() {
		return 0, ArgTypeErr(a.name(), "a numeric percentile", v)
	}
	p := v.AsFloat()
	if !(p >= 0 && p <= 1) {
		return 0, ArgErr(CodeNumberOutOfRange, "%s() percentile must be between 0.0 and 1.0, got %v", a.name(), v)
	}
	return p, nil
}

func (a *percentileAcc) Apply(args []value.Value) error {
	p, err := a.percentile(args[1])
	if err != nil {
		return err
	}
	x := args[0]
	if x.IsNull() {
		return nil
	}
	if !x.IsNumber() {
		return ArgTypeErr(a.name(), "a Number", x)
	}
	a.p = p
	a.ms.Add(x)
	return nil
}

func (a *percentileAcc) Revert(args []value.Value) error {
	if !args[0].IsNull() && !a.ms.Remove(args[0]) {
		return errNotApplied(a.name(), args[0])
	}
	return nil
}

// Result follows Neo4j: percentileDisc picks the value at rank
// ceil(p·n)−1 (at least 0) and keeps its type; percentileCont interpolates
// linearly between the ranks around p·(n−1) and is always a float.
func (a *percentileAcc) Result() value.Value {
	n := a.ms.Len()
	if n == 0 {
		return value.Null
	}
	p := a.p
	if !a.cont {
		if p == 1 || n == 1 {
			return a.ms.At(n - 1)
		}
		f := p * float64(n)
		i := int(f)
		if float64(i) == f && i > 0 {
			i--
		}
		return a.ms.At(min(i, n-1))
	}
	if p == 1 || n == 1 {
		return value.Float(a.ms.At(n - 1).AsFloat())
	}
	f := p * float64(n-1)
	lo := int(math.Floor(f))
	hi := int(math.Ceil(f))
	if lo == hi || lo == n-1 {
		return value.Float(a.ms.At(lo).AsFloat())
	}
	x, y := a.ms.At(lo).AsFloat(), a.ms.At(hi).AsFloat()
	return value.Float(x*(float64(hi)-f) + y*(f-float64(lo)))
}

// ---- DISTINCT ----

type distinctEntry struct {
	args  []value.Value
	count int
}

type distinctAcc struct {
	inner Accumulator
	seen  map[uint64][]*distinctEntry
	seed  value.Seed // keys seen (SetSeed)
}

// Distinct wraps an accumulator to implement agg(DISTINCT x): it counts
// equivalent argument tuples (value.Equivalent, so 1 and 1.0 are one value)
// and forwards only the first occurrence's Apply and the last occurrence's
// Revert, reverting with the arguments it originally forwarded. Rows whose
// first argument is null are dropped, since every aggregate that takes
// arguments ignores them.
func Distinct(acc Accumulator) Accumulator {
	return &distinctAcc{inner: acc, seen: map[uint64][]*distinctEntry{}}
}

// SetSeed implements Seeded, for the argument tuples and the wrapped
// accumulator.
func (d *distinctAcc) SetSeed(seed value.Seed) {
	d.seed = seed
	SeedAccumulator(d.inner, seed)
}

func (d *distinctAcc) hash(args []value.Value) uint64 {
	h := value.NewHasher(d.seed)
	for _, a := range args {
		value.HashInto(&h, a)
	}
	return h.Sum64()
}

func (d *distinctAcc) find(h uint64, args []value.Value) int {
	for i, e := range d.seen[h] {
		if len(e.args) != len(args) {
			continue
		}
		same := true
		for j := range args {
			if !value.Equivalent(e.args[j], args[j]) {
				same = false
				break
			}
		}
		if same {
			return i
		}
	}
	return -1
}

func (d *distinctAcc) Apply(args []value.Value) error {
	if len(args) == 0 {
		return d.inner.Apply(args)
	}
	if args[0].IsNull() {
		return nil
	}
	h := d.hash(args)
	if i := d.find(h, args); i >= 0 {
		d.seen[h][i].count++
		return nil
	}
	kept := append([]value.Value(nil), args...) // the engine may reuse args
	if err := d.inner.Apply(kept); err != nil {
		return err
	}
	d.seen[h] = append(d.seen[h], &distinctEntry{args: kept, count: 1})
	return nil
}

func (d *distinctAcc) Revert(args []value.Value) error {
	if len(args) == 0 {
		return d.inner.Revert(args)
	}
	if args[0].IsNull() {
		return nil
	}
	h := d.hash(args)
	i := d.find(h, args)
	if i < 0 {
		return errNotApplied("DISTINCT", args[0])
	}
	bucket := d.seen[h]
	e := bucket[i]
	if e.count--; e.count > 0 {
		return nil
	}
	if len(bucket) == 1 {
		delete(d.seen, h)
	} else {
		d.seen[h] = append(bucket[:i:i], bucket[i+1:]...)
	}
	return d.inner.Revert(e.args)
}

func (d *distinctAcc) Result() value.Value { return d.inner.Result() }

func registerAggregates(r *Registry) {
	add := func(name string, lo, hi int, mk func() Accumulator, args ...ArgKinds) {
		r.AddAggregate(name, &Aggregate{Name: name, MinArgs: lo, MaxArgs: hi, New: mk, Args: args})
	}
	add("count", 0, 1, func() Accumulator { return &countAcc{} }, ArgAny)
	add("sum", 1, 1, func() Accumulator { return &sumAcc{numAcc{fn: "sum"}} }, ArgNumber|ArgDuration)
	add("avg", 1, 1, func() Accumulator { return &avgAcc{numAcc{fn: "avg"}} }, ArgNumber|ArgDuration)
	add("min", 1, 1, func() Accumulator { return &extremeAcc{} }, ArgAny)
	add("max", 1, 1, func() Accumulator { return &extremeAcc{max: true} }, ArgAny)
	add("collect", 1, 1, func() Accumulator { return &collectAcc{} }, ArgAny)
	add("stDev", 1, 1, func() Accumulator { return &stdevAcc{sample: true, s: exactSum{squares: true}} }, ArgNumber)
	add("stDevP", 1, 1, func() Accumulator { return &stdevAcc{s: exactSum{squares: true}} }, ArgNumber)
	// The percentile's range [0, 1] is checked on every row: a value
	// outside it is ArgumentError NumberOutOfRange (TCK Aggregation6).
	add("percentileCont", 2, 2, func() Accumulator { return &percentileAcc{cont: true} }, ArgNumber, ArgNumber)
	add("percentileDisc", 2, 2, func() Accumulator { return &percentileAcc{} }, ArgNumber, ArgNumber)
}
