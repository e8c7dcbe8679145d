package main

// End-to-end tests: build the real binary, start it on resource files, post
// changes over HTTP and check that the SSE stream, a webhook receiver and
// the REST results agree.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// raceBinary (VIGIL_E2E_RACE=1) builds the served binary with the race
// detector: go test -race instruments only the test binary, not the server
// these tests start. A race report in a server's log then fails its test.
// Off by default: it makes these tests several times slower. It is read
// while the tests run, not at package init: go test's cache records only
// the environment a running test reads, and `make race` must not be
// answered by the cached result of the run without it.
func raceBinary() bool {
	on, _ := strconv.ParseBool(os.Getenv("VIGIL_E2E_RACE"))
	return on
}

// The binary is built once per test run and shared by the tests (each
// build costs seconds on a shared machine).
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// TestMain removes the binary built for the end-to-end tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

func vigilBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "vigil-e2e")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "vigil")
		args := []string{"build", "-o", binPath}
		if raceBinary() {
			args = append(args, "-race")
		}
		out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

type proc struct {
	url    string
	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr bytes.Buffer
}

func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

var listenRE = regexp.MustCompile(`listening on (http://[^ ]+/)`)

// startServer runs `vigil serve` with args and waits for its URL.
func startServer(t testing.TB, args ...string) *proc {
	t.Helper()
	bin := vigilBinary(t)
	cmd := exec.Command(bin, append([]string{"serve", "-listen", "127.0.0.1:0"}, args...)...)
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd}
	urlc := make(chan string, 1)
	logged := make(chan struct{}) // the whole log is in p.stderr
	go func() {
		defer close(logged)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.stderr.WriteString(line + "\n")
			p.mu.Unlock()
			if m := listenRE.FindStringSubmatch(line); m != nil {
				urlc <- m[1]
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			t.Error("server did not stop within 5s of SIGINT")
		}
		pw.Close()
		select {
		case <-logged:
		case <-time.After(5 * time.Second):
		}
		if strings.Contains(p.log(), "WARNING: DATA RACE") {
			t.Error("the server's race detector reported a data race (see its log)")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", p.log())
		}
	})
	select {
	case p.url = <-urlc:
	case <-time.After(10 * time.Second):
		t.Fatalf("server did not start:\n%s", p.log())
	}
	return p
}

// e2eClient is the tests' client for requests (streams have their own
// contexts): its timeout makes a server that stops answering (its loop
// stuck, say on a future that fires again and again) fail the test within
// seconds instead of at go test's timeout.
var e2eClient = &http.Client{Timeout: 10 * time.Second}

