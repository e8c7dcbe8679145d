// Command mutants is Vigil's mutation check: a regression guard for the
// test suite itself. It applies each deliberate bug of a list
// (mutants.txt beside this file) to a scratch copy of the repository, one
// at a time, and runs the tests named for it; every mutant must make them
// fail within its time limit. A mutant that survives is a bug the tests
// would let through.
//
//	go run ./tools/mutants               # every mutant (make mutants)
//	go run ./tools/mutants -run trueFor  # those whose name matches
//	go run ./tools/mutants -list         # the list, and which are stale
//
// Each mutant names its file, an exact original snippet that must occur
// exactly once in that file (else the mutant is reported stale, so that a
// refactor cannot silently disable it), its replacement, the packages and
// -run pattern of its tests and a time limit (60s by default). Before the
// tests run, the mutated package must build and the test packages vet: a
// mutant that does not compile is the list's error, not a catch. Before the
// mutants, each test command runs once on the unmutated copy and must pass.
//
// The exit status is 0 when every mutant was caught, 1 when one survived,
// timed out, is stale, does not build or could not run, 2 on a usage or
// setup error. See docs/mutants.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(argv []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("mutants", flag.ContinueOnError)
	fl.SetOutput(stderr)
	listFile := fl.String("f", "", "the mutant list (default: tools/mutants/mutants.txt of the repository)")
	runPat := fl.String("run", "", "only the mutants whose name matches this regexp")
	listOnly := fl.Bool("list", false, "list the mutants and whether each still applies; run nothing")
	jobs := fl.Int("j", 1, "mutants tested at once, each in its own scratch copy")
	rev := fl.String("rev", "", "test the tree of this commit (git archive) instead of the work tree's tracked files")
	baseline := fl.Bool("baseline", true, "first run each test command on the unmutated copy (it must pass)")
	keep := fl.Bool("keep", false, "keep the scratch copies (their paths are printed)")
	verbose := fl.Bool("v", false, "print the test output of every mutant, caught ones included")
	md := fl.Bool("md", false, "print the results as a Markdown table")
	fl.Usage = func() {
		fmt.Fprintf(stderr, "usage: go run ./tools/mutants [flags]\n\nApplies each deliberate bug of the mutant list to a scratch copy of the\nrepository and runs its tests; fails unless every one is caught.\n\n")
		fl.PrintDefaults()
	}
	if err := fl.Parse(argv); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "mutants: unexpected arguments %q\n", fl.Args())
		return 2
	}
	if *jobs < 1 {
		fmt.Fprintln(stderr, "mutants: -j must be at least 1")
		return 2
	}
	cwd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(stderr, "mutants:", err)
		return 2
	}
	root, err := repoRoot(cwd)
	if err != nil {
		fmt.Fprintln(stderr, "mutants: not in a git work tree:", err)
		return 2
	}
	if *listFile == "" {
		*listFile = filepath.Join(root, "tools", "mutants", "mutants.txt")
	}
	all, err := ReadList(*listFile)
	if err != nil {
		fmt.Fprintln(stderr, "mutants:", err)
		return 2
	}
	ms := all
	if *runPat != "" {
		re, err := regexp.Compile(*runPat)
		if err != nil {
			fmt.Fprintln(stderr, "mutants: -run:", err)
			return 2
		}
		ms = nil
		for _, m := range all {
			if re.MatchString(m.Name) {
				ms = append(ms, m)
			}
		}
		if len(ms) == 0 {
			fmt.Fprintf(stderr, "mutants: no mutant matches -run %q (see -list)\n", *runPat)
			return 2
		}
	}
	if *listOnly {
		return list(root, *rev, ms, stdout, stderr)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()

	// The scratch copies: one per job, made once; each mutant is applied
	// and then undone in its worker's copy.
	n := min(*jobs, len(ms))
	base, err := os.MkdirTemp("", "vigil-mutants-")
	if err != nil {
		fmt.Fprintln(stderr, "mutants:", err)
		return 2
	}
	if *keep {
		fmt.Fprintf(stderr, "mutants: scratch copies kept in %s\n", base)
	} else {
		defer os.RemoveAll(base)
	}
	env := childEnv(root)
	workers := make([]*worker, n)
	what := "the work tree's tracked files"
	if *rev != "" {
		what = "commit " + *rev
	}
	for i := range workers {
		dir := filepath.Join(base, fmt.Sprintf("w%d", i+1))
		var files int
		if *rev != "" {
			files, err = copyRevision(root, *rev, dir)
		} else {
			files, err = copyWorkTree(root, dir)
		}
		if err != nil {
			fmt.Fprintln(stderr, "mutants: making the scratch copy:", err)
			return 2
		}
		if i == 0 {
			fmt.Fprintf(stderr, "mutants: %d mutants, %d at a time, on a scratch copy of %s (%d files)\n", len(ms), n, what, files)
		}
		workers[i] = &worker{dir: dir, env: env}
	}

	// Stale mutants are reported without running anything.
	results := make([]Result, len(ms))
	var live []*Mutant
	for i, m := range ms {
		if r, ok := staleness(workers[0].dir, m); !ok {
			results[i] = r
			fmt.Fprintf(stderr, "mutants: %s: %s\n", m.Name, r.Detail)
			continue
		}
		live = append(live, m)
	}

	// The baselines: every distinct test command on the unmutated copy.
	bad := map[string]Result{}
	if *baseline && len(live) > 0 {
		var cmds []*Mutant
		limits := map[string]time.Duration{}
		for _, m := range live {
			k := m.testKey()
			if _, ok := limits[k]; !ok {
				cmds = append(cmds, m)
			}
			limits[k] = max(limits[k], m.Limit)
		}
		fmt.Fprintf(stderr, "mutants: baseline: %d test commands on the unmutated copy\n", len(cmds))
		res := make([]Result, len(cmds))
		pool(ctx, workers, len(cmds), func(w *worker, i int) {
			m := cmds[i]
			// A baseline is allowed much longer than a mutant: it only has
			// to pass, and a slow machine should make the check slower,
			// not void.
			res[i] = w.baseline(ctx, m, max(baselineLimit, 3*limits[m.testKey()]))
			r := res[i]
			note := ""
			if r.Status == Passes && r.Took > limits[m.testKey()] {
				note = fmt.Sprintf(" (longer than the mutants' limit %s: a survivor will show as a timeout)", limits[m.testKey()])
			}
			fmt.Fprintf(stderr, "mutants: baseline %s: %s in %s%s\n", m.Command(), r.Status, round(r.Took), note)
			if r.Status != Passes {
				fmt.Fprintf(stderr, "%s\n%s\n", r.Detail, tail(r.Output, 40))
			}
		})
		for _, r := range res {
			if ctx.Err() != nil {
				fmt.Fprintln(stderr, "mutants: interrupted")
				return 1
			}
			if r.Status != Passes {
				bad[r.M.testKey()] = r
			}
		}
	}

	// The mutants.
	var todo []int
	for i, m := range ms {
		if results[i].Status != "" {
			continue // stale
		}
		if b, ok := bad[m.testKey()]; ok {
			results[i] = Result{M: m, Status: BaselineBad, Detail: "its tests fail without the mutant (" + string(b.Status) + ")"}
			continue
		}
		todo = append(todo, i)
	}
	var mu sync.Mutex
	done := 0
	pool(ctx, workers, len(todo), func(w *worker, k int) {
		i := todo[k]
		r := w.mutate(ctx, ms[i])
		results[i] = r
		mu.Lock()
		defer mu.Unlock()
		done++
		fmt.Fprintf(stderr, "mutants: [%d/%d] %s: %s in %s (%s)\n", done, len(todo), r.M.Name, r.Status, round(r.Took), r.Detail)
	})
	if ctx.Err() != nil {
		for i := range results {
			if results[i].Status == "" {
				results[i] = Result{M: ms[i], Status: Interrupted}
			}
		}
	}

	// The report: details of what was not caught, then the table.
	failed := 0
	for _, r := range results {
		if r.Status == Caught && !*verbose {
			continue
		}
		if r.Status != Caught {
			failed++
		}
		fmt.Fprintf(stdout, "==== %s: %s\n", r.M.Name, r.Status)
		if r.M.Bug != "" {
			fmt.Fprintf(stdout, "bug:     %s\n", r.M.Bug)
		}
		fmt.Fprintf(stdout, "file:    %s (list line %d)\ntests:   %s\n", r.M.File, r.M.Line, r.M.Command())
		if r.M.Gap != "" {
			fmt.Fprintf(stdout, "gap:     %s\n", r.M.Gap)
		}
		if r.Detail != "" {
			fmt.Fprintf(stdout, "detail:  %s\n", r.Detail)
		}
		if r.Output != "" {
			lines := 40
			if *verbose {
				lines = 1 << 30
			}
			fmt.Fprintf(stdout, "output:\n%s\n", indent(tail(r.Output, lines)))
		}
		fmt.Fprintln(stdout)
	}
	if *md {
		markdownTable(stdout, results)
	} else {
		textTable(stdout, results)
	}
	fmt.Fprintf(stdout, "%s (%s in all)\n", summary(results), round(time.Since(start)))
	if failed > 0 || ctx.Err() != nil {
		return 1
	}
	return 0
}

