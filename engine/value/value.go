// Package value defines Vigil's runtime values: the property values of graph
// elements and everything an expression can produce.
//
// A Value is a small struct, not an interface, so that scalars (null, booleans,
// integers, floats, strings) never allocate on the hot path. Composite values
// (lists, maps, nodes, relationships, paths, temporal values) hold a pointer
// in p.
package value

import (
	"math"
	"unsafe"
)

// Kind is the type of a Value.
type Kind uint8

// The kinds of value. The numeric order is not the Cypher sort order; see
// orderRank for that.
const (
	KindNull Kind = iota
	KindBool
	KindInt
	KindFloat
	KindString
	KindList
	KindMap
	KindNode
	KindRel
	KindPath
	KindDate
	KindLocalTime
	KindTime
	KindLocalDateTime
	KindDateTime
	KindDuration
)

var kindNames = [...]string{
	KindNull: "Null", KindBool: "Boolean", KindInt: "Integer", KindFloat: "Float",
	KindString: "String", KindList: "List", KindMap: "Map", KindNode: "Node",
	KindRel: "Relationship", KindPath: "Path", KindDate: "Date", KindLocalTime: "LocalTime",
	KindTime: "Time", KindLocalDateTime: "LocalDateTime", KindDateTime: "DateTime",
	KindDuration: "Duration",
}

// String returns the Cypher type name of the kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Unknown"
}

// Value is one runtime value. The zero Value is null.
//
// A Value is two words, p and num, and its kind is read from them:
//
//   - null: p is nil and num is 0 (the zero Value);
//   - booleans, integers and floats: p points to the kind's mark (see
//     kindMarks) and num is the payload (0/1, int64 bits, float64 bits);
//   - strings and lists: p is the data pointer (nil for "" and a nil list,
//     &emptyList for an empty non-nil list) and num is the length shifted
//     up over the kind;
//   - maps, nodes, relationships and paths: p is the one pointer (nil
//     allowed) and num is the kind;
//   - anything else Make builds (the temporal kinds, and whatever does not
//     fit the forms above) is boxed: p points to a box of the parts and num
//     is the kind with tagBoxed (and boxHasNum when the box is a numBox).
//
// So a value whose p is not a mark has its kind in num's low byte. A
// scalar's num may hold any bits, so a value is a scalar exactly when p is
// a mark, and num's other bits mean something only when it is not. p is
// always nil or a real pointer, never an integer, so the collector can scan
// it.
//
// Values must not be compared with ==: two equal strings or lists with
// different backing arrays differ as structs. Use Equal, Equivalent or
// Identical.
type Value struct {
	p   unsafe.Pointer // a kind mark, string data, list data, map, *Node, *Rel, *Path, or the box
	num uint64         // a scalar's payload; else the kind, with a length or tags above it
}

// The bits of num above the kind, when p is not a mark.
const (
	kindBits = 8 // the kind is num's low byte; a length sits above it

	// tagBoxed marks a boxed value: p is a *box, or a *numBox if boxHasNum
	// is set too. Lengths stay below both tags: no Go object comes near
	// 1<<54 bytes.
	tagBoxed  uint64 = 1 << 63
	boxHasNum uint64 = 1 << 62
)

// box holds the string and reference parts of a boxed value built by Make.
type box struct {
	str string
	ref any
}

// numBox is a box that also keeps the num given to Make: boxed scalars
// (Make's odd combinations of a number with a string or a reference) and
// anything boxed with a nonzero num. Its box comes first, so a *numBox reads
// as a *box; the usual box (a temporal payload) stays 32 bytes.
type numBox struct {
	box
	num uint64
}

// markSlot is the mark of one scalar kind: a zero numBox, padded so that
// the marks lie 64 bytes apart and a mark's kind is a shift away.
type markSlot struct {
	numBox
	_ [64 - unsafe.Sizeof(numBox{})]byte
}

// kindMarks holds the scalar kinds' marks, where a boolean's, integer's or
// float's p points so that the whole of num is left for the payload. It is
// never written. Reading a mark as a numBox gives an empty one (no string,
// no reference, num 0), which is what every "not this kind" answer needs:
// so the accessors of boxed payloads read through p without first ruling
// out a scalar. KindNull's slot is unused: a null with parts is boxed, and
// the zero Value needs no mark.
var kindMarks [KindFloat + 1]markSlot

