package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/tck"
)

// runTCK runs `vigil tck [-v] [-run REGEX] [-strict] [-list-failures FILE]
// DIR...`: every openCypher TCK feature file under the given folders (or
// files), each scenario against a fresh engine. It prints one summary line
// per feature and a final total; the exit code is 0 for a completed run
// unless -strict is set and a scenario failed.
func runTCK(args []string) int {
	fs := flag.NewFlagSet("tck", flag.ContinueOnError)
	verbose := fs.Bool("v", false, "print each failing and skipped scenario with its reason")
	run := fs.String("run", "", "only run scenarios whose \"feature / scenario\" name matches this regular expression")
	strict := fs.Bool("strict", false, "exit with status 1 if any scenario failed")
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
	var failures []tck.Result
	out := os.Stdout
	for _, path := range files {
		f, err := tck.ReadFeatureFile(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "vigil tck: %v\n", err)
			total[tck.Failed]++
			failures = append(failures, tck.Result{Feature: path, Scenario: "(whole file)", Outcome: tck.Failed, Reason: err.Error()})
			continue
		}
		results := tck.RunFeature(f, opts)
		if len(results) == 0 {
			continue
		}
		var n [3]int
		for _, r := range results {
			n[r.Outcome]++
			total[r.Outcome]++
			if r.Outcome != tck.Passed {
				failures = append(failures, r)
			}
		}
		fmt.Fprintf(out, "%s: %d passed, %d failed, %d skipped\n", f.Name, n[tck.Passed], n[tck.Failed], n[tck.Skipped])
		if *verbose {
			for _, r := range results {
				if r.Outcome == tck.Passed {
					continue
				}
				fmt.Fprintf(out, "  %s: %s (%s:%d)\n", strings.ToUpper(r.Outcome.String()), r.Scenario, r.Path, r.Line)
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
