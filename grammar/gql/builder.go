// Package gql is Vigil's GQL (ISO/IEC 39075) front-end: an ANTLR4 parser
// generated from GQL.g4 and a builder that lowers its parse tree onto the
// same language-neutral syntax tree (package ast) that the openCypher
// front-end builds, so that the engine never learns which language a query
// was written in.
//
// The GQL statements without a Cypher counterpart are lowered onto With:
// LET adds columns (WITH *, e AS x), FILTER filters (folded into the WHERE of
// the MATCH or With before it when that keeps the meaning), YIELD projects,
// a RETURN followed by NEXT becomes the With that feeds the next part, and
// GROUP BY fills Projection.GroupBy. See docs/gql.md.
package gql

//go:generate ../generate.sh . GQL.g4

import (
	"strings"

	"github.com/antlr4-go/antlr/v4"

	"github.com/vigilhq/vigil/grammar/antlrparse"
	"github.com/vigilhq/vigil/grammar/ast"
)

// Error codes this package produces besides the TCK literal codes. The
// syntax and composition codes are the ones the Cypher front-end uses, so
// that tools can treat both languages alike.
const (
	codeSyntax             = antlrparse.CodeSyntax
	codeInvalidUnicodeChar = antlrparse.CodeInvalidUnicodeChar
	codeComposition        = "InvalidClauseComposition"
	codeUnsupported        = "UnsupportedFeature"
	codeAlias              = "NoExpressionAlias"
	codeInternal           = "InternalError"
	codeType               = "InvalidArgumentType"
	codeRebound            = "VariableAlreadyBound"
)

// recoverPanics is switched off by the fuzz test so that a panic surfaces
// with its stack instead of as an InternalError.
var recoverPanics = true

// Parse parses one GQL query request (optionally ending in a semicolon) into
// an AST. Every error it returns is an *ast.Error carrying a 1-based position
// and a code; a GQL feature outside the supported subset is reported with
// code UnsupportedFeature, naming the feature.
func Parse(text string) (q *ast.Query, err error) {
	defer func() {
		// A panic here is a bug in the builder, but a query engine must not
		// crash on user input: degrade to an error and let the fuzz test find
		// the cause.
		if !recoverPanics {
			return
		}
		if r := recover(); r != nil {
			q, err = nil, ast.Errorf(ast.Pos{Line: 1, Col: 1}, codeInternal, "internal parser error: %v", r)
		}
	}()

	input := antlr.NewInputStream(text)
	tree, perr := parseTree(input)
	if perr != nil {
		return nil, perr
	}
	b := &builder{input: input}
	q = b.query(tree.Query())
	if b.err != nil {
		return nil, b.err
	}
	return q, nil
}

// parseTree parses with the shared two-stage strategy (antlrparse.Parse).
func parseTree(input *antlr.InputStream) (IRequestContext, *ast.Error) {
	return antlrparse.Parse(input,
		func(in antlr.CharStream) antlr.Lexer { return NewGQLLexer(in) },
		NewGQLParser,
		func(p *GQLParser) IRequestContext { return p.Request() })
}

// builder walks a successful parse tree. It records the first error and
// keeps going with placeholder values, so the walking code needs no error
// plumbing. Building is a pure function of the parse tree, which is what
// lets query() build the part before a NEXT once per UNION branch.
type builder struct {
	input *antlr.InputStream
	err   *ast.Error
	// bound holds the variables in scope at the statement being built, so
	// that LET can refuse to re-bind one. It is reset for each UNION branch.
	bound map[string]bool
}

func (b *builder) fail(p ast.Pos, code, format string, args ...any) {
	if b.err == nil {
		b.err = ast.Errorf(p, code, format, args...)
	}
}

// unsupported reports a GQL feature outside Vigil's subset, by name.
func (b *builder) unsupported(p ast.Pos, feature string) {
	b.fail(p, codeUnsupported, "GQL feature not supported: %s", feature)
}

func tokPos(t antlr.Token) ast.Pos {
	return ast.Pos{Line: t.GetLine(), Col: t.GetColumn() + 1}
}

func ctxPos(c antlr.ParserRuleContext) ast.Pos { return tokPos(c.GetStart()) }

// source returns the exact text a rule matched, used as the implicit name of
// an unaliased RETURN column (as the Cypher front-end does).
func (b *builder) source(c antlr.ParserRuleContext) string {
	start, stop := c.GetStart(), c.GetStop()
	if start == nil || stop == nil || stop.GetStop() < start.GetStart() {
		return ""
	}
	return b.input.GetText(start.GetStart(), stop.GetStop())
}

// ---------------------------------------------------------------- queries

// query lowers `part NEXT part NEXT ... last` where last may be a UNION of
// linear queries. The AST has no "union in the middle of a pipeline", so
// P NEXT (A UNION B) becomes (P; A) UNION (P; B): both branches read the same
// table from P, which is exactly what NEXT means.
func (b *builder) query(c IQueryContext) *ast.Query {
	q := &ast.Query{Pos: ctxPos(c)}
	parts := c.AllCompositeQuery()
	last := parts[len(parts)-1]
	for _, p := range parts[:len(parts)-1] {
		if ops := p.AllSetOperator(); len(ops) > 0 {
			b.unsupported(ctxPos(ops[0]), "set operator ("+strings.ToUpper(ops[0].GetStart().GetText())+") followed by NEXT")
		}
	}
	for i, op := range last.AllSetOperator() {
		var all bool
		switch {
		case op.UNION() != nil:
			all = op.ALL() != nil
		default:
			b.unsupported(ctxPos(op), strings.ToUpper(op.GetStart().GetText()))
		}
		if i == 0 {
			q.All = all
		} else if all != q.All {
			b.fail(ctxPos(op), codeComposition, "cannot mix UNION ALL with UNION DISTINCT")
		}
	}
	for _, branch := range last.AllLinearQuery() {
		sq := &ast.SingleQuery{Pos: ctxPos(branch)}
		b.bound = map[string]bool{}
		for _, p := range parts[:len(parts)-1] {
			sq.Clauses = b.linear(p.LinearQuery(0), sq.Clauses, false)
		}
		sq.Clauses = b.linear(branch, sq.Clauses, true)
		q.Parts = append(q.Parts, sq)
	}
	return q
}

