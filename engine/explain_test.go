package engine

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/internal/sharedtest"
)

var explainT0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func explainProps(kv ...any) map[string]value.Value {
	m := map[string]value.Value{}
	for i := 0; i < len(kv); i += 2 {
		v, err := value.FromGo(kv[i+1])
		if err != nil {
			panic(err)
		}
		m[kv[i].(string)] = v
	}
	return m
}

func explainNode(id, label string, kv ...any) Change {
	return Change{Op: OpInsert, Time: explainT0, Element: Element{ID: id, Labels: []string{label}, Props: explainProps(append([]any{"id", id}, kv...)...)}}
}

func explainRel(id, typ, from, to string) Change {
	return Change{Op: OpInsert, Time: explainT0, Element: Element{ID: id, Type: typ, From: from, To: to}}
}

// explainGraph: A nodes a1..a4 (a4 has no relationships), B nodes b1..b3,
// R from A to B, and a chain c1 -L-> c2 -L-> c3.
//
//	a1 (g 1) -r1-> b1 (v 5), -r2-> b2 (v 1), -r5-> b3 (v 7)
//	a2 (g 1) -r3-> b3
//	a3 (g 2) -r4-> b1
func explainGraph() []Change {
	return []Change{
		explainNode("a1", "A", "g", 1, "tags", []any{"x", "y"}),
		explainNode("a2", "A", "g", 1, "tags", []any{"y"}),
		explainNode("a3", "A", "g", 2),
		explainNode("a4", "A", "g", 3),
		explainNode("b1", "B", "v", 5),
		explainNode("b2", "B", "v", 1),
		explainNode("b3", "B", "v", 7),
		explainRel("r1", "R", "a1", "b1"),
		explainRel("r2", "R", "a1", "b2"),
		explainRel("r3", "R", "a2", "b3"),
		explainRel("r4", "R", "a3", "b1"),
		explainRel("r5", "R", "a1", "b3"),
		explainNode("c1", "C"),
		explainNode("c2", "C"),
		explainNode("c3", "C"),
		explainRel("l1", "L", "c1", "c2"),
		explainRel("l2", "L", "c2", "c3"),
	}
}

// elementNames names elements as n:id and r:id.
func elementNames(els []value.Value) []string {
	var out []string
	for _, v := range els {
		switch v.Kind() {
		case value.KindNode:
			out = append(out, "n:"+v.AsNode().ID)
		case value.KindRel:
			out = append(out, "r:"+v.AsRel().ID)
		default:
			out = append(out, "?"+v.String())
		}
	}
	return out
}

func sortedNames(els []value.Value) []string {
	out := elementNames(els)
	sort.Strings(out)
	return out
}

// col picks the row whose column i has the value want (compared as
// printed, so that 1 and '1' differ).
func col(i int, want any) func(Row) bool {
	w, err := value.FromGo(want)
	if err != nil {
		panic(err)
	}
	return func(r Row) bool { return i < len(r) && r[i].Kind() == w.Kind() && r[i].String() == w.String() }
}

func both(a, b func(Row) bool) func(Row) bool { return func(r Row) bool { return a(r) && b(r) } }

