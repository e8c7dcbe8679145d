package engine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/engine/value"
)

// TestSourcesDoNotOverwriteEachOther pins down element identity: the same id
// in two sources is two elements, and a query sees only the sources (and
// labels) it subscribes to.
func TestSourcesDoNotOverwriteEachOther(t *testing.T) {
	e := New(Options{})
	only1, err := e.AddQuery(QuerySpec{ID: "s1", Text: "MATCH (a:Agent) RETURN elementId(a) AS id, a.src AS src",
		Subscriptions: []Subscription{{Source: "s1"}}})
	if err != nil {
		t.Fatal(err)
	}
	both, err := e.AddQuery(QuerySpec{ID: "both", Text: "MATCH (a:Agent) RETURN elementId(a) AS id, a.src AS src, vigil.source(a) AS source",
		Subscriptions: []Subscription{{Source: "s1"}, {Source: "s2"}}})
	if err != nil {
		t.Fatal(err)
	}
	agentsOnly, err := e.AddQuery(QuerySpec{ID: "labels", Text: "MATCH (n) RETURN labels(n)[0] AS l",
		Subscriptions: []Subscription{{Source: "s1", Nodes: []string{"Agent"}}}})
	if err != nil {
		t.Fatal(err)
	}
	agent := func(op Op, src string, n int64) Change {
		return Change{Op: op, Source: src, Element: Element{ID: "a1", Labels: []string{"Agent"}, Props: map[string]value.Value{"src": value.Int(n)}}}
	}
	steps := []struct {
		what      string
		change    Change
		only1     []string
		both      []string
		labelRows int
	}{
		{"insert a1 into s1", agent(OpInsert, "s1", 1), []string{"a1/1"}, []string{"a1/1"}, 1},
		{"insert a1 into s2", agent(OpInsert, "s2", 2), []string{"a1/1"}, []string{"a1/1", "a1/2"}, 1},
		{"a Tool in s1, not subscribed by label", Change{Op: OpInsert, Source: "s1", Element: Element{ID: "t1", Labels: []string{"Tool"}}}, []string{"a1/1"}, []string{"a1/1", "a1/2"}, 1},
		{"delete a1 from s2", Change{Op: OpDelete, Source: "s2", Element: Element{ID: "a1"}}, []string{"a1/1"}, []string{"a1/1"}, 1},
		{"delete a1 from s1", Change{Op: OpDelete, Source: "s1", Element: Element{ID: "a1"}}, nil, nil, 0},
	}
	for _, st := range steps {
		if _, err := e.Apply([]Change{st.change}); err != nil {
			t.Fatalf("%s: %v", st.what, err)
		}
		for _, c := range []struct {
			q    *Query
			want []string
		}{{only1, st.only1}, {both, st.both}} {
			got := map[string]bool{}
			for _, r := range c.q.Results() {
				got[r[0].AsString()+"/"+r[1].String()] = true
				if len(r) > 2 && r[2].AsString() != "s"+r[1].String() {
					t.Fatalf("%s: vigil.source of the row %v is %v", st.what, r, r[2])
				}
			}
			if len(got) != len(c.want) {
				t.Fatalf("%s: query %s has %v, want %v", st.what, c.q.ID(), got, c.want)
			}
			for _, w := range c.want {
				if !got[w] {
					t.Fatalf("%s: query %s has %v, want %v", st.what, c.q.ID(), got, c.want)
				}
			}
		}
		if n := len(agentsOnly.Results()); n != st.labelRows {
			t.Fatalf("%s: the Agent-only subscription sees %d nodes, want %d", st.what, n, st.labelRows)
		}
	}
}

// TestRelationsAndJoinsAcrossSources: a relationship connects nodes of its
// own source; a synthetic join connects nodes of different sources; a query
// subscribed to one source does not reach the other's nodes through either.
func TestRelationsAndJoinsAcrossSources(t *testing.T) {
	e := New(Options{})
	join := []Join{{ID: "SAME_OWNER", Keys: []JoinKey{{Label: "Agent", Property: "owner"}, {Label: "Team", Property: "owner"}}}}
	cross, err := e.AddQuery(QuerySpec{ID: "cross", Joins: join,
		Text:          "MATCH (a:Agent)-[:SAME_OWNER]->(t:Team) RETURN elementId(a) AS a, t.name AS team",
		Subscriptions: []Subscription{{Source: "agents"}, {Source: "teams"}}})
	if err != nil {
		t.Fatal(err)
	}
	one, err := e.AddQuery(QuerySpec{ID: "one", Joins: join,
		Text:          "MATCH (a:Agent)-[:SAME_OWNER]->(t:Team) RETURN elementId(a) AS a, t.name AS team",
		Subscriptions: []Subscription{{Source: "agents"}}})
	if err != nil {
		t.Fatal(err)
	}
	made, err := e.AddQuery(QuerySpec{ID: "made", Text: "MATCH (a:Agent)-[m:MADE]->(c:Call) RETURN elementId(m) AS m, elementId(startNode(m)) AS a",
		Subscriptions: []Subscription{{Source: "agents"}}})
	if err != nil {
		t.Fatal(err)
	}
	node := func(src, id, label string, props map[string]value.Value) Change {
		return Change{Op: OpInsert, Source: src, Element: Element{ID: id, Labels: []string{label}, Props: props}}
	}
	owner := func(o string) map[string]value.Value {
		return map[string]value.Value{"owner": value.Str(o), "name": value.Str("team-" + o)}
	}
	if _, err := e.Apply([]Change{
		node("agents", "x", "Agent", owner("ann")),
		node("teams", "x", "Team", owner("ann")), // same id, other source
		node("agents", "c1", "Call", nil),
		node("teams", "c1", "Call", nil),
		{Op: OpInsert, Source: "agents", Element: Element{ID: "m1", Type: "MADE", From: "x", To: "c1"}},
	}); err != nil {
		t.Fatal(err)
	}
	if r := cross.Results(); len(r) != 1 || r[0][0].AsString() != "x" || r[0][1].AsString() != "team-ann" {
		t.Fatalf("join across sources: %v", r)
	}
	if r := one.Results(); len(r) != 0 {
		t.Fatalf("a query subscribed to agents only reached a team through the join: %v", r)
	}
	if r := made.Results(); len(r) != 1 || r[0][0].AsString() != "m1" || r[0][1].AsString() != "x" {
		t.Fatalf("relation within a source: %v", r)
	}
	// The teams source deletes its x: the agent of the same id stays.
	if _, err := e.Apply([]Change{{Op: OpDelete, Source: "teams", Element: Element{ID: "x"}}}); err != nil {
		t.Fatal(err)
	}
	if r := cross.Results(); len(r) != 0 {
		t.Fatalf("join after the team's delete: %v", r)
	}
	if r := made.Results(); len(r) != 1 {
		t.Fatalf("the agents source's x was deleted by the teams source: %v", r)
	}
}

