package ast_test

import (
	"errors"
	"testing"

	"github.com/vigilhq/vigil/grammar/ast"
	"github.com/vigilhq/vigil/grammar/cypher"
)

// testFuncs adds a Drasi function to the TCK's Cypher functions.
var testFuncs = stubFuncs{
	scalars: mergeSets(tckFuncs.scalars, set(`drasi.trueFor drasi.trueLater drasi.trueUntil
		drasi.previousValue drasi.previousDistinctValue drasi.changeDateTime`)),
	aggregates: mergeSets(tckFuncs.aggregates, set("drasi.slidingWindow")),
}

func mergeSets(a, b map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// checkText parses and checks a Cypher query; it fails the test when the
// query does not parse.
func checkText(t *testing.T, text string) error {
	t.Helper()
	q, err := cypher.Parse(text)
	if err != nil {
		t.Fatalf("parse %q: %v", text, err)
	}
	return ast.Check(q, testFuncs)
}

// errCode returns the *ast.Error code of err, "" for nil.
func errCode(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var ae *ast.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %T is not *ast.Error: %v", err, err)
	}
	return ae.Code
}

func TestCheckAcceptsValidQueries(t *testing.T) {
	for _, q := range []string{
		// Scoping through the pipeline.
		`MATCH (a)-[r]->(b) RETURN a, r, b`,
		`MATCH (a)-[r]->() MATCH ()-[r]->() RETURN r`,
		`MATCH (a) OPTIONAL MATCH (a)-->(b) RETURN a, b`,
		`MATCH (a) WITH a MATCH (a)-->(b) RETURN b`,
		`MATCH (a) WITH * MATCH (a)-->(b) RETURN *`,
		`MATCH (a) WITH a.x AS x MATCH (x) RETURN x`, // x's type is unknown
		`UNWIND [1, 2] AS x RETURN x`,
		`MATCH (a) WITH [a] AS l UNWIND l AS n MATCH (n)-->() RETURN n`,
		`MATCH p = (a)-[*]->(b) RETURN length(p), nodes(p), relationships(p)`,
		`MATCH ()-[rs*]->() RETURN size(rs)`,
		// WHERE after WITH sees the variables fed to a non-aggregating WITH.
		`MATCH (a)-->(b) WITH a WHERE b.x = 1 RETURN a`,
		`MATCH (a) WITH DISTINCT a.name AS name WHERE a.name = 'B' RETURN name`,
		`MATCH (a)-->() WITH a, count(*) AS c WHERE c > 1 RETURN a`,
		// ORDER BY scoping.
		`MATCH (n) RETURN n.name AS name ORDER BY n.age`,
		`MATCH (n) RETURN DISTINCT n.name ORDER BY n.name`,
		`MATCH (n) RETURN n.name AS name, count(*) AS c ORDER BY c DESC, name`,
		`MATCH (n) RETURN n, count(*) ORDER BY n.name`,
		`MATCH (n) RETURN n.x % 3 AS m, sum(n.y) AS s ORDER BY sum(n.y), n.x % 3`,
		`MATCH (n) RETURN avg(n.age) AS a ORDER BY $p + avg(n.age) - 1`,
		`MATCH (me)--(you) WITH me.age AS age, count(you.age) AS c ORDER BY me.age + count(you.age) RETURN age`,
		// Aggregation.
		`MATCH (n) RETURN n.x, n.x + count(*)`,
		`MATCH (n) RETURN n, n.x + count(*)`,
		`MATCH (n) RETURN count(*) + 1, $p + count(*)`,
		`MATCH (n) RETURN [x IN collect(n.v) WHERE x > 1 | x * 2] AS l`,
		`MATCH (n) RETURN count(*) + size([x IN [1, 2] | x]) AS c`,
		`MATCH (n) RETURN count(DISTINCT n), collect(n.x)[0]`,
		`MATCH (n) WITH n, count(*) AS c RETURN n, c`,
		// Expressions.
		`RETURN reduce(acc = 0, x IN [1, 2] | acc + x) AS r`,
		`RETURN [x IN [1, 2] WHERE x > 1 | x * 2] AS l, all(y IN [1] WHERE y > 0) AS b`,
		`MATCH (n) WHERE (n)-->(:X) AND exists { MATCH (n)-->(m) WHERE m.x > 1 } RETURN n`,
		`MATCH (n) RETURN [(n)-->(m) WHERE m.x > 1 | m.y] AS ys`,
		`MATCH (n) RETURN drasi.trueFor(n.x > 1, duration({seconds: 5})) AS t`,
		`RETURN 'a' + 1 AS s, [1] + 2 AS l, NOT null AS n, null AND true AS b, 1 IN null AS i`,
		`WITH {a: 1} AS m RETURN m.a`,
		`RETURN CASE WHEN true THEN 1 ELSE 2 END AS c, CASE 1 WHEN 1 THEN 'x' END AS d`,
		// Drasi functions, as in the conformance suite.
		`MATCH (a:Agent) WHERE drasi.trueLater(a.last_seen <= datetime.realtime() - duration({minutes: 5}), a.last_seen + duration({minutes: 5})) RETURN a.id AS agent`,
		`MATCH (a:Agent) WITH a, drasi.previousValue(a.ring) AS prev WHERE a.ring > prev RETURN a.id AS agent, prev AS from_ring`,
		`MATCH (d:Decision) WHERE d.verdict = 'deny' RETURN d.agent AS agent, drasi.slidingWindow(duration({minutes: 10}), count(d)) AS denies`,
		`MATCH (a:Agent) RETURN a.team + '/' + replace(a.model, '-', '_') AS handle, size(a.name) AS n`,
		// SKIP / LIMIT.
		`MATCH (n) RETURN n SKIP $s LIMIT 10`,
		`MATCH (n) RETURN n SKIP 0 LIMIT toInteger(ceil(1.7))`,
		// Union.
		`RETURN 1 AS a UNION RETURN 2 AS a`,
		`RETURN 1 AS a, 2 AS b UNION ALL RETURN 3 AS a, 4 AS b`,
		// EXISTS subqueries see the outer row and keep their own variables.
		`MATCH (n) WHERE exists { MATCH (n)-->(m) WITH m RETURN m } RETURN n`,
	} {
		if err := checkText(t, q); err != nil {
			t.Errorf("%s\n  unexpected %v", q, err)
		}
	}
}

