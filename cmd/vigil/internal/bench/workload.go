package bench

import (
	"fmt"
	"math/rand"
	"strings"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
)

// Step is one element of a scenario's change stream: a change, and
// optionally a clock move (a scheduler tick) to apply right after it.
type Step struct {
	Change engine.Change
	// Tick, when not zero, is the time the clock is moved to (AdvanceTo)
	// after Change is applied, firing the futures due by then.
	Tick time.Time
}

// Workload generates a scenario's elements and changes deterministically
// from a seed. Every call returns fresh Props maps, as a source decoding
// each change does.
type Workload interface {
	// Start is the engine clock before the bootstrap.
	Start() time.Time
	// Bootstrap returns the initial elements, as inserts, in load order.
	Bootstrap() []engine.Change
	// Next returns the next step of the change stream.
	Next() Step
}

// BuildingConfig sizes the building-comfort model and chooses how its
// change stream moves room properties.
type BuildingConfig struct {
	Buildings      int // buildings (Drasi: 10)
	FloorsPerBldg  int // floors per building (Drasi: 10)
	RoomsPerFloor  int // rooms per floor (Drasi: 20)
	MaxDelta       float64
	NoChangeShare  float64 // share of changes that leave a room's comfort level unchanged (see Building)
	StartMillis    int64   // bootstrap clock, ms since the epoch (Drasi: 0)
	RunStartMillis int64   // first change time, ms (Drasi: 5,000,000)
}

// DrasiBuildings is the model of Drasi's query-perf building-comfort
// scenarios: 10 buildings × 10 floors × 20 rooms, 2,110 nodes and 2,100
// PART_OF relations (4,210 elements), rooms starting at 72 °F, 42 % humidity
// and 500 ppm CO2, changes moving one property by a uniform ±2.0 every 1–3 ms.
var DrasiBuildings = BuildingConfig{
	Buildings: 10, FloorsPerBldg: 10, RoomsPerFloor: 20,
	MaxDelta: 2.0, StartMillis: 0, RunStartMillis: 5_000_000,
}

// Building is the building-comfort workload (Drasi's query-perf model):
// (:Room)-[:PART_OF]->(:Floor)-[:PART_OF]->(:Building). Each change is the
// full new state of one random room with one of temperature, humidity and
// co2 moved by a uniform delta in [-MaxDelta, MaxDelta].
//
// With NoChangeShare > 0, that share of the changes are CO2 readings kept at
// or below 500 ppm (reflected at 500), which the comfort formula ignores, so
// the room's comfort level — and its floor's average — does not move; the
// rest are temperature or humidity changes. Drasi's own
// single_path_no_change_averaging_projection uses its ordinary generator;
// this variant makes the "no change" property explicit.
type Building struct {
	cfg                BuildingConfig
	rng                *rand.Rand
	ids, names, floors []string
	temp, hum, co2     []float64
	now                int64 // ms
}

// NewBuilding returns the building-comfort workload for cfg and seed.
func NewBuilding(cfg BuildingConfig, seed int64) *Building {
	w := &Building{cfg: cfg, rng: rand.New(rand.NewSource(seed)), now: cfg.RunStartMillis}
	for b := 0; b < cfg.Buildings; b++ {
		for f := 0; f < cfg.FloorsPerBldg; f++ {
			for r := 0; r < cfg.RoomsPerFloor; r++ {
				id := fmt.Sprintf("r_%d_%d_%d", b, f, r)
				w.ids = append(w.ids, id)
				w.names = append(w.names, "Room "+id)
				w.floors = append(w.floors, fmt.Sprintf("f_%d_%d", b, f))
				w.temp = append(w.temp, 72)
				w.hum = append(w.hum, 42)
				w.co2 = append(w.co2, 500)
			}
		}
	}
	return w
}

// Rooms is the number of rooms.
func (w *Building) Rooms() int { return len(w.ids) }

// Room returns room i's id, floor id and current temperature, humidity and
// CO2 as the stream last reported them.
func (w *Building) Room(i int) (id, floor string, temp, hum, co2 float64) {
	return w.ids[i], w.floors[i], w.temp[i], w.hum[i], w.co2[i]
}

// Start is the bootstrap clock.
func (w *Building) Start() time.Time { return time.UnixMilli(w.cfg.StartMillis).UTC() }

func (w *Building) roomProps(i int) map[string]value.Value {
	return map[string]value.Value{
		"name":        value.Str(w.names[i]),
		"temperature": value.Float(w.temp[i]),
		"humidity":    value.Float(w.hum[i]),
		"co2":         value.Float(w.co2[i]),
	}
}

// Bootstrap returns buildings, floors, rooms and their PART_OF relations.
func (w *Building) Bootstrap() []engine.Change {
	c := w.cfg
	out := make([]engine.Change, 0, c.Buildings*(1+c.FloorsPerBldg*(2+2*c.RoomsPerFloor)))
	t := c.StartMillis
	at := func() time.Time { t++; return time.UnixMilli(t).UTC() }
	node := func(id, label string, props map[string]value.Value) {
		out = append(out, engine.Change{Op: engine.OpInsert, Time: at(), Element: engine.Element{ID: id, Labels: []string{label}, Props: props}})
	}
	rel := func(from, to string) {
		out = append(out, engine.Change{Op: engine.OpInsert, Time: at(), Element: engine.Element{ID: "po_" + from + "_" + to, Type: "PART_OF", From: from, To: to, Props: map[string]value.Value{}}})
	}
	i := 0
	for b := 0; b < c.Buildings; b++ {
		bid := fmt.Sprintf("b_%d", b)
		node(bid, "Building", map[string]value.Value{"name": value.Str(fmt.Sprintf("Building %d", b))})
		for f := 0; f < c.FloorsPerBldg; f++ {
			fid := fmt.Sprintf("f_%d_%d", b, f)
			node(fid, "Floor", map[string]value.Value{"name": value.Str("Floor " + fid)})
			rel(fid, bid)
			for r := 0; r < c.RoomsPerFloor; r++ {
				// The name as a source decodes it, a string of its own:
				// the engine keeps it, and bytes/element counts it.
				p := w.roomProps(i)
				p["name"] = value.Str(strings.Clone(w.names[i]))
				node(w.ids[i], "Room", p)
				rel(w.ids[i], fid)
				i++
			}
		}
	}
	return out
}