// linear appends the clauses of one linear query to out. final says whether
// it ends the request (its RETURN is the query's Return) or is followed by
// NEXT (its RETURN becomes a With feeding the next part).
func (b *builder) linear(c ILinearQueryContext, out []ast.Clause, final bool) []ast.Clause {
	stmts := c.AllStatement()
	for i, s := range stmts {
		last := i == len(stmts)-1
		switch {
		case s.MatchStatement() != nil:
			m := b.match(s.MatchStatement())
			b.bindPattern(m.Pattern)
			out = append(out, m)
		case s.FilterStatement() != nil:
			f := s.FilterStatement()
			out = b.filter(out, ctxPos(f), f.Expression())
		case s.LetStatement() != nil:
			out = b.let(out, s.LetStatement())
		case s.ForStatement() != nil:
			f := s.ForStatement()
			if f.WITH() != nil {
				b.unsupported(tokPos(f.WITH().GetSymbol()), "FOR ... WITH ORDINALITY/OFFSET")
			}
			u := &ast.Unwind{Pos: ctxPos(f), Expr: b.expr(f.Expression()), Var: b.variable(f.Variable(0))}
			b.bound[u.Var] = true
			out = append(out, u)
		case s.YieldStatement() != nil:
			y := s.YieldStatement()
			w := &ast.With{Pos: ctxPos(y)}
			for _, it := range y.AllYieldItem() {
				w.Items = append(w.Items, b.item(it, true))
			}
			b.rebind(w.Projection)
			out = append(out, w)
		case s.OrderPageStatement() != nil:
			o := s.OrderPageStatement()
			w := &ast.With{Pos: ctxPos(o), Projection: ast.Projection{Star: true}}
			b.orderPage(&w.Projection, o.OrderByClause(), o.OffsetClause(), o.LimitClause())
			out = append(out, w)
		case s.ReturnStatement() != nil:
			r := s.ReturnStatement()
			if !last {
				b.fail(ctxPos(stmts[i+1]), codeComposition, "RETURN ends a linear query: use NEXT to continue after it")
			}
			p := b.returnProjection(r, !final)
			if final {
				out = append(out, &ast.Return{Pos: ctxPos(r), Projection: p})
			} else {
				b.rebind(p)
				out = append(out, &ast.With{Pos: ctxPos(r), Projection: p})
			}
		case s.UnsupportedStatement() != nil:
			b.unsupportedStatement(s.UnsupportedStatement().UnsupportedKeyword())
		}
	}
	if _, ok := lastClause(out).(*ast.Return); final && !ok {
		b.fail(ctxPos(stmts[len(stmts)-1]), codeComposition, "a GQL query must end with RETURN")
	}
	if !final && stmts[len(stmts)-1].ReturnStatement() == nil {
		b.fail(ctxPos(stmts[len(stmts)-1]), codeComposition, "the statement before NEXT must be a RETURN")
	}
	return out
}

// bindPattern adds the variables a MATCH binds to the scope.
func (b *builder) bindPattern(p ast.Pattern) {
	for _, pp := range p {
		if pp.Var != "" {
			b.bound[pp.Var] = true
		}
		for _, n := range pp.Nodes {
			if n.Var != "" {
				b.bound[n.Var] = true
			}
		}
		for _, r := range pp.Rels {
			if r.Var != "" {
				b.bound[r.Var] = true
			}
		}
	}
}

// rebind sets the scope after a projection (YIELD, or a RETURN before
// NEXT): its columns, plus everything already bound for `*`.
func (b *builder) rebind(p ast.Projection) {
	if !p.Star {
		b.bound = map[string]bool{}
	}
	for _, it := range p.Items {
		b.bound[it.Alias] = true
	}
}

func lastClause(cs []ast.Clause) ast.Clause {
	if len(cs) == 0 {
		return nil
	}
	return cs[len(cs)-1]
}

// unsupportedStatement names the statement kind: data modification, catalog
// and session statements, procedure calls and SELECT are outside the subset.
func (b *builder) unsupportedStatement(k IUnsupportedKeywordContext) {
	kw := strings.ToUpper(k.GetStart().GetText())
	var feature string
	switch kw {
	case "INSERT", "SET", "REMOVE", "DELETE", "DETACH", "NODETACH":
		feature = "data modification (" + kw + ")"
	case "CREATE", "DROP":
		feature = "catalog modification such as graphs and graph types (" + kw + ")"
	case "CALL":
		feature = "procedure calls (CALL)"
	case "SELECT":
		feature = "SELECT statements"
	case "USE":
		feature = "graph selection (USE)"
	case "OPTIONAL":
		feature = "OPTIONAL blocks (use OPTIONAL MATCH)"
	default:
		feature = "session and transaction commands (" + kw + ")"
	}
	b.unsupported(ctxPos(k), feature)
}

// filter lowers FILTER. Folding the condition into the WHERE of the clause
// just before keeps the engine's predicate push-down: a non-optional MATCH
// filters its rows the same way, and a With's WHERE applies after its
// projection, aggregation, DISTINCT and LIMIT, which is exactly the table a
// FILTER after it sees. A With's WHERE can also see variables the With
// dropped, so the fold happens only when the condition names nothing but
// the With's columns; otherwise, and after an OPTIONAL MATCH (whose WHERE
// keeps the row with nulls) or a FOR, it stays a separate WITH * WHERE,
// whose scope checks then report a dropped variable as undefined.
func (b *builder) filter(out []ast.Clause, pos ast.Pos, c IExpressionContext) []ast.Clause {
	cond := b.expr(c)
	and := func(prev ast.Expr) ast.Expr {
		if prev == nil {
			return cond
		}
		return &ast.Binary{Pos: pos, Op: ast.OpAnd, L: prev, R: cond}
	}
	switch w := lastClause(out).(type) {
	case *ast.Match:
		if !w.Optional {
			w.Where = and(w.Where)
			return out
		}
	case *ast.With:
		cols := map[string]bool{}
		for _, it := range w.Items {
			cols[it.Alias] = true
		}
		used := map[string]bool{}
		variablesIn(c, used)
		fits := true
		for name := range used {
			fits = fits && cols[name]
		}
		if w.Star || fits {
			w.Where = and(w.Where)
			return out
		}
	}
	return append(out, &ast.With{Pos: pos, Projection: ast.Projection{Star: true}, Where: cond})
}

// variablesIn collects the names a parse tree uses as variables (including
// ones bound inside it, which only makes callers more cautious).
func variablesIn(t antlr.Tree, out map[string]bool) {
	if v, ok := t.(*VariableContext); ok {
		out[symbolicName(v.SymbolicName())] = true
		return
	}
	for i := 0; i < t.GetChildCount(); i++ {
		variablesIn(t.GetChild(i), out)
	}
}

// let lowers `LET a = e1, b = e2` to `WITH *, e1 AS a, e2 AS b`. A binding
// that refers to a variable bound earlier in the same statement starts a new
// With, since a projection's items cannot see each other. A LET variable
// must be new: re-binding a name in scope (a pattern variable, an earlier
// LET, a FOR or a column before NEXT) is an error, as in GQL.
func (b *builder) let(out []ast.Clause, c ILetStatementContext) []ast.Clause {
	var w *ast.With
	bound := map[string]bool{}
	for _, lb := range c.AllLetBinding() {
		if w == nil || refersTo(lb.Expression(), bound) {
			w = &ast.With{Pos: ctxPos(lb), Projection: ast.Projection{Star: true}}
			out = append(out, w)
			bound = map[string]bool{}
		}
		name := b.variable(lb.Variable())
		if b.bound[name] {
			b.fail(ctxPos(lb.Variable()), codeRebound, "LET cannot re-bind `%s`: it is already bound", name)
		}
		b.bound[name] = true
		bound[name] = true
		w.Items = append(w.Items, &ast.ProjectionItem{Pos: ctxPos(lb), Expr: b.expr(lb.Expression()), Alias: name, Explicit: true})
	}
	return out
}

