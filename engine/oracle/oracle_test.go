package oracle

import (
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/functions"
	"github.com/vigilhq/vigil/grammar/ast"
	"github.com/vigilhq/vigil/grammar/cypher"
)

// testGraph is a small social graph:
//
//	(a1:Person {name:'Ann', age:30}) -[r1:KNOWS {since:2000}]-> (b1:Person {name:'Bob', age:25})
//	(b1) -[r2:KNOWS {since:2010}]-> (c1:Person:Admin {name:'Cid', age:40})
//	(a1) -[r3:LIVES_IN]-> (d1:City {name:'Oslo'})
//	(c1) -[r4:KNOWS]-> (c1)            a self-loop
//	(e1)                               no labels, no properties
func testGraph() *Graph {
	node := func(id string, labels []string, props map[string]value.Value) *value.Node {
		return &value.Node{ID: id, Labels: labels, Props: value.PropsOf(props)}
	}
	rel := func(id, typ, from, to string, props map[string]value.Value) *value.Rel {
		return &value.Rel{ID: id, Type: typ, From: from, To: to, Props: value.PropsOf(props)}
	}
	g := &Graph{Nodes: map[string]*value.Node{}, Rels: map[string]*value.Rel{}}
	for _, n := range []*value.Node{
		node("a1", []string{"Person"}, map[string]value.Value{"name": value.Str("Ann"), "age": value.Int(30)}),
		node("b1", []string{"Person"}, map[string]value.Value{"name": value.Str("Bob"), "age": value.Int(25)}),
		node("c1", []string{"Person", "Admin"}, map[string]value.Value{"name": value.Str("Cid"), "age": value.Int(40)}),
		node("d1", []string{"City"}, map[string]value.Value{"name": value.Str("Oslo")}),
		node("e1", nil, nil),
	} {
		g.Nodes[n.ID] = n
	}
	for _, r := range []*value.Rel{
		rel("r1", "KNOWS", "a1", "b1", map[string]value.Value{"since": value.Int(2000)}),
		rel("r2", "KNOWS", "b1", "c1", map[string]value.Value{"since": value.Int(2010)}),
		rel("r3", "LIVES_IN", "a1", "d1", nil),
		rel("r4", "KNOWS", "c1", "c1", nil),
	} {
		g.Rels[r.ID] = r
	}
	return g
}

// envRegistry is a tiny registry whose functions read the functions.Env the
// oracle provides.
func envRegistry() *functions.Registry {
	r := functions.NewRegistry("test")
	r.AddScalar("nowYear", &functions.Scalar{Name: "nowYear", Fn: func(env functions.Env, _ []value.Value) (value.Value, error) {
		return value.Int(int64(env.Now().Year())), nil
	}})
	r.AddScalar("nameOf", &functions.Scalar{Name: "nameOf", MinArgs: 1, MaxArgs: 1, Fn: func(env functions.Env, a []value.Value) (value.Value, error) {
		if n := env.Node(a[0].AsString()); n != nil {
			return n.Props.Get("name"), nil
		}
		return value.Null, nil
	}})
	return r
}

// render turns result rows into "v1 | v2" strings, sorted unless ordered.
func render(rows [][]value.Value, ordered bool) []string {
	out := []string{}
	for _, r := range rows {
		parts := make([]string, len(r))
		for i, v := range r {
			parts[i] = v.String()
		}
		out = append(out, strings.Join(parts, " | "))
	}
	if !ordered {
		sort.Strings(out)
	}
	return out
}

func parse(t *testing.T, text string) *ast.Query {
	t.Helper()
	q, err := cypher.Parse(text)
	if err != nil {
		t.Fatalf("parse %q: %v", text, err)
	}
	return q
}

type testCase struct {
	name    string
	query   string
	edit    func(q *ast.Query) // optional change to the parsed AST
	params  map[string]value.Value
	cols    []string // checked when non-nil
	rows    []string // rendered rows; compared in order when ordered
	ordered bool
}

