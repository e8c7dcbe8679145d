package value

import (
	"math"
	"strings"
	"time"
)

// work is a temporal value under construction.
type work struct {
	days     int64
	hasDate  bool
	nanos    int64
	hasTime  bool
	offset   int32
	zone     string
	hasZone  bool
	resolved bool // offset already resolved (zone taken from a value)
	sawField bool // the map named a date or time field
}

func kindHas(k Kind) (date, tm, zone bool) {
	t := Temporal{kind: k}
	return t.hasDate(), t.hasTime(), t.hasZone()
}

var dateKeys = []string{"year", "month", "day", "week", "dayofweek", "quarter", "dayofquarter", "ordinalday"}
var timeKeys = []string{"hour", "minute", "second", "millisecond", "microsecond", "nanosecond"}

// normKeys lower-cases the map's keys, rejecting unknown ones.
func normKeys(m map[string]Value, allowed ...string) (map[string]Value, error) {
	out := make(map[string]Value, len(m))
	for k, v := range m {
		lk := strings.ToLower(k)
		ok := false
		for _, a := range allowed {
			ok = ok || a == lk
		}
		if !ok {
			return nil, terr("unknown temporal field %q", k)
		}
		out[lk] = v
	}
	return out, nil
}

func intField(m map[string]Value, k string) (int64, bool, error) {
	v, ok := m[k]
	if !ok || v.IsNull() {
		return 0, false, nil
	}
	switch v.Kind() {
	case KindInt:
		return v.AsInt(), true, nil
	case KindFloat:
		f := v.AsFloat()
		if f == math.Trunc(f) {
			return int64(f), true, nil
		}
	}
	return 0, false, terr("temporal field %s must be an integer, got %s", k, v)
}

// temporalArg returns the temporal payload of a base value (date: x,
// time: x, datetime: x).
func temporalArg(m map[string]Value, k string) (Temporal, bool, error) {
	v, ok := m[k]
	if !ok || v.IsNull() {
		return Temporal{}, false, nil
	}
	t, ok := v.payload().(Temporal)
	if !ok {
		return Temporal{}, false, terr("%s must be a temporal value, got %s", k, v)
	}
	return t, true, nil
}

// now returns the current time as a temporal of kind k in zone tz (UTC when
// tz is empty).
func nowIn(k Kind, now time.Time, tz *zoneSpec) (Temporal, error) {
	sec, nano := now.Unix(), int64(now.Nanosecond())
	like := Temporal{kind: KindDateTime}
	if tz != nil {
		like.offset, like.zone = tz.offset, tz.name
	}
	t := instantOf(sec, nano, like)
	t.kind = k
	if !t.hasZone() {
		t.offset, t.zone = 0, ""
	}
	if k == KindTime {
		t.zone = ""
	}
	return t, nil
}

// NowTemporal is the current time (the engine clock now) as a temporal of
// kind k, in the zone named by tz (an offset or IANA name; "" for UTC).
func NowTemporal(k Kind, now time.Time, tz string) (Value, error) {
	var spec *zoneSpec
	if tz != "" {
		z, err := parseZone(tz)
		if err != nil {
			return Null, err
		}
		spec = &z
	}
	t, err := nowIn(k, now, spec)
	if err != nil {
		return Null, err
	}
	return t.value(), nil
}