// refersTo reports whether a parse tree mentions one of the names as a
// variable. It may over-approximate, which only costs an extra With.
func refersTo(t antlr.Tree, names map[string]bool) bool {
	used := map[string]bool{}
	variablesIn(t, used)
	for n := range used {
		if names[n] {
			return true
		}
	}
	return false
}

// item builds one RETURN or YIELD item. needAlias demands AS for anything
// but a bare variable (a column that a later statement must name).
func (b *builder) item(c IYieldItemContext, needAlias bool) *ast.ProjectionItem {
	e := b.expr(c.Expression())
	pi := &ast.ProjectionItem{Pos: ctxPos(c), Expr: e}
	switch v, isVar := e.(*ast.Var); {
	case c.Variable() != nil:
		pi.Alias, pi.Explicit = b.variable(c.Variable()), true
	case isVar && isBare[*VariablePrimaryContext](c.Expression()):
		pi.Alias = v.Name
	default:
		if needAlias {
			b.fail(ctxPos(c), codeAlias, "a column that later statements read must be a variable or be named with AS")
		}
		pi.Alias = b.source(c.Expression())
	}
	return pi
}

// returnProjection builds a RETURN's projection; beforeNext marks a RETURN
// followed by NEXT, whose columns the next part reads by name.
func (b *builder) returnProjection(c IReturnStatementContext, beforeNext bool) ast.Projection {
	p := ast.Projection{Distinct: c.DISTINCT() != nil}
	ri := c.ReturnItems()
	items := ri.AllYieldItem()
	switch {
	case ri.STAR() != nil:
		p.Star = true
	case ri.NO() != nil:
		b.unsupported(ctxPos(ri), "RETURN NO BINDINGS")
	}
	for _, it := range items {
		p.Items = append(p.Items, b.item(it, beforeNext))
	}
	if g := c.GroupByClause(); g != nil {
		// GROUP BY () is one global group: a non-nil empty key list.
		p.GroupBy = make([]ast.Expr, 0, len(g.AllVariable()))
		for _, v := range g.AllVariable() {
			p.GroupBy = append(p.GroupBy, b.groupKey(v, p.Items))
		}
	}
	b.orderPage(&p, c.OrderByClause(), c.OffsetClause(), c.LimitClause())
	return p
}

// groupKey resolves a GROUP BY name: the RETURN item it names (GROUP BY an
// alias of the same RETURN, the usual GQL style) or else a variable of the
// incoming table. The key shares the item's expression node: the planner
// pairs items with keys by expression, and forms such as CASE match only
// themselves, so a copy would not be recognised as the same key.
func (b *builder) groupKey(v IVariableContext, items []*ast.ProjectionItem) ast.Expr {
	name := b.variable(v)
	for _, it := range items {
		if it.Alias == name {
			return it.Expr
		}
	}
	return &ast.Var{Pos: ctxPos(v), Name: name}
}

func (b *builder) orderPage(p *ast.Projection, o IOrderByClauseContext, off IOffsetClauseContext, lim ILimitClauseContext) {
	if o != nil {
		for _, s := range o.AllSortSpec() {
			if s.NULLS() != nil {
				b.unsupported(tokPos(s.NULLS().GetSymbol()), "NULLS FIRST/LAST")
			}
			p.OrderBy = append(p.OrderBy, &ast.SortItem{
				Pos:        ctxPos(s),
				Expr:       b.expr(s.Expression()),
				Descending: s.DESC() != nil || s.DESCENDING() != nil,
			})
		}
	}
	if off != nil {
		p.Skip = b.expr(off.Expression())
	}
	if lim != nil {
		p.Limit = b.expr(lim.Expression())
	}
}

// --------------------------------------------------------------- patterns

func (b *builder) match(c IMatchStatementContext) *ast.Match {
	m := &ast.Match{Pos: ctxPos(c), Optional: c.OPTIONAL() != nil}
	m.Pattern, m.Where = b.graphPattern(c.GraphPattern())
	return m
}

// graphPattern lowers a comma-separated list of path patterns. GQL's default
// match mode, DIFFERENT EDGES, is the openCypher relationship-uniqueness
// rule the engine implements, so it is accepted when written; under it WALK
// and TRAIL coincide, so those path modes are accepted too.
func (b *builder) graphPattern(c IGraphPatternContext) (ast.Pattern, ast.Expr) {
	if mm := c.MatchMode(); mm != nil && mm.REPEATABLE() != nil {
		b.unsupported(ctxPos(mm), "match mode REPEATABLE ELEMENTS")
	}
	if k := c.KeepClause(); k != nil {
		b.unsupported(ctxPos(k), "KEEP clause")
	}
	var p ast.Pattern
	for _, pp := range c.AllPathPattern() {
		p = append(p, b.pathPattern(pp))
	}
	var where ast.Expr
	if e := c.Expression(); e != nil {
		where = b.expr(e)
	}
	return p, where
}

func (b *builder) pathPrefix(c IPathPrefixContext) {
	if c == nil {
		return
	}
	switch {
	case c.SHORTEST() != nil:
		b.unsupported(ctxPos(c), "shortest path search")
	case c.ANY() != nil:
		b.unsupported(ctxPos(c), "ANY path search")
	}
	if m := c.PathMode(); m != nil && (m.SIMPLE() != nil || m.ACYCLIC() != nil) {
		b.unsupported(ctxPos(m), "path mode "+strings.ToUpper(m.GetText()))
	}
}

// pathElem is one step of a flattened path: a node or an edge.
type pathElem struct {
	node *ast.NodePattern
	rel  *ast.RelPattern
}

func (b *builder) pathPattern(c IPathPatternContext) *ast.PathPattern {
	b.pathPrefix(c.PathPrefix())
	pp := &ast.PathPattern{Pos: ctxPos(c)}
	if v := c.Variable(); v != nil {
		pp.Var = b.variable(v)
	}
	elems := b.pathExpression(c.PathExpression())
	// GQL lets a path begin or end with an edge, and put two edges side by
	// side: the missing nodes are implicit, anonymous ones.
	var prevNode bool
	for _, e := range elems {
		switch {
		case e.node != nil && prevNode:
			b.unsupported(e.node.Pos, "juxtaposed node patterns")
		case e.node != nil:
			pp.Nodes = append(pp.Nodes, e.node)
		case !prevNode:
			pp.Nodes = append(pp.Nodes, &ast.NodePattern{Pos: e.rel.Pos})
			fallthrough
		default:
			pp.Rels = append(pp.Rels, e.rel)
		}
		prevNode = e.node != nil
	}
	if !prevNode {
		pos := pp.Pos
		if n := len(pp.Rels); n > 0 {
			pos = pp.Rels[n-1].Pos
		}
		pp.Nodes = append(pp.Nodes, &ast.NodePattern{Pos: pos})
	}
	return pp
}

