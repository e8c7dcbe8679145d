package tck

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/functions"
	"github.com/vigilhq/vigil/grammar/ast"
)

// Outcome is the verdict on one scenario.
type Outcome int

// Scenario outcomes.
const (
	Passed Outcome = iota
	Failed
	Skipped
)

// String returns passed, failed or skipped.
func (o Outcome) String() string {
	return [...]string{"passed", "failed", "skipped"}[o]
}

// Result is the verdict on one scenario with its reason.
type Result struct {
	Feature  string // feature name
	Path     string // feature file
	Scenario string // scenario name
	Line     int    // line of the scenario in the file
	Outcome  Outcome
	Reason   string // why it failed or was skipped; may span several lines
}

// Options tune a run.
type Options struct {
	// Filter, when set, keeps only scenarios whose "feature name / scenario
	// name" it matches.
	Filter *regexp.Regexp
	// Timeout bounds one scenario (default 10 s); a scenario that exceeds it
	// fails.
	Timeout time.Duration
}

// FindFeatures lists the .feature files under dir (or dir itself if it is
// a file), sorted by path.
func FindFeatures(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".feature") {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// RunFeature runs every scenario of a feature, each against a fresh engine.
func RunFeature(f *Feature, opts Options) []Result {
	var out []Result
	for _, sc := range f.Scenarios {
		if opts.Filter != nil && !opts.Filter.MatchString(f.Name+" / "+sc.Name) {
			continue
		}
		out = append(out, RunScenario(f, sc, opts.Timeout))
	}
	return out
}

// RunScenario runs one scenario (after the feature's background) against a
// fresh engine. A panic becomes a failure naming it; so does exceeding
// timeout (10 s when zero).
func RunScenario(f *Feature, sc Scenario, timeout time.Duration) Result {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	res := Result{Feature: f.Name, Path: f.Path, Scenario: sc.Name, Line: sc.Line}
	steps := append(append([]Step(nil), f.Background...), sc.Steps...)
	if reason := outOfScope(steps); reason != "" {
		res.Outcome, res.Reason = Skipped, reason
		return res
	}
	done := make(chan Result, 1)
	go func() {
		r := res
		defer func() {
			if p := recover(); p != nil {
				r.Outcome = Failed
				r.Reason = fmt.Sprintf("panic: %v\n%s", p, trimStack(debug.Stack()))
				done <- r
			}
		}()
		r.Outcome, r.Reason = runSteps(steps)
		done <- r
	}()
	select {
	case r := <-done:
		return r
	case <-time.After(timeout):
		res.Outcome, res.Reason = Failed, fmt.Sprintf("timeout: scenario did not finish within %s", timeout)
		return res
	}
}

// trimStack keeps the top of a panic's stack, below the runtime frames.
func trimStack(st []byte) string {
	lines := strings.Split(string(st), "\n")
	start := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "panic(") {
			start = i
			break
		}
	}
	end := start + 12
	if end > len(lines) {
		end = len(lines)
	}
	return strings.Join(lines[start:end], "\n")
}

var (
	errorStep  = regexp.MustCompile(`^an? (\w+) should be raised at (compile time|runtime|any time): *(\S*)`)
	resultStep = regexp.MustCompile(`^the result should be(, in (any )?order)?( \(ignoring element order for lists\))?:$`)
)

// outOfScope returns why a scenario is out of scope, or "".
func outOfScope(steps []Step) string {
	for _, s := range steps {
		t := s.Text
		switch {
		case t == "an empty graph" || t == "any graph" || t == "no side effects" || strings.HasPrefix(t, "no side effects"):
		case t == "having executed:":
			for _, kw := range WriteKeywords(s.DocString) {
				if kw != "CREATE" {
					return "setup query uses " + kw
				}
			}
		case t == "parameters are:":
		case t == "executing query:":
			kws := WriteKeywords(s.DocString)
			for _, kw := range kws {
				if kw == "CALL" {
					return "procedure call"
				}
			}
			if len(kws) > 0 {
				return "write query (" + kws[0] + ")"
			}
		case t == "executing control query:":
			return "control query"
		case strings.HasPrefix(t, "the side effects should be"):
			return "side-effect assertion"
		case t == "the result should be empty" || resultStep.MatchString(t) || errorStep.MatchString(t):
		case s.Keyword == "Given":
			return "unsupported graph: " + t
		default:
			return "unsupported step: " + s.Keyword + " " + t
		}
	}
	return ""
}

