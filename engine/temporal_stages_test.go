package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

func TestTemporalAfterAggregationFires(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e := New(Options{Start: t0})
	q, err := e.AddQuery(QuerySpec{ID: "q", Text: `MATCH (c:ToolCall) WHERE c.outcome = 'error'
WITH c.agent AS agent, count(c) AS errors
WHERE drasi.trueFor(errors >= 3, duration({minutes: 5}))
RETURN agent, errors`})
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{"c1", "c2", "c3"} {
		_, err := e.Apply([]Change{{Op: OpInsert, Time: t0.Add(time.Duration(i) * time.Second), Element: Element{ID: id, Labels: []string{"ToolCall"},
			Props: map[string]value.Value{"outcome": value.Str("error"), "agent": value.Str("a1")}}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(q.Results()); n != 0 {
		t.Fatalf("row before 5 minutes: %v", q.Results())
	}
	if _, err := e.AdvanceTo(t0.Add(2*time.Second + 5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n := len(q.Results()); n != 1 {
		t.Fatalf("after 5 minutes: %v (next due %v)", q.Results(), fmtDue(e))
	}
}

func fmtDue(e *Engine) string {
	d, ok := e.NextDue()
	if !ok {
		return "none"
	}
	return d.String()
}

func TestTrueLaterAfterClockProjectionFires(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e := New(Options{Start: t0})
	q, err := e.AddQuery(QuerySpec{ID: "q", Text: `MATCH (a:Agent)
WITH a, (datetime.realtime().epochMillis - a.lastSeen.epochMillis) / 60000 AS idle
WITH a, idle * 2 AS penalty
WHERE drasi.trueLater(penalty >= 20, a.lastSeen + duration({minutes: 10}))
RETURN a.id AS agent, penalty`})
	if err != nil {
		t.Fatal(err)
	}
	ls, err := value.ParseTemporal(value.KindDateTime, "2026-01-01T00:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Apply([]Change{{Op: OpInsert, Time: t0, Element: Element{ID: "a1", Labels: []string{"Agent"},
		Props: map[string]value.Value{"id": value.Str("a1"), "lastSeen": ls}}}}); err != nil {
		t.Fatal(err)
	}
	if n := len(q.Results()); n != 0 {
		t.Fatalf("row before 10 minutes: %v", q.Results())
	}
	if _, err := e.AdvanceTo(t0.Add(10 * time.Minute)); err != nil {
		t.Fatal(err)
	}
	if r := q.Results(); len(r) != 1 {
		t.Fatalf("after 10 minutes: %v (next due %v)", r, fmtDue(e))
	}
}

// TestTemporalFunctionsWhereNothingCanFireAreRefused: a temporal function in
// a position no stage re-evaluates when it falls due fails registration,
// naming the function and its position, instead of never firing.
func TestTemporalFunctionsWhereNothingCanFireAreRefused(t *testing.T) {
	cases := []struct{ text, want string }{
		{"MATCH (a:A) OPTIONAL MATCH (a)-[:T]->(b) WHERE drasi.trueLater(b.ok, b.at) RETURN a, b",
			"line 1 col 48: drasi.trueLater cannot be used in the WHERE of an OPTIONAL MATCH"},
		{"MATCH (a:A) RETURN a.g AS g, count(CASE WHEN drasi.trueFor(a.ok, duration({minutes: 1})) THEN 1 END) AS n",
			"drasi.trueFor cannot be used inside a grouping key or an aggregate's argument"},
		{"MATCH (a:A) WITH drasi.previousValue(a.x) AS k, count(*) AS n RETURN k, n",
			"drasi.previousValue cannot be used inside a grouping key"},
	}
	for _, c := range cases {
		e := New(Options{})
		_, err := e.AddQuery(QuerySpec{ID: "q", Text: c.text})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got %v\nwant an error containing %q", c.text, err, c.want)
		}
	}
}

// TestTemporalArgumentErrorsFollowTheConvention: a run-time argument of a
// type an engine function does not accept is TypeError InvalidArgumentValue,
// as for every other function.
func TestTemporalArgumentErrorsFollowTheConvention(t *testing.T) {
	for _, text := range []string{
		"MATCH (n:A) RETURN drasi.changeDateTime(n.x) AS t",
		"MATCH (n:A) WHERE drasi.trueLater(true, n.x) RETURN n",
		"MATCH (n:A) WHERE drasi.trueFor(true, n.x) RETURN n",
		"MATCH (n:A) RETURN drasi.getVersionByTimestamp(n, n.x) AS v",
		"MATCH (n:A) RETURN drasi.getVersionsByTimeRange(n, 0, n.x) AS v",
	} {
		e := New(Options{})
		q, err := e.AddQuery(QuerySpec{ID: "q", Text: text})
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		e.Apply([]Change{{Op: OpInsert, Element: Element{ID: "a", Labels: []string{"A"}, Props: map[string]value.Value{"x": value.Str("soon")}}}})
		if err := q.Err(); err == nil || !strings.Contains(err.Error(), "InvalidArgumentValue") {
			t.Errorf("%s: error %v, want TypeError InvalidArgumentValue", text, err)
		}
	}
}

// TestGroupUnchangedByAMemberChangeKeepsItsTemporalState: an update of a
// member row that leaves the group's keys and aggregates as they were is
// no change of the group, so drasi.previousValue over it does not shift.
func TestGroupUnchangedByAMemberChangeKeepsItsTemporalState(t *testing.T) {
	e := New(Options{})
	q, err := e.AddQuery(QuerySpec{ID: "q", Text: "MATCH (n:S) RETURN n.g AS g, sum(n.x) AS s, drasi.previousValue(sum(n.x), -1) AS ps"})
	if err != nil {
		t.Fatal(err)
	}
	n1 := func(at int64) []Change {
		return []Change{{Op: OpUpdate, Time: time.Unix(at, 0), Element: Element{ID: "n1", Labels: []string{"S"},
			Props: map[string]value.Value{"g": value.Str("a"), "x": value.Int(1)}}}}
	}
	for _, at := range []int64{1, 2, 3} {
		if _, err := e.Apply(n1(at)); err != nil {
			t.Fatal(err)
		}
		if r := q.Results(); len(r) != 1 || r[0][2].AsInt() != -1 {
			t.Fatalf("after the update at %d: %v, want ps = -1 (the group has had one version)", at, r)
		}
	}
}
