package functions

import (
	"testing"

	"github.com/vigilhq/vigil/engine/value"
)

func TestDrasiListExtremes(t *testing.T) {
	r := Cypher()
	cases := []struct {
		fn   string
		in   value.Value
		want value.Value
	}{
		{"drasi.listMin", value.List([]value.Value{value.Int(45), value.Int(33), value.Int(66)}), value.Int(33)},
		{"drasi.listMax", value.List([]value.Value{value.Int(45), value.Int(33), value.Int(66)}), value.Int(66)},
		{"drasi.listMin", value.List([]value.Value{value.Str("banana"), value.Str("apple"), value.Str("peach")}), value.Str("apple")},
		{"drasi.listMax", value.List([]value.Value{value.Str("banana"), value.Null, value.Str("peach")}), value.Str("peach")},
		{"drasi.listMin", value.Null, value.Null},
		{"drasi.listMax", value.List(nil), value.Null},
	}
	for _, c := range cases {
		f, ok := r.Scalar(c.fn)
		if !ok {
			t.Fatalf("%s not registered", c.fn)
		}
		got, err := f.Fn(nil, []value.Value{c.in})
		if err != nil {
			t.Fatalf("%s(%v): %v", c.fn, c.in, err)
		}
		if !value.Identical(got, c.want) {
			t.Errorf("%s(%v) = %v, want %v", c.fn, c.in, got, c.want)
		}
	}
}

func TestLinearGradientAppliesAndReverts(t *testing.T) {
	acc := &gradientAcc{}
	pt := func(x, y float64) []value.Value { return []value.Value{value.Float(x), value.Float(y)} }
	for _, p := range [][2]float64{{0, 1}, {1, 3}, {2, 5}, {3, 100}} {
		if err := acc.Apply(pt(p[0], p[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := acc.Revert(pt(3, 100)); err != nil {
		t.Fatal(err)
	}
	if got := acc.Result().AsFloat(); got != 2 {
		t.Fatalf("slope of y = 2x + 1 after revert: got %v, want 2", got)
	}
	if err := acc.Revert(pt(2, 5)); err != nil {
		t.Fatal(err)
	}
	if err := acc.Revert(pt(1, 3)); err != nil {
		t.Fatal(err)
	}
	if !acc.Result().IsNull() {
		t.Fatalf("one point has no slope, got %v", acc.Result())
	}
}

func TestLastFollowsRevert(t *testing.T) {
	acc := &lastAcc{}
	for _, v := range []int64{1, 2, 3} {
		acc.Apply([]value.Value{value.Int(v)})
	}
	acc.Revert([]value.Value{value.Int(3)})
	if got := acc.Result(); !value.Identical(got, value.Int(2)) {
		t.Fatalf("last after reverting 3: got %v, want 2", got)
	}
	if err := acc.Revert([]value.Value{value.Int(7)}); err == nil {
		t.Fatal("reverting a value never applied must fail")
	}
}