// The nums of boxed scalars, which are always numBoxes.
const (
	boxedBool  = tagBoxed | boxHasNum | uint64(KindBool)
	boxedInt   = tagBoxed | boxHasNum | uint64(KindInt)
	boxedFloat = tagBoxed | boxHasNum | uint64(KindFloat)
)

// emptyList is where a non-nil empty list points, so that it keeps no
// backing array alive and still reads back as non-nil.
var emptyList [1]Value

// Null is the null value.
var Null = Value{}

// True and False are the boolean values.
var (
	True  = Value{p: unsafe.Pointer(&kindMarks[KindBool]), num: 1}
	False = Value{p: unsafe.Pointer(&kindMarks[KindBool])}
)

// Bool returns a boolean value.
func Bool(b bool) Value {
	if b {
		return True
	}
	return False
}

// Int returns an integer value.
func Int(i int64) Value { return Value{p: unsafe.Pointer(&kindMarks[KindInt]), num: uint64(i)} }

// Float returns a float value.
func Float(f float64) Value {
	return Value{p: unsafe.Pointer(&kindMarks[KindFloat]), num: math.Float64bits(f)}
}

// Str returns a string value.
func Str(s string) Value {
	if len(s) == 0 {
		return Value{num: uint64(KindString)} // StringData of "" may point anywhere
	}
	return Value{p: unsafe.Pointer(unsafe.StringData(s)), num: uint64(len(s))<<kindBits | uint64(KindString)}
}

// List returns a list value that shares items.
func List(items []Value) Value {
	switch {
	case items == nil:
		return Value{num: uint64(KindList)}
	case len(items) == 0:
		return Value{p: unsafe.Pointer(&emptyList), num: uint64(KindList)}
	}
	return Value{p: unsafe.Pointer(unsafe.SliceData(items)), num: uint64(len(items))<<kindBits | uint64(KindList)}
}

// Map returns a map value that shares m.
func Map(m map[string]Value) Value {
	return Value{p: *(*unsafe.Pointer)(unsafe.Pointer(&m)), num: uint64(KindMap)}
}

// NodeOf returns a node value.
func NodeOf(n *Node) Value { return Value{p: unsafe.Pointer(n), num: uint64(KindNode)} }

// RelOf returns a relationship value.
func RelOf(r *Rel) Value { return Value{p: unsafe.Pointer(r), num: uint64(KindRel)} }

// PathOf returns a path value.
func PathOf(p *Path) Value { return Value{p: unsafe.Pointer(p), num: uint64(KindPath)} }

// marked reports whether p is a kind mark, that is whether v is a scalar
// whose payload is num: one subtraction and one comparison, nil and every
// other pointer falling outside the marks.
func (v Value) marked() bool {
	return uintptr(v.p)-uintptr(unsafe.Pointer(&kindMarks)) < unsafe.Sizeof(kindMarks)
}

// bits returns the num part of v (see Raw): a scalar's payload, a numBox's
// num, 0 for the rest. Within the package it reads the payload of a value
// whose kind has been checked.
func (v Value) bits() uint64 {
	if v.marked() {
		return v.num
	}
	if v.num&(tagBoxed|boxHasNum) == tagBoxed|boxHasNum {
		return (*numBox)(v.p).num
	}
	return 0
}

// Kind reports the value's kind.
func (v Value) Kind() Kind {
	if d := uintptr(v.p) - uintptr(unsafe.Pointer(&kindMarks)); d < unsafe.Sizeof(kindMarks) {
		return Kind(d / unsafe.Sizeof(kindMarks[0]))
	}
	return Kind(v.num)
}

// IsNull reports whether v is null.
func (v Value) IsNull() bool { return uint8(v.num) == uint8(KindNull) && !v.marked() }

// IsNumber reports whether v is an integer or a float.
func (v Value) IsNumber() bool { return v.Kind()-KindInt <= KindFloat-KindInt }

// The scalar accessors read a marked payload, or else, when num says the
// value is a boxed scalar of the kind, the numBox's num. That read is safe
// and right even when p is a mark of another kind whose payload happens to
// equal that num: a mark reads as a zero numBox, and zero is the answer for
// a value of another kind.

// AsBool returns the boolean payload (false for non-booleans).
func (v Value) AsBool() bool {
	if v.p == unsafe.Pointer(&kindMarks[KindBool]) {
		return v.num != 0
	}
	return v.num == boxedBool && (*numBox)(v.p).num != 0
}

