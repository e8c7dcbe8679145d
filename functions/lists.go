package functions

import (
	"github.com/vigilhq/vigil/engine/value"
)

// maxRange bounds the size of a list built by range(). Cypher sets no limit,
// but a long-running engine must not be taken down by range(0, 10^15); a
// hundred million elements is far beyond any sensible query.
const maxRange = 100_000_000

func listArg(fn string, v value.Value) (l []value.Value, isNull bool, err error) {
	switch v.Kind() {
	case value.KindNull:
		return nil, true, nil
	case value.KindList:
		return v.AsList(), false, nil
	}
	return nil, false, ArgTypeErr(fn, "a List", v)
}

func head(_ Env, args []value.Value) (value.Value, error) {
	l, isNull, err := listArg("head", args[0])
	if isNull || err != nil || len(l) == 0 {
		return value.Null, err
	}
	return l[0], nil
}

func last(_ Env, args []value.Value) (value.Value, error) {
	l, isNull, err := listArg("last", args[0])
	if isNull || err != nil || len(l) == 0 {
		return value.Null, err
	}
	return l[len(l)-1], nil
}

func tail(_ Env, args []value.Value) (value.Value, error) {
	l, isNull, err := listArg("tail", args[0])
	if isNull || err != nil {
		return value.Null, err
	}
	if len(l) == 0 {
		return value.List([]value.Value{}), nil
	}
	return value.List(l[1:len(l):len(l)]), nil
}

// rangeFn is range(start, end [, step]), inclusive of end. Its arguments must
// be integers; the TCK (List11) expects an ArgumentError, not a TypeError,
// for anything else, and NumberOutOfRange for a zero step.
func rangeFn(_ Env, args []value.Value) (value.Value, error) {
	var n [3]int64
	n[2] = 1
	for i, a := range args {
		if a.Kind() != value.KindInt {
			return value.Null, ArgErr(CodeInvalidArgumentType, "range() expects Integer arguments, got %s %s", typeName(a), a)
		}
		n[i] = a.AsInt()
	}
	start, end, step := n[0], n[1], n[2]
	if step == 0 {
		return value.Null, ArgErr(CodeNumberOutOfRange, "range() step must not be zero")
	}
	if (step > 0 && start > end) || (step < 0 && start < end) {
		return value.List([]value.Value{}), nil
	}
	// The span can exceed int64 (range(MinInt64, MaxInt64)); compute the
	// element count in uint64.
	var span, st uint64
	if step > 0 {
		span, st = uint64(end)-uint64(start), uint64(step)
	} else {
		span, st = uint64(start)-uint64(end), -uint64(step)
	}
	count := span/st + 1
	if count > maxRange || count == 0 {
		return value.Null, ArgErr(CodeNumberOutOfRange, "range() would produce more than %d elements", maxRange)
	}
	out := make([]value.Value, count)
	v := start
	for i := range out {
		out[i] = value.Int(v)
		v += step // may wrap after the last element; never read then
	}
	return value.List(out), nil
}

func strList(ss []string) value.Value {
	out := make([]value.Value, len(ss))
	for i, s := range ss {
		out[i] = value.Str(s)
	}
	return value.List(out)
}

func keys(_ Env, args []value.Value) (value.Value, error) {
	v := args[0]
	switch v.Kind() {
	case value.KindNull:
		return value.Null, nil
	case value.KindMap:
		return strList(value.SortedKeys(v.AsMap())), nil
	case value.KindNode:
		return strList(v.AsNode().Props.Names()), nil
	case value.KindRel:
		return strList(v.AsRel().Props.Names()), nil
	}
	return value.Null, ArgTypeErr("keys", "a Map, Node or Relationship", v)
}

func properties(_ Env, args []value.Value) (value.Value, error) {
	v := args[0]
	switch v.Kind() {
	case value.KindNull:
		return value.Null, nil
	case value.KindMap:
		return v, nil
	case value.KindNode:
		return value.Map(v.AsNode().Props.Map()), nil
	case value.KindRel:
		return value.Map(v.AsRel().Props.Map()), nil
	}
	return value.Null, ArgTypeErr("properties", "a Map, Node or Relationship", v)
}

func labels(_ Env, args []value.Value) (value.Value, error) {
	v := args[0]
	switch v.Kind() {
	case value.KindNull:
		return value.Null, nil
	case value.KindNode:
		return strList(v.AsNode().Labels), nil
	}
	return value.Null, ArgTypeErr("labels", "a Node", v)
}

func relType(_ Env, args []value.Value) (value.Value, error) {
	v := args[0]
	switch v.Kind() {
	case value.KindNull:
		return value.Null, nil
	case value.KindRel:
		return value.Str(v.AsRel().Type), nil
	}
	return value.Null, ArgTypeErr("type", "a Relationship", v)
}

func pathArg(fn string, v value.Value) (*value.Path, error) {
	switch v.Kind() {
	case value.KindNull:
		return nil, nil
	case value.KindPath:
		return v.AsPath(), nil
	}
	return nil, ArgTypeErr(fn, "a Path", v)
}

