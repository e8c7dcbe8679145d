// Package cypher is Vigil's openCypher front-end: an ANTLR4 parser generated
// from Cypher.g4 and a builder that turns its parse tree into the
// language-neutral syntax tree of package ast.
package cypher

//go:generate ../generate.sh . Cypher.g4

import (
	"strings"

	"github.com/antlr4-go/antlr/v4"

	"github.com/vigilhq/vigil/grammar/antlrparse"
	"github.com/vigilhq/vigil/grammar/ast"
)

// Error codes this package produces besides the TCK literal codes.
const (
	codeSyntax             = antlrparse.CodeSyntax
	codeInvalidUnicodeChar = antlrparse.CodeInvalidUnicodeChar
	codeComposition        = "InvalidClauseComposition"
	codeUnsupported        = "UnsupportedClause"
	codeRelPattern         = "InvalidRelationshipPattern"
	codeInternal           = "InternalError"
)

// recoverPanics is switched off by the fuzz test so that a panic surfaces
// with its stack instead of as an InternalError.
var recoverPanics = true

// Parse parses one openCypher query (optionally ending in a semicolon) into
// an AST. Every error it returns is an *ast.Error carrying a 1-based position
// and a TCK error code.
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
	q = b.query(tree.Query(), false)
	if b.err != nil {
		return nil, b.err
	}
	return q, nil
}

// parseTree parses with the shared two-stage strategy (antlrparse.Parse).
func parseTree(input *antlr.InputStream) (IScriptContext, *ast.Error) {
	return antlrparse.Parse(input,
		func(in antlr.CharStream) antlr.Lexer { return NewCypherLexer(in) },
		NewCypherParser,
		func(p *CypherParser) IScriptContext { return p.Script() })
}

// builder walks a successful parse tree. It records the first semantic error
// and keeps going with placeholder values, so the walking code needs no error
// plumbing.
type builder struct {
	input *antlr.InputStream
	err   *ast.Error
}

func (b *builder) fail(p ast.Pos, code, format string, args ...any) {
	if b.err == nil {
		b.err = ast.Errorf(p, code, format, args...)
	}
}

func tokPos(t antlr.Token) ast.Pos {
	return ast.Pos{Line: t.GetLine(), Col: t.GetColumn() + 1}
}

func ctxPos(c antlr.ParserRuleContext) ast.Pos { return tokPos(c.GetStart()) }

// source returns the exact text a rule matched, comments and spacing
// included, which is what the TCK expects as an implicit column name.
func (b *builder) source(c antlr.ParserRuleContext) string {
	start, stop := c.GetStart(), c.GetStop()
	if start == nil || stop == nil || stop.GetStop() < start.GetStart() {
		return ""
	}
	return b.input.GetText(start.GetStart(), stop.GetStop())
}

// ---------------------------------------------------------------- queries

func (b *builder) query(c IQueryContext, subquery bool) *ast.Query {
	q := &ast.Query{Pos: ctxPos(c)}
	q.Parts = append(q.Parts, b.singleQuery(c.SingleQuery(), subquery))
	for i, u := range c.AllUnionPart() {
		all := u.ALL() != nil
		if i == 0 {
			q.All = all
		} else if all != q.All {
			b.fail(ctxPos(u), codeComposition, "cannot mix UNION and UNION ALL")
		}
		q.Parts = append(q.Parts, b.singleQuery(u.SingleQuery(), subquery))
	}
	return q
}

func (b *builder) singleQuery(c ISingleQueryContext, subquery bool) *ast.SingleQuery {
	sq := &ast.SingleQuery{Pos: ctxPos(c)}
	clauses := c.AllClause()
	for i, cc := range clauses {
		cl := b.clause(cc, subquery)
		if cl == nil {
			continue
		}
		if _, ok := cl.(*ast.Return); ok && i != len(clauses)-1 {
			b.fail(ctxPos(clauses[i+1]), codeComposition, "RETURN can only be used at the end of a query")
		}
		sq.Clauses = append(sq.Clauses, cl)
	}
	if subquery || len(sq.Clauses) == 0 {
		// An EXISTS body may end anywhere: it only asks whether rows exist.
		return sq
	}
	switch last := sq.Clauses[len(sq.Clauses)-1].(type) {
	case *ast.Return, *ast.Create:
	case *ast.Match:
		b.fail(last.Pos, codeComposition, "query cannot conclude with MATCH (must be RETURN or an update clause)")
	case *ast.With:
		b.fail(last.Pos, codeComposition, "query cannot conclude with WITH (must be RETURN or an update clause)")
	case *ast.Unwind:
		b.fail(last.Pos, codeComposition, "query cannot conclude with UNWIND (must be RETURN or an update clause)")
	}
	return sq
}

