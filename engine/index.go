package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vigilhq/vigil/engine/value"
)

// Index is the in-memory element index: every node and relationship by id,
// nodes by label, relationships by endpoint, and the join-key postings that
// maintain synthetic relations. Relationships may reference nodes that do
// not exist (yet); the solver only matches them once both ends exist.
type Index struct {
	nodes   map[string]*value.Node
	rels    map[string]*value.Rel
	byLabel map[string]map[string]*value.Node // label -> id -> node
	out     map[string][]*value.Rel           // node id -> relationships starting there
	in      map[string][]*value.Rel           // node id -> relationships ending there
	joins   []*joinSpec
	// keepHistory is set once a query uses the element-history functions;
	// from then on every version of every element is kept in history.
	keepHistory bool
	history     map[string][]version
	seed        value.Seed // keys the join postings: the engine's
	// keys shares the property names of stored elements of one shape;
	// oneLabel and labelSets share their label lists: single labels by
	// the label, longer lists by the labels each after its length.
	keys      value.KeyTable
	oneLabel  map[string][]string
	labelSets map[string][]string
	labelBuf  []byte
	lastLabel []string // the single label found last: most changes repeat it
}

// maxLabelSets bounds labelSets, as value's bound does the key table.
const maxLabelSets = 4096

// name returns s, or the equal string the index already holds: the
// relationship types a source decodes anew with each change are kept once.
func (x *Index) name(s string) string {
	if ls, ok := x.oneLabel[s]; ok {
		return ls[0]
	}
	return x.labelSet([]string{s})[0]
}

// labelSet returns the labels to store for a node: without duplicates, and
// the one shared slice for each set in the order given.
//
// Hot path: a single label, the usual case, is found without building a key.
func (x *Index) labelSet(ls []string) []string {
	if len(ls) == 0 {
		return nil
	}
	if len(ls) == 1 {
		if s := x.lastLabel; s != nil && s[0] == ls[0] {
			return s
		}
		if s, ok := x.oneLabel[ls[0]]; ok {
			x.lastLabel = s
			return s
		}
		own := []string{strings.Clone(ls[0])}
		if x.oneLabel == nil {
			x.oneLabel = map[string][]string{}
		}
		if len(x.oneLabel) < maxLabelSets {
			x.oneLabel[own[0]] = own
		}
		return own
	}
	b := value.AppendNames(x.labelBuf[:0], ls)
	x.labelBuf = b
	if s, ok := x.labelSets[string(b)]; ok {
		return s
	}
	own := dedupLabels(slices.Clone(ls))
	for i, l := range own {
		own[i] = strings.Clone(l)
	}
	if x.labelSets == nil {
		x.labelSets = map[string][]string{}
	}
	if len(x.labelSets) < maxLabelSets {
		x.labelSets[string(b)] = own
	}
	return own
}

// record appends a version to an element's history when history is kept.
func (x *Index) record(id string, at int64, n *value.Node, r *value.Rel) {
	if !x.keepHistory {
		return
	}
	if x.history == nil {
		x.history = map[string][]version{}
	}
	x.history[id] = append(x.history[id], version{at: at, node: n, rel: r})
}

// joinSpec is one declared synthetic relation type with its postings:
// for each key side, key value hash -> node ids having it.
type joinSpec struct {
	Join
	refs     int                            // queries that declared it
	postings []map[uint64]map[string]string // side -> key hash -> node id -> node id
}

// NewIndex returns an empty index.
func NewIndex() *Index { return newIndex(value.NewSeed()) }

// newIndex returns an empty index hashing join keys with seed.
func newIndex(seed value.Seed) *Index {
	return &Index{
		seed:    seed,
		nodes:   map[string]*value.Node{},
		rels:    map[string]*value.Rel{},
		byLabel: map[string]map[string]*value.Node{},
		out:     map[string][]*value.Rel{},
		in:      map[string][]*value.Rel{},
	}
}

