package value

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// TemporalError is a malformed or out-of-range temporal input; the function
// layer reports it as an ArgumentError.
type TemporalError struct{ Msg string }

// Error implements error.
func (e *TemporalError) Error() string { return e.Msg }

func terr(format string, args ...any) error {
	return &TemporalError{Msg: fmt.Sprintf(format, args...)}
}

var (
	// Calendar, week and ordinal dates, basic or extended.
	dateRe = regexp.MustCompile(`^([0-9]{4}|[+-][0-9]{4,9})(?:` +
		`-([0-9]{2})(?:-([0-9]{2}))?|` + // 2: month, 3: day
		`-W([0-9]{2})(?:-([0-9]))?|` + // 4: week, 5: dow
		`-([0-9]{3})|` + // 6: ordinal
		`([0-9]{2})([0-9]{2})?|` + // 7: month, 8: day (basic)
		`W([0-9]{2})([0-9])?|` + // 9: week, 10: dow (basic)
		`([0-9]{3})` + // 11: ordinal (basic)
		`)?$`)
	timeRe = regexp.MustCompile(`^([0-9]{2})(?:` +
		`:([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,9}))?)?|` +
		`([0-9]{2})(?:([0-9]{2})(?:[.,]([0-9]{1,9}))?)?` +
		`)?$`)
	offsetRe = regexp.MustCompile(`^([+-])([0-9]{2})(?::?([0-9]{2})(?::?([0-9]{2}))?)?$`)
)

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// parseDate parses an ISO 8601 date: 2015-07-21, 20150721, 2015-07, 2015-W30-2,
// 2015W302, 2015-W30, 2015-202, 2015202, 2015, -999999999-01-01.
func parseDate(s string) (int64, error) {
	m := dateRe.FindStringSubmatch(s)
	if m == nil {
		return 0, terr("invalid date %q", s)
	}
	y := atoi(strings.TrimPrefix(m[1], "+"))
	switch {
	case m[4] != "" || m[9] != "":
		w, d := m[4]+m[9], m[5]+m[10]
		dow := int64(1)
		if d != "" {
			dow = atoi(d)
		}
		return weekDate(y, atoi(w), dow)
	case m[6] != "" || m[11] != "":
		return ordinalDate(y, atoi(m[6]+m[11]))
	}
	mo, d := int64(1), int64(1)
	if x := m[2] + m[7]; x != "" {
		mo = atoi(x)
	}
	if x := m[3] + m[8]; x != "" {
		d = atoi(x)
	}
	return calendarDate(y, mo, d)
}

func calendarDate(y, m, d int64) (int64, error) {
	if m < 1 || m > 12 {
		return 0, terr("invalid month %d", m)
	}
	if d < 1 || d > daysInMonth(y, m) {
		return 0, terr("invalid day of month %d for %d-%02d", d, y, m)
	}
	return daysFromCivil(y, m, d), nil
}

func weekDate(wy, w, dow int64) (int64, error) {
	if w < 1 || w > weeksInYear(wy) {
		return 0, terr("invalid week %d for week-year %d", w, wy)
	}
	if dow < 1 || dow > 7 {
		return 0, terr("invalid day of week %d", dow)
	}
	return week1Start(wy) + (w-1)*7 + dow - 1, nil
}

func ordinalDate(y, od int64) (int64, error) {
	n := int64(365)
	if isLeap(y) {
		n = 366
	}
	if od < 1 || od > n {
		return 0, terr("invalid ordinal day %d for year %d", od, y)
	}
	return daysFromCivil(y, 1, 1) + od - 1, nil
}

func quarterDate(y, q, dq int64) (int64, error) {
	if q < 1 || q > 4 {
		return 0, terr("invalid quarter %d", q)
	}
	start := daysFromCivil(y, (q-1)*3+1, 1)
	end := plusMonths(start, 3)
	if dq < 1 || dq > end-start {
		return 0, terr("invalid day of quarter %d", dq)
	}
	return start + dq - 1, nil
}

// parseLocalTime parses 21:40:32.142, 214032.142, 21:40, 2140, 21.
func parseLocalTime(s string) (int64, error) {
	m := timeRe.FindStringSubmatch(s)
	if m == nil {
		return 0, terr("invalid time %q", s)
	}
	h, mi, sec := atoi(m[1]), atoi(m[2]+m[5]), atoi(m[3]+m[6])
	frac := m[4] + m[7]
	var ns int64
	if frac != "" {
		ns = atoi(frac + strings.Repeat("0", 9-len(frac)))
	}
	return timeOfDay(h, mi, sec, ns)
}

