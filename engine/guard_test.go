package engine

import (
	"errors"
	"testing"

	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/functions"
)

// A panic in one query's evaluation (a bug) stops that query with an
// InternalError and leaves the engine and the other queries running.
func TestPanicInOneQueryIsContained(t *testing.T) {
	reg := functions.NewRegistry("cypher")
	base := functions.Cypher()
	for _, name := range base.Names() {
		if f, ok := base.Scalar(name); ok {
			reg.AddScalar(name, f)
		}
		if a, ok := base.Aggregate(name); ok {
			reg.AddAggregate(name, a)
		}
	}
	reg.AddScalar("boom", &functions.Scalar{Name: "boom", MinArgs: 1, MaxArgs: 1, Fn: func(_ functions.Env, args []value.Value) (value.Value, error) {
		if args[0].AsString() == "bad" {
			var m map[string]int
			m["x"] = 1 // a nil-map write: a genuine runtime panic
		}
		return args[0], nil
	}})
	e := New(Options{Functions: reg})
	fragile, err := e.AddQuery(QuerySpec{ID: "fragile", Text: `MATCH (n:N) RETURN boom(n.s) AS s`})
	if err != nil {
		t.Fatal(err)
	}
	sturdy, err := e.AddQuery(QuerySpec{ID: "sturdy", Text: `MATCH (n:N) RETURN n.s AS s`})
	if err != nil {
		t.Fatal(err)
	}
	put := func(id, s string) []Diff {
		t.Helper()
		diffs, err := e.Apply([]Change{{Op: OpInsert, Element: Element{ID: id, Labels: []string{"N"}, Props: map[string]value.Value{"s": value.Str(s)}}}})
		if err != nil {
			t.Fatal(err)
		}
		return diffs
	}
	if d := put("a", "good"); len(d) != 2 {
		t.Fatalf("diffs %v, want one per query", d)
	}
	d := put("b", "bad")
	var ie *InternalError
	if !errors.As(fragile.Err(), &ie) || ie.Stack == "" {
		t.Fatalf("fragile query error %v, want an InternalError with a stack", fragile.Err())
	}
	if len(d) != 1 || d[0].QueryID != "sturdy" {
		t.Fatalf("diffs %v, want sturdy's only", d)
	}
	if d := put("c", "fine"); len(d) != 1 || d[0].QueryID != "sturdy" || sturdy.Len() != 3 {
		t.Fatalf("after the panic: diffs %v, sturdy has %d rows", d, sturdy.Len())
	}
}