// Node returns the node with the given id, or nil.
func (x *Index) Node(id string) *value.Node { return x.nodes[id] }

// Rel returns the relationship with the given id, or nil.
func (x *Index) Rel(id string) *value.Rel { return x.rels[id] }

// NodeCount is the number of nodes.
func (x *Index) NodeCount() int { return len(x.nodes) }

// RelCount is the number of relationships (synthetic ones included).
func (x *Index) RelCount() int { return len(x.rels) }

// Nodes calls fn for every node, or every node with the label when label is
// not empty, until fn returns false.
func (x *Index) Nodes(label string, fn func(*value.Node) bool) {
	if label != "" {
		for _, n := range x.byLabel[label] {
			if !fn(n) {
				return
			}
		}
		return
	}
	for _, n := range x.nodes {
		if !fn(n) {
			return
		}
	}
}

// LabelCount is the number of nodes carrying label.
func (x *Index) LabelCount(label string) int { return len(x.byLabel[label]) }

// Out returns the relationships starting at node id. The slice must not be
// modified.
func (x *Index) Out(id string) []*value.Rel { return x.out[id] }

// In returns the relationships ending at node id.
func (x *Index) In(id string) []*value.Rel { return x.in[id] }

// Rels calls fn for every relationship until it returns false.
func (x *Index) Rels(fn func(*value.Rel) bool) {
	for _, r := range x.rels {
		if !fn(r) {
			return
		}
	}
}

// putNode stores n, replacing any node with its id.
func (x *Index) putNode(n *value.Node) {
	if old := x.nodes[n.ID]; old != nil {
		// Only the labels the node loses are deleted: the others are
		// overwritten below (an update usually keeps its labels, and a
		// delete and re-insert per update leaves tombstones that make the
		// label map grow and rehash).
		for _, l := range old.Labels {
			if !hasLabel(n.Labels, l) {
				delete(x.byLabel[l], n.ID)
			}
		}
	}
	x.nodes[n.ID] = n
	for _, l := range n.Labels {
		m := x.byLabel[l]
		if m == nil {
			m = map[string]*value.Node{}
			x.byLabel[l] = m
		}
		m[n.ID] = n
	}
}

func (x *Index) deleteNode(id string) {
	old := x.nodes[id]
	if old == nil {
		return
	}
	for _, l := range old.Labels {
		delete(x.byLabel[l], id)
	}
	delete(x.nodes, id)
}

// putRel stores r, replacing any relationship with its id.
func (x *Index) putRel(r *value.Rel) {
	if old := x.rels[r.ID]; old != nil {
		x.unlink(old)
	}
	x.rels[r.ID] = r
	x.out[r.From] = append(x.out[r.From], r)
	x.in[r.To] = append(x.in[r.To], r)
}

func (x *Index) deleteRel(id string) {
	if old := x.rels[id]; old != nil {
		x.unlink(old)
		delete(x.rels, id)
	}
}

func (x *Index) unlink(r *value.Rel) {
	x.out[r.From] = removeRel(x.out[r.From], r.ID)
	if len(x.out[r.From]) == 0 {
		delete(x.out, r.From)
	}
	x.in[r.To] = removeRel(x.in[r.To], r.ID)
	if len(x.in[r.To]) == 0 {
		delete(x.in, r.To)
	}
}

func removeRel(list []*value.Rel, id string) []*value.Rel {
	for i, r := range list {
		if r.ID == id {
			last := len(list) - 1
			list[i] = list[last]
			list[last] = nil
			return list[:last]
		}
	}
	return list
}

