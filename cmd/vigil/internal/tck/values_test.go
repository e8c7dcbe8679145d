package tck

import (
	"math"
	"testing"

	"github.com/vigilhq/vigil/engine/value"
)

func node(id string, labels []string, props map[string]value.Value) value.Value {
	return value.NodeOf(&value.Node{ID: id, Labels: labels, Props: value.PropsOf(props)})
}

func TestParseValue(t *testing.T) {
	cases := []struct {
		in   string
		want value.Value
	}{
		{"1", value.Int(1)},
		{"-42", value.Int(-42)},
		{"1.0", value.Float(1)},
		{"-1.5", value.Float(-1.5)},
		{".5", value.Float(0.5)},
		{"1e10", value.Float(1e10)},
		{"1.5E-3", value.Float(1.5e-3)},
		{"Inf", value.Float(math.Inf(1))},
		{"-Inf", value.Float(math.Inf(-1))},
		{"true", value.True},
		{"false", value.False},
		{"null", value.Null},
		{"'abc'", value.Str("abc")},
		{`'it\'s'`, value.Str("it's")},
		{`'a\\b'`, value.Str(`a\b`)},
		{`'a\nb'`, value.Str("a\nb")},
		{"''", value.Str("")},
		{"[]", value.List([]value.Value{})},
		{"[1, 'a', [null]]", value.List([]value.Value{value.Int(1), value.Str("a"), value.List([]value.Value{value.Null})})},
		{"{}", value.Map(map[string]value.Value{})},
		{"{a: 1, `b c`: [2]}", value.Map(map[string]value.Value{"a": value.Int(1), "b c": value.List([]value.Value{value.Int(2)})})},
		{"()", node("", nil, nil)},
		{"(:A:B {name: 'x'})", node("", []string{"A", "B"}, map[string]value.Value{"name": value.Str("x")})},
		{"[:T {w: 1}]", value.RelOf(&value.Rel{Type: "T", Props: value.PropsOf(map[string]value.Value{"w": value.Int(1)})})},
		{"[[:X]]", value.List([]value.Value{value.RelOf(&value.Rel{Type: "X"})})},
	}
	for _, c := range cases {
		got, err := ParseValue(c.in)
		if err != nil {
			t.Errorf("ParseValue(%q): %v", c.in, err)
			continue
		}
		if !Match(c.want, got, false) || !Match(got, c.want, false) {
			t.Errorf("ParseValue(%q) = %s, want %s", c.in, got, c.want)
		}
	}
	if v, err := ParseValue("NaN"); err != nil || !math.IsNaN(v.AsFloat()) {
		t.Errorf("NaN: %v %v", v, err)
	}
}

func TestParsePath(t *testing.T) {
	v, err := ParseValue("<(:A {name: 'a'})-[:T]->(:B)<-[:U {x: 1}]-()>")
	if err != nil {
		t.Fatal(err)
	}
	p := v.AsPath()
	if p == nil || len(p.Nodes) != 3 || len(p.Rels) != 2 {
		t.Fatalf("path %v", v)
	}
	if p.Rels[0].From != p.Nodes[0].ID || p.Rels[0].To != p.Nodes[1].ID {
		t.Errorf("first relationship should point right: %+v", p.Rels[0])
	}
	if p.Rels[1].From != p.Nodes[2].ID || p.Rels[1].To != p.Nodes[1].ID {
		t.Errorf("second relationship should point left: %+v", p.Rels[1])
	}
	if v, err := ParseValue("<()>"); err != nil || len(v.AsPath().Nodes) != 1 {
		t.Errorf("single-node path: %v %v", v, err)
	}
}

func TestParseValueErrors(t *testing.T) {
	for _, in := range []string{"", "[1, 2", "{a 1}", "'abc", "(:A", "<(:A)-[:T]-(:B)>", "1 2", "bogus", "[:T"} {
		if v, err := ParseValue(in); err == nil {
			t.Errorf("ParseValue(%q) = %s, want an error", in, v)
		}
	}
}

