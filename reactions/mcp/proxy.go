package mcp

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// ProxyOptions configure Proxy.
type ProxyOptions struct {
	// Endpoint is the MCP reaction's URL: http://HOST:PORT/mcp/{reaction}.
	Endpoint string
	// Token is sent as the bearer token ("" for none).
	Token string
	// HTTPClient carries the requests (default http.DefaultClient's
	// transport, without a timeout: notifications come on a long GET).
	HTTPClient *http.Client
}

// Proxy serves an MCP reaction of a Vigil server over a local transport
// (stdio, for desktop MCP clients that launch their servers as commands):
// it connects to the reaction as a client and offers its resources,
// templates and tools as they are, forwarding reads, tool calls and
// subscriptions, and passing notifications/resources/updated back. It
// returns when the local client leaves or ctx ends.
func Proxy(ctx context.Context, local sdk.Transport, o ProxyOptions) error {
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	if o.Token != "" {
		next := hc.Transport
		if next == nil {
			next = http.DefaultTransport
		}
		c := *hc
		c.Transport = bearerTransport{o.Token, next}
		hc = &c
	}
	// The local server exists before the remote connection, so that the
	// remote's notifications always have somewhere to go.
	var srv *sdk.Server
	ready := make(chan struct{})
	subs := &proxySubs{state: map[string]int{}, held: map[string]*sdk.ResourceUpdatedNotificationParams{}}
	client := sdk.NewClient(&sdk.Implementation{Name: "vigil-mcp-proxy", Version: Version}, &sdk.ClientOptions{
		ResourceUpdatedHandler: func(ctx context.Context, req *sdk.ResourceUpdatedNotificationRequest) {
			<-ready
			if subs.updated(req.Params) {
				srv.ResourceUpdated(ctx, req.Params)
			}
		},
	})
	remote, err := client.Connect(ctx, &sdk.StreamableClientTransport{Endpoint: o.Endpoint, HTTPClient: hc}, nil)
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", o.Endpoint, err)
	}
	defer remote.Close()
	init := remote.InitializeResult()
	srv = sdk.NewServer(init.ServerInfo, &sdk.ServerOptions{
		Instructions: init.Instructions,
		// The handshake protocols, in which a subscription is one request
		// whose end says it is in place.
		SupportedProtocolVersions: []string{"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"},
		Capabilities:              &sdk.ServerCapabilities{},
		SubscribeHandler: func(ctx context.Context, req *sdk.SubscribeRequest) error {
			subs.pending(req.Params.URI)
			return remote.Subscribe(ctx, &sdk.SubscribeParams{URI: req.Params.URI})
		},
		UnsubscribeHandler: func(ctx context.Context, req *sdk.UnsubscribeRequest) error {
			return remote.Unsubscribe(ctx, &sdk.UnsubscribeParams{URI: req.Params.URI})
		},
	})
	srv.AddReceivingMiddleware(func(next sdk.MethodHandler) sdk.MethodHandler {
		return func(ctx context.Context, method string, req sdk.Request) (sdk.Result, error) {
			res, err := next(ctx, method, req)
			if p, ok := req.GetParams().(*sdk.SubscribeParams); ok && method == "resources/subscribe" {
				if held := subs.active(p.URI, err == nil); held != nil {
					// Told while the local subscription was being made.
					srv.ResourceUpdated(ctx, held)
				}
			}
			return res, err
		}
	})
	close(ready)
	read := func(ctx context.Context, req *sdk.ReadResourceRequest) (*sdk.ReadResourceResult, error) {
		return remote.ReadResource(ctx, &sdk.ReadResourceParams{URI: req.Params.URI})
	}
	for r, err := range remote.Resources(ctx, nil) {
		if err != nil {
			return fmt.Errorf("listing the resources of %s: %w", o.Endpoint, err)
		}
		srv.AddResource(r, read)
	}
	for t, err := range remote.ResourceTemplates(ctx, nil) {
		if err != nil {
			return fmt.Errorf("listing the resource templates of %s: %w", o.Endpoint, err)
		}
		srv.AddResourceTemplate(t, read)
	}
	for t, err := range remote.Tools(ctx, nil) {
		if err != nil {
			return fmt.Errorf("listing the tools of %s: %w", o.Endpoint, err)
		}
		srv.AddTool(t, func(ctx context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
			return remote.CallTool(ctx, &sdk.CallToolParams{Name: req.Params.Name, Arguments: req.Params.Arguments})
		})
	}
	// When the server ends the remote session (the reaction was replaced
	// or deleted, the server restarted), the proxy ends too, so that the
	// client that launched it starts it again and reconnects.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	remoteGone := make(chan struct{})
	go func() {
		remote.Wait()
		close(remoteGone)
		cancel()
	}()
	err = srv.Run(ctx, local)
	select {
	case <-remoteGone:
		return fmt.Errorf("the server ended the session of %s", o.Endpoint)
	default:
	}
	return err
}

type bearerTransport struct {
	token string
	next  http.RoundTripper
}

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// proxySubs tracks the local subscriptions: the SDK registers one only
// after its handler (which subscribes remotely) returns, so a remote
// notification that comes in between would find no local subscriber; the
// latest is held and sent once the subscription is in place.
type proxySubs struct {
	mu    sync.Mutex
	state map[string]int // uri -> subPending, subActive
	held  map[string]*sdk.ResourceUpdatedNotificationParams
}

const (
	subPending = iota + 1
	subActive
)

func (p *proxySubs) pending(uri string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state[uri] != subActive {
		p.state[uri] = subPending
	}
}

// updated reports whether a remote notification can be passed on now;
// otherwise it is held (the latest one: its _meta carries the newest
// sequence, and summary of what it coalesced).
func (p *proxySubs) updated(n *sdk.ResourceUpdatedNotificationParams) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state[n.URI] == subPending {
		p.held[n.URI] = n
		return false
	}
	return true
}

// active records the end of a local subscribe; it returns the notification
// held meanwhile, if any.
func (p *proxySubs) active(uri string, ok bool) *sdk.ResourceUpdatedNotificationParams {
	p.mu.Lock()
	defer p.mu.Unlock()
	held := p.held[uri]
	delete(p.held, uri)
	if !ok {
		delete(p.state, uri)
		return nil
	}
	p.state[uri] = subActive
	return held
}
