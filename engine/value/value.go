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
// A Value is three words. Scalars keep their payload in num; strings and
// lists keep their data pointer in p and their length in num; maps, nodes,
// relationships and paths keep their one pointer in p. Anything else (the
// temporal kinds, and whatever Make builds that does not fit those forms)
// is boxed: p points to a heap copy of the parts (see boxing). Every
// pointer is an unsafe.Pointer, so the collector sees it.
//
// Values must not be compared with ==: two equal strings or lists with
// different backing arrays differ as structs. Use Equal, Equivalent or
// Identical.
type Value struct {
	p    unsafe.Pointer // string data, list data, map, *Node, *Rel, *Path, or the box
	num  uint64         // bool (0/1), int64 bits, float64 bits, or a string's or list's length
	kind Kind
	box  boxing
}

// boxing says where a Value keeps the parts Make was given.
type boxing uint8

const (
	unboxed  boxing = iota // the payload is inline (see Value)
	boxedAll               // p is *box: the str and ref of Make
)

// box holds the string and reference parts of a boxed value built by Make.
type box struct {
	str string
	ref any
}

// emptyList is where a non-nil empty list points, so that it keeps no
// backing array alive and still reads back as non-nil.
var emptyList [1]Value

// Null is the null value.
var Null = Value{}

// True and False are the boolean values.
var (
	True  = Value{kind: KindBool, num: 1}
	False = Value{kind: KindBool}
)

// Bool returns a boolean value.
func Bool(b bool) Value {
	if b {
		return True
	}
	return False
}

// Int returns an integer value.
func Int(i int64) Value { return Value{kind: KindInt, num: uint64(i)} }

// Float returns a float value.
func Float(f float64) Value { return Value{kind: KindFloat, num: math.Float64bits(f)} }

// Str returns a string value.
func Str(s string) Value {
	if len(s) == 0 {
		return Value{kind: KindString}
	}
	return Value{kind: KindString, p: unsafe.Pointer(unsafe.StringData(s)), num: uint64(len(s))}
}

// List returns a list value that shares items.
func List(items []Value) Value {
	switch {
	case items == nil:
		return Value{kind: KindList}
	case len(items) == 0:
		return Value{kind: KindList, p: unsafe.Pointer(&emptyList)}
	}
	return Value{kind: KindList, p: unsafe.Pointer(unsafe.SliceData(items)), num: uint64(len(items))}
}

// Map returns a map value that shares m.
func Map(m map[string]Value) Value {
	return Value{kind: KindMap, p: *(*unsafe.Pointer)(unsafe.Pointer(&m))}
}

// NodeOf returns a node value.
func NodeOf(n *Node) Value { return Value{kind: KindNode, p: unsafe.Pointer(n)} }

// RelOf returns a relationship value.
func RelOf(r *Rel) Value { return Value{kind: KindRel, p: unsafe.Pointer(r)} }

// PathOf returns a path value.
func PathOf(p *Path) Value { return Value{kind: KindPath, p: unsafe.Pointer(p)} }

// Kind reports the value's kind.
func (v Value) Kind() Kind { return v.kind }

// IsNull reports whether v is null.
func (v Value) IsNull() bool { return v.kind == KindNull }

// IsNumber reports whether v is an integer or a float.
func (v Value) IsNumber() bool { return v.kind == KindInt || v.kind == KindFloat }

// AsBool returns the boolean payload (false for non-booleans).
func (v Value) AsBool() bool { return v.kind == KindBool && v.num != 0 }

// AsInt returns the integer payload (0 for non-integers).
func (v Value) AsInt() int64 {
	if v.kind != KindInt {
		return 0
	}
	return int64(v.num)
}

// AsFloat returns the number as a float64 (integers converted; 0 otherwise).
func (v Value) AsFloat() float64 {
	switch v.kind {
	case KindFloat:
		return math.Float64frombits(v.num)
	case KindInt:
		return float64(int64(v.num))
	}
	return 0
}

// The accessors read an unboxed payload inline and otherwise look into a
// box (built by Make) without a call, so that they inline.

