package functions

import (
	"math"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/engine/value"
)

// JavaFloatString renders a float the way Java's Double.toString does, which
// is what Cypher's toString() and string concatenation produce: plain
// notation for magnitudes in [1e-3, 1e7), otherwise 1.5E10 / 1.0E-5; always
// at least one fractional digit; NaN, Infinity, -Infinity. The digits are the
// shortest that round-trip.
func JavaFloatString(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	i := strings.IndexByte(s, 'e')
	mant, exp := s[:i], s[i+1:]
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// toStringValue converts the kinds toString accepts.
func toStringValue(v value.Value) (string, bool) {
	switch v.Kind() {
	case value.KindString:
		return v.AsString(), true
	case value.KindInt:
		return strconv.FormatInt(v.AsInt(), 10), true
	case value.KindFloat:
		return JavaFloatString(v.AsFloat()), true
	case value.KindBool:
		if v.AsBool() {
			return "true", true
		}
		return "false", true
	}
	if e, ok := v.Ref().(value.Ext); ok {
		return e.String(), true
	}
	return "", false
}

// ToString is toString(): strings, numbers, booleans and temporal values;
// null for null; a TypeError for anything else.
func ToString(v value.Value) (value.Value, error) {
	if v.IsNull() {
		return value.Null, nil
	}
	if s, ok := toStringValue(v); ok {
		return value.Str(s), nil
	}
	return value.Null, ArgTypeErr("toString", "a String, Number, Boolean or temporal value", v)
}

// floatToInt truncates toward zero; ok is false for NaN, infinities and
// values outside the int64 range.
func floatToInt(f float64) (int64, bool) {
	t := math.Trunc(f)
	// 2^63 is exactly representable; every float below it fits in int64.
	if math.IsNaN(t) || t < -9223372036854775808.0 || t >= 9223372036854775808.0 {
		return 0, false
	}
	return int64(t), true
}

// parseInteger reads an integer literal, or a float literal truncated
// (toInteger('1.9') is 1); ok=false if the string is neither.
func parseInteger(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return floatToInt(f)
	}
	return 0, false
}

// convertInteger is toInteger's conversion; known=false means the input kind
// is not convertible at all (a TypeError for toInteger, null for
// toIntegerOrNull).
func convertInteger(v value.Value) (out value.Value, known bool) {
	switch v.Kind() {
	case value.KindNull:
		return value.Null, true
	case value.KindInt:
		return v, true
	case value.KindFloat:
		if i, ok := floatToInt(v.AsFloat()); ok {
			return value.Int(i), true
		}
		return value.Null, true
	case value.KindString:
		if i, ok := parseInteger(v.AsString()); ok {
			return value.Int(i), true
		}
		return value.Null, true
	case value.KindBool:
		if v.AsBool() {
			return value.Int(1), true
		}
		return value.Int(0), true
	}
	return value.Null, false
}

// ToInteger is toInteger(): integers unchanged, floats truncated, strings
// parsed (an unparsable string is null), booleans 1/0; a TypeError for other
// kinds.
func ToInteger(v value.Value) (value.Value, error) {
	if out, known := convertInteger(v); known {
		return out, nil
	}
	return value.Null, ArgTypeErr("toInteger", "a String, Number or Boolean", v)
}

func convertFloat(v value.Value) (value.Value, bool) {
	switch v.Kind() {
	case value.KindNull:
		return value.Null, true
	case value.KindFloat:
		return v, true
	case value.KindInt:
		return value.Float(v.AsFloat()), true
	case value.KindString:
		if f, err := strconv.ParseFloat(strings.TrimSpace(v.AsString()), 64); err == nil {
			return value.Float(f), true
		}
		return value.Null, true
	}
	return value.Null, false
}

// ToFloat is toFloat(): numbers converted, strings parsed (an unparsable
// string is null); a TypeError for other kinds.
func ToFloat(v value.Value) (value.Value, error) {
	if out, known := convertFloat(v); known {
		return out, nil
	}
	return value.Null, ArgTypeErr("toFloat", "a String or Number", v)
}

func convertBoolean(v value.Value) (value.Value, bool) {
	switch v.Kind() {
	case value.KindNull, value.KindBool:
		return v, true
	case value.KindString:
		switch strings.ToLower(strings.TrimSpace(v.AsString())) {
		case "true":
			return value.True, true
		case "false":
			return value.False, true
		}
		return value.Null, true
	case value.KindInt:
		return value.Bool(v.AsInt() != 0), true
	}
	return value.Null, false
}

// ToBoolean is toBoolean(): booleans unchanged, 'true'/'false' in any case,
// integers non-zero; other strings are null; a TypeError for other kinds.
func ToBoolean(v value.Value) (value.Value, error) {
	if out, known := convertBoolean(v); known {
		return out, nil
	}
	return value.Null, ArgTypeErr("toBoolean", "a String, Integer or Boolean", v)
}

func orNull(conv func(value.Value) (value.Value, bool)) ScalarFunc {
	return func(_ Env, args []value.Value) (value.Value, error) {
		out, _ := conv(args[0])
		return out, nil
	}
}

func convertString(v value.Value) (value.Value, bool) {
	if v.IsNull() {
		return value.Null, true
	}
	if s, ok := toStringValue(v); ok {
		return value.Str(s), true
	}
	return value.Null, false
}

// listConv builds toIntegerList and friends: each element converted as the
// OrNull variant would.
func listConv(name string, conv func(value.Value) (value.Value, bool)) ScalarFunc {
	return func(_ Env, args []value.Value) (value.Value, error) {
		v := args[0]
		switch v.Kind() {
		case value.KindNull:
			return value.Null, nil
		case value.KindList:
		default:
			return value.Null, ArgTypeErr(name, "a List", v)
		}
		l := v.AsList()
		out := make([]value.Value, len(l))
		for i, x := range l {
			out[i], _ = conv(x)
		}
		return value.List(out), nil
	}
}

func unary(f func(value.Value) (value.Value, error)) ScalarFunc {
	return func(_ Env, args []value.Value) (value.Value, error) { return f(args[0]) }
}

func registerConversions(r *Registry) {
	add := func(name string, fn ScalarFunc, arg ArgKinds) {
		r.AddScalar(name, &Scalar{Name: name, MinArgs: 1, MaxArgs: 1, Fn: fn, Args: []ArgKinds{arg}})
	}
	add("toString", unary(ToString), ArgString|ArgNumber|ArgBool|ArgInstant|ArgDuration)
	add("toInteger", unary(ToInteger), ArgString|ArgNumber|ArgBool)
	add("toFloat", unary(ToFloat), ArgString|ArgNumber)
	add("toBoolean", unary(ToBoolean), ArgString|ArgInt|ArgBool)
	// The OrNull variants turn what their base function rejects into null.
	add("toStringOrNull", orNull(convertString), ArgAny)
	add("toIntegerOrNull", orNull(convertInteger), ArgAny)
	add("toFloatOrNull", orNull(convertFloat), ArgAny)
	add("toBooleanOrNull", orNull(convertBoolean), ArgAny)
	add("toStringList", listConv("toStringList", convertString), ArgList)
	add("toIntegerList", listConv("toIntegerList", convertInteger), ArgList)
	add("toFloatList", listConv("toFloatList", convertFloat), ArgList)
	add("toBooleanList", listConv("toBooleanList", convertBoolean), ArgList)
}
