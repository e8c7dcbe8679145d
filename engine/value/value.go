// Package value defines Vigil's runtime values: the property values of graph
// elements and everything an expression can produce.
//
// A Value is a small struct, not an interface, so that scalars (null, booleans,
// integers, floats, strings) never allocate on the hot path. Composite values
// (lists, maps, nodes, relationships, paths, temporal values) hold a pointer
// or slice header in ref.
package value

import (
	"math"
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
type Value struct {
	kind Kind
	num  uint64 // bool (0/1), int64 bits, float64 bits
	str  string // string payload
	ref  any    // []Value, map[string]Value, *Node, *Rel, *Path, temporal payloads
}

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
func Str(s string) Value { return Value{kind: KindString, str: s} }

// List returns a list value that shares items.
func List(items []Value) Value { return Value{kind: KindList, ref: items} }

// Map returns a map value that shares m.
func Map(m map[string]Value) Value { return Value{kind: KindMap, ref: m} }

// NodeOf returns a node value.
func NodeOf(n *Node) Value { return Value{kind: KindNode, ref: n} }

// RelOf returns a relationship value.
func RelOf(r *Rel) Value { return Value{kind: KindRel, ref: r} }

// PathOf returns a path value.
func PathOf(p *Path) Value { return Value{kind: KindPath, ref: p} }

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

// AsString returns the string payload ("" for non-strings).
func (v Value) AsString() string { return v.str }

// AsList returns the list payload (nil for non-lists). Callers must not modify it.
func (v Value) AsList() []Value {
	l, _ := v.ref.([]Value)
	return l
}

// AsMap returns the map payload (nil for non-maps). Callers must not modify it.
func (v Value) AsMap() map[string]Value {
	m, _ := v.ref.(map[string]Value)
	return m
}

// AsNode returns the node payload (nil for non-nodes).
func (v Value) AsNode() *Node {
	n, _ := v.ref.(*Node)
	return n
}

// AsRel returns the relationship payload (nil for non-relationships).
func (v Value) AsRel() *Rel {
	r, _ := v.ref.(*Rel)
	return r
}

// AsPath returns the path payload (nil for non-paths).
func (v Value) AsPath() *Path {
	p, _ := v.ref.(*Path)
	return p
}

// Ref returns the composite payload, for packages (such as temporal support)
// that define their own payload types through Make.
func (v Value) Ref() any { return v.ref }

// Make builds a value of any kind from raw parts. It exists for packages that
// implement a kind's payload (temporal values); ordinary code uses the typed
// constructors.
func Make(k Kind, num uint64, str string, ref any) Value {
	return Value{kind: k, num: num, str: str, ref: ref}
}

// Raw returns the raw numeric and string parts of v (see Make).
func (v Value) Raw() (num uint64, str string) { return v.num, v.str }

// Node is a graph node: an identity, its labels and its properties.
// Nodes are immutable once published: an update builds a new *Node.
type Node struct {
	ID     string           // unique across nodes and relationships
	Labels []string         // in insertion order, no duplicates
	Props  map[string]Value // property name -> value; a missing key reads as null
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
	ID    string           // unique across nodes and relationships
	Type  string           // relationship type
	From  string           // start node id
	To    string           // end node id
	Props map[string]Value // property name -> value
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
	switch v.kind {
	case KindNode:
		return v.ref.(*Node).Props[key]
	case KindRel:
		return v.ref.(*Rel).Props[key]
	case KindMap:
		return v.ref.(map[string]Value)[key]
	}
	return Null
}
