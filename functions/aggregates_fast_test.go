package functions

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/vigilhq/vigil/engine/value"
)

// The integer fast paths of sum and avg (integral floats summed as
// integers, results rounded without math/big) must give bit-for-bit the
// value of the exact math/big path, whatever the mix and order of applies
// and reverts.
func TestNumAccFastPathExact(t *testing.T) {
	seed := testSeed(t)
	r := rand.New(rand.NewPCG(uint64(seed), 99))
	gen := func() value.Value {
		switch r.IntN(9) {
		case 0:
			return value.Int(r.Int64N(1<<54) - 1<<53)
		case 1:
			return value.Int(r.Int64N(200) - 100)
		case 2:
			return value.Float(float64(r.Int64N(200) - 100))
		case 3:
			return value.Float(math.Floor(50 + r.Float64()*40 - 20))
		case 4:
			return value.Float(float64(r.Int64N(1<<60) - 1<<59)) // integral, beyond 2^53
		case 5:
			return value.Float(math.Copysign(0, -1))
		case 6:
			return value.Float(r.Float64()*10 - 5) // not integral: the big path
		case 7:
			return value.Float(math.Ldexp(float64(r.Int64N(1<<53)), 10+r.IntN(20))) // > 2^63 sometimes
		}
		return value.Float(float64(r.Int64N(1<<53+1) - 1<<52))
	}
	for round := range 200 {
		avg, sum := &avgAcc{numAcc{fn: "avg"}}, &sumAcc{numAcc{fn: "sum"}}
		var live []value.Value
		for step := range 300 {
			if len(live) == 0 || r.IntN(100) < 55 {
				v := gen()
				if round%2 == 0 && v.Kind() == value.KindFloat && v.AsFloat() != math.Trunc(v.AsFloat()) {
					v = value.Float(math.Floor(v.AsFloat())) // half the rounds stay on the fast path
				}
				if err := avg.Apply([]value.Value{v}); err != nil {
					t.Fatal(err)
				}
				if sum.Apply([]value.Value{v}) != nil {
					// An integer overflow is refused and rolled back.
					continue
				}
				live = append(live, v)
			} else {
				j := r.IntN(len(live))
				v := live[j]
				live = append(live[:j], live[j+1:]...)
				if err := avg.Revert([]value.Value{v}); err != nil {
					t.Fatal(err)
				}
				if err := sum.Revert([]value.Value{v}); err != nil {
					t.Fatal(err)
				}
			}
			got, want := avg.Result(), value.Null
			if avg.count() > 0 {
				want = avg.bigResult(avg.count())
			}
			if got.Kind() != want.Kind() || math.Float64bits(got.AsFloat()) != math.Float64bits(want.AsFloat()) {
				t.Fatalf("seed %d round %d step %d: avg fast %v, exact %v", seed, round, step, got, want)
			}
			if sum.nFloat > 0 {
				tot, _, _ := sum.total()
				want := value.Float(toFloat(tot, scale1))
				got := sum.Result()
				if got.Kind() != want.Kind() || math.Float64bits(got.AsFloat()) != math.Float64bits(want.AsFloat()) {
					t.Fatalf("seed %d round %d step %d: sum fast %v, exact %v", seed, round, step, got, want)
				}
			}
		}
	}
}

// The exact sum with integral floats kept apart equals the sum of every
// value through math/big.
func TestNumAccSplitTotal(t *testing.T) {
	a := &avgAcc{numAcc{fn: "avg"}}
	vals := []float64{3, -7.5, 1e300, -1e300, 4.25, 1 << 62, -(1 << 62), 0.1}
	want := new(big.Float).SetPrec(4000)
	for _, f := range vals {
		if err := a.Apply([]value.Value{value.Float(f)}); err != nil {
			t.Fatal(err)
		}
		want.Add(want, new(big.Float).SetFloat64(f))
	}
	tot, _, _ := a.total()
	got := new(big.Float).SetPrec(4000).SetInt(tot)
	got.SetMantExp(got, -scale1)
	if got.Cmp(want) != 0 {
		t.Fatalf("total %v, want %v", got, want)
	}
}
