package durable

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine"
	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/internal/sharedtest"
	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/store"
)

// The crash test's queries: a filter, a join with a grouped aggregate, and
// the temporal kinds whose state lives in futures and windows.
var crashQueries = []engine.QuerySpec{
	{ID: "busy", Text: `MATCH (a:Agent) WHERE a.errors > 3 RETURN a.name AS name, a.errors AS errors`},
	{ID: "calls", Text: `MATCH (a:Agent)-[:MADE]->(c:Call) RETURN a.name AS name, count(c) AS calls, max(c.cost) AS top`},
	{ID: "silent", Text: `MATCH (a:Agent)
		WHERE drasi.trueLater(a.seen <= datetime.realtime() - duration({seconds: 30}), a.seen + duration({seconds: 30}))
		RETURN a.name AS name`},
	{ID: "failing", Text: `MATCH (a:Agent) WHERE drasi.trueFor(a.errors > 2, duration({seconds: 20})) RETURN a.name AS name`},
	{ID: "denies", Text: `MATCH (c:Call) WHERE c.verdict = 'deny'
		RETURN c.agent AS agent, drasi.slidingWindow(duration({seconds: 40}), count(c)) AS denies`},
}

// crashStep is one step of the generated workload: a source batch (with
// the position after it) or a clock move.
type crashStep struct {
	changes []engine.Change
	clock   time.Time
}

var crashStart = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// crashWorkload generates the same steps for the same seed: agents whose
// error counts and heartbeats change, calls they make (allowed or denied),
// deletes, and clock moves that let futures and windows fire.
func crashWorkload(seed int64, steps int) []crashStep {
	rng := rand.New(rand.NewSource(seed))
	now := crashStart
	var out []crashStep
	calls := 0
	var live []int
	for len(out) < steps {
		if rng.Intn(8) == 0 {
			now = now.Add(time.Duration(rng.Intn(60_000)) * time.Millisecond)
			out = append(out, crashStep{clock: now})
			continue
		}
		n := 1 + rng.Intn(12)
		var chs []engine.Change
		for i := 0; i < n; i++ {
			now = now.Add(time.Duration(rng.Intn(800)) * time.Millisecond)
			a := rng.Intn(25)
			aid := fmt.Sprintf("agent-%d", a)
			switch r := rng.Intn(10); {
			case r < 4:
				chs = append(chs, engine.Change{Op: engine.OpUpdate, Time: now, Element: engine.Element{
					ID: aid, Labels: []string{"Agent"},
					Props: map[string]value.Value{
						"name": value.Str(aid), "errors": value.Int(int64(rng.Intn(7))),
						"seen": value.NewDateTime(now, "UTC"),
					}}})
			case r < 8:
				calls++
				cid := fmt.Sprintf("call-%d", calls)
				verdict := "allow"
				if rng.Intn(3) == 0 {
					verdict = "deny"
				}
				chs = append(chs,
					engine.Change{Op: engine.OpInsert, Time: now, Element: engine.Element{ID: cid, Labels: []string{"Call"},
						Props: map[string]value.Value{"agent": value.Str(aid), "verdict": value.Str(verdict), "cost": value.Float(float64(rng.Intn(1000)) / 10)}}},
					engine.Change{Op: engine.OpInsert, Time: now, Element: engine.Element{ID: "made-" + cid, Type: "MADE", From: aid, To: cid}})
				live = append(live, calls)
			default:
				if len(live) == 0 {
					continue
				}
				k := rng.Intn(len(live))
				chs = append(chs, engine.Change{Op: engine.OpDelete, Time: now, Element: engine.Element{ID: fmt.Sprintf("call-%d", live[k])}})
				live = append(live[:k], live[k+1:]...)
			}
		}
		if len(chs) > 0 {
			out = append(out, crashStep{changes: chs})
		}
	}
	return out
}

