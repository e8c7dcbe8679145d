package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"

	"github.com/vigilhq/vigil/cmd/vigil/internal/conformance"
	"github.com/vigilhq/vigil/engine"
)

// runTest implements `vigil test [flags] PATH...`: it runs every conformance
// scenario in each PATH (a scenario file, or a folder of *.yaml files),
// prints one PASS/FAIL/SKIP line per scenario and closes with the counts.
// It returns 1 if any scenario failed (or a file did not load): there is
// no list of known failures, every scenario must pass. It returns 2 on a
// usage error or a PATH without scenarios, 0 otherwise.
func runTest(args []string) int {
	return testMain(args, os.Stdout, os.Stderr)
}

func testMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("vigil test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	verbose := fs.Bool("v", false, "print every step's net diff")
	runPat := fs.String("run", "", "run only scenarios whose name or file matches this regular expression")
	lang := fs.String("language", "", "run only scenarios in this query language (cypher or gql)")
	skipTemporal := fs.Bool("skip-temporal", false, "skip scenarios whose query uses drasi.* temporal functions")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: vigil test [-v] [-run REGEX] [-language cypher|gql] [-skip-temporal] PATH...")
		fs.PrintDefaults()
	}
	// Flags may come before or after the paths.
	var paths []string
	for rest := args; ; {
		if code, ok := parseFlags(fs, rest); !ok {
			return code
		}
		if fs.NArg() == 0 {
			break
		}
		paths = append(paths, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(paths) == 0 {
		fs.Usage()
		return 2
	}
	var re *regexp.Regexp
	if *runPat != "" {
		var err error
		if re, err = regexp.Compile(*runPat); err != nil {
			fmt.Fprintf(stderr, "vigil test: -run: %v\n", err)
			return 2
		}
	}
	if *lang != "" {
		canon, err := engine.ParseLanguage(*lang)
		if err != nil {
			fmt.Fprintf(stderr, "vigil test: -language must be cypher or gql, not %q\n", *lang)
			return 2
		}
		*lang = canon
	}

	var files []string
	for _, p := range paths {
		fl, err := conformance.Files(p)
		if err != nil {
			fmt.Fprintf(stderr, "vigil test: %v\n", err)
			return 2
		}
		if len(fl) == 0 {
			fmt.Fprintf(stderr, "vigil test: no scenario files (*.yaml) in %s\n", p)
			return 2
		}
		files = append(files, fl...)
	}

	passed, failed, skipped := 0, 0, 0
	for _, f := range files {
		s, err := conformance.LoadFile(f)
		if err != nil {
			if re != nil && !re.MatchString(f) {
				continue
			}
			fmt.Fprintf(stdout, "FAIL %s (%s): %v\n", filepath.Base(f), f, err)
			failed++
			continue
		}
		if re != nil && !re.MatchString(s.Name) && !re.MatchString(f) {
			continue
		}
		if *lang != "" && s.Language != *lang {
			continue
		}
		if *skipTemporal && s.UsesTemporal() {
			fmt.Fprintf(stdout, "SKIP %s (%s): temporal functions\n", s.Name, f)
			skipped++
			continue
		}
		opts := conformance.RunOptions{}
		if *verbose {
			fmt.Fprintf(stdout, "RUN  %s (%s)\n", s.Name, f)
			opts.Log = stdout
		}
		out := s.Run(opts)
		if out.Passed {
			fmt.Fprintf(stdout, "PASS %s (%s)\n", s.Name, f)
			passed++
		} else {
			fmt.Fprintf(stdout, "FAIL %s (%s): %s\n", s.Name, f, out.Failure)
			failed++
		}
	}
	if *skipTemporal {
		fmt.Fprintf(stdout, "%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	} else {
		fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	}
	if failed > 0 {
		return 1
	}
	return 0
}
