package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

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
	start := func() (*Server, *httptest.Server) {
		st, err := store.Open(dir, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(Options{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		s.Start(context.Background())
		rs, errs := resources.Parse("test.yaml", []byte(res))
		if out, err := s.Apply(context.Background(), rs, errs); err != nil {
			t.Fatalf("apply: %v %v", out, err)
		}
		s.SetReady()
		return s, httptest.NewServer(s.Handler())
	}
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
	hs.Close()
	s.Close()
	if len(first) != 2 || first[0] != "agents:4" || first[1] != "agents:5" {
		t.Fatalf("before the restart the webhook got %v, want agents:4 agents:5", first)
	}

	s, hs = start()
	defer func() { hs.Close(); s.Close() }()
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
