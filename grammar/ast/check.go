package ast

import (
	"reflect"
	"slices"
	"strings"
)

// FuncInfo tells the checker which functions exist (case-insensitive names,
// namespaces kept: "drasi.trueFor").
type FuncInfo interface {
	// IsAggregate reports whether name is an aggregating function.
	IsAggregate(name string) bool
	// Exists reports whether name is a known function, scalar or aggregate.
	Exists(name string) bool
}

// ArgTypes is implemented by a FuncInfo that knows the signatures of its
// functions (functions.Registry does). Check then reports, as a
// compile-time InvalidArgumentType, an argument whose type is certain from
// the query text and that the function never accepts: properties(1),
// type(n) for a node n, length(r) for a relationship r (TCK Graph3 [8],
// Graph4 [7], Graph9 [5]-[7], Path3 [2], [3], List6 [5]). A FuncInfo without
// it gets no such check; the error is then the function's, at run time.
type ArgTypes interface {
	// AcceptsArg reports whether the function name accepts a value of the
	// type typ ("Integer", "String", "List", "Map", "Node", "Relationship",
	// "Path", ...) as its argument at position i (0-based). declared is
	// false when the function's signature says nothing about it.
	AcceptsArg(name string, i int, typ string) (ok, declared bool)
}

// Check reports the first compile-time semantic error of q, in source order,
// as an *Error whose Code is the openCypher TCK error detail
// (UndefinedVariable, VariableTypeConflict, InvalidAggregation, ...). It
// returns nil when q is well formed. Syntax-level errors (UnexpectedSyntax,
// IntegerOverflow, clause order, ...) are the parser's, but for a bare
// pattern predicate used as a value, which only the scope tells apart;
// errors only detectable on data are the engine's.
//
// Scoping follows Cypher: MATCH, UNWIND and path variables add to the scope;
// WITH replaces it with its columns (WITH * keeps it); the WHERE of a WITH
// and the ORDER BY of a non-DISTINCT, non-aggregating projection also see the
// variables the projection was fed with; comprehension, quantifier and
// reduce variables are local; EXISTS subqueries and pattern predicates see
// the enclosing row, and a pattern predicate, unlike EXISTS, adds nothing to
// it. Types are tracked only as far as they are certain (literals, pattern
// elements, their propagation through WITH and UNWIND): an unknown type
// never causes an error, since a false positive would reject a valid query.
// A known type is checked against the operators and, when funcs implements
// ArgTypes, against the signatures of the functions.
func Check(q *Query, funcs FuncInfo) error {
	c := &checker{funcs: funcs}
	if err := c.query(q, nil); err != nil {
		return err
	}
	return nil
}

// ContainsAggregate reports whether e contains a call to an aggregating
// function anywhere except inside an EXISTS subquery or pattern predicate,
// whose body is a query of its own.
func ContainsAggregate(e Expr, funcs FuncInfo) bool {
	found := false
	walkExpr(e, func(x Expr) bool {
		if found {
			return false
		}
		switch x := x.(type) {
		case *Exists:
			return false
		case *Call:
			if funcs.IsAggregate(x.Name) {
				found = true
				return false
			}
		}
		return true
	})
	return found
}

// walkExpr calls f on e and, while f returns true, on its sub-expressions in
// source order. Patterns inside expressions contribute their property maps
// and inline WHERE conditions; an EXISTS subquery's clauses are not visited.
func walkExpr(e Expr, f func(Expr) bool) {
	if e == nil || !f(e) {
		return
	}
	w := func(x Expr) { walkExpr(x, f) }
	switch e := e.(type) {
	case *ListLit:
		for _, x := range e.Items {
			w(x)
		}
	case *MapLit:
		for _, x := range e.Values {
			w(x)
		}
	case *Prop:
		w(e.Subject)
	case *Index:
		w(e.Subject)
		w(e.Index)
	case *Slice:
		w(e.Subject)
		w(e.From)
		w(e.To)
	case *Unary:
		w(e.X)
	case *Binary:
		w(e.L)
		w(e.R)
	case *IsNull:
		w(e.X)
	case *HasLabels:
		w(e.X)
	case *Call:
		for _, x := range e.Args {
			w(x)
		}
	case *Case:
		w(e.Subject)
		for _, cw := range e.Whens {
			w(cw.When)
			w(cw.Then)
		}
		w(e.Else)
	case *ListComp:
		w(e.In)
		w(e.Where)
		w(e.Map)
	case *PatternComp:
		walkPath(e.Pattern, w)
		w(e.Where)
		w(e.Map)
	case *Quantifier:
		w(e.In)
		w(e.Where)
	case *Reduce:
		w(e.Init)
		w(e.In)
		w(e.Expr)
	case *Exists:
		for _, pp := range e.Pattern {
			walkPath(pp, w)
		}
		w(e.Where)
	}
}