func timeOfDay(h, mi, s, ns int64) (int64, error) {
	if h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59 || ns < 0 || ns >= nanosPerSecond {
		return 0, terr("invalid time of day %02d:%02d:%02d.%09d", h, mi, s, ns)
	}
	return ((h*60+mi)*60+s)*nanosPerSecond + ns, nil
}

// zoneSpec is a parsed time zone: a fixed offset or a named zone.
type zoneSpec struct {
	offset int32
	name   string // IANA name, or "" for a fixed offset
}

// parseOffset parses Z, +01, +0100, +01:00, -02:05:07.
func parseOffset(s string) (int32, bool) {
	if s == "Z" || s == "z" {
		return 0, true
	}
	m := offsetRe.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	off := atoi(m[2])*3600 + atoi(m[3])*60 + atoi(m[4])
	if atoi(m[2]) > 18 || atoi(m[3]) > 59 || atoi(m[4]) > 59 || off > 18*3600 {
		return 0, false
	}
	if m[1] == "-" {
		off = -off
	}
	return int32(off), true
}

// parseZone parses a timezone argument: an offset or an IANA zone name.
func parseZone(s string) (zoneSpec, error) {
	if off, ok := parseOffset(s); ok {
		return zoneSpec{offset: off}, nil
	}
	if _, ok := loadZone(s); ok {
		return zoneSpec{name: s}, nil
	}
	return zoneSpec{}, terr("invalid time zone %q", s)
}

// splitTimeZone splits "21:40:32.142+01:00[Europe/Stockholm]" into the
// time, the offset and the zone name.
func splitTimeZone(s string) (tm, off, zone string, err error) {
	if i := strings.IndexByte(s, '['); i >= 0 {
		if !strings.HasSuffix(s, "]") {
			return "", "", "", terr("invalid time zone in %q", s)
		}
		zone = s[i+1 : len(s)-1]
		s = s[:i]
	}
	if i := strings.IndexAny(s, "Zz+-"); i >= 0 {
		return s[:i], s[i:], zone, nil
	}
	return s, "", zone, nil
}

// ParseTemporal parses an ISO 8601 string into a value of the given
// temporal kind: dates (2015-07-21, 2015-W30-2, 2015-202), times
// (21:40:32.142, 214032+0100), local and zoned date-times
// (2015-07-21T21:40:32.142+01:00[Europe/London]) and durations
// (P1Y2M10DT12H45M30.25S, PT0.75M, P2012-02-02T14:37:21.545).
func ParseTemporal(kind Kind, s string) (Value, error) {
	s = strings.TrimSpace(s)
	switch kind {
	case KindDuration:
		return parseDuration(s)
	case KindDate:
		d, err := parseDate(s)
		if err != nil {
			return Null, err
		}
		return mkTemporal(KindDate, d, 0, 0, ""), nil
	case KindLocalTime, KindTime:
		tm, off, zone, err := splitTimeZone(s)
		if err != nil {
			return Null, err
		}
		ns, err := parseLocalTime(tm)
		if err != nil {
			return Null, err
		}
		if kind == KindLocalTime {
			return mkTemporal(KindLocalTime, 0, ns, 0, ""), nil
		}
		t := Temporal{kind: KindTime, nanos: ns}
		if err := t.applyZoneText(off, zone, time.Now().Unix()/secondsPerDay); err != nil {
			return Null, err
		}
		t.zone = ""
		return t.value(), nil
	case KindLocalDateTime, KindDateTime:
		ds, ts := s, ""
		if i := strings.IndexAny(s, "Tt"); i >= 0 {
			ds, ts = s[:i], s[i+1:]
		}
		var off, zone string
		if kind == KindDateTime {
			var err error
			if ts == "" {
				if i := strings.IndexByte(ds, '['); i >= 0 {
					ds, zone = ds[:i], strings.TrimSuffix(ds[i+1:], "]")
				}
			} else if ts, off, zone, err = splitTimeZone(ts); err != nil {
				return Null, err
			}
		}
		d, err := parseDate(ds)
		if err != nil {
			return Null, err
		}
		var ns int64
		if ts != "" {
			if ns, err = parseLocalTime(ts); err != nil {
				return Null, err
			}
		}
		t := Temporal{kind: kind, days: d, nanos: ns}
		if kind == KindDateTime {
			if err := t.applyZoneText(off, zone, d); err != nil {
				return Null, err
			}
		}
		return t.value(), nil
	}
	return Null, terr("%s is not a temporal type", kind)
}

