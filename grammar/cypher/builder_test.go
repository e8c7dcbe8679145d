package cypher

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/grammar/ast"
)

// exprOf parses `RETURN <expr>` and renders the single projected expression.
func exprOf(t *testing.T, src string) string {
	t.Helper()
	q, err := Parse("RETURN " + src)
	if err != nil {
		t.Fatalf("Parse(RETURN %s): %v", src, err)
	}
	return renderExpr(q.Parts[0].Clauses[0].(*ast.Return).Items[0].Expr)
}

func TestExpressions(t *testing.T) {
	tests := []struct{ src, want string }{
		// Boolean precedence: OR < XOR < AND < NOT < comparison.
		{"true OR true XOR true", "(OR true (XOR true true))"},
		{"true XOR false AND false", "(XOR true (AND false false))"},
		{"NOT true AND false", "(AND (NOT true) false)"},
		{"NOT false >= false", "(NOT (>= false false))"},
		{"NOT NOT a", "(NOT (NOT a))"},
		{"true OR false = false", "(OR true (= false false))"},
		// Null/list/string predicates bind tighter than comparison and NOT.
		{"false = true IS NULL", "(= false (is-null true))"},
		{"NOT false IS NULL", "(NOT (is-null false))"},
		{"a IS NOT NULL", "(is-not-null a)"},
		{"false = true IN [true, false]", "(= false (IN true [true false]))"},
		{"1 + 2 IN [3]", "(IN (+ 1 2) [3])"},
		{"a STARTS WITH 'x' + 'y'", "(STARTS WITH a (+ \"x\" \"y\"))"},
		{"a ENDS WITH b", "(ENDS WITH a b)"},
		{"a CONTAINS b", "(CONTAINS a b)"},
		{"a =~ 'x.*'", "(=~ a \"x.*\")"},
		{"a IN b IN c", "(IN (IN a b) c)"},
		// Arithmetic.
		{"4 * 2 + 3 * 2", "(+ (* 4 2) (* 3 2))"},
		{"4 - 2 - 1", "(- (- 4 2) 1)"},
		{"4 ^ 3 * 2 ^ 3", "(* (^ 4 3) (^ 2 3))"},
		{"2 ^ 3 ^ 2", "(^ (^ 2 3) 2)"},
		{"-3 ^ 2", "(^ -3 2)"},
		{"-(3 ^ 2)", "(neg (^ 3 2))"},
		{"-x ^ 2", "(^ (neg x) 2)"},
		{"-a.b", "(neg a.b)"},
		{"+1", "(pos 1)"},
		{"- -1", "(neg -1)"},
		{"10 % 3 / 2", "(/ (% 10 3) 2)"},
		// Chained comparisons.
		{"1 < 2 < 3", "(AND (< 1 2) (< 2 3))"},
		{"a = b <> c <= d", "(AND (AND (= a b) (<> b c)) (<= c d))"},
		{"a > b >= c", "(AND (> a b) (>= b c))"},
		// Postfix operators.
		{"n.name", "n.name"},
		{"n.a.b", "n.a.b"},
		{"n.`weird key`", "n.weird key"},
		{"n.match", "n.match"},
		{"l[0]", "(index l 0)"},
		{"l[1..3]", "(slice l 1 3)"},
		{"l[..3]", "(slice l nil 3)"},
		{"l[1..]", "(slice l 1 nil)"},
		{"l[..]", "(slice l nil nil)"},
		{"m['k'][0].x", "(index (index m \"k\") 0).x"},
		{"n:A", "(has n:A)"},
		{"n:A:B", "(has n:A:B)"},
		{"n:A|B", "(has n:A|B)"},
		{"NOT n:A", "(NOT (has n:A))"},
		{"n.x:A", "(has n.x:A)"},
		// Function calls.
		{"count(*)", "(count *)"},
		{"COUNT(*)", "(COUNT *)"},
		{"count(DISTINCT x)", "(count distinct x)"},
		{"drasi.trueFor(a, 10)", "(drasi.trueFor a 10)"},
		{"datetime.realtime()", "(datetime.realtime)"},
		{"toUpper('a')", "(toUpper \"a\")"},
		{"exists(n.prop)", "(exists n.prop)"},
		{"size([(a)-->(b) | b])", "(size (pattern-comp (a)-[]->(b) nil b))"},
		// Parameters.
		{"$p", "$p"},
		{"$0", "$0"},
		{"$`odd name`", "$odd name"},
		// CASE.
		{"CASE WHEN a THEN 1 ELSE 2 END", "(case when a then 1 else 2)"},
		{"CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' END", "(case x when 1 then \"a\" when 2 then \"b\")"},
		// Comprehensions and quantifiers.
		{"[x IN l]", "(list-comp x l nil nil)"},
		{"[x IN l WHERE x > 1]", "(list-comp x l (> x 1) nil)"},
		{"[x IN l | x * 2]", "(list-comp x l nil (* x 2))"},
		{"[x IN l WHERE x > 1 | x * 2]", "(list-comp x l (> x 1) (* x 2))"},
		{"[(a)-[:T]->(b) WHERE b.x | b.y]", "(pattern-comp (a)-[:T]->(b) b.x b.y)"},
		{"[p = (a)-->() | p]", "(pattern-comp p = (a)-[]->() nil p)"},
		{"all(x IN l WHERE x > 0)", "(all x l (> x 0))"},
		{"any(x IN l WHERE x)", "(any x l x)"},
		{"none(x IN l WHERE x)", "(none x l x)"},
		{"single(x IN l WHERE x)", "(single x l x)"},
		{"reduce(acc = 0, x IN l | acc + x)", "(reduce acc 0 x l (+ acc x))"},
		// Pattern predicates and EXISTS.
		{"(a)-[:T]->()", "(exists (a)-[:T]->())"},
		{"(a)--(b)", "(exists (a)-[]-(b))"},
		{"(a)<--(b)", "(exists (a)<-[]-(b))"},
		{"(a) - (b)", "(- a b)"},
		{"(a)", "a"},
		{"NOT (a)-->()", "(NOT (exists (a)-[]->()))"},
		{"exists((a)-->())", "(exists (a)-[]->())"},
		{"EXISTS { (a)-->(b) WHERE b.x = 1 }", "(exists (a)-[]->(b) where (= b.x 1))"},
		{"EXISTS { MATCH (a)-->(b) }", "(exists-query (match (a)-[]->(b)))"},
		{"EXISTS { MATCH (a)-->(b) WHERE b.x RETURN b }", "(exists-query (match (a)-[]->(b) where b.x) (return b ~\"b\"))"},
		// Literals.
		{"42", "42"},
		{"0", "0"},
		{"0x1F", "31"},
		{"0X1f", "31"},
		{"0o17", "15"},
		{"-0x10", "-16"},
		{"9223372036854775807", "9223372036854775807"},
		{"-9223372036854775808", "-9223372036854775808"},
		{"-0x8000000000000000", "-9223372036854775808"},
		{"-0o1000000000000000000000", "-9223372036854775808"},
		{"1.5", "f1.5"},
		{".5", "f0.5"},
		{"1e9", "f1e+09"},
		{"1E9", "f1e+09"},
		{".1e-5", "f1e-06"},
		{"1.5e+3", "f1500"},
		{"-.0", "f-0"},
		{"1e308", "f1e+308"},
		{"'a'", `"a"`},
		{`"b"`, `"b"`},
		{`'it\'s'`, `"it's"`},
		{`"say \"hi\""`, `"say \"hi\""`},
		{`'\t\n\r\b\f\\'`, `"\t\n\r\b\f\\"`},
		{`'\u01FF'`, `"ǿ"`},
		{`'\uD83D\uDE00'`, `"😀"`},
		{`'\U0001F600'`, `"😀"`},
		{`'\d'`, `"\\d"`},
		{"'🧐🍌'", `"🧐🍌"`},
		{"true", "true"},
		{"TRUE", "true"},
		{"False", "false"},
		{"NULL", "null"},
		{"nUlL", "null"},
		{"[]", "[]"},
		{"[1, 'a', [2]]", `[1 "a" [2]]`},
		{"{}", "{}"},
		{"{a: 1, `b c`: 'x', match: true}", `{a:1 b c:"x" match:true}`},
		{"{a: {b: [1]}}", "{a:{b:[1]}}"},
		// Names.
		{"`a``b`", "a`b"},
		{"count", "count"},
		{"überName", "überName"},
		// Comments.
		{"1 /* one */ + // rest\n 2", "(+ 1 2)"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			if got := exprOf(t, tt.src); got != tt.want {
				t.Errorf("RETURN %s\n got  %s\n want %s", tt.src, got, tt.want)
			}
		})
	}
}

