package value

import (
	"sync"
	"time"

	_ "time/tzdata" // named zones work on machines without a zoneinfo database
)

// Calendar arithmetic on epoch days (days since 1970-01-01, proleptic
// Gregorian), valid far beyond the years time.Time formats well: Cypher
// dates range over ±999,999,999 years.

const (
	nanosPerSecond = int64(1_000_000_000)
	secondsPerDay  = int64(86_400)
	nanosPerDay    = secondsPerDay * nanosPerSecond
)

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

// daysFromCivil is the epoch day of a proleptic Gregorian date.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y, m, d int64) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func isLeap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysInMonth(y, m int64) int64 {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// dayOfWeek is the ISO day of the week, 1 (Monday) to 7 (Sunday).
func dayOfWeek(days int64) int64 { return floorMod(days+3, 7) + 1 }

// week1Start is the epoch day of the Monday starting ISO week 1 of wy.
func week1Start(wy int64) int64 {
	jan4 := daysFromCivil(wy, 1, 4)
	return jan4 - (dayOfWeek(jan4) - 1)
}

// isoWeek returns the ISO week-based year and week of an epoch day.
func isoWeek(days int64) (wy, week int64) {
	thursday := days + 4 - dayOfWeek(days)
	wy, _, _ = civilFromDays(thursday)
	return wy, (thursday-daysFromCivil(wy, 1, 1))/7 + 1
}

// weeksInYear is 52 or 53.
func weeksInYear(wy int64) int64 { return (week1Start(wy+1) - week1Start(wy)) / 7 }

// plusMonths adds months to an epoch day, clamping the day of the month to
// the length of the resulting month (Jan 31 + 1 month = Feb 28/29).
func plusMonths(days, months int64) int64 {
	if months == 0 {
		return days
	}
	y, m, d := civilFromDays(days)
	total := y*12 + (m - 1) + months
	ny, nm := floorDiv(total, 12), floorMod(total, 12)+1
	if dim := daysInMonth(ny, nm); d > dim {
		d = dim
	}
	return daysFromCivil(ny, nm, d)
}

// monthsUntil counts whole months from one local date-time to another, as
// java.time does: the end date steps back a day when its time of day is
// earlier than the start's (and forward when later, going backwards).
func monthsUntil(d1, n1, d2, n2 int64) int64 {
	end := adjustEnd(d1, n1, d2, n2)
	y1, m1, dd1 := civilFromDays(d1)
	y2, m2, dd2 := civilFromDays(end)
	p1 := (y1*12+m1-1)*32 + dd1
	p2 := (y2*12+m2-1)*32 + dd2
	return (p2 - p1) / 32
}

// daysUntil counts whole days from one local date-time to another.
func daysUntil(d1, n1, d2, n2 int64) int64 { return adjustEnd(d1, n1, d2, n2) - d1 }

func adjustEnd(d1, n1, d2, n2 int64) int64 {
	switch {
	case d2 > d1 && n2 < n1:
		return d2 - 1
	case d2 < d1 && n2 > n1:
		return d2 + 1
	}
	return d2
}

// Zones.

var zoneCache sync.Map // name -> *time.Location

// loadZone returns the named IANA zone.
func loadZone(name string) (*time.Location, bool) {
	if l, ok := zoneCache.Load(name); ok {
		return l.(*time.Location), true
	}
	if name == "" || name == "Local" {
		return nil, false
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	zoneCache.Store(name, l)
	return l, true
}

// offsetAt is the UTC offset in seconds of a zone at an instant.
func offsetAt(loc *time.Location, epochSec int64) int32 {
	_, off := time.Unix(epochSec, 0).In(loc).Zone()
	return int32(off)
}

// resolveLocal finds the offset of a local date-time (seconds since the
// epoch, read as if UTC) in a zone, as java.time does: in an overlap the
// earlier offset (or prefer, when it is one of the two); in a gap the local
// time moves forward by the length of the gap. It returns the offset and
// the (possibly moved) local seconds.
func resolveLocal(loc *time.Location, local int64, prefer int32, hasPrefer bool) (int32, int64) {
	const window = 18 * 3600
	before, after := offsetAt(loc, local-window), offsetAt(loc, local+window)
	var valid []int32
	for _, o := range []int32{before, after, offsetAt(loc, local)} {
		if offsetAt(loc, local-int64(o)) == o {
			dup := false
			for _, v := range valid {
				dup = dup || v == o
			}
			if !dup {
				valid = append(valid, o)
			}
		}
	}
	if len(valid) == 0 { // gap
		inst := local - int64(before)
		o := offsetAt(loc, inst)
		return o, inst + int64(o)
	}
	if hasPrefer {
		for _, v := range valid {
			if v == prefer {
				return v, local
			}
		}
	}
	best := valid[0]
	for _, v := range valid[1:] {
		if v > best {
			best = v
		}
	}
	return best, local
}
