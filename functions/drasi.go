package functions

import (
	"github.com/vigilhq/vigil/engine/value"
)

// registerDrasi adds Drasi's stateless functions, under Drasi's names so
// that Drasi queries run unchanged. The functions that need the engine
// (future, delta, metadata, history and window functions) are the engine's.
func registerDrasi(r *Registry) {
	list := []ArgKinds{ArgList}
	r.AddScalar("drasi.listMin", &Scalar{Name: "drasi.listMin", MinArgs: 1, MaxArgs: 1, Fn: listExtreme("drasi.listMin", false), Args: list})
	r.AddScalar("drasi.listMax", &Scalar{Name: "drasi.listMax", MinArgs: 1, MaxArgs: 1, Fn: listExtreme("drasi.listMax", true), Args: list})
	r.AddAggregate("drasi.linearGradient", &Aggregate{Name: "drasi.linearGradient", MinArgs: 2, MaxArgs: 2,
		Args: []ArgKinds{ArgNumber, ArgNumber}, New: func() Accumulator { return &gradientAcc{} }})
	r.AddAggregate("drasi.stdevp", &Aggregate{Name: "drasi.stdevp", MinArgs: 1, MaxArgs: 1,
		Args: []ArgKinds{ArgNumber}, New: func() Accumulator { return &stdevAcc{s: exactSum{squares: true}} }})
	r.AddAggregate("drasi.last", &Aggregate{Name: "drasi.last", MinArgs: 1, MaxArgs: 1,
		Args: []ArgKinds{ArgAny}, New: func() Accumulator { return &lastAcc{} }})
}

// listExtreme is drasi.listMin / drasi.listMax: the least or greatest
// non-null element of a list in the ORDER BY order; null for null or an
// empty list.
func listExtreme(name string, max bool) ScalarFunc {
	return func(_ Env, args []value.Value) (value.Value, error) {
		l := args[0]
		switch l.Kind() {
		case value.KindNull:
			return value.Null, nil
		case value.KindList:
		default:
			return value.Null, ArgTypeErr(name, "a List", l)
		}
		best := value.Null
		for _, x := range l.AsList() {
			if x.IsNull() {
				continue
			}
			c := value.Compare(x, best)
			if best.IsNull() || (max && c > 0) || (!max && c < 0) {
				best = x
			}
		}
		return best, nil
	}
}

// gradientAcc is drasi.linearGradient(x, y): the slope of the least-squares
// line through the (x, y) points, kept as running sums so that points can
// be added and removed.
type gradientAcc struct {
	n                  int
	sx, sy, sxy, sxx   float64
	invalidX, invalidY bool
}

func (g *gradientAcc) point(args []value.Value) (x, y float64, ok bool, err error) {
	if args[0].IsNull() || args[1].IsNull() {
		return 0, 0, false, nil
	}
	if !args[0].IsNumber() || !args[1].IsNumber() {
		bad := args[0]
		if bad.IsNumber() {
			bad = args[1]
		}
		return 0, 0, false, ArgTypeErr("drasi.linearGradient", "a Number", bad)
	}
	return args[0].AsFloat(), args[1].AsFloat(), true, nil
}

// Apply adds a point.
func (g *gradientAcc) Apply(args []value.Value) error {
	x, y, ok, err := g.point(args)
	if !ok {
		return err
	}
	g.n++
	g.sx, g.sy, g.sxy, g.sxx = g.sx+x, g.sy+y, g.sxy+x*y, g.sxx+x*x
	return nil
}

// Revert removes a point.
func (g *gradientAcc) Revert(args []value.Value) error {
	x, y, ok, err := g.point(args)
	if !ok {
		return err
	}
	g.n--
	g.sx, g.sy, g.sxy, g.sxx = g.sx-x, g.sy-y, g.sxy-x*y, g.sxx-x*x
	return nil
}

// Result is the slope, or null with fewer than two distinct x values.
func (g *gradientAcc) Result() value.Value {
	n := float64(g.n)
	den := n*g.sxx - g.sx*g.sx
	if g.n < 2 || den == 0 {
		return value.Null
	}
	return value.Float((n*g.sxy - g.sx*g.sy) / den)
}

// lastAcc is drasi.last(x): the most recently applied non-null value that
// has not been reverted.
type lastAcc struct {
	vals []value.Value
}

// Apply records a value.
func (l *lastAcc) Apply(args []value.Value) error {
	if !args[0].IsNull() {
		l.vals = append(l.vals, args[0])
	}
	return nil
}

// Revert removes the latest occurrence of a value.
func (l *lastAcc) Revert(args []value.Value) error {
	if args[0].IsNull() {
		return nil
	}
	for i := len(l.vals) - 1; i >= 0; i-- {
		if value.Identical(l.vals[i], args[0]) {
			l.vals = append(l.vals[:i], l.vals[i+1:]...)
			return nil
		}
	}
	return &Error{Kind: "InternalError", Code: "RevertWithoutApply", Msg: "drasi.last: reverting a value never applied"}
}

// Result is the latest value, or null.
func (l *lastAcc) Result() value.Value {
	if len(l.vals) == 0 {
		return value.Null
	}
	return l.vals[len(l.vals)-1]
}
