package engine

import (
	"testing"
	"time"
)

// temporalStageShapes put each temporal function at every stage where the
// engine accepts one (docs/temporal.md, "Where a temporal function can
// stand"): after a projection WITH, over the groups of an aggregation, in an
// inline pattern WHERE, after UNWIND and in UNION arms. The oracle evaluates
// each from the history of the row at the input of its clause (the group's
// row after an aggregation), so a stage that misses a re-evaluation at a
// change or at a clock move shows up as a difference.
var temporalStageShapes = []diffShape{
	// After a projection WITH: the row is the WITH's input row.
	{name: "with-true-for", query: "MATCH (n:S) WITH n, n.x AS x WITH n, x WHERE drasi.trueFor(x >= 2, 3000) RETURN id(n) AS id, x"},
	{name: "with-true-later", query: "MATCH (n:S) WITH n, n.ts AS ts WITH n, ts WHERE drasi.trueLater(n.x > 1, ts) RETURN id(n) AS id, ts"},
	{name: "with-true-until", query: "MATCH (n:S) WITH n WHERE n.g = 'a' WITH n, drasi.trueUntil(n.s = 'up', n.ts) AS u RETURN id(n) AS id, u"},
	{name: "with-previous", query: "MATCH (n:S) WITH n WITH n, drasi.previousValue(n.x, -1) AS px, drasi.previousDistinctValue(n.s, 'none') AS ps RETURN id(n) AS id, n.x AS x, px, ps"},
	{name: "with-rel-true-for", query: "MATCH (a:S)-[r:T]->(b:S) WITH a, r, b WHERE drasi.trueFor(r.w > 1 AND a.s = 'up', 2500) RETURN id(r) AS r, id(a) AS a"},
	// An earlier stage that reads the clock is computed again when the
	// later function's future falls due: late is true at n.due, so the row
	// shows from n.due on (the engine's refreshUpstream); the UNWIND
	// between them gives the rows a new identity.
	{name: "clock-with-true-later", query: "MATCH (n:S) WITH n, datetime.realtime() >= n.due AS late WITH n, late WHERE drasi.trueLater(late, n.due) RETURN id(n) AS id, late"},
	{name: "clock-unwind-true-later", query: "MATCH (n:S) WITH n, datetime.realtime() >= n.due AS late UNWIND [1, 2] AS k WITH n, k, late WHERE drasi.trueLater(late, n.due) RETURN id(n) AS id, k"},
	// Over aggregates: the row is the group, its changes those of its keys
	// and aggregate values.
	{name: "agg-count-true-for", query: "MATCH (n:S) WITH n.g AS g, count(n) AS c WHERE drasi.trueFor(c >= 2, duration({seconds: 3})) RETURN g, c"},
	// A member change that leaves the group's keys and aggregates as they
	// were is no change of the group (previousValue does not shift).
	{name: "agg-sum-previous-items", query: "MATCH (n:S) RETURN n.g AS g, sum(n.x) AS s, drasi.previousValue(sum(n.x), -1) AS ps"},
	{name: "agg-count-prev-distinct", query: "MATCH (n:S) WITH n.g AS g, count(n) AS c, drasi.previousDistinctValue(count(n), 0) AS pc RETURN g, c, pc"},
	{name: "agg-max-change-time", query: "MATCH (n:S) WITH n.g AS g, max(drasi.changeDateTime(n)) AS last WHERE drasi.trueLater(last + duration({seconds: 4}) <= datetime.realtime(), last + duration({seconds: 4})) RETURN g, last"},
	{name: "agg-max-true-until", query: "MATCH (n:S) WITH n.g AS g, max(n.ts) AS m WHERE drasi.trueUntil(m % 2 = 0, m) RETURN g, m"},
	{name: "agg-rel-count-true-for", query: "MATCH (a:S)-[r:T]->(b) WITH id(a) AS src, count(r) AS deg WHERE drasi.trueFor(deg >= 1, 2000) RETURN src, deg"},
	// Inline pattern WHERE: the row is the match.
	{name: "inline-true-for", query: "MATCH (n:S WHERE drasi.trueFor(n.s = 'down', 3000)) RETURN id(n) AS id"},
	{name: "inline-rel-true-later", query: "MATCH (a:S)-[r:T WHERE drasi.trueLater(r.w > 1, drasi.changeDateTime(r) + duration('PT2S'))]->(b:S) RETURN id(r) AS r"},
	{name: "inline-previous", query: "MATCH (n:S WHERE drasi.previousValue(n.x, 0) < n.x) RETURN id(n) AS id, n.x AS x"},
	// After UNWIND: the row is the unwound row (its elements and value).
	// The lists are constants: the engine identifies an unwound row by its
	// input row and the value's position in the list (unwindStage), the
	// oracle by the value; over a list of distinct constants they agree.
	// Over [n.x, n.x + 1] they differ (seed 1796467068303086502): a change
	// of n.x keeps the engine's rows and their trueFor state.
	{name: "unwind-true-for", query: "MATCH (n:S) UNWIND [1, 2, 3] AS v WITH n, v WHERE drasi.trueFor(coalesce(n.x, 0) >= v, 2000) RETURN id(n) AS id, v"},
	{name: "unwind-previous", query: "MATCH (n:S) UNWIND ['s', 'x'] AS p WITH n, p, drasi.previousValue(CASE p WHEN 's' THEN n.s ELSE n.x END, 'none') AS was RETURN id(n) AS id, p, was"},
	// Each arm of a UNION keeps its own rows.
	{name: "union-true-for-later", query: "MATCH (n:S) WHERE drasi.trueFor(n.s = 'down', 3000) RETURN id(n) AS id, 'down' AS why UNION MATCH (n:S) WHERE drasi.trueLater(n.x > 1, n.ts) RETURN id(n) AS id, 'x' AS why"},
	{name: "union-all-agg", query: "MATCH (n:S) WITH n.g AS g, count(n) AS c WHERE drasi.trueFor(c >= 2, 2500) RETURN g AS k UNION ALL MATCH (a:S)-[r:T]->(b) WITH a, r WHERE drasi.trueFor(r.w > 1, 2000) RETURN id(r) AS k"},
}

// TestTemporalStagesDifferentialAgainstOracle runs the stage shapes over
// random changes and clock moves, within its own time budget.
func TestTemporalStagesDifferentialAgainstOracle(t *testing.T) {
	if testing.Short() {
		t.Skip("the temporal differential test runs thousands of changes; skipped in -short mode")
	}
	runTemporalDifferential(t, temporalStageShapes, 16, 400, 15*time.Second)
}
