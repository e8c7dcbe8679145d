package functions

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

// The error categories of the functions, by specification (the openCypher
// TCK's conventions as a whole), rather than by the examples it happens to
// test:
//
//   - a type that is certain from the query text and that the function
//     never accepts is a compile-time SyntaxError InvalidArgumentType,
//     raised by the semantic checker from Scalar.Args / Aggregate.Args
//     (grammar/ast tests it);
//   - a value of a type the function does not accept, known only at run
//     time, is TypeError InvalidArgumentValue (TypeConversion1-4, Graph3
//     [9], Graph4 [6]), except range(): ArgumentError InvalidArgumentType
//     (List11 [5]), at run time even for literals;
//   - a number outside the domain of its argument is ArgumentError
//     NumberOutOfRange (range() step 0, List11 [4]; a percentile outside
//     [0, 1], Aggregation6 [3]-[5]; a negative substring() start or
//     left()/right() length, by the same rule);
//   - any other invalid value (a rounding mode, a malformed temporal string,
//     an unknown unit) is ArgumentError InvalidArgumentValue;
//   - an unconvertible string is null, not an error, for the conversion
//     functions (toInteger('x'));
//   - integer overflow is ArithmeticError IntegerOverflow;
//   - null makes the result null (or is skipped by an aggregate), except
//     where nullSpecial says otherwise.
//
// The tests below hold every registered function to these rules.

// kindSamples has one value of every kind, the samples a signature is
// tried with. The strings are chosen to be valid where a function reads
// them (a truncation unit, a list of delimiters), so that only the kind of
// the argument under test decides.
func kindSamples() map[value.Kind]value.Value {
	a := &value.Node{ID: "a", Labels: []string{"A"}, Props: value.PropsOf(map[string]value.Value{"k": i(1)})}
	b := &value.Node{ID: "b"}
	r := &value.Rel{ID: "r", Type: "T", From: "a", To: "b"}
	temporal := func(k value.Kind, src string) value.Value {
		v, err := value.ParseTemporal(k, src)
		if err != nil {
			panic(err)
		}
		return v
	}
	return map[value.Kind]value.Value{
		value.KindNull:          null,
		value.KindBool:          tru,
		value.KindInt:           i(1),
		value.KindFloat:         f(0.5),
		value.KindString:        s("day"),
		value.KindList:          l(s("a")),
		value.KindMap:           m("year", i(2015)),
		value.KindNode:          value.NodeOf(a),
		value.KindRel:           value.RelOf(r),
		value.KindPath:          value.PathOf(&value.Path{Nodes: []*value.Node{a, b}, Rels: []*value.Rel{r}}),
		value.KindDate:          temporal(value.KindDate, "2015-07-21"),
		value.KindLocalTime:     temporal(value.KindLocalTime, "12:30"),
		value.KindTime:          temporal(value.KindTime, "12:30Z"),
		value.KindLocalDateTime: temporal(value.KindLocalDateTime, "2015-07-21T12:30"),
		value.KindDateTime:      temporal(value.KindDateTime, "2015-07-21T12:30Z"),
		value.KindDuration:      temporal(value.KindDuration, "P1D"),
	}
}

// sampleOrder is the order in which a sample is picked for an argument that
// is not under test: the first kind its signature accepts.
var sampleOrder = []value.Kind{
	value.KindInt, value.KindFloat, value.KindString, value.KindBool, value.KindList, value.KindMap,
	value.KindNode, value.KindRel, value.KindPath, value.KindDate, value.KindLocalTime, value.KindTime,
	value.KindLocalDateTime, value.KindDateTime, value.KindDuration,
}

// undeclared are the functions without a signature, and why.
var undeclared = map[string]string{
	"range": "the TCK wants wrong literal types at run time (List11 [5])",
	"mod":   "GQL spelling of the % operator: an operator's errors",
	"power": "GQL spelling of the ^ operator: an operator's errors",
	"||":    "GQL operator",
}

func isUndeclared(name string) bool {
	_, ok := undeclared[name]
	return ok || strings.HasPrefix(name, "is typed ") || strings.HasPrefix(name, "cast as ")
}

