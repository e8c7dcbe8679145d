package drasicorpus

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// updateDoc regenerates the generated parts of docs/drasi.md (the counts
// and the table of every query) from the corpus and the run's results:
//
//	go test ./cmd/vigil/internal/drasicorpus -run TestCorpus -update-doc
//
// The prose around them (the differences and gaps, by class) is written by
// hand; the tables link each entry to its class by finding the entry's id
// under the class's heading.
var updateDoc = flag.Bool("update-doc", false, "rewrite the counts and tables of docs/drasi.md")

const (
	countsBegin = "<!-- counts:begin (generated: go test ./cmd/vigil/internal/drasicorpus -run TestCorpus -update-doc) -->"
	countsEnd   = "<!-- counts:end -->"
	tableBegin  = "<!-- queries:begin (generated: go test ./cmd/vigil/internal/drasicorpus -run TestCorpus -update-doc) -->"
	tableEnd    = "<!-- queries:end -->"
)

// docGroups orders the corpus files in the table by where they came from.
var docGroups = []struct {
	title string
	match func(file string) bool
}{
	{"drasi-core shared tests (`shared-tests/`, expected results in the tests)", func(f string) bool {
		return strings.HasPrefix(f, "core-") && !strings.HasPrefix(f, "core-docs-") && f != "core-query-perf.yaml"
	}},
	{"drasi-core benchmark and documentation (`query-perf/`, READMEs, examples)", func(f string) bool {
		return strings.HasPrefix(f, "core-docs-") || f == "core-query-perf.yaml"
	}},
	{"Drasi documentation site (drasi-project/docs)", func(f string) bool { return strings.HasPrefix(f, "docs-") }},
	{"Tutorials and sample applications (drasi-project/learning)", func(f string) bool { return strings.HasPrefix(f, "learning-") }},
	{"Platform e2e tests, CLI and SDK examples (drasi-project/drasi-platform)", func(f string) bool { return strings.HasPrefix(f, "platform-") }},
}

var (
	classHeading = regexp.MustCompile(`^### ([DG][0-9]+[a-z]?)\s*$`)
	backticked   = regexp.MustCompile("`([a-z0-9-]+)`")
)

// docClasses maps each entry id to the class (D1, G2a, ...) under whose
// heading the hand-written part of the doc names it.
func docClasses(doc string) map[string]string {
	classes := map[string]string{}
	cur := ""
	for _, line := range strings.Split(doc, "\n") {
		if m := classHeading.FindStringSubmatch(line); m != nil {
			cur = m[1]
			continue
		}
		if strings.HasPrefix(line, "## ") || strings.HasPrefix(line, "### ") {
			cur = ""
			continue
		}
		if cur == "" || !(strings.HasPrefix(line, "- `") || strings.HasPrefix(line, "Shown by:")) {
			continue
		}
		for _, m := range backticked.FindAllStringSubmatch(line, -1) {
			if _, ok := classes[m[1]]; !ok {
				classes[m[1]] = cur
			}
		}
	}
	return classes
}

func cell(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "|", `\|`)
}

