// Package antlrparse runs an ANTLR-generated lexer and parser the way both of
// Vigil's front-ends (Cypher and GQL) need: the two-stage prediction strategy
// and positioned errors that name the offending token.
package antlrparse

import (
	"strconv"
	"strings"

	"github.com/antlr4-go/antlr/v4"

	"github.com/vigilhq/vigil/grammar/ast"
)

// Error codes of syntax errors, as the openCypher TCK names them.
const (
	CodeSyntax             = "UnexpectedSyntax"
	CodeInvalidUnicodeChar = "InvalidUnicodeCharacter"
)

// Parse lexes input with newLexer and parses the tokens with newParser and
// the grammar's entry rule. It runs the two-stage strategy recommended for
// ANTLR4: SLL prediction is much faster and gives the right tree for almost
// every valid input; only when it reports an error is the input re-parsed
// with full LL prediction, which is then authoritative for both the tree and
// the error. (The Go runtime's BailErrorStrategy does not actually stop the
// parse, so a listener, not the strategy, detects the SLL failure.)
func Parse[P antlr.Parser, T any](input antlr.CharStream, newLexer func(antlr.CharStream) antlr.Lexer, newParser func(antlr.TokenStream) P, entry func(P) T) (T, *ast.Error) {
	var zero T
	lexErrs := &errorListener{lexer: true}
	lexer := newLexer(input)
	lexer.RemoveErrorListeners()
	lexer.AddErrorListener(lexErrs)
	tokens := antlr.NewCommonTokenStream(lexer, antlr.TokenDefaultChannel)
	tokens.Fill()
	// A character the lexer could not use was dropped from the token
	// stream, so any parse of the remainder would be about the wrong text.
	if lexErrs.err != nil {
		return zero, lexErrs.err
	}
	var err *ast.Error
	for _, mode := range []int{antlr.PredictionModeSLL, antlr.PredictionModeLL} {
		tokens.Seek(0)
		errs := &errorListener{}
		p := newParser(tokens)
		p.RemoveErrorListeners()
		p.AddErrorListener(errs)
		p.GetInterpreter().SetPredictionMode(mode)
		tree := entry(p)
		if errs.err == nil {
			return tree, nil
		}
		err = errs.err
	}
	return zero, err
}

// errorListener keeps the first error only: later ones are usually knock-on
// effects of the first and would only confuse the user.
type errorListener struct {
	antlr.DefaultErrorListener
	lexer bool
	err   *ast.Error
}

// SyntaxError records the first lexer or parser error with its line, column
// and the offending token.
func (l *errorListener) SyntaxError(_ antlr.Recognizer, offending any, line, column int, msg string, _ antlr.RecognitionException) {
	if l.err != nil {
		return
	}
	pos := ast.Pos{Line: max(line, 1), Col: column + 1}
	if l.lexer {
		bad := msg
		if i := strings.Index(msg, "at: '"); i >= 0 {
			bad = strings.TrimSuffix(msg[i+5:], "'")
		}
		code := CodeSyntax
		for _, r := range bad {
			// Look-alikes such as an em dash for a minus sign are a classic
			// copy-paste accident and deserve their own code.
			if r > 0x7f {
				code = CodeInvalidUnicodeChar
			}
			break
		}
		l.err = ast.Errorf(pos, code, "invalid input %q", bad)
		return
	}
	text := "end of input"
	if tok, ok := offending.(antlr.Token); ok && tok.GetTokenType() != antlr.TokenEOF {
		text = strconv.Quote(tok.GetText())
	}
	detail := ""
	// ANTLR's expected-token sets can list dozens of tokens; only short
	// ones help.
	if i := strings.Index(msg, "expecting "); i >= 0 && len(msg)-i < 80 {
		detail = ", " + msg[i:]
	}
	l.err = ast.Errorf(pos, CodeSyntax, "unexpected %s%s", text, detail)
}
