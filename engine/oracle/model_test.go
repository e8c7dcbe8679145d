package oracle

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

func ids(g *Graph) string {
	var ns, rs []string
	for id := range g.Nodes {
		ns = append(ns, value.ExternalID(id)+"@"+value.SourceOfID(id))
	}
	for id, r := range g.Rels {
		rs = append(rs, value.ExternalID(id)+"@"+value.SourceOfID(id)+"("+value.ExternalID(r.From)+">"+value.ExternalID(r.To)+")")
	}
	sort.Strings(ns)
	sort.Strings(rs)
	return strings.Join(ns, " ") + " | " + strings.Join(rs, " ")
}

func node(op Op, src, id string, labels []string, props map[string]value.Value) Change {
	return Change{Op: op, Source: src, ID: id, Labels: labels, Props: props}
}

func rel(op Op, src, id, typ, from, to string) Change {
	return Change{Op: op, Source: src, ID: id, Type: typ, From: from, To: to}
}

func apply(t *testing.T, m *Model, cs ...Change) {
	t.Helper()
	for _, c := range cs {
		if err := m.Apply(c); err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
	}
}

// TestModelFollowsTheChangeRules pins down the change semantics the model
// implements on its own: dangling relationships, deletes that take the
// attached relationships along, updates of unknown ids, null properties,
// duplicate labels.
func TestModelFollowsTheChangeRules(t *testing.T) {
	m := NewModel(time.Unix(0, 0))
	apply(t, m,
		rel(OpInsert, "", "r1", "T", "a", "b"), // before its ends
		node(OpUpdate, "", "a", []string{"A", "B", "A"}, map[string]value.Value{"x": value.Int(1), "gone": value.Null}),
	)
	if got := ids(m.Graph(nil, nil)); got != "a@ | " {
		t.Fatalf("a dangling relationship is in the graph: %s", got)
	}
	apply(t, m, node(OpInsert, "", "b", nil, nil))
	if got := ids(m.Graph(nil, nil)); got != "a@ b@ | r1@(a>b)" {
		t.Fatalf("the relationship does not match once its ends exist: %s", got)
	}
	a := m.Node("", "a")
	if len(a.Labels) != 2 || a.Props.Len() != 1 {
		t.Fatalf("labels or null property kept: %v %v", a.Labels, a.Props)
	}
	apply(t, m, node(OpDelete, "", "b", nil, nil), node(OpInsert, "", "b", nil, nil))
	if got := ids(m.Graph(nil, nil)); got != "a@ b@ | " {
		t.Fatalf("deleting a node kept its relationship: %s", got)
	}
	apply(t, m, node(OpDelete, "", "nothing", nil, nil))
}

// TestModelRefusesWhatTheEngineRefuses: a change without an id, with the
// reserved byte, a relationship without an end, an id used as the other
// kind of element, an unknown operation. A refused change leaves the
// elements alone and still moves the clock.
func TestModelRefusesWhatTheEngineRefuses(t *testing.T) {
	m := NewModel(time.Unix(0, 0))
	apply(t, m, node(OpInsert, "s", "n", nil, nil), rel(OpInsert, "s", "r", "T", "n", "n"))
	before := ids(m.Graph(nil, nil))
	for _, c := range []Change{
		node(OpInsert, "s", "", nil, nil),
		node(OpInsert, "s", "x\x1fy", nil, nil),
		rel(OpInsert, "s", "r2", "T", "n", ""),
		rel(OpUpdate, "s", "n", "T", "n", "n"),
		node(OpUpdate, "s", "r", nil, nil),
		{Op: Op(9), Source: "s", ID: "n"},
	} {
		c.Time = time.Unix(10, 0)
		if err := m.Apply(c); err == nil {
			t.Errorf("%+v was accepted", c)
		}
	}
	if got := ids(m.Graph(nil, nil)); got != before {
		t.Fatalf("refused changes changed the graph: %s, was %s", got, before)
	}
	if !m.Now().Equal(time.Unix(10, 0)) {
		t.Fatalf("clock %v: a refused change still moves it", m.Now())
	}
	// The same id in another source is another element.
	apply(t, m, rel(OpInsert, "t", "n", "T", "n", "n"))
}

