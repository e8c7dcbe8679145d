package engine

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/internal/sharedtest"
)

// routeShapes are the queries of the routing test: the differential
// shapes, temporal ones (futures, clock), and queries over a label (Z) and
// a type (V) no change carries, which routing must never visit and which
// must still answer as the reference does.
var routeShapes = append(append([]diffShape{}, diffShapes...), []diffShape{
	{name: "t-true-for", query: "MATCH (n:A) WHERE drasi.trueFor(n.x >= 2, 3000) RETURN id(n) AS id"},
	{name: "t-previous", query: "MATCH (n:B) RETURN id(n) AS id, drasi.previousValue(n.x) AS px"},
	{name: "t-window", query: "MATCH (n:C) RETURN n.y AS y, drasi.slidingWindow(4000, count(n)) AS c"},
	{name: "t-true-for-rel", query: "MATCH (a)-[r:T]->(b) WHERE drasi.trueFor(r.w > 1, 2000) RETURN id(r) AS r"},
	{name: "untouched-label", query: "MATCH (n:Z) WHERE n.x > 0 RETURN id(n) AS id, n.x AS x"},
	{name: "untouched-type", query: "MATCH (a:A)-[r:V]->(b) RETURN id(a) AS a, r.w AS w"},
	{name: "untouched-exists", query: "MATCH (a:Z) WHERE (a)-[:V]->() RETURN id(a) AS a"},
	{name: "rare-label", query: "MATCH (n:D) RETURN n.y AS y, count(*) AS c"},
	{name: "label-or", query: "MATCH (n) WHERE n:D OR n:Z RETURN id(n) AS id"},
	{name: "gql-not-label", lang: "gql", query: "MATCH (n:!A) RETURN element_id(n) AS id"},
	{name: "gql-any-label", lang: "gql", query: "MATCH (n:%) RETURN count(*) AS c GROUP BY ()"},
}...)

// routeChange is a differential change, now and then relabelled D (a
// label few queries read).
func routeChange(rng *rand.Rand, e *Engine, at time.Time) Change {
	ch := randomChange(rng, e, at)
	if !ch.Element.IsRel() && ch.Op != OpDelete && rng.Intn(5) == 0 {
		ch.Element.Labels = append(ch.Element.Labels, "D")
	}
	return ch
}

// An engine that routes each change to the queries its patterns can touch
// (and flushes only the queries a step reached) answers exactly as one
// that visits every query, while queries are added and removed between
// the changes and the clock moves: the same diffs, in the same order,
// after every step, and the same results and futures throughout.
func TestRoutingMatchesVisitingEveryQuery(t *testing.T) {
	matchReference(t, routeShapes, Options{Workers: 1}, Options{Workers: 1, visitAll: true}, false)
}

// parallelShapes weighs the routing shapes towards what a parallel step
// must order as a serial one does: temporal queries (several copies
// schedule futures for equal due times in one step) and queries that fail
// at run time (integer division by zero), rarely, so that several copies
// live to fail in the same step.
var parallelShapes = func() []diffShape {
	out := append([]diffShape{}, routeShapes...)
	for _, s := range routeShapes {
		if strings.HasPrefix(s.name, "t-") {
			out = append(out, s, s, s)
		}
	}
	fail := []diffShape{
		{name: "fail-div-a", query: "MATCH (n:A) RETURN id(n) AS id, 6 / CASE WHEN id(n) = 'n1' AND n.x = 0 THEN 0 ELSE 1 END AS r"},
		{name: "fail-div-b", query: "MATCH (n:B) RETURN id(n) AS id, 6 / CASE WHEN id(n) = 'n2' AND n.x = 0 THEN 0 ELSE 1 END AS r"},
		{name: "fail-div-window", query: "MATCH (n:A) RETURN 6 / CASE WHEN id(n) = 'n1' AND n.x = 0 THEN 0 ELSE 1 END AS r, drasi.slidingWindow(3000, count(n)) AS c"},
	}
	for range 4 {
		out = append(out, fail...)
	}
	return out
}()

// An engine that runs the queries a change reaches side by side answers
// exactly as one that runs them one after another: the same diffs, results
// and errors, and the same futures with the same sequence numbers, so
// that equal due times fire in the same order; the same failures, in the
// same order.
func TestParallelStepsMatchSerial(t *testing.T) {
	matchReference(t, parallelShapes, Options{Workers: 4}, Options{Workers: 1}, true)
}

