package engine

import (
	"fmt"
	"math"
	"math/rand"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/oracle"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/internal/sharedtest"
)

// snapshotExtraShapes cover state the differential shapes do not: a query
// that fails at run time on the first C node with a y (its error state
// must survive a restore).
var snapshotExtraShapes = []QuerySpec{
	{ID: "fails", Text: "MATCH (n:C) WHERE n.y IS NOT NULL RETURN n.y + [] + 1 / 0 AS bad"},
}

// snapshotSpecs is every query of the snapshot test: the differential
// shapes (ordered collect, DISTINCT aggregates, joins, parameters,
// subscriptions and GQL among them), the temporal shapes and the extras.
func snapshotSpecs() []QuerySpec {
	var specs []QuerySpec
	for _, sh := range diffShapes {
		specs = append(specs, sh.spec(sh.name))
	}
	for _, sh := range temporalShapes {
		specs = append(specs, sh.spec(sh.name))
	}
	return append(specs, snapshotExtraShapes...)
}

// specsNamed picks specs by id.
func specsNamed(specs []QuerySpec, ids ...string) []QuerySpec {
	var out []QuerySpec
	for _, id := range ids {
		for _, sp := range specs {
			if sp.ID == id {
				out = append(out, sp)
			}
		}
	}
	return out
}

// arrivalOrdered names the queries whose results depend on the order rows
// arrive in within one step (collect, drasi.last, and what is computed from
// their lists): the solver meets a label's nodes in map order, so even two
// engines fed the same changes from the same state differ there. Their
// results are compared with lists as multisets, and their diffs (whose
// update pairing follows list positions) are not compared.
var arrivalOrdered = map[string]bool{"collect-unwind": true}

func init() {
	for _, sh := range diffShapes {
		if sh.bagLists {
			arrivalOrdered[sh.name] = true
		}
	}
}

// strict renders a value exactly: elements with labels, every property and
// their change time, floats bit for bit.
func strict(v value.Value) string {
	var b strings.Builder
	strictInto(&b, v)
	return b.String()
}

func strictInto(b *strings.Builder, v value.Value) {
	props := func(m map[string]value.Value) {
		ks := value.SortedKeys(m)
		b.WriteByte('{')
		for _, k := range ks {
			b.WriteString(k)
			b.WriteByte(':')
			strictInto(b, m[k])
			b.WriteByte(',')
		}
		b.WriteByte('}')
	}
	switch v.Kind() {
	case value.KindNode:
		n := v.AsNode()
		fmt.Fprintf(b, "N(%s %v %d ", n.ID, n.Labels, n.ChangedAt)
		props(n.Props.Map())
		b.WriteByte(')')
	case value.KindRel:
		r := v.AsRel()
		fmt.Fprintf(b, "R(%s %s %s->%s %d ", r.ID, r.Type, r.From, r.To, r.ChangedAt)
		props(r.Props.Map())
		b.WriteByte(')')
	case value.KindPath:
		p := v.AsPath()
		b.WriteString("P(")
		for _, n := range p.Nodes {
			strictInto(b, value.NodeOf(n))
		}
		for _, r := range p.Rels {
			strictInto(b, value.RelOf(r))
		}
		b.WriteByte(')')
	case value.KindList:
		b.WriteByte('[')
		for _, x := range v.AsList() {
			strictInto(b, x)
			b.WriteByte(',')
		}
		b.WriteByte(']')
	case value.KindMap:
		props(v.AsMap())
	case value.KindFloat:
		b.WriteString("F" + strconv.FormatUint(math.Float64bits(v.AsFloat()), 16))
	default:
		b.WriteString(v.Kind().String() + ":")
		b.Write(value.AppendJSON(nil, v))
	}
}

func strictRows(rows []Row) string {
	var b strings.Builder
	for _, r := range rows {
		for _, v := range r {
			strictInto(&b, v)
			b.WriteByte('|')
		}
		b.WriteByte(';')
	}
	return b.String()
}

// strictDiffs renders diffs in the order they came (query registration
// order). Within a diff the rows are sorted: the solver meets the nodes of a
// label in map order, so two engines in one state may list the rows of one
// step in different orders.
func strictDiffs(ds []Diff) string {
	var b strings.Builder
	sorted := func(rows []Row) string {
		ls := make([]string, len(rows))
		for i, r := range rows {
			ls[i] = strictRows([]Row{r})
		}
		sort.Strings(ls)
		return strings.Join(ls, "")
	}
	for _, d := range ds {
		if arrivalOrdered[d.QueryID] {
			continue
		}
		b.WriteString(d.QueryID + " +" + sorted(d.Added) + " -" + sorted(d.Deleted) + " ~")
		us := make([]string, len(d.Updated))
		for i, u := range d.Updated {
			us[i] = strictRows([]Row{u.Before}) + ">" + strictRows([]Row{u.After})
		}
		sort.Strings(us)
		b.WriteString(strings.Join(us, ""))
		b.WriteByte('\n')
	}
	return b.String()
}

