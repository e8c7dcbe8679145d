package value

import "time"

// Instant is implemented by the payloads of temporal values that denote a
// point in time (datetimes, local datetimes read as UTC, dates at midnight
// UTC), so that the engine can compare them with its clock.
type Instant interface {
	Instant() time.Time
}

// Span is implemented by duration payloads that have a fixed length.
type Span interface {
	Span() time.Duration
}

// InstantOf returns the point in time a temporal value denotes.
func InstantOf(v Value) (time.Time, bool) {
	if i, ok := v.payload().(Instant); ok {
		return i.Instant(), true
	}
	return time.Time{}, false
}

// SpanOf returns the length of a duration value.
func SpanOf(v Value) (time.Duration, bool) {
	if s, ok := v.payload().(Span); ok {
		return s.Span(), true
	}
	return 0, false
}
