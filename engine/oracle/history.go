package oracle

import (
	"time"

	"github.com/vigilhq/vigil/engine/value"
	"github.com/vigilhq/vigil/grammar/ast"
)

// History is the element history the temporal functions are evaluated
// from: every change applied to a graph, in order, each with its time and
// the whole graph as it stood right after it, and every version of every
// element. A History follows the change rules of a source: an update of an
// unknown id inserts it, deleting an unknown id does nothing, deleting a
// node deletes the relationships attached to it first (each one a change of
// its own), and a relationship may exist before its end nodes (it matches
// nothing until they do).
//
// Changes must be recorded in time order (equal times are allowed). A
// History only grows; it is not safe for concurrent use.
type History struct {
	nodes    map[string]*value.Node
	rels     map[string]*value.Rel
	entries  []histEntry
	versions map[string][]elemVersion
	// per-entry caches, filled lazily by evaluations
	prefix map[prefixKey][]map[string]inRow
	evs    map[*ast.Query][]*evaluator
	sites  map[*ast.Query]map[*ast.Call]prefixKey
	runs   map[prefixKey]*runState
}

// histEntry is one recorded change: its time and the graph right after it.
type histEntry struct {
	at time.Time
	g  *Graph
}

// elemVersion is one version of an element: its state from at on (a null
// value: deleted then).
type elemVersion struct {
	at int64 // Unix nanoseconds
	v  value.Value
}

// NewHistory returns an empty history.
func NewHistory() *History {
	return &History{
		nodes:    map[string]*value.Node{},
		rels:     map[string]*value.Rel{},
		versions: map[string][]elemVersion{},
		prefix:   map[prefixKey][]map[string]inRow{},
		evs:      map[*ast.Query][]*evaluator{},
		runs:     map[prefixKey]*runState{},
	}
}

// Len is the number of changes recorded.
func (h *History) Len() int { return len(h.entries) }

// PutNode records an insert or update of a node (its full new state) at
// time at; the node's ChangedAt is set to at. The caller must not modify n
// afterwards. (A value.Props holds no null: a null property is an absent
// one.)
func (h *History) PutNode(n *value.Node, at time.Time) {
	c := *n
	c.ChangedAt = at.UnixNano()
	h.nodes[c.ID] = &c
	h.record(c.ID, at, value.NodeOf(&c))
}

// PutRel records an insert or update of a relationship at time at; its
// ChangedAt is set to at.
func (h *History) PutRel(r *value.Rel, at time.Time) {
	c := *r
	c.ChangedAt = at.UnixNano()
	h.rels[c.ID] = &c
	h.record(c.ID, at, value.RelOf(&c))
}

// Delete records the deletion of the element id at time at: for a node,
// first each relationship attached to it (in id order), then the node.
// Deleting an unknown id records nothing.
func (h *History) Delete(id string, at time.Time) {
	if _, ok := h.nodes[id]; ok {
		var attached []string
		for rid, r := range h.rels {
			if r.From == id || r.To == id {
				attached = append(attached, rid)
			}
		}
		sortStrings(attached)
		for _, rid := range attached {
			delete(h.rels, rid)
			h.record(rid, at, value.Null)
		}
		delete(h.nodes, id)
		h.record(id, at, value.Null)
		return
	}
	if _, ok := h.rels[id]; ok {
		delete(h.rels, id)
		h.record(id, at, value.Null)
	}
}

// Graph is the current graph: every node, and every relationship whose end
// nodes both exist.
func (h *History) Graph() *Graph {
	if len(h.entries) > 0 {
		return h.entries[len(h.entries)-1].g
	}
	return &Graph{Nodes: map[string]*value.Node{}, Rels: map[string]*value.Rel{}}
}

func (h *History) record(id string, at time.Time, v value.Value) {
	vs := h.versions[id]
	if n := len(vs); n == 0 || vs[n-1].at != at.UnixNano() || vs[n-1].v.Kind() != v.Kind() || !value.Identical(vs[n-1].v, v) {
		// An update that leaves the element exactly as it stood at the
		// same instant is no new version.
		h.versions[id] = append(vs, elemVersion{at: at.UnixNano(), v: v})
	}
	g := &Graph{Nodes: make(map[string]*value.Node, len(h.nodes)), Rels: make(map[string]*value.Rel, len(h.rels))}
	for k, n := range h.nodes {
		g.Nodes[k] = n
	}
	for k, r := range h.rels {
		if h.nodes[r.From] != nil && h.nodes[r.To] != nil {
			g.Rels[k] = r
		}
	}
	h.entries = append(h.entries, histEntry{at: at, g: g})
}

// versionAt is the version of element id in effect at t (Unix
// nanoseconds): null when it did not exist then.
func (h *History) versionAt(id string, t int64) value.Value {
	cur := value.Null
	for _, v := range h.versions[id] {
		if v.at > t {
			break
		}
		cur = v.v
	}
	return cur
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