func nodes(_ Env, args []value.Value) (value.Value, error) {
	p, err := pathArg("nodes", args[0])
	if p == nil || err != nil {
		return value.Null, err
	}
	out := make([]value.Value, len(p.Nodes))
	for i, n := range p.Nodes {
		out[i] = value.NodeOf(n)
	}
	return value.List(out), nil
}

func relationships(_ Env, args []value.Value) (value.Value, error) {
	p, err := pathArg("relationships", args[0])
	if p == nil || err != nil {
		return value.Null, err
	}
	out := make([]value.Value, len(p.Rels))
	for i, r := range p.Rels {
		out[i] = value.RelOf(r)
	}
	return value.List(out), nil
}

func length(_ Env, args []value.Value) (value.Value, error) {
	p, err := pathArg("length", args[0])
	if p == nil || err != nil {
		return value.Null, err
	}
	return value.Int(int64(len(p.Rels))), nil
}

// elementID serves both id() and elementId(): Vigil's identities are
// strings, so id() returns the same string rather than an integer. The id
// is the one the element's source gave it (as in Drasi), without the
// source that qualifies it in the index.
func elementID(fn string) ScalarFunc {
	return func(_ Env, args []value.Value) (value.Value, error) {
		v := args[0]
		switch v.Kind() {
		case value.KindNull:
			return value.Null, nil
		case value.KindNode:
			return value.Str(value.ExternalID(v.AsNode().ID)), nil
		case value.KindRel:
			return value.Str(value.ExternalID(v.AsRel().ID)), nil
		}
		return value.Null, ArgTypeErr(fn, "a Node or Relationship", v)
	}
}

// endpoint looks up a relationship's start or end node as it is now, through
// the Env, since a Rel holds only node ids.
func endpoint(fn string, start bool) ScalarFunc {
	return func(env Env, args []value.Value) (value.Value, error) {
		v := args[0]
		switch v.Kind() {
		case value.KindNull:
			return value.Null, nil
		case value.KindRel:
		default:
			return value.Null, ArgTypeErr(fn, "a Relationship", v)
		}
		if env == nil {
			return value.Null, nil
		}
		r := v.AsRel()
		id := r.To
		if start {
			id = r.From
		}
		if n := env.Node(id); n != nil {
			return value.NodeOf(n), nil
		}
		return value.Null, nil
	}
}

// elementSource is vigil.source(element): the name of the source an element
// came from (null for one without a source, such as a synthetic join
// relation). elementId() alone does not tell two sources' "a1" apart.
func elementSource(_ Env, args []value.Value) (value.Value, error) {
	v := args[0]
	var id string
	switch v.Kind() {
	case value.KindNull:
		return value.Null, nil
	case value.KindNode:
		id = v.AsNode().ID
	case value.KindRel:
		id = v.AsRel().ID
	default:
		return value.Null, ArgTypeErr("vigil.source", "a Node or Relationship", v)
	}
	if src := value.SourceOfID(id); src != "" {
		return value.Str(src), nil
	}
	return value.Null, nil
}

func coalesce(_ Env, args []value.Value) (value.Value, error) {
	for _, a := range args {
		if !a.IsNull() {
			return a, nil
		}
	}
	return value.Null, nil
}

// timestamp is milliseconds since the epoch at the engine's current time,
// which for Vigil is the time of the change being processed.
func timestamp(env Env, _ []value.Value) (value.Value, error) {
	if env == nil {
		return value.Null, nil
	}
	return value.Int(env.Now().UnixMilli()), nil
}

func registerLists(r *Registry) {
	add := func(name string, lo, hi int, fn ScalarFunc, args ...ArgKinds) {
		r.AddScalar(name, &Scalar{Name: name, MinArgs: lo, MaxArgs: hi, Fn: fn, Args: args})
	}
	element := ArgNode | ArgRel
	add("head", 1, 1, head, ArgList)
	add("last", 1, 1, last, ArgList)
	add("tail", 1, 1, tail, ArgList)
	// range() declares no signature: the TCK wants range(true, 1, 1), with
	// literals, to fail at run time (List11 [5]), not when registered.
	add("range", 2, 3, rangeFn)
	add("keys", 1, 1, keys, ArgMap|element)
	add("properties", 1, 1, properties, ArgMap|element)
	add("labels", 1, 1, labels, ArgNode)
	add("type", 1, 1, relType, ArgRel)
	add("nodes", 1, 1, nodes, ArgPath)
	add("relationships", 1, 1, relationships, ArgPath)
	add("length", 1, 1, length, ArgPath)
	add("id", 1, 1, elementID("id"), element)
	add("elementId", 1, 1, elementID("elementId"), element)
	add("vigil.source", 1, 1, elementSource, element)
	add("startNode", 1, 1, endpoint("startNode", true), ArgRel)
	add("endNode", 1, 1, endpoint("endNode", false), ArgRel)
	add("coalesce", 1, -1, coalesce, ArgAny)
	// timestamp() is marked volatile because its result is not a function
	// of its (absent) arguments; the engine must not cache it.
	r.AddScalar("timestamp", &Scalar{Name: "timestamp", Fn: timestamp, Volatile: true, Args: []ArgKinds{}})
}
