package functions

import (
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

type scalarCase struct {
	fn         string
	args       []value.Value
	want       value.Value
	kind, code string
}

func call(t *testing.T, env Env, fn string, args ...value.Value) (value.Value, error) {
	t.Helper()
	sc, ok := Cypher().Scalar(fn)
	if !ok {
		t.Fatalf("no scalar %s", fn)
	}
	if len(args) < sc.MinArgs || (sc.MaxArgs >= 0 && len(args) > sc.MaxArgs) {
		t.Fatalf("%s: %d args outside [%d, %d]", fn, len(args), sc.MinArgs, sc.MaxArgs)
	}
	return sc.Fn(env, args)
}

func a(vs ...value.Value) []value.Value { return vs }

func runScalars(t *testing.T, cases []scalarCase) {
	t.Helper()
	for _, c := range cases {
		got, err := call(t, nil, c.fn, c.args...)
		if c.kind != "" {
			if !errIs(err, c.kind, c.code) {
				t.Errorf("%s%s: got %s, err %v; want %s %s", c.fn, l(c.args...), got, err, c.kind, c.code)
			}
			continue
		}
		if err != nil || !same(got, c.want) {
			t.Errorf("%s%s = %s, %v; want %s", c.fn, l(c.args...), got, err, c.want)
		}
	}
}

func TestStringFunctions(t *testing.T) {
	runScalars(t, []scalarCase{
		{fn: "substring", args: a(s("0123456789"), i(1)), want: s("123456789")},
		{fn: "substring", args: a(s("0123456789"), i(1), i(3)), want: s("123")},
		{fn: "substring", args: a(s("hello"), i(10)), want: s("")},
		{fn: "substring", args: a(s("hello"), i(1), i(100)), want: s("ello")},
		{fn: "substring", args: a(s("héllo"), i(1), i(2)), want: s("él")},
		{fn: "substring", args: a(null, i(1)), want: null},
		{fn: "substring", args: a(s("x"), i(-1)), kind: ae, code: CodeNumberOutOfRange},
		{fn: "substring", args: a(s("x"), i(0), i(-1)), kind: ae, code: CodeNumberOutOfRange},
		{fn: "substring", args: a(s("x"), null), kind: te},
		{fn: "substring", args: a(i(1), i(0)), kind: te},
		{fn: "left", args: a(s("hello"), i(3)), want: s("hel")},
		{fn: "left", args: a(s("hello"), i(30)), want: s("hello")},
		{fn: "left", args: a(null, i(3)), want: null},
		{fn: "left", args: a(s("x"), i(-1)), kind: ae},
		{fn: "right", args: a(s("hello"), i(3)), want: s("llo")},
		{fn: "right", args: a(s("hello"), i(0)), want: s("")},
		{fn: "right", args: a(s("hé"), i(1)), want: s("é")},
		{fn: "toUpper", args: a(s("abc")), want: s("ABC")},
		{fn: "TOUPPER", args: a(null), want: null},
		{fn: "toLower", args: a(s("ÀBC")), want: s("àbc")},
		{fn: "toUpper", args: a(i(1)), kind: te, code: CodeInvalidArgumentValue},
		{fn: "trim", args: a(s("  \t a b \n")), want: s("a b")},
		{fn: "lTrim", args: a(s("  a  ")), want: s("a  ")},
		{fn: "rTrim", args: a(s("  a  ")), want: s("  a")},
		{fn: "lTrim", args: a(s("xxaxx"), s("x")), want: s("axx")},
		{fn: "btrim", args: a(s("xyaxy"), s("xy")), want: s("a")},
		{fn: "trim", args: a(null), want: null},
		{fn: "trim", args: a(l()), kind: te},
		{fn: "replace", args: a(s("hello"), s("l"), s("w")), want: s("hewwo")},
		{fn: "replace", args: a(s("abc"), s(""), s("-")), want: s("-a-b-c-")},
		{fn: "replace", args: a(s("abc"), null, s("-")), want: null},
		{fn: "replace", args: a(s("abc"), i(1), s("-")), kind: te},
		{fn: "split", args: a(s("one1two"), s("1")), want: l(s("one"), s("two"))},
		{fn: "split", args: a(s("a,b,"), s(",")), want: l(s("a"), s("b"), s(""))},
		{fn: "split", args: a(s("abc"), s("")), want: l(s("a"), s("b"), s("c"))},
		{fn: "split", args: a(s("a-b_c"), l(s("-"), s("_"))), want: l(s("a"), s("b"), s("c"))},
		{fn: "split", args: a(null, s(",")), want: null},
		{fn: "split", args: a(s("a"), null), want: null},
		{fn: "reverse", args: a(s("raksO")), want: s("Oskar")},
		{fn: "reverse", args: a(s("añb")), want: s("bña")},
		{fn: "reverse", args: a(l(i(1), s("a"), null)), want: l(null, s("a"), i(1))},
		{fn: "reverse", args: a(null), want: null},
		{fn: "reverse", args: a(i(1)), kind: te},
		{fn: "size", args: a(s("héllo")), want: i(5)},
		{fn: "size", args: a(l(i(1), i(2), i(3))), want: i(3)},
		{fn: "size", args: a(null), want: null},
		{fn: "size", args: a(m()), kind: te},
		{fn: "isEmpty", args: a(s("")), want: tru},
		{fn: "isEmpty", args: a(m("a", i(1))), want: fls},
	})
}

func TestMathFunctions(t *testing.T) {
	runScalars(t, []scalarCase{
		{fn: "abs", args: a(i(-1)), want: i(1)},
		{fn: "abs", args: a(f(-1.5)), want: f(1.5)},
		{fn: "abs", args: a(null), want: null},
		{fn: "abs", args: a(i(math.MinInt64)), kind: ari},
		{fn: "abs", args: a(s("1")), kind: te},
		{fn: "ceil", args: a(f(1.7)), want: f(2)},
		{fn: "ceil", args: a(i(1)), want: f(1)},
		{fn: "floor", args: a(f(-1.2)), want: f(-2)},
		{fn: "sqrt", args: a(f(12.96)), want: f(3.6)},
		{fn: "sqrt", args: a(i(-1)), want: f(math.NaN())},
		{fn: "sign", args: a(i(-5)), want: i(-1)},
		{fn: "sign", args: a(f(0.5)), want: i(1)},
		{fn: "sign", args: a(i(0)), want: i(0)},
		{fn: "exp", args: a(i(0)), want: f(1)},
		{fn: "log", args: a(i(0)), want: f(math.Inf(-1))},
		{fn: "log10", args: a(i(1000)), want: f(3)},
		{fn: "e", want: f(math.E)},
		{fn: "pi", want: f(math.Pi)},
		{fn: "sin", args: a(i(0)), want: f(0)},
		{fn: "cos", args: a(i(0)), want: f(1)},
		{fn: "atan2", args: a(i(0), i(1)), want: f(0)},
		{fn: "atan2", args: a(null, i(1)), want: null},
		{fn: "degrees", args: a(f(math.Pi)), want: f(180)},
		{fn: "radians", args: a(i(180)), want: f(math.Pi)},
		{fn: "haversin", args: a(i(0)), want: f(0)},
		{fn: "cot", args: a(i(0)), want: f(math.Inf(1))},
		{fn: "sin", args: a(s("x")), kind: te},
		// round: ties toward +Infinity without precision (Neo4j docs).
		{fn: "round", args: a(f(3.141592)), want: f(3)},
		{fn: "round", args: a(f(-1.5)), want: f(-1)},
		{fn: "round", args: a(f(2.5)), want: f(3)},
		{fn: "round", args: a(i(7)), want: f(7)},
		{fn: "round", args: a(null), want: null},
		{fn: "round", args: a(f(3.141592), i(3)), want: f(3.142)},
		{fn: "round", args: a(f(-1.5), i(0)), want: f(-1)},
		{fn: "round", args: a(f(-1.55), i(1)), want: f(-1.6)},
		{fn: "round", args: a(f(2.675), i(2)), want: f(2.68)},
		{fn: "round", args: a(f(1234.5), i(-2)), want: f(1200)},
		{fn: "round", args: a(f(1.25), i(1), s("HALF_EVEN")), want: f(1.2)},
		{fn: "round", args: a(f(1.35), i(1), s("HALF_EVEN")), want: f(1.4)},
		{fn: "round", args: a(f(1.25), i(1), s("HALF_DOWN")), want: f(1.2)},
		{fn: "round", args: a(f(-1.21), i(1), s("UP")), want: f(-1.3)},
		{fn: "round", args: a(f(-1.29), i(1), s("DOWN")), want: f(-1.2)},
		{fn: "round", args: a(f(-1.21), i(1), s("CEILING")), want: f(-1.2)},
		{fn: "round", args: a(f(-1.21), i(1), s("FLOOR")), want: f(-1.3)},
		{fn: "round", args: a(f(0.004), i(2), s("UP")), want: f(0.01)},
		{fn: "round", args: a(f(0.004), i(2)), want: f(0)},
		{fn: "round", args: a(f(9.99), i(1)), want: f(10)},
		{fn: "round", args: a(f(1.5), i(0), s("half_even")), want: f(2)},
		{fn: "round", args: a(f(1.5), i(1)), want: f(1.5)},
		{fn: "round", args: a(f(1.55), i(1), s("UNNECESSARY")), kind: ari},
		{fn: "round", args: a(f(1.5), i(0), s("SIDEWAYS")), kind: ae},
		{fn: "round", args: a(f(1.5), null), want: null},
	})
	for range 100 {
		r, err := call(t, nil, "rand")
		if err != nil || r.Kind() != value.KindFloat || r.AsFloat() < 0 || r.AsFloat() >= 1 {
			t.Fatalf("rand() = %s, %v", r, err)
		}
	}
	if sc, _ := Cypher().Scalar("rand"); !sc.Volatile {
		t.Error("rand must be volatile")
	}
	u, _ := call(t, nil, "randomUUID")
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(u.AsString()) {
		t.Errorf("randomUUID() = %s", u)
	}
}

func TestListFunctions(t *testing.T) {
	runScalars(t, []scalarCase{
		{fn: "head", args: a(l(i(1), i(2))), want: i(1)},
		{fn: "head", args: a(l()), want: null},
		{fn: "head", args: a(null), want: null},
		{fn: "head", args: a(s("x")), kind: te},
		{fn: "last", args: a(l(i(1), i(2))), want: i(2)},
		{fn: "last", args: a(l()), want: null},
		{fn: "tail", args: a(l(i(1), i(2), i(3))), want: l(i(2), i(3))},
		{fn: "tail", args: a(l()), want: l()},
		{fn: "tail", args: a(null), want: null},
		{fn: "coalesce", args: a(null, null, i(3), i(4)), want: i(3)},
		{fn: "coalesce", args: a(null), want: null},
		{fn: "keys", args: a(lit(t, "{k: null, l: 1}")), want: l(s("k"), s("l"))},
		{fn: "keys", args: a(m()), want: l()},
		{fn: "keys", args: a(null), want: null},
		{fn: "keys", args: a(i(1)), kind: te},
		{fn: "properties", args: a(m("a", i(1))), want: m("a", i(1))},
		{fn: "range", args: a(i(0), i(1), i(0)), kind: ae, code: CodeNumberOutOfRange},
		{fn: "range", args: a(i(0), i(0), i(0)), kind: ae, code: CodeNumberOutOfRange},
		{fn: "range", args: a(i(math.MinInt64), i(math.MaxInt64)), kind: ae, code: CodeNumberOutOfRange},
		{fn: "range", args: a(i(math.MaxInt64-1), i(math.MaxInt64), i(5)), want: l(i(math.MaxInt64 - 1))},
		{fn: "range", args: a(i(math.MinInt64+1), i(math.MinInt64), i(-1)), want: l(i(math.MinInt64+1), i(math.MinInt64))},
	})
	// TCK List11 [5]: non-integer arguments are ArgumentError InvalidArgumentType.
	for _, bad := range []value.Value{tru, f(-1.1), f(-0.0), f(0.0), f(1.1), s("xyz"), l(i(0)), m("start", i(0)), null} {
		for pos := range 3 {
			args := a(i(0), i(1), i(1))
			args[pos] = bad
			if _, err := call(t, nil, "range", args...); !errIs(err, ae, CodeInvalidArgumentType) {
				t.Errorf("range%s: err = %v", l(args...), err)
			}
		}
	}
	// TCK List11 [1], [2].
	for _, row := range []string{
		"-1236 | -1234 | 1 | [-1236, -1235, -1234]",
		"0 | -123 | 1 | []",
		"0 | 0 | 1 | [0]",
		"1381 | -3412 | -1298 | [1381, 83, -1215, -2513]",
		"0 | -2000 | -1298 | [0, -1298]",
		"10 | -10 | -3 | [10, 7, 4, 1, -2, -5, -8]",
		"0 | 1 | -123 | []",
		"0 | 0 | -1 | [0]",
		"0 | 1 | 2 | [0]",
		"-10 | 10 | 3 | [-10, -7, -4, -1, 2, 5, 8]",
		"-3412 | 1381 | 1298 | [-3412, -2114, -816, 482]",
	} {
		p := strings.Split(row, " | ")
		got, err := call(t, nil, "range", lit(t, p[0]), lit(t, p[1]), lit(t, p[2]))
		if err != nil || !same(got, lit(t, p[3])) {
			t.Errorf("range(%s, %s, %s) = %s, %v; want %s", p[0], p[1], p[2], got, err, p[3])
		}
	}
	// TCK List11 [3]: size(range(0, stop, step)) = 0 iff sign(stop) <> sign(step).
	for _, stop := range []int64{1, 2, 500, 1000, 1500} {
		for _, step := range []int64{-1000, -3, -2, -1, 1, 2, 3, 1000} {
			got, _ := call(t, nil, "range", i(0), i(stop), i(step))
			if (len(got.AsList()) == 0) != (step < 0) {
				t.Errorf("range(0, %d, %d) = %s", stop, step, got)
			}
		}
	}
}

func TestGraphFunctions(t *testing.T) {
	a1 := &value.Node{ID: "a", Labels: []string{"A", "B"}, Props: value.PropsOf(map[string]value.Value{"name": s("x"), "age": i(3)})}
	b1 := &value.Node{ID: "b"}
	r := &value.Rel{ID: "r", Type: "KNOWS", From: "a", To: "b", Props: value.PropsOf(map[string]value.Value{"w": i(1)})}
	p := &value.Path{Nodes: []*value.Node{a1, b1}, Rels: []*value.Rel{r}}
	env := testEnv{now: time.UnixMilli(1700000000123), nodes: map[string]*value.Node{"a": a1, "b": b1}}
	cases := []struct {
		fn   string
		arg  value.Value
		want value.Value
	}{
		{"labels", value.NodeOf(a1), l(s("A"), s("B"))},
		{"labels", value.NodeOf(b1), l()},
		{"labels", null, null},
		{"type", value.RelOf(r), s("KNOWS")},
		{"keys", value.NodeOf(a1), l(s("age"), s("name"))},
		{"keys", value.RelOf(r), l(s("w"))},
		{"properties", value.NodeOf(b1), m()},
		{"properties", value.RelOf(r), m("w", i(1))},
		{"nodes", value.PathOf(p), l(value.NodeOf(a1), value.NodeOf(b1))},
		{"relationships", value.PathOf(p), l(value.RelOf(r))},
		{"length", value.PathOf(p), i(1)},
		{"length", null, null},
		{"id", value.NodeOf(a1), s("a")},
		{"elementId", value.RelOf(r), s("r")},
		{"startNode", value.RelOf(r), value.NodeOf(a1)},
		{"endNode", value.RelOf(r), value.NodeOf(b1)},
		{"startNode", null, null},
	}
	for _, c := range cases {
		got, err := call(t, env, c.fn, c.arg)
		if err != nil || !same(got, c.want) {
			t.Errorf("%s(%s) = %s, %v; want %s", c.fn, c.arg, got, err, c.want)
		}
	}
	for _, c := range []struct {
		fn  string
		arg value.Value
	}{{"labels", value.RelOf(r)}, {"type", value.NodeOf(a1)}, {"nodes", l()}, {"length", s("abc")}, {"id", i(1)}} {
		if _, err := call(t, env, c.fn, c.arg); !errIs(err, te, "") {
			t.Errorf("%s(%s): err = %v", c.fn, c.arg, err)
		}
	}
	if got, _ := call(t, env, "timestamp"); !same(got, i(1700000000123)) {
		t.Errorf("timestamp() = %s", got)
	}
}

func TestConversions(t *testing.T) {
	runScalars(t, []scalarCase{
		{fn: "toString", args: a(i(42)), want: s("42")},
		{fn: "toString", args: a(f(1)), want: s("1.0")},
		{fn: "toString", args: a(f(1.5)), want: s("1.5")},
		{fn: "toString", args: a(f(1e20)), want: s("1.0E20")},
		{fn: "toString", args: a(f(1.5e-7)), want: s("1.5E-7")},
		{fn: "toString", args: a(f(12345678)), want: s("1.2345678E7")},
		{fn: "toString", args: a(f(0.001)), want: s("0.001")},
		{fn: "toString", args: a(f(math.Inf(-1))), want: s("-Infinity")},
		{fn: "toString", args: a(tru), want: s("true")},
		{fn: "toString", args: a(s("x")), want: s("x")},
		{fn: "toString", args: a(null), want: null},
		{fn: "toString", args: a(l()), kind: te},
		{fn: "toStringOrNull", args: a(l()), want: null},
		{fn: "toStringOrNull", args: a(i(1)), want: s("1")},
		{fn: "toInteger", args: a(s("1.9")), want: i(1)},
		{fn: "toInteger", args: a(s("-1.9")), want: i(-1)},
		{fn: "toInteger", args: a(s("42")), want: i(42)},
		{fn: "toInteger", args: a(s(" 42 ")), want: i(42)},
		{fn: "toInteger", args: a(s("9223372036854775807")), want: i(math.MaxInt64)},
		{fn: "toInteger", args: a(s("1e3")), want: i(1000)},
		{fn: "toInteger", args: a(s("abc")), want: null},
		{fn: "toInteger", args: a(f(2.9)), want: i(2)},
		{fn: "toInteger", args: a(f(-2.9)), want: i(-2)},
		{fn: "toInteger", args: a(f(1e300)), want: null},
		{fn: "toInteger", args: a(f(math.NaN())), want: null},
		{fn: "toInteger", args: a(tru), want: i(1)},
		{fn: "toInteger", args: a(fls), want: i(0)},
		{fn: "toInteger", args: a(i(7)), want: i(7)},
		{fn: "toInteger", args: a(null), want: null},
		{fn: "toInteger", args: a(l()), kind: te},
		{fn: "toIntegerOrNull", args: a(l()), want: null},
		{fn: "toIntegerOrNull", args: a(s("12")), want: i(12)},
		{fn: "toFloat", args: a(i(1)), want: f(1)},
		{fn: "toFloat", args: a(s("1.5")), want: f(1.5)},
		{fn: "toFloat", args: a(s("x")), want: null},
		{fn: "toFloat", args: a(tru), kind: te},
		{fn: "toFloatOrNull", args: a(tru), want: null},
		{fn: "toBoolean", args: a(s("TRUE")), want: tru},
		{fn: "toBoolean", args: a(s("false")), want: fls},
		{fn: "toBoolean", args: a(s("yes")), want: null},
		{fn: "toBoolean", args: a(i(0)), want: fls},
		{fn: "toBoolean", args: a(i(2)), want: tru},
		{fn: "toBoolean", args: a(f(1)), kind: te},
		{fn: "toBooleanOrNull", args: a(f(1)), want: null},
		{fn: "toIntegerList", args: a(l(s("1"), f(2.5), s("x"), null, l())), want: l(i(1), i(2), null, null, null)},
		{fn: "toFloatList", args: a(l(i(1), s("2.5"))), want: l(f(1), f(2.5))},
		{fn: "toStringList", args: a(l(i(1), f(2.5), m())), want: l(s("1"), s("2.5"), null)},
		{fn: "toBooleanList", args: a(l(s("true"), i(0))), want: l(tru, fls)},
		{fn: "toIntegerList", args: a(null), want: null},
		{fn: "toIntegerList", args: a(i(1)), kind: te},
	})
}

func TestRegistry(t *testing.T) {
	r := Cypher()
	if r != Cypher() {
		t.Error("Cypher() must return one shared registry")
	}
	for _, name := range []string{"count", "COUNT", "coUnt", "sum", "avg", "min", "max", "collect", "stDev", "stdevp", "percentileCont", "percentileDisc"} {
		if !r.IsAggregate(name) {
			t.Errorf("%s is not an aggregate", name)
		}
	}
	for _, name := range []string{"toUpper", "NODES", "nOdEs", "range", "size", "toIntegerOrNull"} {
		if _, ok := r.Scalar(name); !ok {
			t.Errorf("no scalar %s", name)
		}
	}
	for _, name := range r.Names() {
		if sc, ok := r.Scalar(name); ok && (sc.Fn == nil || !strings.EqualFold(sc.Name, name)) {
			t.Errorf("scalar %s misregistered as %q", name, sc.Name)
		}
		if ag, ok := r.Aggregate(name); ok && (ag.New == nil || !strings.EqualFold(ag.Name, name)) {
			t.Errorf("aggregate %s misregistered", name)
		}
	}
}
