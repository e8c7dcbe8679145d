package antlrparse

import (
	"math"
	"testing"
)

func TestInt(t *testing.T) {
	cases := []struct {
		text string
		neg  bool
		want int64
		ok   bool
	}{
		{"42", false, 42, true},
		{"0x1F", false, 31, true},
		{"0o17", true, -15, true},
		{"9223372036854775807", false, math.MaxInt64, true},
		{"9223372036854775808", false, 0, false},
		{"9223372036854775808", true, math.MinInt64, true},
		{"0xZZ", false, 0, false},
	}
	for _, c := range cases {
		if v, ok := Int(c.text, c.neg); v != c.want || ok != c.ok {
			t.Errorf("Int(%s, %v) = %d, %v; want %d, %v", c.text, c.neg, v, ok, c.want, c.ok)
		}
	}
}

func TestFloat(t *testing.T) {
	cases := []struct {
		text string
		neg  bool
		want float64
		code string
	}{
		{"1.5", false, 1.5, ""},
		{"1e-400", false, 0, ""},
		{"2.5e3", true, -2500, ""},
		{"1e400", false, math.Inf(1), "FloatingPointOverflow"},
		{"1.2.3", false, 0, "InvalidNumberLiteral"},
	}
	for _, c := range cases {
		f, code := Float(c.text, c.neg)
		if code != c.code || (code == "" && f != c.want) {
			t.Errorf("Float(%s, %v) = %v, %q; want %v, %q", c.text, c.neg, f, code, c.want, c.code)
		}
	}
}