// AsInt returns the integer payload (0 for non-integers).
func (v Value) AsInt() int64 {
	if v.p == unsafe.Pointer(&kindMarks[KindInt]) {
		return int64(v.num)
	}
	if v.num == boxedInt {
		return int64((*numBox)(v.p).num)
	}
	return 0
}

// AsFloat returns the number as a float64 (integers converted; 0 otherwise).
func (v Value) AsFloat() float64 {
	switch {
	case v.p == unsafe.Pointer(&kindMarks[KindFloat]):
		return math.Float64frombits(v.num)
	case v.p == unsafe.Pointer(&kindMarks[KindInt]):
		return float64(int64(v.num))
	case v.num == boxedFloat:
		return math.Float64frombits((*numBox)(v.p).num)
	case v.num == boxedInt:
		return float64(int64((*numBox)(v.p).num))
	}
	return 0
}

// The accessors below rule out a scalar before they read an unboxed
// payload (a scalar's num may look like anything), and read a boxed one
// (built by Make) through p without a call, so that they inline; a mark
// reads as an empty box.

// AsString returns the string payload ("" for non-strings).
func (v Value) AsString() string {
	if v.num&(tagBoxed|0xff) == uint64(KindString) && !v.marked() {
		return unsafe.String((*byte)(v.p), int(v.num>>kindBits))
	}
	if v.num >= tagBoxed {
		return (*box)(v.p).str
	}
	return ""
}

// AsList returns the list payload (nil for non-lists), with its capacity cut
// to its length. Callers must not modify it.
func (v Value) AsList() []Value {
	if v.num&(tagBoxed|0xff) == uint64(KindList) && !v.marked() {
		return unsafe.Slice((*Value)(v.p), int(v.num>>kindBits))
	}
	if v.num >= tagBoxed {
		l, _ := (*box)(v.p).ref.([]Value)
		return l
	}
	return nil
}

// AsMap returns the map payload (nil for non-maps). Callers must not modify it.
func (v Value) AsMap() map[string]Value {
	if v.num == uint64(KindMap) && !v.marked() {
		return *(*map[string]Value)(unsafe.Pointer(&v.p))
	}
	if v.num >= tagBoxed {
		m, _ := (*box)(v.p).ref.(map[string]Value)
		return m
	}
	return nil
}

// AsNode returns the node payload (nil for non-nodes).
func (v Value) AsNode() *Node {
	if v.num == uint64(KindNode) && !v.marked() {
		return (*Node)(v.p)
	}
	if v.num >= tagBoxed {
		n, _ := (*box)(v.p).ref.(*Node)
		return n
	}
	return nil
}

// AsRel returns the relationship payload (nil for non-relationships).
func (v Value) AsRel() *Rel {
	if v.num == uint64(KindRel) && !v.marked() {
		return (*Rel)(v.p)
	}
	if v.num >= tagBoxed {
		r, _ := (*box)(v.p).ref.(*Rel)
		return r
	}
	return nil
}

// AsPath returns the path payload (nil for non-paths).
func (v Value) AsPath() *Path {
	if v.num == uint64(KindPath) && !v.marked() {
		return (*Path)(v.p)
	}
	if v.num >= tagBoxed {
		p, _ := (*box)(v.p).ref.(*Path)
		return p
	}
	return nil
}

// payload is the ref part of a boxed value (see Make); nil for an unboxed
// one. Within the package it stands for Ref where the payload sought is a
// boxed one (temporal values, Ext): unlike Ref it never allocates.
func (v Value) payload() any {
	if v.num >= tagBoxed {
		return (*box)(v.p).ref
	}
	return nil
}

// Ref returns the composite payload, for packages (such as temporal support)
// that define their own payload types through Make: the ref given to Make,
// or the []Value, map[string]Value, *Node, *Rel or *Path of a list, map,
// node, relationship or path, or nil.
func (v Value) Ref() any {
	if v.marked() {
		return nil
	}
	if v.num >= tagBoxed {
		return (*box)(v.p).ref
	}
	switch Kind(v.num) {
	case KindList:
		return v.AsList()
	case KindMap:
		return v.AsMap()
	case KindNode:
		return (*Node)(v.p)
	case KindRel:
		return (*Rel)(v.p)
	case KindPath:
		return (*Path)(v.p)
	}
	return nil
}

