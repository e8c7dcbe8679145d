// Package engine is Vigil's continuous-query engine: the element index, the
// pattern solver anchored at a changed element, and the incremental
// evaluation of each query's pipeline, producing exactly the result rows
// that a change added, updated or deleted.
//
// Typical use:
//
//	e := engine.New(engine.Options{})
//	q, err := e.AddQuery(engine.QuerySpec{ID: "low-trust", Text: "MATCH (a:Agent) WHERE a.trust < 400 RETURN a.id AS id"})
//	diffs, err := e.Apply([]engine.Change{{Op: engine.OpInsert, Element: engine.Element{ID: "a1", Labels: []string{"Agent"}, Props: props}}})
//	rows := q.Results()
//
// # Where the code is
//
// The files follow the path of one change. engine.go holds the Engine, its
// Options and New. Before any change, register.go registers queries:
// AddQuery parses the text (ParseLanguage names the language), plan.go
// compiles the AST into a pipeline of stages per UNION branch (with
// expr.go for expressions, patternplan.go for patterns, subpattern.go for
// pattern predicates and comprehensions, temporal.go for the engine's own
// functions), and the new query bootstraps: its pipeline runs once over
// the whole index. query.go is the registered Query and its results. A
// query whose rows only repeat element values keeps a count instead of its
// rows and solves its result again when read (oldrow.go, derivedResult).
//
// A change (change.go) then goes through these steps:
//
//  1. apply.go: Apply takes a batch of changes as one step. Each change is
//     checked, its ids qualified by its source, and turned into puts and
//     deletes of single elements (deleting a node deletes its
//     relationships first; a node whose join keys change gains and loses
//     synthetic join relationships). A stored element's properties are a
//     value.Props record whose sorted names the index shares among the
//     elements of one shape (value.KeyTable), allocated with the element;
//     its label list is shared the same way. The index keeps each node id's
//     record (node and adjacency) and each relationship under an integer
//     handle, found through open-addressed tables of handles
//     (internal/openset) rather than Go maps keyed by id.
//  2. dispatch.go: step hands one element change to the queries it can
//     touch: route.go files each query under the labels and types its
//     patterns name (or "any"). A query's watchers (its match stages and
//     re-evaluated stages) see the element as it was, the change is
//     applied to the element index (index.go), the watchers see the
//     element as it is now, and, if they found work, the query's pipeline
//     runs (Query.run); with Options.Workers above 1, parallel.go runs
//     the queries a change reaches side by side and applies what they did
//     to the future queue and the failure list in registration order, so
//     that the outcome is the serial one. visibility.go limits a query to
//     the elements its subscriptions admit; guard.go turns a panic in one
//     query into that query's error.
//  3. solve.go: a match stage's watcher solves its pattern (pattern.go:
//     slots, label expressions, bindings) anchored at the changed element:
//     every solution that contains the element, each once, before the
//     change (the solutions lost) and after it (the solutions gained).
//  4. stage_*.go: each stage's push turns the deltas it receives (rows
//     with a weight of +1 or -1, rows.go) into the deltas it emits.
//     stage.go is the stage interface. stage_match.go joins its stored
//     input rows with the lost and gained solutions (oldrow.go takes the
//     old rows from the result when it can); then, as the query says,
//     stage_filter.go, stage_unwind.go, stage_project.go (with
//     stage_project_memo.go), stage_aggregate.go (accumulators from
//     package functions, and the ordered collect of
//     stage_aggregate_collect.go), stage_distinct.go, stage_order.go
//     (ORDER BY, SKIP, LIMIT) and stage_reeval.go (rows whose expressions
//     read the graph beyond the row, keep per-row temporal state or read
//     the clock, evaluated again when what they read changes). The last
//     stage's deltas wait in the query for the end of the step.
//  5. flush.go: at the end of the step each query nets its pending deltas
//     into a Diff (result.go): a row removed and added under one identity
//     is an update. The diffs are copied into memory the caller owns,
//     passed to the Subscribe callbacks and returned by Apply.
//
// Time: temporal.go's functions (drasi.trueFor, drasi.slidingWindow, ...)
// schedule futures on the engine's clock. futures.go fires them: Apply
// fires those due before each change's time, AdvanceTo those due by the
// time it is given. A fired future re-enters its query's pipeline at the
// stage that owns it (Query.fire), and the step flushes as for a change.
//
// Snapshots: snapshot.go writes and reads the engine-level framing (the
// format, the hash seed, the clock, the index, each query's specification
// and result, the futures). Each structure saves and loads its own state
// beside its code: the index in index.go, each stage in its stage_*.go.
// Restore compiles every query again and reads its stages' state back.
//
// Hashing: row identities, grouping and DISTINCT keys, join postings and
// the buckets of hashing accumulators are hashes keyed by the engine's own
// seed (a value.Seed drawn by New, or read from the snapshot by Restore),
// which reaches them through the structures that hold them (the index,
// the planner, the patterns and stages it builds). Nothing is hashed with
// state shared between engines.
package engine