// runWorkload opens the host on dir (memory when dir is ""), registers the
// queries and runs the workload from the source's checkpoint to the end.
func runWorkload(dir string, seed int64, steps, snapEvery int) (*Host, error) {
	var log store.Log // nil: memory
	if dir != "" {
		st, err := store.Open(dir, store.Options{})
		if err != nil {
			return nil, err
		}
		log = st
	}
	h, err := Open(Options{Log: log, Start: crashStart, SnapshotEvery: snapEvery, SnapshotPerElement: -1})
	if err != nil {
		return nil, err
	}
	for _, q := range crashQueries {
		if _, _, err := h.AddQuery(q, nil); err != nil {
			return nil, err
		}
	}
	from := 0
	if cp, err := h.Checkpoint("gen"); err != nil {
		return nil, err
	} else if cp != nil {
		from = int(binary.BigEndian.Uint64(cp))
	}
	for i, s := range crashWorkload(seed, steps)[from:] {
		pos := binary.BigEndian.AppendUint64(nil, uint64(from+i+1))
		if s.changes == nil {
			// A clock move: repeating it after a restart fires nothing that
			// already fired, so it needs no position of its own.
			if _, err := h.AdvanceTo(s.clock); err != nil {
				return nil, err
			}
			continue
		}
		b := engine.Batch{Source: "gen", Changes: s.changes, Position: pos, Time: s.changes[len(s.changes)-1].Time}
		if _, errs, err := h.Apply([]engine.Batch{b}); err != nil || errs != nil {
			return nil, fmt.Errorf("%v %v", err, errs)
		}
	}
	return h, nil
}

// TestMain lets the crash test re-run this binary as the child process.
func TestMain(m *testing.M) {
	if dir := os.Getenv("VIGIL_CRASH_CHILD"); dir != "" {
		seed, _ := strconv.ParseInt(os.Getenv("VIGIL_CRASH_SEED"), 10, 64)
		steps, _ := strconv.Atoi(os.Getenv("VIGIL_CRASH_STEPS"))
		snapEvery, _ := strconv.Atoi(os.Getenv("VIGIL_CRASH_SNAPSHOT_EVERY"))
		h, err := runWorkload(dir, seed, steps, snapEvery)
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(3)
		}
		h.log.Close()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// normalizedEvents reads every event of a query as decoded JSON with the
// rows of each list sorted, since the order of rows within one event is not
// part of its meaning.
func normalizedEvents(t *testing.T, h *Host, q string) []map[string]any {
	t.Helper()
	recs, err := h.Outbox().ReadFrom(q, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]map[string]any, 0, len(recs))
	for i, r := range recs {
		if r.Seq != uint64(i+1) {
			t.Fatalf("query %s: event %d has sequence %d", q, i+1, r.Seq)
		}
		var m map[string]any
		if err := json.Unmarshal(r.Data, &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"addedResults", "deletedResults", "updatedResults"} {
			l, _ := m[k].([]any)
			sort.Slice(l, func(i, j int) bool {
				a, _ := json.Marshal(l[i])
				b, _ := json.Marshal(l[j])
				return string(a) < string(b)
			})
		}
		out = append(out, m)
	}
	return out
}

func sortedResults(q *engine.Query) []string {
	var out []string
	for _, r := range q.Results() {
		b, _ := json.Marshal(outbox.RowMap(r, q.Columns()))
		out = append(out, string(b))
	}
	sort.Strings(out)
	return out
}

// TestCrashRestart kills a child process applying the workload in durable
// mode at random moments, restarts it each time, and requires the final
// outbox and results to equal those of one uninterrupted run: once with the
// whole log replayed at every start, and once with engine snapshots every
// few hundred changes, so that kills land while a snapshot is written and
// restarts restore a snapshot and replay the log after it.
func TestCrashRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test runs a child process 20+ times; skipped with -short")
	}
	for _, c := range []struct {
		name      string
		snapEvery int
	}{{"log-only", -1}, {"snapshots", 400}} {
		t.Run(c.name, func(t *testing.T) { crashRestart(t, c.snapEvery) })
	}
}

// crashChildLimit bounds each run of the whole workload: the child that is
// not killed, the reference run and the final replay.
const crashChildLimit = 2 * time.Minute