func (p *proc) do(t testing.TB, method, path, body string, hdr ...string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, strings.TrimSuffix(p.url, "/")+path, strings.NewReader(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := e2eClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (p *proc) getJSON(t testing.TB, path string, v any) {
	t.Helper()
	code, b := p.do(t, "GET", path, "")
	if code != 200 {
		t.Fatalf("GET %s: %d %s", path, code, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// sseEvent is one received SSE event.
type sseEvent struct {
	ID   string
	Data map[string]any
	At   time.Time
}

// sseClient reads a stream into a channel.
type sseClient struct {
	events chan sseEvent
	cancel context.CancelFunc
}

func openSSE(t testing.TB, url, lastID string) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	// The stream has no client timeout (it stays open), and each read has
	// its own (next): only the answer's headers need a bound.
	headers := time.AfterFunc(10*time.Second, cancel)
	resp, err := http.DefaultClient.Do(req)
	if !headers.Stop() {
		err = fmt.Errorf("no answer within 10s (%v)", err)
	}
	if err != nil {
		cancel()
		t.Fatalf("SSE %s: %v", url, err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		cancel()
		t.Fatalf("SSE %s: %d %s", url, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	c := &sseClient{events: make(chan sseEvent, 1000), cancel: cancel}
	go func() {
		defer resp.Body.Close()
		defer close(c.events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				ev.ID = line[4:]
			case strings.HasPrefix(line, "data: "):
				json.Unmarshal([]byte(line[6:]), &ev.Data)
			case line == "" && ev.Data != nil:
				ev.At = time.Now()
				c.events <- ev
				ev = sseEvent{}
			}
		}
	}()
	t.Cleanup(cancel)
	return c
}

func (c *sseClient) next(t testing.TB, what string) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-c.events:
		if !ok {
			t.Fatalf("%s: stream closed", what)
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: no event within 5s", what)
	}
	return sseEvent{}
}

// nextChange skips control events, for at most 10 s: a stream that keeps
// sending only control events fails the test rather than keeping it
// waiting until go test's timeout.
func (c *sseClient) nextChange(t testing.TB, what string) sseEvent {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for skipped := 0; ; skipped++ {
		if time.Now().After(deadline) {
			t.Fatalf("%s: only control events (%d) for 10s", what, skipped)
		}
		ev := c.next(t, what)
		if ev.Data["kind"] != "control" {
			return ev
		}
	}
}

// fold applies change events to a result set keyed by the row's JSON.
type resultSet map[string]int

func rowKey(r any) string { b, _ := json.Marshal(r); return string(b) }

func (rs resultSet) apply(ev map[string]any) {
	switch ev["kind"] {
	case "snapshot":
		clear(rs)
		for _, r := range ev["results"].([]any) {
			rs[rowKey(r)]++
		}
	case "change":
		for _, r := range ev["deletedResults"].([]any) {
			rs.remove(rowKey(r))
		}
		for _, u := range ev["updatedResults"].([]any) {
			rs.remove(rowKey(u.(map[string]any)["before"]))
			rs[rowKey(u.(map[string]any)["after"])]++
		}
		for _, r := range ev["addedResults"].([]any) {
			rs[rowKey(r)]++
		}
	}
}

func (rs resultSet) remove(k string) {
	if rs[k]--; rs[k] <= 0 {
		delete(rs, k)
	}
}

func (rs resultSet) String() string {
	var ks []string
	for k, n := range rs {
		for i := 0; i < n; i++ {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	return strings.Join(ks, " ")
}

func restResults(t testing.TB, p *proc, q string) (resultSet, float64) {
	var r struct {
		Sequence float64
		Results  []any
	}
	p.getJSON(t, "/v1/queries/"+q+"/results", &r)
	rs := resultSet{}
	for _, row := range r.Results {
		rs[rowKey(row)]++
	}
	return rs, r.Sequence
}

func nodeEv(op, id, label string, props string) string {
	return fmt.Sprintf(`{"operation":%q,"element":{"type":"node","id":%q,"labels":[%q],"properties":%s}}`, op, id, label, props)
}

func relEv(id, typ, from, to string) string {
	return fmt.Sprintf(`{"operation":"insert","element":{"type":"relation","id":%q,"labels":[%q],"from":%q,"to":%q}}`, id, typ, from, to)
}

// webhookReceiver fails the first `failFirst` requests, then records.
type webhookReceiver struct {
	mu        sync.Mutex
	failFirst int
	attempts  int
	keys      []string
	events    []map[string]any
}

func (w *webhookReceiver) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.attempts++
	if w.attempts <= w.failFirst {
		rw.WriteHeader(503)
		return
	}
	var ev map[string]any
	json.NewDecoder(r.Body).Decode(&ev)
	key := r.Header.Get("Idempotency-Key")
	for _, k := range w.keys {
		if k == key {
			return // a repeat: the key makes it harmless
		}
	}
	w.keys = append(w.keys, key)
	w.events = append(w.events, ev)
}

func TestServeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	t0 := time.Now()
	defer func() { t.Logf("test body took %v", time.Since(t0)) }()
	p := startServer(t, "-f", "testdata/e2e")

	// Bad resources are reported with file and line; the good ones run.
	var qs []struct{ ID, State, Error string }
	p.getJSON(t, "/v1/queries", &qs)
	states := map[string]string{}
	for _, q := range qs {
		states[q.ID] = q.State + " " + q.Error
	}
	for id, want := range map[string]string{
		"denials":          "running",
		"silent":           "running",
		"broken-parse":     "error testdata/e2e/resources.yaml:37:21: ContinuousQuery \"broken-parse\": query line 3 col 1: unexpected end of input",
		"unknown-function": "error testdata/e2e/resources.yaml:45:28: ContinuousQuery \"unknown-function\": query line 1 col 24: unknown function",
	} {
		if !strings.HasPrefix(states[id], want) {
			t.Errorf("query %s: %q, want prefix %q", id, states[id], want)
		}
	}
	if !strings.Contains(states["unknown-function"], "nosuch.thing") {
		t.Errorf("unknown function error does not name it: %s", states["unknown-function"])
	}
	var status struct{ Errors []string }
	p.getJSON(t, "/v1/status", &status)
	if len(status.Errors) != 1 || !strings.Contains(status.Errors[0], "testdata/e2e/bad.yaml:6") {
		t.Errorf("load errors: %v", status.Errors)
	}

	// The webhook, deployed with `vigil apply`; its receiver fails the
	// first two attempts.
	recv := &webhookReceiver{failFirst: 2}
	hook := httptest.NewServer(recv)
	defer hook.Close()
	hookFile := filepath.Join(t.TempDir(), "hook.yaml")
	os.WriteFile(hookFile, []byte(fmt.Sprintf(`apiVersion: v1
kind: Reaction
name: hook
spec:
  kind: Http
  queries:
    denials:
  properties:
    url: %s/hook
    baseDelay: 20ms
    maxDelay: 100ms
    token: s3cret-webhook-token
`, hook.URL)), 0o644)
	out, err := exec.Command(vigilBinary(t), "apply", "-server", p.url, "-f", hookFile).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Reaction/hook created") {
		t.Fatalf("vigil apply: %v\n%s", err, out)
	}

	// SSE: a new client gets a snapshot first.
	sse := openSSE(t, p.url+"v1/queries/denials/events", "")
	snap := sse.next(t, "snapshot")
	if snap.Data["kind"] != "snapshot" || snap.ID != fmt.Sprint(snap.Data["sequence"]) {
		t.Fatalf("first event: %+v", snap)
	}
	seen := resultSet{}
	seen.apply(snap.Data)
	lastID := snap.ID

	post := func(body string, hdr ...string) (int, string) {
		code, b := p.do(t, "POST", "/v1/sources/events/events", body, hdr...)
		return code, string(b)
	}
	now := time.Now().UnixMilli()
	start := time.Now()
	code, body := post("[" + strings.Join([]string{
		nodeEv("insert", "a1", "Agent", fmt.Sprintf(`{"name":"scout","lastSeen":%d}`, now)),
		nodeEv("insert", "c1", "ToolCall", `{"decision":"deny"}`),
		relEv("m1", "MADE", "a1", "c1"),
	}, ",") + "]")
	if code != 200 {
		t.Fatalf("post: %d %s", code, body)
	}
	ev := sse.nextChange(t, "first change")
	latency := ev.At.Sub(start)
	seen.apply(ev.Data)
	lastID = ev.ID
	if fmt.Sprint(ev.Data["addedResults"]) != "[map[agent:scout denials:1]]" {
		t.Fatalf("change: %v", ev.Data)
	}

	// Bad requests get a clear 4xx and change nothing.
	for _, tc := range []struct {
		path, body string
		code       int
		want       string
	}{
		{"/v1/sources/events/events", `{"operation":"insert","element":{"type":"node"}}`, 400, "element.id is required"},
		{"/v1/sources/events/events", `{not json`, 400, "invalid JSON"},
		{"/v1/sources/nosuch/events", nodeEv("insert", "x", "Agent", `{}`), 404, `nosuch\" not found`},
		{"/v1/apply", "apiVersion: v1\nkind: [", 400, "invalid YAML"},
		{"/v1/apply", "apiVersion: v1\nkind: ContinuousQuery\nname: q2\nspec:\n  sources: {subscriptions: [{id: events}]}\n  query: MATCH (a) RETURN nosuch(a)\n", 400, "nosuch"},
	} {
		code, b := p.do(t, "POST", tc.path, tc.body)
		if code != tc.code || !strings.Contains(string(b), tc.want) {
			t.Errorf("POST %s %s: %d %s, want %d %q", tc.path, tc.body, code, b, tc.code, tc.want)
		}
	}

	// Idempotent retry with a client position.
	for i := 0; i < 2; i++ {
		code, body := post("["+nodeEv("insert", "c2", "ToolCall", `{"decision":"deny"}`)+","+relEv("m2", "MADE", "a1", "c2")+"]", "Vigil-Position", "1")
		if code != 200 || strings.Contains(body, "duplicate") != (i == 1) {
			t.Fatalf("positioned post %d: %d %s", i, code, body)
		}
	}
	ev = sse.nextChange(t, "second change")
	seen.apply(ev.Data)
	lastID = ev.ID

	// Reconnect with Last-Event-ID: exactly the events after it, no snapshot.
	sse.cancel()
	post("[" + nodeEv("insert", "a2", "Agent", fmt.Sprintf(`{"name":"intern","lastSeen":%d}`, time.Now().UnixMilli())) + "," +
		nodeEv("insert", "c3", "ToolCall", `{"decision":"deny"}`) + "," + relEv("m3", "MADE", "a2", "c3") + "]")
	post(`{"operation":"delete","id":"c1"}`)
	sse2 := openSSE(t, p.url+"v1/queries/denials/events", lastID)
	want := parseSeq(t, lastID)
	for i := 0; i < 2; i++ {
		ev := sse2.next(t, "replayed change")
		want++
		if ev.Data["kind"] != "change" || ev.ID != fmt.Sprint(want) {
			t.Fatalf("replay %d: id %s, want %d: %v", i, ev.ID, want, ev.Data)
		}
		seen.apply(ev.Data)
	}

	// REST agrees with the folded stream.
	rest, seq := restResults(t, p, "denials")
	if rest.String() != seen.String() || uint64(seq) != want {
		t.Fatalf("REST %s @%v\nSSE  %s @%d", rest, seq, seen, want)
	}

	// The webhook delivered every change despite the failures, with
	// idempotency keys, and its status shows the failures.
	deadline := time.Now().Add(5 * time.Second)
	for {
		recv.mu.Lock()
		hooked := resultSet{}
		for _, e := range recv.events {
			hooked.apply(e)
		}
		n := len(recv.keys)
		recv.mu.Unlock()
		if hooked.String() == rest.String() {
			if n == 0 || !regexp.MustCompile(`^denials:\d+$`).MatchString(recv.keys[0]) {
				t.Fatalf("idempotency keys: %v", recv.keys)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("webhook got %s, want %s", hooked, rest)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var rx struct {
		Status struct {
			State     string
			Failures  int
			Delivered int
		}
		Lag map[string]int
	}
	p.getJSON(t, "/v1/reactions/hook", &rx)
	if rx.Status.Failures != 2 || rx.Status.State != "running" || rx.Status.Delivered == 0 {
		t.Errorf("webhook status: %+v", rx)
	}
	_, metrics := p.do(t, "GET", "/metrics", "")
	for _, m := range []string{`vigil_reaction_failures_total{reaction="hook"} 2`, `vigil_changes_in_total{source="events"}`,
		`vigil_query_processing_seconds_count{query="denials"}`, `vigil_http_source_rejected_total{reason="unknown_source",source="(unknown)"} 1`} {
		if !strings.Contains(string(metrics), m) {
			t.Errorf("metrics lack %s", m)
		}
	}

	// The scheduler fires trueLater on time: both agents fall silent 300 ms
	// after their lastSeen.
	multi := openSSE(t, p.url+"v1/reactions/stream/events", "")
	silent := resultSet{}
	// Each read waits at most 5 s, but a stream that keeps sending (a
	// future that fires again and again) would keep this loop going: it
	// has its own deadline.
	for deadline := time.Now().Add(10 * time.Second); len(silent) < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("silent agents after 10s: %s, want both", silent)
		}
		ev := multi.next(t, "silent agents")
		if ev.Data["queryId"] == "silent" {
			silent.apply(ev.Data)
		}
	}
	var st struct {
		Scheduler struct {
			Fires                         int
			MaxLatenessMs, MeanLatenessMs float64
		}
	}
	p.getJSON(t, "/v1/status", &st)
	maxLate := 50.0
	if raceBinary() {
		maxLate = 500 // the race detector slows the server several times
	}
	if st.Scheduler.Fires == 0 || st.Scheduler.MaxLatenessMs > maxLate {
		t.Errorf("scheduler: %+v, want a fire at most %v ms late", st.Scheduler, maxLate)
	}

	// Changing and deleting a query leaves the others serving.
	q3 := filepath.Join(t.TempDir(), "q3.yaml")
	os.WriteFile(q3, []byte("apiVersion: v1\nkind: ContinuousQuery\nname: agents\nspec:\n  sources: {subscriptions: [{id: events}]}\n  query: MATCH (a:Agent) RETURN a.name AS name\n"), 0o644)
	if out, err := exec.Command(vigilBinary(t), "apply", "-server", p.url, "-f", q3).CombinedOutput(); err != nil {
		t.Fatalf("apply: %v %s", err, out)
	}
	if r, _ := restResults(t, p, "agents"); len(r) != 2 {
		t.Errorf("new query bootstrapped %v", r)
	}
	if out, err := exec.Command(vigilBinary(t), "delete", "-server", p.url, "query", "agents").CombinedOutput(); err != nil {
		t.Fatalf("delete: %v %s", err, out)
	}
	if out, err := exec.Command(vigilBinary(t), "get", "-server", p.url, "queries").CombinedOutput(); err != nil || strings.Contains(string(out), "agents ") || !strings.Contains(string(out), "denials") {
		t.Fatalf("get: %v %s", err, out)
	}
	post(nodeEv("insert", "c4", "ToolCall", `{"decision":"deny"}`))
	post(relEv("m4", "MADE", "a2", "c4"))
	if r, _ := restResults(t, p, "denials"); !strings.Contains(r.String(), `"denials":2`) {
		t.Errorf("denials after changes elsewhere: %s", r)
	}
	if strings.Contains(p.log(), "s3cret-webhook-token") {
		t.Error("the log contains a secret")
	}
	t.Logf("SSE delivery latency (POST start to event): %v; scheduler lateness max %.2f ms, mean %.2f ms over %d fires",
		latency, st.Scheduler.MaxLatenessMs, st.Scheduler.MeanLatenessMs, st.Scheduler.Fires)
}

func parseSeq(t testing.TB, id string) uint64 {
	var n uint64
	if _, err := fmt.Sscan(id, &n); err != nil {
		t.Fatalf("bad id %q", id)
	}
	return n
}

func TestServeToken(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	p := startServer(t, "-f", "testdata/e2e/resources.yaml", "-token", "t0ken")
	for _, tc := range []struct {
		path string
		hdr  []string
		code int
	}{
		{"/healthz", nil, 200},
		{"/v1/queries", nil, 401},
		{"/v1/queries", []string{"Authorization", "Bearer wrong"}, 401},
		{"/v1/queries", []string{"Authorization", "Bearer t0ken"}, 200},
		{"/v1/queries/denials/results?token=t0ken", nil, 200},
		{"/", nil, 401},
	} {
		if code, b := p.do(t, "GET", tc.path, "", tc.hdr...); code != tc.code {
			t.Errorf("GET %s %v: %d %s", tc.path, tc.hdr, code, b)
		}
	}
	if strings.Contains(p.log(), "t0ken") {
		t.Error("the log contains the token")
	}
}
