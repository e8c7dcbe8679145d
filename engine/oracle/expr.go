package oracle

import (
	"fmt"

	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/functions"
	"github.com/vigilhq/vigil/grammar/ast"
)

// frame is the context of an expression: the variables in scope and, inside
// an aggregating projection, the value of each aggregate call for the
// current group.
type frame struct {
	vars row
	aggs map[*ast.Call]value.Value
}

// bind returns a frame with one more variable (comprehensions, reduce).
func (f *frame) bind(name string, v value.Value) *frame {
	return &frame{vars: f.vars.with(name, v), aggs: f.aggs}
}

func typeError(format string, args ...any) error {
	return functions.TypeErr(format, args...)
}

// truth evaluates a predicate: only true counts (null and false do not).
func (ev *evaluator) truth(e ast.Expr, f *frame) (bool, error) {
	v, err := ev.eval(e, f)
	if err != nil {
		return false, err
	}
	switch v.Kind() {
	case value.KindBool:
		return v.AsBool(), nil
	case value.KindNull:
		return false, nil
	}
	return false, typeError("expected a boolean predicate, got %s %s", v.Kind(), v)
}

// boolOrNull checks that v is a boolean or null (for quantifier predicates and
// logical operators).
func boolOrNull(v value.Value, what string) error {
	if v.Kind() == value.KindBool || v.IsNull() {
		return nil
	}
	return typeError("%s expects a boolean, got %s %s", what, v.Kind(), v)
}

