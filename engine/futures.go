package engine

import (
	"container/heap"
	"time"
)

// AdvanceTo moves the clock to t (never backwards), firing every future that
// falls due by then in due-time order, and returns the net diffs.
func (e *Engine) AdvanceTo(t time.Time) ([]Diff, error) {
	err := e.fireDue(t)
	if t.After(e.now) {
		e.now = t
	}
	return e.flush(), err
}

// NextDue reports when the earliest pending future (from the temporal
// functions) falls due, so that a scheduler can sleep until then; ok is
// false when nothing is scheduled.
func (e *Engine) NextDue() (due time.Time, ok bool) { return e.futures.next() }

// fireDue fires, in due-time order, every future due at or before t; the
// clock reads each one's due time while it is evaluated.
func (e *Engine) fireDue(t time.Time) error {
	for {
		f := e.futures.popDue(t)
		if f == nil {
			return nil
		}
		if f.due.After(e.now) {
			e.now = f.due
		}
		q := f.query
		if q.err != nil || e.byID[q.id] != q {
			continue
		}
		c := &evalCtx{index: graph{e.index, q.vis}, params: q.spec.Params, now: e.now, eng: e, q: q}
		e.fireGuarded(q, c, f)
	}
}

// fireGuarded fires one of q's futures.
func (e *Engine) fireGuarded(q *Query, c *evalCtx, f *future) {
	e.touch(q)
	defer contain(q)
	if err := q.fire(c, f); err != nil {
		q.fail(err)
	}
}

// fire re-evaluates the row of a due future and pushes what changed through
// the rest of its pipeline.
func (q *Query) fire(c *evalCtx, f *future) error {
	ref, ok := q.sites[f.key.site]
	if !ok {
		return nil
	}
	if st := q.tstate[f.key]; st != nil && st.fut == f {
		st.fut = nil
	}
	// Values computed upstream from the clock (datetime.realtime(),
	// another temporal function) are computed again at the due time first,
	// so that the owner sees the row as it is now.
	if err := q.refreshUpstream(c, ref, f.key.row); err != nil {
		return err
	}
	d, err := ref.st.fire(c, f.key.row)
	if err != nil {
		return err
	}
	return q.runFrom(c, ref.branch, ref.pos+1, d)
}

// refreshUpstream re-evaluates, at the current time, the rows that the
// clock-reading stages before the owner of a due future hold for its row,
// and pushes what changed down the pipeline. Where a stage between them
// gives rows a new identity (UNWIND, DISTINCT, aggregation) the row cannot
// be traced back, and every row of the clock-reading stage is re-evaluated.
func (q *Query) refreshUpstream(c *evalCtx, ref siteRef, row uint64) error {
	stages := q.branches[ref.branch].stages
	for u := 0; u < ref.pos; u++ {
		rs, ok := stages[u].(*reevalStage)
		if !ok || !rs.clock {
			continue
		}
		traced := true
		for _, st := range stages[u+1 : ref.pos] {
			traced = traced && keepsRowIdentity(st)
		}
		var d []delta
		var err error
		if traced {
			d, err = rs.fire(c, row)
		} else {
			d, err = rs.fireAll(c)
		}
		if err != nil {
			return err
		}
		if len(d) > 0 {
			if err := q.runFrom(c, ref.branch, u+1, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// siteRef locates the stage that owns a temporal call site, so that a fired
// future re-enters the pipeline there.
type siteRef struct {
	branch, pos int
	st          firer
}

// firer is a stage that re-evaluates a row (or group) when its future fires.
type firer interface {
	fire(c *evalCtx, row uint64) ([]delta, error)
	ownSites() []int
}

// locateSites records which stage owns each temporal call site.
func (q *Query) locateSites() {
	for bi, p := range q.branches {
		for pos, st := range p.stages {
			if f, ok := st.(firer); ok {
				for _, s := range f.ownSites() {
					if q.sites == nil {
						q.sites = map[int]siteRef{}
					}
					q.sites[s] = siteRef{branch: bi, pos: pos, st: f}
				}
			}
		}
	}
}

// futureQueue holds the re-evaluations that temporal functions scheduled,
// ordered by due time.
type futureQueue struct {
	h futureHeap
}

// future is one scheduled re-evaluation of a query row.
type future struct {
	due   time.Time
	seq   uint64 // insertion order, to fire equal due times deterministically
	query *Query
	key   futureKey
	index int // position in the heap; -1 once removed
}

// futureKey names what a future re-evaluates: the row (by identity) of one
// function call site of one query.
type futureKey struct {
	site int    // function call site within the query
	row  uint64 // row identity
}

type futureHeap []*future

func (h futureHeap) Len() int { return len(h) }

func (h futureHeap) Less(i, j int) bool {
	if !h[i].due.Equal(h[j].due) {
		return h[i].due.Before(h[j].due)
	}
	return h[i].seq < h[j].seq
}

func (h futureHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}

func (h *futureHeap) Push(x any) {
	f := x.(*future)
	f.index = len(*h)
	*h = append(*h, f)
}

func (h *futureHeap) Pop() any {
	old := *h
	f := old[len(old)-1]
	old[len(old)-1] = nil
	f.index = -1
	*h = old[:len(old)-1]
	return f
}

func (q *futureQueue) next() (time.Time, bool) {
	if len(q.h) == 0 {
		return time.Time{}, false
	}
	return q.h[0].due, true
}

func (q *futureQueue) push(f *future) { heap.Push(&q.h, f) }

// queued is a future's index while it waits in its query's futLog to enter
// the queue.
const queued = -2

// pending reports whether f is in the queue or on its way there.
func (f *future) pending() bool { return f.index >= 0 || f.index == queued }

// futureOp is a change to the future queue that a query made while it ran
// beside others: add f, or remove it.
type futureOp struct {
	f   *future
	add bool
}

// addFuture queues f, numbering it after every future queued before; in a
// step's parallel part the query logs it instead (settleParallel queues
// it).
func (q *Query) addFuture(f *future) {
	e := q.eng
	if e.parallel {
		f.index = queued
		q.futLog = append(q.futLog, futureOp{f: f, add: true})
		return
	}
	e.seq++
	f.seq = e.seq
	e.futures.push(f)
}

// dropFuture takes f off the queue, or logs that it must go.
func (q *Query) dropFuture(f *future) {
	if q.eng.parallel {
		q.futLog = append(q.futLog, futureOp{f: f})
		return
	}
	q.eng.futures.remove(f)
}

func (q *futureQueue) remove(f *future) {
	if f.index >= 0 {
		heap.Remove(&q.h, f.index)
	}
}

// popDue removes and returns the earliest future due at or before t.
func (q *futureQueue) popDue(t time.Time) *future {
	if len(q.h) == 0 || q.h[0].due.After(t) {
		return nil
	}
	return heap.Pop(&q.h).(*future)
}
