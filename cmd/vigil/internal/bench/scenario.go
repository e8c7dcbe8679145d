package bench

import (
	"fmt"
	"strings"
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

// Scenario is one benchmark: a continuous query over a workload, and the
// from-scratch reference query the re-run line evaluates per change.
type Scenario struct {
	Name        string // the JSON scenario key
	Drasi       string // the matching Drasi query-perf scenario, if any
	Description string
	Query       string
	// RerunQuery is what the oracle evaluates from scratch per change; empty
	// means Query. RerunParams gives its parameters at the engine's clock.
	RerunQuery  string
	RerunParams func(now time.Time) map[string]value.Value
	// NewWorkload returns the scenario's workload for a seed.
	NewWorkload func(seed int64) Workload
}

// The building-comfort queries, as in Drasi's query-perf scenarios.
const (
	ProjectionQuery = `MATCH (r:Room)
RETURN r.name AS RoomName, r.temperature AS Temperature, r.humidity AS Humidity, r.co2 AS CO2`

	CalculationQuery = `MATCH (r:Room)
RETURN r.name AS RoomName,
  floor(50 + (r.temperature - 72) + (r.humidity - 42) +
        CASE WHEN r.co2 > 500 THEN (r.co2 - 500) / 25 ELSE 0 END) AS ComfortLevel`

	AveragingQuery = `MATCH (r:Room)-[:PART_OF]->(f:Floor)
WITH f.name AS FloorName,
  floor(50 + (r.temperature - 72) + (r.humidity - 42) +
        CASE WHEN r.co2 > 500 THEN (r.co2 - 500) / 25 ELSE 0 END) AS RoomComfortLevel
RETURN FloorName, avg(RoomComfortLevel) AS ComfortLevel`

	// Join2Query is a two-hop join over the same model: every room change
	// is solved through its floor to its building.
	Join2Query = `MATCH (r:Room)-[:PART_OF]->(f:Floor)-[:PART_OF]->(b:Building)
RETURN b.name AS Building, f.name AS Floor, r.name AS Room, r.temperature AS Temperature`

	// GovernanceQuery counts each agent's denied tool calls over the last
	// minute (the window of DefaultGovernance).
	GovernanceQuery = `MATCH (c:ToolCall) WHERE c.decision = 'deny'
RETURN c.agent AS agent, drasi.slidingWindow(duration({minutes: 1}), count(c)) AS denials`

	// GovernanceRerunQuery is the from-scratch equivalent of
	// GovernanceQuery: a call counts while at > now - window (the engine
	// expires a window entry once now reaches its arrival + window).
	GovernanceRerunQuery = `MATCH (c:ToolCall) WHERE c.decision = 'deny' AND c.at > $since
RETURN c.agent AS agent, count(c) AS denials`
)

func building(cfg BuildingConfig) func(int64) Workload {
	return func(seed int64) Workload { return NewBuilding(cfg, seed) }
}

// noChangeBuildings is the Drasi model with 90 % of the changes leaving the
// comfort level unchanged.
var noChangeBuildings = func() BuildingConfig { c := DrasiBuildings; c.NoChangeShare = 0.9; return c }()

// Scenarios lists every scenario in run order.
var Scenarios = []Scenario{
	{Name: "projection", Drasi: "single_node_property_projection",
		Description: "single-node property projection over 2,000 rooms",
		Query:       ProjectionQuery, NewWorkload: building(DrasiBuildings)},
	{Name: "calculation", Drasi: "single_node_calculation_projection",
		Description: "single-node calculation projection (comfort-level formula)",
		Query:       CalculationQuery, NewWorkload: building(DrasiBuildings)},
	{Name: "averaging", Drasi: "single_path_averaging_projection",
		Description: "room -> floor path, average comfort level per floor",
		Query:       AveragingQuery, NewWorkload: building(DrasiBuildings)},
	{Name: "averaging_no_change", Drasi: "single_path_no_change_averaging_projection",
		Description: "the averaging query where 90% of changes leave the average unchanged",
		Query:       AveragingQuery, NewWorkload: building(noChangeBuildings)},
	{Name: "join2", Description: "two-hop join room -> floor -> building, projection",
		Query: Join2Query, NewWorkload: building(DrasiBuildings)},
	{Name: "governance", Description: "tool-call inserts, sliding-window count of denials per agent, futures firing",
		Query: GovernanceQuery, RerunQuery: GovernanceRerunQuery,
		RerunParams: func(now time.Time) map[string]value.Value {
			return map[string]value.Value{"since": value.Int(now.Add(-DefaultGovernance.Window).UnixMilli())}
		},
		NewWorkload: func(seed int64) Workload { return NewGovernance(DefaultGovernance, seed) }},
}

// Names lists the scenario names, many_queries (RunManyQueries) last.
func Names() []string {
	out := make([]string, len(Scenarios))
	for i, s := range Scenarios {
		out[i] = s.Name
	}
	return append(out, ManyQueriesName)
}

// Select returns the scenarios named by name: one name, a comma-separated
// list, or "all".
func Select(name string) ([]Scenario, error) {
	if name == "" || name == "all" {
		return Scenarios, nil
	}
	var out []Scenario
	for _, n := range strings.Split(name, ",") {
		if strings.TrimSpace(n) == ManyQueriesName {
			out = append(out, Scenario{Name: ManyQueriesName, Description: "1 to 10,000 queries, all but one over labels no change carries"})
			continue
		}
		found := false
		for _, s := range Scenarios {
			if s.Name == strings.TrimSpace(n) {
				out = append(out, s)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown scenario %q (have %s, or all)", n, strings.Join(Names(), ", "))
		}
	}
	return out, nil
}