// eval evaluates an expression.
func (ev *evaluator) eval(e ast.Expr, f *frame) (value.Value, error) {
	switch e := e.(type) {
	case *ast.Literal:
		switch e.Kind {
		case ast.LitNull:
			return value.Null, nil
		case ast.LitBool:
			return value.Bool(e.Bool), nil
		case ast.LitInt:
			return value.Int(e.Int), nil
		case ast.LitFloat:
			return value.Float(e.Float), nil
		case ast.LitString:
			return value.Str(e.Str), nil
		}
		return value.Null, fmt.Errorf("oracle: unknown literal kind %d", e.Kind)
	case *ast.ListLit:
		items := make([]value.Value, len(e.Items))
		for i, x := range e.Items {
			v, err := ev.eval(x, f)
			if err != nil {
				return value.Null, err
			}
			items[i] = v
		}
		return value.List(items), nil
	case *ast.MapLit:
		m := make(map[string]value.Value, len(e.Keys))
		for i, k := range e.Keys {
			v, err := ev.eval(e.Values[i], f)
			if err != nil {
				return value.Null, err
			}
			m[k] = v
		}
		return value.Map(m), nil
	case *ast.Param:
		v, ok := ev.params[e.Name]
		if !ok {
			return value.Null, &functions.Error{Kind: "ParameterMissing", Code: "MissingParameter", Msg: "missing parameter $" + e.Name}
		}
		return v, nil
	case *ast.Var:
		// A variable not in scope would have been rejected by the front
		// end; the oracle reads it as null.
		return f.vars[e.Name], nil
	case *ast.Prop:
		v, err := ev.eval(e.Subject, f)
		if err != nil {
			return value.Null, err
		}
		return opProp(v, e.Key)
	case *ast.Index:
		v, err := ev.eval(e.Subject, f)
		if err != nil {
			return value.Null, err
		}
		i, err := ev.eval(e.Index, f)
		if err != nil {
			return value.Null, err
		}
		return opIndex(v, i)
	case *ast.Slice:
		v, err := ev.eval(e.Subject, f)
		if err != nil {
			return value.Null, err
		}
		from, to := value.Null, value.Null
		if e.From != nil {
			if from, err = ev.eval(e.From, f); err != nil {
				return value.Null, err
			}
		}
		if e.To != nil {
			if to, err = ev.eval(e.To, f); err != nil {
				return value.Null, err
			}
		}
		return opSlice(v, from, to, e.From != nil, e.To != nil)
	case *ast.Unary:
		v, err := ev.eval(e.X, f)
		if err != nil {
			return value.Null, err
		}
		switch e.Op {
		case ast.OpNot:
			return opNot(v)
		case ast.OpNeg:
			return opNeg(v)
		case ast.OpPlus:
			if v.IsNull() || v.IsNumber() {
				return v, nil
			}
			return value.Null, typeError("unary + expects a number, got %s %s", v.Kind(), v)
		}
		return value.Null, fmt.Errorf("oracle: unknown unary operator %d", e.Op)
	case *ast.Binary:
		return ev.binary(e, f)
	case *ast.IsNull:
		v, err := ev.eval(e.X, f)
		if err != nil {
			return value.Null, err
		}
		return value.Bool(v.IsNull() != e.Not), nil
	case *ast.HasLabels:
		v, err := ev.eval(e.X, f)
		if err != nil {
			return value.Null, err
		}
		switch v.Kind() {
		case value.KindNull:
			return value.Null, nil
		case value.KindNode:
			return value.Bool(labelsMatch(e.Labels, v.AsNode().Labels)), nil
		case value.KindRel:
			return value.Bool(labelsMatch(e.Labels, []string{v.AsRel().Type})), nil
		}
		return value.Null, typeError("label predicate expects a node or relationship, got %s %s", v.Kind(), v)
	case *ast.Call:
		return ev.call(e, f)
	case *ast.Case:
		return ev.caseExpr(e, f)
	case *ast.ListComp:
		list, isNull, err := ev.listOperand(e.In, f, "list comprehension")
		if err != nil || isNull {
			return value.Null, err
		}
		var out []value.Value
		for _, x := range list {
			inner := f.bind(e.Var, x)
			if e.Where != nil {
				ok, err := ev.truth(e.Where, inner)
				if err != nil {
					return value.Null, err
				}
				if !ok {
					continue
				}
			}
			if e.Map != nil {
				if x, err = ev.eval(e.Map, inner); err != nil {
					return value.Null, err
				}
			}
			out = append(out, x)
		}
		return value.List(nonNilList(out)), nil
	case *ast.PatternComp:
		found, err := ev.solve(ast.Pattern{e.Pattern}, e.Where, f.vars)
		if err != nil {
			return value.Null, err
		}
		var out []value.Value
		for _, m := range found {
			inner := &frame{vars: m, aggs: f.aggs}
			v := value.Null
			if e.Map != nil {
				if v, err = ev.eval(e.Map, inner); err != nil {
					return value.Null, err
				}
			} else if e.Pattern.Var != "" {
				v = m[e.Pattern.Var]
			}
			out = append(out, v)
		}
		return value.List(nonNilList(out)), nil
	case *ast.Quantifier:
		return ev.quantifier(e, f)
	case *ast.Reduce:
		list, isNull, err := ev.listOperand(e.In, f, "reduce")
		if err != nil || isNull {
			return value.Null, err
		}
		acc, err := ev.eval(e.Init, f)
		if err != nil {
			return value.Null, err
		}
		for _, x := range list {
			if acc, err = ev.eval(e.Expr, f.bind(e.Acc, acc).bind(e.Var, x)); err != nil {
				return value.Null, err
			}
		}
		return acc, nil
	case *ast.Exists:
		return ev.exists(e, f)
	}
	return value.Null, fmt.Errorf("oracle: unknown expression %T", e)
}

func nonNilList(l []value.Value) []value.Value {
	if l == nil {
		return []value.Value{}
	}
	return l
}

// listOperand evaluates the list of a comprehension, quantifier or reduce:
// null reports isNull, a non-list is a type error.
func (ev *evaluator) listOperand(e ast.Expr, f *frame, what string) (list []value.Value, isNull bool, err error) {
	v, err := ev.eval(e, f)
	if err != nil {
		return nil, false, err
	}
	switch v.Kind() {
	case value.KindNull:
		return nil, true, nil
	case value.KindList:
		return v.AsList(), false, nil
	}
	return nil, false, typeError("%s expects a list, got %s %s", what, v.Kind(), v)
}

