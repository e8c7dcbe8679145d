// Package storetest is the contract of store.Log as a test suite: every
// implementation (Badger's Store, the in-memory Memory) runs the same
// tests, so the host above them cannot tell which one it has, except that
// only a Store outlives the process.
package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/store"
)

// Opener makes the logs a suite runs on.
type Opener struct {
	// Open returns a new, empty log that keeps its records. The test
	// closes it.
	Open func(t *testing.T) store.Log
	// Reopen returns l as a restart finds it: for a store, closed and
	// opened again from its directory; for memory, the same log.
	Reopen func(t *testing.T, l store.Log) store.Log
}

// Run runs the contract's tests.
func Run(t *testing.T, o Opener) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"StepsAndSequences", stepsAndSequences},
		{"ReopenKeepsEverything", reopenKeepsEverything},
		{"SnapshotForgetsIncludedRecords", snapshotForgetsRecords},
		{"CompactAndDrop", compactAndDrop},
		{"Cursors", cursors},
		{"ReadersDuringCommits", readersDuringCommits},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, o) })
	}
}

var (
	cols     = outbox.NewColumns([]string{"n"})
	testTime = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
)

// Change is a change event of query q adding the row {n: n}.
func Change(q string, n int) *outbox.Event {
	return &outbox.Event{Kind: outbox.KindChange, QueryID: q, SourceTimeMs: int64(n), Columns: cols, Added: []engine.Row{{value.Int(int64(n))}}}
}

