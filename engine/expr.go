package engine

import (
	"strings"
	"time"

	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/functions"
	"github.com/vigilhq/vigil/grammar/ast"
)

// evalFn is a compiled expression: a closure over row slots. Expressions are
// compiled once per query, never walked per change.
type evalFn func(c *evalCtx, row []value.Value) (value.Value, error)

// evalCtx is what an expression needs besides its row: the graph (for
// pattern predicates and startNode/endNode), the parameters and the clock.
// It implements functions.Env.
type evalCtx struct {
	index  graph
	params map[string]value.Value
	now    time.Time
	eng    *Engine
	q      *Query
	// row is the identity of the row being evaluated, for the temporal
	// functions' per-row state; firing is set while a future re-evaluates it.
	row    uint64
	firing bool
}

// Now implements functions.Env.
func (c *evalCtx) Now() time.Time { return c.now }

// Node implements functions.Env.
func (c *evalCtx) Node(id string) *value.Node { return c.index.Node(id) }

// scope maps variable names to row slots.
type scope struct {
	names []string
}

func (s *scope) lookup(name string) (int, bool) {
	for i := len(s.names) - 1; i >= 0; i-- {
		if s.names[i] == name {
			return i, true
		}
	}
	return -1, false
}

// add appends a slot for name (shadowing any earlier slot of that name) and
// returns its index.
func (s *scope) add(name string) int {
	s.names = append(s.names, name)
	return len(s.names) - 1
}

func (s *scope) clone() *scope { return &scope{names: append([]string(nil), s.names...)} }

// exprCompiler turns AST expressions into evalFns.
type exprCompiler struct {
	funcs  funcSet
	params map[string]value.Value
	// In a post-aggregation context: aggregate calls and grouping-key
	// expressions (by canonical text) read precomputed slots.
	aggSlots map[*ast.Call]int
	keySlots map[string]int
	// plan compiles pattern predicates and subqueries found in expressions.
	plan *planner
}