// AsString returns the string payload ("" for non-strings).
func (v Value) AsString() string {
	if v.box == unboxed {
		if v.kind == KindString {
			return unsafe.String((*byte)(v.p), int(v.num))
		}
		return ""
	}
	if v.box == boxedAll {
		return (*box)(v.p).str
	}
	return ""
}

// AsList returns the list payload (nil for non-lists), with its capacity cut
// to its length. Callers must not modify it.
func (v Value) AsList() []Value {
	if v.box == unboxed {
		if v.kind == KindList {
			return unsafe.Slice((*Value)(v.p), int(v.num))
		}
		return nil
	}
	if v.box == boxedAll {
		l, _ := (*box)(v.p).ref.([]Value)
		return l
	}
	return nil
}

// AsMap returns the map payload (nil for non-maps). Callers must not modify it.
func (v Value) AsMap() map[string]Value {
	if v.box == unboxed {
		if v.kind == KindMap {
			return *(*map[string]Value)(unsafe.Pointer(&v.p))
		}
		return nil
	}
	if v.box == boxedAll {
		m, _ := (*box)(v.p).ref.(map[string]Value)
		return m
	}
	return nil
}

// AsNode returns the node payload (nil for non-nodes).
func (v Value) AsNode() *Node {
	if v.box == unboxed {
		if v.kind == KindNode {
			return (*Node)(v.p)
		}
		return nil
	}
	if v.box == boxedAll {
		n, _ := (*box)(v.p).ref.(*Node)
		return n
	}
	return nil
}

// AsRel returns the relationship payload (nil for non-relationships).
func (v Value) AsRel() *Rel {
	if v.box == unboxed {
		if v.kind == KindRel {
			return (*Rel)(v.p)
		}
		return nil
	}
	if v.box == boxedAll {
		r, _ := (*box)(v.p).ref.(*Rel)
		return r
	}
	return nil
}

// AsPath returns the path payload (nil for non-paths).
func (v Value) AsPath() *Path {
	if v.box == unboxed {
		if v.kind == KindPath {
			return (*Path)(v.p)
		}
		return nil
	}
	if v.box == boxedAll {
		p, _ := (*box)(v.p).ref.(*Path)
		return p
	}
	return nil
}

// payload is the ref part of a boxed value (see Make); nil for an unboxed
// one. Within the package it stands for Ref where the payload sought is a
// boxed one (temporal values, Ext): unlike Ref it never allocates.
func (v Value) payload() any {
	if v.box == boxedAll {
		return (*box)(v.p).ref
	}
	return nil
}

// Ref returns the composite payload, for packages (such as temporal support)
// that define their own payload types through Make: the ref given to Make,
// or the []Value, map[string]Value, *Node, *Rel or *Path of a list, map,
// node, relationship or path, or nil.
func (v Value) Ref() any {
	if v.box != unboxed {
		return v.payload()
	}
	switch v.kind {
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
		case KindNull, KindBool, KindInt, KindFloat:
			return Value{kind: k, num: num}
		}
	}
	if num == 0 {
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
	}
	return Value{kind: k, num: num, box: boxedAll, p: unsafe.Pointer(&box{str: str, ref: ref})}
}

// Raw returns the raw numeric and string parts of v (see Make).
func (v Value) Raw() (num uint64, str string) {
	switch v.box {
	case boxedAll:
		return v.num, (*box)(v.p).str
	}
	switch v.kind {
	case KindString:
		return 0, v.AsString()
	case KindList:
		return 0, ""
	}
	return v.num, ""
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
	var m map[string]Value
	switch v.kind {
	case KindNode:
		if v.box == unboxed {
			return (*Node)(v.p).Props.Get(key)
		}
		return (*box)(v.p).ref.(*Node).Props.Get(key)
	case KindRel:
		if v.box == unboxed {
			return (*Rel)(v.p).Props.Get(key)
		}
		return (*box)(v.p).ref.(*Rel).Props.Get(key)
	case KindMap:
		if v.box == unboxed {
			m = *(*map[string]Value)(unsafe.Pointer(&v.p))
		} else {
			m = (*box)(v.p).ref.(map[string]Value)
		}
	default:
		return Null
	}
	return m[key]
}