// BuildTemporal constructs a temporal of kind k from a map, as the Cypher
// functions date({...}), time({...}) and friends do: calendar
// ({year, month, day}), week ({year, week, dayOfWeek}), quarter ({year,
// quarter, dayOfQuarter}) and ordinal ({year, ordinalDay}) dates, time
// fields (hour ... nanosecond), a timezone, components selected from other
// temporals ({date: d, time: t, datetime: dt}, overridden by any explicit
// field), and for datetimes {epochSeconds, nanosecond} or {epochMillis}. A
// map naming no field (and no base) means now.
func BuildTemporal(k Kind, m map[string]Value, now time.Time) (Value, error) {
	hasD, hasT, hasZ := kindHas(k)
	allowed := []string{}
	if hasD {
		allowed = append(allowed, dateKeys...)
		allowed = append(allowed, "date")
	}
	if hasT {
		allowed = append(allowed, timeKeys...)
		allowed = append(allowed, "time")
	}
	if hasD && hasT {
		allowed = append(allowed, "datetime")
	}
	if hasZ {
		allowed = append(allowed, "timezone")
	}
	if k == KindDateTime {
		allowed = append(allowed, "epochseconds", "epochmillis")
	}
	m, err := normKeys(m, allowed...)
	if err != nil {
		return Null, err
	}
	var tz *zoneSpec
	if v, ok := m["timezone"]; ok && !v.IsNull() {
		if v.Kind() != KindString {
			return Null, terr("timezone must be a string, got %s", v)
		}
		z, err := parseZone(v.AsString())
		if err != nil {
			return Null, err
		}
		tz = &z
	}
	if _, ok := m["epochseconds"]; ok {
		return fromEpochMap(m, tz)
	}
	if _, ok := m["epochmillis"]; ok {
		return fromEpochMap(m, tz)
	}
	var w work
	dt, hasDT, err := temporalArg(m, "datetime")
	if err != nil {
		return Null, err
	}
	dateBase, hasDateBase, err := temporalArg(m, "date")
	if err != nil {
		return Null, err
	}
	timeBase, hasTimeBase, err := temporalArg(m, "time")
	if err != nil {
		return Null, err
	}
	if hasDT {
		if !hasDateBase && dt.hasDate() {
			dateBase, hasDateBase = dt, true
		}
		if !hasTimeBase {
			timeBase, hasTimeBase = dt, true
		}
	}
	// A base with a zone is completed in its own zone, then converted to
	// the requested one (same instant).
	var convertTo *zoneSpec
	if tz != nil && hasTimeBase && timeBase.hasZone() {
		convertTo = tz
	}
	if hasDateBase {
		if !dateBase.hasDate() {
			return Null, terr("cannot select a date from %s", dateBase)
		}
		w.days, w.hasDate = dateBase.days, true
	}
	if hasTimeBase {
		if timeBase.hasTime() {
			w.nanos, w.hasTime = timeBase.nanos, true
		} else if !hasDT {
			return Null, terr("cannot select a time from %s", timeBase)
		}
		if timeBase.hasZone() {
			w.offset, w.zone, w.hasZone, w.resolved = timeBase.offset, timeBase.zone, true, true
		}
	}
	if tz != nil && convertTo == nil {
		w.offset, w.zone, w.hasZone = tz.offset, tz.name, true
	}
	if err := w.apply(m, hasD, hasT, false); err != nil {
		return Null, err
	}
	if !w.sawField && !hasDateBase && !hasTimeBase {
		t, err := nowIn(k, now, tz)
		if err != nil {
			return Null, err
		}
		return t.value(), nil
	}
	if convertTo != nil {
		src := KindTime
		if w.hasDate {
			src = KindDateTime
		}
		v, err := w.finish(src, now)
		if err != nil {
			return Null, err
		}
		t := convertZone(v.payload().(Temporal), *convertTo)
		t.kind = k
		if k == KindTime {
			t.zone = ""
		}
		return t.value(), nil
	}
	return w.finish(k, now)
}

// convertZone shows a zoned temporal in another zone, keeping the instant.
func convertZone(t Temporal, z zoneSpec) Temporal {
	if t.kind == KindTime {
		off := z.offset
		if z.name != "" {
			loc, _ := loadZone(z.name)
			off = offsetAt(loc, time.Now().Unix())
		}
		t.nanos = floorMod(t.nanos+int64(off-t.offset)*nanosPerSecond, nanosPerDay)
		t.offset = off
		return t
	}
	s, n := t.epoch()
	return instantOf(s, n, Temporal{kind: KindDateTime, offset: z.offset, zone: z.name})
}

