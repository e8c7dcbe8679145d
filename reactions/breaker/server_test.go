package breaker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/outbox"
	"github.com/vigilhq/vigil/reactions"
	"github.com/vigilhq/vigil/reactions/breaker"
	"github.com/vigilhq/vigil/resources"
	"github.com/vigilhq/vigil/server"
	"github.com/vigilhq/vigil/sources"
	httpsrc "github.com/vigilhq/vigil/sources/http"
	"github.com/vigilhq/vigil/store"
)

// governance is the tripping query of the governance issue, a breaker on
// it kept by a Breakers source, and a query over the Breaker nodes.
const governance = `apiVersion: v1
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
    MATCH (c:ToolCall) WHERE c.decision = 'deny'
    WITH c.agent AS agent, count(c) AS denials WHERE denials >= 3
    RETURN agent, denials
---
apiVersion: v1
kind: ContinuousQuery
name: breaker-states
spec:
  sources: {subscriptions: [{id: breakers}]}
  query: MATCH (b:Breaker) RETURN b.key AS key, b.state AS state, b.query AS query
---
apiVersion: v1
kind: Reaction
name: breaker
spec:
  kind: CircuitBreaker
  queries: {denials: "{agent}: {denials} denials"}
  properties: {source: breakers, key: agent, recoveryTimeout: 200ms, probes: 2, throttle: 1/s}
`

var client = &http.Client{Timeout: 10 * time.Second}

// instance is a running server with the breakers plugged in as cmd/vigil
// plugs them in.
type instance struct {
	t   *testing.T
	srv *server.Server
	hs  *httptest.Server
}

