package value

import (
	"testing"
	"time"
)

func mustParse(t *testing.T, k Kind, s string) Value {
	t.Helper()
	v, err := ParseTemporal(k, s)
	if err != nil {
		t.Fatalf("ParseTemporal(%s, %q): %v", k, s, err)
	}
	return v
}

func TestParseTemporalRendering(t *testing.T) {
	tests := []struct {
		kind Kind
		in   string
		want string
	}{
		{KindDate, "2015-07-21", "2015-07-21"},
		{KindDate, "20150721", "2015-07-21"},
		{KindDate, "2015-07", "2015-07-01"},
		{KindDate, "2015-W30-2", "2015-07-21"},
		{KindDate, "2015W30", "2015-07-20"},
		{KindDate, "2015202", "2015-07-21"},
		{KindDate, "2015", "2015-01-01"},
		{KindDate, "-999999999-01-01", "-999999999-01-01"},
		{KindDate, "+999999999-12-31", "+999999999-12-31"},
		{KindLocalTime, "214032.142", "21:40:32.142"},
		{KindLocalTime, "21", "21:00"},
		{KindLocalTime, "12:31:14.645876", "12:31:14.645876"},
		{KindTime, "2140-00:00", "21:40Z"},
		{KindTime, "22+18:00", "22:00+18:00"},
		{KindTime, "21:40:32", "21:40:32Z"},
		{KindLocalDateTime, "2015-W30-2T214032.142", "2015-07-21T21:40:32.142"},
		{KindDateTime, "2015202T21+18:00", "2015-07-21T21:00+18:00"},
		{KindDateTime, "2015-07-21T21:40:32.142[Europe/London]", "2015-07-21T21:40:32.142+01:00[Europe/London]"},
		{KindDateTime, "2015-07-21T21:40:32.142+0845[Australia/Eucla]", "2015-07-21T21:40:32.142+08:45[Australia/Eucla]"},
		{KindDuration, "P5M1.5D", "P5M1DT12H"},
		{KindDuration, "P0.75M", "P22DT19H51M49.5S"},
		{KindDuration, "PT0.75M", "PT45S"},
		{KindDuration, "P2.5W", "P17DT12H"},
		{KindDuration, "P12Y5M14DT16H12M70S", "P12Y5M14DT16H13M10S"},
		{KindDuration, "P2012-02-02T14:37:21.545", "P2012Y2M2DT14H37M21.545S"},
		{KindDuration, "-PT1.5S", "PT-1.5S"},
	}
	for _, tc := range tests {
		if got := mustParse(t, tc.kind, tc.in).Ref().(Ext).String(); got != tc.want {
			t.Errorf("%s %q: got %s, want %s", tc.kind, tc.in, got, tc.want)
		}
	}
}

func TestParseTemporalErrors(t *testing.T) {
	for _, tc := range []struct {
		kind Kind
		in   string
	}{
		{KindDate, "2015-13-01"}, {KindDate, "2015-02-30"}, {KindDate, "15-01-01"},
		{KindLocalTime, "25:00"}, {KindTime, "12:00+25:00"}, {KindDateTime, "2015-07-21T12:00[No/Such_Zone]"},
		{KindDuration, "P"}, {KindDuration, "PT"}, {KindDuration, "1D"},
	} {
		if _, err := ParseTemporal(tc.kind, tc.in); err == nil {
			t.Errorf("%s %q: expected an error", tc.kind, tc.in)
		}
	}
}

func TestDurationString(t *testing.T) {
	tests := []struct {
		months, days, secs, nanos int64
		want                      string
	}{
		{0, 0, 0, 0, "PT0S"},
		{12*12 + 5, -14, 16 * 3600, 0, "P12Y5M-14DT16H"},
		{0, 0, 2, -1_000_000, "PT1.999S"},
		{0, 0, -2, 1_000_000, "PT-1.999S"},
		{0, 0, -60, -1_000_000, "PT-1M-0.001S"},
		{0, 1, 0, -1_000_000, "P1DT-0.001S"},
		{-6, -15, -(17*3600 + 45*60 + 3), -500_000_002, "P-6M-15DT-17H-45M-3.500000002S"},
	}
	for _, tc := range tests {
		if got := NewDuration(tc.months, tc.days, tc.secs, tc.nanos).Ref().(Ext).String(); got != tc.want {
			t.Errorf("duration(%d, %d, %d, %d) = %s, want %s", tc.months, tc.days, tc.secs, tc.nanos, got, tc.want)
		}
	}
}

