package engine

import (
	"os"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

// The tests here pin down engine bugs the differential tests found. Each
// fails until its bug is fixed; they are skipped unless VIGIL_KNOWN_BUGS is
// set, so that the package stays green for everyone meanwhile. The fix
// removes the skip (and the TODO in changegen_test.go that works around
// the bug in the random tests).

func knownBug(t *testing.T) {
	t.Helper()
	if os.Getenv("VIGIL_KNOWN_BUGS") == "" {
		t.Skip("a known engine bug: run with VIGIL_KNOWN_BUGS=1 to see it fail; remove this skip with the fix")
	}
}

// TestKnownBugRelationshipWithoutEndInASource: a relationship change
// without both ends is refused ("relationship needs from and to") — but
// only without a source. With one, the missing end is qualified into
// "source\x1f" before the check, so the change is accepted and stores a
// relationship to a node no source can ever insert.
//
// Found by TestDifferentialAgainstOracle, VIGIL_SEED=1 (before the
// generator stopped drawing it): "the engine took change 0, which the model
// refuses: relationship needs from and to".
func TestKnownBugRelationshipWithoutEndInASource(t *testing.T) {
	for _, src := range []string{"", "s1"} {
		e := New(Options{})
		_, err := e.Apply([]Change{{Op: OpInsert, Source: src, Element: Element{ID: "r", Type: "T", From: "a"}}})
		if err == nil {
			t.Errorf("source %q: a relationship without an end was accepted", src)
		}
	}
}

// TestKnownBugIntegerToEqualFloatUpdateIsLost: a property that changes
// from 3.0 to 3 (or back) must show in every result that shows it. The
// engine compares results, and consolidates retractions with additions,
// with value.Identical, which tells 3 from 3.0 only at the top level of a
// row (identicalRows checks the kinds); nested in a list, a map or an
// element's properties, Identical falls back to Equivalent. So a collected
// list keeps [3.0] after the node's x became 3, and an update at the same
// instant as the element's previous change cancels out entirely (the old
// and the new node are "identical"), leaving sum(n.x) at 3.0.
//
// Found by TestDifferentialAgainstOracle, VIGIL_SEED=2 (query collect:
// want null | [3,3], got null | [3,f3]) and VIGIL_SEED=3 (query
// ordered-collect-limit), before the generator stopped drawing integral
// floats (changeGen.equalNumbers); VIGIL_DIFF_EQUAL_NUMBERS=1 draws them
// again.
func TestKnownBugIntegerToEqualFloatUpdateIsLost(t *testing.T) {
	cases := []struct {
		query string
		at    time.Time // the update's time; the insert is at the epoch
		want  string
	}{
		{"MATCH (n:B) RETURN collect(n.x) AS xs", time.Unix(5, 0), "[[[3]]]"},
		{"MATCH (n:B) RETURN n", time.Unix(5, 0), "[[(:B {x: 3})]]"},
		{"MATCH (n:B) RETURN sum(n.x) AS s", time.Unix(0, 0), "[[3]]"},
		{"MATCH (n:B) RETURN n", time.Unix(0, 0), "[[(:B {x: 3})]]"},
	}
	for _, c := range cases {
		e := New(Options{})
		q, err := e.AddQuery(QuerySpec{ID: "q", Text: c.query})
		if err != nil {
			t.Fatal(err)
		}
		node := func(x value.Value, at time.Time) []Change {
			return []Change{{Op: OpUpdate, Time: at, Element: Element{ID: "n", Labels: []string{"B"}, Props: map[string]value.Value{"x": x}}}}
		}
		if _, err := e.Apply(node(value.Float(3), time.Unix(0, 0))); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Apply(node(value.Int(3), c.at)); err != nil {
			t.Fatal(err)
		}
		if got := value.List(rowValues(q.Results())).String(); got != c.want {
			t.Errorf("%s, x from 3.0 to 3 at %v: %s, want %s", c.query, c.at.Unix(), got, c.want)
		}
	}
}

// TestJoinRelationsBelongToTheQueriesThatDeclareThem: a join's synthetic
// relations are seen by the queries that declare the join and by no other
// (they were seen by every query, and reached the others a step late: found
// by TestDifferentialAgainstOracle, VIGIL_SEED=1796465021217438870). So
// declaring a join changes no other query's result, and a clock move that
// fires nothing emits nothing.
func TestJoinRelationsBelongToTheQueriesThatDeclareThem(t *testing.T) {
	e := New(Options{})
	q1, err := e.AddQuery(QuerySpec{ID: "q1", Text: "MATCH (a)-[r]->(b) RETURN type(r) AS t"})
	if err != nil {
		t.Fatal(err)
	}
	k := func() map[string]value.Value { return map[string]value.Value{"k": value.Int(1)} }
	if _, err := e.Apply([]Change{{Op: OpInsert, Element: Element{ID: "a", Labels: []string{"A"}, Props: k()}},
		{Op: OpInsert, Element: Element{ID: "c", Labels: []string{"C"}, Props: k()}}}); err != nil {
		t.Fatal(err)
	}
	join := []Join{{ID: "J", Keys: []JoinKey{{Label: "A", Property: "k"}, {Label: "C", Property: "k"}}}}
	q2, err := e.AddQuery(QuerySpec{ID: "q2", Text: "MATCH (a:A)-[:J]->(c:C) RETURN c.k AS k", Joins: join})
	if err != nil {
		t.Fatal(err)
	}
	if got := value.List(rowValues(q1.Results())).String(); got != "[]" {
		t.Errorf("q1, which declares no join, sees %s", got)
	}
	if got := value.List(rowValues(q2.Results())).String(); got != "[[1]]" {
		t.Errorf("q2, which declares the join: %s, want [[1]]", got)
	}
	if ds, _ := e.AdvanceTo(time.Unix(10, 0)); len(ds) > 0 {
		t.Errorf("a clock move that fires nothing emitted %+v", ds)
	}
	// A later query declaring the same join sees the relations kept since.
	q3, err := e.AddQuery(QuerySpec{ID: "q3", Text: "MATCH (a)-[r:J]->(b) RETURN count(r) AS n", Joins: join})
	if err != nil {
		t.Fatal(err)
	}
	if got := value.List(rowValues(q3.Results())).String(); got != "[[2]]" {
		t.Errorf("q3, declaring the same join later: %s, want [[2]]", got)
	}
}

// rowValues turns rows into list values, for printing.
func rowValues(rows []Row) []value.Value {
	out := make([]value.Value, len(rows))
	for i, r := range rows {
		out[i] = value.List(append([]value.Value(nil), r...))
	}
	return out
}