// apply applies the date and time fields of m over the base in w. With
// additive, sub-second fields add to the base's fraction (truncate).
func (w *work) apply(m map[string]Value, hasD, hasT, additive bool) error {
	get := func(k string) (int64, bool, error) { return intField(m, k) }
	if hasD {
		year, hy, err := get("year")
		if err != nil {
			return err
		}
		vals := map[string]int64{}
		present := map[string]bool{}
		for _, k := range dateKeys[1:] {
			v, ok, err := get(k)
			if err != nil {
				return err
			}
			vals[k], present[k] = v, ok
		}
		any := hy
		for _, ok := range present {
			any = any || ok
		}
		if any {
			w.sawField = true
			var by, bm, bd, bwy, bw, bdow int64
			if w.hasDate {
				by, bm, bd = civilFromDays(w.days)
				bwy, bw = isoWeek(w.days)
				bdow = dayOfWeek(w.days)
			}
			pick := func(k string, base, def int64) int64 {
				if present[k] {
					return vals[k]
				}
				if w.hasDate {
					return base
				}
				return def
			}
			var days int64
			switch {
			case present["week"] || present["dayofweek"]:
				if !hy && !w.hasDate {
					return terr("a week date needs a year")
				}
				wy := bwy
				if hy {
					wy = year
				}
				days, err = weekDate(wy, pick("week", bw, 1), pick("dayofweek", bdow, 1))
			case present["quarter"] || present["dayofquarter"]:
				if !hy && !w.hasDate {
					return terr("a quarter date needs a year")
				}
				y := by
				if hy {
					y = year
				}
				var bq, bdq int64
				if w.hasDate {
					bq = (bm-1)/3 + 1
					bdq = w.days - daysFromCivil(by, (bq-1)*3+1, 1) + 1
				}
				days, err = quarterDate(y, pick("quarter", bq, 1), pick("dayofquarter", bdq, 1))
			case present["ordinalday"]:
				if !hy && !w.hasDate {
					return terr("an ordinal date needs a year")
				}
				y := by
				if hy {
					y = year
				}
				days, err = ordinalDate(y, vals["ordinalday"])
			default:
				if !hy && !w.hasDate {
					return terr("a date needs a year")
				}
				y := by
				if hy {
					y = year
				}
				days, err = calendarDate(y, pick("month", bm, 1), pick("day", bd, 1))
			}
			if err != nil {
				return err
			}
			w.days, w.hasDate = days, true
		}
	}
	if hasT {
		vals := map[string]int64{}
		present := map[string]bool{}
		any := false
		for _, k := range timeKeys {
			v, ok, err := get(k)
			if err != nil {
				return err
			}
			vals[k], present[k] = v, ok
			any = any || ok
		}
		if any {
			w.sawField = true
			bs := w.nanos / nanosPerSecond
			bf := w.nanos % nanosPerSecond
			pick := func(k string, base int64) int64 {
				if present[k] {
					return vals[k]
				}
				return base
			}
			if !w.hasTime {
				bs, bf = 0, 0
			}
			h := pick("hour", bs/3600)
			mi := pick("minute", bs/60%60)
			s := pick("second", bs%60)
			frac := bf
			if present["millisecond"] || present["microsecond"] || present["nanosecond"] {
				sub := vals["millisecond"]*1_000_000 + vals["microsecond"]*1000 + vals["nanosecond"]
				if (present["millisecond"] || present["microsecond"]) && (vals["nanosecond"] < 0 || vals["nanosecond"] > 999) {
					return terr("nanosecond out of range: %d", vals["nanosecond"])
				}
				if additive {
					frac += sub
				} else {
					frac = sub
				}
			}
			ns, err := timeOfDay(h, mi, s, frac)
			if err != nil {
				return err
			}
			w.nanos, w.hasTime = ns, true
		}
	}
	return nil
}

