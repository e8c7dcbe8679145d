package gql

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/functions"
	"github.com/vigilhq/vigil/grammar/ast"
	"github.com/vigilhq/vigil/grammar/cypher"
)

// dump renders an AST without positions, so two trees built from different
// source text compare equal exactly when they mean the same to the engine.
// It walks every field, so the fuzz test also uses it to touch every node.
func dump(x any) string {
	var sb strings.Builder
	dumpValue(reflect.ValueOf(x), &sb)
	return sb.String()
}

func dumpValue(v reflect.Value, sb *strings.Builder) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			sb.WriteString("nil")
			return
		}
		dumpValue(v.Elem(), sb)
	case reflect.Struct:
		sb.WriteString(v.Type().Name() + "{")
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if f.Type == reflect.TypeOf(ast.Pos{}) {
				continue
			}
			sb.WriteString(f.Name + ":")
			dumpValue(v.Field(i), sb)
			sb.WriteString(" ")
		}
		sb.WriteString("}")
	case reflect.Slice:
		// nil and empty differ for Projection.GroupBy (implicit grouping
		// versus GROUP BY ()).
		if v.IsNil() {
			sb.WriteString("nil")
			return
		}
		sb.WriteString("[")
		for i := 0; i < v.Len(); i++ {
			dumpValue(v.Index(i), sb)
			sb.WriteString(",")
		}
		sb.WriteString("]")
	default:
		fmt.Fprintf(sb, "%v", v.Interface())
	}
}

