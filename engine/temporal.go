package engine

import (
	"strings"
	"time"

	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/functions"
	"github.com/vigilhq/vigil/grammar/ast"
)

// The engine's own functions: the ones that need the identity of the row
// being evaluated, the engine clock, the future queue or the element
// history, which a plain scalar function cannot see. Names are lower case.
const (
	fnTrueLater          = "drasi.truelater"
	fnTrueUntil          = "drasi.trueuntil"
	fnTrueFor            = "drasi.truefor"
	fnTrueNowOrLater     = "drasi.truenoworlater"
	fnPreviousValue      = "drasi.previousvalue"
	fnPreviousDistinct   = "drasi.previousdistinctvalue"
	fnChangeDateTime     = "drasi.changedatetime"
	fnVersionByTimestamp = "drasi.getversionbytimestamp"
	fnVersionsByRange    = "drasi.getversionsbytimerange"
	fnSlidingWindow      = "drasi.slidingwindow"
)

// engineFuncArity lists the engine functions with their argument counts.
var engineFuncArity = map[string][2]int{
	fnTrueLater:          {2, 2},
	fnTrueUntil:          {2, 2},
	fnTrueFor:            {2, 2},
	fnTrueNowOrLater:     {2, 2},
	fnPreviousValue:      {1, 2},
	fnPreviousDistinct:   {1, 2},
	fnChangeDateTime:     {1, 1},
	fnVersionByTimestamp: {2, 2},
	fnVersionsByRange:    {3, 4},
	fnSlidingWindow:      {2, 2},
}

func isEngineFunc(name string) bool {
	_, ok := engineFuncArity[strings.ToLower(name)]
	return ok
}

// isTimeDependent reports whether a function's result depends on the clock
// (or on chance) rather than only on its arguments: a stage evaluating it
// must remember what it produced, because evaluating the same row again
// later would give another answer.
func isTimeDependent(name string, f *functions.Scalar) bool {
	if f != nil && f.Volatile {
		return true
	}
	n := strings.ToLower(name)
	for _, suffix := range []string{".realtime", ".transaction", ".statement"} {
		if strings.HasSuffix(n, suffix) {
			return true
		}
	}
	return false
}

// funcSet is a language registry plus the engine's own functions.
type funcSet struct {
	*functions.Registry
}

// IsAggregate includes drasi.slidingWindow, which wraps an aggregate.
func (f funcSet) IsAggregate(name string) bool {
	return strings.EqualFold(name, fnSlidingWindow) || f.Registry.IsAggregate(name)
}

// Exists reports whether the name is a function here (for the checker).
func (f funcSet) Exists(name string) bool {
	if isEngineFunc(name) || f.Registry.IsAggregate(name) || strings.EqualFold(name, "exists") {
		return true
	}
	_, ok := f.Registry.Scalar(name)
	return ok
}

// tstate is the per-row state of one temporal function call site.
type tstate struct {
	since    time.Time   // trueFor: when the condition last became true
	cur      value.Value // previousValue: the value at the latest change
	prev     value.Value // previousValue: the value before it
	hasCur   bool
	distinct value.Value // previousDistinctValue: last value different from cur
	hasDist  bool
	fut      *future // the pending re-evaluation, if any
}

func (q *Query) state(site int, row uint64) *tstate {
	k := futureKey{site: site, row: row}
	st := q.tstate[k]
	if st == nil {
		if q.tstate == nil {
			q.tstate = map[futureKey]*tstate{}
		}
		st = &tstate{}
		q.tstate[k] = st
	}
	return st
}

// schedule asks for the row to be re-evaluated at due. With replace, an
// earlier pending schedule of the same call site and row is replaced;
// otherwise an existing one is kept.
func (c *evalCtx) schedule(site int, due time.Time, replace bool) {
	st := c.q.state(site, c.row)
	if st.fut != nil && st.fut.pending() {
		if !replace || st.fut.due.Equal(due) {
			return
		}
		c.q.dropFuture(st.fut)
	}
	st.fut = &future{due: due, query: c.q, key: futureKey{site: site, row: c.row}}
	c.q.addFuture(st.fut)
}