func runCases(t *testing.T, cases []testCase) {
	t.Helper()
	g := testGraph()
	funcs := functions.Cypher()
	now := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := parse(t, tc.query)
			if tc.edit != nil {
				tc.edit(q)
			}
			res, err := Evaluate(q, g, tc.params, funcs, now)
			if err != nil {
				t.Fatalf("%s: %v", tc.query, err)
			}
			if tc.cols != nil && strings.Join(res.Columns, ",") != strings.Join(tc.cols, ",") {
				t.Errorf("%s: columns %v, want %v", tc.query, res.Columns, tc.cols)
			}
			if res.Ordered != tc.ordered {
				t.Errorf("%s: Ordered = %v, want %v", tc.query, res.Ordered, tc.ordered)
			}
			got := render(res.Rows, tc.ordered)
			want := append([]string{}, tc.rows...)
			if !tc.ordered {
				sort.Strings(want)
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s:\n got %q\nwant %q", tc.query, got, want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	runCases(t, []testCase{
		{name: "label", query: "MATCH (p:Person) RETURN p.name AS n", cols: []string{"n"},
			rows: []string{"'Ann'", "'Bob'", "'Cid'"}},
		{name: "label and", query: "MATCH (p:Person:Admin) RETURN p.name AS n", rows: []string{"'Cid'"}},
		{name: "label or", query: "MATCH (p:Admin|City) RETURN p.name AS n", rows: []string{"'Cid'", "'Oslo'"}},
		{name: "any node", query: "MATCH (n) RETURN count(*) AS c", rows: []string{"5"}},
		{name: "property map", query: "MATCH (p {name: 'Bob'}) RETURN p.age AS a", rows: []string{"25"}},
		{name: "null in property map never matches", query: "MATCH (p {name: null}) RETURN p", rows: nil},
		{name: "property map from param", query: "MATCH (p:Person $props) RETURN p.name AS n",
			params: map[string]value.Value{"props": value.Map(map[string]value.Value{"age": value.Float(40)})},
			rows:   []string{"'Cid'"}},
		{name: "inline where", query: "MATCH (p:Person WHERE p.age < 30) RETURN p.name AS n", rows: []string{"'Bob'"}},
		{name: "outgoing", query: "MATCH (a)-[:KNOWS]->(b) RETURN a.name AS a, b.name AS b",
			rows: []string{"'Ann' | 'Bob'", "'Bob' | 'Cid'", "'Cid' | 'Cid'"}},
		{name: "incoming", query: "MATCH (a)<-[:KNOWS]-(b) RETURN a.name AS a, b.name AS b",
			rows: []string{"'Bob' | 'Ann'", "'Cid' | 'Bob'", "'Cid' | 'Cid'"}},
		{name: "undirected, self-loop once", query: "MATCH (a)-[:KNOWS]-(b) RETURN a.name AS a, b.name AS b",
			rows: []string{"'Ann' | 'Bob'", "'Bob' | 'Ann'", "'Bob' | 'Cid'", "'Cid' | 'Bob'", "'Cid' | 'Cid'"}},
		{name: "rel types or", query: "MATCH (a {name: 'Ann'})-[r:KNOWS|LIVES_IN]->(b) RETURN type(r) AS t, b.name AS b",
			rows: []string{"'KNOWS' | 'Bob'", "'LIVES_IN' | 'Oslo'"}},
		{name: "rel property map", query: "MATCH (a)-[r {since: 2010}]->(b) RETURN a.name AS a, b.name AS b",
			rows: []string{"'Bob' | 'Cid'"}},
		{name: "rel inline where", query: "MATCH (a)-[r WHERE r.since < 2005]->(b) RETURN b.name AS b",
			rows: []string{"'Bob'"}},
		{name: "repeated node variable", query: "MATCH (a)-->(a) RETURN a.name AS a", rows: []string{"'Cid'"}},
		{name: "relationship uniqueness in a path", query: "MATCH (a:Person)-[:KNOWS]-(b)-[:KNOWS]-(a) RETURN a, b", rows: nil},
		{name: "relationship uniqueness across patterns", query: "MATCH ()-[r]->(), ()-[s]->() RETURN count(*) AS c",
			rows: []string{"12"}},
		{name: "no uniqueness across clauses", query: "MATCH ()-[r]->() MATCH ()-[s]->() RETURN count(*) AS c",
			rows: []string{"16"}},
		{name: "node homomorphism", query: "MATCH (a {name: 'Bob'})--(x), (b {name: 'Cid'})--(x) RETURN x.name AS x, b = x AS same",
			rows: []string{"'Cid' | true"}},
		{name: "bound from earlier clause", query: "MATCH (a {name: 'Ann'}) MATCH (a)-->(b) RETURN b.name AS b",
			rows: []string{"'Bob'", "'Oslo'"}},
		{name: "bound relationship", query: "MATCH ()-[r {since: 2000}]->() MATCH (x)-[r]-(y) RETURN x.name AS x, y.name AS y",
			rows: []string{"'Ann' | 'Bob'", "'Bob' | 'Ann'"}},
		{name: "cartesian product", query: "MATCH (a:City), (b:Admin) RETURN a.name AS a, b.name AS b",
			rows: []string{"'Oslo' | 'Cid'"}},
		{name: "where", query: "MATCH (p:Person) WHERE p.age >= 30 RETURN p.name AS n", rows: []string{"'Ann'", "'Cid'"}},
		{name: "where three-valued or", query: "MATCH (p:Person) WHERE p.missing > 1 OR p.age > 35 RETURN p.name AS n",
			rows: []string{"'Cid'"}},
		{name: "where null is not true", query: "MATCH (p:Person) WHERE NOT (p.missing = 1) RETURN p.name AS n", rows: nil},
		{name: "path variable", query: "MATCH p = (a {name: 'Bob'})-[:KNOWS]->(b) RETURN p",
			rows: []string{"<(:Person {age: 25, name: 'Bob'})-[:KNOWS {since: 2010}]->(:Person:Admin {age: 40, name: 'Cid'})>"}},
		{name: "path against direction", query: "MATCH p = (a {name: 'Bob'})<--(b) RETURN p",
			rows: []string{"<(:Person {age: 25, name: 'Bob'})<-[:KNOWS {since: 2000}]-(:Person {age: 30, name: 'Ann'})>"}},
		{name: "single-node path", query: "MATCH p = (a:City) RETURN p", rows: []string{"<(:City {name: 'Oslo'})>"}},
	})
}

