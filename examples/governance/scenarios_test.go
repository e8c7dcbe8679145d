package governance

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/vigilhq/vigil/resources"
)

// The scenarios in testdata/governance run with `vigil test`, which takes
// a query's text from the scenario itself. A scenario file is named
// QUERY__CASE.yaml after the pack's query it tests; its query block must be
// that query's, with spec.params written in as literals (the scenario format
// has no parameters). Each Cypher scenario has a GQL twin,
// QUERY-gql__CASE.yaml, with the same steps.
//
// go test ./examples/governance -run Scenario -update rewrites the query
// blocks from the pack and the GQL twins from the Cypher scenarios.

var update = flag.Bool("update", false, "rewrite the scenarios' query blocks from the pack and the GQL twins from the Cypher scenarios")

const scenarioDir = "../../testdata/governance"

// queryBlock is the scenario's `query:` block for a pack query.
func queryBlock(r *resources.Resource) (string, error) {
	text, err := inlineParams(r.Query.Text, r.Query.Params)
	if err != nil {
		return "", fmt.Errorf("%s: %v", r.Name, err)
	}
	var b strings.Builder
	b.WriteString("query:\n")
	fmt.Fprintf(&b, "  language: %s\n", r.Query.Language)
	for i, j := range r.Query.Joins {
		if i == 0 {
			b.WriteString("  joins:\n")
		}
		fmt.Fprintf(&b, "    - id: %s\n      keys:\n", j.ID)
		for _, k := range j.Keys {
			fmt.Fprintf(&b, "        - {label: %s, property: %s}\n", k.Label, k.Property)
		}
	}
	b.WriteString("  text: |\n")
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if l == "" {
			b.WriteString("\n")
			continue
		}
		b.WriteString("    " + l + "\n")
	}
	return b.String(), nil
}

// splitScenario splits a scenario file into what comes before its `query:`
// block, the block, and what follows it (from the next top-level key).
func splitScenario(data string) (head, block, tail string, err error) {
	i := strings.Index(data, "\nquery:\n")
	if i < 0 {
		return "", "", "", fmt.Errorf("no top-level query: block")
	}
	head, rest := data[:i+1], data[i+1:]
	j := 0
	for _, l := range strings.SplitAfter(rest, "\n")[1:] {
		if l != "" && l[0] != ' ' && l[0] != '\n' {
			break
		}
		j += len(l)
	}
	n := len("query:\n") + j
	return head, rest[:n], rest[n:], nil
}

// TestScenarioQueriesMatchPack: every scenario tests a query of the pack
// with exactly its text (and parameters, and joins), and every pack query
// has scenarios, in both languages.
func TestScenarioQueriesMatchPack(t *testing.T) {
	pack := loadPack(t)
	files, err := filepath.Glob(filepath.Join(scenarioDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios in %s (%v)", scenarioDir, err)
	}
	if *update {
		for _, f := range files {
			base := filepath.Base(f)
			name, cse, ok := strings.Cut(strings.TrimSuffix(base, ".yaml"), "__")
			if !ok || strings.HasSuffix(name, "-gql") {
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			head, _, tail, err := splitScenario(string(data))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for _, n := range []string{name, name + "-gql"} {
				r := pack[n]
				if r == nil {
					t.Fatalf("%s: no query %s in the pack", f, n)
				}
				block, err := queryBlock(r)
				if err != nil {
					t.Fatal(err)
				}
				h := head
				if n != name {
					h = strings.Replace(head, "name: ", "name: (GQL) ", 1)
				}
				out := filepath.Join(scenarioDir, n+"__"+cse+".yaml")
				if err := os.WriteFile(out, []byte(h+block+tail), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		files, _ = filepath.Glob(filepath.Join(scenarioDir, "*.yaml"))
	}
	tested := map[string]int{}
	for _, f := range files {
		base := filepath.Base(f)
		name, cse, ok := strings.Cut(strings.TrimSuffix(base, ".yaml"), "__")
		if !ok {
			t.Errorf("%s: name it QUERY__CASE.yaml after the pack query it tests", f)
			continue
		}
		r := pack[name]
		if r == nil {
			t.Errorf("%s: no query %s in the pack", f, name)
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Query struct {
				Language string `yaml:"language"`
				Text     string `yaml:"text"`
			} `yaml:"query"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		want, err := inlineParams(r.Query.Text, r.Query.Params)
		if err != nil {
			t.Fatal(err)
		}
		if doc.Query.Text != want {
			t.Errorf("%s: the query text differs from %s in %s (run with -update):\n--- scenario\n%s\n--- pack\n%s", f, name, r.File, doc.Query.Text, want)
		}
		if !strings.EqualFold(doc.Query.Language, r.Query.Language) {
			t.Errorf("%s: language %s, %s is %s", f, doc.Query.Language, name, r.Query.Language)
		}
		block, err := queryBlock(r)
		if err != nil {
			t.Fatal(err)
		}
		_, got, tail, err := splitScenario(string(data))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if got != block {
			t.Errorf("%s: the query block (joins included) differs from %s's (run with -update):\n%s\nwant\n%s", f, name, got, block)
		}
		if c, isGQL := strings.CutSuffix(name, "-gql"); isGQL {
			cy, err := os.ReadFile(filepath.Join(scenarioDir, c+"__"+cse+".yaml"))
			if err != nil {
				t.Errorf("%s: no Cypher scenario beside it: %v", f, err)
			} else if _, _, cyTail, err := splitScenario(string(cy)); err != nil || cyTail != tail {
				t.Errorf("%s: its steps differ from %s__%s.yaml's (run with -update)", f, c, cse)
			}
		}
		tested[name]++
	}
	for n := range pack {
		if tested[n] == 0 {
			t.Errorf("query %s has no scenario in %s", n, scenarioDir)
		}
	}
}

// TestScenariosPass runs `vigil test` on testdata/governance: every
// scenario must pass.
func TestScenariosPass(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs cmd/vigil")
	}
	var out bytes.Buffer
	cmd := exec.Command("go", "run", "../../cmd/vigil", "test", scenarioDir)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	t.Log(out.String())
	if err != nil {
		t.Fatalf("vigil test: %v", err)
	}
}