// state is what the steps of one scenario share.
type state struct {
	e        *engine.Engine
	setup    *setup
	params   map[string]value.Value
	q        *engine.Query
	err      error // compile error of the query under test
	executed bool
}

// runSteps executes the steps in order and returns the verdict.
func runSteps(steps []Step) (Outcome, string) {
	e := engine.New(engine.Options{})
	st := &state{e: e, setup: &setup{e: e}, params: map[string]value.Value{}}
	for _, s := range steps {
		out, reason, done := st.step(s)
		if done {
			return out, reason
		}
	}
	if !st.executed {
		return Failed, "scenario executes no query"
	}
	return Passed, ""
}

// step runs one step; done reports a final verdict.
func (st *state) step(s Step) (Outcome, string, bool) {
	t := s.Text
	switch {
	case t == "an empty graph" || t == "any graph" || strings.HasPrefix(t, "no side effects"):
	case t == "having executed:":
		if err := st.setup.run(s.DocString); err != nil {
			if reason, ok := isSkip(err); ok {
				return Skipped, reason, true
			}
			return Failed, "setup: " + err.Error(), true
		}
	case t == "parameters are:":
		for _, row := range s.Table {
			if len(row) != 2 {
				return Failed, fmt.Sprintf("line %d: parameter row needs 2 cells", s.Line), true
			}
			v, err := ParseValue(row[1])
			if err != nil {
				return Failed, fmt.Sprintf("line %d: parameter %s: %v", s.Line, row[0], err), true
			}
			st.params[row[0]] = v
		}
	case t == "executing query:":
		st.executed = true
		st.q, st.err = st.e.AddQuery(engine.QuerySpec{ID: "q", Text: s.DocString, Params: st.params})
	case t == "the result should be empty":
		if reason := st.checkNoError(); reason != "" {
			return Failed, reason, true
		}
		if rows := st.q.Results(); len(rows) != 0 {
			return Failed, fmt.Sprintf("expected no rows, got %d:\n%s", len(rows), formatRows(st.q.Columns(), rows)), true
		}
	case resultStep.MatchString(t):
		m := resultStep.FindStringSubmatch(t)
		ordered := m[1] != "" && m[2] == ""
		unorderedLists := m[3] != ""
		if reason := st.checkResult(s, ordered, unorderedLists); reason != "" {
			return Failed, reason, true
		}
	case errorStep.MatchString(t):
		m := errorStep.FindStringSubmatch(t)
		if reason := st.checkError(m[1], m[2], m[3]); reason != "" {
			return Failed, reason, true
		}
	default:
		return Skipped, "unsupported step: " + t, true
	}
	return Passed, "", false
}

// checkNoError reports a compile or runtime error of the query under test.
func (st *state) checkNoError() string {
	if !st.executed {
		return "no query executed before the assertion"
	}
	if st.err != nil {
		return "unexpected compile error: " + st.err.Error()
	}
	if err := st.q.Err(); err != nil {
		return "unexpected runtime error: " + err.Error()
	}
	return ""
}