func TestExplain(t *testing.T) {
	for _, tc := range []struct {
		name  string
		query string
		pick  func(Row) bool
		// want lists the elements (n:id, r:id) in any order; order, when
		// set, is the exact order expected.
		want    []string
		order   []string
		matches int
	}{
		{name: "one node", query: `MATCH (a:A) RETURN a.id AS id`, pick: col(0, "a2"),
			want: []string{"n:a2"}, matches: 1},
		{name: "relationship pattern", query: `MATCH (a:A)-[r:R]->(b:B) RETURN a.id AS a, b.id AS b`,
			pick: both(col(0, "a1"), col(1, "b1")), want: []string{"n:a1", "r:r1", "n:b1"}, matches: 1},
		{name: "anonymous elements count", query: `MATCH (a:A)-[:R]->(:B {v: 1}) RETURN a.id AS a`,
			pick: col(0, "a1"), want: []string{"n:a1", "r:r2", "n:b2"}, matches: 1},
		{name: "count per group", query: `MATCH (a:A)-[r:R]->(b:B) RETURN a.g AS g, count(*) AS n`,
			pick: col(0, 1), want: []string{"n:a1", "n:a2", "r:r1", "r:r2", "r:r3", "r:r5", "n:b1", "n:b2", "n:b3"}, matches: 4},
		{name: "count of the other group", query: `MATCH (a:A)-[r:R]->(b:B) RETURN a.g AS g, count(*) AS n`,
			pick: col(0, 2), want: []string{"n:a3", "r:r4", "n:b1"}, matches: 1},
		{name: "filter after aggregation", query: `MATCH (a:A)-[:R]->(e) WITH a, count(e) AS n WHERE n > 2 RETURN a.id AS id, n`,
			pick: col(0, "a1"), want: []string{"n:a1", "r:r1", "r:r2", "r:r5", "n:b1", "n:b2", "n:b3"}, matches: 3},
		{name: "global aggregate", query: `MATCH (b:B) WHERE b.v > 2 RETURN count(b) AS n, collect(b.id) AS ids`,
			pick: func(Row) bool { return true }, want: []string{"n:b1", "n:b3"}, matches: 2},
		{name: "optional match found", query: `MATCH (a:A) OPTIONAL MATCH (a)-[r:R]->(b:B) RETURN a.id AS a, b.id AS b`,
			pick: both(col(0, "a3"), col(1, "b1")), want: []string{"n:a3", "r:r4", "n:b1"}, matches: 1},
		{name: "optional match not found", query: `MATCH (a:A) OPTIONAL MATCH (a)-[r:R]->(b:B) RETURN a.id AS a, b.id AS b`,
			pick: col(0, "a4"), want: []string{"n:a4"}, matches: 1},
		{name: "optional match counted", query: `MATCH (a:A) OPTIONAL MATCH (a)-[r:R]->(b:B) RETURN a.id AS a, count(b) AS n`,
			pick: col(0, "a4"), want: []string{"n:a4"}, matches: 1},
		{name: "union", query: `MATCH (a:A) RETURN a.g AS x UNION MATCH (b:B) RETURN b.v AS x`,
			pick: col(0, 1), want: []string{"n:a1", "n:a2", "n:b2"}, matches: 3},
		{name: "union all", query: `MATCH (a:A) RETURN a.g AS x UNION ALL MATCH (b:B) RETURN b.v AS x`,
			pick: col(0, 5), want: []string{"n:b1"}, matches: 1},
		{name: "two parts", query: `MATCH (a:A) WHERE a.g = 1 WITH a MATCH (a)-[r:R]->(b:B) RETURN a.id AS a, b.id AS b`,
			pick: both(col(0, "a2"), col(1, "b3")), order: []string{"n:a2", "n:b3", "r:r3"}, matches: 1},
		{name: "two parts aggregated between", query: `MATCH (a:A)-[:R]->(e:B) WITH a, count(e) AS n MATCH (a)-[:R]->(b:B {v: 7}) RETURN a.id AS a, n`,
			pick: col(0, "a1"), want: []string{"n:a1", "r:r1", "r:r2", "r:r5", "n:b1", "n:b2", "n:b3"}, matches: 3},
		{name: "distinct", query: `MATCH (a:A)-[:R]->(b:B) RETURN DISTINCT b.id AS b`,
			pick: col(0, "b1"), want: []string{"n:a1", "r:r1", "n:a3", "r:r4", "n:b1"}, matches: 2},
		{name: "unwind", query: `MATCH (a:A) UNWIND a.tags AS t RETURN a.id AS a, t`,
			pick: both(col(0, "a1"), col(1, "x")), want: []string{"n:a1"}, matches: 1},
		{name: "unwind counted", query: `MATCH (a:A) UNWIND a.tags AS t RETURN t, count(*) AS n`,
			pick: col(0, "y"), want: []string{"n:a1", "n:a2"}, matches: 2},
		{name: "unwind does not multiply solutions", query: `MATCH (a:A {id: 'a1'}) UNWIND [1, 2] AS x RETURN a.id AS a, count(*) AS n`,
			pick: col(1, 2), want: []string{"n:a1"}, matches: 1},
		{name: "variable length", query: `MATCH (x:C {id: 'c1'})-[rs:L*1..3]->(y:C) RETURN y.id AS y, size(rs) AS hops`,
			pick: col(0, "c3"), want: []string{"n:c1", "r:l1", "n:c2", "r:l2", "n:c3"}, matches: 1},
		{name: "path", query: `MATCH p = (x:C)-[:L*2]->(y:C) RETURN y.id AS y`,
			pick: col(0, "c3"), want: []string{"n:c1", "r:l1", "n:c2", "r:l2", "n:c3"}, matches: 1},
		{name: "order by limit", query: `MATCH (a:A)-[r:R]->(b:B) RETURN a.id AS a, b.v AS v ORDER BY v DESC, a LIMIT 2`,
			pick: col(0, "a2"), want: []string{"n:a2", "r:r3", "n:b3"}, matches: 1},
		{name: "order by aggregate", query: `MATCH (a:A)-[r:R]->(b:B) WITH a, count(r) AS n ORDER BY n DESC LIMIT 1 RETURN a.id AS a, n`,
			pick: func(Row) bool { return true }, want: []string{"n:a1", "r:r1", "r:r2", "r:r5", "n:b1", "n:b2", "n:b3"}, matches: 3},
		{name: "pattern predicate", query: `MATCH (a:A) WHERE (a)-[:R]->(:B {v: 1}) RETURN a.id AS a`,
			pick: col(0, "a1"), want: []string{"n:a1"}, matches: 1},
		{name: "no match at all", query: `UNWIND [1, 2] AS x RETURN x`,
			pick: col(0, 2), want: nil, matches: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := New(Options{Start: explainT0})
			if _, err := e.Apply(explainGraph()); err != nil {
				t.Fatal(err)
			}
			q, err := e.AddQuery(QuerySpec{ID: "q", Text: tc.query})
			if err != nil {
				t.Fatal(err)
			}
			ex, err := e.Explain("q", tc.pick, 0)
			if err != nil {
				t.Fatalf("Explain: %v (results %v)", err, q.Results())
			}
			if !tc.pick(ex.Row) {
				t.Errorf("Row %v is not the picked row", ex.Row)
			}
			if tc.order != nil {
				if got := elementNames(ex.Elements); !slices.Equal(got, tc.order) {
					t.Errorf("Elements = %v, want %v", got, tc.order)
				}
			} else {
				want := append([]string(nil), tc.want...)
				sort.Strings(want)
				if got := sortedNames(ex.Elements); !slices.Equal(got, want) {
					t.Errorf("Elements = %v, want %v", got, want)
				}
			}
			if ex.Matches != tc.matches {
				t.Errorf("Matches = %d, want %d", ex.Matches, tc.matches)
			}
			if ex.Truncated {
				t.Errorf("Truncated")
			}
		})
	}
}