func start(t *testing.T, dir, yaml string, hubOpts ...breaker.Option) *instance {
	t.Helper()
	opts := server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if dir != "" {
		st, err := store.Open(dir, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		opts.Store = st
	}
	hub := breaker.NewHub(hubOpts...)
	opts.Sources = sources.NewRegistry()
	opts.Sources.Register(httpsrc.Kind, httpsrc.Factory)
	opts.Sources.Register(breaker.SourceKind, hub.SourceFactory)
	opts.Reactions = reactions.NewRegistry()
	opts.Reactions.Register(breaker.Kind, hub.ReactionFactory)
	for _, p := range hub.Patterns() {
		opts.Routes = append(opts.Routes, server.Route{Pattern: p, Handler: hub.Handler()})
	}
	opts.Collectors = append(opts.Collectors, hub.Collector())
	srv, err := server.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv.Start(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rs, errs := resources.Parse("breaker.yaml", []byte(yaml))
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
	t.Cleanup(in.close)
	return in
}

// close stops the server (the store with it); a second call does nothing.
func (in *instance) close() {
	if in.hs == nil {
		return
	}
	in.srv.Close()
	in.hs.Close()
	in.hs = nil
}

// do sends a request and returns the status and body.
func (in *instance) do(method, path, body string) (int, string) {
	in.t.Helper()
	req, err := http.NewRequest(method, in.hs.URL+path, strings.NewReader(body))
	if err != nil {
		in.t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// deny posts a denied tool call of agent.
func (in *instance) deny(id, agent string) {
	in.t.Helper()
	body := fmt.Sprintf(`{"operation":"insert","element":{"id":%q,"labels":["ToolCall"],"properties":{"agent":%q,"decision":"deny"}}}`, id, agent)
	for deadline := time.Now().Add(5 * time.Second); ; {
		code, out := in.do("POST", "/v1/sources/calls/events", body)
		if code == 503 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if code != 200 {
			in.t.Fatalf("posting %s: %d %s", id, code, out)
		}
		return
	}
}

// breaker returns key's breaker, or the status and error of the request.
// The API answers 503 (Retry-After) until the reaction has restored its
// state, which it does in the background after the server is ready: a
// client retries, as this does for a while.
func (in *instance) breaker(key string) (breaker.Breaker, int, string) {
	in.t.Helper()
	code, body := in.do("GET", "/v1/breakers/"+key, "")
	for deadline := time.Now().Add(5 * time.Second); code == 503 && strings.Contains(body, "restoring") && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		code, body = in.do("GET", "/v1/breakers/"+key, "")
	}
	var b breaker.Breaker
	if code == 200 {
		if err := json.Unmarshal([]byte(body), &b); err != nil {
			in.t.Fatalf("GET /v1/breakers/%s: %v in %s", key, err, body)
		}
	}
	return b, code, body
}

// waitState waits until key's breaker is in state.
func (in *instance) waitState(key, state string) breaker.Breaker {
	in.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, code, body := in.breaker(key)
		if code == 200 && b.State == state {
			return b
		}
		if time.Now().After(deadline) {
			in.t.Fatalf("breaker %s: want %s, have %d %s", key, state, code, body)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (in *instance) probe(key string, ok bool) (int, string) {
	in.t.Helper()
	return in.do("POST", "/v1/breakers/"+key+"/probe", fmt.Sprintf(`{"ok": %v}`, ok))
}

// status is the reaction's status through the API.
func (in *instance) status() reactions.Status {
	in.t.Helper()
	code, body := in.do("GET", "/v1/reactions/breaker", "")
	var v struct {
		Status reactions.Status `json:"status"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &v) != nil {
		in.t.Fatalf("GET /v1/reactions/breaker: %d %s", code, body)
	}
	return v.Status
}

// metric reads one sample from /metrics (0 when absent).
func (in *instance) metric(sample string) float64 {
	in.t.Helper()
	_, body := in.do("GET", "/metrics", "")
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(sample) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		return 0
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// nodeChanges counts the rows the Breaker nodes added to or updated in the
// breaker-states query's stream: one per committed change of a node.
func (in *instance) nodeChanges() int {
	in.t.Helper()
	recs, err := in.srv.Read("breaker-states", 0, 10000)
	if err != nil {
		in.t.Fatal(err)
	}
	n := 0
	for _, r := range recs {
		if r.Kind != outbox.KindChange {
			continue
		}
		var ev struct {
			Added   []any `json:"addedResults"`
			Updated []any `json:"updatedResults"`
		}
		json.Unmarshal(r.Data, &ev)
		n += len(ev.Added) + len(ev.Updated)
	}
	return n
}

// states is the breaker-states query's result as "key=STATE" pairs.
func (in *instance) states() string {
	in.t.Helper()
	_, body := in.do("GET", "/v1/queries/breaker-states/results", "")
	var res struct {
		Results []struct{ Key, State string }
	}
	json.Unmarshal([]byte(body), &res)
	var out []string
	for _, r := range res.Results {
		out = append(out, r.Key+"="+r.State)
	}
	return strings.Join(out, " ")
}

// The governance scenario on a real durable server: three denials open
// the agent's breaker, the recovery timeout half-opens it, probes close
// it; a restart on the same store keeps every breaker and repeats no
// transition, and a timeout that fell due while the server was down fires
// at the start.
func TestBreakerOnServerSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	in := start(t, dir, governance)

	if _, code, body := in.breaker("bot-1"); code != 404 || !strings.Contains(body, `"error":"no breaker for key \"bot-1\""`) {
		t.Fatalf("before any denial: %d %s", code, body)
	}
	in.deny("c1", "bot-1")
	in.deny("c2", "bot-1")
	in.deny("c3", "bot-2")
	if code, body := in.do("GET", "/v1/breakers", ""); code != 200 || body != "[]\n" {
		t.Fatalf("two denials: %d %s", code, body)
	}
	in.deny("c4", "bot-1")
	open := in.waitState("bot-1", breaker.Open)
	if open.Reason != "bot-1: 3 denials" || open.Query != "denials" || open.Throttle != "1/s" || open.Reaction != "breaker" {
		t.Fatalf("OPEN breaker: %+v", open)
	}
	if code, body := in.probe("bot-1", true); code != 409 || !strings.Contains(body, "not HALF_OPEN") {
		t.Fatalf("probe while OPEN: %d %s", code, body)
	}

	half := in.waitState("bot-1", breaker.HalfOpen)
	if want := open.Since.Add(200 * time.Millisecond); !half.Since.Equal(want) {
		t.Fatalf("HALF_OPEN since %v, want OPEN's since + recoveryTimeout %v", half.Since, want)
	}
	if code, body := in.probe("bot-1", true); code != 200 || !strings.Contains(body, `"state":"HALF_OPEN"`) || !strings.Contains(body, `"probes":1`) {
		t.Fatalf("first probe: %d %s", code, body)
	}
	if code, body := in.probe("bot-1", true); code != 200 || !strings.Contains(body, `"state":"CLOSED"`) {
		t.Fatalf("second probe: %d %s", code, body)
	}
	for _, tc := range []struct {
		path, body string
		code       int
	}{
		{"/v1/breakers/bot-1/probe", `{"ok": true}`, 409},
		{"/v1/breakers/nobody/probe", `{"ok": true}`, 404},
		{"/v1/breakers/bot-1/probe", `{"ok": "yes"}`, 400},
		{"/v1/breakers/bot-1/probe", `{}`, 400},
	} {
		if code, body := in.do("POST", tc.path, tc.body); code != tc.code || !strings.HasPrefix(body, `{"error":`) {
			t.Errorf("POST %s %s: %d %s, want %d and an error", tc.path, tc.body, code, body, tc.code)
		}
	}
	closed, _, _ := in.breaker("bot-1")
	if closed.Throttle != "" || closed.State != breaker.Closed {
		t.Fatalf("CLOSED breaker: %+v", closed)
	}
	if got := in.states(); got != "bot-1=CLOSED" {
		t.Fatalf("Breaker nodes: %q", got)
	}
	st := in.status()
	if st.Delivered != 3 || st.State != "running" || st.Error != "" || st.Positions["denials"] == 0 {
		t.Fatalf("status: %+v", st)
	}
	for sample, want := range map[string]float64{
		`vigil_breakers{state="closed"}`:                      1,
		`vigil_breakers{state="open"}`:                        0,
		`vigil_breaker_transitions_total{to="open"}`:          1,
		`vigil_breaker_transitions_total{to="half_open"}`:     1,
		`vigil_breaker_transitions_total{to="closed"}`:        1,
		`vigil_reaction_deliveries_total{reaction="breaker"}`: 3,
	} {
		if got := in.metric(sample); got != want {
			t.Errorf("%s = %v, want %v", sample, got, want)
		}
	}
	if n := in.nodeChanges(); n != 3 {
		t.Fatalf("%d Breaker node changes, want 3", n)
	}

	// A fourth denial updates the row: the condition still holds, so the
	// CLOSED breaker trips again. The server stops before the timeout.
	in.deny("c5", "bot-1")
	reopened := in.waitState("bot-1", breaker.Open)
	in.close()
	time.Sleep(300 * time.Millisecond)

	in = start(t, dir, governance)
	half = in.waitState("bot-1", breaker.HalfOpen)
	if want := reopened.Since.Add(200 * time.Millisecond); !half.Since.Equal(want) {
		t.Fatalf("HALF_OPEN after the restart since %v, want %v", half.Since, want)
	}
	if st := in.status(); st.Delivered != 5 {
		t.Fatalf("after the restart: %d transitions, want 5 (4 before, the timeout due while down)", st.Delivered)
	}
	if got := in.metric(`vigil_breaker_transitions_total{to="open"}`); got != 0 {
		t.Fatalf("the restart repeated %v OPEN transitions", got)
	}
	if got := in.states(); got != "bot-1=HALF_OPEN" {
		t.Fatalf("Breaker nodes after the restart: %q", got)
	}
	if n := in.nodeChanges(); n != 5 {
		t.Fatalf("%d Breaker node changes after the restart, want 5", n)
	}

	// A third start with nothing due repeats nothing at all.
	in.close()
	in = start(t, dir, governance)
	time.Sleep(100 * time.Millisecond) // time for a wrong transition to show
	if b := in.waitState("bot-1", breaker.HalfOpen); !b.Since.Equal(half.Since) {
		t.Fatalf("third start: %+v", b)
	}
	if st := in.status(); st.Delivered != 5 {
		t.Fatalf("third start: %d transitions, want 5", st.Delivered)
	}
	for _, to := range []string{"open", "half_open", "closed"} {
		if got := in.metric(`vigil_breaker_transitions_total{to="` + to + `"}`); got != 0 {
			t.Fatalf("third start repeated %v transitions to %s", got, to)
		}
	}
	if n := in.nodeChanges(); n != 5 {
		t.Fatalf("%d Breaker node changes after the third start, want 5", n)
	}
	if code, body := in.probe("bot-1", false); code != 200 || !strings.Contains(body, `"state":"OPEN"`) || !strings.Contains(body, `"reason":"probe failed"`) {
		t.Fatalf("failed probe: %d %s", code, body)
	}
}

// Without a Breakers source the breakers work in memory and the status
// says they are not durable.
func TestBreakerInMemory(t *testing.T) {
	in := start(t, "", `apiVersion: v1
kind: Source
name: calls
spec: {kind: HTTP}
---
apiVersion: v1
kind: ContinuousQuery
name: denials
spec:
  sources: {subscriptions: [{id: calls}]}
  query: MATCH (c:ToolCall) WHERE c.decision = 'deny' RETURN c.agent AS agent, c.tool AS tool
---
apiVersion: v1
kind: Reaction
name: breaker
spec:
  kind: CircuitBreaker
  queries: {denials: }
  properties: {closeOnDelete: true}
`)
	in.deny("c1", "bot-9")
	b := in.waitState("bot-9", breaker.Open)
	if b.Reason != "denials" || b.Throttle != "" {
		t.Fatalf("OPEN: %+v", b)
	}
	st := in.status()
	if st.State != "running" || !strings.Contains(st.Error, "not durable: no Breakers source") || st.Durable {
		t.Fatalf("status: %+v", st)
	}
	// closeOnDelete: the row leaves the result, the breaker closes.
	if code, body := in.do("POST", "/v1/sources/calls/events", `{"operation":"delete","id":"c1"}`); code != 200 {
		t.Fatalf("delete: %d %s", code, body)
	}
	in.waitState("bot-9", breaker.Closed)
	if code, body := in.do("GET", "/v1/breakers", ""); code != 200 || !strings.Contains(body, `"key":"bot-9"`) {
		t.Fatalf("list: %d %s", code, body)
	}
}

// manualClock is a Clock that moves only when the test advances it.
type manualClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []manualTimer
}

type manualTimer struct {
	at time.Time
	c  chan time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Timer(d time.Duration) (<-chan time.Time, func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch, func() bool { return false }
	}
	c.timers = append(c.timers, manualTimer{c.now.Add(d), ch})
	return ch, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, t := range c.timers {
			if t.c == ch {
				c.timers = append(c.timers[:i], c.timers[i+1:]...)
				return true
			}
		}
		return false
	}
}

// advance moves the clock by d and fires the timers due by then.
func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			kept = append(kept, t)
			continue
		}
		t.c <- c.now
	}
	c.timers = kept
}

// The recovery timeout runs on the hub's clock: a manual one holds the
// breaker OPEN however long the test waits, and turns it HALF_OPEN the
// moment it passes the timeout, with no sleep.
func TestBreakerManualClock(t *testing.T) {
	clock := &manualClock{now: time.Now()}
	yaml := strings.Replace(governance, "recoveryTimeout: 200ms", "recoveryTimeout: 1h", 1)
	in := start(t, "", yaml, breaker.WithClock(clock))
	for i := range 3 {
		in.deny(fmt.Sprintf("c%d", i), "bot-1")
	}
	open := in.waitState("bot-1", breaker.Open)
	clock.advance(59 * time.Minute)
	if code, body := in.probe("bot-1", true); code != 409 {
		t.Fatalf("probe 59 minutes in: %d %s", code, body)
	}
	clock.advance(2 * time.Minute)
	half := in.waitState("bot-1", breaker.HalfOpen)
	if want := open.Since.Add(time.Hour); !half.Since.Equal(want) {
		t.Fatalf("HALF_OPEN since %v, want %v", half.Since, want)
	}
	clock.advance(time.Second)
	in.probe("bot-1", true)
	if code, body := in.probe("bot-1", true); code != 200 || !strings.Contains(body, `"state":"CLOSED"`) {
		t.Fatalf("second probe: %d %s", code, body)
	}
	if b, _, _ := in.breaker("bot-1"); !b.Since.Equal(clock.Now().Truncate(time.Millisecond)) {
		t.Fatalf("CLOSED since %v, want the clock's %v", b.Since, clock.Now())
	}
}