func (b *builder) pathExpression(c IPathExpressionContext) []pathElem {
	terms := c.AllPathTerm()
	if len(terms) > 1 {
		b.unsupported(ctxPos(terms[1]), "path pattern union and alternation (| and |+|)")
	}
	var out []pathElem
	for _, f := range terms[0].AllPathFactor() {
		out = append(out, b.pathFactor(f)...)
	}
	return out
}

func (b *builder) pathFactor(c IPathFactorContext) []pathElem {
	if c.QUESTION() != nil {
		b.unsupported(tokPos(c.QUESTION().GetSymbol()), "questioned path primary (?)")
	}
	prim := c.PathPrimary()
	q := c.Quantifier()
	switch {
	case prim.NodePattern() != nil:
		if q != nil {
			b.unsupported(ctxPos(q), "quantifier on a node pattern")
		}
		return []pathElem{{node: b.node(prim.NodePattern())}}
	case prim.EdgePattern() != nil:
		r := b.edge(prim.EdgePattern())
		if q != nil {
			r.Length = b.quantifier(q)
		}
		return []pathElem{{rel: r}}
	}
	// A parenthesised path pattern.
	if v := prim.Variable(); v != nil {
		b.unsupported(ctxPos(v), "path variable inside a parenthesised path pattern")
	}
	b.pathPrefix(prim.PathPrefix())
	if w := prim.WHERE(); w != nil {
		b.unsupported(tokPos(w.GetSymbol()), "WHERE inside a parenthesised path pattern")
	}
	inner := b.pathExpression(prim.PathExpression())
	if q == nil {
		return inner
	}
	// A quantified group lowers onto a variable-length relationship when
	// it is one edge between anonymous, unconstrained nodes: then repeating
	// the group is repeating the edge.
	if len(inner) != 3 || inner[0].node == nil || inner[1].rel == nil || inner[2].node == nil ||
		!bareNode(inner[0].node) || !bareNode(inner[2].node) || inner[1].rel.Length != nil {
		b.unsupported(ctxPos(prim), "quantified path pattern other than a single edge between anonymous nodes")
		return inner
	}
	r := inner[1].rel
	r.Length = b.quantifier(q)
	return []pathElem{{rel: r}}
}

func bareNode(n *ast.NodePattern) bool {
	return n.Var == "" && n.Labels == nil && n.Props == nil && n.Where == nil
}

// quantifier lowers a bounded quantifier onto a variable-length range.
func (b *builder) quantifier(c IQuantifierContext) *ast.Range {
	bound := func(l IIntegerLiteralContext) *int {
		v := int(b.intLit(l.GetStart(), false))
		if v > maxQuantifier {
			b.fail(ctxPos(l), codeUnsupported, "quantifier bound %d is larger than the supported maximum %d", v, maxQuantifier)
		}
		return &v
	}
	switch qc := c.(type) {
	case *QuantFixedContext:
		v := bound(qc.IntegerLiteral())
		return &ast.Range{Min: v, Max: v}
	case *QuantRangeContext:
		rg := &ast.Range{}
		zero := 0
		rg.Min = &zero
		if l := qc.GetLower(); l != nil {
			rg.Min = bound(l)
		}
		if u := qc.GetUpper(); u != nil {
			rg.Max = bound(u)
		} else {
			b.unsupported(ctxPos(qc), "unbounded quantifier {m,}")
		}
		if rg.Max != nil && *rg.Max < *rg.Min {
			b.fail(ctxPos(qc), "InvalidRelationshipPattern", "quantifier upper bound %d is below its lower bound %d", *rg.Max, *rg.Min)
		}
		return rg
	case *QuantStarContext:
		b.unsupported(ctxPos(qc), "unbounded quantifier *")
	case *QuantPlusContext:
		b.unsupported(ctxPos(qc), "unbounded quantifier +")
	}
	one := 1
	return &ast.Range{Min: &one, Max: &one}
}

// maxQuantifier caps quantifier bounds: a continuous query re-solves paths
// on every change, so a huge bound is a resource bug, not a query.
const maxQuantifier = 1000

func (b *builder) node(c INodePatternContext) *ast.NodePattern {
	n := &ast.NodePattern{Pos: ctxPos(c)}
	if v := c.Variable(); v != nil {
		n.Var = b.variable(v)
	}
	if l := c.LabelSpec(); l != nil {
		n.Labels = b.labels(l.LabelExpression())
	}
	if p := c.Properties(); p != nil {
		n.Props = b.properties(p)
	}
	if w := c.Expression(); w != nil {
		n.Where = b.expr(w)
	}
	return n
}

func (b *builder) edge(c IEdgePatternContext) *ast.RelPattern {
	r := &ast.RelPattern{Pos: ctxPos(c)}
	var f IEdgeFillerContext
	switch ec := c.(type) {
	case *EdgeAnyContext:
		// `-[ ]-` and `<-[ ]->`: either direction.
		r.Direction, f = ast.DirBoth, ec.EdgeFiller()
	case *EdgeLeftContext:
		r.Direction, f = ast.DirLeft, ec.EdgeFiller()
	case *EdgeRightContext:
		r.Direction, f = ast.DirRight, ec.EdgeFiller()
	case *EdgeAnyShortContext:
		r.Direction = ast.DirBoth
	case *EdgeLeftShortContext:
		r.Direction = ast.DirLeft
	case *EdgeRightShortContext:
		r.Direction = ast.DirRight
	case *EdgeUndirectedContext:
		// Vigil's graphs have directed relations only.
		b.unsupported(ctxPos(ec), "undirected edge patterns (~)")
	}
	if f == nil {
		return r
	}
	if v := f.Variable(); v != nil {
		r.Var = b.variable(v)
	}
	if l := f.LabelSpec(); l != nil {
		r.Types = b.labels(l.LabelExpression())
	}
	if p := f.Properties(); p != nil {
		r.Props = b.properties(p)
	}
	if w := f.Expression(); w != nil {
		r.Where = b.expr(w)
	}
	return r
}

// labels lowers a GQL label expression: | is a disjunction, & a
// conjunction, ! a negation and % any label.
func (b *builder) labels(c ILabelExpressionContext) ast.LabelExpr {
	terms := c.AllLabelTerm()
	if len(terms) == 1 {
		return b.labelTerm(terms[0])
	}
	or := &ast.LabelOr{Pos: ctxPos(c)}
	for _, t := range terms {
		or.Items = append(or.Items, b.labelTerm(t))
	}
	return or
}

