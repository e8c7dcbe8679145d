package antlrparse

import (
	"errors"
	"math"
	"strconv"
)

// Int converts a decimal, 0x hex or 0o octal integer literal; neg applies a
// preceding minus sign, the only way the magnitude may reach 2^63. ok is
// false when the value does not fit an int64 (TCK code IntegerOverflow).
func Int(text string, neg bool) (v int64, ok bool) {
	digits, base := text, 10
	if len(text) > 2 && text[0] == '0' {
		switch text[1] {
		case 'x', 'X':
			digits, base = text[2:], 16
		case 'o', 'O':
			digits, base = text[2:], 8
		}
	}
	u, err := strconv.ParseUint(digits, base, 64)
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	if err != nil || u > limit {
		return 0, false
	}
	if neg {
		return int64(-u), true // two's complement: u == 2^63 wraps to MinInt64 as intended
	}
	return int64(u), true
}

// Float converts a floating-point literal; neg applies a preceding minus
// sign. code is "" on success, else the TCK error code: FloatingPointOverflow
// for a literal beyond float64, InvalidNumberLiteral for a malformed one
// (an underflow to zero is accepted, as the TCK expects).
func Float(text string, neg bool) (f float64, code string) {
	f, err := strconv.ParseFloat(text, 64)
	switch {
	case math.IsInf(f, 0):
		code = "FloatingPointOverflow"
	case err != nil && !errors.Is(err, strconv.ErrRange):
		code = "InvalidNumberLiteral"
	}
	if neg {
		f = -f
	}
	return f, code
}