// cancel drops the pending re-evaluation of the call site for the row.
func (c *evalCtx) cancel(site int) {
	if st := c.q.tstate[futureKey{site: site, row: c.row}]; st != nil && st.fut != nil {
		c.q.dropFuture(st.fut)
		st.fut = nil
	}
}

// dropRow forgets the temporal state of a row that left a stage.
func (q *Query) dropRow(sites []int, row uint64) {
	for _, s := range sites {
		k := futureKey{site: s, row: row}
		if st := q.tstate[k]; st != nil {
			if st.fut != nil {
				q.dropFuture(st.fut)
			}
			delete(q.tstate, k)
		}
	}
}

// instant converts a timestamp argument (datetime, local datetime, date,
// or integer milliseconds since the epoch) to a time.
func instant(v value.Value) (time.Time, bool) {
	switch v.Kind() {
	case value.KindInt:
		return time.UnixMilli(v.AsInt()).UTC(), true
	case value.KindFloat:
		return time.UnixMilli(int64(v.AsFloat())).UTC(), true
	}
	if t, ok := value.InstantOf(v); ok {
		return t, true
	}
	return time.Time{}, false
}

// span converts a duration argument to a Go duration (months count as 30
// days, days as 24 hours: the window functions need a fixed length).
func span(v value.Value) (time.Duration, bool) {
	switch v.Kind() {
	case value.KindInt:
		return time.Duration(v.AsInt()) * time.Millisecond, true
	}
	return value.SpanOf(v)
}

