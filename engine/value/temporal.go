package value

import (
	"strconv"
	"strings"
	"time"
)

// Temporal is the payload of the instant-like temporal kinds: KindDate,
// KindLocalTime, KindTime, KindLocalDateTime and KindDateTime. Which fields
// are meaningful depends on the kind: dates use the epoch day, times the
// nanosecond of the day, zoned kinds the UTC offset and, for a datetime in a
// named zone, the zone's IANA name. Date and time fields are local (wall
// clock) values; the instant of a zoned value is local minus offset.
type Temporal struct {
	kind   Kind
	days   int64  // epoch day of the local date
	nanos  int64  // nanosecond of the local day, 0 <= nanos < 86400e9
	offset int32  // seconds east of UTC
	zone   string // IANA zone name; "" for a fixed offset
}

func (t Temporal) hasDate() bool {
	return t.kind == KindDate || t.kind == KindLocalDateTime || t.kind == KindDateTime
}

func (t Temporal) hasTime() bool { return t.kind != KindDate }

func (t Temporal) hasZone() bool { return t.kind == KindTime || t.kind == KindDateTime }

// value is Make(t.kind, 0, "", t).
func (t Temporal) value() Value { return Make(t.kind, 0, "", t) }

// Kind is the kind of value this payload belongs to.
func (t Temporal) Kind() Kind { return t.kind }

// EpochDay is the local date as days since 1970-01-01.
func (t Temporal) EpochDay() int64 { return t.days }

// NanoOfDay is the local time of day in nanoseconds.
func (t Temporal) NanoOfDay() int64 { return t.nanos }

// Offset is the UTC offset in seconds (zoned kinds).
func (t Temporal) Offset() int32 { return t.offset }

// Zone is the IANA zone name of a datetime in a named zone, or "".
func (t Temporal) Zone() string { return t.zone }

// epoch returns the instant of a zoned value (or of a local value read as
// UTC) as seconds and nanoseconds since the epoch.
func (t Temporal) epoch() (sec, nano int64) {
	local := t.days*secondsPerDay + t.nanos/nanosPerSecond
	return local - int64(t.offset), t.nanos % nanosPerSecond
}

// Instant implements value.Instant: the point in time a datetime denotes;
// local datetimes and dates are read as UTC (dates at midnight). Times of
// day have no instant and report the zero time.
func (t Temporal) Instant() time.Time {
	if !t.hasDate() {
		return time.Time{}
	}
	s, n := t.epoch()
	return time.Unix(s, n).UTC()
}

// Time converts a datetime to a time.Time in its zone (or offset).
func (t Temporal) Time() time.Time {
	s, n := t.epoch()
	if t.zone != "" {
		if loc, ok := loadZone(t.zone); ok {
			return time.Unix(s, n).In(loc)
		}
	}
	if t.offset == 0 {
		return time.Unix(s, n).UTC()
	}
	return time.Unix(s, n).In(time.FixedZone(formatOffset(t.offset), int(t.offset)))
}

// cmpKey orders values of one kind: times of day by their UTC time, zoned
// datetimes by instant.
func (t Temporal) cmpKey() (int64, int64) {
	switch t.kind {
	case KindTime:
		return 0, t.nanos - int64(t.offset)*nanosPerSecond
	case KindDateTime:
		return t.epoch()
	}
	return t.days, t.nanos
}

// ExtCompare implements Ext.
func (t Temporal) ExtCompare(o Ext) (int, bool) {
	u, ok := o.(Temporal)
	if !ok || u.kind != t.kind {
		return 0, false
	}
	a1, a2 := t.cmpKey()
	b1, b2 := u.cmpKey()
	if c := cmpInt(a1, b1); c != 0 {
		return c, true
	}
	return cmpInt(a2, b2), true
}

// ExtEqual implements Ext: zoned values are equal when they denote the same
// instant (or, for times, the same UTC time of day).
func (t Temporal) ExtEqual(o Ext) bool {
	c, ok := t.ExtCompare(o)
	return ok && c == 0
}

