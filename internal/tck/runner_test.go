package tck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// skipIfEngineMissing skips the test while the engine's methods still
// panic with "not implemented".
func skipIfEngineMissing(t *testing.T, results []Result) {
	t.Helper()
	for _, r := range results {
		if r.Outcome == Failed && strings.Contains(r.Reason, "panic: not implemented") {
			t.Skip("engine not implemented yet: end-to-end TCK run skipped")
		}
	}
}

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
	skipIfEngineMissing(t, results)
	for _, r := range results[:4] {
		if r.Outcome != Passed {
			t.Errorf("%s: %s: %s", r.Scenario, r.Outcome, r.Reason)
		}
	}
	if r := results[4]; r.Outcome != Skipped || !strings.Contains(r.Reason, "write query") {
		t.Errorf("write query: %s %s", r.Outcome, r.Reason)
	}
}

// TestFeaturesEndToEnd runs a handful of the shared TCK features. It only
// checks that the run completes with some passing scenarios; the pass rate
// itself is tracked by `vigil tck`.
func TestFeaturesEndToEnd(t *testing.T) {
	dir := "/work/shared/tck/features"
	if d := os.Getenv("VIGIL_TCK_FEATURES"); d != "" {
		dir = d
	}
	names := []string{
		"clauses/match/Match1.feature",
		"clauses/return/Return1.feature",
		"expressions/literals/Literals1.feature",
		"expressions/list/List1.feature",
		"clauses/with/With1.feature",
	}
	var all []Result
	for _, n := range names {
		p := filepath.Join(dir, n)
		if _, err := os.Stat(p); err != nil {
			t.Skipf("TCK features not found at %s (set VIGIL_TCK_FEATURES)", dir)
		}
		f, err := ReadFeatureFile(p)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, RunFeature(f, Options{})...)
	}
	skipIfEngineMissing(t, all)
	var n [3]int
	for _, r := range all {
		n[r.Outcome]++
		if r.Outcome == Failed {
			t.Logf("FAIL %s / %s: %s", r.Feature, r.Scenario, firstLine(r.Reason))
		}
	}
	t.Logf("%d passed, %d failed, %d skipped", n[Passed], n[Failed], n[Skipped])
	if n[Passed] == 0 {
		t.Errorf("no scenario passed")
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
