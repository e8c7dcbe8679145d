package functions

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/engine/value"
)

// numArg returns a number argument as float64; isNull reports null.
func numArg(fn string, v value.Value) (f float64, isNull bool, err error) {
	switch v.Kind() {
	case value.KindNull:
		return 0, true, nil
	case value.KindInt, value.KindFloat:
		return v.AsFloat(), false, nil
	}
	return 0, false, ArgTypeErr(fn, "a Number", v)
}

// floatFn lifts a float64 function of one number to a Cypher function whose
// result is always a float.
func floatFn(fn string, f func(float64) float64) ScalarFunc {
	return func(_ Env, args []value.Value) (value.Value, error) {
		x, isNull, err := numArg(fn, args[0])
		if isNull || err != nil {
			return value.Null, err
		}
		return value.Float(f(x)), nil
	}
}

func abs(_ Env, args []value.Value) (value.Value, error) {
	v := args[0]
	switch v.Kind() {
	case value.KindNull:
		return value.Null, nil
	case value.KindInt:
		i := v.AsInt()
		if i == math.MinInt64 {
			return value.Null, ArithErr(CodeIntegerOverflow, "abs(%d) overflows", i)
		}
		if i < 0 {
			i = -i
		}
		return value.Int(i), nil
	case value.KindFloat:
		return value.Float(math.Abs(v.AsFloat())), nil
	}
	return value.Null, ArgTypeErr("abs", "a Number", v)
}

// sign is an integer for integer and float arguments alike, as in Neo4j;
// sign(NaN) is 0.
func sign(_ Env, args []value.Value) (value.Value, error) {
	v := args[0]
	switch v.Kind() {
	case value.KindNull:
		return value.Null, nil
	case value.KindInt:
		i := v.AsInt()
		switch {
		case i > 0:
			return value.Int(1), nil
		case i < 0:
			return value.Int(-1), nil
		}
		return value.Int(0), nil
	case value.KindFloat:
		f := v.AsFloat()
		switch {
		case f > 0:
			return value.Int(1), nil
		case f < 0:
			return value.Int(-1), nil
		}
		return value.Int(0), nil
	}
	return value.Null, ArgTypeErr("sign", "a Number", v)
}

// javaRound is Java's Math.round on doubles: ties toward positive infinity,
// which is what Cypher's round(x) does (round(-1.5) is -1.0).
func javaRound(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) >= 1<<52 {
		return x // already integral; x-floor(x) below is exact only under 2^52
	}
	f := math.Floor(x)
	if x-f >= 0.5 {
		return f + 1
	}
	return f
}

// roundingMode reports whether m names a java.math.RoundingMode, the modes
// round(x, precision, mode) accepts.
func roundingMode(m string) bool {
	switch m {
	case "UP", "DOWN", "CEILING", "FLOOR", "HALF_UP", "HALF_DOWN", "HALF_EVEN", "UNNECESSARY":
		return true
	}
	return false
}

func round(_ Env, args []value.Value) (value.Value, error) {
	x, isNull, err := numArg("round", args[0])
	if err != nil {
		return value.Null, err
	}
	if len(args) == 1 {
		if isNull {
			return value.Null, nil
		}
		return value.Float(javaRound(x)), nil
	}
	if args[1].IsNull() || (len(args) > 2 && args[2].IsNull()) || isNull {
		// A null anywhere makes the result null, but a precision or mode of
		// the wrong type is still an error: the same argument is rejected
		// whatever the others hold (and at compile time when it is known).
		if k := args[1].Kind(); k != value.KindNull && k != value.KindInt {
			return value.Null, ArgTypeErr("round", "an Integer precision", args[1])
		}
		if len(args) > 2 {
			if k := args[2].Kind(); k != value.KindNull && k != value.KindString {
				return value.Null, ArgTypeErr("round", "a String rounding mode", args[2])
			}
		}
		return value.Null, nil
	}
	prec, err := intArg("round", "precision", args[1])
	if err != nil {
		return value.Null, err
	}
	mode := "HALF_UP"
	if len(args) > 2 {
		m, _, err := strArg("round", args[2])
		if err != nil {
			return value.Null, err
		}
		mode = strings.ToUpper(m)
		if !roundingMode(mode) {
			return value.Null, ArgErr(CodeInvalidArgumentValue, "round(): unknown rounding mode %q", m)
		}
	} else if prec == 0 {
		// Neo4j aligns round(x, 0) with round(x): ties toward +Infinity.
		return value.Float(javaRound(x)), nil
	}
	r, err := decimalRound(x, prec, mode)
	if err != nil {
		return value.Null, err
	}
	return value.Float(r), nil
}