func TestVarLength(t *testing.T) {
	runCases(t, []testCase{
		{name: "unbounded", query: "MATCH (a {name: 'Ann'})-[:KNOWS*]->(b) RETURN b.name AS b",
			rows: []string{"'Bob'", "'Cid'", "'Cid'"}},
		{name: "zero length binds both ends to one node", query: "MATCH (a {name: 'Ann'})-[:KNOWS*0..1]->(b) RETURN b.name AS b",
			rows: []string{"'Ann'", "'Bob'"}},
		{name: "zero length end must match its pattern", query: "MATCH (a {name: 'Ann'})-[*0..1]->(b:City) RETURN b.name AS b",
			rows: []string{"'Oslo'"}},
		{name: "exact", query: "MATCH (a {name: 'Ann'})-[r:KNOWS*2]->(b) RETURN b.name AS b, size(r) AS n",
			rows: []string{"'Cid' | 2"}},
		{name: "bounded above", query: "MATCH (a {name: 'Ann'})-[:KNOWS*..2]->(b) RETURN b.name AS b",
			rows: []string{"'Bob'", "'Cid'"}},
		{name: "binds a relationship list", query: "MATCH (a {name: 'Ann'})-[r*2..2]->(b) RETURN r",
			rows: []string{"[[:KNOWS {since: 2000}], [:KNOWS {since: 2010}]]"}},
		{name: "undirected", query: "MATCH (a {name: 'Oslo'})-[*]-(b:Admin) RETURN count(*) AS c",
			rows: []string{"2"}},
		{name: "property map applies to every relationship", query: "MATCH (a)-[*2 {since: 2000}]->(b) RETURN a", rows: nil},
		{name: "bound relationship list", query: "MATCH ()-[r*2]->() WITH r MATCH (x)-[r*]-(y) RETURN x.name AS x, y.name AS y",
			// r is [r1 r2] (Ann to Cid) or [r2 r4] (Bob to Cid to Cid); the
			// list must be walked in its order.
			rows: []string{"'Ann' | 'Cid'", "'Bob' | 'Cid'"}},
		{name: "path through a var-length segment", query: "MATCH p = (a {name: 'Ann'})-[:KNOWS*2]->(b)-[:KNOWS]->(c) RETURN p",
			rows: []string{"<(:Person {age: 30, name: 'Ann'})-[:KNOWS {since: 2000}]->(:Person {age: 25, name: 'Bob'})-[:KNOWS {since: 2010}]->(:Person:Admin {age: 40, name: 'Cid'})-[:KNOWS]->(:Person:Admin {age: 40, name: 'Cid'})>"}},
		{name: "uniqueness with a fixed hop", query: "MATCH (a {name: 'Cid'})-[:KNOWS*]-(b), (b)-[s:KNOWS]-(c) RETURN b.name AS b, c.name AS c",
			// Cid's segments: [r4] to Cid, [r2] to Bob, [r2 r1] to Ann, [r4 r2] to
			// Bob, [r4 r2 r1] to Ann; s must be a relationship of b not in the
			// segment.
			rows: []string{"'Cid' | 'Bob'", "'Bob' | 'Ann'", "'Bob' | 'Ann'"}},
	})
}

