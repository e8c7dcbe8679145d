package engine

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/oracle"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/functions"
	"github.com/vigilhq/vigil/grammar/ast"
	"github.com/vigilhq/vigil/grammar/cypher"
	"github.com/vigilhq/vigil/internal/sharedtest"
)

// temporalShapes are the queries of the temporal differential test. Their
// conditions read only the elements of the row (see oracle.EvaluateHistory),
// except true-now-or-later, whose condition reads the clock but changes only
// at the time the function re-evaluates the row.
var temporalShapes = []diffShape{
	{name: "true-for", query: "MATCH (n:S) WHERE drasi.trueFor(n.s = 'down', 4000) RETURN id(n) AS id, n.x AS x"},
	{name: "true-for-duration", query: "MATCH (n:S) WHERE drasi.trueFor(n.x >= 2, duration('PT2.5S')) RETURN id(n) AS id"},
	{name: "true-for-rel", query: "MATCH (a:S)-[r:T]->(b:S) WHERE drasi.trueFor(r.w > 1, 3000) RETURN id(r) AS r, id(a) AS a, id(b) AS b"},
	{name: "true-later", query: "MATCH (n:S) WHERE drasi.trueLater(n.x > 1, n.ts) RETURN id(n) AS id, n.x AS x"},
	{name: "true-later-datetime", query: "MATCH (n:S) WHERE drasi.trueLater(n.s = 'down', n.due) RETURN id(n) AS id"},
	{name: "true-until", query: "MATCH (n:S) WHERE drasi.trueUntil(n.s = 'up', n.ts) RETURN id(n) AS id"},
	{name: "true-now-or-later", query: "MATCH (n:S) WHERE drasi.trueNowOrLater(datetime.realtime() >= n.due, n.due) RETURN id(n) AS id"},
	{name: "previous-value", query: "MATCH (n:S) RETURN id(n) AS id, n.x AS x, drasi.previousValue(n.x) AS px, drasi.previousValue(n.s, 'none') AS ps"},
	{name: "previous-distinct", query: "MATCH (n:S) WITH n, drasi.previousDistinctValue(n.s) AS was WHERE was = 'up' AND n.s = 'down' RETURN id(n) AS id, was"},
	{name: "change-date-time", query: "MATCH (a:S)-[r:T]->(b) RETURN id(r) AS r, drasi.changeDateTime(a) AS at, drasi.changeDateTime(r) AS rt"},
	{name: "window-count-sum", query: "MATCH (n:S) RETURN n.g AS g, drasi.slidingWindow(5000, count(n)) AS c, drasi.slidingWindow(5000, sum(n.x)) AS s"},
	{name: "window-avg-max", query: "MATCH (n:S) RETURN n.g AS g, drasi.slidingWindow(duration({seconds: 3}), avg(n.x)) AS a, drasi.slidingWindow(duration('PT7S'), max(n.x)) AS m"},
	{name: "window-rel-global", query: "MATCH (a:S)-[r:T]->(b) RETURN drasi.slidingWindow(4000, count(r)) AS c"},
	{name: "count-true-for", query: "MATCH (n:S) WITH n, drasi.trueFor(n.s = 'down', 3000) AS late RETURN n.g AS g, sum(CASE WHEN late THEN 1 ELSE 0 END) AS nlate, count(*) AS total"},
	{name: "silent-agent", query: "MATCH (a:S) WHERE drasi.trueLater(true, drasi.changeDateTime(a) + duration({milliseconds: 6000})) RETURN id(a) AS id, a.g AS g"},
	{name: "silent-count", query: "MATCH (a:S) WITH a WHERE drasi.trueLater(a.s = 'up', drasi.changeDateTime(a) + duration('PT4S')) RETURN count(a) AS silent"},
	{name: "version-at", query: "MATCH (n:S) RETURN id(n) AS id, drasi.getVersionByTimestamp(n, n.ts).x AS old"},
	{name: "versions-in", query: "MATCH (n:S) RETURN id(n) AS id, [v IN drasi.getVersionsByTimeRange(n, coalesce(n.ts, 0) - 6000, coalesce(n.ts, 0), true) | v.x] AS xs"},
}

// temporalStream draws changes and clock moves and keeps the oracle's
// history in step with what it sent the engine.
type temporalStream struct {
	rng  *rand.Rand
	e    *Engine
	hist *oracle.History
	last map[string]map[string]value.Value // last props sent per node id
}

