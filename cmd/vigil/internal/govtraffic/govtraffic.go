// Package govtraffic generates the governance pack's traffic: agents making
// tool calls under policies, heartbeats, trust signals, and a repeating
// cycle of incidents the pack's queries must catch (an error spike, a slow
// burn, a denial burst, a runaway loop, a silent agent, a trust collapse).
// The events are in the HTTP source's wire format, stamped with the time
// the caller gives, so a test drives it with a manual clock and `vigil
// serve -generate governance` with the wall clock.
package govtraffic

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Event is one element change in the HTTP source's wire format.
type Event struct {
	Operation string         `json:"operation"`
	Element   map[string]any `json:"element"`
	Timestamp int64          `json:"timestamp"`
}

// Incident is what an agent is made to do during one phase of the cycle.
type Incident string

// The incidents, each given to its own agent in turn.
const (
	Normal        Incident = "normal"
	ErrorSpike    Incident = "error-spike"    // every call fails: the fast-burn page
	SlowBurn      Incident = "slow-burn"      // 0.2 % of calls fail (the Workbook's slow burn): the ticket, never a page
	DenialBurst   Incident = "denial-burst"   // most calls denied: the violations query, the breaker
	RunawayLoop   Incident = "runaway-loop"   // one session calls over and over
	Silent        Incident = "silent"         // no calls, no heartbeats
	TrustCollapse Incident = "trust-collapse" // trust drops and no positive signal comes
)

// Incidents is the cycle's order.
var Incidents = []Incident{ErrorSpike, DenialBurst, RunawayLoop, Silent, TrustCollapse}

// Agent is one generated agent.
type Agent struct {
	ID, Name, Sponsor string
}

// Agents are the generated agents; the first is the slow burner, the
// others take the incidents in turn.
var Agents = []Agent{
	{"agent-ledger", "ledger", "finance"},
	{"agent-scout", "scout", "research"},
	{"agent-courier", "courier", "ops"},
	{"agent-intern", "intern", "research"},
	{"agent-nightowl", "night-owl", "ops"},
	{"agent-broker", "broker", "finance"},
}

var tools = []string{"search", "email", "shell", "payments", "calendar"}

// policies: (id, name, critical).
var policies = []struct {
	id, name string
	critical bool
}{{"pol-pii", "no PII egress", false}, {"pol-spend", "spend limit", false}, {"pol-prod", "no production writes", true}}

// Options tune a Generator.
type Options struct {
	Seed int64
	// Rate is tool calls per second over all agents (default 4).
	Rate float64
	// Phase is how long each incident lasts (default 6 minutes: a silent
	// agent must outlast the pack's five minutes without a heartbeat); the
	// cycle is one phase per incident with a normal phase between two.
	Phase time.Duration
	// Keep bounds the tool calls kept: older ones are deleted (default
	// 20,000), so a long demo's memory stays flat.
	Keep int
}

// Generator produces the traffic. It is not safe for concurrent use.
type Generator struct {
	o       Options
	rng     *rand.Rand
	start   time.Time
	started bool
	next    time.Time // the next tool call
	beats   map[string]time.Time
	calls   int
	session map[string]int
	// collapsed: agents whose trust collapse was sent in this phase.
	collapsed map[string]bool
}

// New returns a generator.
func New(o Options) *Generator {
	if o.Rate <= 0 {
		o.Rate = 4
	}
	if o.Phase <= 0 {
		o.Phase = 6 * time.Minute
	}
	if o.Keep <= 0 {
		o.Keep = 20000
	}
	return &Generator{o: o, rng: rand.New(rand.NewPCG(uint64(o.Seed), 0x60f)), beats: map[string]time.Time{}, session: map[string]int{}, collapsed: map[string]bool{}}
}

// IncidentAt is the incident the agent is in at time now: the cycle runs
// the incidents in order, each for one phase followed by a normal phase,
// giving incident k to agent 1 + k mod (agents − 1).
func (g *Generator) IncidentAt(agent int, now time.Time) Incident {
	if agent == 0 {
		return SlowBurn
	}
	if !g.started {
		return Normal
	}
	slot := int(now.Sub(g.start) / g.o.Phase)
	if slot%2 == 0 {
		return Normal
	}
	k := (slot / 2) % len(Incidents)
	if 1+k%(len(Agents)-1) != agent {
		return Normal
	}
	return Incidents[k]
}

// Tick returns the events due by now (the agents and policies on the first
// call, then tool calls at the rate, heartbeats every 30 s, trust signals).
func (g *Generator) Tick(now time.Time) []Event {
	var evs []Event
	if !g.started {
		g.started, g.start, g.next = true, now, now
		evs = g.setup(now)
	}
	for !g.next.After(now) {
		evs = append(evs, g.call(g.next)...)
		g.next = g.next.Add(time.Duration(float64(time.Second) / g.o.Rate))
	}
	for i, a := range Agents {
		inc := g.IncidentAt(i, now)
		// A trust collapse: trust drops to 620 and no positive signal
		// comes until the phase ends.
		if inc == TrustCollapse && !g.collapsed[a.ID] {
			g.collapsed[a.ID] = true
			evs = append(evs, node("update", a.ID, "Agent", map[string]any{"id": a.ID, "name": a.Name, "sponsor": a.Sponsor,
				"ring": 2, "trustScore": 620, "lastPositiveAt": rfc3339(now)}, now))
		} else if inc != TrustCollapse {
			g.collapsed[a.ID] = false
		}
		if inc == Silent {
			continue
		}
		if last, ok := g.beats[a.ID]; !ok || now.Sub(last) >= 30*time.Second {
			g.beats[a.ID] = now
			evs = append(evs, node("update", "hb-"+a.ID, "Heartbeat", map[string]any{"agent": a.ID, "at": rfc3339(now)}, now))
		}
	}
	return evs
}

