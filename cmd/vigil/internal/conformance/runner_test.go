package conformance

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/internal/sharedtest"
)

func row(vs ...any) engine.Row {
	r := make(engine.Row, len(vs))
	for i, x := range vs {
		v, err := value.FromGo(x)
		if err != nil {
			panic(err)
		}
		r[i] = v
	}
	return r
}

func upd(b, a engine.Row) engine.Update { return engine.Update{Before: b, After: a} }

var cols2 = []string{"id", "n"}

func TestCombine(t *testing.T) {
	tests := []struct {
		name  string
		diffs []engine.Diff
		want  engine.Diff
	}{
		{"nothing", nil, engine.Diff{}},
		{"one diff is itself",
			[]engine.Diff{{Added: []engine.Row{row("a", 1)}, Deleted: []engine.Row{row("b", 2)}}},
			engine.Diff{Added: []engine.Row{row("a", 1)}, Deleted: []engine.Row{row("b", 2)}}},
		{"added then updated is added with final values",
			[]engine.Diff{{Added: []engine.Row{row("a", 1)}}, {Updated: []engine.Update{upd(row("a", 1), row("a", 2))}}},
			engine.Diff{Added: []engine.Row{row("a", 2)}}},
		{"added then deleted is nothing",
			[]engine.Diff{{Added: []engine.Row{row("a", 1)}}, {Deleted: []engine.Row{row("a", 1)}}},
			engine.Diff{}},
		{"updated twice is one update",
			[]engine.Diff{{Updated: []engine.Update{upd(row("a", 1), row("a", 2))}}, {Updated: []engine.Update{upd(row("a", 2), row("a", 3))}}},
			engine.Diff{Updated: []engine.Update{upd(row("a", 1), row("a", 3))}}},
		{"updated and back is nothing",
			[]engine.Diff{{Updated: []engine.Update{upd(row("a", 1), row("a", 2))}}, {Updated: []engine.Update{upd(row("a", 2), row("a", 1))}}},
			engine.Diff{}},
		{"updated then deleted is deleted as before",
			[]engine.Diff{{Updated: []engine.Update{upd(row("a", 1), row("a", 2))}}, {Deleted: []engine.Row{row("a", 2)}}},
			engine.Diff{Deleted: []engine.Row{row("a", 1)}}},
		{"deleted then re-added unchanged is nothing",
			[]engine.Diff{{Deleted: []engine.Row{row("a", 1)}}, {Added: []engine.Row{row("a", 1)}}},
			engine.Diff{}},
		{"deleted then added with other values stays both",
			[]engine.Diff{{Deleted: []engine.Row{row("a", 1)}}, {Added: []engine.Row{row("a", 2)}}},
			engine.Diff{Added: []engine.Row{row("a", 2)}, Deleted: []engine.Row{row("a", 1)}}},
		{"duplicates net one at a time",
			[]engine.Diff{{Added: []engine.Row{row("a", 1), row("a", 1)}}, {Deleted: []engine.Row{row("a", 1)}}},
			engine.Diff{Added: []engine.Row{row("a", 1)}}},
		{"int and float rows are different rows",
			[]engine.Diff{{Added: []engine.Row{row("a", 1)}}, {Deleted: []engine.Row{row("a", 1.0)}}},
			engine.Diff{Added: []engine.Row{row("a", 1)}, Deleted: []engine.Row{row("a", 1.0)}}},
		{"unrelated rows pass through",
			[]engine.Diff{{Added: []engine.Row{row("a", 1)}}, {Updated: []engine.Update{upd(row("b", 1), row("b", 2))}, Deleted: []engine.Row{row("c", 1)}}},
			engine.Diff{Added: []engine.Row{row("a", 1)}, Updated: []engine.Update{upd(row("b", 1), row("b", 2))}, Deleted: []engine.Row{row("c", 1)}}},
		{"one diff does not net with itself",
			[]engine.Diff{{Added: []engine.Row{row("a", 1)}, Deleted: []engine.Row{row("a", 1)}}},
			engine.Diff{Added: []engine.Row{row("a", 1)}, Deleted: []engine.Row{row("a", 1)}}},
		{"an update carried on after a later add",
			[]engine.Diff{{Added: []engine.Row{row("a", 1)}}, {Added: []engine.Row{row("b", 1)}}, {Updated: []engine.Update{upd(row("a", 1), row("a", 2))}}},
			engine.Diff{Added: []engine.Row{row("b", 1), row("a", 2)}}},
		{"three diffs",
			[]engine.Diff{{Added: []engine.Row{row("a", 1)}}, {Updated: []engine.Update{upd(row("a", 1), row("a", 2))}}, {Updated: []engine.Update{upd(row("a", 2), row("a", 3))}}},
			engine.Diff{Added: []engine.Row{row("a", 3)}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Combine(tc.diffs...)
			if FormatDiff(got, cols2) != FormatDiff(tc.want, cols2) || !diffEqual(got, tc.want) {
				t.Errorf("got %s, want %s", FormatDiff(got, cols2), FormatDiff(tc.want, cols2))
			}
		})
	}
}