// pool runs fn(w, i) for i in [0, n) on the workers, one task per worker at
// a time, until done or ctx ends.
func pool(ctx context.Context, workers []*worker, n int, fn func(w *worker, i int)) {
	tasks := make(chan int)
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range tasks {
				fn(w, i)
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		select {
		case tasks <- i:
		case <-ctx.Done():
		}
	}
	close(tasks)
	wg.Wait()
}

// childEnv is the environment of the go commands: this process's, plus
// VIGIL_SHARED pointing at ../shared beside the checkout when it exists
// (tests find it relative to their source file, which a scratch copy
// built with -trimpath no longer tells).
func childEnv(root string) []string {
	env := os.Environ()
	if os.Getenv("VIGIL_SHARED") == "" {
		shared := filepath.Join(filepath.Dir(root), "shared")
		if st, err := os.Stat(shared); err == nil && st.IsDir() {
			env = append(env, "VIGIL_SHARED="+shared)
		}
	}
	return env
}

// list prints the mutants and whether each applies to the tree (the work
// tree, or rev); it fails when one is stale.
func list(root, rev string, ms []*Mutant, stdout, stderr io.Writer) int {
	stale := 0
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MUTANT\tAREA\tFILE\tSTATE\tTESTS")
	for _, m := range ms {
		state := "applies"
		var src []byte
		var err error
		if rev != "" {
			src, err = gitOut(root, "show", rev+":"+m.File)
		} else {
			src, err = os.ReadFile(filepath.Join(root, filepath.FromSlash(m.File)))
		}
		if err != nil {
			state = "STALE: " + m.File + " is not in the repository"
		} else if _, err := m.Apply(string(src)); err != nil {
			state = "STALE"
			fmt.Fprintf(stderr, "mutants: %s: %v\n", m.Name, err)
		}
		if strings.HasPrefix(state, "STALE") {
			stale++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.Name, m.Area, m.File, state, m.Command())
	}
	tw.Flush()
	fmt.Fprintf(stdout, "%d mutants, %d stale\n", len(ms), stale)
	if stale > 0 {
		return 1
	}
	return 0
}

