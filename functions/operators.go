package functions

import (
	"math"

	"github.com/vigilhq/vigil/engine/value"
)

// Arithmetic is implemented by the payloads of extension kinds (temporal
// values, see value.Ext) that take part in arithmetic: date + duration,
// duration * 2, -duration. The operators here cover numbers, strings and
// lists; they hand any operation with an extension operand to the payload
// instead of importing the temporal package, which keeps the dependency
// pointing one way.
type Arithmetic interface {
	// Arith computes l op r, where op is one of "+", "-", "*", "/", "%" or
	// "neg" (unary minus of l; r is null). The receiver is the payload of l
	// or of r. ok=false means the payload does not support the combination
	// (the operator then raises a TypeError).
	Arith(op string, l, r value.Value) (v value.Value, ok bool, err error)
}

// extArith dispatches an operation to whichever operand implements
// Arithmetic.
func extArith(op string, a, b value.Value) (value.Value, bool, error) {
	if x, ok := a.Ref().(Arithmetic); ok {
		if v, ok, err := x.Arith(op, a, b); ok || err != nil {
			return v, ok, err
		}
	}
	if x, ok := b.Ref().(Arithmetic); ok {
		return x.Arith(op, a, b)
	}
	return value.Null, false, nil
}

func opTypeErr(op string, a, b value.Value) *Error {
	return TypeErr("cannot apply %s to %s and %s", op, typeName(a), typeName(b))
}

// Add is Cypher's binary +: numeric addition (integer overflow is an
// ArithmeticError), string concatenation (a number on either side is
// rendered as toString would), list concatenation, prepending or appending
// an element to a list, and temporal arithmetic through Arithmetic. Null on
// either side gives null.
func Add(a, b value.Value) (value.Value, error) {
	if a.IsNull() || b.IsNull() {
		return value.Null, nil
	}
	ka, kb := a.Kind(), b.Kind()
	switch {
	case ka == value.KindInt && kb == value.KindInt:
		x, y := a.AsInt(), b.AsInt()
		s := x + y
		if (s > x) != (y > 0) {
			return value.Null, overflow("+", a, b)
		}
		return value.Int(s), nil
	case a.IsNumber() && b.IsNumber():
		return value.Float(a.AsFloat() + b.AsFloat()), nil
	case ka == value.KindList && kb == value.KindList:
		la, lb := a.AsList(), b.AsList()
		out := make([]value.Value, 0, len(la)+len(lb))
		return value.List(append(append(out, la...), lb...)), nil
	case ka == value.KindList:
		la := a.AsList()
		out := make([]value.Value, 0, len(la)+1)
		return value.List(append(append(out, la...), b)), nil
	case kb == value.KindList:
		lb := b.AsList()
		out := make([]value.Value, 0, len(lb)+1)
		return value.List(append(append(out, a), lb...)), nil
	case ka == value.KindString && (kb == value.KindString || b.IsNumber()):
		return value.Str(a.AsString() + concatString(b)), nil
	case kb == value.KindString && a.IsNumber():
		return value.Str(concatString(a) + b.AsString()), nil
	}
	if v, ok, err := extArith("+", a, b); ok || err != nil {
		return v, err
	}
	return value.Null, opTypeErr("+", a, b)
}

func concatString(v value.Value) string {
	switch v.Kind() {
	case value.KindString:
		return v.AsString()
	case value.KindInt, value.KindFloat:
		s, _ := toStringValue(v)
		return s
	}
	return v.String()
}

// Sub is Cypher's binary -: numeric subtraction (integer overflow is an
// ArithmeticError) and temporal arithmetic.
func Sub(a, b value.Value) (value.Value, error) {
	if a.IsNull() || b.IsNull() {
		return value.Null, nil
	}
	switch {
	case a.Kind() == value.KindInt && b.Kind() == value.KindInt:
		x, y := a.AsInt(), b.AsInt()
		d := x - y
		if (d < x) != (y > 0) {
			return value.Null, overflow("-", a, b)
		}
		return value.Int(d), nil
	case a.IsNumber() && b.IsNumber():
		return value.Float(a.AsFloat() - b.AsFloat()), nil
	}
	if v, ok, err := extArith("-", a, b); ok || err != nil {
		return v, err
	}
	return value.Null, opTypeErr("-", a, b)
}

