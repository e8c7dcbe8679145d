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

// argTypeErr is the common "fn expects X, got Y" TypeError.
func argTypeErr(fn, want string, got value.Value) *Error {
	return TypeErr("%s() expects %s, got %s %s", fn, want, typeName(got), got)
}

func overflow(op string, a, b value.Value) *Error {
	return ArithErr(CodeIntegerOverflow, "integer overflow in %s %s %s", a, op, b)
}
