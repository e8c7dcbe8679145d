package mcp_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// Without a token, or with a wrong one, nothing is served; the server's
// token and the reaction's both open the endpoint, and the reaction's
// token opens nothing else.
func TestTokens(t *testing.T) {
	in := start(t, pack)
	for _, tok := range []string{"", "wrong"} {
		if _, err := in.connect(t, tok, nil); err == nil || !strings.Contains(err.Error(), "Unauthorized") {
			t.Errorf("token %q: %v, want Unauthorized", tok, err)
		}
	}
	for _, tok := range []string{"agent-token", serverToken} {
		if _, err := in.connect(t, tok, nil); err != nil {
			t.Errorf("token %q: %v", tok, err)
		}
	}
	req, _ := http.NewRequest("GET", in.hs.URL+"/v1/queries", nil)
	req.Header.Set("Authorization", "Bearer agent-token")
	resp, err := plain.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("the reaction's token on the server's API: %d, want 401", resp.StatusCode)
	}
	// The client tries two handshakes (server/discover, then initialize)
	// before it gives up.
	if got := in.metric(`vigil_mcp_rejected_total{reaction="agents",reason="auth"}`); got < 2 {
		t.Errorf("auth rejections counted %v, want at least 2", got)
	}
}

// maxSessions bounds the sessions of a reaction (a closed one frees its
// place), maxSubscriptions a session's subscriptions.
func TestSessionAndSubscriptionLimits(t *testing.T) {
	in := start(t, pack)
	var open []*sdk.ClientSession
	for i := 0; i < 4; i++ {
		cs, err := in.connect(t, "agent-token", nil)
		if err != nil {
			t.Fatalf("session %d: %v", i, err)
		}
		open = append(open, cs)
	}
	if _, err := in.connect(t, "agent-token", nil); err == nil || !strings.Contains(err.Error(), "Service Unavailable") {
		t.Fatalf("a fifth session: %v, want refused", err)
	}
	if got := in.metric(`vigil_mcp_sessions{reaction="agents"}`); got != 4 {
		t.Errorf("vigil_mcp_sessions %v, want 4", got)
	}
	open[0].Close()
	waitFor(t, func() bool { return in.reactionStatus("agents").Clients == 3 })
	cs, err := in.connect(t, "agent-token", nil)
	if err != nil {
		t.Fatalf("after one closed: %v", err)
	}
	ctx := context.Background()
	if err := cs.Subscribe(ctx, &sdk.SubscribeParams{URI: "vigil://queries/denials"}); err != nil {
		t.Fatal(err)
	}
	if err := cs.Subscribe(ctx, &sdk.SubscribeParams{URI: "vigil://queries/denials/changes"}); err == nil || !strings.Contains(err.Error(), "subscribe to vigil://queries/denials") {
		t.Errorf("the changes resource (notifications name the query's resource): %v", err)
	}
	if err := cs.Unsubscribe(ctx, &sdk.UnsubscribeParams{URI: "vigil://queries/denials/changes"}); err == nil {
		t.Errorf("unsubscribing the changes resource must not end the query's subscription")
	}
	if err := cs.Subscribe(ctx, &sdk.SubscribeParams{URI: "vigil://queries/calls"}); err == nil || !strings.Contains(err.Error(), "maximum of 1 subscriptions") {
		t.Errorf("a second query: %v, want the limit", err)
	}
	if err := cs.Subscribe(ctx, &sdk.SubscribeParams{URI: "vigil://queries/nope"}); err == nil {
		t.Errorf("a query the reaction does not serve: subscribed")
	}
	if got := in.metric(`vigil_mcp_subscriptions{reaction="agents"}`); got != 1 {
		t.Errorf("vigil_mcp_subscriptions %v, want 1", got)
	}
}

