package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/reactions"
	"github.com/vigilhq/vigil/resources"
	"github.com/vigilhq/vigil/store"
)

// A durable server restarted on its store keeps each query's stream (the
// numbering continues, nothing is re-announced) and a webhook resumes after
// the last event it delivered instead of sending everything again.
func TestDurableRestartKeepsStreamsAndWebhookPosition(t *testing.T) {
	var mu sync.Mutex
	var got []string // queryId:sequence of each delivered event
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev map[string]any
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &ev)
		mu.Lock()
		got = append(got, fmt.Sprintf("%v:%v", ev["queryId"], ev["sequence"]))
		mu.Unlock()
	}))
	defer hook.Close()
	res := testResources + fmt.Sprintf(`---
apiVersion: v1
kind: Reaction
name: hook
spec:
  kind: Http
  queries: {agents: }
  properties: {url: %q}
`, hook.URL)
	dir := t.TempDir()
	start := func() (*Server, *httptest.Server) { return startDurable(t, dir, res, Options{}) }
	waitFor := func(n int) []string {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			mu.Lock()
			g := append([]string(nil), got...)
			mu.Unlock()
			if len(g) >= n || time.Now().After(deadline) {
				return g
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	s, hs := start()
	post(t, hs, agent("a1", `{"name":"x"}`))
	post(t, hs, agent("a2", `{"name":"y"}`))
	// Stream of agents: bootstrapStarted, bootstrapCompleted, running, two changes.
	first := waitFor(2)
	// Delivery is at least once: an event delivered but not yet recorded as
	// handled when the server stops is sent again (with the same
	// idempotency key). Stop once the webhook has recorded both.
	ctx := loopCtx(t)
	for deadline := time.Now().Add(5 * time.Second); ; {
		var st reactions.Status
		s.do(ctx, func() { st = s.reactions["hook"].r.Status() })
		if st.Positions["agents"] >= 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the webhook's position on agents is %d after 5s, want 5 (delivered %v)", st.Positions["agents"], first)
		}
		time.Sleep(10 * time.Millisecond)
	}
	stopServer(t, s, hs)
	if len(first) != 2 || first[0] != "agents:4" || first[1] != "agents:5" {
		t.Fatalf("before the restart the webhook got %v, want agents:4 agents:5", first)
	}

	s, hs = start()
	defer stopServer(t, s, hs)
	post(t, hs, agent("a3", `{"name":"z"}`))
	all := waitFor(3)
	time.Sleep(100 * time.Millisecond) // let any wrong re-delivery arrive
	mu.Lock()
	all = append([]string(nil), got...)
	mu.Unlock()
	if len(all) != 3 || all[2] != "agents:6" {
		t.Fatalf("after the restart the webhook got %v, want only agents:6 added", all)
	}
	evs, ids := readEvents(t, hs.URL+"/v1/queries/agents/events", "0", 6)
	if ids[5] != "6" || evs[5]["kind"] != "change" {
		t.Fatalf("stream after restart: ids %v", ids)
	}
}

// Batches that arrive within BatchWait of each other are applied and
// committed as one step: one log record for both.
func TestBatchWaitGroupsSourcesIntoOneStep(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Sources: testSources(), Reactions: testReactions(), Store: st, BatchWait: 200 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	rs, errs := resources.Parse("b.yaml", []byte(`apiVersion: v1
kind: Source
name: s
spec: {kind: HTTP}
---
apiVersion: v1
kind: Source
name: t
spec: {kind: HTTP}
---
apiVersion: v1
kind: ContinuousQuery
name: agents
spec:
  sources: {subscriptions: [{id: s}, {id: t}]}
  query: MATCH (a:Agent) RETURN a.name AS name
`))
	if _, err := s.Apply(loopCtx(t), rs, errs); err != nil {
		t.Fatal(err)
	}
	s.SetReady()
	hs := httptest.NewServer(s.Handler())
	defer stopServer(t, s, hs)
	before := st.LogSeq()
	var wg sync.WaitGroup
	for i, src := range []string{"s", "t"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := testClient.Post(hs.URL+"/v1/sources/"+src+"/events", "application/json",
				strings.NewReader(agent(fmt.Sprintf("a%d", i), `{"name":"x"}`)))
			if err != nil || resp.StatusCode != 200 {
				t.Errorf("post to %s: %v %v", src, err, resp)
				return
			}
			resp.Body.Close()
		}()
	}
	wg.Wait()
	if got := st.LogSeq() - before; got != 1 {
		t.Fatalf("%d log records for two batches within the wait, want 1", got)
	}
	// Each source batch keeps its own change event (its own transaction),
	// both committed in the one step.
	if _, last := s.out.Bounds("agents"); last != 5 {
		t.Fatalf("agents stream ends at %d, want 5 (3 control events, then one change per batch)", last)
	}
}

