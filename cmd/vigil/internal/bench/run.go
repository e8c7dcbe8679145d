// Package bench is the harness behind `vigil bench`: scenario definitions
// (Drasi's query-perf building-comfort model, a two-hop join and an
// agent-governance sliding window), seeded workload generators, and the
// measurements — bootstrap rate, change rate, per-change latency
// percentiles, allocations per change, heap bytes per element — together
// with two reference lines measured in the same run: the floor (the same
// stream applied to an engine with no query, i.e. the element index alone)
// and the re-run (the test oracle evaluating the query from scratch after
// every change, on a shorter stream).
package bench

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/functions"
	"github.com/vigilhq/vigil/grammar/ast"
	"github.com/vigilhq/vigil/grammar/cypher"

	// The oracle is the engine's test oracle, a from-scratch evaluator kept
	// for tests; the bench command uses it only as the re-run reference
	// line (and to check results), never to produce results.
	"github.com/vigilhq/vigil/engine/oracle"
)

// Options configure a run.
type Options struct {
	Store   string // "memory" or "badger" (a durable host committing steps of DurableStep changes)
	Changes int    // changes in the measured stream
	// RerunChanges caps the re-run reference stream (default min(Changes,
	// 2000)); RerunBudget caps its duration (default 3s). The re-run stops
	// at whichever comes first.
	RerunChanges int
	RerunBudget  time.Duration
	// PacedChanges is the length of the paced run at half the measured
	// rate (default min(Changes/4, 50000); negative: skip it).
	PacedChanges int
	Seed         int64
	// NoVerify skips comparing the final result with the oracle.
	NoVerify bool
}

// Result is the measurement of one scenario on one store. The JSON keys are
// the ones `vigil bench --json` prints.
type Result struct {
	Scenario string `json:"scenario"`
	Store    string `json:"store"`
	Seed     int64  `json:"seed"`
	Elements int    `json:"elements"` // bootstrap elements
	Changes  int    `json:"changes"`  // measured changes

	BootstrapElementsPerSec float64 `json:"bootstrap_elements_per_sec"` // bootstrap inserts, one per Apply, query registered
	AddQueryMillis          float64 `json:"addquery_ms"`                // AddQuery over the loaded index (bootstrap from the index)

	ChangesPerSec   float64 `json:"changes_per_sec"`
	P50Micros       float64 `json:"p50_us"`
	P99Micros       float64 `json:"p99_us"`
	P999Micros      float64 `json:"p999_us"`
	MaxMicros       float64 `json:"max_us"`
	PacedChanges    int     `json:"paced_changes"`
	PacedP99Micros  float64 `json:"paced_p99_us"` // p99 at half the measured rate
	AllocsPerChange float64 `json:"allocs_per_change"`
	BytesPerChange  float64 `json:"alloc_bytes_per_change"`
	BytesPerElement float64 `json:"bytes_per_element"` // live heap after bootstrap, engine with the query
	Diffs           int     `json:"diffs"`             // non-empty result diffs the measured stream produced
	Ticks           int     `json:"ticks"`             // clock moves (AdvanceTo) in the measured stream

	FloorChangesPerSec   float64 `json:"floor_changes_per_sec"`
	FloorBytesPerElement float64 `json:"floor_bytes_per_element"`
	FloorAllocsPerChange float64 `json:"floor_allocs_per_change"`
	EngineFloorRatio     float64 `json:"engine_floor_ratio"` // changes_per_sec / floor_changes_per_sec

	RerunChanges          int     `json:"rerun_changes"`
	RerunChangesPerSec    float64 `json:"rerun_changes_per_sec"`
	IncrementalRerunRatio float64 `json:"incremental_rerun_ratio"` // changes_per_sec / rerun_changes_per_sec

	Verified string `json:"verified"` // "ok", "skipped" or the mismatch

	// ManyQueries are the points of the many_queries scenario.
	ManyQueries []ManyPoint `json:"many_queries,omitempty"`
}

