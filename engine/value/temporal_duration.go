package value

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Duration is the payload of KindDuration. As in Cypher, a duration keeps
// months, days and seconds apart (their lengths vary: a month is not a fixed
// number of days, nor a day of seconds across a daylight saving change);
// Nanos is normalized to 0 <= Nanos < 1e9, so -0.5s is Seconds -1, Nanos 5e8.
type Duration struct {
	Months  int64
	Days    int64
	Seconds int64
	Nanos   int64
}

// Cypher's average month: 365.2425 / 12 days.
var (
	avgDaysPerMonth    = float64(365.2425) / twelve
	twelve             = float64(12)
	avgSecondsPerMonth = int64(2_629_746)
)

// NewDuration returns a duration value; nanos may be any size and sign and
// is carried into seconds.
func NewDuration(months, days, seconds, nanos int64) Value {
	return normDuration(months, days, seconds, nanos).value()
}

func normDuration(months, days, seconds, nanos int64) Duration {
	seconds += floorDiv(nanos, nanosPerSecond)
	return Duration{Months: months, Days: days, Seconds: seconds, Nanos: floorMod(nanos, nanosPerSecond)}
}

// value is Make(KindDuration, 0, "", d).
func (d Duration) value() Value { return Make(KindDuration, 0, "", d) }

// DurationOf returns the duration payload of v.
func DurationOf(v Value) (Duration, bool) {
	d, ok := v.payload().(Duration)
	return d, ok
}

// ApproximateDuration builds a duration from fractional amounts the way
// Cypher does: the fraction of a month becomes days (at the average month
// length), the fraction of a day seconds, the fraction of a second nanos;
// each step truncates toward zero.
func ApproximateDuration(months, days, seconds, nanos float64) Value {
	m := math.Trunc(months)
	days = days + float64(avgDaysPerMonth*(months-m))
	d := math.Trunc(days)
	seconds = seconds + float64(float64(secondsPerDay)*(days-d))
	s := math.Trunc(seconds)
	nanos = nanos + float64(float64(nanosPerSecond)*(seconds-s))
	return NewDuration(int64(m), int64(d), int64(s), int64(nanos))
}

// Span implements value.Span: the duration's length with months counted as
// 30 days and days as 24 hours.
func (d Duration) Span() time.Duration {
	return time.Duration(((d.Months*30+d.Days)*secondsPerDay+d.Seconds)*nanosPerSecond + d.Nanos)
}

// ExtCompare implements Ext: durations are not ordered (ok is false).
func (d Duration) ExtCompare(Ext) (int, bool) { return 0, false }

// ExtEqual implements Ext: equal when every field is.
func (d Duration) ExtEqual(o Ext) bool {
	e, ok := o.(Duration)
	return ok && d == e
}

// ExtHash implements Ext.
func (d Duration) ExtHash() uint64 {
	h := uint64(d.Months)
	for _, x := range []int64{d.Days, d.Seconds, d.Nanos} {
		h = h*0x100000001B3 ^ uint64(x)
	}
	return h
}

// String renders the duration in ISO 8601 form as Cypher prints it:
// P1Y2M10DT12H45M30.25S, PT-1.5S, PT0S.
func (d Duration) String() string {
	var b strings.Builder
	b.WriteByte('P')
	unit := func(n int64, u byte) {
		if n != 0 {
			b.WriteString(strconv.FormatInt(n, 10))
			b.WriteByte(u)
		}
	}
	unit(d.Months/12, 'Y')
	unit(d.Months%12, 'M')
	unit(d.Days, 'D')
	if d.Seconds != 0 || d.Nanos != 0 {
		b.WriteByte('T')
		s, n := d.Seconds, d.Nanos
		neg := s < 0
		if neg && n != 0 {
			s++
			n = nanosPerSecond - n
		}
		unit(s/3600, 'H')
		unit(s/60%60, 'M')
		sec := s % 60
		if sec != 0 || n != 0 {
			if neg && sec == 0 {
				b.WriteByte('-')
			}
			b.WriteString(strconv.FormatInt(sec, 10))
			if n != 0 {
				f := strconv.FormatInt(n+nanosPerSecond, 10)[1:]
				b.WriteByte('.')
				b.WriteString(strings.TrimRight(f, "0"))
			}
			b.WriteByte('S')
		}
	}
	if b.Len() == 1 {
		b.WriteString("T0S")
	}
	return b.String()
}