// nullSpecial is what null does where it does not simply make the result
// null, keyed "function/position" (0-based).
var nullSpecial = map[string]string{
	// The start and length of substring, left and right must be integers:
	// null is not "unknown" there but a missing argument (Neo4j raises too).
	"substring/1": CodeInvalidArgumentValue,
	"substring/2": CodeInvalidArgumentValue,
	"left/1":      CodeInvalidArgumentValue,
	"right/1":     CodeInvalidArgumentValue,
	// The percentile is required on every row, like its range.
	"percentilecont/1":  CodeInvalidArgumentValue,
	"percentiledisc/1":  CodeInvalidArgumentValue,
	"percentile_cont/1": CodeInvalidArgumentValue,
	"percentile_disc/1": CodeInvalidArgumentValue,
	// coalesce returns its first non-null argument.
	"coalesce/1": "first non-null",
	// The optional fields of x.truncate(unit, temporal, fields): null is
	// no fields, as if the argument were absent.
	"date.truncate/2":          "no fields",
	"localtime.truncate/2":     "no fields",
	"time.truncate/2":          "no fields",
	"localdatetime.truncate/2": "no fields",
	"datetime.truncate/2":      "no fields",
}

type registered struct {
	name     string
	args     []ArgKinds
	min, max int
	scalar   *Scalar
	agg      *Aggregate
}

// allFunctions lists every function of the Cypher and GQL registries.
func allFunctions(t *testing.T) []registered {
	t.Helper()
	var out []registered
	for _, r := range []*Registry{Cypher(), GQL()} {
		names := r.Names()
		slices.Sort(names)
		for _, n := range names {
			if sc, ok := r.Scalar(n); ok {
				out = append(out, registered{name: r.Lang() + ":" + n, args: sc.Args, min: sc.MinArgs, max: sc.MaxArgs, scalar: sc})
			} else if ag, ok := r.Aggregate(n); ok {
				out = append(out, registered{name: r.Lang() + ":" + n, args: ag.Args, min: ag.MinArgs, max: ag.MaxArgs, agg: ag})
			}
		}
	}
	return out
}

func (f registered) bare() string { return f.name[strings.IndexByte(f.name, ':')+1:] }

// call runs the function on args: a scalar directly, an aggregate as one
// Apply on a fresh accumulator, then its Result.
func (f registered) call(args []value.Value) (value.Value, error) {
	env := testEnv{now: time.Date(2024, 2, 29, 23, 30, 15, 0, time.UTC)}
	if f.scalar != nil {
		return f.scalar.Fn(env, args)
	}
	acc := f.agg.New()
	if err := acc.Apply(args); err != nil {
		return value.Null, err
	}
	return acc.Result(), nil
}

// argsWith returns arguments for f with v at position pos and valid
// samples elsewhere.
func (f registered) argsWith(samples map[value.Kind]value.Value, pos int, v value.Value) []value.Value {
	n := max(f.min, pos+1)
	out := make([]value.Value, n)
	for j := range out {
		if j == pos {
			out[j] = v
			continue
		}
		set, _ := argsAt(f.args, f.max < 0, j)
		for _, k := range sampleOrder {
			if set.Has(k) {
				out[j] = samples[k]
				break
			}
		}
	}
	return out
}

// TestSignaturesDeclared: every function declares its signature, but for
// the few listed in undeclared and those without arguments.
func TestSignaturesDeclared(t *testing.T) {
	for _, f := range allFunctions(t) {
		switch {
		case isUndeclared(f.bare()):
			if f.args != nil {
				t.Errorf("%s declares a signature, but is listed as undeclared (%s)", f.name, undeclared[f.bare()])
			}
		case f.args == nil && f.max != 0:
			t.Errorf("%s declares no signature", f.name)
		case f.max >= 0 && len(f.args) != f.max:
			t.Errorf("%s: signature of %d arguments for at most %d", f.name, len(f.args), f.max)
		case f.max < 0 && len(f.args) == 0:
			t.Errorf("%s: variadic without a repeated argument kind", f.name)
		}
	}
}

