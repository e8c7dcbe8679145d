package mcp_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/vigilhq/vigil/reactions"
	"github.com/vigilhq/vigil/reactions/breaker"
	"github.com/vigilhq/vigil/reactions/mcp"
	"github.com/vigilhq/vigil/resources"
	"github.com/vigilhq/vigil/server"
	"github.com/vigilhq/vigil/sources"
	httpsrc "github.com/vigilhq/vigil/sources/http"
)

// pack is a governance query, a breaker on it, and an MCP reaction serving
// the query to agents with a token of its own.
const pack = `apiVersion: v1
kind: Source
name: calls
spec: {kind: HTTP}
---
apiVersion: v1
kind: Source
name: breakers
spec:
  kind: Breakers
  properties: {reaction: breaker}
---
apiVersion: v1
kind: ContinuousQuery
name: denials
spec:
  sources: {subscriptions: [{id: calls}]}
  query: >
    MATCH (a:Agent)-[:MADE]->(c:ToolCall) WHERE c.decision = 'deny'
    WITH a.id AS agent, count(c) AS denials WHERE denials >= 2
    RETURN agent, denials
---
apiVersion: v1
kind: ContinuousQuery
name: calls
spec:
  sources: {subscriptions: [{id: calls}]}
  query: MATCH (c:ToolCall) RETURN c.id AS id, c.agent AS agent, c.decision AS decision
---
apiVersion: v1
kind: Reaction
name: breaker
spec:
  kind: CircuitBreaker
  queries: {denials: "{agent}: {denials} denials"}
  properties: {source: breakers, key: agent, recoveryTimeout: 1h}
---
apiVersion: v1
kind: Reaction
name: agents
spec:
  kind: MCP
  queries:
    denials:
      summary: "{agent} has {denials} denied calls"
      description: Agents with two or more denied tool calls.
    calls: null
  properties: {token: agent-token, maxSessions: 4, maxSubscriptions: 1, sessionTimeout: 2s, writeTimeout: 300ms}
`

// instance is a running server with the MCP and breaker plugins plugged in
// as cmd/vigil plugs them in.
type instance struct {
	t   *testing.T
	srv *server.Server
	hs  *httptest.Server
}

const serverToken = "server-token"

func start(t *testing.T, yaml string) *instance {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	opts := server.Options{Token: serverToken, Logger: log}
	bh := breaker.NewHub()
	mh := mcp.NewHub(mcp.HubOptions{ServerToken: serverToken, Logger: log, Breakers: func() ([]mcp.Breaker, error) {
		bs, restoring := bh.Breakers()
		if len(restoring) > 0 {
			return nil, errors.New("restoring")
		}
		var out []mcp.Breaker
		for _, b := range bs {
			out = append(out, mcp.Breaker{Key: b.Key, Query: b.Query, Value: b})
		}
		return out, nil
	}})
	opts.Sources = sources.NewRegistry()
	opts.Sources.Register(httpsrc.Kind, httpsrc.Factory)
	opts.Sources.Register(breaker.SourceKind, bh.SourceFactory)
	opts.Reactions = reactions.NewRegistry()
	opts.Reactions.Register(breaker.Kind, bh.ReactionFactory)
	opts.Reactions.Register(mcp.Kind, mh.Factory)
	opts.Routes = append(opts.Routes, server.Route{Pattern: mh.Pattern(), Handler: mh.Handler(), OwnAuth: true})
	opts.Collectors = append(opts.Collectors, mh.Collector())
	srv, err := server.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv.Start(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rs, errs := resources.Parse("pack.yaml", []byte(yaml))
	res, err := srv.Apply(ctx, rs, errs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Error != "" {
			t.Fatalf("apply %s %s: %s", r.Kind, r.Name, r.Error)
		}
	}
	srv.SetReady()
	in := &instance{t: t, srv: srv, hs: httptest.NewServer(srv.Handler())}
	t.Cleanup(func() {
		in.srv.Close()
		in.hs.Close()
	})
	return in
}

var plain = &http.Client{Timeout: 10 * time.Second}

// post sends a source event with the server's token.
func (in *instance) post(body string) {
	in.t.Helper()
	req, _ := http.NewRequest("POST", in.hs.URL+"/v1/sources/calls/events", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+serverToken)
	resp, err := plain.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		in.t.Fatalf("POST %s: %d %s", body, resp.StatusCode, b)
	}
}