func (b *builder) labelTerm(c ILabelTermContext) ast.LabelExpr {
	factors := c.AllLabelFactor()
	if len(factors) == 1 {
		return b.labelFactor(factors[0])
	}
	and := &ast.LabelAnd{Pos: ctxPos(c)}
	for _, f := range factors {
		and.Items = append(and.Items, b.labelFactor(f))
	}
	return and
}

func (b *builder) labelFactor(c ILabelFactorContext) ast.LabelExpr {
	pos := ctxPos(c)
	switch fc := c.(type) {
	case *LabelNegationContext:
		return &ast.LabelNot{Pos: pos, Item: b.labelFactor(fc.LabelFactor())}
	case *LabelWildcardContext:
		return &ast.LabelAny{Pos: pos}
	case *LabelParenContext:
		return b.labels(fc.LabelExpression())
	case *LabelNameContext:
		return &ast.LabelName{Pos: pos, Name: schemaName(fc.SchemaName())}
	}
	b.fail(pos, codeInternal, "unknown label expression")
	return &ast.LabelAny{Pos: pos}
}

func (b *builder) properties(c IPropertiesContext) ast.Expr {
	out := &ast.MapLit{Pos: ctxPos(c)}
	vals := c.AllExpression()
	for i, k := range c.AllPropertyKey() {
		out.Keys = append(out.Keys, schemaName(k.SchemaName()))
		out.Values = append(out.Values, b.expr(vals[i]))
	}
	return out
}

// ------------------------------------------------------------ expressions

func (b *builder) expr(c IExpressionContext) ast.Expr {
	ops := c.OrExpression().AllXorExpression()
	e := b.xor(ops[0])
	for _, o := range ops[1:] {
		e = &ast.Binary{Pos: ctxPos(c), Op: ast.OpOr, L: e, R: b.xor(o)}
	}
	return e
}

func (b *builder) xor(c IXorExpressionContext) ast.Expr {
	ops := c.AllAndExpression()
	e := b.and(ops[0])
	for _, o := range ops[1:] {
		e = &ast.Binary{Pos: ctxPos(c), Op: ast.OpXor, L: e, R: b.and(o)}
	}
	return e
}

func (b *builder) and(c IAndExpressionContext) ast.Expr {
	ops := c.AllNotExpression()
	e := b.not(ops[0])
	for _, o := range ops[1:] {
		e = &ast.Binary{Pos: ctxPos(c), Op: ast.OpAnd, L: e, R: b.not(o)}
	}
	return e
}

func (b *builder) not(c INotExpressionContext) ast.Expr {
	e := b.truth(c.TruthExpression())
	nots := c.AllNOT()
	for i := len(nots) - 1; i >= 0; i-- {
		e = &ast.Unary{Pos: tokPos(nots[i].GetSymbol()), Op: ast.OpNot, X: e}
	}
	return e
}

// truth lowers the truth tests: x IS TRUE is coalesce(x, false), x IS FALSE
// is NOT coalesce(x, true) and x IS UNKNOWN is x IS NULL, which give the
// standard's two-valued answers for true, false and null.
func (b *builder) truth(c ITruthExpressionContext) ast.Expr {
	e := b.comparison(c.ComparisonExpression())
	if c.IS() == nil {
		return e
	}
	pos := tokPos(c.IS().GetSymbol())
	lit := func(v bool) ast.Expr { return &ast.Literal{Pos: pos, Kind: ast.LitBool, Bool: v} }
	switch {
	case c.TRUE() != nil:
		e = &ast.Call{Pos: pos, Name: "coalesce", Args: []ast.Expr{e, lit(false)}}
	case c.FALSE() != nil:
		e = &ast.Unary{Pos: pos, Op: ast.OpNot, X: &ast.Call{Pos: pos, Name: "coalesce", Args: []ast.Expr{e, lit(true)}}}
	default:
		e = &ast.IsNull{Pos: pos, X: e}
	}
	if c.NOT() != nil {
		e = &ast.Unary{Pos: pos, Op: ast.OpNot, X: e}
	}
	return e
}

var comparisonOps = map[int]ast.BinaryOp{
	GQLParserEQ: ast.OpEq,
	GQLParserNE: ast.OpNe,
	GQLParserLT: ast.OpLt,
	GQLParserGT: ast.OpGt,
	GQLParserLE: ast.OpLe,
	GQLParserGE: ast.OpGe,
}

func (b *builder) comparison(c IComparisonExpressionContext) ast.Expr {
	operands := c.AllPredicateExpression()
	e := b.predicate(operands[0])
	if op := c.ComparisonOperator(); op != nil {
		e = &ast.Binary{Pos: ctxPos(c), Op: comparisonOps[op.GetStart().GetTokenType()], L: e, R: b.predicate(operands[1])}
	}
	return e
}

func (b *builder) predicate(c IPredicateExpressionContext) ast.Expr {
	e := b.concat(c.ConcatExpression())
	pos := ctxPos(c)
	for _, s := range c.AllPredicateSuffix() {
		switch sc := s.(type) {
		case *IsNullContext:
			e = &ast.IsNull{Pos: pos, X: e, Not: sc.NOT() != nil}
		case *IsLabeledContext:
			e = &ast.HasLabels{Pos: pos, X: e, Labels: b.labels(sc.LabelExpression())}
			if sc.NOT() != nil {
				e = &ast.Unary{Pos: pos, Op: ast.OpNot, X: e}
			}
		case *HasLabelContext:
			e = &ast.HasLabels{Pos: pos, X: e, Labels: b.labels(sc.LabelExpression())}
		case *IsTypedContext:
			e = b.isTyped(e, pos, sc.ValueType())
			if sc.NOT() != nil {
				e = &ast.Unary{Pos: pos, Op: ast.OpNot, X: e}
			}
		case *StartsWithContext:
			e = &ast.Binary{Pos: pos, Op: ast.OpStartsWith, L: e, R: b.concat(sc.ConcatExpression())}
		case *EndsWithContext:
			e = &ast.Binary{Pos: pos, Op: ast.OpEndsWith, L: e, R: b.concat(sc.ConcatExpression())}
		case *ContainsContext:
			e = &ast.Binary{Pos: pos, Op: ast.OpContains, L: e, R: b.concat(sc.ConcatExpression())}
		case *InListContext:
			e = &ast.Binary{Pos: pos, Op: ast.OpIn, L: e, R: b.concat(sc.ConcatExpression())}
		}
	}
	return e
}

// concatFunction is the function `a || b` lowers to. GQL's || concatenates
// two strings or two lists and nothing else, whereas the engine's binary
// || follows + (a string and a number give a string), so the GQL set
// registers this name with the strict rule (functions.GQL). The name is not
// an identifier, so no query calls it by accident.
const concatFunction = "||"

