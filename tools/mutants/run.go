package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Status is what became of a mutant.
type Status string

const (
	Caught      Status = "caught"         // its tests failed: the suite noticed the bug
	Survived    Status = "SURVIVED"       // its tests passed with the bug in
	Timeout     Status = "TIMEOUT"        // its tests neither failed nor passed within the limit
	Stale       Status = "STALE"          // its original text is not exactly once in its file
	NoCompile   Status = "DOES NOT BUILD" // the mutated code does not build or vet: fix the mutant
	NoTests     Status = "NO TESTS"       // the -run pattern matched no test
	BaselineBad Status = "BASELINE FAILS" // its tests fail without the mutant: the check means nothing
	ToolError   Status = "ERROR"          // anything else (go could not start, ...)
	Interrupted Status = "INTERRUPTED"
	Passes      Status = "passes" // a baseline run: the tests pass without mutants
)

// Result is one mutant's outcome.
type Result struct {
	M      *Mutant
	Status Status
	Took   time.Duration // the test run's wall time
	Detail string        // the failing tests, or why it is not caught
	Output string        // the output of the step that decided
}

// buildLimit bounds the build and vet checks (a first build in a fresh
// scratch copy compiles everything the tests import).
const buildLimit = 10 * time.Minute

// baselineLimit is the least time a baseline run gets (at least three
// times its mutants' limit).
const baselineLimit = 10 * time.Minute

// cmdResult is one finished command.
type cmdResult struct {
	out      string
	err      error // nil: exit status 0
	timedOut bool  // stopped at its time limit
	took     time.Duration
}

// runCmd runs name args in dir, stopping it (and its process group) at limit
// or when ctx ends.
func runCmd(ctx context.Context, dir string, env []string, limit time.Duration, name string, args ...string) cmdResult {
	cctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(cctx, name, args...)
	cmd.Dir = dir
	cmd.Env = env
	var buf bytes.Buffer
	cmd.Stdout = &buf
	cmd.Stderr = &buf
	ownGroup(cmd)
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	err := cmd.Run()
	r := cmdResult{out: buf.String(), err: err, took: time.Since(start)}
	r.timedOut = errors.Is(cctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
	return r
}

// worker owns one scratch copy of the repository.
type worker struct {
	dir string
	env []string
}

// check builds the mutated package and vets the test packages: a mutant
// must compile (and vet: go test runs part of vet and would fail the
// package otherwise), or its "caught" would mean nothing.
func (w *worker) check(ctx context.Context, m *Mutant) (ok bool, out string, interrupted bool) {
	var steps [][]string
	vet := append([]string{"vet", "-trimpath"}, m.Pkgs...)
	if strings.HasSuffix(m.File, ".go") {
		pkg := "./" + path.Dir(m.File) + "/"
		if !strings.HasSuffix(m.File, "_test.go") {
			steps = append(steps, []string{"build", "-trimpath", pkg})
		}
		if !slices.Contains(m.Pkgs, pkg) {
			vet = append(vet, pkg)
		}
	}
	steps = append(steps, vet)
	for _, args := range steps {
		r := runCmd(ctx, w.dir, w.env, buildLimit, "go", args...)
		if ctx.Err() != nil {
			return false, r.out, true
		}
		if r.err != nil {
			return false, "go " + strings.Join(args, " ") + ":\n" + r.out, false
		}
	}
	return true, "", false
}

var (
	failRE      = regexp.MustCompile(`(?m)^\s*--- FAIL: (\S+)`)
	buildFailRE = regexp.MustCompile(`(?m)^FAIL\s+\S+\s+\[(build|setup) failed\]`)
	panicRE     = regexp.MustCompile(`(?m)^panic: (.*)$`)
	pkgFailRE   = regexp.MustCompile(`(?m)^FAIL\s+\S+`)
	okLineRE    = regexp.MustCompile(`(?m)^ok\s+\S+.*$`)
)

// classify reads a go test run.
func classify(r cmdResult) (Status, string) {
	out := r.out
	switch {
	case r.timedOut:
		return Timeout, "no verdict within the limit"
	case r.err == nil:
		oks := okLineRE.FindAllString(out, -1)
		none := len(oks) > 0
		for _, l := range oks {
			none = none && strings.Contains(l, "[no tests to run]")
		}
		if none {
			return NoTests, "the -run pattern matched no test"
		}
		return Survived, "the tests passed"
	case buildFailRE.MatchString(out):
		return NoCompile, "go test: build failed"
	case strings.Contains(out, "panic: test timed out"):
		return Timeout, "the test binary's own -timeout (a hang)"
	}
	var exit *exec.ExitError
	if !errors.As(r.err, &exit) {
		return ToolError, r.err.Error()
	}
	if ms := failRE.FindAllStringSubmatch(out, -1); len(ms) > 0 {
		var names []string
		seen := map[string]bool{}
		for _, m := range ms {
			if !seen[m[1]] {
				seen[m[1]] = true
				names = append(names, m[1])
			}
		}
		// The innermost failing test is the most telling; go test prints
		// subtests before their parents.
		if len(names) > 3 {
			names = append(names[:3], "...")
		}
		return Caught, strings.Join(names, ", ")
	}
	if m := panicRE.FindStringSubmatch(out); m != nil {
		return Caught, "panic: " + shorten(m[1], 60)
	}
	if pkgFailRE.MatchString(out) {
		return Caught, "FAIL"
	}
	return ToolError, fmt.Sprintf("go test exited with %v and reported no failure", r.err)
}

func shorten(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// baseline runs the tests of m on the unmutated copy; they must pass.
func (w *worker) baseline(ctx context.Context, m *Mutant, limit time.Duration) Result {
	res := Result{M: m}
	if ok, out, intr := w.checkPkgs(ctx, m); !ok {
		res.Status, res.Output = NoCompile, out
		if intr {
			res.Status = Interrupted
		}
		res.Detail = "the unmutated copy does not build or vet"
		return res
	}
	r := runCmd(ctx, w.dir, w.env, limit, "go", m.testArgs("-trimpath")...)
	res.Took, res.Output = r.took, r.out
	if ctx.Err() != nil {
		res.Status = Interrupted
		return res
	}
	st, detail := classify(r)
	switch st {
	case Survived:
		res.Status, res.Detail = Passes, "the tests pass without mutants"
	case Caught:
		res.Status, res.Detail = BaselineBad, "fails without any mutant: "+detail
	default:
		res.Status, res.Detail = st, detail
	}
	return res
}

// checkPkgs vets the test packages of m (the unmutated copy).
func (w *worker) checkPkgs(ctx context.Context, m *Mutant) (bool, string, bool) {
	args := append([]string{"vet", "-trimpath"}, m.Pkgs...)
	r := runCmd(ctx, w.dir, w.env, buildLimit, "go", args...)
	if ctx.Err() != nil {
		return false, r.out, true
	}
	if r.err != nil {
		return false, "go " + strings.Join(args, " ") + ":\n" + r.out, false
	}
	return true, "", false
}

// staleness checks that m applies to the scratch copy in dir; a mutant that
// does not gets its Result.
func staleness(dir string, m *Mutant) (Result, bool) {
	src, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(m.File)))
	if err != nil {
		return Result{M: m, Status: Stale, Detail: fmt.Sprintf("stale: %s is not in the repository", m.File)}, false
	}
	if _, err := m.Apply(string(src)); err != nil {
		return Result{M: m, Status: Stale, Detail: err.Error()}, false
	}
	return Result{}, true
}

