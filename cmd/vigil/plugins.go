package main

import (
	"github.com/vigilhq/vigil/server"

	"github.com/vigilhq/vigil/sources"
	httpsrc "github.com/vigilhq/vigil/sources/http"
	"github.com/vigilhq/vigil/sources/mysql"
	"github.com/vigilhq/vigil/sources/postgres"

	"github.com/vigilhq/vigil/reactions"
	"github.com/vigilhq/vigil/reactions/breaker"
	"github.com/vigilhq/vigil/reactions/debug"
	rxebpf "github.com/vigilhq/vigil/reactions/ebpf"
	"github.com/vigilhq/vigil/reactions/sse"
	"github.com/vigilhq/vigil/reactions/webhook"
)

// withPlugins fills in the plugins this binary ships with: the source and
// reaction kinds, the circuit breakers' API and metrics, and the Ebpf
// reactions' API (GET /v1/ebpf) and metrics. It is called once per server,
// since the breakers' hub links the Breakers sources and CircuitBreaker
// reactions of one server, and the Ebpf hub lists one server's reactions.
func withPlugins(o server.Options) server.Options {
	hub := breaker.NewHub()
	ebpfHub := rxebpf.NewHub()
	o.Sources = sourceKinds(hub)
	o.Reactions = reactionKinds(hub, ebpfHub)
	api := hub.Handler()
	for _, p := range hub.Patterns() {
		o.Routes = append(o.Routes, server.Route{Pattern: p, Handler: api})
	}
	ebpfAPI := ebpfHub.Handler()
	for _, p := range ebpfHub.Patterns() {
		o.Routes = append(o.Routes, server.Route{Pattern: p, Handler: ebpfAPI})
	}
	o.Collectors = append(o.Collectors, hub.Collector(), ebpfHub.Collector())
	return o
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
func reactionKinds(hub *breaker.Hub, ebpfHub *rxebpf.Hub) *reactions.Registry {
	r := reactions.NewRegistry()
	r.Register(debug.Kind, debug.Factory)
	r.Register(sse.Kind, sse.Factory)
	r.Register(webhook.Kind, webhook.Factory)
	r.Register(breaker.Kind, hub.ReactionFactory)
	r.Register(rxebpf.Kind, ebpfHub.Factory)
	return r
}
