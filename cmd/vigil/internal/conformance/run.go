package conformance

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/vigilhq/vigil/engine"
)

// QueryID is the id under which a scenario's query is registered.
const QueryID = "conformance"

// RunOptions configure Scenario.Run.
type RunOptions struct {
	// Log, when set, receives every step's net diff (the -v output).
	Log io.Writer
}

// Outcome is the result of running one scenario.
type Outcome struct {
	Scenario *Scenario
	Passed   bool
	// Step is the 1-based step that failed (0: before the first step, such
	// as a query that does not compile).
	Step int
	// Failure says what went wrong, starting with "step N: " when a step
	// failed; empty when Passed.
	Failure string
	// Panic is the recovered value when the engine panicked, else nil.
	Panic any
}

// target is what a scenario runs against: a fresh engine in production, a
// scripted stand-in in the runner's own tests.
type target interface {
	addQuery(spec engine.QuerySpec) (columns []string, err error)
	advanceTo(t time.Time) ([]engine.Diff, error)
	apply(changes []engine.Change) ([]engine.Diff, error)
	results() []engine.Row
	queryErr() error
}

// engineTarget runs a scenario on a real engine.
type engineTarget struct {
	e *engine.Engine
	q *engine.Query
}

func (t *engineTarget) addQuery(spec engine.QuerySpec) ([]string, error) {
	q, err := t.e.AddQuery(spec)
	if err != nil {
		return nil, err
	}
	t.q = q
	return q.Columns(), nil
}

func (t *engineTarget) advanceTo(at time.Time) ([]engine.Diff, error) { return t.e.AdvanceTo(at) }

func (t *engineTarget) apply(cs []engine.Change) ([]engine.Diff, error) { return t.e.Apply(cs) }

func (t *engineTarget) results() []engine.Row { return t.q.Results() }

func (t *engineTarget) queryErr() error { return t.q.Err() }

// Run executes the scenario against a fresh engine and checks every step's
// expectations. Engine panics are recovered into the outcome.
func (s *Scenario) Run(opts RunOptions) Outcome {
	return s.run(opts, func(start time.Time) target {
		return &engineTarget{e: engine.New(engine.Options{Start: start})}
	})
}

func (s *Scenario) run(opts RunOptions, newTarget func(start time.Time) target) (out Outcome) {
	out.Scenario = s
	fail := func(format string, args ...any) Outcome {
		out.Passed = false
		msg := fmt.Sprintf(format, args...)
		if out.Step > 0 {
			msg = fmt.Sprintf("step %d: %s", out.Step, msg)
		}
		out.Failure = msg
		return out
	}
	defer func() {
		if r := recover(); r != nil {
			out.Panic = r
			out = fail("panic: %v", r)
		}
	}()

	q := newTarget(s.Start)
	cols, err := q.addQuery(engine.QuerySpec{ID: QueryID, Text: s.Query, Language: s.Language, Joins: s.Joins})
	if err != nil {
		return fail("query: %v", err)
	}
	clock := s.Start
	for i, st := range s.Steps {
		out.Step = i + 1
		var diffs []engine.Diff
		if st.HasAt {
			clock = st.At
			ds, err := q.advanceTo(clock)
			if err != nil {
				return fail("advance to %s: %v", clock.Format("2006-01-02T15:04:05.999999999Z07:00"), err)
			}
			diffs = appendOwn(diffs, ds)
		}
		if len(st.Changes) > 0 {
			changes := make([]engine.Change, len(st.Changes))
			for j, c := range st.Changes {
				el := c.Element
				el.Labels = slices.Clone(el.Labels)
				el.Props = maps.Clone(el.Props)
				changes[j] = engine.Change{Op: c.Op, Element: el, Time: clock}
			}
			ds, err := q.apply(changes)
			if err != nil {
				return fail("apply: %v", err)
			}
			diffs = appendOwn(diffs, ds)
		}
		net := Combine(diffs...)
		net.QueryID = QueryID
		if opts.Log != nil {
			at := ""
			if st.HasAt {
				at = " at " + clock.Format("2006-01-02T15:04:05.999999999Z07:00")
			}
			fmt.Fprintf(opts.Log, "    step %d%s (line %d): %s\n", out.Step, at, st.Line, FormatDiff(net, cols))
		}
		if st.Expect != nil && !DiffMatches(st.Expect, net, cols) {
			return fail("expected %s, got %s%s", FormatExpected(st.Expect, cols), FormatDiff(net, cols), queryErr(q))
		}
		if st.HasResult {
			res := q.results()
			if !ResultMatches(st.Result, res, cols) {
				return fail("expected result %s, got result %s%s", FormatRows(st.Result, cols), formatEngineRows(res, cols), queryErr(q))
			}
		}
	}
	out.Passed = true
	return out
}

// appendOwn appends the diffs of the scenario's query.
func appendOwn(acc, ds []engine.Diff) []engine.Diff {
	for _, d := range ds {
		if d.QueryID == QueryID {
			acc = append(acc, d)
		}
	}
	return acc
}

// queryErr describes the query's runtime error state, if any, for a failure
// message (nothing if asking panics).
func queryErr(q target) (s string) {
	defer func() {
		if recover() != nil {
			s = ""
		}
	}()
	if err := q.queryErr(); err != nil {
		return fmt.Sprintf(" (query error: %v)", err)
	}
	return ""
}
