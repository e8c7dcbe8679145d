package engine

import (
	"errors"
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
	"github.com/vigilhq/vigil/grammar/gql"
	"github.com/vigilhq/vigil/internal/sharedtest"
)

// diffShape is one query of the differential tests, with everything its
// QuerySpec may carry.
type diffShape struct {
	name  string
	query string
	lang  string // "" (openCypher) or "gql"
	// params, joins and subs go into the QuerySpec as they are; the oracle
	// evaluates with the same parameters, models the joins in its graph and
	// shows the query only what its subscriptions admit.
	params map[string]value.Value
	joins  []Join
	subs   []Subscription
	// ordered: compare the rows in order (the ORDER BY keys are total).
	ordered bool
	// bagLists: compare list values as multisets (collect order is the
	// order rows arrived in, which a from-scratch run cannot know).
	bagLists bool
	// loose: compare numbers by value, 1 as 1.0. The shape shows one of
	// several equivalent values — a grouping key, a DISTINCT row, min or
	// max, the value a DISTINCT aggregate kept — and which one depends on
	// the order rows arrived in.
	loose bool
	// mayFail: the shape raises a runtime error on some graphs. The engine
	// must fail in the step where the oracle does, with the same error code.
	mayFail bool
}

// spec is the shape's QuerySpec under query id.
func (s diffShape) spec(id string) QuerySpec {
	return QuerySpec{ID: id, Text: s.query, Language: s.lang, Params: s.params, Joins: s.joins, Subscriptions: s.subs}
}

func (s diffShape) mode() cmpMode { return cmpMode{bagLists: s.bagLists, loose: s.loose} }

// parse returns the shape's AST and the function registry of its language.
func (s diffShape) parse() (*ast.Query, *functions.Registry, error) {
	if s.lang == "gql" {
		q, err := gql.Parse(s.query)
		return q, functions.GQL(), err
	}
	q, err := cypher.Parse(s.query)
	return q, functions.Cypher(), err
}

// The synthetic joins of the shapes. A join, once a query declares it,
// is the index's: every query sees its relations, as the model does.
var (
	joinSameK = Join{ID: "SAME_K", Keys: []JoinKey{{Label: "A", Property: "k"}, {Label: "C", Property: "k"}}}
	joinPeer  = Join{ID: "PEER", Keys: []JoinKey{{Label: "B", Property: "k"}, {Label: "B", Property: "k"}}}
)

// The subscriptions of the shapes: one source, both, and label- and
// type-restricted ones.
var (
	subS1       = []Subscription{{Source: "s1"}}
	subBoth     = []Subscription{{Source: "s1"}, {Source: "s2"}}
	subLabels   = []Subscription{{Source: "s1", Nodes: []string{"A", "B"}}, {Source: "s2", Relations: []string{"T"}}}
	subS2TypesT = []Subscription{{Source: "s2", Nodes: []string{"A", "C"}, Relations: []string{"T"}}}
)

