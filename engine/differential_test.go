package engine

import (
	"fmt"
	"math"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/oracle"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/functions"
	"github.com/vigilhq/vigil/grammar/ast"
	"github.com/vigilhq/vigil/grammar/cypher"
)

// diffShape is one query of the differential test.
type diffShape struct {
	name  string
	query string
	// ordered: compare the rows in order (the ORDER BY keys are total).
	ordered bool
	// bagLists: compare list values as multisets (collect order is the
	// order rows arrived in, which a from-scratch run cannot know).
	bagLists bool
}

var diffShapes = []diffShape{
	{name: "filter", query: "MATCH (n:A) WHERE n.x > 2 RETURN n.x AS x, n.y AS y"},
	{name: "node", query: "MATCH (n:A) RETURN n"},
	{name: "one-hop", query: "MATCH (a:A)-[r:T]->(b:B) RETURN a.x AS ax, r.w AS w, b.y AS b_y"},
	{name: "two-hop", query: "MATCH (a)-[:T]->(b)-[:U]->(c) RETURN id(a) AS a, id(b) AS b, id(c) AS c"},
	{name: "incoming", query: "MATCH (a:A)<-[:T]-(b) RETURN a.x AS ax, b.x AS bx"},
	{name: "undirected", query: "MATCH (a)-[r]-(b) WHERE a.x = b.x RETURN id(r) AS r, id(a) AS a"},
	{name: "optional", query: "MATCH (a:A) OPTIONAL MATCH (a)-[:T]->(b:B) RETURN id(a) AS a, b.x AS bx"},
	{name: "grouped", query: "MATCH (a:A)-[:T]->(b) RETURN a.y AS y, count(*) AS c, sum(b.x) AS s"},
	{name: "global", query: "MATCH (n) RETURN count(n) AS c, min(n.x) AS mn, max(n.x) AS mx"},
	{name: "collect", query: "MATCH (n:B) RETURN n.y AS y, collect(n.x) AS xs", bagLists: true},
	{name: "distinct", query: "MATCH (n:A) RETURN DISTINCT n.y AS y"},
	{name: "distinct-join", query: "MATCH (a)-[:T]->(b) RETURN DISTINCT a.x AS x, b.y AS y"},
	{name: "top-k", query: "MATCH (n:A) RETURN id(n) AS id, n.x AS x ORDER BY n.x DESC, id(n) LIMIT 3", ordered: true},
	{name: "skip-limit", query: "MATCH (n) WITH n ORDER BY n.x, id(n) SKIP 1 LIMIT 4 RETURN id(n) AS id"},
	{name: "unwind", query: "MATCH (n:C) UNWIND [n.x, n.x + 1] AS v RETURN v, id(n) AS id"},
	{name: "var-length", query: "MATCH (a:A)-[:T*1..2]->(b) RETURN id(a) AS a, id(b) AS b"},
	{name: "var-length-undirected", query: "MATCH (a)-[*0..2]-(b:B) RETURN id(a) AS a, id(b) AS b"},
	{name: "having", query: "MATCH (a:A) WITH a.y AS y, count(*) AS c WHERE c > 1 RETURN y, c"},
	{name: "match-after-with", query: "MATCH (a:A) WITH a MATCH (a)-[:U]->(b) RETURN id(a) AS a, b.x AS bx"},
	{name: "theta-join-after-with", query: "MATCH (a:A) WITH a.x AS x MATCH (b:B) WHERE b.x = x RETURN x, id(b) AS b"},
	{name: "union", query: "MATCH (n:A) RETURN n.x AS v UNION MATCH (m:B) RETURN m.x AS v"},
	{name: "union-all", query: "MATCH (n:A) RETURN n.x AS v UNION ALL MATCH (m:B) RETURN m.x AS v"},
	{name: "cartesian", query: "MATCH (a:A), (b:B) WHERE a.x = b.x RETURN id(a) AS a, id(b) AS b"},
	{name: "path", query: "MATCH p = (a:A)-[:T]->(b) RETURN p"},
	{name: "optional-count", query: "MATCH (a:A) OPTIONAL MATCH (a)-[:T]->(b) WITH a, count(b) AS c RETURN id(a) AS a, c"},
	{name: "statistics", query: "MATCH (n:B) RETURN n.y AS y, avg(n.x) AS av, stDev(n.x) AS sd, percentileDisc(n.x, 0.5) AS p"},
	{name: "top-degree", query: "MATCH (a)-[:T]->(b) WITH a, count(b) AS deg ORDER BY deg DESC, id(a) LIMIT 2 RETURN id(a) AS a, deg"},
	{name: "collect-unwind", query: "MATCH (n:A) WITH n.y AS y, collect(n) AS ns UNWIND ns AS m RETURN y, id(m) AS id"},
	{name: "labels-and-props", query: "MATCH (n) WHERE n:A OR n:C RETURN id(n) AS id, labels(n) AS ls, n.x * 2 + 1 AS k", bagLists: true},
	{name: "pattern-predicate", query: "MATCH (a:A) WHERE (a)-[:T]->(:B) RETURN id(a) AS a"},
	{name: "not-exists", query: "MATCH (a:A) WHERE NOT exists { MATCH (a)-[:U]->(b) WHERE b.x > 2 } RETURN id(a) AS a, a.x AS x"},
	{name: "pattern-comprehension", query: "MATCH (a:A) RETURN id(a) AS a, [(a)-[:T]->(b) | b.x] AS xs", bagLists: true},
	{name: "unwind-pattern-comprehension", query: "MATCH (a:C) UNWIND [(a)-->(b) | id(b)] AS bid RETURN id(a) AS a, bid"},
	{name: "with-where-pattern", query: "MATCH (a) WITH a WHERE (a)<-[:T]-() RETURN id(a) AS a"},
	// A node update keeps its solutions unless its labels or a slot's
	// constant properties decide otherwise (matchStage.sameSolutions); a
	// self-loop puts the updated node in two slots.
	{name: "inline-props", query: "MATCH (a:A {y: 'p'})-[:T]->(b {x: 1}) RETURN id(a) AS a, a.x AS ax, id(b) AS b"},
	{name: "self-loop", query: "MATCH (a)-[r:T]->(a) RETURN id(a) AS a, a.x AS x, r.w AS w"},
	{name: "self-loop-grouped", query: "MATCH (a)-[:T]->(b) WITH b.y AS y, a.x * 1.5 + b.x AS v RETURN y, avg(v) AS av, count(*) AS c"},
	{name: "two-matches-grouped", query: "MATCH (a:A)-[:T]->(b) MATCH (b)-[:U]->(c) WITH c.y AS y, floor(a.x / 2.0) + c.x AS v RETURN y, sum(v) AS s, collect(v) AS vs", bagLists: true},
	{name: "exists-free-case", query: "MATCH (a:A)-[r:U]->(b) RETURN CASE WHEN r.w > 1 THEN 'hi' ELSE 'lo' END AS band, count(*) AS c"},
}

