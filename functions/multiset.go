package functions

import (
	"math"

	"github.com/vigilhq/vigil/engine/value"
)

// Multiset is a counted, sorted multiset of values ordered by value.Compare:
// an order-statistic treap whose nodes carry a multiplicity and the total
// multiplicity of their subtree. min/max need O(log n) removal of the current
// extreme (a heap cannot remove an arbitrary reverted value cheaply), and the
// percentiles need rank selection, which the subtree sizes give in O(log n).
//
// The zero value is an empty multiset. It is not safe for concurrent use.
type Multiset struct {
	root *msNode
	// rng drives treap priorities. It lives in the multiset, not in a
	// package-level generator, so that there is no shared mutable state and
	// the shape of a tree is reproducible.
	rng uint64
}

type msNode struct {
	val         value.Value
	count       int // multiplicity of val
	size        int // sum of count over the subtree
	prio        uint64
	left, right *msNode
}

func (n *msNode) fix() {
	n.size = n.count
	if n.left != nil {
		n.size += n.left.size
	}
	if n.right != nil {
		n.size += n.right.size
	}
}

func sizeOf(n *msNode) int {
	if n == nil {
		return 0
	}
	return n.size
}

// next is xorshift64*; quality is ample for balancing a treap.
func (m *Multiset) next() uint64 {
	if m.rng == 0 {
		m.rng = 0x9E3779B97F4A7C15
	}
	m.rng ^= m.rng >> 12
	m.rng ^= m.rng << 25
	m.rng ^= m.rng >> 27
	return m.rng * 2685821657736338717
}

// Len is the total multiplicity.
func (m *Multiset) Len() int { return sizeOf(m.root) }

// Distinct is the number of distinct keys.
func (m *Multiset) Distinct() int { return countNodes(m.root) }

func countNodes(n *msNode) int {
	if n == nil {
		return 0
	}
	return 1 + countNodes(n.left) + countNodes(n.right)
}

// Add inserts one occurrence of v. When an equal key is present, v becomes
// its representative: values equal under Compare may still differ (two
// versions of one node), and the newest is the one a result should show.
func (m *Multiset) Add(v value.Value) { m.root = m.insert(m.root, v) }

func (m *Multiset) insert(n *msNode, v value.Value) *msNode {
	if n == nil {
		return &msNode{val: v, count: 1, size: 1, prio: m.next()}
	}
	switch c := value.Compare(v, n.val); {
	case c == 0:
		n.val = v
		n.count++
		n.size++
		return n
	case c < 0:
		n.left = m.insert(n.left, v)
		if n.left.prio > n.prio {
			n = rotateRight(n)
		}
	default:
		n.right = m.insert(n.right, v)
		if n.right.prio > n.prio {
			n = rotateLeft(n)
		}
	}
	n.fix()
	return n
}

// Remove deletes one occurrence of v and reports whether there was one.
func (m *Multiset) Remove(v value.Value) bool {
	var ok bool
	m.root, ok = remove(m.root, v)
	return ok
}

func remove(n *msNode, v value.Value) (*msNode, bool) {
	if n == nil {
		return nil, false
	}
	var ok bool
	switch c := value.Compare(v, n.val); {
	case c < 0:
		n.left, ok = remove(n.left, v)
	case c > 0:
		n.right, ok = remove(n.right, v)
	default:
		if n.count > 1 {
			n.count--
			n.size--
			return n, true
		}
		return merge(n.left, n.right), true
	}
	if ok {
		n.fix()
	}
	return n, ok
}

// merge joins two treaps where every key of a sorts before every key of b.
func merge(a, b *msNode) *msNode {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.prio > b.prio:
		a.right = merge(a.right, b)
		a.fix()
		return a
	default:
		b.left = merge(a, b.left)
		b.fix()
		return b
	}
}

func rotateRight(n *msNode) *msNode {
	l := n.left
	n.left = l.right
	n.fix()
	l.right = n
	l.fix()
	return l
}

func rotateLeft(n *msNode) *msNode {
	r := n.right
	n.right = r.left
	n.fix()
	r.left = n
	r.fix()
	return r
}

// Min returns the smallest value, or ok=false when empty.
func (m *Multiset) Min() (value.Value, bool) {
	n := m.root
	if n == nil {
		return value.Null, false
	}
	for n.left != nil {
		n = n.left
	}
	return n.val, true
}

// Max returns the largest value, or ok=false when empty.
func (m *Multiset) Max() (value.Value, bool) {
	n := m.root
	if n == nil {
		return value.Null, false
	}
	for n.right != nil {
		n = n.right
	}
	return n.val, true
}

