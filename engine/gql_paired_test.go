package engine

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/internal/sharedtest"
)

// gqlPair is an openCypher query and a GQL query that mean the same thing.
type gqlPair struct {
	name, cypher, gql string
	// bagLists: compare list values as multisets, and diffs by their net
	// effect: collect order is the order rows arrived in, which a query
	// bootstrapped from the graph takes from map iteration, so the rows an
	// UNWIND of a collected list pairs up as updates may differ.
	bagLists bool
	// ordered: compare the current result in order.
	ordered bool
}

// gqlPairs covers the GQL feature set of issue 3 over the differential
// test's universe (labels A, B, C; node properties x, y; relation types T,
// U with property w).
var gqlPairs = []gqlPair{
	{name: "filter", cypher: "MATCH (n:A) WHERE n.x > 2 RETURN n.x AS x, n.y AS y",
		gql: "MATCH (n:A) FILTER n.x > 2 RETURN n.x AS x, n.y AS y"},
	{name: "filter-where", cypher: "MATCH (n:A) WHERE n.x > 2 RETURN n.x AS x",
		gql: "MATCH (n IS A WHERE n.x > 2) RETURN n.x AS x"},
	{name: "node", cypher: "MATCH (n:A) RETURN n", gql: "MATCH (n:A) RETURN n"},
	{name: "one-hop", cypher: "MATCH (a:A)-[r:T]->(b:B) RETURN a.x AS ax, r.w AS w, b.y AS b_y",
		gql: "MATCH (a:A)-[r:T]->(b:B) RETURN a.x AS ax, r.w AS w, b.y AS b_y"},
	{name: "two-hop", cypher: "MATCH (a)-[:T]->(b)-[:U]->(c) RETURN elementId(a) AS a, elementId(b) AS b, elementId(c) AS c",
		gql: "MATCH (a)-[:T]->(b)-[:U]->(c) RETURN element_id(a) AS a, element_id(b) AS b, element_id(c) AS c"},
	{name: "incoming", cypher: "MATCH (a:A)<-[:T]-(b) RETURN a.x AS ax, b.x AS bx",
		gql: "MATCH (a:A)<-[:T]-(b) RETURN a.x AS ax, b.x AS bx"},
	{name: "undirected", cypher: "MATCH (a)-[r]-(b) WHERE a.x = b.x RETURN elementId(r) AS r, elementId(a) AS a",
		gql: "MATCH (a)<-[r]->(b) WHERE a.x = b.x RETURN element_id(r) AS r, element_id(a) AS a"},
	{name: "abbreviated-edges", cypher: "MATCH (a:A)-->(b)<--(c) RETURN elementId(a) AS a, elementId(c) AS c",
		gql: "MATCH (a:A)->(b)<-(c) RETURN element_id(a) AS a, element_id(c) AS c"},
	{name: "optional", cypher: "MATCH (a:A) OPTIONAL MATCH (a)-[:T]->(b:B) RETURN elementId(a) AS a, b.x AS bx",
		gql: "MATCH (a:A) OPTIONAL MATCH (a)-[:T]->(b:B) RETURN element_id(a) AS a, b.x AS bx"},
	{name: "group-by", cypher: "MATCH (a:A)-[:T]->(b) RETURN a.y AS y, count(*) AS c, sum(b.x) AS s",
		gql: "MATCH (a:A)-[:T]->(b) RETURN a.y AS y, count(*) AS c, sum(b.x) AS s GROUP BY y"},
	{name: "implicit-grouping", cypher: "MATCH (a:A)-[:T]->(b) RETURN a.y AS y, count(*) AS c",
		gql: "MATCH (a:A)-[:T]->(b) RETURN a.y AS y, count(*) AS c"},
	{name: "group-by-empty", cypher: "MATCH (n) RETURN count(n) AS c, min(n.x) AS mn, max(n.x) AS mx",
		gql: "MATCH (n) RETURN count(n) AS c, min(n.x) AS mn, max(n.x) AS mx GROUP BY ()"},
	{name: "group-by-empty-filtered", cypher: "MATCH (n:B) WHERE n.x > 1 RETURN count(*) AS c, sum(n.x) AS s",
		gql: "MATCH (n:B) FILTER n.x > 1 RETURN count(*) AS c, sum(n.x) AS s GROUP BY ()"},
	{name: "collect", cypher: "MATCH (n:B) RETURN n.y AS y, collect(n.x) AS xs",
		gql: "MATCH (n:B) RETURN n.y AS y, collect_list(n.x) AS xs GROUP BY y", bagLists: true},
	{name: "distinct", cypher: "MATCH (n:A) RETURN DISTINCT n.y AS y", gql: "MATCH (n:A) RETURN DISTINCT n.y AS y"},
	{name: "count-distinct", cypher: "MATCH (a)-[:T]->(b) RETURN a.y AS y, count(DISTINCT b.x) AS d",
		gql: "MATCH (a)-[:T]->(b) RETURN a.y AS y, count(DISTINCT b.x) AS d GROUP BY y"},
	{name: "top-k", cypher: "MATCH (n:A) RETURN elementId(n) AS id, n.x AS x ORDER BY n.x DESC, elementId(n) LIMIT 3",
		gql: "MATCH (n:A) RETURN element_id(n) AS id, n.x AS x ORDER BY n.x DESC, element_id(n) LIMIT 3", ordered: true},
	{name: "offset", cypher: "MATCH (n:B) RETURN elementId(n) AS id ORDER BY id SKIP 2",
		gql: "MATCH (n:B) RETURN element_id(n) AS id ORDER BY id OFFSET 2", ordered: true},
	{name: "order-page-statement", cypher: "MATCH (n) WITH n ORDER BY n.x, elementId(n) SKIP 1 LIMIT 4 RETURN elementId(n) AS id",
		gql: "MATCH (n) ORDER BY n.x, element_id(n) OFFSET 1 LIMIT 4 RETURN element_id(n) AS id"},
	{name: "for", cypher: "MATCH (n:C) UNWIND [n.x, n.x + 1] AS v RETURN v, elementId(n) AS id",
		gql: "MATCH (n:C) FOR v IN [n.x, n.x + 1] RETURN v, element_id(n) AS id"},
	{name: "quantified-edge", cypher: "MATCH (a:A)-[:T*1..2]->(b) RETURN elementId(a) AS a, elementId(b) AS b",
		gql: "MATCH (a:A)-[:T]->{1,2}(b) RETURN element_id(a) AS a, element_id(b) AS b"},
	{name: "quantified-undirected", cypher: "MATCH (a)-[*0..2]-(b:B) RETURN elementId(a) AS a, elementId(b) AS b",
		gql: "MATCH (a)-[]-{0,2}(b:B) RETURN element_id(a) AS a, element_id(b) AS b"},
	{name: "quantified-group", cypher: "MATCH (a:A)-[:U*2..2]->(b) RETURN elementId(a) AS a, elementId(b) AS b",
		gql: "MATCH (a:A) (()-[:U]->()){2} (b) RETURN element_id(a) AS a, element_id(b) AS b"},
	{name: "quantified-upper-only", cypher: "MATCH (a:C)-[r:T*0..1]->(b) RETURN elementId(a) AS a, elementId(b) AS b, size(r) AS n",
		gql: "MATCH (a:C)-[r:T]->{,1}(b) RETURN element_id(a) AS a, element_id(b) AS b, size(r) AS n"},
	{name: "next-filter-after-aggregation", cypher: "MATCH (a:A) WITH a.y AS y, count(*) AS c WHERE c > 1 RETURN y, c",
		gql: "MATCH (a:A) RETURN a.y AS y, count(*) AS c NEXT FILTER c > 1 RETURN y, c"},
	{name: "next-filter-group-by", cypher: "MATCH (a)-[:T]->(b) WITH b.y AS y, sum(a.x) AS s WHERE s >= 3 RETURN y, s",
		gql: "MATCH (a)-[:T]->(b) RETURN b.y AS y, sum(a.x) AS s GROUP BY y NEXT FILTER WHERE s >= 3 RETURN y, s"},
	{name: "next-match", cypher: "MATCH (a:A) WITH a MATCH (a)-[:U]->(b) RETURN elementId(a) AS a, b.x AS bx",
		gql: "MATCH (a:A) RETURN a NEXT MATCH (a)-[:U]->(b) RETURN element_id(a) AS a, b.x AS bx"},
	{name: "next-yield", cypher: "MATCH (a:A) WITH a, a.x AS x WITH a MATCH (a)-[:U]->(b) RETURN elementId(a) AS a, b.x AS bx",
		gql: "MATCH (a:A) RETURN a, a.x AS x NEXT YIELD a MATCH (a)-[:U]->(b) RETURN element_id(a) AS a, b.x AS bx"},
	{name: "next-theta-join", cypher: "MATCH (a:A) WITH a.x AS x MATCH (b:B) WHERE b.x = x RETURN x, elementId(b) AS b",
		gql: "MATCH (a:A) RETURN a.x AS x NEXT MATCH (b:B) WHERE b.x = x RETURN x, element_id(b) AS b"},
	{name: "next-top-k-filter", cypher: "MATCH (n:A) WITH n.x AS x, elementId(n) AS id ORDER BY x DESC, id LIMIT 3 WHERE x > 1 RETURN id, x",
		gql: "MATCH (n:A) RETURN n.x AS x, element_id(n) AS id ORDER BY x DESC, id LIMIT 3 NEXT FILTER x > 1 RETURN id, x"},
	{name: "next-distinct", cypher: "MATCH (a)-[:T]->(b) WITH DISTINCT a.y AS y RETURN y",
		gql: "MATCH (a)-[:T]->(b) RETURN DISTINCT a.y AS y NEXT RETURN y"},
	{name: "next-three-parts", cypher: "MATCH (a:A)-[:T]->(b) WITH a, count(b) AS deg WITH a, deg WHERE deg > 0 MATCH (a)-[:U]->(c) RETURN elementId(a) AS a, deg, c.x AS cx",
		gql: "MATCH (a:A)-[:T]->(b) RETURN a, count(b) AS deg NEXT FILTER deg > 0 RETURN a, deg NEXT MATCH (a)-[:U]->(c) RETURN element_id(a) AS a, deg, c.x AS cx"},
	{name: "union", cypher: "MATCH (n:A) RETURN n.x AS v UNION MATCH (m:B) RETURN m.x AS v",
		gql: "MATCH (n:A) RETURN n.x AS v UNION DISTINCT MATCH (m:B) RETURN m.x AS v"},
	{name: "union-all", cypher: "MATCH (n:A) RETURN n.x AS v UNION ALL MATCH (m:B) RETURN m.x AS v",
		gql: "MATCH (n:A) RETURN n.x AS v UNION ALL MATCH (m:B) RETURN m.x AS v"},
	{name: "cartesian", cypher: "MATCH (a:A), (b:B) WHERE a.x = b.x RETURN elementId(a) AS a, elementId(b) AS b",
		gql: "MATCH (a:A), (b:B) WHERE a.x = b.x RETURN element_id(a) AS a, element_id(b) AS b"},
	{name: "path", cypher: "MATCH p = (a:A)-[:T]->(b) RETURN p", gql: "MATCH p = (a:A)-[:T]->(b) RETURN p"},
	{name: "optional-count", cypher: "MATCH (a:A) OPTIONAL MATCH (a)-[:T]->(b) WITH a, count(b) AS c RETURN elementId(a) AS a, c",
		gql: "MATCH (a:A) OPTIONAL MATCH (a)-[:T]->(b) RETURN a, count(b) AS c GROUP BY a NEXT RETURN element_id(a) AS a, c"},
	{name: "filter-after-optional", cypher: "MATCH (a:A) OPTIONAL MATCH (a)-[:T]->(b) WITH a, b WHERE b IS NULL RETURN elementId(a) AS a",
		gql: "MATCH (a:A) OPTIONAL MATCH (a)-[:T]->(b) FILTER b IS NULL RETURN element_id(a) AS a"},
	{name: "statistics", cypher: "MATCH (n:B) RETURN n.y AS y, avg(n.x) AS av, stDev(n.x) AS sd, percentileDisc(n.x, 0.5) AS p",
		gql: "MATCH (n:B) RETURN n.y AS y, avg(n.x) AS av, stddev_samp(n.x) AS sd, percentile_disc(n.x, 0.5) AS p GROUP BY y"},
	{name: "statistics-pop", cypher: "MATCH (n:A) RETURN stDevP(n.x) AS sd, percentileCont(n.x, 0.25) AS p",
		gql: "MATCH (n:A) RETURN stddev_pop(n.x) AS sd, percentile_cont(n.x, 0.25) AS p GROUP BY ()"},
	{name: "top-degree", cypher: "MATCH (a)-[:T]->(b) WITH a, count(b) AS deg ORDER BY deg DESC, elementId(a) LIMIT 2 RETURN elementId(a) AS a, deg",
		gql: "MATCH (a)-[:T]->(b) RETURN a, count(b) AS deg ORDER BY deg DESC, element_id(a) LIMIT 2 NEXT RETURN element_id(a) AS a, deg"},
	{name: "collect-for", cypher: "MATCH (n:A) WITH n.y AS y, collect(n) AS ns UNWIND ns AS m RETURN y, elementId(m) AS id",
		gql: "MATCH (n:A) RETURN n.y AS y, collect(n) AS ns NEXT FOR m IN ns RETURN y, element_id(m) AS id", bagLists: true},
	{name: "label-or", cypher: "MATCH (n:A|B) RETURN elementId(n) AS id", gql: "MATCH (n:A|B) RETURN element_id(n) AS id"},
	{name: "label-and", cypher: "MATCH (n:A:B) RETURN elementId(n) AS id", gql: "MATCH (n:A&B) RETURN element_id(n) AS id"},
	{name: "label-not", cypher: "MATCH (n:A) WHERE NOT n:B RETURN elementId(n) AS id, n.x AS x",
		gql: "MATCH (n:A&!B) RETURN element_id(n) AS id, n.x AS x"},
	{name: "label-expression", cypher: "MATCH (n) WHERE (n:A OR n:B) AND NOT n:C RETURN elementId(n) AS id",
		gql: "MATCH (n:(A|B)&!C) RETURN element_id(n) AS id"},
	{name: "label-not-alone", cypher: "MATCH (n) WHERE NOT n:A RETURN elementId(n) AS id, n:B AS b, n:C AS c",
		gql: "MATCH (n:!A) RETURN element_id(n) AS id, n:B AS b, n:C AS c"},
	{name: "label-any", cypher: "MATCH (n) WHERE size(labels(n)) > 0 RETURN elementId(n) AS id",
		gql: "MATCH (n:%) RETURN element_id(n) AS id"},
	{name: "label-predicate", cypher: "MATCH (n) WHERE n:A OR n:C RETURN elementId(n) AS id, n.x * 2 + 1 AS k",
		gql: "MATCH (n) WHERE n IS LABELED A|C RETURN element_id(n) AS id, n.x * 2 + 1 AS k"},
	{name: "label-not-predicate", cypher: "MATCH (a)-[:T]->(b) WHERE NOT b:B RETURN elementId(a) AS a, elementId(b) AS b",
		gql: "MATCH (a)-[:T]->(b) FILTER b IS NOT LABELED B RETURN element_id(a) AS a, element_id(b) AS b"},
	{name: "type-not", cypher: "MATCH (a:A)-[r]->(b) WHERE type(r) <> 'T' RETURN elementId(r) AS r",
		gql: "MATCH (a:A)-[r:!T]->(b) RETURN element_id(r) AS r"},
	{name: "type-or", cypher: "MATCH (a)-[r:T|U]->(b:C) RETURN elementId(r) AS r, r.w AS w",
		gql: "MATCH (a)-[r:T|U]->(b:C) RETURN element_id(r) AS r, r.w AS w"},
	{name: "properties", cypher: "MATCH (a {y: 'p'})-[r:T {w: 1}]->(b) RETURN elementId(a) AS a, elementId(b) AS b",
		gql: "MATCH (a {y: 'p'})-[r:T {w: 1}]->(b) RETURN element_id(a) AS a, element_id(b) AS b"},
	{name: "exists-pattern", cypher: "MATCH (a:A) WHERE (a)-[:T]->(:B) RETURN elementId(a) AS a",
		gql: "MATCH (a:A) WHERE EXISTS { (a)-[:T]->(:B) } RETURN element_id(a) AS a"},
	{name: "not-exists", cypher: "MATCH (a:A) WHERE NOT exists { MATCH (a)-[:U]->(b) WHERE b.x > 2 } RETURN elementId(a) AS a, a.x AS x",
		gql: "MATCH (a:A) FILTER NOT EXISTS { MATCH (a)-[:U]->(b) WHERE b.x > 2 } RETURN element_id(a) AS a, a.x AS x"},
	{name: "case", cypher: "MATCH (a:A)-[r:U]->(b) RETURN CASE WHEN r.w > 1 THEN 'hi' ELSE 'lo' END AS band, count(*) AS c",
		gql: "MATCH (a:A)-[r:U]->(b) RETURN CASE WHEN r.w > 1 THEN 'hi' ELSE 'lo' END AS band, count(*) AS c GROUP BY band"},
	{name: "simple-case", cypher: "MATCH (n:B) RETURN elementId(n) AS id, CASE n.x WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END AS v",
		gql: "MATCH (n:B) RETURN element_id(n) AS id, CASE n.x WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END AS v"},
	{name: "nullif", cypher: "MATCH (n:A) RETURN elementId(n) AS id, CASE WHEN n.x = 2 THEN null ELSE n.x END AS v",
		gql: "MATCH (n:A) RETURN element_id(n) AS id, NULLIF(n.x, 2) AS v"},
	{name: "coalesce", cypher: "MATCH (n:C) RETURN elementId(n) AS id, coalesce(n.x, -1) AS x, coalesce(n.y, 'none') AS y",
		gql: "MATCH (n:C) RETURN element_id(n) AS id, COALESCE(n.x, -1) AS x, coalesce(n.y, 'none') AS y"},
	{name: "concat", cypher: "MATCH (a)-[:T]->(b) RETURN elementId(a) + '/' + elementId(b) AS k, a.y + b.y AS yy",
		gql: "MATCH (a)-[:T]->(b) RETURN element_id(a) || '/' || element_id(b) AS k, a.y || b.y AS yy"},
	{name: "string-functions", cypher: "MATCH (n:A) RETURN elementId(n) AS id, toUpper(n.y) AS u, toLower(toUpper(n.y)) AS l, size(n.y) AS n",
		gql: "MATCH (n:A) RETURN element_id(n) AS id, upper(n.y) AS u, lower(upper(n.y)) AS l, char_length(n.y) AS n"},
	{name: "math-functions", cypher: "MATCH (n:B) RETURN elementId(n) AS id, abs(n.x - 2) AS a, floor(n.x / 2.0) AS f, ceil(n.x / 2.0) AS c, n.x % 3 AS m",
		gql: "MATCH (n:B) RETURN element_id(n) AS id, abs(n.x - 2) AS a, floor(n.x / 2.0) AS f, ceil(n.x / 2.0) AS c, mod(n.x, 3) AS m"},
	{name: "let", cypher: "MATCH (n:B) WITH n, n.x * 2 AS d WHERE d > 2 RETURN elementId(n) AS id, d",
		gql: "MATCH (n:B) LET d = n.x * 2 FILTER d > 2 RETURN element_id(n) AS id, d"},
	{name: "let-chained", cypher: "MATCH (n:A) WITH n, n.x AS a WITH n, a, a + 1 AS b RETURN elementId(n) AS id, a, b",
		gql: "MATCH (n:A) LET a = n.x, b = a + 1 RETURN element_id(n) AS id, a, b"},
	{name: "let-group-by", cypher: "MATCH (a:A)-[r:T]->(b) WITH a.y AS y, r.w * b.x AS cost RETURN y, sum(cost) AS spend, count(*) AS c",
		gql: "MATCH (a:A)-[r:T]->(b) LET y = a.y, cost = r.w * b.x RETURN y, sum(cost) AS spend, count(*) AS c GROUP BY y"},
	{name: "yield-filter", cypher: "MATCH (a:A)-[:T]->(b)-[:U]->(c) WITH a.x AS ax, c.x AS cx WHERE cx >= 2 RETURN ax, cx",
		gql: "MATCH (a:A)-[:T]->(b)-[:U]->(c) YIELD a.x AS ax, c.x AS cx FILTER cx >= 2 RETURN ax, cx"},
	{name: "truth-tests", cypher: "MATCH (n:C) RETURN elementId(n) AS id, coalesce(n.x > 2, false) AS t, NOT coalesce(n.x > 2, true) AS f, (n.x > 2) IS NULL AS u",
		gql: "MATCH (n:C) RETURN element_id(n) AS id, n.x > 2 IS TRUE AS t, n.x > 2 IS FALSE AS f, n.x > 2 IS UNKNOWN AS u"},
	{name: "duration-literal", cypher: "MATCH (r:A) RETURN elementId(r) AS id, duration('PT1H') AS d",
		gql: "MATCH (r:A) RETURN element_id(r) AS id, DURATION 'PT1H' AS d"},
	// Value expressions: IN, the string predicates, indexing and slicing,
	// IS [NOT] NULL, IS TYPED and CAST.
	{name: "in-list", cypher: "MATCH (n:A) WHERE n.x IN [1, 3, 4] RETURN elementId(n) AS id, n.y IN ['p'] AS p, NOT n.x IN [] AS e",
		gql: "MATCH (n:A) WHERE n.x IN [1, 3, 4] RETURN element_id(n) AS id, n.y IN ['p'] AS p, NOT n.x IN [] AS e"},
	{name: "in-list-filter", cypher: "MATCH (a)-[r:U]->(b) WITH a, r WHERE r.w IN [a.x, a.x + 1] RETURN elementId(r) AS r",
		gql: "MATCH (a)-[r:U]->(b) FILTER r.w IN [a.x, a.x + 1] RETURN element_id(r) AS r"},
	{name: "string-predicates", cypher: "MATCH (n) WHERE n.y STARTS WITH 'p' OR n.y ENDS WITH 'q' RETURN elementId(n) AS id, n.y CONTAINS 'q' AS c, n.y + 'x' STARTS WITH 'qx' AS s",
		gql: "MATCH (n) WHERE n.y STARTS WITH 'p' OR n.y ENDS WITH 'q' RETURN element_id(n) AS id, n.y CONTAINS 'q' AS c, n.y || 'x' STARTS WITH 'qx' AS s"},
	{name: "index-slice", cypher: "MATCH (n:B) RETURN elementId(n) AS id, [n.x, n.y, 1][0] AS a, [n.x, 2, 3][1..] AS s, [n.x, 2, 3][-1] AS l, [1, 2, 3][n.x] AS d, [0, 1, 2, 3, 4][n.x..] AS t, {k: n.y}['k'] AS m",
		gql: "MATCH (n:B) RETURN element_id(n) AS id, [n.x, n.y, 1][0] AS a, [n.x, 2, 3][1..] AS s, [n.x, 2, 3][-1] AS l, [1, 2, 3][n.x] AS d, [0, 1, 2, 3, 4][n.x..] AS t, {k: n.y}['k'] AS m"},
	{name: "index-aggregate", cypher: "MATCH (n:A) RETURN n.y AS y, size(collect(n.x)[..2]) AS k",
		gql: "MATCH (n:A) RETURN n.y AS y, cardinality(collect_list(n.x)[..2]) AS k GROUP BY y"},
	{name: "is-null", cypher: "MATCH (n:C) WHERE n.x IS NOT NULL RETURN elementId(n) AS id, n.y IS NULL AS ny",
		gql: "MATCH (n:C) FILTER n.x IS NOT NULL RETURN element_id(n) AS id, n.y IS NULL AS ny"},
	// The universe's x is an Integer or missing and y a String or missing,
	// so each type test has a null test (or a constant) as its Cypher twin;
	// a missing property is null, which is of every nullable type.
	{name: "is-typed", cypher: "MATCH (n:B) RETURN elementId(n) AS id, true AS a, n.y IS NULL AS b, n.y IS NOT NULL AS c, true AS d, true AS e, false AS f, n.y IS NULL AS g, n.x IS NULL AS h",
		gql: "MATCH (n:B) RETURN element_id(n) AS id, n.x IS TYPED INT AS a, n.y IS TYPED INTEGER AS b, n.y IS TYPED STRING NOT NULL AS c, n.x * 1.0 IS TYPED FLOAT AS d, n IS TYPED NODE AS e, [n.x] IS NOT TYPED LIST AS f, n.y IS :: BOOLEAN AS g, n.x IS NOT TYPED ANY NOT NULL AS h"},
	{name: "is-typed-filter", cypher: "MATCH (a)-[r:T]->(b) WHERE r.w IS NOT NULL RETURN elementId(r) AS r, true AS e",
		gql: "MATCH (a)-[r:T]->(b) FILTER r.w IS TYPED INT NOT NULL RETURN element_id(r) AS r, r IS TYPED EDGE AS e"},
	{name: "cast", cypher: "MATCH (n:A) RETURN elementId(n) AS id, toString(n.x) AS s, toInteger(n.y) AS i, toFloat(n.x) AS f, toBoolean(n.x) AS b, toInteger(toString(n.x)) AS r, toString(n.x) + n.y AS c",
		gql: "MATCH (n:A) RETURN element_id(n) AS id, CAST(n.x AS STRING) AS s, CAST(n.y AS INT) AS i, CAST(n.x AS FLOAT) AS f, CAST(n.x AS BOOLEAN) AS b, CAST(CAST(n.x AS STRING) AS INTEGER) AS r, CAST(n.x AS STRING) || n.y AS c"},
	{name: "cast-group", cypher: "MATCH (a)-[r:T]->(b) RETURN toString(r.w) AS w, sum(toFloat(b.x)) AS s",
		gql: "MATCH (a)-[r:T]->(b) RETURN CAST(r.w AS VARCHAR) AS w, sum(CAST(b.x AS DOUBLE)) AS s GROUP BY w"},
	{name: "cast-temporal", cypher: "MATCH (n:C) RETURN elementId(n) AS id, date('2026-01-0' + toString(n.x + 1)) AS d, duration('PT' + toString(n.x) + 'M') AS m",
		gql: "MATCH (n:C) RETURN element_id(n) AS id, CAST('2026-01-0' || CAST(n.x + 1 AS STRING) AS DATE) AS d, CAST('PT' || CAST(n.x AS STRING) || 'M' AS DURATION) AS m"},
	{name: "concat-list", cypher: "MATCH (a)-[:U]->(b) RETURN elementId(a) AS a, elementId(b) AS b, [a.x] + [b.x, b.y] AS l",
		gql: "MATCH (a)-[:U]->(b) RETURN element_id(a) AS a, element_id(b) AS b, [a.x] || [b.x, b.y] AS l"},
}

