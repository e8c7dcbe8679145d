package durable

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/store"
)

// TestSnapshotInterval: snapshots come every SnapshotEvery changes, but on a
// graph with more elements than that only every SnapshotPerElement changes
// per element; a reopen restores the last one and replays the rest.
func TestSnapshotInterval(t *testing.T) {
	cases := []struct {
		name                 string
		every, perEl, rooms  int
		updates, wantSnaps   int
		wantReplayedAtMost   uint64
		wantRestoredSnapshot bool
	}{
		// 50 rooms inserted one per step, then 150 updates: 200 changes.
		// Every 40 changes, but not before 4 × 50 elements: one, at 200.
		{name: "element bound", every: 40, perEl: 4, rooms: 50, updates: 150, wantSnaps: 1, wantReplayedAtMost: 1, wantRestoredSnapshot: true},
		{name: "change bound", every: 40, perEl: -1, rooms: 50, updates: 150, wantSnaps: 5, wantReplayedAtMost: 1, wantRestoredSnapshot: true},
		{name: "off", every: -1, perEl: 4, rooms: 50, updates: 150, wantSnaps: 0, wantReplayedAtMost: 203},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "store")
			st, err := store.Open(dir, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
			h, err := Open(Options{Log: st, Start: start, SnapshotEvery: c.every, SnapshotPerElement: c.perEl})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := h.AddQuery(engine.QuerySpec{ID: "avg", Text: "MATCH (r:Room) RETURN avg(r.t) AS t, count(r) AS n"}, nil); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < c.rooms+c.updates; i++ {
				ch := engine.Change{Op: engine.OpUpdate, Time: start.Add(time.Duration(i) * time.Second), Element: engine.Element{
					ID: fmt.Sprintf("room-%d", i%c.rooms), Labels: []string{"Room"}, Props: map[string]value.Value{"t": value.Int(int64(i))}}}
				if _, _, err := h.Apply([]engine.Batch{{Source: "s", Changes: []engine.Change{ch}, Position: []byte{byte(i)}}}); err != nil {
					t.Fatal(err)
				}
			}
			if got := st.Snapshots(); got != c.wantSnaps {
				t.Fatalf("%d snapshots, want %d", got, c.wantSnaps)
			}
			want := h.Engine().Query("avg").Results()
			st.Close()
			st, err = store.Open(dir, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			h, err = Open(Options{Log: st})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := h.RestoredSnapshot(); ok != c.wantRestoredSnapshot || h.Replayed() > c.wantReplayedAtMost {
				t.Fatalf("reopen: snapshot restored %v, %d records replayed", ok, h.Replayed())
			}
			got := h.Engine().Query("avg").Results()
			if len(got) != 1 || !value.Identical(got[0][0], want[0][0]) || !value.Identical(got[0][1], want[0][1]) {
				t.Fatalf("results after reopen %v, want %v", got, want)
			}
		})
	}
}

// TestSnapshotOfUnchangedStateIsSkipped: a clean stop right after a
// snapshot, or after a restart that changed nothing, does not encode and
// write the same state again.
func TestSnapshotOfUnchangedStateIsSkipped(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := Open(Options{Log: st, Start: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.AddQuery(engine.QuerySpec{ID: "q", Text: "MATCH (n) RETURN count(n) AS c"}, nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := h.Snapshot(); err != nil {
			t.Fatal(err)
		}
	}
	if n := st.Snapshots(); n != 1 {
		t.Fatalf("%d snapshots of one state, want 1", n)
	}
	st.Close()
	st, err = store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if h, err = Open(Options{Log: st}); err != nil {
		t.Fatal(err)
	}
	if err := h.Snapshot(); err != nil || st.Snapshots() != 0 {
		t.Fatalf("snapshot after a restart that changed nothing: %v, %d written", err, st.Snapshots())
	}
	if _, _, err := h.Apply([]engine.Batch{{Source: "s", Changes: []engine.Change{{Op: engine.OpInsert, Element: engine.Element{ID: "a", Labels: []string{"A"}}}}}}); err != nil {
		t.Fatal(err)
	}
	if err := h.Snapshot(); err != nil || st.Snapshots() != 1 {
		t.Fatalf("snapshot after a change: %v, %d written", err, st.Snapshots())
	}
}
