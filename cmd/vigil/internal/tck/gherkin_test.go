package tck

import (
	"reflect"
	"testing"
)

const sampleFeature = `#
# License header
#

@tag
Feature: Sample - a sample feature

  Background:
    Given an empty graph

  Scenario: [1] Plain
    And having executed:
      """
      CREATE (:A {name: 'x'})
      """
    When executing query:
      """
      MATCH (a)
        RETURN a
      """
    Then the result should be, in any order:
      | a                  |
      | (:A {name: 'x'})   |
      | 'a\|b'             |
      | 'c\\d'             |
    And no side effects

  Scenario Outline: [2] Outline <name>
    Given any graph
    And parameters are:
      | p | <value> |
    When executing query:
      """
      RETURN <expr> AS x
      """
    Then the result should be, in order:
      | x        |
      | <result> |

    Examples:
      | name | expr  | value | result |
      | one  | 1 + 1 | 1     | 2      |
      | two  | 'a'   | 'b'   | 'a'    |

    Examples:
      | name  | expr | value | result |
      | three | null | null  | null   |
`

func TestParseFeature(t *testing.T) {
	f, err := ParseFeature(sampleFeature)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "Sample - a sample feature" {
		t.Errorf("name %q", f.Name)
	}
	if len(f.Background) != 1 || f.Background[0].Text != "an empty graph" {
		t.Errorf("background %+v", f.Background)
	}
	if len(f.Scenarios) != 4 {
		t.Fatalf("got %d scenarios", len(f.Scenarios))
	}
	s := f.Scenarios[0]
	if s.Name != "[1] Plain" || len(s.Steps) != 4 {
		t.Fatalf("scenario 1: %+v", s)
	}
	if got := s.Steps[1].DocString; got != "MATCH (a)\n  RETURN a" {
		t.Errorf("doc string %q", got)
	}
	if got := s.Steps[0].DocString; got != "CREATE (:A {name: 'x'})" {
		t.Errorf("setup doc string %q", got)
	}
	wantTable := [][]string{{"a"}, {"(:A {name: 'x'})"}, {"'a|b'"}, {`'c\d'`}}
	if !reflect.DeepEqual(s.Steps[2].Table, wantTable) {
		t.Errorf("table %q", s.Steps[2].Table)
	}
	cases := []struct {
		name, query, param, result string
	}{
		{"[2] Outline one", "RETURN 1 + 1 AS x", "1", "2"},
		{"[2] Outline two", "RETURN 'a' AS x", "'b'", "'a'"},
		{"[2] Outline three", "RETURN null AS x", "null", "null"},
	}
	for i, c := range cases {
		s := f.Scenarios[i+1]
		if s.Name != c.name {
			t.Errorf("example %d: name %q, want %q", i, s.Name, c.name)
		}
		if got := s.Steps[2].DocString; got != c.query {
			t.Errorf("example %d: query %q, want %q", i, got, c.query)
		}
		if got := s.Steps[1].Table[0][1]; got != c.param {
			t.Errorf("example %d: param %q, want %q", i, got, c.param)
		}
		if got := s.Steps[3].Table[1][0]; got != c.result {
			t.Errorf("example %d: result %q, want %q", i, got, c.result)
		}
	}
	if f.Scenarios[1].Steps[0].Keyword != "Given" || f.Scenarios[1].Steps[3].Keyword != "Then" {
		t.Errorf("keywords %+v", f.Scenarios[1].Steps)
	}
}

func TestSplitRow(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"| a | b |", []string{"a", "b"}},
		{"|a|", []string{"a"}},
		{`| 'x\|y' | z |`, []string{"'x|y'", "z"}},
		{`| 'a\\\\b' |`, []string{`'a\\b'`}},
		{`| 'Foo\nFoo' |`, []string{"'Foo\nFoo'"}},
		{`| '\'' |`, []string{`'\''`}},
		{"|  | x |", []string{"", "x"}},
	}
	for _, c := range cases {
		if got := splitRow(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("splitRow(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseFeatureErrors(t *testing.T) {
	cases := []string{
		"Feature: x\n  Scenario: s\n    When executing query:\n      \"\"\"\n      RETURN 1\n",
		"Feature: x\n  Scenario: s\n    Examples:\n",
		"Feature: x\n  Scenario: s\n    Frobnicate the graph\n",
	}
	for _, c := range cases {
		if _, err := ParseFeature(c); err == nil {
			t.Errorf("no error for %q", c)
		}
	}
}
