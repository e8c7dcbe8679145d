package conformance

import (
	"math"
	"sort"
	"strings"
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

// Temporal support is isolated here so that the temporal value kinds can
// plug in without touching the rest of the runner.
//
// parseDateTime converts an element property string in RFC 3339 form with a
// zone into a datetime Value, as a source would store a timestamptz column.
// It is only called for strings that isZonedDateTime accepts. While the
// temporal kinds are not implemented it reports false, which leaves the
// property a string.
var parseDateTime = value.ParseRFC3339DateTime

// temporalString renders a temporal Value the way expected rows write it: a
// datetime as its RFC 3339 string in UTC with `Z`, a duration (and any other
// temporal kind) as its ISO 8601 string. ok is false for non-temporal values.
var temporalString = func(v value.Value) (string, bool) {
	switch v.Kind() {
	case value.KindDate, value.KindLocalTime, value.KindTime, value.KindLocalDateTime,
		value.KindDateTime, value.KindDuration:
	default:
		return "", false
	}
	s, _ := value.ToGo(v).(string)
	if v.Kind() == value.KindDateTime {
		if t, ok := parseLenientDateTime(s); ok {
			return t.UTC().Format(time.RFC3339Nano), true
		}
	}
	return s, true
}

// isZonedDateTime reports whether s is an RFC 3339 date-time with a zone
// (Z or ±hh:mm), the form that element properties store as datetimes.
func isZonedDateTime(s string) bool {
	if len(s) < len("2006-01-02T15:04:05Z") || (s[10] != 'T' && s[10] != 't') {
		return false
	}
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

// parseLenientDateTime parses the ISO 8601 renderings of a datetime that a
// Cypher engine may produce: RFC 3339, seconds omitted (2026-03-01T00:01Z),
// and a trailing [Region/Zone] name.
func parseLenientDateTime(s string) (time.Time, bool) {
	if i := strings.IndexByte(s, '['); i >= 0 {
		s = s[:i]
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// floatTolerance is the relative tolerance of float comparisons.
const floatTolerance = 1e-9

// floatsMatch compares floats with a relative tolerance; NaN matches NaN
// and infinities match themselves.
func floatsMatch(a, b float64) bool {
	if a == b || (math.IsNaN(a) && math.IsNaN(b)) {
		return true
	}
	if math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return false
	}
	return math.Abs(a-b) <= floatTolerance*math.Max(math.Abs(a), math.Abs(b))
}

// valueMatches reports whether an actual engine value matches an expected
// scenario value: integers and floats are distinct kinds, floats compare
// with a relative tolerance, an expected string matches an actual temporal
// value whose rendering (see temporalString) equals it, lists and maps
// compare element by element.
func valueMatches(exp, act value.Value) bool {
	if exp.Kind() == value.KindString {
		if act.Kind() == value.KindString {
			return exp.AsString() == act.AsString()
		}
		s, ok := temporalString(act)
		if !ok {
			return false
		}
		if s == exp.AsString() {
			return true
		}
		if act.Kind() == value.KindDateTime {
			te, ok1 := parseLenientDateTime(exp.AsString())
			ta, ok2 := parseLenientDateTime(s)
			return ok1 && ok2 && te.Equal(ta)
		}
		return false
	}
	if exp.Kind() != act.Kind() {
		return false
	}
	switch exp.Kind() {
	case value.KindNull:
		return true
	case value.KindBool:
		return exp.AsBool() == act.AsBool()
	case value.KindInt:
		return exp.AsInt() == act.AsInt()
	case value.KindFloat:
		return floatsMatch(exp.AsFloat(), act.AsFloat())
	case value.KindList:
		le, la := exp.AsList(), act.AsList()
		if len(le) != len(la) {
			return false
		}
		for i := range le {
			if !valueMatches(le[i], la[i]) {
				return false
			}
		}
		return true
	case value.KindMap:
		return mapsMatch(exp.AsMap(), act.AsMap())
	}
	return value.Equivalent(exp, act)
}

// mapsMatch compares two maps key by key with valueMatches.
func mapsMatch(exp, act map[string]value.Value) bool {
	if len(exp) != len(act) {
		return false
	}
	for k, ve := range exp {
		va, ok := act[k]
		if !ok || !valueMatches(ve, va) {
			return false
		}
	}
	return true
}

// formatRow renders a row map as {col: value, ...} with the columns in the
// given order first, then any others sorted.
func formatRow(r map[string]value.Value, columns []string) string {
	var b strings.Builder
	b.WriteByte('{')
	seen := map[string]bool{}
	first := true
	write := func(k string) {
		v, ok := r[k]
		if !ok || seen[k] {
			return
		}
		seen[k] = true
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(k)
		b.WriteString(": ")
		b.WriteString(formatValue(v))
	}
	for _, c := range columns {
		write(c)
	}
	keys := make([]string, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		write(k)
	}
	b.WriteByte('}')
	return b.String()
}

// formatValue renders a value in TCK notation, temporal values as their
// expected-row strings.
func formatValue(v value.Value) string {
	if s, ok := temporalString(v); ok {
		return v.Kind().String() + "('" + s + "')"
	}
	return v.String()
}