// shortOrigin drops the repository from an entry's origin.
func shortOrigin(o string) string {
	if _, rest, ok := strings.Cut(o, " "); ok {
		return cell(rest)
	}
	return cell(o)
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func classLink(c string) string {
	return fmt.Sprintf("[%s](#%s)", c, strings.ToLower(c))
}

func entryStatus(e *entry, r result, classes map[string]string) string {
	var parts []string
	switch r.Status {
	case statusGap:
		s := "**gap** (" + classLink(classes[e.ID]) + ")"
		if e.Error != "" {
			s += ": does not compile"
		} else {
			s += ": a scenario fails"
		}
		parts = append(parts, s)
	case statusRefused:
		parts = append(parts, "refused by both: "+cell(e.Refused))
	case statusDiffers:
		var codes []string
		if c, ok := classes[e.ID]; ok {
			codes = append(codes, classLink(c))
		}
		if len(e.DrasiColumns) > 0 && classes[e.ID] != "D1" {
			codes = append(codes, classLink("D1"))
		}
		parts = append(parts, "differs on purpose: "+strings.Join(codes, ", "))
	default:
		if r.Scenarios > 0 {
			parts = append(parts, "runs the same ("+plural(r.Passed, "scenario")+")")
		} else {
			parts = append(parts, "compiles (no data to check)")
		}
	}
	if r.Status != statusSame && r.Compiles && r.Passed > 0 {
		parts = append(parts, plural(r.Passed, "scenario")+" pass")
	}
	if e.Middleware != "" {
		parts = append(parts, "behind middleware: "+cell(e.Middleware))
	}
	return strings.Join(parts, "; ")
}

// writeDoc rewrites the generated parts of docs/drasi.md.
func writeDoc(files []string, corpus map[string]*corpusFile, results map[string]result) error {
	data, err := os.ReadFile(docFile)
	if err != nil {
		return err
	}
	doc := string(data)
	classes := docClasses(doc)
	for _, f := range files {
		for _, e := range corpus[f].Queries {
			r := results[e.ID]
			if (r.Status == statusGap || (r.Status == statusDiffers && len(e.DrasiColumns) == 0)) && classes[e.ID] == "" {
				return fmt.Errorf("%s is a %s but no class of docs/drasi.md names it", e.ID, r.Status)
			}
		}
	}

	var (
		n                                         = map[string]int{}
		compiled, scenarios, passed, withScenario int
		middleware, columns, otherDiffs, gapComp  int
	)
	for _, f := range files {
		for _, e := range corpus[f].Queries {
			r := results[e.ID]
			n[r.Status]++
			if r.Status == statusSame && r.Scenarios > 0 {
				n["checked"]++
			}
			if r.Compiles {
				compiled++
			}
			scenarios += r.Scenarios
			passed += r.Passed
			if len(e.Scenarios) > 0 {
				withScenario++
			}
			if e.Middleware != "" {
				middleware++
			}
			if len(e.DrasiColumns) > 0 {
				columns++
			}
			if r.Status == statusDiffers && classes[e.ID] != "" && classes[e.ID] != "D1" {
				otherDiffs++
			}
			if r.Status == statusGap && e.Error != "" {
				gapComp++
			}
		}
	}
	var c strings.Builder
	fmt.Fprintf(&c, "%s\n| | queries |\n|---|---|\n", countsBegin)
	fmt.Fprintf(&c, "| found | %d (in %d corpus files) |\n", len(results), len(files))
	fmt.Fprintf(&c, "| compile on Vigil | %d |\n", compiled)
	fmt.Fprintf(&c, "| run the same, checked by scenarios | %d |\n", n["checked"])
	fmt.Fprintf(&c, "| run the same as far as can be told: compile, the source gives no data | %d |\n", n[statusSame]-n["checked"])
	fmt.Fprintf(&c, "| refused by both (the source shows them as invalid or wrong) | %d |\n", n[statusRefused])
	fmt.Fprintf(&c, "| differ on purpose | %d: %d name their columns differently (D1), %d differ otherwise (D2–D8) |\n",
		n[statusDiffers], columns, otherDiffs)
	fmt.Fprintf(&c, "| gaps | %d (%d do not compile, %d compile but a scenario fails) |\n", n[statusGap], gapComp, n[statusGap]-gapComp)
	fmt.Fprintf(&c, "| sit behind Drasi middleware (the scenarios feed what the middleware emits) | %d |\n\n", middleware)
	fmt.Fprintf(&c, "Scenarios: %d in %d entries; %d pass as written for Vigil, the others are marked: "+
		"written with Drasi's results where Vigil differs on purpose, or showing a gap.\n%s", scenarios, withScenario, passed, countsEnd)

	var t strings.Builder
	t.WriteString(tableBegin + "\n")
	for _, g := range docGroups {
		fmt.Fprintf(&t, "### %s\n\n", g.title)
		for _, f := range files {
			base := filepath.Base(f)
			if !g.match(base) {
				continue
			}
			cf := corpus[f]
			fmt.Fprintf(&t, "#### %s\n\n`testdata/drasi/%s`, from %s\n\n", cell(cf.Document), base, cell(cf.Origin))
			t.WriteString("| query | origin | status |\n|---|---|---|\n")
			for i := range cf.Queries {
				e := &cf.Queries[i]
				fmt.Fprintf(&t, "| `%s` | %s | %s |\n", e.ID, shortOrigin(e.Origin), entryStatus(e, results[e.ID], classes))
			}
			t.WriteString("\n")
		}
	}
	t.WriteString(tableEnd)

	var ok1, ok2 bool
	doc, ok1 = splice(doc, countsBegin, countsEnd, c.String())
	doc, ok2 = splice(doc, tableBegin, tableEnd, t.String())
	if !ok1 || !ok2 {
		return fmt.Errorf("docs/drasi.md lacks the markers of its generated parts")
	}
	return os.WriteFile(docFile, []byte(doc), 0o644)
}

// splice replaces the text from begin to end (both included) with repl.
func splice(doc, begin, end, repl string) (string, bool) {
	i := strings.Index(doc, begin)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		return doc, false
	}
	return doc[:i] + repl + doc[j+len(end):], true
}