// state summarises what an engine shows from outside: clock, next due
// time, and every query's error and results (sorted unless ordered).
func engineState(e *Engine) string {
	var b strings.Builder
	due, ok := e.NextDue()
	fmt.Fprintf(&b, "now %d due %v %d\n", e.Now().UnixNano(), ok, due.UnixNano())
	for _, q := range e.Queries() {
		rows := q.Results()
		lines := make([]string, len(rows))
		for i, r := range rows {
			if arrivalOrdered[q.ID()] {
				lines[i] = canonRows([][]value.Value{r}, true, true)[0] + ";"
			} else {
				lines[i] = strictRows([]Row{r})
			}
		}
		if q.final == nil {
			sort.Strings(lines)
		}
		fmt.Fprintf(&b, "%s err=%v %s\n", q.ID(), q.Err() != nil, strings.Join(lines, ""))
	}
	return b.String()
}

func restored(t *testing.T, seed int64, e *Engine) *Engine {
	t.Helper()
	b, err := e.Snapshot()
	if err != nil {
		t.Fatalf("seed %d: snapshot: %v", seed, err)
	}
	r, skipped, err := Restore(b, Options{})
	if err != nil || len(skipped) > 0 {
		t.Fatalf("seed %d: restore: %v %+v", seed, err, skipped)
	}
	return r
}

// TestSnapshotRestoreMatchesUninterrupted runs every differential and
// temporal shape on an engine, and beside it an engine restored from
// snapshots taken at random moments (of the original, or of the restored
// engine itself). The same changes and clock moves must give both the same
// diffs, byte for byte and in the same order, and the same results, clock
// and next due time. Queries are removed and added on the way, so that
// futures of removed queries are in the snapshot too.
func TestSnapshotRestoreMatchesUninterrupted(t *testing.T) {
	seed := sharedtest.Seed(t)
	rng := rand.New(rand.NewSource(seed))
	runs, perRun := 3, 500
	if testing.Short() {
		runs, perRun = 1, 200
	}
	specs := snapshotSpecs()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	restores, steps, nonEmpty := 0, 0, 0
	for run := 0; run < runs; run++ {
		a := New(Options{Start: start})
		for _, sp := range specs {
			if _, err := a.AddQuery(sp); err != nil {
				t.Fatalf("%s: %v", sp.ID, err)
			}
		}
		b := restored(t, seed, a)
		restores++

		s := &temporalStream{rng: rng, e: a, hist: oracle.NewHistory(), last: map[string]map[string]value.Value{}}
		// The wide generator reads what exists from a model of its own,
		// kept in step with the changes the engines took.
		gen := &changeGen{rng: rng, m: oracle.NewModel(start)}
		sharedtest.Within(t, time.Minute, fmt.Sprintf("seed %d run %d of the snapshot test", seed, run), func() {
			for i := 0; i < perRun; i++ {
				var da, db []Diff
				var ea, eb error
				switch k := rng.Intn(20); {
				case k < 13:
					var chs []Change
					for n := 1 + rng.Intn(3); n > 0; n-- {
						at := s.changeTime()
						if rng.Intn(2) == 0 {
							chs = append(chs, gen.change(at))
						} else {
							chs = append(chs, s.change(at))
						}
					}
					mcs := modelChanges(chs)
					da, ea = a.Apply(chs)
					db, eb = b.Apply(chs)
					for _, mc := range mcs {
						if gen.m.Apply(mc) != nil {
							break // the engines stop at a refused change too
						}
					}
				case k < 17:
					to := s.clockMove()
					da, ea = a.AdvanceTo(to)
					db, eb = b.AdvanceTo(to)
				case k < 18:
					sp := specs[rng.Intn(len(specs))]
					if a.Query(sp.ID) != nil {
						a.RemoveQuery(sp.ID)
						b.RemoveQuery(sp.ID)
					} else {
						_, ea = a.AddQuery(sp)
						_, eb = b.AddQuery(sp)
					}
				case k < 19:
					b = restored(t, seed, b)
					restores++
				default:
					b = restored(t, seed, a)
					restores++
				}
				steps++
				if len(da) > 0 {
					nonEmpty++
				}
				if fmt.Sprint(ea) != fmt.Sprint(eb) {
					t.Fatalf("seed %d run %d step %d: errors differ: %v vs %v", seed, run, i, ea, eb)
				}
				if x, y := strictDiffs(da), strictDiffs(db); x != y {
					t.Fatalf("seed %d run %d step %d: diffs differ\nuninterrupted:\n%s\nrestored:\n%s", seed, run, i, x, y)
				}
				if x, y := engineState(a), engineState(b); x != y {
					t.Fatalf("seed %d run %d step %d: state differs\nuninterrupted:\n%s\nrestored:\n%s", seed, run, i, x, y)
				}
			}
		})
	}
	t.Logf("%d steps (%d with diffs), %d restores", steps, nonEmpty, restores)
	if nonEmpty < steps/4 {
		t.Fatalf("only %d of %d steps changed a result: the test exercises too little", nonEmpty, steps)
	}
}