func diffKey(d Diff, bagLists bool) string {
	row := func(r Row) string { return canonRows([][]value.Value{r}, bagLists, true)[0] }
	var add, del, upd []string
	for _, r := range d.Added {
		add = append(add, row(r))
	}
	for _, r := range d.Deleted {
		del = append(del, row(r))
	}
	for _, u := range d.Updated {
		upd = append(upd, row(u.Before)+" => "+row(u.After))
	}
	if bagLists {
		// Net effect: an update is its before deleted and its after added,
		// and a row both deleted and added cancels out.
		for _, u := range d.Updated {
			del = append(del, row(u.Before))
			add = append(add, row(u.After))
		}
		upd = nil
		n := map[string]int{}
		for _, r := range add {
			n[r]++
		}
		for _, r := range del {
			n[r]--
		}
		add, del = nil, nil
		for r, c := range n {
			for ; c > 0; c-- {
				add = append(add, r)
			}
			for ; c < 0; c++ {
				del = append(del, r)
			}
		}
	}
	sort.Strings(add)
	sort.Strings(del)
	sort.Strings(upd)
	return "added " + strings.Join(add, "; ") + "\ndeleted " + strings.Join(del, "; ") + "\nupdated " + strings.Join(upd, "; ")
}

// TestPairedCypherGQL registers every (openCypher, GQL) pair on one engine
// and, over random graphs and random change streams, checks after every
// change that both members emitted the same diff and hold the same result.
func TestPairedCypherGQL(t *testing.T) {
	seed := sharedtest.Seed(t)
	rng := rand.New(rand.NewSource(seed))
	runs, perRun := 4, 600
	if testing.Short() {
		runs, perRun = 1, 200
	}
	total, compared := 0, 0
	for run := 0; run < runs; run++ {
		e := New(Options{})
		type live struct {
			pair   gqlPair
			cy, gq *Query
		}
		var ls []*live
		register := func(p gqlPair) {
			cy, err := e.AddQuery(QuerySpec{ID: p.name + "/cypher", Text: p.cypher})
			if err != nil {
				t.Fatalf("%s: cypher: %v", p.name, err)
			}
			gq, err := e.AddQuery(QuerySpec{ID: p.name + "/gql", Text: p.gql, Language: "gql"})
			if err != nil {
				t.Fatalf("%s: gql: %v", p.name, err)
			}
			ls = append(ls, &live{pair: p, cy: cy, gq: gq})
		}
		// Half the pairs start on the empty graph, the rest bootstrap from a
		// graph part-way through the run.
		var late []gqlPair
		for i, p := range gqlPairs {
			if (i+run)%2 == 0 {
				register(p)
			} else {
				late = append(late, p)
			}
		}
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		sharedtest.Within(t, time.Minute, fmt.Sprintf("seed %d run %d of the paired Cypher/GQL test", seed, run), func() {
			for step := 0; step < perRun; step++ {
				if step == perRun/4 {
					for _, p := range late {
						register(p)
					}
				}
				at = at.Add(time.Second)
				batch := []Change{randomChange(rng, e, at)}
				if rng.Intn(8) == 0 {
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
				for _, l := range ls {
					p := l.pair
					if l.cy.Err() != nil || l.gq.Err() != nil {
						t.Fatalf("seed %d run %d step %d: %s: query errors: cypher %v, gql %v", seed, run, step, p.name, l.cy.Err(), l.gq.Err())
					}
					dc, dg := diffKey(byQuery[p.name+"/cypher"], p.bagLists), diffKey(byQuery[p.name+"/gql"], p.bagLists)
					if dc != dg {
						t.Fatalf("seed %d run %d step %d: %s: diffs differ\ncypher: %s\n%s\ngql:    %s\n%s\nchanges: %+v",
							seed, run, step, p.name, p.cypher, dc, p.gql, dg, batch)
					}
					rc := canonRows(rowsOf(l.cy), p.bagLists, p.ordered)
					rg := canonRows(rowsOf(l.gq), p.bagLists, p.ordered)
					if strings.Join(rc, "\n") != strings.Join(rg, "\n") {
						t.Fatalf("seed %d run %d step %d: %s: results differ\ncypher: %s\n  %s\ngql:    %s\n  %s",
							seed, run, step, p.name, p.cypher, strings.Join(rc, "\n  "), p.gql, strings.Join(rg, "\n  "))
					}
					compared++
				}
			}
		})
	}
	t.Logf("%d pairs, %d random changes, %d diff+result comparisons, all identical", len(gqlPairs), total, compared)
}

func rowsOf(q *Query) [][]value.Value {
	out := make([][]value.Value, 0)
	for _, r := range q.Results() {
		out = append(out, r)
	}
	return out
}

// TestGQLUnsupportedFeatureAtCompile checks that AddQuery rejects a GQL
// feature outside the subset with its name and position, before anything
// is registered.
func TestGQLUnsupportedFeatureAtCompile(t *testing.T) {
	e := New(Options{})
	_, err := e.AddQuery(QuerySpec{ID: "q", Language: "gql", Text: "MATCH (a)-[:T]->+(b)\nRETURN a"})
	if err == nil || !strings.Contains(err.Error(), "line 1 col 17") || !strings.Contains(err.Error(), "unbounded quantifier") {
		t.Fatalf("got %v, want the unbounded quantifier named at line 1 col 17", err)
	}
	// A Cypher-only function name is unknown in GQL, and vice versa.
	if _, err := e.AddQuery(QuerySpec{ID: "q2", Language: "gql", Text: "MATCH (n) RETURN toUpper(n.y) AS u"}); err == nil {
		t.Fatal("toUpper accepted in GQL")
	}
	if _, err := e.AddQuery(QuerySpec{ID: "q3", Text: "MATCH (n) RETURN upper(n.y) AS u"}); err == nil {
		t.Fatal("upper accepted in Cypher")
	}
	// Errors the GQL front-end finds at compile time, with their positions.
	for _, c := range []struct{ text, want string }{
		{"MATCH (n) RETURN CAST(n.x AS LIST) AS v", "line 1 col 30"},
		{"MATCH (n)\nLET n = n.x RETURN n", "line 2 col 5"},
		{"MATCH (n) LET a = 1, a = 2 RETURN a", "line 1 col 22"},
		{"MATCH (n) RETURN n.y || 1 AS v", "line 1 col 25"},
	} {
		if _, err := e.AddQuery(QuerySpec{ID: "q4", Language: "gql", Text: c.text}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error at %s", c.text, err, c.want)
		}
	}
	if len(e.Queries()) != 0 {
		t.Fatalf("failed queries were registered: %d", len(e.Queries()))
	}
}

// TestGQLConcatTypeError checks the run-time half of GQL's ||: a string
// and a number (known only once the data arrives) are a TypeError that
// fails the query, where Cypher's + would convert the number.
func TestGQLConcatTypeError(t *testing.T) {
	e := New(Options{})
	ok, err := e.AddQuery(QuerySpec{ID: "ok", Language: "gql", Text: "MATCH (n) RETURN n.y || n.z AS v, [n.x] || [1] AS l"})
	if err != nil {
		t.Fatal(err)
	}
	bad, err := e.AddQuery(QuerySpec{ID: "bad", Language: "gql", Text: "MATCH (n) RETURN n.y || n.x AS v"})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	props := map[string]value.Value{"x": value.Int(1), "y": value.Str("a"), "z": value.Str("b")}
	if _, err := e.Apply([]Change{{Op: OpInsert, Time: at, Element: Element{ID: "n1", Labels: []string{"A"}, Props: props}}}); err != nil {
		t.Fatal(err)
	}
	if ok.Err() != nil {
		t.Fatalf("string || string failed: %v", ok.Err())
	}
	if rows := rowsOf(ok); len(rows) != 1 || rows[0][0].AsString() != "ab" || len(rows[0][1].AsList()) != 2 {
		t.Fatalf("got %v, want ab and a two-element list", rows)
	}
	if err := bad.Err(); err == nil || !strings.Contains(err.Error(), "||") || !strings.Contains(err.Error(), "Integer") {
		t.Fatalf("string || integer: got %v, want a TypeError naming ||", err)
	}
}

// TestGQLPairsAgainstOracle puts both members of every pair under the
// oracle, over the wide random changes of the differential test (sources,
// nulls, floats, lists, temporal values). Values the pairs' universe does
// not have can make a member fail (an index by a float, a size of a
// number); each may, as long as it fails where the oracle does.
//
// It stops at 10,000 changes or after 10s (VIGIL_DIFF_CHANGES and
// VIGIL_DIFF_BUDGET set both this and the differential test's limits).
func TestGQLPairsAgainstOracle(t *testing.T) {
	limit, budget := diffLimits(t, 10000, 10*time.Second)
	var shapes []diffShape
	for _, p := range gqlPairs {
		shapes = append(shapes,
			diffShape{name: p.name + "/cypher", query: p.cypher, bagLists: p.bagLists, ordered: p.ordered, loose: true, mayFail: true},
			diffShape{name: p.name + "/gql", query: p.gql, lang: "gql", bagLists: p.bagLists, ordered: p.ordered, loose: true, mayFail: true})
	}
	runDifferential(t, shapes, limit, budget, false)
}
