package functions

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/vigilhq/vigil/engine/value"
)

func newAcc(t testing.TB, name string) Accumulator {
	t.Helper()
	ag, ok := Cypher().Aggregate(name)
	if !ok {
		t.Fatalf("no aggregate %s", name)
	}
	return ag.New()
}

// aggregate applies every row and returns the result.
func aggregate(t testing.TB, acc Accumulator, rows ...[]value.Value) (value.Value, error) {
	for _, r := range rows {
		if err := acc.Apply(r); err != nil {
			return value.Null, err
		}
	}
	return acc.Result(), nil
}

func one(vs ...value.Value) [][]value.Value {
	out := make([][]value.Value, len(vs))
	for j, v := range vs {
		out[j] = []value.Value{v}
	}
	return out
}

func TestAggregatesTCK(t *testing.T) {
	cases := []struct {
		fn       string
		distinct bool
		rows     [][]value.Value
		want     value.Value
	}{
		{"count", false, one(i(33), null, i(42)), i(2)},
		{"count", false, [][]value.Value{{}, {}, {}}, i(3)}, // count(*)
		{"count", false, nil, i(0)},
		{"count", true, one(null), i(0)},
		{"count", true, one(i(1), f(1), i(2), i(2)), i(2)},
		{"max", false, one(i(1), i(2), i(0), null, i(-1)), i(2)},
		{"min", false, one(i(1), i(2), i(0), null, i(-1)), i(-1)},
		{"max", false, one(f(1), f(2), f(0.5), null), f(2)},
		{"min", false, one(f(1), f(2), f(0.5), null), f(0.5)},
		{"max", false, one(i(1), f(2), i(5), null, f(3.2), f(0.1)), i(5)},
		{"min", false, one(i(1), f(2), i(5), null, f(3.2), f(0.1)), f(0.1)},
		{"max", false, one(s("a"), s("b"), s("B"), null, s("abc"), s("abc1")), s("b")},
		{"min", false, one(s("a"), s("b"), s("B"), null, s("abc"), s("abc1")), s("B")},
		{"max", false, one(l(i(1)), l(i(2)), l(i(2), i(1))), l(i(2), i(1))},
		{"min", false, one(l(i(1)), l(i(2)), l(i(2), i(1))), l(i(1))},
		{"max", false, one(i(1), s("a"), null, l(i(1), i(2)), f(0.2), s("b")), i(1)},
		{"min", false, one(i(1), s("a"), null, l(i(1), i(2)), f(0.2), s("b")), l(i(1), i(2))},
		{"max", false, nil, null},
		{"sum", false, one(i(33), null, i(42)), i(75)},
		{"sum", false, nil, i(0)},
		{"sum", false, one(i(1), f(0.5)), f(1.5)},
		{"sum", false, one(f(0.1), f(0.2), f(0.3)), f(0.6)}, // exact, rounded once
		{"sum", false, one(f(1e20), i(1), f(-1e20)), f(1)},
		{"avg", false, one(i(1), i(2)), f(1.5)},
		{"avg", false, nil, null},
		{"avg", false, one(null), null},
		{"collect", false, one(null), l()},
		{"collect", false, one(i(1), null, s("a"), i(1)), l(i(1), s("a"), i(1))},
		{"collect", true, one(null, null), l()},
		{"collect", true, one(null, i(1), null), l(i(1))},
		{"collect", true, one(i(42), i(43), i(43), i(44)), l(i(42), i(43), i(44))},
		{"stDev", false, one(i(2), i(4), i(4), i(4), i(5), i(5), i(7), i(9)), f(math.Sqrt(32.0 / 7))},
		{"stDevP", false, one(i(2), i(4), i(4), i(4), i(5), i(5), i(7), i(9)), f(2)},
		{"stDev", false, one(i(1)), f(0)},
		{"stDev", false, nil, f(0)},
		{"stDevP", false, one(f(3.5)), f(0)},
	}
	for _, c := range cases {
		acc := newAcc(t, c.fn)
		if c.distinct {
			acc = Distinct(acc)
		}
		got, err := aggregate(t, acc, c.rows...)
		if err != nil || !same(got, c.want) {
			t.Errorf("%s(distinct=%v) over %v = %s, %v; want %s", c.fn, c.distinct, c.rows, got, err, c.want)
		}
	}
	// TCK Aggregation3 [2]: no overflow for sums beyond 32 bits.
	acc := newAcc(t, "sum")
	for k := int64(1000000); k < 1003000; k++ {
		_ = acc.Apply([]value.Value{i(k)})
	}
	if got := acc.Result(); !same(got, i(3004498500)) {
		t.Errorf("sum(range) = %s", got)
	}
}

