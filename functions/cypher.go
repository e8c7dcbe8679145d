package functions

import "sync"

// Cypher returns the openCypher registration set: the scalar and
// aggregating functions under their Cypher names. It is built once and
// shared; callers must not add to it.
func Cypher() *Registry { return cypherRegistry() }

var cypherRegistry = sync.OnceValue(NewCypher)

// NewCypher builds a new openCypher registration set, the caller's own to
// add to (a test's or an embedding program's extra functions).
func NewCypher() *Registry {
	r := NewRegistry("cypher")
	registerStrings(r)
	registerMath(r)
	registerLists(r)
	registerConversions(r)
	registerAggregates(r)
	registerTemporal(r)
	registerDrasi(r)
	return r
}