// Mul is Cypher's *: numeric multiplication (integer overflow is an
// ArithmeticError) and duration scaling.
func Mul(a, b value.Value) (value.Value, error) {
	if a.IsNull() || b.IsNull() {
		return value.Null, nil
	}
	switch {
	case a.Kind() == value.KindInt && b.Kind() == value.KindInt:
		x, y := a.AsInt(), b.AsInt()
		if x == 0 || y == 0 {
			return value.Int(0), nil
		}
		p := x * y
		if p/y != x || (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) {
			return value.Null, overflow("*", a, b)
		}
		return value.Int(p), nil
	case a.IsNumber() && b.IsNumber():
		return value.Float(a.AsFloat() * b.AsFloat()), nil
	}
	if v, ok, err := extArith("*", a, b); ok || err != nil {
		return v, err
	}
	return value.Null, opTypeErr("*", a, b)
}

// Div is Cypher's /: integer division truncates toward zero and raises an
// ArithmeticError on a zero divisor; any float operand makes it IEEE float
// division (x/0 is ±Infinity, 0/0 NaN).
func Div(a, b value.Value) (value.Value, error) {
	if a.IsNull() || b.IsNull() {
		return value.Null, nil
	}
	switch {
	case a.Kind() == value.KindInt && b.Kind() == value.KindInt:
		x, y := a.AsInt(), b.AsInt()
		if y == 0 {
			return value.Null, ArithErr(CodeDivisionByZero, "division by zero: %d / 0", x)
		}
		if x == math.MinInt64 && y == -1 {
			return value.Null, overflow("/", a, b)
		}
		return value.Int(x / y), nil
	case a.IsNumber() && b.IsNumber():
		return value.Float(a.AsFloat() / b.AsFloat()), nil
	}
	if v, ok, err := extArith("/", a, b); ok || err != nil {
		return v, err
	}
	return value.Null, opTypeErr("/", a, b)
}

// Mod is Cypher's %: the remainder takes the sign of the dividend (as in
// Java); integer modulo by zero is an ArithmeticError, float modulo by zero
// NaN.
func Mod(a, b value.Value) (value.Value, error) {
	if a.IsNull() || b.IsNull() {
		return value.Null, nil
	}
	switch {
	case a.Kind() == value.KindInt && b.Kind() == value.KindInt:
		x, y := a.AsInt(), b.AsInt()
		if y == 0 {
			return value.Null, ArithErr(CodeDivisionByZero, "modulo by zero: %d %% 0", x)
		}
		return value.Int(x % y), nil // Go defines MinInt64 % -1 as 0
	case a.IsNumber() && b.IsNumber():
		return value.Float(math.Mod(a.AsFloat(), b.AsFloat())), nil
	}
	if v, ok, err := extArith("%", a, b); ok || err != nil {
		return v, err
	}
	return value.Null, opTypeErr("%", a, b)
}

// Pow is Cypher's ^; the result is always a float.
func Pow(a, b value.Value) (value.Value, error) {
	if a.IsNull() || b.IsNull() {
		return value.Null, nil
	}
	if a.IsNumber() && b.IsNumber() {
		return value.Float(math.Pow(a.AsFloat(), b.AsFloat())), nil
	}
	return value.Null, opTypeErr("^", a, b)
}

// Neg is unary minus.
func Neg(a value.Value) (value.Value, error) {
	switch a.Kind() {
	case value.KindNull:
		return value.Null, nil
	case value.KindInt:
		if a.AsInt() == math.MinInt64 {
			return value.Null, ArithErr(CodeIntegerOverflow, "integer overflow in -(%d)", a.AsInt())
		}
		return value.Int(-a.AsInt()), nil
	case value.KindFloat:
		return value.Float(-a.AsFloat()), nil
	}
	if x, ok := a.Ref().(Arithmetic); ok {
		if v, ok, err := x.Arith("neg", a, value.Null); ok || err != nil {
			return v, err
		}
	}
	return value.Null, TypeErr("cannot negate %s", typeName(a))
}

