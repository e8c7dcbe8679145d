package server

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/reactions/debug"
	"github.com/vigilhq/vigil/resources"
)

// scrape reads /metrics with the given Accept header (none when empty) and
// returns the content type and the body.
func scrape(t *testing.T, hs *httptest.Server, accept string) (string, string) {
	t.Helper()
	ctype, text, err := fetchMetrics(hs, accept)
	if err != nil {
		t.Fatal(err)
	}
	return ctype, text
}

func fetchMetrics(hs *httptest.Server, accept string) (string, string, error) {
	req, _ := http.NewRequest("GET", hs.URL+"/metrics", nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := testClient.Do(req)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != 200 {
		err = fmt.Errorf("/metrics: %d %s", resp.StatusCode, b)
	}
	return resp.Header.Get("Content-Type"), string(b), err
}

// sample is the value of the series written exactly as series (name and
// labels), and whether it is there.
func sample(text, series string) (float64, bool) {
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return f, err == nil
		}
	}
	return 0, false
}

// The documented families, with the type and help text they always had.
var metricFamilies = []struct{ name, typ, help string }{
	{"vigil_changes_in_total", "counter", "Element changes received from sources."},
	{"vigil_batches_total", "counter", "Source batches applied."},
	{"vigil_batch_errors_total", "counter", "Source batches rejected by the engine."},
	{"vigil_query_processing_seconds", "histogram", "Time to apply a batch (or fire futures), observed for each query whose result it changed."},
	{"vigil_result_changes_total", "counter", "Result rows added, updated or deleted."},
	{"vigil_outbox_events_total", "counter", "Events appended to the outbox."},
	{"vigil_scheduler_fires_total", "counter", "Scheduler wake-ups that fired due futures."},
	{"vigil_scheduler_lateness_seconds", "histogram", "How late the scheduler woke after a future fell due."},
	{"vigil_sse_clients", "gauge", "Connected SSE clients."},
	{"vigil_http_source_rejected_total", "counter", "HTTP source requests rejected."},
	{"vigil_reaction_lag_events", "gauge", "Events in the outbox a reaction has not handled yet."},
	{"vigil_reaction_deliveries_total", "counter", "Events a reaction delivered."},
	{"vigil_reaction_failures_total", "counter", "Failed delivery attempts."},
	{"vigil_reaction_dead_letters_total", "counter", "Events a reaction gave up on."},
	{"vigil_reaction_healthy", "gauge", "1 when the reaction's last delivery succeeded, 0 while it is failing."},
	{"vigil_query_result_rows", "gauge", "Current result rows."},
	{"vigil_query_error", "gauge", "1 when the query is in an error state."},
	{"vigil_snapshots_total", "counter", "Engine snapshots written since start (durable mode)."},
	{"vigil_snapshot_last_seconds", "gauge", "How long the last engine snapshot held the engine loop."},
	{"vigil_snapshot_last_bytes", "gauge", "Size of the last engine snapshot."},
	{"vigil_changes_since_snapshot", "gauge", "Changes logged since the last snapshot: what a restart would replay."},
}

// TestMetricsUnlabelledStartAtZero: before anything happened, the families
// without labels are exposed, at 0.
func TestMetricsUnlabelledStartAtZero(t *testing.T) {
	_, hs := newTestServer(t, 100)
	_, text := scrape(t, hs, "")
	for _, series := range []string{"vigil_scheduler_fires_total", "vigil_scheduler_lateness_seconds_count", "vigil_sse_clients",
		"vigil_snapshots_total", "vigil_snapshot_last_seconds", "vigil_snapshot_last_bytes", "vigil_changes_since_snapshot"} {
		if v, ok := sample(text, series); !ok || v != 0 {
			t.Errorf("%s = %v (present %v), want 0", series, v, ok)
		}
	}
}