// finish turns the work into a value of kind k.
func (w *work) finish(k Kind, now time.Time) (Value, error) {
	hasD, hasT, hasZ := kindHas(k)
	if hasD && !w.hasDate {
		return Null, terr("%s needs a date", strings.ToLower(k.String()))
	}
	t := Temporal{kind: k}
	if hasD {
		t.days = w.days
	}
	if hasT {
		t.nanos = w.nanos
	}
	if hasZ && w.hasZone {
		t.offset, t.zone = w.offset, w.zone
		if k == KindTime && w.zone != "" && w.resolved {
			t.zone = ""
		} else if k == KindTime && w.zone != "" {
			loc, _ := loadZone(w.zone)
			day := now.Unix() / secondsPerDay
			if w.hasDate {
				day = w.days
			}
			t.offset, _ = resolveLocal(loc, day*secondsPerDay+t.nanos/nanosPerSecond, w.offset, true)
			t.zone = ""
		}
		if k == KindDateTime {
			t = t.resolve(false)
		}
	}
	return t.value(), nil
}

func fromEpochMap(m map[string]Value, tz *zoneSpec) (Value, error) {
	var sec, nano int64
	if v, ok, err := intField(m, "epochseconds"); err != nil {
		return Null, err
	} else if ok {
		sec = v
	}
	if v, ok, err := intField(m, "epochmillis"); err != nil {
		return Null, err
	} else if ok {
		sec += floorDiv(v, 1000)
		nano += floorMod(v, 1000) * 1_000_000
	}
	for _, f := range []struct {
		k string
		n int64
	}{{"millisecond", 1_000_000}, {"microsecond", 1000}, {"nanosecond", 1}} {
		v, _, err := intField(m, f.k)
		if err != nil {
			return Null, err
		}
		nano += v * f.n
	}
	sec += floorDiv(nano, nanosPerSecond)
	nano = floorMod(nano, nanosPerSecond)
	like := Temporal{kind: KindDateTime}
	if tz != nil {
		like.offset, like.zone = tz.offset, tz.name
	}
	return instantOf(sec, nano, like).value(), nil
}

// DateTimeFromEpoch is datetime.fromepoch(seconds, nanos) in UTC.
func DateTimeFromEpoch(sec, nano int64) Value {
	sec += floorDiv(nano, nanosPerSecond)
	return instantIn(sec, floorMod(nano, nanosPerSecond), 0, "")
}

// ConvertTemporal converts any temporal value to kind k, selecting the
// components k has (date(datetime), time(localtime) ...); a zoned value
// converted to a zoned kind keeps its zone, a local one gets UTC.
func ConvertTemporal(k Kind, v Value, now time.Time) (Value, error) {
	key := "datetime"
	switch k {
	case KindDate:
		key = "date"
	case KindLocalTime, KindTime:
		key = "time"
	}
	return BuildTemporal(k, map[string]Value{key: v}, now)
}

