package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

// TestRestoreKeepsTheEvaluatedLimit: SKIP/LIMIT are evaluated once, at
// registration, and may use rand() (planner.constInt). Restore compiles the
// query again; the restored order stage must keep the stored window, which
// its entries, the result bag and the stages downstream fit.
func TestRestoreKeepsTheEvaluatedLimit(t *testing.T) {
	e := New(Options{Start: time.Unix(0, 0).UTC()})
	q, err := e.AddQuery(QuerySpec{ID: "q", Text: "MATCH (n:A) RETURN n.x AS x ORDER BY x LIMIT toInteger(rand() * 1000) + 1"})
	if err != nil {
		t.Fatal(err)
	}
	var chs []Change
	for i := 0; i < 1000; i++ {
		chs = append(chs, Change{Op: OpInsert, Element: Element{ID: fmt.Sprint("n", i), Labels: []string{"A"}, Props: map[string]value.Value{"x": value.Int(int64(i))}}})
	}
	if _, err := e.Apply(chs); err != nil {
		t.Fatal(err)
	}
	want := len(q.Results())
	for i := 0; i < 3; i++ {
		b, err := e.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		r, _, err := Restore(b, Options{})
		if err != nil {
			t.Fatal(err)
		}
		rq := r.Query("q")
		if got := len(rq.Results()); got != want || rq.Len() != got {
			t.Fatalf("restore %d: original shows %d rows; restored Results() shows %d rows while its result bag (Len) holds %d", i, want, got, rq.Len())
		}
	}
}
