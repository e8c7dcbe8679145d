package functions

import (
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

// fixedEnv is an Env whose clock is fixed, for the GQL clock readers.
type fixedEnv struct{ now time.Time }

func (e fixedEnv) Now() time.Time             { return e.now }
func (e fixedEnv) Node(id string) *value.Node { return nil }

// TestGQLScalars calls each GQL name and checks it runs the implementation
// it is documented to map onto.
func TestGQLScalars(t *testing.T) {
	node := value.NodeOf(&value.Node{ID: "n7", Labels: []string{"A"}})
	for _, c := range []scalarCase{
		{fn: "upper", args: a(s("abc")), want: s("ABC")},
		{fn: "lower", args: a(s("ÀBC")), want: s("àbc")},
		{fn: "trim", args: a(s("  a b ")), want: s("a b")},
		{fn: "ltrim", args: a(s("  a ")), want: s("a ")},
		{fn: "rtrim", args: a(s("  a ")), want: s("  a")},
		{fn: "btrim", args: a(s("xyaxy"), s("xy")), want: s("a")},
		{fn: "char_length", args: a(s("héllo")), want: i(5)},
		{fn: "character_length", args: a(s("ab")), want: i(2)},
		{fn: "char_length", args: a(null), want: null},
		{fn: "char_length", args: a(l(i(1))), kind: te},
		{fn: "size", args: a(l(i(1), i(2))), want: i(2)},
		{fn: "cardinality", args: a(l(i(1))), want: i(1)},
		{fn: "left", args: a(s("hello"), i(2)), want: s("he")},
		{fn: "abs", args: a(i(-3)), want: i(3)},
		{fn: "floor", args: a(f(1.5)), want: f(1)},
		{fn: "ceil", args: a(f(1.5)), want: f(2)},
		{fn: "ceiling", args: a(f(1.5)), want: f(2)},
		{fn: "ln", args: a(f(1)), want: f(0)},
		{fn: "mod", args: a(i(7), i(3)), want: i(1)},
		{fn: "power", args: a(i(2), i(3)), want: f(8)},
		{fn: "coalesce", args: a(null, i(2)), want: i(2)},
		{fn: "element_id", args: a(node), want: s("n7")},
		{fn: "duration", args: a(s("PT1H")), want: mustDuration(t, "PT1H")},
	} {
		sc, ok := GQL().Scalar(c.fn)
		if !ok {
			t.Errorf("GQL has no scalar %s", c.fn)
			continue
		}
		got, err := sc.Fn(nil, c.args)
		if c.kind != "" {
			if !errIs(err, c.kind, c.code) {
				t.Errorf("%s%s: got %s, err %v; want %s", c.fn, l(c.args...), got, err, c.kind)
			}
			continue
		}
		if err != nil || !same(got, c.want) {
			t.Errorf("%s%s = %s, %v; want %s", c.fn, l(c.args...), got, err, c.want)
		}
	}
}

func mustDuration(t *testing.T, iso string) value.Value {
	t.Helper()
	sc, _ := Cypher().Scalar("duration")
	v, err := sc.Fn(nil, a(s(iso)))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestGQLTemporal checks the constructors, duration_between and the clock
// readers, which must read the Env clock and be marked volatile so that the
// engine never folds them into constants.
func TestGQLTemporal(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC)
	env := fixedEnv{now: now}
	for _, c := range []struct {
		gql, cypher string
		args        []value.Value
	}{
		{"zoned_datetime", "datetime", a(s("2026-03-01T10:00:00Z"))},
		{"local_datetime", "localdatetime", a(s("2026-03-01T10:00:00"))},
		{"date", "date", a(s("2026-03-01"))},
		{"zoned_time", "time", a(s("10:00:00Z"))},
		{"local_time", "localtime", a(s("10:00:00"))},
		{"current_timestamp", "datetime.realtime", nil},
		{"current_date", "date.realtime", nil},
		{"current_time", "time.realtime", nil},
		{"local_timestamp", "localdatetime.realtime", nil},
	} {
		g, ok := GQL().Scalar(c.gql)
		if !ok {
			t.Errorf("GQL has no scalar %s", c.gql)
			continue
		}
		cy, _ := Cypher().Scalar(c.cypher)
		got, err1 := g.Fn(env, c.args)
		want, err2 := cy.Fn(env, c.args)
		if err1 != nil || err2 != nil || !same(got, want) {
			t.Errorf("%s%v = %s, %v; want %s (%s), %v", c.gql, c.args, got, err1, want, c.cypher, err2)
		}
		clock := c.args == nil
		if g.Volatile != clock {
			t.Errorf("%s: Volatile = %v, want %v", c.gql, g.Volatile, clock)
		}
		if !clock && g.MinArgs != 1 {
			t.Errorf("%s: MinArgs = %d; a constructor needs its argument in GQL", c.gql, g.MinArgs)
		}
	}
	db, _ := GQL().Scalar("duration_between")
	from, _ := GQL().Scalar("zoned_datetime")
	x, _ := from.Fn(env, a(s("2026-03-01T10:00:00Z")))
	y, _ := from.Fn(env, a(s("2026-03-01T12:00:00Z")))
	if got, err := db.Fn(env, a(x, y)); err != nil || !same(got, mustDuration(t, "PT2H")) {
		t.Errorf("duration_between = %s, %v; want PT2H", got, err)
	}
}

// TestGQLAggregates checks the aggregate names map onto the Cypher
// accumulators.
func TestGQLAggregates(t *testing.T) {
	rows := one(i(1), i(2), i(4))
	for _, c := range []struct {
		gql, cypher string
	}{
		{"count", "count"}, {"sum", "sum"}, {"avg", "avg"}, {"min", "min"}, {"max", "max"},
		{"collect_list", "collect"}, {"collect", "collect"},
		{"stddev_samp", "stDev"}, {"stddev_pop", "stDevP"},
		{"drasi.last", "drasi.last"},
	} {
		g, ok := GQL().Aggregate(c.gql)
		if !ok {
			t.Errorf("GQL has no aggregate %s", c.gql)
			continue
		}
		got, err := aggregate(t, g.New(), rows...)
		want, _ := aggregate(t, newAcc(t, c.cypher), rows...)
		if err != nil || !same(got, want) {
			t.Errorf("%s = %s, %v; want %s", c.gql, got, err, want)
		}
	}
	for _, name := range []string{"percentile_cont", "percentile_disc"} {
		g, ok := GQL().Aggregate(name)
		if !ok {
			t.Errorf("GQL has no aggregate %s", name)
			continue
		}
		acc := g.New()
		for _, r := range one(i(1), i(2), i(3)) {
			if err := acc.Apply(append(r, f(0.5))); err != nil {
				t.Fatal(err)
			}
		}
		if got := acc.Result(); !same(got, i(2)) && !same(got, f(2)) {
			t.Errorf("%s median = %s, want 2", name, got)
		}
	}
}

// TestLanguageExclusiveNames keeps each language's spellings out of the
// other's registration set.
func TestLanguageExclusiveNames(t *testing.T) {
	has := func(r *Registry, name string) bool {
		_, ok := r.Scalar(name)
		return ok || r.IsAggregate(name)
	}
	for _, name := range []string{
		"toUpper", "toLower", "elementId", "id", "length", "stDev", "stDevP",
		"percentileCont", "percentileDisc", "datetime", "localdatetime", "time", "localtime",
		"datetime.realtime", "duration.between", "toString", "toInteger", "labels", "keys",
		"head", "tail", "range", "log", "sign", "rand", "timestamp",
		// substring, replace, split, reverse, round and last are in both:
		// Drasi's GQL has them, and queries written for it run unchanged.
	} {
		if has(GQL(), name) {
			t.Errorf("Cypher-only name %s is in the GQL set", name)
		}
		if !has(Cypher(), name) {
			t.Errorf("%s should be in the Cypher set", name)
		}
	}
	for _, name := range []string{
		"upper", "lower", "char_length", "character_length", "element_id", "path_length",
		"collect_list", "stddev_samp", "stddev_pop", "percentile_cont", "percentile_disc",
		"zoned_datetime", "local_datetime", "zoned_time", "local_time", "duration_between",
		"current_timestamp", "current_date", "local_timestamp", "mod", "power", "ln", "ceiling",
		"cardinality",
	} {
		if !has(GQL(), name) {
			t.Errorf("%s should be in the GQL set", name)
		}
		if has(Cypher(), name) {
			t.Errorf("GQL-only name %s is in the Cypher set", name)
		}
	}
	// The drasi.* extensions are shared.
	for _, name := range []string{"drasi.listMin", "drasi.listMax", "drasi.linearGradient", "drasi.stdevp", "drasi.last"} {
		if !has(GQL(), name) || !has(Cypher(), name) {
			t.Errorf("%s should be in both sets", name)
		}
	}
	if GQL().Lang() != "gql" {
		t.Errorf("Lang = %q", GQL().Lang())
	}
}

// TestGQLLoweringTargets checks the functions the GQL front-end lowers ||,
// IS TYPED and CAST onto.
func TestGQLLoweringTargets(t *testing.T) {
	node := value.NodeOf(&value.Node{ID: "n1"})
	for _, c := range []scalarCase{
		{fn: "||", args: a(s("a"), s("b")), want: s("ab")},
		{fn: "||", args: a(l(i(1)), l(s("x"))), want: l(i(1), s("x"))},
		{fn: "||", args: a(null, s("b")), want: null},
		{fn: "||", args: a(s("a"), null), want: null},
		{fn: "||", args: a(s("a"), i(1)), kind: te},
		{fn: "||", args: a(l(), s("a")), kind: te},
		{fn: "||", args: a(i(1), i(2)), kind: te},
		{fn: "is typed INTEGER", args: a(i(1)), want: tru},
		{fn: "is typed INTEGER", args: a(f(1)), want: fls},
		{fn: "is typed INTEGER", args: a(null), want: tru},
		{fn: "is typed INTEGER not null", args: a(null), want: fls},
		{fn: "is typed FLOAT", args: a(f(1)), want: tru},
		{fn: "is typed STRING not null", args: a(s("")), want: tru},
		{fn: "is typed BOOLEAN", args: a(s("true")), want: fls},
		{fn: "is typed LIST", args: a(l()), want: tru},
		{fn: "is typed RECORD", args: a(m("k", i(1))), want: tru},
		{fn: "is typed NODE", args: a(node), want: tru},
		{fn: "is typed EDGE", args: a(node), want: fls},
		{fn: "is typed DURATION", args: a(mustDuration(t, "PT1H")), want: tru},
		{fn: "is typed ANY not null", args: a(node), want: tru},
		{fn: "is typed ANY not null", args: a(null), want: fls},
		{fn: "is typed NULL", args: a(null), want: tru},
		{fn: "is typed NULL", args: a(i(0)), want: fls},
		{fn: "is typed NULL not null", args: a(null), want: fls},
		{fn: "cast as INTEGER", args: a(s(" 12 ")), want: i(12)},
		{fn: "cast as INTEGER", args: a(f(-1.9)), want: i(-1)},
		{fn: "cast as INTEGER", args: a(s("abc")), want: null},
		{fn: "cast as INTEGER", args: a(tru), want: i(1)},
		{fn: "cast as INTEGER", args: a(l(i(1))), kind: te},
		{fn: "cast as FLOAT", args: a(i(2)), want: f(2)},
		{fn: "cast as FLOAT", args: a(node), kind: te},
		{fn: "cast as STRING", args: a(f(1.5)), want: s("1.5")},
		{fn: "cast as STRING", args: a(null), want: null},
		{fn: "cast as BOOLEAN", args: a(s("TRUE")), want: tru},
		{fn: "cast as BOOLEAN", args: a(i(0)), want: fls},
		{fn: "cast as BOOLEAN", args: a(f(1)), kind: te},
	} {
		sc, ok := GQL().Scalar(c.fn)
		if !ok {
			t.Errorf("GQL has no scalar %q", c.fn)
			continue
		}
		got, err := sc.Fn(nil, c.args)
		if c.kind != "" {
			if !errIs(err, c.kind, c.code) {
				t.Errorf("%s%s: got %s, err %v; want %s", c.fn, l(c.args...), got, err, c.kind)
			}
			continue
		}
		if err != nil || !same(got, c.want) {
			t.Errorf("%s%s = %s, %v; want %s", c.fn, l(c.args...), got, err, c.want)
		}
	}
	// The CAST error names the CAST, not toInteger.
	sc, _ := GQL().Scalar("cast as INTEGER")
	if _, err := sc.Fn(nil, a(l())); err == nil || !strings.Contains(err.Error(), "CAST") || strings.Contains(err.Error(), "toInteger") {
		t.Errorf("cast error: %v", err)
	}
	// None of these is in the Cypher set.
	for _, n := range []string{"||", "is typed INTEGER", "cast as INTEGER"} {
		if _, ok := Cypher().Scalar(n); ok {
			t.Errorf("%q is in the Cypher set", n)
		}
	}
}