func walkPath(pp *PathPattern, w func(Expr)) {
	if pp == nil {
		return
	}
	for i, n := range pp.Nodes {
		w(n.Props)
		w(n.Where)
		if i < len(pp.Rels) {
			w(pp.Rels[i].Props)
			w(pp.Rels[i].Where)
		}
	}
}

// kind is the statically known type of an expression, as far as the checker
// can tell. kAny means unknown: it never causes an error.
type kind uint8

const (
	kAny kind = iota
	kNull
	kBool
	kInt
	kFloat
	kString
	kMap
	kList
	kNode
	kRel
	kPath
)

var kindNames = [...]string{
	kAny: "Any", kNull: "Null", kBool: "Boolean", kInt: "Integer", kFloat: "Float",
	kString: "String", kMap: "Map", kList: "List", kNode: "Node", kRel: "Relationship",
	kPath: "Path",
}

// vtype is a static type; elem is the element kind of a list.
type vtype struct {
	k    kind
	elem kind
}

// an returns t with its indefinite article: "a Float", "an Integer".
func an(t vtype) string {
	s := t.String()
	if strings.ContainsRune("AEIOU", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

func (t vtype) String() string {
	if t.k == kList && t.elem != kAny {
		return "List<" + kindNames[t.elem] + ">"
	}
	return kindNames[t.k]
}

var (
	tAny  = vtype{k: kAny}
	tBool = vtype{k: kBool}
	tNode = vtype{k: kNode}
	tRel  = vtype{k: kRel}
	tPath = vtype{k: kPath}
)

// scope maps the variables visible at a point to their static types.
type scope map[string]vtype

func (s scope) clone() scope {
	out := make(scope, len(s)+2)
	for k, v := range s {
		out[k] = v
	}
	return out
}

// names returns the variables in scope, sorted (the column order of `*`).
func (s scope) names() []string {
	out := make([]string, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// env is the context an expression is checked in.
type env struct {
	vars     scope
	aggOK    bool      // aggregating calls are allowed here
	inAgg    bool      // inside an aggregating call's arguments
	constant bool      // SKIP / LIMIT: any variable is NonConstantExpression
	order    *orderEnv // ORDER BY after a DISTINCT or aggregating projection
	// predicate: inside a condition (a WHERE, a comprehension's or
	// quantifier's WHERE, a CASE WHEN), the only place a bare pattern
	// predicate such as (a)-->() may appear.
	predicate bool
}

// orderEnv resolves ORDER BY keys after a DISTINCT or aggregating
// projection, where only the projected columns survive: a key may use the
// column aliases and repeat projected expressions, nothing else.
type orderEnv struct {
	items []*ProjectionItem
	// aggKey: the sort key contains an aggregate. Then only simple projected
	// expressions (variables, properties) and aggregating items are matched,
	// and a variable that only occurs inside a complex grouping key is
	// ambiguous rather than undefined.
	aggKey  bool
	keyVars map[string]bool // variables occurring in non-aggregating items
}

type checker struct {
	funcs FuncInfo
}

// query checks a union (or single query). outer is the scope of an EXISTS
// subquery's enclosing row (nil at top level).
func (c *checker) query(q *Query, outer scope) error {
	var first []string
	for i, sq := range q.Parts {
		cols, err := c.single(sq, outer)
		if err != nil {
			return err
		}
		if i == 0 {
			first = cols
			continue
		}
		if !sameColumns(first, cols) {
			p := sq.Pos
			if n := len(sq.Clauses); n > 0 {
				p = sq.Clauses[n-1].Position()
			}
			return Errorf(p, "DifferentColumnsInUnion",
				"all parts of a UNION must return the same columns: (%s) vs (%s)",
				strings.Join(first, ", "), strings.Join(cols, ", "))
		}
	}
	return nil
}

func sameColumns(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// single checks one pipeline and returns the names of its RETURN columns.
func (c *checker) single(sq *SingleQuery, outer scope) ([]string, error) {
	sc := outer.clone()
	var cols []string
	for _, cl := range sq.Clauses {
		switch cl := cl.(type) {
		case *Match:
			if err := c.pattern(cl.Pattern, sc, false); err != nil {
				return nil, err
			}
			if err := c.where(cl.Where, sc); err != nil {
				return nil, err
			}
		case *Unwind:
			t, err := c.expr(cl.Expr, &env{vars: sc})
			if err != nil {
				return nil, err
			}
			if _, ok := sc[cl.Var]; ok {
				return nil, Errorf(cl.Pos, "VariableAlreadyBound", "variable `%s` already declared", cl.Var)
			}
			switch t.k {
			case kList:
				sc[cl.Var] = vtype{k: t.elem}
			case kNull, kAny:
				sc[cl.Var] = tAny
			default:
				sc[cl.Var] = t
			}
		case *With:
			next, _, err := c.projection(&cl.Projection, cl.Pos, sc, true)
			if err != nil {
				return nil, err
			}
			if cl.Where != nil {
				// WHERE after WITH sees the projected names and, unless the
				// projection aggregates, the variables it was fed with.
				ws := next
				if !c.aggregating(&cl.Projection) {
					ws = sc.clone()
					for k, v := range next {
						ws[k] = v
					}
				}
				if err := c.where(cl.Where, ws); err != nil {
					return nil, err
				}
			}
			sc = next
		case *Return:
			next, names, err := c.projection(&cl.Projection, cl.Pos, sc, false)
			if err != nil {
				return nil, err
			}
			sc, cols = next, names
		case *Create:
			if err := c.pattern(cl.Pattern, sc, true); err != nil {
				return nil, err
			}
		}
	}
	return cols, nil
}

// where checks a WHERE condition: aggregates are not allowed.
func (c *checker) where(e Expr, sc scope) error {
	if e == nil {
		return nil
	}
	t, err := c.expr(e, &env{vars: sc, predicate: true})
	if err != nil {
		return err
	}
	return needBool(e, t)
}

// pattern binds the variables of p into sc, checking that each is used
// consistently, then checks the property maps and inline conditions. create
// allows parameter property maps (CREATE (n $props)).
func (c *checker) pattern(p Pattern, sc scope, create bool) error {
	bound := map[string]bool{} // relationship variables bound by this pattern
	for _, pp := range p {
		for i, n := range pp.Nodes {
			if err := c.bindNode(n, sc); err != nil {
				return err
			}
			if i < len(pp.Rels) {
				if err := c.bindRel(pp.Rels[i], sc, bound, create); err != nil {
					return err
				}
			}
		}
		if pp.Var != "" {
			if _, ok := sc[pp.Var]; ok {
				return Errorf(pp.Pos, "VariableAlreadyBound", "variable `%s` already declared", pp.Var)
			}
			sc[pp.Var] = tPath
		}
	}
	for _, pp := range p {
		if err := c.pathExprs(pp, sc, create); err != nil {
			return err
		}
	}
	return nil
}

func (c *checker) bindNode(n *NodePattern, sc scope) error {
	if n.Var == "" {
		return nil
	}
	t, ok := sc[n.Var]
	if !ok {
		sc[n.Var] = tNode
		return nil
	}
	switch t.k {
	case kNode, kAny, kNull:
		return nil
	}
	return Errorf(n.Pos, "VariableTypeConflict", "variable `%s` is %s, not a node", n.Var, an(t))
}

func (c *checker) bindRel(r *RelPattern, sc scope, bound map[string]bool, create bool) error {
	if r.Length != nil {
		if (r.Length.Min != nil && *r.Length.Min < 0) || (r.Length.Max != nil && *r.Length.Max < 0) {
			return Errorf(r.Pos, "InvalidRelationshipPattern", "variable-length bounds must not be negative")
		}
	}
	if r.Var == "" {
		return nil
	}
	t, ok := sc[r.Var]
	if !ok {
		if r.Length != nil {
			sc[r.Var] = vtype{k: kList, elem: kRel}
		} else {
			sc[r.Var] = tRel
		}
		bound[r.Var] = true
		return nil
	}
	switch {
	case t.k == kRel || (t.k == kList && t.elem == kRel):
		if bound[r.Var] && !create {
			return Errorf(r.Pos, "RelationshipUniquenessViolation",
				"relationship variable `%s` is used twice in one pattern", r.Var)
		}
		return nil
	case t.k == kAny || t.k == kNull:
		return nil
	}
	return Errorf(r.Pos, "VariableTypeConflict", "variable `%s` is %s, not a relationship", r.Var, an(t))
}

// pathExprs checks the property maps and inline WHERE conditions of a path
// pattern, in a scope holding every variable of the pattern.
func (c *checker) pathExprs(pp *PathPattern, sc scope, create bool) error {
	props := func(e Expr) error {
		if e == nil {
			return nil
		}
		if p, ok := e.(*Param); ok && !create {
			return Errorf(p.Pos, "InvalidParameterUse", "parameter maps cannot be used in MATCH patterns; use WHERE instead")
		}
		_, err := c.expr(e, &env{vars: sc})
		return err
	}
	for i, n := range pp.Nodes {
		if err := props(n.Props); err != nil {
			return err
		}
		if err := c.where(n.Where, sc); err != nil {
			return err
		}
		if i < len(pp.Rels) {
			if err := props(pp.Rels[i].Props); err != nil {
				return err
			}
			if err := c.where(pp.Rels[i].Where, sc); err != nil {
				return err
			}
		}
	}
	return nil
}

// aggregating reports whether a projection groups rows.
func (c *checker) aggregating(p *Projection) bool {
	if p.GroupBy != nil {
		return true
	}
	for _, it := range p.Items {
		if ContainsAggregate(it.Expr, c.funcs) {
			return true
		}
	}
	return false
}

// projection checks a WITH or RETURN body fed with scope sc and returns the
// scope after it and its column names.
func (c *checker) projection(p *Projection, pos Pos, sc scope, isWith bool) (scope, []string, error) {
	if p.Star && len(sc) == 0 && len(p.Items) == 0 {
		return nil, nil, Errorf(pos, "NoVariablesInScope", "`*` is not allowed when there are no variables in scope")
	}
	types := make([]vtype, len(p.Items))
	for i, it := range p.Items {
		t, err := c.expr(it.Expr, &env{vars: sc, aggOK: true})
		if err != nil {
			return nil, nil, err
		}
		types[i] = t
	}
	for _, g := range p.GroupBy {
		if _, err := c.expr(g, &env{vars: sc}); err != nil {
			return nil, nil, err
		}
	}
	var names []string
	if p.Star {
		names = sc.names()
	}
	seen := map[string]bool{}
	for _, it := range p.Items {
		if seen[it.Alias] {
			return nil, nil, Errorf(it.Pos, "ColumnNameConflict", "multiple result columns named `%s`", it.Alias)
		}
		seen[it.Alias] = true
		if !slices.Contains(names, it.Alias) {
			names = append(names, it.Alias)
		}
	}

	agg := c.aggregating(p)
	if agg {
		keys := slices.Clone(p.GroupBy)
		if p.GroupBy == nil {
			for _, it := range p.Items {
				if !ContainsAggregate(it.Expr, c.funcs) {
					keys = append(keys, it.Expr)
				}
			}
		}
		if p.Star {
			for _, n := range sc.names() {
				keys = append(keys, &Var{Name: n})
			}
		}
		for _, it := range p.Items {
			if !ContainsAggregate(it.Expr, c.funcs) {
				continue
			}
			if v := ambiguous(it.Expr, keys, c.funcs, nil); v != nil {
				return nil, nil, Errorf(v.Pos, "AmbiguousAggregationExpression",
					"`%s` is used next to an aggregate but is not a grouping key", v.Name)
			}
		}
	}

	next := scope{}
	if p.Star {
		next = sc.clone()
	}
	for i, it := range p.Items {
		next[it.Alias] = types[i]
	}

	for _, si := range p.OrderBy {
		var e *env
		switch {
		case !agg && !p.Distinct:
			vars := sc.clone()
			for k, v := range next {
				vars[k] = v
			}
			e = &env{vars: vars}
		default:
			oe := &orderEnv{items: p.Items, keyVars: map[string]bool{}}
			if agg {
				oe.aggKey = ContainsAggregate(si.Expr, c.funcs)
				for _, it := range p.Items {
					if !ContainsAggregate(it.Expr, c.funcs) {
						freeVars(it.Expr, oe.keyVars)
					}
				}
			}
			e = &env{vars: next, aggOK: agg, order: oe}
		}
		if _, err := c.expr(si.Expr, e); err != nil {
			return nil, nil, err
		}
	}

	for _, x := range []Expr{p.Skip, p.Limit} {
		if err := c.count(x); err != nil {
			return nil, nil, err
		}
	}

	// Checked last: the TCK expects an ambiguous ORDER BY key to be
	// reported even when an unaliased WITH item precedes it.
	if isWith {
		for _, it := range p.Items {
			if _, ok := it.Expr.(*Var); !ok && !it.Explicit {
				return nil, nil, Errorf(it.Pos, "NoExpressionAlias", "expression in WITH must be aliased (use AS)")
			}
		}
	}
	return next, names, nil
}

// count checks a SKIP or LIMIT value: a constant, non-negative integer.
func (c *checker) count(x Expr) error {
	if x == nil {
		return nil
	}
	t, err := c.expr(x, &env{vars: scope{}, constant: true})
	if err != nil {
		return err
	}
	switch t.k {
	case kAny, kNull:
		return nil
	case kInt:
		if n, ok := intConst(x); ok && n < 0 {
			return Errorf(x.Position(), "NegativeIntegerArgument", "SKIP and LIMIT need a non-negative integer, got %d", n)
		}
		return nil
	}
	return Errorf(x.Position(), "InvalidArgumentType", "SKIP and LIMIT need an integer, got %s", an(t))
}

// intConst evaluates an integer literal, possibly negated.
func intConst(x Expr) (int64, bool) {
	switch x := x.(type) {
	case *Literal:
		if x.Kind == LitInt {
			return x.Int, true
		}
	case *Unary:
		n, ok := intConst(x.X)
		switch {
		case !ok:
		case x.Op == OpNeg:
			return -n, true
		case x.Op == OpPlus:
			return n, true
		}
	}
	return 0, false
}

// isSimple reports whether e is a variable or a property chain on one: the
// only grouping keys an aggregating expression may refer to.
func isSimple(e Expr) bool {
	switch e := e.(type) {
	case *Var:
		return true
	case *Prop:
		return isSimple(e.Subject)
	}
	return false
}

// ambiguous returns the first variable of an aggregating expression that is
// used outside an aggregate without being (part of) a simple grouping key.
func ambiguous(e Expr, keys []Expr, funcs FuncInfo, locals map[string]bool) *Var {
	if e == nil {
		return nil
	}
	if isSimple(e) {
		for _, k := range keys {
			if isSimple(k) && sameExpr(e, k) {
				return nil
			}
		}
	}
	with := func(name string) map[string]bool {
		m := make(map[string]bool, len(locals)+1)
		for k := range locals {
			m[k] = true
		}
		m[name] = true
		return m
	}
	rec := func(xs ...Expr) *Var {
		for _, x := range xs {
			if v := ambiguous(x, keys, funcs, locals); v != nil {
				return v
			}
		}
		return nil
	}
	switch e := e.(type) {
	case *Var:
		if locals[e.Name] {
			return nil
		}
		return e
	case *Call:
		if funcs.IsAggregate(e.Name) {
			return nil
		}
		return rec(e.Args...)
	case *Exists, *PatternComp:
		return nil
	case *ListComp:
		if v := rec(e.In); v != nil {
			return v
		}
		l := with(e.Var)
		for _, x := range []Expr{e.Where, e.Map} {
			if v := ambiguous(x, keys, funcs, l); v != nil {
				return v
			}
		}
		return nil
	case *Quantifier:
		if v := rec(e.In); v != nil {
			return v
		}
		return ambiguous(e.Where, keys, funcs, with(e.Var))
	case *Reduce:
		if v := rec(e.Init, e.In); v != nil {
			return v
		}
		l := with(e.Var)
		l[e.Acc] = true
		return ambiguous(e.Expr, keys, funcs, l)
	}
	var found *Var
	walkExpr(e, func(x Expr) bool {
		if x == e {
			return true
		}
		if found == nil {
			found = ambiguous(x, keys, funcs, locals)
		}
		return false
	})
	return found
}

// freeVars adds to out the variables e refers to.
func freeVars(e Expr, out map[string]bool) {
	walkExpr(e, func(x Expr) bool {
		// Comprehension variables are included too: that can only turn an
		// UndefinedVariable into an AmbiguousAggregationExpression.
		if v, ok := x.(*Var); ok {
			out[v.Name] = true
		}
		return true
	})
}

// needBool reports an InvalidArgumentType error when e is known not to be
// a boolean (or null).
func needBool(e Expr, t vtype) error {
	switch t.k {
	case kAny, kNull, kBool:
		return nil
	}
	return Errorf(e.Position(), "InvalidArgumentType", "expected a boolean, got %s", an(t))
}

// nondeterministic functions cannot be aggregated.
func nondeterministic(name string) bool {
	switch strings.ToLower(name) {
	case "rand", "randomuuid":
		return true
	}
	return false
}

// expr checks e in the context en and returns its static type.
func (c *checker) expr(e Expr, en *env) (vtype, error) {
	if e == nil {
		return tAny, nil
	}
	if en.order != nil {
		if it := en.order.match(e, c.funcs); it != nil {
			return en.vars[it.Alias], nil
		}
	}
	switch e := e.(type) {
	case *Literal:
		switch e.Kind {
		case LitNull:
			return vtype{k: kNull}, nil
		case LitBool:
			return tBool, nil
		case LitInt:
			return vtype{k: kInt}, nil
		case LitFloat:
			return vtype{k: kFloat}, nil
		case LitString:
			return vtype{k: kString}, nil
		}
		return tAny, nil
	case *ListLit:
		elem := kAny
		for i, x := range e.Items {
			t, err := c.expr(x, en)
			if err != nil {
				return tAny, err
			}
			switch {
			case i == 0:
				elem = t.k
			case elem != t.k:
				elem = kAny
			}
		}
		return vtype{k: kList, elem: elem}, nil
	case *MapLit:
		for _, x := range e.Values {
			if _, err := c.expr(x, en); err != nil {
				return tAny, err
			}
		}
		return vtype{k: kMap}, nil
	case *Param:
		return tAny, nil
	case *Var:
		if t, ok := en.vars[e.Name]; ok {
			return t, nil
		}
		switch {
		case en.constant:
			return tAny, Errorf(e.Pos, "NonConstantExpression",
				"`%s`: SKIP and LIMIT cannot refer to variables", e.Name)
		case en.order != nil && en.order.aggKey && !en.inAgg && en.order.keyVars[e.Name]:
			return tAny, Errorf(e.Pos, "AmbiguousAggregationExpression",
				"`%s` is used next to an aggregate but is not a projected grouping key", e.Name)
		}
		return tAny, Errorf(e.Pos, "UndefinedVariable", "variable `%s` not defined", e.Name)
	case *Prop:
		t, err := c.expr(e.Subject, en)
		if err != nil {
			return tAny, err
		}
		switch t.k {
		case kAny, kNull, kMap, kNode, kRel:
			return tAny, nil
		}
		return tAny, Errorf(e.Pos, "InvalidArgumentType", "cannot read property `%s` of %s", e.Key, an(t))
	case *Index:
		t, err := c.expr(e.Subject, en)
		if err != nil {
			return tAny, err
		}
		if _, err := c.expr(e.Index, en); err != nil {
			return tAny, err
		}
		if t.k == kList {
			return vtype{k: t.elem}, nil
		}
		return tAny, nil
	case *Slice:
		t, err := c.expr(e.Subject, en)
		if err != nil {
			return tAny, err
		}
		for _, x := range []Expr{e.From, e.To} {
			if _, err := c.expr(x, en); err != nil {
				return tAny, err
			}
		}
		if t.k == kList {
			return t, nil
		}
		return tAny, nil
	case *Unary:
		t, err := c.expr(e.X, en)
		if err != nil {
			return tAny, err
		}
		if e.Op == OpNot {
			return tBool, needBool(e.X, t)
		}
		if t.k == kInt || t.k == kFloat {
			return t, nil
		}
		return tAny, nil
	case *Binary:
		return c.binary(e, en)
	case *IsNull:
		_, err := c.expr(e.X, en)
		return tBool, err
	case *HasLabels:
		_, err := c.expr(e.X, en)
		return tBool, err
	case *Call:
		return c.call(e, en)
	case *Case:
		if _, err := c.expr(e.Subject, en); err != nil {
			return tAny, err
		}
		for _, w := range e.Whens {
			when := en
			if e.Subject == nil {
				when = en.condition()
			}
			t, err := c.expr(w.When, when)
			if err != nil {
				return tAny, err
			}
			if e.Subject == nil {
				if err := needBool(w.When, t); err != nil {
					return tAny, err
				}
			}
			if _, err := c.expr(w.Then, en); err != nil {
				return tAny, err
			}
		}
		_, err := c.expr(e.Else, en)
		return tAny, err
	case *ListComp:
		lt, err := c.expr(e.In, en)
		if err != nil {
			return tAny, err
		}
		in := en.local(e.Var, elemOf(lt))
		if e.Where != nil {
			t, err := c.expr(e.Where, in.condition())
			if err != nil {
				return tAny, err
			}
			if err := needBool(e.Where, t); err != nil {
				return tAny, err
			}
		}
		if e.Map == nil {
			return vtype{k: kList, elem: elemOf(lt).k}, nil
		}
		mt, err := c.expr(e.Map, in)
		if err != nil {
			return tAny, err
		}
		return vtype{k: kList, elem: mt.k}, nil
	case *Quantifier:
		lt, err := c.expr(e.In, en)
		if err != nil {
			return tAny, err
		}
		if e.Where != nil {
			t, err := c.expr(e.Where, en.local(e.Var, elemOf(lt)).condition())
			if err != nil {
				return tAny, err
			}
			if err := needBool(e.Where, t); err != nil {
				return tAny, err
			}
		}
		return tBool, nil
	case *Reduce:
		if _, err := c.expr(e.Init, en); err != nil {
			return tAny, err
		}
		lt, err := c.expr(e.In, en)
		if err != nil {
			return tAny, err
		}
		in := en.local(e.Var, elemOf(lt))
		in.vars[e.Acc] = tAny
		_, err = c.expr(e.Expr, in)
		return tAny, err
	case *PatternComp:
		in := en.local("", tAny)
		if err := c.pattern(Pattern{e.Pattern}, in.vars, false); err != nil {
			return tAny, err
		}
		if e.Where != nil {
			t, err := c.expr(e.Where, in.condition())
			if err != nil {
				return tAny, err
			}
			if err := needBool(e.Where, t); err != nil {
				return tAny, err
			}
		}
		mt, err := c.expr(e.Map, in)
		if err != nil {
			return tAny, err
		}
		return vtype{k: kList, elem: mt.k}, nil
	case *Exists:
		if e.Query != nil {
			return tBool, c.query(e.Query, en.vars)
		}
		if e.IsPatternPredicate() {
			if err := c.patternPredicate(e, en); err != nil {
				return tAny, err
			}
		}
		sc := en.vars.clone()
		if err := c.pattern(e.Pattern, sc, false); err != nil {
			return tAny, err
		}
		return tBool, c.where(e.Where, sc)
	}
	return tAny, nil
}

// local returns the environment of a comprehension body: a copy of en's
// scope with name bound, where aggregates are not allowed.
func (en *env) local(name string, t vtype) *env {
	out := *en
	out.vars = en.vars.clone()
	if name != "" {
		out.vars[name] = t
	}
	out.aggOK = false
	return &out
}

// condition returns en for a condition: the same scope, where a bare
// pattern predicate is allowed.
func (en *env) condition() *env {
	out := *en
	out.predicate = true
	return &out
}

// patternPredicate checks what only a bare pattern predicate, (a)-->(),
// must satisfy, unlike EXISTS { (a)-->(b) }: it is a boolean test, so it
// may only be a condition (TCK Pattern1 [22], [23]: not a RETURN or WITH
// item, where it once meant a list of paths; a pattern comprehension is
// the list form), and it cannot introduce variables, which would be bound
// nowhere (Pattern1 [10]: MATCH (n) WHERE (n)-[r]->(a) RETURN n).
func (c *checker) patternPredicate(e *Exists, en *env) error {
	if !en.predicate {
		return Errorf(e.Pos, "UnexpectedSyntax",
			"a pattern can only be used as a condition (in WHERE); use EXISTS { ... } for a boolean or a pattern comprehension [(a)-->(b) | b] for a list")
	}
	for _, pp := range e.Pattern {
		for i, n := range pp.Nodes {
			if n.Var != "" {
				if _, ok := en.vars[n.Var]; !ok {
					return Errorf(n.Pos, "UndefinedVariable",
						"variable `%s` not defined: a pattern predicate cannot introduce variables (use EXISTS { ... })", n.Var)
				}
			}
			if i < len(pp.Rels) && pp.Rels[i].Var != "" {
				r := pp.Rels[i]
				if _, ok := en.vars[r.Var]; !ok {
					return Errorf(r.Pos, "UndefinedVariable",
						"variable `%s` not defined: a pattern predicate cannot introduce variables (use EXISTS { ... })", r.Var)
				}
			}
		}
	}
	return nil
}

// elemOf is the type of the elements of a list of type t.
func elemOf(t vtype) vtype {
	if t.k == kList {
		return vtype{k: t.elem}
	}
	return tAny
}

// match returns the projected item that e repeats, if any.
func (o *orderEnv) match(e Expr, funcs FuncInfo) *ProjectionItem {
	if _, ok := e.(*Var); ok {
		return nil // variables resolve through the scope (aliases)
	}
	for _, it := range o.items {
		if o.aggKey && !isSimple(it.Expr) && !ContainsAggregate(it.Expr, funcs) {
			continue
		}
		if sameExpr(e, it.Expr) {
			return it
		}
	}
	return nil
}

func (c *checker) call(e *Call, en *env) (vtype, error) {
	if !c.funcs.Exists(e.Name) {
		return tAny, Errorf(e.Pos, "UnknownFunction", "unknown function `%s`", e.Name)
	}
	agg := c.funcs.IsAggregate(e.Name)
	inner := en
	if agg {
		switch {
		case en.inAgg:
			return tAny, Errorf(e.Pos, "NestedAggregation", "aggregate `%s` cannot be used inside another aggregate", e.Name)
		case !en.aggOK:
			return tAny, Errorf(e.Pos, "InvalidAggregation", "aggregate `%s` is not allowed here", e.Name)
		}
		// A namespaced aggregate (drasi.slidingWindow) may wrap a standard
		// aggregate: it aggregates over a window, not over rows, so it does
		// not make its arguments a nested aggregation.
		if !strings.Contains(e.Name, ".") {
			cp := *en
			cp.inAgg = true
			inner = &cp
		}
	} else if en.inAgg && nondeterministic(e.Name) {
		return tAny, Errorf(e.Pos, "NonConstantExpression", "cannot aggregate the non-deterministic `%s()`", e.Name)
	}
	args := make([]vtype, len(e.Args))
	for i, a := range e.Args {
		t, err := c.expr(a, inner)
		if err != nil {
			return tAny, err
		}
		args[i] = t
	}
	if strings.EqualFold(e.Name, "size") && len(args) == 1 && args[0].k == kPath {
		return tAny, Errorf(e.Args[0].Position(), "InvalidArgumentType", "size() of a path; use length()")
	}
	if at, ok := c.funcs.(ArgTypes); ok {
		for i, t := range args {
			if t.k == kAny || t.k == kNull {
				continue // unknown, or null, which every function takes
			}
			if accepts, declared := at.AcceptsArg(e.Name, i, kindNames[t.k]); declared && !accepts {
				return tAny, Errorf(e.Args[i].Position(), "InvalidArgumentType",
					"%s() does not accept %s as argument %d", e.Name, an(t), i+1)
			}
		}
	}
	return tAny, nil
}

func (c *checker) binary(e *Binary, en *env) (vtype, error) {
	l, err := c.expr(e.L, en)
	if err != nil {
		return tAny, err
	}
	r, err := c.expr(e.R, en)
	if err != nil {
		return tAny, err
	}
	switch e.Op {
	case OpAnd, OpOr, OpXor:
		if err := needBool(e.L, l); err != nil {
			return tAny, err
		}
		return tBool, needBool(e.R, r)
	case OpIn:
		switch r.k {
		case kAny, kNull, kList:
			return tBool, nil
		}
		return tAny, Errorf(e.R.Position(), "InvalidArgumentType", "IN needs a list on its right, got %s", an(r))
	case OpEq, OpNe, OpLt, OpGt, OpLe, OpGe, OpStartsWith, OpEndsWith, OpContains, OpRegex:
		return tBool, nil
	case OpSub, OpMul, OpDiv, OpMod, OpPow:
		for i, t := range []vtype{l, r} {
			switch t.k {
			case kBool, kString, kList, kMap, kNode, kRel, kPath:
				x := e.L
				if i == 1 {
					x = e.R
				}
				return tAny, Errorf(x.Position(), "InvalidArgumentType", "operator %s cannot take %s", e.Op, an(t))
			}
		}
		switch {
		case e.Op == OpPow:
			if (l.k == kInt || l.k == kFloat) && (r.k == kInt || r.k == kFloat) {
				return vtype{k: kFloat}, nil
			}
		case l.k == kInt && r.k == kInt:
			return l, nil
		case (l.k == kInt || l.k == kFloat) && (r.k == kInt || r.k == kFloat):
			return vtype{k: kFloat}, nil
		}
		return tAny, nil
	case OpAdd:
		switch {
		case l.k == kInt && r.k == kInt:
			return l, nil
		case (l.k == kInt || l.k == kFloat) && (r.k == kInt || r.k == kFloat):
			return vtype{k: kFloat}, nil
		case l.k == kString && r.k == kString:
			return l, nil
		case l.k == kList || r.k == kList:
			return vtype{k: kList}, nil
		}
		return tAny, nil
	case OpConcat:
		if l.k == kString && r.k == kString {
			return l, nil
		}
		return tAny, nil
	}
	return tAny, nil
}

var posType = reflect.TypeFor[Pos]()

// sameExpr reports whether a and b are the same expression, ignoring source
// positions (and the case of function names).
func sameExpr(a, b Expr) bool {
	return sameValue(reflect.ValueOf(a), reflect.ValueOf(b))
}

func sameValue(a, b reflect.Value) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	switch a.Kind() {
	case reflect.Interface, reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		if a.Kind() == reflect.Interface && a.Elem().Type() != b.Elem().Type() {
			return false
		}
		return sameValue(a.Elem(), b.Elem())
	case reflect.Struct:
		if a.Type() != b.Type() {
			return false
		}
		if a.Type() == reflect.TypeFor[Call]() && !strings.EqualFold(a.FieldByName("Name").String(), b.FieldByName("Name").String()) {
			return false
		}
		for i := range a.NumField() {
			f := a.Type().Field(i)
			if f.Type == posType || (a.Type() == reflect.TypeFor[Call]() && f.Name == "Name") {
				continue
			}
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	}
	return a.Equal(b)
}
