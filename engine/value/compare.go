package value

import (
	"math"
	"slices"
	"sort"
	"unsafe"
)

// Ext is implemented by the payloads of kinds defined outside this package
// (the temporal kinds), so that comparison, hashing and formatting reach them.
type Ext interface {
	// ExtCompare orders the receiver against another payload of the same
	// kind; ok is false when the two are not comparable with < (durations).
	ExtCompare(o Ext) (c int, ok bool)
	// ExtEqual reports value equality.
	ExtEqual(o Ext) bool
	// ExtHash is consistent with ExtEqual.
	ExtHash() uint64
	// String renders the value in its ISO 8601 form.
	String() string
}

func isExt(k Kind) bool { return k >= KindDate && k <= KindDuration }

func isNumber(k Kind) bool { return k == KindInt || k == KindFloat }

// Equal is Cypher's `=`: the result is true, false, or unknown (known=false)
// when null is involved in a way that decides nothing.
func Equal(a, b Value) (eq, known bool) {
	if a.p == unsafe.Pointer(&kindMarks[KindInt]) && b.p == a.p {
		return a.num == b.num, true // the common case, without decoding kinds
	}
	ka, kb := a.Kind(), b.Kind()
	if ka == KindNull || kb == KindNull {
		return false, false
	}
	switch {
	case isNumber(ka) && isNumber(kb):
		if ka == KindInt && kb == KindInt {
			return a.bits() == b.bits(), true
		}
		return a.AsFloat() == b.AsFloat(), true
	case ka != kb:
		return false, true
	}
	switch ka {
	case KindBool, KindInt:
		return a.bits() == b.bits(), true
	case KindString:
		return a.AsString() == b.AsString(), true
	case KindList:
		la, lb := a.AsList(), b.AsList()
		if len(la) != len(lb) {
			return false, true
		}
		unknown := false
		for i := range la {
			e, k := Equal(la[i], lb[i])
			if !k {
				unknown = true
			} else if !e {
				return false, true
			}
		}
		return !unknown, !unknown
	case KindMap:
		ma, mb := a.AsMap(), b.AsMap()
		if len(ma) != len(mb) {
			return false, true
		}
		unknown := false
		for k, va := range ma {
			vb, ok := mb[k]
			if !ok {
				return false, true
			}
			e, kn := Equal(va, vb)
			if !kn {
				unknown = true
			} else if !e {
				return false, true
			}
		}
		return !unknown, !unknown
	case KindNode:
		return a.AsNode().ID == b.AsNode().ID, true
	case KindRel:
		return a.AsRel().ID == b.AsRel().ID, true
	case KindPath:
		return pathKey(a.AsPath()) == pathKey(b.AsPath()), true
	}
	if isExt(ka) {
		return a.payload().(Ext).ExtEqual(b.payload().(Ext)), true
	}
	return false, true
}

func pathKey(p *Path) string {
	k := ""
	for i, n := range p.Nodes {
		k += n.ID + "\x00"
		if i < len(p.Rels) {
			k += p.Rels[i].ID + "\x01"
		}
	}
	return k
}

// Less is Cypher's `<` comparability: c is -1, 0 or 1 when the values are
// comparable (numbers with numbers, strings, booleans, lists element-wise,
// temporal values of one kind); ok is false otherwise (the comparison is
// null). NaN compares false with everything, reported as not ok.
func Less(a, b Value) (c int, ok bool) {
	ka, kb := a.Kind(), b.Kind()
	switch {
	case ka == KindNull || kb == KindNull:
		return 0, false
	case isNumber(ka) && isNumber(kb):
		if ka == KindInt && kb == KindInt {
			return cmpInt(int64(a.bits()), int64(b.bits())), true
		}
		x, y := a.AsFloat(), b.AsFloat()
		if math.IsNaN(x) || math.IsNaN(y) {
			return 0, false
		}
		return cmpFloat(x, y), true
	case ka != kb:
		return 0, false
	}
	switch ka {
	case KindBool:
		return cmpInt(int64(a.bits()), int64(b.bits())), true
	case KindString:
		return cmpString(a.AsString(), b.AsString()), true
	case KindList:
		la, lb := a.AsList(), b.AsList()
		for i := 0; i < len(la) && i < len(lb); i++ {
			if e, k := Equal(la[i], lb[i]); k && e {
				continue
			}
			return Less(la[i], lb[i])
		}
		return cmpInt(int64(len(la)), int64(len(lb))), true
	}
	if isExt(ka) {
		return a.payload().(Ext).ExtCompare(b.payload().(Ext))
	}
	return 0, false
}

