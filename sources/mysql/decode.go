package mysql

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/engine/value"
)

// column is a table column as information_schema describes it. Snapshot
// rows (text protocol) and binlog rows (decoded by go-mysql) hand the
// converter different Go types for one column; converting both through the
// column's declared type makes a row read the same either way.
type column struct {
	name       string
	dataType   string // information_schema DATA_TYPE, lower case
	columnType string // COLUMN_TYPE, e.g. "int(10) unsigned", "enum('a','b')"
	unsigned   bool
	json       bool     // JSON, or MariaDB's LONGTEXT with CHECK (json_valid(col))
	boolean    bool     // tinyint(1), MySQL's BOOL
	elems      []string // enum and set members, in declaration order
}

// intBits is the width of each integer type, to undo go-mysql reading
// unsigned columns as signed when the binlog lacks signedness metadata.
var intBits = map[string]uint{"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "integer": 32, "bigint": 64}

// convert turns one cell into a value; ok is false for NULL and for zero
// dates, which have no temporal value.
func (c *column) convert(v any, numericString bool) (value.Value, bool, error) {
	if v == nil {
		return value.Null, false, nil
	}
	switch c.dataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year":
		i, u, isU, err := toInt(v)
		if err != nil {
			return bad(c, v, err)
		}
		if c.unsigned && !isU && i < 0 {
			// A signed reading of an unsigned column: reinterpret the bits.
			bits := intBits[c.dataType]
			u, isU = uint64(i)&(1<<bits-1), true
			if bits == 64 {
				u = uint64(i)
			}
		}
		if isU {
			if u > math.MaxInt64 {
				return value.Float(float64(u)), true, nil
			}
			i = int64(u)
		}
		if c.boolean {
			return value.Bool(i != 0), true, nil
		}
		return value.Int(i), true, nil
	case "bit":
		switch t := v.(type) {
		case []byte: // text protocol: big-endian bytes
			var n uint64
			for _, b := range t {
				n = n<<8 | uint64(b)
			}
			return value.Int(int64(n)), true, nil
		case string:
			var n uint64
			for _, b := range []byte(t) {
				n = n<<8 | uint64(b)
			}
			return value.Int(int64(n)), true, nil
		}
		i, u, isU, err := toInt(v)
		if err != nil {
			return bad(c, v, err)
		}
		if isU {
			i = int64(u)
		}
		return value.Int(i), true, nil
	case "decimal", "numeric":
		s := toString(v)
		if numericString {
			return value.Str(s), true, nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return bad(c, v, err)
		}
		return value.Float(f), true, nil
	case "float":
		if f, ok := v.(float32); ok {
			// Through the shortest float32 text, so that 1.1 stays 1.1
			// as the text protocol shows it.
			g, _ := strconv.ParseFloat(strconv.FormatFloat(float64(f), 'g', -1, 32), 64)
			return value.Float(g), true, nil
		}
		fallthrough
	case "double", "real":
		switch t := v.(type) {
		case float64:
			return value.Float(t), true, nil
		case float32:
			return value.Float(float64(t)), true, nil
		}
		f, err := strconv.ParseFloat(toString(v), 64)
		if err != nil {
			return bad(c, v, err)
		}
		return value.Float(f), true, nil
	case "json":
		return c.parseJSON(v)
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext":
		if c.json {
			return c.parseJSON(v)
		}
		return value.Str(toString(v)), true, nil
	case "enum":
		if i, _, _, err := toInt(v); err == nil {
			// The binlog stores the 1-based member index (0 for '').
			if i >= 1 && int(i) <= len(c.elems) {
				return value.Str(c.elems[i-1]), true, nil
			}
			return value.Str(""), true, nil
		}
		return value.Str(toString(v)), true, nil
	case "set":
		if i, _, _, err := toInt(v); err == nil {
			var parts []string
			for b, e := range c.elems {
				if i&(1<<uint(b)) != 0 {
					parts = append(parts, e)
				}
			}
			return value.Str(strings.Join(parts, ",")), true, nil
		}
		return value.Str(toString(v)), true, nil
	case "date":
		s := toString(v)
		if strings.HasPrefix(s, "0000-") || strings.Contains(s, "-00") {
			return value.Null, false, nil
		}
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return bad(c, v, err)
		}
		return value.NewDateFromEpochDay(floorDiv(t.Unix(), 86400)), true, nil
	case "datetime", "timestamp":
		var t time.Time
		switch x := v.(type) {
		case time.Time:
			t = x.UTC()
		default:
			s := toString(v)
			if strings.HasPrefix(s, "0000-") {
				return value.Null, false, nil
			}
			var err error
			// Both paths render in UTC: the snapshot session sets
			// time_zone = '+00:00' and the binlog reader formats
			// TIMESTAMP in UTC.
			if t, err = time.Parse("2006-01-02 15:04:05.999999999", s); err != nil {
				return bad(c, v, err)
			}
		}
		if c.dataType == "timestamp" {
			return value.NewDateTime(t, ""), true, nil
		}
		sec := t.Unix()
		day := floorDiv(sec, 86400)
		return value.NewLocalDateTime(day, (sec-day*86400)*1e9+int64(t.Nanosecond())), true, nil
	case "time":
		return parseTime(c, toString(v))
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "geometry", "point", "linestring", "polygon":
		return value.Str(base64.StdEncoding.EncodeToString(toBytes(v))), true, nil
	case "uuid":
		if b := toBytes(v); len(b) == 16 {
			return value.Str(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])), true, nil
		}
		return value.Str(toString(v)), true, nil
	}
	// Anything else (inet6, vector, ...): numbers stay numbers, the rest text.
	switch t := v.(type) {
	case int64, int32, int16, int8, int, uint64, uint32, uint16, uint8:
		i, u, isU, _ := toInt(t)
		if isU {
			i = int64(u)
		}
		return value.Int(i), true, nil
	case float64:
		return value.Float(t), true, nil
	case float32:
		return value.Float(float64(t)), true, nil
	}
	return value.Str(toString(v)), true, nil
}

