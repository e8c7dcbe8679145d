package engine

import "testing"

func TestParseLanguage(t *testing.T) {
	for in, want := range map[string]string{
		"": LanguageCypher, "cypher": LanguageCypher, "Cypher": LanguageCypher, "openCypher": LanguageCypher,
		"OPENCYPHER": LanguageCypher, "gql": LanguageGQL, "GQL": LanguageGQL,
	} {
		if got, err := ParseLanguage(in); got != want || err != nil {
			t.Errorf("ParseLanguage(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"sql", "iso gql", " cypher"} {
		if got, err := ParseLanguage(in); err == nil {
			t.Errorf("ParseLanguage(%q) = %q, want an error", in, got)
		}
	}
	e := New(Options{})
	if _, err := e.AddQuery(QuerySpec{ID: "q", Language: "GQL", Text: "MATCH (n) RETURN n"}); err != nil {
		t.Fatalf("GQL in capitals: %v", err)
	}
	if _, err := e.AddQuery(QuerySpec{ID: "r", Language: "sparql", Text: "MATCH (n) RETURN n"}); err == nil || err.Error() != `query "r": unsupported query language "sparql"` {
		t.Fatalf("unknown language: %v", err)
	}
}