// Make builds a value of any kind from raw parts. It exists for packages that
// implement a kind's payload (temporal values); ordinary code uses the typed
// constructors.
func Make(k Kind, num uint64, str string, ref any) Value {
	if str == "" && ref == nil {
		switch k {
		case KindNull:
			if num == 0 {
				return Null
			}
			// A null with a payload is boxed (below): the zero Value is
			// the only unboxed null.
		case KindBool, KindInt, KindFloat:
			return Value{p: unsafe.Pointer(&kindMarks[k]), num: num}
		}
	}
	if num == 0 && k > KindFloat {
		switch k {
		case KindString:
			if ref == nil {
				return Str(str)
			}
		case KindList:
			if l, ok := ref.([]Value); ok && str == "" {
				return List(l)
			}
		case KindMap:
			if m, ok := ref.(map[string]Value); ok && str == "" {
				return Map(m)
			}
		case KindNode:
			if n, ok := ref.(*Node); ok && str == "" {
				return NodeOf(n)
			}
		case KindRel:
			if r, ok := ref.(*Rel); ok && str == "" {
				return RelOf(r)
			}
		case KindPath:
			if p, ok := ref.(*Path); ok && str == "" {
				return PathOf(p)
			}
		}
		return Value{p: unsafe.Pointer(&box{str: str, ref: ref}), num: tagBoxed | uint64(k)}
	}
	// A boxed scalar is always a numBox, even with num 0, so that the
	// scalar accessors recognise it by num alone.
	return Value{p: unsafe.Pointer(&numBox{box: box{str: str, ref: ref}, num: num}), num: tagBoxed | boxHasNum | uint64(k)}
}

// Raw returns the raw numeric and string parts of v (see Make).
func (v Value) Raw() (num uint64, str string) {
	switch {
	case v.marked():
		return v.num, ""
	case v.num >= tagBoxed:
		return v.bits(), (*box)(v.p).str
	case uint8(v.num) == uint8(KindString):
		return 0, unsafe.String((*byte)(v.p), int(v.num>>kindBits))
	}
	return 0, ""
}

// Node is a graph node: an identity, its labels and its properties.
// Nodes are immutable once published: an update builds a new *Node.
type Node struct {
	ID     string   // unique across nodes and relationships
	Labels []string // in insertion order, no duplicates
	Props  Props    // a missing name reads as null
	// ChangedAt is when the node last changed (Unix nanoseconds of the
	// change's source time); part of its identity as a snapshot.
	ChangedAt int64
}

// HasLabel reports whether the node carries label l.
func (n *Node) HasLabel(l string) bool {
	for _, x := range n.Labels {
		if x == l {
			return true
		}
	}
	return false
}

// Rel is a directed graph relationship. Relationships are immutable once
// published.
type Rel struct {
	ID    string // unique across nodes and relationships
	Type  string // relationship type
	From  string // start node id
	To    string // end node id
	Props Props  // a missing name reads as null
	// ChangedAt is when the relationship last changed (Unix nanoseconds).
	ChangedAt int64
}

// Path is an alternating sequence of nodes and relationships:
// len(Nodes) == len(Rels)+1.
type Path struct {
	Nodes []*Node
	Rels  []*Rel
}

// Prop returns a property of a node, relationship or map value, or null.
func (v Value) Prop(key string) Value {
	// A boxed node, relationship or map was built by Make with a payload
	// of another shape; one that is not a node, relationship or map panics,
	// as a failed type assertion did before.
	if v.marked() {
		return Null
	}
	var m map[string]Value
	switch v.num &^ boxHasNum {
	case uint64(KindNode):
		return (*Node)(v.p).Props.Get(key)
	case tagBoxed | uint64(KindNode):
		return (*box)(v.p).ref.(*Node).Props.Get(key)
	case uint64(KindRel):
		return (*Rel)(v.p).Props.Get(key)
	case tagBoxed | uint64(KindRel):
		return (*box)(v.p).ref.(*Rel).Props.Get(key)
	case uint64(KindMap):
		m = *(*map[string]Value)(unsafe.Pointer(&v.p))
	case tagBoxed | uint64(KindMap):
		m = (*box)(v.p).ref.(map[string]Value)
	default:
		return Null
	}
	return m[key]
}