// TestLoweringMatchesCypher checks each GQL construct by the openCypher
// query it must lower to: the two ASTs must be identical (positions aside).
func TestLoweringMatchesCypher(t *testing.T) {
	for _, c := range []struct{ gql, cypher string }{
		{"MATCH (n:A) RETURN n", "MATCH (n:A) RETURN n"},
		{"match (n IS A) return n", "MATCH (n:A) RETURN n"},
		{"MATCH (a:A)-[r:T]->(b:B) RETURN a.x AS x, r.w AS w", "MATCH (a:A)-[r:T]->(b:B) RETURN a.x AS x, r.w AS w"},
		{"MATCH (a)<-[:T]-(b) RETURN a", "MATCH (a)<-[:T]-(b) RETURN a"},
		{"MATCH (a)-[:T]-(b) RETURN a", "MATCH (a)-[:T]-(b) RETURN a"},
		{"MATCH (a)<-[:T]->(b) RETURN a", "MATCH (a)-[:T]-(b) RETURN a"},
		{"MATCH (a)->(b) RETURN a", "MATCH (a)-->(b) RETURN a"},
		{"MATCH (a)<-(b) RETURN a", "MATCH (a)<--(b) RETURN a"},
		{"MATCH (a)-(b) RETURN a", "MATCH (a)--(b) RETURN a"},
		{"MATCH (a)-->(b)<--(c)--(d)<-->(e) RETURN a", "MATCH (a)-->(b)<--(c)--(d)--(e) RETURN a"},
		{"MATCH (a:A|B) RETURN a", "MATCH (a:A|B) RETURN a"},
		{"MATCH (a {x: 1, y: 'q'}) RETURN a", "MATCH (a {x: 1, y: 'q'}) RETURN a"},
		{"MATCH (a WHERE a.x > 1)-[r:T WHERE r.w = 2]->(b) RETURN a", "MATCH (a WHERE a.x > 1)-[r:T WHERE r.w = 2]->(b) RETURN a"},
		{"MATCH (a)-[:T]->{1,3}(b) RETURN b", "MATCH (a)-[:T*1..3]->(b) RETURN b"},
		{"MATCH (a)-[:T]->{2}(b) RETURN b", "MATCH (a)-[:T*2..2]->(b) RETURN b"},
		{"MATCH (a)-[:T]->{,2}(b) RETURN b", "MATCH (a)-[:T*0..2]->(b) RETURN b"},
		{"MATCH (a) (()-[:T]->()){1,2} (b) RETURN b", "MATCH (a)-[:T*1..2]->(b) RETURN b"},
		{"MATCH p = (a)-[:T]->(b) RETURN p", "MATCH p = (a)-[:T]->(b) RETURN p"},
		{"MATCH -[r:T]-> RETURN r", "MATCH ()-[r:T]->() RETURN r"},
		{"MATCH (a), (b) WHERE a.x = b.x RETURN a, b", "MATCH (a), (b) WHERE a.x = b.x RETURN a, b"},
		{"MATCH DIFFERENT EDGES TRAIL (a)-[]->(b) RETURN a", "MATCH (a)-[]->(b) RETURN a"},
		{"MATCH (a) OPTIONAL MATCH (a)-[:T]->(b) RETURN a, b", "MATCH (a) OPTIONAL MATCH (a)-[:T]->(b) RETURN a, b"},
		// FILTER folds into a non-optional MATCH and into a With.
		{"MATCH (n) FILTER n.x > 1 RETURN n", "MATCH (n) WHERE n.x > 1 RETURN n"},
		{"MATCH (n) WHERE n.y = 1 FILTER WHERE n.x > 1 RETURN n", "MATCH (n) WHERE n.y = 1 AND n.x > 1 RETURN n"},
		{"MATCH (n) OPTIONAL MATCH (n)-->(m) FILTER m IS NULL RETURN n", "MATCH (n) OPTIONAL MATCH (n)-->(m) WITH * WHERE m IS NULL RETURN n"},
		{"MATCH (n) LET y = n.x + 1 FILTER y > 2 RETURN y", "MATCH (n) WITH *, n.x + 1 AS y WHERE y > 2 RETURN y"},
		// LET: independent bindings share a With, dependent ones chain.
		{"MATCH (n) LET a = n.x, b = n.y RETURN a, b", "MATCH (n) WITH *, n.x AS a, n.y AS b RETURN a, b"},
		{"MATCH (n) LET a = n.x, b = a + 1 RETURN b", "MATCH (n) WITH *, n.x AS a WITH *, a + 1 AS b RETURN b"},
		{"MATCH (n) LET VALUE a = 1 RETURN a", "MATCH (n) WITH *, 1 AS a RETURN a"},
		{"MATCH (n) YIELD n.x AS x, n FILTER x > 1 RETURN x", "MATCH (n) WITH n.x AS x, n WHERE x > 1 RETURN x"},
		{"MATCH (n) YIELD n.x AS x FILTER n.y > 1 RETURN x", "MATCH (n) WITH n.x AS x WITH * WHERE n.y > 1 RETURN x"},
		{"MATCH (n) FOR v IN [n.x, 1] RETURN v", "MATCH (n) UNWIND [n.x, 1] AS v RETURN v"},
		{"MATCH (n) ORDER BY n.x LIMIT 2 RETURN n", "MATCH (n) WITH * ORDER BY n.x LIMIT 2 RETURN n"},
		// NEXT turns the RETURN before it into a With.
		{"MATCH (c) RETURN c.a AS a, count(c) AS n NEXT FILTER n >= 3 RETURN a, n",
			"MATCH (c) WITH c.a AS a, count(c) AS n WHERE n >= 3 RETURN a, n"},
		{"MATCH (c) RETURN c NEXT YIELD c MATCH (c)-->(d) RETURN d", "MATCH (c) WITH c WITH c MATCH (c)-->(d) RETURN d"},
		{"MATCH (c) RETURN DISTINCT c.a AS a ORDER BY a OFFSET 1 LIMIT 2 NEXT RETURN a",
			"MATCH (c) WITH DISTINCT c.a AS a ORDER BY a SKIP 1 LIMIT 2 RETURN a"},
		{"MATCH (n) RETURN n.x SKIP 2", "MATCH (n) RETURN n.x SKIP 2"},
		{"MATCH (n:A) RETURN n.x AS v UNION MATCH (m:B) RETURN m.x AS v", "MATCH (n:A) RETURN n.x AS v UNION MATCH (m:B) RETURN m.x AS v"},
		{"MATCH (n:A) RETURN n.x AS v UNION ALL MATCH (m:B) RETURN m.x AS v", "MATCH (n:A) RETURN n.x AS v UNION ALL MATCH (m:B) RETURN m.x AS v"},
		{"MATCH (n:A) RETURN n.x AS v UNION DISTINCT MATCH (m:B) RETURN m.x AS v", "MATCH (n:A) RETURN n.x AS v UNION MATCH (m:B) RETURN m.x AS v"},
		// P NEXT (A UNION B) repeats P in each branch.
		{"MATCH (n) RETURN n NEXT MATCH (n)-[:T]->(m) RETURN m UNION MATCH (n)-[:U]->(m) RETURN m",
			"MATCH (n) WITH n MATCH (n)-[:T]->(m) RETURN m UNION MATCH (n) WITH n MATCH (n)-[:U]->(m) RETURN m"},
		// expressions
		{"RETURN 1 + 2 * 3 - -4 / 2 AS v", "RETURN 1 + 2 * 3 - -4 / 2 AS v"},
		{"RETURN NOT true OR false XOR true AND false AS v", "RETURN NOT true OR false XOR true AND false AS v"},
		{"MATCH (n) RETURN n.x IS NULL AS a, n.y IS NOT NULL AS b", "MATCH (n) RETURN n.x IS NULL AS a, n.y IS NOT NULL AS b"},
		{"MATCH (n) RETURN n:A AS a, n IS LABELED B AS b, n IS NOT LABELED C AS c", "MATCH (n) RETURN n:A AS a, n:B AS b, NOT n:C AS c"},
		{"MATCH (n) RETURN coalesce(n.x, 0) AS v", "MATCH (n) RETURN coalesce(n.x, 0) AS v"},
		{"MATCH (n) RETURN COALESCE(n.x, 0) AS v", "MATCH (n) RETURN coalesce(n.x, 0) AS v"},
		{"MATCH (n) RETURN NULLIF(n.x, 0) AS v", "MATCH (n) RETURN CASE WHEN n.x = 0 THEN null ELSE n.x END AS v"},
		{"MATCH (n) RETURN n.x IS TRUE AS a, n.x IS NOT FALSE AS b, n.x IS UNKNOWN AS c",
			"MATCH (n) RETURN coalesce(n.x, false) AS a, NOT NOT coalesce(n.x, true) AS b, n.x IS NULL AS c"},
		{"MATCH (n) RETURN CASE n.x WHEN 1 THEN 'a' ELSE 'b' END AS v", "MATCH (n) RETURN CASE n.x WHEN 1 THEN 'a' ELSE 'b' END AS v"},
		{"MATCH (n) RETURN CASE WHEN n.x > 1 THEN 'a' END AS v", "MATCH (n) RETURN CASE WHEN n.x > 1 THEN 'a' END AS v"},
		{"RETURN 'it''s' AS s, \"a\" AS d, [1, 2] AS l, {a: 1} AS m, LIST [1] AS l2, RECORD {b: 2} AS m2",
			"RETURN 'it\\'s' AS s, 'a' AS d, [1, 2] AS l, {a: 1} AS m, [1] AS l2, {b: 2} AS m2"},
		{"RETURN $p AS p, 0x1F AS h, 1.5e3 AS f, -9223372036854775808 AS m", "RETURN $p AS p, 0x1F AS h, 1.5e3 AS f, -9223372036854775808 AS m"},
		{"MATCH (n) RETURN count(*) AS c, count(DISTINCT n.x) AS d", "MATCH (n) RETURN count(*) AS c, count(DISTINCT n.x) AS d"},
		{"MATCH (n) RETURN drasi.trueFor(n.x > 1, DURATION 'PT5M') AS v", "MATCH (n) RETURN drasi.trueFor(n.x > 1, duration('PT5M')) AS v"},
		{"MATCH (n) WHERE EXISTS { (n)-[:T]->(m) WHERE m.x > 1 } RETURN n", "MATCH (n) WHERE EXISTS { (n)-[:T]->(m) WHERE m.x > 1 } RETURN n"},
		{"MATCH (n) WHERE EXISTS { MATCH (n)-[:T]->(m) } RETURN n", "MATCH (n) WHERE EXISTS { MATCH (n)-[:T]->(m) } RETURN n"},
		{"MATCH (n) RETURN n.`weird key` AS `a b` // comment\n /* block */", "MATCH (n) RETURN n.`weird key` AS `a b`"},
		{"MATCH (n) RETURN n.match AS m, n.return AS r;", "MATCH (n) RETURN n.match AS m, n.return AS r"},
		// IN and the string predicates (openCypher extensions), indexing and
		// slicing, with Cypher's precedence.
		{"MATCH (n) RETURN n.x IN [1, 2] AS a, n.y STARTS WITH 'p' AS b, n.y ENDS WITH 'q' AS c, n.y CONTAINS 'x' AS d",
			"MATCH (n) RETURN n.x IN [1, 2] AS a, n.y STARTS WITH 'p' AS b, n.y ENDS WITH 'q' AS c, n.y CONTAINS 'x' AS d"},
		{"MATCH (n) WHERE NOT n.x + 1 IN [2, 3] AND n.y STARTS WITH 'a' = true RETURN n",
			"MATCH (n) WHERE NOT n.x + 1 IN [2, 3] AND n.y STARTS WITH 'a' = true RETURN n"},
		{"MATCH (n) RETURN n.x IN [1] IS NULL AS a, n.y IN $p AS b", "MATCH (n) RETURN n.x IN [1] IS NULL AS a, n.y IN $p AS b"},
		{"RETURN [1, 2, 3][0] AS a, [1, 2, 3][-1] AS b, $p[1].k AS c, $m['k'] AS d",
			"RETURN [1, 2, 3][0] AS a, [1, 2, 3][-1] AS b, $p[1].k AS c, $m['k'] AS d"},
		{"RETURN [1, 2, 3][1..2] AS a, [1, 2, 3][..2] AS b, [1, 2, 3][1..] AS c, 'abc'[0] AS d",
			"RETURN [1, 2, 3][1..2] AS a, [1, 2, 3][..2] AS b, [1, 2, 3][1..] AS c, 'abc'[0] AS d"},
		{"MATCH (n) RETURN -[1][0] AS a, n.contains AS b, n.typed AS c", "MATCH (n) RETURN -[1][0] AS a, n.contains AS b, n.typed AS c"},
		// The new words stay usable as names.
		{"MATCH (starts) LET typed = 1, contains = 2 RETURN starts, typed, contains",
			"MATCH (`starts`) WITH *, 1 AS typed, 2 AS `contains` RETURN `starts`, typed, `contains`"},
		// LET may reuse a name that went out of scope at NEXT, and each UNION
		// branch has its own scope.
		{"MATCH (n) RETURN n.x AS a NEXT LET n = 1 RETURN n, a", "MATCH (n) WITH n.x AS a WITH *, 1 AS n RETURN n, a"},
		{"MATCH (n) RETURN n UNION LET n = 1 RETURN n", "MATCH (n) RETURN n UNION WITH *, 1 AS n RETURN n"},
	} {
		g, err := Parse(c.gql)
		if err != nil {
			t.Errorf("%s: %v", c.gql, err)
			continue
		}
		cy, err := cypher.Parse(c.cypher)
		if err != nil {
			t.Fatalf("cypher %s: %v", c.cypher, err)
		}
		if dump(g) != dump(cy) {
			t.Errorf("%s\nlowered to  %s\nwant (from %s)\n            %s", c.gql, dump(g), c.cypher, dump(cy))
		}
	}
}