func (b *builder) clause(c IClauseContext, subquery bool) ast.Clause {
	switch {
	case c.MatchClause() != nil:
		m := c.MatchClause()
		return &ast.Match{
			Pos:      ctxPos(m),
			Optional: m.OPTIONAL() != nil,
			Pattern:  b.pattern(m.Pattern()),
			Where:    b.where(m.WhereClause()),
		}
	case c.UnwindClause() != nil:
		u := c.UnwindClause()
		return &ast.Unwind{Pos: ctxPos(u), Expr: b.expr(u.Expression()), Var: b.variable(u.Variable())}
	case c.WithClause() != nil:
		w := c.WithClause()
		return &ast.With{Pos: ctxPos(w), Projection: b.projection(w.ProjectionBody()), Where: b.where(w.WhereClause())}
	case c.ReturnClause() != nil:
		r := c.ReturnClause()
		return &ast.Return{Pos: ctxPos(r), Projection: b.projection(r.ProjectionBody())}
	case c.CreateClause() != nil:
		cr := c.CreateClause()
		if subquery {
			b.fail(ctxPos(cr), codeComposition, "an EXISTS subquery cannot contain CREATE")
		}
		return &ast.Create{Pos: ctxPos(cr), Pattern: b.pattern(cr.Pattern())}
	}
	// MERGE, SET, DELETE, REMOVE or CALL: parsed only to name them here.
	kw := strings.ToUpper(c.GetStart().GetText())
	if kw == "DETACH" {
		kw = "DETACH DELETE"
	}
	if subquery {
		b.fail(ctxPos(c), codeComposition, "an EXISTS subquery cannot contain %s", kw)
	} else {
		b.fail(ctxPos(c), codeUnsupported, "write clause not supported: %s", kw)
	}
	return nil
}

func (b *builder) where(c IWhereClauseContext) ast.Expr {
	if c == nil {
		return nil
	}
	return b.expr(c.Expression())
}

func (b *builder) projection(c IProjectionBodyContext) ast.Projection {
	p := ast.Projection{Distinct: c.DISTINCT() != nil}
	items := c.ProjectionItems()
	p.Star = items.STAR() != nil
	for _, it := range items.AllProjectionItem() {
		e := b.expr(it.Expression())
		pi := &ast.ProjectionItem{Pos: ctxPos(it), Expr: e}
		if v := it.Variable(); v != nil {
			pi.Alias, pi.Explicit = b.variable(v), true
		} else if ve, ok := e.(*ast.Var); ok && isBare[*VariableAtomContext](it.Expression()) {
			// A column named by a variable takes the variable's name, so
			// `a b` in backticks yields the column a b.
			pi.Alias = ve.Name
		} else {
			pi.Alias = b.source(it.Expression())
		}
		p.Items = append(p.Items, pi)
	}
	if o := c.OrderClause(); o != nil {
		for _, s := range o.AllSortItem() {
			p.OrderBy = append(p.OrderBy, &ast.SortItem{
				Pos:        ctxPos(s),
				Expr:       b.expr(s.Expression()),
				Descending: s.DESC() != nil || s.DESCENDING() != nil,
			})
		}
	}
	if s := c.SkipClause(); s != nil {
		p.Skip = b.expr(s.Expression())
	}
	if l := c.LimitClause(); l != nil {
		p.Limit = b.expr(l.Expression())
	}
	return p
}

// --------------------------------------------------------------- patterns

func (b *builder) pattern(c IPatternContext) ast.Pattern {
	var p ast.Pattern
	for _, part := range c.AllPatternPart() {
		pp := b.patternElement(part.PatternElement())
		pp.Pos = ctxPos(part)
		if v := part.Variable(); v != nil {
			pp.Var = b.variable(v)
		}
		p = append(p, pp)
	}
	return p
}

func (b *builder) patternElement(c IPatternElementContext) *ast.PathPattern {
	return b.chain(ctxPos(c), c.AllNodePattern(), c.AllRelationshipPattern())
}