func TestCalendar(t *testing.T) {
	for _, tc := range []struct {
		y, m, d       int64
		wy, w, dow    int64
		weeksInWYYear int64
	}{
		{1984, 1, 1, 1983, 52, 7, 52},
		{1984, 10, 11, 1984, 41, 4, 52},
		{1816, 12, 31, 1817, 1, 2, 52},
		{2020, 12, 31, 2020, 53, 4, 53},
		{-1, 3, 1, -1, 9, 1, 52},
	} {
		days := daysFromCivil(tc.y, tc.m, tc.d)
		if y, m, d := civilFromDays(days); y != tc.y || m != tc.m || d != tc.d {
			t.Errorf("round trip %d-%d-%d: %d-%d-%d", tc.y, tc.m, tc.d, y, m, d)
		}
		wy, w := isoWeek(days)
		if wy != tc.wy || w != tc.w || dayOfWeek(days) != tc.dow {
			t.Errorf("%d-%d-%d: week %d-W%d-%d, want %d-W%d-%d", tc.y, tc.m, tc.d, wy, w, dayOfWeek(days), tc.wy, tc.w, tc.dow)
		}
		if n := weeksInYear(wy); n != tc.weeksInWYYear {
			t.Errorf("weeks in %d: %d", wy, n)
		}
	}
	if got := plusMonths(daysFromCivil(1984, 1, 31), 1); got != daysFromCivil(1984, 2, 29) {
		y, m, d := civilFromDays(got)
		t.Errorf("Jan 31 + 1 month = %d-%d-%d", y, m, d)
	}
}

func TestCompareAndEqual(t *testing.T) {
	a := mustParse(t, KindTime, "10:00+01:00")
	b := mustParse(t, KindTime, "09:35Z")
	if c, ok := Less(a, b); !ok || c != -1 {
		t.Errorf("10:00+01:00 < 09:35Z: %d %v", c, ok)
	}
	x := mustParse(t, KindDateTime, "2018-01-01T01:00+01:00")
	y := mustParse(t, KindDateTime, "2018-01-01T00:00Z")
	if e, _ := Equal(x, y); !e || testSeed.Hash(x) != testSeed.Hash(y) {
		t.Error("same instant must be equal with equal hashes")
	}
	d1 := mustParse(t, KindDuration, "PT70S")
	d2 := mustParse(t, KindDuration, "PT1M10S")
	if e, _ := Equal(d1, d2); !e {
		t.Error("PT70S = PT1M10S")
	}
	if _, ok := Less(d1, d2); ok {
		t.Error("durations are not ordered by <")
	}
	if e, _ := Equal(d1, mustParse(t, KindDate, "2015-01-01")); e {
		t.Error("a duration never equals a date")
	}
}

func TestArithmetic(t *testing.T) {
	dur := mustParse(t, KindDuration, "P12Y5M14DT16H13M10.000000002S")
	tests := []struct {
		kind          Kind
		in, sum, diff string
	}{
		{KindDate, "1984-10-11", "1997-03-25", "1972-04-27"},
		{KindLocalTime, "12:31:14.000000001", "04:44:24.000000003", "20:18:03.999999999"},
		{KindLocalDateTime, "1984-10-11T12:31:14.000000001", "1997-03-26T04:44:24.000000003", "1972-04-26T20:18:03.999999999"},
		{KindDateTime, "1984-10-11T12:31:14.000000001+01:00", "1997-03-26T04:44:24.000000003+01:00", "1972-04-26T20:18:03.999999999+01:00"},
	}
	for _, tc := range tests {
		v := mustParse(t, tc.kind, tc.in)
		sum, ok, err := temporalArith("+", v, dur)
		if !ok || err != nil || sum.Ref().(Ext).String() != tc.sum {
			t.Errorf("%s + dur = %v (%v %v), want %s", tc.in, sum, ok, err, tc.sum)
		}
		diff, ok, err := temporalArith("-", v, dur)
		if !ok || err != nil || diff.Ref().(Ext).String() != tc.diff {
			t.Errorf("%s - dur = %v, want %s", tc.in, diff, tc.diff)
		}
	}
	half, _, _ := temporalArith("/", mustParse(t, KindDuration, "P12Y5M14DT16H13M10.000000001S"), Int(2))
	if got := half.Ref().(Ext).String(); got != "P6Y2M22DT13H21M8S" {
		t.Errorf("duration / 2 = %s", got)
	}
	if _, ok, _ := temporalArith("-", dur, mustParse(t, KindDate, "2015-01-01")); ok {
		t.Error("duration - date is not defined")
	}
	// Across a daylight saving change, days move the wall clock and
	// seconds the instant.
	dt := mustParse(t, KindDateTime, "2017-10-28T12:00[Europe/Stockholm]")
	for _, tc := range []struct{ dur, want string }{
		{"P1D", "2017-10-29T12:00+01:00[Europe/Stockholm]"},
		{"PT24H", "2017-10-29T11:00+01:00[Europe/Stockholm]"},
	} {
		v, _, _ := temporalArith("+", dt, mustParse(t, KindDuration, tc.dur))
		if got := v.Ref().(Ext).String(); got != tc.want {
			t.Errorf("%s + %s = %s, want %s", dt, tc.dur, got, tc.want)
		}
	}
}