// applyZoneText sets the offset and zone of a parsed zoned value: a named
// zone resolves the offset from the local date-time (preferring a given
// offset where valid); without either the value is in UTC.
func (t *Temporal) applyZoneText(off, zone string, day int64) error {
	var o int32
	hasOff := off != ""
	if hasOff {
		var ok bool
		if o, ok = parseOffset(off); !ok {
			return terr("invalid offset %q", off)
		}
	}
	t.offset = o
	if zone == "" {
		return nil
	}
	if _, ok := loadZone(zone); !ok {
		return terr("invalid time zone %q", zone)
	}
	t.zone = zone
	if t.kind == KindTime {
		if !hasOff {
			loc, _ := loadZone(zone)
			t.offset, _ = resolveLocal(loc, day*secondsPerDay+t.nanos/nanosPerSecond, 0, false)
		}
		return nil
	}
	*t = t.resolve(hasOff)
	return nil
}

var (
	durUnitRe = regexp.MustCompile(`^([-+]?)P(?:([-+]?[0-9]+(?:[.,][0-9]+)?)Y)?(?:([-+]?[0-9]+(?:[.,][0-9]+)?)M)?(?:([-+]?[0-9]+(?:[.,][0-9]+)?)W)?(?:([-+]?[0-9]+(?:[.,][0-9]+)?)D)?` +
		`(T(?:([-+]?[0-9]+(?:[.,][0-9]+)?)H)?(?:([-+]?[0-9]+(?:[.,][0-9]+)?)M)?(?:([-+]?[0-9]+)(?:[.,]([0-9]{1,9}))?S)?)?$`)
	durDateRe = regexp.MustCompile(`^([-+]?)P([0-9]{4})-?([0-9]{2})-?([0-9]{2})(?:T([0-9]{2}):?([0-9]{2}):?([0-9]{2})(?:[.,]([0-9]{1,9}))?)?$`)
)

// parseDuration parses ISO 8601 durations, unit-based (P1Y2M3W4DT5H6M7.8S,
// a fraction allowed on the smallest unit given) or date-based
// (P2012-02-02T14:37:21.545).
func parseDuration(s string) (Value, error) {
	if m := durDateRe.FindStringSubmatch(s); m != nil {
		sign := int64(1)
		if m[1] == "-" {
			sign = -1
		}
		months := atoi(m[2])*12 + atoi(m[3])
		secs := atoi(m[5])*3600 + atoi(m[6])*60 + atoi(m[7])
		var ns int64
		if m[8] != "" {
			ns = atoi(m[8] + strings.Repeat("0", 9-len(m[8])))
		}
		return NewDuration(sign*months, sign*atoi(m[4]), sign*secs, sign*ns), nil
	}
	m := durUnitRe.FindStringSubmatch(s)
	if m == nil || s == "P" || strings.HasSuffix(s, "T") || (m[2] == "" && m[3] == "" && m[4] == "" && m[5] == "" && m[6] == "") {
		return Null, terr("invalid duration %q", s)
	}
	sign := 1.0
	if m[1] == "-" {
		sign = -1
	}
	// Amounts in fields: years, months, weeks, days, hours, minutes.
	fields := []string{m[2], m[3], m[4], m[5], m[7], m[8]}
	fractional := false
	for _, f := range fields {
		fractional = fractional || strings.ContainsAny(f, ".,")
	}
	secStr, sub := m[9], m[10]
	var ns int64
	if sub != "" {
		ns = atoi(sub + strings.Repeat("0", 9-len(sub)))
		if strings.HasPrefix(secStr, "-") {
			ns = -ns
		}
	}
	if !fractional {
		y, mo, w, d, h, mi := atoi(m[2]), atoi(m[3]), atoi(m[4]), atoi(m[5]), atoi(m[7]), atoi(m[8])
		sg := int64(sign)
		return NewDuration(sg*(y*12+mo), sg*(w*7+d), sg*(h*3600+mi*60+atoi(secStr)), sg*ns), nil
	}
	fl := func(x string) float64 {
		f, _ := strconv.ParseFloat(strings.Replace(x, ",", ".", 1), 64)
		return f
	}
	months := fl(m[2])*12 + fl(m[3])
	days := fl(m[4])*7 + fl(m[5])
	secs := fl(m[7])*3600 + fl(m[8])*60 + fl(secStr)
	return ApproximateDuration(sign*months, sign*days, sign*secs, sign*float64(ns)), nil
}
