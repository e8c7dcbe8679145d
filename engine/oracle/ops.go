package oracle

import (
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/functions"
	"github.com/vigilhq/vigil/grammar/ast"
)

// binaryOps maps each infix operator to its implementation. They are the
// functions package's operators, shared with the engine, so that a
// difference between the oracle and the engine points at query evaluation
// rather than at operator semantics; only GQL's || has a private
// implementation here (functions has none).
var binaryOps = map[ast.BinaryOp]func(a, b value.Value) (value.Value, error){
	ast.OpOr:         functions.Or,
	ast.OpXor:        functions.Xor,
	ast.OpAnd:        functions.And,
	ast.OpEq:         functions.Eq,
	ast.OpNe:         functions.Ne,
	ast.OpLt:         functions.Lt,
	ast.OpGt:         functions.Gt,
	ast.OpLe:         functions.Le,
	ast.OpGe:         functions.Ge,
	ast.OpAdd:        functions.Add,
	ast.OpSub:        functions.Sub,
	ast.OpMul:        functions.Mul,
	ast.OpDiv:        functions.Div,
	ast.OpMod:        functions.Mod,
	ast.OpPow:        functions.Pow,
	ast.OpIn:         functions.In,
	ast.OpStartsWith: functions.StartsWith,
	ast.OpEndsWith:   functions.EndsWith,
	ast.OpContains:   functions.Contains,
	ast.OpRegex:      functions.RegexMatch,
	ast.OpConcat:     concat,
}

func opNot(v value.Value) (value.Value, error) { return functions.Not(v) }

func opNeg(v value.Value) (value.Value, error) { return functions.Neg(v) }

func opIndex(subject, idx value.Value) (value.Value, error) { return functions.Index(subject, idx) }

func opSlice(subject, from, to value.Value, hasFrom, hasTo bool) (value.Value, error) {
	return functions.Slice(subject, from, to, hasFrom, hasTo)
}

// componentHolder is implemented by extension payloads (temporal values)
// that expose components as properties (date.year, duration.days).
type componentHolder interface {
	Component(name string) (value.Value, bool)
}

// opProp is subject.key: a property of a node, relationship or map (a
// missing key is null), a component of a temporal value (a component the
// value does not have is an error, as in Neo4j: date.hour has no meaning),
// or null for a null subject; anything else is a type error.
func opProp(v value.Value, key string) (value.Value, error) {
	switch v.Kind() {
	case value.KindNull:
		return value.Null, nil
	case value.KindNode, value.KindRel, value.KindMap:
		return v.Prop(key), nil
	}
	if p, ok := v.Ref().(componentHolder); ok {
		if x, ok := p.Component(key); ok {
			return x, nil
		}
		return value.Null, functions.ArgErr(functions.CodeInvalidArgumentValue, "%s has no component %q", v.Kind(), key)
	}
	return value.Null, typeError("cannot read property %q of %s %s", key, v.Kind(), v)
}

// concat is GQL's ||: string or list concatenation; null on either side
// gives null.
func concat(a, b value.Value) (value.Value, error) {
	switch {
	case a.IsNull() || b.IsNull():
		return value.Null, nil
	case a.Kind() == value.KindString && b.Kind() == value.KindString:
		return value.Str(a.AsString() + b.AsString()), nil
	case a.Kind() == value.KindList && b.Kind() == value.KindList:
		l := append(append([]value.Value{}, a.AsList()...), b.AsList()...)
		return value.List(l), nil
	}
	return value.Null, typeError("cannot apply || to %s and %s", a.Kind(), b.Kind())
}