func (ec *exprCompiler) compile(e ast.Expr, sc *scope) (evalFn, error) {
	if ec.keySlots != nil {
		if slot, ok := ec.keySlots[exprKey(e)]; ok {
			return slotFn(slot), nil
		}
	}
	switch e := e.(type) {
	case *ast.Literal:
		v := literalValue(e)
		return constFn(v), nil
	case *ast.Param:
		v, ok := ec.params[e.Name]
		if !ok {
			return nil, ast.Errorf(e.Pos, "ParameterMissing", "parameter $%s has no value", e.Name)
		}
		return constFn(v), nil
	case *ast.Var:
		slot, ok := sc.lookup(e.Name)
		if !ok {
			return nil, ast.Errorf(e.Pos, "UndefinedVariable", "variable %q is not defined", e.Name)
		}
		return slotFn(slot), nil
	case *ast.ListLit:
		items, err := ec.compileAll(e.Items, sc)
		if err != nil {
			return nil, err
		}
		return func(c *evalCtx, row []value.Value) (value.Value, error) {
			out := make([]value.Value, len(items))
			for i, f := range items {
				v, err := f(c, row)
				if err != nil {
					return value.Null, err
				}
				out[i] = v
			}
			return value.List(out), nil
		}, nil
	case *ast.MapLit:
		vals, err := ec.compileAll(e.Values, sc)
		if err != nil {
			return nil, err
		}
		keys := e.Keys
		return func(c *evalCtx, row []value.Value) (value.Value, error) {
			m := make(map[string]value.Value, len(keys))
			for i, f := range vals {
				v, err := f(c, row)
				if err != nil {
					return value.Null, err
				}
				m[keys[i]] = v
			}
			return value.Map(m), nil
		}, nil
	case *ast.Prop:
		if v, ok := e.Subject.(*ast.Var); ok && ec.keySlots == nil {
			// n.key, the commonest expression: the slot read and the
			// property lookup in one closure instead of two calls.
			slot, ok := sc.lookup(v.Name)
			if !ok {
				return nil, ast.Errorf(v.Pos, "UndefinedVariable", "variable %q is not defined", v.Name)
			}
			key := e.Key
			return func(c *evalCtx, row []value.Value) (value.Value, error) {
				if slot >= len(row) {
					return value.Null, nil
				}
				s := row[slot]
				switch s.Kind() {
				case value.KindNode, value.KindRel, value.KindMap:
					return s.Prop(key), nil
				}
				return propertyOf(s, key)
			}, nil
		}
		subj, err := ec.compile(e.Subject, sc)
		if err != nil {
			return nil, err
		}
		key := e.Key
		return func(c *evalCtx, row []value.Value) (value.Value, error) {
			s, err := subj(c, row)
			if err != nil {
				return value.Null, err
			}
			return propertyOf(s, key)
		}, nil
	case *ast.Index:
		subj, err := ec.compile(e.Subject, sc)
		if err != nil {
			return nil, err
		}
		idx, err := ec.compile(e.Index, sc)
		if err != nil {
			return nil, err
		}
		return binaryFn(subj, idx, functions.Index), nil
	case *ast.Slice:
		subj, err := ec.compile(e.Subject, sc)
		if err != nil {
			return nil, err
		}
		from, to := constFn(value.Null), constFn(value.Null)
		hasFrom, hasTo := e.From != nil, e.To != nil
		if e.From != nil {
			if from, err = ec.compile(e.From, sc); err != nil {
				return nil, err
			}
		}
		if e.To != nil {
			if to, err = ec.compile(e.To, sc); err != nil {
				return nil, err
			}
		}
		return func(c *evalCtx, row []value.Value) (value.Value, error) {
			s, err := subj(c, row)
			if err != nil {
				return value.Null, err
			}
			f, err := from(c, row)
			if err != nil {
				return value.Null, err
			}
			t, err := to(c, row)
			if err != nil {
				return value.Null, err
			}
			return functions.Slice(s, f, t, hasFrom, hasTo)
		}, nil
	case *ast.Unary:
		x, err := ec.compile(e.X, sc)
		if err != nil {
			return nil, err
		}
		var op func(value.Value) (value.Value, error)
		switch e.Op {
		case ast.OpNot:
			op = functions.Not
		case ast.OpNeg:
			op = functions.Neg
		default:
			op = unaryPlus
		}
		return func(c *evalCtx, row []value.Value) (value.Value, error) {
			v, err := x(c, row)
			if err != nil {
				return value.Null, err
			}
			return op(v)
		}, nil
	case *ast.Binary:
		return ec.binary(e, sc)
	case *ast.IsNull:
		x, err := ec.compile(e.X, sc)
		if err != nil {
			return nil, err
		}
		not := e.Not
		return func(c *evalCtx, row []value.Value) (value.Value, error) {
			v, err := x(c, row)
			if err != nil {
				return value.Null, err
			}
			return value.Bool(v.IsNull() != not), nil
		}, nil
	case *ast.HasLabels:
		x, err := ec.compile(e.X, sc)
		if err != nil {
			return nil, err
		}
		lm := compileLabels(e.Labels)
		return func(c *evalCtx, row []value.Value) (value.Value, error) {
			v, err := x(c, row)
			if err != nil {
				return value.Null, err
			}
			switch v.Kind() {
			case value.KindNull:
				return value.Null, nil
			case value.KindNode:
				return value.Bool(lm.matchNode(v.AsNode())), nil
			case value.KindRel:
				return value.Bool(lm.matchType(v.AsRel().Type)), nil
			}
			return value.Null, functions.TypeErr("label predicate on %s", v.Kind())
		}, nil
	case *ast.Call:
		return ec.call(e, sc)
	case *ast.Case:
		return ec.caseExpr(e, sc)
	case *ast.ListComp:
		return ec.listComp(e, sc)
	case *ast.Quantifier:
		return ec.quantifier(e, sc)
	case *ast.Reduce:
		return ec.reduce(e, sc)
	case *ast.Exists:
		return ec.plan.existsExpr(ec, e, sc)
	case *ast.PatternComp:
		return ec.plan.patternComp(ec, e, sc)
	}
	return nil, ast.Errorf(e.Position(), "UnsupportedExpression", "unsupported expression %T", e)
}

// unaryPlus is `+x`: numbers (and null) pass, anything else is a type error.
func unaryPlus(v value.Value) (value.Value, error) {
	if v.IsNull() || v.IsNumber() {
		return v, nil
	}
	return value.Null, functions.TypeErr("unary plus on %s", v.Kind())
}

