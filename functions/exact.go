package functions

import (
	"math"
	"math/big"
	"math/bits"
)

// Accumulators that are reverted as well as applied cannot use ordinary
// floating-point sums: (a + b) - a is not b, and the error compounds over a
// long-running query until a sum of nothing is not zero. The types here keep
// sums exactly, so that any sequence of applies and reverts leaves the same
// state as a from-scratch computation, and round once when a result is read.

// int128 is a two's-complement 128-bit integer, wide enough to sum 2^64
// int64 values without overflow, so intermediate states reached by reverting
// in a different order than applying never wrap.
type int128 struct {
	hi int64
	lo uint64
}

func (a *int128) add(x int64) {
	var c uint64
	a.lo, c = bits.Add64(a.lo, uint64(x), 0)
	a.hi += int64(c) + (x >> 63)
}

func (a *int128) sub(x int64) {
	var b uint64
	a.lo, b = bits.Sub64(a.lo, uint64(x), 0)
	a.hi -= int64(b) + (x >> 63)
}

// plus returns a + b (two sums of int64s, far from 2^127).
func (a int128) plus(b int128) int128 {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	return int128{hi: a.hi + b.hi + int64(c), lo: lo}
}

// int64 returns the value and whether it fits in an int64.
func (a int128) int64() (int64, bool) {
	return int64(a.lo), a.hi == int64(a.lo)>>63
}

func (a int128) big(z *big.Int) *big.Int {
	neg := a.hi < 0
	hi, lo := uint64(a.hi), a.lo
	if neg { // magnitude of a two's-complement pair
		lo = ^lo + 1
		hi = ^hi
		if lo == 0 {
			hi++
		}
	}
	z.SetUint64(hi)
	z.Lsh(z, 64)
	var t big.Int
	z.Or(z, t.SetUint64(lo))
	if neg {
		z.Neg(z)
	}
	return z
}

// Every finite float64 is an integer multiple of 2^-1074, and every square of
// one a multiple of 2^-2148, so scaling by those powers makes sums of values
// and of squares exact integers.
const (
	scale1 = 1074
	scale2 = 2 * scale1
)

// decompose splits a finite non-zero float into sign, odd-ish mantissa and
// exponent: f = ±m * 2^e with e >= -1074.
func decompose(f float64) (neg bool, m uint64, e int) {
	if f < 0 {
		neg, f = true, -f
	}
	frac, exp := math.Frexp(f)
	m = uint64(math.Ldexp(frac, 53))
	e = exp - 53
	tz := bits.TrailingZeros64(m)
	return neg, m >> tz, e + tz
}

// exactSum keeps Σx and optionally Σx² of numbers exactly.
type exactSum struct {
	s1, s2      big.Int // Σx·2^1074, Σx²·2^2148
	squares     bool    // maintain s2
	nan         int     // non-finite inputs are counted, not summed, so
	posInf      int     // that reverting them restores a finite sum
	negInf      int
	tmp         big.Int
	finiteCount int // number of finite values applied
}

// addFloat adds (sign=+1) or removes (sign=-1) a float.
func (s *exactSum) addFloat(f float64, sign int) {
	switch {
	case math.IsNaN(f):
		s.nan += sign
		return
	case math.IsInf(f, 1):
		s.posInf += sign
		return
	case math.IsInf(f, -1):
		s.negInf += sign
		return
	}
	s.finiteCount += sign
	if f == 0 {
		return
	}
	neg, m, e := decompose(f)
	s.addParts(neg, sign < 0, m, e)
}

// addInt adds (sign=+1) or removes (sign=-1) an integer exactly.
func (s *exactSum) addInt(i int64, sign int) {
	s.finiteCount += sign
	if i == 0 {
		return
	}
	neg := i < 0
	m := uint64(i)
	if neg {
		m = -m // two's complement magnitude; correct for MinInt64 too
	}
	tz := bits.TrailingZeros64(m)
	s.addParts(neg, sign < 0, m>>tz, tz)
}

// addParts adds or removes ±m·2^e.
func (s *exactSum) addParts(neg, remove bool, m uint64, e int) {
	t := &s.tmp
	t.SetUint64(m)
	t.Lsh(t, uint(e+scale1))
	if neg != remove {
		s.s1.Sub(&s.s1, t)
	} else {
		s.s1.Add(&s.s1, t)
	}
	if s.squares {
		t.SetUint64(m)
		t.Mul(t, t)
		t.Lsh(t, uint(2*e+scale2))
		if remove {
			s.s2.Sub(&s.s2, t)
		} else {
			s.s2.Add(&s.s2, t)
		}
	}
}

// nonFinite returns the non-finite sum, if the inputs make it so.
func (s *exactSum) nonFinite() (float64, bool) {
	switch {
	case s.nan > 0 || (s.posInf > 0 && s.negInf > 0):
		return math.NaN(), true
	case s.posInf > 0:
		return math.Inf(1), true
	case s.negInf > 0:
		return math.Inf(-1), true
	}
	return 0, false
}

// toFloat rounds x·2^-shift to the nearest float64.
func toFloat(x *big.Int, shift int) float64 {
	var f big.Float
	f.SetInt(x) // exact: precision grows to fit
	f.SetMantExp(&f, -shift)
	r, _ := f.Float64()
	return r
}
