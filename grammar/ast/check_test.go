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

// TestCheckArgumentTypes: an argument whose type is certain from the query
// text and that the function never accepts is a compile-time
// InvalidArgumentType (the signatures are the functions registry's, see
// stubFuncs.AcceptsArg); an argument of unknown type is left to run time.
func TestCheckArgumentTypes(t *testing.T) {
	for _, tc := range []struct {
		query string
		code  string
	}{
		// TCK Graph9 [5]-[7], Graph4 [7], Graph3 [8], Path3 [2], [3], List6 [5].
		{`RETURN properties(1)`, "InvalidArgumentType"},
		{`RETURN properties('Cypher')`, "InvalidArgumentType"},
		{`RETURN properties([true, false])`, "InvalidArgumentType"},
		{`MATCH (r) RETURN type(r)`, "InvalidArgumentType"},
		{`MATCH p = (a) RETURN labels(p) AS l`, "InvalidArgumentType"},
		{`MATCH (n) RETURN length(n)`, "InvalidArgumentType"},
		{`MATCH ()-[r]->() RETURN length(r)`, "InvalidArgumentType"},
		{`MATCH p = (a)-[*]->(b) RETURN size(p)`, "InvalidArgumentType"},
		// The same rule for every declared function, and through the
		// variables whose type is certain.
		{`RETURN toUpper(1)`, "InvalidArgumentType"},
		{`WITH 1 AS x RETURN toUpper(x)`, "InvalidArgumentType"},
		{`UNWIND [1, 2] AS x RETURN toUpper(x)`, "InvalidArgumentType"},
		{`MATCH ()-[r*]->() RETURN type(r)`, "InvalidArgumentType"},
		{`RETURN substring('abc', 1.5)`, "InvalidArgumentType"},
		{`RETURN substring('abc', 1, 'x')`, "InvalidArgumentType"},
		{`RETURN toBoolean(1.0)`, "InvalidArgumentType"},
		{`RETURN toInteger([1])`, "InvalidArgumentType"},
		{`RETURN keys(1)`, "InvalidArgumentType"},
		{`RETURN date(1)`, "InvalidArgumentType"},
		{`RETURN round(1.5, 1, 2)`, "InvalidArgumentType"},
		{`MATCH (n) RETURN sum(n.x + 'a')`, ""}, // the type of n.x is unknown
		{`RETURN sum('a')`, "InvalidArgumentType"},
		{`RETURN percentileCont(1, 'half')`, "InvalidArgumentType"},
		{`MATCH (n) RETURN n ORDER BY toUpper(1)`, "InvalidArgumentType"},
		{`MATCH (n) WHERE labels(1) = [] RETURN n`, "InvalidArgumentType"},

		// Left to run time: unknown types, null, parameters, range().
		{`RETURN range(true, 1, 1)`, ""},                                       // TCK List11 [5]: an ArgumentError at run time
		{`MATCH (a) WITH [a, 1] AS list RETURN labels(list[1]) AS l`, ""},      // Graph3 [9]
		{`MATCH p = (n)-[r:T]->() RETURN [x IN [r, 0] | type(x)] AS list`, ""}, // Graph4 [6]
		{`MATCH p = (n)-[r:T]->() RETURN [x IN [1, '', p] | toString(x)]`, ""}, // TypeConversion4 [10]
		{`RETURN toUpper(null), size(null), labels(null)`, ""},
		{`RETURN toUpper($p), size($l)`, ""},
		{`MATCH (n)-[r]->() RETURN labels(n), keys(n), properties(r), type(r), id(n)`, ""},
		{`MATCH p = ()-[r*]->() RETURN size(r), length(p), nodes(p), [x IN r | type(x)]`, ""},
		{`RETURN toString(1), toInteger('1'), toFloat(1), toBoolean(0), coalesce(1, 'a', [])`, ""},
		{`RETURN split('a,b', [',']), reverse([1]), size('abc')`, ""},
		{`MATCH (n) RETURN count(n), collect(n), min(n), max('a')`, ""},
		{`RETURN drasi.trueFor(true, 1)`, ""}, // an engine function: no signature here
	} {
		got := errCode(t, checkText(t, tc.query))
		if got != tc.code {
			t.Errorf("%s\n  got code %q, want %q", tc.query, got, tc.code)
		}
	}
}