func TestOptionalMatch(t *testing.T) {
	runCases(t, []testCase{
		{name: "nulls for new variables", query: "MATCH (p:Person) OPTIONAL MATCH (p)-[:LIVES_IN]->(c) RETURN p.name AS p, c.name AS c",
			rows: []string{"'Ann' | 'Oslo'", "'Bob' | null", "'Cid' | null"}},
		{name: "where is part of the match", query: "MATCH (p:Person) OPTIONAL MATCH (p)-[:KNOWS]->(q) WHERE q.age > 30 RETURN p.name AS p, q.name AS q",
			rows: []string{"'Ann' | null", "'Bob' | 'Cid'", "'Cid' | 'Cid'"}},
		{name: "alone", query: "OPTIONAL MATCH (x:Nope) RETURN x", rows: []string{"null"}},
		{name: "null variable matches nothing later", query: "OPTIONAL MATCH (x:Nope) MATCH (x)-->(y) RETURN y", rows: nil},
		{name: "null variable in a later optional match", query: "OPTIONAL MATCH (x:Nope) OPTIONAL MATCH (x)-[r]->(y) RETURN x, r, y",
			rows: []string{"null | null | null"}},
		{name: "optional path variable", query: "MATCH (c:City) OPTIONAL MATCH p = (c)-->() RETURN c.name AS c, p",
			rows: []string{"'Oslo' | null"}},
		{name: "count of optional nulls", query: "MATCH (p:Person) OPTIONAL MATCH (p)-[:LIVES_IN]->(c) RETURN count(c) AS c, count(*) AS n",
			rows: []string{"1 | 3"}},
	})
}

func TestUnwind(t *testing.T) {
	runCases(t, []testCase{
		{name: "list", query: "UNWIND [1, null, 2] AS x RETURN x", rows: []string{"1", "null", "2"}},
		{name: "null", query: "UNWIND null AS x RETURN x", rows: nil},
		{name: "empty", query: "UNWIND [] AS x RETURN x", rows: nil},
		{name: "scalar", query: "UNWIND 5 AS x RETURN x", rows: []string{"5"}},
		{name: "per row", query: "MATCH (p:Person) UNWIND [p.age, p.age + 1] AS a RETURN a",
			rows: []string{"25", "26", "30", "31", "40", "41"}},
	})
}

