package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/reactions/debug"
	"github.com/vigilhq/vigil/resources"
)

const testResources = `apiVersion: v1
kind: Source
name: s
spec: {kind: HTTP}
---
apiVersion: v1
kind: ContinuousQuery
name: agents
spec:
  sources: {subscriptions: [{id: s}]}
  query: MATCH (a:Agent) RETURN a.name AS name
---
apiVersion: v1
kind: ContinuousQuery
name: later
spec:
  sources: {subscriptions: [{id: s}]}
  query: |
    MATCH (a:Agent)
    WHERE drasi.trueLater(a.due <= timestamp(), a.due)
    RETURN a.name AS name
`

// testClient is the tests' HTTP client. Its timeout makes a server that
// stops answering (its loop stuck, say on a future that fires again and
// again) fail the test within seconds, where http.DefaultClient would wait
// until go test's timeout, minutes later.
var testClient = &http.Client{Timeout: 10 * time.Second}

// loopCtx bounds a call into the server's loop (Apply, Delete, do) as
// testClient bounds a request.
func loopCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// stopServer closes s, then hs. s first: its Close cancels the server's
// context, which releases the handlers waiting on its loop, and hs.Close
// waits for every handler. A Close that does not return within 10 s (the
// loop is stuck) fails t and is left behind, instead of hanging the test.
func stopServer(t *testing.T, s *Server, hs *httptest.Server) {
	t.Helper()
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Error("Server.Close did not return within 10s: its loop is stuck")
	}
	hs.Close()
}

