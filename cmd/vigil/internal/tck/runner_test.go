package tck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/sharedtest"
)

// setupFeature exercises the translation of setup queries: read clauses
// between CREATEs, bound variables, relationship direction and property
// maps computed from rows.
const setupFeature = `Feature: Setup - runner self-test

  Scenario: [1] Interleaved reads and creates
    Given an empty graph
    And having executed:
      """
      UNWIND range(0, 2) AS i
      CREATE (s:S {i: i})
      WITH s, i
      UNWIND range(0, i) AS j
      CREATE (s)-[:REL {j: j}]->(:T)
      """
    When executing query:
      """
      MATCH (s:S)-[r:REL]->(t:T)
      RETURN s.i AS i, count(r) AS n
      """
    Then the result should be, in any order:
      | i | n |
      | 0 | 1 |
      | 1 | 2 |
      | 2 | 3 |
    And no side effects

  Scenario: [2] Directions and reused variables
    Given an empty graph
    And having executed:
      """
      CREATE (a:A {name: 'a'}), (b:B {name: 'b'})
      CREATE (a)-[:X]->(b), (a)<-[:Y {w: 1.5}]-(b)
      """
    And having executed:
      """
      MATCH (a:A)
      CREATE (a)-[:Z]->(:C {name: a.name + 'c'})
      """
    When executing query:
      """
      MATCH p = (x)-[r]->(y)
      RETURN x.name AS from, type(r) AS t, y.name AS to, r
      """
    Then the result should be, in any order:
      | from | t   | to   | r               |
      | 'a'  | 'X' | 'b'  | [:X]            |
      | 'b'  | 'Y' | 'a'  | [:Y {w: 1.5}]   |
      | 'a'  | 'Z' | 'ac' | [:Z]            |
    And no side effects

  Scenario: [3] Aggregation over created nodes
    Given an empty graph
    And having executed:
      """
      CREATE (a {var: 'start'}), (b {var: 'end'})
      WITH *
      UNWIND range(1, 3) AS i
      CREATE (n {var: i})
      WITH a, b, [a] + collect(n) + [b] AS nodeList
      UNWIND range(0, size(nodeList) - 2, 1) AS i
      WITH nodeList[i] AS n1, nodeList[i+1] AS n2
      CREATE (n1)-[:T]->(n2)
      """
    When executing query:
      """
      MATCH ()-[r:T]->()
      RETURN count(r) AS c
      """
    Then the result should be, in order:
      | c |
      | 4 |

  Scenario: [4] Parameters and errors
    Given any graph
    And parameters are:
      | p | [1, 2] |
    When executing query:
      """
      RETURN $p AS p
      """
    Then the result should be, in any order:
      | p      |
      | [1, 2] |

  Scenario: [5] Out of scope
    Given an empty graph
    When executing query:
      """
      CREATE (n)
      """
    Then the result should be empty
`

func TestSetupScenarios(t *testing.T) {
	f, err := ParseFeature(setupFeature)
	if err != nil {
		t.Fatal(err)
	}
	results := RunFeature(f, Options{})
	if len(results) != 5 {
		t.Fatalf("%d results, want 5", len(results))
	}
	for _, r := range results[:4] {
		if r.Outcome != Passed {
			t.Errorf("%s: %s: %s", r.Scenario, r.Outcome, r.Reason)
		}
	}
	if r := results[4]; r.Outcome != Skipped || !strings.Contains(r.Reason, "write query") {
		t.Errorf("write query: %s %s", r.Outcome, r.Reason)
	}
}

// baselinePath is the checked-in list of the TCK scenarios known to fail.
const baselinePath = "../../../../testdata/tck-baseline.txt"

// sharedFeatures returns the shared openCypher TCK features folder
// ($VIGIL_TCK_FEATURES, or tck/features of the shared material): missing, the
// test skips, saying so, except under CI, where it fails.
func sharedFeatures(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("VIGIL_TCK_FEATURES"); d != "" {
		return d
	}
	return sharedtest.Dir(t, "tck/features")
}

// TestFeaturesEndToEnd runs a handful of the shared TCK features, among them
// those with known failures, and holds them to the baseline: a failure not
// listed there fails the test (a panic is a failure too), and so does a
// listed scenario that passes. The whole suite is run by `vigil tck
// -baseline` in `make test`.
func TestFeaturesEndToEnd(t *testing.T) {
	dir := sharedFeatures(t)
	baseline, err := ReadBaseline(baselinePath)
	if err != nil {
		t.Fatal(err)
	}
	// A handful of features, and every feature with a listed scenario.
	names := map[string]bool{
		"clauses/match/Match1.feature":           true,
		"clauses/return/Return1.feature":         true,
		"clauses/with/With1.feature":             true,
		"expressions/literals/Literals1.feature": true,
		"expressions/list/List1.feature":         true,
	}
	listed := map[string]bool{}
	for _, k := range baseline.Keys {
		feature, _, _ := strings.Cut(k, " / ")
		listed[feature] = true
	}
	files, err := FindFeatures(dir)
	if err != nil {
		t.Fatal(err)
	}
	var all []Result
	found := 0
	for _, p := range files {
		f, err := ReadFeatureFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		if names[filepath.ToSlash(rel)] {
			found++
		} else if !listed[f.Name] {
			continue
		}
		all = append(all, RunFeature(f, Options{})...)
	}
	if found != len(names) {
		t.Errorf("found %d of the %d features %v under %s", found, len(names), names, dir)
	}
	var n [3]int
	for _, r := range all {
		n[r.Outcome]++
	}
	t.Logf("%d passed, %d failed, %d skipped", n[Passed], n[Failed], n[Skipped])
	if n[Passed] == 0 {
		t.Errorf("no scenario passed")
	}
	// Every feature with a listed scenario was run: complete.
	cmp := baseline.Compare(all, true)
	if !cmp.OK() {
		var b strings.Builder
		cmp.Report(&b, baselinePath)
		t.Error(b.String())
	}
}