// orderRank is the position of a kind in Cypher's global sort order
// (ascending): maps, nodes, relationships, lists, paths, datetimes, local
// datetimes, dates, times, local times, durations, strings, booleans,
// numbers, null.
func orderRank(k Kind) int {
	switch k {
	case KindMap:
		return 0
	case KindNode:
		return 1
	case KindRel:
		return 2
	case KindList:
		return 3
	case KindPath:
		return 4
	case KindDateTime:
		return 5
	case KindLocalDateTime:
		return 6
	case KindDate:
		return 7
	case KindTime:
		return 8
	case KindLocalTime:
		return 9
	case KindDuration:
		return 10
	case KindString:
		return 11
	case KindBool:
		return 12
	case KindInt, KindFloat:
		return 13
	}
	return 14 // null
}

// Compare is the total order used by ORDER BY, min and max: values of
// different kinds order by kind (see orderRank), null last, NaN after every
// other number.
func Compare(a, b Value) int {
	ka, kb := a.Kind(), b.Kind()
	ra, rb := orderRank(ka), orderRank(kb)
	if ra != rb {
		return cmpInt(int64(ra), int64(rb))
	}
	switch ka {
	case KindNull:
		return 0
	case KindInt, KindFloat:
		if ka == KindInt && kb == KindInt {
			return cmpInt(int64(a.bits()), int64(b.bits()))
		}
		x, y := a.AsFloat(), b.AsFloat()
		nx, ny := math.IsNaN(x), math.IsNaN(y)
		switch {
		case nx && ny:
			return 0
		case nx:
			return 1
		case ny:
			return -1
		}
		if c := cmpFloat(x, y); c != 0 {
			return c
		}
		// Equal numerically: integers before floats, so the order is total
		// and stable across kinds.
		return cmpInt(int64(ka), int64(kb))
	case KindBool:
		return cmpInt(int64(a.bits()), int64(b.bits()))
	case KindString:
		return cmpString(a.AsString(), b.AsString())
	case KindList:
		la, lb := a.AsList(), b.AsList()
		for i := 0; i < len(la) && i < len(lb); i++ {
			if c := Compare(la[i], lb[i]); c != 0 {
				return c
			}
		}
		return cmpInt(int64(len(la)), int64(len(lb)))
	case KindMap:
		ma, mb := a.AsMap(), b.AsMap()
		ka, kb := sortedKeys(ma), sortedKeys(mb)
		for i := 0; i < len(ka) && i < len(kb); i++ {
			if c := cmpString(ka[i], kb[i]); c != 0 {
				return c
			}
			if c := Compare(ma[ka[i]], mb[kb[i]]); c != 0 {
				return c
			}
		}
		return cmpInt(int64(len(ka)), int64(len(kb)))
	case KindNode:
		return cmpString(a.AsNode().ID, b.AsNode().ID)
	case KindRel:
		return cmpString(a.AsRel().ID, b.AsRel().ID)
	case KindPath:
		return cmpString(pathKey(a.AsPath()), pathKey(b.AsPath()))
	}
	if isExt(ka) {
		if c, ok := a.payload().(Ext).ExtCompare(b.payload().(Ext)); ok {
			return c
		}
		return cmpString(a.payload().(Ext).String(), b.payload().(Ext).String())
	}
	return 0
}

// Equivalent is the equality used by DISTINCT, grouping and result identity:
// like Equal, but null is equivalent to null and NaN to NaN, and the answer
// is always known.
func Equivalent(a, b Value) bool {
	ka, kb := a.Kind(), b.Kind()
	if isNumber(ka) && isNumber(kb) {
		if ka == KindInt && kb == KindInt {
			return a.bits() == b.bits()
		}
		x, y := a.AsFloat(), b.AsFloat()
		return x == y || (math.IsNaN(x) && math.IsNaN(y))
	}
	if ka != kb {
		return false
	}
	switch ka {
	case KindNull:
		return true
	case KindList:
		la, lb := a.AsList(), b.AsList()
		if len(la) != len(lb) {
			return false
		}
		for i := range la {
			if !Equivalent(la[i], lb[i]) {
				return false
			}
		}
		return true
	case KindMap:
		ma, mb := a.AsMap(), b.AsMap()
		if len(ma) != len(mb) {
			return false
		}
		for k, va := range ma {
			vb, ok := mb[k]
			if !ok || !Equivalent(va, vb) {
				return false
			}
		}
		return true
	}
	e, _ := Equal(a, b)
	return e
}

// HashInto adds v to a running hash, for hashing tuples of values.
func HashInto(h *Hasher, v Value) { writeHash(h, v) }

