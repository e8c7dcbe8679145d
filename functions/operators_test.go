package functions

import (
	"math"
	"testing"

	"github.com/vigilhq/vigil/engine/value"
)

type binCase struct {
	a, b       value.Value
	want       value.Value
	kind, code string // expected error, if kind != ""
}

func runBin(t *testing.T, name string, op func(a, b value.Value) (value.Value, error), cases []binCase) {
	t.Helper()
	for _, c := range cases {
		got, err := op(c.a, c.b)
		if c.kind != "" {
			if !errIs(err, c.kind, c.code) {
				t.Errorf("%s(%s, %s): err = %v, want %s %s", name, c.a, c.b, err, c.kind, c.code)
			}
			continue
		}
		if err != nil || !same(got, c.want) {
			t.Errorf("%s(%s, %s) = %s, %v; want %s", name, c.a, c.b, got, err, c.want)
		}
	}
}

const (
	te  = KindTypeError
	ae  = KindArgumentError
	ari = KindArithmeticError
)

func TestArithmetic(t *testing.T) {
	nan := math.NaN()
	runBin(t, "Add", Add, []binCase{
		{a: i(99), b: i(5), want: i(104)},
		{a: i(1), b: f(0.5), want: f(1.5)},
		{a: null, b: i(1), want: null},
		{a: l(i(1)), b: null, want: null},
		{a: s("a"), b: s("b"), want: s("ab")},
		{a: s("a"), b: i(1), want: s("a1")},
		{a: f(1.5), b: s("x"), want: s("1.5x")},
		{a: s("x"), b: f(1e20), want: s("x1.0E20")},
		{a: l(i(1), i(10), i(100)), b: l(i(4), i(5)), want: l(i(1), i(10), i(100), i(4), i(5))},
		{a: l(fls, tru), b: fls, want: l(fls, tru, fls)},
		{a: i(0), b: l(i(1)), want: l(i(0), i(1))},
		{a: l(), b: l(l()), want: l(l())},
		{a: i(math.MaxInt64), b: i(1), kind: ari, code: CodeIntegerOverflow},
		{a: i(math.MinInt64), b: i(-1), kind: ari, code: CodeIntegerOverflow},
		{a: s("a"), b: tru, kind: te},
		{a: tru, b: i(1), kind: te},
		{a: m(), b: m(), kind: te},
	})
	runBin(t, "Sub", Sub, []binCase{
		{a: i(3), b: i(5), want: i(-2)},
		{a: f(3), b: i(1), want: f(2)},
		{a: null, b: null, want: null},
		{a: i(math.MinInt64), b: i(1), kind: ari, code: CodeIntegerOverflow},
		{a: i(0), b: i(math.MinInt64), kind: ari, code: CodeIntegerOverflow},
		{a: s("a"), b: s("a"), kind: te},
	})
	runBin(t, "Mul", Mul, []binCase{
		{a: i(6), b: i(7), want: i(42)},
		{a: i(2), b: f(0.25), want: f(0.5)},
		{a: i(math.MaxInt64), b: i(2), kind: ari, code: CodeIntegerOverflow},
		{a: i(math.MinInt64), b: i(-1), kind: ari, code: CodeIntegerOverflow},
		{a: i(-1), b: i(math.MinInt64), kind: ari, code: CodeIntegerOverflow},
		{a: i(math.MinInt64), b: i(1), want: i(math.MinInt64)},
		{a: i(0), b: i(math.MinInt64), want: i(0)},
	})
	runBin(t, "Div", Div, []binCase{
		{a: i(12), b: i(4), want: i(3)},
		{a: i(7), b: i(2), want: i(3)},
		{a: i(-7), b: i(2), want: i(-3)},
		{a: i(7), b: f(2), want: f(3.5)},
		{a: f(1), b: i(0), want: f(math.Inf(1))},
		{a: f(0), b: f(0), want: f(nan)},
		{a: i(1), b: i(0), kind: ari, code: CodeDivisionByZero},
		{a: i(math.MinInt64), b: i(-1), kind: ari, code: CodeIntegerOverflow},
		{a: null, b: i(0), want: null},
	})
	runBin(t, "Mod", Mod, []binCase{
		{a: i(7), b: i(3), want: i(1)},
		{a: i(-7), b: i(3), want: i(-1)},
		{a: i(7), b: i(-3), want: i(1)},
		{a: f(7.5), b: i(2), want: f(1.5)},
		{a: f(-7.5), b: i(2), want: f(-1.5)},
		{a: i(1), b: i(0), kind: ari, code: CodeDivisionByZero},
		{a: i(math.MinInt64), b: i(-1), want: i(0)},
	})
	runBin(t, "Pow", Pow, []binCase{
		{a: i(2), b: i(10), want: f(1024)},
		{a: i(4), b: f(0.5), want: f(2)},
		{a: null, b: i(1), want: null},
		{a: s("2"), b: i(1), kind: te},
	})
	// Precedence scenario from the TCK: 12 / 4 * 3 - 2 * 4 = 1.
	x, _ := Div(i(12), i(4))
	x, _ = Mul(x, i(3))
	y, _ := Mul(i(2), i(4))
	if r, _ := Sub(x, y); !same(r, i(1)) {
		t.Errorf("12 / 4 * 3 - 2 * 4 = %s", r)
	}
}

