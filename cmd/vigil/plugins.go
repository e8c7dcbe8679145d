package main

import (
	"github.com/vigilhq/vigil/sources"
	httpsrc "github.com/vigilhq/vigil/sources/http"
	"github.com/vigilhq/vigil/sources/mysql"
	"github.com/vigilhq/vigil/sources/postgres"

	"github.com/vigilhq/vigil/reactions"
	"github.com/vigilhq/vigil/reactions/debug"
	"github.com/vigilhq/vigil/reactions/sse"
	"github.com/vigilhq/vigil/reactions/webhook"
)

// sourceKinds are the source kinds this binary ships with. A new source is
// a package under sources/ with a Factory, registered here.
func sourceKinds() *sources.Registry {
	r := sources.NewRegistry()
	r.Register(httpsrc.Kind, httpsrc.Factory)
	r.Register(postgres.Kind, postgres.Factory)
	r.Register(mysql.Kind, mysql.Factory)
	r.Register(mysql.KindMariaDB, mysql.Factory)
	return r
}

// reactionKinds are the reaction kinds this binary ships with. A new
// reaction is a package under reactions/ with a Factory, registered here.
func reactionKinds() *reactions.Registry {
	r := reactions.NewRegistry()
	r.Register(debug.Kind, debug.Factory)
	r.Register(sse.Kind, sse.Factory)
	r.Register(webhook.Kind, webhook.Factory)
	return r
}
