package engine_test

import (
	"fmt"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
)

// Example shows the library API: open an engine, add a continuous query,
// subscribe to its diffs, apply changes and read the current result.
func Example() {
	e := engine.New(engine.Options{})
	q, err := e.AddQuery(engine.QuerySpec{
		ID: "denials",
		Text: `MATCH (a:Agent)-[:CALLED]->(c:ToolCall {decision: 'deny'})
		       RETURN a.name AS agent, count(c) AS denials`,
	})
	if err != nil {
		panic(err)
	}
	e.Subscribe(func(d engine.Diff) {
		for _, r := range d.Added {
			fmt.Println("added  ", r)
		}
		for _, u := range d.Updated {
			fmt.Println("updated", u.Before, "->", u.After)
		}
		for _, r := range d.Deleted {
			fmt.Println("deleted", r)
		}
	})
	props := func(kv ...any) map[string]value.Value {
		m := map[string]value.Value{}
		for i := 0; i < len(kv); i += 2 {
			v, _ := value.FromGo(kv[i+1])
			m[kv[i].(string)] = v
		}
		return m
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	node := func(id, label string, p map[string]value.Value) engine.Change {
		return engine.Change{Op: engine.OpInsert, Time: at, Element: engine.Element{ID: id, Labels: []string{label}, Props: p}}
	}
	rel := func(id, from, to string) engine.Change {
		return engine.Change{Op: engine.OpInsert, Time: at, Element: engine.Element{ID: id, Type: "CALLED", From: from, To: to}}
	}
	e.Apply([]engine.Change{
		node("a1", "Agent", props("name", "scout")),
		node("c1", "ToolCall", props("decision", "deny")),
		rel("r1", "a1", "c1"),
	})
	e.Apply([]engine.Change{
		node("c2", "ToolCall", props("decision", "deny")),
		rel("r2", "a1", "c2"),
	})
	e.Apply([]engine.Change{{Op: engine.OpDelete, Time: at, Element: engine.Element{ID: "a1"}}})
	fmt.Println("rows:", len(q.Results()))
	// Output:
	// added   ['scout' 1]
	// updated ['scout' 1] -> ['scout' 2]
	// deleted ['scout' 2]
	// rows: 0
}
