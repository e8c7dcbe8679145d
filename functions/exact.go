package functions

import (
	"math"
	"math/big"
	"math/bits"

	"github.com/vigilhq/vigil/engine/value"
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

// save writes the two halves as signed varints: a small sum of either sign
// then takes a byte or two (hi is 0 or -1, lo small in two's complement).
func (a int128) save(w *value.StateWriter) {
	w.Varint(a.hi)
	w.Varint(int64(a.lo))
}

func (a *int128) load(r *value.StateReader) {
	a.hi = r.Varint()
	a.lo = uint64(r.Varint())
}

func (a int128) isZero() bool { return a.hi == 0 && a.lo == 0 }

// The largest scaled sums a state can hold: 2^63 values below 2^1024 in
// magnitude (squares below 2^2048), scaled as above. Anything longer is a
// corrupted state, refused before it makes Result slow.
const (
	maxBits1 = scale1 + 1024 + 64
	maxBits2 = scale2 + 2048 + 64
)

// saveBig writes a sign and, unless zero, the big-endian magnitude.
func saveBig(w *value.StateWriter, x *big.Int) {
	w.Int(x.Sign())
	if x.Sign() != 0 {
		w.String(string(x.Bytes()))
	}
}

// loadBig reads what saveBig wrote into x, refusing non-canonical or
// over-long magnitudes.
func loadBig(r *value.StateReader, x *big.Int, maxBits int, what string) {
	x.SetInt64(0)
	sign := r.Int()
	if sign == 0 || r.Err() != nil {
		return
	}
	if sign != 1 && sign != -1 {
		r.Failf("functions: state: %s has sign %d", what, sign)
		return
	}
	mag := r.String()
	if r.Err() != nil {
		return
	}
	if len(mag) == 0 || mag[0] == 0 || len(mag) > (maxBits+7)/8 {
		r.Failf("functions: state: %s has a malformed %d-byte magnitude", what, len(mag))
		return
	}
	x.SetBytes([]byte(mag))
	if x.BitLen() > maxBits {
		r.Failf("functions: state: %s is %d bits long", what, x.BitLen())
		x.SetInt64(0)
		return
	}
	if sign < 0 {
		x.Neg(x)
	}
}

// save writes the counts and sums; tmp is scratch and squares is fixed by
// the accumulator's constructor, so neither is written.
func (s *exactSum) save(w *value.StateWriter) {
	w.Int(s.finiteCount)
	w.Int(s.nan)
	w.Int(s.posInf)
	w.Int(s.negInf)
	saveBig(w, &s.s1)
	if s.squares {
		saveBig(w, &s.s2)
	}
}

// load reads what save wrote into an exactSum built with the same squares.
func (s *exactSum) load(r *value.StateReader) {
	s.finiteCount = loadCount(r, "finite value")
	s.nan = loadCount(r, "NaN")
	s.posInf = loadCount(r, "+Inf")
	s.negInf = loadCount(r, "-Inf")
	loadBig(r, &s.s1, maxBits1, "sum")
	s.s2.SetInt64(0)
	if s.squares {
		loadBig(r, &s.s2, maxBits2, "sum of squares")
		if s.s2.Sign() < 0 {
			r.Failf("functions: state: negative sum of squares")
		}
	}
	// Every finite value reverted leaves exact zeros behind; anything else
	// is not a state any sequence of applies and reverts reaches.
	if s.finiteCount == 0 && (s.s1.Sign() != 0 || s.s2.Sign() != 0) {
		r.Failf("functions: state: non-zero sum of no finite values")
	}
}

// total is the number of values the sum has counted, or -1 when the counts
// overflow (a corrupted state).
func (s *exactSum) total() int {
	t := 0
	for _, c := range []int{s.finiteCount, s.nan, s.posInf, s.negInf} {
		if c > math.MaxInt-t {
			return -1
		}
		t += c
	}
	return t
}