// ExtHash implements Ext, consistently with ExtEqual.
func (t Temporal) ExtHash() uint64 {
	a, b := t.cmpKey()
	return uint64(a)*0x9E3779B97F4A7C15 ^ uint64(b) ^ uint64(t.kind)<<56
}

// String renders the value in ISO 8601 form as Cypher prints it:
// 2015-07-21, 21:40:32.142, 21:40+01:00, 2015-07-21T21:40:32.142Z,
// 2015-07-21T21:40:32.142+01:00[Europe/London].
func (t Temporal) String() string {
	var b strings.Builder
	if t.hasDate() {
		writeDate(&b, t.days)
	}
	if t.hasTime() {
		if t.hasDate() {
			b.WriteByte('T')
		}
		writeTime(&b, t.nanos)
	}
	if t.hasZone() {
		b.WriteString(formatOffset(t.offset))
		if t.zone != "" {
			b.WriteByte('[')
			b.WriteString(t.zone)
			b.WriteByte(']')
		}
	}
	return b.String()
}

func pad(b *strings.Builder, n int64, width int) {
	s := strconv.FormatInt(n, 10)
	for i := len(s); i < width; i++ {
		b.WriteByte('0')
	}
	b.WriteString(s)
}

func writeDate(b *strings.Builder, days int64) {
	y, m, d := civilFromDays(days)
	switch {
	case y > 9999:
		b.WriteByte('+')
		pad(b, y, 4)
	case y < 0:
		b.WriteByte('-')
		pad(b, -y, 4)
	default:
		pad(b, y, 4)
	}
	b.WriteByte('-')
	pad(b, m, 2)
	b.WriteByte('-')
	pad(b, d, 2)
}

// writeTime writes HH:MM, adding :SS when seconds or fractions are
// non-zero, and the fraction in groups of three digits as java.time does.
func writeTime(b *strings.Builder, nanos int64) {
	secs := nanos / nanosPerSecond
	frac := nanos % nanosPerSecond
	pad(b, secs/3600, 2)
	b.WriteByte(':')
	pad(b, secs/60%60, 2)
	if secs%60 == 0 && frac == 0 {
		return
	}
	b.WriteByte(':')
	pad(b, secs%60, 2)
	switch {
	case frac == 0:
	case frac%1_000_000 == 0:
		b.WriteByte('.')
		pad(b, frac/1_000_000, 3)
	case frac%1000 == 0:
		b.WriteByte('.')
		pad(b, frac/1000, 6)
	default:
		b.WriteByte('.')
		pad(b, frac, 9)
	}
}

// formatOffset renders a UTC offset: Z, +01:00, -02:05:07.
func formatOffset(off int32) string {
	if off == 0 {
		return "Z"
	}
	var b strings.Builder
	o := int64(off)
	if o < 0 {
		b.WriteByte('-')
		o = -o
	} else {
		b.WriteByte('+')
	}
	pad(&b, o/3600, 2)
	b.WriteByte(':')
	pad(&b, o/60%60, 2)
	if o%60 != 0 {
		b.WriteByte(':')
		pad(&b, o%60, 2)
	}
	return b.String()
}