func detailOf(r Result) string {
	d := r.Detail
	if r.Status != Caught && r.M.Gap != "" {
		if d != "" {
			d += "; "
		}
		d += "known gap: " + r.M.Gap
	}
	return d
}

func textTable(w io.Writer, results []Result) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MUTANT\tAREA\tRESULT\tTIME\tDETAIL")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.M.Name, r.M.Area, r.Status, round(r.Took), shorten(detailOf(r), 90))
	}
	tw.Flush()
}

func markdownTable(w io.Writer, results []Result) {
	fmt.Fprintln(w, "| mutant | area | file | result | time | detail |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	esc := strings.NewReplacer("|", `\|`, "\n", " ")
	for _, r := range results {
		fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s | %s |\n", r.M.Name, r.M.Area, r.M.File, r.Status, round(r.Took), esc.Replace(detailOf(r)))
	}
}

func summary(results []Result) string {
	count := map[Status]int{}
	for _, r := range results {
		count[r.Status]++
	}
	var parts []string
	parts = append(parts, fmt.Sprintf("%d caught", count[Caught]))
	var others []string
	for s := range count {
		if s != Caught {
			others = append(others, string(s))
		}
	}
	sort.Strings(others)
	for _, s := range others {
		parts = append(parts, fmt.Sprintf("%d %s", count[Status(s)], strings.ToLower(s)))
	}
	verdict := "all caught"
	if count[Caught] != len(results) {
		verdict = "NOT all caught"
	}
	return fmt.Sprintf("%d mutants: %s: %s", len(results), strings.Join(parts, ", "), verdict)
}

func round(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return d.Round(100 * time.Millisecond).String()
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("[... %d lines ...]", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}
