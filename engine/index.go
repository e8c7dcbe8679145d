package engine

import (
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
	"unsafe"

	"github.com/vigilhq/vigil/engine/internal/openset"
	"github.com/vigilhq/vigil/engine/value"
)

// Index is the in-memory element index: every node and relationship by id,
// nodes by label, relationships by endpoint, and the join-key postings that
// maintain synthetic relations. Relationships may reference nodes that do
// not exist (yet); the solver only matches them once both ends exist.
//
// Layout: each node id that a node or a relationship names has a record
// (the node and its adjacency) numbered by a handle, and so does each
// relationship. The id tables hold a handle and half the id's hash, eight
// bytes a slot, and the label sets hold handles, four bytes a slot, where
// Go maps would hold a string key and a value beside control bytes: the
// index costs about a third of what maps did per element. The index must
// not change while a caller iterates it.
type Index struct {
	ids     handleTable              // node records by their id
	recs    []*[recPage]nodeRec      // node records by handle
	free    []uint32                 // handles of records given back
	nextRec uint32                   // the next handle never used
	nnodes  int                      // records holding a node
	relIDs  handleTable              // relationships by their id
	rels    []*[recPage]*value.Rel   // relationships by handle
	relFree []uint32                 // relationship handles given back
	nextRel uint32                   // the next relationship handle never used
	nrels   int                      // relationships stored
	byLabel map[string]*labelMembers // label -> handles of the nodes carrying it
	hseed   maphash.Seed             // hashes ids for the tables
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

// nodeRec is what the index keeps for one node id: the node, if it exists,
// and the relationships that start and end there. A record with neither is
// given back.
type nodeRec struct {
	node *value.Node
	adj  adjacency
}

// adjacency is a node's relationships in one array: the nout outgoing ones
// first, then the incoming ones, n in all, room for c. That is 20 bytes
// where two slices took 48. The solver meets them in array order, which
// every operation keeps deterministic: linking an outgoing relationship
// moves the first incoming one to the end to make room, and removing one
// moves the last of its side into the hole (and, for an outgoing one, the
// last incoming one into the hole that leaves).
type adjacency struct {
	a          **value.Rel // the array's first slot; nil when c is 0
	n, nout, c uint32
}

func (l *adjacency) slots() []*value.Rel { return unsafe.Slice(l.a, l.c) }

// out returns the outgoing relationships, their capacity cut to their
// length.
func (l *adjacency) out() []*value.Rel {
	if l.nout == 0 {
		return nil
	}
	return unsafe.Slice(l.a, l.nout)
}

// in returns the incoming relationships, their capacity cut to their
// length.
func (l *adjacency) in() []*value.Rel {
	if l.n == l.nout {
		return nil
	}
	return l.slots()[l.nout:l.n:l.n]
}

// room makes room for one more relationship.
func (l *adjacency) room() {
	if l.n < l.c {
		return
	}
	grown := make([]*value.Rel, max(1, 2*l.c))
	if l.c > 0 {
		copy(grown, l.slots()[:l.n])
	}
	l.a, l.c = &grown[0], uint32(len(grown))
}

func (l *adjacency) pushOut(r *value.Rel) {
	l.room()
	s := l.slots()
	s[l.n] = s[l.nout]
	s[l.nout] = r
	l.nout++
	l.n++
}

func (l *adjacency) pushIn(r *value.Rel) {
	l.room()
	l.slots()[l.n] = r
	l.n++
}

// adopt makes rs, which is not empty, the outgoing (out) or incoming
// relationships of a node that has none on that side yet.
func (l *adjacency) adopt(out bool, rs []*value.Rel) {
	if l.n > 0 {
		for _, r := range rs {
			if out {
				l.pushOut(r)
			} else {
				l.pushIn(r)
			}
		}
		return
	}
	rs = rs[:len(rs):len(rs)]
	l.a, l.n, l.c = &rs[0], uint32(len(rs)), uint32(len(rs))
	if out {
		l.nout = l.n
	}
}

// remove takes the relationship of id off the outgoing (out) or incoming
// side; an emptied array is let go.
func (l *adjacency) remove(out bool, id string) {
	s := l.slots()
	lo, hi := l.nout, l.n
	if out {
		lo, hi = 0, l.nout
	}
	for i := lo; i < hi; i++ {
		if s[i].ID != id {
			continue
		}
		s[i] = s[hi-1]
		if out {
			s[hi-1] = s[l.n-1]
			l.nout--
		}
		s[l.n-1] = nil
		l.n--
		if l.n == 0 {
			*l = adjacency{}
		}
		return
	}
}

// recPage is the number of records (and of relationship pointers) a page
// holds: pages are never moved, so growing to millions of nodes copies
// nothing and a record's address stays put. 127, not 128: the allocator
// puts an 8-byte header before an object of more than 512 bytes that holds
// pointers, and 127 records of 32 bytes (or pointers of 8) plus the header
// fill a 4,096-byte (1,024-byte) size class exactly, where 128 would spill
// into the next one, a fifth larger.
const recPage = 127

// labelMembers is the set of handles of the nodes that carry one label.
type labelMembers = openset.Table[uint32]

// rec returns the record of handle h.
func (x *Index) rec(h uint32) *nodeRec { return &x.recs[h/recPage][h%recPage] }

// recID is the id of a live record: its node's, or the endpoint its
// relationships name.
func (x *Index) recID(h uint32) string {
	r := x.rec(h)
	switch {
	case r.node != nil:
		return r.node.ID
	case r.adj.nout > 0:
		return r.adj.out()[0].From
	default:
		return r.adj.in()[0].To
	}
}

// idHash is the half of id's hash the id tables keep (see handleTable).
func (x *Index) idHash(id string) uint64 { return maphash.String(x.hseed, id) >> 32 }

// handle returns the handle of id's record, or 0.
func (x *Index) handle(id string) uint32 {
	return x.ids.find(x.idHash(id), func(h uint32) bool { return x.recID(h) == id })
}

// relAt returns the slot of relationship handle h.
func (x *Index) relAt(h uint32) **value.Rel { return &x.rels[h/recPage][h%recPage] }

// relHandle returns the handle of relationship id, or 0.
func (x *Index) relHandle(id string) uint32 {
	return x.relIDs.find(x.idHash(id), func(h uint32) bool { return (*x.relAt(h)).ID == id })
}

// handleTable finds handles by id. A slot packs the handle (low half) with
// the top half of the id's hash (high half), which is also where probing
// starts: a probe compares hashes and reads an element's id only when they
// agree, so a miss (every insert) touches no element, and the table grows
// and shifts without reading one.
type handleTable struct{ t openset.Table[uint64] }

func slotHash(e uint64) uint64 { return e >> 32 }

func (t *handleTable) find(hash uint64, is func(uint32) bool) uint32 {
	e, _ := t.t.Find(hash, func(e uint64) bool { return e>>32 == hash && is(uint32(e)) })
	return uint32(e)
}

func (t *handleTable) put(hash uint64, h uint32) {
	t.t.Put(hash, hash<<32|uint64(h), func(e uint64) bool { return uint32(e) == h }, slotHash)
}

func (t *handleTable) del(hash uint64, h uint32) {
	t.t.Delete(hash, func(e uint64) bool { return uint32(e) == h }, slotHash)
}

func (t *handleTable) len() int { return t.t.Len() }

// newRec returns the handle of an empty record, not yet in the id table:
// the caller fills it, then enters it with enter.
func (x *Index) newRec() uint32 {
	if n := len(x.free); n > 0 {
		h := x.free[n-1]
		x.free = x.free[:n-1]
		return h
	}
	if x.nextRec == 0 {
		x.nextRec = 1 // handle 0 is the table's empty slot
	}
	h := x.nextRec
	x.nextRec++
	if int(h/recPage) == len(x.recs) {
		x.recs = append(x.recs, new([recPage]nodeRec))
	}
	return h
}

// enter puts the filled record h into the id table under id.
func (x *Index) enter(id string, h uint32) {
	x.ids.put(x.idHash(id), h)
}

// release gives record h of id back once it holds nothing.
func (x *Index) release(id string, h uint32) {
	r := x.rec(h)
	if r.node != nil || r.adj.n > 0 {
		return
	}
	x.ids.del(x.idHash(id), h)
	*r = nodeRec{}
	x.free = append(x.free, h)
}

// mixHandle spreads handles, which are dense small numbers, over a label
// set's slots.
func mixHandle(h uint32) uint64 {
	v := uint64(h) * 0x9e3779b97f4a7c15
	return v ^ v>>29
}

func sameHandle(h uint32) func(uint32) bool { return func(e uint32) bool { return e == h } }

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
	return &Index{seed: seed, hseed: maphash.MakeSeed(), byLabel: map[string]*labelMembers{}}
}

