package durable

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/store"
)

// logKind is one store.Log implementation the host suite runs on: a fresh
// log, and the same log as a restart finds it.
type logKind struct {
	name   string
	open   func(t *testing.T) store.Log
	reopen func(t *testing.T, l store.Log) store.Log
}

func logKinds() []logKind {
	return []logKind{
		{"memory",
			func(*testing.T) store.Log { return store.NewMemory(true) },
			func(_ *testing.T, l store.Log) store.Log { return l }},
		{"badger",
			func(t *testing.T) store.Log {
				s, err := store.Open(filepath.Join(t.TempDir(), "data"), store.Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			},
			func(t *testing.T, l store.Log) store.Log {
				s := l.(*store.Store)
				s.Close()
				s, err := store.Open(s.Path(), store.Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			}},
	}
}

// dyingLog is a log killed at its n-th commit: that commit and every later
// one fail without storing anything, as if the process died before the
// transaction landed. Whatever the host did in memory after that is lost
// with the process; only what the log holds survives the restart.
type dyingLog struct {
	store.Log
	commits, dieAt int
}

var errKilled = errors.New("killed")

func (d *dyingLog) Commit(st *store.Step) error {
	d.commits++
	if d.commits >= d.dieAt {
		return errKilled
	}
	return d.Log.Commit(st)
}

// A query that fails during a step gets its stopped event in the same
// commit as the step: wherever the process is killed, a restarted host
// whose query is in error finds the stopped event in its stream, and a
// stream never says stopped for a query that is still running. (Before,
// the server appended the event in a commit of its own after the step, and
// a kill between the two lost it.)
func TestKillBetweenStepAndControlEventLosesNothing(t *testing.T) {
	start := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	spec := engine.QuerySpec{ID: "ratio", Text: "MATCH (n:A) RETURN n.id AS id, 100 / n.d AS r"}
	ok := engine.QuerySpec{ID: "count", Text: "MATCH (n:A) RETURN count(n) AS c"}
	node := func(id string, d int64) engine.Change {
		return engine.Change{Op: engine.OpInsert, Time: start, Element: engine.Element{ID: id, Labels: []string{"A"},
			Props: map[string]value.Value{"id": value.Str(id), "d": value.Int(d)}}}
	}
	// Commits: start record, two registrations, then the steps; the third
	// step divides by zero and stops "ratio".
	steps := [][]engine.Change{{node("a", 1)}, {node("b", 2)}, {node("z", 0)}, {node("c", 4)}}
	const commits = 3 + 4
	for _, lk := range logKinds() {
		for dieAt := 1; dieAt <= commits+1; dieAt++ {
			t.Run(fmt.Sprintf("%s/kill-at-commit-%d", lk.name, dieAt), func(t *testing.T) {
				base := lk.open(t)
				log := &dyingLog{Log: base, dieAt: dieAt}
				h, err := Open(Options{Log: log, Start: start})
				if err == nil {
					for _, s := range []engine.QuerySpec{spec, ok} {
						if _, _, err = h.AddQuery(s, nil); err != nil {
							break
						}
					}
				}
				for i := 0; err == nil && i < len(steps); i++ {
					_, _, err = h.Apply([]engine.Batch{{Source: "s", Changes: steps[i], Position: []byte{byte(i + 1)}, Time: start}})
				}
				if dieAt <= commits && !errors.Is(err, errKilled) {
					t.Fatalf("the kill at commit %d was not seen: %v", dieAt, err)
				}
				// Restart on what the log holds.
				h2, err := Open(Options{Log: lk.reopen(t, base)})
				if err != nil {
					t.Fatal(err)
				}
				q := h2.Engine().Query("ratio")
				stream := events(t, h2.Outbox(), "ratio")
				stopped := strings.Contains(stream, `"stopped"`)
				switch {
				case q == nil && stopped:
					t.Fatalf("no query, but its stream says stopped: %s", stream)
				case q != nil && (q.Err() != nil) != stopped:
					t.Fatalf("query error %v, stream %s", q.Err(), stream)
				case stopped && !strings.Contains(stream, "division by zero"):
					t.Fatalf("the stopped event lacks its reason: %s", stream)
				}
				if dieAt > commits && !stopped {
					t.Fatalf("a run that was never killed has no stopped event: %s", stream)
				}
				// The other query was not stopped and says nothing of it.
				if s := events(t, h2.Outbox(), "count"); strings.Contains(s, `"stopped"`) {
					t.Fatalf("the healthy query's stream: %s", s)
				}
				// Restarting again adds no second stopped event.
				h3, err := Open(Options{Log: lk.reopen(t, h2.Log())})
				if err != nil {
					t.Fatal(err)
				}
				if _, _, err := h3.Apply([]engine.Batch{{Source: "s", Changes: []engine.Change{node("d", 5)}, Time: start}}); err != nil {
					t.Fatal(err)
				}
				if again := events(t, h3.Outbox(), "ratio"); strings.Count(again, `"stopped"`) != strings.Count(stream, `"stopped"`) {
					t.Fatalf("stopped again after a restart:\n%s\nwas\n%s", again, stream)
				}
			})
		}
	}
}

// events is a query's stream as stored: one JSON event per line.
func events(t *testing.T, ob outbox.Outbox, q string) string {
	t.Helper()
	recs, err := ob.ReadFrom(q, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range recs {
		if !json.Valid(r.Data) {
			t.Fatalf("event %d is not JSON: %s", r.Seq, r.Data)
		}
		b.Write(r.Data)
		b.WriteByte('\n')
	}
	return b.String()
}

// A host reopened on its log holds the results, streams, checkpoints and
// cursors it had, on either log.
func TestRestartOnEitherLog(t *testing.T) {
	start := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	for _, lk := range logKinds() {
		t.Run(lk.name, func(t *testing.T) {
			base := lk.open(t)
			h, err := Open(Options{Log: base, Start: start, SnapshotEvery: 3, SnapshotPerElement: -1})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := h.AddQuery(engine.QuerySpec{ID: "sum", Text: "MATCH (n:A) RETURN sum(n.v) AS s"}, nil); err != nil {
				t.Fatal(err)
			}
			for i := 1; i <= 10; i++ {
				ch := engine.Change{Op: engine.OpInsert, Time: start, Element: engine.Element{ID: fmt.Sprint(i), Labels: []string{"A"},
					Props: map[string]value.Value{"v": value.Int(int64(i))}}}
				if _, _, err := h.Apply([]engine.Batch{{Source: "s", Changes: []engine.Change{ch}, Position: []byte(fmt.Sprint(i))}}); err != nil {
					t.Fatal(err)
				}
			}
			if err := h.SetCursor("hook", "sum", 4); err != nil {
				t.Fatal(err)
			}
			before := events(t, h.Outbox(), "sum")
			h2, err := Open(Options{Log: lk.reopen(t, base)})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := h2.RestoredSnapshot(); !ok {
				t.Fatal("no snapshot restored")
			}
			if got := h2.Engine().Query("sum").Results(); len(got) != 1 || got[0][0].AsInt() != 55 {
				t.Fatalf("restored result %v", got)
			}
			if after := events(t, h2.Outbox(), "sum"); after != before {
				t.Fatalf("stream changed across the restart:\n%s\nwas\n%s", after, before)
			}
			if cp, _ := h2.Checkpoint("s"); string(cp) != "10" {
				t.Fatalf("checkpoint %q", cp)
			}
			if c, _ := h2.Cursor("hook", "sum"); c != 4 {
				t.Fatalf("cursor %d", c)
			}
		})
	}
}

// A replacement that does not compile removes the old definition and says
// so in its stream (the old rows retracted, stopped with the error) in one
// commit: wherever the process is killed, a restarted host either still
// has the old query or has a stream that ends stopped.
func TestKillAroundAFailedReplacementLosesNothing(t *testing.T) {
	start := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	good := engine.QuerySpec{ID: "q", Text: "MATCH (n:A) RETURN n.id AS id"}
	bad := engine.QuerySpec{ID: "q", Text: "MATCH (n:A) RETURN n.id AS"}
	add := engine.Change{Op: engine.OpInsert, Time: start, Element: engine.Element{ID: "a", Labels: []string{"A"},
		Props: map[string]value.Value{"id": value.Str("a")}}}
	const commits = 4 // start, registration, one batch, the failed replacement
	for _, lk := range logKinds() {
		for dieAt := 1; dieAt <= commits+1; dieAt++ {
			t.Run(fmt.Sprintf("%s/kill-at-commit-%d", lk.name, dieAt), func(t *testing.T) {
				base := lk.open(t)
				h, err := Open(Options{Log: &dyingLog{Log: base, dieAt: dieAt}, Start: start})
				if err == nil {
					_, _, err = h.AddQuery(good, nil)
				}
				if err == nil {
					_, _, err = h.Apply([]engine.Batch{{Source: "s", Changes: []engine.Change{add}, Time: start}})
				}
				if err == nil {
					var rows []engine.Row
					cols := h.Columns(h.Engine().Query("q"))
					rows = h.Engine().Query("q").Results()
					_, err = h.ReplaceQuery(bad, nil, func(cerr error) []*outbox.Event {
						return []*outbox.Event{
							{Kind: outbox.KindChange, Deleted: rows, DeletedColumns: cols},
							outbox.Control("q", outbox.SignalStopped, cerr.Error(), start),
						}
					})
					if err == nil {
						t.Fatal("the replacement compiled")
					}
				}
				h2, err := Open(Options{Log: lk.reopen(t, base)})
				if err != nil {
					t.Fatal(err)
				}
				stream := events(t, h2.Outbox(), "q")
				stopped := strings.Contains(stream, `"stopped"`)
				q := h2.Engine().Query("q")
				switch {
				case q == nil && stream != "" && !stopped:
					t.Fatalf("the old definition is gone but its stream does not say so:\n%s", stream)
				case q != nil && stopped:
					t.Fatalf("the old definition runs but its stream says stopped:\n%s", stream)
				case stopped && !strings.Contains(stream, `"deletedResults":[{"id":"a"}]`):
					t.Fatalf("the stopped stream did not retract the old rows:\n%s", stream)
				}
				if dieAt > commits && (q != nil || !stopped) {
					t.Fatalf("an uninterrupted run: query %v, stream\n%s", q != nil, stream)
				}
			})
		}
	}
}