// chunk is how many steps are generated ahead of a timed stretch: the
// stream is generated outside the timed region, a chunk at a time, so that
// neither its cost nor a large pre-built stream on the heap skews the
// measurement.
const chunk = 4096

// meter accumulates a driven stream's measurements.
type meter struct {
	lat       []int64 // per-Apply latency, ns (nil: not recorded)
	elapsed   time.Duration
	mallocs   uint64
	bytes     uint64
	diffs     int
	ticks     int
	afterEach func(ch *engine.Change) error // called after each Apply (re-run); timed
}

// drive applies n steps of w to t, one change per Apply call in memory, or
// in committed steps of DurableStep changes when durable (each change's
// latency is then its step's commit: it is done only when committed). pace,
// when positive, is the interval the changes are spaced at (spinning).
func drive(t *target, w Workload, n int, m *meter, pace time.Duration) error {
	steps := make([]Step, 0, chunk)
	var ms0, ms1 runtime.MemStats
	record := func(k int, d time.Duration) {
		if m.lat != nil {
			for ; k > 0; k-- {
				m.lat = append(m.lat, int64(d))
			}
		}
	}
	for done := 0; done < n; {
		steps = steps[:0]
		for len(steps) < chunk && done+len(steps) < n {
			steps = append(steps, w.Next())
		}
		runtime.ReadMemStats(&ms0)
		start := time.Now()
		var deadline time.Duration
		for i := range steps {
			if pace > 0 {
				deadline += pace
				for time.Since(start) < deadline {
				}
			}
			t0 := time.Now()
			k, diffs, err := t.apply(steps[i].Change)
			if err != nil {
				return err
			}
			if m.afterEach != nil {
				if err := m.afterEach(&steps[i].Change); err != nil {
					return err
				}
			}
			record(k, time.Since(t0))
			m.diffs += diffs
			if !steps[i].Tick.IsZero() {
				t0 := time.Now()
				k, _, err := t.flush()
				if err != nil {
					return err
				}
				record(k, time.Since(t0))
				diffs, err := t.advance(steps[i].Tick)
				if err != nil {
					return err
				}
				m.diffs += diffs
				m.ticks++
			}
			steps[i] = Step{}
		}
		if done+len(steps) >= n {
			t0 := time.Now()
			k, diffs, err := t.flush()
			if err != nil {
				return err
			}
			record(k, time.Since(t0))
			m.diffs += diffs
		}
		m.elapsed += time.Since(start)
		runtime.ReadMemStats(&ms1)
		m.mallocs += ms1.Mallocs - ms0.Mallocs
		m.bytes += ms1.TotalAlloc - ms0.TotalAlloc
		done += len(steps)
	}
	return nil
}

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// load builds a target on the given store (with the scenario's query unless
// bare), applies the bootstrap one change per Apply call (in steps when
// durable) and returns the target, the query, the bootstrap rate and the
// live heap bytes per element it holds.
func load(s Scenario, w Workload, bare bool, storeKind string) (*target, *engine.Query, float64, float64, int, error) {
	t, err := newTarget(storeKind, w.Start())
	if err != nil {
		return nil, nil, 0, 0, 0, err
	}
	// Measured after the target exists: a Badger store allocates its
	// memtables when it opens, which is no element's cost.
	h0 := heapInUse()
	var q *engine.Query
	if !bare {
		if q, err = t.addQuery(engine.QuerySpec{ID: s.Name, Text: s.Query}); err != nil {
			t.close()
			return nil, nil, 0, 0, 0, err
		}
	}
	boot := w.Bootstrap()
	n := len(boot)
	start := time.Now()
	for i := range boot {
		if _, _, err := t.apply(boot[i]); err != nil {
			t.close()
			return nil, nil, 0, 0, 0, err
		}
	}
	if _, _, err := t.flush(); err != nil {
		t.close()
		return nil, nil, 0, 0, 0, err
	}
	rate := float64(n) / time.Since(start).Seconds()
	boot = nil
	h1 := heapInUse()
	per := (float64(h1) - float64(h0)) / float64(n)
	if q != nil && q.Err() != nil {
		t.close()
		return nil, nil, 0, 0, 0, q.Err()
	}
	return t, q, rate, per, n, nil
}