// TestGQLOnlyShapes checks the lowerings that have no Cypher spelling.
func TestGQLOnlyShapes(t *testing.T) {
	for _, c := range []struct{ gql, want string }{
		{"MATCH (c) RETURN count(c) AS n GROUP BY ()", "GroupBy:[]"},
		{"MATCH (c) LET a = c.a RETURN a, count(c) AS n GROUP BY a", "GroupBy:[Var{Name:a }"},
		// GROUP BY an alias of the same RETURN groups by the item's expression.
		{"MATCH (c) RETURN c.a AS a, count(c) AS n GROUP BY a", "GroupBy:[Prop{Subject:Var{Name:c } Key:a }"},
		{"MATCH (n:A&B) RETURN n", "LabelAnd{Items:[LabelName{Name:A },LabelName{Name:B },]"},
		{"MATCH (n:!A) RETURN n", "LabelNot{Item:LabelName{Name:A }"},
		{"MATCH (n:%) RETURN n", "LabelAny{}"},
		{"MATCH (n:(A|B)&!C) RETURN n", "LabelAnd{Items:[LabelOr{Items:[LabelName{Name:A },LabelName{Name:B },] },LabelNot{Item:LabelName{Name:C } },]"},
		{"MATCH (n)-[r:A|B]->(m) RETURN r", "Types:LabelOr{"},
		{"MATCH (n) RETURN n.a || n.b AS s", "Call{Name:|| Distinct:false Star:false Args:[Prop{Subject:Var{Name:n } Key:a },Prop{Subject:Var{Name:n } Key:b },]"},
		{"MATCH (n) RETURN n.a || n.b || [1] AS s", "Call{Name:|| Distinct:false Star:false Args:[Call{Name:||"},
		{"MATCH (n) RETURN n.x IS TYPED INT AS t", "Call{Name:is typed INTEGER Distinct:false Star:false Args:[Prop{"},
		{"MATCH (n) RETURN n.x IS NOT TYPED STRING NOT NULL AS t", "Unary{Op:0 X:Call{Name:is typed STRING not null"},
		{"MATCH (n) RETURN n.x IS :: zoned datetime AS t", "Call{Name:is typed ZONED DATETIME "},
		{"MATCH (n) RETURN n IS TYPED ANY NODE AS t", "Call{Name:is typed NODE "},
		{"MATCH (n) RETURN n.x IS TYPED NOTHING AS t", "Call{Name:is typed NULL not null "},
		{"MATCH (n) RETURN n.x IS TYPED DOUBLE PRECISION AS t", "Call{Name:is typed FLOAT "},
		{"MATCH (n) RETURN CAST(n.x AS INT) AS v", "Call{Name:cast as INTEGER Distinct:false Star:false Args:[Prop{"},
		{"MATCH (n) RETURN CAST(n.x AS boolean) AS v", "Call{Name:cast as BOOLEAN "},
		{"MATCH (n) RETURN CAST(n.x AS VARCHAR) AS v", "Call{Name:cast as STRING "},
		{"MATCH (n) RETURN CAST(n.x AS FLOAT64) AS v", "Call{Name:cast as FLOAT "},
		{"MATCH (n) RETURN CAST(n.x AS LOCAL DATETIME) AS v", "Call{Name:local_datetime "},
		{"MATCH (n) RETURN CAST(n.x AS DURATION) AS v", "Call{Name:duration "},
		{"MATCH (n) RETURN ZONED DATETIME '2026-01-01T00:00:00Z' AS t", "Call{Name:zoned_datetime"},
		{"MATCH (n) RETURN LOCAL DATETIME '2026-01-01T00:00:00' AS t", "Call{Name:local_datetime"},
		{"MATCH (n) RETURN DATE '2026-01-01' AS t", "Call{Name:date"},
		{"MATCH (n) RETURN zoned_datetime() AS t", "Call{Name:current_timestamp"},
		{"MATCH (n) RETURN CURRENT_TIMESTAMP AS t", "Call{Name:current_timestamp"},
		{"MATCH (n) RETURN upper(n.x) AS t", "Call{Name:upper"},
	} {
		q, err := Parse(c.gql)
		if err != nil {
			t.Errorf("%s: %v", c.gql, err)
			continue
		}
		if d := dump(q); !strings.Contains(d, c.want) {
			t.Errorf("%s\n got %s\nwant it to contain %s", c.gql, d, c.want)
		}
	}
}

