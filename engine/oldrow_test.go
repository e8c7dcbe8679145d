package engine

import (
	"testing"

	"github.com/vigilhq/vigil/engine/value"
)

// TestOldRowsFromResultEligibility pins which queries take an update's old
// row from the result: only a MATCH feeding a plain RETURN of pure
// expressions.
func TestOldRowsFromResultEligibility(t *testing.T) {
	cases := []struct {
		q    string
		want bool
	}{
		{"MATCH (r:Room) RETURN r.name AS n, r.t AS t", true},
		{"MATCH (r:Room) WHERE r.t > 3 RETURN floor(r.t + 1) AS t", true},
		{"MATCH (a)-[:T]->(b) RETURN id(a) AS a, b.x AS x", true},
		{"MATCH ()-[r:T]->() RETURN startNode(r).x AS x", false}, // reads the index
		{"MATCH (r:Room) RETURN rand() AS x", false},
		{"MATCH (r:Room) RETURN datetime() AS x", false},
		{"MATCH (r:Room) RETURN drasi.changeDateTime(r) AS x", false},
		{"MATCH (r:Room) RETURN DISTINCT r.t AS t", false},
		{"MATCH (r:Room) RETURN r.t AS t ORDER BY t", false},
		{"MATCH (r:Room) RETURN count(r) AS c", false},
		{"MATCH p = (a)-[:T]->(b) RETURN p", false},
		{"MATCH (a)-[:T*1..2]->(b) RETURN id(b) AS b", false},
		{"MATCH (a:A) WHERE (a)-[:T]->() RETURN id(a) AS a", false},
		{"OPTIONAL MATCH (a:A) RETURN id(a) AS a", false},
		{"MATCH (a:A) WITH a RETURN id(a) AS a", false},
		{"MATCH (a:A) RETURN a.x AS x UNION MATCH (b:B) RETURN b.x AS x", false},
	}
	for _, c := range cases {
		e := New(Options{})
		q, err := e.AddQuery(QuerySpec{ID: "q", Text: c.q})
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		if got := q.oldFrom != nil; got != c.want {
			t.Errorf("%s: old rows from result = %v, want %v", c.q, got, c.want)
		}
	}
}

// TestOldRowsFromResultBatch updates one node several times in one Apply
// (the later changes find deltas pending and take the ordinary path) and
// once per Apply, and checks the diffs and the result.
func TestOldRowsFromResultBatch(t *testing.T) {
	e := New(Options{})
	q, err := e.AddQuery(QuerySpec{ID: "q", Text: "MATCH (r:Room) WHERE r.t > 0 RETURN r.name AS n, r.t * 2 AS t"})
	if err != nil {
		t.Fatal(err)
	}
	room := func(t int64) Change {
		return Change{Op: OpUpdate, Element: Element{ID: "r1", Labels: []string{"Room"},
			Props: map[string]value.Value{"name": value.Str("a"), "t": value.Int(t)}}}
	}
	check := func(step string, diffs []Diff, added, updated, deleted int, want int64) {
		t.Helper()
		var a, u, d int
		for _, x := range diffs {
			a, u, d = a+len(x.Added), u+len(x.Updated), d+len(x.Deleted)
		}
		if a != added || u != updated || d != deleted {
			t.Fatalf("%s: %d added, %d updated, %d deleted; want %d, %d, %d", step, a, u, d, added, updated, deleted)
		}
		rows := q.Results()
		if want < 0 {
			if len(rows) != 0 {
				t.Fatalf("%s: result %v, want empty", step, rows)
			}
			return
		}
		if len(rows) != 1 || rows[0][1].AsInt() != want {
			t.Fatalf("%s: result %v, want t=%d", step, rows, want)
		}
	}
	diffs, err := e.Apply([]Change{room(1)})
	if err != nil {
		t.Fatal(err)
	}
	check("insert", diffs, 1, 0, 0, 2)
	diffs, _ = e.Apply([]Change{room(2)})
	check("update", diffs, 0, 1, 0, 4)
	diffs, _ = e.Apply([]Change{room(3), room(4), room(5)})
	check("batch", diffs, 0, 1, 0, 10)
	diffs, _ = e.Apply([]Change{room(5)})
	check("same values", diffs, 0, 0, 0, 10)
	diffs, _ = e.Apply([]Change{room(-1)})
	check("filtered out", diffs, 0, 0, 1, -1)
	diffs, _ = e.Apply([]Change{room(-2)})
	check("still filtered out", diffs, 0, 0, 0, -1)
	diffs, _ = e.Apply([]Change{room(7), room(-3), room(8)})
	check("batch back in", diffs, 1, 0, 0, 16)
	diffs, _ = e.Apply([]Change{{Op: OpDelete, Element: Element{ID: "r1"}}})
	check("delete", diffs, 0, 0, 1, -1)
}
