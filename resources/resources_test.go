package resources

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const good = `apiVersion: v1
kind: Source
name: agents
spec:
  kind: HTTP
  properties:
    maxBatch: 100
---
apiVersion: v1
kind: ContinuousQuery
name: denials
spec:
  mode: query
  sources:
    subscriptions:
      - id: agents
        nodes:
          - sourceLabel: Agent
          - sourceLabel: ToolCall
        relations:
          - sourceLabel: MADE
    joins:
      - id: SAME_TEAM
        keys:
          - label: Agent
            property: team
          - label: Team
            property: name
  queryLanguage: Cypher
  query: |
    MATCH (a:Agent) RETURN a.name AS name
---
apiVersion: v1
kind: Reaction
name: hook
spec:
  kind: Http
  queries:
    denials:
  properties:
    url: http://127.0.0.1:9/x
`

func TestParseGood(t *testing.T) {
	rs, errs := Parse("good.yaml", []byte(good))
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if len(rs) != 3 {
		t.Fatalf("got %d resources", len(rs))
	}
	if s := rs[0].Source; s == nil || s.Kind != "HTTP" || s.Properties["maxBatch"] != 100 {
		t.Errorf("source: %+v", s)
	}
	q := rs[1].Query
	if q == nil || q.Language != "cypher" || !strings.Contains(q.Text, "MATCH") {
		t.Fatalf("query: %+v", q)
	}
	if q.QueryLine != 31 {
		t.Errorf("query line = %d, want 31", q.QueryLine)
	}
	if len(q.Subscriptions) != 1 || q.Subscriptions[0].ID != "agents" || len(q.Subscriptions[0].Nodes) != 2 || q.Subscriptions[0].Relations[0] != "MADE" {
		t.Errorf("subscriptions: %+v", q.Subscriptions)
	}
	if len(q.Joins) != 1 || q.Joins[0].Keys[1] != (JoinKey{"Team", "name"}) {
		t.Errorf("joins: %+v", q.Joins)
	}
	if re := rs[2].Reaction; re == nil || re.Kind != "Http" || len(re.Queries) != 1 {
		t.Errorf("reaction: %+v", re)
	}
	if rs[1].Line != 9 || rs[1].Where() != "good.yaml:9" {
		t.Errorf("where = %s", rs[1].Where())
	}
}

// Every error names the file, line and column of what it is about: the
// offending character for YAML syntax, the value or key for a bad field,
// the start of the mapping that lacks a required one.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		at        string // line:col
		want      string
	}{
		{"syntax", "apiVersion: v1\nkind: Source\nname: x\n  bad: indent\n", "4:3", "invalid YAML"},
		{"not a mapping", "- a\n- b\n", "1:1", "must be a mapping"},
		{"no apiVersion", "kind: Source\nname: x\nspec: {kind: HTTP}\n", "1:1", "missing apiVersion"},
		{"bad apiVersion", "apiVersion: v2\nkind: Source\nname: x\nspec: {kind: HTTP}\n", "1:13", "unsupported apiVersion"},
		{"unknown kind", "apiVersion: v1\nkind: Widget\nname: x\nspec: {}\n", "2:7", `unknown kind "Widget"`},
		{"bad name", "apiVersion: v1\nkind: Source\nname: 'a b'\nspec: {kind: HTTP}\n", "3:7", "invalid name"},
		{"unknown field", "apiVersion: v1\nkind: Source\nname: x\nspek: {}\n", "4:1", `unknown top-level field "spek"`},
		{"no spec", "apiVersion: v1\nkind: Source\nname: x\n", "1:1", "missing spec"},
		{"source kind", "apiVersion: v1\nkind: Source\nname: x\nspec:\n  properties: {}\n", "5:3", "spec.kind is required"},
		{"no query", "apiVersion: v1\nkind: ContinuousQuery\nname: q\nspec:\n  queryLanguage: Cypher\n", "5:3", "spec.query is required"},
		{"bad language", "apiVersion: v1\nkind: ContinuousQuery\nname: q\nspec:\n  query: MATCH (n) RETURN n\n  queryLanguage: SQL\n", "6:18", "unsupported queryLanguage"},
		{"bad subscription", "apiVersion: v1\nkind: ContinuousQuery\nname: q\nspec:\n  query: MATCH (n) RETURN n\n  sources:\n    subscriptions:\n      - nodes: []\n", "8:9", "needs an id"},
		{"join keys", "apiVersion: v1\nkind: ContinuousQuery\nname: q\nspec:\n  query: MATCH (n) RETURN n\n  sources:\n    joins:\n      - id: J\n        keys: [{label: A, property: x}]\n", "8:9", "at least two"},
		{"reaction queries", "apiVersion: v1\nkind: Reaction\nname: r\nspec:\n  kind: Debug\n", "5:3", "spec.queries is required"},
		{"properties type", "apiVersion: v1\nkind: Reaction\nname: r\nspec:\n  kind: Debug\n  queries: {q: }\n  properties: [1]\n", "7:15", "spec.properties must be a mapping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := Parse("f.yaml", []byte(tc.doc))
			if len(errs) != 1 {
				t.Fatalf("errors = %v, want one", errs)
			}
			e, ok := errs[0].(*Error)
			if !ok {
				t.Fatalf("error type %T", errs[0])
			}
			if prefix := "f.yaml:" + tc.at + ": "; !strings.HasPrefix(e.Error(), prefix) || !strings.Contains(e.Error(), tc.want) {
				t.Errorf("got %q, want prefix %q and %q", e.Error(), prefix, tc.want)
			}
		})
	}
}