func TestUnary(t *testing.T) {
	cases := []struct {
		in, want value.Value
		kind     string
	}{
		{i(1), i(-1), ""},
		{f(1.5), f(-1.5), ""},
		{null, null, ""},
		{i(math.MinInt64), null, ari},
		{s("a"), null, te},
	}
	for _, c := range cases {
		got, err := Neg(c.in)
		if c.kind != "" {
			if !errIs(err, c.kind, "") {
				t.Errorf("Neg(%s) err = %v", c.in, err)
			}
		} else if err != nil || !same(got, c.want) {
			t.Errorf("Neg(%s) = %s, %v", c.in, got, err)
		}
	}
	for _, c := range []struct{ in, want value.Value }{{tru, fls}, {fls, tru}, {null, null}} {
		if got, err := Not(c.in); err != nil || !same(got, c.want) {
			t.Errorf("Not(%s) = %s, %v", c.in, got, err)
		}
	}
	if _, err := Not(i(1)); !errIs(err, te, CodeInvalidArgumentType) {
		t.Errorf("NOT 1: err = %v", err)
	}
}

// TestBoolean checks the full three-valued truth tables of TCK Boolean1-3.
func TestBoolean(t *testing.T) {
	vals := []value.Value{tru, fls, null}
	tv := func(v value.Value) int { // 1 true, 0 false, -1 null
		if v.IsNull() {
			return -1
		}
		if v.AsBool() {
			return 1
		}
		return 0
	}
	for _, a := range vals {
		for _, b := range vals {
			x, y := tv(a), tv(b)
			var and, or, xor int
			switch {
			case x == 0 || y == 0:
				and = 0
			case x < 0 || y < 0:
				and = -1
			default:
				and = 1
			}
			switch {
			case x == 1 || y == 1:
				or = 1
			case x < 0 || y < 0:
				or = -1
			default:
				or = 0
			}
			if x < 0 || y < 0 {
				xor = -1
			} else if x != y {
				xor = 1
			}
			for _, c := range []struct {
				name string
				op   func(a, b value.Value) (value.Value, error)
				want int
			}{{"AND", And, and}, {"OR", Or, or}, {"XOR", Xor, xor}} {
				got, err := c.op(a, b)
				if err != nil || tv(got) != c.want {
					t.Errorf("%s %s %s = %s, %v", a, c.name, b, got, err)
				}
			}
		}
	}
	for _, op := range []func(a, b value.Value) (value.Value, error){And, Or, Xor} {
		if _, err := op(tru, i(1)); !errIs(err, te, "") {
			t.Errorf("boolean op on 1: err = %v", err)
		}
		if _, err := op(s("x"), null); !errIs(err, te, "") {
			t.Errorf("boolean op on 'x': err = %v", err)
		}
	}
}

func TestIn(t *testing.T) {
	runBin(t, "In", In, []binCase{
		// TCK Null3 [4]
		{a: null, b: null, want: null},
		{a: null, b: l(i(1), i(2), i(3)), want: null},
		{a: null, b: l(i(1), i(2), i(3), null), want: null},
		{a: null, b: l(), want: fls},
		{a: i(1), b: l(i(1), i(2), i(3), null), want: tru},
		{a: i(1), b: l(null, i(1)), want: tru},
		{a: i(5), b: l(i(1), i(2), i(3), null), want: null},
		// TCK List5
		{a: l(), b: l(i(1), i(2), null), want: null},
		{a: l(l(), l()), b: l(i(1), l(l(), l())), want: tru},
		{a: l(i(1), i(2)), b: l(l(i(1), i(2))), want: tru},
		{a: l(i(1), null), b: l(l(i(1), i(2))), want: null},
		{a: l(i(1), null), b: l(l(i(1), i(3)), l(i(1), null)), want: null},
		{a: i(1), b: l(f(1.0)), want: tru},
		{a: i(3), b: l(i(1), i(2)), want: fls},
		{a: i(1), b: i(1), kind: te},
		{a: i(1), b: m("a", i(1)), kind: te},
	})
}

