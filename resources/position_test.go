package resources

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/grammar/ast"
	"github.com/vigilhq/vigil/grammar/cypher"
)

// first is a valid document (lines 1-5, then the separator on line 6) put
// before the documents of the "second document" cases: a position there
// must count the lines of the documents before it.
const first = "apiVersion: v1\nkind: Source\nname: a\nspec:\n  kind: HTTP\n---\n"

func TestErrorPositions(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		at        string // line:col
		want      string // the reason, or its start
		resources int    // decoded alongside the error
	}{
		// The issue: yaml.v3 said "line 4", the 0-based line of the spec
		// mapping that the misindented "-" on line 8 fell out of.
		{"indentation on line 8", "apiVersion: v1\nkind: ContinuousQuery\nname: repeat-offenders\nspec:\n  mode: query\n  sources:\n    subscriptions:\n   - id: agent-activity\n        nodes:\n          - sourceLabel: Agent\n",
			"8:4", "invalid YAML: did not find expected key (check the indentation of this line)", 0},
		{"key indented less than its siblings", "apiVersion: v1\nkind: Source\nname: a\nspec:\n  kind: HTTP\n  properties:\n    x: 1\n   y: 2\n",
			"8:4", "invalid YAML: did not find expected key (check the indentation of this line)", 0},
		// More indented than the key above, the line continues that key's
		// value until its colon: the parser complains at the colon, the
		// mistake is the indentation.
		{"key indented more than its siblings", "apiVersion: v1\nkind: ContinuousQuery\nname: q\nspec:\n  query: MATCH (n) RETURN n\n   queryLanguage: Cypher\n",
			"6:4", "invalid YAML: mapping values are not allowed in this context (check the indentation of this line)", 0},
		{"second colon on a line", "apiVersion: v1\nkind: Source\nname: a\nspec:\n  kind: HTTP\n  properties:\n    y: 2: 3\n",
			"7:9", "invalid YAML: mapping values are not allowed in this context", 0},
		{"tab indentation", "apiVersion: v1\nkind: Source\nname: a\nspec:\n\tkind: HTTP\n",
			"5:1", "invalid YAML: found character that cannot start any token (check the indentation of this line)", 0},
		{"tab after a value", "apiVersion: v1\nkind: Source\nname: a\nspec:\n  kind: HTTP\n  properties:\n    x: 1\n\ty: 2\n",
			"8:1", "invalid YAML: found a tab character that violates indentation (check the indentation of this line)", 0},
		{"unclosed flow sequence", "apiVersion: v1\nkind: Source\nname: a\nspec:\n  kind: HTTP\n  properties:\n    x: [1,\n  2\n",
			"7:8", "invalid YAML: did not find expected ',' or ']' to close the [ here", 0},
		{"unterminated quote", "apiVersion: v1\nkind: Source\nname: a\nspec:\n  kind: HTTP\n  properties:\n    x: \"abc\n",
			"7:8", "invalid YAML: found unexpected end of stream", 0},
		// yaml.v3 gives no position at all for this one.
		{"unknown alias", "apiVersion: v1\nkind: Source\nname: a\nspec:\n  kind: HTTP\n  properties:\n    x: *nope\n",
			"7:8", "invalid YAML: unknown anchor 'nope' referenced", 0},
		{"duplicate key", "apiVersion: v1\nkind: Reaction\nname: r\nspec:\n  kind: Debug\n  queries:\n    q: {a: 1, a: 2}\n",
			"7:15", `Reaction "r": spec.queries.q: mapping key "a" already defined at line 7`, 0},
		{"unknown kind", "apiVersion: v1\nkind: Widget\nname: x\nspec: {}\n",
			"2:7", `Widget "x": unknown kind "Widget"`, 0},
		{"unknown field", "apiVersion: v1\nkind: Source\nname: x\nspek: {}\n",
			"4:1", `Source "x": unknown top-level field "spek"`, 0},
		{"unknown field in a flow mapping", "{apiVersion: v1, kind: Source, name: x, spek: {}}\n",
			"1:41", `Source "x": unknown top-level field "spek"`, 0},
		{"missing name", "apiVersion: v1\nkind: Source\nspec:\n  kind: HTTP\n",
			"1:1", "missing name", 0},
		{"missing spec.kind", "apiVersion: v1\nkind: Source\nname: a\nspec:\n  properties:\n    x: 1\n",
			"5:3", `Source "a": spec.kind is required`, 0},
		{"missing sourceLabel", "apiVersion: v1\nkind: ContinuousQuery\nname: q\nspec:\n  query: MATCH (n) RETURN n\n  sources:\n    subscriptions:\n      - id: s\n        nodes:\n          - sourceLabel: A\n          - {label: B}\n",
			"11:13", `ContinuousQuery "q": subscription "s": nodes: each entry needs sourceLabel`, 0},
		{"byte-order mark", "\ufeffapiVersion: v1\nkind: Widget\nname: x\nspec: {}\n",
			"2:7", `Widget "x": unknown kind "Widget"`, 0},
		{"CRLF line ends", "apiVersion: v1\r\nkind: Source\r\nname: a\r\nspec:\r\n  kind: HTTP\r\n  properties:\r\n    x: 1\r\n   y: 2\r\n",
			"8:4", "invalid YAML: did not find expected key", 0},

		{"second document: indentation", first + "apiVersion: v1\nkind: Source\nname: b\nspec:\n  kind: HTTP\n  properties:\n    x: 1\n   y: 2\n",
			"14:4", "invalid YAML: did not find expected key (check the indentation of this line)", 1},
		{"second document: tab", first + "apiVersion: v1\nkind: Source\nname: b\nspec:\n\tkind: HTTP\n",
			"11:1", "invalid YAML: found character that cannot start any token", 1},
		{"second document: unknown kind", first + "apiVersion: v1\nkind: Nope\nname: b\nspec: {}\n",
			"8:7", `Nope "b": unknown kind "Nope"`, 1},
		{"second document: unknown field", first + "apiVersion: v1\nkind: Source\nname: b\nspce:\n  kind: HTTP\n",
			"10:1", `Source "b": unknown top-level field "spce"`, 1},
		{"second document: missing spec.query", first + "apiVersion: v1\nkind: ContinuousQuery\nname: q\nspec:\n  queryLanguage: Cypher\n",
			"11:3", `ContinuousQuery "q": spec.query is required`, 1},
		{"second document: defined twice", first + "apiVersion: v1\nkind: Source\nname: a\nspec: {kind: HTTP}\n",
			"7:1", `Source "a": defined twice in this input (first at line 1)`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, errs := Parse("f.yaml", []byte(tc.doc))
			if len(errs) != 1 {
				t.Fatalf("errors = %v, want one", errs)
			}
			if want := "f.yaml:" + tc.at + ": " + tc.want; !strings.HasPrefix(errs[0].Error(), want) {
				t.Errorf("got  %q\nwant %q", errs[0].Error(), want)
			}
			var e *Error
			if !errors.As(errs[0], &e) || strconv.Itoa(e.Line)+":"+strconv.Itoa(e.Col) != tc.at {
				t.Errorf("error %#v, want Line:Col %s", errs[0], tc.at)
			}
			if len(rs) != tc.resources {
				t.Errorf("%d resources decoded, want %d", len(rs), tc.resources)
			}
		})
	}
}