func agent(id string) string {
	return fmt.Sprintf(`{"operation":"insert","element":{"id":%q,"labels":["Agent"],"properties":{"id":%q}}}`, id, id)
}

// call inserts a tool call of an agent (with its MADE relationship) in one
// transaction.
func call(id, agent, decision string) string {
	return fmt.Sprintf(`[{"operation":"insert","element":{"id":%q,"labels":["ToolCall"],"properties":{"id":%q,"agent":%q,"decision":%q}}},
		{"operation":"insert","element":{"type":"relation","id":"made-%s","labels":["MADE"],"from":%q,"to":%q,"properties":{}}}]`, id, id, agent, decision, id, agent, id)
}

// bearer adds a token to every request of an HTTP client.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// updates collects the notifications/resources/updated a client receives.
type updates struct {
	mu  sync.Mutex
	got []*sdk.ResourceUpdatedNotificationParams
	at  []time.Time
	ch  chan struct{}
}

func newUpdates() *updates { return &updates{ch: make(chan struct{}, 1000)} }

func (u *updates) handler(_ context.Context, req *sdk.ResourceUpdatedNotificationRequest) {
	u.mu.Lock()
	u.got = append(u.got, req.Params)
	u.at = append(u.at, time.Now())
	u.mu.Unlock()
	u.ch <- struct{}{}
}

