package main

import (
	"github.com/vigilhq/vigil/reactions"
	"github.com/vigilhq/vigil/reactions/debug"
	"github.com/vigilhq/vigil/reactions/sse"
	"github.com/vigilhq/vigil/reactions/webhook"
)

// reactionKinds are the reaction kinds this binary ships with. A new
// reaction is a package under reactions/ with a Factory, registered here.
func reactionKinds() *reactions.Registry {
	r := reactions.NewRegistry()
	r.Register(debug.Kind, debug.Factory)
	r.Register(sse.Kind, sse.Factory)
	r.Register(webhook.Kind, webhook.Factory)
	return r
}