// TestRestoreRejectsDamage cuts and flips a snapshot: every damaged form
// must give an error (or, where a flipped byte stays well-formed, an
// engine), never a panic.
func TestRestoreRejectsDamage(t *testing.T) {
	e := New(Options{})
	for _, sp := range specsNamed(snapshotSpecs(), "ordered-collect", "distinct-aggs", "spread", "join", "params-wide", "sub-labels", "gql-next") {
		if _, err := e.AddQuery(sp); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewSource(1))
	at := time.Unix(100, 0)
	for i := 0; i < 60; i++ {
		e.Apply([]Change{randomChange(rng, e, at)})
	}
	b, err := e.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(b); n += 1 + n/50 {
		if _, _, err := Restore(b[:n], Options{}); err == nil {
			t.Fatalf("snapshot cut at %d of %d bytes restored without error", n, len(b))
		}
	}
	for i := 0; i < 300; i++ {
		c := append([]byte(nil), b...)
		c[rng.Intn(len(c))] ^= byte(1 + rng.Intn(255))
		Restore(c, Options{}) // must not panic
	}
	if _, _, err := Restore([]byte("\x00\x14vigil-engine-state-0"), Options{}); err == nil || !strings.Contains(err.Error(), "format") {
		t.Fatalf("other format: %v", err)
	}
}

// TestRestoreSkipsQueryThatNoLongerCompiles: a stored query whose text the
// build rejects, or whose stored state does not fit the plan the build
// compiles, is reported and left out; the others are restored.
func TestRestoreSkipsQueryThatNoLongerCompiles(t *testing.T) {
	e := New(Options{})
	for _, sp := range []QuerySpec{
		{ID: "a", Text: "MATCH (n:A) RETURN count(n) AS c"},
		{ID: "b", Text: "MATCH (n:B) RETURN n.x AS x"},
		{ID: "c", Text: "MATCH (n:A) RETURN DISTINCT labels(n) AS l"},
	} {
		if _, err := e.AddQuery(sp); err != nil {
			t.Fatal(err)
		}
	}
	e.Apply([]Change{{Op: OpInsert, Element: Element{ID: "1", Labels: []string{"A"}}}, {Op: OpInsert, Element: Element{ID: "2", Labels: []string{"B"}, Props: map[string]value.Value{"x": value.Int(7)}}}})
	e.byID["a"].spec.Text = "MATCH (n:A RETURN count(n) AS c"                           // as if the grammar had changed
	e.byID["c"].spec.Text = "MATCH (n:A) WITH n ORDER BY n.x RETURN collect(n.x) AS xs" // as if the planner had changed
	b, err := e.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	r, skipped, err := Restore(b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 2 || !strings.Contains(skipped[0].Err.Error(), `query "a"`) ||
		!strings.Contains(skipped[1].Err.Error(), `query "c": its stored state does not match`) {
		t.Fatalf("skipped = %v", skipped)
	}
	// Their results as stored, for retracting them from their streams.
	if a := skipped[0]; len(a.Columns) != 1 || a.Columns[0] != "c" || len(a.Rows) != 1 || a.Rows[0][0].AsInt() != 1 {
		t.Fatalf("stored result of a: %v %v", a.Columns, a.Rows)
	}
	if c := skipped[1]; len(c.Columns) != 1 || c.Columns[0] != "l" || len(c.Rows) != 1 {
		t.Fatalf("stored result of c: %v %v", c.Columns, c.Rows)
	}
	if q := r.Query("b"); q == nil || len(q.Results()) != 1 || q.Results()[0][0].AsInt() != 7 {
		t.Fatalf("query b not restored: %v", r.Queries())
	}
}