func TestAggregation(t *testing.T) {
	runCases(t, []testCase{
		{name: "global", query: "MATCH (p:Person) RETURN count(*) AS c, sum(p.age) AS s, collect(p.name) AS names, min(p.age) AS lo, max(p.age) AS hi",
			rows: []string{"3 | 95 | ['Ann', 'Bob', 'Cid'] | 25 | 40"}},
		{name: "global over no rows", query: "MATCH (p:Nope) RETURN count(*) AS c, count(p) AS cp, collect(p) AS l, sum(p.x) AS s, max(p.x) AS m",
			rows: []string{"0 | 0 | [] | 0 | null"}},
		{name: "grouped over no rows", query: "MATCH (p:Nope) RETURN p.name AS n, count(*) AS c", rows: nil},
		{name: "constant key over no rows", query: "UNWIND [] AS x RETURN 1 AS one, count(*) AS c", rows: nil},
		{name: "grouping", query: "MATCH (a)-[:KNOWS]->(b) RETURN b.name AS n, count(*) AS c",
			rows: []string{"'Bob' | 1", "'Cid' | 2"}},
		{name: "grouping by node", query: "MATCH (a)-[:KNOWS]->(b) RETURN b, count(a) AS c",
			rows: []string{"(:Person {age: 25, name: 'Bob'}) | 1", "(:Person:Admin {age: 40, name: 'Cid'}) | 2"}},
		{name: "expression mixing aggregates", query: "MATCH (p:Person) RETURN count(*) * 10 + max(p.age) AS x",
			rows: []string{"70"}},
		{name: "grouping key inside aggregate expression", query: "MATCH (a)-[:KNOWS]->(b) RETURN b.name AS n, b.age + count(*) AS x",
			rows: []string{"'Bob' | 26", "'Cid' | 42"}},
		{name: "grouping by equivalence", query: "UNWIND [1, 1.0, null, null] AS x RETURN x, count(*) AS c",
			rows: []string{"1 | 2", "null | 2"}},
		{name: "nulls ignored", query: "UNWIND [1, null, 2] AS x RETURN count(x) AS c, collect(x) AS l",
			rows: []string{"2 | [1, 2]"}},
		{name: "distinct aggregate", query: "UNWIND [1, 1, 2, null, 1.0] AS x RETURN count(DISTINCT x) AS c, collect(DISTINCT x) AS l",
			rows: []string{"2 | [1, 2]"}},
		{name: "explicit group by", query: "UNWIND [1, 2, 3] AS x RETURN count(*) AS c",
			edit: func(q *ast.Query) {
				ret := q.Parts[0].Clauses[1].(*ast.Return)
				ret.GroupBy = []ast.Expr{&ast.Binary{Op: ast.OpMod, L: &ast.Var{Name: "x"}, R: &ast.Literal{Kind: ast.LitInt, Int: 2}}}
			},
			rows: []string{"1", "2"}},
		{name: "explicit empty group by is one global group", query: "UNWIND [] AS x RETURN 1 AS one, count(*) AS c",
			edit: func(q *ast.Query) {
				q.Parts[0].Clauses[1].(*ast.Return).GroupBy = []ast.Expr{}
			},
			rows: []string{"1 | 0"}},
		{name: "explicit group by without aggregates", query: "UNWIND [1, 2, 3, 4] AS x RETURN x % 2 AS k",
			edit: func(q *ast.Query) {
				ret := q.Parts[0].Clauses[1].(*ast.Return)
				ret.GroupBy = []ast.Expr{ret.Items[0].Expr}
			},
			rows: []string{"0", "1"}},
		{name: "with aggregation then where", query: "MATCH (a)-[:KNOWS]->(b) WITH b, count(*) AS c WHERE c > 1 RETURN b.name AS n",
			rows: []string{"'Cid'"}},
		{name: "aggregate in list comprehension", query: "UNWIND [1, 2] AS x RETURN [y IN collect(x) | y * 2] AS l",
			rows: []string{"[2, 4]"}},
	})
}