// TestSignatureMatchesRuntime holds each function's run-time behaviour to
// its declared signature, argument by argument and kind by kind: a kind it
// does not declare is TypeError InvalidArgumentValue, one it declares is
// never a type error, and null is null (or skipped by an aggregate) but
// for nullSpecial. The compile-time check then rejects exactly what the
// run time would.
func TestSignatureMatchesRuntime(t *testing.T) {
	samples := kindSamples()
	for _, f := range allFunctions(t) {
		if f.args == nil {
			continue
		}
		positions := f.max
		if positions < 0 {
			positions = len(f.args) + 1 // the repeated kind, twice
		}
		for pos := range positions {
			set, _ := argsAt(f.args, f.max < 0, pos)
			for k := value.KindNull; k <= value.KindDuration; k++ {
				args := f.argsWith(samples, pos, samples[k])
				got, err := f.call(args)
				desc := fmt.Sprintf("%s%s (argument %d %s)", f.name, l(args...), pos+1, k)
				switch {
				case k == value.KindNull:
					special := nullSpecial[strings.ToLower(f.bare())+"/"+fmt.Sprint(pos)]
					switch {
					case special == CodeInvalidArgumentValue:
						if !errIs(err, KindTypeError, CodeInvalidArgumentValue) {
							t.Errorf("%s: got %s, %v; want TypeError InvalidArgumentValue", desc, got, err)
						}
					case special != "":
					case err != nil:
						t.Errorf("%s: null gives %v", desc, err)
					case f.scalar != nil && !got.IsNull():
						t.Errorf("%s: null gives %s, want null", desc, got)
					}
				case !set.Has(k):
					if !errIs(err, KindTypeError, CodeInvalidArgumentValue) {
						t.Errorf("%s: got %s, %v; want TypeError InvalidArgumentValue", desc, got, err)
					}
				case errIs(err, KindTypeError, ""):
					t.Errorf("%s: declared kind rejected: %v", desc, err)
				}
			}
		}
	}
}

