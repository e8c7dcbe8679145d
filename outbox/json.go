package outbox

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/vigilhq/vigil/internal/jsonenc"
)

// appendChange writes a change event's JSON without reflection: change
// events are the bulk of what the engine host produces (one per result
// change), and encoding/json's reflective map encoding was a quarter of a
// durable step's CPU. The bytes are the ones encoding/json writes for the
// same event (sorted map keys, HTML-safe escaping, its float format), which
// TestAppendChangeMatchesEncodingJSON checks.
func appendChange(b []byte, e *Event) ([]byte, error) {
	b = append(b, `{"kind":`...)
	b = jsonenc.AppendString(b, e.Kind)
	b = append(b, `,"queryId":`...)
	b = jsonenc.AppendString(b, e.QueryID)
	b = append(b, `,"sequence":`...)
	b = strconv.AppendUint(b, e.Sequence, 10)
	b = append(b, `,"sourceTimeMs":`...)
	b = strconv.AppendInt(b, e.SourceTimeMs, 10)
	if e.Rows != nil {
		b = append(b, `,"addedResults":`...)
		b = e.Rows.AppendAdded(b)
		b = append(b, `,"updatedResults":`...)
		b = e.Rows.AppendUpdated(b)
		b = append(b, `,"deletedResults":`...)
		b = e.Rows.AppendDeleted(b)
		return append(b, '}'), nil
	}
	var err error
	b = append(b, `,"addedResults":`...)
	if b, err = appendRows(b, e.Added); err != nil {
		return nil, err
	}
	b = append(b, `,"updatedResults":[`...)
	for i, u := range e.Updated {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"before":`...)
		if b, err = appendValue(b, mapOrNil(u.Before)); err != nil {
			return nil, err
		}
		b = append(b, `,"after":`...)
		if b, err = appendValue(b, mapOrNil(u.After)); err != nil {
			return nil, err
		}
		b = append(b, '}')
	}
	b = append(b, `],"deletedResults":`...)
	if b, err = appendRows(b, e.Deleted); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// mapOrNil keeps a nil map nil (JSON null), as encoding/json does.
func mapOrNil(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}

func appendRows(b []byte, rows []map[string]any) ([]byte, error) {
	b = append(b, '[')
	for i, r := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendValue(b, mapOrNil(r)); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

// appendValue writes the plain JSON values rows hold (what value.ToGo
// returns); anything else goes through encoding/json.
func appendValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case float64:
		return jsonenc.AppendFloat(b, x)
	case string:
		return jsonenc.AppendString(b, x), nil
	case []any:
		b = append(b, '[')
		for i, it := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, it); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case map[string]any:
		// Rows have a handful of columns: their keys sort on the stack.
		var buf [16]string
		keys := buf[:0]
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonenc.AppendString(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendValue(b, x[k]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	enc, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, enc...), nil
}
