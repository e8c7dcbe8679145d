package functions

import (
	"fmt"

	"github.com/vigilhq/vigil/engine/value"
)

// Error kinds and codes used by the operators and functions, named as in the
// openCypher TCK so that the engine can report them verbatim.
const (
	KindTypeError       = "TypeError"
	KindArgumentError   = "ArgumentError"
	KindArithmeticError = "ArithmeticError"

	CodeInvalidArgumentType         = "InvalidArgumentType"
	CodeInvalidArgumentValue        = "InvalidArgumentValue"
	CodeNumberOutOfRange            = "NumberOutOfRange"
	CodeNegativeIntegerArgument     = "NegativeIntegerArgument"
	CodeMapElementAccessByNonString = "MapElementAccessByNonString"
	CodeIntegerOverflow             = "IntegerOverflow"
	CodeDivisionByZero              = "DivisionByZero"
)

// ArithErr builds an ArithmeticError with the given code.
func ArithErr(code, format string, args ...any) *Error {
	return &Error{Kind: KindArithmeticError, Code: code, Msg: fmt.Sprintf(format, args...)}
}

// typeName renders a value's type for error messages.
func typeName(v value.Value) string { return v.Kind().String() }

// ArgTypeErr is the error of a function called, at run time, with an
// argument of a type it does not accept: "fn() expects X, got Y".
//
// The openCypher TCK files it as TypeError InvalidArgumentValue
// (toString(), toBoolean(), toInteger(), toFloat() on a list, map or graph
// element; type() and labels() on a value that is not a relationship or
// node: TypeConversion1-4, Graph3 [9], Graph4 [6]), not InvalidArgumentType,
// which it keeps for two other cases: the compile-time error when the type
// is certain from the query text (SyntaxError InvalidArgumentType, raised by
// the semantic checker through Registry.AcceptsArg), and operators applied
// to operands of the wrong type (TypeErr). range() is the one function the
// TCK treats otherwise (ArgumentError InvalidArgumentType, List11 [5]).
func ArgTypeErr(fn, want string, got value.Value) *Error {
	return &Error{Kind: KindTypeError, Code: CodeInvalidArgumentValue,
		Msg: fmt.Sprintf("%s() expects %s, got %s %s", fn, want, typeName(got), got)}
}

func overflow(op string, a, b value.Value) *Error {
	return ArithErr(CodeIntegerOverflow, "integer overflow in %s %s %s", a, op, b)
}