// diffSeed returns the seed from VIGIL_SEED or a fresh one.
func diffSeed(t *testing.T) int64 {
	if s := os.Getenv("VIGIL_SEED"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("VIGIL_SEED: %v", err)
		}
		return n
	}
	return time.Now().UnixNano()
}

// randomChange draws one change over a small universe of ids, so that
// inserts, updates and deletes of the same elements collide often.
func randomChange(rng *rand.Rand, e *Engine, at time.Time) Change {
	labels := []string{"A", "B", "C"}
	props := func(rel bool) map[string]value.Value {
		m := map[string]value.Value{}
		if rel {
			if rng.Intn(4) > 0 {
				m["w"] = value.Int(int64(rng.Intn(4)))
			}
			return m
		}
		if rng.Intn(5) > 0 {
			m["x"] = value.Int(int64(rng.Intn(5)))
		}
		if rng.Intn(3) > 0 {
			m["y"] = value.Str([]string{"p", "q"}[rng.Intn(2)])
		}
		return m
	}
	switch k := rng.Intn(10); {
	case k < 4: // node insert or update
		id := fmt.Sprintf("n%d", rng.Intn(12))
		var ls []string
		for _, l := range labels {
			if rng.Intn(2) == 0 {
				ls = append(ls, l)
			}
		}
		op := OpUpdate
		if e.index.Node(id) == nil {
			op = OpInsert
		}
		return Change{Op: op, Time: at, Element: Element{ID: id, Labels: ls, Props: props(false)}}
	case k < 5:
		return Change{Op: OpDelete, Time: at, Element: Element{ID: fmt.Sprintf("n%d", rng.Intn(12))}}
	case k < 9: // relation insert or update (its ends may not exist yet)
		id := fmt.Sprintf("r%d", rng.Intn(20))
		from, to := fmt.Sprintf("n%d", rng.Intn(12)), fmt.Sprintf("n%d", rng.Intn(12))
		if old := e.index.Rel(id); old != nil && rng.Intn(2) == 0 {
			from, to = old.From, old.To // a property-only update
		}
		op := OpUpdate
		if e.index.Rel(id) == nil {
			op = OpInsert
		}
		return Change{Op: op, Time: at, Element: Element{ID: id, Type: []string{"T", "U"}[rng.Intn(2)], From: from, To: to, Props: props(true)}}
	default:
		return Change{Op: OpDelete, Time: at, Element: Element{ID: fmt.Sprintf("r%d", rng.Intn(20))}}
	}
}

