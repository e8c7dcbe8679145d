package main

// The governance pack's acceptance test, black box: the real binary serves
// examples/governance (a copy whose breaker recovers after 2 s instead of
// 15 min), in memory and with -data; the test posts agents, policies and
// denials over the HTTP source and watches the breakers through the API.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// govRecovery replaces the breaker reaction's recoveryTimeout in the copy
// of the pack: long enough for the checks that a breaker is still OPEN (a
// restart of the -data server included), short enough to wait for.
const govRecovery = 2 * time.Second

// govPack is the copy of examples/governance the servers run, and the
// numbers the test reads from it.
type govPack struct {
	dir           string
	maxDenials    int               // policy-denials: a row above this many denials
	probes        int               // the breaker reaction's successful probes to close
	recovery      time.Duration     // its recoveryTimeout, as shortened
	minOpenAgents int               // cascade: a row from this many OPEN agents of a sponsor
	reasons       map[string]string // the breaker reaction's reason template per query
}

// reason fills query's reason template with the row's columns.
func (p govPack) reason(query string, cols ...any) string {
	r := p.reasons[query]
	for i := 0; i+1 < len(cols); i += 2 {
		r = strings.ReplaceAll(r, "{"+cols[i].(string)+"}", fmt.Sprint(cols[i+1]))
	}
	return r
}

// yamlDocs decodes every document of a resource file.
func yamlDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var docs []map[string]any
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var d map[string]any
		if err := dec.Decode(&d); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		docs = append(docs, d)
	}
	return docs
}

// yamlPath walks nested maps; the final value is returned as is.
func yamlPath(t *testing.T, docs []map[string]any, kind, name string, path ...string) any {
	t.Helper()
	for _, d := range docs {
		if d["kind"] != kind || d["name"] != name {
			continue
		}
		var v any = d
		for _, k := range path {
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%s %s: no %s", kind, name, strings.Join(path, "."))
			}
			v = m[k]
		}
		return v
	}
	t.Fatalf("no %s %s", kind, name)
	return nil
}

func yamlInt(t *testing.T, v any, what string) int {
	t.Helper()
	n, ok := v.(int)
	if !ok {
		t.Fatalf("%s: %v (%T), want an integer", what, v, v)
	}
	return n
}

// governancePack copies the pack's resource files into a temporary folder,
// shortening only the breaker's recoveryTimeout, and reads the thresholds.
func governancePack(t *testing.T) govPack {
	t.Helper()
	src := filepath.Join("..", "..", "examples", "governance")
	dir := t.TempDir()
	// Every file vigil serve -f would load (*.yaml and *.yml, recursively),
	// at the same relative path.
	files, replaced := 0, false
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if rel == "cascade.yaml" {
			const from = "recoveryTimeout: 15m"
			if strings.Count(string(b), from) != 1 {
				return fmt.Errorf("cascade.yaml does not have exactly one %q: the test shortens it to %v", from, govRecovery)
			}
			b = []byte(strings.Replace(string(b), from, "recoveryTimeout: "+govRecovery.String(), 1))
			replaced = true
		}
		files++
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil || files == 0 {
		t.Fatalf("copying %s: %v (%d resource files)", src, err, files)
	}
	if !replaced {
		t.Fatal("no cascade.yaml in the pack")
	}
	queries := yamlDocs(t, filepath.Join(dir, "queries.yaml"))
	cascade := yamlDocs(t, filepath.Join(dir, "cascade.yaml"))
	p := govPack{
		dir:           dir,
		maxDenials:    yamlInt(t, yamlPath(t, queries, "ContinuousQuery", "policy-denials", "spec", "params", "maxDenials"), "policy-denials maxDenials"),
		probes:        yamlInt(t, yamlPath(t, cascade, "Reaction", "breaker", "spec", "properties", "probes"), "breaker probes"),
		minOpenAgents: yamlInt(t, yamlPath(t, cascade, "ContinuousQuery", "cascade", "spec", "params", "minOpenAgents"), "cascade minOpenAgents"),
	}
	p.reasons = map[string]string{}
	for _, q := range []string{"policy-denials", "critical-policy-trip"} {
		r, ok := yamlPath(t, cascade, "Reaction", "breaker", "spec", "queries", q).(string)
		if !ok {
			t.Fatalf("the breaker reaction has no reason template for %s", q)
		}
		p.reasons[q] = r
	}
	rec, _ := yamlPath(t, cascade, "Reaction", "breaker", "spec", "properties", "recoveryTimeout").(string)
	if p.recovery, err = time.ParseDuration(rec); err != nil || p.recovery != govRecovery {
		t.Fatalf("the copied breaker's recoveryTimeout is %q, want %v", rec, govRecovery)
	}
	if w := yamlPath(t, queries, "ContinuousQuery", "policy-denials", "spec", "params", "denialWindow"); w != "PT10M" {
		// The test's rounds rely on a window that does not slide within them.
		t.Fatalf("policy-denials denialWindow %v: the test assumes PT10M", w)
	}
	return p
}