func TestProjection(t *testing.T) {
	runCases(t, []testCase{
		{name: "distinct", query: "MATCH (a)-[:KNOWS]->(b) RETURN DISTINCT b.name AS n", rows: []string{"'Bob'", "'Cid'"}},
		{name: "distinct by equivalence", query: "UNWIND [1, 1.0, null, null, 'a'] AS x RETURN DISTINCT x",
			rows: []string{"1", "null", "'a'"}},
		{name: "order by pre-projection variable, skip, limit", query: "MATCH (p:Person) RETURN p.name AS n ORDER BY p.age DESC SKIP 1 LIMIT 1",
			rows: []string{"'Ann'"}, ordered: true},
		{name: "order by alias", query: "MATCH (p:Person) RETURN p.age AS age ORDER BY age",
			rows: []string{"25", "30", "40"}, ordered: true},
		{name: "order by alias shadowing a variable", query: "MATCH (p:Person) RETURN -p.age AS p ORDER BY p",
			rows: []string{"-40", "-30", "-25"}, ordered: true},
		{name: "order by mixed kinds, null last", query: "UNWIND [3, null, 1, 'a', 2.5] AS x RETURN x ORDER BY x",
			rows: []string{"'a'", "1", "2.5", "3", "null"}, ordered: true},
		{name: "order by descending, null first", query: "UNWIND [3, null, 1] AS x RETURN x ORDER BY x DESC",
			rows: []string{"null", "3", "1"}, ordered: true},
		{name: "order by several keys", query: "UNWIND [[1, 'b'], [2, 'a'], [1, 'a']] AS p RETURN p[0] AS x, p[1] AS y ORDER BY x DESC, y",
			rows: []string{"2 | 'a'", "1 | 'a'", "1 | 'b'"}, ordered: true},
		{name: "order by aggregate", query: "MATCH (a)-[:KNOWS]->(b) RETURN b.name AS n, count(*) AS c ORDER BY c DESC",
			rows: []string{"'Cid' | 2", "'Bob' | 1"}, ordered: true},
		{name: "order by distinct", query: "UNWIND [2, 1, 2, 3] AS x RETURN DISTINCT x ORDER BY x DESC LIMIT 2",
			rows: []string{"3", "2"}, ordered: true},
		{name: "skip and limit from parameters", query: "UNWIND [1, 2, 3, 4, 5] AS x RETURN x ORDER BY x SKIP $s LIMIT $l",
			params: map[string]value.Value{"s": value.Int(1), "l": value.Int(2)},
			rows:   []string{"2", "3"}, ordered: true},
		{name: "skip past the end", query: "UNWIND [1, 2] AS x RETURN x SKIP 5", rows: nil},
		{name: "limit 0", query: "UNWIND [1, 2] AS x RETURN x LIMIT 0", rows: nil},
		{name: "with where", query: "MATCH (p:Person) WITH p.age AS age WHERE age > 26 RETURN age", rows: []string{"30", "40"}},
		{name: "with where after limit", query: "UNWIND [1, 2, 3, 4] AS x WITH x ORDER BY x DESC LIMIT 2 WHERE x < 4 RETURN x",
			rows: []string{"3"}},
		{name: "with drops variables", query: "MATCH (p:Person) WITH p.name AS n RETURN *", cols: []string{"n"},
			rows: []string{"'Ann'", "'Bob'", "'Cid'"}},
		{name: "with star", query: "MATCH (p:City) WITH *, p.name AS n RETURN *", cols: []string{"n", "p"},
			rows: []string{"'Oslo' | (:City {name: 'Oslo'})"}},
		{name: "return star sorted, anonymous excluded", query: "MATCH (c)<-[r:LIVES_IN]-(a)-->() RETURN *", cols: []string{"a", "c", "r"},
			// r3 is used, so the anonymous hop can only be r1.
			rows: []string{"(:Person {age: 30, name: 'Ann'}) | (:City {name: 'Oslo'}) | [:LIVES_IN]"}},
		{name: "only the last projection orders", query: "UNWIND [2, 1] AS x WITH x ORDER BY x RETURN x", rows: []string{"1", "2"}},
		{name: "no match clause", query: "RETURN 1 AS one", cols: []string{"one"}, rows: []string{"1"}},
	})
}

func TestUnion(t *testing.T) {
	runCases(t, []testCase{
		{name: "union", query: "UNWIND [1, 2, 2] AS x RETURN x UNION UNWIND [2, 3, 2.0] AS x RETURN x",
			rows: []string{"1", "2", "3"}},
		{name: "union all", query: "UNWIND [1, 2, 2] AS x RETURN x UNION ALL UNWIND [2, 3] AS x RETURN x",
			rows: []string{"1", "2", "2", "2", "3"}},
		{name: "union is not ordered", query: "RETURN 2 AS x UNION RETURN 1 AS x ORDER BY x", rows: []string{"1", "2"}},
	})
}

