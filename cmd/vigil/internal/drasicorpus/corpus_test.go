// Package drasicorpus checks that Drasi's published continuous queries run on
// Vigil. The corpus (testdata/drasi/*.yaml, one file per Drasi document, test
// suite or sample application) holds every query found in Drasi's
// documentation, tutorials, sample applications, component READMEs and
// drasi-core's shared tests, with where it came from and, where the source
// gives data and expected results, scenarios in the conformance format
// (../shared/conformance/README.md) that check results, not just compilation.
// docs/drasi.md lists every entry with its status.
//
// An entry is in one of these states:
//
//   - no mark: it must compile, and every scenario must pass;
//   - refused: reason — the source itself shows the query as invalid (Drasi
//     refuses it too); it must fail to compile with exactly `error`;
//   - differs: reason — Vigil differs from Drasi on purpose. With `error` it
//     must fail to compile with exactly that error; otherwise it compiles.
//     A scenario may be marked differs too: it is written with Drasi's
//     results and must fail, while the unmarked ones (Vigil's results) pass;
//   - gap: description — something the engine does not do yet. With `error`
//     it must fail to compile with exactly that error (its scenarios wait
//     until it compiles); a scenario marked gap must fail. When a gap starts
//     passing, or its error changes, this test fails, so that the mark and
//     docs/drasi.md stay current.
//
// `go test -run TestCorpus -update-doc` rewrites the counts and the table of
// every query in docs/drasi.md from the run (doc_test.go);
// DRASI_CORPUS_STATUS=FILE has TestCorpus write every entry's status as JSON.
package drasicorpus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/vigilhq/vigil/cmd/vigil/internal/conformance"
	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
)

const (
	corpusDir = "../../../../testdata/drasi"
	docFile   = "../../../../docs/drasi.md"
)

// corpusFile is one file of the corpus: the queries of one Drasi document.
type corpusFile struct {
	Document string  `yaml:"document"` // what the source document is
	Origin   string  `yaml:"origin"`   // repository@commit and path
	Queries  []entry `yaml:"queries"`
}

// entry is one Drasi query.
type entry struct {
	ID       string `yaml:"id"`
	Origin   string `yaml:"origin"`   // repository path (and line or name) of the query text
	Language string `yaml:"language"` // cypher (default) or gql
	Text     string `yaml:"text"`
	Joins    []join `yaml:"joins"` // the resource's sources.joins
	// Params are the query's $parameters.
	Params map[string]any `yaml:"params"`
	// Middleware names the Drasi middleware the source applies before the
	// query (not reproduced: scenarios feed what the middleware emits).
	Middleware string `yaml:"middleware"`
	// DrasiColumns are the column names Drasi gives the result where they
	// differ from Vigil's: Drasi names an unaliased property item after
	// its key (RETURN o.id gives "id"), openCypher after its text ("o.id").
	DrasiColumns []string   `yaml:"drasiColumns"`
	Note         string     `yaml:"note"`
	Refused      string     `yaml:"refused"`
	Differs      string     `yaml:"differs"`
	Gap          string     `yaml:"gap"`
	Error        string     `yaml:"error"` // the exact compile error of an entry that must not compile
	Scenarios    []scenario `yaml:"scenarios"`
}

type join struct {
	ID   string `yaml:"id"`
	Keys []struct {
		Label    string `yaml:"label"`
		Property string `yaml:"property"`
	} `yaml:"keys"`
}

// scenario is a conformance scenario without its query (the entry's), plus
// the marks of an entry.
type scenario struct {
	Name    string    `yaml:"name"`
	Start   string    `yaml:"start"`
	Steps   yaml.Node `yaml:"steps"`
	Note    string    `yaml:"note"`
	Differs string    `yaml:"differs"`
	Gap     string    `yaml:"gap"`
	// Elements: "properties" compares node and relation values in results
	// as their property maps (how Drasi's results serialize an element,
	// less its $metadata); the conformance format has no element values.
	Elements string `yaml:"elements"`
}

