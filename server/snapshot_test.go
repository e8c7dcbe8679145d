package server

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/vigilhq/vigil/durable"
	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/store"
)

// TestCloseTakesNoSnapshotWhenDisabled: SnapshotEvery < 0 means never
// snapshot, not even at a clean stop (a snapshot deletes the log).
func TestCloseTakesNoSnapshotWhenDisabled(t *testing.T) {
	dir := t.TempDir()
	s, hs := startDurable(t, dir, sourceAndQuery("MATCH (a:Agent) RETURN a.name AS name"), Options{SnapshotEvery: -1})
	stopServer(t, s, hs) // closes the store too
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, at, ok, err := st.Snapshot()
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if ok {
		t.Fatalf("snapshots are disabled (SnapshotEvery -1), but Close wrote one (including log record %d) and deleted the log it includes", at)
	}
}

// TestUnrestorableQueryRetractsItsStoredRows: a query the snapshot restore
// skips because its stored state does not fit this build's plan still
// compiles, so its resource registers it again; the registration must
// retract the rows its stream's readers hold (the result as stored) as it
// adds its own, so that folding the stream from sequence 1 gives the result.
func TestUnrestorableQueryRetractsItsStoredRows(t *testing.T) {
	dir := t.TempDir()
	const text = "MATCH (a:Agent) RETURN a.name AS name"
	start := func() (*Server, *httptest.Server) { return startDurable(t, dir, sourceAndQuery(text), Options{}) }
	s, hs := start()
	post(t, hs, agent("a1", `{"name":"x"}`))
	stopServer(t, s, hs)

	// Rewrite the snapshot with q's state section not matching the plan.
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := durable.Open(durable.Options{Log: st})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.Apply([]engine.Batch{{Source: "other", Changes: []engine.Change{{Op: engine.OpInsert, Element: engine.Element{ID: "z", Labels: []string{"Other"}}}}}}); err != nil {
		t.Fatal(err)
	}
	snap, err := h.Engine().Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(snap, []byte(text))
	if i < 0 {
		t.Fatal("query text not found in the snapshot")
	}
	// As if the planner had changed: the stored text now compiles to other
	// stages than the stored state holds (same length, so that the
	// snapshot stays well-formed).
	other := "MATCH (a) RETURN DISTINCT a.name AS x"
	if len(other) != len(text) {
		t.Fatal("replacement text must have the original's length")
	}
	copy(snap[i:], other)
	if err := st.WriteSnapshot(st.LogSeq(), snap); err != nil {
		t.Fatal(err)
	}
	st.Close()

	s, hs = start()
	defer stopServer(t, s, hs)
	folded := map[string]int{}
	recs, err := s.out.ReadFrom("q", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		var e map[string]any
		if err := json.Unmarshal(r.Data, &e); err != nil {
			t.Fatal(err)
		}
		if e["kind"] != "change" {
			continue
		}
		for _, k := range []string{"deletedResults", "addedResults"} {
			l, _ := e[k].([]any)
			for _, x := range l {
				b, _ := json.Marshal(x)
				if k == "deletedResults" {
					folded[string(b)]--
				} else {
					folded[string(b)]++
				}
			}
		}
	}
	if len(s.host.Warnings()) == 0 {
		t.Fatal("the damaged query was restored: the test exercises nothing")
	}
	if got := folded[`{"name":"x"}`]; got != 1 {
		t.Fatalf("warnings at restart: %v\nq's stream folds to %v: row {name:x} counted %d times, the result holds it once", s.host.Warnings(), folded, got)
	}
}