// diffShapes are the queries of the random differential test. Ids repeat
// across sources, so every ORDER BY that must be total ends with the
// element's id and its source.
var diffShapes = []diffShape{
	{name: "filter", query: "MATCH (n:A) WHERE n.x > 2 RETURN n.x AS x, n.y AS y"},
	{name: "node", query: "MATCH (n:A) RETURN n"},
	{name: "one-hop", query: "MATCH (a:A)-[r:T]->(b:B) RETURN a.x AS ax, r.w AS w, b.y AS b_y"},
	{name: "two-hop", query: "MATCH (a)-[:T]->(b)-[:U]->(c) RETURN id(a) AS a, id(b) AS b, id(c) AS c"},
	{name: "incoming", query: "MATCH (a:A)<-[:T]-(b) RETURN a.x AS ax, b.x AS bx"},
	{name: "undirected", query: "MATCH (a)-[r]-(b) WHERE a.x = b.x RETURN id(r) AS r, id(a) AS a"},
	{name: "optional", query: "MATCH (a:A) OPTIONAL MATCH (a)-[:T]->(b:B) RETURN id(a) AS a, b.x AS bx"},
	{name: "grouped", query: "MATCH (a:A)-[:T]->(b) RETURN a.y AS y, count(*) AS c, sum(b.x) AS s"},
	// The grouping key is the element itself: its snapshot in the result
	// must follow the element's updates.
	{name: "grouped-by-element", query: "MATCH (a:A)-[:T]->(b) RETURN a, count(b) AS c"},
	{name: "global", query: "MATCH (n) RETURN count(n) AS c, min(n.x) AS mn, max(n.x) AS mx", loose: true},
	{name: "collect", query: "MATCH (n:B) RETURN n.y AS y, collect(n.x) AS xs", bagLists: true},
	{name: "distinct", query: "MATCH (n:A) RETURN DISTINCT n.y AS y"},
	{name: "distinct-join", query: "MATCH (a)-[:T]->(b) RETURN DISTINCT a.x AS x, b.y AS y", loose: true},
	{name: "top-k", query: "MATCH (n:A) RETURN id(n) AS id, n.x AS x ORDER BY n.x DESC, id(n), vigil.source(n) LIMIT 3", ordered: true, loose: true},
	{name: "skip-limit", query: "MATCH (n) WITH n ORDER BY n.x, id(n), vigil.source(n) SKIP 1 LIMIT 4 RETURN id(n) AS id"},
	{name: "unwind", query: "MATCH (n:C) UNWIND [n.x, n.x + 1] AS v RETURN v, id(n) AS id"},
	{name: "var-length", query: "MATCH (a:A)-[:T*1..2]->(b) RETURN id(a) AS a, id(b) AS b"},
	{name: "var-length-undirected", query: "MATCH (a)-[*0..2]-(b:B) RETURN id(a) AS a, id(b) AS b"},
	{name: "having", query: "MATCH (a:A) WITH a.y AS y, count(*) AS c WHERE c > 1 RETURN y, c"},
	{name: "match-after-with", query: "MATCH (a:A) WITH a MATCH (a)-[:U]->(b) RETURN id(a) AS a, b.x AS bx"},
	{name: "theta-join-after-with", query: "MATCH (a:A) WITH a.x AS x MATCH (b:B) WHERE b.x = x RETURN x, id(b) AS b"},
	{name: "union", query: "MATCH (n:A) RETURN n.x AS v UNION MATCH (m:B) RETURN m.x AS v", loose: true},
	{name: "union-all", query: "MATCH (n:A) RETURN n.x AS v UNION ALL MATCH (m:B) RETURN m.x AS v"},
	{name: "cartesian", query: "MATCH (a:A), (b:B) WHERE a.x = b.x RETURN id(a) AS a, id(b) AS b"},
	{name: "path", query: "MATCH p = (a:A)-[:T]->(b) RETURN p"},
	{name: "optional-count", query: "MATCH (a:A) OPTIONAL MATCH (a)-[:T]->(b) WITH a, count(b) AS c RETURN id(a) AS a, c"},
	{name: "statistics", query: "MATCH (n:B) RETURN n.y AS y, avg(n.x) AS av, stDev(n.x) AS sd, percentileDisc(n.x, 0.5) AS p", loose: true},
	{name: "top-degree", query: "MATCH (a)-[:T]->(b) WITH a, count(b) AS deg ORDER BY deg DESC, id(a), vigil.source(a) LIMIT 2 RETURN id(a) AS a, deg"},
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

	// Sources and subscriptions: a query sees only the sources (and
	// labels, and relation types) it subscribes to, plus the elements
	// without a source and the synthetic relations.
	{name: "sub-one-hop", query: "MATCH (a:A)-[r:T]->(b:B) RETURN id(a) AS a, r.w AS w, id(b) AS b", subs: subS1},
	{name: "sub-grouped", query: "MATCH (a:A)-[:T]->(b) RETURN a.y AS y, count(*) AS c, sum(b.x) AS s", subs: subBoth},
	{name: "sub-labels", query: "MATCH (n) RETURN id(n) AS id, labels(n) AS ls, vigil.source(n) AS src", subs: subLabels, bagLists: true},
	{name: "sub-rel-types", query: "MATCH (a)-[r]->(b) RETURN id(r) AS r, type(r) AS t, vigil.source(r) AS src, vigil.source(b) AS bsrc", subs: subS2TypesT},
	{name: "sub-var-length", query: "MATCH (a:A)-[*1..2]-(b) RETURN id(a) AS a, id(b) AS b", subs: subLabels},
	{name: "source-count", query: "MATCH (n:A) RETURN vigil.source(n) AS src, count(*) AS c, collect(id(n)) AS ids", bagLists: true},

	// Synthetic joins, modelled in the oracle's graph from the node states.
	{name: "join", query: "MATCH (a:A)-[:SAME_K]->(c:C) RETURN id(a) AS a, id(c) AS c, a.k AS k", joins: []Join{joinSameK}},
	{name: "join-undirected-count", query: "MATCH (a)-[:SAME_K]-(c) RETURN id(a) AS a, vigil.source(a) AS s, count(c) AS n", joins: []Join{joinSameK}},
	{name: "join-peer", query: "MATCH (a:B)-[r:PEER]->(b:B) RETURN id(r) AS r, a.k AS k, type(r) AS t", joins: []Join{joinPeer}},
	{name: "join-subscribed", query: "MATCH (a:A)-[:SAME_K]-(c:C) RETURN id(a) AS a, id(c) AS c", joins: []Join{joinSameK}, subs: subS1},
	{name: "join-two-hop", query: "MATCH (a:A)-[:SAME_K]->(c:C)-[:T]->(b) RETURN id(a) AS a, id(b) AS b", joins: []Join{joinSameK, joinPeer}},

	// DISTINCT aggregates.
	{name: "count-distinct", query: "MATCH (n:B) RETURN n.y AS y, count(DISTINCT n.x) AS c"},
	{name: "distinct-aggs", query: "MATCH (a)-[:T]->(b) RETURN a.y AS y, count(DISTINCT b.x) AS c, collect(DISTINCT b.y) AS ys, sum(DISTINCT b.x) AS s", bagLists: true, loose: true},
	{name: "distinct-global", query: "MATCH (n) RETURN count(DISTINCT n.y) AS y, count(DISTINCT n.k) AS k, avg(DISTINCT n.x) AS a, collect(DISTINCT n.l) AS ls", bagLists: true, loose: true},

	// Statistics.
	{name: "spread", query: "MATCH (n:B) RETURN n.y AS y, stDevP(n.x) AS l, max(n.x) - min(n.x) AS spread, percentileCont(n.x, 0.3) AS p", loose: true},
	{name: "rel-percentiles", query: "MATCH (a)-[r]->(b) RETURN type(r) AS t, percentileCont(r.w, 0.5) AS med, percentileDisc(r.w, 0.9) AS p9, stDevP(r.w) AS sd", loose: true},

	// $parameters.
	{name: "params", query: "MATCH (n:A) WHERE n.x >= $min RETURN id(n) AS id", params: map[string]value.Value{"min": value.Int(3)}},
	{name: "params-wide", query: "MATCH (n) WHERE n.y IN $ys AND n.x <> $other RETURN id(n) AS id, n.x + $off AS v, $tag AS tag, $m.k AS mk",
		params: map[string]value.Value{"ys": value.List([]value.Value{value.Str("p")}), "other": value.Int(2), "off": value.Float(0.5),
			"tag": value.Str("t"), "m": value.Map(map[string]value.Value{"k": value.List([]value.Value{value.Int(1), value.Float(2)})})}},
	{name: "params-limit", query: "MATCH (n:B) RETURN id(n) AS id, vigil.source(n) AS s ORDER BY id, s LIMIT $n", ordered: true,
		params: map[string]value.Value{"n": value.Int(2)}},

	// collect after an ordered WITH keeps that order.
	{name: "ordered-collect", query: "MATCH (n:A) WITH n ORDER BY n.x DESC, id(n), vigil.source(n) WITH n.y AS y, collect(id(n)) AS ids RETURN y, ids"},
	{name: "ordered-collect-limit", query: "MATCH (n:B) WITH n ORDER BY n.k, id(n), vigil.source(n) LIMIT 4 RETURN collect(n.x) AS xs"},

	// GQL (see gql_paired_test.go for the openCypher twins).
	{name: "gql-group-by", lang: "gql", query: "MATCH (a:A)-[:T]->(b) FILTER b.x > 1 RETURN a.y AS y, count(*) AS c GROUP BY y"},
	{name: "gql-next", lang: "gql", query: "MATCH (a:A)-[:T]->(b) RETURN a, count(b) AS deg NEXT FILTER deg > 0 RETURN a, deg NEXT MATCH (a)-[:U]->(c) RETURN element_id(a) AS a, deg, c.x AS cx"},
	{name: "gql-quantified", lang: "gql", query: "MATCH (a:A) (()-[:U]->()){2} (b) RETURN element_id(a) AS a, element_id(b) AS b"},
	{name: "gql-labels-concat", lang: "gql", query: "MATCH (n:(A|B)&!C) RETURN element_id(n) AS id, n.y || '!' AS yy"},
	{name: "gql-stats", lang: "gql", query: "MATCH (n:A) RETURN stddev_pop(n.x) AS sd, percentile_cont(n.x, 0.25) AS p, count(DISTINCT n.y) AS dy GROUP BY ()"},
	{name: "gql-order-page", lang: "gql", query: "MATCH (n) ORDER BY n.x, element_id(n), vigil.source(n) OFFSET 1 LIMIT 4 RETURN element_id(n) AS id"},
	{name: "gql-let-nullif", lang: "gql", query: "MATCH (n:B) LET d = n.x * 2 RETURN element_id(n) AS id, NULLIF(n.x, 2) AS v, coalesce(n.y, 'none') AS y, d"},
	{name: "gql-join-sub", lang: "gql", query: "MATCH (a:A)-[:SAME_K]->(c:C) RETURN element_id(a) AS a, c.x AS cx", joins: []Join{joinSameK}, subs: subBoth},

	// Wide values: nulls, int/float mixes, lists and temporal values.
	{name: "null-and-keys", query: "MATCH (n) RETURN id(n) AS id, n.y IS NULL AS noY, keys(n) AS ks", bagLists: true},
	{name: "int-float", query: "MATCH (n:A) RETURN id(n) AS id, n.x AS x, n.x = 1 AS one, n.x + 1 AS inc, toFloat(n.x) AS f"},
	{name: "float-sums", query: "MATCH (n) RETURN n.y AS y, sum(n.x) AS s, avg(n.x) AS a"},
	{name: "list-props", query: "MATCH (n) WHERE n.l IS NOT NULL RETURN id(n) AS id, n.l AS l, size(n.l) AS len, 1 IN n.l AS has1, n.l[0] AS first"},
	{name: "list-group", query: "MATCH (n:B) RETURN n.l AS l, count(*) AS c", loose: true},
	{name: "unwind-list", query: "MATCH (n:C) UNWIND n.l AS e RETURN e, count(*) AS c", loose: true},
	{name: "temporal-props", query: "MATCH (n:B) WHERE n.t IS NOT NULL RETURN id(n) AS id, n.t AS t, n.t < date('2026-01-03') AS early, n.t + duration('P1D') AS next"},
	{name: "temporal-order", query: "MATCH (n) WHERE n.t IS NOT NULL RETURN id(n) AS id, n.t AS t ORDER BY t DESC, id, vigil.source(n) LIMIT 3", ordered: true},
	{name: "temporal-group", query: "MATCH (n:C) RETURN n.t AS t, count(*) AS c, max(n.x) AS mx", loose: true},

	// Shapes that fail at run time on some graphs.
	{name: "fail-to-integer", query: "MATCH (n:A) WHERE n.v IS NOT NULL RETURN id(n) AS id, toInteger(n.v) AS k", mayFail: true},
	{name: "fail-divide", query: "MATCH (n:C) RETURN id(n) AS id, 6 / n.v AS q", mayFail: true},
	{name: "fail-sum", query: "MATCH (n:B) RETURN n.y AS y, sum(n.v) AS s", mayFail: true},
	{name: "fail-join-sum", query: "MATCH (a:A)-[:SAME_K]->(c) RETURN a.y AS y, sum(c.v) AS s", joins: []Join{joinSameK}, mayFail: true},
	{name: "fail-component", query: "MATCH (n:A) WHERE n.t IS NOT NULL RETURN id(n) AS id, n.t.day AS d", mayFail: true},
}

