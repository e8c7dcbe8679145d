package functions

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/vigilhq/vigil/engine/value"
)

// GQL returns the GQL (ISO/IEC 39075) registration set: the same
// implementations as Cypher under their GQL names (upper for toUpper,
// element_id for elementId, collect_list for collect, ...), plus the drasi.*
// extensions so that Drasi-style queries work in either language. Names that
// exist only in openCypher (toUpper, elementId, stDev, ...) are not here, and
// the GQL-only names are not in Cypher. It is built once and shared; callers
// must not add to it.
func GQL() *Registry { return gqlRegistry() }

// gqlAliases maps each GQL name onto the name of the existing implementation
// in the Cypher registration functions. The GQL set is built by copying those
// entries, so both languages run the same code.
var gqlAliases = []struct{ gql, impl string }{
	// character strings
	{"upper", "toUpper"},
	{"lower", "toLower"},
	{"trim", "trim"},
	{"btrim", "btrim"},
	{"ltrim", "lTrim"},
	{"rtrim", "rTrim"},
	{"left", "left"},
	{"right", "right"},
	// Drasi's GQL also has these (Cypher's functions under their own names):
	// queries written for it run unchanged.
	{"reverse", "reverse"},
	{"replace", "replace"},
	{"split", "split"},
	{"substring", "substring"},
	{"round", "round"},
	{"last", "last"},
	// lists and strings: GQL's size/cardinality of a list
	{"size", "size"},
	{"cardinality", "size"},
	// numbers
	{"abs", "abs"},
	{"floor", "floor"},
	{"ceil", "ceil"},
	{"ceiling", "ceil"},
	{"sqrt", "sqrt"},
	{"exp", "exp"},
	{"ln", "log"},
	{"log10", "log10"},
	{"sin", "sin"},
	{"cos", "cos"},
	{"tan", "tan"},
	{"cot", "cot"},
	{"asin", "asin"},
	{"acos", "acos"},
	{"atan", "atan"},
	{"degrees", "degrees"},
	{"radians", "radians"},
	// graph elements and paths
	{"element_id", "elementId"},
	{"vigil.source", "vigil.source"},
	{"path_length", "length"},
	{"coalesce", "coalesce"},
	// temporal constructors; the zero-argument forms are the clock readers
	// below (the GQL builder rewrites ZONED_DATETIME() to CURRENT_TIMESTAMP)
	{"date", "date"},
	{"zoned_time", "time"},
	{"local_time", "localtime"},
	{"zoned_datetime", "datetime"},
	{"local_datetime", "localdatetime"},
	{"duration", "duration"},
	{"duration_between", "duration.between"},
	// aggregates
	{"count", "count"},
	{"sum", "sum"},
	{"avg", "avg"},
	{"min", "min"},
	{"max", "max"},
	{"collect_list", "collect"},
	{"collect", "collect"},
	{"stddev_samp", "stDev"},
	{"stddev_pop", "stDevP"},
	{"percentile_cont", "percentileCont"},
	{"percentile_disc", "percentileDisc"},
}

// gqlClocks are GQL's niladic datetime functions, mapped onto the Cypher
// clock readers (datetime.realtime and friends): the engine time of the
// change being processed, never the wall clock.
var gqlClocks = []struct{ gql, impl string }{
	{"current_date", "date.realtime"},
	{"current_time", "time.realtime"},
	{"current_timestamp", "datetime.realtime"},
	{"local_timestamp", "localdatetime.realtime"},
}

// gqlConstructors need an argument in GQL: without one they would read the
// clock, and the engine recognises clock readers by their Cypher names or
// the Volatile flag, which a constructor with a literal argument must not
// carry (it would lose constant folding).
var gqlConstructors = map[string]bool{
	"date": true, "zoned_time": true, "local_time": true, "zoned_datetime": true, "local_datetime": true,
}

var gqlRegistry = sync.OnceValue(func() *Registry {
	impl := NewRegistry("cypher-impl")
	registerStrings(impl)
	registerMath(impl)
	registerLists(impl)
	registerAggregates(impl)
	registerTemporal(impl)

	r := NewRegistry("gql")
	for _, a := range gqlAliases {
		if s, ok := impl.Scalar(a.impl); ok {
			c := *s
			c.Name = a.gql
			if gqlConstructors[a.gql] {
				c.MinArgs = 1
			}
			r.AddScalar(a.gql, &c)
			continue
		}
		ag, ok := impl.Aggregate(a.impl)
		if !ok {
			panic("functions: GQL alias " + a.gql + " has no implementation " + a.impl)
		}
		c := *ag
		c.Name = a.gql
		r.AddAggregate(a.gql, &c)
	}
	for _, a := range gqlClocks {
		s, _ := impl.Scalar(a.impl)
		c := *s
		// Marked volatile because the engine recognises the Cypher clock
		// readers by their ".realtime" suffix; the flag gives these names
		// the same treatment (never constant-folded, remembered per row).
		c.Name, c.Volatile = a.gql, true
		r.AddScalar(a.gql, &c)
	}
	add := func(name string, lo, hi int, fn ScalarFunc, args ...ArgKinds) {
		r.AddScalar(name, &Scalar{Name: name, MinArgs: lo, MaxArgs: hi, Fn: fn, Args: args})
	}
	// GQL spells these as functions; Cypher has them as operators, and they
	// keep the operators' errors (TypeError InvalidArgumentType), so they
	// declare no signature.
	add("mod", 2, 2, operatorFn(Mod))
	add("power", 2, 2, operatorFn(Pow))
	add("char_length", 1, 1, charLength("char_length"), ArgString)
	add("character_length", 1, 1, charLength("character_length"), ArgString)
	registerGQLLowerings(r)
	registerDrasi(r)
	return r
})

// operatorFn exposes a binary operator as a two-argument function.
func operatorFn(op func(a, b value.Value) (value.Value, error)) ScalarFunc {
	return func(_ Env, args []value.Value) (value.Value, error) { return op(args[0], args[1]) }
}

// charLength is size restricted to strings: GQL's CHAR_LENGTH is a string
// function, so a list argument is a type error rather than its length.
func charLength(name string) ScalarFunc {
	return func(_ Env, args []value.Value) (value.Value, error) {
		v := args[0]
		switch v.Kind() {
		case value.KindNull:
			return value.Null, nil
		case value.KindString:
			return value.Int(int64(utf8.RuneCountInString(v.AsString()))), nil
		}
		return value.Null, ArgTypeErr(strings.ToLower(name), "a String", v)
	}
}