// checkResult compares the query's result with the step's table.
func (st *state) checkResult(s Step, ordered, unorderedLists bool) string {
	if reason := st.checkNoError(); reason != "" {
		return reason
	}
	if len(s.Table) == 0 {
		return fmt.Sprintf("line %d: result table without header", s.Line)
	}
	header := s.Table[0]
	var expected [][]value.Value
	for _, row := range s.Table[1:] {
		if len(row) != len(header) {
			return fmt.Sprintf("line %d: expected row has %d cells, header %d", s.Line, len(row), len(header))
		}
		vals := make([]value.Value, len(row))
		for i, c := range row {
			v, err := ParseValue(c)
			if err != nil {
				return fmt.Sprintf("line %d: expected value: %v", s.Line, err)
			}
			vals[i] = v
		}
		expected = append(expected, vals)
	}
	cols := st.q.Columns()
	rows := st.q.Results()
	// Columns match by name; reorder the actual values to the header's order.
	idx := map[string]int{}
	for i, c := range cols {
		idx[c] = i
	}
	perm := make([]int, len(header))
	for i, h := range header {
		j, ok := idx[h]
		if !ok || len(cols) != len(header) {
			return fmt.Sprintf("columns differ: expected %s, got %s", strings.Join(header, ", "), strings.Join(cols, ", "))
		}
		perm[i] = j
	}
	actual := make([][]value.Value, len(rows))
	for r, row := range rows {
		a := make([]value.Value, len(header))
		for i, j := range perm {
			if j < len(row) {
				a[i] = row[j]
			}
		}
		actual[r] = a
	}
	if RowsMatch(expected, actual, ordered, unorderedLists) {
		return ""
	}
	how := "in any order"
	if ordered {
		how = "in order"
	}
	return fmt.Sprintf("result differs (%s): expected %d rows, got %d\nexpected:\n%s\nactual:\n%s",
		how, len(expected), len(actual), formatValues(header, expected), formatValues(header, actual))
}

// checkError checks the expected error of type typ (SyntaxError,
// TypeError...) with detail code ("*" for any) raised at phase.
func (st *state) checkError(typ, phase, code string) string {
	if !st.executed {
		return "no query executed before the assertion"
	}
	want := fmt.Sprintf("%s %s at %s", typ, code, phase)
	codeOK := func(c string) bool { return code == "*" || code == "" || c == code }
	if st.err != nil {
		var ae *ast.Error
		if errors.As(st.err, &ae) {
			if codeOK(ae.Code) {
				return ""
			}
			return fmt.Sprintf("expected %s, got compile error with code %q: %v", want, ae.Code, st.err)
		}
		var fe *functions.Error
		if phase != "compile time" && errors.As(st.err, &fe) {
			if codeOK(fe.Code) && fe.Kind == typ {
				return ""
			}
			return fmt.Sprintf("expected %s, got compile-time %s %s: %v", want, fe.Kind, fe.Code, st.err)
		}
		return fmt.Sprintf("expected %s, got compile error without a code: %v", want, st.err)
	}
	if phase == "compile time" {
		return fmt.Sprintf("expected %s, but the query compiled (%d rows)", want, len(st.q.Results()))
	}
	err := st.q.Err()
	if err == nil {
		rows := st.q.Results()
		return fmt.Sprintf("expected %s, got no error and %d rows:\n%s", want, len(rows), formatRows(st.q.Columns(), rows))
	}
	var fe *functions.Error
	if errors.As(err, &fe) {
		if codeOK(fe.Code) && fe.Kind == typ {
			if n := len(st.q.Results()); n != 0 {
				return fmt.Sprintf("expected %s: raised, but the query still holds %d rows", want, n)
			}
			return ""
		}
		return fmt.Sprintf("expected %s, got runtime %s %s: %v", want, fe.Kind, fe.Code, err)
	}
	var ae *ast.Error
	if errors.As(err, &ae) && codeOK(ae.Code) {
		return ""
	}
	return fmt.Sprintf("expected %s, got runtime error without a matching code: %v", want, err)
}

func formatRows(cols []string, rows []engine.Row) string {
	vals := make([][]value.Value, len(rows))
	for i, r := range rows {
		vals[i] = r
	}
	return formatValues(cols, vals)
}

// formatValues renders rows as a TCK-style table.
func formatValues(cols []string, rows [][]value.Value) string {
	var b strings.Builder
	b.WriteString("  | " + strings.Join(cols, " | ") + " |")
	const max = 20
	for i, r := range rows {
		if i == max {
			fmt.Fprintf(&b, "\n  ... %d more", len(rows)-max)
			break
		}
		cells := make([]string, len(r))
		for j, v := range r {
			cells[j] = v.String()
		}
		b.WriteString("\n  | " + strings.Join(cells, " | ") + " |")
	}
	return b.String()
}
