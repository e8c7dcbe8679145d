package cypher

import "testing"

// TestKeywordsAsVariables: words that are keywords elsewhere name variables
// where a variable is expected, as Neo4j and Drasi accept (`MATCH
// (order:Order)`), and the clauses around them still parse as clauses.
func TestKeywordsAsVariables(t *testing.T) {
	cases := []struct{ query, want string }{
		{"MATCH (order:Order) RETURN order.id AS id",
			"(match (order:Order)) (return order.id as id)"},
		{"MATCH (call:Call)-[set:SET]->(match) RETURN call, set, match",
			`(match (call:Call)-[set:SET]->(match)) (return call ~"call" set ~"set" match ~"match")`},
		{"MATCH (o:Order) WITH o AS order ORDER BY order.total DESC LIMIT 3 RETURN order",
			`(match (o:Order)) (with o as order order order.total desc limit 3) (return order ~"order")`},
		{"MATCH (a) WHERE a.name STARTS WITH 'x' RETURN a ORDER BY a.y ASC SKIP 1 LIMIT 2",
			`(match (a) where (STARTS WITH a.name "x")) (return a ~"a" order a.y asc skip 1 limit 2)`},
		{"MATCH (as:AutonomousSystem) WITH as AS as RETURN as.asn AS asn",
			`(match (as:AutonomousSystem)) (with as as as) (return as.asn as asn)`},
		{"MATCH (with:W) WITH with WHERE with.x > 1 RETURN with AS limit",
			`(match (with:W)) (with with ~"with" where (> with.x 1)) (return with as limit)`},
	}
	for _, c := range cases {
		q, err := Parse(c.query)
		if err != nil {
			t.Errorf("%s: %v", c.query, err)
			continue
		}
		if got := renderQuery(q); got != c.want {
			t.Errorf("%s:\n got  %s\n want %s", c.query, got, c.want)
		}
	}
	// Words that could start or continue an expression stay reserved.
	for _, q := range []string{"MATCH (end:End) RETURN end", "MATCH (n) RETURN not", "MATCH (in) RETURN in"} {
		if _, err := Parse(q); err == nil {
			t.Errorf("%s: parsed, want a syntax error (the word stays reserved)", q)
		}
	}
}

// TestBangEqualsIsNotEquals: `!=` is `<>`, as Neo4j and Drasi accept it.
func TestBangEqualsIsNotEquals(t *testing.T) {
	a, err1 := Parse("MATCH (o) WHERE o.status != 'ready' RETURN o")
	b, err2 := Parse("MATCH (o) WHERE o.status <> 'ready' RETURN o")
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if ra, rb := renderQuery(a), renderQuery(b); ra != rb {
		t.Fatalf("!= parses as %s, <> as %s", ra, rb)
	}
}