// engineCall compiles a call to one of the engine's own functions.
func (ec *exprCompiler) engineCall(e *ast.Call, sc *scope) (evalFn, error) {
	name := strings.ToLower(e.Name)
	ar := engineFuncArity[name]
	if len(e.Args) < ar[0] || len(e.Args) > ar[1] {
		return nil, ast.Errorf(e.Pos, "InvalidNumberOfArguments", "function %s takes %s arguments, got %d", e.Name, arity(ar[0], ar[1]), len(e.Args))
	}
	if name == fnSlidingWindow {
		return nil, ast.Errorf(e.Pos, "InvalidAggregation", "drasi.slidingWindow is an aggregation: use it in a WITH or RETURN projection")
	}
	args, err := ec.compileAll(e.Args, sc)
	if err != nil {
		return nil, err
	}
	arg := func(i int) evalFn {
		if i < len(args) {
			return args[i]
		}
		return constFn(value.Null)
	}
	switch name {
	case fnChangeDateTime:
		x := args[0]
		return func(c *evalCtx, row []value.Value) (value.Value, error) {
			v, err := x(c, row)
			if err != nil {
				return value.Null, err
			}
			var at int64
			switch v.Kind() {
			case value.KindNode:
				at = v.AsNode().ChangedAt
			case value.KindRel:
				at = v.AsRel().ChangedAt
			case value.KindNull:
				return value.Null, nil
			default:
				return value.Null, functions.ArgTypeErr("drasi.changeDateTime", "a node or relationship", v)
			}
			return dateTimeOf(time.Unix(0, at).UTC()), nil
		}, nil
	case fnVersionByTimestamp, fnVersionsByRange:
		return ec.plan.historyCall(name, args)
	}
	// The remaining functions keep per-row state or schedule futures: the
	// stage evaluating them must remember its output (see reevalStage).
	site := ec.plan.newSite(e)
	cond, at := arg(0), arg(1)
	switch name {
	case fnTrueLater:
		return func(c *evalCtx, row []value.Value) (value.Value, error) {
			tv, err := at(c, row)
			if err != nil {
				return value.Null, err
			}
			t, ok := instant(tv)
			if !ok {
				return value.Null, typeErrIfSet(tv, "drasi.trueLater", wantInstant)
			}
			if !t.After(c.now) {
				return cond(c, row)
			}
			c.schedule(site, t, true)
			return value.False, nil
		}, nil
	case fnTrueNowOrLater:
		return func(c *evalCtx, row []value.Value) (value.Value, error) {
			tv, err := at(c, row)
			if err != nil {
				return value.Null, err
			}
			cv, err := cond(c, row)
			if err != nil {
				return value.Null, err
			}
			if t, ok := instant(tv); ok && t.After(c.now) {
				c.schedule(site, t, true)
			}
			return cv, nil
		}, nil
	case fnTrueUntil:
		return func(c *evalCtx, row []value.Value) (value.Value, error) {
			cv, err := cond(c, row)
			if err != nil {
				return value.Null, err
			}
			if !cv.AsBool() {
				c.cancel(site)
				return value.False, nil
			}
			tv, err := at(c, row)
			if err != nil {
				return value.Null, err
			}
			t, ok := instant(tv)
			if !ok {
				return value.Null, typeErrIfSet(tv, "drasi.trueUntil", wantInstant)
			}
			if !t.After(c.now) {
				return cv, nil
			}
			c.schedule(site, t, false)
			return value.False, nil
		}, nil
	case fnTrueFor:
		return func(c *evalCtx, row []value.Value) (value.Value, error) {
			cv, err := cond(c, row)
			if err != nil {
				return value.Null, err
			}
			st := c.q.state(site, c.row)
			if !cv.AsBool() {
				st.since = time.Time{}
				c.cancel(site)
				return value.False, nil
			}
			dv, err := at(c, row)
			if err != nil {
				return value.Null, err
			}
			d, ok := span(dv)
			if !ok {
				return value.Null, typeErrIfSet(dv, "drasi.trueFor", "a duration or milliseconds")
			}
			if st.since.IsZero() {
				st.since = c.now
			}
			due := st.since.Add(d)
			if !due.After(c.now) {
				return value.True, nil
			}
			c.schedule(site, due, true)
			return value.False, nil
		}, nil
	case fnPreviousValue:
		x, def := arg(0), arg(1)
		return func(c *evalCtx, row []value.Value) (value.Value, error) {
			v, err := x(c, row)
			if err != nil {
				return value.Null, err
			}
			st := c.q.state(site, c.row)
			if !c.firing {
				if st.hasCur {
					st.prev = st.cur
				} else {
					if st.prev, err = def(c, row); err != nil {
						return value.Null, err
					}
				}
				st.cur, st.hasCur = v, true
			}
			return st.prev, nil
		}, nil
	case fnPreviousDistinct:
		x, def := arg(0), arg(1)
		return func(c *evalCtx, row []value.Value) (value.Value, error) {
			v, err := x(c, row)
			if err != nil {
				return value.Null, err
			}
			st := c.q.state(site, c.row)
			if !c.firing {
				if st.hasCur && !value.Equivalent(st.cur, v) {
					st.distinct, st.hasDist = st.cur, true
				}
				st.cur, st.hasCur = v, true
			}
			if st.hasDist {
				return st.distinct, nil
			}
			return def(c, row)
		}, nil
	}
	return nil, ast.Errorf(e.Pos, "UnknownFunction", "unknown function %q", e.Name)
}

// wantInstant names what a timestamp argument may be.
const wantInstant = "a datetime, a date or epoch milliseconds"

// typeErrIfSet is the run-time error of an argument of a type fn does not
// accept (TypeError InvalidArgumentValue, as for every function); a null
// argument is no error (the function returns null or false).
func typeErrIfSet(v value.Value, fn, want string) error {
	if v.IsNull() {
		return nil
	}
	return functions.ArgTypeErr(fn, want, v)
}

// newSite numbers a temporal call site and records that the stage being
// compiled must remember its rows.
func (pl *planner) newSite(call *ast.Call) int {
	pl.nextSite++
	pl.pendingSites = append(pl.pendingSites, pl.nextSite)
	if pl.siteCalls == nil {
		pl.siteCalls = map[int]*ast.Call{}
	}
	pl.siteCalls[pl.nextSite] = call
	return pl.nextSite
}

