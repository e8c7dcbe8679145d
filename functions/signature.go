package functions

import (
	"strings"

	"github.com/vigilhq/vigil/engine/value"
)

// ArgKinds is a set of value kinds, one bit per value.Kind: the kinds a
// function accepts at one argument position. Null is accepted everywhere
// (what a function does with it is its own business) and is not a member.
type ArgKinds uint32

// The kinds, and the unions the function signatures use.
const (
	ArgBool     = ArgKinds(1) << value.KindBool
	ArgInt      = ArgKinds(1) << value.KindInt
	ArgFloat    = ArgKinds(1) << value.KindFloat
	ArgString   = ArgKinds(1) << value.KindString
	ArgList     = ArgKinds(1) << value.KindList
	ArgMap      = ArgKinds(1) << value.KindMap
	ArgNode     = ArgKinds(1) << value.KindNode
	ArgRel      = ArgKinds(1) << value.KindRel
	ArgPath     = ArgKinds(1) << value.KindPath
	ArgDuration = ArgKinds(1) << value.KindDuration
	// ArgInstant is the five temporal instant kinds (date, local time,
	// time, local datetime, datetime), not durations.
	ArgInstant = ArgKinds(1)<<value.KindDate | ArgKinds(1)<<value.KindLocalTime |
		ArgKinds(1)<<value.KindTime | ArgKinds(1)<<value.KindLocalDateTime | ArgKinds(1)<<value.KindDateTime
	ArgNumber = ArgInt | ArgFloat
	// ArgAny accepts every kind: a declared position that is never a type
	// error (coalesce, count, the OrNull conversions).
	ArgAny = ArgKinds(1)<<(value.KindDuration+1) - 1
)

// Has reports whether k is in the set. Null is always accepted.
func (s ArgKinds) Has(k value.Kind) bool { return k == value.KindNull || s&(ArgKinds(1)<<k) != 0 }

// String lists the kinds of the set for error messages: "String or List".
func (s ArgKinds) String() string {
	var names []string
	for k := value.KindBool; k <= value.KindDuration; k++ {
		if s&(ArgKinds(1)<<k) != 0 {
			names = append(names, k.String())
		}
	}
	switch len(names) {
	case 0:
		return "nothing"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// argsAt is the set a signature accepts at position i: the last entry
// repeats when variadic. declared is false when the signature says nothing
// about i (no signature, or i beyond a fixed arity, which is an arity
// error rather than a type error).
func argsAt(args []ArgKinds, variadic bool, i int) (ArgKinds, bool) {
	switch {
	case args == nil || i < 0:
		return 0, false
	case i < len(args):
		return args[i], true
	case variadic && len(args) > 0:
		return args[len(args)-1], true
	}
	return 0, false
}

// kindByName maps value.Kind names ("Integer", "Relationship") to kinds.
var kindByName = func() map[string]value.Kind {
	m := map[string]value.Kind{}
	for k := value.KindNull; k <= value.KindDuration; k++ {
		m[k.String()] = k
	}
	return m
}()

// AcceptsArg reports whether the function called name accepts a value of
// the type typ (a value.Kind name: "Integer", "Node", "Relationship", ...)
// as its argument at position i (0-based). declared is false when nothing
// can be said: the name is unknown here, its signature is not declared, or
// i is outside its arity. The semantic checker uses it to report, at
// compile time, an argument whose type is certain and never accepted
// (properties(1), type(n) for a node n): the openCypher TCK expects those
// as SyntaxError InvalidArgumentType when the query is registered.
func (r *Registry) AcceptsArg(name string, i int, typ string) (ok, declared bool) {
	k, known := kindByName[typ]
	if !known {
		return true, false
	}
	var set ArgKinds
	if f, found := r.Scalar(name); found {
		set, declared = argsAt(f.Args, f.MaxArgs < 0, i)
	} else if a, found := r.Aggregate(name); found {
		set, declared = argsAt(a.Args, a.MaxArgs < 0, i)
	}
	if !declared {
		return true, false
	}
	return set.Has(k), true
}
