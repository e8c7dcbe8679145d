package value

import "time"

// DateTimeOf returns the datetime value of t (UTC).
func DateTimeOf(t time.Time) Value { return DateTimeOfInstant(t) }