// TestSourceFunctionInGQL: vigil.source tells sources apart in GQL too.
func TestSourceFunctionInGQL(t *testing.T) {
	e := New(Options{})
	q, err := e.AddQuery(QuerySpec{ID: "g", Language: "gql", Text: "MATCH (a:Agent) RETURN element_id(a) AS id, vigil.source(a) AS src"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Apply([]Change{{Op: OpInsert, Source: "pg", Element: Element{ID: "a1", Labels: []string{"Agent"}}},
		{Op: OpInsert, Element: Element{ID: "a2", Labels: []string{"Agent"}}}}); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range q.Results() {
		got[r[0].AsString()] = r[1].String()
	}
	if got["a1"] != "'pg'" || got["a2"] != "null" {
		t.Fatalf("vigil.source: %v", got)
	}
}

func TestUnsubscribedLabelsAreReported(t *testing.T) {
	cases := []struct {
		text string
		subs []Subscription
		want string
	}{
		{"MATCH (a:Agent)-[:MADE]->(c:ToolCall) RETURN a", []Subscription{{Source: "s", Nodes: []string{"Agent"}}}, "[label ToolCall]"},
		{"MATCH (a:Agent)-[:MADE]->(c:ToolCall) RETURN a", []Subscription{{Source: "s", Nodes: []string{"Agent", "ToolCall"}, Relations: []string{"UNDER"}}}, "[relation type MADE]"},
		{"MATCH (a:Agent)-[:MADE]->(c:ToolCall) RETURN a", []Subscription{{Source: "s", Nodes: []string{"Agent"}}, {Source: "t"}}, "[]"},
		{"MATCH (a:Agent)-[:SAME]->(t:Team) RETURN a", []Subscription{{Source: "s", Nodes: []string{"Agent", "Team"}, Relations: []string{"X"}}}, "[]"},
		{"MATCH (n) RETURN n", []Subscription{{Source: "s", Nodes: []string{"Agent"}}}, "[]"},
		{"MATCH (a:Agent) RETURN a", nil, "[]"},
	}
	for _, c := range cases {
		e := New(Options{})
		q, err := e.AddQuery(QuerySpec{ID: "q", Text: c.text, Subscriptions: c.subs,
			Joins: []Join{{ID: "SAME", Keys: []JoinKey{{Label: "Agent", Property: "t"}, {Label: "Team", Property: "t"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(q.Unsubscribed())
		if got != c.want {
			t.Errorf("%s with %v: %s, want %s", c.text, c.subs, got, c.want)
		}
	}
}

// TestBootstrapAndScansSeeOnlySubscribedSources: a query registered over
// existing data, and a pattern part found by a label scan (a cartesian
// product), see only the subscribed sources too; not only the elements
// anchored by a change.
func TestBootstrapAndScansSeeOnlySubscribedSources(t *testing.T) {
	e := New(Options{})
	agent := func(src, id string) Change {
		return Change{Op: OpInsert, Source: src, Element: Element{ID: id, Labels: []string{"Agent"}, Props: map[string]value.Value{"n": value.Str(src + "/" + id)}}}
	}
	if _, err := e.Apply([]Change{agent("s1", "a1"), agent("s2", "a1"), agent("s2", "a2")}); err != nil {
		t.Fatal(err)
	}
	boot, err := e.AddQuery(QuerySpec{ID: "boot", Text: "MATCH (a:Agent) RETURN a.n AS n", Subscriptions: []Subscription{{Source: "s1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if r := boot.Results(); len(r) != 1 || r[0][0].AsString() != "s1/a1" {
		t.Fatalf("bootstrap over existing data: %v, want only s1/a1", r)
	}
	pairs, err := e.AddQuery(QuerySpec{ID: "pairs", Text: "MATCH (a:Agent), (b:Agent) RETURN a.n AS a, b.n AS b", Subscriptions: []Subscription{{Source: "s1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Apply([]Change{agent("s1", "a3"), agent("s2", "a4")}); err != nil {
		t.Fatal(err)
	}
	for _, r := range pairs.Results() {
		for _, v := range r {
			if !strings.HasPrefix(v.AsString(), "s1/") {
				t.Fatalf("cartesian product reached another source's node: %v", pairs.Results())
			}
		}
	}
	if n := len(pairs.Results()); n != 4 {
		t.Fatalf("cartesian product over s1's two agents: %d rows, want 4 (%v)", n, pairs.Results())
	}
}
