package gql

import (
	"errors"
	"testing"

	"github.com/vigilhq/vigil/grammar/ast"
)

// fuzzSeeds covers every statement, pattern form and expression form of the
// grammar, supported or not, so that mutations start from all of them. The
// corpus of past findings lives in testdata/fuzz/FuzzParse.
var fuzzSeeds = []string{
	"", ";", "RETURN", "RETURN 1 AS a", "RETURN -9223372036854775808 AS m", "RETURN 0x AS a", "RETURN '\\u' AS a",
	"RETURN '\\uD83D\\u' AS a", "RETURN 'it''s' AS s",
	"MATCH (c:ToolCall) RETURN c.agent AS agent, count(c) AS calls NEXT FILTER calls >= 3 RETURN agent, calls",
	"MATCH (c:ToolCall) LET agent = c.agent, cost = c.tokens * c.price RETURN agent, sum(cost) AS spend, count(c) AS calls GROUP BY agent",
	"MATCH (a:Agent)-[:USES]->(t:Tool)-[:TOUCHES]->(r:Resource) YIELD a.id AS agent, t.name AS tool FILTER tool <> 'x' RETURN agent, tool",
	"MATCH (n:A&!B|%) RETURN count(*) AS c GROUP BY ()",
	"MATCH p = (a)-[r:T|U WHERE r.w > 1]->{1,3}(b {x: 1}) RETURN p",
	"MATCH (a) (()-[:T]->()){1,2} (b) RETURN b",
	"MATCH (a)-[:T]->*(b) RETURN a", "MATCH (a)-[:T]->+(b) RETURN a", "MATCH (a)-[:T]->{2,}(b) RETURN a",
	"MATCH (a)~[e]~(b) RETURN a", "MATCH (a)<-[e]->(b)<->(c)-(d)->(e)<-(f) RETURN a",
	"MATCH ANY SHORTEST TRAIL p = (a)-[]->{1,5}(b) KEEP WALK WHERE a.x = 1 RETURN p",
	"MATCH (n) OPTIONAL MATCH (n)-->(m) FILTER m IS NOT NULL RETURN n, m ORDER BY n.x DESC NULLS LAST OFFSET 1 LIMIT 2",
	"MATCH (n) FOR x IN [1, 2] WITH ORDINALITY i RETURN x",
	"MATCH (n) RETURN n UNION ALL MATCH (n) RETURN n EXCEPT MATCH (m) RETURN m",
	"MATCH (n) RETURN n NEXT YIELD n MATCH (n)-->(m) RETURN DISTINCT m",
	"MATCH (n) RETURN NULLIF(n.x, 1) AS a, COALESCE(n.y, 2) AS b, n.s || 'x' AS c, CASE n.x WHEN 1 THEN 2 END AS d",
	"MATCH (n) RETURN n.x IS TRUE AS t, n IS NOT LABELED A AS l, n:B AS b, CAST(n.x AS STRING) AS s",
	"MATCH (n) RETURN DURATION 'P1D' AS d, ZONED DATETIME '2026-01-01T00:00:00Z' AS z, CURRENT_TIMESTAMP AS now",
	"MATCH (n) WHERE EXISTS { MATCH (n)-[:T]->(m) } AND EXISTS { (n)<--() } RETURN n",
	"INSERT (:A {x: 1})", "MATCH (n) SET n.x = 1 RETURN n", "CREATE GRAPH TYPE g { (:A) }", "CALL f() YIELD x RETURN x",
	"RETURN `a``b` AS x", "RETURN /* x */ 1 AS a // y", "RETURN 1e999 AS a", "RETURN $0 AS a",
	"MATCH (n) WHERE n.x IN [1, 2] AND n.y STARTS WITH 'a' OR n.y ENDS WITH 'b' AND n.y CONTAINS 'c' RETURN n",
	"RETURN [1, 2, 3][0] AS a, [1, 2, 3][1..2] AS b, [1][..1] AS c, [1][0..] AS d, $m['k'].v AS e",
	"MATCH (n) RETURN n.x IS TYPED INT AS a, n.y IS NOT TYPED STRING NOT NULL AS b, n IS :: ANY NODE AS c",
	"MATCH (n) RETURN n.x IS TYPED LIST<INT NOT NULL> AS a, n.x IS TYPED DOUBLE PRECISION AS b, n.x IS TYPED INT32 AS c",
	"MATCH (n) RETURN CAST(n.x AS INT) AS a, CAST(n.y AS ZONED DATETIME) AS b, CAST(n AS LIST) AS c, CAST(1 AS FOO) AS d",
	"MATCH (n) LET a = n.x, a = 1 RETURN a", "MATCH (n) RETURN n.x AS a NEXT LET n = a RETURN n",
	"RETURN 'a' || 1 AS v", "RETURN [1] || [2] || {a: 1} AS v",
}

// FuzzParse checks that no input makes Parse panic and that every failure is
// a positioned *ast.Error.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	recoverPanics = false
	f.Cleanup(func() { recoverPanics = true })
	f.Fuzz(func(t *testing.T, text string) {
		q, err := Parse(text)
		if err == nil {
			if q == nil || len(q.Parts) == 0 {
				t.Fatalf("nil query without error for %q", text)
			}
			_ = dump(q) // walks the whole tree
			return
		}
		var ae *ast.Error
		if !errors.As(err, &ae) {
			t.Fatalf("error %T is not *ast.Error: %v", err, err)
		}
		if ae.Line < 1 || ae.Col < 1 || ae.Code == "" || ae.Code == codeInternal {
			t.Fatalf("bad error for %q: %#v", text, ae)
		}
	})
}

// BenchmarkParse parses the seed queries once per iteration.
func BenchmarkParse(b *testing.B) {
	for i := 0; i < b.N; i++ {
		for _, t := range fuzzSeeds {
			_, _ = Parse(t)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(fuzzSeeds)), "ns/query")
}
