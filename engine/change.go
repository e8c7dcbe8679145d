package engine

import (
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

// Op is what a change does to an element.
type Op uint8

// Change operations. An update carries the element's full new state; an
// update of an unknown id inserts it, and deleting an unknown id does nothing.
const (
	OpInsert Op = iota + 1
	OpUpdate
	OpDelete
)

var opNames = [...]string{OpInsert: "insert", OpUpdate: "update", OpDelete: "delete"}

// String returns insert, update or delete.
func (o Op) String() string {
	if int(o) < len(opNames) && opNames[o] != "" {
		return opNames[o]
	}
	return "unknown"
}

// Element is the state of a node or a relationship as a source reports it.
// It is a node when Type is empty, a relationship otherwise.
type Element struct {
	ID     string   // unique across nodes and relationships
	Labels []string // node labels (nodes only)
	Type   string   // relationship type (relationships only)
	From   string   // start node id (relationships only)
	To     string   // end node id (relationships only)
	Props  map[string]value.Value
}

// IsRel reports whether the element is a relationship.
func (e *Element) IsRel() bool { return e.Type != "" }

// Change is one element change from a source.
type Change struct {
	Op      Op
	Element Element   // for a delete only ID matters
	Time    time.Time // source timestamp: the engine's "now" while it is processed
	Source  string    // the source it came from ("" in tests)
}

// Batch is the unit a source hands to the server: one source transaction
// (or one bootstrap chunk). The server applies a batch atomically and
// commits it together with Position; only then may the source confirm the
// position upstream (acknowledge a replication slot, advance a binlog
// checkpoint).
type Batch struct {
	Source    string    // the source resource's name
	Changes   []Change  // in commit order; Change.Source is set to Source
	Position  []byte    // opaque resume position after this batch; nil while bootstrapping
	Time      time.Time // commit time of the transaction
	Bootstrap bool      // part of the initial snapshot
	// Done marks the last bootstrap batch: after it the snapshot is complete.
	Done bool
}