func (b *builder) chain(pos ast.Pos, nodes []INodePatternContext, rels []IRelationshipPatternContext) *ast.PathPattern {
	pp := &ast.PathPattern{Pos: pos}
	for _, n := range nodes {
		pp.Nodes = append(pp.Nodes, b.node(n))
	}
	for _, r := range rels {
		pp.Rels = append(pp.Rels, b.rel(r))
	}
	return pp
}

func (b *builder) node(c INodePatternContext) *ast.NodePattern {
	n := &ast.NodePattern{Pos: ctxPos(c)}
	if v := c.Variable(); v != nil {
		n.Var = b.variable(v)
	}
	if l := c.LabelExpression(); l != nil {
		n.Labels = b.labels(l)
	}
	if p := c.Properties(); p != nil {
		n.Props = b.properties(p)
	}
	if w := c.Expression(); w != nil {
		n.Where = b.expr(w)
	}
	return n
}

func (b *builder) rel(c IRelationshipPatternContext) *ast.RelPattern {
	r := &ast.RelPattern{Pos: ctxPos(c)}
	var d IRelationshipDetailContext
	switch rc := c.(type) {
	case *RelLeftContext:
		r.Direction, d = ast.DirLeft, rc.RelationshipDetail()
	case *RelRightContext:
		r.Direction, d = ast.DirRight, rc.RelationshipDetail()
	case *RelBothContext:
		// `<-->` is accepted, as in openCypher, and means either direction.
		r.Direction, d = ast.DirBoth, rc.RelationshipDetail()
	}
	if d == nil {
		return r
	}
	if v := d.Variable(); v != nil {
		r.Var = b.variable(v)
	}
	if l := d.LabelExpression(); l != nil {
		r.Types = b.labels(l)
	}
	if rg := d.RangeLiteral(); rg != nil {
		r.Length = b.rangeLit(rg)
	}
	if p := d.Properties(); p != nil {
		r.Props = b.properties(p)
	}
	if w := d.Expression(); w != nil {
		r.Where = b.expr(w)
	}
	return r
}

func (b *builder) rangeLit(c IRangeLiteralContext) *ast.Range {
	if c.STAR() == nil {
		b.fail(ctxPos(c), codeRelPattern, "variable-length relationship needs '*' before its bounds")
	}
	bounds := c.AllRangeBound()
	bound := func(rb IRangeBoundContext) *int {
		if rb.MINUS() != nil {
			b.fail(ctxPos(rb), codeRelPattern, "variable-length bound cannot be negative: %s", rb.GetText())
		}
		v := int(b.intLit(rb.IntegerLiteral().GetStart(), false))
		return &v
	}
	rg := &ast.Range{}
	switch {
	case c.DOTDOT() == nil && len(bounds) == 1: // *n: exactly n hops
		rg.Min = bound(bounds[0])
		rg.Max = rg.Min
	case c.DOTDOT() != nil:
		// With `..`, a bound before it is the minimum and one after it the
		// maximum; token order tells which is which when only one is given.
		for _, rb := range bounds {
			if rb.GetStart().GetTokenIndex() < c.DOTDOT().GetSymbol().GetTokenIndex() {
				rg.Min = bound(rb)
			} else {
				rg.Max = bound(rb)
			}
		}
	}
	return rg
}

func (b *builder) labels(c ILabelExpressionContext) ast.LabelExpr {
	name := func(l ILabelNameContext) ast.LabelExpr {
		return &ast.LabelName{Pos: ctxPos(l), Name: b.schemaName(l.SchemaName())}
	}
	switch lc := c.(type) {
	case *LabelSingleContext:
		return name(lc.LabelName())
	case *LabelAndContext:
		and := &ast.LabelAnd{Pos: ctxPos(lc)}
		for _, l := range lc.AllLabelName() {
			and.Items = append(and.Items, name(l))
		}
		return and
	case *LabelOrContext:
		or := &ast.LabelOr{Pos: ctxPos(lc)}
		for _, l := range lc.AllLabelName() {
			or.Items = append(or.Items, name(l))
		}
		return or
	}
	b.fail(ctxPos(c), codeInternal, "unknown label expression")
	return &ast.LabelAny{Pos: ctxPos(c)}
}

func (b *builder) properties(c IPropertiesContext) ast.Expr {
	if m := c.MapLiteral(); m != nil {
		return b.mapLit(m)
	}
	return b.param(c.Parameter())
}

