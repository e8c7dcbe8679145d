package engine

import (
	"fmt"
	"time"

	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/functions"
)

// aggregateStage groups rows by key and maintains each group's aggregates
// incrementally (apply on +, revert on -).
type aggregateStage struct {
	keys    []evalFn   // grouping keys over the input row
	aggArgs [][]evalFn // per aggregate: its argument expressions over the input row
	newAcc  []func() functions.Accumulator
	items   []evalFn // output items over [keys..., aggregates...]
	sort    []evalFn // sort keys over [keys..., aggregates..., items...]
	global  bool     // no grouping keys: one group that always exists
	groups  map[uint64][]*group
	seed    value.Seed // the engine's: keys groups and the accumulators' buckets
	started bool
	argBuf  []value.Value
	// windows holds, per aggregate, the length of its drasi.slidingWindow
	// (0: not windowed); site is the temporal call site of the group
	// expiry futures.
	windows []time.Duration
	site    int
	// postSites are the temporal call sites of the expressions over the
	// aggregates: their state and futures belong to the group's row.
	postSites []int
	// Per-push scratch: the grouping key being looked up, the touched
	// groups, the post-aggregation scope, a group's candidate output values
	// and the output slice (which every consumer reads within the step:
	// the stage is never wrapped).
	keyBuf  []value.Value
	touched []*group
	postBuf []value.Value
	valBuf  []value.Value
	outBuf  []delta
}

// windowEntry is a row counted in a sliding window until expires.
type windowEntry struct {
	row     uint64
	args    []value.Value
	expires time.Time
}

type group struct {
	h    uint64
	key  []value.Value
	accs []functions.Accumulator
	win  [][]windowEntry // per windowed aggregate: rows in the window, oldest first
	// unsorted is set if a window entry ever arrived expiring before the
	// one ahead of it (the clock never moves back, so it should not):
	// expire then scans whole windows instead of their expired prefix.
	unsorted bool
	count    int
	// post is the group's keys and aggregate values when its row was last
	// computed: a push that leaves them as they were is no change of the
	// group (its temporal functions do not see it), unless a future fires.
	post []value.Value
	out  *row // the row currently emitted for the group
	prev *row // out before this push
	seen bool // touched in this push
}

// group finds the group of key, or creates it with a copy of key (the
// caller's key may be scratch).
func (a *aggregateStage) group(key []value.Value, h uint64) *group {
	for _, g := range a.groups[h] {
		if equivalentRows(g.key, key) {
			return g
		}
	}
	key = append(make([]value.Value, 0, len(key)), key...)
	g := &group{h: h, key: key, accs: make([]functions.Accumulator, len(a.newAcc)), win: make([][]windowEntry, len(a.newAcc))}
	for i := range a.newAcc {
		g.accs[i] = a.newAccumulator(i)
	}
	a.groups[h] = append(a.groups[h], g)
	return g
}

// newAccumulator returns an empty accumulator for aggregate i, hashing (if
// it hashes) with the engine's seed.
func (a *aggregateStage) newAccumulator(i int) functions.Accumulator {
	acc := a.newAcc[i]()
	functions.SeedAccumulator(acc, a.seed)
	return acc
}

func (a *aggregateStage) push(c *evalCtx, in []delta) ([]delta, error) {
	touched := a.touched[:0]
	touch := func(g *group) {
		if !g.seen {
			g.seen, g.prev = true, g.out
			touched = append(touched, g)
		}
	}
	if !a.started {
		a.started = true
		if a.global {
			touch(a.group([]value.Value{}, hashValues(a.seed, nil)))
		}
	}
	for _, d := range in {
		key := a.keyBuf[:0]
		for _, f := range a.keys {
			v, err := f(c, d.r.values())
			if err != nil {
				return nil, err
			}
			key = append(key, v)
		}
		a.keyBuf = key
		h := hashValues(a.seed, key)
		g := a.group(key, h)
		touch(g)
		if d.w > 0 {
			// The latest snapshot of key elements, copied over the
			// group's own key (nothing else holds that array: output
			// copies it).
			copy(g.key, key)
		}
		for j, args := range a.aggArgs {
			buf := a.argBuf[:0]
			for _, f := range args {
				v, err := f(c, d.r.values())
				if err != nil {
					return nil, err
				}
				buf = append(buf, v)
			}
			a.argBuf = buf
			if a.windows[j] > 0 {
				if err := a.windowed(c, g, j, d, buf); err != nil {
					return nil, err
				}
				continue
			}
			for k := 0; k < d.w; k++ {
				if err := g.accs[j].Apply(buf); err != nil {
					return nil, err
				}
			}
			for k := 0; k > d.w; k-- {
				if err := g.accs[j].Revert(buf); err != nil {
					return nil, err
				}
			}
		}
		g.count += d.w
	}
	out, err := a.emit(c, touched)
	clear(touched)
	a.touched = touched[:0]
	return out, err
}