func (ec *exprCompiler) compileAll(es []ast.Expr, sc *scope) ([]evalFn, error) {
	out := make([]evalFn, len(es))
	for i, e := range es {
		f, err := ec.compile(e, sc)
		if err != nil {
			return nil, err
		}
		out[i] = f
	}
	return out, nil
}

func constFn(v value.Value) evalFn {
	return func(*evalCtx, []value.Value) (value.Value, error) { return v, nil }
}

func slotFn(slot int) evalFn {
	return func(_ *evalCtx, row []value.Value) (value.Value, error) {
		if slot < len(row) {
			return row[slot], nil
		}
		return value.Null, nil
	}
}

func binaryFn(l, r evalFn, op func(a, b value.Value) (value.Value, error)) evalFn {
	return func(c *evalCtx, row []value.Value) (value.Value, error) {
		a, err := l(c, row)
		if err != nil {
			return value.Null, err
		}
		b, err := r(c, row)
		if err != nil {
			return value.Null, err
		}
		return op(a, b)
	}
}

func literalValue(e *ast.Literal) value.Value {
	switch e.Kind {
	case ast.LitBool:
		return value.Bool(e.Bool)
	case ast.LitInt:
		return value.Int(e.Int)
	case ast.LitFloat:
		return value.Float(e.Float)
	case ast.LitString:
		return value.Str(e.Str)
	}
	return value.Null
}

// propertyOf reads a property of a node, relationship or map, or a
// component of a temporal value.
func propertyOf(s value.Value, key string) (value.Value, error) {
	switch s.Kind() {
	case value.KindNull:
		return value.Null, nil
	case value.KindNode, value.KindRel, value.KindMap:
		return s.Prop(key), nil
	}
	if acc, ok := s.Ref().(interface {
		Component(string) (value.Value, bool)
	}); ok {
		if v, ok := acc.Component(key); ok {
			return v, nil
		}
		return value.Null, functions.ArgErr("InvalidArgumentValue", "%s has no component %q", s.Kind(), key)
	}
	return value.Null, functions.TypeErr("cannot read property %q of %s", key, s.Kind())
}

// siteCount is how many temporal call sites the query has so far.
func (ec *exprCompiler) siteCount() int {
	if ec.plan == nil {
		return 0
	}
	return ec.plan.nextSite
}

// eagerLogic is AND or OR whose right operand calls a temporal function:
// that function belongs to every row of its clause and must see each of
// the row's changes (drasi.previousDistinctValue must record 'pending' even
// while `c.status = 'active' AND ...` is false), so the right operand is
// evaluated whatever the left one says. Its error counts only when the left
// one does not decide the result.
func eagerLogic(op ast.BinaryOp, l, r evalFn) evalFn {
	and := op == ast.OpAnd
	return func(c *evalCtx, row []value.Value) (value.Value, error) {
		a, err := l(c, row)
		if err != nil {
			return value.Null, err
		}
		b, rerr := r(c, row)
		decided := a.Kind() == value.KindBool && a.AsBool() != and
		if decided {
			return value.Bool(!and), nil
		}
		if rerr != nil {
			return value.Null, rerr
		}
		if and {
			return functions.And(a, b)
		}
		return functions.Or(a, b)
	}
}

