package engine

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/vigilhq/vigil/engine/value"
)

// TestProjMemoEligibility pins which projections remember their costly
// values: a plain WITH of pure expressions between one MATCH and an
// aggregation, with some item more than a variable or property read.
func TestProjMemoEligibility(t *testing.T) {
	cases := []struct {
		q    string
		want bool
	}{
		{"MATCH (r:Room)-[:PART_OF]->(f:Floor) WITH f.name AS f, floor(r.t * 2) AS v RETURN f, avg(v) AS a", true},
		{"MATCH (r:Room) WITH r.t + 1 AS v RETURN sum(v) AS s", true},
		{"MATCH (r:Room) WITH r.f AS f, r.t AS v RETURN f, avg(v) AS a", false}, // nothing costly
		{"MATCH (r:Room) WITH rand() AS v RETURN sum(v) AS s", false},
		{"MATCH (r:Room) WITH r.t + 1 AS v WHERE v > 2 RETURN sum(v) AS s", false},
		{"MATCH (r:Room) WITH DISTINCT r.t + 1 AS v RETURN sum(v) AS s", false},
		{"MATCH (r:Room) WITH r.t + 1 AS v RETURN v", false},
		{"OPTIONAL MATCH (r:Room) WITH r.t + 1 AS v RETURN sum(v) AS s", false},
		{"MATCH p = (a)-[:T]->(b) WITH size(nodes(p)) + a.x AS v RETURN sum(v) AS s", false},
	}
	for _, c := range cases {
		e := New(Options{})
		q, err := e.AddQuery(QuerySpec{ID: "q", Text: c.q})
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		p, _ := q.branches[0].stages[1].(*projectStage)
		if got := p != nil && p.memo != nil; got != c.want {
			t.Errorf("%s: memo = %v, want %v", c.q, got, c.want)
		}
	}
}

// TestProjMemoFollowsRows checks that the memo holds one entry per current
// row, for the current snapshots, through inserts, updates, no-op updates
// and deletes of nodes and relationships.
func TestProjMemoFollowsRows(t *testing.T) {
	e := New(Options{})
	q, err := e.AddQuery(QuerySpec{ID: "q", Text: "MATCH (r:Room)-[:IN]->(f:Floor) WITH f.name AS f, r.t * 2 + 1 AS v RETURN f, sum(v) AS s"})
	if err != nil {
		t.Fatal(err)
	}
	p := q.branches[0].stages[1].(*projectStage)
	if p.memo == nil {
		t.Fatal("no memo")
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 3000; i++ {
		var ch Change
		switch k := rng.Intn(10); {
		case k < 5:
			ch = Change{Op: OpUpdate, Element: Element{ID: fmt.Sprintf("r%d", rng.Intn(8)), Labels: []string{"Room"},
				Props: map[string]value.Value{"t": value.Int(int64(rng.Intn(3)))}}}
		case k < 6:
			ch = Change{Op: OpUpdate, Element: Element{ID: fmt.Sprintf("f%d", rng.Intn(3)), Labels: []string{"Floor"},
				Props: map[string]value.Value{"name": value.Str(fmt.Sprint(rng.Intn(2)))}}}
		case k < 8:
			ch = Change{Op: OpUpdate, Element: Element{ID: fmt.Sprintf("e%d", rng.Intn(8)), Type: "IN",
				From: fmt.Sprintf("r%d", rng.Intn(8)), To: fmt.Sprintf("f%d", rng.Intn(3))}}
		case k < 9:
			ch = Change{Op: OpDelete, Element: Element{ID: fmt.Sprintf("r%d", rng.Intn(8))}}
		default:
			ch = Change{Op: OpDelete, Element: Element{ID: fmt.Sprintf("e%d", rng.Intn(8))}}
		}
		if ch.Op == OpUpdate && e.index.Node(ch.Element.ID) == nil && e.index.Rel(ch.Element.ID) == nil {
			ch.Op = OpInsert
		}
		if _, err := e.Apply([]Change{ch}); err != nil {
			t.Fatal(err)
		}
		if q.Err() != nil {
			t.Fatal(q.Err())
		}
		rows := 0
		m := q.branches[0].stages[0].(*matchStage)
		err := m.pp.p.solveAll(graph{Index: e.index}, m.pp.p.newBinding(), sinkFunc(func(b *binding) error {
			rows++
			en := p.memo.m[mix(unitRow.id, m.pp.p.solutionID(b))]
			if en == nil {
				t.Fatalf("step %d: no memo entry for a current row", i)
			}
			// A no-op update replaces the snapshot without a step
			// (sameNode): the entry may hold an equal older one.
			if old, _ := en.els[0].(*value.Node); old != b.nodes[0] && !sameNode(old, b.nodes[0]) {
				t.Fatalf("step %d: stale memo entry", i)
			}
			if en.vals[0].AsInt() != b.nodes[0].Props.Get("t").AsInt()*2+1 {
				t.Fatalf("step %d: memo value %v for t=%v", i, en.vals[0], b.nodes[0].Props.Get("t"))
			}
			return nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		if len(p.memo.m) != rows {
			t.Fatalf("step %d: %d memo entries for %d rows", i, len(p.memo.m), rows)
		}
	}
}