// The statuses of an entry.
const (
	statusSame    = "same"    // compiles; every scenario passes
	statusRefused = "refused" // invalid in the source; refused by both
	statusDiffers = "differs" // differs on purpose
	statusGap     = "gap"     // the engine does not do it yet
)

// result is what the run found for one entry.
type result struct {
	ID        string   `json:"id"`
	File      string   `json:"file"`
	Status    string   `json:"status"`
	Compiles  bool     `json:"compiles"`
	Error     string   `json:"error,omitempty"`
	Scenarios int      `json:"scenarios"`
	Passed    int      `json:"passed"`
	Marked    []string `json:"marked,omitempty"` // failures of scenarios marked gap or differs
}

// loadCorpus reads every corpus file, strictly (an unknown field is an error).
func loadCorpus(t *testing.T) (files []string, corpus map[string]*corpusFile) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no corpus files in %s", corpusDir)
	}
	sort.Strings(files)
	corpus = map[string]*corpusFile{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cf corpusFile
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&cf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		corpus[f] = &cf
	}
	return files, corpus
}

func (e *entry) spec() (engine.QuerySpec, error) {
	spec := engine.QuerySpec{ID: e.ID, Text: e.Text, Language: e.Language}
	for _, j := range e.Joins {
		ej := engine.Join{ID: j.ID}
		for _, k := range j.Keys {
			ej.Keys = append(ej.Keys, engine.JoinKey{Label: k.Label, Property: k.Property})
		}
		spec.Joins = append(spec.Joins, ej)
	}
	if len(e.Params) > 0 {
		spec.Params = map[string]value.Value{}
		for k, v := range e.Params {
			pv, err := value.FromGo(v)
			if err != nil {
				return spec, fmt.Errorf("param %s: %v", k, err)
			}
			spec.Params[k] = pv
		}
	}
	return spec, nil
}

// scenarioYAML renders a corpus scenario as a conformance scenario file.
func (e *entry) scenarioYAML(s *scenario) ([]byte, error) {
	type query struct {
		Language string `yaml:"language,omitempty"`
		Text     string `yaml:"text"`
		Joins    []join `yaml:"joins,omitempty"`
	}
	lang := e.Language
	if lang == "" {
		lang = "cypher"
	}
	doc := struct {
		Name  string     `yaml:"name"`
		Query query      `yaml:"query"`
		Start string     `yaml:"start"`
		Steps *yaml.Node `yaml:"steps"`
	}{s.Name, query{lang, e.Text, e.Joins}, s.Start, resolveAliases(&s.Steps)}
	return yaml.Marshal(doc)
}

// resolveAliases returns a copy of n with every alias replaced by a copy of
// what it names (and no anchors), so that a scenario that reuses steps or
// changes from another (`*name`) can be written out on its own.
func resolveAliases(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		return resolveAliases(n.Alias)
	}
	c := *n
	c.Anchor = ""
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, k := range n.Content {
		c.Content[i] = resolveAliases(k)
	}
	return &c
}