// govBreaker is a breaker as GET /v1/breakers/{key} shows it.
type govBreaker struct {
	Key, State, Reason, Query, Reaction string
	Since                               time.Time
	Probes                              int
}

// govClient drives one server.
type govClient struct {
	t    *testing.T
	p    *proc
	pack govPack
}

func govNode(op, id, label, props string, ts int64) string {
	return fmt.Sprintf(`{"operation":%q,"timestamp":%d,"element":{"type":"node","id":%q,"labels":[%q],"properties":%s}}`, op, ts, id, label, props)
}

func govRel(id, typ, from, to string, ts int64) string {
	return fmt.Sprintf(`{"operation":"insert","timestamp":%d,"element":{"type":"relation","id":%q,"labels":[%q],"from":%q,"to":%q}}`, ts, id, typ, from, to)
}

// govAgent is the insert of an agent.
func govAgent(id, sponsor string, ts int64) string {
	return govNode("insert", id, "Agent", fmt.Sprintf(`{"id":%q,"name":%q,"sponsor":%q,"ring":2,"trustScore":800,"lastPositiveAt":%q}`,
		id, id+"-bot", sponsor, time.UnixMilli(ts).UTC().Format(time.RFC3339Nano)), ts)
}

// govDenial is a denied tool call of agent under policy, with its MADE and
// UNDER relations, at ts.
func govDenial(id, agent, policy string, ts int64) []string {
	at := time.UnixMilli(ts).UTC().Format(time.RFC3339Nano)
	return []string{
		govNode("insert", id, "ToolCall", fmt.Sprintf(`{"id":%q,"agent":%q,"session":%q,"tool":"sql.execute","decision":"deny","policy":%q,"severity":"high","outcome":"error","latencyMs":12,"costUsd":0.002,"at":%q}`,
			id, agent, "sess-"+agent, policy, at), ts),
		govRel("made-"+id, "MADE", agent, id, ts),
		govRel("under-"+id, "UNDER", id, policy, ts),
	}
}

// post sends events to the pack's HTTP source; it returns once they are
// committed.
func (g *govClient) post(events ...string) {
	g.t.Helper()
	code, b := g.p.do(g.t, "POST", "/v1/sources/agent-events/events", "["+strings.Join(events, ",")+"]", "Content-Type", "application/json")
	if code != 200 {
		g.t.Fatalf("POST events: %d %s", code, b)
	}
}

// breaker reads a key's breaker; ok is false on 404 (no breaker yet).
func (g *govClient) breaker(key string) (b govBreaker, ok bool) {
	g.t.Helper()
	code, body := g.p.do(g.t, "GET", "/v1/breakers/"+key, "")
	switch code {
	case 200:
		if err := json.Unmarshal(body, &b); err != nil {
			g.t.Fatalf("GET /v1/breakers/%s: %v: %s", key, err, body)
		}
		return b, true
	case 404:
		return b, false
	}
	g.t.Fatalf("GET /v1/breakers/%s: %d %s", key, code, body)
	return
}

