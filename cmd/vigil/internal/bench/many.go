package bench

import (
	"fmt"
	"math/rand"
	"runtime"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
)

// ManyQueriesName is the scenario that measures how the cost of a change
// grows with queries it cannot affect (issue: scale with queries).
const ManyQueriesName = "many_queries"

// ManyQueriesCounts are the query counts the scenario measures by default.
var ManyQueriesCounts = []int{1, 10, 100, 1000, 10000}

// ManyOptions configure RunManyQueries.
type ManyOptions struct {
	Counts       []int   // query counts, the first the reference (default ManyQueriesCounts)
	Rounds       int     // interleaved rounds, best kept (default manyRounds)
	TouchedShare float64 // share of the extra queries that read the changed label
	Workers      int     // engine.Options.Workers: queries a change may run at once
}

// manyRounds is how many times each count is measured by default.
const manyRounds = 5

// manyNodes is how many nodes of label L0 the stream updates in a loop.
const manyNodes = 1000

// ManyPoint is one measurement of the many_queries scenario.
type ManyPoint struct {
	Queries int `json:"queries"`
	// Touched are the queries over the changed label (L0): the measured
	// query plus TouchedShare of the others; the rest read labels the
	// stream never carries.
	Touched        int     `json:"touched"`
	ChangesPerSec  float64 `json:"changes_per_sec"`
	Ratio          float64 `json:"ratio_to_one_query"`
	RegisterMillis float64 `json:"register_ms"`   // registering the extra queries
	Workers        int     `json:"query_workers"` // queries a change may run at once
}

// manyQuery is the scenario's query over label l.
func manyQuery(l int) string {
	return fmt.Sprintf("MATCH (n:L%d) WHERE n.v > 0 RETURN n.id AS id, n.v AS v", l)
}

// RunManyQueries measures changes/s on one engine with 1 to 10,000
// registered queries: 1,000 nodes of label L0 are updated in a loop, the
// measured query reads L0, and the other queries read labels (L1, L2, …)
// no change carries, except a share touched of them that reads L0 too.
// Each point is the best of manyRounds runs (the machine's noise is
// one-sided: interference only slows a run); the ratio is to the
// one-query point.
func RunManyQueries(o Options, m ManyOptions) (*Result, error) {
	if o.Changes <= 0 {
		return nil, fmt.Errorf("changes must be positive")
	}
	if len(m.Counts) == 0 {
		m.Counts = ManyQueriesCounts
	}
	if m.Rounds <= 0 {
		m.Rounds = manyRounds
	}
	res := &Result{Scenario: ManyQueriesName, Store: "memory", Seed: o.Seed, Changes: o.Changes, Elements: manyNodes}
	// Rounds interleave the counts, so that a slow stretch of the machine
	// (another process, a frequency change) falls on all of them alike
	// rather than on one; each point keeps its best round.
	points := make([]ManyPoint, len(m.Counts))
	for round := 0; round < m.Rounds; round++ {
		for i, n := range m.Counts {
			rate, touched, reg, err := manyRun(n, m, o)
			if err != nil {
				return nil, err
			}
			p := &points[i]
			p.Queries, p.Touched, p.RegisterMillis, p.Workers = n, touched, reg, max(m.Workers, 1)
			p.ChangesPerSec = max(p.ChangesPerSec, rate)
		}
	}
	one := points[0].ChangesPerSec
	res.ChangesPerSec = one
	for i := range points {
		points[i].Ratio = points[i].ChangesPerSec / one
	}
	res.ManyQueries = points
	res.Verified = "ok"
	return res, nil
}

// manyRun is one measurement with n queries; it also checks that every
// query over L0 holds the result a query registered afresh computes.
func manyRun(n int, m ManyOptions, o Options) (rate float64, touched int, registerMillis float64, err error) {
	touchedShare := m.TouchedShare
	start := time.UnixMilli(1_700_000_000_000).UTC()
	e := engine.New(engine.Options{Start: start, Workers: m.Workers})
	rng := rand.New(rand.NewSource(o.Seed))
	boot := make([]engine.Change, manyNodes)
	for i := range boot {
		id := fmt.Sprintf("n%d", i)
		boot[i] = engine.Change{Op: engine.OpInsert, Time: start, Element: engine.Element{ID: id, Labels: []string{"L0"},
			Props: map[string]value.Value{"id": value.Str(id), "v": value.Int(int64(1 + rng.Intn(100)))}}}
	}
	if _, err := e.Apply(boot); err != nil {
		return 0, 0, 0, err
	}
	if _, err := e.AddQuery(engine.QuerySpec{ID: "q0", Text: manyQuery(0)}); err != nil {
		return 0, 0, 0, err
	}
	touched = 1
	every := 0
	if touchedShare > 0 {
		every = int(1 / touchedShare)
	}
	t0 := time.Now()
	for i := 1; i < n; i++ {
		label := i
		if every > 0 && i%every == 0 {
			label = 0
			touched++
		}
		if _, err := e.AddQuery(engine.QuerySpec{ID: fmt.Sprintf("q%d", i), Text: manyQuery(label)}); err != nil {
			return 0, 0, 0, err
		}
	}
	registerMillis = float64(time.Since(t0).Microseconds()) / 1000
	// The stream is built ahead, outside the timed loop.
	changes := make([]engine.Change, min(o.Changes, chunk))
	at := start
	runtime.GC()
	var elapsed time.Duration
	for done := 0; done < o.Changes; {
		k := min(len(changes), o.Changes-done)
		for i := range k {
			at = at.Add(time.Millisecond)
			id := fmt.Sprintf("n%d", (done+i)%manyNodes)
			changes[i] = engine.Change{Op: engine.OpUpdate, Time: at, Element: engine.Element{ID: id, Labels: []string{"L0"},
				Props: map[string]value.Value{"id": value.Str(id), "v": value.Int(int64(rng.Intn(100)))}}}
		}
		s := time.Now()
		for i := range k {
			if _, err := e.Apply(changes[i : i+1]); err != nil {
				return 0, 0, 0, err
			}
		}
		elapsed += time.Since(s)
		done += k
	}
	rate = float64(o.Changes) / elapsed.Seconds()
	// Every query over L0 holds what a fresh registration computes.
	fresh, err := e.AddQuery(engine.QuerySpec{ID: "fresh", Text: manyQuery(0)})
	if err != nil {
		return 0, 0, 0, err
	}
	want := resultKey(fresh.Results())
	for _, q := range e.Queries() {
		if q.ID() == "fresh" {
			continue
		}
		rows := q.Results()
		if q.Len() != len(rows) {
			return 0, 0, 0, fmt.Errorf("many_queries: query %s counts %d rows, its result has %d", q.ID(), q.Len(), len(rows))
		}
		got := resultKey(rows)
		if q.Spec().Text == manyQuery(0) && got != want {
			return 0, 0, 0, fmt.Errorf("many_queries: query %s holds %d rows that differ from a fresh registration's", q.ID(), len(q.Results()))
		}
		if q.Spec().Text != manyQuery(0) && len(q.Results()) != 0 {
			return 0, 0, 0, fmt.Errorf("many_queries: query %s over an untouched label has rows", q.ID())
		}
	}
	return rate, touched, registerMillis, nil
}
