package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/vigilhq/vigil/cmd/vigil/internal/tck"
)

// runTCK runs `vigil tck [-v] [-q] [-run REGEX] [-strict] [-baseline FILE]
// [-list-failures FILE] DIR...`: every openCypher TCK feature file under the
// given folders (or files), each scenario against a fresh engine. It prints
// one summary line per feature (none with -q) and a final total.
//
// The exit code is 2 on a usage error. With -baseline it is 1 when a
// scenario fails that the baseline does not list, or when a listed scenario
// no longer fails (it must then be removed from the list), naming each;
// with -strict (and no -baseline) it is 1 when any scenario failed;
// otherwise it is 0 for a completed run.
func runTCK(args []string) int {
	fs := flag.NewFlagSet("tck", flag.ContinueOnError)
	verbose := fs.Bool("v", false, "print each failing and skipped scenario with its reason")
	run := fs.String("run", "", "only run scenarios whose \"feature / scenario\" name matches this regular expression")
	strict := fs.Bool("strict", false, "exit with status 1 if any scenario failed (without -baseline)")
	baselinePath := fs.String("baseline", "", "file listing the scenarios known to fail: exit with status 1 if another scenario fails or a listed one no longer fails")
	quiet := fs.Bool("q", false, "print only the total, and what does not match the baseline")
	listFailures := fs.String("list-failures", "", "write a markdown list of the failing and skipped scenarios to this file")
	timeout := fs.Duration("timeout", 10*time.Second, "time limit of one scenario")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: vigil tck [flags] FEATURES_DIR...")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	var baseline *tck.Baseline
	if *baselinePath != "" {
		b, err := tck.ReadBaseline(*baselinePath)
		if err != nil {
			fmt.Fprintf(os.Stderr, "vigil tck: -baseline: %v\n", err)
			return 2
		}
		baseline = b
	}
	opts := tck.Options{Timeout: *timeout}
	if *run != "" {
		re, err := regexp.Compile(*run)
		if err != nil {
			fmt.Fprintf(os.Stderr, "vigil tck: -run: %v\n", err)
			return 2
		}
		opts.Filter = re
	}
	var files []string
	for _, dir := range fs.Args() {
		fl, err := tck.FindFeatures(dir)
		if err != nil {
			fmt.Fprintf(os.Stderr, "vigil tck: %v\n", err)
			return 2
		}
		files = append(files, fl...)
	}
	if len(files) == 0 {
		fmt.Fprintln(os.Stderr, "vigil tck: no .feature files found")
		return 2
	}
	var total [3]int
	var failures, all []tck.Result
	out := os.Stdout
	for _, path := range files {
		f, err := tck.ReadFeatureFile(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "vigil tck: %v\n", err)
			r := tck.Result{Feature: path, Path: path, Scenario: "(whole file)", Outcome: tck.Failed, Reason: err.Error()}
			total[tck.Failed]++
			failures = append(failures, r)
			all = append(all, r)
			continue
		}
		results := tck.RunFeature(f, opts)
		if len(results) == 0 {
			continue
		}
		all = append(all, results...)
		var n [3]int
		for _, r := range results {
			n[r.Outcome]++
			total[r.Outcome]++
			if r.Outcome != tck.Passed {
				failures = append(failures, r)
			}
		}
		if *quiet {
			continue
		}
		fmt.Fprintf(out, "%s: %d passed, %d failed, %d skipped\n", f.Name, n[tck.Passed], n[tck.Failed], n[tck.Skipped])
		if *verbose {
			for _, r := range results {
				if r.Outcome == tck.Passed {
					continue
				}
				known := ""
				if baseline != nil && r.Outcome == tck.Failed && baseline.Has(r.Key()) {
					known = " [known: in " + *baselinePath + "]"
				}
				fmt.Fprintf(out, "  %s: %s (%s:%d)%s\n", strings.ToUpper(r.Outcome.String()), r.Scenario, r.Path, r.Line, known)
				fmt.Fprintf(out, "    %s\n", strings.ReplaceAll(r.Reason, "\n", "\n    "))
			}
		}
	}
	fmt.Fprintf(out, "%d passed, %d failed, %d skipped\n", total[tck.Passed], total[tck.Failed], total[tck.Skipped])
	if *listFailures != "" {
		if err := writeFailureList(*listFailures, failures); err != nil {
			fmt.Fprintf(os.Stderr, "vigil tck: %v\n", err)
			return 2
		}
	}
	if baseline != nil {
		cmp := baseline.Compare(all, opts.Filter == nil)
		cmp.Report(out, *baselinePath)
		if !cmp.OK() {
			return 1
		}
		return 0
	}
	if *strict && total[tck.Failed] > 0 {
		return 1
	}
	return 0
}

// writeFailureList writes the failing and the skipped scenarios as two
// markdown lists: feature, scenario and the first line of the reason.
func writeFailureList(path string, failures []tck.Result) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := writeFailures(f, failures); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeFailures(w io.Writer, results []tck.Result) error {
	for _, o := range []tck.Outcome{tck.Failed, tck.Skipped} {
		var list []tck.Result
		for _, r := range results {
			if r.Outcome == o {
				list = append(list, r)
			}
		}
		title := map[tck.Outcome]string{tck.Failed: "Failing", tck.Skipped: "Skipped"}[o]
		if _, err := fmt.Fprintf(w, "### %s (%d)\n\n", title, len(list)); err != nil {
			return err
		}
		if err := writeResultList(w, list); err != nil {
			return err
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
	}
	return nil
}

func writeResultList(w io.Writer, failures []tck.Result) error {
	if len(failures) == 0 {
		_, err := fmt.Fprintln(w, "None.")
		return err
	}
	for _, r := range failures {
		reason, _, _ := strings.Cut(r.Reason, "\n")
		if r := []rune(reason); len(r) > 300 {
			reason = string(r[:300]) + "…"
		}
		reason = strings.ReplaceAll(reason, "`", "'")
		if _, err := fmt.Fprintf(w, "- **%s** — %s: `%s`\n", r.Feature, r.Scenario, reason); err != nil {
			return err
		}
	}
	return nil
}