// Node returns the node with the given id, or nil.
func (x *Index) Node(id string) *value.Node {
	if h := x.handle(id); h != 0 {
		return x.rec(h).node
	}
	return nil
}

// Rel returns the relationship with the given id, or nil.
func (x *Index) Rel(id string) *value.Rel {
	if h := x.relHandle(id); h != 0 {
		return *x.relAt(h)
	}
	return nil
}

// storedID returns the id string the index holds equal to b (a node's, a
// relationship's, or an endpoint's), if any. b is only read.
func (x *Index) storedID(b []byte) (string, bool) {
	if len(b) == 0 {
		return "", false
	}
	id := unsafe.String(&b[0], len(b))
	if h := x.handle(id); h != 0 {
		return x.recID(h), true
	}
	if r := x.Rel(id); r != nil {
		return r.ID, true
	}
	return "", false
}

// NodeCount is the number of nodes.
func (x *Index) NodeCount() int { return x.nnodes }

// RelCount is the number of relationships (synthetic ones included).
func (x *Index) RelCount() int { return x.nrels }

// Nodes calls fn for every node, or every node with the label when label is
// not empty, until fn returns false.
func (x *Index) Nodes(label string, fn func(*value.Node) bool) {
	if label != "" {
		if m := x.byLabel[label]; m != nil {
			m.Each(func(h uint32) bool { return fn(x.rec(h).node) })
		}
		return
	}
	for h := uint32(1); h < x.nextRec; h++ {
		if n := x.rec(h).node; n != nil && !fn(n) {
			return
		}
	}
}

