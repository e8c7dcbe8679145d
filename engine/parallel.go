package engine

import (
	"sync"
	"sync/atomic"

	"github.com/vigilhq/vigil/engine/value"
)

// watchAfterParallel is the second half of step for a change that reaches
// several queries: each query's watchers and pipeline run on one of up to
// e.workers goroutines (the caller's among them), taking queries in
// registration order as they come free.
//
// A query's run reads the index, which nothing writes until the step ends,
// and writes only its own state, with two exceptions that a serial step
// makes in registration order: the futures it schedules and cancels (the
// queue numbers them, and equal due times fire in that order) and its
// failure (Engine.Failed lists them in order). While e.parallel is set a
// query logs those (Query.futLog, Query.failedLate); settleParallel then
// applies each query's log in registration order, so that queue, numbers
// and failures come out exactly as the serial loop leaves them.
func (e *Engine) watchAfterParallel(qs []*Query, n *value.Node, r *value.Rel) {
	workers := min(e.workers, len(qs))
	if len(e.ctxs) < workers {
		e.ctxs = make([]workerCtx, workers)
	}
	ran := e.ranScratch(len(qs))
	var next atomic.Int64
	work := func(c *evalCtx) {
		for {
			i := int(next.Add(1) - 1)
			if i >= len(qs) {
				return
			}
			if q := qs[i]; q.err == nil {
				ran[i] = e.watchAfter(c, q, n, r)
			}
		}
	}
	e.parallel = true
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Add(1)
		go func(c *evalCtx) {
			defer wg.Done()
			work(c)
		}(&e.ctxs[w].c)
	}
	work(&e.ctxs[0].c)
	wg.Wait()
	e.parallel = false
	for i, q := range qs {
		e.settleParallel(q)
		if ran[i] {
			e.touch(q)
		}
	}
	clear(ran)
	for i := range e.ctxs[:workers] {
		e.ctxs[i].c = evalCtx{} // keep no query's rows alive
	}
}

// workerCtx is one worker's evaluation context, padded so that two
// workers never write to one cache line.
type workerCtx struct {
	c evalCtx
	_ [128]byte
}

// settleParallel applies what q logged while it ran beside others.
func (e *Engine) settleParallel(q *Query) {
	for _, op := range q.futLog {
		if op.add {
			e.seq++
			op.f.seq = e.seq
			e.futures.push(op.f)
		} else {
			e.futures.remove(op.f)
		}
	}
	clear(q.futLog)
	q.futLog = q.futLog[:0]
	if q.failedLate {
		q.failedLate = false
		e.failed = append(e.failed, q)
	}
}

// ranScratch returns a cleared slice of n flags, reused across steps.
func (e *Engine) ranScratch(n int) []bool {
	if cap(e.ran) < n {
		e.ran = make([]bool, n)
	}
	return e.ran[:n]
}
