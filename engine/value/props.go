package value

import (
	"encoding/binary"
	"iter"
	"slices"
	"strings"
	"unsafe"
)

// Props is the property record of a node or relationship: its values in the
// order of a sorted list of property names. Elements with the same property
// names share one Keys (see KeyTable), so a record costs its values and two
// words, where a Go map cost a header, a group of slots and the names again.
//
// A Props is immutable once built: nothing modifies the values it points
// to. The zero Props is the empty record. A null value is never stored (a
// null property is an absent property).
type Props struct {
	keys *Keys
	vals *Value // the first of len(keys.names) values; nil when empty
}

// Keys is a sorted list of distinct property names, shared by every record
// built over the same names.
type Keys struct {
	names []string
}

// PropsOf builds a record from m, leaving out nulls. The record has its own
// Keys; a KeyTable builds records that share them.
func PropsOf(m map[string]Value) Props {
	names := make([]string, 0, len(m))
	for k, v := range m {
		if !v.IsNull() {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return Props{}
	}
	slices.Sort(names)
	return fill(&Keys{names: names}, m)
}

// fill allocates the values of m in the order of keys, every name of which
// m holds with a non-null value.
func fill(keys *Keys, m map[string]Value) Props {
	vals := make([]Value, len(keys.names))
	for i, k := range keys.names {
		vals[i] = m[k]
	}
	return Props{keys: keys, vals: &vals[0]}
}

// values returns the record's values, in the order of its names.
func (p Props) values() []Value {
	if p.vals == nil {
		return nil
	}
	return unsafe.Slice(p.vals, len(p.keys.names))
}

// Len is the number of properties.
func (p Props) Len() int {
	if p.keys == nil {
		return 0
	}
	return len(p.keys.names)
}

// Names returns the property names in ascending order. The slice is shared
// and must not be modified.
func (p Props) Names() []string {
	if p.keys == nil {
		return nil
	}
	return p.keys.names
}

// Keys returns the shared name list, nil when the record is empty.
func (p Props) Keys() *Keys { return p.keys }

// index returns the position of name k, or -1.
//
// Hot path: records are small, so a scan that compares lengths first beats
// hashing; long records fall back to binary search.
func (p Props) index(k string) int {
	if p.keys == nil {
		return -1
	}
	names := p.keys.names
	if len(names) <= 8 {
		for i, n := range names {
			if len(n) == len(k) && n == k {
				return i
			}
		}
		return -1
	}
	if i, ok := slices.BinarySearch(names, k); ok {
		return i
	}
	return -1
}

// Get returns the value of property k, or null when the record has none.
func (p Props) Get(k string) Value {
	if i := p.index(k); i >= 0 {
		return p.values()[i]
	}
	return Null
}

// Lookup returns the value of property k and whether the record has it.
func (p Props) Lookup(k string) (Value, bool) {
	if i := p.index(k); i >= 0 {
		return p.values()[i], true
	}
	return Null, false
}

// Has reports whether the record has property k.
func (p Props) Has(k string) bool { return p.index(k) >= 0 }

// All yields the properties in ascending name order.
func (p Props) All() iter.Seq2[string, Value] {
	return func(yield func(string, Value) bool) {
		vals := p.values()
		for i, v := range vals {
			if !yield(p.keys.names[i], v) {
				return
			}
		}
	}
}

// Map returns the properties as a new map.
func (p Props) Map() map[string]Value {
	m := make(map[string]Value, p.Len())
	for i, v := range p.values() {
		m[p.keys.names[i]] = v
	}
	return m
}

// maxKeySets bounds a KeyTable: past it, records get Keys of their own, so
// a source whose every element has different property names costs what it
// would without the table, not an ever-growing table.
const maxKeySets = 4096

// KeyTable interns the name lists of the records it builds, so that the
// elements of one shape share their names (and the names' bytes: a source
// decoding each change allocates them anew). Not safe for concurrent use.
type KeyTable struct {
	byNames map[string]*Keys // names, each after its length as a uvarint
	last    *Keys            // the shape built last: most changes repeat it
	names   []string         // scratch
	vals    []Value          // scratch: the values of the shape found last
	buf     []byte           // scratch
}

// NewNode returns a node with the properties of m (nulls left out) over
// shared Keys, allocated together with its values: one allocation where a
// node and its record would take two.
func (t *KeyTable) NewNode(id string, labels []string, m map[string]Value, changedAt int64) *Node {
	k := t.shape(m)
	var n *Node
	var vals []Value
	switch k.Len() {
	case 0:
		n = new(Node)
	case 1:
		n, vals = nodeWith[[1]Value]()
	case 2:
		n, vals = nodeWith[[2]Value]()
	case 3:
		n, vals = nodeWith[[3]Value]()
	case 4:
		n, vals = nodeWith[[4]Value]()
	case 5:
		n, vals = nodeWith[[5]Value]()
	case 6:
		n, vals = nodeWith[[6]Value]()
	default:
		n, vals = new(Node), make([]Value, k.Len())
	}
	n.ID, n.Labels, n.ChangedAt = id, labels, changedAt
	if k != nil {
		n.Props = t.take(k, vals)
	}
	return n
}

// NewRel returns a relationship as NewNode does a node.
func (t *KeyTable) NewRel(id, typ, from, to string, m map[string]Value, changedAt int64) *Rel {
	k := t.shape(m)
	var r *Rel
	var vals []Value
	switch k.Len() {
	case 0:
		r = new(Rel)
	case 1:
		r, vals = relWith[[1]Value]()
	case 2:
		r, vals = relWith[[2]Value]()
	case 3:
		r, vals = relWith[[3]Value]()
	case 4:
		r, vals = relWith[[4]Value]()
	default:
		r, vals = new(Rel), make([]Value, k.Len())
	}
	r.ID, r.Type, r.From, r.To, r.ChangedAt = id, typ, from, to, changedAt
	if k != nil {
		r.Props = t.take(k, vals)
	}
	return r
}

// nodeWith allocates a node and an array of values in one block. The
// values are reachable only through the node's Props, so the block lives
// exactly as long as the node.
func nodeWith[A any]() (*Node, []Value) {
	b := new(struct {
		n Node
		v A
	})
	return &b.n, unsafe.Slice((*Value)(unsafe.Pointer(&b.v)), unsafe.Sizeof(b.v)/unsafe.Sizeof(Value{}))
}

// relWith is nodeWith for a relationship.
func relWith[A any]() (*Rel, []Value) {
	b := new(struct {
		r Rel
		v A
	})
	return &b.r, unsafe.Slice((*Value)(unsafe.Pointer(&b.v)), unsafe.Sizeof(b.v)/unsafe.Sizeof(Value{}))
}

// Len is the number of names; 0 for nil.
func (k *Keys) Len() int {
	if k == nil {
		return 0
	}
	return len(k.names)
}

// shape returns the shared Keys of m's non-null names (nil when there are
// none) and leaves the values, in their order, in the table's scratch.
//
// Hot path: a change usually has the shape of the one before it, which
// costs a lookup per name.
func (t *KeyTable) shape(m map[string]Value) *Keys {
	if k := t.last; k != nil && len(k.names) == len(m) {
		vals := t.vals[:0]
		for _, n := range k.names {
			v, ok := m[n]
			if !ok || v.IsNull() {
				break
			}
			vals = append(vals, v)
		}
		t.vals = vals
		if len(vals) == len(k.names) {
			return k
		}
	}
	names := t.names[:0]
	for k, v := range m {
		if !v.IsNull() {
			names = append(names, k)
		}
	}
	t.names = names
	if len(names) == 0 {
		return nil
	}
	slices.Sort(names)
	k := t.intern(names)
	t.last = k
	vals := t.vals[:0]
	for _, n := range k.names {
		vals = append(vals, m[n])
	}
	t.vals = vals
	return k
}

// take moves the scratch values shape left into vals and returns the
// record over k.
func (t *KeyTable) take(k *Keys, vals []Value) Props {
	copy(vals, t.vals)
	clear(t.vals) // the scratch must not keep values alive
	return Props{keys: k, vals: &vals[0]}
}

// PropsFrom builds the record of parallel slices of names and values,
// leaving out nulls; of a name given twice the later value wins. The slices
// are the caller's (scratch) and are reordered.
func (t *KeyTable) PropsFrom(names []string, vals []Value) Props {
	sorted, unique := true, true
	for i := 1; i < len(names); i++ {
		if names[i-1] >= names[i] {
			sorted = false
			break
		}
	}
	if !sorted {
		// Records are small; an insertion sort keeps the later of equal
		// names after the earlier (stable).
		for i := 1; i < len(names); i++ {
			for j := i; j > 0 && names[j-1] > names[j]; j-- {
				names[j-1], names[j] = names[j], names[j-1]
				vals[j-1], vals[j] = vals[j], vals[j-1]
			}
		}
		for i := 1; i < len(names); i++ {
			unique = unique && names[i-1] != names[i]
		}
	}
	kept := 0
	for i := range names {
		if vals[i].IsNull() || (!unique && i+1 < len(names) && names[i+1] == names[i]) {
			continue
		}
		names[kept], vals[kept] = names[i], vals[i]
		kept++
	}
	if kept == 0 {
		return Props{}
	}
	var k *Keys
	if l := t.last; l != nil && slices.Equal(l.names, names[:kept]) {
		k = l
	} else {
		k = t.intern(names[:kept])
		t.last = k
	}
	own := make([]Value, kept)
	copy(own, vals[:kept])
	return Props{keys: k, vals: &own[0]}
}

// Intern returns p over the table's shared Keys for its names.
func (t *KeyTable) Intern(p Props) Props {
	if p.keys == nil {
		return p
	}
	if k := t.last; k == p.keys || (k != nil && slices.Equal(k.names, p.keys.names)) {
		return Props{keys: k, vals: p.vals}
	}
	k := t.intern(p.keys.names)
	t.last = k
	return Props{keys: k, vals: p.vals}
}

// AppendNames appends names to b, each after its length as a uvarint: a
// key no other list of names shares, for tables of name lists.
func AppendNames(b []byte, names []string) []byte {
	for _, n := range names {
		b = binary.AppendUvarint(b, uint64(len(n)))
		b = append(b, n...)
	}
	return b
}

// intern returns the shared Keys for the sorted names, copying the names
// when it adds them (the caller's slice is scratch).
func (t *KeyTable) intern(names []string) *Keys {
	b := AppendNames(t.buf[:0], names)
	t.buf = b
	if k, ok := t.byNames[string(b)]; ok {
		return k
	}
	own := make([]string, len(names))
	for i, n := range names {
		own[i] = strings.Clone(n)
	}
	k := &Keys{names: own}
	if t.byNames == nil {
		t.byNames = map[string]*Keys{}
	}
	if len(t.byNames) < maxKeySets {
		t.byNames[string(b)] = k
	}
	return k
}

// Shapes is the number of distinct name lists the table holds.
func (t *KeyTable) Shapes() int { return len(t.byNames) }