// Elements are as they are now, after the rows they came in were made.
func TestExplainElementsAreCurrent(t *testing.T) {
	e := New(Options{Start: explainT0})
	if _, err := e.Apply(explainGraph()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddQuery(QuerySpec{ID: "q", Text: `MATCH (a:A)-[:R]->(b:B) RETURN a.g AS g, count(*) AS n`}); err != nil {
		t.Fatal(err)
	}
	up := explainNode("b3", "B", "v", 70, "note", "new")
	up.Op = OpUpdate
	if _, err := e.Apply([]Change{up}); err != nil {
		t.Fatal(err)
	}
	ex, err := e.Explain("q", col(0, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range ex.Elements {
		if v.Kind() == value.KindNode && v.AsNode().ID == "b3" {
			if got := v.AsNode().Props.Get("v"); got.AsInt() != 70 {
				t.Fatalf("b3 as explained: %v, want v 70", v)
			}
			return
		}
	}
	t.Fatalf("b3 not among %v", elementNames(ex.Elements))
}

func TestExplainLimit(t *testing.T) {
	e := New(Options{Start: explainT0})
	if _, err := e.Apply(explainGraph()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddQuery(QuerySpec{ID: "q", Text: `MATCH (a:A)-[r:R]->(b:B) RETURN a.g AS g, count(*) AS n`}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		limit, n  int
		truncated bool
	}{{3, 3, true}, {9, 9, false}, {10, 9, false}, {0, 9, false}, {-1, 9, false}} {
		ex, err := e.Explain("q", col(0, 1), tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(ex.Elements) != tc.n || ex.Truncated != tc.truncated || ex.Matches != 4 {
			t.Errorf("limit %d: %d elements, truncated %v, matches %d; want %d, %v, 4", tc.limit, len(ex.Elements), ex.Truncated, ex.Matches, tc.n, tc.truncated)
		}
	}
}

func TestExplainErrors(t *testing.T) {
	e := New(Options{Start: explainT0})
	if _, err := e.Apply(explainGraph()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddQuery(QuerySpec{ID: "q", Text: `MATCH (a:A) RETURN a.id AS id`}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Explain("q", col(0, "zz"), 0); !errors.Is(err, ErrNoSuchRow) {
		t.Errorf("no picked row: %v, want ErrNoSuchRow", err)
	}
	if _, err := e.Explain("nope", col(0, "a1"), 0); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown query: %v, want an error naming it", err)
	}
	bad, err := e.AddQuery(QuerySpec{ID: "bad", Text: `MATCH (a:A) RETURN 100 / a.d AS r`})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Apply([]Change{explainNode("z", "A", "d", 0)}); err != nil {
		t.Fatal(err)
	}
	if bad.Err() == nil {
		t.Fatal("the query did not fail")
	}
	if _, err := e.Explain("bad", func(Row) bool { return true }, 0); err == nil || !errors.Is(err, bad.Err()) {
		t.Errorf("failed query: %v, want an error wrapping %v", err, bad.Err())
	}
	if bad.Err() == nil || e.Query("q").Err() != nil {
		t.Error("Explain changed the queries' error states")
	}
}

// Temporal queries are explained while their rows hold: the live stages'
// memory (trueFor's start, previousValue's last value, the clock at the
// time a row was evaluated) decides which rows there are, not a new
// evaluation at the current time.
func TestExplainTemporal(t *testing.T) {
	hot := func(id string, at time.Duration, on bool, v int) Change {
		ch := explainNode(id, "A", "g", 1, "hot", on, "v", v)
		ch.Op, ch.Time = OpUpdate, explainT0.Add(at)
		return ch
	}
	e := New(Options{Start: explainT0})
	tf, err := e.AddQuery(QuerySpec{ID: "truefor", Text: `MATCH (a:A) WHERE drasi.trueFor(a.hot = true, duration({minutes: 5})) RETURN a.id AS id`})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddQuery(QuerySpec{ID: "prev", Text: `MATCH (a:A) WHERE drasi.previousValue(a.v, 0) < a.v RETURN a.id AS id, a.v AS v`}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddQuery(QuerySpec{ID: "agg", Text: `MATCH (a:A)-[:R]->(b:B)
WITH a.g AS g, count(b) AS n
WHERE drasi.trueFor(n >= 2, duration({minutes: 5}))
RETURN g, n`}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddQuery(QuerySpec{ID: "clock", Text: `MATCH (a:A) WITH a, datetime.realtime().epochMillis AS seen WHERE seen < 1767225900000 RETURN a.id AS id, seen`}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Apply(explainGraph()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Apply([]Change{hot("a1", time.Minute, true, 1), hot("a2", 3*time.Minute, true, 1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AdvanceTo(explainT0.Add(7 * time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := tf.Results(); len(got) != 1 {
		t.Fatalf("trueFor results at 7 minutes: %v", got)
	}
	ex, err := e.Explain("truefor", col(0, "a1"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := elementNames(ex.Elements); !slices.Equal(got, []string{"n:a1"}) || ex.Matches != 1 {
		t.Errorf("trueFor: %v, %d matches", got, ex.Matches)
	}
	if _, err := e.Explain("truefor", col(0, "a2"), 0); !errors.Is(err, ErrNoSuchRow) {
		t.Errorf("a2 is not true for 5 minutes yet: %v", err)
	}
	// previousValue: a1's v went from 1 to 2, so the filter passes it; a
	// re-evaluation that shifted the state would compare 2 with 2.
	up := hot("a1", 8*time.Minute, true, 2)
	if _, err := e.Apply([]Change{up}); err != nil {
		t.Fatal(err)
	}
	ex, err = e.Explain("prev", col(0, "a1"), 0)
	if err != nil {
		t.Fatalf("previousValue: %v (results %v)", err, e.Query("prev").Results())
	}
	if got := elementNames(ex.Elements); !slices.Equal(got, []string{"n:a1"}) || ex.Row[1].AsInt() != 2 {
		t.Errorf("previousValue: %v, row %v", got, ex.Row)
	}
	// trueFor over an aggregate: group 1 has 4 rows since the start.
	ex, err = e.Explain("agg", col(0, 1), 0)
	if err != nil {
		t.Fatalf("trueFor over count: %v (results %v)", err, e.Query("agg").Results())
	}
	if ex.Matches != 4 || len(ex.Elements) != 9 {
		t.Errorf("trueFor over count: %d matches, %v", ex.Matches, elementNames(ex.Elements))
	}
	// The clock filter let the rows through when they came; the clock has
	// moved past its bound since, but the rows stay.
	if n := len(e.Query("clock").Results()); n == 0 {
		t.Fatal("clock query has no rows")
	}
	ex, err = e.Explain("clock", col(0, "a3"), 0)
	if err != nil {
		t.Fatalf("clock: %v", err)
	}
	if got := elementNames(ex.Elements); !slices.Equal(got, []string{"n:a3"}) {
		t.Errorf("clock: %v", got)
	}
}

// explainState is what Explain must leave alone: every query's results and
// temporal state, the futures.
func explainState(e *Engine) string {
	var b strings.Builder
	for _, q := range e.Queries() {
		fmt.Fprintf(&b, "query %s err=%v\n", q.ID(), q.Err())
		var rows []string
		for _, r := range q.Results() {
			rows = append(rows, fmt.Sprint(r))
		}
		if q.final == nil {
			sort.Strings(rows)
		}
		fmt.Fprintf(&b, " rows %v\n", rows)
		var ts []string
		for k, st := range q.tstate {
			due := "-"
			if st.fut != nil {
				due = st.fut.due.String()
			}
			ts = append(ts, fmt.Sprintf("%d/%x since=%v cur=%v prev=%v dist=%v due=%s", k.site, k.row, st.since, st.cur, st.prev, st.distinct, due))
		}
		sort.Strings(ts)
		fmt.Fprintf(&b, " tstate %v\n", ts)
	}
	var fs []string
	for _, f := range e.futures.h {
		fs = append(fs, fmt.Sprintf("%s %s %d/%x", f.due, f.query.ID(), f.key.site, f.key.row))
	}
	sort.Strings(fs)
	d, ok := e.NextDue()
	fmt.Fprintf(&b, "futures %v next %v %v now %v\n", fs, d, ok, e.Now())
	return b.String()
}

func canonDiffs(ds []Diff) []string {
	var out []string
	for _, d := range ds {
		var rows []string
		for _, r := range d.Added {
			rows = append(rows, "+"+fmt.Sprint(r))
		}
		for _, r := range d.Deleted {
			rows = append(rows, "-"+fmt.Sprint(r))
		}
		for _, u := range d.Updated {
			rows = append(rows, fmt.Sprint("~", u.Before, "->", u.After))
		}
		sort.Strings(rows)
		out = append(out, d.QueryID+" "+strings.Join(rows, " "))
	}
	sort.Strings(out)
	return out
}

// An engine on which Explain is called between steps produces exactly the
// diffs, results, temporal state and futures of a twin that is not asked.
func TestExplainHasNoSideEffects(t *testing.T) {
	queries := []string{
		`MATCH (a:A) WHERE drasi.trueFor(a.hot = true, duration({minutes: 5})) RETURN a.id AS id`,
		`MATCH (a:A) WHERE drasi.previousValue(a.v, 0) < a.v RETURN a.id AS id, drasi.previousValue(a.v, 0) AS was`,
		`MATCH (a:A)-[:R]->(b:B) WITH a.g AS g, count(b) AS n WHERE drasi.trueFor(n >= 2, duration({minutes: 3})) RETURN g, n`,
		`MATCH (a:A)-[r:R]->(b:B) RETURN a.g AS g, count(*) AS n, drasi.slidingWindow(duration({minutes: 4}), count(b)) AS w`,
		`MATCH (a:A) OPTIONAL MATCH (a)-[:R]->(b:B) RETURN a.id AS a, b.id AS b ORDER BY a, b LIMIT 3`,
		`MATCH (a:A) WITH a, datetime.realtime().epochMillis AS seen RETURN a.id AS id, seen`,
		`MATCH (a:A) WHERE drasi.trueLater(a.hot = true, datetime({epochMillis: 1767226200000})) RETURN a.id AS id`,
	}
	seed := value.Seed(0x5eed)
	var twins [2]*Engine
	var diffs [2][]string
	for i := range twins {
		e := newEngine(Options{Start: explainT0}, seed)
		twins[i] = e
		k := i
		e.Subscribe(func(d Diff) { diffs[k] = append(diffs[k], canonDiffs([]Diff{d})...) })
		for j, text := range queries {
			if _, err := e.AddQuery(QuerySpec{ID: fmt.Sprint("q", j), Text: text}); err != nil {
				t.Fatal(err)
			}
		}
	}
	steps := [][]Change{explainGraph()}
	for m := 1; m <= 12; m++ {
		at := explainT0.Add(time.Duration(m) * time.Minute)
		id := fmt.Sprint("a", 1+m%4)
		ch := explainNode(id, "A", "g", m%3, "hot", m%3 != 0, "v", m)
		ch.Op, ch.Time = OpUpdate, at
		var step []Change
		step = append(step, ch)
		if m%4 == 0 {
			step = append(step, Change{Op: OpDelete, Time: at, Element: Element{ID: fmt.Sprint("r", m/4)}})
		}
		if m%5 == 0 {
			rel := explainRel(fmt.Sprint("n", m), "R", id, "b2")
			rel.Time = at
			step = append(step, rel)
		}
		steps = append(steps, step)
	}
	for s, step := range steps {
		for i, e := range twins {
			if _, err := e.Apply(append([]Change(nil), step...)); err != nil {
				t.Fatal(err)
			}
			if _, err := e.AdvanceTo(explainT0.Add(time.Duration(s)*time.Minute + 30*time.Second)); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				continue
			}
			before := explainState(e)
			for _, q := range e.Queries() {
				for _, r := range q.Results() {
					r := r
					if _, err := e.Explain(q.ID(), func(x Row) bool { return fmt.Sprint(x) == fmt.Sprint(r) }, 2); err != nil {
						t.Fatalf("step %d: Explain %s %v: %v", s, q.ID(), r, err)
					}
				}
			}
			if f := e.Failed(); len(f) != 0 {
				t.Fatalf("step %d: failed queries %v", s, f)
			}
			if after := explainState(e); after != before {
				t.Fatalf("step %d: Explain changed the engine:\nbefore %s\nafter %s", s, before, after)
			}
		}
		if a, b := explainState(twins[0]), explainState(twins[1]); a != b {
			t.Fatalf("step %d: the twins differ:\n%s\n%s", s, a, b)
		}
	}
	if !slices.Equal(diffs[0], diffs[1]) {
		t.Fatalf("diffs differ:\n%v\n%v", diffs[0], diffs[1])
	}
	if len(diffs[0]) == 0 {
		t.Fatal("no diffs at all")
	}
}

// Random graphs, explained rows checked against a brute force over the
// graph the test built.
func TestExplainRandomized(t *testing.T) {
	seed := sharedtest.Seed(t)
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	const k = 4
	for round := 0; round < 30; round++ {
		as := map[string]int{} // A id -> g
		bs := map[string]int{} // B id -> v
		type rel struct{ from, to string }
		rels := map[string]rel{}
		var changes []Change
		for i := 0; i < 1+rng.IntN(6); i++ {
			id := fmt.Sprint("a", i)
			as[id] = rng.IntN(3)
			changes = append(changes, explainNode(id, "A", "g", as[id]))
		}
		for i := 0; i < 1+rng.IntN(6); i++ {
			id := fmt.Sprint("b", i)
			bs[id] = rng.IntN(10)
			changes = append(changes, explainNode(id, "B", "v", bs[id]))
		}
		for i := 0; i < rng.IntN(15); i++ {
			id := fmt.Sprint("r", i)
			r := rel{fmt.Sprint("a", rng.IntN(len(as))), fmt.Sprint("b", rng.IntN(len(bs)))}
			rels[id] = r
			changes = append(changes, explainRel(id, "R", r.from, r.to))
		}
		e := New(Options{Start: explainT0})
		// Half the rounds register the query first (its state then comes
		// from incremental steps), half after the graph (a bootstrap).
		early := rng.IntN(2) == 0
		add := func() {
			if _, err := e.AddQuery(QuerySpec{ID: "q", Text: fmt.Sprintf(`MATCH (a:A)-[r:R]->(b:B) WHERE b.v > %d RETURN a.g AS g, count(*) AS n`, k)}); err != nil {
				t.Fatal(err)
			}
		}
		if early {
			add()
		}
		for _, ch := range changes {
			if _, err := e.Apply([]Change{ch}); err != nil {
				t.Fatal(err)
			}
		}
		if !early {
			add()
		}
		// Some changes after: values move, relationships go.
		for i := 0; i < rng.IntN(6); i++ {
			if rng.IntN(2) == 0 && len(rels) > 0 {
				ids := slices.Sorted(maps.Keys(rels))
				id := ids[rng.IntN(len(ids))]
				delete(rels, id)
				if _, err := e.Apply([]Change{{Op: OpDelete, Time: explainT0, Element: Element{ID: id}}}); err != nil {
					t.Fatal(err)
				}
				continue
			}
			id := fmt.Sprint("b", rng.IntN(len(bs)))
			bs[id] = rng.IntN(10)
			ch := explainNode(id, "B", "v", bs[id])
			ch.Op = OpUpdate
			if _, err := e.Apply([]Change{ch}); err != nil {
				t.Fatal(err)
			}
		}
		// Brute force: per group, its solutions and their elements.
		type want struct {
			n   int
			els map[string]bool
		}
		groups := map[int]*want{}
		for id, r := range rels {
			if bs[r.to] <= k {
				continue
			}
			g := as[r.from]
			w := groups[g]
			if w == nil {
				w = &want{els: map[string]bool{}}
				groups[g] = w
			}
			w.n++
			w.els["n:"+r.from], w.els["r:"+id], w.els["n:"+r.to] = true, true, true
		}
		if got := len(e.Query("q").Results()); got != len(groups) {
			t.Fatalf("round %d: %d result rows, brute force %d groups", round, got, len(groups))
		}
		for g, w := range groups {
			limit := 0
			if rng.IntN(3) == 0 {
				limit = 1 + rng.IntN(len(w.els))
			}
			ex, err := e.Explain("q", col(0, g), limit)
			if err != nil {
				t.Fatalf("round %d group %d: %v", round, g, err)
			}
			if ex.Matches != w.n || ex.Row[1].AsInt() != int64(w.n) {
				t.Errorf("round %d group %d: Matches %d, row %v; brute force %d", round, g, ex.Matches, ex.Row, w.n)
			}
			got := elementNames(ex.Elements)
			if limit > 0 && limit < len(w.els) {
				if len(got) != limit || !ex.Truncated {
					t.Errorf("round %d group %d: limit %d: %d elements, truncated %v (of %d)", round, g, limit, len(got), ex.Truncated, len(w.els))
				}
				for _, n := range got {
					if !w.els[n] {
						t.Errorf("round %d group %d: %s is not of the group", round, g, n)
					}
				}
				continue
			}
			wantEls := slices.Sorted(maps.Keys(w.els))
			if sort.Strings(got); !slices.Equal(got, wantEls) || ex.Truncated {
				t.Errorf("round %d group %d: elements %v (truncated %v), brute force %v", round, g, got, ex.Truncated, wantEls)
			}
		}
		if _, err := e.Explain("q", col(0, 99), 0); !errors.Is(err, ErrNoSuchRow) {
			t.Errorf("round %d: group 99: %v", round, err)
		}
	}
}