func TestPercentilesTCK(t *testing.T) {
	prices := []value.Value{f(10), f(20), f(30)}
	for _, c := range []struct {
		fn   string
		p    float64
		want value.Value
	}{
		{"percentileDisc", 0, f(10)}, {"percentileDisc", 0.5, f(20)}, {"percentileDisc", 1, f(30)},
		{"percentileCont", 0, f(10)}, {"percentileCont", 0.5, f(20)}, {"percentileCont", 1, f(30)},
		{"percentileCont", 0.25, f(15)},
		{"percentileDisc", 0.4, f(20)},
	} {
		acc := newAcc(t, c.fn)
		for _, x := range prices {
			if err := acc.Apply([]value.Value{x, f(c.p)}); err != nil {
				t.Fatal(err)
			}
		}
		if got := acc.Result(); !same(got, c.want) {
			t.Errorf("%s(%v) = %s; want %s", c.fn, c.p, got, c.want)
		}
	}
	// Integers keep their type in percentileDisc; percentileCont is a float.
	acc := newAcc(t, "percentileDisc")
	_, _ = aggregate(t, acc, []value.Value{i(3), f(0.5)}, []value.Value{i(1), f(0.5)})
	if got := acc.Result(); !same(got, i(1)) {
		t.Errorf("percentileDisc ints = %s", got)
	}
	// TCK Aggregation6 [3]-[5]: out-of-range percentiles.
	for _, fn := range []string{"percentileCont", "percentileDisc"} {
		for _, p := range []value.Value{i(1000), i(-1), f(1.1), i(3)} {
			err := newAcc(t, fn).Apply([]value.Value{f(10), p})
			if !errIs(err, ae, CodeNumberOutOfRange) {
				t.Errorf("%s(10.0, %s): err = %v", fn, p, err)
			}
		}
		if err := newAcc(t, fn).Apply([]value.Value{s("x"), f(0.5)}); !errIs(err, te, "") {
			t.Errorf("%s('x'): err = %v", fn, err)
		}
	}
	if got := newAcc(t, "percentileCont").Result(); !got.IsNull() {
		t.Errorf("empty percentileCont = %s", got)
	}
}

func TestAggregateErrors(t *testing.T) {
	for _, fn := range []string{"sum", "avg", "stDev", "stDevP"} {
		if err := newAcc(t, fn).Apply([]value.Value{s("x")}); !errIs(err, te, "") {
			t.Errorf("%s('x'): err = %v", fn, err)
		}
	}
	acc := newAcc(t, "sum")
	_ = acc.Apply([]value.Value{i(math.MaxInt64)})
	if err := acc.Apply([]value.Value{i(1)}); !errIs(err, ari, CodeIntegerOverflow) {
		t.Errorf("sum overflow: err = %v", err)
	}
	if got := acc.Result(); !same(got, i(math.MaxInt64)) {
		t.Errorf("sum after refused overflow = %s", got)
	}
	// Reverting into a transient overflow is allowed and recovers exactly.
	acc = newAcc(t, "sum")
	for _, x := range []int64{math.MaxInt64, -1, 1} {
		_ = acc.Apply([]value.Value{i(x)})
	}
	_ = acc.Revert([]value.Value{i(-1)})
	_ = acc.Revert([]value.Value{i(1)})
	if got := acc.Result(); !same(got, i(math.MaxInt64)) {
		t.Errorf("sum after transient overflow = %s", got)
	}
	for _, fn := range []string{"min", "collect", "percentileDisc", "count"} {
		args := []value.Value{i(1), f(0.5)}
		if fn != "percentileDisc" {
			args = args[:1]
		}
		if err := newAcc(t, fn).Revert(args); err == nil {
			t.Errorf("%s: revert of a value never applied succeeded", fn)
		}
	}
	if err := Distinct(newAcc(t, "count")).Revert([]value.Value{i(1)}); err == nil {
		t.Error("DISTINCT: revert of a value never applied succeeded")
	}
}