func TestExpressions(t *testing.T) {
	runCases(t, []testCase{
		{name: "simple case", query: "UNWIND [1, 2, null] AS x RETURN CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' ELSE 'c' END AS v",
			rows: []string{"'a'", "'b'", "'c'"}},
		{name: "generic case", query: "RETURN CASE WHEN null THEN 1 WHEN 1 > 0 THEN 2 END AS a, CASE WHEN false THEN 1 END AS b",
			rows: []string{"2 | null"}},
		{name: "list comprehension", query: "RETURN [x IN [1, 2, 3] WHERE x > 1 | x * 10] AS a, [x IN [1, 2] | x] AS b, [x IN [1, 2] WHERE x > 1] AS c, [x IN null | x] AS d",
			rows: []string{"[20, 30] | [1, 2] | [2] | null"}},
		{name: "pattern comprehension", query: "MATCH (a {name: 'Ann'}) RETURN [(a)-->(b) | b.name] AS l, [(a)-[r]->(b:City) WHERE b.name = 'Nowhere' | r] AS m",
			rows: []string{"['Bob', 'Oslo'] | []"}},
		{name: "quantifiers with null", query: "RETURN all(x IN [1, null] WHERE x > 0) AS a, any(x IN [1, null] WHERE x > 0) AS b, none(x IN [1, null] WHERE x > 5) AS c, single(x IN [1, null] WHERE x = 1) AS d",
			rows: []string{"null | true | null | null"}},
		{name: "quantifiers decided", query: "RETURN all(x IN [1, null] WHERE x > 5) AS a, any(x IN [] WHERE true) AS b, none(x IN [1, null] WHERE x = 1) AS c, single(x IN [1, 1, null] WHERE x = 1) AS d, single(x IN [1, 2] WHERE x = 1) AS e, all(x IN null WHERE true) AS f",
			rows: []string{"false | false | false | false | true | null"}},
		{name: "reduce", query: "RETURN reduce(s = 0, x IN [1, 2, 3] | s + x) AS r, reduce(s = 0, x IN null | s + x) AS n",
			rows: []string{"6 | null"}},
		{name: "pattern predicate", query: "MATCH (p:Person) WHERE (p)-[:LIVES_IN]->() RETURN p.name AS n", rows: []string{"'Ann'"}},
		{name: "negated pattern predicate", query: "MATCH (p:Person) WHERE NOT (p)-[:KNOWS]->() RETURN p.name AS n", rows: nil},
		{name: "exists subquery", query: "MATCH (p:Person) WHERE EXISTS { MATCH (p)-[:KNOWS]->(q) WHERE q.age > 30 } RETURN p.name AS n",
			rows: []string{"'Bob'", "'Cid'"}},
		{name: "exists pattern form", query: "MATCH (p:Person) RETURN p.name AS n, EXISTS { (p)<-[:KNOWS]-(:Person {name: 'Ann'}) } AS e",
			rows: []string{"'Ann' | false", "'Bob' | true", "'Cid' | false"}},
		{name: "label predicate", query: "MATCH (p:Person) RETURN p.name AS n, p:Admin AS a", rows: []string{"'Ann' | false", "'Bob' | false", "'Cid' | true"}},
		{name: "is null", query: "MATCH (p) RETURN p.name IS NULL AS a, p.name IS NOT NULL AS b",
			rows: []string{"false | true", "false | true", "false | true", "false | true", "true | false"}},
		{name: "property of null and map", query: "WITH null AS n, {a: 1, b: {c: 'x'}} AS m RETURN n.x AS a, m.a AS b, m.b.c AS c, m.zz AS d, m['a'] AS e",
			rows: []string{"null | 1 | 'x' | null | 1"}},
		{name: "index and slice", query: "RETURN [1, 2, 3][0] AS a, [1, 2, 3][-1] AS b, [1, 2, 3][1..] AS c, [1, 2, 3][..1] AS d, [1, 2, 3][5] AS e",
			rows: []string{"1 | 3 | [2, 3] | [1] | null"}},
		{name: "parameters", query: "RETURN $p AS p, $m.k AS k", params: map[string]value.Value{
			"p": value.Str("x"), "m": value.Map(map[string]value.Value{"k": value.Int(7)})},
			rows: []string{"'x' | 7"}},
		{name: "literals", query: "RETURN [1, 'a', null, true, 1.5] AS l, {k: [1]} AS m",
			rows: []string{"[1, 'a', null, true, 1.5] | {k: [1]}"}},
		{name: "logic", query: "RETURN null AND false AS a, null OR true AS b, null AND true AS c, true XOR false AS d, NOT null AS e",
			rows: []string{"false | true | null | true | null"}},
		{name: "arithmetic and strings", query: "RETURN 1 + 2 * 3 AS a, 'ab' + 'c' AS b, 7 % 3 AS c, 'abc' STARTS WITH 'a' AS d, 2 IN [1, 2] AS e, 'x' =~ 'x+' AS f",
			rows: []string{"7 | 'abc' | 1 | true | true | true"}},
		{name: "comparisons", query: "RETURN 1 < 2 AS a, 1 = 1.0 AS b, 1 = null AS c, 'a' < 1 AS d, 1 <> 2 AS e",
			rows: []string{"true | true | null | null | true"}},
		{name: "scalar functions", query: "MATCH (p:City) RETURN toUpper(p.name) AS u, size([1, 2]) AS s, coalesce(p.x, 'd') AS c",
			rows: []string{"'OSLO' | 2 | 'd'"}},
		{name: "unary", query: "RETURN -(1) AS a, +2 AS b, -null AS c, - 1.5 AS d", rows: []string{"-1 | 2 | null | -1.5"}},
		{name: "relationship property", query: "MATCH ()-[r:KNOWS]->() RETURN r.since AS s", rows: []string{"2000", "2010", "null"}},
	})
}

