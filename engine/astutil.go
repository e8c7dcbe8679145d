package engine

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/grammar/ast"
)

// walkExpr calls fn for e and, while fn returns true, its sub-expressions.
func walkExpr(e ast.Expr, fn func(ast.Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch e := e.(type) {
	case *ast.ListLit:
		for _, x := range e.Items {
			walkExpr(x, fn)
		}
	case *ast.MapLit:
		for _, x := range e.Values {
			walkExpr(x, fn)
		}
	case *ast.Prop:
		walkExpr(e.Subject, fn)
	case *ast.Index:
		walkExpr(e.Subject, fn)
		walkExpr(e.Index, fn)
	case *ast.Slice:
		walkExpr(e.Subject, fn)
		walkExpr(e.From, fn)
		walkExpr(e.To, fn)
	case *ast.Unary:
		walkExpr(e.X, fn)
	case *ast.Binary:
		walkExpr(e.L, fn)
		walkExpr(e.R, fn)
	case *ast.IsNull:
		walkExpr(e.X, fn)
	case *ast.HasLabels:
		walkExpr(e.X, fn)
	case *ast.Call:
		for _, x := range e.Args {
			walkExpr(x, fn)
		}
	case *ast.Case:
		walkExpr(e.Subject, fn)
		for _, w := range e.Whens {
			walkExpr(w.When, fn)
			walkExpr(w.Then, fn)
		}
		walkExpr(e.Else, fn)
	case *ast.ListComp:
		walkExpr(e.In, fn)
		walkExpr(e.Where, fn)
		walkExpr(e.Map, fn)
	case *ast.Quantifier:
		walkExpr(e.In, fn)
		walkExpr(e.Where, fn)
	case *ast.Reduce:
		walkExpr(e.Init, fn)
		walkExpr(e.In, fn)
		walkExpr(e.Expr, fn)
	case *ast.PatternComp:
		walkExpr(e.Where, fn)
		walkExpr(e.Map, fn)
	case *ast.Exists:
		walkExpr(e.Where, fn)
	}
}

// exprKey renders an expression canonically (no positions), so that the
// same expression written twice — a grouping key and its use inside an
// aggregating item — is recognised as one.
func exprKey(e ast.Expr) string {
	var b strings.Builder
	writeKey(&b, e)
	return b.String()
}

func writeKey(b *strings.Builder, e ast.Expr) {
	if e == nil {
		b.WriteString("_")
		return
	}
	switch e := e.(type) {
	case *ast.Literal:
		b.WriteString(literalValue(e).String())
		if e.Kind == ast.LitFloat {
			b.WriteString("f")
		}
	case *ast.Param:
		b.WriteString("$" + e.Name)
	case *ast.Var:
		b.WriteString("v:" + e.Name)
	case *ast.ListLit:
		b.WriteString("[")
		for _, x := range e.Items {
			writeKey(b, x)
			b.WriteString(",")
		}
		b.WriteString("]")
	case *ast.MapLit:
		b.WriteString("{")
		for i, k := range e.Keys {
			b.WriteString(strconv.Quote(k) + ":")
			writeKey(b, e.Values[i])
			b.WriteString(",")
		}
		b.WriteString("}")
	case *ast.Prop:
		writeKey(b, e.Subject)
		b.WriteString("." + strconv.Quote(e.Key))
	case *ast.Index:
		writeKey(b, e.Subject)
		b.WriteString("[")
		writeKey(b, e.Index)
		b.WriteString("]")
	case *ast.Slice:
		writeKey(b, e.Subject)
		b.WriteString("[")
		writeKey(b, e.From)
		b.WriteString("..")
		writeKey(b, e.To)
		b.WriteString("]")
	case *ast.Unary:
		b.WriteString("u" + strconv.Itoa(int(e.Op)) + "(")
		writeKey(b, e.X)
		b.WriteString(")")
	case *ast.Binary:
		b.WriteString("(")
		writeKey(b, e.L)
		b.WriteString(" " + e.Op.String() + " ")
		writeKey(b, e.R)
		b.WriteString(")")
	case *ast.IsNull:
		writeKey(b, e.X)
		if e.Not {
			b.WriteString(" notnull")
		} else {
			b.WriteString(" isnull")
		}
	case *ast.Call:
		b.WriteString(strings.ToLower(e.Name) + "(")
		if e.Distinct {
			b.WriteString("distinct ")
		}
		if e.Star {
			b.WriteString("*")
		}
		for _, x := range e.Args {
			writeKey(b, x)
			b.WriteString(",")
		}
		b.WriteString(")")
	default:
		// Rare forms (CASE, comprehensions, ...) only match themselves.
		fmt.Fprintf(b, "#%p", e)
	}
}