// windowed applies a row to a sliding-window aggregate: an arriving row
// counts until now + window; a leaving row is reverted only if it has not
// expired already.
func (a *aggregateStage) windowed(c *evalCtx, g *group, j int, d delta, args []value.Value) error {
	for k := 0; k < d.w; k++ {
		if err := g.accs[j].Apply(args); err != nil {
			return err
		}
		e := windowEntry{row: d.r.id, args: append([]value.Value(nil), args...), expires: c.now.Add(a.windows[j])}
		if w := g.win[j]; len(w) > 0 && e.expires.Before(w[len(w)-1].expires) {
			g.unsorted = true
		}
		g.win[j] = append(g.win[j], e)
	}
	for k := 0; k > d.w; k-- {
		for i, e := range g.win[j] {
			if e.row == d.r.id && identicalRows(e.args, args) {
				if err := g.accs[j].Revert(args); err != nil {
					return err
				}
				if i == 0 {
					// The oldest entry (a source trimming its oldest
					// rows): slice it off rather than move the window.
					g.win[j][0] = windowEntry{}
					g.win[j] = g.win[j][1:]
				} else {
					g.win[j] = append(g.win[j][:i], g.win[j][i+1:]...)
				}
				break
			}
		}
	}
	return nil
}

// expire reverts the window entries of g that expired by now and
// reschedules the group's next expiry.
func (a *aggregateStage) expire(c *evalCtx, g *group) error {
	var next time.Time
	if !g.unsorted {
		// Entries are in expiry order: the expired ones are a prefix, and
		// the first one left is the next to expire.
		for j, es := range g.win {
			k := 0
			for k < len(es) && !es[k].expires.After(c.now) {
				if err := g.accs[j].Revert(es[k].args); err != nil {
					return err
				}
				k++
			}
			if k > 0 {
				// Drop the prefix by slicing, not by moving the rest down:
				// a full window expires an entry per arrival, and shifting
				// it made each expiry cost the window's length. The slice's
				// capacity shrinks from the front, so the next append that
				// fills it moves the live entries to a new array (amortized
				// O(1)); clearing lets the expired arguments go now.
				clear(es[:k])
				es = es[k:]
				g.win[j] = es
			}
			if len(es) > 0 && (next.IsZero() || es[0].expires.Before(next)) {
				next = es[0].expires
			}
		}
		return a.reschedule(c, g, next)
	}
	for j, es := range g.win {
		n := 0
		for _, e := range es {
			if !e.expires.After(c.now) {
				if err := g.accs[j].Revert(e.args); err != nil {
					return err
				}
				continue
			}
			es[n] = e
			n++
			if next.IsZero() || e.expires.Before(next) {
				next = e.expires
			}
		}
		clear(es[n:])
		g.win[j] = es[:n]
	}
	return a.reschedule(c, g, next)
}

// reschedule sets the group's expiry future to next (none if zero).
func (a *aggregateStage) reschedule(c *evalCtx, g *group, next time.Time) error {
	saved := c.row
	c.row = g.h
	if next.IsZero() {
		c.cancel(a.site)
	} else {
		c.schedule(a.site, next, true)
	}
	c.row = saved
	return nil
}

func (a *aggregateStage) ownSites() []int {
	if a.site == 0 {
		return a.postSites
	}
	return append([]int{a.site}, a.postSites...)
}

// fire expires the sliding windows of the groups with identity h and
// computes their rows again at the current time (for the temporal
// functions over the aggregates).
func (a *aggregateStage) fire(c *evalCtx, h uint64) ([]delta, error) {
	c.firing = true
	defer func() { c.firing = false }()
	var touched []*group
	for _, g := range a.groups[h] {
		g.seen, g.prev = true, g.out
		touched = append(touched, g)
	}
	return a.emit(c, touched)
}

// emit closes a push or a firing: expires windows, computes each touched
// group's row and emits what changed.
func (a *aggregateStage) emit(c *evalCtx, touched []*group) ([]delta, error) {
	out := a.outBuf[:0]
	defer func() {
		if cap(out) <= maxPooled {
			a.outBuf = out[:0]
		}
	}()
	for _, g := range touched {
		g.seen = false
		if a.site != 0 {
			if err := a.expire(c, g); err != nil {
				return nil, err
			}
		}
		var now *row
		if g.count > 0 || a.global {
			post := a.post(g)
			if !c.firing && g.post != nil && identicalRows(g.post, post) {
				continue // no change of the group: its row stays as it is
			}
			g.post = append(g.post[:0], post...)
			vals, err := a.output(c, g, post)
			if err != nil {
				return nil, err
			}
			if g.prev != nil && identicalRows(g.prev.values(), vals) {
				continue
			}
			// Only a row that changed is kept (as g.out and downstream).
			now = newRow(len(vals))
			copy(now.values(), vals)
			now.id, now.pair = g.h, g.h
		}
		if g.prev != nil {
			out = append(out, delta{r: g.prev, w: -1})
		}
		if now != nil {
			out = append(out, delta{r: now, w: 1})
		}
		g.out = now
		if g.count == 0 && !a.global {
			a.drop(g)
			if sites := a.ownSites(); len(sites) > 0 {
				c.q.dropRow(sites, g.h)
			}
		}
	}
	return out, nil
}

