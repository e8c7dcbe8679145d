package durable

import (
	"reflect"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/store"
)

func TestRecordRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 123, time.UTC)
	batch, err := encodeBatch([][]engine.Change{{
		{Op: engine.OpInsert, Source: "pg", Time: at, Element: engine.Element{ID: "n1", Labels: []string{"A", "B"},
			Props: map[string]value.Value{"x": value.Int(1), "when": value.NewDateTime(at, "Europe/Berlin")}}},
		{Op: engine.OpInsert, Time: at, Element: engine.Element{ID: "r1", Type: "T", From: "n1", To: "n1"}},
		{Op: engine.OpDelete, Time: at, Element: engine.Element{ID: "n1"}},
	}, {}}, map[string][]byte{"pg": {1, 2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	add, err := encodeAdd(engine.QuerySpec{ID: "q", Text: "MATCH (n) RETURN n", Language: "gql",
		Joins:  []engine.Join{{ID: "J", Keys: []engine.JoinKey{{Label: "A", Property: "k"}, {Label: "B", Property: "k"}}}},
		Params: map[string]value.Value{"p": value.Str("v")}})
	if err != nil {
		t.Fatal(err)
	}
	subscribed, err := encodeAdd(engine.QuerySpec{ID: "q2", Text: "MATCH (n) RETURN n",
		Subscriptions: []engine.Subscription{{Source: "s1", Nodes: []string{"A", "B"}}, {Source: "s2", Relations: []string{"R"}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range [][]byte{batch, add, subscribed, encodeClock(at), encodeStart(at), encodeRemove("q")} {
		r, err := decodeRecord(b)
		if err != nil {
			t.Fatalf("%q: %v", b[0], err)
		}
		// Re-encoding the decoded record gives the same bytes.
		var again []byte
		switch r.kind {
		case recBatch:
			again, _ = encodeBatch(r.batches, r.checkpoints)
		case recAdd:
			again, _ = encodeAdd(r.spec)
		case recClock:
			again = encodeClock(r.time)
		case recStart:
			again = encodeStart(r.time)
		case recRemove:
			again = encodeRemove(r.queryID)
		}
		if !reflect.DeepEqual(again, b) {
			t.Fatalf("record %q does not round-trip", b[0])
		}
		for i := 0; i < len(b); i++ {
			if _, err := decodeRecord(b[:i]); err == nil {
				t.Fatalf("record %q: prefix of %d bytes decoded", b[0], i)
			}
		}
	}
}

func TestHostReopenKeepsState(t *testing.T) {
	// Covered end to end by TestCrashRestart; this checks the plain path:
	// a clean close and reopen replays to the same results and numbering.
	dir := t.TempDir()
	h, err := runWorkload(dir, 7, 300, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for _, q := range crashQueries {
		want[q.ID] = sortedResults(h.Engine().Query(q.ID))
	}
	_, lastBefore := h.Outbox().Bounds("calls")
	h.log.Close()
	h2, err := runWorkload(dir, 7, 300, 0) // resumes at the checkpoint: nothing left to do
	if err != nil {
		t.Fatal(err)
	}
	defer h2.log.Close()
	if h2.Replayed() == 0 {
		t.Fatal("nothing replayed")
	}
	for _, q := range crashQueries {
		if got := sortedResults(h2.Engine().Query(q.ID)); !reflect.DeepEqual(got, want[q.ID]) {
			t.Fatalf("query %s after reopen: %v, want %v", q.ID, got, want[q.ID])
		}
	}
	if _, last := h2.Outbox().Bounds("calls"); last != lastBefore {
		t.Fatalf("outbox of calls ends at %d after reopen, %d before", last, lastBefore)
	}
}

// A logged query that no longer compiles is skipped with a warning; the
// rest of the log replays.
func TestReplaySkipsQueryThatNoLongerCompiles(t *testing.T) {
	dir := t.TempDir()
	h, err := runWorkload(dir, 3, 50, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := sortedResults(h.Engine().Query("busy"))
	// Append a registration this build cannot compile, as a log written by
	// another version might hold.
	rec, _ := encodeAdd(engine.QuerySpec{ID: "broken", Text: "MATCH (n RETURN n"})
	if err := h.log.Commit(&store.Step{Record: rec}); err != nil {
		t.Fatal(err)
	}
	h.log.Close()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h2, err := Open(Options{Log: st})
	if err != nil {
		t.Fatalf("replay failed on a query that no longer compiles: %v", err)
	}
	if len(h2.Warnings()) != 1 || h2.Engine().Query("broken") != nil {
		t.Fatalf("warnings %v", h2.Warnings())
	}
	if got := sortedResults(h2.Engine().Query("busy")); !reflect.DeepEqual(got, want) {
		t.Fatalf("busy after replay: %v, want %v", got, want)
	}
}

// A batch that fails (a malformed change) does not commit its position.
func TestFailedBatchKeepsItsPositionUncommitted(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h, err := Open(Options{Log: st, Start: crashStart})
	if err != nil {
		t.Fatal(err)
	}
	bad := engine.Batch{Source: "src", Position: []byte("1"), Changes: []engine.Change{{Op: engine.OpInsert, Element: engine.Element{Labels: []string{"A"}}}}}
	if _, errs, err := h.Apply([]engine.Batch{bad}); err != nil || errs == nil || errs[0] == nil {
		t.Fatalf("malformed batch: errs %v, err %v", errs, err)
	}
	if cp, _ := h.Checkpoint("src"); cp != nil {
		t.Fatalf("position %q committed for a failed batch", cp)
	}
	good := engine.Batch{Source: "src", Position: []byte("1"), Changes: []engine.Change{{Op: engine.OpInsert, Element: engine.Element{ID: "a", Labels: []string{"A"}}}}}
	if _, errs, err := h.Apply([]engine.Batch{good}); err != nil || errs != nil {
		t.Fatalf("corrected batch: errs %v, err %v", errs, err)
	}
	if cp, _ := h.Checkpoint("src"); string(cp) != "1" {
		t.Fatalf("position %q after the corrected batch, want 1", cp)
	}
}

// A replaced query replays as its new definition.
func TestReplaceQueryReplays(t *testing.T) {
	dir := t.TempDir()
	open := func() *Host {
		st, err := store.Open(dir, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		h, err := Open(Options{Log: st, Start: crashStart})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	h := open()
	if _, _, err := h.AddQuery(engine.QuerySpec{ID: "q", Text: "MATCH (a:A) RETURN a.x AS x"}, nil); err != nil {
		t.Fatal(err)
	}
	h.Apply([]engine.Batch{{Source: "s", Changes: []engine.Change{{Op: engine.OpInsert, Element: engine.Element{ID: "a", Labels: []string{"A"}, Props: map[string]value.Value{"x": value.Int(1)}}}}}})
	if _, err := h.ReplaceQuery(engine.QuerySpec{ID: "q", Text: "MATCH (a:A) RETURN a.x * 10 AS y"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	h.log.Close()
	h = open()
	defer h.log.Close()
	q := h.Engine().Query("q")
	if q == nil || q.Spec().Text != "MATCH (a:A) RETURN a.x * 10 AS y" || len(q.Results()) != 1 || q.Results()[0][0].AsInt() != 10 {
		t.Fatalf("replayed query %+v", q)
	}
	if len(h.Engine().Queries()) != 1 {
		t.Fatalf("%d queries after replay", len(h.Engine().Queries()))
	}
}
