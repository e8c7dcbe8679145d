package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigilhq/vigil/cmd/vigil/internal/bench"
)

// runBench implements `vigil bench`: it runs the benchmark scenarios
// (Drasi's query-perf building-comfort workload, a two-hop join and the
// governance sliding window) and prints a table, or with --json one array
// with an object per scenario and store.
func runBench(args []string) int {
	return benchMain(args, os.Stdout, os.Stderr)
}

func benchMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("vigil bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scenario := fs.String("scenario", "all", "scenario to run: "+strings.Join(bench.Names(), ", ")+", a comma-separated list, or all; or "+bench.BootstrapName+" alone")
	store := fs.String("store", "memory", "element store: memory or badger")
	changes := fs.Int("changes", 200000, "changes in each measured stream")
	rerun := fs.Int("rerun-changes", 0, "cap on the re-run reference stream (default min(changes, 2000), at most 3s)")
	paced := fs.Int("paced-changes", 0, "changes of the paced run at half the peak rate (default min(changes/4, 50000); -1 skips it)")
	seed := fs.Int64("seed", 1, "workload seed")
	asJSON := fs.Bool("json", false, "print one JSON array with an object per scenario and store")
	touched := fs.Float64("touched-share", 0, "many_queries: the share of the extra queries that read the changed label")
	queryWorkers := fs.Int("query-workers", 1, "many_queries: how many queries a change may run at once (as vigil serve -query-workers)")
	elements := fs.Int("elements", 10_000_000, bench.BootstrapName+": elements of the governance graph to load")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: vigil bench [--scenario NAME|all] [--store memory|badger] [--changes N] [--seed S] [--json]")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	if *scenario == bench.BootstrapName {
		// Not part of "all": it loads ten million elements by default.
		return runBootstrapBench(*elements, *seed, *asJSON, stdout, stderr)
	}
	scenarios, err := bench.Select(*scenario)
	if err != nil {
		fmt.Fprintf(stderr, "vigil bench: %v\n", err)
		return 2
	}
	if *changes <= 0 {
		fmt.Fprintln(stderr, "vigil bench: --changes must be positive")
		return 2
	}
	switch *store {
	case "memory", "badger":
	default:
		fmt.Fprintf(stderr, "vigil bench: --store must be memory or badger, not %q\n", *store)
		return 2
	}
	opts := bench.Options{Store: *store, Changes: *changes, RerunChanges: *rerun, PacedChanges: *paced, Seed: *seed}
	var results []*bench.Result
	for _, s := range scenarios {
		if !*asJSON {
			fmt.Fprintf(stderr, "running %s (%d changes)...\n", s.Name, *changes)
		}
		var r *bench.Result
		var err error
		if s.Name == bench.ManyQueriesName {
			r, err = bench.RunManyQueries(opts, bench.ManyOptions{TouchedShare: *touched, Workers: *queryWorkers})
		} else {
			r, err = bench.Run(s, opts)
		}
		if err != nil {
			fmt.Fprintf(stderr, "vigil bench: %v\n", err)
			return 1
		}
		results = append(results, r)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			fmt.Fprintf(stderr, "vigil bench: %v\n", err)
			return 1
		}
	} else {
		printBenchTable(stdout, results)
	}
	for _, r := range results {
		if r.Verified != "ok" && r.Verified != "skipped" {
			fmt.Fprintf(stderr, "vigil bench: %s: the final result differs from the oracle: %s\n", r.Scenario, r.Verified)
			return 1
		}
	}
	return 0
}

// printBenchTable prints the results as an aligned table with the machine
// it ran on.
func printBenchTable(w io.Writer, results []*bench.Result) {
	fmt.Fprintf(w, "vigil bench — %s/%s, %d CPUs (GOMAXPROCS %d), %s, %s\n\n", runtime.GOOS, runtime.GOARCH,
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), time.Now().UTC().Format("2006-01-02 15:04 MST"))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tstore\tchanges\tchanges/s\tp50 µs\tp99 µs\tp99.9 µs\tpaced p99 µs\tallocs/chg\tB/elem\tboot elem/s\tfloor chg/s\tengine/floor\tre-run chg/s\tincr/re-run\tverified\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.0f\t%.0f\t%.0f\t%.2f\t%.0f\t%.0f×\t%s\t\n",
			r.Scenario, r.Store, r.Changes, r.ChangesPerSec, r.P50Micros, r.P99Micros, r.P999Micros, r.PacedP99Micros,
			r.AllocsPerChange, r.BytesPerElement, r.BootstrapElementsPerSec, r.FloorChangesPerSec, r.EngineFloorRatio,
			r.RerunChangesPerSec, r.IncrementalRerunRatio, r.Verified)
	}
	tw.Flush()
	for _, r := range results {
		if len(r.ManyQueries) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%d changes each, best of %d interleaved rounds):\n", r.Scenario, r.Changes, 5)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "queries\ttouched\tchanges/s\tratio to 1 query\tregister ms\t")
		for _, p := range r.ManyQueries {
			fmt.Fprintf(tw, "%d\t%d\t%.0f\t%.2f\t%.0f\t\n", p.Queries, p.Touched, p.ChangesPerSec, p.Ratio, p.RegisterMillis)
		}
		tw.Flush()
	}
}

// runBootstrapBench runs the bootstrap_large scenario and prints its result.
func runBootstrapBench(elements int, seed int64, asJSON bool, stdout, stderr io.Writer) int {
	if !asJSON {
		fmt.Fprintf(stderr, "running %s (%d elements)...\n", bench.BootstrapName, elements)
	}
	r, err := bench.RunBootstrap(elements, seed)
	if err != nil {
		fmt.Fprintf(stderr, "vigil bench: %s: %v\n", bench.BootstrapName, err)
		return 1
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(r)
	} else {
		fmt.Fprintf(stdout, "%s: %d elements (%d agents, %d sessions, %d calls, and their relationships)\n", bench.BootstrapName, r.Elements, r.Agents, r.Sessions, r.Calls)
		fmt.Fprintf(stdout, "  bootstrap %.1f s (%.0f elements/s), %.0f bytes/element live heap, peak RSS %.0f MiB, store %.0f MiB\n", r.Seconds, r.ElementsPerSec, r.BytesPerElement, r.PeakRSSMB, r.StoreMB)
		fmt.Fprintf(stdout, "  snapshot %.1f s, restart %.1f s (%d changes replayed after the snapshot), verified %s\n", r.SnapshotSeconds, r.RestartSeconds, r.Replayed, r.Verified)
	}
	if r.Verified != "ok" {
		fmt.Fprintf(stderr, "vigil bench: %s: %s\n", bench.BootstrapName, r.Verified)
		return 1
	}
	return 0
}