// TestModelSourcesAndSubscriptions: identity is (source, id); a
// relationship's ends are in its source; a query sees the subscribed
// sources (and labels, and types) plus what has no source.
func TestModelSourcesAndSubscriptions(t *testing.T) {
	m := NewModel(time.Unix(0, 0))
	apply(t, m,
		node(OpInsert, "s1", "a", []string{"A"}, nil),
		node(OpInsert, "s2", "a", []string{"B"}, nil),
		node(OpInsert, "s1", "b", []string{"B"}, nil),
		node(OpInsert, "", "c", []string{"C"}, nil),
		rel(OpInsert, "s1", "r", "T", "a", "b"),
		rel(OpInsert, "s2", "r", "U", "a", "a"),
		rel(OpInsert, "", "r", "T", "c", "c"),
	)
	for _, c := range []struct {
		subs []Subscription
		want string
	}{
		{nil, "a@s1 a@s2 b@s1 c@ | r@(c>c) r@s1(a>b) r@s2(a>a)"},
		{[]Subscription{{Source: "s1"}}, "a@s1 b@s1 c@ | r@(c>c) r@s1(a>b)"},
		{[]Subscription{{Source: "s1", Nodes: []string{"A"}}}, "a@s1 c@ | r@(c>c)"},
		{[]Subscription{{Source: "s1"}, {Source: "s2", Relations: []string{"T"}}}, "a@s1 a@s2 b@s1 c@ | r@(c>c) r@s1(a>b)"},
	} {
		if got := ids(m.Graph(c.subs, nil)); got != c.want {
			t.Errorf("subscriptions %+v: %s, want %s", c.subs, got, c.want)
		}
	}
}

// TestModelJoins: a synthetic relation in both directions between two
// distinct nodes of the joined sides whose keys are equivalent (1 joins
// 1.0); a null or missing key joins nothing; a key change moves the
// relations at once.
func TestModelJoins(t *testing.T) {
	m := NewModel(time.Unix(0, 0))
	if err := m.DeclareJoin(Join{Type: "J", Keys: []JoinKey{{"A", "k"}, {"C", "k"}}}); err != nil {
		t.Fatal(err)
	}
	if err := m.DeclareJoin(Join{Type: "J", Keys: []JoinKey{{"A", "k"}, {"B", "k"}}}); err == nil {
		t.Fatal("a join declared again with other keys was accepted")
	}
	k := func(v value.Value) map[string]value.Value { return map[string]value.Value{"k": v} }
	apply(t, m,
		node(OpInsert, "s1", "a", []string{"A", "C"}, k(value.Int(1))),
		node(OpInsert, "s2", "c", []string{"C"}, k(value.Float(1))),
		node(OpInsert, "s2", "d", []string{"C"}, k(value.Int(2))),
		node(OpInsert, "s2", "e", []string{"A"}, nil),
		node(OpInsert, "s2", "f", []string{"C"}, k(value.Null)),
	)
	want := "a@s1 c@s2 d@s2 e@s2 f@s2 | join:J:a:c@(a>c) join:J:c:a@(c>a)"
	if got := ids(m.Graph(nil, []string{"J"})); got != want {
		t.Fatalf("joins: %s, want %s", got, want)
	}
	if got := ids(m.Graph(nil, nil)); got != "a@s1 c@s2 d@s2 e@s2 f@s2 | " {
		t.Fatalf("a query that does not declare the join sees its relations: %s", got)
	}
	if got := ids(m.Graph([]Subscription{{Source: "s1"}}, []string{"J"})); got != "a@s1 | " {
		t.Fatalf("a join reaches an unsubscribed end: %s", got)
	}
	apply(t, m, node(OpUpdate, "s1", "a", []string{"A"}, k(value.Int(2))))
	want = "a@s1 c@s2 d@s2 e@s2 f@s2 | join:J:a:d@(a>d) join:J:d:a@(d>a)"
	if got := ids(m.Graph(nil, []string{"J"})); got != want {
		t.Fatalf("after the key change: %s, want %s", got, want)
	}
}