// snapshot copies the engine's graph for the oracle, leaving out
// relationships whose ends do not exist (they match nothing).
func snapshot(e *Engine) *oracle.Graph {
	g := &oracle.Graph{Nodes: map[string]*value.Node{}, Rels: map[string]*value.Rel{}}
	e.index.Nodes("", func(n *value.Node) bool {
		g.Nodes[n.ID] = n
		return true
	})
	e.index.Rels(func(r *value.Rel) bool {
		if g.Nodes[r.From] != nil && g.Nodes[r.To] != nil {
			g.Rels[r.ID] = r
		}
		return true
	})
	return g
}

// canon renders a value for comparison: elements with ids and contents,
// floats to 9 significant digits, lists optionally sorted.
func canon(v value.Value, bagLists bool) string {
	switch v.Kind() {
	case value.KindFloat:
		f := v.AsFloat()
		if math.IsNaN(f) {
			return "NaN"
		}
		return "f" + strconv.FormatFloat(f, 'g', 9, 64)
	case value.KindList:
		parts := make([]string, 0, len(v.AsList()))
		for _, x := range v.AsList() {
			parts = append(parts, canon(x, bagLists))
		}
		if bagLists {
			sort.Strings(parts)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case value.KindNode:
		return "N" + v.AsNode().ID + v.String()
	case value.KindRel:
		return "R" + v.AsRel().ID + v.String()
	case value.KindPath:
		p := v.AsPath()
		s := "P"
		for i, n := range p.Nodes {
			s += canon(value.NodeOf(n), bagLists)
			if i < len(p.Rels) {
				s += canon(value.RelOf(p.Rels[i]), bagLists)
			}
		}
		return s
	}
	return v.String()
}

func canonRows(rows [][]value.Value, bagLists, ordered bool) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		parts := make([]string, len(r))
		for j, v := range r {
			parts[j] = canon(v, bagLists)
		}
		out[i] = strings.Join(parts, " | ")
	}
	if !ordered {
		sort.Strings(out)
	}
	return out
}

// shadow is the result a subscriber rebuilds from the diff stream alone.
type shadow map[string]int

func (s shadow) apply(d Diff, bagLists bool) error {
	key := func(r Row) string { return canonRows([][]value.Value{r}, bagLists, true)[0] }
	for _, r := range d.Deleted {
		if s[key(r)] == 0 {
			return fmt.Errorf("deleted row %v that was not in the result", r)
		}
		s[key(r)]--
	}
	for _, u := range d.Updated {
		if s[key(u.Before)] == 0 {
			return fmt.Errorf("updated row %v that was not in the result", u.Before)
		}
		if key(u.Before) == key(u.After) && !bagLists {
			return fmt.Errorf("update whose before equals its after: %v", u.Before)
		}
		s[key(u.Before)]--
		s[key(u.After)]++
	}
	for _, r := range d.Added {
		s[key(r)]++
	}
	return nil
}