// diffLimits returns how many changes a randomized differential test
// applies at most and for how long it may run: def changes and budget (in
// -short mode a tenth of the changes and a fifth of the budget);
// VIGIL_DIFF_CHANGES and VIGIL_DIFF_BUDGET (a Go duration) override both.
// The time budget keeps the package's test time bounded on a loaded
// machine; the log says how far a run got.
func diffLimits(t *testing.T, def int, budget time.Duration) (int, time.Duration) {
	n := def
	if testing.Short() {
		n, budget = def/10, budget/5
	}
	if s := os.Getenv("VIGIL_DIFF_CHANGES"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v <= 0 {
			t.Fatalf("VIGIL_DIFF_CHANGES=%q: want a positive number of changes", s)
		}
		n = v
	}
	if s := os.Getenv("VIGIL_DIFF_BUDGET"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			t.Fatalf("VIGIL_DIFF_BUDGET=%q: want a positive Go duration (90s)", s)
		}
		budget = d
	}
	return n, budget
}

// randomChange draws one change of the narrow universe the engine-versus-
// engine tests use (one source, ints and strings only), reading what
// exists from e. The oracle tests draw from changeGen instead.
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

// cmpMode is how results are rendered for comparison.
type cmpMode struct {
	bagLists bool // lists as multisets
	loose    bool // numbers by value: 1 and 1.0 alike
}

