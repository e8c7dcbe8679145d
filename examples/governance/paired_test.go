package governance

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
)

// TestPairedCypherGQL feeds one random change stream (seeded: the seed is
// printed; VIGIL_SEED=n replays it) through every query of the pack in both
// languages and compares each pair's result multiset after every batch and
// every clock move. Each pair runs twice: with the pack's params, and with
// thresholds lowered so that a short random stream crosses them often.
func TestPairedCypherGQL(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("VIGIL_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("VIGIL_SEED: %v", err)
		}
		seed = v
	}
	runs, steps := 4, 400
	if testing.Short() {
		runs, steps = 1, 200
	}
	t.Logf("seed %d (replay with VIGIL_SEED=%d)", seed, seed)
	pack := loadPack(t)
	low := map[string]value.Value{
		"maxDenials": value.Int(2), "sessionCallBudget": value.Int(3), "minOpenAgents": value.Int(2),
		"denialWindow": value.Str("PT3M"), "loopWindow": value.Str("PT40S"), "criticalWindow": value.Str("PT7M"),
	}
	nonEmpty := map[string]int{}
	for r := range runs {
		rng := rand.New(rand.NewPCG(seed, uint64(r)))
		start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		e := engine.New(engine.Options{Start: start})
		type pair struct{ name, cy, gq string }
		var pairs []pair
		for _, n := range cypherNames(pack) {
			for _, variant := range []string{"", "~low"} {
				for _, id := range []string{n, n + "-gql"} {
					s := spec(t, pack, id)
					s.ID = id + variant
					if variant != "" {
						ps := map[string]value.Value{}
						for k, v := range s.Params {
							ps[k] = v
						}
						for k, v := range low {
							if _, ok := ps[k]; ok {
								ps[k] = v
							}
						}
						s.Params = ps
					}
					if _, err := e.AddQuery(s); err != nil {
						t.Fatalf("%s: %v", s.ID, err)
					}
				}
				pairs = append(pairs, pair{n + variant, n + variant, n + "-gql" + variant})
			}
		}
		g := newGen(rng, start)
		for i := range steps {
			var err error
			what := "clock"
			if rng.IntN(5) == 0 {
				g.now = g.now.Add(g.jump())
				_, err = e.AdvanceTo(g.now)
			} else {
				batch := g.batch()
				what = fmt.Sprintf("batch of %d", len(batch))
				_, err = e.Apply(batch)
			}
			if err != nil {
				t.Fatalf("run %d step %d: %v", r, i, err)
			}
			for _, p := range pairs {
				qc, qg := e.Query(p.cy), e.Query(p.gq)
				if qc.Err() != nil || qg.Err() != nil {
					t.Fatalf("run %d step %d: %s: %v / %v", r, i, p.name, qc.Err(), qg.Err())
				}
				a, b := resultSet(qc), resultSet(qg)
				if fmt.Sprint(a) != fmt.Sprint(b) {
					t.Fatalf("seed %d run %d step %d (%s at %s): %s differs\ncypher: %v\ngql:    %v", seed, r, i, what, g.now.Format(time.RFC3339Nano), p.name, a, b)
				}
				if len(a) > 0 {
					nonEmpty[p.name]++
				}
			}
		}
	}
	// How often each pair had rows to compare (a pair never non-empty
	// would compare nothing).
	for _, n := range cypherNames(pack) {
		t.Logf("%-22s steps with rows: %4d with the pack's params, %4d lowered", n, nonEmpty[n], nonEmpty[n+"~low"])
		if nonEmpty[n]+nonEmpty[n+"~low"] == 0 && !testing.Short() {
			t.Errorf("%s never had a row: the stream does not exercise it", n)
		}
	}
}

// gen makes a random stream of governance changes.
type gen struct {
	rng   *rand.Rand
	now   time.Time
	calls []string // live tool calls
	n     int
}

func newGen(rng *rand.Rand, start time.Time) *gen { return &gen{rng: rng, now: start} }

func (g *gen) pick(xs ...string) string { return xs[g.rng.IntN(len(xs))] }

// jump is how far the clock moves: mostly seconds, sometimes minutes or
// hours, now and then days (the 3-day window).
func (g *gen) jump() time.Duration {
	switch g.rng.IntN(20) {
	case 0:
		return time.Duration(g.rng.IntN(4*24)) * time.Hour
	case 1, 2:
		return time.Duration(g.rng.IntN(7*60)) * time.Minute
	case 3, 4, 5, 6:
		return time.Duration(g.rng.IntN(30*60)) * time.Second
	}
	return time.Duration(g.rng.IntN(20000)) * time.Millisecond
}

// ts is a time as a source would send it: an RFC 3339 string (HTTP) or a
// datetime (PostgreSQL).
func (g *gen) ts(t time.Time) value.Value {
	if g.rng.IntN(2) == 0 {
		return value.Str(t.UTC().Format(time.RFC3339Nano))
	}
	return value.DateTimeOf(t)
}

