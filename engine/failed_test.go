package engine

import (
	"testing"

	"github.com/vigilhq/vigil/engine/value"
)

// Failed reports each query that failed during a step once, and only
// those.
func TestFailedReportsEachFailureOnce(t *testing.T) {
	e := New(Options{})
	bad, err := e.AddQuery(QuerySpec{ID: "ratio", Text: "MATCH (n:A) RETURN 100 / n.d AS r"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddQuery(QuerySpec{ID: "count", Text: "MATCH (n:A) RETURN count(n) AS c"}); err != nil {
		t.Fatal(err)
	}
	node := func(id string, d int64) Change {
		return Change{Op: OpInsert, Element: Element{ID: id, Labels: []string{"A"}, Props: map[string]value.Value{"d": value.Int(d)}}}
	}
	for i, tc := range []struct {
		ch   Change
		want []string
	}{
		{node("a", 1), nil},
		{node("z", 0), []string{"ratio"}},
		{node("b", 2), nil}, // a failed query fails once
	} {
		if _, err := e.Apply([]Change{tc.ch}); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, q := range e.Failed() {
			got = append(got, q.ID())
		}
		if len(got) != len(tc.want) || len(got) > 0 && got[0] != tc.want[0] {
			t.Fatalf("step %d: Failed() = %v, want %v", i, got, tc.want)
		}
	}
	if bad.Err() == nil {
		t.Fatal("the query did not fail")
	}
}