// canon renders a value for comparison: elements with ids and contents,
// floats to 9 significant digits, lists optionally sorted.
func canon(v value.Value, bagLists bool) string { return canonIn(v, cmpMode{bagLists: bagLists}) }

func canonIn(v value.Value, m cmpMode) string {
	switch v.Kind() {
	case value.KindInt:
		if m.loose {
			return "f" + strconv.FormatFloat(v.AsFloat(), 'g', 9, 64)
		}
	case value.KindFloat:
		f := v.AsFloat()
		if math.IsNaN(f) {
			return "NaN"
		}
		return "f" + strconv.FormatFloat(f, 'g', 9, 64)
	case value.KindList:
		parts := make([]string, 0, len(v.AsList()))
		for _, x := range v.AsList() {
			parts = append(parts, canonIn(x, m))
		}
		if m.bagLists {
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
			s += canonIn(value.NodeOf(n), m)
			if i < len(p.Rels) {
				s += canonIn(value.RelOf(p.Rels[i]), m)
			}
		}
		return s
	}
	return v.String()
}

func canonRows(rows [][]value.Value, bagLists, ordered bool) []string {
	return canonRowsIn(rows, cmpMode{bagLists: bagLists}, ordered)
}

func canonRowsIn(rows [][]value.Value, m cmpMode, ordered bool) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		parts := make([]string, len(r))
		for j, v := range r {
			parts[j] = canonIn(v, m)
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

func (s shadow) apply(d Diff, bagLists bool) error { return s.applyIn(d, cmpMode{bagLists: bagLists}) }

func (s shadow) applyIn(d Diff, m cmpMode) error {
	key := func(r Row) string { return canonRowsIn([][]value.Value{r}, m, true)[0] }
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
		// Rendered loosely or with lists as bags, a real update (1 to 1.0,
		// a list reordered) may look like none.
		if key(u.Before) == key(u.After) && !m.bagLists && !m.loose {
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

// oracleJoins and oracleSubs are the oracle's forms of a spec's joins and
// subscriptions.
func oracleJoins(js []Join) []oracle.Join {
	var out []oracle.Join
	for _, j := range js {
		oj := oracle.Join{Type: j.ID}
		for _, k := range j.Keys {
			oj.Keys = append(oj.Keys, oracle.JoinKey{Label: k.Label, Property: k.Property})
		}
		out = append(out, oj)
	}
	return out
}

func oracleSubs(ss []Subscription) []oracle.Subscription {
	var out []oracle.Subscription
	for _, s := range ss {
		out = append(out, oracle.Subscription{Source: s.Source, Nodes: s.Nodes, Relations: s.Relations})
	}
	return out
}

// liveQuery is one registered shape of a differential run.
type liveQuery struct {
	shape  diffShape
	id     string // the engine's query id: the shape's name, #n when registered again
	q      *Query
	tree   *ast.Query
	funcs  *functions.Registry
	shadow shadow
	// failed is the first error the oracle raised during the current step
	// (between the changes of a batch), nil when none.
	failed error
}

// diffStats is what a differential test did, for its log and its
// coverage checks.
type diffStats struct {
	runs, changes, refused, moves, checks int
	emitted                               map[string]int // non-empty diffs per shape
	failures                              map[string]int // failures the engine and the oracle agreed on, per shape
}

// diffRun is one engine, its oracle model and its live queries.
type diffRun struct {
	t      *testing.T
	seed   int64
	run    int
	step   int
	rng    *rand.Rand
	e      *Engine
	m      *oracle.Model
	gen    *changeGen
	at     time.Time
	live   []*liveQuery
	revive map[int][]diffShape // step -> shapes to register again after a failure
	again  map[string]int      // registrations so far per shape
	trail  []string            // what happened, for failure reports
	stats  *diffStats
}

func (r *diffRun) where() string {
	return fmt.Sprintf("seed %d run %d step %d (replay with VIGIL_SEED=%d)", r.seed, r.run, r.step, r.seed)
}

func (r *diffRun) fatalf(l *liveQuery, format string, args ...any) {
	r.t.Helper()
	msg := fmt.Sprintf(format, args...)
	if l != nil {
		msg = fmt.Sprintf("%s\nquery %s (%s): %s", msg, l.id, langName(l.shape.lang), l.shape.query)
		if l.shape.params != nil {
			msg += fmt.Sprintf("\nparams: %v", l.shape.params)
		}
		if l.shape.subs != nil {
			msg += fmt.Sprintf("\nsubscriptions: %+v", l.shape.subs)
		}
	}
	r.t.Fatalf("%s: %s\nrecent (newest last):\n  %s", r.where(), msg, strings.Join(tail(r.trail, 16), "\n  "))
}

func langName(l string) string {
	if l == "" {
		return "cypher"
	}
	return l
}

func (r *diffRun) note(s string) {
	r.trail = append(r.trail, s)
	if len(r.trail) > 64 {
		r.trail = append(r.trail[:0], r.trail[len(r.trail)-32:]...)
	}
}

// evaluate runs the oracle for l over the model's graph as l's
// subscriptions show it (views caches the graph per subscription set for
// one model state).
func (r *diffRun) evaluate(l *liveQuery, views map[string]*oracle.Graph) (*oracle.Result, error) {
	var joins []string
	for _, j := range l.shape.joins {
		joins = append(joins, j.ID)
	}
	key := fmt.Sprint(l.shape.subs, joins)
	g := views[key]
	if g == nil {
		g = r.m.Graph(oracleSubs(l.shape.subs), joins)
		views[key] = g
	}
	return oracle.Evaluate(l.tree, g, l.shape.params, l.funcs, r.m.Now())
}

// register adds a shape to the engine (bootstrapping it from the current
// graph) and checks its first result.
func (r *diffRun) register(s diffShape) {
	n := r.again[s.name]
	r.again[s.name]++
	id := s.name
	if n > 0 {
		id = fmt.Sprintf("%s#%d", s.name, n)
	}
	q, err := r.e.AddQuery(s.spec(id))
	if err != nil {
		r.fatalf(nil, "%s: AddQuery: %v", id, err)
	}
	for _, j := range oracleJoins(s.joins) {
		if err := r.m.DeclareJoin(j); err != nil {
			r.fatalf(nil, "%s: the oracle refuses join %s that the engine took: %v", id, j.Type, err)
		}
	}
	r.note("register " + id)
	tree, funcs, err := s.parse()
	if err != nil {
		r.fatalf(nil, "%s: %v", id, err)
	}
	l := &liveQuery{shape: s, id: id, q: q, tree: tree, funcs: funcs, shadow: shadow{}}
	want, oerr := r.evaluate(l, map[string]*oracle.Graph{})
	if oerr != nil || q.Err() != nil {
		r.agreeOnFailure(l, oerr, "bootstrap")
		return
	}
	for _, row := range q.Results() {
		_ = l.shadow.applyIn(Diff{Added: []Row{row}}, s.mode())
	}
	r.compare(l, want)
	r.live = append(r.live, l)
}

// agreeOnFailure is called when the oracle or the engine failed l: both
// must have, with the same error code, and only a shape that may fail
// may. The query is then removed, and registered again a little later
// (bootstrapping from whatever graph there is then).
func (r *diffRun) agreeOnFailure(l *liveQuery, oerr error, when string) {
	r.t.Helper()
	eerr := l.q.Err()
	switch {
	case oerr != nil && eerr == nil:
		r.fatalf(l, "%s: the oracle fails (%v); the engine does not", when, oerr)
	case oerr == nil:
		r.fatalf(l, "%s: the engine fails (%v); the oracle does not", when, eerr)
	case !l.shape.mayFail:
		r.fatalf(l, "%s: a shape that should not fail failed: engine %v, oracle %v", when, eerr, oerr)
	}
	var oe, ee *functions.Error
	if !errors.As(oerr, &oe) {
		r.fatalf(l, "%s: the oracle's error is not a runtime error: %v", when, oerr)
	}
	if !errors.As(eerr, &ee) || !userError[ee.Kind] {
		r.fatalf(l, "%s: the engine fails with %v, not a query's runtime error (the oracle: %v)", when, eerr, oerr)
	}
	// A bootstrap meets the failing rows in another order than the oracle
	// (map order), and may stop at another one of them first.
	if ee.Code != oe.Code && when != "bootstrap" {
		r.fatalf(l, "%s: the engine fails with %v, the oracle with %v", when, eerr, oerr)
	}
	r.stats.failures[l.shape.name]++
	r.note(fmt.Sprintf("%s failed (%s) as the oracle does", l.id, oe.Code))
	r.e.RemoveQuery(l.id)
	later := r.step + 10 + r.rng.Intn(90)
	r.revive[later] = append(r.revive[later], l.shape)
}

// userError lists the kinds of error a query's data may raise; any other
// (an internal error, a revert of what was never applied) is a bug.
var userError = map[string]bool{functions.KindTypeError: true, functions.KindArgumentError: true, functions.KindArithmeticError: true}

// compare checks l's incremental result, and the result rebuilt from its
// diffs, against the oracle's.
func (r *diffRun) compare(l *liveQuery, want *oracle.Result) {
	r.t.Helper()
	r.stats.checks++
	got := make([][]value.Value, 0)
	for _, row := range l.q.Results() {
		got = append(got, row)
	}
	m := l.shape.mode()
	w := canonRowsIn(want.Rows, m, l.shape.ordered)
	gr := canonRowsIn(got, m, l.shape.ordered)
	if strings.Join(w, "\n") != strings.Join(gr, "\n") {
		r.fatalf(l, "incremental result differs from the oracle\nwant:\n  %s\ngot:\n  %s", strings.Join(w, "\n  "), strings.Join(gr, "\n  "))
	}
	if sr := l.shadow.rows(); strings.Join(sr, "\n") != strings.Join(canonRowsIn(got, m, false), "\n") {
		r.fatalf(l, "result rebuilt from diffs differs from Results()\nfrom diffs:\n  %s\nresults:\n  %s", strings.Join(sr, "\n  "), strings.Join(gr, "\n  "))
	}
}

// probe evaluates the shapes that may fail in the model's current state,
// between the changes of a batch: the engine fails at the change that
// makes a row fail, even when a later change of the batch removes it.
func (r *diffRun) probe() {
	views := map[string]*oracle.Graph{}
	for _, l := range r.live {
		if l.shape.mayFail && l.failed == nil {
			if _, err := r.evaluate(l, views); err != nil {
				l.failed = err
			}
		}
	}
}

// check compares every live query with the oracle after a step.
func (r *diffRun) check(diffs []Diff) {
	r.t.Helper()
	byQuery := map[string]Diff{}
	for _, d := range diffs {
		byQuery[d.QueryID] = d
	}
	views := map[string]*oracle.Graph{}
	live := r.live[:0]
	for _, l := range append([]*liveQuery(nil), r.live...) {
		want, oerr := r.evaluate(l, views)
		if l.failed != nil {
			// The engine fails at the first change of a batch that makes
			// a row fail; a later change may make another row fail with
			// another error, which the final state's evaluation may meet
			// first.
			oerr = l.failed
		}
		l.failed = nil
		if oerr != nil || l.q.Err() != nil {
			r.agreeOnFailure(l, oerr, "after the step")
			continue
		}
		d := byQuery[l.id]
		if !d.Empty() {
			r.stats.emitted[l.shape.name]++
		}
		if err := l.shadow.applyIn(d, l.shape.mode()); err != nil {
			r.fatalf(l, "diff stream: %v\ndiff: %+v", err, d)
		}
		r.compare(l, want)
		live = append(live, l)
	}
	r.live = live
}

// advance moves the engine's and the model's clocks. No shape reads the
// clock, so no result may change.
func (r *diffRun) advance() {
	to := r.m.Now().Add(time.Duration(r.rng.Intn(4000)-500) * time.Millisecond)
	r.note("advance to " + to.Format("15:04:05.000"))
	diffs, err := r.e.AdvanceTo(to)
	if err != nil {
		r.fatalf(nil, "AdvanceTo: %v", err)
	}
	r.m.AdvanceTo(to)
	r.stats.moves++
	if len(diffs) > 0 {
		r.fatalf(nil, "a clock move changed results though no query reads the clock: %+v", diffs)
	}
	if !r.e.Now().Equal(r.m.Now()) {
		r.fatalf(nil, "clock: the engine reads %v, the model %v", r.e.Now(), r.m.Now())
	}
}

// applyStep draws a batch, applies it to the engine and to the model, and
// checks that both refuse the same change.
func (r *diffRun) applyStep() []Diff {
	r.t.Helper()
	r.at = r.at.Add(time.Duration(r.rng.Intn(3)) * time.Second) // equal times now and then
	n := 1
	if r.rng.Intn(6) == 0 { // sometimes a multi-change step
		n += 1 + r.rng.Intn(2)
	}
	batch := make([]Change, n)
	for i := range batch {
		batch[i] = r.gen.change(r.at)
		r.note(describe(batch[i]))
	}
	mcs := modelChanges(batch) // before the engine owns the batch's maps
	diffs, err := r.e.Apply(batch)
	refused := -1
	var why error
	for i, mc := range mcs {
		if why = r.m.Apply(mc); why != nil {
			refused = i
			break
		}
		r.stats.changes++
		if i < len(mcs)-1 {
			r.probe()
		}
	}
	switch {
	case refused < 0 && err != nil:
		r.fatalf(nil, "the engine refused a change the model takes: %v", err)
	case refused >= 0 && err == nil:
		r.fatalf(nil, "the engine took change %d, which the model refuses: %v", refused, why)
	case refused >= 0 && !strings.HasPrefix(err.Error(), fmt.Sprintf("change %d (", refused)):
		r.fatalf(nil, "the engine refused %v; the model refuses change %d: %v", err, refused, why)
	case refused >= 0:
		r.stats.refused++
		r.note(fmt.Sprintf("refused change %d: %v", refused, err))
	}
	if !r.e.Now().Equal(r.m.Now()) {
		r.fatalf(nil, "clock: the engine reads %v, the model %v", r.e.Now(), r.m.Now())
	}
	return diffs
}

// TestDifferentialAgainstOracle applies random changes from two sources
// (and some without a source) and random clock moves to an engine running
// every shape of diffShapes, and after every step compares each query's
// incremental result, and the result rebuilt from its diffs, with the
// oracle's from-scratch evaluation over the graph its model built from the
// same changes. A query that fails must fail where the oracle does; it is
// then registered again later. Half the shapes start on the empty graph,
// the rest bootstrap part-way through a run.
//
// It stops at VIGIL_DIFF_CHANGES changes (default 30,000) or after
// VIGIL_DIFF_BUDGET (default 35s); with -short, at 3,000 or after 7s.
func TestDifferentialAgainstOracle(t *testing.T) {
	limit, budget := diffLimits(t, 30000, 35*time.Second)
	runDifferential(t, diffShapes, limit, budget, true)
}

// runDifferential is the random differential test over shapes: at most
// limit changes, stopping after budget. With coverage, a long enough run
// fails when a shape never emitted a diff or a shape that may fail never
// did.
func runDifferential(t *testing.T, shapes []diffShape, limit int, budget time.Duration, coverage bool) {
	seed := sharedtest.Seed(t)
	rng := rand.New(rand.NewSource(seed))
	deadline := time.Now().Add(budget)
	const perRun = 1500
	st := &diffStats{emitted: map[string]int{}, failures: map[string]int{}}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	stopped := false
	// The budget stops the loop between steps; Within bounds a step that
	// never returns.
	sharedtest.Within(t, budget+time.Minute, fmt.Sprintf("the differential test, seed %d", seed), func() {
		for ; st.changes < limit && !stopped; st.runs++ {
			m := oracle.NewModel(start)
			// Floats equal to ints (1.0 beside 1) are drawn in half the runs:
			// a change from 3.0 to 3 must show at any depth.
			gen := &changeGen{rng: rng, m: m, equalNumbers: st.runs%2 == 0 || os.Getenv("VIGIL_DIFF_EQUAL_NUMBERS") != ""}
			// Every third run keeps every result's rows, so that queries
			// whose results are derived by default also run stored.
			opts := Options{Start: start, StoreAllResults: st.runs%3 == 2}
			r := &diffRun{t: t, seed: seed, run: st.runs, rng: rng, e: New(opts), m: m,
				gen: gen, at: start, revive: map[int][]diffShape{}, again: map[string]int{}, stats: st}
			var late []diffShape
			for i, s := range shapes {
				if (i+st.runs)%2 == 0 {
					r.register(s)
				} else {
					late = append(late, s)
				}
			}
			for r.step = 0; r.step < perRun && st.changes < limit; r.step++ {
				if time.Now().After(deadline) {
					stopped = true
					break
				}
				if r.step == perRun/4 {
					for _, s := range late {
						r.register(s)
					}
				}
				for _, s := range r.revive[r.step] {
					r.register(s)
				}
				if r.rng.Intn(10) == 0 {
					r.advance()
					r.check(nil)
				}
				r.check(r.applyStep())
			}
		}
	})
	t.Logf("%d runs, %d changes (%d refused as malformed), %d clock moves, %d result checks over %d shapes",
		st.runs, st.changes, st.refused, st.moves, st.checks, len(shapes))
	t.Logf("failures the engine and the oracle agreed on: %v", st.failures)
	if stopped {
		t.Logf("stopped at the time budget (%v) after %d of %d changes; VIGIL_DIFF_BUDGET raises it", budget, st.changes, limit)
	}
	if st.changes < min(limit, 100) {
		t.Fatalf("only %d changes within the %v budget: the machine is too slow or a step hangs (raise VIGIL_DIFF_BUDGET)", st.changes, budget)
	}
	if coverage && st.changes >= 5000 {
		// Enough changes that a shape which never moved checks nothing.
		for _, s := range shapes {
			if st.emitted[s.name] == 0 {
				t.Errorf("%s: emitted no diff in %d changes: the shape checks nothing", s.name, st.changes)
			}
			if s.mayFail && st.failures[s.name] == 0 {
				t.Errorf("%s: never failed in %d changes: its failure is not checked", s.name, st.changes)
			}
		}
	}
}
