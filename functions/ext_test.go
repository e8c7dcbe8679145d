package functions

import (
	"strconv"
	"testing"

	"github.com/vigilhq/vigil/engine/value"
)

// fakeDuration stands in for the temporal package's duration payload: a
// whole number of days supporting +, -, * and / by integers, and negation.
type fakeDuration struct{ days int64 }

func dur(d int64) value.Value {
	return value.Make(value.KindDuration, 0, "", fakeDuration{d})
}

func (d fakeDuration) ExtCompare(o value.Ext) (int, bool) { return 0, false }
func (d fakeDuration) ExtEqual(o value.Ext) bool          { return d == o.(fakeDuration) }
func (d fakeDuration) ExtHash() uint64                    { return uint64(d.days) }
func (d fakeDuration) String() string                     { return "P" + strconv.FormatInt(d.days, 10) + "D" }

func (d fakeDuration) Arith(op string, l, r value.Value) (value.Value, bool, error) {
	ld, lok := l.Ref().(fakeDuration)
	rd, rok := r.Ref().(fakeDuration)
	switch {
	case op == "neg" && lok:
		return dur(-ld.days), true, nil
	case op == "+" && lok && rok:
		return dur(ld.days + rd.days), true, nil
	case op == "-" && lok && rok:
		return dur(ld.days - rd.days), true, nil
	case op == "*" && lok && r.Kind() == value.KindInt:
		return dur(ld.days * r.AsInt()), true, nil
	case op == "/" && lok && r.Kind() == value.KindInt:
		return dur(ld.days / r.AsInt()), true, nil
	}
	return value.Null, false, nil
}

func TestExtensionArithmetic(t *testing.T) {
	runBin(t, "Add", Add, []binCase{
		{a: dur(1), b: dur(2), want: dur(3)},
		{a: dur(1), b: i(2), kind: te},
		{a: l(dur(1)), b: dur(2), want: l(dur(1), dur(2))},
	})
	runBin(t, "Sub", Sub, []binCase{{a: dur(1), b: dur(2), want: dur(-1)}})
	runBin(t, "Mul", Mul, []binCase{{a: dur(3), b: i(2), want: dur(6)}, {a: i(2), b: dur(3), kind: te}})
	if got, err := Neg(dur(4)); err != nil || !same(got, dur(-4)) {
		t.Errorf("Neg(P4D) = %s, %v", got, err)
	}
	if got, _ := ToString(dur(5)); !same(got, s("P5D")) {
		t.Errorf("toString(P5D) = %s", got)
	}

	sum, avg := newAcc(t, "sum"), newAcc(t, "avg")
	for _, d := range []int64{2, 4, 9} {
		_ = sum.Apply([]value.Value{dur(d)})
		_ = avg.Apply([]value.Value{dur(d)})
	}
	_ = sum.Revert([]value.Value{dur(9)})
	_ = avg.Revert([]value.Value{dur(9)})
	if got := sum.Result(); !same(got, dur(6)) {
		t.Errorf("sum(durations) = %s", got)
	}
	if got := avg.Result(); !same(got, dur(3)) {
		t.Errorf("avg(durations) = %s", got)
	}
	if err := sum.Apply([]value.Value{i(1)}); !errIs(err, te, "") {
		t.Errorf("sum mixing durations and numbers: err = %v", err)
	}
}