// Records lists every log record after `after` as seq:record strings.
func Records(t *testing.T, l store.Log, after uint64) []string {
	t.Helper()
	var out []string
	if err := l.Replay(after, func(seq uint64, rec []byte) error {
		out = append(out, fmt.Sprintf("%d:%s", seq, rec))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// Stream reads every stored event of q, as seq:kind strings.
func Stream(t *testing.T, l store.Log, q string) []string {
	t.Helper()
	recs, err := l.ReadFrom(q, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, fmt.Sprintf("%d:%s", r.Seq, r.Kind))
	}
	return out
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

func commit(t *testing.T, l store.Log, st *store.Step) {
	t.Helper()
	if err := l.Commit(st); err != nil {
		t.Fatal(err)
	}
}

func stepsAndSequences(t *testing.T, o Opener) {
	l := o.Open(t)
	steps := []*store.Step{
		{Record: []byte("r1"), Events: []*outbox.Event{Change("a", 1), Change("b", 1), Change("a", 2)}, Checkpoints: map[string][]byte{"src": []byte("p1")}},
		// Events alone (a control event): no record, no log sequence.
		{Events: []*outbox.Event{outbox.Control("a", outbox.SignalRunning, "", testTime)}},
		{Record: []byte("r3"), Events: []*outbox.Event{Change("b", 2)}, Checkpoints: map[string][]byte{"src": []byte("p3"), "other": []byte("x")}},
		// A record alone (a clock move that fired nothing visible).
		{Record: []byte("r4")},
	}
	for _, st := range steps {
		commit(t, l, st)
	}
	if got := []uint64{steps[0].Events[0].Sequence, steps[0].Events[1].Sequence, steps[0].Events[2].Sequence, steps[1].Events[0].Sequence, steps[2].Events[0].Sequence}; fmt.Sprint(got) != "[1 1 2 3 2]" {
		t.Fatalf("sequences set on the events: %v", got)
	}
	equal(t, "stream a", Stream(t, l, "a"), []string{"1:change", "2:change", "3:control"})
	equal(t, "stream b", Stream(t, l, "b"), []string{"1:change", "2:change"})
	equal(t, "records", Records(t, l, 0), []string{"1:r1", "2:r3", "3:r4"})
	equal(t, "records after 2", Records(t, l, 2), []string{"3:r4"})
	if l.LogSeq() != 3 {
		t.Fatalf("LogSeq %d, want 3", l.LogSeq())
	}
	if cp, _ := l.Checkpoint("src"); string(cp) != "p3" {
		t.Fatalf("checkpoint %q", cp)
	}
	if cp, _ := l.Checkpoint("nobody"); cp != nil {
		t.Fatalf("checkpoint of an unknown source %q", cp)
	}
	if f, last := l.Bounds("a"); f != 1 || last != 3 {
		t.Fatalf("bounds of a: %d %d", f, last)
	}
	// Reads are bounded and start after the position given.
	recs, err := l.ReadFrom("a", 1, 1)
	if err != nil || len(recs) != 1 || recs[0].Seq != 2 {
		t.Fatalf("ReadFrom(a, 1, 1) = %v, %v", recs, err)
	}
	want := Change("a", 2)
	want.Sequence = 2
	if !bytes.Equal(recs[0].Data, want.AppendJSON(nil)) {
		t.Fatalf("stored bytes %s, want %s", recs[0].Data, want.AppendJSON(nil))
	}
	if recs, err := l.ReadFrom("a", 3, 0); err != nil || len(recs) != 0 {
		t.Fatalf("ReadFrom at the end = %v, %v", recs, err)
	}
	if recs, err := l.ReadFrom("unknown", 0, 0); err != nil || len(recs) != 0 {
		t.Fatalf("ReadFrom of an unknown query = %v, %v", recs, err)
	}
	// Append is a step of one event.
	if seq, err := l.Append("b", Change("b", 3)); err != nil || seq != 3 {
		t.Fatalf("Append = %d, %v", seq, err)
	}
	l.Close()
}

func reopenKeepsEverything(t *testing.T, o Opener) {
	l := o.Open(t)
	commit(t, l, &store.Step{Record: []byte("r1"), Events: []*outbox.Event{Change("a", 1)}, Checkpoints: map[string][]byte{"src": []byte("p1")}})
	if err := l.SetCursor("hook\x00a", 1); err != nil {
		t.Fatal(err)
	}
	l = o.Reopen(t, l)
	equal(t, "records", Records(t, l, 0), []string{"1:r1"})
	equal(t, "stream", Stream(t, l, "a"), []string{"1:change"})
	if cp, _ := l.Checkpoint("src"); string(cp) != "p1" {
		t.Fatalf("checkpoint %q", cp)
	}
	if c, _ := l.Cursor("hook\x00a"); c != 1 {
		t.Fatalf("cursor %d", c)
	}
	// Numbering continues.
	ev := Change("a", 2)
	commit(t, l, &store.Step{Record: []byte("r2"), Events: []*outbox.Event{ev}})
	if ev.Sequence != 2 || l.LogSeq() != 2 {
		t.Fatalf("after reopening: event %d, log %d", ev.Sequence, l.LogSeq())
	}
	l.Close()
}

func snapshotForgetsRecords(t *testing.T, o Opener) {
	l := o.Open(t)
	if _, _, ok, err := l.Snapshot(); ok || err != nil {
		t.Fatalf("a new log has a snapshot (%v)", err)
	}
	for i := 1; i <= 3; i++ {
		commit(t, l, &store.Step{Record: []byte(fmt.Sprint("r", i))})
	}
	if err := l.WriteSnapshot(2, []byte("state")); err == nil {
		t.Fatal("a snapshot that is not of the last record was accepted")
	}
	if err := l.WriteSnapshot(3, []byte("state@3")); err != nil {
		t.Fatal(err)
	}
	commit(t, l, &store.Step{Record: []byte("r4")})
	l = o.Reopen(t, l)
	data, at, ok, err := l.Snapshot()
	if err != nil || !ok || at != 3 || string(data) != "state@3" {
		t.Fatalf("Snapshot = %q, %d, %v, %v", data, at, ok, err)
	}
	equal(t, "records after the snapshot", Records(t, l, at), []string{"4:r4"})
	equal(t, "every record left", Records(t, l, 0), []string{"4:r4"})
	if l.LogSeq() != 4 {
		t.Fatalf("LogSeq %d", l.LogSeq())
	}
	l.Close()
}

func compactAndDrop(t *testing.T, o Opener) {
	l := o.Open(t)
	for i := 1; i <= 5; i++ {
		commit(t, l, &store.Step{Events: []*outbox.Event{Change("a", i), Change("ab", i), Change("all", i)}})
	}
	// Compacting a whole stream keeps its numbering across a restart.
	if err := l.Compact("all", 5); err != nil {
		t.Fatal(err)
	}
	if err := l.Compact("a", 2); err != nil {
		t.Fatal(err)
	}
	if f, last := l.Bounds("a"); f != 3 || last != 5 {
		t.Fatalf("bounds after compacting: %d %d", f, last)
	}
	if _, err := l.ReadFrom("a", 1, 0); !errors.Is(err, outbox.ErrCompacted) {
		t.Fatalf("reading compacted events: %v", err)
	}
	if recs, err := l.ReadFrom("a", 2, 0); err != nil || len(recs) != 3 {
		t.Fatalf("reading from the first kept: %v %v", recs, err)
	}
	if err := l.Drop("a"); err != nil {
		t.Fatal(err)
	}
	l = o.Reopen(t, l)
	// A stream dropped and created again continues its numbering, so an
	// old reader's position reads as compacted.
	ev := Change("a", 6)
	commit(t, l, &store.Step{Events: []*outbox.Event{ev}})
	if ev.Sequence != 6 {
		t.Fatalf("after a drop the stream restarts at %d", ev.Sequence)
	}
	if f, last := l.Bounds("all"); f != 0 || last != 5 {
		t.Fatalf("a stream compacted whole: bounds %d %d, want 0 5", f, last)
	}
	if seq, err := l.Append("all", Change("all", 6)); err != nil || seq != 6 {
		t.Fatalf("a stream compacted whole restarts at %d (%v)", seq, err)
	}
	// Dropping a stream leaves the one whose name it prefixes alone.
	equal(t, "stream ab", Stream(t, l, "ab"), []string{"1:change", "2:change", "3:change", "4:change", "5:change"})
	if _, err := l.ReadFrom("a", 2, 0); !errors.Is(err, outbox.ErrCompacted) {
		t.Fatalf("reading dropped events: %v", err)
	}
	l.Close()
}

func cursors(t *testing.T, o Opener) {
	l := o.Open(t)
	if c, err := l.Cursor("r\x00q"); c != 0 || err != nil {
		t.Fatalf("unknown cursor %d %v", c, err)
	}
	for _, seq := range []uint64{5, 7, 1 << 40} {
		if err := l.SetCursor("r\x00q", seq); err != nil {
			t.Fatal(err)
		}
		if c, _ := l.Cursor("r\x00q"); c != seq {
			t.Fatalf("cursor %d, want %d", c, seq)
		}
	}
	if c, _ := l.Cursor("r\x00other"); c != 0 {
		t.Fatalf("cursors share values: %d", c)
	}
	l.Close()
}

// readersDuringCommits reads a stream while steps commit to it, as SSE
// clients and reactions do while the engine loop runs: every read returns
// consecutive sequences going on from where the reader stopped, and the
// reader ends having seen every event exactly once.
func readersDuringCommits(t *testing.T, o Opener) {
	l := o.Open(t)
	defer l.Close()
	const steps = 300
	done := make(chan error, 2)
	for r := 0; r < 2; r++ {
		go func() {
			var after uint64
			for after < 2*steps {
				recs, err := l.ReadFrom("q", after, 7)
				if err != nil {
					done <- err
					return
				}
				for _, rec := range recs {
					if rec.Seq != after+1 {
						done <- fmt.Errorf("read %d after %d", rec.Seq, after)
						return
					}
					after = rec.Seq
				}
			}
			done <- nil
		}()
	}
	for i := 1; i <= steps; i++ {
		commit(t, l, &store.Step{Record: []byte{byte(i)}, Events: []*outbox.Event{Change("q", 2*i-1), Change("q", 2*i)},
			Checkpoints: map[string][]byte{"s": {byte(i)}}})
	}
	for r := 0; r < 2; r++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