// binary evaluates an infix operator. AND and OR short-circuit when their
// left operand decides the result (false, respectively true); XOR and every
// other operator evaluate both operands.
func (ev *evaluator) binary(e *ast.Binary, f *frame) (value.Value, error) {
	l, err := ev.eval(e.L, f)
	if err != nil {
		return value.Null, err
	}
	switch e.Op {
	case ast.OpAnd, ast.OpOr:
		if err := boolOrNull(l, e.Op.String()); err != nil {
			return value.Null, err
		}
		decider := e.Op == ast.OpOr // OR is decided by true, AND by false
		if !l.IsNull() && l.AsBool() == decider {
			return value.Bool(decider), nil
		}
	}
	r, err := ev.eval(e.R, f)
	if err != nil {
		return value.Null, err
	}
	op, ok := binaryOps[e.Op]
	if !ok {
		return value.Null, fmt.Errorf("oracle: unknown binary operator %s", e.Op)
	}
	return op(l, r)
}

// call evaluates a function call. An aggregate call reads its value for the
// current group from the frame; it is an error anywhere else.
func (ev *evaluator) call(e *ast.Call, f *frame) (value.Value, error) {
	if v, ok, err := ev.temporalCall(e, f); ok {
		return v, err
	}
	if ev.isAggregate(e.Name) {
		v, ok := f.aggs[e]
		if !ok {
			return value.Null, fmt.Errorf("oracle: aggregate %s() used outside a projection", e.Name)
		}
		return v, nil
	}
	fn, ok := ev.funcs.Scalar(e.Name)
	if !ok {
		return value.Null, fmt.Errorf("oracle: unknown function %s", e.Name)
	}
	if len(e.Args) < fn.MinArgs || (fn.MaxArgs >= 0 && len(e.Args) > fn.MaxArgs) {
		return value.Null, fmt.Errorf("oracle: wrong number of arguments to %s: %d", e.Name, len(e.Args))
	}
	args := make([]value.Value, len(e.Args))
	for i, a := range e.Args {
		v, err := ev.eval(a, f)
		if err != nil {
			return value.Null, err
		}
		args[i] = v
	}
	return fn.Fn(ev, args)
}

// caseExpr evaluates simple CASE (the first WHEN equal to the subject, by
// `=`: null matches nothing) and generic CASE (the first true WHEN).
func (ev *evaluator) caseExpr(e *ast.Case, f *frame) (value.Value, error) {
	var subject value.Value
	if e.Subject != nil {
		var err error
		if subject, err = ev.eval(e.Subject, f); err != nil {
			return value.Null, err
		}
	}
	for _, w := range e.Whens {
		var hit bool
		if e.Subject != nil {
			v, err := ev.eval(w.When, f)
			if err != nil {
				return value.Null, err
			}
			eq, known := value.Equal(subject, v)
			hit = known && eq
		} else {
			v, err := ev.eval(w.When, f)
			if err != nil {
				return value.Null, err
			}
			if err := boolOrNull(v, "CASE WHEN"); err != nil {
				return value.Null, err
			}
			hit = v.AsBool()
		}
		if hit {
			return ev.eval(w.Then, f)
		}
	}
	if e.Else == nil {
		return value.Null, nil
	}
	return ev.eval(e.Else, f)
}