// TestHandBuiltAST covers AST forms that the Cypher front-end does not
// produce (GQL label expressions and ||).
func TestHandBuiltAST(t *testing.T) {
	g := testGraph()
	ret := func(items ...*ast.ProjectionItem) *ast.Return {
		return &ast.Return{Projection: ast.Projection{Items: items}}
	}
	item := func(alias string, e ast.Expr) *ast.ProjectionItem { return &ast.ProjectionItem{Expr: e, Alias: alias} }
	name := &ast.Prop{Subject: &ast.Var{Name: "n"}, Key: "name"}
	match := func(l ast.LabelExpr) *ast.Match {
		return &ast.Match{Pattern: ast.Pattern{{Nodes: []*ast.NodePattern{{Var: "n", Labels: l}}}}}
	}
	str := func(s string) ast.Expr { return &ast.Literal{Kind: ast.LitString, Str: s} }
	cases := []struct {
		name string
		q    *ast.Query
		want []string
	}{
		{"label not", &ast.Query{Parts: []*ast.SingleQuery{{Clauses: []ast.Clause{
			match(&ast.LabelNot{Item: &ast.LabelName{Name: "Person"}}), ret(item("n", name))}}}},
			[]string{"'Oslo'", "null"}},
		{"label any", &ast.Query{Parts: []*ast.SingleQuery{{Clauses: []ast.Clause{
			match(&ast.LabelAny{}), ret(item("n", name))}}}},
			[]string{"'Ann'", "'Bob'", "'Cid'", "'Oslo'"}},
		{"label and of or", &ast.Query{Parts: []*ast.SingleQuery{{Clauses: []ast.Clause{
			match(&ast.LabelAnd{Items: []ast.LabelExpr{
				&ast.LabelOr{Items: []ast.LabelExpr{&ast.LabelName{Name: "Admin"}, &ast.LabelName{Name: "City"}}},
				&ast.LabelNot{Item: &ast.LabelName{Name: "City"}},
			}}), ret(item("n", name))}}}},
			[]string{"'Cid'"}},
		{"concat", &ast.Query{Parts: []*ast.SingleQuery{{Clauses: []ast.Clause{
			ret(item("s", &ast.Binary{Op: ast.OpConcat, L: str("a"), R: str("b")}))}}}},
			[]string{"'ab'"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Evaluate(tc.q, g, nil, functions.Cypher(), time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			got, want := render(res.Rows, false), append([]string{}, tc.want...)
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestEnv(t *testing.T) {
	q := parse(t, "RETURN nowYear() AS y, nameOf('b1') AS n, nameOf('zz') AS z")
	res, err := Evaluate(q, testGraph(), nil, envRegistry(), time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if got := render(res.Rows, true); len(got) != 1 || got[0] != "2031 | 'Bob' | null" {
		t.Errorf("got %q", got)
	}
}

func TestErrors(t *testing.T) {
	g := testGraph()
	for _, text := range []string{
		"RETURN 1 / 0 AS x",
		"UNWIND [1, 0] AS x RETURN 10 / x AS y",
		"MATCH (p:Person) WHERE p.age - 'x' > 1 RETURN p",
		"RETURN $missing AS x",
		"RETURN 1 AS x LIMIT -1",
		"RETURN [x IN 5 | x] AS l",
		"RETURN CASE WHEN 1 THEN 1 END AS x",
		"MATCH (p) WHERE p.name RETURN p",
	} {
		_, err := Evaluate(parse(t, text), g, nil, functions.Cypher(), time.Time{})
		var fe *functions.Error
		if !errors.As(err, &fe) {
			t.Errorf("%s: error %v, want a *functions.Error", text, err)
		}
	}
}