func TestStringPredicates(t *testing.T) {
	operands := []value.Value{i(1), f(3.14), tru, l(), m(), null}
	for _, op := range []func(a, b value.Value) (value.Value, error){StartsWith, EndsWith, Contains} {
		for _, a := range operands {
			for _, b := range operands {
				if got, err := op(a, b); err != nil || !got.IsNull() {
					t.Errorf("non-string operands %s, %s: %s, %v", a, b, got, err)
				}
			}
		}
	}
	runBin(t, "StartsWith", StartsWith, []binCase{
		{a: s("ABCDEF"), b: s("ABC"), want: tru},
		{a: s("AB"), b: s("ABC"), want: fls},
		{a: s(""), b: s(""), want: tru},
		{a: s("\nFoo"), b: s("\n"), want: tru},
		{a: s("abc"), b: null, want: null},
	})
	runBin(t, "EndsWith", EndsWith, []binCase{
		{a: s("ABCDEF"), b: s("DEF"), want: tru},
		{a: s("ab"), b: s("AB"), want: fls},
		{a: s("x"), b: s(""), want: tru},
	})
	runBin(t, "Contains", Contains, []binCase{
		{a: s("ABCDEF"), b: s("CD"), want: tru},
		{a: s("Foo Foo"), b: s(" "), want: tru},
		{a: s("abcdef"), b: s("CD"), want: fls},
	})
}

func TestRegex(t *testing.T) {
	match := NewRegexMatcher()
	for _, op := range []func(a, b value.Value) (value.Value, error){RegexMatch, match} {
		runBin(t, "RegexMatch", op, []binCase{
			{a: s("abc"), b: s("a.c"), want: tru},
			{a: s("abcd"), b: s("a.c"), want: fls}, // whole-string match
			{a: s("xabc"), b: s("abc"), want: fls},
			{a: s("ABC"), b: s("(?i)abc"), want: tru},
			{a: s("a|b"), b: s("a|b"), want: fls},
			{a: s("b"), b: s("a|b"), want: tru},
			{a: null, b: s("a"), want: null},
			{a: i(1), b: s("1"), want: null},
			{a: s("a"), b: s("("), kind: ae},
		})
	}
}

func TestIndex(t *testing.T) {
	list := l(i(1), i(2), i(3))
	node := value.NodeOf(&value.Node{ID: "n1", Props: value.PropsOf(map[string]value.Value{"name": s("Apa")})})
	runBin(t, "Index", Index, []binCase{
		{a: list, b: i(0), want: i(1)},
		{a: list, b: i(-1), want: i(3)},
		{a: list, b: i(3), want: null},
		{a: list, b: i(-4), want: null},
		{a: l(l(i(1))), b: i(0), want: l(i(1))},
		{a: null, b: s("x"), want: null},
		{a: m("name", s("Mats")), b: null, want: null},
		{a: m("name", s("Mats"), "Name", s("Pontus")), b: s("Name"), want: s("Pontus")},
		{a: m("name", s("Mats")), b: s("nAMe"), want: null},
		{a: node, b: s("name"), want: s("Apa")},
		// TCK List1 [6], [8]; Map2 [6]-[8]
		{a: tru, b: i(0), kind: te, code: CodeInvalidArgumentType},
		{a: i(123), b: i(0), kind: te, code: CodeInvalidArgumentType},
		{a: f(4.7), b: i(0), kind: te, code: CodeInvalidArgumentType},
		{a: s("1"), b: i(0), kind: te, code: CodeInvalidArgumentType},
		{a: list, b: tru, kind: te},
		{a: list, b: f(4.7), kind: te},
		{a: list, b: s("1"), kind: te},
		{a: list, b: l(i(1)), kind: te},
		{a: list, b: m("x", i(3)), kind: te},
		{a: m("name", s("Apa")), b: i(0), kind: te, code: CodeMapElementAccessByNonString},
		{a: m("name", s("Apa")), b: f(12.3), kind: te, code: CodeMapElementAccessByNonString},
		{a: i(100), b: i(0), kind: te, code: CodeInvalidArgumentType},
	})
}