// TestLoweringTargetsRegistered checks that every function name the
// builder lowers IS TYPED, CAST and || onto exists in the GQL function set,
// and that every value type the set knows is reachable.
func TestLoweringTargetsRegistered(t *testing.T) {
	names := []string{concatFunction}
	reached := map[string]bool{}
	for _, canon := range valueTypes {
		if canon == "NOTHING" {
			continue // lowered to NULL NOT NULL
		}
		reached[canon] = true
		names = append(names, isTypedPrefix+canon, isTypedPrefix+canon+" not null")
	}
	for _, fn := range castFunctions {
		names = append(names, fn)
	}
	for _, n := range names {
		if _, ok := functions.GQL().Scalar(n); !ok {
			t.Errorf("the GQL function set has no %q", n)
		}
	}
	for _, canon := range functions.GQLValueTypes() {
		if !reached[canon] {
			t.Errorf("value type %s is registered but no spelling reaches it", canon)
		}
	}
}

// TestErrors checks syntax errors (line, column, offending token),
// composition errors and unsupported features (named, positioned).
func TestErrors(t *testing.T) {
	for _, c := range []struct {
		text      string
		code      string
		line, col int
		msg       string
	}{
		{"MATCH (n RETURN n", codeSyntax, 1, 10, `"RETURN"`},
		{"MATCH (n)\nRETURN n +", codeSyntax, 2, 11, "end of input"},
		{"MATCH (n) RETURN n §", codeInvalidUnicodeChar, 1, 20, "§"},
		{"MATCH (n)", codeComposition, 1, 1, "must end with RETURN"},
		{"MATCH (n) RETURN n MATCH (m) RETURN m", codeComposition, 1, 20, "NEXT"},
		{"MATCH (n) NEXT MATCH (m) RETURN m", codeComposition, 1, 1, "before NEXT must be a RETURN"},
		{"MATCH (n) RETURN n.x NEXT RETURN 1 AS a", codeAlias, 1, 18, "AS"},
		{"MATCH (n) YIELD n.x RETURN 1 AS a", codeAlias, 1, 17, "AS"},
		{"MATCH (a)-[:T]->*(b) RETURN a", codeUnsupported, 1, 17, "unbounded quantifier *"},
		{"MATCH (a)-[:T]->+(b) RETURN a", codeUnsupported, 1, 17, "unbounded quantifier +"},
		{"MATCH (a)-[:T]->{2,}(b) RETURN a", codeUnsupported, 1, 17, "unbounded quantifier"},
		{"MATCH (a) ((x)-[:T]->(y)){1,2} (b) RETURN a", codeUnsupported, 1, 11, "quantified path pattern"},
		{"MATCH (a)((x)-[:T]->(y)-[:U]->()){1,2}(b) RETURN a", codeUnsupported, 1, 10, "quantified path pattern"},
		{"MATCH (a){1,2} RETURN a", codeUnsupported, 1, 10, "node pattern"},
		{"MATCH (a)-[:T]->(b)?\nRETURN a", codeUnsupported, 1, 20, "questioned"},
		{"MATCH (a)~[:T]~(b) RETURN a", codeUnsupported, 1, 10, "undirected"},
		{"MATCH (a)-[:T]->(b) | (a)-[:U]->(b) RETURN a", codeUnsupported, 1, 23, "union"},
		{"MATCH ANY SHORTEST (a)-[:T]->{1,3}(b) RETURN a", codeUnsupported, 1, 7, "shortest"},
		{"MATCH ACYCLIC (a)-[:T]->{1,3}(b) RETURN a", codeUnsupported, 1, 7, "ACYCLIC"},
		{"MATCH REPEATABLE ELEMENTS (a) RETURN a", codeUnsupported, 1, 7, "REPEATABLE"},
		{"INSERT (:A {x: 1})", codeUnsupported, 1, 1, "data modification (INSERT)"},
		{"MATCH (n) SET n.x = 1 RETURN n", codeUnsupported, 1, 11, "data modification (SET)"},
		{"MATCH (n) DETACH DELETE n", codeUnsupported, 1, 11, "data modification"},
		{"CREATE GRAPH TYPE t { (:A) }", codeUnsupported, 1, 1, "graph types"},
		{"CALL db.labels() YIELD label RETURN label", codeUnsupported, 1, 1, "CALL"},
		{"SELECT n FROM g MATCH (n)", codeUnsupported, 1, 1, "SELECT"},
		{"MATCH (n) RETURN n EXCEPT MATCH (n) RETURN n", codeUnsupported, 1, 20, "EXCEPT"},
		{"MATCH (n) RETURN n UNION MATCH (n) RETURN n NEXT RETURN n", codeUnsupported, 1, 20, "NEXT"},
		{"MATCH (n) RETURN n ORDER BY n.x NULLS FIRST", codeUnsupported, 1, 33, "NULLS"},
		{"MATCH (n) RETURN CAST(n.x AS LIST) AS s", codeUnsupported, 1, 30, "CAST to LIST"},
		{"MATCH (n) RETURN CAST(n.x AS INT NOT NULL) AS s", codeUnsupported, 1, 30, "NOT NULL"},
		{"MATCH (n) RETURN CAST(n.x AS INT32) AS s", codeUnsupported, 1, 30, "value type INT32"},
		{"MATCH (n)\nRETURN CAST(n.x AS FOO BAR) AS s", codeSyntax, 2, 20, "unknown value type FOO BAR"},
		{"MATCH (n) RETURN CAST(n.x) AS s", codeSyntax, 1, 26, `")"`},
		{"MATCH (n) RETURN n.x IS TYPED LIST<INT> AS s", codeUnsupported, 1, 31, "element types"},
		{"MATCH (n) RETURN n.x IS TYPED INT LIST AS s", codeUnsupported, 1, 31, "element types"},
		{"MATCH (n) RETURN n.x IS TYPED TIMESTAMP AS s", codeUnsupported, 1, 31, "TIMESTAMP"},
		{"MATCH (n) LET n = 1 RETURN n", codeRebound, 1, 15, "`n`"},
		{"MATCH (n) LET a = 1, a = 2 RETURN a", codeRebound, 1, 22, "`a`"},
		{"MATCH (n) LET a = 1 LET b = 2, a = a + 1 RETURN a", codeRebound, 1, 32, "`a`"},
		{"MATCH (n)-[r]->(m) LET r = 1 RETURN r", codeRebound, 1, 24, "`r`"},
		{"MATCH p = (n)\nLET p = 1 RETURN p", codeRebound, 2, 5, "`p`"},
		{"FOR x IN [1] LET x = 2 RETURN x", codeRebound, 1, 18, "`x`"},
		{"MATCH (n) YIELD n.x AS a LET a = 1 RETURN a", codeRebound, 1, 30, "`a`"},
		{"MATCH (n) RETURN n.x AS a NEXT LET a = 1 RETURN a", codeRebound, 1, 36, "`a`"},
		{"MATCH (n) RETURN * NEXT LET n = 1 RETURN n", codeRebound, 1, 29, "`n`"},
		{"RETURN 'a' || 1 AS v", codeType, 1, 15, "not an Integer"},
		{"MATCH (n) RETURN true || n.y AS v", codeType, 1, 18, "not a Boolean"},
		{"MATCH (n) RETURN n.y || 'a' || 1.5 AS v", codeType, 1, 32, "not a Float"},
		{"MATCH (n) RETURN n.y || {a: 1} AS v", codeType, 1, 25, "not a Record"},
		{"RETURN [1] || 'a' AS v", codeType, 1, 15, "not a List and a String"},
		{"RETURN 'a' || 'b' || [1] AS v", codeType, 1, 22, "not a String and a List"},
		{"MATCH (n) RETURN n.y || 'b' || [1] AS v", codeType, 1, 32, "not a String and a List"},
		{"MATCH (n) FOR x IN [1] WITH ORDINALITY i RETURN x", codeUnsupported, 1, 24, "ORDINALITY"},
		{"MATCH (n) RETURN NO BINDINGS", codeUnsupported, 1, 18, "NO BINDINGS"},
		{"MATCH (n) RETURN FOO 'x' AS v", codeSyntax, 1, 18, "unknown literal type"},
		{"MATCH (n) RETURN n UNION ALL MATCH (n) RETURN n UNION MATCH (n) RETURN n", codeComposition, 1, 49, "mix"},
		{"RETURN 99999999999999999999 AS v", "IntegerOverflow", 1, 8, "too large"},
	} {
		_, err := Parse(c.text)
		var ae *ast.Error
		if !errors.As(err, &ae) {
			t.Errorf("%q: got %v, want an *ast.Error", c.text, err)
			continue
		}
		if ae.Code != c.code || ae.Line != c.line || ae.Col != c.col || !strings.Contains(ae.Msg, c.msg) {
			t.Errorf("%q:\n got %s\nwant line %d col %d: …%s… (%s)", c.text, ae, c.line, c.col, c.msg, c.code)
		}
	}
}