// TestErrorCategories is the table of wrong arguments and values, with the
// category each raises at run time (or the value it gives instead).
func TestErrorCategories(t *testing.T) {
	ms := kindSamples()
	node, rel, path, date, dur := ms[value.KindNode], ms[value.KindRel], ms[value.KindPath], ms[value.KindDate], ms[value.KindDuration]
	const (
		te, ae, ar                            = KindTypeError, KindArgumentError, KindArithmeticError
		ivalue, itype, outOfRange, overflowed = CodeInvalidArgumentValue, CodeInvalidArgumentType, CodeNumberOutOfRange, CodeIntegerOverflow
	)
	tests := []struct {
		fn         string
		args       []value.Value
		want       value.Value // when no error
		kind, code string
		why        string
	}{
		// conversion: TypeConversion1-4; unconvertible strings are null
		{fn: "toBoolean", args: a(f(1.0)), kind: te, code: ivalue, why: "TypeConversion1 [5]"},
		{fn: "toBoolean", args: a(l()), kind: te, code: ivalue, why: "TypeConversion1 [5]"},
		{fn: "toBoolean", args: a(path), kind: te, code: ivalue, why: "TypeConversion1 [5]"},
		{fn: "toBoolean", args: a(s("maybe")), want: null},
		{fn: "toInteger", args: a(m()), kind: te, code: ivalue, why: "TypeConversion2 [8]"},
		{fn: "toInteger", args: a(node), kind: te, code: ivalue, why: "TypeConversion2 [8]"},
		{fn: "toInteger", args: a(s("foo")), want: null},
		{fn: "toInteger", args: a(f(1e300)), want: null},
		{fn: "toFloat", args: a(tru), kind: te, code: ivalue, why: "TypeConversion3 [6]"},
		{fn: "toFloat", args: a(rel), kind: te, code: ivalue, why: "TypeConversion3 [6]"},
		{fn: "toFloat", args: a(s("foo")), want: null},
		{fn: "toString", args: a(l()), kind: te, code: ivalue, why: "TypeConversion4 [10]"},
		{fn: "toString", args: a(m()), kind: te, code: ivalue, why: "TypeConversion4 [10]"},
		{fn: "toIntegerOrNull", args: a(l()), want: null},
		{fn: "toStringList", args: a(s("x")), kind: te, code: ivalue},
		// graph: Graph3 [9], Graph4 [6], Graph8, Graph9, Path3
		{fn: "labels", args: a(i(1)), kind: te, code: ivalue, why: "Graph3 [9]"},
		{fn: "labels", args: a(rel), kind: te, code: ivalue},
		{fn: "type", args: a(i(0)), kind: te, code: ivalue, why: "Graph4 [6]"},
		{fn: "type", args: a(s("")), kind: te, code: ivalue, why: "Graph4 [6]"},
		{fn: "type", args: a(node), kind: te, code: ivalue},
		{fn: "keys", args: a(i(1)), kind: te, code: ivalue},
		{fn: "properties", args: a(s("Cypher")), kind: te, code: ivalue},
		{fn: "length", args: a(node), kind: te, code: ivalue},
		{fn: "length", args: a(s("abc")), kind: te, code: ivalue},
		{fn: "nodes", args: a(rel), kind: te, code: ivalue},
		{fn: "startNode", args: a(node), kind: te, code: ivalue},
		{fn: "id", args: a(path), kind: te, code: ivalue},
		// lists
		{fn: "range", args: a(i(2), i(8), i(0)), kind: ae, code: outOfRange, why: "List11 [4]"},
		{fn: "range", args: a(tru, i(1), i(1)), kind: ae, code: itype, why: "List11 [5]"},
		{fn: "range", args: a(i(0), f(1.1), i(1)), kind: ae, code: itype, why: "List11 [5]"},
		{fn: "size", args: a(i(1)), kind: te, code: ivalue},
		{fn: "size", args: a(path), kind: te, code: ivalue},
		{fn: "head", args: a(s("x")), kind: te, code: ivalue},
		{fn: "reverse", args: a(m()), kind: te, code: ivalue},
		// strings
		{fn: "toUpper", args: a(i(1)), kind: te, code: ivalue},
		{fn: "substring", args: a(s("x"), i(-1)), kind: ae, code: outOfRange},
		{fn: "substring", args: a(s("x"), i(0), i(-1)), kind: ae, code: outOfRange},
		{fn: "substring", args: a(s("x"), f(1.0)), kind: te, code: ivalue},
		{fn: "substring", args: a(s("x"), null), kind: te, code: ivalue},
		{fn: "left", args: a(s("x"), i(-1)), kind: ae, code: outOfRange},
		{fn: "right", args: a(s("x"), i(-1)), kind: ae, code: outOfRange},
		{fn: "split", args: a(s("a,b"), l(s(","), i(1))), kind: te, code: ivalue},
		{fn: "replace", args: a(s("x"), i(1), s("y")), kind: te, code: ivalue},
		// math
		{fn: "abs", args: a(i(math.MinInt64)), kind: ar, code: overflowed},
		{fn: "sqrt", args: a(s("4")), kind: te, code: ivalue},
		{fn: "sqrt", args: a(i(-1)), want: f(math.NaN())},
		{fn: "round", args: a(f(1.5), i(1), s("SIDEWAYS")), kind: ae, code: ivalue},
		{fn: "round", args: a(f(1.5), f(1)), kind: te, code: ivalue},
		{fn: "round", args: a(null, s("x")), kind: te, code: ivalue},
		{fn: "round", args: a(null, i(1), i(2)), kind: te, code: ivalue},
		{fn: "round", args: a(null, i(1), s("UP")), want: null},
		// temporal
		{fn: "date", args: a(s("2015-13-45")), kind: ae, code: ivalue},
		{fn: "date", args: a(i(3)), kind: te, code: ivalue},
		{fn: "date", args: a(dur), kind: te, code: ivalue},
		{fn: "duration", args: a(date), kind: te, code: ivalue},
		{fn: "date.truncate", args: a(s("fortnight"), date), kind: ae, code: ivalue},
		{fn: "date.truncate", args: a(s("day"), dur), kind: te, code: ivalue},
		{fn: "duration.between", args: a(dur, date), kind: te, code: ivalue},
		{fn: "datetime.fromepoch", args: a(f(1.5), i(0)), kind: te, code: ivalue},
		// aggregates: Aggregation6
		{fn: "percentileCont", args: a(i(1), f(1.5)), kind: ae, code: outOfRange, why: "Aggregation6 [3]"},
		{fn: "percentileDisc", args: a(i(1), i(-1)), kind: ae, code: outOfRange, why: "Aggregation6 [4]"},
		{fn: "percentileCont", args: a(i(1), s("0.5")), kind: te, code: ivalue},
		{fn: "percentileCont", args: a(s("x"), f(0.5)), kind: te, code: ivalue},
		{fn: "sum", args: a(s("x")), kind: te, code: ivalue},
		{fn: "sum", args: a(date), kind: te, code: ivalue, why: "only durations add up"},
		{fn: "avg", args: a(tru), kind: te, code: ivalue},
		{fn: "stDev", args: a(dur), kind: te, code: ivalue},
		{fn: "sum", args: a(i(math.MaxInt64)), want: i(math.MaxInt64)},
		{fn: "drasi.listMin", args: a(i(1)), kind: te, code: ivalue},
		{fn: "drasi.linearGradient", args: a(i(1), s("y")), kind: te, code: ivalue},
	}
	byName := map[string]registered{}
	for _, f := range allFunctions(t) {
		if strings.HasPrefix(f.name, "cypher:") {
			byName[strings.ToLower(f.bare())] = f
		}
	}
	for _, tc := range tests {
		f, ok := byName[strings.ToLower(tc.fn)]
		if !ok {
			t.Fatalf("no function %s", tc.fn)
		}
		got, err := f.call(tc.args)
		desc := tc.fn + l(tc.args...).String()
		if tc.why != "" {
			desc += " [TCK " + tc.why + "]"
		}
		if tc.kind != "" {
			if !errIs(err, tc.kind, tc.code) {
				t.Errorf("%s: got %s, %v; want %s %s", desc, got, err, tc.kind, tc.code)
			}
			continue
		}
		if err != nil || !same(got, tc.want) {
			t.Errorf("%s = %s, %v; want %s", desc, got, err, tc.want)
		}
	}

	// sum() overflowing an Integer: ArithmeticError IntegerOverflow.
	acc := newAcc(t, "sum")
	if err := acc.Apply(a(i(math.MaxInt64))); err != nil {
		t.Fatal(err)
	}
	if err := acc.Apply(a(i(1))); !errIs(err, ar, overflowed) {
		t.Errorf("sum overflow: Apply error %v, want ArithmeticError IntegerOverflow", err)
	}
}