// concat lowers `a || b || c`. An operand whose type the text fixes and
// that can never be concatenated (a number, boolean or record literal), or
// a string literal next to a list literal, is rejected here with its
// position, as GQL's static typing would; anything whose type is known only
// at run time is checked there (a TypeError).
func (b *builder) concat(c IConcatExpressionContext) ast.Expr {
	ops := c.AllAddExpression()
	e := b.add(ops[0])
	if len(ops) == 1 {
		return e
	}
	kind := b.concatOperand(e, ops[0])
	for _, o := range ops[1:] {
		r := b.add(o)
		rk := b.concatOperand(r, o)
		if kind != "" && rk != "" && kind != rk {
			b.fail(ctxPos(o), codeType, "|| concatenates two strings or two lists, not %s and %s", kind, rk)
		}
		if kind == "" {
			kind = rk // a || that succeeds has its known operand's type
		}
		e = &ast.Call{Pos: ctxPos(c), Name: concatFunction, Args: []ast.Expr{e, r}}
	}
	return e
}

// concatOperand checks one operand of ||, returning "a String" or "a List"
// when the text fixes it as one, and "" when it is known only at run time.
func (b *builder) concatOperand(e ast.Expr, c IAddExpressionContext) string {
	what := ""
	switch l := e.(type) {
	case *ast.Literal:
		switch l.Kind {
		case ast.LitString:
			return "a String"
		case ast.LitInt:
			what = "an Integer"
		case ast.LitFloat:
			what = "a Float"
		case ast.LitBool:
			what = "a Boolean"
		}
	case *ast.ListLit:
		return "a List"
	case *ast.MapLit:
		what = "a Record"
	}
	if what != "" {
		b.fail(ctxPos(c), codeType, "|| concatenates two strings or two lists, not %s", what)
	}
	return ""
}

// operators returns the operator tokens between a rule's operands, in order.
func operators(c antlr.ParserRuleContext) []antlr.Token {
	var toks []antlr.Token
	for _, ch := range c.GetChildren() {
		if t, ok := ch.(antlr.TerminalNode); ok {
			toks = append(toks, t.GetSymbol())
		}
	}
	return toks
}

var arithmeticOps = map[int]ast.BinaryOp{
	GQLParserPLUS:  ast.OpAdd,
	GQLParserMINUS: ast.OpSub,
	GQLParserSTAR:  ast.OpMul,
	GQLParserSLASH: ast.OpDiv,
}

func (b *builder) add(c IAddExpressionContext) ast.Expr {
	operands, ops := c.AllMultExpression(), operators(c)
	e := b.mult(operands[0])
	for i, o := range operands[1:] {
		e = &ast.Binary{Pos: ctxPos(c), Op: arithmeticOps[ops[i].GetTokenType()], L: e, R: b.mult(o)}
	}
	return e
}

func (b *builder) mult(c IMultExpressionContext) ast.Expr {
	operands, ops := c.AllUnaryExpression(), operators(c)
	e := b.unary(operands[0])
	for i, o := range operands[1:] {
		e = &ast.Binary{Pos: ctxPos(c), Op: arithmeticOps[ops[i].GetTokenType()], L: e, R: b.unary(o)}
	}
	return e
}

func (b *builder) unary(c IUnaryExpressionContext) ast.Expr {
	if pf := c.PostfixExpression(); pf != nil {
		return b.postfix(pf)
	}
	opTok := c.GetStart()
	inner := c.UnaryExpression()
	if opTok.GetTokenType() == GQLParserMINUS {
		// A minus sign directly on a number is part of the literal: that is
		// the only way to write the smallest 64-bit integer.
		if num := bareNumber(inner); num != nil {
			return b.number(num, tokPos(opTok), true)
		}
		return &ast.Unary{Pos: tokPos(opTok), Op: ast.OpNeg, X: b.unary(inner)}
	}
	return &ast.Unary{Pos: tokPos(opTok), Op: ast.OpPlus, X: b.unary(inner)}
}

// bareNumber returns the number literal a unary expression consists of, or
// nil if it is anything more.
func bareNumber(c IUnaryExpressionContext) INumberLiteralContext {
	pf := c.PostfixExpression()
	if pf == nil || len(pf.AllPostfixOperator()) > 0 {
		return nil
	}
	lp, ok := pf.Primary().(*LiteralPrimaryContext)
	if !ok {
		return nil
	}
	nl, ok := lp.Literal().(*NumLitContext)
	if !ok {
		return nil
	}
	return nl.NumberLiteral()
}

// postfix lowers property access, list indexing `l[i]` and slicing
// `l[from..to]` (an openCypher extension) as the Cypher front-end does.
func (b *builder) postfix(c IPostfixExpressionContext) ast.Expr {
	e := b.primary(c.Primary())
	pos := ctxPos(c)
	for _, op := range c.AllPostfixOperator() {
		switch oc := op.(type) {
		case *PropertyLookupContext:
			e = &ast.Prop{Pos: pos, Subject: e, Key: schemaName(oc.PropertyKey().SchemaName())}
		case *IndexLookupContext:
			e = &ast.Index{Pos: pos, Subject: e, Index: b.expr(oc.Expression())}
		case *SliceLookupContext:
			s := &ast.Slice{Pos: pos, Subject: e}
			if f := oc.GetFromExpr(); f != nil {
				s.From = b.expr(f)
			}
			if t := oc.GetToExpr(); t != nil {
				s.To = b.expr(t)
			}
			e = s
		}
	}
	return e
}

// clockFunctions maps a zero-argument temporal constructor to the function
// that reads the engine clock: ZONED_DATETIME() means CURRENT_TIMESTAMP.
var clockFunctions = map[string]string{
	"zoned_datetime": "current_timestamp",
	"local_datetime": "local_timestamp",
	"date":           "current_date",
	"zoned_time":     "current_time",
}