// ------------------------------------------------------------ expressions

func (b *builder) expr(c IExpressionContext) ast.Expr {
	return b.or(c.OrExpression())
}

func (b *builder) or(c IOrExpressionContext) ast.Expr {
	ops := c.AllXorExpression()
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
	e := b.comparison(c.ComparisonExpression())
	nots := c.AllNOT()
	for i := len(nots) - 1; i >= 0; i-- {
		e = &ast.Unary{Pos: tokPos(nots[i].GetSymbol()), Op: ast.OpNot, X: e}
	}
	return e
}

var comparisonOps = map[int]ast.BinaryOp{
	CypherParserEQ: ast.OpEq,
	CypherParserNE: ast.OpNe,
	CypherParserLT: ast.OpLt,
	CypherParserGT: ast.OpGt,
	CypherParserLE: ast.OpLe,
	CypherParserGE: ast.OpGe,
}

// comparison lowers a chain `a < b <= c` to `a < b AND b <= c`, the openCypher
// meaning. Inner operands are built once per comparison they appear in, so
// the result stays a tree rather than a DAG.
func (b *builder) comparison(c IComparisonExpressionContext) ast.Expr {
	operands := c.AllPredicateExpression()
	ops := c.AllComparisonOperator()
	if len(ops) == 0 {
		return b.predicate(operands[0])
	}
	var result ast.Expr
	for i, op := range ops {
		cmp := &ast.Binary{
			Pos: ctxPos(operands[i]),
			Op:  comparisonOps[op.GetStart().GetTokenType()],
			L:   b.predicate(operands[i]),
			R:   b.predicate(operands[i+1]),
		}
		if result == nil {
			result = cmp
		} else {
			result = &ast.Binary{Pos: ctxPos(c), Op: ast.OpAnd, L: result, R: cmp}
		}
	}
	return result
}

func (b *builder) predicate(c IPredicateExpressionContext) ast.Expr {
	e := b.add(c.AddExpression())
	pos := ctxPos(c)
	for _, s := range c.AllPredicateSuffix() {
		switch sc := s.(type) {
		case *IsNullContext:
			e = &ast.IsNull{Pos: pos, X: e, Not: sc.NOT() != nil}
		case *StartsWithContext:
			e = &ast.Binary{Pos: pos, Op: ast.OpStartsWith, L: e, R: b.add(sc.AddExpression())}
		case *EndsWithContext:
			e = &ast.Binary{Pos: pos, Op: ast.OpEndsWith, L: e, R: b.add(sc.AddExpression())}
		case *ContainsContext:
			e = &ast.Binary{Pos: pos, Op: ast.OpContains, L: e, R: b.add(sc.AddExpression())}
		case *RegexMatchContext:
			e = &ast.Binary{Pos: pos, Op: ast.OpRegex, L: e, R: b.add(sc.AddExpression())}
		case *InListContext:
			e = &ast.Binary{Pos: pos, Op: ast.OpIn, L: e, R: b.add(sc.AddExpression())}
		}
	}
	return e
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
	CypherParserPLUS:    ast.OpAdd,
	CypherParserMINUS:   ast.OpSub,
	CypherParserSTAR:    ast.OpMul,
	CypherParserSLASH:   ast.OpDiv,
	CypherParserPERCENT: ast.OpMod,
	CypherParserCARET:   ast.OpPow,
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
	operands, ops := c.AllPowerExpression(), operators(c)
	e := b.power(operands[0])
	for i, o := range operands[1:] {
		e = &ast.Binary{Pos: ctxPos(c), Op: arithmeticOps[ops[i].GetTokenType()], L: e, R: b.power(o)}
	}
	return e
}

// power is left-associative, as in the openCypher reference grammar.
func (b *builder) power(c IPowerExpressionContext) ast.Expr {
	operands := c.AllUnaryExpression()
	e := b.unary(operands[0])
	for _, o := range operands[1:] {
		e = &ast.Binary{Pos: ctxPos(c), Op: ast.OpPow, L: e, R: b.unary(o)}
	}
	return e
}