// nodeChange draws an insert, update, no-op update or delete of a node.
func (s *temporalStream) change(at time.Time) Change {
	rng := s.rng
	switch k := rng.Intn(20); {
	case k < 10: // node insert or update
		id := fmt.Sprintf("n%d", rng.Intn(8))
		props := map[string]value.Value{}
		if old := s.last[id]; old != nil && s.e.index.Node(id) != nil && rng.Intn(5) == 0 {
			for k, v := range old { // the same state again: a change that changes nothing but time
				props[k] = v
			}
		} else {
			if rng.Intn(10) > 0 {
				props["s"] = value.Str([]string{"up", "down"}[rng.Intn(2)])
			}
			if rng.Intn(6) > 0 {
				props["x"] = value.Int(int64(rng.Intn(5)))
			}
			props["g"] = value.Str([]string{"a", "b"}[rng.Intn(2)])
			if rng.Intn(8) > 0 {
				props["ts"] = value.Int(at.Add(time.Duration(rng.Intn(11000)-3000) * time.Millisecond).UnixMilli())
			}
			if rng.Intn(8) > 0 {
				props["due"] = value.DateTimeOf(at.Add(time.Duration(rng.Intn(11000)-3000) * time.Millisecond))
			}
		}
		labels := []string{"S"}
		if rng.Intn(8) == 0 {
			labels = []string{"R"}
		}
		s.last[id] = props
		op := OpUpdate
		if s.e.index.Node(id) == nil {
			op = OpInsert
		}
		return Change{Op: op, Time: at, Element: Element{ID: id, Labels: labels, Props: props}}
	case k < 12:
		return Change{Op: OpDelete, Time: at, Element: Element{ID: fmt.Sprintf("n%d", rng.Intn(8))}}
	case k < 18:
		id := fmt.Sprintf("r%d", rng.Intn(10))
		from, to := fmt.Sprintf("n%d", rng.Intn(8)), fmt.Sprintf("n%d", rng.Intn(8))
		if old := s.e.index.Rel(id); old != nil && rng.Intn(2) == 0 {
			from, to = old.From, old.To
		}
		props := map[string]value.Value{}
		if rng.Intn(5) > 0 {
			props["w"] = value.Int(int64(rng.Intn(4)))
		}
		typ := "T"
		if rng.Intn(6) == 0 {
			typ = "U"
		}
		op := OpUpdate
		if s.e.index.Rel(id) == nil {
			op = OpInsert
		}
		return Change{Op: op, Time: at, Element: Element{ID: id, Type: typ, From: from, To: to, Props: props}}
	default:
		return Change{Op: OpDelete, Time: at, Element: Element{ID: fmt.Sprintf("r%d", rng.Intn(10))}}
	}
}

// record mirrors a change the engine applied into the history.
func (s *temporalStream) record(ch Change) {
	el := ch.Element
	switch {
	case ch.Op == OpDelete:
		s.hist.Delete(el.ID, ch.Time)
	case el.IsRel():
		s.hist.PutRel(&value.Rel{ID: el.ID, Type: el.Type, From: el.From, To: el.To, Props: value.PropsOf(el.Props)}, ch.Time)
	default:
		s.hist.PutNode(&value.Node{ID: el.ID, Labels: el.Labels, Props: value.PropsOf(el.Props)}, ch.Time)
	}
}

// changeTime draws when the next change happens: at the clock, a little
// later, exactly when the next future falls due, or just after.
func (s *temporalStream) changeTime() time.Time {
	now := s.e.Now()
	due, ok := s.e.NextDue()
	switch k := s.rng.Intn(10); {
	case k < 2:
		return now
	case k < 4 && ok:
		return due
	case k < 5 && ok:
		return due.Add(time.Millisecond)
	default:
		return now.Add(time.Duration(1+s.rng.Intn(1500)) * time.Millisecond)
	}
}

// clockMove draws a clock target: exactly the next due time, just before
// it, a jump across several due times, or a small step.
func (s *temporalStream) clockMove() time.Time {
	now := s.e.Now()
	due, ok := s.e.NextDue()
	switch k := s.rng.Intn(10); {
	case k < 3 && ok:
		return due
	case k < 4 && ok && due.Sub(now) > time.Millisecond:
		return due.Add(-time.Millisecond)
	case k < 7:
		return now.Add(time.Duration(2000+s.rng.Intn(13000)) * time.Millisecond)
	case k < 8:
		return now
	default:
		return now.Add(time.Duration(1+s.rng.Intn(700)) * time.Millisecond)
	}
}

// TestTemporalDifferentialAgainstOracle interleaves random changes with
// random clock moves and, after every change batch and every clock move,
// compares each temporal query's incremental result, and the result
// rebuilt from its diffs, with the oracle's evaluation from the element
// history at that instant.
func TestTemporalDifferentialAgainstOracle(t *testing.T) {
	if testing.Short() {
		t.Skip("the temporal differential test runs thousands of changes; skipped in -short mode")
	}
	runTemporalDifferential(t, temporalShapes, 8, 400, 0)
}

