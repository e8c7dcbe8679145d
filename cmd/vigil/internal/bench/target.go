package bench

import (
	"fmt"
	"os"
	"time"

	"github.com/vigilhq/vigil/durable"
	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/store"
)

// DurableStep is how many changes a durable run commits per step: what the
// server's group commit gathers from its sources under load (one Badger
// transaction per step, holding the changes, their result events and the
// source position).
const DurableStep = 100

// target is what a stream is applied to: the engine itself (store
// "memory") or a durable host committing steps of DurableStep changes to a
// Badger store in a temporary directory (store "badger").
type target struct {
	e       *engine.Engine
	h       *durable.Host // nil in memory
	st      *store.Store
	dir     string
	pending []engine.Change
	one     []engine.Change // reused: Apply's argument in memory
	pos     uint64
}

func newTarget(storeKind string, start time.Time) (*target, error) {
	switch storeKind {
	case "", "memory":
		return &target{e: engine.New(engine.Options{Start: start})}, nil
	case "badger":
		dir, err := os.MkdirTemp("", "vigil-bench-badger")
		if err != nil {
			return nil, err
		}
		st, err := store.Open(dir, store.Options{})
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		h, err := durable.Open(durable.Options{Log: st, Start: start})
		if err != nil {
			st.Close()
			os.RemoveAll(dir)
			return nil, err
		}
		return &target{e: h.Engine(), h: h, st: st, dir: dir}, nil
	}
	return nil, fmt.Errorf("unknown store %q (memory or badger)", storeKind)
}

// Source is the source the benchmark's changes come from; its queries
// subscribe to it, as a served query does, so the measured path includes
// the per-query source check.
const Source = "bench"

// addQuery registers a query (logged, when durable).
func (t *target) addQuery(spec engine.QuerySpec) (*engine.Query, error) {
	spec.Subscriptions = []engine.Subscription{{Source: Source}}
	if t.h == nil {
		return t.e.AddQuery(spec)
	}
	q, _, err := t.h.AddQuery(spec, nil)
	return q, err
}

// apply applies one change. In memory it is applied at once (ok is true);
// durable, it joins the pending step, which is committed when full (ok is
// true then, and n is the number of changes the commit completed).
func (t *target) apply(ch engine.Change) (n int, diffs int, err error) {
	ch.Source = Source
	if t.h == nil {
		if t.one == nil {
			t.one = make([]engine.Change, 1)
		}
		t.one[0] = ch
		ds, err := t.e.Apply(t.one)
		t.one[0] = engine.Change{}
		return 1, len(ds), err
	}
	t.pending = append(t.pending, ch)
	if len(t.pending) < DurableStep {
		return 0, 0, nil
	}
	return t.flush()
}

// flush commits the pending step (durable only).
func (t *target) flush() (n int, diffs int, err error) {
	if t.h == nil || len(t.pending) == 0 {
		return 0, 0, nil
	}
	n = len(t.pending)
	t.pos += uint64(n)
	events, errs, err := t.h.Apply([]engine.Batch{{Source: Source, Changes: t.pending, Position: []byte(fmt.Sprint(t.pos))}})
	t.pending = t.pending[:0:0]
	if err == nil && errs != nil {
		err = errs[0]
	}
	return n, len(events), err
}

// advance moves the clock, after committing what is pending.
func (t *target) advance(at time.Time) (int, error) {
	if t.h == nil {
		ds, err := t.e.AdvanceTo(at)
		return len(ds), err
	}
	if _, _, err := t.flush(); err != nil {
		return 0, err
	}
	evs, err := t.h.AdvanceTo(at)
	return len(evs), err
}

// close releases a durable target's store and directory.
func (t *target) close() {
	if t.st != nil {
		t.st.Close()
		os.RemoveAll(t.dir)
	}
}