// decimalRound rounds x to prec decimal places (negative prec rounds to
// tens, hundreds...) in the given java.math.RoundingMode. It works on x's
// shortest decimal representation, as Java's BigDecimal.valueOf does, so
// round(2.675, 2) is 2.68 even though the binary value is below 2.675.
func decimalRound(x float64, prec int64, mode string) (float64, error) {
	if math.IsNaN(x) || math.IsInf(x, 0) || x == 0 {
		return x, nil
	}
	neg := x < 0
	s := strconv.FormatFloat(math.Abs(x), 'e', -1, 64) // d.dddde±XX
	i := strings.IndexByte(s, 'e')
	exp, _ := strconv.Atoi(s[i+1:])
	digits := strings.Replace(s[:i], ".", "", 1)
	// x = 0.digits × 10^(exp+1); digits after the decimal point:
	frac := int64(len(digits)) - 1 - int64(exp)
	if frac <= prec {
		return x, nil
	}
	drop := frac - prec // trailing digits to remove, ≥ 1
	var kept, rest string
	if drop >= int64(len(digits)) {
		kept = ""
		rest = strings.Repeat("0", int(min(drop-int64(len(digits)), 400))) + digits
	} else {
		kept, rest = digits[:int64(len(digits))-drop], digits[int64(len(digits))-drop:]
	}
	// Compare the dropped part with one half.
	half := 0 // -1 below, 0 exactly, +1 above
	switch {
	case rest[0] > '5':
		half = 1
	case rest[0] < '5':
		half = -1
	default:
		if strings.TrimRight(rest[1:], "0") != "" {
			half = 1
		}
	}
	lastOdd := kept != "" && (kept[len(kept)-1]-'0')%2 == 1
	var up bool // increase the magnitude of kept by one unit
	switch mode {
	case "UP":
		up = true
	case "DOWN":
		up = false
	case "CEILING":
		up = !neg
	case "FLOOR":
		up = neg
	case "HALF_UP":
		up = half >= 0
	case "HALF_DOWN":
		up = half > 0
	case "HALF_EVEN":
		up = half > 0 || (half == 0 && lastOdd)
	case "UNNECESSARY":
		return 0, ArithErr("RoundingNecessary", "round(): rounding necessary for %v at precision %d", x, prec)
	}
	k := kept
	if k == "" {
		k = "0"
	}
	if up {
		k = incrementDecimal(k)
	}
	out, err := strconv.ParseFloat(fmt.Sprintf("%se%d", k, -prec), 64)
	if err != nil {
		return 0, err
	}
	if neg {
		out = -out
	}
	return out, nil
}

// incrementDecimal adds one to a string of decimal digits.
func incrementDecimal(d string) string {
	b := []byte(d)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b)
		}
		b[i] = '0'
	}
	return "1" + string(b)
}

func atan2(_ Env, args []value.Value) (value.Value, error) {
	y, yNull, err := numArg("atan2", args[0])
	if err != nil {
		return value.Null, err
	}
	x, xNull, err := numArg("atan2", args[1])
	if err != nil || yNull || xNull {
		return value.Null, err
	}
	return value.Float(math.Atan2(y, x)), nil
}

// randFloat draws from crypto/rand: math/rand's global source would be shared
// mutable state, and a query's rand() must not be predictable across runs.
func randFloat() float64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return float64(binary.LittleEndian.Uint64(b[:])>>11) / (1 << 53)
}

func randomUUID(_ Env, _ []value.Value) (value.Value, error) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return value.Str(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])), nil
}

func registerMath(r *Registry) {
	add := func(name string, lo, hi int, fn ScalarFunc, args ...ArgKinds) {
		r.AddScalar(name, &Scalar{Name: name, MinArgs: lo, MaxArgs: hi, Fn: fn, Args: args})
	}
	constant := func(name string, c float64) {
		add(name, 0, 0, func(Env, []value.Value) (value.Value, error) { return value.Float(c), nil })
	}
	unary := func(name string, f func(float64) float64) {
		add(name, 1, 1, floatFn(name, f), ArgNumber)
	}
	add("abs", 1, 1, abs, ArgNumber)
	unary("ceil", math.Ceil)
	unary("floor", math.Floor)
	add("round", 1, 3, round, ArgNumber, ArgInt, ArgString)
	add("sign", 1, 1, sign, ArgNumber)
	unary("sqrt", math.Sqrt)
	unary("exp", math.Exp)
	unary("log", math.Log)
	unary("log10", math.Log10)
	constant("e", math.E)
	constant("pi", math.Pi)
	unary("sin", math.Sin)
	unary("cos", math.Cos)
	unary("tan", math.Tan)
	unary("cot", func(x float64) float64 { return 1 / math.Tan(x) })
	unary("asin", math.Asin)
	unary("acos", math.Acos)
	unary("atan", math.Atan)
	add("atan2", 2, 2, atan2, ArgNumber, ArgNumber)
	unary("degrees", func(x float64) float64 { return x * 180 / math.Pi })
	unary("radians", func(x float64) float64 { return x * math.Pi / 180 })
	unary("haversin", func(x float64) float64 { return (1 - math.Cos(x)) / 2 })
	r.AddScalar("rand", &Scalar{Name: "rand", Fn: func(Env, []value.Value) (value.Value, error) {
		return value.Float(randFloat()), nil
	}, Volatile: true, Args: []ArgKinds{}})
	r.AddScalar("randomUUID", &Scalar{Name: "randomUUID", Fn: randomUUID, Volatile: true, Args: []ArgKinds{}})
}
