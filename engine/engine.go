package engine

import (
	"time"

	"github.com/vigilhq/vigil/functions"

	"github.com/vigilhq/vigil/engine/value"
)

// Options configure an Engine. The zero value works.
type Options struct {
	// Start is the engine clock before the first change (default: the Unix
	// epoch). The clock then follows change times and AdvanceTo.
	Start time.Time
	// Functions overrides the Cypher function registry (tests).
	Functions *functions.Registry
	// Workers is how many queries one change may run at once when it
	// reaches several (see parallel.go); 0 and 1 run them one after
	// another. Results, diffs, futures and failures are the same either
	// way. Parallel steps pay where a change reaches many queries with
	// real work each and the cores are real: on a 2-vCPU VM 256
	// aggregations a change ran 1.16x as fast, 32 ran 0.7x as fast (waking
	// a second thread costs more than it saves), so the default is 1.
	Workers int
	// StoreAllResults keeps the rows of every query's result. By default a
	// query whose returned items only repeat element values (variables,
	// their properties, constants) keeps a row count instead, and reading
	// its result solves it over the index again (see derivedResult): on
	// the building model that halves what the query holds, and an update
	// costs a re-read of the old element's properties. Set it where big
	// results are read often (every read is then a copy, not a solve).
	StoreAllResults bool
	// visitAll sends every change to every query, as the engine did before
	// it routed changes (the routing test's reference).
	visitAll bool
}

// Engine holds the element index and the continuous queries over it. An
// Engine is not safe for concurrent use: one goroutine (the writer) applies
// changes and reads results, or callers serialise access themselves.
type Engine struct {
	opts    Options
	index   *Index
	queries []*Query
	byID    map[string]*Query
	now     time.Time
	subs    []func(Diff)
	funcs   *functions.Registry
	ctx     evalCtx
	futures futureQueue
	seq     uint64 // futures scheduled so far, to order equal due times
	diffs   []Diff // flush's scratch: the step's diffs before they are copied out
	// snapSize is the last snapshot's size, the next one's buffer hint.
	snapSize int
	// slab holds the diffs of one-row steps not handed out yet (ownDiffs).
	slab []oneDiff
	// idBuf is qualify's scratch.
	idBuf []byte
	// seed keys every hash in the engine's state: row identities, grouping
	// and DISTINCT keys, join postings, accumulators' buckets. It is the
	// engine's own (drawn at random by New, read back from the snapshot by
	// Restore), so engines restored from different snapshots live side by
	// side in one process.
	seed value.Seed
	// failed lists the queries that failed since the last Failed call.
	failed []*Query
	// route files the queries by what their patterns read; touched lists
	// the queries a step reached, the ones flush closes; registered counts
	// registrations (Query.order).
	route      router
	touched    []*Query
	registered uint64
	// workers is Options.Workers resolved; parallel is set while a step
	// runs queries side by side, each worker in its own ctxs entry.
	workers  int
	parallel bool
	ctxs     []workerCtx
	ran      []bool // watchAfterParallel's scratch
}

// Failed returns the queries that failed (Query.Err became non-nil) while
// processing changes, futures or a registration since the last call, and
// forgets them: a host that must record a query's failure with the step
// that caused it asks after each step, at no cost per query.
func (e *Engine) Failed() []*Query {
	f := e.failed
	e.failed = nil
	return f
}

// New returns an empty in-memory engine.
func New(opts Options) *Engine { return newEngine(opts, value.NewSeed()) }

// newEngine returns an empty engine hashing its state with seed.
func newEngine(opts Options, seed value.Seed) *Engine {
	e := &Engine{opts: opts, index: newIndex(seed), byID: map[string]*Query{}, now: opts.Start, seed: seed}
	if e.now.IsZero() {
		e.now = time.Unix(0, 0).UTC()
	}
	e.workers = max(opts.Workers, 1)
	e.funcs = opts.Functions
	if e.funcs == nil {
		e.funcs = functions.Cypher()
	}
	return e
}

// Index exposes the element index (read-only use).
func (e *Engine) Index() *Index { return e.index }

// Now is the engine's current time.
func (e *Engine) Now() time.Time { return e.now }

// Subscribe registers fn to receive every non-empty diff, after Apply or
// AdvanceTo computed it and before they return.
func (e *Engine) Subscribe(fn func(Diff)) { e.subs = append(e.subs, fn) }

// Query returns a registered query, or nil.
func (e *Engine) Query(id string) *Query { return e.byID[id] }

// Queries lists the registered queries in registration order.
func (e *Engine) Queries() []*Query { return append([]*Query(nil), e.queries...) }