// Component returns a named component of the duration (years, months,
// days, hours, seconds, monthsOfYear, nanosecondsOfSecond, ...).
func (d Duration) Component(name string) (Value, bool) {
	var n int64
	switch strings.ToLower(name) {
	case "years":
		n = d.Months / 12
	case "quarters":
		n = d.Months / 3
	case "months":
		n = d.Months
	case "weeks":
		n = d.Days / 7
	case "days":
		n = d.Days
	case "hours":
		n = d.Seconds / 3600
	case "minutes":
		n = d.Seconds / 60
	case "seconds":
		n = d.Seconds
	case "milliseconds":
		n = d.Seconds*1000 + d.Nanos/1_000_000
	case "microseconds":
		n = d.Seconds*1_000_000 + d.Nanos/1000
	case "nanoseconds":
		n = d.Seconds*nanosPerSecond + d.Nanos
	case "quartersofyear":
		n = d.Months / 3 % 4
	case "monthsofquarter":
		n = d.Months % 3
	case "monthsofyear":
		n = d.Months % 12
	case "daysofweek":
		n = d.Days % 7
	case "minutesofhour":
		n = d.Seconds / 60 % 60
	case "secondsofminute":
		n = d.Seconds % 60
	case "millisecondsofsecond":
		n = d.Nanos / 1_000_000
	case "microsecondsofsecond":
		n = d.Nanos / 1000
	case "nanosecondsofsecond":
		n = d.Nanos
	default:
		return Null, false
	}
	return Int(n), true
}

// Arithmetic on durations.

func (d Duration) neg() Duration { return normDuration(-d.Months, -d.Days, -d.Seconds, -d.Nanos) }

func (d Duration) add(e Duration) Duration {
	return normDuration(d.Months+e.Months, d.Days+e.Days, d.Seconds+e.Seconds, d.Nanos+e.Nanos)
}

func (d Duration) mulInt(k int64) Duration {
	return normDuration(d.Months*k, d.Days*k, d.Seconds*k, d.Nanos*k)
}

func (d Duration) mulFloat(f float64) Value {
	return ApproximateDuration(float64(d.Months)*f, float64(d.Days)*f, float64(d.Seconds)*f, float64(d.Nanos)*f)
}

func (d Duration) divFloat(f float64) Value {
	return ApproximateDuration(float64(d.Months)/f, float64(d.Days)/f, float64(d.Seconds)/f, float64(d.Nanos)/f)
}

// addTo adds sign*d to a temporal value: months, then days, then seconds
// and nanoseconds. A date takes only whole days of the seconds; a time of
// day ignores months and days and wraps around midnight.
func (d Duration) addTo(t Temporal, sign int64) Temporal {
	months, days, secs, nanos := sign*d.Months, sign*d.Days, sign*d.Seconds, sign*d.Nanos
	switch t.kind {
	case KindDate:
		t.days = plusMonths(t.days, months) + days + secs/secondsPerDay
		return t
	case KindLocalTime, KindTime:
		t.nanos = floorMod(t.nanos+floorMod(secs, secondsPerDay)*nanosPerSecond+nanos, nanosPerDay)
		return t
	case KindLocalDateTime:
		t.days = plusMonths(t.days, months) + days + floorDiv(secs, secondsPerDay)
		total := t.nanos + floorMod(secs, secondsPerDay)*nanosPerSecond + nanos
		t.days += floorDiv(total, nanosPerDay)
		t.nanos = floorMod(total, nanosPerDay)
		return t
	}
	// DateTime: months and days move the local date (keeping the offset
	// when still valid); seconds move the instant.
	if months != 0 || days != 0 {
		t.days = plusMonths(t.days, months) + days
		t = t.resolve(true)
	}
	if secs != 0 || nanos != 0 {
		s, n := t.epoch()
		s += secs + floorDiv(n+nanos, nanosPerSecond)
		n = floorMod(n+nanos, nanosPerSecond)
		t = instantOf(s, n, t)
	}
	return t
}