func (b *builder) primary(c IPrimaryContext) ast.Expr {
	pos := ctxPos(c)
	switch pc := c.(type) {
	case *LiteralPrimaryContext:
		return b.literal(pc.Literal())
	case *ParameterPrimaryContext:
		return &ast.Param{Pos: pos, Name: symbolicName(pc.Parameter().SymbolicName())}
	case *CasePrimaryContext:
		return b.caseExpr(pc.CaseExpression())
	case *NullifPrimaryContext:
		// NULLIF(a, b) is CASE WHEN a = b THEN NULL ELSE a END; a is built
		// twice so that the AST stays a tree.
		a := pc.Expression(0)
		return &ast.Case{Pos: pos,
			Whens: []ast.CaseWhen{{
				When: &ast.Binary{Pos: pos, Op: ast.OpEq, L: b.expr(a), R: b.expr(pc.Expression(1))},
				Then: &ast.Literal{Pos: pos, Kind: ast.LitNull},
			}},
			Else: b.expr(a),
		}
	case *CoalescePrimaryContext:
		out := &ast.Call{Pos: pos, Name: "coalesce"}
		for _, a := range pc.AllExpression() {
			out.Args = append(out.Args, b.expr(a))
		}
		return out
	case *CountStarContext:
		return &ast.Call{Pos: pos, Name: "count", Star: true}
	case *ExistsPrimaryContext:
		if g := pc.GraphPattern(); g != nil {
			p, w := b.graphPattern(g)
			return &ast.Exists{Pos: pos, Pattern: p, Where: w}
		}
		sq := &ast.SingleQuery{Pos: pos}
		for _, m := range pc.AllMatchStatement() {
			sq.Clauses = append(sq.Clauses, b.match(m))
		}
		return &ast.Exists{Pos: pos, Query: &ast.Query{Pos: pos, Parts: []*ast.SingleQuery{sq}}}
	case *CastPrimaryContext:
		return b.cast(pos, b.expr(pc.Expression()), pc.ValueType())
	case *ClockPrimaryContext:
		return &ast.Call{Pos: pos, Name: strings.ToLower(pc.GetNiladic().GetText())}
	case *TypedLiteralContext:
		return b.typedLiteral(pc)
	case *FunctionCallContext:
		var parts []string
		for _, s := range pc.FunctionName().AllSymbolicName() {
			parts = append(parts, symbolicName(s))
		}
		out := &ast.Call{Pos: pos, Name: strings.Join(parts, "."), Distinct: pc.DISTINCT() != nil}
		for _, a := range pc.AllExpression() {
			out.Args = append(out.Args, b.expr(a))
		}
		if clock, ok := clockFunctions[strings.ToLower(out.Name)]; ok && len(out.Args) == 0 {
			out.Name = clock
		}
		return out
	case *ParenthesizedContext:
		return b.expr(pc.Expression())
	case *VariablePrimaryContext:
		return &ast.Var{Pos: pos, Name: b.variable(pc.Variable())}
	}
	b.fail(pos, codeInternal, "unknown expression form")
	return &ast.Literal{Pos: pos}
}

// ------------------------------------------------------------ value types

// valueTypes maps the spellings of the value types Vigil knows (lower case,
// words joined by one space) onto a canonical name. The GQL function set
// registers `is typed NAME` and `is typed NAME not null` for every canonical
// name (functions.GQL), which is what IS TYPED lowers to.
var valueTypes = map[string]string{
	"bool": "BOOLEAN", "boolean": "BOOLEAN",
	"string": "STRING", "varchar": "STRING",
	"int": "INTEGER", "integer": "INTEGER", "int64": "INTEGER", "integer64": "INTEGER",
	"bigint": "INTEGER", "signed integer": "INTEGER", "signed int64": "INTEGER",
	"float": "FLOAT", "float64": "FLOAT", "double": "FLOAT", "double precision": "FLOAT",
	"date":           "DATE",
	"zoned time":     "ZONED TIME",
	"local time":     "LOCAL TIME",
	"zoned datetime": "ZONED DATETIME",
	"local datetime": "LOCAL DATETIME",
	"duration":       "DURATION",
	"list":           "LIST", "array": "LIST",
	"record": "RECORD", "any record": "RECORD",
	"node": "NODE", "vertex": "NODE", "any node": "NODE", "any vertex": "NODE",
	"edge": "EDGE", "relationship": "EDGE", "any edge": "EDGE", "any relationship": "EDGE",
	"path": "PATH",
	"any":  "ANY", "any value": "ANY",
	"null": "NULL",
	// NOTHING is the empty type: NULL NOT NULL.
	"nothing": "NOTHING",
}

// unsupportedTypes are GQL value types Vigil has no values of (or whose
// range or precision it does not enforce), named when rejected.
var unsupportedTypes = map[string]bool{
	"int8": true, "int16": true, "int32": true, "int128": true, "int256": true,
	"integer8": true, "integer16": true, "integer32": true, "integer128": true, "integer256": true,
	"smallint": true, "uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true,
	"uint128": true, "uint256": true, "usmallint": true, "ubigint": true, "unsigned integer": true,
	"float16": true, "float32": true, "float128": true, "float256": true, "real": true,
	"decimal": true, "dec": true, "numeric": true, "char": true, "bytes": true, "binary": true,
	"varbinary": true, "time": true, "timestamp": true, "datetime": true, "local timestamp": true,
	"zoned timestamp": true,
}

// valueType resolves a value type to its canonical name; notNull reports a
// NOT NULL suffix. ok is false (and an error recorded) for a type outside
// the supported set.
func (b *builder) valueType(c IValueTypeContext) (name string, notNull, ok bool) {
	var words []string
	for _, w := range c.AllTypeWord() {
		if s := w.SymbolicName(); s != nil {
			words = append(words, strings.ToLower(symbolicName(s)))
		} else {
			words = append(words, strings.ToLower(w.GetText()))
		}
	}
	spelled := strings.Join(words, " ")
	pos := ctxPos(c)
	if c.LT() != nil || (len(words) > 1 && (words[len(words)-1] == "list" || words[len(words)-1] == "array")) {
		b.unsupported(pos, "element types of list value types (use LIST)")
		return "", false, false
	}
	name, ok = valueTypes[spelled]
	if !ok {
		if unsupportedTypes[spelled] {
			b.unsupported(pos, "value type "+strings.ToUpper(spelled))
		} else {
			b.fail(pos, codeSyntax, "unknown value type %s", strings.ToUpper(spelled))
		}
		return "", false, false
	}
	return name, c.NOT() != nil, true
}

// isTypedPrefix starts the name of the function `x IS TYPED T` lowers to:
// `is typed T` or `is typed T not null`. Like || these are not identifiers.
const isTypedPrefix = "is typed "

// isTyped lowers `x IS TYPED T [NOT NULL]` (and `IS :: T`). In GQL the null
// value belongs to every type not marked NOT NULL, so NULL IS TYPED INT is
// true and NULL IS TYPED INT NOT NULL false.
func (b *builder) isTyped(x ast.Expr, pos ast.Pos, c IValueTypeContext) ast.Expr {
	name, notNull, ok := b.valueType(c)
	if !ok {
		return &ast.Literal{Pos: pos}
	}
	if name == "NOTHING" {
		name, notNull = "NULL", true
	}
	fn := isTypedPrefix + name
	if notNull {
		fn += " not null"
	}
	return &ast.Call{Pos: pos, Name: fn, Args: []ast.Expr{x}}
}

// castFunctions maps a CAST target onto the function that converts to it:
// the conversions with toInteger, toFloat, toString and toBoolean semantics
// the GQL set registers under these names, and the temporal constructors.
var castFunctions = map[string]string{
	"INTEGER":        "cast as INTEGER",
	"FLOAT":          "cast as FLOAT",
	"STRING":         "cast as STRING",
	"BOOLEAN":        "cast as BOOLEAN",
	"DATE":           "date",
	"ZONED TIME":     "zoned_time",
	"LOCAL TIME":     "local_time",
	"ZONED DATETIME": "zoned_datetime",
	"LOCAL DATETIME": "local_datetime",
	"DURATION":       "duration",
}