func diffEqual(a, b engine.Diff) bool {
	eq := func(x, y []engine.Row) bool {
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameRow(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	if !eq(a.Added, b.Added) || !eq(a.Deleted, b.Deleted) || len(a.Updated) != len(b.Updated) {
		return false
	}
	for i := range a.Updated {
		if !sameRow(a.Updated[i].Before, b.Updated[i].Before) || !sameRow(a.Updated[i].After, b.Updated[i].After) {
			return false
		}
	}
	return true
}

func erow(kv ...any) ExpectedRow {
	m := ExpectedRow{}
	for i := 0; i+1 < len(kv); i += 2 {
		v, err := value.FromGo(kv[i+1])
		if err != nil {
			panic(err)
		}
		m[kv[i].(string)] = v
	}
	return m
}

func TestValueMatches(t *testing.T) {
	dt := value.Make(value.KindDateTime, 0, "", fakeTemporal("2026-03-01T01:01+01:00"))
	dur := value.Make(value.KindDuration, 0, "", fakeTemporal("PT5M"))
	tests := []struct {
		name     string
		exp, act value.Value
		want     bool
	}{
		{"int int", value.Int(3), value.Int(3), true},
		{"int differs", value.Int(3), value.Int(4), false},
		{"int vs float", value.Int(3), value.Float(3), false},
		{"float vs int", value.Float(3), value.Int(3), false},
		{"float exact", value.Float(0.1), value.Float(0.1), true},
		{"float within 1e-9", value.Float(1e6), value.Float(1e6 * (1 + 5e-10)), true},
		{"float beyond 1e-9", value.Float(1e6), value.Float(1e6 * (1 + 5e-9)), false},
		{"float sum rounding", value.Float(0.3), value.Float(0.1 + 0.2), true},
		{"NaN NaN", value.Float(math.NaN()), value.Float(math.NaN()), true},
		{"null null", value.Null, value.Null, true},
		{"null vs 0", value.Null, value.Int(0), false},
		{"string", value.Str("a"), value.Str("a"), true},
		{"string vs int", value.Str("1"), value.Int(1), false},
		{"bool", value.True, value.True, true},
		{"bool differs", value.True, value.False, false},
		{"list", value.List([]value.Value{value.Int(1), value.Float(2)}), value.List([]value.Value{value.Int(1), value.Float(2)}), true},
		{"list kinds", value.List([]value.Value{value.Int(1)}), value.List([]value.Value{value.Float(1)}), false},
		{"list length", value.List([]value.Value{value.Int(1)}), value.List(nil), false},
		{"map", value.Map(map[string]value.Value{"a": value.Int(1)}), value.Map(map[string]value.Value{"a": value.Int(1)}), true},
		{"map keys", value.Map(map[string]value.Value{"a": value.Int(1)}), value.Map(map[string]value.Value{"b": value.Int(1)}), false},
		{"datetime as UTC string", value.Str("2026-03-01T00:01:00Z"), dt, true},
		{"datetime other instant", value.Str("2026-03-01T00:02:00Z"), dt, false},
		{"duration as ISO 8601", value.Str("PT5M"), dur, true},
		{"duration differs", value.Str("PT6M"), dur, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := valueMatches(tc.exp, tc.act); got != tc.want {
				t.Errorf("valueMatches(%s, %s) = %v, want %v", tc.exp, tc.act, got, tc.want)
			}
		})
	}
}

// fakeTemporal is a stand-in Ext payload rendering as a fixed string.
type fakeTemporal string

func (f fakeTemporal) ExtCompare(o value.Ext) (int, bool) {
	return strings.Compare(string(f), string(o.(fakeTemporal))), true
}
func (f fakeTemporal) ExtEqual(o value.Ext) bool { return f == o.(fakeTemporal) }
func (f fakeTemporal) ExtHash() uint64           { return uint64(len(f)) }
func (f fakeTemporal) String() string            { return string(f) }

func TestDiffMatches(t *testing.T) {
	act := engine.Diff{
		Added:   []engine.Row{row("a", 1), row("b", 2), row("a", 1)},
		Updated: []engine.Update{upd(row("c", 1), row("c", 2.5))},
		Deleted: []engine.Row{row("d", nil)},
	}
	full := &ExpectedDiff{
		Added:   []ExpectedRow{erow("id", "b", "n", 2), erow("id", "a", "n", 1), erow("id", "a", "n", 1)},
		Updated: []ExpectedUpdate{{Before: erow("id", "c", "n", 1), After: erow("id", "c", "n", 2.5)}},
		Deleted: []ExpectedRow{erow("id", "d", "n", nil)},
	}
	tests := []struct {
		name string
		exp  *ExpectedDiff
		act  engine.Diff
		want bool
	}{
		{"exact, order-insensitive", full, act, true},
		{"empty expect vs empty diff", &ExpectedDiff{}, engine.Diff{}, true},
		{"empty expect vs something", &ExpectedDiff{}, engine.Diff{Added: []engine.Row{row("a", 1)}}, false},
		{"absent list must be empty", &ExpectedDiff{Added: full.Added, Updated: full.Updated}, act, false},
		{"multiset counts duplicates", &ExpectedDiff{Added: full.Added[:2], Updated: full.Updated, Deleted: full.Deleted}, act, false},
		{"update before differs", &ExpectedDiff{Added: full.Added, Deleted: full.Deleted,
			Updated: []ExpectedUpdate{{Before: erow("id", "c", "n", 9), After: erow("id", "c", "n", 2.5)}}}, act, false},
		{"update is not delete plus add", &ExpectedDiff{Added: []ExpectedRow{erow("id", "c", "n", 2)}, Deleted: []ExpectedRow{erow("id", "c", "n", 1)}},
			engine.Diff{Updated: []engine.Update{upd(row("c", 1), row("c", 2))}}, false},
		{"missing column", &ExpectedDiff{Added: []ExpectedRow{erow("id", "a")}}, engine.Diff{Added: []engine.Row{row("a", 1)}}, false},
		{"extra column", &ExpectedDiff{Added: []ExpectedRow{erow("id", "a", "n", 1, "x", 1)}}, engine.Diff{Added: []engine.Row{row("a", 1)}}, false},
		{"short engine row", &ExpectedDiff{Added: []ExpectedRow{erow("id", "a")}}, engine.Diff{Added: []engine.Row{row("a")}}, false},
		{"tolerance needs a matching, not greedy pairing", &ExpectedDiff{Added: []ExpectedRow{erow("id", "a", "n", 1.0), erow("id", "a", "n", 1.0000000000001)}},
			engine.Diff{Added: []engine.Row{row("a", 1.0000000000001), row("a", 1.0)}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := DiffMatches(tc.exp, tc.act, cols2); got != tc.want {
				t.Errorf("DiffMatches(%s, %s) = %v, want %v", FormatExpected(tc.exp, cols2), FormatDiff(tc.act, cols2), got, tc.want)
			}
		})
	}
}

func TestMultisetMatchNeedsAugmenting(t *testing.T) {
	// expected 0 matches actual 0 or 1; expected 1 only actual 0: a greedy
	// pairing of 0 with 0 fails, the matching succeeds.
	ok := multisetMatch(2, 2, func(i, j int) bool { return i == 0 || j == 0 })
	if !ok {
		t.Error("multisetMatch missed a perfect matching")
	}
	if multisetMatch(2, 2, func(i, j int) bool { return j == 0 }) {
		t.Error("multisetMatch paired two expected rows with one actual row")
	}
}

const sample = `name: sample
query:
  text: MATCH (a) RETURN a.x AS x
  joins:
    - id: OWNS
      keys:
        - {label: Agent, property: id}
        - {label: ToolCall, property: agent_id}
start: 2026-01-01T00:00:00Z
steps:
  - at: 2026-01-01T00:00:05Z
    changes:
      - insert: {id: a1, labels: [A], props: {i: 1, f: 1.5, g: 2.0, e: 1e3, s: x, b: true, n: null, l: [1, 2.5], m: {k: v}, t: 2026-01-01T00:00:00Z, q: '2026-01-01T00:00:00+01:00', d: '2026-01-01'}}
      - insert: {id: r1, type: T, from: a1, to: a1}
      - delete: {id: a1}
    expect: {}
  - changes:
      - update: {id: a1, labels: [A], props: {x: 1}}
    expect:
      added: [{x: 1}]
    result: []
  - at: 2026-01-01T00:00:06Z
`

func TestParse(t *testing.T) {
	s, err := Parse([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "sample" || s.Language != "cypher" || len(s.Steps) != 3 || len(s.Joins) != 1 || len(s.Joins[0].Keys) != 2 {
		t.Fatalf("parsed %+v", s)
	}
	if s.Joins[0].Keys[1] != (engine.JoinKey{Label: "ToolCall", Property: "agent_id"}) {
		t.Errorf("join key %+v", s.Joins[0].Keys[1])
	}
	st := s.Steps[0]
	if !st.HasAt || !st.At.Equal(time.Date(2026, 1, 1, 0, 0, 5, 0, time.UTC)) || st.Expect == nil || st.HasResult {
		t.Errorf("step 1: %+v", st)
	}
	p := st.Changes[0].Element.Props
	kinds := map[string]value.Kind{"i": value.KindInt, "f": value.KindFloat, "g": value.KindFloat, "e": value.KindFloat,
		"s": value.KindString, "b": value.KindBool, "n": value.KindNull, "l": value.KindList, "m": value.KindMap,
		"t": value.KindDateTime, "q": value.KindDateTime, "d": value.KindString}
	for k, want := range kinds {
		if p[k].Kind() != want {
			t.Errorf("prop %s = %s: kind %s, want %s", k, p[k], p[k].Kind(), want)
		}
	}
	if l := p["l"].AsList(); l[0].Kind() != value.KindInt || l[1].Kind() != value.KindFloat {
		t.Errorf("list %s", p["l"])
	}
	if c := st.Changes[1]; c.Op != engine.OpInsert || !c.Element.IsRel() || c.Element.From != "a1" {
		t.Errorf("relation change %+v", c)
	}
	if st.Changes[2].Op != engine.OpDelete || s.Steps[1].Changes[0].Op != engine.OpUpdate {
		t.Error("ops")
	}
	if s.Steps[1].HasAt || !s.Steps[1].HasResult || len(s.Steps[1].Result) != 0 || len(s.Steps[1].Expect.Added) != 1 {
		t.Errorf("step 2: %+v", s.Steps[1])
	}
	if s.Steps[2].Expect != nil {
		t.Error("absent expect must be nil")
	}
}

func TestParseDateTimeHook(t *testing.T) {
	old := parseDateTime
	defer func() { parseDateTime = old }()
	var seen []string
	parseDateTime = func(s string) (value.Value, bool) {
		seen = append(seen, s)
		return value.Make(value.KindDateTime, 0, "", fakeTemporal(s)), true
	}
	s, err := Parse([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	p := s.Steps[0].Changes[0].Element.Props
	if p["t"].Kind() != value.KindDateTime || p["q"].Kind() != value.KindDateTime || p["d"].Kind() != value.KindString || p["s"].Kind() != value.KindString {
		t.Errorf("props %v", p)
	}
	if len(seen) != 2 {
		t.Errorf("hook saw %q; want only the two zoned datetimes", seen)
	}
	// Expected rows keep their strings.
	if v := s.Steps[1].Expect.Added[0]["x"]; v.Kind() != value.KindInt {
		t.Errorf("expected row value %s", v)
	}
}

func TestParseErrors(t *testing.T) {
	base := "name: n\nquery: {text: q}\nstart: 2026-01-01T00:00:00Z\nsteps:\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown top key", "name: n\nquery: {text: q}\nstart: 2026-01-01T00:00:00Z\nstep: []\n", "4: unknown scenario key \"step\""},
		{"bad time", "name: n\nquery: {text: q}\nstart: yesterday\nsteps: []\n", "3: invalid RFC 3339 time"},
		{"bad language", "name: n\nquery: {text: q, language: sql}\nstart: 2026-01-01T00:00:00Z\nsteps: []\n", "2: language must be"},
		{"two ops", base + "  - changes:\n      - {insert: {id: a}, delete: {id: a}}\n", "6: a change has exactly one"},
		{"unknown element key", base + "  - changes:\n      - insert: {id: a, label: [A]}\n", "6: unknown element key \"label\""},
		{"relation without ends", base + "  - changes:\n      - insert: {id: r, type: T}\n", "6: relation r needs from and to"},
		{"clock backwards", base + "  - at: 2025-01-01T00:00:00Z\n", "5: at 2025-01-01T00:00:00Z moves the clock backwards"},
		{"unknown expect key", base + "  - expect: {add: []}\n", "5: unknown expect key \"add\""},
		{"row not a map", base + "  - expect: {added: [1]}\n", "5: a row must be a map"},
		{"missing steps", "name: n\nquery: {text: q}\nstart: 2026-01-01T00:00:00Z\n", "missing steps"},
		{"yaml syntax", "name: [\n", "yaml:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// oracle is a target that replays a scenario's own expectations. Where a
// step both moves the clock and applies changes it splits the expected diff
// over the two calls (with throw-away intermediate rows), so that the run
// must net them back together with Combine.
type oracle struct {
	s       *Scenario
	cols    []string
	last    int  // index of the step of the last call, -1 before any
	applied bool // whether the last call was an apply
	rows    []engine.Row
	corrupt bool // drop the first expected added row of each step
}

func (o *oracle) addQuery(spec engine.QuerySpec) ([]string, error) {
	set := map[string]bool{}
	add := func(r ExpectedRow) {
		for k := range r {
			set[k] = true
		}
	}
	for _, st := range o.s.Steps {
		if st.Expect != nil {
			for _, r := range st.Expect.Added {
				add(r)
			}
			for _, r := range st.Expect.Deleted {
				add(r)
			}
			for _, u := range st.Expect.Updated {
				add(u.Before)
				add(u.After)
			}
		}
		for _, r := range st.Result {
			add(r)
		}
	}
	for k := range set {
		o.cols = append(o.cols, k)
	}
	sort.Strings(o.cols)
	return o.cols, nil
}

func (o *oracle) toRow(r ExpectedRow) engine.Row {
	out := make(engine.Row, len(o.cols))
	for i, c := range o.cols {
		out[i] = r[c]
	}
	return out
}

// tmp replaces the first column of r by a unique marker.
func (o *oracle) tmp(r engine.Row, n int) engine.Row {
	c := append(engine.Row(nil), r...)
	c[0] = value.Str(fmt.Sprintf("~tmp%d", n))
	return c
}

func (o *oracle) expected(st Step) engine.Diff {
	var d engine.Diff
	if st.Expect == nil {
		return d
	}
	for i, r := range st.Expect.Added {
		if o.corrupt && i == 0 {
			continue
		}
		d.Added = append(d.Added, o.toRow(r))
	}
	for _, r := range st.Expect.Deleted {
		d.Deleted = append(d.Deleted, o.toRow(r))
	}
	for _, u := range st.Expect.Updated {
		d.Updated = append(d.Updated, upd(o.toRow(u.Before), o.toRow(u.After)))
	}
	return d
}

func (o *oracle) advanceTo(at time.Time) ([]engine.Diff, error) {
	j := o.last + 1
	for !o.s.Steps[j].HasAt {
		j++
	}
	o.last, o.applied = j, false
	st := o.s.Steps[j]
	if !st.At.Equal(at) {
		return nil, fmt.Errorf("advanced to %s in step %d, want %s", at, j+1, st.At)
	}
	want := o.expected(st)
	if len(st.Changes) == 0 {
		return o.emit(want), nil
	}
	var first engine.Diff
	n := 0
	for _, r := range want.Added {
		first.Added = append(first.Added, o.tmp(r, n))
		n++
	}
	for _, u := range want.Updated {
		first.Updated = append(first.Updated, upd(u.Before, o.tmp(u.After, n)))
		n++
	}
	first.Deleted = append(first.Deleted, want.Deleted...)
	if len(o.cols) > 0 {
		ghost := o.tmp(make(engine.Row, len(o.cols)), -1)
		first.Added = append(first.Added, ghost)
	}
	return o.emit(first), nil
}

func (o *oracle) apply(cs []engine.Change) ([]engine.Diff, error) {
	j := o.last
	if o.applied || j < 0 || !o.s.Steps[j].HasAt {
		j++
		for len(o.s.Steps[j].Changes) == 0 {
			j++
		}
	}
	o.last, o.applied = j, true
	st := o.s.Steps[j]
	for _, c := range cs {
		if c.Time.IsZero() {
			return nil, fmt.Errorf("change %s without a time", c.Element.ID)
		}
	}
	want := o.expected(st)
	if !st.HasAt {
		return o.emit(want), nil
	}
	var second engine.Diff
	n := 0
	for _, r := range want.Added {
		second.Updated = append(second.Updated, upd(o.tmp(r, n), r))
		n++
	}
	for _, u := range want.Updated {
		second.Updated = append(second.Updated, upd(o.tmp(u.After, n), u.After))
		n++
	}
	if len(o.cols) > 0 {
		second.Deleted = append(second.Deleted, o.tmp(make(engine.Row, len(o.cols)), -1))
	}
	return o.emit(second), nil
}

// emit applies d to the oracle's result and returns it with a diff of some
// other query, which the runner must ignore.
func (o *oracle) emit(d engine.Diff) []engine.Diff {
	d.QueryID = QueryID
	for _, r := range d.Deleted {
		if i := indexRow(o.rows, r); i >= 0 {
			o.rows = removeRow(o.rows, i)
		}
	}
	for _, u := range d.Updated {
		if i := indexRow(o.rows, u.Before); i >= 0 {
			o.rows[i] = u.After
		} else {
			o.rows = append(o.rows, u.After) // the initial global aggregate row
		}
	}
	o.rows = append(o.rows, d.Added...)
	other := engine.Diff{QueryID: "other", Added: []engine.Row{row("zzz")}}
	return []engine.Diff{other, d}
}

func (o *oracle) results() []engine.Row { return o.rows }

func (o *oracle) queryErr() error { return nil }

// TestRunAgainstOracle checks the runner end to end on every shared
// scenario with a target that replays the expectations, and also checks the
// scenarios' own consistency (each step's result follows from the diffs).
func TestRunAgainstOracle(t *testing.T) {
	dir := sharedtest.Dir(t, "conformance")
	files, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		s, err := LoadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var log bytes.Buffer
		out := s.run(RunOptions{Log: &log}, func(time.Time) target { return &oracle{s: s, last: -1} })
		if !out.Passed {
			t.Errorf("%s: %s", f, out.Failure)
		}
		if strings.Count(log.String(), "    step ") != len(s.Steps) {
			t.Errorf("%s: verbose log has not one line per step:\n%s", f, log.String())
		}
	}
}

func TestRunReportsMismatch(t *testing.T) {
	s, err := Parse([]byte(`name: n
query: {text: q}
start: 2026-01-01T00:00:00Z
steps:
  - changes: [{insert: {id: a}}]
    expect: {}
  - at: 2026-01-01T00:00:01Z
    changes: [{insert: {id: b}}]
    expect: {added: [{id: b, n: 1}, {id: c, n: 2}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	out := s.run(RunOptions{}, func(time.Time) target { return &oracle{s: s, last: -1, corrupt: true} })
	want := "step 2: expected {added: [{id: 'b', n: 1}, {id: 'c', n: 2}]}, got {added: [{id: 'c', n: 2}]}"
	if out.Passed || out.Step != 2 || out.Failure != want {
		t.Errorf("outcome %+v\nwant failure %q", out, want)
	}
}

type panicky struct{ oracle }

func (p *panicky) apply([]engine.Change) ([]engine.Diff, error) { panic("boom") }

func TestRunRecoversPanic(t *testing.T) {
	s, err := Parse([]byte("name: n\nquery: {text: q}\nstart: 2026-01-01T00:00:00Z\nsteps:\n  - expect: {}\n  - changes: [{delete: {id: a}}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	out := s.run(RunOptions{}, func(time.Time) target { return &panicky{oracle{s: s, last: -1}} })
	if out.Passed || out.Panic != "boom" || out.Failure != "step 2: panic: boom" {
		t.Errorf("outcome %+v", out)
	}
}