// ---- randomized apply/revert against from-scratch computation ----

type genFunc func(r *rand.Rand) value.Value

func genNumber(r *rand.Rand) value.Value {
	switch r.IntN(20) {
	case 0:
		return null
	case 1:
		return i(r.Int64N(2e15) - 1e15)
	case 2:
		return f(r.NormFloat64() * 1e12)
	case 3:
		return f(r.NormFloat64() * 1e-9)
	case 4:
		if r.IntN(10) == 0 { // rare, so that most states are finite
			return f([]float64{math.NaN(), math.Inf(1), math.Inf(-1)}[r.IntN(3)])
		}
		return f(0)
	case 5, 6, 7, 8, 9:
		return f(float64(r.IntN(200)-100) / 8)
	}
	return i(r.Int64N(101) - 50)
}

// genDistinct yields numbers whose equivalence is identity (no 1 vs 1.0),
// so that the representative DISTINCT forwards does not matter.
func genDistinct(r *rand.Rand) value.Value {
	switch r.IntN(10) {
	case 0:
		return null
	case 1, 2, 3:
		return f(float64(r.IntN(40)-20) + 0.5)
	}
	return i(r.Int64N(41) - 20)
}

func genMixed(r *rand.Rand) value.Value {
	switch r.IntN(12) {
	case 0:
		return null
	case 1:
		return s(string(rune('a' + r.IntN(5))))
	case 2:
		return l(i(r.Int64N(3)), i(r.Int64N(3)))
	case 3:
		return value.Bool(r.IntN(2) == 0)
	case 4:
		return f(float64(r.IntN(20)) / 2)
	case 5:
		if r.IntN(5) == 0 {
			return f(math.NaN())
		}
		return m("k", i(r.Int64N(3)))
	}
	return i(r.Int64N(20))
}

// exactFloat sums non-null numbers with enough precision to be exact.
func exactFloat(vals []value.Value) *big.Float {
	sum := new(big.Float).SetPrec(512)
	for _, v := range vals {
		var x big.Float
		if v.Kind() == value.KindInt {
			x.SetInt64(v.AsInt())
		} else {
			x.SetFloat64(v.AsFloat())
		}
		sum.Add(sum, &x)
	}
	return sum
}

// nonFiniteOf mirrors IEEE addition of the non-finite inputs.
func nonFiniteOf(vals []value.Value) (float64, bool) {
	nan, pos, neg := false, false, false
	for _, v := range vals {
		x := v.AsFloat()
		nan = nan || math.IsNaN(x)
		pos = pos || math.IsInf(x, 1)
		neg = neg || math.IsInf(x, -1)
	}
	switch {
	case nan || pos && neg:
		return math.NaN(), true
	case pos:
		return math.Inf(1), true
	case neg:
		return math.Inf(-1), true
	}
	return 0, false
}

func nonNull(rows [][]value.Value) []value.Value {
	var out []value.Value
	for _, r := range rows {
		if !r[0].IsNull() {
			out = append(out, r[0])
		}
	}
	return out
}

// dedupe keeps the first of each equivalent value (for DISTINCT references).
func dedupe(vals []value.Value) []value.Value {
	var out []value.Value
	for _, v := range vals {
		if !slices.ContainsFunc(out, func(w value.Value) bool { return value.Equivalent(v, w) }) {
			out = append(out, v)
		}
	}
	return out
}

func sortedVals(vals []value.Value) []value.Value {
	out := slices.Clone(vals)
	slices.SortStableFunc(out, value.Compare)
	return out
}