// Run measures one scenario.
func Run(s Scenario, o Options) (*Result, error) {
	if o.Store == "" {
		o.Store = "memory"
	}
	if o.Store != "memory" && o.Store != "badger" {
		return nil, fmt.Errorf("unknown store %q (memory or badger)", o.Store)
	}
	if o.Changes <= 0 {
		return nil, fmt.Errorf("changes must be positive")
	}
	if o.RerunChanges == 0 {
		o.RerunChanges = min(o.Changes, 2000)
	}
	if o.RerunBudget == 0 {
		o.RerunBudget = 3 * time.Second
	}
	if o.PacedChanges == 0 {
		o.PacedChanges = min(o.Changes/4, 50000)
	}
	res := &Result{Scenario: s.Name, Store: o.Store, Seed: o.Seed, Changes: o.Changes}

	// The floor: the same bootstrap and stream, no query.
	{
		w := s.NewWorkload(o.Seed)
		t, _, _, per, _, err := load(s, w, true, o.Store)
		if err != nil {
			return nil, fmt.Errorf("%s: floor bootstrap: %w", s.Name, err)
		}
		defer t.close()
		e := t.e
		res.FloorBytesPerElement = per
		var m meter
		if err := drive(t, w, o.Changes, &m, 0); err != nil {
			return nil, fmt.Errorf("%s: floor: %w", s.Name, err)
		}
		res.FloorChangesPerSec = float64(o.Changes) / m.elapsed.Seconds()
		res.FloorAllocsPerChange = float64(m.mallocs) / float64(o.Changes)
		// Bootstrap from the index: the query registered over the loaded
		// elements.
		start := time.Now()
		if _, err := e.AddQuery(engine.QuerySpec{ID: s.Name, Text: s.Query}); err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		res.AddQueryMillis = float64(time.Since(start).Microseconds()) / 1000
	}

	// The engine.
	{
		w := s.NewWorkload(o.Seed)
		t, q, rate, per, n, err := load(s, w, false, o.Store)
		if err != nil {
			return nil, fmt.Errorf("%s: bootstrap: %w", s.Name, err)
		}
		defer t.close()
		e := t.e
		res.Elements, res.BootstrapElementsPerSec, res.BytesPerElement = n, rate, per
		m := meter{lat: make([]int64, 0, o.Changes)}
		if err := drive(t, w, o.Changes, &m, 0); err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		if q.Err() != nil {
			return nil, q.Err()
		}
		res.ChangesPerSec = float64(o.Changes) / m.elapsed.Seconds()
		res.AllocsPerChange = float64(m.mallocs) / float64(o.Changes)
		res.BytesPerChange = float64(m.bytes) / float64(o.Changes)
		res.Diffs, res.Ticks = m.diffs, m.ticks
		p := percentiles(m.lat, 0.50, 0.99, 0.999, 1)
		res.P50Micros, res.P99Micros, res.P999Micros, res.MaxMicros = p[0], p[1], p[2], p[3]
		if o.NoVerify {
			res.Verified = "skipped"
		} else if err := VerifyReplay(s, o.Seed, o.Changes, e, q); err != nil {
			res.Verified = err.Error()
		} else {
			res.Verified = "ok"
		}
		// Half the peak rate, on the same engine, continuing the stream.
		if o.PacedChanges > 0 && res.ChangesPerSec > 0 {
			pm := meter{lat: make([]int64, 0, o.PacedChanges)}
			pace := time.Duration(2 * float64(time.Second) / res.ChangesPerSec)
			if err := drive(t, w, o.PacedChanges, &pm, pace); err != nil {
				return nil, fmt.Errorf("%s: paced: %w", s.Name, err)
			}
			res.PacedChanges = o.PacedChanges
			res.PacedP99Micros = percentiles(pm.lat, 0.99)[0]
		}
	}
	if res.FloorChangesPerSec > 0 {
		res.EngineFloorRatio = res.ChangesPerSec / res.FloorChangesPerSec
	}

	// The re-run: the oracle evaluates the query from scratch after every
	// change, over a graph kept in step with the element index.
	if o.RerunChanges > 0 {
		n, rate, err := rerun(s, o)
		if err != nil {
			return nil, fmt.Errorf("%s: re-run: %w", s.Name, err)
		}
		res.RerunChanges, res.RerunChangesPerSec = n, rate
		if rate > 0 {
			res.IncrementalRerunRatio = res.ChangesPerSec / rate
		}
	}
	return res, nil
}

