package engine

import (
	"container/heap"
	"time"
)

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
