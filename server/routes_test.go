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
		Routes: []Route{{"GET /v1/plugin/{key}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Inc()
			io.WriteString(w, "key "+r.PathValue("key"))
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
	s.SetReady()
	if code, body := get("/v1/plugin/a", ""); code != 401 || !strings.Contains(body, `"error"`) {
		t.Fatalf("without the token: %d %s", code, body)
	}
	if code, body := get("/v1/plugin/a", "secret"); code != 200 || body != "key a" {
		t.Fatalf("with the token: %d %s", code, body)
	}
	if code, body := get("/v1/status", "secret"); code != 200 || !strings.Contains(body, `"GET /v1/plugin/{key}"`) {
		t.Fatalf("status does not list the endpoint: %d %s", code, body)
	}
	if code, body := get("/metrics", "secret"); code != 200 || !strings.Contains(body, "plugin_hits_total 1") {
		t.Fatalf("metrics: %d %s", code, body)
	}
}