// runTemporalDifferential is the body of the temporal differential tests:
// runs engines of perRun random steps each over shapes. A positive budget
// ends the test early (after the step under way) once it is spent, so a
// slow machine runs fewer changes rather than timing out.
func runTemporalDifferential(t *testing.T, shapes []diffShape, runs, perRun int, budget time.Duration) {
	seed := sharedtest.Seed(t)
	rng := rand.New(rand.NewSource(seed))
	began := time.Now()
	spent := func() bool { return budget > 0 && time.Since(began) > budget }
	funcs := functions.Cypher()
	changes, moves, checks := 0, 0, 0
	emitted := map[string]int{} // non-empty diffs per shape, to show each shape moves
	fired := 0                  // non-empty diffs emitted by clock moves
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for run := 0; run < runs && !spent(); run++ {
		e := New(Options{Start: start})
		s := &temporalStream{rng: rng, e: e, hist: oracle.NewHistory(), last: map[string]map[string]value.Value{}}
		type live struct {
			shape  diffShape
			q      *Query
			tree   *ast.Query
			shadow shadow
		}
		var qs []*live
		for _, sh := range shapes {
			q, err := e.AddQuery(QuerySpec{ID: sh.name, Text: sh.query})
			if err != nil {
				t.Fatalf("seed %d: %s: %v", seed, sh.name, err)
			}
			tree, err := cypher.Parse(sh.query)
			if err != nil {
				t.Fatal(err)
			}
			l := &live{shape: sh, q: q, tree: tree, shadow: shadow{}}
			for _, r := range q.Results() {
				_ = l.shadow.apply(Diff{Added: []Row{r}}, sh.bagLists)
			}
			qs = append(qs, l)
		}
		var trail []string // what happened in this run, for the failure report
		check := func(step int, what string, diffs []Diff) {
			checks++
			byQuery := map[string]Diff{}
			for _, d := range diffs {
				byQuery[d.QueryID] = d
			}
			now := e.Now()
			for _, l := range qs {
				where := fmt.Sprintf("seed %d run %d step %d (%s, now %s): %s", seed, run, step, what, now.Format("15:04:05.000"), l.shape.name)
				if l.q.Err() != nil {
					t.Fatalf("%s: %v", where, l.q.Err())
				}
				if d := byQuery[l.shape.name]; !d.Empty() {
					emitted[l.shape.name]++
					if what == "clock move" {
						fired++
					}
				}
				if err := l.shadow.apply(byQuery[l.shape.name], l.shape.bagLists); err != nil {
					t.Fatalf("%s: diff stream: %v\ndiff: %+v\nrecent:\n  %s", where, err, byQuery[l.shape.name], strings.Join(tail(trail, 12), "\n  "))
				}
				want, err := oracle.EvaluateHistory(l.tree, s.hist, nil, funcs, now)
				if err != nil {
					t.Fatalf("%s: oracle: %v", where, err)
				}
				got := make([][]value.Value, 0)
				for _, r := range l.q.Results() {
					got = append(got, r)
				}
				w := canonRows(want.Rows, l.shape.bagLists, l.shape.ordered)
				gr := canonRows(got, l.shape.bagLists, l.shape.ordered)
				if strings.Join(w, "\n") != strings.Join(gr, "\n") {
					t.Fatalf("%s: incremental result differs from the oracle\nquery: %s\nwant:\n  %s\ngot:\n  %s\nrecent:\n  %s",
						where, l.shape.query, strings.Join(w, "\n  "), strings.Join(gr, "\n  "), strings.Join(tail(trail, 12), "\n  "))
				}
				if sr := l.shadow.rows(); strings.Join(sr, "\n") != strings.Join(canonRows(got, l.shape.bagLists, false), "\n") {
					t.Fatalf("%s: result rebuilt from diffs differs from Results()\nfrom diffs:\n  %s\nresults:\n  %s",
						where, strings.Join(sr, "\n  "), strings.Join(gr, "\n  "))
				}
			}
		}
		sharedtest.Within(t, time.Minute, fmt.Sprintf("seed %d run %d of the temporal differential test", seed, run), func() {
			for step := 0; step < perRun && !spent(); step++ {
				if rng.Intn(5) < 2 {
					to := s.clockMove()
					diffs, err := e.AdvanceTo(to)
					if err != nil {
						t.Fatalf("seed %d run %d step %d: AdvanceTo: %v", seed, run, step, err)
					}
					moves++
					trail = append(trail, "advance to "+to.Format("15:04:05.000"))
					check(step, "clock move", diffs)
				}
				at := s.changeTime()
				batch := []Change{s.change(at)}
				if rng.Intn(6) == 0 { // sometimes two changes at one instant
					batch = append(batch, s.change(at))
				}
				for _, ch := range batch {
					trail = append(trail, fmt.Sprintf("%s %s %s%s %v %v at %s", ch.Op, ch.Element.ID, ch.Element.Type, relEnds(ch.Element), ch.Element.Labels, ch.Element.Props, at.Format("15:04:05.000")))
				}
				diffs, err := e.Apply(batch)
				if err != nil {
					t.Fatalf("seed %d run %d step %d: %v", seed, run, step, err)
				}
				for _, ch := range batch {
					s.record(ch)
				}
				changes += len(batch)
				check(step, "change", diffs)
			}
		})
	}
	t.Logf("%d shapes, %d changes, %d clock moves, %d checks: all agreed with the oracle", len(shapes), changes, moves, checks)
	for _, sh := range shapes {
		if emitted[sh.name] == 0 {
			t.Errorf("%s: emitted nothing in the whole test: the shape checks nothing", sh.name)
		}
	}
	t.Logf("non-empty diffs per shape: %v; %d of them emitted by clock moves", emitted, fired)
}

func tail(s []string, n int) []string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func relEnds(el Element) string {
	if !el.IsRel() {
		return ""
	}
	return "(" + el.From + "->" + el.To + ")"
}
