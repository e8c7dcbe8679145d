package engine

import (
	"fmt"
	"runtime/debug"

	"github.com/vigilhq/vigil/engine/value"
)

// A bug in one query's evaluation must not take the engine down with it:
// the server runs every query in one process, and a durable server would
// replay the same change into the same panic after each restart. A panic
// inside one query's work stops that query (it is in an error state naming
// the panic, as for any runtime error) and leaves the others running. The
// deferred recover costs nothing measurable on the hot path: it is an
// open-coded defer whose closure stays on the stack.

// InternalError is the error of a query stopped by a panic in its
// evaluation: a Vigil bug, reported with the stack so it can be fixed.
type InternalError struct {
	Panic any
	Stack string
}

func (e *InternalError) Error() string {
	return fmt.Sprintf("internal error (a Vigil bug; please report it with the server log): %v", e.Panic)
}

// contain turns a panic in q's evaluation into q's error.
func contain(q *Query) {
	if p := recover(); p != nil {
		q.fail(&InternalError{Panic: p, Stack: string(debug.Stack())})
	}
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
// of q's pipeline.
func (e *Engine) watchAfter(q *Query, n *value.Node, r *value.Rel) {
	defer contain(q)
	for _, w := range q.watchers {
		if err := w.after(graph{e.index, q.vis}, n, r); err != nil {
			q.fail(err)
			return
		}
	}
	c := &e.ctx
	*c = evalCtx{index: graph{e.index, q.vis}, params: q.spec.Params, now: e.now, eng: e, q: q}
	if err := q.run(c, nil); err != nil {
		q.fail(err)
	}
}

// fireGuarded fires one of q's futures.
func (e *Engine) fireGuarded(q *Query, c *evalCtx, f *future) {
	defer contain(q)
	if err := q.fire(c, f); err != nil {
		q.fail(err)
	}
}

// bootstrapGuarded runs q over the unit row: its result over the index.
func bootstrapGuarded(q *Query, c *evalCtx) {
	defer contain(q)
	if err := q.run(c, []delta{{r: unitRow, w: 1}}); err != nil {
		q.err = err
	}
}

// flushGuarded closes q's step.
func flushGuarded(q *Query) (d Diff) {
	defer contain(q)
	return q.flush()
}
