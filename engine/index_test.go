package engine

import (
	"math/rand"
	"slices"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/internal/sharedtest"
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
	r := restored(t, 0, e)
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

// TestIndexMatchesModel drives the index with random node and relationship
// puts and deletes (relationships to missing nodes, self-loops, relabelled
// nodes, relationships moved between endpoints) and compares every lookup
// with maps kept beside it. Records must be given back once nothing names
// their id: the live records equal the ids a node or relationship names.
func TestIndexMatchesModel(t *testing.T) {
	seed := sharedtest.Seed(t)
	rng := rand.New(rand.NewSource(seed))
	x := NewIndex()
	nodes := map[string]*value.Node{}
	rels := map[string]*value.Rel{}
	ids := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	labels := []string{"L", "M", "N"}
	for op := 0; op < 5000; op++ {
		id := ids[rng.Intn(len(ids))]
		switch rng.Intn(4) {
		case 0:
			var ls []string
			for _, l := range labels {
				if rng.Intn(2) == 0 {
					ls = append(ls, l)
				}
			}
			n := &value.Node{ID: id, Labels: ls}
			x.putNode(n)
			nodes[id] = n
		case 1:
			x.deleteNode(id)
			delete(nodes, id)
		case 2:
			rid := "r" + ids[rng.Intn(4)]
			r := &value.Rel{ID: rid, Type: "T", From: id, To: ids[rng.Intn(len(ids))]}
			x.putRel(r)
			rels[rid] = r
		case 3:
			rid := "r" + ids[rng.Intn(4)]
			x.deleteRel(rid)
			delete(rels, rid)
		}
		if x.NodeCount() != len(nodes) || x.RelCount() != len(rels) {
			t.Fatalf("seed %d op %d: %d nodes, %d rels; want %d, %d", seed, op, x.NodeCount(), x.RelCount(), len(nodes), len(rels))
		}
		named := map[string]bool{}
		for _, id := range ids {
			if x.Node(id) != nodes[id] {
				t.Fatalf("seed %d op %d: Node(%s) = %v, want %v", seed, op, id, x.Node(id), nodes[id])
			}
			var out, in []string
			for _, r := range rels {
				if r.From == id {
					out = append(out, r.ID)
				}
				if r.To == id {
					in = append(in, r.ID)
				}
			}
			for side, got := range map[string][]*value.Rel{"out": x.Out(id), "in": x.In(id)} {
				want := out
				if side == "in" {
					want = in
				}
				var gotIDs []string
				for _, r := range got {
					gotIDs = append(gotIDs, r.ID)
				}
				slices.Sort(gotIDs)
				slices.Sort(want)
				if !slices.Equal(gotIDs, want) {
					t.Fatalf("seed %d op %d: %s(%s) = %v, want %v", seed, op, side, id, gotIDs, want)
				}
			}
			if nodes[id] != nil || len(out) > 0 || len(in) > 0 {
				named[id] = true
			}
		}
		if live := x.ids.len(); live != len(named) {
			t.Fatalf("seed %d op %d: %d live records, want %d (ids named: %v)", seed, op, live, len(named), named)
		}
		for _, rid := range []string{"ra", "rb", "rc", "rd"} {
			if x.Rel(rid) != rels[rid] {
				t.Fatalf("seed %d op %d: Rel(%s) = %v, want %v", seed, op, rid, x.Rel(rid), rels[rid])
			}
		}
		for _, l := range append(labels, "") {
			var got, want []string
			x.Nodes(l, func(n *value.Node) bool { got = append(got, n.ID); return true })
			for _, n := range nodes {
				if l == "" || n.HasLabel(l) {
					want = append(want, n.ID)
				}
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("seed %d op %d: Nodes(%q) = %v, want %v", seed, op, l, got, want)
			}
			if l != "" && x.LabelCount(l) != len(want) {
				t.Fatalf("seed %d op %d: LabelCount(%q) = %d, want %d", seed, op, l, x.LabelCount(l), len(want))
			}
		}
	}
}