// A session with no request and no open stream for sessionTimeout is
// closed; one whose client holds its notification stream open is not.
func TestIdleSessionsExpire(t *testing.T) {
	in := start(t, pack)
	live, err := in.connect(t, "agent-token", nil)
	if err != nil {
		t.Fatal(err)
	}
	id := in.rawSession(t)
	time.Sleep(3 * time.Second) // sessionTimeout is 2s
	code, body := in.rawPost(t, id, `{"jsonrpc":"2.0","id":9,"method":"tools/list","params":{}}`)
	if code != 404 {
		t.Errorf("an idle session after its timeout: %d %s, want 404 (session not found)", code, body)
	}
	if _, err := live.ListTools(context.Background(), nil); err != nil {
		t.Errorf("a session with its stream open was closed: %v", err)
	}
	if got := in.metric(`vigil_mcp_sessions_expired_total{reaction="agents"}`); got != 1 {
		t.Errorf("expired sessions counted %v, want 1", got)
	}
}

// A client that stops reading its notification stream holds up nobody: not
// the engine (POSTs commit as fast as before), not another session (told
// of each change promptly); the server cuts the stalled stream once a write
// has waited writeTimeout.
func TestStalledClientBlocksNobody(t *testing.T) {
	// A write deadline well above a notification's time even in a race
	// build, so that waiting on it cannot pass for slowness.
	in := start(t, strings.Replace(pack, "writeTimeout: 300ms", "writeTimeout: 1s", 1))
	in.post(agent("a1"))
	u := newUpdates()
	cs, err := in.connect(t, "agent-token", u)
	if err != nil {
		t.Fatal(err)
	}
	if err := cs.Subscribe(context.Background(), &sdk.SubscribeParams{URI: "vigil://queries/calls"}); err != nil {
		t.Fatal(err)
	}
	id := in.rawSession(t)
	if code, body := in.rawPost(t, id, `{"jsonrpc":"2.0","id":2,"method":"resources/subscribe","params":{"uri":"vigil://queries/calls"}}`); code != 200 {
		t.Fatalf("subscribe: %d %s", code, body)
	}
	stalled := in.stalledStream(t, id)
	defer stalled.Close()

	// Batches of 20 calls with 4 KB each: every notification carries 20
	// summary lines, about 80 KB, so the stalled stream's socket buffers
	// fill within a few batches.
	big := strings.Repeat("x", 4096)
	var worst, worstPost time.Duration
	for b := 0; b < 100; b++ {
		var ops []string
		for i := 0; i < 20; i++ {
			ops = append(ops, fmt.Sprintf(`{"operation":"insert","element":{"id":"c%d-%d","labels":["ToolCall"],"properties":{"id":"c%d-%d","agent":"a1","decision":%q}}}`, b, i, b, i, big))
		}
		t0 := time.Now()
		in.post("[" + strings.Join(ops, ",") + "]")
		worstPost = max(worstPost, time.Since(t0))
		_, at := u.next(t, 5*time.Second)
		worst = max(worst, at.Sub(t0))
	}
	t.Logf("100 batches: slowest POST %s, slowest notification to the reading session %s", worstPost, worst)
	// A design where sessions wait for each other would hold a
	// notification for the stalled write's 1 s deadline.
	if worst >= 800*time.Millisecond || worstPost >= 800*time.Millisecond {
		t.Errorf("slowest POST %s, slowest notification %s: held up by the stalled client", worstPost, worst)
	}
	// The test stalled the server's writes indeed: the server cut the
	// stream (a session with its stream open never idles), so the stalled
	// session, making no requests, expires.
	waitFor(t, func() bool {
		return in.metric(`vigil_mcp_sessions_expired_total{reaction="agents"}`) == 1
	})
	if code, _ := in.rawPost(t, id, `{"jsonrpc":"2.0","id":9,"method":"tools/list","params":{}}`); code != 404 {
		t.Errorf("the stalled session after its stream was cut and it idled: %d, want 404", code)
	}
	if _, err := cs.ListTools(context.Background(), nil); err != nil {
		t.Errorf("the reading session: %v", err)
	}
}