func (s shadow) rows() []string {
	var out []string
	for k, n := range s {
		for ; n > 0; n-- {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// TestDifferentialAgainstOracle applies random node and relationship
// inserts, updates and deletes, and after every change compares each
// query's incremental result, and the result rebuilt from its diffs, with a
// from-scratch evaluation by the oracle.
func TestDifferentialAgainstOracle(t *testing.T) {
	seed := diffSeed(t)
	t.Logf("seed %d (replay with VIGIL_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewSource(seed))
	const runs, perRun = 10, 2000
	if testing.Short() {
		t.Skip("the differential test runs 20,000 changes; skipped in -short mode")
	}
	funcs := functions.Cypher()
	total := 0
	for run := 0; run < runs; run++ {
		e := New(Options{})
		type live struct {
			shape  diffShape
			q      *Query
			shadow shadow
			tree   *ast.Query
		}
		var qs []*live
		register := func(s diffShape) {
			q, err := e.AddQuery(QuerySpec{ID: s.name, Text: s.query})
			if err != nil {
				t.Fatalf("seed %d: %s: %v", seed, s.name, err)
			}
			tree, err := cypher.Parse(s.query)
			if err != nil {
				t.Fatal(err)
			}
			sh := shadow{}
			for _, r := range q.Results() {
				sh.apply(Diff{Added: []Row{r}}, s.bagLists)
			}
			qs = append(qs, &live{shape: s, q: q, shadow: sh, tree: tree})
		}
		// Half the queries start on the empty graph; the rest bootstrap
		// from the graph part-way through the run.
		late := map[int]bool{}
		for i, s := range diffShapes {
			if (i+run)%2 == 0 {
				register(s)
			} else {
				late[i] = true
			}
		}
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for step := 0; step < perRun; step++ {
			if step == perRun/4 {
				for i := range late {
					register(diffShapes[i])
				}
			}
			at = at.Add(time.Second)
			batch := []Change{randomChange(rng, e, at)}
			if rng.Intn(8) == 0 { // sometimes a multi-change step
				batch = append(batch, randomChange(rng, e, at))
			}
			diffs, err := e.Apply(batch)
			if err != nil {
				t.Fatalf("seed %d run %d step %d: %v", seed, run, step, err)
			}
			total += len(batch)
			byQuery := map[string]Diff{}
			for _, d := range diffs {
				byQuery[d.QueryID] = d
			}
			g := snapshot(e)
			for _, l := range qs {
				if l.q.Err() != nil {
					t.Fatalf("seed %d run %d step %d: %s: %v", seed, run, step, l.shape.name, l.q.Err())
				}
				if err := l.shadow.apply(byQuery[l.shape.name], l.shape.bagLists); err != nil {
					t.Fatalf("seed %d run %d step %d: %s: diff stream: %v\nchanges: %+v", seed, run, step, l.shape.name, err, batch)
				}
				want, err := oracle.Evaluate(l.tree, g, nil, funcs, at)
				if err != nil {
					t.Fatalf("seed %d: oracle %s: %v", seed, l.shape.name, err)
				}
				got := make([][]value.Value, 0)
				for _, r := range l.q.Results() {
					got = append(got, r)
				}
				w := canonRows(want.Rows, l.shape.bagLists, l.shape.ordered)
				gr := canonRows(got, l.shape.bagLists, l.shape.ordered)
				if strings.Join(w, "\n") != strings.Join(gr, "\n") {
					t.Fatalf("seed %d run %d step %d: %s: incremental result differs from the oracle\nquery: %s\nchanges: %+v\nwant:\n  %s\ngot:\n  %s",
						seed, run, step, l.shape.name, l.shape.query, batch, strings.Join(w, "\n  "), strings.Join(gr, "\n  "))
				}
				if sr := l.shadow.rows(); strings.Join(sr, "\n") != strings.Join(canonRows(got, l.shape.bagLists, false), "\n") {
					t.Fatalf("seed %d run %d step %d: %s: result rebuilt from diffs differs from Results()\nfrom diffs:\n  %s\nresults:\n  %s",
						seed, run, step, l.shape.name, strings.Join(sr, "\n  "), strings.Join(gr, "\n  "))
				}
			}
		}
	}
	t.Logf("%d random changes, %d query shapes, all agreed with the oracle", total, len(diffShapes))
}