// LabelCount is the number of nodes carrying label.
func (x *Index) LabelCount(label string) int {
	if m := x.byLabel[label]; m != nil {
		return m.Len()
	}
	return 0
}

// Out returns the relationships starting at node id. The slice must not be
// modified.
func (x *Index) Out(id string) []*value.Rel {
	if h := x.handle(id); h != 0 {
		return x.rec(h).adj.out()
	}
	return nil
}

// In returns the relationships ending at node id.
func (x *Index) In(id string) []*value.Rel {
	if h := x.handle(id); h != 0 {
		return x.rec(h).adj.in()
	}
	return nil
}

// Rels calls fn for every relationship until it returns false.
func (x *Index) Rels(fn func(*value.Rel) bool) {
	for h := uint32(1); h < x.nextRel; h++ {
		if r := *x.relAt(h); r != nil && !fn(r) {
			return
		}
	}
}

// putNode stores n, replacing any node with its id.
func (x *Index) putNode(n *value.Node) {
	h := x.handle(n.ID)
	if h == 0 {
		h = x.newRec()
		x.rec(h).node = n
		x.enter(n.ID, h)
		x.nnodes++
	} else {
		r := x.rec(h)
		if old := r.node; old != nil {
			// Only the labels the node loses are withdrawn: an update
			// usually keeps its labels, which then need no work below
			// beyond finding the handle there.
			for _, l := range old.Labels {
				if !hasLabel(n.Labels, l) {
					x.byLabel[l].Delete(mixHandle(h), sameHandle(h), mixHandle)
				}
			}
		} else {
			x.nnodes++
		}
		r.node = n
	}
	for _, l := range n.Labels {
		m := x.byLabel[l]
		if m == nil {
			m = &labelMembers{}
			x.byLabel[l] = m
		}
		m.Put(mixHandle(h), h, sameHandle(h), mixHandle)
	}
}

func (x *Index) deleteNode(id string) {
	h := x.handle(id)
	if h == 0 {
		return
	}
	r := x.rec(h)
	old := r.node
	if old == nil {
		return
	}
	for _, l := range old.Labels {
		x.byLabel[l].Delete(mixHandle(h), sameHandle(h), mixHandle)
	}
	r.node = nil
	x.nnodes--
	x.release(id, h)
}