func TestLoadDirErrorPositions(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "quickstart.yaml"), []byte(first+"apiVersion: v1\nkind: ContinuousQuery\nname: q\nspec:\n  query: MATCH (n) RETURN n\n   queryLanguage: Cypher\n"), 0o644)
	_, errs := LoadDir(dir)
	want := filepath.Join(dir, "quickstart.yaml") + ":12:4: invalid YAML: mapping values are not allowed in this context"
	if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), want) {
		t.Fatalf("errors %v, want %q", errs, want)
	}
}

// A query parse error, at a line and column of the query text, maps to
// the line and column of the offending token in the file, however the
// query is written in YAML.
func TestQueryErrorPosition(t *testing.T) {
	const head = "apiVersion: v1\nkind: ContinuousQuery\nname: q\nspec:\n" // spec's content starts on line 5
	for _, tc := range []struct {
		name, doc string
		at        string // line:col of the offending token in the file
		token     string // the text there
	}{
		{"literal block", head + "  query: |\n    MATCH (a:Agent)\n    WHERE a.x = = 1\n    RETURN a\n", "7:17", "= 1"},
		{"literal block in the second document", first + head + "  sources:\n    subscriptions:\n      - id: a\n  query: |\n    MATCH (a:Agent)\n    WHERE a.x = = 1\n    RETURN a\n", "16:17", "= 1"},
		{"literal block, header with indicator and comment", head + "  query: |- # the x rule\n    MATCH (a:Agent)\n    WHERE a.x = = 1\n", "7:17", "= 1"},
		{"literal block, more indented line", head + "  query: |\n    MATCH (a:Agent)\n      WHERE a.x = = 1\n", "7:19", "= 1"},
		{"literal block, blank lines", head + "  query: |\n\n    MATCH (a:Agent)\n\n    WHERE a.x = = 1\n", "9:17", "= 1"},
		{"literal block, tab and non-ASCII", head + "  query: |\n    MATCH (a:Agent)\tWHERE a.név = = 1\n", "6:35", "= 1"},
		{"literal block, CRLF", strings.ReplaceAll(head+"  query: |\n    MATCH (a:Agent)\n    WHERE a.x = = 1\n", "\n", "\r\n"), "7:17", "= 1"},
		{"literal block, end of input", head + "  query: |\n    MATCH (a:Agent)\n    RETURN a.name AS\n  queryLanguage: Cypher\n", "7:21", "\n"},
		{"folded block", head + "  query: >\n    MATCH (a:Agent)\n    WHERE a.x = = 1\n", "7:17", "= 1"},
		{"plain, on the key's line", head + "  query: MATCH (a:Agent) WHERE a.x = = 1\n", "5:38", "= 1"},
		{"plain, over several lines", head + "  query: MATCH (a:Agent)\n    WHERE a.x = = 1\n    RETURN a\n", "6:17", "= 1"},
		{"plain, over several lines, error at a line start", head + "  query: MATCH (a:Agent) WHERE a.x >\n    > 1 RETURN a\n", "6:5", "> 1"},
		{"double-quoted with escapes", head + `  query: "MATCH (a:Agent) WHERE a.s = 'q\"\u00e9\tz' AND a.x = = 1"` + "\n", "5:64", "= 1"},
		{"double-quoted, escaped line break", head + "  query: \"MATCH (a:Agent) \\\n    WHERE a.x = = 1\"\n", "6:17", "= 1"},
		{"single-quoted with a doubled quote", head + "  query: 'MATCH (a:Agent) WHERE a.s = \"it''s\" AND a.x = = 1'\n", "5:57", "= 1"},
		{"tag and anchor", head + "  query: &q !!str MATCH (a:Agent) WHERE a.x = = 1\n", "5:47", "= 1"},
		{"flow mapping", "{apiVersion: v1, kind: ContinuousQuery, name: q, spec: {query: \"MATCH (a) WHERE a.x = = 1\"}}\n", "1:87", "= 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, errs := Parse("f.yaml", []byte(tc.doc))
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			q := rs[len(rs)-1].Query
			_, err := cypher.Parse(q.Text)
			var ae *ast.Error
			if !errors.As(err, &ae) {
				t.Fatalf("query %q: error %v, want a syntax error", q.Text, err)
			}
			line, col, ok := q.FilePos(ae.Line, ae.Col)
			if got := strconv.Itoa(line) + ":" + strconv.Itoa(col); !ok || got != tc.at {
				t.Errorf("query error %v is at %s (ok %v) in the file, want %s", ae, got, ok, tc.at)
			}
			// The position is the token's, counted as the file's lines
			// and characters.
			src := strings.TrimPrefix(tc.doc, "\ufeff")
			lines := strings.Split(src, "\n")
			if line < 1 || line > len(lines) {
				t.Fatalf("line %d out of range", line)
			}
			l := []rune(lines[line-1] + "\n")
			if col < 1 || col > len(l) || !strings.HasPrefix(string(l[col-1:]), tc.token) {
				t.Errorf("at %d:%d the file has %q, want %q", line, col, string(l[min(col-1, len(l)):]), tc.token)
			}
		})
	}
}

func TestQueryFilePosWithoutSource(t *testing.T) {
	if _, _, ok := (&Query{Text: "MATCH (n) RETURN n"}).FilePos(1, 1); ok {
		t.Error("a query not read from a file has no file position")
	}
}

func TestErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{File: "f.yaml", Line: 8, Col: 4, Reason: "r"}, "f.yaml:8:4: r"},
		{Error{File: "f.yaml", Line: 8, Reason: "r"}, "f.yaml:8: r"},
		{Error{Line: 8, Col: 4, Kind: KindSource, Name: "s", Reason: "r"}, `line 8 col 4: Source "s": r`},
		{Error{File: "f.yaml", Reason: "r"}, "f.yaml: r"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}