// Component returns a named component of the value (year, month, hour,
// timezone, epochSeconds, ...), for property access such as d.year.
func (t Temporal) Component(name string) (Value, bool) {
	n := strings.ToLower(name)
	if t.hasDate() {
		y, m, d := civilFromDays(t.days)
		switch n {
		case "year":
			return Int(y), true
		case "quarter":
			return Int((m-1)/3 + 1), true
		case "month":
			return Int(m), true
		case "week":
			_, w := isoWeek(t.days)
			return Int(w), true
		case "weekyear":
			wy, _ := isoWeek(t.days)
			return Int(wy), true
		case "day":
			return Int(d), true
		case "ordinalday":
			return Int(t.days - daysFromCivil(y, 1, 1) + 1), true
		case "weekday", "dayofweek":
			return Int(dayOfWeek(t.days)), true
		case "dayofquarter":
			return Int(t.days - daysFromCivil(y, (m-1)/3*3+1, 1) + 1), true
		}
	}
	if t.hasTime() {
		secs := t.nanos / nanosPerSecond
		frac := t.nanos % nanosPerSecond
		switch n {
		case "hour":
			return Int(secs / 3600), true
		case "minute":
			return Int(secs / 60 % 60), true
		case "second":
			return Int(secs % 60), true
		case "millisecond":
			return Int(frac / 1_000_000), true
		case "microsecond":
			return Int(frac / 1000), true
		case "nanosecond":
			return Int(frac), true
		}
	}
	if t.hasZone() {
		switch n {
		case "timezone":
			if t.zone != "" {
				return Str(t.zone), true
			}
			return Str(formatOffset(t.offset)), true
		case "offset":
			return Str(formatOffset(t.offset)), true
		case "offsetminutes":
			return Int(int64(t.offset) / 60), true
		case "offsetseconds":
			return Int(int64(t.offset)), true
		}
	}
	if t.kind == KindDateTime {
		s, ns := t.epoch()
		switch n {
		case "epochseconds":
			return Int(s), true
		case "epochmillis":
			return Int(s*1000 + ns/1_000_000), true
		}
	}
	return Null, false
}

// Constructors.

func mkTemporal(k Kind, days, nanos int64, offset int32, zone string) Value {
	return Temporal{kind: k, days: days, nanos: nanos, offset: offset, zone: zone}.value()
}

// NewDate returns the date value y-m-d (the fields are not validated).
func NewDate(y, m, d int64) Value { return mkTemporal(KindDate, daysFromCivil(y, m, d), 0, 0, "") }

// NewDateFromEpochDay returns the date that is days after 1970-01-01.
func NewDateFromEpochDay(days int64) Value { return mkTemporal(KindDate, days, 0, 0, "") }

// NewLocalTime returns a local time from its nanosecond of the day.
func NewLocalTime(nanoOfDay int64) Value {
	return mkTemporal(KindLocalTime, 0, floorMod(nanoOfDay, nanosPerDay), 0, "")
}

// NewTime returns a time of day with a UTC offset in seconds.
func NewTime(nanoOfDay int64, offsetSeconds int32) Value {
	return mkTemporal(KindTime, 0, floorMod(nanoOfDay, nanosPerDay), offsetSeconds, "")
}

// NewLocalDateTime returns a local date-time from an epoch day and a
// nanosecond of the day.
func NewLocalDateTime(epochDay, nanoOfDay int64) Value {
	return mkTemporal(KindLocalDateTime, epochDay+floorDiv(nanoOfDay, nanosPerDay), floorMod(nanoOfDay, nanosPerDay), 0, "")
}

// NewDateTime returns the datetime of t. With a zone name the value is in
// that IANA zone (Europe/London) and prints it; otherwise it keeps t's
// offset (UTC prints as Z).
func NewDateTime(t time.Time, zone string) Value {
	if zone != "" {
		if loc, ok := loadZone(zone); ok {
			t = t.In(loc)
		} else {
			zone = ""
		}
	}
	_, off := t.Zone()
	return instantIn(t.Unix(), int64(t.Nanosecond()), int32(off), zone)
}

// DateTimeOfInstant is the UTC datetime of t (the engine clock's view).
func DateTimeOfInstant(t time.Time) Value { return NewDateTime(t.UTC(), "") }

// instantIn builds a datetime from an instant and the offset to show it in.
func instantIn(sec, nano int64, off int32, zone string) Value {
	local := sec + int64(off)
	return mkTemporal(KindDateTime, floorDiv(local, secondsPerDay), floorMod(local, secondsPerDay)*nanosPerSecond+nano, off, zone)
}

// TemporalOf returns the temporal payload of v.
func TemporalOf(v Value) (Temporal, bool) {
	t, ok := v.payload().(Temporal)
	return t, ok
}

// ParseRFC3339DateTime parses an RFC 3339 timestamp with a zone
// ("2026-01-01T00:00:00Z", "2026-01-01T01:00:00+01:00") into a datetime.
// It reports false for anything else.
func ParseRFC3339DateTime(s string) (Value, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return Null, false
	}
	return NewDateTime(t, ""), true
}