// TruncateTemporal implements k.truncate(unit, v, fields): v truncated to
// the unit (millennium, century, decade, year, weekYear, quarter, month,
// week, day, hour, minute, second, millisecond, microsecond), converted to
// kind k, then with the fields of m set (a timezone in m replaces the zone,
// keeping the local date and time).
func TruncateTemporal(k Kind, unit string, v Value, m map[string]Value, now time.Time) (Value, error) {
	src, ok := v.payload().(Temporal)
	if !ok {
		return Null, terr("cannot truncate %s", v)
	}
	hasD, hasT, hasZ := kindHas(k)
	var w work
	u := strings.ToLower(unit)
	dateUnit := false
	if src.hasDate() {
		y, mo, _ := civilFromDays(src.days)
		w.days, w.hasDate = src.days, true
		dateUnit = true
		switch u {
		case "millennium":
			w.days = daysFromCivil(y-floorMod(y, 1000), 1, 1)
		case "century":
			w.days = daysFromCivil(y-floorMod(y, 100), 1, 1)
		case "decade":
			w.days = daysFromCivil(y-floorMod(y, 10), 1, 1)
		case "year":
			w.days = daysFromCivil(y, 1, 1)
		case "weekyear":
			wy, _ := isoWeek(src.days)
			w.days = week1Start(wy)
		case "quarter":
			w.days = daysFromCivil(y, (mo-1)/3*3+1, 1)
		case "month":
			w.days = daysFromCivil(y, mo, 1)
		case "week":
			w.days = src.days - dayOfWeek(src.days) + 1
		case "day":
		default:
			dateUnit = false
		}
	}
	if src.hasTime() {
		w.hasTime = true
		var q int64
		switch u {
		case "hour":
			q = 3600 * nanosPerSecond
		case "minute":
			q = 60 * nanosPerSecond
		case "second":
			q = nanosPerSecond
		case "millisecond":
			q = 1_000_000
		case "microsecond":
			q = 1000
		}
		if q != 0 {
			w.nanos = src.nanos - src.nanos%q
		} else if !dateUnit {
			return Null, terr("cannot truncate %s to %s", v, unit)
		}
	} else if !dateUnit {
		return Null, terr("cannot truncate %s to %s", v, unit)
	}
	if !dateUnit && !hasT {
		return Null, terr("cannot truncate a %s to %s", strings.ToLower(k.String()), unit)
	}
	if dateUnit && !hasD && u != "day" {
		return Null, terr("cannot truncate to %s for %s", unit, strings.ToLower(k.String()))
	}
	if hasD && !w.hasDate {
		return Null, terr("cannot truncate %s to a %s", v, strings.ToLower(k.String()))
	}
	if src.hasZone() {
		w.offset, w.zone, w.hasZone, w.resolved = src.offset, src.zone, true, true
	}
	allowed := []string{"timezone"}
	if hasD {
		allowed = append(allowed, dateKeys...)
	}
	if hasT {
		allowed = append(allowed, timeKeys...)
	}
	if m == nil {
		m = map[string]Value{}
	}
	m, err := normKeys(m, allowed...)
	if err != nil {
		return Null, err
	}
	if tzv, ok := m["timezone"]; ok && !tzv.IsNull() && hasZ {
		if tzv.Kind() != KindString {
			return Null, terr("timezone must be a string, got %s", tzv)
		}
		z, err := parseZone(tzv.AsString())
		if err != nil {
			return Null, err
		}
		w.offset, w.zone, w.hasZone, w.resolved = z.offset, z.name, true, false
	}
	if err := w.apply(m, hasD, hasT, true); err != nil {
		return Null, err
	}
	return w.finish(k, now)
}

// DurationFromMap builds a duration from {years, months, weeks, days,
// hours, minutes, seconds, milliseconds, microseconds, nanoseconds}; any
// field may be fractional, the fraction spilling into smaller units.
func DurationFromMap(m map[string]Value) (Value, error) {
	m, err := normKeys(m, "years", "months", "weeks", "days", "hours", "minutes", "seconds", "milliseconds", "microseconds", "nanoseconds")
	if err != nil {
		return Null, err
	}
	ints := map[string]int64{}
	floats := map[string]float64{}
	fractional := false
	for k, v := range m {
		switch v.Kind() {
		case KindNull:
		case KindInt:
			ints[k] = v.AsInt()
			floats[k] = float64(v.AsInt())
		case KindFloat:
			fractional = true
			floats[k] = v.AsFloat()
		default:
			return Null, terr("duration field %s must be a number, got %s", k, v)
		}
	}
	if !fractional {
		i := ints
		return NewDuration(i["years"]*12+i["months"], i["weeks"]*7+i["days"],
			i["hours"]*3600+i["minutes"]*60+i["seconds"],
			i["milliseconds"]*1_000_000+i["microseconds"]*1000+i["nanoseconds"]), nil
	}
	f := floats
	return ApproximateDuration(
		f["years"]*12+f["months"],
		f["weeks"]*7+f["days"],
		f["hours"]*3600+f["minutes"]*60+f["seconds"],
		f["milliseconds"]*1_000_000+f["microseconds"]*1000+f["nanoseconds"]), nil
}