// A query whose resource changed while the server was down replaces the
// restored one: its old rows are retracted in the stream, the new
// definition runs, and no hidden copy of the old one stays in the engine.
func TestRestartWithChangedQueryReplacesIt(t *testing.T) {
	dir := t.TempDir()
	start := func(query string) (*Server, *httptest.Server) {
		return startDurable(t, dir, sourceAndQuery(query), Options{})
	}
	s, hs := start("MATCH (a:Agent) RETURN a.name AS name")
	post(t, hs, agent("a1", `{"name":"x"}`))
	stopServer(t, s, hs)

	s, hs = start("MATCH (a:Agent) RETURN a.name AS who")
	defer stopServer(t, s, hs)
	if n := len(s.eng.Queries()); n != 1 {
		t.Fatalf("%d queries in the engine, want 1", n)
	}
	post(t, hs, agent("a2", `{"name":"y"}`))
	evs, _ := readEvents(t, hs.URL+"/v1/queries/q/events", "0", 9)
	var kinds []string
	folded := map[string]int{}
	for _, e := range evs {
		kinds = append(kinds, fmt.Sprint(e["kind"]))
		if e["kind"] != "change" {
			continue
		}
		for _, r := range e["deletedResults"].([]any) {
			b, _ := json.Marshal(r)
			folded[string(b)]--
		}
		for _, r := range e["addedResults"].([]any) {
			b, _ := json.Marshal(r)
			folded[string(b)]++
		}
	}
	want := map[string]int{`{"who":"x"}`: 1, `{"who":"y"}`: 1}
	for k, n := range folded {
		if n == 0 {
			delete(folded, k)
		}
	}
	if fmt.Sprint(folded) != fmt.Sprint(want) {
		t.Fatalf("stream folds to %v, want %v (events %v)", folded, want, kinds)
	}
}

// A resource file with a mistake at restart does not delete the state of
// the queries restored from the store.
func TestRestartWithBrokenResourceKeepsRestoredQuery(t *testing.T) {
	dir := t.TempDir()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	start := func(doc string) (*Server, *httptest.Server) {
		st, err := store.Open(dir, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(Options{Sources: testSources(), Reactions: testReactions(), Store: st, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		s.Start(context.Background())
		rs, errs := resources.Parse("r.yaml", []byte(doc))
		if _, err := s.Apply(loopCtx(t), rs, errs); err != nil {
			t.Fatal(err)
		}
		s.SetReady()
		return s, httptest.NewServer(s.Handler())
	}
	good := `apiVersion: v1
kind: Source
name: s
spec: {kind: HTTP}
---
apiVersion: v1
kind: ContinuousQuery
name: q
spec:
  sources: {subscriptions: [{id: s}]}
  query: MATCH (a:Agent) RETURN a.name AS name
`
	s, hs := start(good)
	post(t, hs, agent("a1", `{"name":"x"}`))
	_, before := s.out.Bounds("q")
	stopServer(t, s, hs)

	s, hs = start(strings.Replace(good, "query: MATCH", "query: [MATCH", 1))
	defer stopServer(t, s, hs)
	if s.eng.Query("q") == nil {
		t.Fatal("the restored query was removed because its file failed to load")
	}
	if _, after := s.out.Bounds("q"); after != before {
		t.Fatalf("stream of q ends at %d after the restart, %d before", after, before)
	}
}

// A storage failure stops the server (Done closes, Err names it, /healthz
// fails) rather than leaving it serving results the store does not hold.
func TestStorageFailureStopsTheServer(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Sources: testSources(), Reactions: testReactions(), Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	rs, errs := resources.Parse("r.yaml", []byte(testResources))
	if _, err := s.Apply(loopCtx(t), rs, errs); err != nil {
		t.Fatal(err)
	}
	s.SetReady()
	hs := httptest.NewServer(s.Handler())
	defer stopServer(t, s, hs)
	st.Close() // the disk goes away
	resp, err := testClient.Post(hs.URL+"/v1/sources/s/events", "application/json", strings.NewReader(agent("a1", `{"name":"x"}`)))
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatal("a change was accepted although it could not be stored")
		}
	}
	select {
	case <-s.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the server kept running after a storage failure")
	}
	if s.Err() == nil {
		t.Fatal("Err is nil")
	}
	resp, err = testClient.Get(hs.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Fatalf("/healthz = %d after the server stopped, want 503", resp.StatusCode)
	}
}

// startDurable starts a server with opts on the store in dir (in memory
// when dir is empty), applies the resources in yaml and marks it ready.
func startDurable(t *testing.T, dir, yaml string, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	if dir != "" {
		st, err := store.Open(dir, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		opts.Store = st
	}
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	opts.Sources, opts.Reactions = testSources(), testReactions()
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	rs, errs := resources.Parse("r.yaml", []byte(yaml))
	if out, err := s.Apply(loopCtx(t), rs, errs); err != nil {
		t.Fatalf("apply: %v %v", out, err)
	}
	s.SetReady()
	return s, httptest.NewServer(s.Handler())
}

// sourceAndQuery is an HTTP source s and a query q of the given text.
func sourceAndQuery(query string) string {
	return `apiVersion: v1
kind: Source
name: s
spec: {kind: HTTP}
---
apiVersion: v1
kind: ContinuousQuery
name: q
spec:
  sources: {subscriptions: [{id: s}]}
  query: ` + query + "\n"
}