func TestCheckRejectsInvalidQueries(t *testing.T) {
	for _, tc := range []struct {
		query string
		code  string
	}{
		{`MATCH () RETURN foo`, "UndefinedVariable"},
		{`MATCH (a) WITH a.x AS x RETURN a`, "UndefinedVariable"},
		{`RETURN [x IN [1] | x] AS l, x`, "UndefinedVariable"},
		{`MATCH (a) WITH a ORDER BY b RETURN a`, "UndefinedVariable"},
		{`MATCH (a) RETURN DISTINCT a.name ORDER BY a.age`, "UndefinedVariable"},
		{`MATCH (a) RETURN count(*) AS c ORDER BY a.x`, "UndefinedVariable"},
		{`MATCH (a), (b) WITH a, count(b) AS c WHERE b.x = 1 RETURN a`, "UndefinedVariable"},

		{`MATCH (r)-[r]->() RETURN r`, "VariableTypeConflict"},
		{`MATCH ()-[r]->() MATCH (r) RETURN r`, "VariableTypeConflict"},
		{`MATCH p = ()-->() MATCH ()-[p]->() RETURN p`, "VariableTypeConflict"},
		{`WITH 1 AS n MATCH (n) RETURN n`, "VariableTypeConflict"},
		{`MATCH (n) WITH [n] AS l MATCH (l) RETURN l`, "VariableTypeConflict"},
		{`MATCH ()-[r*]->(r) RETURN r`, "VariableTypeConflict"},

		{`MATCH (p) MATCH p = ()-->() RETURN p`, "VariableAlreadyBound"},
		{`MATCH p = (p)-->() RETURN p`, "VariableAlreadyBound"},
		{`WITH 1 AS p MATCH p = ()-->() RETURN p`, "VariableAlreadyBound"},
		{`WITH 1 AS x UNWIND [1] AS x RETURN x`, "VariableAlreadyBound"},

		{`MATCH (a)-[r]->()-[r]->(a) RETURN r`, "RelationshipUniquenessViolation"},
		{`MATCH (n $p) RETURN n`, "InvalidParameterUse"},
		{`MATCH ()-[r $p]->() RETURN r`, "InvalidParameterUse"},

		{`MATCH (a) WHERE count(a) > 1 RETURN a`, "InvalidAggregation"},
		{`MATCH (a) RETURN a.x ORDER BY max(a.y)`, "InvalidAggregation"},
		{`MATCH (a) RETURN DISTINCT a.x ORDER BY count(*)`, "InvalidAggregation"},
		{`MATCH (a) RETURN [x IN [1] | count(*)]`, "InvalidAggregation"},
		{`MATCH (a) RETURN a SKIP count(*)`, "InvalidAggregation"},
		{`UNWIND [count(*)] AS x RETURN x`, "InvalidAggregation"},
		{`RETURN count(count(*))`, "NestedAggregation"},
		{`RETURN count(rand())`, "NonConstantExpression"},

		{`MATCH (me)--(you) RETURN me.age + count(you.age)`, "AmbiguousAggregationExpression"},
		{`MATCH (me)--(you) RETURN me.age + you.age, me.age + you.age + count(*)`, "AmbiguousAggregationExpression"},
		{`MATCH (me)--(you) RETURN me.age + you.age, count(*) AS c ORDER BY me.age + you.age + count(*)`, "AmbiguousAggregationExpression"},

		{`MATCH (a) WITH a, count(*) RETURN a`, "NoExpressionAlias"},
		{`RETURN 1 AS a, 2 AS a`, "ColumnNameConflict"},
		{`RETURN 1 AS a UNION RETURN 2 AS b`, "DifferentColumnsInUnion"},
		{`MATCH () RETURN *`, "NoVariablesInScope"},
		{`MATCH (a) RETURN foo(a)`, "UnknownFunction"},
		{`MATCH (a) RETURN drasi.nope(a)`, "UnknownFunction"},

		{`MATCH (n) RETURN n SKIP n.x`, "NonConstantExpression"},
		{`MATCH (n) RETURN n LIMIT -1`, "NegativeIntegerArgument"},
		{`MATCH (n) RETURN n LIMIT 1.5`, "InvalidArgumentType"},
		{`MATCH (n) RETURN n SKIP 'a'`, "InvalidArgumentType"},

		{`RETURN 1 AND true`, "InvalidArgumentType"},
		{`RETURN NOT 'x'`, "InvalidArgumentType"},
		{`RETURN 1 IN {x: []}`, "InvalidArgumentType"},
		{`WITH 'a' AS s RETURN s.x`, "InvalidArgumentType"},
		{`MATCH p = ()-->() RETURN p.x`, "InvalidArgumentType"},
		{`MATCH p = ()-->() RETURN size(p)`, "InvalidArgumentType"},
		{`RETURN any(x IN ['a'] WHERE x % 2 = 0)`, "InvalidArgumentType"},
		{`MATCH (n) WHERE 1 RETURN n`, "InvalidArgumentType"},
	} {
		got := errCode(t, checkText(t, tc.query))
		if got != tc.code {
			t.Errorf("%s\n  got code %q, want %q", tc.query, got, tc.code)
		}
	}
}

