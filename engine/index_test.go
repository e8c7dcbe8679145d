package engine

import (
	"slices"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

func TestIndexLabelSet(t *testing.T) {
	var x Index
	cases := []struct {
		in, want []string
	}{
		{nil, nil},
		{[]string{"A"}, []string{"A"}},
		{[]string{"A", "B"}, []string{"A", "B"}},
		{[]string{"B", "A"}, []string{"B", "A"}}, // order as given
		{[]string{"A", "A", "B"}, []string{"A", "B"}},
		{[]string{"A\x01B"}, []string{"A\x01B"}}, // not the list A, B
		{[]string{"\x01A\x01B"}, []string{"\x01A\x01B"}},
	}
	for _, c := range cases {
		in := slices.Clone(c.in)
		got := x.labelSet(in)
		if !slices.Equal(got, c.want) {
			t.Errorf("labelSet(%q) = %q, want %q", c.in, got, c.want)
		}
		if again := x.labelSet(slices.Clone(c.in)); len(got) > 0 && &again[0] != &got[0] {
			t.Errorf("labelSet(%q) not shared", c.in)
		}
		if len(in) > 0 && len(got) > 0 && &in[0] == &got[0] {
			t.Errorf("labelSet(%q) kept the caller's slice", c.in)
		}
	}
}

// TestIndexSharesShapes: nodes of one shape share their names and label
// list, whether applied or restored from a snapshot, and a restored engine
// goes on sharing them with the nodes applied after.
func TestIndexSharesShapes(t *testing.T) {
	at := time.Unix(100, 0)
	room := func(id string, temp float64) Change {
		return Change{Op: OpInsert, Time: at, Element: Element{ID: id, Labels: []string{"Room"},
			Props: map[string]value.Value{"name": value.Str(id), "temp": value.Float(temp), "gone": value.Null}}}
	}
	e := New(Options{Start: at})
	if _, err := e.Apply([]Change{room("r1", 20), room("r2", 21)}); err != nil {
		t.Fatal(err)
	}
	r1, r2 := e.index.Node("r1"), e.index.Node("r2")
	if r1.Props.Keys() != r2.Props.Keys() || &r1.Labels[0] != &r2.Labels[0] {
		t.Fatal("applied nodes of one shape do not share names and labels")
	}
	if r1.Props.Has("gone") || r1.Props.Len() != 2 {
		t.Fatalf("stored names %v", r1.Props.Names())
	}
	b, err := e.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	r, _, err := Restore(b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Apply([]Change{room("r3", 22)}); err != nil {
		t.Fatal(err)
	}
	n1, n3 := r.index.Node("r1"), r.index.Node("r3")
	if n1.Props.Keys() != n3.Props.Keys() || &n1.Labels[0] != &n3.Labels[0] {
		t.Fatal("restored and applied nodes of one shape do not share names and labels")
	}
	if got := n1.Props.Get("temp").AsFloat(); got != 20 {
		t.Fatalf("restored temp %v", got)
	}
}