// Pos is unary plus: the identity on numbers.
func Pos(a value.Value) (value.Value, error) {
	if a.IsNull() || a.IsNumber() {
		return a, nil
	}
	return value.Null, TypeErr("cannot apply unary + to %s", typeName(a))
}

func boolOperand(op string, v value.Value) error {
	if k := v.Kind(); k != value.KindBool && k != value.KindNull {
		return TypeErr("%s expects booleans, got %s %s", op, typeName(v), v)
	}
	return nil
}

// isFalse reports whether v is the boolean false (not null). Values are not
// compared with ==: see value.Value.
func isFalse(v value.Value) bool { return v.Kind() == value.KindBool && !v.AsBool() }

// Not is three-valued negation: NOT null is null.
func Not(a value.Value) (value.Value, error) {
	if err := boolOperand("NOT", a); err != nil {
		return value.Null, err
	}
	if a.IsNull() {
		return value.Null, nil
	}
	return value.Bool(!a.AsBool()), nil
}

// And is three-valued conjunction: false wins over null. The compiler is
// free to short-circuit; this function sees both operands.
func And(a, b value.Value) (value.Value, error) {
	if err := boolOperand("AND", a); err != nil {
		return value.Null, err
	}
	if err := boolOperand("AND", b); err != nil {
		return value.Null, err
	}
	switch {
	case isFalse(a) || isFalse(b):
		return value.False, nil
	case a.IsNull() || b.IsNull():
		return value.Null, nil
	}
	return value.True, nil
}

// Or is three-valued disjunction: true wins over null.
func Or(a, b value.Value) (value.Value, error) {
	if err := boolOperand("OR", a); err != nil {
		return value.Null, err
	}
	if err := boolOperand("OR", b); err != nil {
		return value.Null, err
	}
	switch {
	case a.AsBool() || b.AsBool():
		return value.True, nil
	case a.IsNull() || b.IsNull():
		return value.Null, nil
	}
	return value.False, nil
}

// Xor is three-valued exclusive or: null if either side is null.
func Xor(a, b value.Value) (value.Value, error) {
	if err := boolOperand("XOR", a); err != nil {
		return value.Null, err
	}
	if err := boolOperand("XOR", b); err != nil {
		return value.Null, err
	}
	if a.IsNull() || b.IsNull() {
		return value.Null, nil
	}
	return value.Bool(a.AsBool() != b.AsBool()), nil
}

// In is list membership: true if some element equals a, otherwise null if
// some comparison was unknown (2 IN [1, null]), otherwise false; so
// null IN [] is false but null IN [1] is null.
func In(a, list value.Value) (value.Value, error) {
	switch list.Kind() {
	case value.KindNull:
		return value.Null, nil
	case value.KindList:
	default:
		return value.Null, TypeErr("IN expects a list on the right, got %s", typeName(list))
	}
	unknown := false
	for _, x := range list.AsList() {
		eq, known := value.Equal(a, x)
		if !known {
			unknown = true
		} else if eq {
			return value.True, nil
		}
	}
	if unknown {
		return value.Null, nil
	}
	return value.False, nil
}

func stringPred(a, b value.Value, f func(s, t string) bool) value.Value {
	if a.Kind() != value.KindString || b.Kind() != value.KindString {
		return value.Null
	}
	return value.Bool(f(a.AsString(), b.AsString()))
}

// StartsWith is STARTS WITH; null unless both sides are strings.
func StartsWith(a, b value.Value) (value.Value, error) {
	return stringPred(a, b, func(s, t string) bool { return len(s) >= len(t) && s[:len(t)] == t }), nil
}

// EndsWith is ENDS WITH; null unless both sides are strings.
func EndsWith(a, b value.Value) (value.Value, error) {
	return stringPred(a, b, func(s, t string) bool { return len(s) >= len(t) && s[len(s)-len(t):] == t }), nil
}

// Contains is CONTAINS; null unless both sides are strings.
func Contains(a, b value.Value) (value.Value, error) {
	return stringPred(a, b, containsString), nil
}