func TestCheckReportsTheOffendingPosition(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  ast.Pos
	}{
		{"MATCH (a)\nRETURN a, b", ast.Pos{Line: 2, Col: 11}},
		{"MATCH (a)\nMATCH (a)-[a]->()\nRETURN a", ast.Pos{Line: 2, Col: 10}},
		{"MATCH (n)\nWHERE n.x > 1 AND count(*) > 2\nRETURN n", ast.Pos{Line: 2, Col: 19}},
		{"RETURN 1 AS a,\n       2 AS a", ast.Pos{Line: 2, Col: 8}},
	} {
		var ae *ast.Error
		if err := checkText(t, tc.query); !errors.As(err, &ae) {
			t.Errorf("%q: got %v, want an *ast.Error", tc.query, err)
		} else if ae.Pos != tc.want {
			t.Errorf("%q: error at %v, want %v (%v)", tc.query, ae.Pos, tc.want, ae)
		}
	}
}

func TestCheckReportsTheFirstErrorInSourceOrder(t *testing.T) {
	err := checkText(t, "MATCH (a) WHERE x > 1 RETURN foo(a), y")
	if got := errCode(t, err); got != "UndefinedVariable" {
		t.Fatalf("got %v, want the UndefinedVariable of x", err)
	}
	var ae *ast.Error
	errors.As(err, &ae)
	if ae.Col != 17 {
		t.Errorf("error at %v, want col 17 (x)", ae.Pos)
	}
}

