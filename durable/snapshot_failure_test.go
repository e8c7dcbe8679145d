package durable

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/functions"
	"github.com/vigilhq/vigil/store"
)

// plainAcc is an aggregate that keeps no snapshot state.
type plainAcc struct{ n int64 }

func (a *plainAcc) Apply([]value.Value) error  { a.n++; return nil }
func (a *plainAcc) Revert([]value.Value) error { a.n--; return nil }
func (a *plainAcc) Result() value.Value        { return value.Int(a.n) }

// TestSnapshotFailureDoesNotFailTheStep: a snapshot that cannot be taken
// (here an accumulator without snapshot state; a failing WriteSnapshot
// does the same) happens after the step committed: the step must succeed
// with its events, and the failure show in SnapshotStats.
func TestSnapshotFailureDoesNotFailTheStep(t *testing.T) {
	funcs := functions.NewCypher()
	funcs.AddAggregate("test.plaincount", &functions.Aggregate{Name: "test.plaincount", MinArgs: 1, MaxArgs: 1,
		New: func() functions.Accumulator { return &plainAcc{} }})
	st, err := store.Open(filepath.Join(t.TempDir(), "s"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h, err := Open(Options{Log: st, Start: time.Unix(0, 0), SnapshotEvery: 1, SnapshotPerElement: -1, Functions: funcs})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.AddQuery(engine.QuerySpec{ID: "q", Text: "MATCH (n:A) RETURN test.plaincount(n) AS c"}, nil); err != nil {
		t.Fatal(err)
	}
	before := st.LogSeq()
	evs, _, err := h.Apply([]engine.Batch{{Source: "s", Position: []byte{1}, Changes: []engine.Change{{Op: engine.OpInsert, Element: engine.Element{ID: "a", Labels: []string{"A"}}}}}})
	cp, _ := st.Checkpoint("s")
	if err != nil || len(evs) == 0 || st.LogSeq() != before+1 || len(cp) != 1 {
		t.Fatalf("Apply: err %v, %d events, log %d -> %d, checkpoint %v", err, len(evs), before, st.LogSeq(), cp)
	}
	if stats := h.SnapshotStats(); stats.Failures == 0 || stats.Count != 0 || stats.LastError == "" {
		t.Fatalf("snapshot stats after a failed snapshot: %+v", stats)
	}
}