// Next moves one property of a random room and returns the room's new state.
func (w *Building) Next() Step {
	w.now += 1 + w.rng.Int63n(3)
	i := w.rng.Intn(len(w.ids))
	d := (w.rng.Float64()*2 - 1) * w.cfg.MaxDelta
	if w.cfg.NoChangeShare > 0 {
		if w.rng.Float64() < w.cfg.NoChangeShare {
			v := w.co2[i] + d
			if v > 500 {
				v = 1000 - v
			}
			w.co2[i] = v
		} else if w.rng.Intn(2) == 0 {
			w.temp[i] += d
		} else {
			w.hum[i] += d
		}
	} else {
		switch w.rng.Intn(3) {
		case 0:
			w.temp[i] += d
		case 1:
			w.hum[i] += d
		default:
			w.co2[i] += d
		}
	}
	return Step{Change: engine.Change{Op: engine.OpUpdate, Time: time.UnixMilli(w.now).UTC(),
		Element: engine.Element{ID: w.ids[i], Labels: []string{"Room"}, Props: w.roomProps(i)}}}
}

// GovernanceConfig sizes the governance workload.
type GovernanceConfig struct {
	Agents, Tools int
	History       int           // tool calls in the bootstrap
	DenyShare     float64       // share of calls denied
	Window        time.Duration // the sliding window of the query
	TickEvery     int           // a scheduler tick (AdvanceTo) after every TickEvery calls
	TickGap       time.Duration // how far each tick moves the clock
}

// DefaultGovernance: 100 agents, 20 tools, 1,000 calls of history, 20 %
// denials, a one-minute window, a 100 ms scheduler tick every 100 calls.
var DefaultGovernance = GovernanceConfig{
	Agents: 100, Tools: 20, History: 1000, DenyShare: 0.2,
	Window: time.Minute, TickEvery: 100, TickGap: 100 * time.Millisecond,
}

// Governance is the agent-governance workload: tool calls arrive as
// inserts of :ToolCall nodes (agent, tool, decision, at in ms since the
// epoch) every 1–3 ms, and every TickEvery calls the scheduler moves the
// clock by TickGap so that windows expire through AdvanceTo as well as
// through Apply.
type Governance struct {
	cfg   GovernanceConfig
	rng   *rand.Rand
	now   int64 // ms
	calls int
}

// GovernanceStart is the governance workload's bootstrap clock.
var GovernanceStart = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)

// NewGovernance returns the governance workload for cfg and seed.
func NewGovernance(cfg GovernanceConfig, seed int64) *Governance {
	return &Governance{cfg: cfg, rng: rand.New(rand.NewSource(seed)), now: GovernanceStart.UnixMilli()}
}

// Start is the bootstrap clock.
func (w *Governance) Start() time.Time { return GovernanceStart }

func (w *Governance) call() engine.Change {
	w.now += 1 + w.rng.Int63n(3)
	id := fmt.Sprintf("call-%d", w.calls)
	w.calls++
	dec := "allow"
	if w.rng.Float64() < w.cfg.DenyShare {
		dec = "deny"
	}
	return engine.Change{Op: engine.OpInsert, Time: time.UnixMilli(w.now).UTC(), Element: engine.Element{
		ID: id, Labels: []string{"ToolCall"}, Props: map[string]value.Value{
			"agent":    value.Str(fmt.Sprintf("agent-%d", w.rng.Intn(w.cfg.Agents))),
			"tool":     value.Str(fmt.Sprintf("tool-%d", w.rng.Intn(w.cfg.Tools))),
			"decision": value.Str(dec),
			"at":       value.Int(w.now),
		}}}
}

// Bootstrap returns the agents, the tools and the history of tool calls.
func (w *Governance) Bootstrap() []engine.Change {
	var out []engine.Change
	at := GovernanceStart
	for a := 0; a < w.cfg.Agents; a++ {
		id := fmt.Sprintf("agent-%d", a)
		out = append(out, engine.Change{Op: engine.OpInsert, Time: at, Element: engine.Element{ID: id, Labels: []string{"Agent"},
			Props: map[string]value.Value{"name": value.Str(id), "trust": value.Int(500)}}})
	}
	for t := 0; t < w.cfg.Tools; t++ {
		id := fmt.Sprintf("tool-%d", t)
		out = append(out, engine.Change{Op: engine.OpInsert, Time: at, Element: engine.Element{ID: id, Labels: []string{"Tool"},
			Props: map[string]value.Value{"name": value.Str(id), "risk": value.Int(int64(t % 10))}}})
	}
	for i := 0; i < w.cfg.History; i++ {
		out = append(out, w.call())
	}
	return out
}

// Next returns the next tool call, with a tick after every TickEvery calls.
func (w *Governance) Next() Step {
	s := Step{Change: w.call()}
	if w.cfg.TickEvery > 0 && (w.calls-w.cfg.History)%w.cfg.TickEvery == 0 {
		w.now += w.cfg.TickGap.Milliseconds()
		s.Tick = time.UnixMilli(w.now).UTC()
	}
	return s
}
