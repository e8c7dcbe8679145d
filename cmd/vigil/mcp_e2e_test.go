package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

const mcpResources = `apiVersion: v1
kind: Source
name: calls
spec: {kind: HTTP}
---
apiVersion: v1
kind: ContinuousQuery
name: denied
spec:
  sources: {subscriptions: [{id: calls}]}
  query: MATCH (c:Call) WHERE c.decision = 'deny' RETURN c.agent AS agent, count(c) AS n
---
apiVersion: v1
kind: Reaction
name: mcp
spec:
  kind: MCP
  queries: {denied: "{agent}: {n} denied"}
`

// A desktop MCP client launches `vigil mcp` against a served `vigil serve`,
// as docs/mcp.md configures it: initialize, list, subscribe, a POSTed
// change notified, the new result read.
func TestMCPCommandAgainstServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "resources.yaml"), []byte(mcpResources), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startServer(t, "-f", dir, "-token", "t0ken")
	got := make(chan *sdk.ResourceUpdatedNotificationParams, 10)
	c := sdk.NewClient(&sdk.Implementation{Name: "desktop", Version: "1"}, &sdk.ClientOptions{
		ResourceUpdatedHandler: func(_ context.Context, r *sdk.ResourceUpdatedNotificationRequest) { got <- r.Params },
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.Command(vigilBinary(t), "mcp", "-server", p.url, "-reaction", "mcp")
	cmd.Env = append(os.Environ(), "VIGIL_TOKEN=t0ken")
	cmd.Stderr = os.Stderr
	cs, err := c.Connect(ctx, &sdk.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	lr, err := cs.ListResources(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var uris []string
	for _, r := range lr.Resources {
		uris = append(uris, r.URI)
	}
	if strings.Join(uris, " ") != "vigil://breakers vigil://queries/denied" {
		t.Fatalf("resources: %v", uris)
	}
	if err := cs.Subscribe(ctx, &sdk.SubscribeParams{URI: "vigil://queries/denied"}); err != nil {
		t.Fatal(err)
	}
	if code, b := p.do(t, "POST", "/v1/sources/calls/events", `{"operation":"insert","element":{"id":"c1","labels":["Call"],"properties":{"agent":"a7","decision":"deny"}}}`, "Authorization", "Bearer t0ken"); code != 200 {
		t.Fatalf("POST: %d %s", code, b)
	}
	select {
	case n := <-got:
		if s, _ := n.Meta["summary"].([]any); len(s) != 1 || s[0] != "+ a7: 1 denied" {
			t.Errorf("notification %+v", n)
		}
	case <-ctx.Done():
		t.Fatal("no notification")
	}
	res, err := cs.ReadResource(ctx, &sdk.ReadResourceParams{URI: "vigil://queries/denied"})
	if err != nil || !strings.Contains(res.Contents[0].Text, `"results":[{"agent":"a7","n":1}]`) {
		t.Fatalf("read: %+v %v", res, err)
	}
}