func writeHash(h *Hasher, v Value) {
	var buf [9]byte
	put := func(tag byte, x uint64) {
		buf[0] = tag
		for i := 0; i < 8; i++ {
			buf[1+i] = byte(x >> (8 * i))
		}
		h.Write(buf[:])
	}
	k := v.Kind()
	switch k {
	case KindNull:
		h.Byte(0)
	case KindBool:
		put(1, v.bits())
	case KindInt:
		put(2, v.bits())
	case KindFloat:
		f := math.Float64frombits(v.bits())
		if f == math.Trunc(f) && f >= -9.2e18 && f <= 9.2e18 {
			put(2, uint64(int64(f))) // integral floats hash like integers
		} else if math.IsNaN(f) {
			h.Byte(3)
		} else {
			put(4, v.bits())
		}
	case KindString:
		h.Byte(5)
		h.WriteString(v.AsString())
		h.Byte(0)
	case KindList:
		l := v.AsList()
		put(6, uint64(len(l)))
		for _, x := range l {
			writeHash(h, x)
		}
	case KindMap:
		m := v.AsMap()
		put(7, uint64(len(m)))
		for _, k := range sortedKeys(m) {
			h.WriteString(k)
			h.Byte(0)
			writeHash(h, m[k])
		}
	case KindNode:
		h.Byte(8)
		h.WriteString(v.AsNode().ID)
		h.Byte(0)
	case KindRel:
		h.Byte(9)
		h.WriteString(v.AsRel().ID)
		h.Byte(0)
	case KindPath:
		h.Byte(10)
		h.WriteString(pathKey(v.AsPath()))
	default:
		if isExt(k) {
			put(byte(11+k), v.payload().(Ext).ExtHash())
		}
	}
}

func sortedKeys(m map[string]Value) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// SortedKeys returns the keys of m in ascending order.
func SortedKeys(m map[string]Value) []string { return sortedKeys(m) }

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Identical reports whether two values are the same snapshot: like
// Equivalent, but nodes and relationships must also agree on labels, type,
// endpoints and every property. The engine uses it to cancel a row against
// its own retraction; Cypher equality of elements (by id) is Equal.
func Identical(a, b Value) bool { return identical(a, b, true) }

// SameContent is Identical without the elements' change times: what a
// reader of the value can see.
func SameContent(a, b Value) bool { return identical(a, b, false) }

func identical(a, b Value, withTime bool) bool {
	k := a.Kind()
	if k != b.Kind() {
		// 3 and 3.0 are equivalent but not the same snapshot: a reader
		// sees the difference, at any depth (a list, a map, a property).
		return false
	}
	switch k {
	case KindNode:
		x, y := a.AsNode(), b.AsNode()
		if x == y {
			return true
		}
		if x.ID != y.ID || (withTime && x.ChangedAt != y.ChangedAt) || len(x.Labels) != len(y.Labels) || !identicalProps(x.Props, y.Props, withTime) {
			return false
		}
		for i := range x.Labels {
			if x.Labels[i] != y.Labels[i] {
				return false
			}
		}
		return true
	case KindRel:
		x, y := a.AsRel(), b.AsRel()
		if x == y {
			return true
		}
		return x.ID == y.ID && (!withTime || x.ChangedAt == y.ChangedAt) && x.Type == y.Type && x.From == y.From && x.To == y.To && identicalProps(x.Props, y.Props, withTime)
	case KindList:
		la, lb := a.AsList(), b.AsList()
		if len(la) != len(lb) {
			return false
		}
		for i := range la {
			if !identical(la[i], lb[i], withTime) {
				return false
			}
		}
		return true
	case KindMap:
		return identicalMaps(a.AsMap(), b.AsMap(), withTime)
	case KindPath:
		pa, pb := a.AsPath(), b.AsPath()
		if len(pa.Nodes) != len(pb.Nodes) || len(pa.Rels) != len(pb.Rels) {
			return false
		}
		for i := range pa.Nodes {
			if !identical(NodeOf(pa.Nodes[i]), NodeOf(pb.Nodes[i]), withTime) {
				return false
			}
		}
		for i := range pa.Rels {
			if !identical(RelOf(pa.Rels[i]), RelOf(pb.Rels[i]), withTime) {
				return false
			}
		}
		return true
	case KindInt, KindFloat:
		return Equivalent(a, b)
	}
	return Equivalent(a, b)
}

func identicalMaps(a, b map[string]Value, withTime bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !identical(v, w, withTime) {
			return false
		}
	}
	return true
}

func identicalProps(a, b Props, withTime bool) bool {
	if a.Len() != b.Len() {
		return false
	}
	if a.keys != b.keys && !slices.Equal(a.Names(), b.Names()) {
		return false
	}
	bv := b.values()
	for i, v := range a.values() {
		if !identical(v, bv[i], withTime) {
			return false
		}
	}
	return true
}