func refSum(vals []value.Value) value.Value {
	allInt := true
	for _, v := range vals {
		allInt = allInt && v.Kind() == value.KindInt
	}
	if allInt {
		var t big.Int
		for _, v := range vals {
			t.Add(&t, big.NewInt(v.AsInt()))
		}
		return i(t.Int64())
	}
	if x, ok := nonFiniteOf(vals); ok {
		return f(x)
	}
	r, _ := exactFloat(vals).Float64()
	return f(r)
}

func refAvg(vals []value.Value) value.Value {
	if len(vals) == 0 {
		return null
	}
	if x, ok := nonFiniteOf(vals); ok {
		return f(x)
	}
	q := exactFloat(vals)
	q.Quo(q, new(big.Float).SetInt64(int64(len(vals))))
	r, _ := q.Float64()
	return f(r)
}

func refStdev(vals []value.Value, sample bool) value.Value {
	n := len(vals)
	d := n
	if sample {
		d--
	}
	if d <= 0 {
		return f(0)
	}
	if _, ok := nonFiniteOf(vals); ok {
		return f(math.NaN())
	}
	// Two-pass in high precision.
	mean := exactFloat(vals)
	mean.Quo(mean, new(big.Float).SetInt64(int64(n)))
	ss := new(big.Float).SetPrec(512)
	for _, v := range vals {
		x := new(big.Float).SetPrec(512)
		if v.Kind() == value.KindInt {
			x.SetInt64(v.AsInt())
		} else {
			x.SetFloat64(v.AsFloat())
		}
		x.Sub(x, mean)
		x.Mul(x, x)
		ss.Add(ss, x)
	}
	ss.Quo(ss, new(big.Float).SetInt64(int64(d)))
	ss.Sqrt(ss)
	r, _ := ss.Float64()
	return f(r)
}

func refPercentile(vals []value.Value, p float64, cont bool) value.Value {
	n := len(vals)
	if n == 0 {
		return null
	}
	sv := sortedVals(vals)
	if !cont {
		idx := int(math.Ceil(p*float64(n))) - 1
		return sv[max(idx, 0)]
	}
	pos := p * float64(n-1)
	lo, hi := int(math.Floor(pos)), int(math.Ceil(pos))
	x, y := sv[lo].AsFloat(), sv[hi].AsFloat()
	if lo == hi {
		return f(x)
	}
	return f(x + (y-x)*(pos-float64(lo)))
}

// close compares results: exact for non-floats, 1e-9 relative for floats.
func closeTo(got, want value.Value) bool {
	if got.Kind() == value.KindFloat && want.Kind() == value.KindFloat {
		x, y := got.AsFloat(), want.AsFloat()
		if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
			return same(got, want) || x == y
		}
		// Relative tolerance, but at least 1e-9 absolute: interpolating
		// between -0.9 and 0.9 gives 8.9e-16, not 0, and both are right.
		return math.Abs(x-y) <= 1e-9*math.Max(1, math.Max(math.Abs(x), math.Abs(y)))
	}
	return same(got, want)
}

type randomCase struct {
	fn       string
	distinct bool
	gen      genFunc
	ref      func(rows [][]value.Value) value.Value
	order    bool // result order is significant (collect)
}

