package engine

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/internal/sharedtest"
)

// TestOldRowsFromResultEligibility pins which queries take an update's old
// row from the result (only a MATCH feeding a plain RETURN of pure
// expressions) and which of those keep no result at all (every item a
// variable, a property of one, or a constant: derived).
func TestOldRowsFromResultEligibility(t *testing.T) {
	const (
		none    = ""
		stored  = "old rows from the result"
		derived = "derived result"
	)
	cases := []struct {
		q    string
		want string
	}{
		{"MATCH (r:Room) RETURN r.name AS n, r.t AS t", derived},
		{"MATCH (a)-[:T]->(b) RETURN a, b.x AS x, 1 AS one", derived},
		{"MATCH (r:Room) WHERE r.t > 3 RETURN r.t AS t", derived},
		{"MATCH (r:Room) WHERE r.t > 3 RETURN floor(r.t + 1) AS t", stored},
		{"MATCH (r:Room) RETURN r.t AS t, r.t + 1 AS u", stored},
		{"MATCH (a)-[:T]->(b) RETURN id(a) AS a, b.x AS x", stored},
		{"MATCH ()-[r:T]->() RETURN startNode(r).x AS x", none}, // reads the index
		{"MATCH (r:Room) RETURN rand() AS x", none},
		{"MATCH (r:Room) RETURN datetime() AS x", none},
		{"MATCH (r:Room) RETURN drasi.changeDateTime(r) AS x", none},
		{"MATCH (r:Room) RETURN DISTINCT r.t AS t", none},
		{"MATCH (r:Room) RETURN r.t AS t ORDER BY t", none},
		{"MATCH (r:Room) RETURN count(r) AS c", none},
		{"MATCH p = (a)-[:T]->(b) RETURN p", none},
		{"MATCH (a)-[:T*1..2]->(b) RETURN id(b) AS b", none},
		{"MATCH (a:A) WHERE (a)-[:T]->() RETURN id(a) AS a", none},
		{"OPTIONAL MATCH (a:A) RETURN id(a) AS a", none},
		{"MATCH (a:A) WITH a RETURN id(a) AS a", none},
		{"MATCH (a:A) RETURN a.x AS x UNION MATCH (b:B) RETURN b.x AS x", none},
	}
	for _, c := range cases {
		e := New(Options{})
		q, err := e.AddQuery(QuerySpec{ID: "q", Text: c.q})
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		got := none
		switch {
		case q.oldFrom != nil && q.derived:
			t.Fatalf("%s: both old rows from the result and a derived result", c.q)
		case q.oldFrom != nil:
			got = stored
		case q.derived:
			got = derived
		}
		if got != c.want {
			t.Errorf("%s: %q, want %q", c.q, got, c.want)
		}
		if c.want == derived {
			// StoreAllResults keeps the rows (and takes old rows from them).
			q, err := New(Options{StoreAllResults: true}).AddQuery(QuerySpec{ID: "q", Text: c.q})
			if err != nil || q.derived || q.oldFrom == nil {
				t.Errorf("%s with StoreAllResults: derived %v, old rows from result %v (%v)", c.q, q.derived, q.oldFrom != nil, err)
			}
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

// TestDerivedResultMatchesStored runs a query whose result is derived (not
// stored) beside a twin whose result is stored (an item that computes),
// through random inserts, updates and deletes of rooms in batches, and a
// snapshot restored midway. Every step the two report the same diffs, the
// same result and the same Len.
func TestDerivedResultMatchesStored(t *testing.T) {
	seed := sharedtest.Seed(t)
	rng := rand.New(rand.NewSource(seed))
	e := New(Options{})
	add := func(e *Engine, id, text string) *Query {
		q, err := e.AddQuery(QuerySpec{ID: id, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	const where = "MATCH (r:Room)-[:IN]->(f:Floor) WHERE r.t > 2 "
	d := add(e, "derived", where+"RETURN r.name AS n, r.t AS t, f AS f, 'x' AS k")
	s := add(e, "stored", where+"RETURN r.name AS n, r.t AS t, f AS f, toString('x') AS k")
	if !d.derived || s.derived || s.oldFrom == nil {
		t.Fatalf("derived %v, stored %v (old rows from result %v)", d.derived, s.derived, s.oldFrom != nil)
	}
	rowSet := func(rows []Row) []string {
		var out []string
		for _, r := range rows {
			out = append(out, fmt.Sprint(r))
		}
		slices.Sort(out)
		return out
	}
	diffSet := func(diffs []Diff, id string) (a, u, del []string) {
		for _, x := range diffs {
			if x.QueryID != id {
				continue
			}
			a = append(a, rowSet(x.Added)...)
			del = append(del, rowSet(x.Deleted)...)
			for _, up := range x.Updated {
				u = append(u, fmt.Sprint(up.Before, "->", up.After))
			}
		}
		slices.Sort(a)
		slices.Sort(u)
		slices.Sort(del)
		return
	}
	for _, f := range []string{"f1", "f2"} {
		if _, err := e.Apply([]Change{{Op: OpInsert, Element: Element{ID: f, Labels: []string{"Floor"}, Props: map[string]value.Value{"n": value.Str(f)}}}}); err != nil {
			t.Fatal(err)
		}
	}
	for step := 0; step < 400; step++ {
		if step == 200 {
			e = restored(t, seed, e)
			d, s = e.Query("derived"), e.Query("stored")
			if !d.derived || d.Len() != s.Len() {
				t.Fatalf("seed %d: restored: derived %v, Len %d against %d", seed, d.derived, d.Len(), s.Len())
			}
		}
		var batch []Change
		for k := rng.Intn(3) + 1; k > 0; k-- {
			id := fmt.Sprintf("r%d", rng.Intn(12))
			switch rng.Intn(5) {
			case 0:
				batch = append(batch, Change{Op: OpDelete, Element: Element{ID: id, Labels: []string{"Room"}}})
			case 1:
				floor := fmt.Sprintf("f%d", 1+rng.Intn(2))
				batch = append(batch, Change{Op: OpUpdate, Element: Element{ID: "in-" + id, Type: "IN", From: id, To: floor}})
			default:
				props := map[string]value.Value{"t": value.Int(int64(rng.Intn(6)))}
				if rng.Intn(4) > 0 {
					props["name"] = value.Str(id)
				}
				batch = append(batch, Change{Op: OpUpdate, Element: Element{ID: id, Labels: []string{"Room"}, Props: props}})
			}
		}
		diffs, err := e.Apply(batch)
		if err != nil {
			t.Fatalf("seed %d step %d: %v", seed, step, err)
		}
		da, du, dd := diffSet(diffs, "derived")
		sa, su, sd := diffSet(diffs, "stored")
		if !slices.Equal(da, sa) || !slices.Equal(du, su) || !slices.Equal(dd, sd) {
			t.Fatalf("seed %d step %d: derived diff +%v ~%v -%v; stored +%v ~%v -%v", seed, step, da, du, dd, sa, su, sd)
		}
		if got, want := rowSet(d.Results()), rowSet(s.Results()); !slices.Equal(got, want) || d.Len() != s.Len() {
			t.Fatalf("seed %d step %d: derived result (%d) %v; stored (%d) %v", seed, step, d.Len(), got, s.Len(), want)
		}
	}
}

// TestDerivedResultHoldsNoRows: after a query is added over a loaded graph
// and after a step with a big output, no scratch of the query still
// reaches a result row (which would keep the rows, and their slab chunks,
// that a derived result exists not to keep).
func TestDerivedResultHoldsNoRows(t *testing.T) {
	e := New(Options{})
	var batch []Change
	for i := range 500 {
		batch = append(batch, Change{Op: OpInsert, Element: Element{ID: fmt.Sprint("a", i), Labels: []string{"A"},
			Props: map[string]value.Value{"x": value.Int(int64(i))}}})
	}
	if _, err := e.Apply(batch); err != nil {
		t.Fatal(err)
	}
	q, err := e.AddQuery(QuerySpec{ID: "q", Text: "MATCH (a:A) RETURN a.x AS x, a"})
	if err != nil || !q.derived || q.Len() != 500 {
		t.Fatalf("derived %v, Len %d, err %v", q.derived, q.Len(), err)
	}
	held := func(when string) {
		t.Helper()
		for i, d := range q.pending[:cap(q.pending)] {
			if d.r != nil {
				t.Fatalf("%s: the pending array still holds a row at %d", when, i)
			}
		}
		for _, rows := range [][]Row{q.diff.Added[:cap(q.diff.Added)], q.diff.Deleted[:cap(q.diff.Deleted)]} {
			for i, r := range rows {
				if r != nil {
					t.Fatalf("%s: the diff scratch still holds a row at %d", when, i)
				}
			}
		}
	}
	held("after AddQuery")
	for i := range batch {
		batch[i].Op = OpUpdate
		batch[i].Element.Props = map[string]value.Value{"x": value.Int(int64(-i))}
	}
	if _, err := e.Apply(batch); err != nil {
		t.Fatal(err)
	}
	// The next step (one change) reuses the scratch the big one left.
	if _, err := e.Apply(batch[:1]); err != nil {
		t.Fatal(err)
	}
	for i, d := range q.pending[:cap(q.pending)] {
		if d.r != nil {
			t.Fatalf("after the steps: the pending array still holds a row at %d", i)
		}
	}
}
