package functions

import (
	"errors"
	"strings"

	"github.com/vigilhq/vigil/engine/value"
)

// The temporal functions: date, localtime, time, localdatetime, datetime
// and duration constructors, their clock variants (x.realtime(),
// x.transaction(), x.statement(), all reading the engine clock), x.truncate,
// datetime.fromepoch[millis] and duration.between / inMonths / inDays /
// inSeconds. The values themselves live in engine/value (Temporal and
// Duration); arithmetic reaches them through the Arithmetic interface.

// temporalErr converts a value-layer temporal error to an ArgumentError.
func temporalErr(err error) error {
	var te *value.TemporalError
	if errors.As(err, &te) {
		return ArgErr(CodeInvalidArgumentValue, "%s", te.Msg)
	}
	return err
}

var temporalKinds = []struct {
	name string
	kind value.Kind
}{
	{"date", value.KindDate},
	{"localtime", value.KindLocalTime},
	{"time", value.KindTime},
	{"localdatetime", value.KindLocalDateTime},
	{"datetime", value.KindDateTime},
}

func isTemporal(v value.Value) bool {
	k := v.Kind()
	return k >= value.KindDate && k <= value.KindDateTime
}

// temporalCtor is date(), date('2015-07-21'), date({year: 2015}) and
// date(otherTemporal), and likewise for the other kinds.
func temporalCtor(name string, k value.Kind) ScalarFunc {
	return func(env Env, args []value.Value) (value.Value, error) {
		if len(args) == 0 {
			v, err := value.NowTemporal(k, env.Now(), "")
			return v, temporalErr(err)
		}
		a := args[0]
		var v value.Value
		var err error
		switch {
		case a.IsNull():
			return value.Null, nil
		case a.Kind() == value.KindString:
			v, err = value.ParseTemporal(k, a.AsString())
		case a.Kind() == value.KindMap:
			v, err = value.BuildTemporal(k, a.AsMap(), env.Now())
		case isTemporal(a):
			v, err = value.ConvertTemporal(k, a, env.Now())
		default:
			return value.Null, ArgTypeErr(name, "a String, a Map or a temporal value", a)
		}
		return v, temporalErr(err)
	}
}

// clockFn is x.realtime([timezone]) and its transaction and statement
// twins: the engine clock (the time of the change being processed).
func clockFn(name string, k value.Kind) ScalarFunc {
	return func(env Env, args []value.Value) (value.Value, error) {
		tz := ""
		if len(args) == 1 {
			switch args[0].Kind() {
			case value.KindNull:
				return value.Null, nil
			case value.KindString:
				tz = args[0].AsString()
			default:
				return value.Null, ArgTypeErr(name, "a time zone String", args[0])
			}
		}
		v, err := value.NowTemporal(k, env.Now(), tz)
		return v, temporalErr(err)
	}
}

// truncateFn is x.truncate(unit, temporal [, fields]).
func truncateFn(name string, k value.Kind) ScalarFunc {
	return func(env Env, args []value.Value) (value.Value, error) {
		if args[0].IsNull() || args[1].IsNull() {
			return value.Null, nil
		}
		if args[0].Kind() != value.KindString {
			return value.Null, ArgTypeErr(name, "a unit String", args[0])
		}
		if !isTemporal(args[1]) {
			return value.Null, ArgTypeErr(name, "a temporal value", args[1])
		}
		var fields map[string]value.Value
		if len(args) == 3 && !args[2].IsNull() {
			if args[2].Kind() != value.KindMap {
				return value.Null, ArgTypeErr(name, "a Map of fields", args[2])
			}
			fields = args[2].AsMap()
		}
		v, err := value.TruncateTemporal(k, args[0].AsString(), args[1], fields, env.Now())
		return v, temporalErr(err)
	}
}

func durationFn(_ Env, args []value.Value) (value.Value, error) {
	a := args[0]
	var v value.Value
	var err error
	switch a.Kind() {
	case value.KindNull:
		return value.Null, nil
	case value.KindString:
		v, err = value.ParseTemporal(value.KindDuration, a.AsString())
	case value.KindMap:
		v, err = value.DurationFromMap(a.AsMap())
	case value.KindDuration:
		return a, nil
	default:
		return value.Null, ArgTypeErr("duration", "a String or a Map", a)
	}
	return v, temporalErr(err)
}

func betweenFn(name string, unit value.BetweenUnit) ScalarFunc {
	return func(_ Env, args []value.Value) (value.Value, error) {
		if args[0].IsNull() || args[1].IsNull() {
			return value.Null, nil
		}
		for _, a := range args {
			if !isTemporal(a) {
				return value.Null, ArgTypeErr(name, "temporal values", a)
			}
		}
		v, err := value.DurationBetween(unit, args[0], args[1])
		return v, temporalErr(err)
	}
}

func fromEpoch(_ Env, args []value.Value) (value.Value, error) {
	if args[0].IsNull() || args[1].IsNull() {
		return value.Null, nil
	}
	s, err := intArg("datetime.fromepoch", "seconds", args[0])
	if err != nil {
		return value.Null, err
	}
	n, err := intArg("datetime.fromepoch", "nanoseconds", args[1])
	if err != nil {
		return value.Null, err
	}
	return value.DateTimeFromEpoch(s, n), nil
}

func fromEpochMillis(_ Env, args []value.Value) (value.Value, error) {
	if args[0].IsNull() {
		return value.Null, nil
	}
	ms, err := intArg("datetime.fromepochmillis", "milliseconds", args[0])
	if err != nil {
		return value.Null, err
	}
	return value.DateTimeFromEpoch(0, ms*1_000_000), nil
}

// registerTemporal adds the temporal functions to r.
func registerTemporal(r *Registry) {
	add := func(name string, min, max int, fn ScalarFunc, args ...ArgKinds) {
		r.AddScalar(name, &Scalar{Name: name, MinArgs: min, MaxArgs: max, Fn: fn, Args: args})
	}
	for _, tk := range temporalKinds {
		add(tk.name, 0, 1, temporalCtor(tk.name, tk.kind), ArgString|ArgMap|ArgInstant)
		for _, clock := range []string{"realtime", "transaction", "statement"} {
			n := tk.name + "." + clock
			add(n, 0, 1, clockFn(n, tk.kind), ArgString)
		}
		n := tk.name + ".truncate"
		add(n, 2, 3, truncateFn(n, tk.kind), ArgString, ArgInstant, ArgMap)
	}
	add("duration", 1, 1, durationFn, ArgString|ArgMap|ArgDuration)
	add("datetime.fromepoch", 2, 2, fromEpoch, ArgInt, ArgInt)
	add("datetime.fromepochmillis", 1, 1, fromEpochMillis, ArgInt)
	for _, b := range []struct {
		name string
		unit value.BetweenUnit
	}{
		{"duration.between", value.BetweenAll},
		{"duration.inMonths", value.BetweenMonths},
		{"duration.inDays", value.BetweenDays},
		{"duration.inSeconds", value.BetweenSeconds},
	} {
		add(b.name, 2, 2, betweenFn(strings.ToLower(b.name), b.unit), ArgInstant, ArgInstant)
	}
}