// next waits for the next notification.
func (u *updates) next(t *testing.T, within time.Duration) (*sdk.ResourceUpdatedNotificationParams, time.Time) {
	t.Helper()
	select {
	case <-u.ch:
	case <-time.After(within):
		t.Fatalf("no notifications/resources/updated within %s", within)
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.got[len(u.got)-1], u.at[len(u.at)-1]
}

func (in *instance) connect(t *testing.T, token string, u *updates) (*sdk.ClientSession, error) {
	t.Helper()
	opts := &sdk.ClientOptions{}
	if u != nil {
		opts.ResourceUpdatedHandler = u.handler
	}
	c := sdk.NewClient(&sdk.Implementation{Name: "test-agent", Version: "1"}, opts)
	hc := &http.Client{Transport: bearer{token, http.DefaultTransport}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cs, err := c.Connect(ctx, &sdk.StreamableClientTransport{Endpoint: in.hs.URL + "/mcp/agents", HTTPClient: hc, MaxRetries: -1}, nil)
	if err == nil {
		t.Cleanup(func() { cs.Close() })
	}
	return cs, err
}

type snapshot struct {
	QueryID  string            `json:"queryId"`
	Sequence uint64            `json:"sequence"`
	Columns  []string          `json:"columns"`
	Results  []json.RawMessage `json:"results"`
}

func read[T any](t *testing.T, cs *sdk.ClientSession, uri string) T {
	t.Helper()
	var v T
	res, err := cs.ReadResource(context.Background(), &sdk.ReadResourceParams{URI: uri})
	if err != nil {
		t.Fatalf("read %s: %v", uri, err)
	}
	if len(res.Contents) != 1 || res.Contents[0].MIMEType != "application/json" {
		t.Fatalf("read %s: %+v", uri, res.Contents)
	}
	if err := json.Unmarshal([]byte(res.Contents[0].Text), &v); err != nil {
		t.Fatalf("read %s: %v in %s", uri, err, res.Contents[0].Text)
	}
	return v
}

func callTool[T any](t *testing.T, cs *sdk.ClientSession, name string, args map[string]any) (T, string) {
	t.Helper()
	var v T
	res, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if res.IsError {
		return v, res.Content[0].(*sdk.TextContent).Text
	}
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v in %s", name, err, b)
	}
	return v, ""
}

// The acceptance path: the SDK's own client initializes, lists, reads,
// subscribes, is told of a POSTed change within 50 ms, reads the new
// result and the change, and asks the tools.
func TestAgentSubscribesAndIsToldOfChanges(t *testing.T) {
	in := start(t, pack)
	in.post(agent("a1"))
	in.post(agent("a2"))
	u := newUpdates()
	cs, err := in.connect(t, "agent-token", u)
	if err != nil {
		t.Fatal(err)
	}
	if got := cs.InitializeResult().ServerInfo.Name; got != "vigil" {
		t.Errorf("server name %q", got)
	}
	if cs.InitializeResult().Capabilities.Resources == nil || !cs.InitializeResult().Capabilities.Resources.Subscribe {
		t.Fatalf("resources/subscribe not advertised: %+v", cs.InitializeResult().Capabilities)
	}

	lr, err := cs.ListResources(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var uris []string
	for _, r := range lr.Resources {
		uris = append(uris, r.URI)
	}
	sort.Strings(uris)
	if want := []string{"vigil://breakers", "vigil://queries/calls", "vigil://queries/denials"}; !slices.Equal(uris, want) {
		t.Fatalf("resources %v, want %v", uris, want)
	}
	lt, err := cs.ListResourceTemplates(context.Background(), nil)
	if err != nil || len(lt.ResourceTemplates) != 2 {
		t.Fatalf("templates %+v %v", lt, err)
	}

	snap := read[snapshot](t, cs, "vigil://queries/denials")
	if snap.QueryID != "denials" || len(snap.Results) != 0 || !slices.Equal(snap.Columns, []string{"agent", "denials"}) {
		t.Fatalf("initial read %+v", snap)
	}
	if err := cs.Subscribe(context.Background(), &sdk.SubscribeParams{URI: "vigil://queries/denials"}); err != nil {
		t.Fatal(err)
	}

	// One denial: no row, no notification. The second: a row, told
	// within 50 ms of the POST returning.
	in.post(call("c1", "a1", "deny"))
	in.post(call("c2", "a2", "allow"))
	posted := time.Now()
	in.post(call("c3", "a1", "deny"))
	n, at := u.next(t, 5*time.Second)
	if lat := at.Sub(posted); lat > 50*time.Millisecond {
		t.Errorf("notification %s after the POST, want within 50ms", lat)
	}
	t.Logf("POST -> notifications/resources/updated: %s", at.Sub(posted))
	if n.URI != "vigil://queries/denials" {
		t.Fatalf("notified %s", n.URI)
	}
	if got := fmt.Sprint(n.Meta["summary"]); got != "[+ a1 has 2 denied calls]" {
		t.Errorf("summary %s", got)
	}
	seq := uint64(n.Meta["sequence"].(float64))
	if seq <= snap.Sequence {
		t.Errorf("notified sequence %d, read %d before", seq, snap.Sequence)
	}
	after := read[snapshot](t, cs, "vigil://queries/denials")
	if after.Sequence != seq || len(after.Results) != 1 || string(after.Results[0]) != `{"agent":"a1","denials":2}` {
		t.Fatalf("read after the change: %+v", after)
	}
	changes := read[struct {
		Events  []json.RawMessage `json:"events"`
		Summary []string          `json:"summary"`
	}](t, cs, n.Meta["changesUri"].(string))
	if len(changes.Events) != 1 || !strings.Contains(string(changes.Events[0]), `"addedResults":[{"agent":"a1","denials":2}]`) || !slices.Equal(changes.Summary, []string{"+ a1 has 2 denied calls"}) {
		t.Fatalf("changes %s %v", changes.Events, changes.Summary)
	}

	// An update carries before and after.
	in.post(call("c4", "a1", "deny"))
	n, _ = u.next(t, 5*time.Second)
	if got := fmt.Sprint(n.Meta["summary"]); got != "[~ a1 has 2 denied calls → a1 has 3 denied calls]" {
		t.Errorf("update summary %s", got)
	}

	// Tools.
	lq, _ := callTool[struct {
		Queries []mcp.QueryInfo `json:"queries"`
	}](t, cs, "list_queries", nil)
	if len(lq.Queries) != 2 || lq.Queries[0].ID != "calls" || lq.Queries[0].Rows != 4 || lq.Queries[1].Rows != 1 || !lq.Queries[1].Exists {
		t.Errorf("list_queries %+v", lq)
	}
	gr, _ := callTool[struct {
		Rows  []json.RawMessage `json:"rows"`
		Total int               `json:"total"`
	}](t, cs, "get_results", map[string]any{"query": "calls", "where": map[string]any{"agent": "a1", "decision": "deny"}})
	if gr.Total != 3 || len(gr.Rows) != 3 {
		t.Errorf("get_results where agent=a1, deny: %+v", gr)
	}
	if _, msg := callTool[any](t, cs, "get_results", map[string]any{"query": "secret-query"}); !strings.Contains(msg, "not served by MCP reaction") {
		t.Errorf("a query the reaction does not serve: %q", msg)
	}
	ex, _ := callTool[struct {
		Row      map[string]any `json:"row"`
		Matches  int            `json:"matches"`
		Elements []struct {
			Kind string `json:"kind"`
			ID   string `json:"id"`
		} `json:"elements"`
	}](t, cs, "explain_row", map[string]any{"query": "denials", "where": map[string]any{"agent": "a1"}})
	var ids []string
	for _, e := range ex.Elements {
		ids = append(ids, e.Kind+":"+e.ID)
	}
	sort.Strings(ids)
	want := []string{"node:a1", "node:c1", "node:c3", "node:c4", "relationship:made-c1", "relationship:made-c3", "relationship:made-c4"}
	if ex.Matches != 3 || !slices.Equal(ids, want) || ex.Row["agent"] != "a1" {
		t.Errorf("explain_row: matches %d, elements %v, row %v; want 3, %v", ex.Matches, ids, ex.Row, want)
	}
	if _, msg := callTool[any](t, cs, "explain_row", map[string]any{"query": "denials", "where": map[string]any{"agent": "a2"}}); !strings.Contains(msg, "no result row") {
		t.Errorf("explain_row of a row that is not there: %q", msg)
	}
	gb, _ := callTool[struct {
		Breakers []breaker.Breaker `json:"breakers"`
	}](t, cs, "get_breaker", map[string]any{"key": "a1"})
	if len(gb.Breakers) != 1 || gb.Breakers[0].State != "OPEN" || gb.Breakers[0].Query != "denials" {
		t.Errorf("get_breaker a1: %+v", gb)
	}
	if _, msg := callTool[any](t, cs, "get_breaker", map[string]any{"key": "a2"}); !strings.Contains(msg, `no circuit breaker for key "a2"`) {
		t.Errorf("get_breaker of a key without one: %q", msg)
	}
	b := read[breaker.Breaker](t, cs, "vigil://breakers/a1")
	if b.State != "OPEN" {
		t.Errorf("vigil://breakers/a1: %+v", b)
	}

	// Unsubscribed: no more notifications.
	if err := cs.Unsubscribe(context.Background(), &sdk.UnsubscribeParams{URI: "vigil://queries/denials"}); err != nil {
		t.Fatal(err)
	}
	in.post(call("c5", "a2", "deny"))
	in.post(call("c6", "a2", "deny"))
	select {
	case <-u.ch:
		t.Errorf("notified after unsubscribing")
	case <-time.After(200 * time.Millisecond):
	}
	if st := in.reactionStatus("agents"); st.Clients != 1 || st.Delivered != 2 {
		t.Errorf("status: %d clients, %d delivered; want 1 and 2", st.Clients, st.Delivered)
	}
}

func (in *instance) reactionStatus(name string) reactions.Status {
	in.t.Helper()
	req, _ := http.NewRequest("GET", in.hs.URL+"/v1/reactions/"+name, nil)
	req.Header.Set("Authorization", "Bearer "+serverToken)
	resp, err := plain.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Status reactions.Status `json:"status"`
	}
	json.NewDecoder(resp.Body).Decode(&out)
	return out.Status
}

// A token property that reads an unset environment variable is an error,
// not an open endpoint.
func TestTokenFromAnUnsetVariable(t *testing.T) {
	h := mcp.NewHub(mcp.HubOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	_, err := h.Factory("agents", map[string]any{"q": nil}, map[string]any{"token": "env:VIGIL_TEST_UNSET_TOKEN_VARIABLE"})
	if err == nil || !strings.Contains(err.Error(), "property token") {
		t.Fatalf("got %v", err)
	}
}