// One bad document does not hide the good ones around it.
func TestParseBadDocumentKeepsOthers(t *testing.T) {
	doc := "apiVersion: v1\nkind: Source\nname: a\nspec: {kind: HTTP}\n---\napiVersion: v1\nkind: Nope\nname: b\nspec: {}\n---\napiVersion: v1\nkind: Source\nname: c\nspec: {kind: HTTP}\n---\napiVersion: v1\nkind: Source\nname: a\nspec: {kind: HTTP}\n"
	rs, errs := Parse("m.yaml", []byte(doc))
	if len(rs) != 2 || rs[0].Name != "a" || rs[1].Name != "c" {
		t.Fatalf("resources: %v", rs)
	}
	if len(errs) != 2 || !strings.HasPrefix(errs[0].Error(), `m.yaml:7:7: Nope "b": unknown kind`) ||
		!strings.HasPrefix(errs[1].Error(), "m.yaml:16:1: ") || !strings.Contains(errs[1].Error(), "defined twice") {
		t.Fatalf("errors: %v", errs)
	}
}

func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(good), 0o644)
	os.WriteFile(filepath.Join(dir, "b.yml"), []byte("apiVersion: v1\nkind: Source\nname: other\nspec: {kind: HTTP}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "c.yaml"), []byte("kind: [\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ignored"), 0o644)
	rs, errs := LoadDir(dir)
	if len(rs) != 4 || len(errs) != 1 || !strings.Contains(errs[0].Error(), "c.yaml:") {
		t.Fatalf("resources %d, errors %v", len(rs), errs)
	}
}

func TestProps(t *testing.T) {
	t.Setenv("VIGIL_TEST_SECRET", "s3cret")
	p := NewProps(map[string]any{"n": 3, "d": "250ms", "ms": 1500, "b": true, "tok": "env:VIGIL_TEST_SECRET", "h": map[string]any{"X-A": 1}})
	if p.Int("n", 0) != 3 || p.Duration("d", 0) != 250*time.Millisecond || p.Duration("ms", 0) != 1500*time.Millisecond ||
		!p.Bool("b", false) || p.String("tok", "") != "s3cret" || p.StringMap("h")["X-A"] != "1" || p.Int("missing", 7) != 7 {
		t.Fatal("wrong values")
	}
	if p.Err() != nil {
		t.Fatal(p.Err())
	}
	p.Int("d", 0)
	if p.Err() == nil || !strings.Contains(p.Err().Error(), "property d") {
		t.Fatalf("err = %v", p.Err())
	}
}