// rerunTree parses the scenario's re-run query.
func rerunTree(s Scenario) (*ast.Query, error) {
	text := s.RerunQuery
	if text == "" {
		text = s.Query
	}
	return cypher.Parse(text)
}

// rerun measures the from-scratch reference on up to o.RerunChanges changes
// or o.RerunBudget, whichever ends first; it returns the changes done and
// their rate.
func rerun(s Scenario, o Options) (int, float64, error) {
	tree, err := rerunTree(s)
	if err != nil {
		return 0, 0, err
	}
	funcs := functions.Cypher()
	w := s.NewWorkload(o.Seed)
	t, err := newTarget("memory", w.Start())
	if err != nil {
		return 0, 0, err
	}
	e := t.e
	if _, err := e.Apply(w.Bootstrap()); err != nil {
		return 0, 0, err
	}
	g := Snapshot(e.Index())
	done := 0
	var elapsed time.Duration
	m := meter{afterEach: func(ch *engine.Change) error {
		syncGraph(g, e.Index(), ch)
		var params map[string]value.Value
		if s.RerunParams != nil {
			params = s.RerunParams(e.Now())
		}
		_, err := oracle.Evaluate(tree, g, params, funcs, e.Now())
		return err
	}}
	for done < o.RerunChanges && elapsed < o.RerunBudget {
		n := min(64, o.RerunChanges-done)
		if err := drive(t, w, n, &m, 0); err != nil {
			return 0, 0, err
		}
		done += n
		elapsed = m.elapsed
	}
	return done, float64(done) / elapsed.Seconds(), nil
}

// Snapshot copies an element index into an oracle graph, leaving out
// relationships whose ends do not exist (they match nothing).
func Snapshot(x *engine.Index) *oracle.Graph {
	g := &oracle.Graph{Nodes: map[string]*value.Node{}, Rels: map[string]*value.Rel{}}
	x.Nodes("", func(n *value.Node) bool {
		g.Nodes[n.ID] = n
		return true
	})
	x.Rels(func(r *value.Rel) bool {
		if g.Nodes[r.From] != nil && g.Nodes[r.To] != nil {
			g.Rels[r.ID] = r
		}
		return true
	})
	return g
}

// syncGraph brings g in step with the index after ch (the workloads never
// delete nodes with relationships attached, nor insert dangling ones).
func syncGraph(g *oracle.Graph, x *engine.Index, ch *engine.Change) {
	id := ch.Element.ID
	if n := x.Node(id); n != nil {
		g.Nodes[id] = n
	} else {
		delete(g.Nodes, id)
	}
	if r := x.Rel(id); r != nil {
		g.Rels[id] = r
	} else {
		delete(g.Rels, id)
	}
}

// percentiles returns the given quantiles of ns latencies, in µs.
func percentiles(ns []int64, qs ...float64) []float64 {
	out := make([]float64, len(qs))
	if len(ns) == 0 {
		return out
	}
	s := append([]int64(nil), ns...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	for i, q := range qs {
		k := int(math.Ceil(q*float64(len(s)))) - 1
		k = max(0, min(k, len(s)-1))
		out[i] = float64(s[k]) / 1e3
	}
	return out
}