func (g *Generator) setup(now time.Time) []Event {
	var evs []Event
	for _, p := range policies {
		evs = append(evs, node("insert", p.id, "Policy", map[string]any{"id": p.id, "name": p.name, "critical": p.critical}, now))
	}
	evs = append(evs, node("insert", "slo-default", "Slo", map[string]any{"id": "slo-default", "agent": "*", "target": 0.999, "window": "P30D"}, now))
	for _, a := range Agents {
		evs = append(evs, node("insert", a.ID, "Agent", map[string]any{"id": a.ID, "name": a.Name, "sponsor": a.Sponsor,
			"ring": 1, "trustScore": 950, "lastPositiveAt": rfc3339(now)}, now))
	}
	return evs
}

// call makes one tool call at time at, by an agent picked at random among
// those not silent, shaped by the agent's incident.
func (g *Generator) call(at time.Time) []Event {
	var active []int
	for i := range Agents {
		if g.IncidentAt(i, at) != Silent {
			active = append(active, i)
		}
	}
	ai := active[g.rng.IntN(len(active))]
	// An agent in a runaway loop takes half the calls.
	for i := range Agents {
		if g.IncidentAt(i, at) == RunawayLoop && g.rng.IntN(2) == 0 {
			ai = i
		}
	}
	a := Agents[ai]
	inc := g.IncidentAt(ai, at)
	decision, outcome, policy := "allow", "ok", policies[g.rng.IntN(2)].id
	switch inc {
	case ErrorSpike:
		outcome = "error"
	case SlowBurn:
		if g.rng.Float64() < 0.002 {
			outcome = "error"
		}
	case DenialBurst:
		if g.rng.Float64() < 0.8 {
			decision = "deny"
		}
	default:
		// Rare enough that a normal agent trips nothing: at the demo's
		// rate an agent makes about a thousand calls in the denials
		// query's ten minutes.
		if g.rng.Float64() < 0.0005 {
			outcome = "error"
		}
		if g.rng.Float64() < 0.0005 {
			decision = "deny"
		}
	}
	if decision == "deny" && inc == DenialBurst && g.rng.IntN(10) == 0 {
		policy = "pol-prod" // critical: trips at once
	}
	// A normal session is ten calls, well under the runaway budget; a
	// runaway loop keeps calling in one session.
	session := fmt.Sprintf("%s-s%d", a.ID, g.session[a.ID]/10)
	if inc == RunawayLoop {
		session = a.ID + "-loop"
	} else {
		g.session[a.ID]++
	}
	g.calls++
	id := fmt.Sprintf("call-%d", g.calls)
	evs := []Event{
		node("insert", id, "ToolCall", map[string]any{"id": id, "agent": a.ID, "session": session, "tool": tools[g.rng.IntN(len(tools))],
			"decision": decision, "policy": policy, "severity": "low", "outcome": outcome,
			"latencyMs": 20 + g.rng.IntN(400), "costUsd": float64(g.rng.IntN(100)) / 1000, "at": rfc3339(at)}, at),
		relation("made-"+id, "MADE", a.ID, id, at),
		relation("under-"+id, "UNDER", id, policy, at),
	}
	// Trust: a good call now and then is a positive signal (none while
	// the agent's trust collapses: see Tick).
	if inc == Normal && outcome == "ok" && decision == "allow" && g.rng.IntN(50) == 0 {
		evs = append(evs, node("update", a.ID, "Agent", map[string]any{"id": a.ID, "name": a.Name, "sponsor": a.Sponsor,
			"ring": 1, "trustScore": 950, "lastPositiveAt": rfc3339(at)}, at))
	}
	if old := g.calls - g.o.Keep; old > 0 {
		evs = append(evs, Event{Operation: "delete", Element: map[string]any{"id": fmt.Sprintf("call-%d", old)}, Timestamp: at.UnixMilli()})
	}
	return evs
}

// rfc3339 is how times travel over HTTP: RFC 3339 strings.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func node(op, id, label string, props map[string]any, t time.Time) Event {
	return Event{op, map[string]any{"type": "node", "id": id, "labels": []string{label}, "properties": props}, t.UnixMilli()}
}

func relation(id, typ, from, to string, t time.Time) Event {
	return Event{"insert", map[string]any{"type": "relation", "id": id, "labels": []string{typ}, "from": from, "to": to, "properties": map[string]any{}}, t.UnixMilli()}
}
