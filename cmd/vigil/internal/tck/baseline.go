package tck

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// Key names a scenario in a baseline and on the command line: "feature name
// / scenario name", the string `vigil tck -run` matches.
func (r Result) Key() string { return r.Feature + " / " + r.Scenario }

// Baseline is the checked-in list of the scenarios known to fail, each with
// the reason it fails.
//
// The file holds one scenario key (Result.Key) per line. Lines starting
// with "#" are comments and blank lines separate entries. Every key needs a
// reason: the comment lines directly above it, or above the run of keys it
// belongs to (keys on consecutive lines share the comment above the first).
// A comment block followed by a blank line (a header) is no key's reason.
type Baseline struct {
	Path   string            // file it was read from, for messages
	Keys   []string          // in file order
	Reason map[string]string // key -> reason (comment lines joined by spaces)
}

// ReadBaseline reads a baseline file.
func ReadBaseline(path string) (*Baseline, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseBaseline(path, f)
}

// ParseBaseline reads a baseline from r; path only names it in messages.
// A key without a reason comment, or listed twice, is an error.
func ParseBaseline(path string, r io.Reader) (*Baseline, error) {
	b := &Baseline{Path: path, Reason: map[string]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var comment []string // the current comment block
	afterKey := false    // the previous line was a key
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			comment, afterKey = nil, false
		case strings.HasPrefix(line, "#"):
			if afterKey {
				comment, afterKey = nil, false
			}
			comment = append(comment, strings.TrimSpace(strings.TrimPrefix(line, "#")))
		default:
			if _, dup := b.Reason[line]; dup {
				return nil, fmt.Errorf("%s:%d: %q is listed twice", path, n, line)
			}
			reason := strings.TrimSpace(strings.Join(comment, " "))
			if reason == "" {
				return nil, fmt.Errorf("%s:%d: %q has no reason: put a comment saying why it fails on the line above it", path, n, line)
			}
			b.Keys = append(b.Keys, line)
			b.Reason[line] = reason
			afterKey = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// Has reports whether key is listed.
func (b *Baseline) Has(key string) bool {
	_, ok := b.Reason[key]
	return ok
}

// Comparison is a run's results against a baseline.
type Comparison struct {
	New     []Result // failed and not listed: regressions
	Known   []Result // failed and listed
	Fixed   []Result // listed, but passed (or was skipped): to remove from the list
	Missing []string // listed, but no scenario of the run has that key
}

// Compare sorts the failures of results by the baseline. Missing is only
// filled when complete is set (the run covered the whole suite, no -run
// filter), since a partial run leaves most listed scenarios out.
func (b *Baseline) Compare(results []Result, complete bool) Comparison {
	var c Comparison
	seen := map[string]bool{}
	for _, r := range results {
		k := r.Key()
		seen[k] = true
		listed := b.Has(k)
		switch {
		case r.Outcome == Failed && listed:
			c.Known = append(c.Known, r)
		case r.Outcome == Failed:
			c.New = append(c.New, r)
		case listed:
			c.Fixed = append(c.Fixed, r)
		}
	}
	if complete {
		for _, k := range b.Keys {
			if !seen[k] {
				c.Missing = append(c.Missing, k)
			}
		}
	}
	return c
}

// OK reports whether the run matches the baseline: no new failure, and
// every listed scenario still fails.
func (c Comparison) OK() bool {
	return len(c.New) == 0 && len(c.Fixed) == 0 && len(c.Missing) == 0
}

// Report writes what does not match the baseline (one line per scenario,
// with the first line of the failure's reason) and a closing verdict line.
func (c Comparison) Report(w io.Writer, baselinePath string) error {
	var err error
	p := func(format string, args ...any) {
		if err == nil {
			_, err = fmt.Fprintf(w, format, args...)
		}
	}
	for _, r := range c.New {
		p("FAIL (not in %s) %s (%s:%d)\n    %s\n", baselinePath, r.Key(), r.Path, r.Line, firstReasonLine(r.Reason))
	}
	for _, r := range c.Fixed {
		p("%s (listed in %s) %s: remove it from %s\n", strings.ToUpper(r.Outcome.String()), baselinePath, r.Key(), baselinePath)
	}
	for _, k := range c.Missing {
		p("NOT FOUND (listed in %s) %s: no scenario has this name any more; remove it from %s\n", baselinePath, k, baselinePath)
	}
	if c.OK() {
		p("baseline %s: OK: no new failure, %d known %s\n", baselinePath, len(c.Known), plural(len(c.Known), "failure", "failures"))
		return err
	}
	var parts []string
	if n := len(c.New); n > 0 {
		parts = append(parts, fmt.Sprintf("%d failing %s not in %s", n, plural(n, "scenario", "scenarios"), baselinePath))
	}
	if n := len(c.Fixed) + len(c.Missing); n > 0 {
		parts = append(parts, fmt.Sprintf("%d listed %s no longer failing: remove %s from %s", n, plural(n, "scenario", "scenarios"), plural(n, "it", "them"), baselinePath))
	}
	p("baseline %s: %s\n", baselinePath, strings.Join(parts, "; "))
	return err
}

func firstReasonLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
