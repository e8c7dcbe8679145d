package engine

import (
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

// historyNode is a change of node n1 (label S) at t with the given props.
func historyNode(op Op, t time.Time, props map[string]value.Value) Change {
	return Change{Op: op, Time: t, Element: Element{ID: "n1", Labels: []string{"S"}, Props: props}}
}

func resultStrings(q *Query) []string {
	var out []string
	for _, r := range q.Results() {
		out = append(out, canonRows([][]value.Value{r}, false, true)[0])
	}
	return out
}

// A row evaluated with drasi.getVersionByTimestamp at a timestamp after its
// element's next change must be retracted with what it produced, not with
// what the grown history answers later (found by the temporal differential
// test: the wrong retraction cancelled against the new row and the stale
// row stayed).
func TestTemporalVersionByTimestampRetraction(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e := New(Options{Start: t0})
	q, err := e.AddQuery(QuerySpec{ID: "q", Text: "MATCH (n:S) RETURN id(n) AS id, drasi.getVersionByTimestamp(n, n.ts).x AS old"})
	if err != nil {
		t.Fatal(err)
	}
	ts := value.Int(t0.Add(10 * time.Second).UnixMilli())
	if _, err := e.Apply([]Change{historyNode(OpInsert, t0.Add(time.Second), map[string]value.Value{"x": value.Int(2), "ts": ts})}); err != nil {
		t.Fatal(err)
	}
	diffs, err := e.Apply([]Change{historyNode(OpUpdate, t0.Add(2*time.Second), map[string]value.Value{"x": value.Int(0), "ts": ts})})
	if err != nil {
		t.Fatal(err)
	}
	if got := resultStrings(q); len(got) != 1 || got[0] != "'n1' | 0" {
		t.Fatalf("result %v, want ['n1' | 0]", got)
	}
	if len(diffs) != 1 || len(diffs[0].Updated) != 1 || diffs[0].Updated[0].Before[1].AsInt() != 2 {
		t.Fatalf("diffs %+v, want one update from old 2 to old 0", diffs)
	}
}

// An update that leaves an element exactly as it stood at the same instant
// is no change (the engine evaluates nothing for it), so it is no version
// either.
func TestTemporalSameInstantRepeatIsNoVersion(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e := New(Options{Start: t0})
	q, err := e.AddQuery(QuerySpec{ID: "q", Text: "MATCH (n:S) RETURN [v IN drasi.getVersionsByTimeRange(n, 0, n.ts) | v.x] AS xs"})
	if err != nil {
		t.Fatal(err)
	}
	ts := value.Int(t0.Add(time.Minute).UnixMilli())
	at := t0.Add(time.Second)
	props := func(x int64) map[string]value.Value {
		return map[string]value.Value{"x": value.Int(x), "ts": ts}
	}
	if _, err := e.Apply([]Change{historyNode(OpInsert, at, props(3)), historyNode(OpUpdate, at, props(3))}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Apply([]Change{historyNode(OpUpdate, at.Add(time.Second), props(4))}); err != nil {
		t.Fatal(err)
	}
	if got := resultStrings(q); len(got) != 1 || got[0] != "[3,4]" {
		t.Fatalf("result %v, want [[3,4]]", got)
	}
}
