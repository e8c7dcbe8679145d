package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// A plugin's routes and collectors are served with the server's own: behind
// its token and readiness gate, in its error shape, at its /metrics.
func TestPluginRoutesAndCollectors(t *testing.T) {
	hits := prometheus.NewCounter(prometheus.CounterOpts{Name: "plugin_hits_total", Help: "Hits."})
	s, err := New(Options{Token: "secret", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Routes: []Route{{Pattern: "GET /v1/plugin/{key}", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Inc()
			io.WriteString(w, "key "+r.PathValue("key"))
		})}, {Pattern: "/mcp/{name}", OwnAuth: true, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer own" {
				http.Error(w, "own check", http.StatusUnauthorized)
				return
			}
			io.WriteString(w, "own "+r.PathValue("name"))
		})}},
		Collectors: []prometheus.Collector{hits}})
	if err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() { stopServer(t, s, hs) })
	get := func(path, token string) (int, string) {
		req, _ := http.NewRequest("GET", hs.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/v1/plugin/a", "secret"); code != 503 {
		t.Fatalf("before ready: %d %s", code, body)
	}
	if code, body := get("/mcp/x", "own"); code != 503 {
		t.Fatalf("own-auth route before ready: %d %s", code, body)
	}
	s.SetReady()
	if code, body := get("/v1/plugin/a", ""); code != 401 || !strings.Contains(body, `"error"`) {
		t.Fatalf("without the token: %d %s", code, body)
	}
	if code, body := get("/v1/plugin/a", "secret"); code != 200 || body != "key a" {
		t.Fatalf("with the token: %d %s", code, body)
	}
	// A route that checks credentials itself is not behind the server's
	// token, keeps its own error bodies, and is gated until ready like
	// the resources it serves; a path beside it is the server's again.
	if code, body := get("/mcp/x", "own"); code != 200 || body != "own x" {
		t.Fatalf("own-auth route with its token: %d %s", code, body)
	}
	if code, body := get("/mcp/x", "secret"); code != 401 || body != "own check\n" {
		t.Fatalf("own-auth route decides itself: %d %q", code, body)
	}
	if code, body := get("/mcp/x/y", "own"); code != 401 {
		t.Fatalf("a path beside the own-auth route needs the server's token: %d %s", code, body)
	}
	if code, body := get("/v1/status", "secret"); code != 200 || !strings.Contains(body, `"GET /v1/plugin/{key}"`) {
		t.Fatalf("status does not list the endpoint: %d %s", code, body)
	}
	if code, body := get("/metrics", "secret"); code != 200 || !strings.Contains(body, "plugin_hits_total 1") {
		t.Fatalf("metrics: %d %s", code, body)
	}
}