// rawSession initializes a session by hand (no client library: it opens
// no notification stream) and returns its id.
func (in *instance) rawSession(t *testing.T) string {
	t.Helper()
	req, _ := http.NewRequest("POST", in.hs.URL+"/mcp/agents", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`))
	rawHeaders(req, "")
	resp, err := plain.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	id := resp.Header.Get("Mcp-Session-Id")
	if resp.StatusCode != 200 || id == "" {
		t.Fatalf("initialize: %d %s", resp.StatusCode, b)
	}
	if code, body := in.rawPost(t, id, `{"jsonrpc":"2.0","method":"notifications/initialized","params":{}}`); code != 202 {
		t.Fatalf("initialized: %d %s", code, body)
	}
	return id
}

func rawHeaders(req *http.Request, session string) {
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "Bearer agent-token")
	req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
	if session != "" {
		req.Header.Set("Mcp-Session-Id", session)
	}
}

func (in *instance) rawPost(t *testing.T, session, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", in.hs.URL+"/mcp/agents", strings.NewReader(body))
	rawHeaders(req, session)
	resp, err := plain.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// stalledStream opens the session's notification stream on a connection
// with a small receive buffer, reads its headers, and then reads nothing.
func (in *instance) stalledStream(t *testing.T, session string) *net.TCPConn {
	t.Helper()
	addr := strings.TrimPrefix(in.hs.URL, "http://")
	raddr, _ := net.ResolveTCPAddr("tcp", addr)
	d := net.Dialer{Control: nil}
	c, err := d.Dial("tcp", raddr.String())
	if err != nil {
		t.Fatal(err)
	}
	conn := c.(*net.TCPConn)
	conn.SetReadBuffer(4096)
	fmt.Fprintf(conn, "GET /mcp/agents HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\nAuthorization: Bearer agent-token\r\nMcp-Session-Id: %s\r\nMcp-Protocol-Version: 2025-06-18\r\n\r\n", addr, session)
	br := bufio.NewReader(conn)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	status, err := br.ReadString('\n')
	if err != nil || !strings.Contains(status, "200") {
		t.Fatalf("GET stream: %q %v", status, err)
	}
	conn.SetReadDeadline(time.Time{})
	return conn
}

func (in *instance) metric(sample string) float64 {
	in.t.Helper()
	req, _ := http.NewRequest("GET", in.hs.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+serverToken)
	resp, err := plain.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			var f float64
			json.Unmarshal([]byte(v), &f)
			return f
		}
	}
	return -1
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A request that makes a session without looking like an initialize to a
// strict decoder (trailing bytes after the JSON value) still counts against
// maxSessions.
func TestSessionLimitHoldsForOddBodies(t *testing.T) {
	in := start(t, pack)
	opened := 0
	for i := 0; i < 6; i++ {
		req, _ := http.NewRequest("POST", in.hs.URL+"/mcp/agents", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"odd","version":"1"}}} trailing`))
		rawHeaders(req, "")
		resp, err := plain.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		// A session beyond the limit is refused at its initialize (an
		// error, not a result), not answered and closed after.
		if resp.StatusCode == 200 && strings.Contains(string(body), `"result"`) {
			opened++
		}
	}
	if got := in.metric(`vigil_mcp_sessions{reaction="agents"}`); got != 4 || opened != 4 {
		t.Errorf("%v sessions open, %d initializes answered; the limit is 4", got, opened)
	}
}

// A change made while the session has no notification stream open is told
// when the stream attaches, not dropped.
func TestNotificationWaitsForTheStream(t *testing.T) {
	in := start(t, pack)
	id := in.rawSession(t)
	if code, body := in.rawPost(t, id, `{"jsonrpc":"2.0","id":2,"method":"resources/subscribe","params":{"uri":"vigil://queries/calls"}}`); code != 200 {
		t.Fatalf("subscribe: %d %s", code, body)
	}
	in.post(agent("a1"))
	in.post(call("c1", "a1", "deny"))
	time.Sleep(100 * time.Millisecond)
	req, _ := http.NewRequest("GET", in.hs.URL+"/mcp/agents", nil)
	rawHeaders(req, id)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "notifications/resources/updated") {
				got <- sc.Text()
				return
			}
		}
	}()
	select {
	case line := <-got:
		if !strings.Contains(line, `"+ {\"agent\":\"a1\",\"decision\":\"deny\",\"id\":\"c1\"}"`) {
			t.Errorf("notification %s", line)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the change made before the stream opened was never told")
	}
}