// At returns the k-th smallest occurrence (0-based, counting multiplicity).
// It panics when k is out of range, which is a caller bug.
func (m *Multiset) At(k int) value.Value {
	n := m.root
	for n != nil {
		ls := sizeOf(n.left)
		switch {
		case k < ls:
			n = n.left
		case k < ls+n.count:
			return n.val
		default:
			k -= ls + n.count
			n = n.right
		}
	}
	panic("functions: Multiset.At out of range")
}

// Each calls f for every distinct value in ascending order with its
// multiplicity, for tests and debugging.
func (m *Multiset) Each(f func(v value.Value, count int)) { each(m.root, f) }

func each(n *msNode, f func(value.Value, int)) {
	if n == nil {
		return
	}
	each(n.left, f)
	f(n.val, n.count)
	each(n.right, f)
}

// SaveState writes the treap as it is, node by node in pre-order with its
// shape, multiplicities and priorities, and then the priority generator.
// Rebuilding by insertion would give the same contents but not the same
// tree, nor the same priorities for later insertions; this way a restored
// multiset is the same tree, and keeps the same representative for each key
// (Add makes the newest equal value the representative).
func (m *Multiset) SaveState(w *value.StateWriter) {
	w.Uvarint(uint64(m.Distinct()))
	// Iterative: a tree's depth is bounded only in expectation.
	var stack []*msNode
	if m.root != nil {
		stack = append(stack, m.root)
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		var shape uint64
		if n.left != nil {
			shape |= 1
		}
		if n.right != nil {
			shape |= 2
		}
		w.Uvarint(shape)
		w.Int(n.count)
		w.Uint64(n.prio)
		w.Value(n.val)
		if n.right != nil {
			stack = append(stack, n.right)
		}
		if n.left != nil {
			stack = append(stack, n.left)
		}
	}
	w.Uint64(m.rng)
}

// LoadState replaces the multiset with one read from a state SaveState
// wrote. It checks what the treap operations rely on (positive
// multiplicities, keys strictly ascending in order, priorities forming a
// heap, a total that fits an int) and fails r on anything else.
func (m *Multiset) LoadState(r *value.StateReader) {
	m.root, m.rng = nil, 0
	n := r.Count()
	type pending struct {
		n           *msNode
		left, right bool // children still to read
	}
	var (
		nodes []*msNode
		stack []pending
	)
	for i := 0; i < n && r.Err() == nil; i++ {
		shape := r.Uvarint()
		nd := &msNode{count: r.Int(), prio: r.Uint64()}
		nd.val = readValue(r)
		if r.Err() != nil {
			return
		}
		if shape > 3 || nd.count < 1 {
			r.Failf("functions: multiset state: node with shape %d and multiplicity %d", shape, nd.count)
			return
		}
		if i > 0 {
			if len(stack) == 0 {
				r.Failf("functions: multiset state: more nodes than the tree has room for")
				return
			}
			top := &stack[len(stack)-1]
			if nd.prio > top.n.prio {
				r.Failf("functions: multiset state: priorities do not form a heap")
				return
			}
			if top.left {
				top.n.left, top.left = nd, false
			} else {
				top.n.right, top.right = nd, false
			}
			if !top.left && !top.right {
				stack = stack[:len(stack)-1]
			}
		}
		if shape != 0 {
			stack = append(stack, pending{n: nd, left: shape&1 != 0, right: shape&2 != 0})
		}
		nodes = append(nodes, nd)
	}
	rng := r.Uint64()
	if r.Err() != nil {
		return
	}
	if len(stack) != 0 {
		r.Failf("functions: multiset state: tree ends early")
		return
	}
	// In pre-order every node precedes its descendants, so the reverse
	// visits children before parents.
	total := 0
	for j := len(nodes) - 1; j >= 0; j-- {
		if nodes[j].count > math.MaxInt-total {
			r.Failf("functions: multiset state: total multiplicity overflows")
			return
		}
		total += nodes[j].count
		nodes[j].fix()
	}
	var root *msNode
	if len(nodes) > 0 {
		root = nodes[0]
	}
	// Equal keys share a node, so an in-order walk must be strictly
	// ascending, or searches would miss keys.
	var (
		prev    *msNode
		inorder []*msNode
	)
	for cur := root; cur != nil || len(inorder) > 0; {
		for ; cur != nil; cur = cur.left {
			inorder = append(inorder, cur)
		}
		cur = inorder[len(inorder)-1]
		inorder = inorder[:len(inorder)-1]
		if prev != nil && value.Compare(prev.val, cur.val) >= 0 {
			r.Failf("functions: multiset state: keys out of order")
			return
		}
		prev, cur = cur, cur.right
	}
	m.root, m.rng = root, rng
}