func TestSlice(t *testing.T) {
	list5 := l(i(1), i(2), i(3), i(4), i(5))
	list3 := l(i(1), i(2), i(3))
	cases := []struct {
		list, from, to value.Value
		hasF, hasT     bool
		want           value.Value
	}{
		{list5, i(1), i(3), true, true, l(i(2), i(3))},
		{list3, i(1), null, true, false, l(i(2), i(3))},
		{list3, null, i(2), false, true, l(i(1), i(2))},
		{list3, i(0), i(1), true, true, l(i(1))},
		{list3, i(0), i(0), true, true, l()},
		{list3, i(-3), i(-1), true, true, l(i(1), i(2))},
		{list3, i(3), i(1), true, true, l()},
		{list3, i(-5), i(5), true, true, list3},
		{list3, null, null, false, false, list3},
		// TCK List2 [9]: a bound that is null makes the slice null.
		{list3, null, null, true, true, null},
		{list3, i(1), null, true, true, null},
		{list3, null, i(3), true, true, null},
		{list3, null, null, false, true, null},
		{list3, null, null, true, false, null},
		{null, i(1), i(2), true, true, null},
	}
	for _, c := range cases {
		got, err := Slice(c.list, c.from, c.to, c.hasF, c.hasT)
		if err != nil || !same(got, c.want) {
			t.Errorf("Slice(%s, %s, %s, %v, %v) = %s, %v; want %s", c.list, c.from, c.to, c.hasF, c.hasT, got, err, c.want)
		}
	}
	if _, err := Slice(s("abc"), i(0), i(1), true, true); !errIs(err, te, "") {
		t.Errorf("slicing a string: err = %v", err)
	}
	if _, err := Slice(list3, f(0.5), i(1), true, true); !errIs(err, te, "") {
		t.Errorf("float bound: err = %v", err)
	}
	// The slice must not alias the source's spare capacity.
	src := make([]value.Value, 3, 10)
	copy(src, []value.Value{i(1), i(2), i(3)})
	sl, _ := Slice(value.List(src), i(0), i(1), true, true)
	grown, _ := Add(sl, i(9))
	_ = grown
	if !same(src[1], i(2)) {
		t.Errorf("append to a slice overwrote its source")
	}
}

func TestComparison(t *testing.T) {
	nan := f(math.NaN())
	runBin(t, "Eq", Eq, []binCase{
		// TCK Comparison1 [6], [7], [9]; List3
		{a: l(i(1), i(2)), b: l(i(1)), want: fls},
		{a: l(null), b: l(i(1)), want: null},
		{a: l(s("a")), b: l(i(1)), want: fls},
		{a: l(l(i(1))), b: l(l(i(1)), l(null)), want: fls},
		{a: l(l(i(1)), l(i(2))), b: l(l(i(1)), l(null)), want: null},
		{a: l(l(i(1)), l(i(2), i(3))), b: l(l(i(1)), l(null)), want: fls},
		{a: l(i(1), i(2)), b: s("foo"), want: fls},
		{a: l(i(1), i(2)), b: l(null, s("foo")), want: fls},
		{a: l(i(1), i(2)), b: l(null, i(2)), want: null},
		{a: m(), b: m(), want: tru},
		{a: m("k", i(1)), b: m("k", i(1)), want: tru},
		{a: m(), b: m("k", null), want: fls},
		{a: m("k", null), b: m("k", null, "l", null), want: fls},
		{a: m("k", null), b: m("k", null), want: null},
		{a: m("k", i(1), "l", null), b: m("k", i(1), "l", i(1)), want: null},
		{a: i(1), b: f(1), want: tru},
		{a: s("1"), b: i(1), want: fls},
		{a: nan, b: nan, want: fls},
		{a: nan, b: s("a"), want: fls},
		{a: null, b: null, want: null},
	})
	runBin(t, "Ne", Ne, []binCase{
		{a: nan, b: i(1), want: tru},
		{a: nan, b: nan, want: tru},
		{a: null, b: null, want: null},
	})
	// TCK Comparison2 [4]: >= on lists.
	runBin(t, "Ge", Ge, []binCase{
		{a: l(i(1), i(0)), b: l(i(1)), want: tru},
		{a: l(i(1), null), b: l(i(1)), want: tru},
		{a: l(i(1), i(2)), b: l(i(1), null), want: null},
		{a: l(i(1), s("a")), b: l(i(1), null), want: null},
		{a: l(i(1), i(2)), b: l(i(3), null), want: fls},
	})
	// TCK Comparison2 [5]: NaN.
	for _, op := range []func(a, b value.Value) (value.Value, error){Lt, Le, Gt, Ge} {
		runBin(t, "order", op, []binCase{
			{a: nan, b: i(1), want: fls},
			{a: nan, b: f(1), want: fls},
			{a: nan, b: nan, want: fls},
			{a: nan, b: s("a"), want: null},
			{a: s("1"), b: i(1), want: null},
			{a: m(), b: m(), want: null},
			{a: null, b: i(1), want: null},
		})
	}
	runBin(t, "Lt", Lt, []binCase{
		{a: i(1), b: f(3.14), want: tru},
		{a: i(1), b: f(1), want: fls},
		{a: s("a"), b: s("b"), want: tru},
		{a: fls, b: tru, want: tru},
	})
	runBin(t, "Le", Le, []binCase{{a: i(1), b: f(1), want: tru}, {a: s("b"), b: s("a"), want: fls}})
	runBin(t, "Gt", Gt, []binCase{{a: f(3.14), b: i(1), want: tru}, {a: i(1), b: i(1), want: fls}})
}