func TestAggregatesRandomized(t *testing.T) {
	seed := testSeed(t)
	p := []float64{0, 0.1, 0.25, 0.5, 0.9, 1}[uint64(seed)%6]
	cases := []randomCase{
		{fn: "count", gen: genMixed, ref: func(rows [][]value.Value) value.Value { return i(int64(len(nonNull(rows)))) }},
		{fn: "count*", gen: genMixed, ref: func(rows [][]value.Value) value.Value { return i(int64(len(rows))) }},
		{fn: "sum", gen: genNumber, ref: func(rows [][]value.Value) value.Value { return refSum(nonNull(rows)) }},
		{fn: "avg", gen: genNumber, ref: func(rows [][]value.Value) value.Value { return refAvg(nonNull(rows)) }},
		{fn: "stDev", gen: genNumber, ref: func(rows [][]value.Value) value.Value { return refStdev(nonNull(rows), true) }},
		{fn: "stDevP", gen: genNumber, ref: func(rows [][]value.Value) value.Value { return refStdev(nonNull(rows), false) }},
		{fn: "min", gen: genMixed, ref: func(rows [][]value.Value) value.Value {
			if v := sortedVals(nonNull(rows)); len(v) > 0 {
				return v[0]
			}
			return null
		}},
		{fn: "max", gen: genMixed, ref: func(rows [][]value.Value) value.Value {
			if v := sortedVals(nonNull(rows)); len(v) > 0 {
				return v[len(v)-1]
			}
			return null
		}},
		{fn: "collect", gen: genMixed, order: true, ref: func(rows [][]value.Value) value.Value { return l(nonNull(rows)...) }},
		{fn: "percentileCont", gen: genDistinct, ref: func(rows [][]value.Value) value.Value {
			return refPercentile(nonNull(rows), p, true)
		}},
		{fn: "percentileDisc", gen: genDistinct, ref: func(rows [][]value.Value) value.Value {
			return refPercentile(nonNull(rows), p, false)
		}},
	}
	// The same aggregates under DISTINCT, over values whose equivalence is
	// identity.
	for _, c := range slices.Clone(cases) {
		if c.fn == "count*" {
			continue
		}
		inner := c.ref
		cases = append(cases, randomCase{fn: c.fn, distinct: true, gen: genDistinct, ref: func(rows [][]value.Value) value.Value {
			vals := dedupe(nonNull(rows))
			dr := make([][]value.Value, len(vals))
			for j, v := range vals {
				dr[j] = []value.Value{v, f(p)}
			}
			return inner(dr)
		}})
	}
	for ci, c := range cases {
		name := c.fn
		if c.distinct {
			name = "distinct-" + name
		}
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(seed), uint64(ci)))
			fn := c.fn
			if fn == "count*" {
				fn = "count"
			}
			acc := newAcc(t, fn)
			if c.distinct {
				acc = Distinct(acc)
			}
			var live [][]value.Value
			steps := 2000
			if testing.Short() {
				steps = 300
			}
			for step := range steps {
				var op string
				if len(live) == 0 || (len(live) < 300 && r.IntN(100) < 55) {
					var row []value.Value
					switch {
					case c.fn == "count*":
						row = []value.Value{}
					case c.fn == "percentileCont" || c.fn == "percentileDisc":
						row = []value.Value{c.gen(r), f(p)}
					default:
						row = []value.Value{c.gen(r)}
					}
					if err := acc.Apply(row); err != nil {
						t.Fatalf("seed %d step %d: Apply(%v): %v", seed, step, row, err)
					}
					live = append(live, row)
					op = fmt.Sprintf("apply %v", row)
				} else {
					// Revert a random live row; collect removes the oldest
					// identical occurrence, so the reference does too.
					row := live[r.IntN(len(live))]
					j := slices.IndexFunc(live, func(x []value.Value) bool {
						return len(x) == len(row) && (len(x) == 0 || value.Compare(x[0], row[0]) == 0)
					})
					live = slices.Delete(live, j, j+1)
					if err := acc.Revert(row); err != nil {
						t.Fatalf("seed %d step %d: Revert(%v): %v", seed, step, row, err)
					}
					op = fmt.Sprintf("revert %v", row)
				}
				got, want := acc.Result(), c.ref(live)
				if c.distinct && c.fn == "collect" {
					got, want = l(sortedVals(got.AsList())...), l(sortedVals(want.AsList())...)
				}
				if !closeTo(got, want) {
					t.Fatalf("seed %d step %d (%s, %d live): got %s, want %s", seed, step, op, len(live), got, want)
				}
			}
		})
	}
}