// matchReference drives two engines, of options tested and reference, with
// the same random changes, clock moves and additions and removals of
// queries drawn from shapes,
// and compares what they answer; exact also compares their future queues
// entry by entry and the failures each step reports.
func matchReference(t *testing.T, shapes []diffShape, tested, reference Options, exact bool) {
	seed := sharedtest.Seed(t)
	rng := rand.New(rand.NewSource(seed))
	steps, budget := diffLimits(t, 1500, 40*time.Second)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	vs := value.NewSeed()
	tested.Start, reference.Start = start, start
	routed := newEngine(tested, vs)
	ref := newEngine(reference, vs)
	now := start
	live := map[string]diffShape{}
	next := 0
	add := func() {
		s := shapes[rng.Intn(len(shapes))]
		id := fmt.Sprintf("%s#%d", s.name, next)
		next++
		_, err1 := routed.AddQuery(s.spec(id))
		_, err2 := ref.AddQuery(s.spec(id))
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("seed %d: adding %s: routed %v, reference %v", seed, id, err1, err2)
		}
		if err1 == nil {
			live[id] = s
		}
	}
	for range 25 {
		add()
	}
	deadline := time.Now().Add(budget)
	step := 0
	failures, together := 0, 0 // steps where queries failed; most in one step
	for ; step < steps && time.Now().Before(deadline); step++ {
		var got, want []Diff
		var err1, err2 error
		what := ""
		switch k := rng.Intn(20); {
		case k == 0:
			add()
			continue
		case k == 1 && len(live) > 0:
			ids := make([]string, 0, len(live))
			for id := range live {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			id := ids[rng.Intn(len(ids))]
			if routed.RemoveQuery(id) != ref.RemoveQuery(id) {
				t.Fatalf("seed %d: removing %s disagrees", seed, id)
			}
			delete(live, id)
			continue
		case k < 4:
			now = now.Add(time.Duration(rng.Intn(2500)) * time.Millisecond)
			what = "advance to " + now.Format(time.RFC3339Nano)
			got, err1 = routed.AdvanceTo(now)
			want, err2 = ref.AdvanceTo(now)
		default:
			now = now.Add(time.Duration(rng.Intn(400)) * time.Millisecond)
			batch := make([]Change, 1+rng.Intn(3))
			for i := range batch {
				batch[i] = routeChange(rng, routed, now)
			}
			what = describeBatch(batch)
			got, err1 = routed.Apply(batch)
			want, err2 = ref.Apply(batch)
		}
		if fmt.Sprint(err1) != fmt.Sprint(err2) {
			t.Fatalf("seed %d step %d (%s): routed error %v, reference %v", seed, step, what, err1, err2)
		}
		if g, w := canonOrderedDiffs(got), canonOrderedDiffs(want); g != w {
			t.Fatalf("seed %d step %d (%s):\nrouted    %s\nreference %s", seed, step, what, g, w)
		}
		if exact {
			g, w := failedIDs(routed), failedIDs(ref)
			if g != w {
				t.Fatalf("seed %d step %d (%s): failed %s, reference %s", seed, step, what, g, w)
			}
			if n := len(strings.Fields(g)); n > 0 {
				failures++
				together = max(together, n)
			}
			if g, w := futureList(routed), futureList(ref); g != w {
				t.Fatalf("seed %d step %d (%s): futures\n%s\nreference\n%s", seed, step, what, g, w)
			}
		}
		if step%10 == 0 {
			compareEngines(t, seed, step, routed, ref)
		}
	}
	compareEngines(t, seed, step, routed, ref)
	t.Logf("seed %d: %d steps, %d queries live at the end", seed, step, len(live))
	if exact {
		t.Logf("queries failed in %d steps, at most %d in one", failures, together)
	}
}

func describeBatch(b []Change) string {
	var parts []string
	for _, ch := range b {
		parts = append(parts, describe(ch))
	}
	return strings.Join(parts, "; ")
}

// canonOrderedDiffs renders diffs in their order (the order queries were
// registered in), each as its net effect: an update as the deletion of its
// before and the addition of its after, additions and deletions of equal
// rows cancelled, lists compared as bags. Which rows pair up as updates,
// and the order collect builds a list in, follow the order rows arrived
// in, which two engines' map iterations may choose differently at a
// query's bootstrap.
func canonOrderedDiffs(ds []Diff) string {
	var out []string
	for _, d := range ds {
		net := map[string]int{}
		row := func(r Row) string {
			var vs []string
			for _, v := range r {
				vs = append(vs, canon(v, true))
			}
			return "(" + strings.Join(vs, ",") + ")"
		}
		for _, r := range d.Added {
			net[row(r)]++
		}
		for _, r := range d.Deleted {
			net[row(r)]--
		}
		for _, u := range d.Updated {
			net[row(u.Before)]--
			net[row(u.After)]++
		}
		var rows []string
		for r, n := range net {
			switch {
			case n > 0:
				rows = append(rows, fmt.Sprintf("+%d%s", n, r))
			case n < 0:
				rows = append(rows, fmt.Sprintf("-%d%s", -n, r))
			}
		}
		sort.Strings(rows)
		if len(rows) > 0 {
			out = append(out, d.QueryID+"["+strings.Join(rows, " ")+"]")
		}
	}
	return strings.Join(out, " ")
}

