package server

import (
	"github.com/vigilhq/vigil/reactions"
	"github.com/vigilhq/vigil/reactions/debug"
	"github.com/vigilhq/vigil/reactions/sse"
	"github.com/vigilhq/vigil/reactions/webhook"
)

// testReactions are the reaction kinds the tests' servers can build, as
// cmd/vigil registers them.
func testReactions() *reactions.Registry {
	r := reactions.NewRegistry()
	r.Register(debug.Kind, debug.Factory)
	r.Register(sse.Kind, sse.Factory)
	r.Register(webhook.Kind, webhook.Factory)
	return r
}