// TestCheckPatternPredicates: a bare pattern predicate is a condition that
// introduces no variables (TCK Pattern1 [10], [22], [23]); EXISTS { ... }
// and pattern comprehensions may introduce theirs and appear anywhere.
func TestCheckPatternPredicates(t *testing.T) {
	for _, tc := range []struct {
		query string
		code  string
	}{
		{`MATCH (n) WHERE (n)-->() RETURN n`, ""},
		{`MATCH (n), (m) WHERE (n)-[:T]->(m) RETURN n`, ""},
		{`MATCH (n)-[r]->() WHERE (n)-[r]->() RETURN n`, ""},
		{`MATCH (n) WHERE NOT (n)-->() AND ((n)<--() OR n.x = 1) RETURN n`, ""},
		{`MATCH (n) WITH n WHERE (n)<-[:T]-() RETURN n`, ""},
		{`MATCH (n)-[r WHERE (n)-->()]->() RETURN n`, ""},
		{`MATCH (n) RETURN [x IN [1] WHERE (n)-->()] AS l`, ""},
		{`MATCH (n) RETURN any(x IN [1] WHERE (n)-->()) AS b`, ""},
		{`MATCH (n) RETURN CASE WHEN (n)-->() THEN 1 ELSE 0 END AS c`, ""},
		{`MATCH (n) RETURN [(n)-[r]->(m) WHERE (m)-->() | r] AS l`, ""},
		{`MATCH (n) WHERE exists { (n)-[r]->(m) WHERE type(r) = 'T' } RETURN n`, ""},
		{`MATCH (n) WHERE exists { MATCH (n)-->(m) WHERE (m)-->(n) } RETURN n`, ""},
		{`MATCH (n) RETURN exists { (n)-[r]->() } AS b`, ""},
		{`MATCH (n) RETURN exists((n)-->()) AS b`, ""},

		// Pattern1 [10]: new variables in a pattern predicate.
		{`MATCH (a) WHERE (a)-[:T]->(b) RETURN a`, "UndefinedVariable"},
		{`MATCH (n) WHERE (n)-[r]->() RETURN n`, "UndefinedVariable"},
		{`MATCH (n) WHERE NOT (n)-[:T]->(:C)<-[s:T]-(n) RETURN n`, "UndefinedVariable"},
		{`MATCH (n) WITH n WHERE (n)-->(m) RETURN n`, "UndefinedVariable"},
		{`MATCH (n) WHERE exists { MATCH (n) WHERE (n)-->(m) } RETURN n`, "UndefinedVariable"},
		// Pattern1 [22], [23]: a pattern predicate as a value.
		{`MATCH (n) RETURN (n)-[]->()`, "UnexpectedSyntax"},
		{`MATCH (n) WITH (n)-[]->() AS x RETURN x`, "UnexpectedSyntax"},
		{`MATCH (n) RETURN NOT (n)-->() AS b`, "UnexpectedSyntax"},
		{`MATCH (n) RETURN n ORDER BY (n)-->()`, "UnexpectedSyntax"},
		{`MATCH (n) UNWIND [(n)-->()] AS x RETURN x`, "UnexpectedSyntax"},
		{`MATCH (n) RETURN CASE (n)-->() WHEN true THEN 1 END AS c`, "UnexpectedSyntax"},
		{`MATCH (n) RETURN [x IN [1] | (n)-->()] AS l`, "UnexpectedSyntax"},
	} {
		got := errCode(t, checkText(t, tc.query))
		if got != tc.code {
			t.Errorf("%s\n  got code %q, want %q", tc.query, got, tc.code)
		}
	}

	// Every example of TCK Pattern1 [10], reported at the new variable.
	for _, tc := range []struct {
		pattern string
		col     int
	}{
		{"(a)", 18}, {"(n)-[r]->(a)", 20}, {"(a)-[r]->(n)", 17}, {"(n)<-[r {}]-(a)", 20},
		{"(n)-[r {}]-(a)", 20}, {"(n)-[r]->()", 20}, {"()-[r]->(n)", 19}, {"(n)<-[r]-()", 20},
		{"(n)-[r]-()", 20}, {"()-[r]->()", 19}, {"()<-[r]-()", 19}, {"()-[r]-()", 19},
		{"(n)-[r:REL]->(a {num: 5})", 20}, {"(n)-[r:REL*0..2]->(a {num: 5})", 20},
		{"(n)-[r:REL]->(:C)<-[s:REL]-(a {num: 5})", 20},
	} {
		q := "MATCH (n) WHERE " + tc.pattern + " RETURN n"
		err := checkText(t, q)
		var ae *ast.Error
		if !errors.As(err, &ae) || ae.Code != "UndefinedVariable" {
			t.Errorf("%s: got %v, want UndefinedVariable", q, err)
		} else if ae.Col != tc.col {
			t.Errorf("%s: error at col %d, want %d (%v)", q, ae.Col, tc.col, ae)
		}
	}
}
