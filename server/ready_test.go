package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/resources"
)

// TestResourceEndpointsAnswer503UntilReady pins down the start-up gate: while
// the initial resources load, a source that a resource file defines may not
// be registered yet, so its endpoint must say "retry" (503 + Retry-After),
// never "not found"; the status and the probes answer throughout.
func TestResourceEndpointsAnswer503UntilReady(t *testing.T) {
	s, err := New(Options{Sources: testSources(), Reactions: testReactions(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() { stopServer(t, s, hs) })

	cases := []struct {
		method, path string
		notReady     int // status before SetReady
		ready        int // status after SetReady (the resources are loaded)
	}{
		{"POST", "/v1/sources/s/events", 503, 200},
		{"POST", "/v1/sources/nosuch/events", 503, 404},
		{"GET", "/v1/sources", 503, 200},
		{"GET", "/v1/queries/agents/results", 503, 200},
		{"GET", "/v1/reactions", 503, 200},
		{"POST", "/v1/apply", 503, 400},
		{"GET", "/v1/status", 200, 200},
		{"GET", "/healthz", 200, 200},
		{"GET", "/readyz", 503, 200},
	}
	do := func(method, path string) *http.Response {
		t.Helper()
		body := ""
		if strings.HasSuffix(path, "/events") {
			body = `[{"operation":"insert","element":{"type":"node","id":"a1","labels":["Agent"],"properties":{"name":"x"}}}]`
		}
		req, _ := http.NewRequest(method, hs.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	for _, c := range cases {
		resp := do(c.method, c.path)
		if resp.StatusCode != c.notReady {
			t.Errorf("before ready: %s %s = %d, want %d", c.method, c.path, resp.StatusCode, c.notReady)
		}
		if resp.StatusCode == 503 && c.path != "/readyz" && resp.Header.Get("Retry-After") == "" {
			t.Errorf("before ready: %s %s answered 503 without Retry-After", c.method, c.path)
		}
	}

	rs, errs := resources.Parse("test.yaml", []byte(testResources))
	if _, err := s.Apply(loopCtx(t), rs, errs); err != nil {
		t.Fatal(err)
	}
	s.SetReady()
	for _, c := range cases {
		status := 0
		for range 200 { // the source started by Apply may need a moment
			time.Sleep(5 * time.Millisecond)
			if status = do(c.method, c.path).StatusCode; status != 503 || c.ready == 503 {
				break
			}
		}
		if status != c.ready {
			t.Errorf("after ready: %s %s = %d, want %d", c.method, c.path, status, c.ready)
		}
	}
}

// TestRoutingErrorsAreJSON: an unknown path and a wrong method answer in the
// one error shape, {"error": ...}, like every other error.
func TestRoutingErrorsAreJSON(t *testing.T) {
	_, hs := newTestServer(t, 10)
	for _, c := range []struct {
		method, path string
		code         int
		want         string
	}{
		{"GET", "/v1/nosuch", 404, `{"error":"no such endpoint: GET /v1/nosuch"}`},
		{"PUT", "/v1/apply", 405, `{"error":"method PUT not allowed on /v1/apply (allowed: GET, HEAD, POST)"}`},
	} {
		req, _ := http.NewRequest(c.method, hs.URL+c.path, nil)
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.code || strings.TrimSpace(string(b)) != c.want || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: %d %s %q, want %d %s", c.method, c.path, resp.StatusCode, resp.Header.Get("Content-Type"), b, c.code, c.want)
		}
	}
}
