package functions

import (
	"testing"
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

// call invokes a registered Cypher function by name.
func callTemporal(t *testing.T, name string, args ...value.Value) (value.Value, error) {
	t.Helper()
	f, ok := Cypher().Scalar(name)
	if !ok {
		t.Fatalf("function %s is not registered", name)
	}
	if len(args) < f.MinArgs || (f.MaxArgs >= 0 && len(args) > f.MaxArgs) {
		t.Fatalf("%s: bad arity %d", name, len(args))
	}
	env := testEnv{now: time.Date(2024, 2, 29, 23, 30, 15, 123_000_000, time.UTC)}
	return f.Fn(env, args)
}

// rendered is the TCK rendering of a temporal result without quotes.
func rendered(v value.Value) string {
	if e, ok := v.Ref().(value.Ext); ok {
		return e.String()
	}
	return v.String()
}

func TestTemporalFunctions(t *testing.T) {
	dt := func(s string) value.Value {
		v, err := value.ParseTemporal(value.KindDateTime, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name string
		args []value.Value
		want string
	}{
		{"date", nil, "2024-02-29"},
		{"localtime", nil, "23:30:15.123"},
		{"time", nil, "23:30:15.123Z"},
		{"datetime", nil, "2024-02-29T23:30:15.123Z"},
		{"date", []value.Value{s("2015-W30-2")}, "2015-07-21"},
		{"date", []value.Value{m("year", i(1984), "month", i(10), "day", i(11))}, "1984-10-11"},
		{"date", []value.Value{dt("2015-07-21T23:40:32.142-04:00")}, "2015-07-21"},
		{"localdatetime", []value.Value{m("year", i(1984), "week", i(10), "dayOfWeek", i(3), "hour", i(12))}, "1984-03-07T12:00"},
		{"datetime", []value.Value{m("timezone", s("Europe/Stockholm"))}, "2024-03-01T00:30:15.123+01:00[Europe/Stockholm]"},
		{"date.realtime", []value.Value{s("+05:00")}, "2024-03-01"},
		{"localtime.statement", nil, "23:30:15.123"},
		{"datetime.transaction", nil, "2024-02-29T23:30:15.123Z"},
		{"date.truncate", []value.Value{s("month"), dt("2017-10-11T12:31:14Z")}, "2017-10-01"},
		{"datetime.truncate", []value.Value{s("day"), dt("2017-10-11T12:31:14Z"), m("timezone", s("+01:00"))}, "2017-10-11T00:00+01:00"},
		{"datetime.fromepoch", []value.Value{i(416779), i(999999999)}, "1970-01-05T19:46:19.999999999Z"},
		{"datetime.fromepochmillis", []value.Value{i(237821673987)}, "1977-07-15T13:34:33.987Z"},
		{"duration", []value.Value{m("minutes", f(1.5), "seconds", i(1))}, "PT1M31S"},
		{"duration", []value.Value{s("P14DT16H12M")}, "P14DT16H12M"},
		{"duration.between", []value.Value{dt("2018-01-01T12:00Z"), dt("2018-01-02T10:00Z")}, "PT22H"},
		{"duration.inDays", []value.Value{dt("2014-07-21T21:40:36.143+0200"), dt("2015-07-21T21:40:32.142+0100")}, "P365D"},
		{"duration.inMonths", []value.Value{dt("2014-07-21T21:40:36.143+0200"), dt("2015-07-21T21:40:32.142+0100")}, "P1Y"},
		{"duration.inSeconds", []value.Value{dt("2014-07-21T21:40:36.143+0200"), dt("2015-07-21T21:40:32.142+0100")}, "PT8760H59M55.999S"},
	}
	for _, tc := range tests {
		v, err := callTemporal(t, tc.name, tc.args...)
		if err != nil || rendered(v) != tc.want {
			t.Errorf("%s%v = %s (%v), want %s", tc.name, tc.args, rendered(v), err, tc.want)
		}
	}
}

func TestTemporalNulls(t *testing.T) {
	for _, name := range []string{"date", "time", "localtime", "localdatetime", "datetime", "duration", "date.realtime", "datetime.statement"} {
		if v, err := callTemporal(t, name, null); err != nil || !v.IsNull() {
			t.Errorf("%s(null) = %s, %v", name, v, err)
		}
	}
	for _, name := range []string{"duration.between", "duration.inMonths", "duration.inDays", "duration.inSeconds", "date.truncate"} {
		if v, err := callTemporal(t, name, null, null); err != nil || !v.IsNull() {
			t.Errorf("%s(null, null) = %s, %v", name, v, err)
		}
	}
}

func TestTemporalErrors(t *testing.T) {
	tests := []struct {
		name       string
		args       []value.Value
		kind, code string
	}{
		{"date", []value.Value{s("2015-13-45")}, KindArgumentError, CodeInvalidArgumentValue},
		{"date", []value.Value{i(3)}, KindTypeError, CodeInvalidArgumentValue},
		{"date", []value.Value{m("month", i(2))}, KindArgumentError, CodeInvalidArgumentValue},
		{"datetime", []value.Value{m("year", i(2000), "timezone", s("Mars/Olympus"))}, KindArgumentError, CodeInvalidArgumentValue},
		{"duration", []value.Value{m("eons", i(1))}, KindArgumentError, CodeInvalidArgumentValue},
		{"duration", []value.Value{tru}, KindTypeError, CodeInvalidArgumentValue},
		{"date.truncate", []value.Value{s("fortnight"), value.NewDate(2000, 1, 1)}, KindArgumentError, CodeInvalidArgumentValue},
		{"duration.between", []value.Value{i(1), value.NewDate(2000, 1, 1)}, KindTypeError, CodeInvalidArgumentValue},
	}
	for _, tc := range tests {
		_, err := callTemporal(t, tc.name, tc.args...)
		if !errIs(err, tc.kind, tc.code) {
			t.Errorf("%s%v: error %v, want %s/%s", tc.name, tc.args, err, tc.kind, tc.code)
		}
	}
}

func TestTemporalOperators(t *testing.T) {
	date := value.NewDate(1984, 10, 11)
	dur, _ := value.ParseTemporal(value.KindDuration, "P1M-14DT16H-12M70S")
	tests := []struct {
		op   func(a, b value.Value) (value.Value, error)
		a, b value.Value
		want string
	}{
		{Add, date, dur, "1984-10-28"},
		{Add, dur, date, "1984-10-28"},
		{Sub, date, dur, "1984-09-25"},
		{Add, dur, dur, "P2M-28DT31H38M20S"},
		{Sub, dur, dur, "PT0S"},
		{Mul, dur, i(2), "P2M-28DT31H38M20S"},
		{Mul, f(0.5), dur, "P8DT13H9M8S"},
		{Div, dur, i(2), "P8DT13H9M8S"},
	}
	for _, tc := range tests {
		v, err := tc.op(tc.a, tc.b)
		if err != nil || rendered(v) != tc.want {
			t.Errorf("%s op %s = %s (%v), want %s", tc.a, tc.b, rendered(v), err, tc.want)
		}
	}
	if _, err := Sub(dur, date); err == nil {
		t.Error("duration - date must be an error")
	}
	if v, err := Neg(dur); err != nil || rendered(v) != "P-1M14DT-15H-49M-10S" {
		t.Errorf("-dur = %s (%v)", rendered(v), err)
	}
}