// quantifier evaluates all/any/none/single with three-valued logic: a null
// predicate result makes the answer null unless the known results already
// decide it.
func (ev *evaluator) quantifier(e *ast.Quantifier, f *frame) (value.Value, error) {
	list, isNull, err := ev.listOperand(e.In, f, "quantifier")
	if err != nil || isNull {
		return value.Null, err
	}
	trues, falses, nulls := 0, 0, 0
	for _, x := range list {
		v := value.True
		if e.Where != nil {
			if v, err = ev.eval(e.Where, f.bind(e.Var, x)); err != nil {
				return value.Null, err
			}
			if err := boolOrNull(v, "quantifier predicate"); err != nil {
				return value.Null, err
			}
		}
		switch {
		case v.IsNull():
			nulls++
		case v.AsBool():
			trues++
		default:
			falses++
		}
	}
	switch e.Kind {
	case ast.QuantAll:
		if falses > 0 {
			return value.False, nil
		}
	case ast.QuantAny:
		if trues > 0 {
			return value.True, nil
		}
	case ast.QuantNone:
		if trues > 0 {
			return value.False, nil
		}
	case ast.QuantSingle:
		if trues > 1 {
			return value.False, nil
		}
	default:
		return value.Null, fmt.Errorf("oracle: unknown quantifier %d", e.Kind)
	}
	if nulls > 0 {
		return value.Null, nil
	}
	switch e.Kind {
	case ast.QuantAll, ast.QuantNone:
		return value.True, nil
	case ast.QuantAny:
		return value.False, nil
	}
	return value.Bool(trues == 1), nil
}

// exists evaluates a pattern predicate or an EXISTS subquery with the outer
// variables bound.
func (ev *evaluator) exists(e *ast.Exists, f *frame) (value.Value, error) {
	if e.Query == nil {
		found, err := ev.solve(e.Pattern, e.Where, f.vars)
		if err != nil {
			return value.Null, err
		}
		return value.Bool(len(found) > 0), nil
	}
	scope := make([]string, 0, len(f.vars))
	for k := range f.vars {
		scope = append(scope, k)
	}
	for _, part := range e.Query.Parts {
		_, rows, _, err := ev.runSingle(part, []row{f.vars}, scope)
		if err != nil {
			return value.Null, err
		}
		if len(rows) > 0 {
			return value.True, nil
		}
	}
	return value.False, nil
}

// aggregateCalls lists the aggregate calls in e (not looking into EXISTS
// subqueries, which aggregate on their own).
func (ev *evaluator) aggregateCalls(e ast.Expr, out []*ast.Call) []*ast.Call {
	walk(e, func(x ast.Expr) bool {
		if _, ok := x.(*ast.Exists); ok {
			return false
		}
		if c, ok := x.(*ast.Call); ok && ev.isAggregate(c.Name) {
			out = append(out, c)
			return false
		}
		return true
	})
	return out
}

// walk calls visit on e and, while visit returns true, on its
// subexpressions.
func walk(e ast.Expr, visit func(ast.Expr) bool) {
	if e == nil || !visit(e) {
		return
	}
	w := func(xs ...ast.Expr) {
		for _, x := range xs {
			walk(x, visit)
		}
	}
	switch e := e.(type) {
	case *ast.ListLit:
		w(e.Items...)
	case *ast.MapLit:
		w(e.Values...)
	case *ast.Prop:
		w(e.Subject)
	case *ast.Index:
		w(e.Subject, e.Index)
	case *ast.Slice:
		w(e.Subject, e.From, e.To)
	case *ast.Unary:
		w(e.X)
	case *ast.Binary:
		w(e.L, e.R)
	case *ast.IsNull:
		w(e.X)
	case *ast.HasLabels:
		w(e.X)
	case *ast.Call:
		w(e.Args...)
	case *ast.Case:
		w(e.Subject, e.Else)
		for _, c := range e.Whens {
			w(c.When, c.Then)
		}
	case *ast.ListComp:
		w(e.In, e.Where, e.Map)
	case *ast.PatternComp:
		w(e.Where, e.Map)
	case *ast.Quantifier:
		w(e.In, e.Where)
	case *ast.Reduce:
		w(e.Init, e.In, e.Expr)
	case *ast.Exists:
		w(e.Where)
	}
}
