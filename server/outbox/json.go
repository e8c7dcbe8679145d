package outbox

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// appendChange writes a change event's JSON without reflection: change
// events are the bulk of what the engine host produces (one per result
// change), and encoding/json's reflective map encoding was a quarter of a
// durable step's CPU. The bytes are the ones encoding/json writes for the
// same event (sorted map keys, HTML-safe escaping, its float format), which
// TestAppendChangeMatchesEncodingJSON checks.
func appendChange(b []byte, e *Event) ([]byte, error) {
	b = append(b, `{"kind":`...)
	b = appendString(b, e.Kind)
	b = append(b, `,"queryId":`...)
	b = appendString(b, e.QueryID)
	b = append(b, `,"sequence":`...)
	b = strconv.AppendUint(b, e.Sequence, 10)
	b = append(b, `,"sourceTimeMs":`...)
	b = strconv.AppendInt(b, e.SourceTimeMs, 10)
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
		return appendFloat(b, x)
	case string:
		return appendString(b, x), nil
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
			b = appendString(b, k)
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

// appendFloat formats like encoding/json: the shortest representation,
// exponent notation outside [1e-6, 1e21) with a trimmed exponent.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, &json.UnsupportedValueError{Str: strconv.FormatFloat(f, 'g', -1, 64)}
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b) - start
		if n >= 4 && b[len(b)-4] == 'e' && b[len(b)-3] == '-' && b[len(b)-2] == '0' {
			b[len(b)-2] = b[len(b)-1]
			b = b[:len(b)-1]
		}
	}
	return b, nil
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string with encoding/json's escaping:
// quotes, backslashes and control characters; <, > and & (HTML-safe);
// U+2028 and U+2029; invalid UTF-8 as U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
