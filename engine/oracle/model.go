package oracle

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

// Model is the oracle's own element store, built from the change stream
// alone: the differential tests feed it every change they give the engine
// and evaluate queries over the graph it holds, so that a bug in the
// engine's element index (a delete that leaves relationships behind, a
// stale synthetic relation, an endpoint list out of step) shows as a wrong
// result instead of being copied into the oracle's input.
//
// It implements the documented change semantics directly, with none of the
// index's structures (no label or endpoint maps, no join postings):
//
//   - An element's identity is its source and its id (value.QualifyID); a
//     relationship's ends are nodes of its own source.
//   - Insert and update store the element's full new state (labels without
//     duplicates, properties without the null-valued ones, since a null
//     property is an absent one); an update of an unknown id inserts it.
//   - Deleting a node deletes the relationships attached to it; deleting an
//     unknown id does nothing.
//   - A relationship may name ends that do not exist (yet): it is stored,
//     and matches once both ends exist.
//   - An id is a node or a relationship, never both: a change that would
//     make it the other is refused, as is a change without an id, with the
//     reserved byte 0x1f in an id, a relationship without both ends, or an
//     unknown operation. A refused change changes no element (the clock
//     still moves to its time: the clock moves before a change is looked
//     at).
//   - Synthetic joins (DeclareJoin) are not stored: Graph derives their
//     relations from the nodes as they are now.
//
// A Model is not safe for concurrent use.
type Model struct {
	nodes map[string]*elem // by qualified id
	rels  map[string]*elem // by qualified id
	joins []Join
	now   time.Time
}

// elem is a stored element with the source it came from.
type elem struct {
	source string
	node   *value.Node
	rel    *value.Rel
}

// Op is what a Change does to an element.
type Op uint8

// The change operations, numbered as the engine's are.
const (
	OpInsert Op = iota + 1
	OpUpdate
	OpDelete
)

// Change is one element change as a source reports it. It is a
// relationship change when Type is not empty.
type Change struct {
	Op     Op
	Source string // "" for an element without a source
	ID     string
	Labels []string // nodes
	Type   string   // relationships
	From   string   // relationships: start node id, in Source
	To     string   // relationships: end node id, in Source
	Props  map[string]value.Value
	Time   time.Time // the source time; the model's clock moves to it, never back
}

// Join declares a synthetic relation: a relationship of type Type exists,
// in both directions, between two distinct nodes when one carries
// Keys[i].Label, the other Keys[j].Label (i != j), and the first's
// Keys[i].Property is equivalent (value.Equivalent) to the second's
// Keys[j].Property. A null key joins nothing.
type Join struct {
	Type string
	Keys []JoinKey
}

// JoinKey is one side of a Join.
type JoinKey struct {
	Label    string
	Property string
}

// Subscription restricts what a query sees to the elements of Source: its
// nodes carrying one of Nodes and its relationships of one of Relations (an
// empty list admits all). Elements without a source, synthetic relations
// among them, are seen by every query.
type Subscription struct {
	Source    string
	Nodes     []string
	Relations []string
}

// NewModel returns an empty model whose clock reads start.
func NewModel(start time.Time) *Model {
	return &Model{nodes: map[string]*elem{}, rels: map[string]*elem{}, now: start}
}

// Now is the model's clock: the latest change time or AdvanceTo target.
func (m *Model) Now() time.Time { return m.now }

// AdvanceTo moves the clock to t, never backwards.
func (m *Model) AdvanceTo(t time.Time) {
	if t.After(m.now) {
		m.now = t
	}
}

// DeclareJoin adds a synthetic relation type. Declaring one again with the
// same keys changes nothing; with other keys it is refused.
func (m *Model) DeclareJoin(j Join) error {
	if len(j.Keys) < 2 {
		return fmt.Errorf("join %q: needs two keys, has %d", j.Type, len(j.Keys))
	}
	for _, o := range m.joins {
		if o.Type != j.Type {
			continue
		}
		if fmt.Sprint(o.Keys) != fmt.Sprint(j.Keys) {
			return fmt.Errorf("join %q: already declared with other keys", j.Type)
		}
		return nil
	}
	m.joins = append(m.joins, Join{Type: j.Type, Keys: append([]JoinKey(nil), j.Keys...)})
	return nil
}

