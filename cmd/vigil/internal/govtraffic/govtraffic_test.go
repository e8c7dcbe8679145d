package govtraffic

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/resources"
	httpsource "github.com/vigilhq/vigil/sources/http"
)

// A full cycle, driven by a manual clock, goes through the HTTP source's
// decoder into an engine, and each incident shows in the graph during its
// phase and only then.
func TestCycleShowsEachIncident(t *testing.T) {
	phase := time.Minute
	g := New(Options{Seed: 7, Rate: 10, Phase: phase})
	start := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	e := engine.New(engine.Options{Start: start})
	q := func(id, text string) *engine.Query {
		t.Helper()
		qq, err := e.AddQuery(engine.QuerySpec{ID: id, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return qq
	}
	errs := q("errors", "MATCH (c:ToolCall {outcome: 'error'}) RETURN c.agent AS agent, count(c) AS n")
	denials := q("denials", "MATCH (a:Agent)-[:MADE]->(c:ToolCall {decision: 'deny'})-[:UNDER]->(p:Policy) RETURN a.id AS agent, count(c) AS n")
	sessions := q("sessions", "MATCH (c:ToolCall) RETURN c.session AS session, count(c) AS n")
	trust := q("trust", "MATCH (a:Agent) WHERE a.trustScore < 700 RETURN a.id AS agent")
	beats := map[string]int{}
	count := func(qq *engine.Query, agent string) int64 {
		for _, r := range qq.Results() {
			if r[0].AsString() == agent {
				return r[1].AsInt()
			}
		}
		return 0
	}
	type seen struct{ errs, denials, beats int64 }
	before := map[string]seen{}
	for now := start; now.Before(start.Add(2 * phase * time.Duration(len(Incidents)))); now = now.Add(time.Second) {
		evs := g.Tick(now)
		for _, ev := range evs {
			if ev.Element["labels"] != nil && ev.Element["labels"].([]string)[0] == "Heartbeat" {
				beats[ev.Element["properties"].(map[string]any)["agent"].(string)]++
			}
		}
		body, _ := json.Marshal(evs)
		changes, _, err := httpsource.Decode(body, now)
		if err != nil {
			t.Fatalf("%v: the HTTP source refuses the events: %v", now, err)
		}
		if _, err := e.Apply(changes); err != nil {
			t.Fatal(err)
		}
		// At the end of each incident phase, check its agent.
		if now.Sub(start)%phase != phase-time.Second {
			continue
		}
		for i, a := range Agents {
			inc := g.IncidentAt(i, now)
			s := seen{count(errs, a.ID), count(denials, a.ID), int64(beats[a.ID])}
			switch inc {
			case ErrorSpike:
				if s.errs-before[a.ID].errs < 10 {
					t.Errorf("%s: %s phase added %d errors", a.ID, inc, s.errs-before[a.ID].errs)
				}
			case DenialBurst:
				if s.denials-before[a.ID].denials < 10 {
					t.Errorf("%s: %s phase added %d denials", a.ID, inc, s.denials-before[a.ID].denials)
				}
			case RunawayLoop:
				if n := count(sessions, a.ID+"-loop"); n < 100 {
					t.Errorf("%s: runaway session has %d calls", a.ID, n)
				}
			case Silent:
				if s.beats != before[a.ID].beats {
					t.Errorf("%s: silent but sent %d heartbeats", a.ID, s.beats-before[a.ID].beats)
				}
			case TrustCollapse:
				if len(trust.Results()) != 1 || trust.Results()[0][0].AsString() != a.ID {
					t.Errorf("%s: trust collapse not in the graph: %v", a.ID, trust.Results())
				}
			}
			before[a.ID] = s
		}
	}
	for _, a := range Agents {
		if beats[a.ID] == 0 {
			t.Errorf("%s sent no heartbeat", a.ID)
		}
	}
}

// The same seed gives the same stream.
func TestDeterministic(t *testing.T) {
	start := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	a, b := New(Options{Seed: 3}), New(Options{Seed: 3})
	for i := 0; i < 100; i++ {
		now := start.Add(time.Duration(i) * 700 * time.Millisecond)
		x, _ := json.Marshal(a.Tick(now))
		y, _ := json.Marshal(b.Tick(now))
		if string(x) != string(y) {
			t.Fatalf("tick %d differs", i)
		}
	}
}

// Driven through the governance pack's own queries (examples/governance),
// a cycle trips each violation query for the agent in the matching
// incident and for no agent behaving normally.
func TestPackSeesOnlyTheIncidents(t *testing.T) {
	dir := "../../../../examples/governance"
	var specs []engine.QuerySpec
	for _, f := range []string{"queries.yaml"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		rs, errs := resources.Parse(f, data)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		for _, r := range rs {
			if r.Kind != resources.KindContinuousQuery {
				continue
			}
			spec, err := r.QuerySpec()
			if err != nil {
				t.Fatal(err)
			}
			// The engine here has one unnamed source.
			spec.Subscriptions = nil
			specs = append(specs, spec)
		}
	}
	phase := 6 * time.Minute
	g := New(Options{Seed: 11, Rate: 4, Phase: phase})
	start := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	e := engine.New(engine.Options{Start: start})
	for _, s := range specs {
		if _, err := e.AddQuery(s); err != nil {
			t.Fatalf("%s: %v", s.ID, err)
		}
	}
	// tripped[query][agent]: the incident the agent was in when the query
	// first had a row for it.
	tripped := map[string]map[string]Incident{}
	agentIndex := map[string]int{}
	for i, a := range Agents {
		agentIndex[a.ID] = i
	}
	end := start.Add(2 * phase * time.Duration(len(Incidents)))
	// The burn-rate windows start empty: in the first minutes one error
	// among a few calls is a burn rate past any threshold, as the Workbook's
	// alerts (which have no minimum volume) say. Pages then are warm-up.
	warmUp := start.Add(10 * time.Minute)
	for now := start; now.Before(end); now = now.Add(500 * time.Millisecond) {
		body, _ := json.Marshal(g.Tick(now))
		changes, _, err := httpsource.Decode(body, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Apply(changes); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"policy-denials", "critical-policy-trip", "runaway-loops", "silent-agents", "slo-burn-page"} {
			q := e.Query(id)
			if q.Err() != nil {
				t.Fatalf("%s: %v", id, q.Err())
			}
			col := slices.Index(q.Columns(), "agent")
			for _, r := range q.Results() {
				agent := r[col].AsString()
				if tripped[id] == nil {
					tripped[id] = map[string]Incident{}
				}
				if id == "slo-burn-page" && now.Before(warmUp) {
					continue
				}
				if _, seen := tripped[id][agent]; !seen {
					// The incident that explains it: the agent's now, or
					// the one it just left (windows outlast a phase).
					inc := g.IncidentAt(agentIndex[agent], now)
					if inc == Normal {
						inc = g.IncidentAt(agentIndex[agent], now.Add(-phase))
					}
					tripped[id][agent] = inc
				}
			}
		}
	}
	want := map[string]Incident{"policy-denials": DenialBurst, "critical-policy-trip": DenialBurst,
		"runaway-loops": RunawayLoop, "silent-agents": Silent, "slo-burn-page": ErrorSpike}
	for id, inc := range want {
		if len(tripped[id]) == 0 {
			t.Errorf("%s never had a row", id)
		}
		for agent, got := range tripped[id] {
			if got != inc {
				t.Errorf("%s had a row for %s during %s, want only during %s", id, agent, got, inc)
			}
		}
	}
	t.Logf("rows by query: %v", tripped)
}
