package main

import (
	"fmt"
	"strings"

	"github.com/vigilhq/vigil/server"

	"github.com/vigilhq/vigil/sources"
	httpsrc "github.com/vigilhq/vigil/sources/http"
	"github.com/vigilhq/vigil/sources/mysql"
	"github.com/vigilhq/vigil/sources/postgres"

	"github.com/vigilhq/vigil/reactions"
	"github.com/vigilhq/vigil/reactions/breaker"
	"github.com/vigilhq/vigil/reactions/debug"
	rxebpf "github.com/vigilhq/vigil/reactions/ebpf"
	"github.com/vigilhq/vigil/reactions/mcp"
	"github.com/vigilhq/vigil/reactions/sse"
	"github.com/vigilhq/vigil/reactions/webhook"
)

// withPlugins fills in the plugins this binary ships with: the source and
// reaction kinds, the circuit breakers' API and metrics, and the Ebpf
// reactions' API (GET /v1/ebpf) and metrics, and the MCP reactions'
// endpoint (/mcp/{reaction}) and metrics. It is called once per server,
// since the breakers' hub links the Breakers sources and CircuitBreaker
// reactions of one server, and the Ebpf hub lists one server's reactions.
func withPlugins(o server.Options) server.Options {
	hub := breaker.NewHub()
	ebpfHub := rxebpf.NewHub()
	mcpHub := mcp.NewHub(mcp.HubOptions{ServerToken: o.Token, Logger: o.Logger, Breakers: breakerList(hub)})
	o.Sources = sourceKinds(hub)
	o.Reactions = reactionKinds(hub, ebpfHub, mcpHub)
	api := hub.Handler()
	for _, p := range hub.Patterns() {
		o.Routes = append(o.Routes, server.Route{Pattern: p, Handler: api})
	}
	ebpfAPI := ebpfHub.Handler()
	for _, p := range ebpfHub.Patterns() {
		o.Routes = append(o.Routes, server.Route{Pattern: p, Handler: ebpfAPI})
	}
	o.Routes = append(o.Routes, server.Route{Pattern: mcpHub.Pattern(), Handler: mcpHub.Handler(), OwnAuth: true})
	o.Collectors = append(o.Collectors, hub.Collector(), ebpfHub.Collector(), mcpHub.Collector())
	return o
}

// breakerList gives the MCP reactions the breakers of the hub, and an
// error while some are still being restored (an OPEN breaker must never
// read as absent).
func breakerList(hub *breaker.Hub) mcp.BreakerFunc {
	return func() ([]mcp.Breaker, error) {
		bs, restoring := hub.Breakers()
		if len(restoring) > 0 {
			return nil, fmt.Errorf("the circuit breakers of %s are being restored; retry in a moment", strings.Join(restoring, ", "))
		}
		out := make([]mcp.Breaker, len(bs))
		for i, b := range bs {
			out[i] = mcp.Breaker{Key: b.Key, Query: b.Query, Value: b}
		}
		return out, nil
	}
}

// sourceKinds are the source kinds this binary ships with. A new source is
// a package under sources/ with a Factory, registered here.
func sourceKinds(hub *breaker.Hub) *sources.Registry {
	r := sources.NewRegistry()
	r.Register(httpsrc.Kind, httpsrc.Factory)
	r.Register(postgres.Kind, postgres.Factory)
	r.Register(mysql.Kind, mysql.Factory)
	r.Register(mysql.KindMariaDB, mysql.Factory)
	r.Register(breaker.SourceKind, hub.SourceFactory)
	return r
}

// reactionKinds are the reaction kinds this binary ships with. A new
// reaction is a package under reactions/ with a Factory, registered here.
func reactionKinds(hub *breaker.Hub, ebpfHub *rxebpf.Hub, mcpHub *mcp.Hub) *reactions.Registry {
	r := reactions.NewRegistry()
	r.Register(debug.Kind, debug.Factory)
	r.Register(sse.Kind, sse.Factory)
	r.Register(webhook.Kind, webhook.Factory)
	r.Register(breaker.Kind, hub.ReactionFactory)
	r.Register(rxebpf.Kind, ebpfHub.Factory)
	r.Register(mcp.Kind, mcpHub.Factory)
	return r
}