// TestCorpus registers every corpus query with the engine and runs every
// scenario; see the package comment for what each mark expects.
func TestCorpus(t *testing.T) {
	files, corpus := loadCorpus(t)
	var (
		mu      sync.Mutex
		results []result
	)
	ids := map[string]string{}
	for _, f := range files {
		cf := corpus[f]
		base := strings.TrimSuffix(filepath.Base(f), ".yaml")
		if cf.Document == "" || cf.Origin == "" {
			t.Errorf("%s: document and origin are required", f)
		}
		for i := range cf.Queries {
			e := &cf.Queries[i]
			if e.ID == "" {
				t.Errorf("%s: query %d has no id", f, i+1)
				continue
			}
			if prev, dup := ids[e.ID]; dup {
				t.Errorf("%s: id %s already used in %s", f, e.ID, prev)
			}
			ids[e.ID] = f
			t.Run(base+"/"+e.ID, func(t *testing.T) {
				r := runEntry(t, e)
				r.File = filepath.Base(f)
				mu.Lock()
				results = append(results, r)
				mu.Unlock()
			})
		}
	}
	var (
		byStatus                                  = map[string]int{}
		compiled, scenarios, passed, withScenario int
		middleware                                int
	)
	for _, r := range results {
		byStatus[r.Status]++
		if r.Compiles {
			compiled++
		}
		scenarios += r.Scenarios
		passed += r.Passed
	}
	for _, f := range files {
		for _, e := range corpus[f].Queries {
			if len(e.Scenarios) > 0 {
				withScenario++
			}
			if e.Middleware != "" {
				middleware++
			}
		}
	}
	t.Logf("drasi corpus: %d queries in %d files: %d compile, %d/%d scenarios pass (%d queries have scenarios); "+
		"%d run the same, %d are refused by both, %d differ on purpose, %d are gaps; %d sit behind Drasi middleware",
		len(results), len(files), compiled, passed, scenarios, withScenario,
		byStatus[statusSame], byStatus[statusRefused], byStatus[statusDiffers], byStatus[statusGap], middleware)
	if *updateDoc {
		byID := map[string]result{}
		for _, r := range results {
			byID[r.ID] = r
		}
		if len(byID) != len(ids) {
			t.Fatal("-update-doc needs a run of every entry")
		}
		if err := writeDoc(files, corpus, byID); err != nil {
			t.Fatal(err)
		}
	}
	if path := os.Getenv("DRASI_CORPUS_STATUS"); path != "" {
		sort.Slice(results, func(i, j int) bool { return results[i].ID < results[j].ID })
		data, err := json.MarshalIndent(results, "", " ")
		if err == nil {
			err = os.WriteFile(path, data, 0o644)
		}
		if err != nil {
			t.Error(err)
		}
	}
}