func TestMultisetRandomized(t *testing.T) {
	seed := testSeed(t)
	r := rand.New(rand.NewPCG(uint64(seed), 99))
	var ms Multiset
	var ref []value.Value
	for step := range 20000 {
		if len(ref) == 0 || r.IntN(100) < 55 {
			v := genMixed(r)
			ms.Add(v)
			ref = append(ref, v)
		} else {
			v := ref[r.IntN(len(ref))]
			if !ms.Remove(v) {
				t.Fatalf("seed %d step %d: Remove(%s) found nothing", seed, step, v)
			}
			j := slices.IndexFunc(ref, func(w value.Value) bool { return value.Compare(v, w) == 0 })
			ref = slices.Delete(ref, j, j+1)
		}
		if ms.Len() != len(ref) {
			t.Fatalf("seed %d step %d: Len %d, want %d", seed, step, ms.Len(), len(ref))
		}
		if step%97 == 0 && len(ref) > 0 {
			sorted := sortedVals(ref)
			for k := range sorted {
				if value.Compare(ms.At(k), sorted[k]) != 0 {
					t.Fatalf("seed %d step %d: At(%d) = %s, want %s", seed, step, k, ms.At(k), sorted[k])
				}
			}
			if lo, _ := ms.Min(); value.Compare(lo, sorted[0]) != 0 {
				t.Fatalf("Min = %s", lo)
			}
			if hi, _ := ms.Max(); value.Compare(hi, sorted[len(sorted)-1]) != 0 {
				t.Fatalf("Max = %s", hi)
			}
		}
	}
	if ms.Remove(s("never added")) {
		t.Error("Remove of an absent value succeeded")
	}
}

// BenchmarkMaxRevertTop reverts the current maximum of a 1e5-value max()
// and applies it back: each iteration is two O(log n) tree operations.
func BenchmarkMaxRevertTop(b *testing.B) {
	const n = 100_000
	acc := newAcc(b, "max")
	r := rand.New(rand.NewPCG(1, 2))
	for range n {
		_ = acc.Apply([]value.Value{value.Int(r.Int64())})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		top := []value.Value{acc.Result()}
		if err := acc.Revert(top); err != nil {
			b.Fatal(err)
		}
		_ = acc.Result()
		_ = acc.Apply(top)
	}
}

// BenchmarkMaxDrain reverts the maximum until the aggregate is empty, which
// is quadratic for a rescanning implementation.
func BenchmarkMaxDrain(b *testing.B) {
	const n = 100_000
	vals := make([]value.Value, n)
	r := rand.New(rand.NewPCG(3, 4))
	for j := range vals {
		vals[j] = value.Int(r.Int64())
	}
	for b.Loop() {
		acc := newAcc(b, "max")
		for _, v := range vals {
			_ = acc.Apply([]value.Value{v})
		}
		for range n {
			_ = acc.Revert([]value.Value{acc.Result()})
		}
	}
}

func BenchmarkSumFloat(b *testing.B) {
	acc := newAcc(b, "sum")
	r := rand.New(rand.NewPCG(5, 6))
	args := []value.Value{value.Float(r.NormFloat64() * 1e6)}
	for b.Loop() {
		_ = acc.Apply(args)
		_ = acc.Revert(args)
	}
}

func BenchmarkStDev(b *testing.B) {
	acc := newAcc(b, "stDev")
	r := rand.New(rand.NewPCG(7, 8))
	for range 1000 {
		_ = acc.Apply([]value.Value{value.Float(r.NormFloat64())})
	}
	args := []value.Value{value.Float(r.NormFloat64() * 1e6)}
	for b.Loop() {
		_ = acc.Apply(args)
		_ = acc.Result()
		_ = acc.Revert(args)
	}
}

// BenchmarkMaxRevertTopScaling runs BenchmarkMaxRevertTop's loop at growing
// sizes: the time per operation should grow with log n, not n.
func BenchmarkMaxRevertTopScaling(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			acc := newAcc(b, "max")
			r := rand.New(rand.NewPCG(1, 2))
			for range n {
				_ = acc.Apply([]value.Value{value.Int(r.Int64())})
			}
			for b.Loop() {
				top := []value.Value{acc.Result()}
				_ = acc.Revert(top)
				_ = acc.Apply(top)
			}
		})
	}
}