// refuseSites fails when an expression just compiled calls a temporal
// function in a position no stage can re-evaluate when its future falls
// due: the query would silently never fire, so it is not registered.
func (pl *planner) refuseSites(position string) error {
	if len(pl.pendingSites) == 0 {
		return nil
	}
	call := pl.siteCalls[pl.pendingSites[0]]
	return ast.Errorf(call.Pos, "UnsupportedTemporalPosition", "%s cannot be used %s: nothing would re-evaluate it when it falls due", call.Name, position)
}

// historyCall compiles drasi.getVersionByTimestamp and
// drasi.getVersionsByTimeRange, which read the element history the index
// keeps once a query asks for it.
func (pl *planner) historyCall(name string, args []evalFn) (evalFn, error) {
	pl.index.keepHistory = true
	// The history grows: evaluating the same row again after a change can
	// answer differently (a timestamp at or after the change now finds the
	// new version), so the stage must remember what each row produced.
	pl.volatile = true
	return func(c *evalCtx, row []value.Value) (value.Value, error) {
		vals := make([]value.Value, len(args))
		for i, a := range args {
			v, err := a(c, row)
			if err != nil {
				return value.Null, err
			}
			vals[i] = v
		}
		var id string
		switch vals[0].Kind() {
		case value.KindNode:
			id = vals[0].AsNode().ID
		case value.KindRel:
			id = vals[0].AsRel().ID
		case value.KindNull:
			return value.Null, nil
		default:
			return value.Null, functions.ArgTypeErr(name, "a node or relationship", vals[0])
		}
		hist := c.index.history[id]
		if name == fnVersionByTimestamp {
			t, ok := instant(vals[1])
			if !ok {
				return value.Null, typeErrIfSet(vals[1], name, wantInstant)
			}
			v := versionAt(hist, t.UnixNano())
			return v, nil
		}
		from, ok1 := instant(vals[1])
		to, ok2 := instant(vals[2])
		if !ok1 || !ok2 {
			bad := vals[1]
			if ok1 {
				bad = vals[2]
			}
			if bad.IsNull() {
				return value.Null, nil
			}
			return value.Null, functions.ArgTypeErr(name, wantInstant, bad)
		}
		initial := len(vals) > 3 && vals[3].AsBool()
		var out []value.Value
		lo, hi := from.UnixNano(), to.UnixNano()
		for i, h := range hist {
			if i > 0 && sameVersion(hist[i-1], h) {
				// Recorded, but no change: the element stood exactly so
				// already at that instant, and no query saw it change.
				continue
			}
			if h.at >= lo && h.at <= hi {
				if initial && len(out) == 0 && i > 0 && h.at > lo && !hist[i-1].gone() {
					out = append(out, hist[i-1].val())
				}
				if !h.gone() {
					out = append(out, h.val())
				}
			}
		}
		if initial && len(out) == 0 {
			if v := versionAt(hist, lo); !v.IsNull() {
				out = append(out, v)
			}
		}
		return value.List(out), nil
	}, nil
}

// version is one entry of an element's history: its state from at on (a
// nil node and relationship mean it was deleted then).
type version struct {
	at   int64
	node *value.Node
	rel  *value.Rel
}

func (v version) gone() bool { return v.node == nil && v.rel == nil }

func (v version) val() value.Value {
	if v.node != nil {
		return value.NodeOf(v.node)
	}
	if v.rel != nil {
		return value.RelOf(v.rel)
	}
	return value.Null
}

// sameVersion reports whether b repeats a: same instant, same contents (an
// update that left the element exactly as it was, which the engine does not
// evaluate as a change).
func sameVersion(a, b version) bool {
	if a.at != b.at || a.gone() != b.gone() {
		return false
	}
	return a.gone() || value.Identical(a.val(), b.val())
}

func versionAt(hist []version, at int64) value.Value {
	var cur value.Value
	for _, h := range hist {
		if h.at > at {
			break
		}
		cur = h.val()
	}
	return cur
}