// runEntry checks one entry against its marks and returns what it found.
func runEntry(t *testing.T, e *entry) (r result) {
	r = result{ID: e.ID, Status: statusSame}
	if e.Origin == "" || strings.TrimSpace(e.Text) == "" {
		t.Fatalf("%s: origin and text are required", e.ID)
	}
	marks := 0
	for _, m := range []string{e.Gap, e.Differs, e.Refused} {
		if m != "" {
			marks++
		}
	}
	if marks > 1 {
		t.Fatalf("%s: an entry is a gap, differs on purpose or is refused: one of them", e.ID)
	}
	switch {
	case e.Gap != "":
		r.Status = statusGap
	case e.Differs != "":
		r.Status = statusDiffers
	case e.Refused != "":
		r.Status = statusRefused
	}
	spec, err := e.spec()
	if err != nil {
		t.Fatal(err)
	}
	q, cerr := engine.New(engine.Options{}).AddQuery(spec)
	if cerr != nil {
		r.Error = cerr.Error()
	}
	if len(e.DrasiColumns) > 0 && cerr == nil {
		cols := q.Columns()
		if slices.Equal(cols, e.DrasiColumns) || len(cols) != len(e.DrasiColumns) {
			t.Errorf("%s: drasiColumns %q should name the same columns differently from Vigil's %q", e.ID, e.DrasiColumns, cols)
		}
		if r.Status == statusSame {
			r.Status = statusDiffers
		}
	}
	if e.Error != "" {
		if marks == 0 {
			t.Fatalf("%s: an expected compile error needs a gap, differs or refused reason", e.ID)
		}
		if len(e.Scenarios) > 0 && e.Gap == "" {
			// A gap may keep the scenarios that will check it once it
			// compiles; a query refused for good has nothing to run.
			t.Fatalf("%s: a query that must not compile has no scenarios (unless it is a gap)", e.ID)
		}
		switch {
		case cerr == nil && e.Gap != "":
			t.Fatalf("gap now compiles: %s (%s): remove its gap and error marks (corpus and docs/drasi.md)", e.ID, e.Gap)
		case cerr == nil:
			t.Fatalf("%s: expected to be refused (%s%s) with %q, but it compiles", e.ID, e.Differs, e.Refused, e.Error)
		case cerr.Error() != e.Error:
			t.Fatalf("%s: the compile error changed (update the corpus and docs/drasi.md):\n  corpus: %s\n  engine: %s",
				e.ID, e.Error, cerr.Error())
		}
		return r
	}
	if e.Refused != "" {
		t.Fatalf("%s: refused (%s) needs the error Vigil gives", e.ID, e.Refused)
	}
	if cerr != nil {
		t.Fatalf("%s does not compile: %v\n(a gap? mark it `gap:` with `error: %q`)", e.ID, cerr, cerr.Error())
	}
	r.Compiles = true
	marked := 0
	for i := range e.Scenarios {
		s := &e.Scenarios[i]
		if s.Gap != "" && s.Differs != "" {
			t.Errorf("%s scenario %q: a gap or differs, not both", e.ID, s.Name)
			continue
		}
		data, err := e.scenarioYAML(s)
		if err != nil {
			t.Errorf("%s scenario %q: %v", e.ID, s.Name, err)
			continue
		}
		sc, err := conformance.Parse(data)
		if err != nil {
			t.Errorf("%s scenario %q: %v", e.ID, s.Name, err)
			continue
		}
		r.Scenarios++
		var out conformance.Outcome
		switch s.Elements {
		case "":
			out = sc.Run(conformance.RunOptions{})
		case "properties":
			out = runElementsAsProperties(sc)
		default:
			t.Errorf("%s scenario %q: elements must be properties, not %q", e.ID, s.Name, s.Elements)
			continue
		}
		switch {
		case s.Gap != "" && out.Passed:
			t.Errorf("gap now passes: %s scenario %q (%s): remove its gap mark (corpus and docs/drasi.md)", e.ID, s.Name, s.Gap)
		case s.Gap != "":
			marked++
			r.Status = statusGap
			r.Marked = append(r.Marked, s.Name+": "+out.Failure)
			t.Logf("%s scenario %q: gap (%s): %s", e.ID, s.Name, s.Gap, out.Failure)
		case s.Differs != "" && out.Passed:
			t.Errorf("%s scenario %q: written with Drasi's results that Vigil differs from (%s), but it passes", e.ID, s.Name, s.Differs)
		case s.Differs != "":
			marked++
			if r.Status == statusSame {
				r.Status = statusDiffers
			}
			r.Marked = append(r.Marked, s.Name+": "+out.Failure)
			t.Logf("%s scenario %q: differs on purpose (%s): %s", e.ID, s.Name, s.Differs, out.Failure)
		case !out.Passed:
			t.Errorf("%s scenario %q: %s", e.ID, s.Name, out.Failure)
		default:
			r.Passed++
		}
	}
	if e.Gap != "" && marked == 0 {
		t.Errorf("%s: a gap that compiles needs a scenario marked gap that shows it", e.ID)
	}
	if e.Differs != "" && marked == 0 && len(e.DrasiColumns) == 0 {
		t.Errorf("%s: differs (%s) but compiles and no scenario shows the difference", e.ID, e.Differs)
	}
	return r
}

