package functions

import (
	"errors"
	"math"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

// Shorthands for building expected values.
var (
	null = value.Null
	tru  = value.True
	fls  = value.False
)

func i(n int64) value.Value   { return value.Int(n) }
func f(x float64) value.Value { return value.Float(x) }
func s(x string) value.Value  { return value.Str(x) }
func l(xs ...value.Value) value.Value {
	if xs == nil {
		xs = []value.Value{}
	}
	return value.List(xs)
}
func m(kv ...any) value.Value {
	out := map[string]value.Value{}
	for j := 0; j < len(kv); j += 2 {
		out[kv[j].(string)] = kv[j+1].(value.Value)
	}
	return value.Map(out)
}

// same is strict identity for test expectations: same kinds all the way
// down (1 is not 1.0), NaN equal to NaN.
func same(a, b value.Value) bool { return sameValues(a, b, false) }

// sameValues compares kinds all the way down, NaN equal to NaN. With exact,
// floats compare bit for bit and leaves with value.Identical (element
// versions too); otherwise floats by value and sign, leaves with
// value.Equivalent.
func sameValues(a, b value.Value, exact bool) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	switch a.Kind() {
	case value.KindFloat:
		x, y := a.AsFloat(), b.AsFloat()
		if math.IsNaN(x) && math.IsNaN(y) {
			return true
		}
		if exact {
			return math.Float64bits(x) == math.Float64bits(y)
		}
		return x == y && math.Signbit(x) == math.Signbit(y)
	case value.KindList:
		la, lb := a.AsList(), b.AsList()
		if len(la) != len(lb) {
			return false
		}
		for j := range la {
			if !sameValues(la[j], lb[j], exact) {
				return false
			}
		}
		return true
	case value.KindMap:
		ma, mb := a.AsMap(), b.AsMap()
		if len(ma) != len(mb) {
			return false
		}
		for k, v := range ma {
			w, ok := mb[k]
			if !ok || !sameValues(v, w, exact) {
				return false
			}
		}
		return true
	}
	if exact {
		return value.Identical(a, b)
	}
	return value.Equivalent(a, b)
}

// errIs checks a runtime error's kind and code ("" code matches any).
func errIs(err error, kind, code string) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Kind == kind && (code == "" || e.Code == code)
}

// testSeed returns the seed for a randomized test: VIGIL_SEED if set, else
// the clock. It is logged so a failure can be replayed.
func testSeed(t testing.TB) int64 {
	seed := time.Now().UnixNano()
	if env := os.Getenv("VIGIL_SEED"); env != "" {
		v, err := strconv.ParseInt(env, 10, 64)
		if err != nil {
			t.Fatalf("bad VIGIL_SEED %q: %v", env, err)
		}
		seed = v
	}
	t.Logf("seed %d (set VIGIL_SEED=%d to reproduce)", seed, seed)
	return seed
}

// testEnv is a fixed Env for graph functions.
type testEnv struct {
	now   time.Time
	nodes map[string]*value.Node
}

func (e testEnv) Now() time.Time             { return e.now }
func (e testEnv) Node(id string) *value.Node { return e.nodes[id] }
