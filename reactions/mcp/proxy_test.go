package mcp_test

import (
	"context"
	"encoding/json"
	"io"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/vigilhq/vigil/reactions/mcp"
)

// A desktop client that launches `vigil mcp` talks newline-delimited JSON
// over its stdin and stdout; the proxy offers the reaction's resources and
// tools there and passes notifications back.
func TestProxyOverStdio(t *testing.T) {
	in := start(t, pack)
	in.post(agent("a1"))
	// Two pipes stand for the proxy's stdin and stdout.
	toProxyR, toProxyW := io.Pipe()
	fromProxyR, fromProxyW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- mcp.Proxy(ctx, &sdk.IOTransport{Reader: toProxyR, Writer: fromProxyW}, mcp.ProxyOptions{Endpoint: in.hs.URL + "/mcp/agents", Token: "agent-token"})
	}()
	t.Cleanup(func() {
		cancel()
		toProxyW.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("the proxy did not stop")
		}
	})
	u := newUpdates()
	c := sdk.NewClient(&sdk.Implementation{Name: "desktop", Version: "1"}, &sdk.ClientOptions{ResourceUpdatedHandler: u.handler})
	cs, err := c.Connect(ctx, &sdk.IOTransport{Reader: fromProxyR, Writer: toProxyW}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	if cs.InitializeResult().ServerInfo.Name != "vigil" {
		t.Errorf("server info %+v", cs.InitializeResult().ServerInfo)
	}
	lr, err := cs.ListResources(ctx, nil)
	if err != nil || len(lr.Resources) != 3 {
		t.Fatalf("resources %+v %v", lr, err)
	}
	if err := cs.Subscribe(ctx, &sdk.SubscribeParams{URI: "vigil://queries/denials"}); err != nil {
		t.Fatal(err)
	}
	in.post(call("c1", "a1", "deny"))
	in.post(call("c2", "a1", "deny"))
	n, _ := u.next(t, 5*time.Second)
	if n.URI != "vigil://queries/denials" || len(n.Meta["summary"].([]any)) != 1 {
		t.Errorf("notification %+v", n)
	}
	res, err := cs.ReadResource(ctx, &sdk.ReadResourceParams{URI: "vigil://queries/denials"})
	if err != nil {
		t.Fatal(err)
	}
	var snap snapshot
	json.Unmarshal([]byte(res.Contents[0].Text), &snap)
	if len(snap.Results) != 1 || string(snap.Results[0]) != `{"agent":"a1","denials":2}` {
		t.Errorf("read through the proxy: %s", res.Contents[0].Text)
	}
	tr, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "get_results", Arguments: map[string]any{"query": "calls", "where": map[string]any{"agent": "a1"}}})
	if err != nil || tr.IsError {
		t.Fatalf("get_results through the proxy: %+v %v", tr, err)
	}
	b, _ := json.Marshal(tr.StructuredContent)
	var gr struct{ Total int }
	json.Unmarshal(b, &gr)
	if gr.Total != 2 {
		t.Errorf("get_results through the proxy: %s", b)
	}
}