// runElementsAsProperties runs a scenario as conformance.Scenario.Run does,
// but compares every node and relation in the results (at any depth) as the
// map of its properties.
func runElementsAsProperties(sc *conformance.Scenario) (out conformance.Outcome) {
	out.Scenario = sc
	fail := func(format string, args ...any) conformance.Outcome {
		out.Failure = fmt.Sprintf(format, args...)
		if out.Step > 0 {
			out.Failure = fmt.Sprintf("step %d: %s", out.Step, out.Failure)
		}
		return out
	}
	defer func() {
		if r := recover(); r != nil {
			out.Panic = r
			out = fail("panic: %v", r)
		}
	}()
	e := engine.New(engine.Options{Start: sc.Start})
	q, err := e.AddQuery(engine.QuerySpec{ID: conformance.QueryID, Text: sc.Query, Language: sc.Language, Joins: sc.Joins})
	if err != nil {
		return fail("query: %v", err)
	}
	cols := q.Columns()
	own := func(acc, ds []engine.Diff) []engine.Diff {
		for _, d := range ds {
			if d.QueryID == conformance.QueryID {
				acc = append(acc, d)
			}
		}
		return acc
	}
	clock := sc.Start
	for i, st := range sc.Steps {
		out.Step = i + 1
		var diffs []engine.Diff
		if st.HasAt {
			clock = st.At
			ds, err := e.AdvanceTo(clock)
			if err != nil {
				return fail("advance: %v", err)
			}
			diffs = own(diffs, ds)
		}
		if len(st.Changes) > 0 {
			changes := make([]engine.Change, len(st.Changes))
			for j, c := range st.Changes {
				changes[j] = engine.Change{Op: c.Op, Element: c.Element, Time: clock}
			}
			ds, err := e.Apply(changes)
			if err != nil {
				return fail("apply: %v", err)
			}
			diffs = own(diffs, ds)
		}
		net := propsDiff(conformance.Combine(diffs...))
		if st.Expect != nil && !conformance.DiffMatches(st.Expect, net, cols) {
			return fail("expected %s, got %s", conformance.FormatExpected(st.Expect, cols), conformance.FormatDiff(net, cols))
		}
		if st.HasResult {
			res := propsRows(q.Results())
			if !conformance.ResultMatches(st.Result, res, cols) {
				return fail("expected result %s, got %s", conformance.FormatRows(st.Result, cols),
					conformance.FormatDiff(engine.Diff{Added: res}, cols))
			}
		}
	}
	out.Passed = true
	return out
}

func propsDiff(d engine.Diff) engine.Diff {
	d.Added, d.Deleted = propsRows(d.Added), propsRows(d.Deleted)
	up := make([]engine.Update, len(d.Updated))
	for i, u := range d.Updated {
		up[i] = engine.Update{Before: propsRow(u.Before), After: propsRow(u.After)}
	}
	d.Updated = up
	return d
}

func propsRows(rows []engine.Row) []engine.Row {
	out := make([]engine.Row, len(rows))
	for i, r := range rows {
		out[i] = propsRow(r)
	}
	return out
}

func propsRow(r engine.Row) engine.Row {
	out := make(engine.Row, len(r))
	for i, v := range r {
		out[i] = propsValue(v)
	}
	return out
}

// propsValue replaces nodes and relations by their property maps.
func propsValue(v value.Value) value.Value {
	switch v.Kind() {
	case value.KindNode:
		return propsValue(value.Map(v.AsNode().Props.Map()))
	case value.KindRel:
		return propsValue(value.Map(v.AsRel().Props.Map()))
	case value.KindList:
		l := v.AsList()
		out := make([]value.Value, len(l))
		for i, x := range l {
			out[i] = propsValue(x)
		}
		return value.List(out)
	case value.KindMap:
		m := make(map[string]value.Value, len(v.AsMap()))
		for k, x := range v.AsMap() {
			m[k] = propsValue(x)
		}
		return value.Map(m)
	}
	return v
}

// TestDocListsEveryQuery keeps docs/drasi.md in step with the corpus: every
// query id appears in it, and so does the exact compile error of every gap.
func TestDocListsEveryQuery(t *testing.T) {
	doc, err := os.ReadFile(docFile)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	files, corpus := loadCorpus(t)
	for _, f := range files {
		for _, e := range corpus[f].Queries {
			if !strings.Contains(text, "`"+e.ID+"`") {
				t.Errorf("docs/drasi.md does not list %s (%s)", e.ID, filepath.Base(f))
			}
			if e.Gap != "" && e.Error != "" && !strings.Contains(text, e.Error) {
				t.Errorf("docs/drasi.md does not give the error of gap %s: %s", e.ID, e.Error)
			}
		}
	}
}
