package engine

import (
	"testing"

	"github.com/vigilhq/vigil/engine/value"
)

// TestChainedOptionalMatchUpdatesTheRow: when the first of two chained
// OPTIONAL MATCHes finds its match, the row (a, null, null) becomes
// (a, b, null): one update, not a delete plus an add.
func TestChainedOptionalMatchUpdatesTheRow(t *testing.T) {
	e := New(Options{})
	_, err := e.AddQuery(QuerySpec{ID: "q", Text: `MATCH (a:A)
OPTIONAL MATCH (a)-[:T]->(b:B)
OPTIONAL MATCH (b)-[:U]->(c:C)
RETURN a.id AS a, b.id AS b, c.id AS c`})
	if err != nil {
		t.Fatal(err)
	}
	node := func(id, label string) Change {
		return Change{Op: OpInsert, Element: Element{ID: id, Labels: []string{label}, Props: map[string]value.Value{"id": value.Str(id)}}}
	}
	rel := func(id, typ, from, to string) Change {
		return Change{Op: OpInsert, Element: Element{ID: id, Type: typ, From: from, To: to}}
	}
	steps := []struct {
		what                    string
		changes                 []Change
		added, updated, deleted int
	}{
		{"a alone", []Change{node("a1", "A")}, 1, 0, 0},
		{"b and a->b", []Change{node("b1", "B"), rel("r1", "T", "a1", "b1")}, 0, 1, 0},
		{"c and b->c", []Change{node("c1", "C"), rel("r2", "U", "b1", "c1")}, 0, 1, 0},
		{"b->c goes", []Change{{Op: OpDelete, Element: Element{ID: "r2"}}}, 0, 1, 0},
		{"a->b goes", []Change{{Op: OpDelete, Element: Element{ID: "r1"}}}, 0, 1, 0},
	}
	for _, st := range steps {
		ds, err := e.Apply(st.changes)
		if err != nil {
			t.Fatal(err)
		}
		var a, u, d int
		for _, df := range ds {
			a, u, d = a+len(df.Added), u+len(df.Updated), d+len(df.Deleted)
		}
		if a != st.added || u != st.updated || d != st.deleted {
			t.Errorf("%s: %d added, %d updated, %d deleted; want %d, %d, %d (%+v)", st.what, a, u, d, st.added, st.updated, st.deleted, ds)
		}
	}
}