// attached lists the ids of every relationship touching node id.
func (x *Index) attached(id string) []string {
	var ids []string
	for _, r := range x.out[id] {
		ids = append(ids, r.ID)
	}
	for _, r := range x.in[id] {
		if r.From != id { // a self-loop is already listed
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// addJoin declares a synthetic relation; declaring the same id again with
// the same keys only counts a reference.
func (x *Index) addJoin(j Join) (*joinSpec, error) {
	if len(j.Keys) < 2 {
		return nil, fmt.Errorf("join %q: needs two keys, has %d", j.ID, len(j.Keys))
	}
	for _, s := range x.joins {
		if s.ID == j.ID {
			if !sameKeys(s.Keys, j.Keys) {
				return nil, fmt.Errorf("join %q: already declared with other keys", j.ID)
			}
			s.refs++
			return s, nil
		}
	}
	s := &joinSpec{Join: j, refs: 1, postings: make([]map[uint64]map[string]string, len(j.Keys))}
	for i := range s.postings {
		s.postings[i] = map[uint64]map[string]string{}
	}
	x.joins = append(x.joins, s)
	return s, nil
}

func sameKeys(a, b []JoinKey) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// joinRelPrefix starts every synthetic relation's id, which no source's
// element id can start with (a qualified id starts with a source name, and
// a source name holds no ':').
const joinRelPrefix = "join:"

// joinRelID names the synthetic relation of join j from node a to node b.
func joinRelID(j, a, b string) string { return joinRelPrefix + j + ":" + a + ":" + b }

// isJoinRelID reports whether id names a synthetic relation of a join.
func isJoinRelID(id string) bool { return strings.HasPrefix(id, joinRelPrefix) }

// joinEdges lists the synthetic relationships that node n (as stored now in
// postings) takes part in. n may be nil (no edges).
func (x *Index) joinEdges(n *value.Node) []*value.Rel {
	if n == nil {
		return nil
	}
	var out []*value.Rel
	for _, s := range x.joins {
		for side, k := range s.Keys {
			if !n.HasLabel(k.Label) {
				continue
			}
			v := n.Props.Get(k.Property)
			if v.IsNull() {
				continue
			}
			h := x.seed.Hash(v)
			for other, ok := range s.Keys {
				if other == side {
					continue
				}
				for id := range s.postings[other][h] {
					if id == n.ID {
						continue
					}
					m := x.nodes[id]
					if m == nil || !value.Equivalent(m.Props.Get(ok.Property), v) {
						continue
					}
					out = append(out,
						&value.Rel{ID: joinRelID(s.ID, n.ID, id), Type: s.ID, From: n.ID, To: id},
						&value.Rel{ID: joinRelID(s.ID, id, n.ID), Type: s.ID, From: id, To: n.ID})
				}
			}
		}
	}
	return out
}

// postJoinKeys records (or, with add false, withdraws) node n's join keys.
func (x *Index) postJoinKeys(n *value.Node, add bool) {
	if n == nil {
		return
	}
	for _, s := range x.joins {
		for side, k := range s.Keys {
			if !n.HasLabel(k.Label) {
				continue
			}
			v := n.Props.Get(k.Property)
			if v.IsNull() {
				continue
			}
			h := x.seed.Hash(v)
			p := s.postings[side]
			if add {
				m := p[h]
				if m == nil {
					m = map[string]string{}
					p[h] = m
				}
				m[n.ID] = n.ID
			} else if m := p[h]; m != nil {
				delete(m, n.ID)
				if len(m) == 0 {
					delete(p, h)
				}
			}
		}
	}
}

// joinKeysChanged reports whether a node update can change its synthetic
// relations.
func (x *Index) joinKeysChanged(old, new *value.Node) bool {
	for _, s := range x.joins {
		for _, k := range s.Keys {
			ho, hn := old != nil && old.HasLabel(k.Label), new != nil && new.HasLabel(k.Label)
			if ho != hn {
				return true
			}
			if ho && !value.Equivalent(old.Props.Get(k.Property), new.Props.Get(k.Property)) {
				return true
			}
		}
	}
	return false
}

func hasLabel(ls []string, l string) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

func (x *Index) save(s *stateWriter) {
	w := &s.w
	w.Bool(x.keepHistory)
	w.Uvarint(uint64(len(x.nodes)))
	for _, n := range x.nodes {
		w.Node(n)
	}
	w.Uvarint(uint64(len(x.rels)))
	for _, r := range x.rels {
		w.Rel(r)
	}
	// The adjacency lists are written in their order, which is the order
	// the solver meets relationships in and so the order of result rows.
	for _, adj := range []map[string][]*value.Rel{x.out, x.in} {
		w.Uvarint(uint64(len(adj)))
		for id, rs := range adj {
			w.String(id)
			w.Uvarint(uint64(len(rs)))
			for _, r := range rs {
				w.Rel(r)
			}
		}
	}
	w.Uvarint(uint64(len(x.history)))
	for id, vs := range x.history {
		w.String(id)
		w.Uvarint(uint64(len(vs)))
		for _, v := range vs {
			w.Varint(v.at)
			w.Node(v.node)
			w.Rel(v.rel)
		}
	}
	w.Uvarint(uint64(len(x.joins)))
	for _, j := range x.joins {
		saveJoin(w, j.Join)
		w.Int(j.refs)
		for _, p := range j.postings {
			w.Uvarint(uint64(len(p)))
			for h, ids := range p {
				w.Uint64(h)
				w.Uvarint(uint64(len(ids)))
				for id := range ids {
					w.String(id)
				}
			}
		}
	}
}

func (x *Index) load(s *stateReader) {
	r := s.r
	x.keepHistory = r.Bool()
	n := r.Count()
	for i := 0; i < n && r.Err() == nil; i++ {
		if nd := r.Node(); nd != nil {
			// The state's elements are this index's from now on: they
			// share its names and label lists, as applied ones do. The
			// node is the table's (rows point to it), so it is edited in
			// place; its contents stay equal.
			nd.Labels = x.labelSet(nd.Labels)
			nd.Props = x.keys.Intern(nd.Props)
			x.putNode(nd)
		} else {
			r.Failf("index: missing node")
		}
	}
	n = r.Count()
	for i := 0; i < n && r.Err() == nil; i++ {
		if rl := r.Rel(); rl != nil {
			rl.Props = x.keys.Intern(rl.Props)
			x.rels[rl.ID] = rl
		} else {
			r.Failf("index: missing relationship")
		}
	}
	for _, adj := range []map[string][]*value.Rel{x.out, x.in} {
		n = r.Count()
		for i := 0; i < n && r.Err() == nil; i++ {
			id := r.String()
			m := r.Count()
			rs := make([]*value.Rel, 0, m)
			for j := 0; j < m && r.Err() == nil; j++ {
				rl := r.Rel()
				if rl == nil {
					r.Failf("index: missing relationship in the adjacency of %q", id)
					break
				}
				rs = append(rs, rl)
			}
			adj[id] = rs
		}
	}
	n = r.Count()
	if n > 0 {
		x.history = make(map[string][]version, n)
	}
	for i := 0; i < n && r.Err() == nil; i++ {
		id := r.String()
		m := r.Count()
		vs := make([]version, 0, m)
		for j := 0; j < m && r.Err() == nil; j++ {
			vs = append(vs, version{at: r.Varint(), node: r.Node(), rel: r.Rel()})
		}
		x.history[id] = vs
	}
	n = r.Count()
	for i := 0; i < n && r.Err() == nil; i++ {
		j := &joinSpec{Join: loadJoin(r)}
		j.refs = r.Int()
		j.postings = make([]map[uint64]map[string]string, len(j.Keys))
		for side := range j.postings {
			p := map[uint64]map[string]string{}
			np := r.Count()
			for k := 0; k < np && r.Err() == nil; k++ {
				h := r.Uint64()
				ni := r.Count()
				ids := make(map[string]string, ni)
				for l := 0; l < ni && r.Err() == nil; l++ {
					id := r.String()
					ids[id] = id
				}
				p[h] = ids
			}
			j.postings[side] = p
		}
		x.joins = append(x.joins, j)
	}
}
