package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/vigilhq/vigil/cmd/vigil/internal/govtraffic"
	"github.com/vigilhq/vigil/server"
	httpsource "github.com/vigilhq/vigil/sources/http"
)

// The quickstart's generator: agents making tool calls that a policy
// allows or denies, sent through the HTTP source in its wire format, as an
// external client would send them.

type genAgent struct {
	id, name string
	denyRate float64
	// silentAfter: the agent stops calling after this long, so that the
	// "silent for 5 minutes" query picks it up (0: never).
	silentAfter time.Duration
}

var genAgents = []genAgent{
	{"agent-scout", "scout", 0.05, 0},
	{"agent-ledger", "ledger", 0.08, 0},
	{"agent-courier", "courier", 0.05, 0},
	{"agent-intern", "intern", 0.45, 0},
	{"agent-nightowl", "night-owl", 0.1, 20 * time.Second},
}

var genTools = []struct {
	name string
	risk int
}{{"search", 2}, {"email", 5}, {"shell", 9}, {"payments", 10}, {"calendar", 1}}

type wireEv struct {
	Operation string         `json:"operation"`
	Element   map[string]any `json:"element"`
	Timestamp int64          `json:"timestamp"`
}

func node(op, id, label string, props map[string]any, t time.Time) wireEv {
	return wireEv{op, map[string]any{"type": "node", "id": id, "labels": []string{label}, "properties": props}, t.UnixMilli()}
}

func relation(id, typ, from, to string, t time.Time) wireEv {
	return wireEv{"insert", map[string]any{"type": "relation", "id": id, "labels": []string{typ}, "from": from, "to": to, "properties": map[string]any{}}, t.UnixMilli()}
}

// httpSource waits for the named HTTP source to run (nil when ctx ends
// first).
func httpSource(ctx context.Context, srv *server.Server, source string) *httpsource.Source {
	for {
		if src, ok := srv.Source(source).(*httpsource.Source); ok && src.Status().State == "running" {
			return src
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// runGovernanceGenerator feeds the named HTTP source with the governance
// pack's traffic (package govtraffic) on the wall clock until ctx ends.
func runGovernanceGenerator(ctx context.Context, srv *server.Server, source string, rate float64, log *slog.Logger) {
	src := httpSource(ctx, srv, source)
	if src == nil {
		return
	}
	g := govtraffic.New(govtraffic.Options{Seed: time.Now().UnixNano(), Rate: rate})
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if evs := g.Tick(time.Now()); len(evs) > 0 {
			body, _ := json.Marshal(evs)
			if _, err := src.Submit(ctx, body, ""); err != nil {
				if ctx.Err() == nil {
					log.Warn("generator", "err", err)
				}
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// runGenerator feeds the named HTTP source until ctx ends.
func runGenerator(ctx context.Context, srv *server.Server, source string, rate float64, log *slog.Logger) {
	src := httpSource(ctx, srv, source)
	if src == nil {
		return
	}
	submit := func(evs []wireEv) bool {
		body, _ := json.Marshal(evs)
		if _, err := src.Submit(ctx, body, ""); err != nil {
			if ctx.Err() == nil {
				log.Warn("generator", "err", err)
			}
			return false
		}
		return true
	}
	start := time.Now()
	var setup []wireEv
	for _, a := range genAgents {
		setup = append(setup, node("insert", a.id, "Agent", map[string]any{"name": a.name, "lastSeen": start.UnixMilli()}, start))
	}
	for _, t := range genTools {
		setup = append(setup, node("insert", "tool-"+t.name, "Tool", map[string]any{"name": t.name, "risk": t.risk}, start))
	}
	if !submit(setup) {
		return
	}
	if rate <= 0 {
		rate = 4
	}
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	const window = 200 // tool calls kept; older ones are deleted, so counts also fall
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := time.Now()
		var active []genAgent
		for _, a := range genAgents {
			if a.silentAfter == 0 || now.Sub(start) < a.silentAfter {
				active = append(active, a)
			}
		}
		a := active[rand.IntN(len(active))]
		t := genTools[rand.IntN(len(genTools))]
		decision := "allow"
		if rand.Float64() < a.denyRate*float64(t.risk)/5 {
			decision = "deny"
		}
		id := fmt.Sprintf("call-%d", i)
		evs := []wireEv{
			node("insert", id, "ToolCall", map[string]any{"tool": t.name, "decision": decision, "tokens": 100 + rand.IntN(900), "at": now.UnixMilli()}, now),
			relation("made-"+id, "MADE", a.id, id, now),
			relation("uses-"+id, "USES", id, "tool-"+t.name, now),
			node("update", a.id, "Agent", map[string]any{"name": a.name, "lastSeen": now.UnixMilli()}, now),
		}
		if i >= window {
			evs = append(evs, wireEv{Operation: "delete", Element: map[string]any{"id": fmt.Sprintf("call-%d", i-window)}, Timestamp: now.UnixMilli()})
		}
		if !submit(evs) {
			return
		}
	}
}