// mutate applies m to the scratch copy, runs its checks and tests, and puts
// the file back.
func (w *worker) mutate(ctx context.Context, m *Mutant) (res Result) {
	res = Result{M: m}
	file := filepath.Join(w.dir, filepath.FromSlash(m.File))
	st, err := os.Stat(file)
	if err != nil {
		res.Status, res.Detail = Stale, fmt.Sprintf("stale: %s is not in the repository", m.File)
		return res
	}
	orig, err := os.ReadFile(file)
	if err != nil {
		res.Status, res.Detail = ToolError, err.Error()
		return res
	}
	mutated, err := m.Apply(string(orig))
	if err != nil {
		res.Status, res.Detail = Stale, err.Error()
		return res
	}
	if err := os.WriteFile(file, []byte(mutated), st.Mode().Perm()); err != nil {
		res.Status, res.Detail = ToolError, err.Error()
		return res
	}
	defer func() {
		if err := os.WriteFile(file, orig, st.Mode().Perm()); err != nil {
			res.Status, res.Detail = ToolError, "restoring "+m.File+": "+err.Error()
		}
	}()
	if ok, out, intr := w.check(ctx, m); !ok {
		res.Output = out
		if intr {
			res.Status = Interrupted
			return res
		}
		res.Status, res.Detail = NoCompile, firstLine(out)
		return res
	}
	r := runCmd(ctx, w.dir, w.env, m.Limit, "go", m.testArgs("-trimpath")...)
	res.Took, res.Output = r.took, r.out
	if ctx.Err() != nil {
		res.Status = Interrupted
		return res
	}
	res.Status, res.Detail = classify(r)
	return res
}

// firstLine is the first line of a build check's output that names a
// problem (skipping the command line and "# package" headers).
func firstLine(out string) string {
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, "go build") || strings.HasPrefix(l, "go vet") {
			continue
		}
		return shorten(l, 100)
	}
	return shorten(out, 100)
}