// Apply applies one change, or refuses it (returning why) and changes no
// element. Either way the clock first moves to the change's time.
func (m *Model) Apply(c Change) error {
	m.AdvanceTo(c.Time)
	if c.ID == "" {
		return fmt.Errorf("element has no id")
	}
	for _, s := range []string{c.ID, c.From, c.To} {
		if strings.IndexByte(s, value.IDSeparator) >= 0 {
			return fmt.Errorf("element id %q contains the reserved byte 0x1f", c.ID)
		}
	}
	if c.Op != OpInsert && c.Op != OpUpdate && c.Op != OpDelete {
		return fmt.Errorf("unknown operation %d", c.Op)
	}
	id := value.QualifyID(c.Source, c.ID)
	isRel := c.Type != ""
	if c.Op != OpDelete {
		switch {
		case isRel && (c.From == "" || c.To == ""):
			return fmt.Errorf("relationship needs from and to")
		case isRel && m.nodes[id] != nil:
			return fmt.Errorf("id %q is already a node", c.ID)
		case !isRel && m.rels[id] != nil:
			return fmt.Errorf("id %q is already a relationship", c.ID)
		}
	}
	at := m.now.UnixNano()
	switch {
	case c.Op == OpDelete:
		if m.nodes[id] != nil {
			for rid, r := range m.rels {
				if r.rel.From == id || r.rel.To == id {
					delete(m.rels, rid)
				}
			}
			delete(m.nodes, id)
		} else {
			delete(m.rels, id)
		}
	case isRel:
		m.rels[id] = &elem{source: c.Source, rel: &value.Rel{
			ID: id, Type: c.Type, From: value.QualifyID(c.Source, c.From), To: value.QualifyID(c.Source, c.To),
			Props: value.PropsOf(c.Props), ChangedAt: at,
		}}
	default:
		var labels []string
		for _, l := range c.Labels {
			if !contains(labels, l) {
				labels = append(labels, l)
			}
		}
		m.nodes[id] = &elem{source: c.Source, node: &value.Node{ID: id, Labels: labels, Props: value.PropsOf(c.Props), ChangedAt: at}}
	}
	return nil
}

// Node returns the node id of source, or nil.
func (m *Model) Node(source, id string) *value.Node {
	if e := m.nodes[value.QualifyID(source, id)]; e != nil {
		return e.node
	}
	return nil
}

// Rel returns the stored relationship id of source (never a synthetic
// one), or nil.
func (m *Model) Rel(source, id string) *value.Rel {
	if e := m.rels[value.QualifyID(source, id)]; e != nil {
		return e.rel
	}
	return nil
}

// Graph is the graph a query with the given subscriptions sees (none: it
// sees everything): the visible nodes, and the visible relationships whose
// ends are both visible nodes, among them the synthetic relations of the
// joins the query declares (joins: their types), and no other query's.
func (m *Model) Graph(subs []Subscription, joins []string) *Graph {
	g := &Graph{Nodes: map[string]*value.Node{}, Rels: map[string]*value.Rel{}}
	for id, e := range m.nodes {
		if nodeVisible(subs, e) {
			g.Nodes[id] = e.node
		}
	}
	add := func(r *value.Rel) {
		if g.Nodes[r.From] != nil && g.Nodes[r.To] != nil {
			g.Rels[r.ID] = r
		}
	}
	for _, e := range m.rels {
		if relVisible(subs, e) {
			add(e.rel)
		}
	}
	for _, r := range m.joinRels() {
		if contains(joins, r.Type) {
			add(r) // a synthetic relation belongs to no source
		}
	}
	return g
}

// subscription returns the subscription of source, or ok=false when a
// query with subs does not read it. An element without a source is read by
// every query (sub nil).
func subscription(subs []Subscription, source string) (sub *Subscription, ok bool) {
	if len(subs) == 0 || source == "" {
		return nil, true
	}
	for i := range subs {
		if subs[i].Source == source {
			return &subs[i], true
		}
	}
	return nil, false
}

func nodeVisible(subs []Subscription, e *elem) bool {
	s, ok := subscription(subs, e.source)
	if !ok {
		return false
	}
	if s == nil || len(s.Nodes) == 0 {
		return true
	}
	for _, l := range s.Nodes {
		if contains(e.node.Labels, l) {
			return true
		}
	}
	return false
}

func relVisible(subs []Subscription, e *elem) bool {
	s, ok := subscription(subs, e.source)
	if !ok {
		return false
	}
	return s == nil || len(s.Relations) == 0 || contains(s.Relations, e.rel.Type)
}

// joinRels derives every synthetic relationship from the nodes as they are
// now, by comparing every pair of nodes: quadratic, and obviously right.
func (m *Model) joinRels() []*value.Rel {
	if len(m.joins) == 0 {
		return nil
	}
	ids := make([]string, 0, len(m.nodes))
	for id := range m.nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []*value.Rel
	for _, j := range m.joins {
		for x, a := range ids {
			for _, b := range ids[x+1:] {
				if !joined(j, m.nodes[a].node, m.nodes[b].node) {
					continue
				}
				out = append(out,
					&value.Rel{ID: "join:" + j.Type + ":" + a + ":" + b, Type: j.Type, From: a, To: b},
					&value.Rel{ID: "join:" + j.Type + ":" + b + ":" + a, Type: j.Type, From: b, To: a})
			}
		}
	}
	return out
}

// joined reports whether join j relates nodes a and b: some key of a's
// side equals some key of another side of b's.
func joined(j Join, a, b *value.Node) bool {
	for i, ka := range j.Keys {
		for k, kb := range j.Keys {
			if i == k || !a.HasLabel(ka.Label) || !b.HasLabel(kb.Label) {
				continue
			}
			va, vb := a.Props.Get(ka.Property), b.Props.Get(kb.Property)
			if !va.IsNull() && !vb.IsNull() && value.Equivalent(va, vb) {
				return true
			}
		}
	}
	return false
}