func (g *gen) batch() []engine.Change {
	g.now = g.now.Add(g.jump() / 4)
	var out []engine.Change
	ins := func(op engine.Op, id, label string, props map[string]value.Value) {
		out = append(out, node(op, g.now, id, label, props))
	}
	for range 1 + g.rng.IntN(6) {
		agent := g.pick("a1", "a2", "a3", "a4")
		switch k := g.rng.IntN(100); {
		case k < 50: // a tool call, with its relations
			g.n++
			id := fmt.Sprintf("c%d", g.n)
			at := g.now.Add(-time.Duration(g.rng.IntN(3)) * time.Minute)
			ins(engine.OpInsert, id, "ToolCall", map[string]value.Value{
				"id": value.Str(id), "agent": value.Str(agent), "session": value.Str(agent + g.pick("-s1", "-s1", "-s2")),
				"tool": value.Str(g.pick("shell", "http", "sql")), "decision": value.Str(g.pick("allow", "allow", "deny")),
				"policy": value.Str(g.pick("p1", "p2", "p3")), "severity": value.Str(g.pick("low", "high")),
				"outcome": value.Str(g.pick("ok", "ok", "error")), "latencyMs": value.Int(int64(g.rng.IntN(900))),
				"costUsd": value.Float(float64(g.rng.IntN(100)) / 100), "at": g.ts(at),
			})
			out = append(out, rel(engine.OpInsert, g.now, "made-"+id, "MADE", agent, id))
			if g.rng.IntN(4) > 0 {
				out = append(out, rel(engine.OpInsert, g.now, "under-"+id, "UNDER", id, g.pick("p1", "p2", "p3")))
			}
			g.calls = append(g.calls, id)
		case k < 56 && len(g.calls) > 0: // a call changes (its outcome is known) or goes
			i := g.rng.IntN(len(g.calls))
			id := g.calls[i]
			if g.rng.IntN(2) == 0 {
				out = append(out, engine.Change{Op: engine.OpDelete, Time: g.now, Element: engine.Element{ID: id}})
				g.calls = append(g.calls[:i], g.calls[i+1:]...)
			} else {
				ins(engine.OpUpdate, id, "ToolCall", map[string]value.Value{
					"id": value.Str(id), "agent": value.Str(agent), "session": value.Str(agent + "-s1"),
					"decision": value.Str(g.pick("allow", "deny")), "outcome": value.Str(g.pick("ok", "error")), "at": g.ts(g.now),
				})
			}
		case k < 68: // an agent: a positive signal, a penalty, or a ring change
			score := []float64{950.015625, 905, 720, 650.5, 401, 350, 120, 100, 50}[g.rng.IntN(9)]
			since := g.now.Add(-time.Duration(g.rng.IntN(400)) * time.Hour)
			ins(engine.OpUpdate, agent, "Agent", map[string]value.Value{
				"id": value.Str(agent), "name": value.Str("agent " + agent), "sponsor": value.Str(g.pick("acme", "acme", "globex")),
				"ring": value.Int(int64(g.rng.IntN(4))), "trustScore": value.Float(score), "lastPositiveAt": g.ts(since),
			})
		case k < 78: // a heartbeat, updated in place or new
			id := "hb-" + agent
			if g.rng.IntN(3) == 0 {
				g.n++
				id = fmt.Sprintf("hb%d", g.n)
			}
			ins(engine.OpUpdate, id, "Heartbeat", map[string]value.Value{"agent": value.Str(agent), "at": g.ts(g.now.Add(-time.Duration(g.rng.IntN(60)) * time.Second))})
		case k < 88: // a breaker
			ins(engine.OpUpdate, "br-"+agent, "Breaker", map[string]value.Value{
				"key": value.Str(agent), "state": value.Str(g.pick("OPEN", "OPEN", "CLOSED", "HALF_OPEN")), "since": g.ts(g.now), "reason": value.Str("test"),
			})
		case k < 93: // a policy
			p := g.pick("p1", "p2", "p3")
			ins(engine.OpUpdate, p, "Policy", map[string]value.Value{"id": value.Str(p), "name": value.Str("policy " + p), "critical": value.Bool(g.rng.IntN(2) == 0)})
		default: // an SLO: the default one or an agent's own
			id, who := "slo-default", "*"
			if g.rng.IntN(2) == 0 {
				id, who = "slo-"+agent, agent
			}
			if g.rng.IntN(6) == 0 {
				out = append(out, engine.Change{Op: engine.OpDelete, Time: g.now, Element: engine.Element{ID: id}})
				continue
			}
			ins(engine.OpUpdate, id, "Slo", map[string]value.Value{
				"id": value.Str(id), "agent": value.Str(who), "target": value.Float([]float64{0.999, 0.99, 0.9, 0.5}[g.rng.IntN(4)]),
				"window": value.Str(g.pick("PT10M", "PT1H", "P1D", "P30D")),
			})
		}
	}
	return out
}
