package server

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

// testSources are the source kinds the tests' servers can build, as
// cmd/vigil registers them.
func testSources() *sources.Registry {
	r := sources.NewRegistry()
	r.Register(httpsrc.Kind, httpsrc.Factory)
	r.Register(postgres.Kind, postgres.Factory)
	r.Register(mysql.Kind, mysql.Factory)
	r.Register(mysql.KindMariaDB, mysql.Factory)
	return r
}

// testReactions are the reaction kinds the tests' servers can build, as
// cmd/vigil registers them.
func testReactions() *reactions.Registry {
	r := reactions.NewRegistry()
	r.Register(debug.Kind, debug.Factory)
	r.Register(sse.Kind, sse.Factory)
	r.Register(webhook.Kind, webhook.Factory)
	return r
}
