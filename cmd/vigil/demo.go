package main

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
)

// demoQueries is the agent-governance pack the demo runs: the same queries a
// deployment would hold as ContinuousQuery resources.
var demoQueries = []engine.QuerySpec{
	{ID: "repeat-offenders", Text: `
		MATCH (a:Agent)-[:MADE]->(c:ToolCall {decision: 'deny'})
		WITH a, count(c) AS denials
		WHERE denials >= 3
		RETURN a.name AS agent, denials`},
	{ID: "risky-tools", Text: `
		MATCH (a:Agent)-[:MADE]->(c:ToolCall)-[:USES]->(t:Tool)
		WHERE t.risk >= 8 AND c.decision = 'allow'
		RETURN a.name AS agent, t.name AS tool, count(c) AS calls`},
	{ID: "top-spenders", Text: `
		MATCH (a:Agent)-[:MADE]->(c:ToolCall)
		RETURN a.name AS agent, sum(c.tokens) AS tokens
		ORDER BY tokens DESC LIMIT 3`},
}

// runDemo feeds a generated stream of agent activity through the
// governance queries and prints every result change as it happens.
func runDemo(args []string) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	events := fs.Int("events", 400, "tool calls to generate")
	pace := fs.Duration("pace", 5*time.Millisecond, "wall-clock pause between tool calls (0: as fast as possible)")
	seed := fs.Int64("seed", 1, "generator seed")
	quiet := fs.Bool("quiet", false, "print only the summary")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	e := engine.New(engine.Options{})
	for _, q := range demoQueries {
		if _, err := e.AddQuery(q); err != nil {
			fmt.Fprintf(os.Stderr, "demo: query %s: %v\n", q.ID, err)
			return 1
		}
	}
	changesOut := 0
	e.Subscribe(func(d engine.Diff) {
		changesOut += len(d.Added) + len(d.Updated) + len(d.Deleted)
		if *quiet {
			return
		}
		cols := e.Query(d.QueryID).Columns()
		show := func(r engine.Row) string {
			parts := make([]string, len(cols))
			for i, c := range cols {
				parts[i] = c + "=" + r[i].String()
			}
			return strings.Join(parts, " ")
		}
		for _, r := range d.Added {
			fmt.Printf("%-17s + %s\n", d.QueryID, show(r))
		}
		for _, u := range d.Updated {
			fmt.Printf("%-17s ~ %s  (was %s)\n", d.QueryID, show(u.After), show(u.Before))
		}
		for _, r := range d.Deleted {
			fmt.Printf("%-17s - %s\n", d.QueryID, show(r))
		}
	})

	rng := rand.New(rand.NewSource(*seed))
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	str := func(s string) value.Value { return value.Str(s) }
	node := func(id, label string, props map[string]value.Value) engine.Change {
		return engine.Change{Op: engine.OpInsert, Time: now, Element: engine.Element{ID: id, Labels: []string{label}, Props: props}}
	}
	rel := func(id, typ, from, to string) engine.Change {
		return engine.Change{Op: engine.OpInsert, Time: now, Element: engine.Element{ID: id, Type: typ, From: from, To: to}}
	}
	agents := []string{"scout", "ledger", "courier", "auditor", "intern"}
	tools := map[string]int64{"search": 2, "email": 5, "shell": 9, "payments": 10, "calendar": 1}
	var setup []engine.Change
	for _, a := range agents {
		setup = append(setup, node("agent:"+a, "Agent", map[string]value.Value{"name": str(a)}))
	}
	for t, risk := range tools {
		setup = append(setup, node("tool:"+t, "Tool", map[string]value.Value{"name": str(t), "risk": value.Int(risk)}))
	}
	if _, err := e.Apply(setup); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 1
	}
	toolNames := []string{"search", "email", "shell", "payments", "calendar"}
	start := time.Now()
	for i := 0; i < *events; i++ {
		now = now.Add(time.Duration(rng.Intn(3000)) * time.Millisecond)
		a := agents[rng.Intn(len(agents))]
		t := toolNames[rng.Intn(len(toolNames))]
		decision := "allow"
		// The intern is risky: most of its shell and payment calls are denied.
		if (a == "intern" && tools[t] >= 5 && rng.Intn(3) > 0) || rng.Intn(12) == 0 {
			decision = "deny"
		}
		id := fmt.Sprintf("call:%d", i)
		batch := []engine.Change{
			node(id, "ToolCall", map[string]value.Value{"decision": str(decision), "tokens": value.Int(int64(100 + rng.Intn(900)))}),
			rel("made:"+id, "MADE", "agent:"+a, id),
			rel("uses:"+id, "USES", id, "tool:"+t),
		}
		// Old calls age out of the store, so results also shrink.
		if i >= 150 {
			batch = append(batch, engine.Change{Op: engine.OpDelete, Time: now, Element: engine.Element{ID: fmt.Sprintf("call:%d", i-150)}})
		}
		if _, err := e.Apply(batch); err != nil {
			fmt.Fprintln(os.Stderr, "demo:", err)
			return 1
		}
		if *pace > 0 {
			time.Sleep(*pace)
		}
	}
	took := time.Since(start)
	fmt.Printf("\n%d tool calls through %d queries in %v: %d result changes\n", *events, len(demoQueries), took.Round(time.Millisecond), changesOut)
	for _, q := range demoQueries {
		fmt.Printf("  %-17s %d rows now\n", q.ID, len(e.Query(q.ID).Results()))
	}
	return 0
}
