package server

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

const twoSources = `apiVersion: v1
kind: Source
name: s1
spec: {kind: HTTP}
---
apiVersion: v1
kind: Source
name: s2
spec: {kind: HTTP}
---
apiVersion: v1
kind: ContinuousQuery
name: q
spec:
  sources: {subscriptions: [{id: s1}]}
  query: MATCH (a:Agent) RETURN elementId(a) AS id, a.src AS src
---
apiVersion: v1
kind: ContinuousQuery
name: forgot-a-label
spec:
  sources: {subscriptions: [{id: s1, nodes: [{sourceLabel: Agent}]}]}
  query: MATCH (a:Agent)-[:MADE]->(c:ToolCall) RETURN a.src AS src
`

// TestSourcesAreIsolated is the case over HTTP: the same id posted
// to two sources is two elements, and a query subscribed to s1 neither sees
// s2's a1 nor loses s1's a1 when s2 deletes its own.
func TestSourcesAreIsolated(t *testing.T) {
	s, hs := startDurable(t, "", twoSources, Options{})
	t.Cleanup(func() { stopServer(t, s, hs) })

	send := func(src, body string) {
		t.Helper()
		resp, err := testClient.Post(hs.URL+"/v1/sources/"+src+"/events", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("post to %s: %d %s", src, resp.StatusCode, b)
		}
	}
	results := func() []map[string]any {
		t.Helper()
		resp, err := testClient.Get(hs.URL + "/v1/queries/q/results")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r Results
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
			t.Fatal(err)
		}
		return r.Results
	}
	want := func(what string, src float64) {
		t.Helper()
		r := results()
		if len(r) != 1 || r[0]["id"] != "a1" || r[0]["src"] != src {
			t.Fatalf("%s: results %v, want one row {id: a1, src: %v}", what, r, src)
		}
	}
	send("s1", `{"operation":"insert","element":{"type":"node","id":"a1","labels":["Agent"],"properties":{"src":1}}}`)
	want("after s1's insert", 1)

	// A label the pattern reads but no subscription admits is a warning
	// on the query: that part of the pattern can never match.
	resp, err := testClient.Get(hs.URL + "/v1/queries/forgot-a-label")
	if err != nil {
		t.Fatal(err)
	}
	var qv QueryView
	json.NewDecoder(resp.Body).Decode(&qv)
	resp.Body.Close()
	if len(qv.Warnings) != 1 || !strings.Contains(qv.Warnings[0], "label ToolCall") {
		t.Fatalf("warnings %q, want one naming label ToolCall", qv.Warnings)
	}
	send("s2", `{"operation":"insert","element":{"type":"node","id":"a1","labels":["Agent"],"properties":{"src":2}}}`)
	want("after s2's insert of the same id", 1)
	send("s2", `{"operation":"delete","element":{"type":"node","id":"a1","labels":["Agent"]}}`)
	want("after s2's delete of its a1", 1)
	send("s1", `{"operation":"delete","element":{"type":"node","id":"a1","labels":["Agent"]}}`)
	if r := results(); len(r) != 0 {
		t.Fatalf("after s1's delete: %v", r)
	}
}

// TestQueryOnAMissingSourceIsAnError: a subscription to a source that does
// not exist, or no subscription at all, fails the apply with a message
// naming the source, instead of a query that silently sees nothing.
func TestQueryOnAMissingSourceIsAnError(t *testing.T) {
	_, hs := newTestServer(t, 100)
	for _, c := range []struct{ yaml, want string }{
		{"apiVersion: v1\nkind: ContinuousQuery\nname: typo\nspec:\n  sources: {subscriptions: [{id: s}, {id: evnets}]}\n  query: MATCH (a:Agent) RETURN a\n",
			`source \"evnets\" does not exist`},
		{"apiVersion: v1\nkind: ContinuousQuery\nname: none\nspec:\n  query: MATCH (a:Agent) RETURN a\n",
			"subscribes to no source"},
	} {
		var body []byte
		for deadline := time.Now().Add(5 * time.Second); ; {
			resp, err := testClient.Post(hs.URL+"/v1/apply", "application/yaml", strings.NewReader(c.yaml))
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 503 || time.Now().After(deadline) {
				if resp.StatusCode != 400 {
					t.Fatalf("apply: %d %s, want 400", resp.StatusCode, body)
				}
				break
			}
		}
		if !strings.Contains(string(body), c.want) {
			t.Errorf("apply: %s, want it to say %q", body, c.want)
		}
	}
}