func (ec *exprCompiler) binary(e *ast.Binary, sc *scope) (evalFn, error) {
	l, err := ec.compile(e.L, sc)
	if err != nil {
		return nil, err
	}
	sites := ec.siteCount()
	r, err := ec.compile(e.R, sc)
	if err != nil {
		return nil, err
	}
	if (e.Op == ast.OpAnd || e.Op == ast.OpOr) && ec.siteCount() > sites {
		return eagerLogic(e.Op, l, r), nil
	}
	switch e.Op {
	case ast.OpAnd:
		// Short-circuit on false, but a false on the right still wins over
		// an error-free null on the left, as three-valued logic requires.
		return func(c *evalCtx, row []value.Value) (value.Value, error) {
			a, err := l(c, row)
			if err != nil {
				return value.Null, err
			}
			if a.Kind() == value.KindBool && !a.AsBool() {
				return value.False, nil
			}
			b, err := r(c, row)
			if err != nil {
				return value.Null, err
			}
			return functions.And(a, b)
		}, nil
	case ast.OpOr:
		return func(c *evalCtx, row []value.Value) (value.Value, error) {
			a, err := l(c, row)
			if err != nil {
				return value.Null, err
			}
			if a.AsBool() {
				return value.True, nil
			}
			b, err := r(c, row)
			if err != nil {
				return value.Null, err
			}
			return functions.Or(a, b)
		}, nil
	}
	var op func(a, b value.Value) (value.Value, error)
	switch e.Op {
	case ast.OpXor:
		op = functions.Xor
	case ast.OpEq:
		op = functions.Eq
	case ast.OpNe:
		op = functions.Ne
	case ast.OpLt:
		op = functions.Lt
	case ast.OpGt:
		op = functions.Gt
	case ast.OpLe:
		op = functions.Le
	case ast.OpGe:
		op = functions.Ge
	case ast.OpAdd, ast.OpConcat:
		op = functions.Add
	case ast.OpSub:
		op = functions.Sub
	case ast.OpMul:
		op = functions.Mul
	case ast.OpDiv:
		op = functions.Div
	case ast.OpMod:
		op = functions.Mod
	case ast.OpPow:
		op = functions.Pow
	case ast.OpIn:
		op = functions.In
	case ast.OpStartsWith:
		op = functions.StartsWith
	case ast.OpEndsWith:
		op = functions.EndsWith
	case ast.OpContains:
		op = functions.Contains
	case ast.OpRegex:
		op = functions.NewRegexMatcher()
	default:
		return nil, ast.Errorf(e.Pos, "UnsupportedExpression", "unsupported operator %s", e.Op)
	}
	if f := numericFn(e.Op, l, r, op); f != nil {
		return f, nil
	}
	return binaryFn(l, r, op), nil
}

// numericFn compiles +, -, *, / and the orderings with the float case
// inline: when both operands are numbers and not both integers, functions'
// operators compute in float64 (and order NaN as false), exactly as here;
// every other case (integers, with their overflow checks, null, strings,
// lists, temporal values) goes to the operator itself. Formulas over
// float properties are the hot case of continuous queries.
func numericFn(op ast.BinaryOp, l, r evalFn, slow func(a, b value.Value) (value.Value, error)) evalFn {
	var arith func(x, y float64) float64
	var order func(x, y float64) bool
	switch op {
	case ast.OpAdd:
		arith = func(x, y float64) float64 { return x + y }
	case ast.OpSub:
		arith = func(x, y float64) float64 { return x - y }
	case ast.OpMul:
		arith = func(x, y float64) float64 { return x * y }
	case ast.OpDiv:
		arith = func(x, y float64) float64 { return x / y }
	case ast.OpLt:
		order = func(x, y float64) bool { return x < y }
	case ast.OpLe:
		order = func(x, y float64) bool { return x <= y }
	case ast.OpGt:
		order = func(x, y float64) bool { return x > y }
	case ast.OpGe:
		order = func(x, y float64) bool { return x >= y }
	default:
		return nil
	}
	if arith != nil {
		return func(c *evalCtx, row []value.Value) (value.Value, error) {
			a, err := l(c, row)
			if err != nil {
				return value.Null, err
			}
			b, err := r(c, row)
			if err != nil {
				return value.Null, err
			}
			if floatOperands(a, b) {
				return value.Float(arith(a.AsFloat(), b.AsFloat())), nil
			}
			return slow(a, b)
		}
	}
	return func(c *evalCtx, row []value.Value) (value.Value, error) {
		a, err := l(c, row)
		if err != nil {
			return value.Null, err
		}
		b, err := r(c, row)
		if err != nil {
			return value.Null, err
		}
		if floatOperands(a, b) {
			return value.Bool(order(a.AsFloat(), b.AsFloat())), nil
		}
		return slow(a, b)
	}
}

// floatOperands reports whether a and b are numbers, not both integers.
func floatOperands(a, b value.Value) bool {
	ka, kb := a.Kind(), b.Kind()
	return (ka == value.KindFloat && (kb == value.KindFloat || kb == value.KindInt)) ||
		(ka == value.KindInt && kb == value.KindFloat)
}