func TestMatch(t *testing.T) {
	a := &value.Node{ID: "n1", Labels: []string{"B", "A"}, Props: value.PropsOf(map[string]value.Value{"name": value.Str("x"), "gone": value.Null})}
	b := &value.Node{ID: "n2"}
	fwd := &value.Rel{ID: "r1", Type: "T", From: "n1", To: "n2"}
	cases := []struct {
		expected  string
		actual    value.Value
		unordered bool
		want      bool
	}{
		{"1", value.Int(1), false, true},
		{"1", value.Float(1), false, false},
		{"1.0", value.Int(1), false, false},
		{"0.1", value.Float(0.1 + 1e-17), false, true},
		{"0.30000000000000004", value.Float(0.1 + 0.2), false, true},
		{"0.3", value.Float(0.31), false, false},
		{"NaN", value.Float(math.NaN()), false, true},
		{"-Inf", value.Float(math.Inf(-1)), false, true},
		{"'a'", value.Str("a"), false, true},
		{"'a'", value.Str("b"), false, false},
		{"null", value.Null, false, true},
		{"null", value.Int(0), false, false},
		{"[1, 2]", value.List([]value.Value{value.Int(1), value.Int(2)}), false, true},
		{"[1, 2]", value.List([]value.Value{value.Int(2), value.Int(1)}), false, false},
		{"[1, 2]", value.List([]value.Value{value.Int(2), value.Int(1)}), true, true},
		{"[1, 1]", value.List([]value.Value{value.Int(1), value.Int(2)}), true, false},
		{"{a: 1}", value.Map(map[string]value.Value{"a": value.Int(1)}), false, true},
		{"{a: null}", value.Map(map[string]value.Value{}), false, false},
		{"{a: 1}", value.Map(map[string]value.Value{"a": value.Int(1), "b": value.Int(2)}), false, false},
		{"(:A:B {name: 'x'})", value.NodeOf(a), false, true},
		{"(:A {name: 'x'})", value.NodeOf(a), false, false},
		{"(:A:B)", value.NodeOf(a), false, false},
		{"()", value.NodeOf(b), false, true},
		{"[:T]", value.RelOf(fwd), false, true},
		{"[:U]", value.RelOf(fwd), false, false},
		{"<(:A:B {name: 'x'})-[:T]->()>", value.PathOf(&value.Path{Nodes: []*value.Node{a, b}, Rels: []*value.Rel{fwd}}), false, true},
		{"<(:A:B {name: 'x'})<-[:T]-()>", value.PathOf(&value.Path{Nodes: []*value.Node{a, b}, Rels: []*value.Rel{fwd}}), false, false},
		{"<()<-[:T]-(:A:B {name: 'x'})>", value.PathOf(&value.Path{Nodes: []*value.Node{b, a}, Rels: []*value.Rel{fwd}}), false, true},
	}
	for _, c := range cases {
		e, err := ParseValue(c.expected)
		if err != nil {
			t.Fatalf("%s: %v", c.expected, err)
		}
		if got := Match(e, c.actual, c.unordered); got != c.want {
			t.Errorf("Match(%s, %s, %v) = %v, want %v", c.expected, c.actual, c.unordered, got, c.want)
		}
	}
}

func TestRowsMatch(t *testing.T) {
	row := func(vs ...int64) []value.Value {
		out := make([]value.Value, len(vs))
		for i, v := range vs {
			out[i] = value.Int(v)
		}
		return out
	}
	exp := [][]value.Value{row(1, 2), row(3, 4), row(1, 2)}
	cases := []struct {
		actual  [][]value.Value
		ordered bool
		want    bool
	}{
		{[][]value.Value{row(1, 2), row(3, 4), row(1, 2)}, true, true},
		{[][]value.Value{row(3, 4), row(1, 2), row(1, 2)}, true, false},
		{[][]value.Value{row(3, 4), row(1, 2), row(1, 2)}, false, true},
		{[][]value.Value{row(3, 4), row(1, 2), row(3, 4)}, false, false},
		{[][]value.Value{row(3, 4), row(1, 2)}, false, false},
	}
	for i, c := range cases {
		if got := RowsMatch(exp, c.actual, c.ordered, false); got != c.want {
			t.Errorf("case %d: got %v, want %v", i, got, c.want)
		}
	}
}

func TestWriteKeywords(t *testing.T) {
	cases := []struct {
		q    string
		want []string
	}{
		{"MATCH (n) RETURN n", nil},
		{"CREATE (n)", []string{"CREATE"}},
		{"MATCH (n) SET n.x = 1", []string{"SET"}},
		{"MATCH (n) DETACH DELETE n", []string{"DETACH", "DELETE"}},
		{"RETURN 'CREATE' AS s, n.set AS x", nil},
		{"MATCH (n:Create) RETURN n.delete, {set: 1}", nil},
		{"// CREATE\nRETURN 1", nil},
		{"call db.labels()", []string{"CALL"}},
		{"UNWIND [1] AS x MERGE (a {x: x})", []string{"MERGE"}},
	}
	for _, c := range cases {
		got := WriteKeywords(c.q)
		if len(got) != len(c.want) {
			t.Errorf("WriteKeywords(%q) = %v, want %v", c.q, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("WriteKeywords(%q) = %v, want %v", c.q, got, c.want)
			}
		}
	}
}