// instantOf shows an instant in the zone (or fixed offset) of like.
func instantOf(sec, nano int64, like Temporal) Temporal {
	off := like.offset
	if like.zone != "" {
		if loc, ok := loadZone(like.zone); ok {
			off = offsetAt(loc, sec)
		}
	}
	v := instantIn(sec, nano, off, like.zone)
	return v.payload().(Temporal)
}

// resolve recomputes the offset of a datetime in a named zone from its
// local date and time (after the local fields changed); keepOffset prefers
// the current offset where the local time is ambiguous.
func (t Temporal) resolve(keepOffset bool) Temporal {
	if t.kind != KindDateTime || t.zone == "" {
		return t
	}
	loc, ok := loadZone(t.zone)
	if !ok {
		return t
	}
	local := t.days*secondsPerDay + t.nanos/nanosPerSecond
	off, moved := resolveLocal(loc, local, t.offset, keepOffset)
	if moved != local {
		frac := t.nanos % nanosPerSecond
		t.days = floorDiv(moved, secondsPerDay)
		t.nanos = floorMod(moved, secondsPerDay)*nanosPerSecond + frac
	}
	t.offset = off
	return t
}

// Arith implements the operators' extension arithmetic (see
// functions.Arithmetic): temporal ± duration, duration + temporal,
// duration ± duration, duration * number, number * duration,
// duration / number and unary minus of a duration.
func (d Duration) Arith(op string, l, r Value) (Value, bool, error) {
	return temporalArith(op, l, r)
}

// Arith implements the operators' extension arithmetic; see Duration.Arith.
func (t Temporal) Arith(op string, l, r Value) (Value, bool, error) {
	return temporalArith(op, l, r)
}

func temporalArith(op string, l, r Value) (Value, bool, error) {
	ld, lIsDur := l.payload().(Duration)
	rd, rIsDur := r.payload().(Duration)
	lt, lIsT := l.payload().(Temporal)
	rt, rIsT := r.payload().(Temporal)
	switch op {
	case "neg":
		if lIsDur {
			return ld.neg().value(), true, nil
		}
	case "+":
		switch {
		case lIsDur && rIsDur:
			return ld.add(rd).value(), true, nil
		case lIsT && rIsDur:
			return rd.addTo(lt, 1).value(), true, nil
		case lIsDur && rIsT:
			return ld.addTo(rt, 1).value(), true, nil
		}
	case "-":
		switch {
		case lIsDur && rIsDur:
			return ld.add(rd.neg()).value(), true, nil
		case lIsT && rIsDur:
			return rd.addTo(lt, -1).value(), true, nil
		}
	case "*":
		d, n := ld, r
		switch {
		case lIsDur && r.IsNumber():
		case rIsDur && l.IsNumber():
			d, n = rd, l
		default:
			return Null, false, nil
		}
		if n.Kind() == KindInt {
			return d.mulInt(n.AsInt()).value(), true, nil
		}
		return d.mulFloat(n.AsFloat()), true, nil
	case "/":
		if lIsDur && r.IsNumber() {
			if r.AsFloat() == 0 {
				return Null, true, errDivZero
			}
			return ld.divFloat(r.AsFloat()), true, nil
		}
	}
	return Null, false, nil
}

var errDivZero = &TemporalError{Msg: "division of a duration by zero"}
