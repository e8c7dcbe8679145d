package engine

import (
	"cmp"
	"slices"

	"github.com/vigilhq/vigil/engine/value"
)

// router sends an element change to the queries whose patterns it can
// touch, instead of to every query: a query is filed under the node labels
// and relationship types its watchers' patterns name, or, when a pattern
// has a node (relationship) that any label (type) fits — an unlabelled
// node, a label expression with negation or a wildcard — under "any node"
// ("any relationship"). The filing is a superset of what the watchers'
// own routing accepts (patternPlan.routes), so a query left out could not
// have seen the change.
type router struct {
	nodes   map[string][]*Query
	rels    map[string][]*Query
	anyNode []*Query
	anyRel  []*Query
	// epoch dedups a step's candidates (Query.mark).
	epoch uint64
	cand  []*Query
}

// routeKeys are where a query is filed.
type routeKeys struct {
	nodes, rels     []string
	anyNode, anyRel bool
}

// keysOf collects the filing of q from its watchers.
func keysOf(q *Query) routeKeys {
	var k routeKeys
	addPlan := func(pp *patternPlan) {
		if len(pp.p.nodes) > 0 {
			if pp.anyNode {
				k.anyNode = true
			} else {
				k.nodes = append(k.nodes, pp.labels...)
			}
		}
		if len(pp.p.rels) > 0 {
			if pp.anyRel {
				k.anyRel = true
			} else {
				k.rels = append(k.rels, pp.labels...)
			}
		}
	}
	for _, w := range q.watchers {
		switch w := w.(type) {
		case *matchStage:
			addPlan(w.pp)
		case *reevalStage:
			for _, sp := range w.subs {
				addPlan(sp.pp)
			}
		default:
			// A watcher the router does not know sees every change.
			k.anyNode, k.anyRel = true, true
		}
	}
	slices.Sort(k.nodes)
	k.nodes = slices.Compact(k.nodes)
	slices.Sort(k.rels)
	k.rels = slices.Compact(k.rels)
	return k
}

func (rt *router) add(q *Query) {
	k := keysOf(q)
	if rt.nodes == nil {
		rt.nodes, rt.rels = map[string][]*Query{}, map[string][]*Query{}
	}
	for _, l := range k.nodes {
		rt.nodes[l] = append(rt.nodes[l], q)
	}
	for _, t := range k.rels {
		rt.rels[t] = append(rt.rels[t], q)
	}
	if k.anyNode {
		rt.anyNode = append(rt.anyNode, q)
	}
	if k.anyRel {
		rt.anyRel = append(rt.anyRel, q)
	}
}

func (rt *router) remove(q *Query) {
	drop := func(qs []*Query) []*Query {
		return slices.DeleteFunc(qs, func(x *Query) bool { return x == q })
	}
	k := keysOf(q)
	for _, l := range k.nodes {
		if qs := drop(rt.nodes[l]); len(qs) > 0 {
			rt.nodes[l] = qs
		} else {
			delete(rt.nodes, l)
		}
	}
	for _, t := range k.rels {
		if qs := drop(rt.rels[t]); len(qs) > 0 {
			rt.rels[t] = qs
		} else {
			delete(rt.rels, t)
		}
	}
	rt.anyNode, rt.anyRel = drop(rt.anyNode), drop(rt.anyRel)
}

// candidates are the queries a change can touch, each once, in
// registration order (the order every query saw changes in before
// routing: futures scheduled in a step keep their sequence).
//
// The slice is scratch that the next call reuses, and Query.mark holds the
// call's epoch: step does not nest (a node's synthetic join relations are
// steps of their own, before and after the node's), so one call's
// candidates are used up before the next.
//
// Hot path.
func (rt *router) candidates(oldN, newN *value.Node, oldR, newR *value.Rel) []*Query {
	rt.epoch++
	c := rt.cand[:0]
	take := func(qs []*Query) {
		for _, q := range qs {
			if q.mark != rt.epoch {
				q.mark = rt.epoch
				c = append(c, q)
			}
		}
	}
	for _, n := range [2]*value.Node{oldN, newN} {
		if n == nil {
			continue
		}
		take(rt.anyNode)
		for _, l := range n.Labels {
			take(rt.nodes[l])
		}
	}
	for _, r := range [2]*value.Rel{oldR, newR} {
		if r == nil {
			continue
		}
		take(rt.anyRel)
		take(rt.rels[r.Type])
	}
	switch {
	case len(c) > 16:
		slices.SortFunc(c, func(a, b *Query) int { return cmp.Compare(a.order, b.order) })
	case len(c) > 1:
		// Short lists: an insertion sort beats SortFunc's overhead.
		for i := 1; i < len(c); i++ {
			for j := i; j > 0 && c[j].order < c[j-1].order; j-- {
				c[j], c[j-1] = c[j-1], c[j]
			}
		}
	}
	rt.cand = c
	return c
}
