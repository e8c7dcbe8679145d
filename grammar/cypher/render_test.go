package cypher

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/grammar/ast"
)

// The renderers below print an AST as compact S-expressions so that the
// table-driven tests can state expected shapes in one line each. Positions
// are deliberately left out; dedicated tests check them.

func renderQuery(q *ast.Query) string {
	var parts []string
	for _, p := range q.Parts {
		parts = append(parts, renderSingle(p))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	op := "union"
	if q.All {
		op = "union-all"
	}
	return "(" + op + " " + strings.Join(parts, " ") + ")"
}

func renderSingle(sq *ast.SingleQuery) string {
	var cs []string
	for _, c := range sq.Clauses {
		cs = append(cs, renderClause(c))
	}
	return strings.Join(cs, " ")
}

func renderClause(c ast.Clause) string {
	switch c := c.(type) {
	case *ast.Match:
		s := "(match"
		if c.Optional {
			s = "(optional-match"
		}
		s += " " + renderPattern(c.Pattern)
		if c.Where != nil {
			s += " where " + renderExpr(c.Where)
		}
		return s + ")"
	case *ast.Unwind:
		return "(unwind " + renderExpr(c.Expr) + " " + c.Var + ")"
	case *ast.With:
		s := "(with" + renderProjection(c.Projection)
		if c.Where != nil {
			s += " where " + renderExpr(c.Where)
		}
		return s + ")"
	case *ast.Return:
		return "(return" + renderProjection(c.Projection) + ")"
	case *ast.Create:
		return "(create " + renderPattern(c.Pattern) + ")"
	}
	return fmt.Sprintf("?%T", c)
}

func renderProjection(p ast.Projection) string {
	var s string
	if p.Distinct {
		s += " distinct"
	}
	if p.Star {
		s += " *"
	}
	for _, it := range p.Items {
		s += " " + renderExpr(it.Expr)
		if it.Explicit {
			s += " as " + it.Alias
		} else {
			s += " ~" + strconv.Quote(it.Alias)
		}
	}
	for _, o := range p.OrderBy {
		dir := "asc"
		if o.Descending {
			dir = "desc"
		}
		s += " order " + renderExpr(o.Expr) + " " + dir
	}
	if p.Skip != nil {
		s += " skip " + renderExpr(p.Skip)
	}
	if p.Limit != nil {
		s += " limit " + renderExpr(p.Limit)
	}
	return s
}

func renderPattern(p ast.Pattern) string {
	var ps []string
	for _, pp := range p {
		ps = append(ps, renderPath(pp))
	}
	return strings.Join(ps, ", ")
}

func renderPath(pp *ast.PathPattern) string {
	var sb strings.Builder
	if pp.Var != "" {
		sb.WriteString(pp.Var + " = ")
	}
	for i, n := range pp.Nodes {
		if i > 0 {
			sb.WriteString(renderRel(pp.Rels[i-1]))
		}
		sb.WriteString("(" + n.Var)
		if n.Labels != nil {
			sb.WriteString(renderLabels(n.Labels))
		}
		if n.Props != nil {
			sb.WriteString(" " + renderExpr(n.Props))
		}
		if n.Where != nil {
			sb.WriteString(" where " + renderExpr(n.Where))
		}
		sb.WriteString(")")
	}
	return sb.String()
}

func renderRel(r *ast.RelPattern) string {
	body := r.Var
	if r.Types != nil {
		body += renderLabels(r.Types)
	}
	if r.Length != nil {
		body += "*"
		if r.Length.Min != nil {
			body += strconv.Itoa(*r.Length.Min)
		}
		body += ".."
		if r.Length.Max != nil {
			body += strconv.Itoa(*r.Length.Max)
		}
	}
	if r.Props != nil {
		body += " " + renderExpr(r.Props)
	}
	if r.Where != nil {
		body += " where " + renderExpr(r.Where)
	}
	switch r.Direction {
	case ast.DirLeft:
		return "<-[" + body + "]-"
	case ast.DirRight:
		return "-[" + body + "]->"
	}
	return "-[" + body + "]-"
}

func renderLabels(l ast.LabelExpr) string {
	switch l := l.(type) {
	case *ast.LabelName:
		return ":" + l.Name
	case *ast.LabelAnd:
		var s string
		for _, it := range l.Items {
			s += renderLabels(it)
		}
		return s
	case *ast.LabelOr:
		var parts []string
		for _, it := range l.Items {
			parts = append(parts, strings.TrimPrefix(renderLabels(it), ":"))
		}
		return ":" + strings.Join(parts, "|")
	}
	return fmt.Sprintf("?%T", l)
}

func renderExpr(e ast.Expr) string {
	switch e := e.(type) {
	case nil:
		return "nil"
	case *ast.Literal:
		switch e.Kind {
		case ast.LitNull:
			return "null"
		case ast.LitBool:
			return strconv.FormatBool(e.Bool)
		case ast.LitInt:
			return strconv.FormatInt(e.Int, 10)
		case ast.LitFloat:
			return "f" + strconv.FormatFloat(e.Float, 'g', -1, 64)
		case ast.LitString:
			return strconv.Quote(e.Str)
		}
	case *ast.ListLit:
		var items []string
		for _, it := range e.Items {
			items = append(items, renderExpr(it))
		}
		return "[" + strings.Join(items, " ") + "]"
	case *ast.MapLit:
		var items []string
		for i, k := range e.Keys {
			items = append(items, k+":"+renderExpr(e.Values[i]))
		}
		return "{" + strings.Join(items, " ") + "}"
	case *ast.Param:
		return "$" + e.Name
	case *ast.Var:
		return e.Name
	case *ast.Prop:
		return renderExpr(e.Subject) + "." + e.Key
	case *ast.Index:
		return "(index " + renderExpr(e.Subject) + " " + renderExpr(e.Index) + ")"
	case *ast.Slice:
		return "(slice " + renderExpr(e.Subject) + " " + renderExpr(e.From) + " " + renderExpr(e.To) + ")"
	case *ast.Unary:
		op := [...]string{ast.OpNot: "NOT", ast.OpNeg: "neg", ast.OpPlus: "pos"}[e.Op]
		return "(" + op + " " + renderExpr(e.X) + ")"
	case *ast.Binary:
		return "(" + e.Op.String() + " " + renderExpr(e.L) + " " + renderExpr(e.R) + ")"
	case *ast.IsNull:
		if e.Not {
			return "(is-not-null " + renderExpr(e.X) + ")"
		}
		return "(is-null " + renderExpr(e.X) + ")"
	case *ast.HasLabels:
		return "(has " + renderExpr(e.X) + renderLabels(e.Labels) + ")"
	case *ast.Call:
		s := "(" + e.Name
		if e.Distinct {
			s += " distinct"
		}
		if e.Star {
			s += " *"
		}
		for _, a := range e.Args {
			s += " " + renderExpr(a)
		}
		return s + ")"
	case *ast.Case:
		s := "(case"
		if e.Subject != nil {
			s += " " + renderExpr(e.Subject)
		}
		for _, w := range e.Whens {
			s += " when " + renderExpr(w.When) + " then " + renderExpr(w.Then)
		}
		if e.Else != nil {
			s += " else " + renderExpr(e.Else)
		}
		return s + ")"
	case *ast.ListComp:
		return "(list-comp " + e.Var + " " + renderExpr(e.In) + " " + renderExpr(e.Where) + " " + renderExpr(e.Map) + ")"
	case *ast.PatternComp:
		return "(pattern-comp " + renderPath(e.Pattern) + " " + renderExpr(e.Where) + " " + renderExpr(e.Map) + ")"
	case *ast.Quantifier:
		kind := [...]string{ast.QuantAll: "all", ast.QuantAny: "any", ast.QuantNone: "none", ast.QuantSingle: "single"}[e.Kind]
		return "(" + kind + " " + e.Var + " " + renderExpr(e.In) + " " + renderExpr(e.Where) + ")"
	case *ast.Reduce:
		return "(reduce " + e.Acc + " " + renderExpr(e.Init) + " " + e.Var + " " + renderExpr(e.In) + " " + renderExpr(e.Expr) + ")"
	case *ast.Exists:
		if e.Query != nil {
			return "(exists-query " + renderQuery(e.Query) + ")"
		}
		s := "(exists " + renderPattern(e.Pattern)
		if e.Where != nil {
			s += " where " + renderExpr(e.Where)
		}
		return s + ")"
	}
	return fmt.Sprintf("?%T", e)
}