// waitState polls key's breaker until it is in state, for at most within;
// it fails on a state in bad seen on the way.
func (g *govClient) waitState(key, state string, within time.Duration, bad ...string) govBreaker {
	g.t.Helper()
	deadline := time.Now().Add(within)
	var last govBreaker
	var seen bool
	for {
		b, ok := g.breaker(key)
		if ok && b.State == state {
			return b
		}
		for _, s := range bad {
			if ok && b.State == s {
				g.t.Fatalf("breaker %s: %s while waiting for %s: %+v", key, s, state, b)
			}
		}
		last, seen = b, ok
		if time.Now().After(deadline) {
			g.t.Fatalf("breaker %s not %s within %v (last: found %v, %+v)", key, state, within, seen, last)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// waitHalfOpen checks that the OPEN breaker b stays OPEN until its
// recovery timeout is due (by this machine's clock, which the server
// shares), and turns HALF_OPEN at most 3 s after it, with since = due.
func (g *govClient) waitHalfOpen(b govBreaker) govBreaker {
	g.t.Helper()
	due := b.Since.Add(g.pack.recovery)
	for {
		nb, ok := g.breaker(b.Key)
		now := time.Now() // after the answer: the state was read before now
		if !ok {
			g.t.Fatalf("breaker %s vanished", b.Key)
		}
		switch nb.State {
		case "HALF_OPEN":
			if now.Before(due) {
				g.t.Fatalf("breaker %s HALF_OPEN at %v, %v before its recovery timeout was due (%v)", b.Key, now, due.Sub(now), due)
			}
			if !nb.Since.Equal(due) {
				g.t.Errorf("breaker %s HALF_OPEN since %v, want OPEN's since + %v = %v", b.Key, nb.Since, g.pack.recovery, due)
			}
			g.t.Logf("breaker %s: HALF_OPEN seen %v after it was due", b.Key, now.Sub(due).Round(time.Millisecond))
			return nb
		case "OPEN":
			if !nb.Since.Equal(b.Since) {
				g.t.Fatalf("breaker %s OPEN since %v, want %v", b.Key, nb.Since, b.Since)
			}
		default:
			g.t.Fatalf("breaker %s %s while waiting for HALF_OPEN: %+v", b.Key, nb.State, nb)
		}
		if now.After(due.Add(3 * time.Second)) {
			g.t.Fatalf("breaker %s still OPEN 3s after its recovery timeout was due", b.Key)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// probe posts a probe result; it returns the status and the breaker.
func (g *govClient) probe(key string, ok bool) (int, govBreaker) {
	g.t.Helper()
	code, body := g.p.do(g.t, "POST", "/v1/breakers/"+key+"/probe", fmt.Sprintf(`{"ok": %v}`, ok))
	var b govBreaker
	if code == 200 {
		if err := json.Unmarshal(body, &b); err != nil {
			g.t.Fatalf("probe %s: %v: %s", key, err, body)
		}
	}
	return code, b
}

// delivered is the breaker reaction's transitions over its life.
func (g *govClient) delivered() uint64 {
	g.t.Helper()
	var rx struct{ Status struct{ Delivered uint64 } }
	g.p.getJSON(g.t, "/v1/reactions/breaker", &rx)
	return rx.Status.Delivered
}

// cascade returns the rows of q (cascade or cascade-gql).
func (g *govClient) cascade(q string) string {
	g.t.Helper()
	rs, _ := restResults(g.t, g.p, q)
	return rs.String()
}

// setup posts the SLO, a plain and a critical policy.
func (g *govClient) setup() {
	ts := time.Now().UnixMilli()
	g.post(
		govNode("insert", "slo-default", "Slo", `{"id":"slo-default","agent":"*","target":0.999,"window":"P30D"}`, ts),
		govNode("insert", "p-read", "Policy", `{"id":"p-read","name":"read-only-hours","critical":false}`, ts),
		govNode("insert", "p-prod", "Policy", `{"id":"p-prod","name":"no-prod-writes","critical":true}`, ts),
	)
}

// trip posts maxDenials denials of agent under the plain policy, checks
// there is no breaker yet, posts one more and returns the OPEN breaker and
// since, the time stamp of the denial that crossed the threshold.
func (g *govClient) trip(agent, sponsor string) govBreaker {
	g.t.Helper()
	ts := time.Now().UnixMilli()
	g.post(govAgent(agent, sponsor, ts))
	for i := 1; i <= g.pack.maxDenials; i++ {
		g.post(govDenial(fmt.Sprintf("%s-call-%d", agent, i), agent, "p-read", time.Now().UnixMilli())...)
	}
	if b, ok := g.breaker(agent); ok {
		g.t.Fatalf("breaker %s after %d denials (the threshold is more than %d): %+v", agent, g.pack.maxDenials, g.pack.maxDenials, b)
	}
	ts = time.Now().UnixMilli()
	g.post(govDenial(fmt.Sprintf("%s-call-%d", agent, g.pack.maxDenials+1), agent, "p-read", ts)...)
	b := g.waitState(agent, "OPEN", 5*time.Second)
	want := govBreaker{Key: agent, State: "OPEN", Since: time.UnixMilli(ts), Query: "policy-denials",
		Reason: g.pack.reason("policy-denials", "agent", agent, "denials", g.pack.maxDenials+1), Reaction: "breaker"}
	if !b.Since.Equal(want.Since) || b.Query != want.Query || b.Reason != want.Reason || b.Reaction != want.Reaction {
		g.t.Fatalf("tripped breaker %+v, want %+v", b, want)
	}
	return b
}

func TestGovernancePackEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	pack := governancePack(t)
	t.Run("memory", func(t *testing.T) {
		g := &govClient{t: t, pack: pack, p: startServer(t, "-f", pack.dir)}
		g.setup()
		governanceRounds(g)
		governanceLatency(g, "memory")
	})
	t.Run("data", func(t *testing.T) {
		addr, data := freeAddr(t), t.TempDir()
		start := func() *proc { return startServer(t, "-f", pack.dir, "-data", data, "-listen", addr) }
		g := &govClient{t: t, pack: pack, p: start()}
		g.setup()
		governanceRestart(g, start)
		governanceRounds(g)
		governanceLatency(g, "data")
	})
}

// governanceRounds: a breaker's life (OPEN, HALF_OPEN, probes to CLOSED;
// OPEN again, a failed probe), then the cascade.
func governanceRounds(g *govClient) {
	t := g.t
	// Round 1: the denials trip it; it recovers; probes close it.
	b := g.trip("gov-a", "team-a")
	if code, _ := g.probe("gov-a", true); code != 409 {
		t.Errorf("a probe of an OPEN breaker: %d, want 409", code)
	}
	g.waitHalfOpen(b)
	for i := 1; i <= g.pack.probes; i++ {
		code, nb := g.probe("gov-a", true)
		want, wantProbes := "HALF_OPEN", i
		if i == g.pack.probes {
			want, wantProbes = "CLOSED", 0
		}
		if code != 200 || nb.State != want || nb.Probes != wantProbes {
			t.Fatalf("probe %d of %d: %d %+v, want %s with %d probes", i, g.pack.probes, code, nb, want, wantProbes)
		}
	}
	if nb, _ := g.breaker("gov-a"); nb.State != "CLOSED" {
		t.Fatalf("after %d probes: %+v, want CLOSED", g.pack.probes, nb)
	}

	// Round 2: one more denial updates the agent's row (still in the
	// window): OPEN again; HALF_OPEN; one failed probe reopens it.
	ts := time.Now().UnixMilli()
	g.post(govDenial("gov-a-call-again", "gov-a", "p-read", ts)...)
	b = g.waitState("gov-a", "OPEN", 5*time.Second)
	if !b.Since.Equal(time.UnixMilli(ts)) || b.Reason != g.pack.reason("policy-denials", "agent", "gov-a", "denials", g.pack.maxDenials+2) {
		t.Fatalf("reopened breaker %+v, want since %v and %d denials", b, time.UnixMilli(ts), g.pack.maxDenials+2)
	}
	half := g.waitHalfOpen(b)
	before := time.Now()
	code, nb := g.probe("gov-a", false)
	if code != 200 || nb.State != "OPEN" || nb.Reason != "probe failed" || nb.Since.Before(half.Since) || nb.Since.After(time.Now()) || nb.Since.Before(before.Truncate(time.Millisecond)) {
		t.Fatalf("failed probe: %d %+v, want OPEN, reason \"probe failed\", since the probe's time", code, nb)
	}
	if nb2, _ := g.breaker("gov-a"); nb2.State != "OPEN" || !nb2.Since.Equal(nb.Since) {
		t.Fatalf("after the failed probe GET shows %+v, want %+v", nb2, nb)
	}

	// The cascade: critical denials of three agents of one sponsor.
	n := g.pack.minOpenAgents
	ts = time.Now().UnixMilli()
	var agents []string
	for i := 1; i <= n; i++ {
		agents = append(agents, govAgent(fmt.Sprintf("gov-c%d", i), "team-cascade", ts))
	}
	g.post(agents...)
	var opened []govBreaker
	for i := 1; i <= n; i++ {
		agent := fmt.Sprintf("gov-c%d", i)
		for _, q := range []string{"cascade", "cascade-gql"} {
			if rows := g.cascade(q); strings.Contains(rows, "team-cascade") {
				t.Fatalf("%s with %d agents open: %s", q, i-1, rows)
			}
		}
		g.post(govDenial(agent+"-call-1", agent, "p-prod", time.Now().UnixMilli())...)
		b := g.waitState(agent, "OPEN", 5*time.Second)
		if b.Query != "critical-policy-trip" || b.Reason != g.pack.reason("critical-policy-trip", "agent", agent, "criticalDenials", 1) {
			t.Fatalf("critical trip: %+v", b)
		}
		opened = append(opened, b)
	}
	want := rowKey(map[string]any{"sponsor": "team-cascade", "openAgents": n})
	for _, q := range []string{"cascade", "cascade-gql"} {
		deadline := time.Now().Add(time.Second)
		for rows := g.cascade(q); rows != want; rows = g.cascade(q) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %s, want %s", q, rows, want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	// The first to recover takes the sponsor below the threshold.
	g.waitHalfOpen(opened[0])
	for _, q := range []string{"cascade", "cascade-gql"} {
		deadline := time.Now().Add(time.Second)
		for rows := g.cascade(q); rows != ""; rows = g.cascade(q) {
			if time.Now().After(deadline) {
				t.Fatalf("%s after a breaker went HALF_OPEN: %s, want no rows", q, rows)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// governanceRestart: SIGKILL the -data server while a breaker is OPEN;
// after the restart it is still OPEN (not tripped again), then turns
// HALF_OPEN when it was due.
func governanceRestart(g *govClient, start func() *proc) {
	t := g.t
	b := g.trip("gov-r", "team-r")
	before := g.delivered()
	if before == 0 {
		t.Fatalf("the breaker reaction delivered 0 transitions after opening a breaker")
	}
	g.p.cmd.Process.Signal(syscall.SIGKILL)
	g.p.cmd.Wait()
	killed := time.Now()
	g.p = start()
	// Until the reaction has restored its state (its status "starting"),
	// the API may not show the breaker: wait for "running", noting what
	// GET /v1/breakers/gov-r answered meanwhile. The delivered count is
	// read first: if the breaker is still OPEN after it, no transition of
	// the (only) breaker came between.
	var nb govBreaker
	var after uint64
	meanwhile := map[string]int{}
	for deadline := time.Now().Add(5 * time.Second); ; {
		if time.Now().After(deadline) {
			t.Fatalf("the breaker reaction not running 5s after the restart; GET /v1/breakers/gov-r meanwhile: %v", meanwhile)
		}
		var rx struct {
			Status struct {
				State     string
				Delivered uint64
			}
		}
		if c, rb := g.p.do(t, "GET", "/v1/reactions/breaker", ""); c != 200 || json.Unmarshal(rb, &rx) != nil {
			meanwhile[fmt.Sprintf("reaction %d", c)]++
			time.Sleep(2 * time.Millisecond)
			continue
		}
		if rx.Status.State != "running" {
			code, body := g.p.do(t, "GET", "/v1/breakers/gov-r", "")
			meanwhile[fmt.Sprintf("%d %s (reaction %s, delivered %d)", code, bytes.TrimSpace(body), rx.Status.State, rx.Status.Delivered)]++
			time.Sleep(2 * time.Millisecond)
			continue
		}
		after = rx.Status.Delivered
		code, body := g.p.do(t, "GET", "/v1/breakers/gov-r", "")
		if code != 200 || json.Unmarshal(body, &nb) != nil {
			t.Fatalf("GET /v1/breakers/gov-r after the restart, the reaction running: %d %s", code, body)
		}
		break
	}
	if len(meanwhile) > 0 {
		t.Logf("after the restart, before the breaker reaction ran, GET /v1/breakers/gov-r answered: %v", meanwhile)
	}
	up := time.Now()
	due := b.Since.Add(g.pack.recovery)
	t.Logf("restart: breaker served %v after the SIGKILL (%v before its recovery timeout was due)",
		up.Sub(killed).Round(time.Millisecond), due.Sub(up).Round(time.Millisecond))
	if nb.State == "HALF_OPEN" && !up.Before(due) {
		// The restart outlasted the timeout (a loaded machine): the timeout
		// that fell due while the server was down fired once, with the
		// since it would have had. Whether it stayed OPEN cannot be seen.
		t.Logf("the restart took until after the recovery timeout was due: checking the late HALF_OPEN instead of OPEN")
		if !nb.Since.Equal(due) || after < before || after > before+1 {
			t.Fatalf("after SIGKILL and a restart past the timeout: %+v with %d transitions (%d before), want HALF_OPEN since %v", nb, after, before, due)
		}
		return
	}
	if nb.State != "OPEN" || !nb.Since.Equal(b.Since) || nb.Reason != b.Reason || nb.Query != b.Query {
		t.Fatalf("after SIGKILL and restart: %+v, want %+v", nb, b)
	}
	if after != before {
		t.Fatalf("the reaction's delivered count went from %d to %d across the restart: a transition was lost or repeated", before, after)
	}
	g.waitHalfOpen(b)
	if after := g.delivered(); after != before+1 {
		t.Fatalf("delivered %d after HALF_OPEN, want %d", after, before+1)
	}
}

// governanceLatency measures, for fresh agents, the time from the POST of
// the denial that crosses policy-denials' threshold to the breaker being
// OPEN: as a client polling GET /v1/breakers/{agent} every 1 ms sees it,
// and as an SSE client of a query over the Breaker nodes receives it.
func governanceLatency(g *govClient, run string) {
	t := g.t
	const n = 200
	code, body := g.p.do(t, "POST", "/v1/apply", `apiVersion: v1
kind: ContinuousQuery
name: open-breakers
spec:
  mode: query
  sources:
    subscriptions:
      - id: breakers
        nodes:
          - sourceLabel: Breaker
  queryLanguage: Cypher
  query: |
    MATCH (b:Breaker) WHERE b.state = 'OPEN'
    RETURN b.key AS agent
`, "Content-Type", "application/yaml")
	if code != 200 {
		t.Fatalf("apply open-breakers: %d %s", code, body)
	}
	sse := openSSE(t, strings.TrimSuffix(g.p.url, "/")+"/v1/queries/open-breakers/events", "")
	sse.next(t, "open-breakers snapshot")
	// opened: the agents the stream added, with the time each arrived.
	opened := map[string]time.Time{}
	// waitOpened reads the stream until it has added agent.
	waitOpened := func(agent string) time.Time {
		timeout := time.After(5 * time.Second)
		for opened[agent].IsZero() {
			select {
			case ev, ok := <-sse.events:
				if !ok {
					t.Fatal("open-breakers stream closed")
				}
				if ev.Data["kind"] == "change" {
					for _, r := range ev.Data["addedResults"].([]any) {
						opened[fmt.Sprint(r.(map[string]any)["agent"])] = ev.At
					}
				}
			case <-timeout:
				t.Fatalf("open-breakers stream did not add %s within 5s", agent)
			}
		}
		return opened[agent]
	}

	url := strings.TrimSuffix(g.p.url, "/") + "/v1/sources/agent-events/events"
	polled, pushed, posted := make([]time.Duration, n), make([]time.Duration, n), make([]time.Duration, n)
	var polls int
	var getTime, pollTime time.Duration // the GETs' round trips; the polling loops' time
	start := time.Now()
	for i := 0; i < n; i++ {
		agent := fmt.Sprintf("lat-%s-%03d", run, i)
		var evs []string
		for k := 1; k <= g.pack.maxDenials; k++ {
			evs = append(evs, govDenial(fmt.Sprintf("%s-call-%d", agent, k), agent, "p-read", time.Now().UnixMilli())...)
		}
		g.post(evs...)
		if b, ok := g.breaker(agent); ok {
			t.Fatalf("breaker %s before the crossing denial: %+v", agent, b)
		}
		crossing := "[" + strings.Join(govDenial(fmt.Sprintf("%s-call-%d", agent, g.pack.maxDenials+1), agent, "p-read", time.Now().UnixMilli()), ",") + "]"
		done := make(chan time.Duration, 1)
		t0 := time.Now()
		go func() {
			// Not g.post: t.Fatal must not be called from this goroutine.
			resp, err := e2eClient.Post(url, "application/json", strings.NewReader(crossing))
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					err = fmt.Errorf("%d %s", resp.StatusCode, b)
				}
			}
			if err != nil {
				t.Errorf("POST crossing denial: %v", err)
			}
			done <- time.Since(t0)
		}()
		for {
			g0 := time.Now()
			b, ok := g.breaker(agent)
			polls++
			getTime += time.Since(g0)
			if ok && b.State == "OPEN" {
				polled[i] = time.Since(t0)
				break
			}
			if time.Since(t0) > 5*time.Second {
				t.Fatalf("breaker %s not OPEN 5s after the crossing denial", agent)
			}
			time.Sleep(time.Millisecond)
		}
		pollTime += polled[i]
		posted[i] = <-done
		pushed[i] = waitOpened(agent).Sub(t0)
	}
	total := time.Since(start)
	p50, p99, mx := govQuantiles(polled)
	t.Logf("%s: %d breakers, crossing POST -> OPEN seen by GET polled every 1 ms: p50 %v, p99 %v, max %v (%d GETs, one every %v, each taking %v on average)",
		run, n, p50, p99, mx, polls, (pollTime / time.Duration(polls)).Round(time.Microsecond), (getTime / time.Duration(polls)).Round(time.Microsecond))
	s50, s99, smx := govQuantiles(pushed)
	t.Logf("%s: crossing POST -> row of a query over Breaker nodes received over SSE: p50 %v, p99 %v, max %v", run, s50, s99, smx)
	c50, c99, cmx := govQuantiles(posted)
	t.Logf("%s: the crossing POST's own round trip (returns once its batch is committed): p50 %v, p99 %v, max %v; %d iterations in %v",
		run, c50, c99, cmx, n, total.Round(time.Millisecond))
	if p99 >= time.Second {
		t.Errorf("%s: p99 time from the crossing denial to an OPEN breaker %v, want < 1s", run, p99)
	}
}

// govQuantiles returns p50, p99 and the max of ds.
func govQuantiles(ds []time.Duration) (p50, p99, mx time.Duration) {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	at := func(q float64) time.Duration {
		return s[int(math.Ceil(q*float64(len(s))))-1].Round(10 * time.Microsecond)
	}
	return at(0.5), at(0.99), s[len(s)-1].Round(10 * time.Microsecond)
}