func (ec *exprCompiler) call(e *ast.Call, sc *scope) (evalFn, error) {
	if slot, ok := ec.aggSlots[e]; ok {
		return slotFn(slot), nil
	}
	if ec.funcs.IsAggregate(e.Name) {
		return nil, ast.Errorf(e.Pos, "InvalidAggregation", "aggregate %s(...) is not allowed here", e.Name)
	}
	if strings.EqualFold(e.Name, "exists") && len(e.Args) == 1 {
		// exists(n.prop): the openCypher 9 property-existence function.
		x, err := ec.compile(e.Args[0], sc)
		if err != nil {
			return nil, err
		}
		return func(c *evalCtx, row []value.Value) (value.Value, error) {
			v, err := x(c, row)
			if err != nil {
				return value.Null, err
			}
			return value.Bool(!v.IsNull()), nil
		}, nil
	}
	if isEngineFunc(e.Name) {
		return ec.engineCall(e, sc)
	}
	f, ok := ec.funcs.Scalar(e.Name)
	if !ok {
		return nil, ast.Errorf(e.Pos, "UnknownFunction", "unknown function %q", e.Name)
	}
	if isTimeDependent(e.Name, f) || (len(e.Args) == 0 && isVolatileName(e.Name)) {
		ec.plan.volatile = true
	}
	if len(e.Args) < f.MinArgs || (f.MaxArgs >= 0 && len(e.Args) > f.MaxArgs) {
		return nil, ast.Errorf(e.Pos, "InvalidNumberOfArguments", "function %s takes %s arguments, got %d", e.Name, arity(f.MinArgs, f.MaxArgs), len(e.Args))
	}
	args, err := ec.compileAll(e.Args, sc)
	if err != nil {
		return nil, err
	}
	fn := f.Fn
	if f.Volatile {
		return func(c *evalCtx, row []value.Value) (value.Value, error) {
			buf := make([]value.Value, len(args))
			for i, a := range args {
				v, err := a(c, row)
				if err != nil {
					return value.Null, err
				}
				buf[i] = v
			}
			return fn(c, buf)
		}, nil
	}
	// One argument buffer per call site: a call site is never re-entered
	// while its arguments are evaluated, and functions do not retain args.
	buf := make([]value.Value, len(args))
	return func(c *evalCtx, row []value.Value) (value.Value, error) {
		for i, a := range args {
			v, err := a(c, row)
			if err != nil {
				return value.Null, err
			}
			buf[i] = v
		}
		return fn(c, buf)
	}, nil
}

func arity(min, max int) string {
	switch {
	case max < 0:
		return "at least " + itoa(min)
	case min == max:
		return itoa(min)
	}
	return itoa(min) + " to " + itoa(max)
}

func itoa(i int) string { return value.Int(int64(i)).String() }

func (ec *exprCompiler) caseExpr(e *ast.Case, sc *scope) (evalFn, error) {
	var subj evalFn
	var err error
	if e.Subject != nil {
		if subj, err = ec.compile(e.Subject, sc); err != nil {
			return nil, err
		}
	}
	whens := make([]evalFn, len(e.Whens))
	thens := make([]evalFn, len(e.Whens))
	for i, w := range e.Whens {
		if whens[i], err = ec.compile(w.When, sc); err != nil {
			return nil, err
		}
		if thens[i], err = ec.compile(w.Then, sc); err != nil {
			return nil, err
		}
	}
	els := constFn(value.Null)
	if e.Else != nil {
		if els, err = ec.compile(e.Else, sc); err != nil {
			return nil, err
		}
	}
	return func(c *evalCtx, row []value.Value) (value.Value, error) {
		var s value.Value
		if subj != nil {
			v, err := subj(c, row)
			if err != nil {
				return value.Null, err
			}
			s = v
		}
		for i, w := range whens {
			v, err := w(c, row)
			if err != nil {
				return value.Null, err
			}
			hit := false
			if subj != nil {
				eq, known := value.Equal(s, v)
				hit = known && eq
			} else {
				hit = v.AsBool()
			}
			if hit {
				return thens[i](c, row)
			}
		}
		return els(c, row)
	}, nil
}

// withLocal compiles body in a scope extended by local variables, and
// returns the slot indexes of those locals; evaluation copies the row into
// a scratch row that has room for them.
func withLocal(sc *scope, names ...string) (*scope, []int) {
	inner := sc.clone()
	slots := make([]int, len(names))
	for i, n := range names {
		slots[i] = inner.add(n)
	}
	return inner, slots
}

func scratch(row []value.Value, size int) []value.Value {
	s := make([]value.Value, size)
	copy(s, row)
	return s
}