func (a *aggregateStage) drop(g *group) {
	gs := a.groups[g.h]
	for i, x := range gs {
		if x == g {
			gs[i] = gs[len(gs)-1]
			gs = gs[:len(gs)-1]
			break
		}
	}
	if len(gs) == 0 {
		delete(a.groups, g.h)
	} else {
		a.groups[g.h] = gs
	}
}

// post computes g's keys and aggregate values into scratch (valid until
// the next call): the scope of the expressions over the aggregates.
func (a *aggregateStage) post(g *group) []value.Value {
	n := len(g.key) + len(g.accs)
	if cap(a.postBuf) < n+len(a.items) {
		a.postBuf = make([]value.Value, n+len(a.items))
	}
	post := a.postBuf[:n]
	copy(post, g.key)
	for i, acc := range g.accs {
		post[len(g.key)+i] = acc.Result()
	}
	return post
}

// output computes a group's output values over its post scope (from post)
// into scratch (valid until the next call).
func (a *aggregateStage) output(c *evalCtx, g *group, post []value.Value) ([]value.Value, error) {
	if cap(a.valBuf) < len(a.items)+len(a.sort) {
		a.valBuf = make([]value.Value, len(a.items)+len(a.sort))
	}
	vals := a.valBuf[:len(a.items)+len(a.sort)]
	clear(vals)
	// The group is the row of the temporal functions over its aggregates.
	saved := c.row
	c.row = g.h
	defer func() { c.row = saved }()
	for i, f := range a.items {
		v, err := f(c, post)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	if len(a.sort) > 0 {
		ext := append(post, vals[:len(a.items)]...)
		for i, f := range a.sort {
			v, err := f(c, ext)
			if err != nil {
				return nil, err
			}
			vals[len(a.items)+i] = v
		}
	}
	return vals, nil
}

func (a *aggregateStage) save(s *stateWriter) {
	w := &s.w
	w.Bool(a.started)
	w.Uvarint(uint64(len(a.groups)))
	for h, gs := range a.groups {
		w.Uint64(h)
		w.Uvarint(uint64(len(gs)))
		for _, g := range gs {
			w.Values(g.key)
			w.Int(g.count)
			w.Bool(g.unsorted)
			s.row(g.out)
			w.Values(g.post)
			for j, acc := range g.accs {
				sa, ok := acc.(functions.StatefulAccumulator)
				if !ok {
					w.Fail(fmt.Errorf("engine snapshot: accumulator %T keeps no snapshot state", acc))
					return
				}
				sa.SaveState(w)
				w.Uvarint(uint64(len(g.win[j])))
				for _, we := range g.win[j] {
					w.Uint64(we.row)
					w.Values(we.args)
					w.Time(we.expires)
				}
			}
		}
	}
}

func (a *aggregateStage) load(s *stateReader) {
	r := s.r
	a.started = r.Bool()
	n := r.Count()
	clear(a.groups)
	for i := 0; i < n && r.Err() == nil; i++ {
		h := r.Uint64()
		ng := r.Count()
		gs := make([]*group, 0, ng)
		for k := 0; k < ng && r.Err() == nil; k++ {
			g := &group{h: h, key: r.Values(), count: r.Int(), unsorted: r.Bool(), out: s.row()}
			g.post = r.Values()
			if g.key == nil {
				g.key = []value.Value{}
			}
			g.accs = make([]functions.Accumulator, len(a.newAcc))
			g.win = make([][]windowEntry, len(a.newAcc))
			for j := range a.newAcc {
				acc := a.newAccumulator(j)
				sa, ok := acc.(functions.StatefulAccumulator)
				if !ok {
					r.Failf("accumulator %T keeps no snapshot state", acc)
					return
				}
				sa.LoadState(r)
				g.accs[j] = acc
				nw := r.Count()
				for l := 0; l < nw && r.Err() == nil; l++ {
					g.win[j] = append(g.win[j], windowEntry{row: r.Uint64(), args: r.Values(), expires: r.Time()})
				}
			}
			gs = append(gs, g)
		}
		a.groups[h] = gs
	}
}
