package plugin

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// A row is a result row as the server writes it: column -> JSON value.
type row = map[string]json.RawMessage

// columnKind is how a column's values are typed in a frame: the narrowest
// kind every non-null value of the column has.
type columnKind int

const (
	kindNull columnKind = iota // no value yet: typed as a nullable number
	kindNumber
	kindBool
	kindTime
	kindString
)

// valueKind is the kind of one JSON value; a string that reads as an
// RFC 3339 time is a time (Vigil writes temporal values as ISO 8601).
func valueKind(raw json.RawMessage) columnKind {
	if len(raw) == 0 {
		return kindNull
	}
	switch raw[0] {
	case 'n':
		return kindNull
	case 't', 'f':
		return kindBool
	case '"':
		if _, ok := nonFinite[string(raw)]; ok {
			return kindNumber
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			if _, ok := parseTime(s); ok {
				return kindTime
			}
		}
		return kindString
	case '{', '[':
		return kindString
	}
	return kindNumber
}

func parseTime(s string) (time.Time, bool) {
	if len(s) < 10 || s[4] != '-' {
		return time.Time{}, false
	}
	// A zone id after the offset ("+01:00[Europe/London]") does not change
	// the instant.
	if i := strings.IndexByte(s, '['); i > 0 && strings.HasSuffix(s, "]") {
		s = s[:i]
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// timeLayouts are the forms Vigil writes temporal values in: ISO 8601 with
// or without seconds (it leaves out zero seconds), with an offset or Z, or
// local, and dates.
var timeLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05.999999999", "2006-01-02T15:04",
	"2006-01-02",
}

// nonFinite are the strings Vigil writes for floats JSON cannot carry.
var nonFinite = map[string]float64{`"NaN"`: math.NaN(), `"Infinity"`: math.Inf(1), `"-Infinity"`: math.Inf(-1)}

// columnKinds types each column over rows: a column mixing kinds (numbers
// and strings) is a string column.
func columnKinds(columns []string, rows []row) []columnKind {
	return widenKinds(columns, make([]columnKind, len(columns)), rows)
}

// widenKinds widens kinds (one per column, kindNull where unknown yet) by
// rows: a stream keeps its columns' kinds from frame to frame, so that a
// panel appending frames never sees a field change type (Grafana starts
// such a frame over, losing what it had).
func widenKinds(columns []string, kinds []columnKind, rows []row) []columnKind {
	for i, c := range columns {
		for _, r := range rows {
			k := valueKind(r[c])
			switch {
			case k == kindNull || k == kinds[i]:
			case kinds[i] == kindNull:
				kinds[i] = k
			default:
				kinds[i] = kindString
			}
		}
	}
	return kinds
}

// field builds the frame field of one column.
func field(name string, kind columnKind, rows []row) *data.Field {
	switch kind {
	case kindBool:
		vals := make([]*bool, len(rows))
		for i, r := range rows {
			var b bool
			if json.Unmarshal(r[name], &b) == nil && valueKind(r[name]) == kindBool {
				vals[i] = &b
			}
		}
		return data.NewField(name, nil, vals)
	case kindTime:
		vals := make([]*time.Time, len(rows))
		for i, r := range rows {
			var s string
			if json.Unmarshal(r[name], &s) == nil {
				if t, ok := parseTime(s); ok {
					vals[i] = &t
				}
			}
		}
		return data.NewField(name, nil, vals)
	case kindString:
		vals := make([]*string, len(rows))
		for i, r := range rows {
			raw := r[name]
			if valueKind(raw) == kindNull {
				continue
			}
			var s string
			if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
				s = string(raw) // an object, a list, or a number among strings
			}
			vals[i] = &s
		}
		return data.NewField(name, nil, vals)
	}
	vals := make([]*float64, len(rows))
	for i, r := range rows {
		var f float64
		if nf, ok := nonFinite[string(r[name])]; ok {
			vals[i] = &nf
		} else if valueKind(r[name]) == kindNumber && json.Unmarshal(r[name], &f) == nil {
			vals[i] = &f
		}
	}
	return data.NewField(name, nil, vals)
}

// timeColumn is the name of the frame's time field: "time", unless the
// query has a column of that name.
func timeColumn(columns []string) string {
	name := "time"
	for slices.Contains(columns, name) {
		name = "_" + name
	}
	return name
}

// tableFrame is a query's whole current result: a time field (when the
// result was last changed, the same on every row, so that a time-series
// panel plots the numeric columns as they move) and one field per column.
func tableFrame(queryID string, columns []string, rows []row, at time.Time) *data.Frame {
	return tableFrameKinds(queryID, columns, columnKinds(columns, rows), rows, at)
}

// tableFrameKinds is tableFrame with the columns' kinds given.
func tableFrameKinds(queryID string, columns []string, kinds []columnKind, rows []row, at time.Time) *data.Frame {
	times := make([]time.Time, len(rows))
	for i := range times {
		times[i] = at
	}
	fields := []*data.Field{data.NewField(timeColumn(columns), nil, times)}
	for i, c := range columns {
		fields = append(fields, field(c, kinds[i], rows))
	}
	return data.NewFrame(queryID, fields...)
}

// Ops of the changes frame.
const (
	opAdded    = "added"
	opUpdated  = "updated"
	opDeleted  = "deleted"
	opSnapshot = "snapshot" // the whole result, after a (re)connect the server could not resume
)

// changeRow is one row of a changes frame.
type changeRow struct {
	op   string
	vals row
}

// changesFrame is one event as rows: time (the event's source time), op,
// sequence, and the query's columns (an update shows its after values).
func changesFrame(queryID string, columns []string, seq uint64, at time.Time, rows []changeRow) *data.Frame {
	vals := make([]row, len(rows))
	for i, r := range rows {
		vals[i] = r.vals
	}
	return changesFrameKinds(queryID, columns, columnKinds(columns, vals), seq, at, rows)
}

// changesFrameKinds is changesFrame with the columns' kinds given.
func changesFrameKinds(queryID string, columns []string, kinds []columnKind, seq uint64, at time.Time, rows []changeRow) *data.Frame {
	n := len(rows)
	times, ops, seqs := make([]time.Time, n), make([]string, n), make([]float64, n)
	vals := make([]row, n)
	for i, r := range rows {
		times[i], ops[i], seqs[i], vals[i] = at, r.op, float64(seq), r.vals
	}
	fields := []*data.Field{
		data.NewField(timeColumn(columns), nil, times),
		data.NewField("op", nil, ops),
		data.NewField("sequence", nil, seqs),
	}
	for i, c := range columns {
		fields = append(fields, field(c, kinds[i], vals))
	}
	return data.NewFrame(queryID, fields...)
}