// compareEngines checks every query's result and error, and the futures.
// failedIDs lists and forgets the queries e reports failed, in order.
func failedIDs(e *Engine) string {
	var ids []string
	for _, q := range e.Failed() {
		ids = append(ids, q.ID())
	}
	return strings.Join(ids, " ")
}

// futureList is e's future queue in firing order: due time, query and
// what it re-evaluates. The futures one query schedules in one run are
// listed by key: their relative order follows the index's map iteration,
// in a serial engine too; what a parallel step must keep is the order
// across queries and runs.
func futureList(e *Engine) string {
	fs := append([]*future(nil), e.futures.h...)
	sort.Slice(fs, func(i, j int) bool { return e.futures.h.Less(fs[i].index, fs[j].index) })
	var lines []string
	var b strings.Builder
	for i, f := range fs {
		lines = append(lines, fmt.Sprintf("%d %s %d:%x", f.due.UnixNano(), f.query.ID(), f.key.site, f.key.row))
		// A run ends where the due time or the query changes.
		if i+1 == len(fs) || !fs[i+1].due.Equal(f.due) || fs[i+1].query != f.query {
			sort.Strings(lines)
			for _, l := range lines {
				b.WriteString(l)
				b.WriteByte('\n')
			}
			b.WriteString("--\n")
			lines = lines[:0]
		}
	}
	return b.String()
}

func compareEngines(t *testing.T, seed int64, step int, a, b *Engine) {
	t.Helper()
	for _, q := range b.Queries() {
		p := a.Query(q.ID())
		if p == nil {
			t.Fatalf("seed %d step %d: %s missing from the routed engine", seed, step, q.ID())
		}
		if fmt.Sprint(p.Err()) != fmt.Sprint(q.Err()) {
			t.Fatalf("seed %d step %d: %s error %v, reference %v", seed, step, q.ID(), p.Err(), q.Err())
		}
		var pr, qr [][]value.Value
		for _, r := range p.Results() {
			pr = append(pr, r)
		}
		for _, r := range q.Results() {
			qr = append(qr, r)
		}
		if g, w := strings.Join(canonRows(pr, true, false), " "), strings.Join(canonRows(qr, true, false), " "); g != w {
			t.Fatalf("seed %d step %d: %s results\nrouted    %s\nreference %s", seed, step, q.ID(), g, w)
		}
	}
	da, oka := a.NextDue()
	db, okb := b.NextDue()
	if oka != okb || !da.Equal(db) {
		t.Fatalf("seed %d step %d: next due %v %v, reference %v %v", seed, step, da, oka, db, okb)
	}
}

// A change visits only the queries filed under its labels or type (and
// those reading any node or relationship); the others stay unvisited.
func TestRouterCandidates(t *testing.T) {
	e := New(Options{})
	for _, s := range []struct{ id, q string }{
		{"a", "MATCH (n:A) RETURN n.x AS x"},
		{"b", "MATCH (n:B)-[:T]->(m) RETURN n.x AS x"},
		{"any", "MATCH (n) RETURN count(n) AS c"},
		{"rel", "MATCH ()-[r:U]->() RETURN r.w AS w"},
		{"exists", "MATCH (n:C) WHERE (n)-[:V]->(:Z) RETURN n.x AS x"},
	} {
		if _, err := e.AddQuery(QuerySpec{ID: s.id, Text: s.q}); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(qs []*Query) string {
		var out []string
		for _, q := range qs {
			out = append(out, q.ID())
		}
		return strings.Join(out, " ")
	}
	node := func(labels ...string) *value.Node { return &value.Node{ID: "x", Labels: labels} }
	rel := func(typ string) *value.Rel { return &value.Rel{ID: "r", Type: typ, From: "x", To: "y"} }
	for _, tc := range []struct {
		name       string
		oldN, newN *value.Node
		oldR, newR *value.Rel
		want       string
	}{
		// b, rel and exists have unlabelled nodes ((m), (), the
		// subpattern's (n)): any node may be theirs.
		{"a node of A", nil, node("A"), nil, nil, "a b any rel exists"},
		{"a node of Q", nil, node("Q"), nil, nil, "b any rel exists"},
		{"relabelled A to C", node("A"), node("C"), nil, nil, "a b any rel exists"},
		{"a T relationship", nil, nil, nil, rel("T"), "b"},
		{"a U relationship", nil, nil, nil, rel("U"), "rel"},
		{"a V relationship", nil, nil, rel("V"), nil, "exists"},
		{"a W relationship", nil, nil, nil, rel("W"), ""},
	} {
		if got := ids(e.route.candidates(tc.oldN, tc.newN, tc.oldR, tc.newR)); got != tc.want {
			t.Errorf("%s: visits %q, want %q", tc.name, got, tc.want)
		}
	}
	e.RemoveQuery("any")
	if got := ids(e.route.candidates(nil, node("A"), nil, nil)); got != "a b rel exists" {
		t.Errorf("after removing any: %q", got)
	}
}
