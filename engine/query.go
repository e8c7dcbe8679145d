package engine

import (
	"fmt"
)

// Query is a registered continuous query.
type Query struct {
	id   string
	spec QuerySpec
	eng  *Engine     // told when the query fails (Engine.Failed)
	vis  *visibility // the sources, labels and joins it reads
	// readNodes and readRels are the labels and types its patterns name.
	readNodes, readRels []string
	columns             []string
	branches            []*pipeline
	union               *distinctStage // UNION (not ALL): rows are distinct by value
	watchers            []watcher      // stages that see each element change (matches, re-evaluated stages)
	final               *orderStage    // the RETURN's ORDER BY, for ordered Results
	result              *rowBag        // current result rows by identity
	pending             []delta        // output deltas of the current step
	// diff is the scratch the step's diff is built in (its slices reused
	// from flush to flush); Engine.flush copies it out for the caller.
	diff   Diff
	err    error
	tstate map[futureKey]*tstate // temporal functions' per-row state
	sites  map[int]siteRef       // temporal call site -> the stage that owns it
	// readsGraph: an expression reads the graph beyond its row (pattern
	// predicates); such rows are re-evaluated only when they change.
	readsGraph bool
	// oldFrom is the match stage whose lost solutions' rows are taken from
	// the result instead of being recomputed (see oldRowsFromResult).
	oldFrom *matchStage
	// derived says the result is not stored but solved again when read
	// (see derivedResult); count is then its number of rows.
	derived bool
	count   int
	// order is the query's place in registration order; mark dedups it
	// among a step's routed candidates; touched says it is on the
	// engine's list of queries to flush this step.
	order   uint64
	mark    uint64
	touched bool
	// futLog and failedLate hold what the query did to engine-wide state
	// while it ran beside others (parallel.go): applied in registration
	// order when they are done, as a serial step would have.
	futLog     []futureOp
	failedLate bool
}

// ID is the query's id.
func (q *Query) ID() string { return q.id }

// Spec is the specification the query was registered with.
func (q *Query) Spec() QuerySpec { return q.spec }

// Columns are the result column names, in order.
func (q *Query) Columns() []string { return q.columns }

// Err is the query's runtime error state: non-nil when an evaluation failed
// (for instance a type error). A failed query emits nothing further.
func (q *Query) Err() error { return q.err }

// QueryError is a query's runtime failure (Query.Err): the query's id and
// what failed.
type QueryError struct {
	ID  string
	Err error
}

func (e *QueryError) Error() string { return fmt.Sprintf("query %q: %v", e.ID, e.Err) }

// Unwrap returns what failed.
func (e *QueryError) Unwrap() error { return e.Err }

func (q *Query) fail(err error) {
	q.err = &QueryError{ID: q.id, Err: err}
	q.pending = nil
	switch {
	case q.eng == nil:
	case q.eng.parallel:
		// Told in registration order once the step's parallel part ends
		// (settleParallel).
		q.failedLate = true
	default:
		q.eng.failed = append(q.eng.failed, q)
	}
}

// Results returns the current result rows: in ORDER BY order when the query
// has one, otherwise in no particular order.
func (q *Query) Results() []Row {
	if q.err != nil {
		return nil
	}
	var out []Row
	if q.final != nil {
		for _, r := range q.final.rows() {
			out = append(out, Row(r.values()[:len(q.columns)]))
		}
		return out
	}
	q.eachResult(func(e bagEntry) {
		for k := 0; k < e.w; k++ {
			out = append(out, Row(e.r.values()[:len(q.columns)]))
		}
	})
	return out
}

// eachResult calls fn for every entry of the result: the stored ones, or,
// for a derived result, the rows solved now. Solving cannot fail there:
// every expression already succeeded on these elements, or the query
// would have failed (and a failed query has no result to read).
func (q *Query) eachResult(fn func(bagEntry)) {
	if !q.derived {
		q.result.each(fn)
		return
	}
	rows, _ := q.deriveRows()
	for _, r := range rows {
		fn(bagEntry{r: r, w: 1})
	}
}

// Len is the number of result rows.
func (q *Query) Len() int {
	if q.derived {
		return q.count
	}
	return q.result.n
}