func newTestServer(t *testing.T, retain int) (*Server, *httptest.Server) {
	t.Helper()
	s, err := New(Options{Sources: testSources(), Reactions: testReactions(), Retain: retain, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	rs, errs := resources.Parse("test.yaml", []byte(testResources))
	if res, err := s.Apply(loopCtx(t), rs, errs); err != nil || len(res) != 3 {
		t.Fatalf("apply: %v %v", res, err)
	}
	s.SetReady()
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() { stopServer(t, s, hs) })
	return s, hs
}

// post sends events to source s. A 503 (the source started by Apply is not
// running yet) is retried for a while, as a client of the API would.
func post(t *testing.T, hs *httptest.Server, body string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; {
		resp, err := testClient.Post(hs.URL+"/v1/sources/s/events", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 503 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if resp.StatusCode != 200 {
			t.Fatalf("post: %d %s", resp.StatusCode, b)
		}
		return
	}
}

func agent(id string, props string) string {
	return fmt.Sprintf(`{"operation":"insert","element":{"id":%q,"labels":["Agent"],"properties":%s}}`, id, props)
}

// readEvents reads n SSE data payloads from a stream, failing t when they
// do not come within 5 s. It calls t.Fatal, so it must run on the test's
// goroutine; a reader on another goroutine uses streamEvents.
func readEvents(t *testing.T, url, lastID string, n int) ([]map[string]any, []string) {
	t.Helper()
	evs, ids, err := streamEvents(url, lastID, n)
	if err != nil {
		t.Fatal(err)
	}
	return evs, ids
}

// streamEvents reads n SSE data payloads from a stream, giving up after
// 5 s. It reports a failure as its error rather than through a testing.T,
// so that it may run on any goroutine: t.Fatal from a goroutine other than
// the test's ends only that goroutine, and a test waiting for its result
// then waits until go test's own timeout, minutes later.
func streamEvents(url, lastID string, n int) ([]map[string]any, []string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return nil, nil, err
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := testClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	var evs []map[string]any
	var ids []string
	sc := bufio.NewScanner(resp.Body)
	for len(evs) < n && sc.Scan() {
		line := sc.Text()
		if id, ok := strings.CutPrefix(line, "id: "); ok {
			ids = append(ids, id)
		}
		if d, ok := strings.CutPrefix(line, "data: "); ok {
			var ev map[string]any
			if err := json.Unmarshal([]byte(d), &ev); err != nil {
				return evs, ids, fmt.Errorf("event %d of %s: %v: %s", len(evs)+1, url, err, d)
			}
			evs = append(evs, ev)
		}
	}
	if len(evs) < n {
		return evs, ids, fmt.Errorf("%s: got %d events within 5s, want %d: %v (%v)", url, len(evs), n, evs, sc.Err())
	}
	return evs, ids, nil
}

func TestEventsAndBootstrapSequence(t *testing.T) {
	_, hs := newTestServer(t, 100)
	post(t, hs, agent("a1", `{"name":"x"}`))
	evs, ids := readEvents(t, hs.URL+"/v1/queries/agents/events", "0", 4)
	var kinds []string
	for _, e := range evs {
		k := e["kind"].(string)
		if cs, ok := e["controlSignal"].(map[string]any); ok {
			k += ":" + cs["kind"].(string)
		}
		kinds = append(kinds, k)
	}
	want := "control:bootstrapStarted control:bootstrapCompleted control:running change"
	if strings.Join(kinds, " ") != want || strings.Join(ids, ",") != "1,2,3,4" {
		t.Fatalf("events %v ids %v, want %s", kinds, ids, want)
	}
}

// A client further behind than the outbox retains gets a snapshot, then
// the changes after it.
func TestReconnectAfterCompactionGetsSnapshot(t *testing.T) {
	_, hs := newTestServer(t, 4)
	for i := 0; i < 12; i++ {
		post(t, hs, agent(fmt.Sprintf("a%d", i), fmt.Sprintf(`{"name":"n%d"}`, i)))
	}
	evs, ids := readEvents(t, hs.URL+"/v1/queries/agents/events", "2", 1)
	if evs[0]["kind"] != "snapshot" || len(evs[0]["results"].([]any)) != 12 || ids[0] != "15" {
		t.Fatalf("got %v id %v", evs[0], ids)
	}
	// Within the retained window: a plain replay.
	evs, ids = readEvents(t, hs.URL+"/v1/queries/agents/events", "13", 2)
	if evs[0]["kind"] != "change" || ids[0] != "14" || ids[1] != "15" {
		t.Fatalf("replay %v %v", evs, ids)
	}
}

// The scheduler wakes when a future falls due, without any change arriving.
func TestSchedulerFiresOnTime(t *testing.T) {
	s, hs := newTestServer(t, 100)
	// Whole milliseconds, as the event carries them: the future is due at
	// exactly this instant.
	due := time.UnixMilli(time.Now().Add(150 * time.Millisecond).UnixMilli())
	post(t, hs, agent("a1", fmt.Sprintf(`{"name":"x","due":%d}`, due.UnixMilli())))
	evs, _ := readEvents(t, hs.URL+"/v1/queries/later/events", "", 2)
	if evs[0]["kind"] != "snapshot" || len(evs[0]["results"].([]any)) != 0 || evs[1]["kind"] != "change" {
		t.Fatalf("events %v", evs)
	}
	if late := time.Since(due); late < 0 {
		t.Fatalf("fired %v early", -late)
	}
	if s.sched.fires.Load() != 1 || time.Duration(s.sched.maxLateNs.Load()) > 50*time.Millisecond {
		t.Fatalf("fires %d, max lateness %v", s.sched.fires.Load(), time.Duration(s.sched.maxLateNs.Load()))
	}
}

// Deleting a query ends its streams with a stopped event.
func TestDeleteClosesStream(t *testing.T) {
	s, hs := newTestServer(t, 100)
	type read struct {
		evs []map[string]any
		err error
	}
	// The reader reports to this goroutine, which fails the test: see
	// streamEvents. The channel is buffered so that the reader never
	// blocks on a test that has already failed.
	done := make(chan read, 1)
	go func() {
		evs, _, err := streamEvents(hs.URL+"/v1/queries/agents/events", "", 2)
		done <- read{evs, err}
	}()
	time.Sleep(50 * time.Millisecond)
	if ok, err := s.Delete(loopCtx(t), resources.KindContinuousQuery, "agents"); !ok || err != nil {
		t.Fatal(ok, err)
	}
	var r read
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the stream reader did not return within 10s of the delete")
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	evs := r.evs
	if cs, _ := evs[1]["controlSignal"].(map[string]any); cs["kind"] != "stopped" {
		t.Fatalf("events %v", evs)
	}
	resp, _ := testClient.Get(hs.URL + "/v1/queries/agents/results")
	if resp.StatusCode != 404 {
		t.Fatalf("results after delete: %d", resp.StatusCode)
	}
}

func TestMetricsExposition(t *testing.T) {
	_, hs := newTestServer(t, 100)
	post(t, hs, agent("a1", `{"name":"x"}`))
	resp, _ := testClient.Get(hs.URL + "/metrics")
	b, _ := io.ReadAll(resp.Body)
	text := string(b)
	for _, want := range []string{
		"# TYPE vigil_query_processing_seconds histogram",
		`vigil_query_processing_seconds_bucket{query="agents",le="+Inf"} 1`,
		`vigil_changes_in_total{source="s"} 1`,
		`vigil_result_changes_total{op="added",query="agents"} 1`,
		`vigil_query_result_rows{query="agents"} 1`,
		"vigil_scheduler_fires_total 0",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// Bad resources are recorded in an error state with their location; the
// good ones beside them are applied.
func TestApplyErrorsAreIsolated(t *testing.T) {
	debug.Output = io.Discard
	s, hs := newTestServer(t, 100)
	doc := `apiVersion: v1
kind: Source
name: pg
spec: {kind: Oracle}
---
apiVersion: v1
kind: Reaction
name: nourl
spec:
  kind: Http
  queries: {agents: }
---
apiVersion: v1
kind: Reaction
name: weird
spec:
  kind: Carrier-Pigeon
  queries: {agents: }
---
apiVersion: v1
kind: ContinuousQuery
name: typo
spec:
  sources: {subscriptions: [{id: s}]}
  query: MATCH (a:Agent) RETURN a.name AS name ORDER
---
apiVersion: v1
kind: Reaction
name: log
spec:
  kind: Debug
  queries: {agents: }
`
	rs, errs := resources.Parse("more.yaml", []byte(doc))
	res, err := s.Apply(loopCtx(t), rs, errs)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range res {
		got[r.Name] = r.Action + " " + r.Error
	}
	for name, want := range map[string]string{
		"pg":    `error more.yaml:1: Source "pg": unknown kind "Oracle"`,
		"nourl": `error more.yaml:6: Reaction "nourl": property url is required`,
		"weird": `error more.yaml:13: Reaction "weird": unknown kind "Carrier-Pigeon"`,
		"typo":  `error more.yaml:25:53: ContinuousQuery "typo": query line 1 col 44`,
		"log":   "created",
	} {
		if !strings.HasPrefix(got[name], want) {
			t.Errorf("%s: %q, want prefix %q", name, got[name], want)
		}
	}
	post(t, hs, agent("a1", `{"name":"x"}`))
	resp, _ := testClient.Get(hs.URL + "/v1/reactions/log")
	var rv ReactionView
	json.NewDecoder(resp.Body).Decode(&rv)
	resp.Body.Close()
	if rv.Status.State != "running" {
		t.Errorf("debug reaction: %+v", rv)
	}
	resp, _ = testClient.Post(hs.URL+"/v1/sources/pg/events", "application/json", strings.NewReader(agent("b", "{}")))
	if resp.StatusCode != 409 {
		t.Errorf("post to a source in error: %d", resp.StatusCode)
	}
	// Applying the same good resources again changes nothing.
	rs, _ = resources.Parse("test.yaml", []byte(testResources))
	res, _ = s.Apply(loopCtx(t), rs, nil)
	for _, r := range res {
		if r.Action != "unchanged" {
			t.Errorf("re-apply: %+v", r)
		}
	}
}

// Updating an HTTP source keeps its idempotency position in memory too: a
// retried request is still recognised as applied.
func TestUpdatedSourceKeepsItsPosition(t *testing.T) {
	s, hs := newTestServer(t, 100)
	postAt := func(pos string) map[string]any {
		req, _ := http.NewRequest("POST", hs.URL+"/v1/sources/s/events", strings.NewReader(agent("a1", `{"name":"x"}`)))
		req.Header.Set("Vigil-Position", pos)
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return m
	}
	postAt("1")
	rs, errs := resources.Parse("u.yaml", []byte("apiVersion: v1\nkind: Source\nname: s\nspec:\n  kind: HTTP\n  properties: {}\n"))
	if res, err := s.Apply(loopCtx(t), rs, errs); err != nil || res[0].Action != "updated" {
		t.Fatalf("update: %v %v", res, err)
	}
	if m := postAt("1"); m["duplicate"] != true {
		t.Fatalf("retry after the update: %v, want a duplicate", m)
	}
}
