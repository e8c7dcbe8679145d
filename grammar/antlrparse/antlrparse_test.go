package antlrparse_test

import (
	"errors"
	"testing"

	"github.com/vigilhq/vigil/grammar/antlrparse"
	"github.com/vigilhq/vigil/grammar/ast"
	"github.com/vigilhq/vigil/grammar/cypher"
	"github.com/vigilhq/vigil/grammar/gql"
)

// Both front-ends report syntax errors through this package: the same
// codes, positions and wording.
func TestSyntaxErrors(t *testing.T) {
	parsers := map[string]func(string) (*ast.Query, error){
		"cypher": func(s string) (*ast.Query, error) { return cypher.Parse(s) },
		"gql":    func(s string) (*ast.Query, error) { return gql.Parse(s) },
	}
	cases := []struct {
		text      string
		code      string
		line, col int
	}{
		{"MATCH (n) RETURN n —", antlrparse.CodeInvalidUnicodeChar, 1, 20},
		{"MATCH (n)\nRETURN n,", antlrparse.CodeSyntax, 2, 10},
		{"MATCH (n RETURN n", antlrparse.CodeSyntax, 1, 10},
	}
	for lang, parse := range parsers {
		for _, c := range cases {
			_, err := parse(c.text)
			var ae *ast.Error
			if !errors.As(err, &ae) {
				t.Fatalf("%s %q: error %v, want an *ast.Error", lang, c.text, err)
			}
			if ae.Code != c.code || ae.Line != c.line || ae.Col != c.col {
				t.Errorf("%s %q: %s at %d:%d, want %s at %d:%d (%v)", lang, c.text, ae.Code, ae.Line, ae.Col, c.code, c.line, c.col, ae)
			}
		}
	}
}