// TestAcceptsArg is the compile-time side: what the checker is told.
func TestAcceptsArg(t *testing.T) {
	tests := []struct {
		fn           string
		pos          int
		typ          string
		ok, declared bool
	}{
		{"properties", 0, "Integer", false, true},    // TCK Graph9 [5]
		{"properties", 0, "String", false, true},     // Graph9 [6]
		{"properties", 0, "List", false, true},       // Graph9 [7]
		{"properties", 0, "Map", true, true},         //
		{"type", 0, "Node", false, true},             // Graph4 [7]
		{"labels", 0, "Path", false, true},           // Graph3 [8]
		{"length", 0, "Node", false, true},           // Path3 [2]
		{"length", 0, "Relationship", false, true},   // Path3 [3]
		{"size", 0, "Path", false, true},             // List6 [5]
		{"SIZE", 0, "List", true, true},              // names are case-insensitive
		{"toUpper", 0, "Integer", false, true},       //
		{"toUpper", 1, "Integer", true, false},       // beyond the arity: the engine's arity error
		{"coalesce", 7, "Node", true, true},          // variadic
		{"range", 0, "Boolean", true, false},         // List11 [5]: at run time
		{"substring", 2, "Float", false, true},       //
		{"sum", 0, "String", false, true},            // aggregates too
		{"count", 0, "Path", true, true},             //
		{"percentileCont", 1, "String", false, true}, //
		{"noSuchFunction", 0, "Integer", true, false},
		{"toString", 0, "NoSuchType", true, false},
	}
	for _, tc := range tests {
		ok, declared := Cypher().AcceptsArg(tc.fn, tc.pos, tc.typ)
		if ok != tc.ok || declared != tc.declared {
			t.Errorf("AcceptsArg(%s, %d, %s) = %v, %v; want %v, %v", tc.fn, tc.pos, tc.typ, ok, declared, tc.ok, tc.declared)
		}
	}
	if ok, declared := GQL().AcceptsArg("upper", 0, "Integer"); ok || !declared {
		t.Errorf("GQL upper(Integer): %v, %v", ok, declared)
	}
}

func TestArgKindsString(t *testing.T) {
	for set, want := range map[ArgKinds]string{
		ArgString:                 "String",
		ArgString | ArgList:       "String or List",
		ArgMap | ArgNode | ArgRel: "Map, Node or Relationship",
		ArgNumber:                 "Integer or Float",
		0:                         "nothing",
		ArgInstant | ArgDuration:  "Date, LocalTime, Time, LocalDateTime, DateTime or Duration",
	} {
		if got := set.String(); got != want {
			t.Errorf("%#x.String() = %q, want %q", uint32(set), got, want)
		}
	}
	if !ArgInt.Has(value.KindNull) || ArgInt.Has(value.KindFloat) || !ArgAny.Has(value.KindDuration) {
		t.Error("ArgKinds.Has")
	}
}