// Index is subject[idx]: a list element (negative indexes count from the
// end; out of range is null), or a property of a map, node or relationship
// by string key. Null on either side gives null.
func Index(subject, idx value.Value) (value.Value, error) {
	if subject.IsNull() || idx.IsNull() {
		return value.Null, nil
	}
	switch subject.Kind() {
	case value.KindList:
		if idx.Kind() != value.KindInt {
			return value.Null, TypeErr("list index must be an Integer, got %s %s", typeName(idx), idx)
		}
		l := subject.AsList()
		i := idx.AsInt()
		if i < 0 {
			i += int64(len(l))
		}
		if i < 0 || i >= int64(len(l)) {
			return value.Null, nil
		}
		return l[i], nil
	case value.KindMap, value.KindNode, value.KindRel:
		if idx.Kind() != value.KindString {
			return value.Null, &Error{Kind: KindTypeError, Code: CodeMapElementAccessByNonString,
				Msg: "map element access needs a String key, got " + typeName(idx)}
		}
		return subject.Prop(idx.AsString()), nil
	}
	return value.Null, TypeErr("cannot index into %s %s", typeName(subject), subject)
}

// Slice is list[from..to]. hasFrom and hasTo say whether each bound was
// written: an omitted bound is open, but a bound that evaluates to null makes
// the whole slice null (openCypher TCK List2). Negative bounds count from
// the end; bounds are clamped, and an empty or inverted range is [].
func Slice(subject, from, to value.Value, hasFrom, hasTo bool) (value.Value, error) {
	if subject.IsNull() || (hasFrom && from.IsNull()) || (hasTo && to.IsNull()) {
		return value.Null, nil
	}
	if subject.Kind() != value.KindList {
		return value.Null, TypeErr("cannot slice %s", typeName(subject))
	}
	l := subject.AsList()
	n := int64(len(l))
	bound := func(v value.Value, def int64) (int64, error) {
		if v.Kind() != value.KindInt {
			return 0, TypeErr("list slice bound must be an Integer, got %s", typeName(v))
		}
		i := v.AsInt()
		if i < 0 {
			i += n
		}
		return min(max(i, 0), n), nil
	}
	f, t := int64(0), n
	var err error
	if hasFrom {
		if f, err = bound(from, 0); err != nil {
			return value.Null, err
		}
	}
	if hasTo {
		if t, err = bound(to, n); err != nil {
			return value.Null, err
		}
	}
	if f >= t {
		return value.List([]value.Value{}), nil
	}
	// Capacity is capped so that a later append to the result cannot write
	// into the source list.
	return value.List(l[f:t:t]), nil
}

// Eq is Cypher's =.
func Eq(a, b value.Value) (value.Value, error) {
	eq, known := value.Equal(a, b)
	if !known {
		return value.Null, nil
	}
	return value.Bool(eq), nil
}

// Ne is Cypher's <>.
func Ne(a, b value.Value) (value.Value, error) {
	eq, known := value.Equal(a, b)
	if !known {
		return value.Null, nil
	}
	return value.Bool(!eq), nil
}

// order compares for <, <=, >, >=. NaN against a number is comparable but
// every ordering is false (TCK Comparison2), which value.Less reports as
// incomparable; other incomparable pairs give null.
func order(a, b value.Value, test func(c int) bool) value.Value {
	c, ok := value.Less(a, b)
	if !ok {
		if a.IsNumber() && b.IsNumber() {
			return value.False
		}
		return value.Null
	}
	return value.Bool(test(c))
}

// Lt is Cypher's <.
func Lt(a, b value.Value) (value.Value, error) {
	return order(a, b, func(c int) bool { return c < 0 }), nil
}

// Le is Cypher's <=.
func Le(a, b value.Value) (value.Value, error) {
	return order(a, b, func(c int) bool { return c <= 0 }), nil
}

// Gt is Cypher's >.
func Gt(a, b value.Value) (value.Value, error) {
	return order(a, b, func(c int) bool { return c > 0 }), nil
}

// Ge is Cypher's >=.
func Ge(a, b value.Value) (value.Value, error) {
	return order(a, b, func(c int) bool { return c >= 0 }), nil
}