func TestBuildTemporal(t *testing.T) {
	now := time.Date(2020, 5, 6, 7, 8, 9, 0, time.UTC)
	date := mustParse(t, KindDate, "1816-12-31")
	sthlm := mustParse(t, KindDateTime, "1984-10-11T12:00[Europe/Stockholm]")
	tests := []struct {
		kind Kind
		m    map[string]Value
		want string
	}{
		{KindDate, map[string]Value{"year": Int(1817), "week": Int(1), "dayOfWeek": Int(2)}, "1816-12-31"},
		{KindDate, map[string]Value{"date": date, "week": Int(2)}, "1817-01-07"},
		{KindDate, map[string]Value{"year": Int(1984), "quarter": Int(3), "dayOfQuarter": Int(45)}, "1984-08-14"},
		{KindDate, map[string]Value{"year": Int(1984), "ordinalDay": Int(202)}, "1984-07-20"},
		{KindLocalTime, map[string]Value{"hour": Int(12), "millisecond": Int(123), "microsecond": Int(456), "nanosecond": Int(789)}, "12:00:00.123456789"},
		{KindTime, map[string]Value{"hour": Int(12), "timezone": Str("-02:05:07")}, "12:00-02:05:07"},
		{KindDateTime, map[string]Value{"year": Int(1984), "timezone": Str("Europe/Stockholm")}, "1984-01-01T00:00+01:00[Europe/Stockholm]"},
		{KindDateTime, map[string]Value{"datetime": sthlm, "timezone": Str("+05:00")}, "1984-10-11T16:00+05:00"},
		{KindTime, map[string]Value{"time": sthlm}, "12:00+01:00"},
		{KindDateTime, map[string]Value{"epochSeconds": Int(416779), "nanosecond": Int(999999999)}, "1970-01-05T19:46:19.999999999Z"},
		{KindDateTime, map[string]Value{}, "2020-05-06T07:08:09Z"},
		{KindLocalTime, map[string]Value{"timezone": Str("+01:00")}, ""},
	}
	for _, tc := range tests {
		v, err := BuildTemporal(tc.kind, tc.m, now)
		if tc.want == "" {
			if err == nil {
				t.Errorf("%s(%v): expected an error, got %s", tc.kind, tc.m, v)
			}
			continue
		}
		if err != nil || v.Ref().(Ext).String() != tc.want {
			t.Errorf("%s(%v) = %s (%v), want %s", tc.kind, tc.m, v, err, tc.want)
		}
	}
}

func TestTruncateTemporal(t *testing.T) {
	dt := mustParse(t, KindDateTime, "2017-10-11T12:31:14.645876123-01:00")
	tests := []struct {
		kind Kind
		unit string
		m    map[string]Value
		want string
	}{
		{KindDate, "millennium", map[string]Value{"day": Int(2)}, "2000-01-02"},
		{KindDate, "weekYear", nil, "2017-01-02"},
		{KindDateTime, "week", map[string]Value{"timezone": Str("Europe/Stockholm")}, "2017-10-09T00:00+02:00[Europe/Stockholm]"},
		{KindLocalTime, "millisecond", map[string]Value{"nanosecond": Int(2)}, "12:31:14.645000002"},
		{KindTime, "hour", map[string]Value{"timezone": Str("+01:00")}, "12:00+01:00"},
		{KindDate, "hour", nil, ""},
	}
	for _, tc := range tests {
		v, err := TruncateTemporal(tc.kind, tc.unit, dt, tc.m, time.Time{})
		if tc.want == "" {
			if err == nil {
				t.Errorf("truncate %s %s: expected an error", tc.kind, tc.unit)
			}
			continue
		}
		if err != nil || v.Ref().(Ext).String() != tc.want {
			t.Errorf("truncate %s %s %v = %s (%v), want %s", tc.kind, tc.unit, tc.m, v, err, tc.want)
		}
	}
}