func bad(c *column, v any, err error) (value.Value, bool, error) {
	return value.Null, false, fmt.Errorf("column %s (%s): cannot read %v: %v", c.name, c.columnType, v, err)
}

func (c *column) parseJSON(v any) (value.Value, bool, error) {
	b := toBytes(v)
	if len(b) == 0 {
		return value.Null, false, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // keep integers integers
	var x any
	if err := dec.Decode(&x); err != nil {
		return bad(c, string(b), err)
	}
	out, err := value.FromGo(x)
	if err != nil {
		return bad(c, string(b), err)
	}
	return out, true, nil
}

// parseTime reads TIME, which in MySQL is an interval (-838:59:59 to
// 838:59:59): a time of day when it is one, otherwise a duration.
func parseTime(c *column, s string) (value.Value, bool, error) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return bad(c, s, fmt.Errorf("want [-]h:mm:ss[.f]"))
	}
	h, err1 := strconv.ParseInt(parts[0], 10, 64)
	m, err2 := strconv.ParseInt(parts[1], 10, 64)
	whole, frac, _ := strings.Cut(parts[2], ".")
	sec, err3 := strconv.ParseInt(whole, 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return bad(c, s, fmt.Errorf("want [-]h:mm:ss[.f]"))
	}
	ns, _ := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
	total := (h*3600+m*60+sec)*1e9 + ns
	if !neg && h < 24 {
		return value.NewLocalTime(total), true, nil
	}
	if neg {
		total = -total
	}
	return value.NewDuration(0, 0, total/1e9, total%1e9), true, nil
}

func toInt(v any) (i int64, u uint64, isUnsigned bool, err error) {
	switch t := v.(type) {
	case int8:
		return int64(t), 0, false, nil
	case int16:
		return int64(t), 0, false, nil
	case int32:
		return int64(t), 0, false, nil
	case int64:
		return t, 0, false, nil
	case int:
		return int64(t), 0, false, nil
	case uint8:
		return 0, uint64(t), true, nil
	case uint16:
		return 0, uint64(t), true, nil
	case uint32:
		return 0, uint64(t), true, nil
	case uint64:
		return 0, t, true, nil
	case uint:
		return 0, uint64(t), true, nil
	case []byte, string:
		s := toString(t)
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, 0, false, nil
		}
		u, err := strconv.ParseUint(s, 10, 64)
		return 0, u, true, err
	}
	return 0, 0, false, fmt.Errorf("not an integer: %T", v)
}

func toString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case []byte:
		return string(t)
	case float64:
		return strconv.FormatFloat(t, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

func toBytes(v any) []byte {
	switch t := v.(type) {
	case []byte:
		return t
	case string:
		return []byte(t)
	case int64:
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(t))
		return b[:]
	}
	return []byte(fmt.Sprint(v))
}

// keyText renders a key value for the element id.
func keyText(v value.Value) string {
	switch v.Kind() {
	case value.KindString:
		return v.AsString()
	case value.KindInt:
		return strconv.FormatInt(v.AsInt(), 10)
	case value.KindFloat:
		return strconv.FormatFloat(v.AsFloat(), 'g', -1, 64)
	case value.KindNull:
		return ""
	}
	return strings.Trim(v.String(), "'")
}

// parseElems reads the members of enum('a','b') or set('x','y').
func parseElems(columnType string) []string {
	i := strings.IndexByte(columnType, '(')
	if i < 0 || !strings.HasSuffix(columnType, ")") {
		return nil
	}
	s := columnType[i+1 : len(columnType)-1]
	var out []string
	for len(s) > 0 {
		if s[0] != '\'' {
			return out
		}
		var b strings.Builder
		j := 1
		for j < len(s) {
			if s[j] == '\'' {
				if j+1 < len(s) && s[j+1] == '\'' {
					b.WriteByte('\'')
					j += 2
					continue
				}
				break
			}
			if s[j] == '\\' && j+1 < len(s) {
				b.WriteByte(s[j+1])
				j += 2
				continue
			}
			b.WriteByte(s[j])
			j++
		}
		out = append(out, b.String())
		s = strings.TrimPrefix(s[min(j+1, len(s)):], ",")
	}
	return out
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