func (b *builder) unary(c IUnaryExpressionContext) ast.Expr {
	if pf := c.PostfixExpression(); pf != nil {
		return b.postfix(pf)
	}
	opTok := c.GetStart()
	inner := c.UnaryExpression()
	if opTok.GetTokenType() == CypherParserMINUS {
		// A minus sign directly on a number is part of the literal: that is
		// the only way to write -9223372036854775808, whose magnitude alone
		// overflows.
		if num := bareNumber(inner); num != nil {
			return b.number(num, tokPos(opTok), true)
		}
		return &ast.Unary{Pos: tokPos(opTok), Op: ast.OpNeg, X: b.unary(inner)}
	}
	return &ast.Unary{Pos: tokPos(opTok), Op: ast.OpPlus, X: b.unary(inner)}
}

// bareNumber returns the number literal a unary expression consists of, or
// nil if it is anything more (parenthesised, indexed, ...).
func bareNumber(c IUnaryExpressionContext) INumberLiteralContext {
	pf := c.PostfixExpression()
	if pf == nil || len(pf.AllPostfixOperator()) > 0 {
		return nil
	}
	la, ok := pf.Atom().(*LiteralAtomContext)
	if !ok {
		return nil
	}
	nl, ok := la.Literal().(*NumLitContext)
	if !ok {
		return nil
	}
	return nl.NumberLiteral()
}

func (b *builder) postfix(c IPostfixExpressionContext) ast.Expr {
	e := b.atom(c.Atom())
	pos := ctxPos(c)
	for _, op := range c.AllPostfixOperator() {
		switch oc := op.(type) {
		case *PropertyLookupContext:
			e = &ast.Prop{Pos: pos, Subject: e, Key: b.schemaName(oc.PropertyKey().SchemaName())}
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
		case *LabelPredicateContext:
			e = &ast.HasLabels{Pos: pos, X: e, Labels: b.labels(oc.LabelExpression())}
		}
	}
	return e
}

func (b *builder) atom(c IAtomContext) ast.Expr {
	pos := ctxPos(c)
	switch ac := c.(type) {
	case *LiteralAtomContext:
		return b.literal(ac.Literal())
	case *ParameterAtomContext:
		return b.param(ac.Parameter())
	case *CaseAtomContext:
		return b.caseExpr(ac.CaseExpression())
	case *CountStarContext:
		return &ast.Call{Pos: pos, Name: ac.COUNT().GetText(), Star: true}
	case *ListComprehensionAtomContext:
		lc := ac.ListComprehension()
		out := &ast.ListComp{Pos: pos, Var: b.variable(lc.Variable()), In: b.expr(lc.Expression(0))}
		if w := lc.GetWhereExpr(); w != nil {
			out.Where = b.expr(w)
		}
		if m := lc.GetMapExpr(); m != nil {
			out.Map = b.expr(m)
		}
		return out
	case *PatternComprehensionAtomContext:
		pc := ac.PatternComprehension()
		rp := pc.RelationshipsPattern()
		out := &ast.PatternComp{Pos: pos, Pattern: b.chain(ctxPos(rp), rp.AllNodePattern(), rp.AllRelationshipPattern())}
		if v := pc.Variable(); v != nil {
			out.Pattern.Var = b.variable(v)
		}
		if w := pc.GetWhereExpr(); w != nil {
			out.Where = b.expr(w)
		}
		out.Map = b.expr(pc.GetMapExpr())
		return out
	case *QuantifierAtomContext:
		qc := ac.Quantifier()
		out := &ast.Quantifier{Pos: pos, Var: b.variable(qc.Variable()), In: b.expr(qc.Expression(0))}
		switch {
		case qc.ALL() != nil:
			out.Kind = ast.QuantAll
		case qc.ANY() != nil:
			out.Kind = ast.QuantAny
		case qc.NONE() != nil:
			out.Kind = ast.QuantNone
		default:
			out.Kind = ast.QuantSingle
		}
		if qc.WHERE() != nil {
			out.Where = b.expr(qc.Expression(1))
		}
		return out
	case *ReduceAtomContext:
		rc := ac.ReduceExpression()
		return &ast.Reduce{
			Pos:  pos,
			Acc:  b.variable(rc.GetAccVar()),
			Init: b.expr(rc.GetInitExpr()),
			Var:  b.variable(rc.GetItemVar()),
			In:   b.expr(rc.GetListExpr()),
			Expr: b.expr(rc.GetBodyExpr()),
		}
	case *ExistsAtomContext:
		ec := ac.ExistsSubquery()
		if q := ec.Query(); q != nil {
			return &ast.Exists{Pos: pos, Query: b.query(q, true)}
		}
		return &ast.Exists{Pos: pos, Pattern: b.pattern(ec.Pattern()), Where: b.where(ec.WhereClause())}
	case *PatternPredicateContext:
		rp := ac.RelationshipsPattern()
		return &ast.Exists{Pos: pos, Pattern: ast.Pattern{b.chain(ctxPos(rp), rp.AllNodePattern(), rp.AllRelationshipPattern())}}
	case *ParenthesizedContext:
		return b.expr(ac.Expression())
	case *FunctionAtomContext:
		return b.call(ac.FunctionInvocation())
	case *VariableAtomContext:
		return &ast.Var{Pos: pos, Name: b.variable(ac.Variable())}
	}
	b.fail(pos, codeInternal, "unknown expression form")
	return &ast.Literal{Pos: pos}
}