// BetweenUnit selects what DurationBetween measures.
type BetweenUnit int

// The units of duration.between, inMonths, inDays and inSeconds.
const (
	BetweenAll BetweenUnit = iota
	BetweenMonths
	BetweenDays
	BetweenSeconds
)

// DurationBetween is the duration from a to b (duration.between and its
// inMonths, inDays and inSeconds variants). A value without a zone is read
// in the other's zone; a value without a date takes the other's date (a
// date without a time is at midnight); when either lacks a date only the
// time difference counts.
func DurationBetween(unit BetweenUnit, a, b Value) (Value, error) {
	x, ok1 := a.payload().(Temporal)
	y, ok2 := b.payload().(Temporal)
	if !ok1 || !ok2 {
		return Null, terr("duration.between needs two temporal values, got %s and %s", a, b)
	}
	bothDates := x.hasDate() && y.hasDate()
	// Adopt zones: a local value is read in the other's zone.
	if x.hasZone() && !y.hasZone() {
		y.offset, y.zone = x.offset, x.zone
		y = y.asZoned()
	} else if y.hasZone() && !x.hasZone() {
		x.offset, x.zone = y.offset, y.zone
		x = x.asZoned()
	}
	if !bothDates {
		if unit == BetweenMonths || unit == BetweenDays {
			return NewDuration(0, 0, 0, 0), nil
		}
		// Put both on one date: the one that has a date, or the epoch.
		day := int64(0)
		if x.hasDate() {
			day = x.days
		} else if y.hasDate() {
			day = y.days
		}
		x, y = x.onDay(day), y.onDay(day)
		s1, n1 := x.epoch()
		s2, n2 := y.epoch()
		return NewDuration(0, 0, s2-s1, n2-n1), nil
	}
	// Both have dates: count months and days on local date-times, with b
	// shown in a's zone.
	if x.hasZone() && y.hasZone() {
		s, n := y.epoch()
		y = instantOf(s, n, x)
	}
	switch unit {
	case BetweenMonths:
		return NewDuration(monthsUntil(x.days, x.nanos, y.days, y.nanos), 0, 0, 0), nil
	case BetweenDays:
		return NewDuration(0, daysUntil(x.days, x.nanos, y.days, y.nanos), 0, 0), nil
	case BetweenSeconds:
		s1, n1 := x.epoch()
		s2, n2 := y.epoch()
		return NewDuration(0, 0, s2-s1, n2-n1), nil
	}
	months := monthsUntil(x.days, x.nanos, y.days, y.nanos)
	from := Duration{Months: months}.addTo(x.asDateTimeLike(), 1)
	days := daysUntil(from.days, from.nanos, y.days, y.nanos)
	from = Duration{Days: days}.addTo(from, 1)
	s1, n1 := from.epoch()
	s2, n2 := y.epoch()
	return NewDuration(months, days, s2-s1, n2-n1), nil
}

// asZoned re-resolves the offset after a zone was adopted.
func (t Temporal) asZoned() Temporal {
	if t.hasDate() && t.zone != "" {
		k := t.kind
		t.kind = KindDateTime
		t = t.resolve(false)
		t.kind = k
	}
	return t
}

// asDateTimeLike treats a value with a date as a datetime (a date at
// midnight, a local value at its adopted offset) for arithmetic.
func (t Temporal) asDateTimeLike() Temporal {
	t.kind = KindDateTime
	return t
}

// onDay places a value on the given date (keeping its own date if it has
// one), resolving a named zone's offset there.
func (t Temporal) onDay(day int64) Temporal {
	if !t.hasDate() {
		t.days = day
	}
	if t.zone != "" {
		k := t.kind
		t.kind = KindDateTime
		t = t.resolve(false)
		t.kind = k
	}
	return t
}
