package engine

import (
	"slices"
	"sort"

	"github.com/vigilhq/vigil/engine/value"
)

// Subscription is one source a query reads, and which of its elements: the
// query sees the nodes of Source that carry one of Nodes and the relations
// of Source whose type is one of Relations; an empty list admits every
// label (or type). A query with no subscriptions sees every source's
// elements, which is the engine API's default; the server always subscribes
// a query to the sources its resource names. Either way a query sees the
// synthetic relations of its own joins only.
type Subscription struct {
	Source    string
	Nodes     []string
	Relations []string
}

// visibility is what a query may read of the shared index: the elements of
// its subscribed sources (and labels; every source when it has no
// subscription), the elements given to the engine API without a source,
// and the synthetic relations of the joins it declares itself: another
// query's join is not its business.
type visibility struct {
	subs  []Subscription // few: a linear scan beats a map here
	joins []string       // the join types it declares
}

func newVisibility(subs []Subscription, joins []Join) *visibility {
	v := &visibility{subs: subs}
	for _, j := range joins {
		v.joins = append(v.joins, j.ID)
	}
	return v
}

// sub returns the subscription of the element with qualified id, or nil
// when the query does not read its source. ok is true for an element
// without a source.
func (v *visibility) sub(id string) (s *Subscription, ok bool) {
	if len(v.subs) == 0 {
		return nil, true
	}
	src := value.SourceOfID(id)
	if src == "" {
		return nil, true
	}
	for i := range v.subs {
		if v.subs[i].Source == src {
			return &v.subs[i], true
		}
	}
	return nil, false
}

// node reports whether the query may see n.
//
// Hot path: called for every candidate the solver meets.
func (v *visibility) node(n *value.Node) bool {
	if v == nil || len(v.subs) == 0 {
		return true
	}
	s, ok := v.sub(n.ID)
	if !ok {
		return false
	}
	if s == nil || len(s.Nodes) == 0 {
		return true
	}
	for _, l := range s.Nodes {
		if n.HasLabel(l) {
			return true
		}
	}
	return false
}

// rel reports whether the query may see r (its ends are checked when they
// are bound).
//
// Hot path.
func (v *visibility) rel(r *value.Rel) bool {
	if v == nil {
		return true
	}
	if isJoinRelID(r.ID) {
		return slices.Contains(v.joins, r.Type)
	}
	s, ok := v.sub(r.ID)
	if !ok {
		return false
	}
	if s == nil || len(s.Relations) == 0 {
		return true
	}
	for _, t := range s.Relations {
		if r.Type == t {
			return true
		}
	}
	return false
}

// graph is the index as one query sees it: every lookup the solver and the
// expressions make goes through it, so a query never meets an element of a
// source it does not subscribe to.
type graph struct {
	*Index
	vis *visibility
}

// Node returns the node with qualified id when the query may see it.
func (g graph) Node(id string) *value.Node {
	n := g.Index.Node(id)
	if n == nil || !g.vis.node(n) {
		return nil
	}
	return n
}

// Rel returns the relationship with qualified id when the query may see it.
func (g graph) Rel(id string) *value.Rel {
	r := g.Index.Rel(id)
	if r == nil || !g.vis.rel(r) {
		return nil
	}
	return r
}

// Nodes calls fn for every visible node with the label (every visible node
// when label is empty) until fn returns false.
func (g graph) Nodes(label string, fn func(*value.Node) bool) {
	if g.vis == nil || len(g.vis.subs) == 0 {
		// Every node is visible: no filtering closure.
		g.Index.Nodes(label, fn)
		return
	}
	g.Index.Nodes(label, func(n *value.Node) bool {
		if !g.vis.node(n) {
			return true
		}
		return fn(n)
	})
}

// noteReads adds names to the set *m (made on first use).
func (pl *planner) noteReads(m *map[string]bool, names []string) {
	if *m == nil {
		*m = map[string]bool{}
	}
	for _, n := range names {
		(*m)[n] = true
	}
}

func sortedKeys(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Reads lists the node labels and relation types the query's patterns name
// (a pattern without a label reads every label, and is not listed).
func (q *Query) Reads() (nodeLabels, relTypes []string) { return q.readNodes, q.readRels }

// Unsubscribed lists, as "label X" and "relation type T", what the query's
// patterns read that none of its subscriptions admits: such a pattern can
// never match, which is almost always a subscription that forgot a label.
// Synthetic join types are not a source's, and are not listed.
func (q *Query) Unsubscribed() []string {
	if q.vis == nil || len(q.vis.subs) == 0 {
		return nil
	}
	admits := func(label string, pick func(*Subscription) []string) bool {
		for i := range q.vis.subs {
			ls := pick(&q.vis.subs[i])
			if len(ls) == 0 || slices.Contains(ls, label) {
				return true
			}
		}
		return false
	}
	var out []string
	for _, l := range q.readNodes {
		if !admits(l, func(s *Subscription) []string { return s.Nodes }) {
			out = append(out, "label "+l)
		}
	}
	for _, t := range q.readRels {
		if slices.ContainsFunc(q.spec.Joins, func(j Join) bool { return j.ID == t }) {
			continue
		}
		if !admits(t, func(s *Subscription) []string { return s.Relations }) {
			out = append(out, "relation type "+t)
		}
	}
	return out
}