func (b *builder) call(c IFunctionInvocationContext) ast.Expr {
	var parts []string
	for _, s := range c.QualifiedName().AllSymbolicName() {
		parts = append(parts, b.symbolicName(s))
	}
	out := &ast.Call{Pos: ctxPos(c), Name: strings.Join(parts, "."), Distinct: c.DISTINCT() != nil}
	isExists := strings.EqualFold(out.Name, "exists")
	for _, a := range c.AllExpression() {
		arg := b.expr(a)
		if ex, ok := arg.(*ast.Exists); ok && ex.Query == nil && isBare[*PatternPredicateContext](a) {
			if isExists && len(c.AllExpression()) == 1 {
				// exists((a)-->()) is the old spelling of the pattern
				// predicate itself.
				ex.Pos = out.Pos
				return ex
			}
			// Pattern expressions evaluate to booleans only; size() and
			// friends on them were removed from Cypher (TCK List6 [6]).
			b.fail(ctxPos(a), codeSyntax, "a pattern cannot be used as an argument to %s(); use a pattern comprehension", out.Name)
		}
		out.Args = append(out.Args, arg)
	}
	return out
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
	for _, alt := range c.AllCaseAlternative() {
		out.Whens = append(out.Whens, ast.CaseWhen{When: b.expr(alt.Expression(0)), Then: b.expr(alt.Expression(1))})
	}
	if e := c.GetElseExpr(); e != nil {
		out.Else = b.expr(e)
	}
	return out
}

func (b *builder) param(c IParameterContext) ast.Expr {
	p := &ast.Param{Pos: ctxPos(c)}
	if s := c.SymbolicName(); s != nil {
		p.Name = b.symbolicName(s)
	} else {
		p.Name = c.DecimalInteger().GetText()
	}
	return p
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
	case *MapLitContext:
		return b.mapLit(lc.MapLiteral())
	case *ListLitContext:
		out := &ast.ListLit{Pos: pos}
		for _, e := range lc.ListLiteral().AllExpression() {
			out.Items = append(out.Items, b.expr(e))
		}
		return out
	}
	b.fail(pos, codeInternal, "unknown literal form")
	return &ast.Literal{Pos: pos}
}

func (b *builder) mapLit(c IMapLiteralContext) *ast.MapLit {
	out := &ast.MapLit{Pos: ctxPos(c)}
	vals := c.AllExpression()
	for i, k := range c.AllPropertyKey() {
		out.Keys = append(out.Keys, b.schemaName(k.SchemaName()))
		out.Values = append(out.Values, b.expr(vals[i]))
	}
	return out
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
	s, problem := antlrparse.Unquote(t.GetText(), false)
	if problem != "" {
		b.fail(tokPos(t), "InvalidUnicodeLiteral", "%s in %s", problem, t.GetText())
	}
	return s
}

// ------------------------------------------------------------------ names

func (b *builder) variable(c IVariableContext) string {
	if s := c.SymbolicName(); s != nil {
		return b.symbolicName(s)
	}
	return c.GetText() // a soft keyword, as written
}

func (b *builder) schemaName(c ISchemaNameContext) string {
	if s := c.SymbolicName(); s != nil {
		return b.symbolicName(s)
	}
	return c.GetText()
}

func (b *builder) symbolicName(c ISymbolicNameContext) string {
	if e := c.EscapedIdentifier(); e != nil {
		t := e.GetText()
		return strings.ReplaceAll(t[1:len(t)-1], "``", "`")
	}
	return c.GetText()
}