// gqlGroupBy builds `MATCH (n) RETURN <items> GROUP BY <keys>`, the shape
// the GQL builder produces for explicit grouping.
func gqlGroupBy(keys []ast.Expr, items ...ast.Expr) *ast.Query {
	ret := &ast.Return{Projection: ast.Projection{GroupBy: keys}}
	for i, e := range items {
		ret.Items = append(ret.Items, &ast.ProjectionItem{Expr: e, Alias: string(rune('a' + i)), Explicit: true})
	}
	return &ast.Query{Parts: []*ast.SingleQuery{{Clauses: []ast.Clause{
		&ast.Match{Pattern: ast.Pattern{{Nodes: []*ast.NodePattern{{Var: "n"}}}}},
		ret,
	}}}}
}

func TestCheckExplicitGroupBy(t *testing.T) {
	nx := func() ast.Expr { return &ast.Prop{Subject: &ast.Var{Name: "n"}, Key: "x"} }
	count := func() ast.Expr { return &ast.Call{Name: "count", Star: true} }
	plus := func(l, r ast.Expr) ast.Expr { return &ast.Binary{Op: ast.OpAdd, L: l, R: r} }
	for _, tc := range []struct {
		name string
		q    *ast.Query
		code string
	}{
		{"key used next to aggregate", gqlGroupBy([]ast.Expr{nx()}, nx(), plus(nx(), count())), ""},
		{"global group", gqlGroupBy([]ast.Expr{}, count()), ""},
		{"non-key next to aggregate", gqlGroupBy([]ast.Expr{}, plus(nx(), count())), "AmbiguousAggregationExpression"},
		{"undefined key", gqlGroupBy([]ast.Expr{&ast.Var{Name: "m"}}, count()), "UndefinedVariable"},
	} {
		if got := errCode(t, ast.Check(tc.q, testFuncs)); got != tc.code {
			t.Errorf("%s: got code %q, want %q", tc.name, got, tc.code)
		}
	}
}

func TestContainsAggregate(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want bool
	}{
		{"1 + 2", false},
		{"count(*)", true},
		{"n.x + sum(n.y)", true},
		{"COLLECT(n)[0]", true},
		{"[x IN [1] | count(*)]", true},
		{"size([x IN [1] | x])", false},
		{"exists { MATCH (n)-->(m) WITH count(*) AS c RETURN c }", false},
		{"toUpper(n.name)", false},
	} {
		q, err := cypher.Parse("MATCH (n) RETURN " + tc.expr + " AS v")
		if err != nil {
			t.Fatalf("parse %q: %v", tc.expr, err)
		}
		ret := q.Parts[0].Clauses[1].(*ast.Return)
		if got := ast.ContainsAggregate(ret.Items[0].Expr, testFuncs); got != tc.want {
			t.Errorf("ContainsAggregate(%s) = %v, want %v", tc.expr, got, tc.want)
		}
	}
}