// cast lowers CAST(x AS T) onto a conversion function; a target with none
// is rejected here, at the type's position.
func (b *builder) cast(pos ast.Pos, x ast.Expr, c IValueTypeContext) ast.Expr {
	name, notNull, ok := b.valueType(c)
	if !ok {
		return &ast.Literal{Pos: pos}
	}
	fn, ok := castFunctions[name]
	switch {
	case notNull:
		b.unsupported(ctxPos(c), "CAST to a NOT NULL type")
	case !ok:
		b.unsupported(ctxPos(c), "CAST to "+name)
	}
	return &ast.Call{Pos: pos, Name: fn, Args: []ast.Expr{x}}
}

// typedLiterals maps the type words of a temporal literal (`DATE '...'`,
// `ZONED DATETIME '...'`) to the GQL constructor function that parses it.
var typedLiterals = map[string]string{
	"date":            "date",
	"time":            "zoned_time",
	"zoned time":      "zoned_time",
	"local time":      "local_time",
	"datetime":        "zoned_datetime",
	"timestamp":       "zoned_datetime",
	"zoned datetime":  "zoned_datetime",
	"zoned timestamp": "zoned_datetime",
	"local datetime":  "local_datetime",
	"local timestamp": "local_datetime",
	"duration":        "duration",
}

func (b *builder) typedLiteral(c *TypedLiteralContext) ast.Expr {
	pos := ctxPos(c)
	words := strings.ToLower(symbolicName(c.GetTypeName()))
	if t := c.GetTypeName2(); t != nil {
		words += " " + strings.ToLower(symbolicName(t))
	}
	fn, ok := typedLiterals[words]
	if !ok {
		b.fail(pos, codeSyntax, "unknown literal type %q (expected DATE, TIME, DATETIME, LOCAL DATETIME, DURATION, ...)", strings.ToUpper(words))
	}
	str := &ast.Literal{Pos: tokPos(c.StringLiteral().GetSymbol()), Kind: ast.LitString, Str: b.unquote(c.StringLiteral().GetSymbol())}
	return &ast.Call{Pos: pos, Name: fn, Args: []ast.Expr{str}}
}

// isBare reports whether an expression is syntactically nothing but one node
// of type T (no operators, no parentheses around it).
func isBare[T antlr.Tree](c IExpressionContext) bool {
	for t := antlr.Tree(c); t != nil; {
		if _, ok := t.(T); ok {
			return true
		}
		if t.GetChildCount() != 1 {
			return false
		}
		t = t.GetChild(0)
	}
	return false
}

func (b *builder) caseExpr(c ICaseExpressionContext) ast.Expr {
	out := &ast.Case{Pos: ctxPos(c)}
	if s := c.GetSubject(); s != nil {
		out.Subject = b.expr(s)
	}
	for _, w := range c.AllCaseWhen() {
		out.Whens = append(out.Whens, ast.CaseWhen{When: b.expr(w.Expression(0)), Then: b.expr(w.Expression(1))})
	}
	if e := c.GetElseExpr(); e != nil {
		out.Else = b.expr(e)
	}
	return out
}

// --------------------------------------------------------------- literals

func (b *builder) literal(c ILiteralContext) ast.Expr {
	pos := ctxPos(c)
	switch lc := c.(type) {
	case *NumLitContext:
		return b.number(lc.NumberLiteral(), pos, false)
	case *StringLitContext:
		return &ast.Literal{Pos: pos, Kind: ast.LitString, Str: b.unquote(lc.StringLiteral().GetSymbol())}
	case *TrueLitContext:
		return &ast.Literal{Pos: pos, Kind: ast.LitBool, Bool: true}
	case *FalseLitContext:
		return &ast.Literal{Pos: pos, Kind: ast.LitBool}
	case *NullLitContext:
		return &ast.Literal{Pos: pos, Kind: ast.LitNull}
	case *ListLitContext:
		out := &ast.ListLit{Pos: pos}
		for _, e := range lc.AllExpression() {
			out.Items = append(out.Items, b.expr(e))
		}
		return out
	case *RecordLitContext:
		out := &ast.MapLit{Pos: pos}
		vals := lc.AllExpression()
		for i, k := range lc.AllPropertyKey() {
			out.Keys = append(out.Keys, schemaName(k.SchemaName()))
			out.Values = append(out.Values, b.expr(vals[i]))
		}
		return out
	}
	b.fail(pos, codeInternal, "unknown literal form")
	return &ast.Literal{Pos: pos}
}

// number builds a numeric literal; neg folds a preceding minus sign into it
// (pos is then the sign's position).
func (b *builder) number(c INumberLiteralContext, pos ast.Pos, neg bool) ast.Expr {
	switch {
	case c.IntegerLiteral() != nil:
		return &ast.Literal{Pos: pos, Kind: ast.LitInt, Int: b.intLit(c.GetStart(), neg)}
	case c.FloatLiteral() != nil:
		text := c.GetText()
		f, code := antlrparse.Float(text, neg)
		switch code {
		case "FloatingPointOverflow":
			b.fail(pos, code, "floating point number is too large: %s", text)
		case "InvalidNumberLiteral":
			b.fail(pos, code, "invalid number: %s", text)
		}
		return &ast.Literal{Pos: pos, Kind: ast.LitFloat, Float: f}
	}
	b.fail(pos, "InvalidNumberLiteral", "invalid number: %s", c.GetText())
	return &ast.Literal{Pos: pos, Kind: ast.LitInt}
}

// intLit converts an integer literal token (antlrparse.Int), placing an
// overflow at the token.
func (b *builder) intLit(t antlr.Token, neg bool) int64 {
	v, ok := antlrparse.Int(t.GetText(), neg)
	if !ok {
		sign := ""
		if neg {
			sign = "-"
		}
		b.fail(tokPos(t), "IntegerOverflow", "integer is too large: %s%s", sign, t.GetText())
	}
	return v
}

// unquote resolves a string literal token (antlrparse.Unquote), placing a
// malformed escape at the token.
func (b *builder) unquote(t antlr.Token) string {
	s, problem := antlrparse.Unquote(t.GetText(), true)
	if problem != "" {
		b.fail(tokPos(t), "InvalidUnicodeLiteral", "%s in %s", problem, t.GetText())
	}
	return s
}

// ------------------------------------------------------------------ names

func (b *builder) variable(c IVariableContext) string {
	return symbolicName(c.SymbolicName())
}

func schemaName(c ISchemaNameContext) string {
	if s := c.SymbolicName(); s != nil {
		return symbolicName(s)
	}
	return c.GetText()
}

func symbolicName(c ISymbolicNameContext) string {
	if e := c.EscapedIdentifier(); e != nil {
		t := e.GetText()
		return strings.ReplaceAll(t[1:len(t)-1], "``", "`")
	}
	return c.GetText()
}
