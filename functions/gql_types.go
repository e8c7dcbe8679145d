package functions

import (
	"github.com/vigilhq/vigil/engine/value"
)

// The functions below are what the GQL front-end (grammar/gql) lowers three
// constructs onto. Their names are not identifiers, so a query reaches them
// only through the syntax they implement (or a backquoted name).
//
//   - `a || b` is `||`: strict concatenation.
//   - `x IS TYPED T` is `is typed T` and `x IS TYPED T NOT NULL` is
//     `is typed T not null`, for each canonical type name T below.
//   - `CAST(x AS T)` is `cast as T` for INTEGER, FLOAT, STRING and BOOLEAN
//     (the temporal targets use the constructors date, zoned_datetime, ...).

// GQLConcat is GQL's ||: two strings or two lists concatenated, null when
// either side is null, and a TypeError for anything else ('a' || 1), unlike
// Cypher's +, which converts the number.
func GQLConcat(a, b value.Value) (value.Value, error) {
	switch {
	case a.IsNull() || b.IsNull():
		return value.Null, nil
	case a.Kind() == value.KindString && b.Kind() == value.KindString:
		return value.Str(a.AsString() + b.AsString()), nil
	case a.Kind() == value.KindList && b.Kind() == value.KindList:
		l := make([]value.Value, 0, len(a.AsList())+len(b.AsList()))
		l = append(append(l, a.AsList()...), b.AsList()...)
		return value.List(l), nil
	}
	return value.Null, TypeErr("|| concatenates two strings or two lists, got %s %s and %s %s",
		typeName(a), a, typeName(b), b)
}

// gqlValueTypes maps each canonical GQL value type name the front-end
// produces onto the kinds of value that belong to it (null aside).
var gqlValueTypes = map[string][]value.Kind{
	"BOOLEAN":        {value.KindBool},
	"INTEGER":        {value.KindInt},
	"FLOAT":          {value.KindFloat},
	"STRING":         {value.KindString},
	"DATE":           {value.KindDate},
	"ZONED TIME":     {value.KindTime},
	"LOCAL TIME":     {value.KindLocalTime},
	"ZONED DATETIME": {value.KindDateTime},
	"LOCAL DATETIME": {value.KindLocalDateTime},
	"DURATION":       {value.KindDuration},
	"LIST":           {value.KindList},
	"RECORD":         {value.KindMap},
	"NODE":           {value.KindNode},
	"EDGE":           {value.KindRel},
	"PATH":           {value.KindPath},
	"ANY": {value.KindBool, value.KindInt, value.KindFloat, value.KindString, value.KindList,
		value.KindMap, value.KindNode, value.KindRel, value.KindPath, value.KindDate,
		value.KindLocalTime, value.KindTime, value.KindLocalDateTime, value.KindDateTime,
		value.KindDuration},
	"NULL": nil, // only the null value
}

// GQLValueTypes returns the canonical value type names IS TYPED accepts.
func GQLValueTypes() []string {
	out := make([]string, 0, len(gqlValueTypes))
	for n := range gqlValueTypes {
		out = append(out, n)
	}
	return out
}

// typedPredicate is `x IS TYPED T`: true when x is of one of the kinds; a
// null x is of every type unless the type is NOT NULL (GQL's nullable
// types), so the answer is never null.
func typedPredicate(kinds []value.Kind, nullable bool) ScalarFunc {
	var set [32]bool
	for _, k := range kinds {
		set[k] = true
	}
	return func(_ Env, args []value.Value) (value.Value, error) {
		v := args[0]
		if v.IsNull() {
			return value.Bool(nullable), nil
		}
		k := v.Kind()
		return value.Bool(int(k) < len(set) && set[k]), nil
	}
}

// gqlCasts are CAST's conversions: toInteger, toFloat, toString and
// toBoolean semantics (an unconvertible string gives null), with a TypeError
// that names the CAST for a kind that never converts.
var gqlCasts = []struct {
	target string
	conv   func(value.Value) (value.Value, bool)
}{
	{"INTEGER", convertInteger},
	{"FLOAT", convertFloat},
	{"STRING", convertString},
	{"BOOLEAN", convertBoolean},
}

func castFn(target string, conv func(value.Value) (value.Value, bool)) ScalarFunc {
	return func(_ Env, args []value.Value) (value.Value, error) {
		out, known := conv(args[0])
		if !known {
			return value.Null, TypeErr("cannot CAST %s %s AS %s", typeName(args[0]), args[0], target)
		}
		return out, nil
	}
}

// registerGQLLowerings adds the targets of ||, IS TYPED and CAST.
func registerGQLLowerings(r *Registry) {
	add := func(name string, fn ScalarFunc) {
		r.AddScalar(name, &Scalar{Name: name, MinArgs: 1, MaxArgs: 1, Fn: fn})
	}
	r.AddScalar("||", &Scalar{Name: "||", MinArgs: 2, MaxArgs: 2, Fn: operatorFn(GQLConcat)})
	for name, kinds := range gqlValueTypes {
		add("is typed "+name, typedPredicate(kinds, true))
		add("is typed "+name+" not null", typedPredicate(kinds, false))
	}
	for _, c := range gqlCasts {
		add("cast as "+c.target, castFn(c.target, c.conv))
	}
}