func TestQueries(t *testing.T) {
	tests := []struct{ src, want string }{
		{"MATCH (n) RETURN n", `(match (n)) (return n ~"n")`},
		{"match (n) return n;", `(match (n)) (return n ~"n")`},
		{"MATCH (a)-->(b) RETURN a", `(match (a)-[]->(b)) (return a ~"a")`},
		{"MATCH (a)<--(b) RETURN a", `(match (a)<-[]-(b)) (return a ~"a")`},
		{"MATCH (a)--(b) RETURN a", `(match (a)-[]-(b)) (return a ~"a")`},
		{"MATCH (a)<-->(b) RETURN a", `(match (a)-[]-(b)) (return a ~"a")`},
		{"MATCH (a)-[r:T]->(b)<-[s]-(c)-[]-(d) RETURN a", `(match (a)-[r:T]->(b)<-[s]-(c)-[]-(d)) (return a ~"a")`},
		{"MATCH (a)<-[:T|U]-(b) RETURN a", `(match (a)<-[:T|U]-(b)) (return a ~"a")`},
		{"MATCH (a)-[:T|:U]->(b) RETURN a", `(match (a)-[:T|U]->(b)) (return a ~"a")`},
		{"MATCH (a:A:B {x: 1})-[r {y: $p}]->(b:C|D) RETURN a", `(match (a:A:B {x:1})-[r {y:$p}]->(b:C|D)) (return a ~"a")`},
		{"MATCH (a $props) RETURN a", `(match (a $props)) (return a ~"a")`},
		{"MATCH (a WHERE a.x > 1)-[r WHERE r.w < 2]->(b) RETURN a", `(match (a where (> a.x 1))-[r where (< r.w 2)]->(b)) (return a ~"a")`},
		{"MATCH (a)-[*]->(b) RETURN a", `(match (a)-[*..]->(b)) (return a ~"a")`},
		{"MATCH (a)-[*2]->(b) RETURN a", `(match (a)-[*2..2]->(b)) (return a ~"a")`},
		{"MATCH (a)-[*1..3]->(b) RETURN a", `(match (a)-[*1..3]->(b)) (return a ~"a")`},
		{"MATCH (a)-[*..3]->(b) RETURN a", `(match (a)-[*..3]->(b)) (return a ~"a")`},
		{"MATCH (a)-[*2..]->(b) RETURN a", `(match (a)-[*2..]->(b)) (return a ~"a")`},
		{"MATCH (a)-[r:T*0..1 {x: 1}]-(b) RETURN a", `(match (a)-[r:T*0..1 {x:1}]-(b)) (return a ~"a")`},
		{"MATCH p = (a)-->(b), (c) RETURN p", `(match p = (a)-[]->(b), (c)) (return p ~"p")`},
		{"MATCH (n) WHERE n.x = 1 RETURN n", `(match (n) where (= n.x 1)) (return n ~"n")`},
		{"MATCH (n) WHERE (n)-[:T]->() RETURN n", `(match (n) where (exists (n)-[:T]->())) (return n ~"n")`},
		{"OPTIONAL MATCH (n) RETURN n", `(optional-match (n)) (return n ~"n")`},
		{"MATCH (a) OPTIONAL MATCH (a)-->(b) RETURN b", `(match (a)) (optional-match (a)-[]->(b)) (return b ~"b")`},
		{"MATCH (a) WITH a, a.x AS x WHERE x > 1 MATCH (a)-->(b) RETURN b", `(match (a)) (with a ~"a" a.x as x where (> x 1)) (match (a)-[]->(b)) (return b ~"b")`},
		{"WITH DISTINCT * RETURN 1", `(with distinct *) (return 1 ~"1")`},
		{"MATCH (a) WITH *, 1 AS one ORDER BY a.x DESC SKIP 1 LIMIT 2 RETURN one", `(match (a)) (with * 1 as one order a.x desc skip 1 limit 2) (return one ~"one")`},
		{"RETURN DISTINCT n.name, count(*) ORDER BY n.name ASCENDING, count(*) DESCENDING SKIP $s LIMIT 10",
			`(return distinct n.name ~"n.name" (count *) ~"count(*)" order n.name asc order (count *) desc skip $s limit 10)`},
		{"RETURN * ORDER BY a ASC, b DESC", `(return * order a asc order b desc)`},
		{"RETURN count( * ) , n.x+1", `(return (count *) ~"count( * )" (+ n.x 1) ~"n.x+1")`},
		{"RETURN `a b`", `(return a b ~"a b")`},
		{"MATCH (n) RETURN (n)", `(match (n)) (return n ~"(n)")`},
		{"UNWIND [1, 2] AS x RETURN x", `(unwind [1 2] x) (return x ~"x")`},
		{"RETURN 1 AS a UNION RETURN 2 AS a", `(union (return 1 as a) (return 2 as a))`},
		{"RETURN 1 AS a UNION ALL RETURN 2 AS a UNION ALL RETURN 3 AS a", `(union-all (return 1 as a) (return 2 as a) (return 3 as a))`},
		{"CREATE (a:A {x: 1})-[:T {w: 2}]->(b), (c)", `(create (a:A {x:1})-[:T {w:2}]->(b), (c))`},
		{"MATCH (a), (b) CREATE (a)-[:T]->(b)", `(match (a), (b)) (create (a)-[:T]->(b))`},
		{"MATCH (n) WHERE EXISTS { MATCH (n)-->(m) WITH m, count(*) AS c WHERE c > 1 RETURN true } RETURN n",
			`(match (n) where (exists-query (match (n)-[]->(m)) (with m ~"m" (count *) as c where (> c 1)) (return true ~"true"))) (return n ~"n")`},
		{"MATCH (n:Match) RETURN n.return", `(match (n:Match)) (return n.return ~"n.return")`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			q, err := Parse(tt.src)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := renderQuery(q); got != tt.want {
				t.Errorf("%s\n got  %s\n want %s", tt.src, got, tt.want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		src       string
		code      string
		line, col int
		msg       string // substring of the message
	}{
		{"MATCH (n RETURN n", "UnexpectedSyntax", 1, 10, `"RETURN"`},
		{"MATCH (n)\nRETURN n +", "UnexpectedSyntax", 2, 11, "end of input"},
		{"RETURN [, ]", "UnexpectedSyntax", 1, 9, `","`},
		{"RETURN {1: 2}", "UnexpectedSyntax", 1, 9, `"1"`},
		{"RETURN 1 2", "UnexpectedSyntax", 1, 10, `"2"`},
		{"RETURN 9223372#54775808", "UnexpectedSyntax", 1, 15, "#"},
		{"RETURN 42 — 41", "InvalidUnicodeCharacter", 1, 11, "—"},
		{"RETURN 'open", "UnexpectedSyntax", 1, 8, "'open"},
		{"", "UnexpectedSyntax", 1, 1, "end of input"},
		{"RETURN 9223372036854775808", "IntegerOverflow", 1, 8, "9223372036854775808"},
		{"RETURN -9223372036854775809", "IntegerOverflow", 1, 9, "-9223372036854775809"},
		{"RETURN 0x8000000000000000", "IntegerOverflow", 1, 8, ""},
		{"MATCH ()-[*99999999999999999999]->() RETURN 1", "IntegerOverflow", 1, 12, ""},
		{"RETURN 0x", "InvalidNumberLiteral", 1, 8, "0x"},
		{"RETURN 12abc", "InvalidNumberLiteral", 1, 8, "12abc"},
		{"RETURN 1.34E999", "FloatingPointOverflow", 1, 8, ""},
		{"RETURN -1e999", "FloatingPointOverflow", 1, 8, ""},
		{`RETURN '\uH'`, "InvalidUnicodeLiteral", 1, 8, ""},
		{`RETURN '\u12'`, "InvalidUnicodeLiteral", 1, 8, ""},
		{`RETURN '\uD83D'`, "InvalidUnicodeLiteral", 1, 8, ""},
		{"RETURN 1 AS a UNION RETURN 2 AS a\nUNION ALL RETURN 3 AS a", "InvalidClauseComposition", 2, 1, "UNION"},
		{"RETURN 1 MATCH (n) RETURN n", "InvalidClauseComposition", 1, 10, "end of a query"},
		{"MATCH (n)", "InvalidClauseComposition", 1, 1, "conclude"},
		{"MATCH (n) SET n.x = 1 RETURN n", "UnsupportedClause", 1, 11, "SET"},
		{"MATCH (n) DETACH DELETE n", "UnsupportedClause", 1, 11, "DELETE"},
		{"MERGE (n:A {x: 1}) ON CREATE SET n.y = 2", "UnsupportedClause", 1, 1, "MERGE"},
		{"MATCH (n) REMOVE n:A, n.x", "UnsupportedClause", 1, 11, "REMOVE"},
		{"CALL db.labels() YIELD label RETURN label", "UnsupportedClause", 1, 1, "CALL"},
		{"MATCH (n) WHERE EXISTS { MATCH (n)-->(m) SET m.x = 1 } RETURN n", "InvalidClauseComposition", 1, 42, "SET"},
		{"MATCH (a)-[:T..]->(b) RETURN b", "InvalidRelationshipPattern", 1, 14, "'*'"},
		{"MATCH (a)-[:T*-2]->(b) RETURN b", "InvalidRelationshipPattern", 1, 15, "-2"},
		{"MATCH (a)-[:T*1..-2]->(b) RETURN b", "InvalidRelationshipPattern", 1, 18, "-2"},
		{"MATCH (a) RETURN size((a)-->())", "UnexpectedSyntax", 1, 23, "pattern"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			q, err := Parse(tt.src)
			if err == nil {
				t.Fatalf("no error; got %s", renderQuery(q))
			}
			var ae *ast.Error
			if !errors.As(err, &ae) {
				t.Fatalf("error %T is not *ast.Error: %v", err, err)
			}
			if ae.Code != tt.code || ae.Line != tt.line || ae.Col != tt.col || !strings.Contains(ae.Msg, tt.msg) {
				t.Errorf("got %v\nwant %s at %d:%d containing %q", ae, tt.code, tt.line, tt.col, tt.msg)
			}
		})
	}
}

func TestPositions(t *testing.T) {
	q, err := Parse("MATCH (a:A)\n  -[r]->(b)\nWHERE a.x = 1\nRETURN a.x AS x, b")
	if err != nil {
		t.Fatal(err)
	}
	m := q.Parts[0].Clauses[0].(*ast.Match)
	ret := q.Parts[0].Clauses[1].(*ast.Return)
	checks := []struct {
		name string
		got  ast.Pos
		want ast.Pos
	}{
		{"query", q.Pos, ast.Pos{Line: 1, Col: 1}},
		{"match", m.Pos, ast.Pos{Line: 1, Col: 1}},
		{"path", m.Pattern[0].Pos, ast.Pos{Line: 1, Col: 7}},
		{"node a", m.Pattern[0].Nodes[0].Pos, ast.Pos{Line: 1, Col: 7}},
		{"label A", m.Pattern[0].Nodes[0].Labels.Position(), ast.Pos{Line: 1, Col: 10}},
		{"rel r", m.Pattern[0].Rels[0].Pos, ast.Pos{Line: 2, Col: 3}},
		{"node b", m.Pattern[0].Nodes[1].Pos, ast.Pos{Line: 2, Col: 9}},
		{"where", m.Where.Position(), ast.Pos{Line: 3, Col: 7}},
		{"return", ret.Pos, ast.Pos{Line: 4, Col: 1}},
		{"item x", ret.Items[0].Pos, ast.Pos{Line: 4, Col: 8}},
		{"item b expr", ret.Items[1].Expr.Position(), ast.Pos{Line: 4, Col: 18}},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestLiteralValues(t *testing.T) {
	// Values the renderer would hide: the exact int64 extremes and -0.0.
	q, err := Parse("RETURN -9223372036854775808, 9223372036854775807, -0.0")
	if err != nil {
		t.Fatal(err)
	}
	items := q.Parts[0].Clauses[0].(*ast.Return).Items
	if v := items[0].Expr.(*ast.Literal).Int; v != math.MinInt64 {
		t.Errorf("min int: got %d", v)
	}
	if v := items[1].Expr.(*ast.Literal).Int; v != math.MaxInt64 {
		t.Errorf("max int: got %d", v)
	}
	if v := items[2].Expr.(*ast.Literal).Float; !math.Signbit(v) || v != 0 {
		t.Errorf("-0.0: got %v", v)
	}
	if a := items[0].Alias; a != "-9223372036854775808" {
		t.Errorf("alias: got %q", a)
	}
}

// TestConcurrentParse guards the assumption that Parse may be called from
// many goroutines: the generated parser shares its prediction caches.
func TestConcurrentParse(t *testing.T) {
	queries := []string{
		"MATCH (a)-[:T*1..3]->(b) WHERE a.x > 1 RETURN b, count(*)",
		"RETURN [x IN range(1, 10) WHERE x % 2 = 0 | x ^ 2] AS l",
		"MATCH (n) WHERE EXISTS { (n)-->() } RETURN CASE WHEN n.a THEN 1 ELSE 2 END",
		"UNWIND $l AS x WITH x ORDER BY x DESC LIMIT 3 RETURN collect(x)",
	}
	done := make(chan error)
	for g := 0; g < 8; g++ {
		go func() {
			var err error
			for i := 0; i < 50 && err == nil; i++ {
				_, err = Parse(queries[(g+i)%len(queries)])
			}
			done <- err
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
