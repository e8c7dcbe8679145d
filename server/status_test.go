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

	"github.com/vigilhq/vigil/resources"
)

// getStatus reads GET /v1/status.
func getStatus(t *testing.T, hs *httptest.Server) Status {
	t.Helper()
	resp, err := testClient.Get(hs.URL + "/v1/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st Status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestStatusStarted: /v1/status says when the server started (it said
// 0001-01-01 before).
func TestStatusStarted(t *testing.T) {
	before := time.Now()
	_, hs := newTestServer(t, 100)
	after := time.Now()
	st := getStatus(t, hs)
	if st.Started.Before(before.Truncate(time.Millisecond)) || st.Started.After(after) {
		t.Errorf("started %v, want within [%v, %v]", st.Started, before, after)
	}
}

// TestSSEReactionCountsDelivered: an SSE reaction whose client received
// change events reports them as delivered (it reported 0), with the last
// sequence received as its position, so its lag is 0.
func TestSSEReactionCountsDelivered(t *testing.T) {
	s, hs := newTestServer(t, 100)
	rs, errs := resources.Parse("sse.yaml", []byte(`apiVersion: v1
kind: Reaction
name: stream
spec:
  kind: SSE
  queries: {agents: }
`))
	if res, err := s.Apply(loopCtx(t), rs, errs); err != nil || len(res) != 1 || res[0].Action != "created" {
		t.Fatalf("apply: %v %v", res, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var resp *http.Response
	for deadline := time.Now().Add(5 * time.Second); ; {
		req, _ := http.NewRequestWithContext(ctx, "GET", hs.URL+"/v1/reactions/stream/events", nil)
		var err error
		if resp, err = testClient.Do(req); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == http.StatusOK {
			break
		}
		// The reaction's Run has not made its feed available yet.
		resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatalf("GET /v1/reactions/stream/events still answers %s after 5s: the reaction's feed never became available", resp.Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	next := func() map[string]any {
		t.Helper()
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var ev map[string]any
				if err := json.Unmarshal([]byte(d), &ev); err != nil {
					t.Fatal(err)
				}
				return ev
			}
		}
		t.Fatalf("stream ended before the next event (the request gives up 10s after the test starts): %v", sc.Err())
		return nil
	}
	if ev := next(); ev["kind"] != "snapshot" {
		t.Fatalf("first event %v, want a snapshot", ev)
	}
	const n = 5
	for i := range n {
		post(t, hs, agent(fmt.Sprintf("a%d", i), fmt.Sprintf(`{"name":"n%d"}`, i)))
		if ev := next(); ev["kind"] != "change" {
			t.Fatalf("event %v, want a change", ev)
		}
	}
	var v ReactionView
	r, err := testClient.Get(hs.URL + "/v1/reactions/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	_, last := s.out.Bounds("agents")
	if v.Status.Delivered < n || v.Status.Clients != 1 || v.Status.LastDelivery.IsZero() {
		t.Errorf("status %+v: want delivered >= %d, 1 client, a last delivery", v.Status, n)
	}
	if v.Status.Positions["agents"] != last || v.Lag["agents"] != 0 {
		t.Errorf("positions %v lag %v, want agents at %d with no lag", v.Status.Positions, v.Lag, last)
	}
}

// TestErrorBodiesAreCompact: every error answer has the one shape
// {"error":"..."} on one line, whether the API, the HTTP source or an SSE
// reaction wrote it.
func TestErrorBodiesAreCompact(t *testing.T) {
	s, err := New(Options{Sources: testSources(), Reactions: testReactions(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() { stopServer(t, s, hs) })
	rs, errs := resources.Parse("errors.yaml", []byte(`apiVersion: v1
kind: Source
name: s
spec: {kind: HTTP}
`))
	if _, err := s.Apply(loopCtx(t), rs, errs); err != nil {
		t.Fatal(err)
	}
	do := func(method, path, body string) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest(method, hs.URL+path, strings.NewReader(body))
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	// Not ready yet: the start-up gate answers.
	code, ctype, body := do("GET", "/v1/queries", "")
	if code != 503 || ctype != "application/json" || !strings.HasPrefix(body, `{"error":"loading resources`) {
		t.Errorf("before ready: %d %s %q", code, ctype, body)
	}
	s.SetReady()
	for _, tc := range []struct {
		method, path, body string
		code               int    // 0: any (the source may still be starting: 503)
		msg                string // "": any
	}{
		{"GET", "/v1/queries/nosuch", "", 404, `query "nosuch" not found`},
		{"GET", "/v1/sources/nosuch", "", 404, `source "nosuch" not found`},
		{"GET", "/v1/reactions/nosuch/events", "", 404, `reaction "nosuch" not found`},
		{"DELETE", "/v1/queries/nosuch", "", 404, `ContinuousQuery "nosuch" not found`},
		{"POST", "/v1/apply", "", 400, "no resources in the body"},
		{"POST", "/v1/sources/nosuch/events", "[]", 404, `source "nosuch" not found`},
		// Written by the HTTP source itself.
		{"POST", "/v1/sources/s/events", "{", 0, ""},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			code, ctype, body := do(tc.method, tc.path, tc.body)
			var e map[string]string
			if err := json.Unmarshal([]byte(body), &e); err != nil || len(e) != 1 || e["error"] == "" {
				t.Fatalf("body %q is not {\"error\": ...}: %v", body, err)
			}
			if (tc.code != 0 && code != tc.code) || ctype != "application/json" || (tc.msg != "" && e["error"] != tc.msg) {
				t.Errorf("got %d %s %q, want %d application/json %q", code, ctype, e["error"], tc.code, tc.msg)
			}
			// Compact: the object on one line, as json.Marshal writes it.
			want, _ := json.Marshal(e)
			if body != string(want)+"\n" {
				t.Errorf("body %q, want %q", body, want)
			}
		})
	}
}

// TestLoadErrorsClearWhenTheFileIsFixed: /v1/status lists the errors of
// files that did not load until the same file is applied again; then only
// its new errors, if any, are listed (the console shows this list).
func TestLoadErrorsClearWhenTheFileIsFixed(t *testing.T) {
	s, hs := newTestServer(t, 100)
	const broken = "apiVersion: v1\nkind: Source\nname: x\nspec: {kind: HTTP\n" // unclosed flow mapping
	const fixed = "apiVersion: v1\nkind: Source\nname: x\nspec: {kind: HTTP}\n"
	for _, step := range []struct {
		file, body string
		want       []string // prefixes of the errors listed after the step
	}{
		{"a.yaml", broken, []string{"a.yaml:"}},
		{"b.yaml", broken, []string{"a.yaml:", "b.yaml:"}},
		{"a.yaml", broken, []string{"b.yaml:", "a.yaml:"}}, // replaced, not listed twice
		{"a.yaml", fixed, []string{"b.yaml:"}},
		{"c.yaml", strings.Replace(fixed, "name: x", "name: y", 1), []string{"b.yaml:"}}, // another file leaves it
		{"b.yaml", fixed, nil},
	} {
		rs, errs := resources.Parse(step.file, []byte(step.body))
		if _, err := s.Apply(loopCtx(t), rs, errs); err != nil {
			t.Fatal(err)
		}
		got := getStatus(t, hs).Errors
		ok := len(got) == len(step.want)
		for i := 0; ok && i < len(got); i++ {
			ok = strings.HasPrefix(got[i], step.want[i])
		}
		if !ok {
			t.Fatalf("after applying %s: errors %q, want prefixes %q", step.file, got, step.want)
		}
	}
}