func crashRestart(t *testing.T, snapEvery int) {
	seed := sharedtest.Seed(t)
	const steps = 4000
	var ref *Host
	var err error
	began := time.Now()
	sharedtest.Within(t, crashChildLimit, "the uninterrupted reference run", func() { ref, err = runWorkload("", seed, steps, 0) })
	if err != nil {
		t.Fatal(err)
	}
	// A child lives a random share of the uninterrupted run (up to a
	// fifteenth, after 30 ms to start), so that twenty kills land before
	// the workload is done however fast this machine runs it: a fixed
	// range let a faster engine finish after nine.
	whole := time.Since(began)
	life := max(whole/15, 20*time.Millisecond)
	t.Logf("uninterrupted run %v; children live 30 ms + up to %v", whole.Round(time.Millisecond), life.Round(time.Millisecond))

	dir := filepath.Join(t.TempDir(), "store")
	rng := rand.New(rand.NewSource(seed))
	kills := 0
	for attempt := 0; attempt < 200; attempt++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "VIGIL_CRASH_CHILD="+dir, "VIGIL_CRASH_SEED="+strconv.FormatInt(seed, 10), "VIGIL_CRASH_STEPS="+strconv.Itoa(steps),
			"VIGIL_CRASH_SNAPSHOT_EVERY="+strconv.Itoa(snapEvery))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		finished := false
		if kills < 20 {
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("child failed: %v", err)
				}
				finished = true
			case <-time.After(30*time.Millisecond + time.Duration(rng.Int63n(int64(life)))):
				cmd.Process.Signal(syscall.SIGKILL)
				<-done
				kills++
			}
		} else {
			// The last child runs to the end: a child stuck in a loop
			// (a future that fires again and again) must fail the test,
			// not keep it waiting until go test's timeout. The whole
			// workload takes seconds, under -race too.
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("child failed: %v", err)
				}
			case <-time.After(crashChildLimit):
				cmd.Process.Signal(syscall.SIGKILL)
				<-done
				t.Fatalf("the child did not finish the workload within %v of its last restart", crashChildLimit)
			}
			finished = true
		}
		if finished {
			break
		}
	}
	t.Logf("child killed %d times", kills)
	if kills < 20 {
		t.Fatalf("only %d kills landed before the child finished; make the workload longer", kills)
	}

	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var got *Host
	sharedtest.Within(t, crashChildLimit, "the final Open (restore and replay)", func() {
		got, err = Open(Options{Log: st, SnapshotEvery: snapEvery, SnapshotPerElement: -1})
	})
	if err != nil {
		t.Fatal(err)
	}
	at, restored := got.RestoredSnapshot()
	t.Logf("final open: snapshot restored %v (through log record %d), %d log records replayed", restored, at, got.Replayed())
	if snapEvery > 0 && (!restored || got.Replayed() > uint64(snapEvery)) {
		t.Fatalf("with snapshots every %d changes the final open restored %v and replayed %d records", snapEvery, restored, got.Replayed())
	}
	lastBatch := 0
	for i, s := range crashWorkload(seed, steps) {
		if s.changes != nil {
			lastBatch = i + 1
		}
	}
	if cp, _ := got.Checkpoint("gen"); len(cp) != 8 || binary.BigEndian.Uint64(cp) != uint64(lastBatch) {
		t.Fatalf("checkpoint %x, want step %d", cp, lastBatch)
	}
	for _, q := range crashQueries {
		want, have := normalizedEvents(t, ref, q.ID), normalizedEvents(t, got, q.ID)
		if len(want) == 0 {
			t.Fatalf("query %s emitted nothing in the reference run: the workload does not exercise it", q.ID)
		}
		if len(want) != len(have) {
			t.Fatalf("query %s: %d events after crashes, %d uninterrupted", q.ID, len(have), len(want))
		}
		for i := range want {
			if !reflect.DeepEqual(want[i], have[i]) {
				t.Fatalf("query %s event %d differs:\n crashed:       %v\n uninterrupted: %v", q.ID, i+1, have[i], want[i])
			}
		}
		if a, b := sortedResults(ref.Engine().Query(q.ID)), sortedResults(got.Engine().Query(q.ID)); !reflect.DeepEqual(a, b) {
			t.Fatalf("query %s: results differ:\n crashed:       %v\n uninterrupted: %v", q.ID, b, a)
		}
		t.Logf("query %s: %d events, %d rows agree", q.ID, len(want), len(sortedResults(ref.Engine().Query(q.ID))))
	}
}