func TestDurationBetween(t *testing.T) {
	tests := []struct {
		unit BetweenUnit
		ka   Kind
		a    string
		kb   Kind
		b    string
		want string
	}{
		{BetweenAll, KindDate, "1984-10-11", KindDate, "2015-06-24", "P30Y8M13D"},
		{BetweenAll, KindDateTime, "2014-07-21T21:40:36.143+0200", KindDate, "2015-06-24", "P11M2DT2H19M23.857S"},
		{BetweenAll, KindTime, "14:30", KindDateTime, "2015-07-21T21:40:32.142+0100", "PT6H10M32.142S"},
		{BetweenMonths, KindDateTime, "2018-07-21T21:40:36.143+0500", KindDateTime, "1984-07-21T22:40:36.143+0200", "P-33Y-11M"},
		{BetweenDays, KindLocalDateTime, "2015-07-21T21:40:32.142", KindDate, "2015-06-24", "P-27D"},
		{BetweenSeconds, KindLocalTime, "12:44:54.7", KindLocalTime, "12:34:55.3", "PT-9M-59.4S"},
		{BetweenSeconds, KindLocalDateTime, "-999999999-01-01", KindLocalDateTime, "+999999999-12-31T23:59:59", "PT17531639991215H59M59S"},
		{BetweenAll, KindDateTime, "2017-10-28T23:00+02:00[Europe/Stockholm]", KindDateTime, "2017-10-29T04:00+01:00[Europe/Stockholm]", "PT6H"},
		{BetweenMonths, KindLocalTime, "14:30", KindDate, "2015-06-24", "PT0S"},
	}
	for _, tc := range tests {
		v, err := DurationBetween(tc.unit, mustParse(t, tc.ka, tc.a), mustParse(t, tc.kb, tc.b))
		if err != nil || v.Ref().(Ext).String() != tc.want {
			t.Errorf("between(%d, %s, %s) = %s (%v), want %s", tc.unit, tc.a, tc.b, v, err, tc.want)
		}
	}
}

func TestComponents(t *testing.T) {
	dt := mustParse(t, KindDateTime, "1984-11-11T12:31:14.645876123[Europe/Stockholm]")
	d := mustParse(t, KindDuration, "P1Y4M10DT1H1M1.111111111S")
	tests := []struct {
		v    Value
		name string
		want Value
	}{
		{dt, "week", Int(45)}, {dt, "dayOfQuarter", Int(42)}, {dt, "weekDay", Int(7)},
		{dt, "timezone", Str("Europe/Stockholm")}, {dt, "offsetMinutes", Int(60)},
		{dt, "epochMillis", Int(469020674645)}, {dt, "microsecond", Int(645876)},
		{d, "quarters", Int(5)}, {d, "minutes", Int(61)}, {d, "monthsOfQuarter", Int(1)},
		{d, "millisecondsOfSecond", Int(111)}, {d, "nanoseconds", Int(3661111111111)},
	}
	for _, tc := range tests {
		c := tc.v.Ref().(interface {
			Component(string) (Value, bool)
		})
		got, ok := c.Component(tc.name)
		if !ok || !Equivalent(got, tc.want) {
			t.Errorf("%s.%s = %s, want %s", tc.v, tc.name, got, tc.want)
		}
	}
}

func TestRFC3339AndInstant(t *testing.T) {
	v, ok := ParseRFC3339DateTime("2026-01-01T01:00:00+01:00")
	if !ok || v.Kind() != KindDateTime {
		t.Fatalf("parse: %v %v", v, ok)
	}
	if got, _ := InstantOf(v); !got.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("instant %v", got)
	}
	if _, ok := ParseRFC3339DateTime("2026-01-01"); ok {
		t.Error("a date is not an RFC 3339 timestamp")
	}
	if sp, ok := SpanOf(NewDuration(0, 1, 30, 0)); !ok || sp != 24*time.Hour+30*time.Second {
		t.Errorf("span %v", sp)
	}
}
