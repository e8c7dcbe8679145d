package engine

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

// benchGraph loads agents, tools and calls: agents -CALLED-> calls -USED-> tools.
func benchGraph(b *testing.B, e *Engine, agents, callsPerAgent, tools int) {
	b.Helper()
	var ch []Change
	for t := 0; t < tools; t++ {
		ch = append(ch, Change{Op: OpInsert, Element: Element{ID: fmt.Sprintf("t%d", t), Labels: []string{"Tool"},
			Props: map[string]value.Value{"name": value.Str(fmt.Sprintf("tool-%d", t))}}})
	}
	for a := 0; a < agents; a++ {
		aid := fmt.Sprintf("a%d", a)
		ch = append(ch, Change{Op: OpInsert, Element: Element{ID: aid, Labels: []string{"Agent"},
			Props: map[string]value.Value{"name": value.Str(aid), "trust": value.Int(500)}}})
		for c := 0; c < callsPerAgent; c++ {
			cid := fmt.Sprintf("c%d_%d", a, c)
			ch = append(ch,
				Change{Op: OpInsert, Element: Element{ID: cid, Labels: []string{"Call"},
					Props: map[string]value.Value{"latency": value.Int(int64(c * 10)), "decision": value.Str("allow")}}},
				Change{Op: OpInsert, Element: Element{ID: "r" + cid, Type: "CALLED", From: aid, To: cid}},
				Change{Op: OpInsert, Element: Element{ID: "u" + cid, Type: "USED", From: cid, To: fmt.Sprintf("t%d", c%tools)}})
		}
	}
	if _, err := e.Apply(ch); err != nil {
		b.Fatal(err)
	}
}

// benchUpdates pre-builds a stream of property updates of random agents.
func benchAgentUpdates(n, agents int) []Change {
	rng := rand.New(rand.NewSource(1))
	out := make([]Change, n)
	for i := range out {
		aid := fmt.Sprintf("a%d", rng.Intn(agents))
		out[i] = Change{Op: OpUpdate, Time: time.Unix(int64(i), 0), Element: Element{ID: aid, Labels: []string{"Agent"},
			Props: map[string]value.Value{"name": value.Str(aid), "trust": value.Int(int64(rng.Intn(1000)))}}}
	}
	return out
}

func benchCallUpdates(n, agents, calls int) []Change {
	rng := rand.New(rand.NewSource(2))
	out := make([]Change, n)
	for i := range out {
		cid := fmt.Sprintf("c%d_%d", rng.Intn(agents), rng.Intn(calls))
		dec := "allow"
		if rng.Intn(3) == 0 {
			dec = "deny"
		}
		out[i] = Change{Op: OpUpdate, Time: time.Unix(int64(i), 0), Element: Element{ID: cid, Labels: []string{"Call"},
			Props: map[string]value.Value{"latency": value.Int(int64(rng.Intn(1000))), "decision": value.Str(dec)}}}
	}
	return out
}

func runBench(b *testing.B, query string, stream func(n int) []Change) {
	e := New(Options{})
	benchGraph(b, e, 1000, 5, 20)
	if _, err := e.AddQuery(QuerySpec{ID: "q", Text: query}); err != nil {
		b.Fatal(err)
	}
	changes := stream(b.N)
	one := make([]Change, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		one[0] = changes[i]
		if _, err := e.Apply(one); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/change")
}

// BenchmarkFilter: a single-node filter with a projection.
func BenchmarkFilter(b *testing.B) {
	runBench(b, "MATCH (a:Agent) WHERE a.trust < 400 RETURN a.name AS name, a.trust AS trust",
		func(n int) []Change { return benchAgentUpdates(n, 1000) })
}

// BenchmarkTwoHopJoin: agent -> call -> tool, changes to calls.
func BenchmarkTwoHopJoin(b *testing.B) {
	runBench(b, "MATCH (a:Agent)-[:CALLED]->(c:Call)-[:USED]->(t:Tool) WHERE c.decision = 'deny' RETURN a.name AS agent, t.name AS tool, c.latency AS latency",
		func(n int) []Change { return benchCallUpdates(n, 1000, 5) })
}

// BenchmarkGroupedAggregation: per-agent count and average over calls.
func BenchmarkGroupedAggregation(b *testing.B) {
	runBench(b, "MATCH (a:Agent)-[:CALLED]->(c:Call) RETURN a.name AS agent, count(c) AS calls, avg(c.latency) AS latency, max(c.latency) AS worst",
		func(n int) []Change { return benchCallUpdates(n, 1000, 5) })
}