// putRel stores r, replacing any relationship with its id.
func (x *Index) putRel(r *value.Rel) {
	if h := x.relHandle(r.ID); h != 0 {
		x.unlink(*x.relAt(h))
		*x.relAt(h) = r
	} else {
		x.addRel(r)
	}
	x.link(r.From, true, r)
	x.link(r.To, false, r)
}

// link appends r to the outgoing (out) or incoming relationships of node
// id, making its record if it has none.
func (x *Index) link(id string, out bool, r *value.Rel) {
	h := x.handle(id)
	if h == 0 {
		x.adopt(id, out, []*value.Rel{r})
		return
	}
	rec := x.rec(h)
	if out {
		rec.adj.pushOut(r)
	} else {
		rec.adj.pushIn(r)
	}
}

// adopt makes rs, which must not be empty, the outgoing (out) or incoming
// relationships of node id, which has no record yet or none on that side.
func (x *Index) adopt(id string, out bool, rs []*value.Rel) {
	h := x.handle(id)
	fresh := h == 0
	if fresh {
		h = x.newRec()
	}
	x.rec(h).adj.adopt(out, rs)
	if fresh {
		// Entered once it has a relationship to name its id by.
		x.enter(id, h)
	}
}

// addRel enters r, whose id is not stored, into the relationship table.
func (x *Index) addRel(r *value.Rel) {
	var h uint32
	if n := len(x.relFree); n > 0 {
		h = x.relFree[n-1]
		x.relFree = x.relFree[:n-1]
	} else {
		if x.nextRel == 0 {
			x.nextRel = 1 // handle 0 is the table's empty slot
		}
		h = x.nextRel
		x.nextRel++
		if int(h/recPage) == len(x.rels) {
			x.rels = append(x.rels, new([recPage]*value.Rel))
		}
	}
	*x.relAt(h) = r
	x.relIDs.put(x.idHash(r.ID), h)
	x.nrels++
}

func (x *Index) deleteRel(id string) {
	if h := x.relHandle(id); h != 0 {
		x.unlink(*x.relAt(h))
		x.relIDs.del(x.idHash(id), h)
		*x.relAt(h) = nil
		x.relFree = append(x.relFree, h)
		x.nrels--
	}
}

func (x *Index) unlink(r *value.Rel) {
	if h := x.handle(r.From); h != 0 {
		rec := x.rec(h)
		rec.adj.remove(true, r.ID)
		x.release(r.From, h)
	}
	if h := x.handle(r.To); h != 0 {
		rec := x.rec(h)
		rec.adj.remove(false, r.ID)
		x.release(r.To, h)
	}
}

// attached lists the ids of every relationship touching node id.
func (x *Index) attached(id string) []string {
	var ids []string
	for _, r := range x.Out(id) {
		ids = append(ids, r.ID)
	}
	for _, r := range x.In(id) {
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
					m := x.Node(id)
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
	w.Uvarint(uint64(x.nnodes))
	x.Nodes("", func(n *value.Node) bool { w.Node(n); return true })
	w.Uvarint(uint64(x.nrels))
	x.Rels(func(r *value.Rel) bool { w.Rel(r); return true })
	// The adjacency lists are written in their order, which is the order
	// the solver meets relationships in and so the order of result rows.
	for _, out := range []bool{true, false} {
		side := func(r *nodeRec) []*value.Rel {
			if out {
				return r.adj.out()
			}
			return r.adj.in()
		}
		n := 0
		for h := uint32(1); h < x.nextRec; h++ {
			if len(side(x.rec(h))) > 0 {
				n++
			}
		}
		w.Uvarint(uint64(n))
		for h := uint32(1); h < x.nextRec; h++ {
			rs := side(x.rec(h))
			if len(rs) == 0 {
				continue
			}
			w.String(x.recID(h))
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
			if h := x.relHandle(rl.ID); h != 0 {
				*x.relAt(h) = rl
			} else {
				x.addRel(rl)
			}
		} else {
			r.Failf("index: missing relationship")
		}
	}
	for _, out := range []bool{true, false} {
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
			if len(rs) > 0 {
				x.adopt(id, out, rs)
			}
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