func TestMetricsScrape(t *testing.T) {
	debug.Output = io.Discard
	s, hs := newTestServer(t, 100)
	rs, errs := resources.Parse("debug.yaml", []byte(`apiVersion: v1
kind: Reaction
name: print
spec:
  kind: Debug
  queries: {agents: }
`))
	if res, err := s.Apply(loopCtx(t), rs, errs); err != nil || len(res) != 1 || res[0].Action != "created" {
		t.Fatalf("apply: %v %v", res, err)
	}
	post(t, hs, agent("a1", `{"name":"x"}`))
	// A batch the engine refuses: the id is a node's already.
	resp, err := testClient.Post(hs.URL+"/v1/sources/s/events", "application/json", strings.NewReader(
		`{"operation":"insert","element":{"type":"relation","id":"a1","labels":["KNOWS"],"startId":"a1","endId":"a1","properties":{}}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("POST of a relation with a node's id: %d, want 422", resp.StatusCode)
	}
	// Requests for sources with odd names: quote, backslash, newline, and a
	// byte that is not UTF-8.
	for _, name := range []string{`a%22b%5Cc%0Ad`, `x%FFy`} {
		resp, err := testClient.Post(hs.URL+"/v1/sources/"+name+"/events", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Fatalf("POST to source %s: %d, want 404", name, resp.StatusCode)
		}
	}
	ctype, text := scrape(t, hs, "")
	if !strings.HasPrefix(ctype, "text/plain; version=0.0.4") {
		t.Errorf("content type %q, want the text format", ctype)
	}

	t.Run("families", func(t *testing.T) {
		for _, f := range metricFamilies {
			t.Run(f.name, func(t *testing.T) {
				if !strings.Contains(text, "\n# HELP "+f.name+" "+f.help+"\n# TYPE "+f.name+" "+f.typ+"\n") {
					t.Errorf("no HELP %q and TYPE %s", f.help, f.typ)
				}
			})
		}
	})

	t.Run("runtime", func(t *testing.T) {
		for _, want := range []string{"# TYPE go_goroutines gauge\n", "\ngo_goroutines ", "\ngo_info{version=", "\n# TYPE process_"} {
			if !strings.Contains(text, want) {
				t.Errorf("metrics lack %q", want)
			}
		}
	})

	t.Run("series", func(t *testing.T) {
		for _, tc := range []struct {
			series string
			want   float64
		}{
			{`vigil_changes_in_total{source="s"}`, 2},
			{`vigil_batches_total{source="s"}`, 2},
			{`vigil_batch_errors_total{source="s"}`, 1},
			{`vigil_result_changes_total{op="added",query="agents"}`, 1},
			{`vigil_outbox_events_total{kind="change",query="agents"}`, 1},
			{`vigil_query_processing_seconds_count{query="agents"}`, 1},
			{`vigil_query_processing_seconds_bucket{query="agents",le="+Inf"}`, 1},
			{`vigil_query_result_rows{query="agents"}`, 1},
			{`vigil_query_error{query="agents"}`, 0},
			{`vigil_reaction_healthy{reaction="print"}`, 1},
			{`vigil_reaction_failures_total{reaction="print"}`, 0},
			{`vigil_reaction_dead_letters_total{reaction="print"}`, 0},
			// Requests to sources that do not exist, whatever their names
			// (quotes, backslashes, newlines, invalid UTF-8), are one series.
			{`vigil_http_source_rejected_total{reason="unknown_source",source="(unknown)"}`, 2},
		} {
			if v, ok := sample(text, tc.series); !ok || v != tc.want {
				t.Errorf("%s = %v (present %v), want %v", tc.series, v, ok, tc.want)
			}
		}
		// The buckets are latencyBuckets, 10 µs to 10 s.
		for _, le := range []string{"1e-05", "0.025", "10"} {
			if _, ok := sample(text, `vigil_query_processing_seconds_bucket{query="agents",le="`+le+`"}`); !ok {
				t.Errorf("no bucket le=%s", le)
			}
		}
	})

	t.Run("counter increases", func(t *testing.T) {
		series := `vigil_changes_in_total{source="s"}`
		before, _ := sample(text, series)
		post(t, hs, agent("a2", `{"name":"y"}`))
		_, after := scrape(t, hs, "")
		if v, _ := sample(after, series); v != before+1 {
			t.Errorf("%s = %v after a change, want %v", series, v, before+1)
		}
		// The debug reaction's running total is set at scrape time.
		deadline := time.Now().Add(5 * time.Second)
		for {
			v, _ := sample(after, `vigil_reaction_deliveries_total{reaction="print"}`)
			if v >= 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("deliveries of print = %v, want at least 2", v)
			}
			time.Sleep(10 * time.Millisecond)
			_, after = scrape(t, hs, "")
		}
	})

	t.Run("openmetrics", func(t *testing.T) {
		ctype, om := scrape(t, hs, "application/openmetrics-text;version=1.0.0")
		if !strings.HasPrefix(ctype, "application/openmetrics-text") || !strings.HasSuffix(om, "# EOF\n") {
			t.Fatalf("content type %q, ends %q: want OpenMetrics", ctype, om[max(0, len(om)-20):])
		}
		// OpenMetrics names a counter family without its _total.
		for _, want := range []string{"# TYPE vigil_changes_in counter\n", "# TYPE vigil_reaction_deliveries counter\n",
			"# TYPE vigil_query_processing_seconds histogram\n", "# TYPE vigil_snapshots counter\nvigil_snapshots_total 0.0\n"} {
			if !strings.Contains(om, want) {
				t.Errorf("OpenMetrics lacks %q", want)
			}
		}
		if v, _ := sample(om, `vigil_changes_in_total{source="s"}`); v != 3 {
			t.Errorf("OpenMetrics: changes in of s = %v, want 3", v)
		}
	})

	t.Run("concurrent scrapes", func(t *testing.T) {
		// Each scrape rebuilds the scrape-time families; none sees
		// another's half-built ones.
		var wg sync.WaitGroup
		texts, errs := make([]string, 8), make([]error, 8)
		for i := range texts {
			wg.Go(func() { _, texts[i], errs[i] = fetchMetrics(hs, "") })
		}
		wg.Wait()
		for i, text := range texts {
			if _, ok := sample(text, `vigil_query_result_rows{query="agents"}`); errs[i] != nil || !ok {
				t.Errorf("scrape %d lacks the rows of agents (%v)", i, errs[i])
			}
		}
	})

	t.Run("deleted resources", func(t *testing.T) {
		for _, r := range []struct{ kind, name string }{{resources.KindReaction, "print"}, {resources.KindContinuousQuery, "agents"}} {
			if found, err := s.Delete(loopCtx(t), r.kind, r.name); err != nil || !found {
				t.Fatalf("delete %s %s: %v %v", r.kind, r.name, found, err)
			}
		}
		_, after := scrape(t, hs, "")
		for _, gone := range []string{`query="agents"`, `reaction="print"`} {
			if strings.Contains(after, gone) {
				t.Errorf("series with %s remain after the delete", gone)
			}
		}
		if _, ok := sample(after, `vigil_changes_in_total{source="s"}`); !ok {
			t.Error("the source's series went with the query")
		}
	})
}
