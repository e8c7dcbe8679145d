package engine

import (
	"github.com/vigilhq/vigil/engine/value"
)

// step applies one element change to the index and pushes it through the
// queries it can touch (router): solutions anchored at the element before
// the change, the change, solutions anchored at it after, then, for a
// query whose watchers found something, its pipeline.
//
// Hot path.
func (e *Engine) step(oldN, newN *value.Node, oldR, newR *value.Rel, apply func()) {
	if sameNode(oldN, newN) && oldR == nil && newR == nil {
		apply()
		return
	}
	qs := e.queries
	if !e.opts.visitAll {
		qs = e.route.candidates(oldN, newN, oldR, newR)
	}
	for _, q := range qs {
		if q.err == nil {
			e.watchBefore(q, oldN, oldR, newN)
		}
	}
	apply()
	if len(qs) > 1 && e.workers > 1 {
		e.watchAfterParallel(qs, newN, newR)
		return
	}
	for _, q := range qs {
		if q.err == nil && e.watchAfter(&e.ctx, q, newN, newR) {
			e.touch(q)
		}
	}
}

// touch puts q on the list of queries the step's flush closes.
func (e *Engine) touch(q *Query) {
	if !q.touched {
		q.touched = true
		e.touched = append(e.touched, q)
	}
}

// sameNode reports whether an update leaves a node exactly as it was.
func sameNode(a, b *value.Node) bool {
	if a == nil || b == nil || a.ChangedAt != b.ChangedAt || len(a.Labels) != len(b.Labels) || a.Props.Len() != b.Props.Len() {
		return false
	}
	for i := range a.Labels {
		if a.Labels[i] != b.Labels[i] {
			return false
		}
	}
	for k, v := range a.Props.All() {
		w, ok := b.Props.Lookup(k)
		if !ok || v.Kind() != w.Kind() || !value.Equivalent(v, w) {
			return false
		}
	}
	return true
}

// watcher is a stage that must see each element change: once anchored at
// the element before it is applied, and once after. For a node update,
// before also receives next, the node as it will be (nil otherwise).
type watcher interface {
	before(x graph, n *value.Node, r *value.Rel, next *value.Node) error
	after(x graph, n *value.Node, r *value.Rel) error
	// busy reports, after after, whether the change gave the stage work
	// for the pipeline's run (solutions gained or lost, rows to
	// re-evaluate).
	busy() bool
}

// watchBefore runs q's watchers on an element as it was; next is the node
// as it will be, for a node update.
func (e *Engine) watchBefore(q *Query, n *value.Node, r *value.Rel, next *value.Node) {
	defer contain(q)
	for _, w := range q.watchers {
		if err := w.before(graph{e.index, q.vis}, n, r, next); err != nil {
			q.fail(err)
			return
		}
	}
}

// watchAfter runs q's watchers on an element as it is now, then the rest
// of q's pipeline in c, and reports whether the pipeline ran (the query is
// then flushed with the step). It touches nothing shared but through q's
// futures and failure (see parallel.go), so that queries can run it side
// by side.
func (e *Engine) watchAfter(c *evalCtx, q *Query, n *value.Node, r *value.Rel) (ran bool) {
	defer contain(q)
	busy := e.opts.visitAll
	for _, w := range q.watchers {
		if err := w.after(graph{e.index, q.vis}, n, r); err != nil {
			q.fail(err)
			return false
		}
		busy = busy || w.busy()
	}
	if !busy {
		// No solution gained or lost, no row to re-evaluate: the
		// pipeline would receive nothing.
		return false
	}
	ran = true // also when the run panics: contain fails the query
	*c = evalCtx{index: graph{e.index, q.vis}, params: q.spec.Params, now: e.now, eng: e, q: q}
	if err := q.run(c, nil); err != nil {
		q.fail(err)
	}
	return ran
}

// run pushes one change (or, with in set, the bootstrap input) through every
// branch and collects the output deltas for the step.
func (q *Query) run(c *evalCtx, in []delta) error {
	if in == nil && q.oldFrom != nil {
		q.retractFromResult(q.oldFrom)
	}
	for bi := range q.branches {
		if err := q.runFrom(c, bi, 0, in); err != nil {
			return err
		}
	}
	return nil
}

// runFrom pushes d through branch bi from stage pos on and collects the
// output for the step.
func (q *Query) runFrom(c *evalCtx, bi, pos int, d []delta) error {
	p := q.branches[bi]
	{
		for _, st := range p.stages[pos:] {
			var err error
			if d, err = st.push(c, consolidate(d)); err != nil {
				return err
			}
		}
		if len(q.branches) > 1 {
			// Rows of different branches are different rows.
			for i := range d {
				r := *d[i].r
				r.id, r.pair = mix(r.id, uint64(bi+1)), mix(r.pair, uint64(bi+1))
				d[i].r = &r
			}
		}
		if q.union != nil {
			var err error
			if d, err = q.union.push(c, consolidate(d)); err != nil {
				return err
			}
		}
		q.pending = append(q.pending, d...)
	}
	return nil
}