func (ec *exprCompiler) listComp(e *ast.ListComp, sc *scope) (evalFn, error) {
	in, err := ec.compile(e.In, sc)
	if err != nil {
		return nil, err
	}
	inner, slots := withLocal(sc, e.Var)
	var where, mapping evalFn
	if e.Where != nil {
		if where, err = ec.compile(e.Where, inner); err != nil {
			return nil, err
		}
	}
	if e.Map != nil {
		if mapping, err = ec.compile(e.Map, inner); err != nil {
			return nil, err
		}
	}
	size, slot := len(inner.names), slots[0]
	return func(c *evalCtx, row []value.Value) (value.Value, error) {
		lv, err := in(c, row)
		if err != nil || lv.IsNull() {
			return value.Null, err
		}
		if lv.Kind() != value.KindList {
			return value.Null, functions.TypeErr("list comprehension over %s", lv.Kind())
		}
		r := scratch(row, size)
		out := []value.Value{}
		for _, x := range lv.AsList() {
			r[slot] = x
			if where != nil {
				ok, err := where(c, r)
				if err != nil {
					return value.Null, err
				}
				if !ok.AsBool() {
					continue
				}
			}
			if mapping != nil {
				m, err := mapping(c, r)
				if err != nil {
					return value.Null, err
				}
				x = m
			}
			out = append(out, x)
		}
		return value.List(out), nil
	}, nil
}

func (ec *exprCompiler) quantifier(e *ast.Quantifier, sc *scope) (evalFn, error) {
	in, err := ec.compile(e.In, sc)
	if err != nil {
		return nil, err
	}
	inner, slots := withLocal(sc, e.Var)
	pred := constFn(value.True)
	if e.Where != nil {
		if pred, err = ec.compile(e.Where, inner); err != nil {
			return nil, err
		}
	}
	size, slot, kind := len(inner.names), slots[0], e.Kind
	return func(c *evalCtx, row []value.Value) (value.Value, error) {
		lv, err := in(c, row)
		if err != nil || lv.IsNull() {
			return value.Null, err
		}
		if lv.Kind() != value.KindList {
			return value.Null, functions.TypeErr("quantifier over %s", lv.Kind())
		}
		r := scratch(row, size)
		trues, nulls := 0, 0
		for _, x := range lv.AsList() {
			r[slot] = x
			v, err := pred(c, r)
			if err != nil {
				return value.Null, err
			}
			switch {
			case v.IsNull():
				nulls++
			case v.AsBool():
				trues++
			}
		}
		n := len(lv.AsList())
		falses := n - trues - nulls
		switch kind {
		case ast.QuantAll:
			if falses > 0 {
				return value.False, nil
			}
			if nulls > 0 {
				return value.Null, nil
			}
			return value.True, nil
		case ast.QuantAny:
			if trues > 0 {
				return value.True, nil
			}
			if nulls > 0 {
				return value.Null, nil
			}
			return value.False, nil
		case ast.QuantNone:
			if trues > 0 {
				return value.False, nil
			}
			if nulls > 0 {
				return value.Null, nil
			}
			return value.True, nil
		default: // single
			if trues > 1 {
				return value.False, nil
			}
			if nulls > 0 {
				return value.Null, nil
			}
			return value.Bool(trues == 1), nil
		}
	}, nil
}

func (ec *exprCompiler) reduce(e *ast.Reduce, sc *scope) (evalFn, error) {
	init, err := ec.compile(e.Init, sc)
	if err != nil {
		return nil, err
	}
	in, err := ec.compile(e.In, sc)
	if err != nil {
		return nil, err
	}
	inner, slots := withLocal(sc, e.Acc, e.Var)
	body, err := ec.compile(e.Expr, inner)
	if err != nil {
		return nil, err
	}
	size := len(inner.names)
	return func(c *evalCtx, row []value.Value) (value.Value, error) {
		acc, err := init(c, row)
		if err != nil {
			return value.Null, err
		}
		lv, err := in(c, row)
		if err != nil || lv.IsNull() {
			return value.Null, err
		}
		if lv.Kind() != value.KindList {
			return value.Null, functions.TypeErr("reduce over %s", lv.Kind())
		}
		r := scratch(row, size)
		for _, x := range lv.AsList() {
			r[slots[0]], r[slots[1]] = acc, x
			if acc, err = body(c, r); err != nil {
				return value.Null, err
			}
		}
		return acc, nil
	}, nil
}
