// Package oracle is Vigil's test oracle: a deliberately simple, from-scratch
// evaluator of a query AST (package ast) over a whole graph snapshot.
//
// It exists only for tests. The randomized differential test applies changes
// to the incremental engine and, after every change, compares the engine's
// materialized result with what this package computes from scratch over the
// whole graph. That graph comes from the change stream, never from the
// engine: Model applies the same changes by the documented rules (sources,
// deletes, dangling relationships, refused changes) and derives the
// synthetic join relations and each query's subscribed view itself, so a
// bug in the engine's element index cannot reach the oracle's input. The oracle must never be used to produce result diffs or to
// answer queries in production code: it re-solves every pattern by
// brute-force backtracking over all nodes and relationships, groups with
// quadratic scans and sorts with no regard for cost.
//
// Its only goals are correctness and clarity. Each clause is a direct reading
// of the openCypher semantics:
//
//   - MATCH enumerates every assignment of nodes and relationships to the
//     pattern (relationships unique within one MATCH clause, nodes not),
//     then filters on property maps, inline WHERE and the clause's WHERE;
//     variables already bound by earlier clauses must be matched by the same
//     element. OPTIONAL MATCH yields one row with nulls for its new variables
//     when an input row has no match.
//   - UNWIND yields one row per list element (none for null or []; one for a
//     non-list value).
//   - WITH and RETURN project, group (implicitly by the non-aggregating items,
//     or by an explicit GroupBy), aggregate with the registry's accumulators,
//     de-duplicate (DISTINCT), sort (ORDER BY with value.Compare), then apply
//     SKIP and LIMIT; WITH's WHERE filters the rows that survive all of that.
//   - UNION de-duplicates the rows of all parts by value.Equivalent; UNION ALL
//     keeps them.
//
// A few choices that the openCypher specification leaves open are fixed
// here and documented where they are made: AND/OR short-circuit on a
// deciding left operand; an inline WHERE on a variable-length relationship
// is checked against each relationship of the list; matches (and therefore
// pattern comprehension lists) are enumerated in ascending element-id order.
package oracle
